// Specialized handlers for the hottest forms, picked per decoded instruction by the decode
// cache (cpu.ts). The generic handlers are closures made by shared factories (`rmForm(op,
// top, ...)`), so V8 compiles one body for all of them, with the operation, size and operand
// kind as run-time branches and type feedback mixed across every form. Each function here is
// its own top-level function: constant size, operands known to be registers, feedback of its
// own. They implement exactly what the generic handler does for the same instruction (the
// whole test suite runs through them) and are never installed in HANDLERS, which stays the
// general table the recompiler calls.
import { OpKind, type Instruction } from "@ringvm/decoder";
import * as alu from "../alu";
import { pop32, push32 } from "../access";
import { REG_EAX } from "../state/registers";
import { jumpNear } from "./integer-cond";
import { memLinear, type Handler } from "./operands";

// ---- Jcc: one function per condition (SDM vol. 1, appendix B) ----

const JCC: readonly Handler[] = [
  (s, i) => {
    if (s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (!s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getCF() !== 0) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getCF() === 0) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getZF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (!s.getZF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getCF() !== 0 || s.getZF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getCF() === 0 && !s.getZF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getSF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (!s.getSF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getPF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (!s.getPF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getSF() !== s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getSF() === s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (s.getZF() || s.getSF() !== s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
  (s, i) => {
    if (!s.getZF() && s.getSF() === s.getOF()) jumpNear(s, i.nearBranchTarget);
  },
];

/** Condition-code names as iced spells them, in encoding order. */
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

/** Every Jcc form (rel8/rel16/rel32 in 16- and 32-bit code): the target is pre-computed. */
export const fastAnyOperands: Record<string, Handler> = {};
for (let cc = 0; cc < 16; cc++) {
  const name = `J${CC[cc]!}`;
  for (const form of ["_rel8_16", "_rel8_32", "_rel16", "_rel32_32"]) {
    fastAnyOperands[name + form] = JCC[cc]!;
  }
}

/** CALL rel32 and RET in 32-bit code (a fault in the jump leaves ESP to the run loop's rollback). */
fastAnyOperands.Call_rel32_32 = (s, i) => {
  push32(s, i.nextIp | 0); // int32: a uint32 from a double field is boxed for the call
  jumpNear(s, i.nearBranchTarget);
};
fastAnyOperands.Retnd = (s) => {
  jumpNear(s, pop32(s));
};

// ---- 32-bit forms whose operands are all registers or immediates ----

function r0(i: Instruction): number {
  return i.op0Register - REG_EAX;
}
function r1(i: Instruction): number {
  return i.op1Register - REG_EAX;
}

/** reg, reg (either encoding direction) and reg, imm for each ALU operation. */
const ALU_RR: Record<string, Handler> = {
  Add: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.add(s, s.regs[d]!, s.regs[r1(i)]!, 31);
  },
  Or: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! | s.regs[r1(i)]!, 31);
  },
  Adc: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.adc(s, s.regs[d]!, s.regs[r1(i)]!, 31);
  },
  Sbb: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sbb(s, s.regs[d]!, s.regs[r1(i)]!, 31);
  },
  And: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! & s.regs[r1(i)]!, 31);
  },
  Sub: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sub(s, s.regs[d]!, s.regs[r1(i)]!, 31);
  },
  Xor: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! ^ s.regs[r1(i)]!, 31);
  },
  Cmp: (s, i) => {
    alu.sub(s, s.regs[r0(i)]!, s.regs[r1(i)]!, 31);
  },
  Test: (s, i) => {
    alu.logic(s, s.regs[r0(i)]! & s.regs[r1(i)]!, 31);
  },
};

const ALU_RI: Record<string, Handler> = {
  Add: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.add(s, s.regs[d]!, i.immediate | 0, 31);
  },
  Or: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! | i.immediate, 31);
  },
  Adc: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.adc(s, s.regs[d]!, i.immediate | 0, 31);
  },
  Sbb: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sbb(s, s.regs[d]!, i.immediate | 0, 31);
  },
  And: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! & i.immediate, 31);
  },
  Sub: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sub(s, s.regs[d]!, i.immediate | 0, 31);
  },
  Xor: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.logic(s, s.regs[d]! ^ i.immediate, 31);
  },
  Cmp: (s, i) => {
    alu.sub(s, s.regs[r0(i)]!, i.immediate | 0, 31);
  },
  Test: (s, i) => {
    alu.logic(s, s.regs[r0(i)]! & i.immediate, 31);
  },
};

const inc32: Handler = (s, i) => {
  const d = r0(i);
  s.regs[d] = alu.inc(s, s.regs[d]!, 31);
};
const dec32: Handler = (s, i) => {
  const d = r0(i);
  s.regs[d] = alu.dec(s, s.regs[d]!, 31);
};
const movRR32: Handler = (s, i) => {
  s.regs[r0(i)] = s.regs[r1(i)]!;
};
const movRI32: Handler = (s, i) => {
  s.regs[r0(i)] = i.immediate;
};
const pushR32: Handler = (s, i) => {
  push32(s, s.regs[r0(i)]!);
};
const popR32: Handler = (s, i) => {
  // The value is popped (ESP incremented) before the register is written: POP ESP loads it.
  const v = pop32(s);
  s.regs[r0(i)] = v;
};

// ---- 32-bit loads and stores (any addressing form) ----

/** MOV r32, m32. */
const movLoad32: Handler = (s, i) => {
  s.regs[r0(i)] = s.memory.read32(memLinear(s, i, 31, false)) | 0;
};
/** MOV m32, r32 and MOV m32, imm32. */
const movStore32: Handler = (s, i) => {
  s.memory.write32(memLinear(s, i, 31, true), s.regs[r1(i)]! | 0);
};
const movStoreImm32: Handler = (s, i) => {
  s.memory.write32(memLinear(s, i, 31, true), i.immediate | 0);
};

/** Forms valid when operand 0 (`Mov_rm32_*`) or 1 (`Mov_r32_rm32`) is in memory. */
export const fastMemoryOperand: Record<string, Handler> = {
  Mov_r32_rm32: movLoad32,
  Mov_rm32_r32: movStore32,
  Mov_rm32_imm32: movStoreImm32,
};

/** Forms valid when no operand is in memory (chosen per instruction at decode time). */
export const fastRegisterOperands: Record<string, Handler> = {
  Inc_r32: inc32,
  Inc_rm32: inc32,
  Dec_r32: dec32,
  Dec_rm32: dec32,
  Mov_rm32_r32: movRR32,
  Mov_r32_rm32: movRR32,
  Mov_r32_imm32: movRI32,
  Mov_rm32_imm32: movRI32,
  Push_r32: pushR32,
  Pop_r32: popR32,
  Shl_rm32_1: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.shl(s, s.regs[d]!, 1, 31);
  },
  Shl_rm32_imm8: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.shl(s, s.regs[d]!, i.immediate & 0xff, 31);
  },
  Shr_rm32_1: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.shr(s, s.regs[d]!, 1, 31);
  },
  Shr_rm32_imm8: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.shr(s, s.regs[d]!, i.immediate & 0xff, 31);
  },
  Sar_rm32_1: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sar(s, s.regs[d]!, 1, 31);
  },
  Sar_rm32_imm8: (s, i) => {
    const d = r0(i);
    s.regs[d] = alu.sar(s, s.regs[d]!, i.immediate & 0xff, 31);
  },
};
for (const op of ["Add", "Or", "Adc", "Sbb", "And", "Sub", "Xor", "Cmp"]) {
  fastRegisterOperands[`${op}_rm32_r32`] = ALU_RR[op]!;
  fastRegisterOperands[`${op}_r32_rm32`] = ALU_RR[op]!;
  fastRegisterOperands[`${op}_rm32_imm8`] = ALU_RI[op]!;
  fastRegisterOperands[`${op}_rm32_imm32`] = ALU_RI[op]!;
  fastRegisterOperands[`${op}_EAX_imm32`] = ALU_RI[op]!;
}
fastRegisterOperands.Test_rm32_r32 = ALU_RR.Test!;
fastRegisterOperands.Test_rm32_imm32 = ALU_RI.Test!;
fastRegisterOperands.Test_rm32_imm32_F7r1 = ALU_RI.Test!;
fastRegisterOperands.Test_EAX_imm32 = ALU_RI.Test!;

/** Whether no operand of `insn` is in memory (its register-operand fast form applies). */
export function hasNoMemoryOperand(insn: Instruction): boolean {
  for (let k = 0; k < insn.opCount; k++) {
    if (insn.opKind(k) === OpKind.Memory) return false;
  }
  return true;
}
