// What an instruction does to the instruction pointer. Numbering follows iced-x86's
// `FlowControl` (1.21). The recompiler ends a block at anything but `Next`.
export enum FlowControl {
  Next = 0,
  UnconditionalBranch = 1,
  IndirectBranch = 2,
  ConditionalBranch = 3,
  Return = 4,
  Call = 5,
  IndirectCall = 6,
  /** INT n, INT3, INTO, INT1, SYSCALL, SYSENTER, ... (control passes to a handler). */
  Interrupt = 7,
  XbeginXabortXend = 8,
  /** Always raises an exception (UD0/UD1/UD2) or is privileged/serialising with a fault path. */
  Exception = 9,
}
