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
} from "./state/flags";
export { isImplemented } from "./dispatch";
