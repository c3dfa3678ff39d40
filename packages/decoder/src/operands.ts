// Operand decoding: one small case per operand spec (operand-spec.ts). Immediates and
// displacements are read in operand order, which is encoding order for every x86 form.
import type { Decoder } from "./decoder";
import type { Instruction } from "./instruction";
import { OpKind } from "./op-kind";
import { OP_FIXED_REG, OpSpec } from "./operand-spec";
import { Register } from "./register";

function setOp(insn: Instruction, i: number, kind: OpKind, reg: Register): void {
  switch (i) {
    case 0:
      insn.op0Kind = kind;
      insn.op0Register = reg;
      return;
    case 1:
      insn.op1Kind = kind;
      insn.op1Register = reg;
      return;
    case 2:
      insn.op2Kind = kind;
      insn.op2Register = reg;
      return;
    default:
      insn.op3Kind = kind;
      insn.op3Register = reg;
  }
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

/** Decodes operand `i` with spec `spec`; false when the encoding is invalid (e.g. bad Sreg). */
export function decodeOperand(
  d: Decoder,
  insn: Instruction,
  i: number,
  spec: number,
  isMem: boolean,
): boolean {
  if (spec >= OP_FIXED_REG) {
    setOp(insn, i, OpKind.Register, spec - OP_FIXED_REG);
    return true;
  }
  const rex = d.rex;
  const modrm = d.modrm;
  const rm = (modrm & 7) | ((rex & 1) << 3);
  const reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
  switch (spec as OpSpec) {
    case OpSpec.Eb:
      if (isMem) setOp(insn, i, OpKind.Memory, Register.None);
      else setOp(insn, i, OpKind.Register, reg8(rm, rex));
      return true;
    case OpSpec.Ew:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.AX + rm);
      return true;
    case OpSpec.Ed:
    case OpSpec.Edw:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.EAX + rm);
      return true;
    case OpSpec.Eq:
    case OpSpec.Eqw:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.RAX + rm);
      return true;
    case OpSpec.M:
      if (!isMem) return false;
      setOp(insn, i, OpKind.Memory, Register.None);
      return true;
    case OpSpec.Gb:
      setOp(insn, i, OpKind.Register, reg8(reg, rex));
      return true;
    case OpSpec.Gw:
      setOp(insn, i, OpKind.Register, Register.AX + reg);
      return true;
    case OpSpec.Gd:
      setOp(insn, i, OpKind.Register, Register.EAX + reg);
      return true;
    case OpSpec.Gq:
      setOp(insn, i, OpKind.Register, Register.RAX + reg);
      return true;
    case OpSpec.Rd:
      setOp(insn, i, OpKind.Register, Register.EAX + rm);
      return true;
    case OpSpec.Rq:
      setOp(insn, i, OpKind.Register, Register.RAX + rm);
      return true;
    case OpSpec.Zb:
      setOp(insn, i, OpKind.Register, reg8((d.opcode & 7) | ((rex & 1) << 3), rex));
      return true;
    case OpSpec.Zw:
      setOp(insn, i, OpKind.Register, Register.AX + ((d.opcode & 7) | ((rex & 1) << 3)));
      return true;
    case OpSpec.Zd:
      setOp(insn, i, OpKind.Register, Register.EAX + ((d.opcode & 7) | ((rex & 1) << 3)));
      return true;
    case OpSpec.Zq:
      setOp(insn, i, OpKind.Register, Register.RAX + ((d.opcode & 7) | ((rex & 1) << 3)));
      return true;
    case OpSpec.Sw: {
      const s = (modrm >> 3) & 7;
      // Only ES..GS exist, and MOV CS, r/m is invalid (SDM Vol. 2, MOV: #UD if the destination is CS).
      if (s > 5 || (s === 1 && i === 0)) return false;
      setOp(insn, i, OpKind.Register, Register.ES + s);
      return true;
    }
    case OpSpec.Cd:
    case OpSpec.Cq:
      // CR1, CR5..CR7 and CR9+ are reserved (#UD); CR8 exists in 64-bit mode.
      if (reg === 1 || (reg >= 5 && reg !== 8) || (reg === 8 && d.bitness !== 64)) return false;
      setOp(insn, i, OpKind.Register, Register.CR0 + reg);
      return true;
    case OpSpec.Dd:
    case OpSpec.Dq:
      if (reg > 7) return false;
      setOp(insn, i, OpKind.Register, Register.DR0 + reg);
      return true;
    case OpSpec.Td:
      setOp(insn, i, OpKind.Register, Register.TR0 + reg);
      return true;
    case OpSpec.STi:
      setOp(insn, i, OpKind.Register, Register.ST0 + (modrm & 7));
      return true;
    case OpSpec.Pq:
      setOp(insn, i, OpKind.Register, Register.MM0 + ((modrm >> 3) & 7));
      return true;
    case OpSpec.Nq:
      setOp(insn, i, OpKind.Register, Register.MM0 + (modrm & 7));
      return true;
    case OpSpec.Qq:
    case OpSpec.Qd:
      setOp(
        insn,
        i,
        isMem ? OpKind.Memory : OpKind.Register,
        isMem ? 0 : Register.MM0 + (modrm & 7),
      );
      return true;
    case OpSpec.Vx:
      setOp(insn, i, OpKind.Register, Register.XMM0 + reg);
      return true;
    case OpSpec.Ux:
      setOp(insn, i, OpKind.Register, Register.XMM0 + rm);
      return true;
    case OpSpec.Wx:
    case OpSpec.Wq:
    case OpSpec.Wd:
    case OpSpec.Ww:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.XMM0 + rm);
      return true;
    case OpSpec.Ey:
      setOp(
        insn,
        i,
        isMem ? OpKind.Memory : OpKind.Register,
        isMem ? 0 : ((rex & 8) !== 0 ? Register.RAX : Register.EAX) + rm,
      );
      return true;
    case OpSpec.Gy:
      setOp(insn, i, OpKind.Register, ((rex & 8) !== 0 ? Register.RAX : Register.EAX) + reg);
      return true;
    case OpSpec.Vy:
      setOp(insn, i, OpKind.Register, Register.YMM0 + reg);
      return true;
    case OpSpec.Uy:
      setOp(insn, i, OpKind.Register, Register.YMM0 + rm);
      return true;
    case OpSpec.Wy:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.YMM0 + rm);
      return true;
    case OpSpec.Wb:
      setOp(insn, i, isMem ? OpKind.Memory : OpKind.Register, isMem ? 0 : Register.XMM0 + rm);
      return true;
    case OpSpec.Hx:
      setOp(insn, i, OpKind.Register, Register.XMM0 + d.vvvv);
      return true;
    case OpSpec.Hy:
      setOp(insn, i, OpKind.Register, Register.YMM0 + d.vvvv);
      return true;
    case OpSpec.Bd:
      setOp(insn, i, OpKind.Register, Register.EAX + d.vvvv);
      return true;
    case OpSpec.Bq:
      setOp(insn, i, OpKind.Register, Register.RAX + d.vvvv);
      return true;
    case OpSpec.Kg:
      if ((rex & 4) !== 0) return false; // there is no k8..k15
      setOp(insn, i, OpKind.Register, Register.K0 + ((modrm >> 3) & 7));
      return true;
    case OpSpec.Kr:
      setOp(insn, i, OpKind.Register, Register.K0 + (modrm & 7));
      return true;
    case OpSpec.Km:
      setOp(
        insn,
        i,
        isMem ? OpKind.Memory : OpKind.Register,
        isMem ? 0 : Register.K0 + (modrm & 7),
      );
      return true;
    case OpSpec.Kh:
      if (d.vvvv > 7) return false;
      setOp(insn, i, OpKind.Register, Register.K0 + (d.vvvv & 7));
      return true;
    case OpSpec.Ib:
    case OpSpec.One:
      insn.immediate = spec === OpSpec.One ? 1 : d.u8();
      setOp(insn, i, OpKind.Immediate8, Register.None);
      return true;
    case OpSpec.Ib2:
      insn.immediate2 = d.u8();
      setOp(insn, i, OpKind.Immediate8_2nd, Register.None);
      return true;
    case OpSpec.Iw:
      insn.immediate = imm16(d);
      setOp(insn, i, OpKind.Immediate16, Register.None);
      return true;
    case OpSpec.Id:
      insn.immediate = imm32(d);
      setOp(insn, i, OpKind.Immediate32, Register.None);
      return true;
    case OpSpec.Iq:
      insn.immediate = imm32(d);
      insn.immediateHi = imm32(d);
      setOp(insn, i, OpKind.Immediate64, Register.None);
      return true;
    case OpSpec.Ibw:
      insn.immediate = ((d.u8() << 24) >> 24) & 0xffff;
      setOp(insn, i, OpKind.Immediate8to16, Register.None);
      return true;
    case OpSpec.Ibd:
      insn.immediate = ((d.u8() << 24) >> 24) >>> 0;
      setOp(insn, i, OpKind.Immediate8to32, Register.None);
      return true;
    case OpSpec.Ibq: {
      const v = (d.u8() << 24) >> 24;
      insn.immediate = v >>> 0;
      insn.immediateHi = v < 0 ? 0xffffffff : 0;
      setOp(insn, i, OpKind.Immediate8to64, Register.None);
      return true;
    }
    case OpSpec.Idq: {
      const v = imm32(d);
      insn.immediate = v;
      insn.immediateHi = v >= 0x80000000 ? 0xffffffff : 0;
      setOp(insn, i, OpKind.Immediate32to64, Register.None);
      return true;
    }
    case OpSpec.Jb:
      insn.nearBranchTarget = (d.u8() << 24) >> 24;
      setOp(insn, i, nearKind(insn), Register.None);
      return true;
    case OpSpec.Jw:
      insn.nearBranchTarget = (imm16(d) << 16) >> 16;
      // XBEGIN rel16 still branches within a 32-bit EIP (iced reports NearBranch32).
      setOp(insn, i, d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn), Register.None);
      return true;
    case OpSpec.Jd:
      insn.nearBranchTarget = imm32(d) | 0;
      setOp(insn, i, d.opcode === 0xc7 ? xbeginKind(d) : nearKind(insn), Register.None);
      return true;
    case OpSpec.Aw:
      insn.farOffset = imm16(d);
      insn.farSelector = imm16(d);
      setOp(insn, i, OpKind.FarBranch16, Register.None);
      return true;
    case OpSpec.Ad:
      insn.farOffset = imm32(d);
      insn.farSelector = imm16(d);
      setOp(insn, i, OpKind.FarBranch32, Register.None);
      return true;
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
      setOp(insn, i, OpKind.Memory, Register.None);
      return true;
    }
    case OpSpec.Xs:
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      setOp(
        insn,
        i,
        insn.addrSize === 16
          ? OpKind.MemorySegSI
          : insn.addrSize === 32
            ? OpKind.MemorySegESI
            : OpKind.MemorySegRSI,
        Register.None,
      );
      return true;
    case OpSpec.Yd:
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      setOp(
        insn,
        i,
        insn.addrSize === 16
          ? OpKind.MemorySegDI
          : insn.addrSize === 32
            ? OpKind.MemorySegEDI
            : OpKind.MemorySegRDI,
        Register.None,
      );
      return true;
    case OpSpec.Ys:
      // ES:[rDI] always uses ES (no override); memSegment stays the other operand's segment.
      setOp(
        insn,
        i,
        insn.addrSize === 16
          ? OpKind.MemoryESDI
          : insn.addrSize === 32
            ? OpKind.MemoryESEDI
            : OpKind.MemoryESRDI,
        Register.None,
      );
      return true;
    case OpSpec.Xlat:
      insn.memBase =
        insn.addrSize === 16 ? Register.BX : insn.addrSize === 32 ? Register.EBX : Register.RBX;
      insn.memIndex = Register.AL;
      insn.memSegment = insn.segmentPrefix === Register.None ? Register.DS : insn.segmentPrefix;
      setOp(insn, i, OpKind.Memory, Register.None);
      return true;
    default:
      return false;
  }
}
