// Conversions between 80-bit values and integers (FILD/FIST/FISTP/FISTTP), and single/double
// precision (FLD m32/m64, FST m32/m64). SDM vol. 1 4.8.3.x integer indefinite, 4.8.3.5 NaN
// conversion (truncate the significand, quiet an SNaN with IE), 8.3.x and vol. 2 FST/FIST pages.
import { N, expOf, isNaN80, isUnsupported, normalize } from "./classify";
import { F32_EMAX, F32_EMIN, F64_EMAX, F64_EMIN, intRoundUp, roundPack, wasInexact } from "./round";
import { F80, FLAG_DE, FLAG_IE, FLAG_PE, RC_ZERO, type FpContext } from "./types";
import { W, shiftLeft, shiftRightJam } from "./wide";

const TWO32 = 0x100000000;

/** Result of conversions to memory formats: the image as two u32 halves (lo first in memory). */
export const M = { hi: 0, lo: 0 };

/** FILD: signed 64-bit integer (two's complement halves) to 80-bit, always exact. */
export function f80FromInt64(out: F80, hi: number, lo: number): F80 {
  let neg = false;
  hi >>>= 0;
  lo >>>= 0;
  if (hi >= 0x80000000) {
    neg = true;
    lo = TWO32 - lo;
    hi = 0xffffffff - hi;
    if (lo === TWO32) {
      lo = 0;
      hi += 1;
    }
    hi >>>= 0;
  }
  if (hi === 0 && lo === 0) {
    out.se = 0;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  const n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  if (n >= 32) {
    hi = lo << (n - 32);
    lo = 0;
  } else if (n > 0) {
    hi = (hi << n) | (lo >>> (32 - n));
    lo = lo << n;
  }
  out.se = (neg ? 0x8000 : 0) | (0x3fff + 63 - n);
  out.hi = hi >>> 0;
  out.lo = lo >>> 0;
  return out;
}

/** FILD m16/m32 (sign-extended value). */
export function f80FromInt32(out: F80, v: number): F80 {
  return f80FromInt64(out, v < 0 ? 0xffffffff : 0, v >>> 0);
}

/**
 * FIST/FISTP (rounding control) or FISTTP (`truncate`): writes the two's complement image of the
 * `bits`-wide integer to M. Out of range, NaN, infinity or unsupported gives IE and the integer
 * indefinite (only the sign bit set), which is what memory receives when IE is masked.
 */
export function f80ToInt(ctx: FpContext, a: F80, bits: number, truncate: boolean): void {
  const exp = expOf(a);
  const neg = (a.se & 0x8000) !== 0;
  if (isUnsupported(a) || exp === 0x7fff) return intIndefinite(ctx, bits);
  if (a.hi === 0 && a.lo === 0) {
    M.hi = 0;
    M.lo = 0;
    return;
  }
  // No DE here: the host reports only PE for denormal sources of FIST/FISTTP.
  normalize(a);
  const e = N.exp - 0x3fff;
  if (e >= 64) return intIndefinite(ctx, bits);
  shiftRightJam(N.hi, N.lo, 0, 63 - e);
  let hi = W.hi;
  let lo = W.lo;
  const up = intRoundUp(neg, truncate ? RC_ZERO : ctx.rc, lo, W.x);
  const inexact = wasInexact();
  if (up) {
    lo += 1;
    if (lo >= TWO32) {
      lo = 0;
      hi += 1;
      if (hi >= TWO32) return intIndefinite(ctx, bits);
    }
  }
  // Range check on the magnitude: up to 2^(bits-1) - 1, or 2^(bits-1) when negative.
  const limitHi = bits === 64 ? 0x80000000 : 0;
  const limitLo = bits === 64 ? 0 : bits === 32 ? 0x80000000 : 0x8000;
  if (
    hi > limitHi ||
    (hi === limitHi && lo > limitLo) ||
    (hi === limitHi && lo === limitLo && !neg)
  ) {
    return intIndefinite(ctx, bits);
  }
  if (inexact) {
    ctx.flags |= FLAG_PE;
    if (up) ctx.c1 = 1;
  }
  if (neg) {
    // Two's complement of the magnitude.
    lo = TWO32 - lo;
    hi = 0xffffffff - hi;
    if (lo === TWO32) {
      lo = 0;
      hi += 1;
    }
  }
  if (bits === 16) {
    M.hi = 0;
    M.lo = lo & 0xffff;
  } else if (bits === 32) {
    M.hi = 0;
    M.lo = lo >>> 0;
  } else {
    M.hi = hi >>> 0;
    M.lo = lo >>> 0;
  }
}

function intIndefinite(ctx: FpContext, bits: number): void {
  ctx.flags |= FLAG_IE;
  M.hi = bits === 64 ? 0x80000000 : 0;
  M.lo = bits === 64 ? 0 : bits === 32 ? 0x80000000 : 0x8000;
}

/** FLD m32: exact widening; SNaN raises IE and is quieted, denormals raise DE. */
export function f80FromF32(ctx: FpContext, out: F80, bits: number): F80 {
  bits >>>= 0;
  const sign = bits >>> 31 !== 0 ? 0x8000 : 0;
  const e = (bits >>> 23) & 0xff;
  const f = bits & 0x7fffff;
  if (e === 0xff) {
    if (f !== 0 && (f & 0x400000) === 0) ctx.flags |= FLAG_IE;
    out.se = sign | 0x7fff;
    out.hi = (0x80000000 | (f << 8) | (f !== 0 ? 0x40000000 : 0)) >>> 0;
    out.lo = 0;
    return out;
  }
  if (e === 0) {
    if (f === 0) {
      out.se = sign;
      out.hi = 0;
      out.lo = 0;
      return out;
    }
    ctx.flags |= FLAG_DE;
    const n = Math.clz32(f) - 8; // shift that brings the leading one to bit 23
    out.se = sign | (0x3fff - 126 - n);
    out.hi = (f << (8 + n)) >>> 0;
    out.lo = 0;
    return out;
  }
  out.se = sign | (e - 127 + 0x3fff);
  out.hi = (0x80000000 | (f << 8)) >>> 0;
  out.lo = 0;
  return out;
}

/** FLD m64 (hi:lo halves of the double's bit image). */
export function f80FromF64(ctx: FpContext, out: F80, hi: number, lo: number): F80 {
  hi >>>= 0;
  lo >>>= 0;
  const sign = hi >>> 31 !== 0 ? 0x8000 : 0;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  const fl = lo;
  if (e === 0x7ff) {
    const nan = fh !== 0 || fl !== 0;
    if (nan && (fh & 0x80000) === 0) ctx.flags |= FLAG_IE;
    out.se = sign | 0x7fff;
    out.hi = (0x80000000 | (fh << 11) | (fl >>> 21) | (nan ? 0x40000000 : 0)) >>> 0;
    out.lo = (fl << 11) >>> 0;
    return out;
  }
  if (e === 0) {
    if (fh === 0 && fl === 0) {
      out.se = sign;
      out.hi = 0;
      out.lo = 0;
      return out;
    }
    ctx.flags |= FLAG_DE;
    // value = f * 2^-1074 with the leading one of f at bit L: exponent L - 1074.
    const L = fh !== 0 ? 63 - Math.clz32(fh) : 31 - Math.clz32(fl);
    shiftLeft(fh, fl, 0, 63 - L);
    out.se = sign | (0x3fff + L - 1074);
    out.hi = W.hi;
    out.lo = W.lo;
    return out;
  }
  out.se = sign | (e - 1023 + 0x3fff);
  out.hi = (0x80000000 | (fh << 11) | (fl >>> 21)) >>> 0;
  out.lo = (fl << 11) >>> 0;
  return out;
}

const tmp = new F80();

/** Shared prologue of FST m32/m64: writes NaN/unsupported results to M and returns true. */
function specialToNarrow(ctx: FpContext, a: F80, double: boolean): boolean {
  const sign = (a.se & 0x8000) !== 0 ? 0x80000000 : 0;
  if (isUnsupported(a)) {
    ctx.flags |= FLAG_IE;
    M.hi = double ? 0xfff80000 : 0;
    M.lo = double ? 0 : 0xffc00000;
    return true;
  }
  if (isNaN80(a)) {
    if ((a.hi & 0x40000000) === 0) ctx.flags |= FLAG_IE;
    const h = (a.hi | 0x40000000) >>> 0;
    if (double) {
      M.hi = (sign | 0x7ff00000 | ((h >>> 11) & 0xfffff)) >>> 0;
      M.lo = ((h << 21) | (a.lo >>> 11)) >>> 0;
    } else {
      M.hi = 0;
      M.lo = (sign | 0x7f800000 | ((h >>> 8) & 0x7fffff)) >>> 0;
    }
    return true;
  }
  return false;
}

/** FST m32: rounds with the rounding control (precision control does not apply) into M.lo. */
export function f80ToF32(ctx: FpContext, a: F80): void {
  if (specialToNarrow(ctx, a, false)) return;
  const neg = (a.se & 0x8000) !== 0;
  const sign = neg ? 0x80000000 : 0;
  M.hi = 0;
  if (expOf(a) === 0x7fff) {
    M.lo = (sign | 0x7f800000) >>> 0;
    return;
  }
  if (a.hi === 0 && a.lo === 0) {
    M.lo = sign;
    return;
  }
  // Stores never report DE for a denormal source (host behaviour, matching SDM vol. 2 FST "#D"
  // being listed only for loads of narrower denormals).
  normalize(a);
  roundPack(ctx, tmp, neg, N.exp, N.hi, N.lo, 0, 24, F32_EMIN, F32_EMAX, false);
  const e = tmp.se & 0x7fff;
  if (e === 0x7fff) M.lo = (sign | 0x7f800000) >>> 0;
  else if (e === 0) M.lo = (sign | (tmp.hi >>> 8)) >>> 0;
  else M.lo = (sign | ((e - 0x3fff + 127) << 23) | ((tmp.hi >>> 8) & 0x7fffff)) >>> 0;
}

/** FST m64 into M.hi:M.lo. */
export function f80ToF64(ctx: FpContext, a: F80): void {
  if (specialToNarrow(ctx, a, true)) return;
  const neg = (a.se & 0x8000) !== 0;
  const sign = neg ? 0x80000000 : 0;
  M.lo = 0;
  if (expOf(a) === 0x7fff) {
    M.hi = (sign | 0x7ff00000) >>> 0;
    return;
  }
  if (a.hi === 0 && a.lo === 0) {
    M.hi = sign;
    return;
  }
  // Stores never report DE for a denormal source (host behaviour, matching SDM vol. 2 FST "#D"
  // being listed only for loads of narrower denormals).
  normalize(a);
  roundPack(ctx, tmp, neg, N.exp, N.hi, N.lo, 0, 53, F64_EMIN, F64_EMAX, false);
  const e = tmp.se & 0x7fff;
  const fh = (tmp.hi >>> 11) & 0xfffff;
  const fl = ((tmp.hi << 21) | (tmp.lo >>> 11)) >>> 0;
  if (e === 0x7fff) {
    M.hi = (sign | 0x7ff00000) >>> 0;
    M.lo = 0;
  } else if (e === 0) {
    M.hi = (sign | (tmp.hi >>> 11)) >>> 0;
    M.lo = fl;
  } else {
    M.hi = (sign | ((e - 0x3fff + 1023) << 20) | fh) >>> 0;
    M.lo = fl;
  }
}
