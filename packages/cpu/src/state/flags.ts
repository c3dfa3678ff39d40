// EFLAGS bits (SDM vol. 1, 3.4.3) and the lazy-flag kinds. Arithmetic records its operands
// and result; a flag is computed only when something reads it (see lazy-flags.ts).

export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const IF = 0x0200;
export const DF = 0x0400;
export const OF = 0x0800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;

/** The six arithmetic status flags. */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

/** Bit 1 of EFLAGS always reads as 1 (SDM vol. 1, figure 3-8). */
export const FLAGS_FIXED_ONE = 0x0002;

/**
 * Bits software can change on a P6 (Pentium Pro/II: AC and ID exist, VIF/VIP only with VME).
 * Bits 3, 5, 15 and 22-31 are reserved and read as 0.
 */
export const FLAGS_WRITABLE = 0x003f7fd5;

/** What the lazily evaluated flags were produced by. */
export const LazyOp = {
  /** ADD/ADC/INC: result = dst + src (+ carry). */
  Add: 0,
  /** SUB/SBB/CMP/DEC/NEG: result = dst - src (- borrow). */
  Sub: 1,
  /** Logic and everything else that derives only SF/ZF/PF from the result. */
  Logic: 2,
} as const;
export type LazyOp = (typeof LazyOp)[keyof typeof LazyOp];
