// @ringvm/pc: the PC board, the composition root of RingVM.

/** The version of the RingVM board package. */
export const VERSION = "0.1.0";
