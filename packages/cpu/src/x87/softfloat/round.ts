// Rounding and packing of an exact intermediate result (SDM vol. 1 4.8.4 rounding, 8.1.5.2
// precision control, 4.9.1.4/4.9.1.5 overflow and underflow with masked responses, 8.4.x the
// unmasked x87 responses with the 24576 exponent bias adjustment). x86 detects tininess after
// rounding: a result is tiny when rounding it to the destination precision with an unbounded
// exponent still gives a magnitude below the smallest normal.
import {
  FLAG_OE,
  FLAG_PE,
  FLAG_UE,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
  type F80,
  type FpContext,
} from "./types";
import { W, clz96, shiftLeft, shiftRightJam } from "./wide";

const TWO32 = 0x100000000;
/** SDM vol. 1 8.4.x: an unmasked x87 overflow/underflow delivers the result with its exponent
 *  divided by 2^24576 (overflow) or multiplied by it (underflow) so it fits the register range. */
const BIAS_ADJUST = 0x6000;

/** Target exponent ranges, in the 80-bit biased exponent space (bias 0x3FFF). */
export const F80_EMIN = 1;
export const F80_EMAX = 0x7ffe;
export const F64_EMIN = 0x3fff - 1022;
export const F64_EMAX = 0x3fff + 1023;
export const F32_EMIN = 0x3fff - 126;
export const F32_EMAX = 0x3fff + 127;

let inexact = false;

/** Whether rounding hi:lo:x to p bits increments the kept part; sets `inexact`. */
function decide(p: number, neg: boolean, rc: number, hi: number, lo: number, x: number): boolean {
  let lsb: number;
  // cls: 0 exact, 1 below half an ulp, 2 exactly half, 3 above half
  let cls: number;
  if (p === 64) {
    lsb = lo & 1;
    cls = x === 0 ? 0 : x < 0x80000000 ? 1 : x === 0x80000000 ? 2 : 3;
  } else if (p === 53) {
    lsb = (lo >>> 11) & 1;
    const r = lo & 0x7ff;
    cls = r < 0x400 ? ((r | x) === 0 ? 0 : 1) : r === 0x400 ? (x === 0 ? 2 : 3) : 3;
  } else {
    lsb = (hi >>> 8) & 1;
    const r = hi & 0xff;
    const rest = lo | x;
    cls = r < 0x80 ? ((r | rest) === 0 ? 0 : 1) : r === 0x80 ? (rest === 0 ? 2 : 3) : 3;
  }
  inexact = cls !== 0;
  if (rc === RC_NEAREST) return cls === 3 || (cls === 2 && lsb === 1);
  if (rc === RC_UP) return !neg && cls !== 0;
  if (rc === RC_DOWN) return neg && cls !== 0;
  return false;
}

function keptAllOnes(p: number, hi: number, lo: number): boolean {
  if (p === 64) return hi === 0xffffffff && lo === 0xffffffff;
  if (p === 53) return hi === 0xffffffff && lo >>> 11 === 0x1fffff;
  return hi >>> 8 === 0xffffff;
}

/** W.hi:W.lo = hi:lo truncated to p bits, plus one ulp when `inc`; returns the carry out. */
function applyRound(p: number, inc: boolean, hi: number, lo: number): number {
  let unitLo = 0;
  let unitHi = 0;
  if (p === 64) unitLo = 1;
  else if (p === 53) {
    lo = (lo & ~0x7ff) >>> 0;
    unitLo = 0x800;
  } else {
    hi = (hi & ~0xff) >>> 0;
    lo = 0;
    unitHi = 0x100;
  }
  if (!inc) {
    W.hi = hi;
    W.lo = lo;
    return 0;
  }
  lo += unitLo;
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  }
  hi += unitHi;
  if (hi >= TWO32) {
    W.hi = 0x80000000;
    W.lo = 0;
    return 1;
  }
  W.hi = hi;
  W.lo = lo;
  return 0;
}

/**
 * Rounds sign * 0.hi:lo:x * 2^(exp - 0x3FFF + 1) (hi:lo normalized with bit 63 set, or all zero)
 * to p significand bits within [emin, emax] and writes it to `out` as an 80-bit pattern (results
 * below 2^emin come back with J clear and a zero exponent field). `x87Wrap` enables the unmasked
 * x87 bias-adjusted delivery; narrower destinations pass false.
 */
export function roundPack(
  ctx: FpContext,
  out: F80,
  neg: boolean,
  exp: number,
  hi: number,
  lo: number,
  x: number,
  p: number,
  emin: number,
  emax: number,
  x87Wrap: boolean,
): F80 {
  const rc = ctx.rc;
  const sign = neg ? 0x8000 : 0;
  if (hi === 0 && lo === 0 && x === 0) {
    out.se = sign;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  if (exp < emin) {
    const inc0 = decide(p, neg, rc, hi, lo, x);
    const tiny = exp < emin - 1 || !(inc0 && keptAllOnes(p, hi, lo));
    if (x87Wrap && (ctx.masks & FLAG_UE) === 0 && tiny) {
      if (exp + BIAS_ADJUST < emin) {
        // Too small even after the adjustment: a signed zero with UE and PE (host behaviour).
        ctx.flags |= FLAG_UE | FLAG_PE;
        ctx.c1 = 0;
        out.se = sign;
        out.hi = 0;
        out.lo = 0;
        return out;
      }
      // Unmasked underflow: deliver the normal rounded result scaled up by 2^24576.
      const carry = applyRound(p, inc0, hi, lo);
      if (inexact) {
        ctx.flags |= FLAG_PE;
        if (inc0) ctx.c1 = 1;
      }
      ctx.flags |= FLAG_UE;
      out.se = sign | ((exp + carry + BIAS_ADJUST) & 0x7fff);
      out.hi = W.hi;
      out.lo = W.lo;
      return out;
    }
    if (!x87Wrap && (ctx.masks & FLAG_UE) === 0 && tiny) {
      // Unmasked underflow on FST m32/m64: only UE (even when exact), no PE, C1 = 0; memory is
      // left unchanged by the caller (host behaviour, SDM vol. 1 4.9.1.5 / 8.5.x).
      ctx.flags |= FLAG_UE;
      ctx.c1 = 0;
      out.se = sign;
      out.hi = 0;
      out.lo = 0;
      return out;
    }
    shiftRightJam(hi, lo, x, emin - exp);
    hi = W.hi;
    lo = W.lo;
    x = W.x;
    const inc = decide(p, neg, rc, hi, lo, x);
    applyRound(p, inc, hi, lo);
    if (inexact) {
      ctx.flags |= FLAG_PE;
      if (inc) ctx.c1 = 1;
      if (tiny) ctx.flags |= FLAG_UE;
    }
    out.hi = W.hi;
    out.lo = W.lo;
    out.se = sign | (W.hi >= 0x80000000 ? emin : 0);
    return out;
  }
  const inc = decide(p, neg, rc, hi, lo, x);
  exp += applyRound(p, inc, hi, lo);
  if (inexact) {
    ctx.flags |= FLAG_PE;
    if (inc) ctx.c1 = 1;
  }
  if (exp > emax) {
    if (x87Wrap && (ctx.masks & FLAG_OE) === 0) {
      if (exp - BIAS_ADJUST > emax) {
        // Too large even after the adjustment: a signed infinity with OE, PE and C1 whatever the
        // rounding control (host behaviour, SDM vol. 1 8.5.4).
        ctx.flags |= FLAG_OE | FLAG_PE;
        ctx.c1 = 1;
        out.se = sign | 0x7fff;
        out.hi = 0x80000000;
        out.lo = 0;
        return out;
      }
      ctx.flags |= FLAG_OE;
      out.se = sign | ((exp - BIAS_ADJUST) & 0x7fff);
      out.hi = W.hi;
      out.lo = W.lo;
      return out;
    }
    if (!x87Wrap && (ctx.masks & FLAG_OE) === 0) {
      // Unmasked overflow on FST m32/m64: only OE, no PE, C1 = 0; no store (host behaviour).
      ctx.flags = (ctx.flags & ~FLAG_PE) | FLAG_OE;
      ctx.c1 = 0;
      out.se = sign | 0x7fff;
      out.hi = 0x80000000;
      out.lo = 0;
      return out;
    }
    ctx.flags |= FLAG_OE | FLAG_PE;
    const toInf = rc === RC_NEAREST || (rc === RC_UP && !neg) || (rc === RC_DOWN && neg);
    if (toInf) {
      ctx.c1 = 1;
      out.se = sign | 0x7fff;
      out.hi = 0x80000000;
      out.lo = 0;
    } else {
      ctx.c1 = 0;
      out.se = sign | emax;
      out.hi = p === 24 ? 0xffffff00 : 0xffffffff;
      out.lo = p === 64 ? 0xffffffff : p === 53 ? 0xfffff800 : 0;
    }
    return out;
  }
  out.se = sign | exp;
  out.hi = W.hi;
  out.lo = W.lo;
  return out;
}

/** Normalizes hi:lo:x (shifting left, lowering exp) and then rounds as `roundPack`. */
export function normRoundPack(
  ctx: FpContext,
  out: F80,
  neg: boolean,
  exp: number,
  hi: number,
  lo: number,
  x: number,
  p: number,
  emin: number,
  emax: number,
  x87Wrap: boolean,
): F80 {
  const n = clz96(hi, lo, x);
  if (n === 96) return roundPack(ctx, out, neg, exp, 0, 0, 0, p, emin, emax, x87Wrap);
  shiftLeft(hi, lo, x, n);
  return roundPack(ctx, out, neg, exp - n, W.hi, W.lo, W.x, p, emin, emax, x87Wrap);
}

/** Rounds to the context's precision control within its exponent range (the 80-bit one unless
 *  the SSE code narrowed it). */
export function roundPackX87(
  ctx: FpContext,
  out: F80,
  neg: boolean,
  exp: number,
  hi: number,
  lo: number,
  x: number,
): F80 {
  return normRoundPack(
    ctx,
    out,
    neg,
    exp,
    hi,
    lo,
    x,
    ctx.precisionBits,
    ctx.emin,
    ctx.emax,
    ctx.wrap,
  );
}

/** Rounding decision for integer conversions: hi:lo is the integer part and x the fraction
 *  (bit 31 = one half). Returns whether to add one; `wasInexact()` tells if x was non-zero. */
export function intRoundUp(neg: boolean, rc: number, lo: number, x: number): boolean {
  return decide(64, neg, rc, 0, lo, x);
}

export function wasInexact(): boolean {
  return inexact;
}
