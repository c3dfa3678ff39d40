// @ringvm/cpu: public surface.
export {
  Cpu,
  decodedHandler,
  hasBadLock,
  pickHandler,
  StopReason,
  type CpuOptions,
  type InterruptSource,
} from "./cpu";
export { CpuException, Vector } from "./exceptions";
export { CpuState, SEG_LDTR, SEG_TR } from "./state/cpu-state";
export type { TscDeadlineTimer } from "./state/cpu-state";
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
  ARITH_FLAGS,
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
export { alignmentChecks, checkedLinear } from "./segments";
export { CR4_TSD } from "./control-regs";
export { PageBytes } from "./page-bytes";
export { sseUsable } from "./handlers/simd";
export { HINT_NOP_FORMS } from "./handlers/integer-move";
export { jumpNear, testCondition } from "./handlers/integer-cond";
export { deliverInterrupt, EventKind } from "./interrupts";
export { hasErrorCode, isContributory } from "./exceptions";
export type { Handler } from "./handlers/operands";
// For @ringvm/recompiler's cold blocks: the block cache's handler choice (closure-threaded
// baked forms, the specialized fast forms) and its per-instruction kind bits.
export {
  bake,
  bakeFused,
  compactArg,
  compactForm,
  runCompact,
  COMPACT_LAYOUT,
  type FusedHandler,
} from "./handlers/baked";
export {
  BLOCK_BODY,
  BLOCK_BRANCH,
  blockKind,
  COND_ALWAYS as BLOCK_COND_ALWAYS,
  K_EIP as BLOCK_K_EIP,
  K_ESP as BLOCK_K_ESP,
  K_FUSED as BLOCK_K_FUSED,
  K_JCC as BLOCK_K_JCC,
  K_MEM as BLOCK_K_MEM,
} from "./block-cache";
