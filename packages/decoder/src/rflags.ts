// EFLAGS bit masks in their architectural positions (Intel SDM Vol. 1, 3.4.3, Figure 3-8), so
// the CPU can use `Instruction.flagsWritten` etc. directly against its EFLAGS value.
export const RFLAGS_CF = 1 << 0;
export const RFLAGS_PF = 1 << 2;
export const RFLAGS_AF = 1 << 4;
export const RFLAGS_ZF = 1 << 6;
export const RFLAGS_SF = 1 << 7;
export const RFLAGS_TF = 1 << 8;
export const RFLAGS_IF = 1 << 9;
export const RFLAGS_DF = 1 << 10;
export const RFLAGS_OF = 1 << 11;
export const RFLAGS_AC = 1 << 18;
/** The six arithmetic status flags. */
export const RFLAGS_STATUS = RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF;
