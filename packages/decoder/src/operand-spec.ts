// Operand specifications: the SDM operand letters the table uses, as small numbers the decoder
// switches on. A table row names them as strings ("Ed", "Gd", "Ib"); scripts/gen-forms.ts
// turns them into these numbers. Fixed-register operands (AL, DX, ES, ST0, ...) are encoded as
// `OP_FIXED_REG + Register`, so they need no entry here.
//
// Letters (SDM Vol. 2, Appendix A.2.1): E = ModRM r/m (register or memory), G = ModRM reg,
// R = ModRM r/m register regardless of mod (MOV CRn/DRn), M = memory only, Z = register in the
// opcode's low 3 bits, S = segment register in reg, C/D = control/debug register in reg,
// I = immediate, J = relative branch, A = far pointer, O = moffs, X = seg:[rSI], Y = ES:[rDI],
// P/N/Q = MMX reg/rm-register/rm, V/U/W = XMM reg/rm-register/rm.
// VEX: H = xmm/ymm register in VEX.vvvv (Hx/Hy), B = GPR in VEX.vvvv (Bd/Bq), Vy/Wy/Uy the
// ymm forms; Wb = xmm or m8. K = AVX-512 opmask register: Kg (ModRM.reg), Kr (r/m, register
// only), Kh (VEX.vvvv), Km (k or memory).
// "Yd" is seg:[rDI] (MASKMOVQ/MASKMOVDQU). W/Q sizes (Wx = xmm/m128, Wq = xmm/m64, Wd = xmm/m32,
// Ww = xmm/m16, Qq = mm/m64, Qd = mm/m32) only change the memory size.
// Sizes: b = 8, w = 16, d = 32, q = 64. "Edw" is r32 when a register and m16 when memory
// (iced's r32m16), "Eqw" likewise r64/m16. "Ibw/Ibd/Ibq" are imm8 sign-extended to 16/32/64,
// "Idq" imm32 sign-extended to 64.
export enum OpSpec {
  None = 0,
  Eb,
  Ew,
  Ed,
  Eq,
  Edw,
  Eqw,
  Gb,
  Gw,
  Gd,
  Gq,
  Rd,
  Rq,
  Zb,
  Zw,
  Zd,
  Zq,
  Sw,
  Cd,
  Cq,
  Dd,
  Dq,
  Td,
  M,
  Ib,
  Iw,
  Id,
  Iq,
  Ibw,
  Ibd,
  Ibq,
  Idq,
  Ib2,
  One,
  Jb,
  Jw,
  Jd,
  Aw,
  Ad,
  Ob,
  Xs,
  Ys,
  Xlat,
  STi,
  Pq,
  Nq,
  Qq,
  Vx,
  Ux,
  Wx,
  Ey,
  Gy,
  Wq,
  Wd,
  Ww,
  Qd,
  Yd,
  Vy,
  Hx,
  Hy,
  Wy,
  Uy,
  Bd,
  Bq,
  Wb,
  Kg,
  Kr,
  Kh,
  Km,
}

/** Fixed register operands are `OP_FIXED_REG + Register`. */
export const OP_FIXED_REG = 256;
