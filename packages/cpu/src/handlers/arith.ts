// Arithmetic: ADD/ADC/SUB/SBB/CMP, INC/DEC/NEG, MUL/IMUL/DIV/IDIV, sign extension, BCD.
import { type Instruction } from "@ringvm/decoder";
import * as alu from "../alu";
import { type CpuState } from "../state/cpu-state";
import { EAX, EDX, REG_EAX } from "../state/registers";
import { aluForms, unaryForm } from "./binary-forms";
import { getReg, imm, readRm, readRm1, setReg, type Handler } from "./operands";

const notArith = (s: CpuState, a: number, top: number): number => {
  void s;
  return top === 31 ? ~a : ~a & ((1 << (top + 1)) - 1);
};

function mulForm(size: 8 | 16 | 32, signed: boolean): Handler {
  return (s, i) => {
    if (size === 8) {
      const b = readRm(s, i, 7);
      s.regs16[0] = signed ? alu.imul8(s, s.regs8[0]!, b) : alu.mul8(s, s.regs8[0]!, b);
    } else if (size === 16) {
      const b = readRm(s, i, 15);
      const p = signed ? alu.imul16(s, s.regs16[0]!, b) : alu.mul16(s, s.regs16[0]!, b);
      s.regs16[0] = p & 0xffff;
      s.regs16[EDX << 1] = (p >>> 16) & 0xffff;
    } else {
      const b = readRm(s, i, 31);
      s.regs[EAX] = signed ? alu.imul32(s, s.regs[EAX]!, b) : alu.mul32(s, s.regs[EAX]!, b);
      s.regs[EDX] = alu.mulHigh.value;
    }
  };
}

function divForm(size: 8 | 16 | 32, signed: boolean): Handler {
  return (s, i) => {
    const r = alu.divResult;
    if (size === 8) {
      const d = readRm(s, i, 7);
      if (signed) alu.idiv8(s, s.regs16[0]!, d);
      else alu.div8(s, s.regs16[0]!, d);
      s.regs8[0] = r.quotient;
      s.regs8[1] = r.remainder;
    } else if (size === 16) {
      const d = readRm(s, i, 15);
      const n = ((s.regs16[EDX << 1]! << 16) | s.regs16[0]!) >>> 0;
      if (signed) alu.idiv16(s, n, d);
      else alu.div16(s, n, d);
      s.regs16[0] = r.quotient;
      s.regs16[EDX << 1] = r.remainder;
    } else {
      const d = readRm(s, i, 31);
      if (signed) alu.idiv32(s, s.regs[EDX]!, s.regs[EAX]!, d);
      else alu.div32(s, s.regs[EDX]!, s.regs[EAX]!, d);
      s.regs[EAX] = r.quotient;
      s.regs[EDX] = r.remainder;
    }
  };
}

/** IMUL r, rm [, imm]: truncated signed product, CF=OF when it does not fit. */
function imul2(top: number, withImm: boolean): Handler {
  return (s: CpuState, i: Instruction) => {
    const a = withImm ? readRm1(s, i, top) : getReg(s, i.op0Register, top);
    const b = withImm ? imm(i, top) : readRm1(s, i, top);
    const r = top === 15 ? alu.imul16(s, a, b) & 0xffff : alu.imul32(s, a, b);
    setReg(s, i.op0Register, r, top);
  };
}

function incReg(top: number, dec: boolean): Handler {
  return (s, i) => {
    if (top === 31) {
      const r = i.op0Register - REG_EAX;
      s.regs[r] = dec ? alu.dec(s, s.regs[r]!, 31) : alu.inc(s, s.regs[r]!, 31);
      return;
    }
    const a = getReg(s, i.op0Register, top);
    setReg(s, i.op0Register, dec ? alu.dec(s, a, top) : alu.inc(s, a, top), top);
  };
}

export const arithHandlers: Record<string, Handler> = {
  ...aluForms("Add", true),
  ...aluForms("Adc", true),
  ...aluForms("Sub", true),
  ...aluForms("Sbb", true),
  ...aluForms("Cmp", false),
  Inc_r16: incReg(15, false),
  Inc_r32: incReg(31, false),
  Dec_r16: incReg(15, true),
  Dec_r32: incReg(31, true),
  Inc_rm8: unaryForm(alu.inc, 7),
  Inc_rm16: unaryForm(alu.inc, 15),
  Inc_rm32: unaryForm(alu.inc, 31),
  Dec_rm8: unaryForm(alu.dec, 7),
  Dec_rm16: unaryForm(alu.dec, 15),
  Dec_rm32: unaryForm(alu.dec, 31),
  Neg_rm8: unaryForm(alu.neg, 7),
  Neg_rm16: unaryForm(alu.neg, 15),
  Neg_rm32: unaryForm(alu.neg, 31),
  Not_rm8: unaryForm(notArith, 7),
  Not_rm16: unaryForm(notArith, 15),
  Not_rm32: unaryForm(notArith, 31),
  Mul_rm8: mulForm(8, false),
  Mul_rm16: mulForm(16, false),
  Mul_rm32: mulForm(32, false),
  Imul_rm8: mulForm(8, true),
  Imul_rm16: mulForm(16, true),
  Imul_rm32: mulForm(32, true),
  Div_rm8: divForm(8, false),
  Div_rm16: divForm(16, false),
  Div_rm32: divForm(32, false),
  Idiv_rm8: divForm(8, true),
  Idiv_rm16: divForm(16, true),
  Idiv_rm32: divForm(32, true),
  Imul_r16_rm16: imul2(15, false),
  Imul_r32_rm32: imul2(31, false),
  Imul_r16_rm16_imm16: imul2(15, true),
  Imul_r32_rm32_imm32: imul2(31, true),
  Imul_r16_rm16_imm8: imul2(15, true),
  Imul_r32_rm32_imm8: imul2(31, true),
  Cbw: (s) => {
    s.regs16[0] = (s.regs8[0]! << 24) >> 24;
  },
  Cwde: (s) => {
    s.regs[EAX] = (s.regs16[0]! << 16) >> 16;
  },
  Cwd: (s) => {
    s.regs16[EDX << 1] = s.regs16[0]! & 0x8000 ? 0xffff : 0;
  },
  Cdq: (s) => {
    s.regs[EDX] = s.regs[EAX]! >> 31;
  },
  Daa: (s) => {
    s.regs8[0] = alu.daa(s, s.regs8[0]!);
  },
  Das: (s) => {
    s.regs8[0] = alu.das(s, s.regs8[0]!);
  },
  Aaa: (s) => {
    s.regs16[0] = alu.aaa(s, s.regs16[0]!);
  },
  Aas: (s) => {
    s.regs16[0] = alu.aas(s, s.regs16[0]!);
  },
  Aam_imm8: (s, i) => {
    s.regs16[0] = alu.aam(s, s.regs8[0]!, i.immediate & 0xff);
  },
  Aad_imm8: (s, i) => {
    s.regs16[0] = alu.aad(s, s.regs16[0]!, i.immediate & 0xff);
  },
};
