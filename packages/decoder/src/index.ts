// @ringvm/decoder: public surface (explicit named exports only).
export { CpuidFeature } from "./cpuid-feature";
export { Decoder, type FetchByte } from "./decoder";
export { type ExecSection, elfExecutableSections } from "./elf";
export { FlowControl } from "./flow-control";
export { FORMATTER_ICED_OPTIONS, formatInstruction, formatOperand } from "./formatter";
export { CODE_COUNT, Code } from "./generated/code";
export { MNEMONIC_COUNT, Mnemonic } from "./generated/mnemonic";
export {
  ATTR_IOPL,
  ATTR_LOCKABLE,
  ATTR_MEM_ONLY,
  ATTR_PRIVILEGED,
  ATTR_STRING,
  DecodeError,
  Instruction,
  MemSize,
} from "./instruction";
export { OpKind } from "./op-kind";
export { Register } from "./register";
export {
  RFLAGS_AC,
  RFLAGS_AF,
  RFLAGS_CF,
  RFLAGS_DF,
  RFLAGS_IF,
  RFLAGS_OF,
  RFLAGS_PF,
  RFLAGS_SF,
  RFLAGS_STATUS,
  RFLAGS_TF,
  RFLAGS_ZF,
} from "./rflags";
