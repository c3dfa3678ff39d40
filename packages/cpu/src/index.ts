// @ringvm/cpu: public surface.
export { Cpu, StopReason, type CpuOptions, type InterruptSource } from "./cpu";
export { CpuException, Vector } from "./exceptions";
export { CpuState, SEG_LDTR, SEG_TR } from "./state/cpu-state";
export { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, SegReg } from "./state/registers";
export {
  AC,
  AF,
  CF,
  DF,
  ID,
  IF,
  IOPL,
  NT,
  OF,
  PF,
  RF,
  SF,
  TF,
  VIF,
  VIP,
  VM,
  ZF,
  FLAGS_FIXED_ONE,
  LazyOp,
} from "./state/flags";
export { isImplemented } from "./dispatch";
// For @ringvm/recompiler: the semantic routines and event delivery that translated blocks
// reuse instead of re-implementing (ARCHITECTURE.md: "shared semantics go down into cpu/alu").
export {
  add as aluAdd,
  adc as aluAdc,
  sub as aluSub,
  sbb as aluSbb,
  logic as aluLogic,
  inc as aluInc,
  dec as aluDec,
  shl as aluShl,
  shr as aluShr,
  sar as aluSar,
  imul32 as aluImul32,
} from "./alu";
export { HANDLERS } from "./dispatch";
export { checkedLinear } from "./segments";
export { jumpNear, testCondition } from "./handlers/integer-cond";
export { deliverInterrupt, EventKind } from "./interrupts";
export { hasErrorCode, isContributory } from "./exceptions";
export type { Handler } from "./handlers/operands";
