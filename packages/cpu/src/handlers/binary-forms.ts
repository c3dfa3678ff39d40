// The eight classic two-operand ALU instructions (ADD OR ADC SBB AND SUB XOR CMP) and TEST in
// all their forms, built from one semantic function each. Closures are made once at load.
import { OpKind, type Instruction } from "@ringvm/decoder";
import { type CpuState } from "../state/cpu-state";
import { EAX } from "../state/registers";
import { getReg, imm, memLinear, readLinear, readRm1, setReg, writeLinear, type Handler } from "./operands";

/** A two-operand semantic routine from alu.ts. */
export type Alu2 = (s: CpuState, a: number, b: number, top: number) => number;

/** `op rm, src` where src comes from `source`; `store` is false for CMP/TEST. */
function rmForm(op: Alu2, top: number, store: boolean, source: (s: CpuState, i: Instruction) => number): Handler {
  return (s, i) => {
    const b = source(s, i);
    if (i.op0Kind === OpKind.Register) {
      const r = op(s, getReg(s, i.op0Register, top), b, top);
      if (store) setReg(s, i.op0Register, r, top);
    } else {
      const lin = memLinear(s, i, top, store);
      const r = op(s, readLinear(s, lin, top), b, top);
      if (store) writeLinear(s, lin, r, top);
    }
  };
}

const srcReg8: (s: CpuState, i: Instruction) => number = (s, i) => getReg(s, i.op1Register, 7);
const srcReg16: (s: CpuState, i: Instruction) => number = (s, i) => getReg(s, i.op1Register, 15);
const srcReg32: (s: CpuState, i: Instruction) => number = (s, i) => getReg(s, i.op1Register, 31);
const srcImm8: (s: CpuState, i: Instruction) => number = (_s, i) => imm(i, 7);
const srcImm16: (s: CpuState, i: Instruction) => number = (_s, i) => imm(i, 15);
const srcImm32: (s: CpuState, i: Instruction) => number = (_s, i) => imm(i, 31);

function regRm(op: Alu2, top: number, store: boolean): Handler {
  return (s, i) => {
    const r = op(s, getReg(s, i.op0Register, top), readRm1(s, i, top), top);
    if (store) setReg(s, i.op0Register, r, top);
  };
}

function accImm(op: Alu2, top: number, store: boolean): Handler {
  return (s, i) => {
    const a = top === 7 ? s.regs8[0]! : top === 15 ? s.regs16[0]! : s.regs[EAX]!;
    const r = op(s, a, imm(i, top), top);
    if (!store) return;
    if (top === 7) s.regs8[0] = r;
    else if (top === 15) s.regs16[0] = r;
    else s.regs[EAX] = r;
  };
}

/** Every form of one ALU mnemonic, keyed by iced `Code` name. */
export function aluForms(name: string, op: Alu2, store: boolean): Record<string, Handler> {
  return {
    [`${name}_rm8_r8`]: rmForm(op, 7, store, srcReg8),
    [`${name}_rm16_r16`]: rmForm(op, 15, store, srcReg16),
    [`${name}_rm32_r32`]: rmForm(op, 31, store, srcReg32),
    [`${name}_r8_rm8`]: regRm(op, 7, store),
    [`${name}_r16_rm16`]: regRm(op, 15, store),
    [`${name}_r32_rm32`]: regRm(op, 31, store),
    [`${name}_AL_imm8`]: accImm(op, 7, store),
    [`${name}_AX_imm16`]: accImm(op, 15, store),
    [`${name}_EAX_imm32`]: accImm(op, 31, store),
    [`${name}_rm8_imm8`]: rmForm(op, 7, store, srcImm8),
    [`${name}_rm8_imm8_82`]: rmForm(op, 7, store, srcImm8),
    [`${name}_rm16_imm16`]: rmForm(op, 15, store, srcImm16),
    [`${name}_rm32_imm32`]: rmForm(op, 31, store, srcImm32),
    [`${name}_rm16_imm8`]: rmForm(op, 15, store, srcImm16),
    [`${name}_rm32_imm8`]: rmForm(op, 31, store, srcImm32),
  };
}

/** TEST forms (no result stored). */
export function testForms(op: Alu2): Record<string, Handler> {
  return {
    Test_rm8_r8: rmForm(op, 7, false, srcReg8),
    Test_rm16_r16: rmForm(op, 15, false, srcReg16),
    Test_rm32_r32: rmForm(op, 31, false, srcReg32),
    Test_AL_imm8: accImm(op, 7, false),
    Test_AX_imm16: accImm(op, 15, false),
    Test_EAX_imm32: accImm(op, 31, false),
    Test_rm8_imm8: rmForm(op, 7, false, srcImm8),
    Test_rm8_imm8_F6r1: rmForm(op, 7, false, srcImm8),
    Test_rm16_imm16: rmForm(op, 15, false, srcImm16),
    Test_rm16_imm16_F7r1: rmForm(op, 15, false, srcImm16),
    Test_rm32_imm32: rmForm(op, 31, false, srcImm32),
    Test_rm32_imm32_F7r1: rmForm(op, 31, false, srcImm32),
  };
}

/** Unary read-modify-write forms (INC/DEC/NEG/NOT rm). */
export function unaryForm(op: (s: CpuState, a: number, top: number) => number, top: number): Handler {
  return (s, i) => {
    if (i.op0Kind === OpKind.Register) {
      setReg(s, i.op0Register, op(s, getReg(s, i.op0Register, top), top), top);
    } else {
      const lin = memLinear(s, i, top, true);
      writeLinear(s, lin, op(s, readLinear(s, lin, top), top), top);
    }
  };
}
