// Operand decoding: one small case per operand spec (operand-spec.ts). Immediates and
// displacements are read in operand order, which is encoding order for every x86 form.
import type { Decoder } from "./decoder";
import type { Instruction } from "./instruction";
import { OpKind } from "./op-kind";
import { OP_FIXED_REG, OpSpec } from "./operand-spec";
import { Register } from "./register";

/** A decoded operand: `OpKind << 8 | Register` (registers are < 256); OP_BAD when invalid. */
export const OP_BAD = -1;
const KIND_SHIFT = 8;
const MEM = OpKind.Memory << KIND_SHIFT;
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
  if (rex === 0 || n < 4) return Register.AL + n;
  if (n < 8) return Register.SPL + n - 4;
  return Register.R8L + n - 8;
}

function imm16(d: Decoder): number {
  return d.u8() | (d.u8() << 8);
}
function imm32(d: Decoder): number {
  return (d.u8() | (d.u8() << 8) | (d.u8() << 16) | (d.u8() << 24)) >>> 0;
}
function nearKind(insn: Instruction): OpKind {
  return insn.opSize === 16
    ? OpKind.NearBranch16
    : insn.opSize === 32
      ? OpKind.NearBranch32
      : OpKind.NearBranch64;
}

/** XBEGIN's target has the width of the instruction pointer, not of the operand size (iced). */
function xbeginKind(d: Decoder): OpKind {
  return d.bitness === 64 ? OpKind.NearBranch64 : OpKind.NearBranch32;
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
  if (spec >= OP_FIXED_REG) return spec - OP_FIXED_REG;
  switch (spec as OpSpec) {
    case OpSpec.Ed:
      return isMem ? MEM : Register.EAX + ((d.modrm & 7) | ((d.rex & 1) << 3));
    case OpSpec.Gd:
      return Register.EAX + (((d.modrm >> 3) & 7) | ((d.rex & 4) << 1));
    case OpSpec.Zd:
      return Register.EAX + ((d.opcode & 7) | ((d.rex & 1) << 3));
    case OpSpec.Ibd:
      insn.immediate = ((d.u8() << 24) >> 24) >>> 0;
      return k(OpKind.Immediate8to32);
    case OpSpec.M:
      return isMem ? MEM : OP_BAD;
    case OpSpec.Jb:
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
    case OpSpec.Eb:
      return isMem ? MEM : reg8(rm, rex);
    case OpSpec.Ew:
      return regOrMem(isMem, Register.AX + rm);
    case OpSpec.Ed:
    case OpSpec.Edw:
      return regOrMem(isMem, Register.EAX + rm);
    case OpSpec.Eq:
    case OpSpec.Eqw:
      return regOrMem(isMem, Register.RAX + rm);
    case OpSpec.M:
      if (!isMem) return OP_BAD;
      return MEM;
    case OpSpec.Gb:
      return r(reg8(reg, rex));
    case OpSpec.Gw:
      return r(Register.AX + reg);
    case OpSpec.Gd:
      return r(Register.EAX + reg);
    case OpSpec.Gq:
      return r(Register.RAX + reg);
    case OpSpec.Rd:
      return r(Register.EAX + rm);
    case OpSpec.Rq:
      return r(Register.RAX + rm);
    case OpSpec.Zb:
      return r(reg8((d.opcode & 7) | ((rex & 1) << 3), rex));
    case OpSpec.Zw:
      return r(Register.AX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec.Zd:
      return r(Register.EAX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec.Zq:
      return r(Register.RAX + ((d.opcode & 7) | ((rex & 1) << 3)));
    case OpSpec.Sw: {
      const s = (modrm >> 3) & 7;
      // Only ES..GS exist, and MOV CS, r/m is invalid (SDM Vol. 2, MOV: #UD if the destination is CS).
      if (s > 5 || (s === 1 && i === 0)) return OP_BAD;
      return r(Register.ES + s);
    }
    case OpSpec.Cd:
    case OpSpec.Cq:
      // CR1, CR5..CR7 and CR9+ are reserved (#UD); CR8 exists in 64-bit mode.
      if (reg === 1 || (reg >= 5 && reg !== 8) || (reg === 8 && d.bitness !== 64)) return OP_BAD;
      return r(Register.CR0 + reg);
    case OpSpec.Dd:
    case OpSpec.Dq:
      if (reg > 7) return OP_BAD;
      return r(Register.DR0 + reg);
    case OpSpec.Td:
      return r(Register.TR0 + reg);
    case OpSpec.STi:
      return r(Register.ST0 + (modrm & 7));
    case OpSpec.Pq:
      return r(Register.MM0 + ((modrm >> 3) & 7));
    case OpSpec.Nq:
      return r(Register.MM0 + (modrm & 7));
    case OpSpec.Qq:
    case OpSpec.Qd:
      return regOrMem(isMem, Register.MM0 + (modrm & 7));
    case OpSpec.Vx:
      return r(Register.XMM0 + reg);
    case OpSpec.Ux:
      return r(Register.XMM0 + rm);
    case OpSpec.Wx:
    case OpSpec.Wq:
    case OpSpec.Wd:
    case OpSpec.Ww:
      return regOrMem(isMem, Register.XMM0 + rm);
    case OpSpec.Ey:
      return regOrMem(isMem, ((rex & 8) !== 0 ? Register.RAX : Register.EAX) + rm);
    case OpSpec.Gy:
      return r(((rex & 8) !== 0 ? Register.RAX : Register.EAX) + reg);
    case OpSpec.Vy:
      return r(Register.YMM0 + reg);
    case OpSpec.Uy:
      return r(Register.YMM0 + rm);
    case OpSpec.Wy:
      return regOrMem(isMem, Register.YMM0 + rm);
    case OpSpec.Wb:
      return regOrMem(isMem, Register.XMM0 + rm);
    case OpSpec.Hx:
      return r(Register.XMM0 + d.vvvv);
    case OpSpec.Hy:
      return r(Register.YMM0 + d.vvvv);
    case OpSpec.Bd:
      return r(Register.EAX + d.vvvv);
    case OpSpec.Bq:
      return r(Register.RAX + d.vvvv);
    case OpSpec.Kg:
      if ((rex & 4) !== 0) return OP_BAD; // there is no k8..k15
      return r(Register.K0 + ((modrm >> 3) & 7));
    case OpSpec.Kr:
      return r(Register.K0 + (modrm & 7));
    case OpSpec.Km:
      return regOrMem(isMem, Register.K0 + (modrm & 7));
    case OpSpec.Kh:
      if (d.vvvv > 7) return OP_BAD;
      return r(Register.K0 + (d.vvvv & 7));
    case OpSpec.Ib:
    case OpSpec.One:
      insn.immediate = spec === OpSpec.One ? 1 : d.u8();
      return k(OpKind.Immediate8);
    case OpSpec.Ib2:
      insn.immediate2 = d.u8();
      return k(OpKind.Immediate8_2nd);
    case OpSpec.Iw:
      insn.immediate = imm16(d);
      return k(OpKind.Immediate16);
    case OpSpec.Id:
      insn.immediate = imm32(d);
      return k(OpKind.Immediate32);
    case OpSpec.Iq:
      insn.immediate = imm32(d);
      insn.immediateHi = imm32(d);
      return k(OpKind.Immediate64);
    case OpSpec.Ibw:
      insn.immediate = ((d.u8() << 24) >> 24) & 0xffff;
      return k(OpKind.Immediate8to16);
    case OpSpec.Ibd:
      insn.immediate = ((d.u8() << 24) >> 24) >>> 0;
      return k(OpKind.Immediate8to32);
    case OpSpec.Ibq: {
      const v = (d.u8() << 24) >> 24;
      insn.immediate = v >>> 0;
      insn.immediateHi = v < 0 ? 0xffffffff : 0;
      return k(OpKind.Immediate8to64);
    }
    case OpSpec.Idq: {
      const v = imm32(d);
      insn.immediate = v;
      insn.immediateHi = v >= 0x80000000 ? 0xffffffff : 0;
      return k(OpKind.Immediate32to64);
    }
    case OpSpec.Jb:
      insn.nearBranchTarget = (d.u8() << 24) >> 24;
      return k(nearKind(insn));
    case OpSpec.Jw:
      insn.nearBranchTarget = (imm16(d) << 16) >> 16;
      // XBEGIN rel16 still branches within a 32-bit EIP (iced reports NearBranch32).
      return k(d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn));
    case OpSpec.Jd:
      insn.nearBranchTarget = imm32(d) | 0;
      return k(d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn));
    case OpSpec.Aw:
      insn.farOffset = imm16(d);
      insn.farSelector = imm16(d);
      return k(OpKind.FarBranch16);
    case OpSpec.Ad:
      insn.farOffset = imm32(d);
      insn.farSelector = imm16(d);
      return k(OpKind.FarBranch32);
    case OpSpec.Ob: {
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
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      return MEM;
    }
    case OpSpec.Xs:
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      return k(
        insn.addrSize === 16
          ? OpKind.MemorySegSI
          : insn.addrSize === 32
            ? OpKind.MemorySegESI
            : OpKind.MemorySegRSI,
      );
    case OpSpec.Yd:
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      return k(
        insn.addrSize === 16
          ? OpKind.MemorySegDI
          : insn.addrSize === 32
            ? OpKind.MemorySegEDI
            : OpKind.MemorySegRDI,
      );
    case OpSpec.Ys:
      // ES:[rDI] always uses ES (no override); memSegment stays the other operand's segment.
      return k(
        insn.addrSize === 16
          ? OpKind.MemoryESDI
          : insn.addrSize === 32
            ? OpKind.MemoryESEDI
            : OpKind.MemoryESRDI,
      );
    case OpSpec.Xlat:
      insn.memBase =
        insn.addrSize === 16 ? Register.BX : insn.addrSize === 32 ? Register.EBX : Register.RBX;
      insn.memIndex = Register.AL;
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      return MEM;
    default:
      return OP_BAD;
  }
}
