// Operand decoding: one small case per operand spec (operand-spec.ts). Immediates and
// displacements are read in operand order, which is encoding order for every x86 form.
import type { Decoder } from "./decoder";
import type { Instruction } from "./instruction";
import { OpKind } from "./op-kind";
import { OP_FIXED_REG, OpSpec } from "./operand-spec";
import { Register } from "./register";

// Module-local copies of the enum members and constants used below. Under per-file TypeScript
// transforms (tsx, vite, vitest) an imported enum member is a property load on another module's
// object on every use (and a switch over such labels is a chain of compares); local consts are
// plain constants to V8, which is most of the decoder's speed there (bench ratio 0.88 -> ~1.1).
// Bundlers (tsup/esbuild) inline them either way.
const L_OP_FIXED_REG = OP_FIXED_REG;
const OpKind_FarBranch16 = OpKind.FarBranch16;
const OpKind_FarBranch32 = OpKind.FarBranch32;
const OpKind_Immediate16 = OpKind.Immediate16;
const OpKind_Immediate32 = OpKind.Immediate32;
const OpKind_Immediate32to64 = OpKind.Immediate32to64;
const OpKind_Immediate64 = OpKind.Immediate64;
const OpKind_Immediate8 = OpKind.Immediate8;
const OpKind_Immediate8_2nd = OpKind.Immediate8_2nd;
const OpKind_Immediate8to16 = OpKind.Immediate8to16;
const OpKind_Immediate8to32 = OpKind.Immediate8to32;
const OpKind_Immediate8to64 = OpKind.Immediate8to64;
const OpKind_Memory = OpKind.Memory;
const OpKind_MemoryESDI = OpKind.MemoryESDI;
const OpKind_MemoryESEDI = OpKind.MemoryESEDI;
const OpKind_MemoryESRDI = OpKind.MemoryESRDI;
const OpKind_MemorySegDI = OpKind.MemorySegDI;
const OpKind_MemorySegEDI = OpKind.MemorySegEDI;
const OpKind_MemorySegESI = OpKind.MemorySegESI;
const OpKind_MemorySegRDI = OpKind.MemorySegRDI;
const OpKind_MemorySegRSI = OpKind.MemorySegRSI;
const OpKind_MemorySegSI = OpKind.MemorySegSI;
const OpKind_NearBranch16 = OpKind.NearBranch16;
const OpKind_NearBranch32 = OpKind.NearBranch32;
const OpKind_NearBranch64 = OpKind.NearBranch64;
const OpSpec_Ad = OpSpec.Ad;
const OpSpec_Aw = OpSpec.Aw;
const OpSpec_Bd = OpSpec.Bd;
const OpSpec_Bq = OpSpec.Bq;
const OpSpec_Cd = OpSpec.Cd;
const OpSpec_Cq = OpSpec.Cq;
const OpSpec_Dd = OpSpec.Dd;
const OpSpec_Dq = OpSpec.Dq;
const OpSpec_Eb = OpSpec.Eb;
const OpSpec_Ed = OpSpec.Ed;
const OpSpec_Edw = OpSpec.Edw;
const OpSpec_Eq = OpSpec.Eq;
const OpSpec_Eqw = OpSpec.Eqw;
const OpSpec_Ew = OpSpec.Ew;
const OpSpec_Ey = OpSpec.Ey;
const OpSpec_Gb = OpSpec.Gb;
const OpSpec_Gd = OpSpec.Gd;
const OpSpec_Gq = OpSpec.Gq;
const OpSpec_Gw = OpSpec.Gw;
const OpSpec_Gy = OpSpec.Gy;
const OpSpec_Hx = OpSpec.Hx;
const OpSpec_Hy = OpSpec.Hy;
const OpSpec_Ib = OpSpec.Ib;
const OpSpec_Ib2 = OpSpec.Ib2;
const OpSpec_Ibd = OpSpec.Ibd;
const OpSpec_Ibq = OpSpec.Ibq;
const OpSpec_Ibw = OpSpec.Ibw;
const OpSpec_Id = OpSpec.Id;
const OpSpec_Idq = OpSpec.Idq;
const OpSpec_Iq = OpSpec.Iq;
const OpSpec_Iw = OpSpec.Iw;
const OpSpec_Jb = OpSpec.Jb;
const OpSpec_Jd = OpSpec.Jd;
const OpSpec_Jw = OpSpec.Jw;
const OpSpec_Kg = OpSpec.Kg;
const OpSpec_Kh = OpSpec.Kh;
const OpSpec_Km = OpSpec.Km;
const OpSpec_Kr = OpSpec.Kr;
const OpSpec_M = OpSpec.M;
const OpSpec_Nq = OpSpec.Nq;
const OpSpec_Ob = OpSpec.Ob;
const OpSpec_One = OpSpec.One;
const OpSpec_Pq = OpSpec.Pq;
const OpSpec_Qd = OpSpec.Qd;
const OpSpec_Qq = OpSpec.Qq;
const OpSpec_Rd = OpSpec.Rd;
const OpSpec_Rq = OpSpec.Rq;
const OpSpec_STi = OpSpec.STi;
const OpSpec_Sw = OpSpec.Sw;
const OpSpec_Td = OpSpec.Td;
const OpSpec_Ux = OpSpec.Ux;
const OpSpec_Uy = OpSpec.Uy;
const OpSpec_Vx = OpSpec.Vx;
const OpSpec_Vy = OpSpec.Vy;
const OpSpec_Wb = OpSpec.Wb;
const OpSpec_Wd = OpSpec.Wd;
const OpSpec_Wq = OpSpec.Wq;
const OpSpec_Ww = OpSpec.Ww;
const OpSpec_Wx = OpSpec.Wx;
const OpSpec_Wy = OpSpec.Wy;
const OpSpec_Xlat = OpSpec.Xlat;
const OpSpec_Xs = OpSpec.Xs;
const OpSpec_Yd = OpSpec.Yd;
const OpSpec_Ys = OpSpec.Ys;
const OpSpec_Zb = OpSpec.Zb;
const OpSpec_Zd = OpSpec.Zd;
const OpSpec_Zq = OpSpec.Zq;
const OpSpec_Zw = OpSpec.Zw;
const Register_AL = Register.AL;
const Register_AX = Register.AX;
const Register_BX = Register.BX;
const Register_CR0 = Register.CR0;
const Register_DR0 = Register.DR0;
const Register_DS = Register.DS;
const Register_EAX = Register.EAX;
const Register_EBX = Register.EBX;
const Register_ES = Register.ES;
const Register_K0 = Register.K0;
const Register_MM0 = Register.MM0;
const Register_None = Register.None;
const Register_R8L = Register.R8L;
const Register_RAX = Register.RAX;
const Register_RBX = Register.RBX;
const Register_SPL = Register.SPL;
const Register_ST0 = Register.ST0;
const Register_TR0 = Register.TR0;
const Register_XMM0 = Register.XMM0;
const Register_YMM0 = Register.YMM0;

/** A decoded operand: `OpKind << 8 | Register` (registers are < 256); OP_BAD when invalid. */
export const OP_BAD = -1;
const KIND_SHIFT = 8;
const MEM = OpKind_Memory << KIND_SHIFT;
/** Register operand (OpKind.Register is 0, so the value is the register itself). */
function r(reg: Register): number {
  return reg;
}
/** Register or memory, by `isMem`. */
function regOrMem(isMem: boolean, reg: Register): number {
  return isMem ? MEM : reg;
}
function k(kind: OpKind): number {
  return kind << KIND_SHIFT;
}

/** 8-bit register n (0..15): without REX 4..7 are AH..BH, with any REX SPL..DIL (SDM 3.7.2.1). */
function reg8(n: number, rex: number): Register {
  if (rex === 0 || n < 4) return Register_AL + n;
  if (n < 8) return Register_SPL + n - 4;
  return Register_R8L + n - 8;
}

function imm16(d: Decoder): number {
  return d.u8() | (d.u8() << 8);
}
function imm32(d: Decoder): number {
  return (d.u8() | (d.u8() << 8) | (d.u8() << 16) | (d.u8() << 24)) >>> 0;
}
function nearKind(insn: Instruction): OpKind {
  return insn.opSize === 16
    ? OpKind_NearBranch16
    : insn.opSize === 32
      ? OpKind_NearBranch32
      : OpKind_NearBranch64;
}

/** XBEGIN's target has the width of the instruction pointer, not of the operand size (iced). */
function xbeginKind(d: Decoder): OpKind {
  return d.bitness === 64 ? OpKind_NearBranch64 : OpKind_NearBranch32;
}

/**
 * Decodes operand `i` with spec `spec` and returns `OpKind << 8 | Register`, or OP_BAD when the
 * encoding is invalid (e.g. bad Sreg). Immediates, branch targets and memory fields are written
 * into `insn`; the caller stores the kind and register.
 */
export function decodeOperand(
  d: Decoder,
  insn: Instruction,
  i: number,
  spec: number,
  isMem: boolean,
): number {
  // The specs of most real code (mov/push/lea/call/jcc/add imm8 ...) are handled here, in a
  // function small enough for TurboFan to inline into the decoder; the rest go to the full switch.
  if (spec >= L_OP_FIXED_REG) return spec - L_OP_FIXED_REG;
  switch (spec as OpSpec) {
    case OpSpec_Ed:
      return isMem ? MEM : Register_EAX + ((d.modrm & 7) | ((d.rex & 1) << 3));
    case OpSpec_Gd:
      return Register_EAX + (((d.modrm >> 3) & 7) | ((d.rex & 4) << 1));
    case OpSpec_Zd:
      return Register_EAX + ((d.opcode & 7) | ((d.rex & 1) << 3));
    case OpSpec_Ibd:
      insn.immediate = ((d.u8() << 24) >> 24) >>> 0;
      return k(OpKind_Immediate8to32);
    case OpSpec_M:
      return isMem ? MEM : OP_BAD;
    case OpSpec_Jb:
      insn.nearBranchTarget = (d.u8() << 24) >> 24;
      return k(nearKind(insn));
    default:
      return decodeOperandFull(d, insn, i, spec, isMem);
  }
}

function decodeOperandFull(
  d: Decoder,
  insn: Instruction,
  i: number,
  spec: number,
  isMem: boolean,
): number {
  const rex = d.rex;
  const modrm = d.modrm;
  const rm = (modrm & 7) | ((rex & 1) << 3);
  const reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
  switch (spec as OpSpec) {
    case OpSpec_Eb:
      return isMem ? MEM : reg8(rm, rex);
    case OpSpec_Ew:
      return regOrMem(isMem, Register_AX + rm);
    case OpSpec_Ed:
    case OpSpec_Edw:
      return regOrMem(isMem, Register_EAX + rm);
    case OpSpec_Eq:
    case OpSpec_Eqw:
      return regOrMem(isMem, Register_RAX + rm);
    case OpSpec_M:
      if (!isMem) return OP_BAD;
      return MEM;
    case OpSpec_Gb:
      return r(reg8(reg, rex));
    case OpSpec_Gw:
      return r(Register_AX + reg);
    case OpSpec_Gd:
      return r(Register_EAX + reg);
    case OpSpec_Gq:
      return r(Register_RAX + reg);
    case OpSpec_Rd:
      return r(Register_EAX + rm);
    case OpSpec_Rq:
      return r(Register_RAX + rm);
    case OpSpec_Zb:
      return r(reg8((d.opcode & 7) | ((rex & 1) << 3), rex));
    case OpSpec_Zw:
      return r(Register_AX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec_Zd:
      return r(Register_EAX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec_Zq:
      return r(Register_RAX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec_Sw: {
      const s = (modrm >> 3) & 7;
      // Only ES..GS exist, and MOV CS, r/m is invalid (SDM Vol. 2, MOV: #UD if the destination is CS).
      if (s > 5 || (s === 1 && i === 0)) return OP_BAD;
      return r(Register_ES + s);
    }
    case OpSpec_Cd:
    case OpSpec_Cq:
      // CR1, CR5..CR7 and CR9+ are reserved (#UD); CR8 exists in 64-bit mode.
      if (reg === 1 || (reg >= 5 && reg !== 8) || (reg === 8 && d.bitness !== 64)) return OP_BAD;
      return r(Register_CR0 + reg);
    case OpSpec_Dd:
    case OpSpec_Dq:
      if (reg > 7) return OP_BAD;
      return r(Register_DR0 + reg);
    case OpSpec_Td:
      return r(Register_TR0 + reg);
    case OpSpec_STi:
      return r(Register_ST0 + (modrm & 7));
    case OpSpec_Pq:
      return r(Register_MM0 + ((modrm >> 3) & 7));
    case OpSpec_Nq:
      return r(Register_MM0 + (modrm & 7));
    case OpSpec_Qq:
    case OpSpec_Qd:
      return regOrMem(isMem, Register_MM0 + (modrm & 7));
    case OpSpec_Vx:
      return r(Register_XMM0 + reg);
    case OpSpec_Ux:
      return r(Register_XMM0 + rm);
    case OpSpec_Wx:
    case OpSpec_Wq:
    case OpSpec_Wd:
    case OpSpec_Ww:
      return regOrMem(isMem, Register_XMM0 + rm);
    case OpSpec_Ey:
      return regOrMem(isMem, ((rex & 8) !== 0 ? Register_RAX : Register_EAX) + rm);
    case OpSpec_Gy:
      return r(((rex & 8) !== 0 ? Register_RAX : Register_EAX) + reg);
    case OpSpec_Vy:
      return r(Register_YMM0 + reg);
    case OpSpec_Uy:
      return r(Register_YMM0 + rm);
    case OpSpec_Wy:
      return regOrMem(isMem, Register_YMM0 + rm);
    case OpSpec_Wb:
      return regOrMem(isMem, Register_XMM0 + rm);
    case OpSpec_Hx:
      return r(Register_XMM0 + d.vvvv);
    case OpSpec_Hy:
      return r(Register_YMM0 + d.vvvv);
    case OpSpec_Bd:
      return r(Register_EAX + d.vvvv);
    case OpSpec_Bq:
      return r(Register_RAX + d.vvvv);
    case OpSpec_Kg:
      if ((rex & 4) !== 0) return OP_BAD; // there is no k8..k15
      return r(Register_K0 + ((modrm >> 3) & 7));
    case OpSpec_Kr:
      return r(Register_K0 + (modrm & 7));
    case OpSpec_Km:
      return regOrMem(isMem, Register_K0 + (modrm & 7));
    case OpSpec_Kh:
      if (d.vvvv > 7) return OP_BAD;
      return r(Register_K0 + (d.vvvv & 7));
    case OpSpec_Ib:
    case OpSpec_One:
      insn.immediate = spec === OpSpec_One ? 1 : d.u8();
      return k(OpKind_Immediate8);
    case OpSpec_Ib2:
      insn.immediate2 = d.u8();
      return k(OpKind_Immediate8_2nd);
    case OpSpec_Iw:
      insn.immediate = imm16(d);
      return k(OpKind_Immediate16);
    case OpSpec_Id:
      insn.immediate = imm32(d);
      return k(OpKind_Immediate32);
    case OpSpec_Iq:
      insn.immediate = imm32(d);
      insn.immediateHi = imm32(d);
      return k(OpKind_Immediate64);
    case OpSpec_Ibw:
      insn.immediate = ((d.u8() << 24) >> 24) & 0xffff;
      return k(OpKind_Immediate8to16);
    case OpSpec_Ibd:
      insn.immediate = ((d.u8() << 24) >> 24) >>> 0;
      return k(OpKind_Immediate8to32);
    case OpSpec_Ibq: {
      const v = (d.u8() << 24) >> 24;
      insn.immediate = v >>> 0;
      insn.immediateHi = v < 0 ? 0xffffffff : 0;
      return k(OpKind_Immediate8to64);
    }
    case OpSpec_Idq: {
      const v = imm32(d);
      insn.immediate = v;
      insn.immediateHi = v >= 0x80000000 ? 0xffffffff : 0;
      return k(OpKind_Immediate32to64);
    }
    case OpSpec_Jb:
      insn.nearBranchTarget = (d.u8() << 24) >> 24;
      return k(nearKind(insn));
    case OpSpec_Jw:
      insn.nearBranchTarget = (imm16(d) << 16) >> 16;
      // XBEGIN rel16 still branches within a 32-bit EIP (iced reports NearBranch32).
      return k(d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn));
    case OpSpec_Jd:
      insn.nearBranchTarget = imm32(d) | 0;
      return k(d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn));
    case OpSpec_Aw:
      insn.farOffset = imm16(d);
      insn.farSelector = imm16(d);
      return k(OpKind_FarBranch16);
    case OpSpec_Ad:
      insn.farOffset = imm32(d);
      insn.farSelector = imm16(d);
      return k(OpKind_FarBranch32);
    case OpSpec_Ob: {
      const asz = insn.addrSize;
      if (asz === 16) {
        insn.memDisplacement = imm16(d);
        insn.memDisplSize = 2;
      } else if (asz === 32) {
        insn.memDisplacement = imm32(d);
        insn.memDisplSize = 4;
      } else {
        insn.memDisplacement = imm32(d);
        insn.memDisplacementHi = imm32(d);
        insn.memDisplSize = 8;
      }
      insn.memSegment = insn.segmentPrefix === Register_None ? Register_DS : insn.segmentPrefix;
      return MEM;
    }
    case OpSpec_Xs:
      insn.memSegment = insn.segmentPrefix === Register_None ? Register_DS : insn.segmentPrefix;
      return k(
        insn.addrSize === 16
          ? OpKind_MemorySegSI
          : insn.addrSize === 32
            ? OpKind_MemorySegESI
            : OpKind_MemorySegRSI,
      );
    case OpSpec_Yd:
      insn.memSegment = insn.segmentPrefix === Register_None ? Register_DS : insn.segmentPrefix;
      return k(
        insn.addrSize === 16
          ? OpKind_MemorySegDI
          : insn.addrSize === 32
            ? OpKind_MemorySegEDI
            : OpKind_MemorySegRDI,
      );
    case OpSpec_Ys:
      // ES:[rDI] always uses ES (no override); memSegment stays the other operand's segment.
      return k(
        insn.addrSize === 16
          ? OpKind_MemoryESDI
          : insn.addrSize === 32
            ? OpKind_MemoryESEDI
            : OpKind_MemoryESRDI,
      );
    case OpSpec_Xlat:
      insn.memBase =
        insn.addrSize === 16 ? Register_BX : insn.addrSize === 32 ? Register_EBX : Register_RBX;
      insn.memIndex = Register_AL;
      insn.memSegment = insn.segmentPrefix === Register_None ? Register_DS : insn.segmentPrefix;
      return MEM;
    default:
      return OP_BAD;
  }
}
