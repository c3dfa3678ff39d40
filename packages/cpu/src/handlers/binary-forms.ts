// The eight classic two-operand ALU instructions (ADD OR ADC SBB AND SUB XOR CMP) and TEST in
// all their forms. Closures are made once at load; the operation and operand source are small
// integers switched on inside, so every call to the ALU routines is direct (inlinable) rather
// than through a shared, megamorphic function-valued parameter.
import { OpKind } from "@ringvm/decoder";
import * as alu from "../alu";
import { type CpuState } from "../state/cpu-state";
import { EAX, REG_EAX } from "../state/registers";
import {
  getReg,
  imm,
  memLinear,
  readLinear,
  readRm1,
  setReg,
  writeLinear,
  type Handler,
  probeWrite,
} from "./operands";

/** A two-operand semantic routine from alu.ts. */
export type Alu2 = (s: CpuState, a: number, b: number, top: number) => number;

/** The ALU operations, by mnemonic (CMP is SUB without the store, TEST is AND). */
export const AluOp = {
  Add: 0,
  Adc: 1,
  Sub: 2,
  Sbb: 3,
  And: 4,
  Or: 5,
  Xor: 6,
  Cmp: 2,
  Test: 4,
} as const;

/** Applies ALU operation `op` (an `AluOp`) with exact (lazy) flags. */
export function aluOp(s: CpuState, op: number, a: number, b: number, top: number): number {
  switch (op) {
    case 0:
      return alu.add(s, a, b, top);
    case 1:
      return alu.adc(s, a, b, top);
    case 2:
      return alu.sub(s, a, b, top);
    case 3:
      return alu.sbb(s, a, b, top);
    case 4:
      return alu.logic(s, a & b, top);
    case 5:
      return alu.logic(s, a | b, top);
    default:
      return alu.logic(s, a ^ b, top);
  }
}

/** `op rm, src` where src is operand 1 (a register) or the immediate; `store` false for CMP/TEST. */
function rmForm(op: number, top: number, store: boolean, fromImm: boolean): Handler {
  return (s, i) => {
    const b = fromImm ? imm(i, top) : getReg(s, i.op1Register, top);
    if (i.op0Kind === OpKind.Register) {
      if (top === 31) {
        const d = i.op0Register - REG_EAX;
        const r = aluOp(s, op, s.regs[d]!, b, 31);
        if (store) s.regs[d] = r;
      } else {
        const r = aluOp(s, op, getReg(s, i.op0Register, top), b, top);
        if (store) setReg(s, i.op0Register, r, top);
      }
    } else {
      const lin = memLinear(s, i, top, store);
      const v = readLinear(s, lin, top);
      if (store) probeWrite(s, lin, top);
      const r = aluOp(s, op, v, b, top);
      if (store) writeLinear(s, lin, r, top);
    }
  };
}

function regRm(op: number, top: number, store: boolean): Handler {
  return (s, i) => {
    if (top === 31) {
      const d = i.op0Register - REG_EAX;
      const b =
        i.op1Kind === OpKind.Register ? s.regs[i.op1Register - REG_EAX]! : readRm1(s, i, 31);
      const r = aluOp(s, op, s.regs[d]!, b, 31);
      if (store) s.regs[d] = r;
      return;
    }
    const r = aluOp(s, op, getReg(s, i.op0Register, top), readRm1(s, i, top), top);
    if (store) setReg(s, i.op0Register, r, top);
  };
}

function accImm(op: number, top: number, store: boolean): Handler {
  return (s, i) => {
    const a = top === 7 ? s.regs8[0]! : top === 15 ? s.regs16[0]! : s.regs[EAX]!;
    const r = aluOp(s, op, a, imm(i, top), top);
    if (!store) return;
    if (top === 7) s.regs8[0] = r;
    else if (top === 15) s.regs16[0] = r;
    else s.regs[EAX] = r;
  };
}

/** Every form of one ALU mnemonic (`name` is a key of `AluOp`), keyed by iced `Code` name. */
export function aluForms(name: keyof typeof AluOp, store: boolean): Record<string, Handler> {
  const op = AluOp[name];
  return {
    [`${name}_rm8_r8`]: rmForm(op, 7, store, false),
    [`${name}_rm16_r16`]: rmForm(op, 15, store, false),
    [`${name}_rm32_r32`]: rmForm(op, 31, store, false),
    [`${name}_r8_rm8`]: regRm(op, 7, store),
    [`${name}_r16_rm16`]: regRm(op, 15, store),
    [`${name}_r32_rm32`]: regRm(op, 31, store),
    [`${name}_AL_imm8`]: accImm(op, 7, store),
    [`${name}_AX_imm16`]: accImm(op, 15, store),
    [`${name}_EAX_imm32`]: accImm(op, 31, store),
    [`${name}_rm8_imm8`]: rmForm(op, 7, store, true),
    [`${name}_rm8_imm8_82`]: rmForm(op, 7, store, true),
    [`${name}_rm16_imm16`]: rmForm(op, 15, store, true),
    [`${name}_rm32_imm32`]: rmForm(op, 31, store, true),
    [`${name}_rm16_imm8`]: rmForm(op, 15, store, true),
    [`${name}_rm32_imm8`]: rmForm(op, 31, store, true),
  };
}

/** TEST forms (AND without the store). */
export function testForms(): Record<string, Handler> {
  const op = AluOp.Test;
  return {
    Test_rm8_r8: rmForm(op, 7, false, false),
    Test_rm16_r16: rmForm(op, 15, false, false),
    Test_rm32_r32: rmForm(op, 31, false, false),
    Test_AL_imm8: accImm(op, 7, false),
    Test_AX_imm16: accImm(op, 15, false),
    Test_EAX_imm32: accImm(op, 31, false),
    Test_rm8_imm8: rmForm(op, 7, false, true),
    Test_rm8_imm8_F6r1: rmForm(op, 7, false, true),
    Test_rm16_imm16: rmForm(op, 15, false, true),
    Test_rm16_imm16_F7r1: rmForm(op, 15, false, true),
    Test_rm32_imm32: rmForm(op, 31, false, true),
    Test_rm32_imm32_F7r1: rmForm(op, 31, false, true),
  };
}

/** Unary read-modify-write forms (INC/DEC/NEG/NOT rm). */
export function unaryForm(
  op: (s: CpuState, a: number, top: number) => number,
  top: number,
): Handler {
  return (s, i) => {
    if (i.op0Kind === OpKind.Register) {
      setReg(s, i.op0Register, op(s, getReg(s, i.op0Register, top), top), top);
    } else {
      const lin = memLinear(s, i, top, true);
      const v = readLinear(s, lin, top);
      probeWrite(s, lin, top);
      writeLinear(s, lin, op(s, v, top), top);
    }
  };
}
