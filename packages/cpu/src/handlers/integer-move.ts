// Data movement: MOV, MOVZX/MOVSX, XCHG, XADD, CMPXCHG, CMPXCHG8B, BSWAP, LEA, CMOVcc, SETcc,
// XLAT, MOV r/m from a segment register, LAHF/SAHF, the flag instructions, NOP forms, SALC.
import { OpKind } from "@ringvm/decoder";
import * as alu from "../alu";
import { effectiveAddress, memSeg, read8 } from "../access";
import { checkedLinear } from "../segments";
import { type CpuState } from "../state/cpu-state";
import { AF, CF, DF, PF, SF, ZF } from "../state/flags";
import { EAX, EBX, ECX, EDX, REG_ES } from "../state/registers";
import { COND_NAMES, testCondition } from "./integer-cond";
import {
  getReg,
  imm,
  memLinear,
  readLinear,
  readRm1,
  setReg,
  writeLinear,
  writeRm,
  type Handler,
  probeWrite,
} from "./operands";

/** MOV rm, r / MOV r, rm / MOV r, imm / MOV rm, imm. */
function movRmReg(top: number): Handler {
  return (s, i) => writeRm(s, i, getReg(s, i.op1Register, top), top);
}
function movRegRm(top: number): Handler {
  return (s, i) => setReg(s, i.op0Register, readRm1(s, i, top), top);
}
function movRegImm(top: number): Handler {
  return (s, i) => setReg(s, i.op0Register, imm(i, top), top);
}
function movRmImm(top: number): Handler {
  return (s, i) => writeRm(s, i, imm(i, top), top);
}

/** MOVZX/MOVSX: `srcTop` is the source size, `dstTop` the destination's. */
function movExtend(srcTop: number, dstTop: number, signed: boolean): Handler {
  const shift = 31 - srcTop;
  return (s, i) => {
    let v = readRm1(s, i, srcTop);
    if (signed) v = (v << shift) >> shift;
    setReg(s, i.op0Register, dstTop === 15 ? v & 0xffff : v, dstTop);
  };
}

/** XCHG rm, r (memory forms are implicitly locked; no difference for a single CPU). */
function xchgRm(top: number): Handler {
  return (s, i) => {
    const b = getReg(s, i.op1Register, top);
    if (i.op0Kind === OpKind.Register) {
      setReg(s, i.op1Register, getReg(s, i.op0Register, top), top);
      setReg(s, i.op0Register, b, top);
    } else {
      const lin = memLinear(s, i, top, true);
      const a = readLinear(s, lin, top);
      writeLinear(s, lin, b, top);
      setReg(s, i.op1Register, a, top);
    }
  };
}

/** XCHG r, eAX (0x90+r). */
function xchgAcc(top: number): Handler {
  return (s, i) => {
    const a = getReg(s, i.op0Register, top);
    setReg(s, i.op0Register, getReg(s, i.op1Register, top), top);
    setReg(s, i.op1Register, a, top);
  };
}

/** XADD rm, r: tmp = rm + r; r = rm; rm = tmp. */
function xadd(top: number): Handler {
  return (s, i) => {
    const b = getReg(s, i.op1Register, top);
    if (i.op0Kind === OpKind.Register) {
      const a = getReg(s, i.op0Register, top);
      const r = alu.add(s, a, b, top);
      setReg(s, i.op1Register, a, top);
      setReg(s, i.op0Register, r, top);
    } else {
      const lin = memLinear(s, i, top, true);
      const a = readLinear(s, lin, top);
      probeWrite(s, lin, top);
      const r = alu.add(s, a, b, top);
      writeLinear(s, lin, r, top);
      setReg(s, i.op1Register, a, top);
    }
  };
}

/** Accumulator of size `top`. */
function getAcc(s: CpuState, top: number): number {
  return top === 7 ? s.regs8[0]! : top === 15 ? s.regs16[0]! : s.regs[EAX]!;
}
function setAcc(s: CpuState, v: number, top: number): void {
  if (top === 7) s.regs8[0] = v;
  else if (top === 15) s.regs16[0] = v;
  else s.regs[EAX] = v;
}

/** CMPXCHG rm, r: flags of CMP acc, rm; equal: rm = r, else acc = rm (rm is written back). */
function cmpxchg(top: number): Handler {
  return (s, i) => {
    const acc = getAcc(s, top);
    const src = getReg(s, i.op1Register, top);
    if (i.op0Kind === OpKind.Register) {
      const d = getReg(s, i.op0Register, top);
      alu.sub(s, acc, d, top);
      if (d === acc) setReg(s, i.op0Register, src, top);
      else setAcc(s, d, top);
    } else {
      const lin = memLinear(s, i, top, true);
      const d = readLinear(s, lin, top);
      probeWrite(s, lin, top);
      alu.sub(s, acc, d, top);
      if (d === acc) {
        writeLinear(s, lin, src, top);
      } else {
        writeLinear(s, lin, d, top);
        setAcc(s, d, top);
      }
    }
  };
}

/** CMPXCHG8B m64 (SDM vol. 2): only ZF changes. */
const cmpxchg8b: Handler = (s, i) => {
  const lin = checkedLinear(s, memSeg(i), effectiveAddress(s, i), 8, true);
  const lo = s.memory.read32(lin) | 0;
  const hi = s.memory.read32((lin + 4) | 0) | 0;
  s.materialize(ZF);
  if (lo === s.regs[EAX] && hi === s.regs[EDX]) {
    s.memory.write32(lin, s.regs[EBX]!);
    s.memory.write32((lin + 4) | 0, s.regs[ECX]!);
    s.flags |= ZF;
  } else {
    s.memory.write32(lin, lo);
    s.memory.write32((lin + 4) | 0, hi);
    s.regs[EAX] = lo;
    s.regs[EDX] = hi;
    s.flags &= ~ZF;
  }
};

/** LEA: the effective address truncated (or zero-extended) to the operand size. */
function lea(top: number): Handler {
  return (s, i) =>
    setReg(
      s,
      i.op0Register,
      top === 15 ? effectiveAddress(s, i) & 0xffff : effectiveAddress(s, i) | 0,
      top,
    );
}

/** CMOVcc: the source is read (and may fault) whatever the condition. */
function cmov(cc: number, top: number): Handler {
  return (s, i) => {
    const v = readRm1(s, i, top);
    if (testCondition(s, cc)) setReg(s, i.op0Register, v, top);
  };
}

function setcc(cc: number): Handler {
  return (s, i) => writeRm(s, i, testCondition(s, cc) ? 1 : 0, 7);
}

/** MOV r/m16, Sreg (and the 32-bit register form, which zero-extends on P6). */
const movFromSreg: Handler = (s, i) => {
  const v = s.segSel[i.op1Register - REG_ES]!;
  if (i.op0Kind === OpKind.Register) setReg(s, i.op0Register, v, i.opSize === 32 ? 31 : 15);
  else writeRm(s, i, v, 15);
};

const SAHF_MASK = SF | ZF | AF | PF | CF;

const moveHandlers: Record<string, Handler> = {
  Mov_rm8_r8: movRmReg(7),
  Mov_rm16_r16: movRmReg(15),
  Mov_rm32_r32: movRmReg(31),
  Mov_r8_rm8: movRegRm(7),
  Mov_r16_rm16: movRegRm(15),
  Mov_r32_rm32: movRegRm(31),
  Mov_r8_imm8: movRegImm(7),
  Mov_r16_imm16: movRegImm(15),
  Mov_r32_imm32: movRegImm(31),
  Mov_rm8_imm8: movRmImm(7),
  Mov_rm16_imm16: movRmImm(15),
  Mov_rm32_imm32: movRmImm(31),
  Mov_AL_moffs8: movRegRm(7),
  Mov_AX_moffs16: movRegRm(15),
  Mov_EAX_moffs32: movRegRm(31),
  Mov_moffs8_AL: movRmReg(7),
  Mov_moffs16_AX: movRmReg(15),
  Mov_moffs32_EAX: movRmReg(31),
  Mov_rm16_Sreg: movFromSreg,
  Mov_r32m16_Sreg: movFromSreg,
  Movzx_r16_rm8: movExtend(7, 15, false),
  Movzx_r16_rm16: movExtend(15, 15, false),
  Movzx_r32_rm8: movExtend(7, 31, false),
  Movzx_r32_rm16: movExtend(15, 31, false),
  Movsx_r16_rm8: movExtend(7, 15, true),
  Movsx_r16_rm16: movExtend(15, 15, true),
  Movsx_r32_rm8: movExtend(7, 31, true),
  Movsx_r32_rm16: movExtend(15, 31, true),
  Xchg_rm8_r8: xchgRm(7),
  Xchg_rm16_r16: xchgRm(15),
  Xchg_rm32_r32: xchgRm(31),
  Xchg_r16_AX: xchgAcc(15),
  Xchg_r32_EAX: xchgAcc(31),
  Xadd_rm8_r8: xadd(7),
  Xadd_rm16_r16: xadd(15),
  Xadd_rm32_r32: xadd(31),
  Cmpxchg_rm8_r8: cmpxchg(7),
  Cmpxchg_rm16_r16: cmpxchg(15),
  Cmpxchg_rm32_r32: cmpxchg(31),
  Cmpxchg8b_m64: cmpxchg8b,
  // BSWAP r16 is undefined; P6-and-later cores clear the register (host-observed).
  Bswap_r16: (s, i) => setReg(s, i.op0Register, 0, 15),
  Bswap_r32: (s, i) => setReg(s, i.op0Register, alu.bswap32(getReg(s, i.op0Register, 31)), 31),
  Lea_r16_m: lea(15),
  Lea_r32_m: lea(31),
  Xlat_m8: (s, i) => {
    const seg = i.segmentPrefix !== 0 ? i.segmentPrefix - REG_ES : 3;
    const off =
      i.addrSize === 16
        ? (s.regs16[EBX << 1]! + s.regs8[0]!) & 0xffff
        : (s.regs[EBX]! + s.regs8[0]!) >>> 0;
    s.regs8[0] = read8(s, seg, off);
  },
  Lahf: (s) => {
    s.regs8[1] = s.getEflags() & 0xff;
  },
  Sahf: (s) => s.writeFlagBits(SAHF_MASK, s.regs8[1]!),
  Clc: (s) => s.writeFlagBits(CF, 0),
  Stc: (s) => s.writeFlagBits(CF, CF),
  Cmc: (s) => s.writeFlagBits(CF, s.getCF() ^ CF),
  Cld: (s) => {
    s.flags &= ~DF;
  },
  Std: (s) => {
    s.flags |= DF;
  },
  // SALC (undocumented D6): AL = CF ? 0xFF : 0.
  Salc: (s) => {
    s.regs8[0] = s.getCF() !== 0 ? 0xff : 0;
  },
  Nopw: () => {},
  Nopd: () => {},
  Nop_rm16: () => {},
  Nop_rm32: () => {},
  Pause: () => {},
};

// The hint-NOP space (0F 0D, 0F 18-1F with a ModRM): the prefetch hints, and on a CPU without
// the feature an encoding would select (CET's ENDBR/RDSSP, CLDEMOTE, PREFETCHW/IT, MPX) the
// rest: each executes as a NOP and never touches its memory operand (SDM Vol. 2B "NOP", Table
// A-3 "Reserved-NOP"). Debian's glibc starts every function with ENDBR32 (built with CET).
export const HINT_NOP_FORMS: readonly string[] = [
  "Prefetchnta_m8",
  "Prefetcht0_m8",
  "Prefetcht1_m8",
  "Prefetcht2_m8",
  "Prefetch_m8",
  "Prefetchw_m8",
  "Prefetchwt1_m8",
  "Prefetchit0_m8",
  "Prefetchit1_m8",
  "Prefetchreserved3_m8",
  "Prefetchreserved4_m8",
  "Prefetchreserved5_m8",
  "Prefetchreserved6_m8",
  "Prefetchreserved7_m8",
  "Cldemote_m8",
  "Endbr32",
  "Endbr64",
  "Rdsspd_r32",
  ...["0D", "18", "19", "1A", "1B", "1C", "1D", "1E", "1F"].flatMap((op) => [
    `Reservednop_rm16_r16_0F${op}`,
    `Reservednop_rm32_r32_0F${op}`,
  ]),
];
for (const name of HINT_NOP_FORMS) moveHandlers[name] = () => {};

for (let cc = 0; cc < 16; cc++) {
  const n = COND_NAMES[cc]!;
  moveHandlers[`Cmov${n}_r16_rm16`] = cmov(cc, 15);
  moveHandlers[`Cmov${n}_r32_rm32`] = cmov(cc, 31);
  moveHandlers[`Set${n}_rm8`] = setcc(cc);
}

export { moveHandlers, getAcc, setAcc };
