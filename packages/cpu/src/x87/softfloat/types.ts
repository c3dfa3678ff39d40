// Shared vocabulary of the 80-bit soft-float code: the exception bits (they are the x87 status
// word bit positions, SDM vol. 1 figure 8-4), the reusable result record and the operation context.
// Everything is plain mutable objects reused across calls so the hot path allocates nothing.

/** Invalid operation (status word bit 0). */
export const FLAG_IE = 0x01;
/** Denormal operand (bit 1). */
export const FLAG_DE = 0x02;
/** Zero divide (bit 2). */
export const FLAG_ZE = 0x04;
/** Overflow (bit 3). */
export const FLAG_OE = 0x08;
/** Underflow (bit 4). */
export const FLAG_UE = 0x10;
/** Precision / inexact (bit 5). */
export const FLAG_PE = 0x20;
/** Stack fault (bit 6), always together with IE. */
export const FLAG_SF = 0x40;

/** Rounding control values (control word bits 10-11, SDM vol. 1 table 4-8). */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** Precision control values (control word bits 8-9, SDM vol. 1 table 8-2); 1 is reserved. */
export const PC_24 = 0;
export const PC_53 = 2;
export const PC_64 = 3;

/**
 * An 80-bit extended value: `se` holds the sign (bit 15) and the 15-bit biased exponent, `hi`/`lo`
 * the 64-bit significand (bit 63 is the explicit integer bit J) as unsigned 32-bit halves.
 */
export class F80 {
  se = 0;
  hi = 0;
  lo = 0;
  set(se: number, hi: number, lo: number): this {
    this.se = se & 0xffff;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }
  copy(o: F80): this {
    this.se = o.se;
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }
}

/**
 * Per-operation context: the rounding and precision the caller wants, and what the operation
 * reports back. `flags` accumulates FLAG_* bits; `c1` is the C1 condition bit ("rounded up" when
 * PE is set, SDM vol. 1 8.1.3.1).
 */
export class FpContext {
  rc = RC_NEAREST;
  pc = PC_64;
  /** Exception mask bits of the control word (bits 0-5): masked responses are always produced,
   *  this is consulted only where an unmasked OE/UE changes the delivered result (SDM 8.4.x). */
  masks = 0x3f;
  flags = 0;
  c1 = 0;
  /** Exponent range and x87 bias-adjusted delivery of the arithmetic's rounding (80-bit biased
   *  exponents). The x87 uses the full range; the SSE code narrows it to single/double so the
   *  same add/mul/div/sqrt give IEEE single/double results (denormals, overflow) directly. */
  emin = 1;
  emax = 0x7ffe;
  wrap = true;
  /** Precision bits for the current `pc` (24, 53 or 64). */
  get precisionBits(): number {
    return this.pc === PC_24 ? 24 : this.pc === PC_53 ? 53 : 64;
  }
  begin(rc: number, pc: number, masks = 0x3f): this {
    this.rc = rc;
    this.pc = pc;
    this.masks = masks;
    this.flags = 0;
    this.c1 = 0;
    this.emin = 1;
    this.emax = 0x7ffe;
    this.wrap = true;
    return this;
  }
}

/** Sign/exponent of the x87 default NaN ("real indefinite": negative QNaN C000000000000000). */
export const INDEFINITE_SE = 0xffff;
export const INDEFINITE_HI = 0xc0000000;

export function setIndefinite(out: F80): F80 {
  out.se = INDEFINITE_SE;
  out.hi = INDEFINITE_HI;
  out.lo = 0;
  return out;
}
