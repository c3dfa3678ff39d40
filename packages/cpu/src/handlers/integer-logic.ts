// Logic (AND/OR/XOR/TEST), shifts and rotates, SHLD/SHRD, bit tests and bit scans.
import { OpKind, type Instruction } from "@ringvm/decoder";
import * as alu from "../alu";
import { effectiveAddress, memSeg } from "../access";
import { checkedLinear } from "../segments";
import { type CpuState } from "../state/cpu-state";
import { REG_EAX } from "../state/registers";
import { CF, ZF } from "../state/flags";
import { aluForms, testForms } from "./binary-forms";
import {
  getReg,
  memLinear,
  readLinear,
  readRm1,
  setReg,
  writeLinear,
  type Handler,
  probeWrite,
} from "./operands";

/** Shift/rotate operations, switched on inside one routine so every ALU call is direct. */
export const enum Shift {
  Rol,
  Ror,
  Rcl,
  Rcr,
  Shl,
  Shr,
  Sar,
}

export function shiftOp(s: CpuState, op: Shift, a: number, count: number, top: number): number {
  switch (op) {
    case Shift.Rol:
      return alu.rol(s, a, count, top);
    case Shift.Ror:
      return alu.ror(s, a, count, top);
    case Shift.Rcl:
      return alu.rcl(s, a, count, top);
    case Shift.Rcr:
      return alu.rcr(s, a, count, top);
    case Shift.Shl:
      return alu.shl(s, a, count, top);
    case Shift.Shr:
      return alu.shr(s, a, count, top);
    default:
      return alu.sar(s, a, count, top);
  }
}

/** Where a shift count comes from: the immediate, the constant 1, or CL. */
const enum CountFrom {
  Imm,
  One,
  Cl,
}

function shiftForm(op: Shift, top: number, from: CountFrom): Handler {
  return (s: CpuState, i: Instruction) => {
    const count =
      from === CountFrom.Imm ? i.immediate & 0xff : from === CountFrom.One ? 1 : s.regs8[4]!;
    if (i.op0Kind === OpKind.Register) {
      if (top === 31) {
        const r = i.op0Register - REG_EAX;
        s.regs[r] = shiftOp(s, op, s.regs[r]!, count, 31);
      } else {
        setReg(s, i.op0Register, shiftOp(s, op, getReg(s, i.op0Register, top), count, top), top);
      }
    } else {
      const lin = memLinear(s, i, top, true);
      const v = readLinear(s, lin, top);
      probeWrite(s, lin, top);
      writeLinear(s, lin, shiftOp(s, op, v, count, top), top);
    }
  };
}

function shiftForms(name: string, op: Shift): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [size, top] of [
    [8, 7],
    [16, 15],
    [32, 31],
  ] as const) {
    out[`${name}_rm${size}_imm8`] = shiftForm(op, top, CountFrom.Imm);
    out[`${name}_rm${size}_1`] = shiftForm(op, top, CountFrom.One);
    out[`${name}_rm${size}_CL`] = shiftForm(op, top, CountFrom.Cl);
  }
  return out;
}

type DoubleShiftOp = (s: CpuState, a: number, b: number, count: number, top: number) => number;
function doubleShift(op: DoubleShiftOp, top: number, fromCl: boolean): Handler {
  return (s, i) => {
    const count = fromCl ? s.regs8[4]! : i.immediate & 0xff;
    const b = getReg(s, i.op1Register, top);
    if (i.op0Kind === OpKind.Register) {
      setReg(s, i.op0Register, op(s, getReg(s, i.op0Register, top), b, count, top), top);
    } else {
      const lin = memLinear(s, i, top, true);
      const v = readLinear(s, lin, top);
      probeWrite(s, lin, top);
      writeLinear(s, lin, op(s, v, b, count, top), top);
    }
  };
}

/** What a BT-family instruction does to the selected bit. */
const enum BitOp {
  Test,
  Set,
  Reset,
  Complement,
}

function applyBit(v: number, mask: number, op: BitOp): number {
  return op === BitOp.Set ? v | mask : op === BitOp.Reset ? v & ~mask : v ^ mask;
}

/**
 * BT/BTS/BTR/BTC. A register bit offset with a memory operand is signed and may address any
 * bit relative to the operand (SDM vol. 2, BT "bit base"); an immediate is taken modulo the size.
 * CF receives the bit; the other status flags keep their values (host-observed).
 */
function bitForm(op: BitOp, top: number, fromReg: boolean): Handler {
  return (s, i) => {
    const bits = top + 1;
    const raw = fromReg ? getReg(s, i.op1Register, top) : i.immediate & 0xff;
    let cf: number;
    if (i.op0Kind === OpKind.Register) {
      const bit = raw & top;
      const v = getReg(s, i.op0Register, top);
      cf = (v >>> bit) & 1;
      if (op !== BitOp.Test)
        setReg(s, i.op0Register, applyBit(v, 1 << bit, op) & (top === 31 ? -1 : 0xffff), top);
    } else {
      let ea = effectiveAddress(s, i);
      let bit: number;
      if (fromReg) {
        const signed = top === 15 ? (raw << 16) >> 16 : raw | 0;
        const words = signed >> (top === 15 ? 4 : 5);
        ea += words * (bits >>> 3);
        ea = i.addrSize === 16 ? ea & 0xffff : ea >>> 0;
        bit = signed & top;
      } else {
        bit = raw & top;
      }
      const lin = checkedLinear(s, memSeg(i), ea, bits >>> 3, op !== BitOp.Test);
      const v = readLinear(s, lin, top);
      cf = (v >>> bit) & 1;
      if (op !== BitOp.Test) writeLinear(s, lin, applyBit(v, 1 << bit, op), top);
    }
    s.writeFlagBits(CF, cf);
  };
}

function bitForms(name: string, op: BitOp): Record<string, Handler> {
  return {
    [`${name}_rm16_r16`]: bitForm(op, 15, true),
    [`${name}_rm32_r32`]: bitForm(op, 31, true),
    [`${name}_rm16_imm8`]: bitForm(op, 15, false),
    [`${name}_rm32_imm8`]: bitForm(op, 31, false),
  };
}

/**
 * BSF/BSR: a zero source sets ZF and leaves the destination unchanged; otherwise ZF=0. The
 * other flags are undefined; the host (native oracle) derives SF/PF from the bit index and
 * clears CF/OF/AF.
 */
function bitScan(top: number, reverse: boolean): Handler {
  return (s, i) => {
    const v = readRm1(s, i, top);
    if (v === 0) {
      s.setLogic(0, top, 0);
      s.writeFlagBits(ZF, ZF);
      return;
    }
    const idx = reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
    setReg(s, i.op0Register, idx, top);
    s.setLogic(idx, top, 0);
    s.writeFlagBits(ZF, 0);
  };
}

export const logicHandlers: Record<string, Handler> = {
  ...aluForms("And", true),
  ...aluForms("Or", true),
  ...aluForms("Xor", true),
  ...testForms(),
  ...shiftForms("Rol", Shift.Rol),
  ...shiftForms("Ror", Shift.Ror),
  ...shiftForms("Rcl", Shift.Rcl),
  ...shiftForms("Rcr", Shift.Rcr),
  ...shiftForms("Shl", Shift.Shl),
  ...shiftForms("Sal", Shift.Shl),
  ...shiftForms("Shr", Shift.Shr),
  ...shiftForms("Sar", Shift.Sar),
  Shld_rm16_r16_imm8: doubleShift(alu.shld, 15, false),
  Shld_rm16_r16_CL: doubleShift(alu.shld, 15, true),
  Shld_rm32_r32_imm8: doubleShift(alu.shld, 31, false),
  Shld_rm32_r32_CL: doubleShift(alu.shld, 31, true),
  Shrd_rm16_r16_imm8: doubleShift(alu.shrd, 15, false),
  Shrd_rm16_r16_CL: doubleShift(alu.shrd, 15, true),
  Shrd_rm32_r32_imm8: doubleShift(alu.shrd, 31, false),
  Shrd_rm32_r32_CL: doubleShift(alu.shrd, 31, true),
  ...bitForms("Bt", BitOp.Test),
  ...bitForms("Bts", BitOp.Set),
  ...bitForms("Btr", BitOp.Reset),
  ...bitForms("Btc", BitOp.Complement),
  Bsf_r16_rm16: bitScan(15, false),
  Bsf_r32_rm32: bitScan(31, false),
  Bsr_r16_rm16: bitScan(15, true),
  Bsr_r32_rm32: bitScan(31, true),
  // F3 0F BC/BD on a CPU without BMI1/LZCNT (CPUID reports neither): the F3 prefix is ignored
  // and the bytes execute as BSF/BSR (SDM vol. 2, TZCNT and LZCNT, "Operation"/notes). Linux
  // uses the encoding in get_mtrr_state (__ffs via "rep; bsf").
  Tzcnt_r16_rm16: bitScan(15, false),
  Tzcnt_r32_rm32: bitScan(31, false),
  Lzcnt_r16_rm16: bitScan(15, true),
  Lzcnt_r32_rm32: bitScan(31, true),
};
