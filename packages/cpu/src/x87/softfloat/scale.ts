// FXTRACT and FSCALE (SDM vol. 2 FXTRACT, FSCALE and their special-case tables).
import {
  N,
  expOf,
  isDenormal80,
  isInf80,
  isNaN80,
  isUnsupported,
  normalize,
  propagateNaN,
  quietNaN,
  setIndefiniteIE,
} from "./classify";
import { f80FromInt32 } from "./convert";
import { F80_EMAX, F80_EMIN, roundPack } from "./round";
import { FLAG_DE, FLAG_ZE, type F80, type FpContext } from "./types";

/** FXTRACT: sig = significand with exponent 0 (1 <= |sig| < 2), expo = unbiased exponent. */
export function f80Extract(ctx: FpContext, sig: F80, expo: F80, a: F80): void {
  if (isUnsupported(a)) {
    setIndefiniteIE(ctx, sig);
    expo.copy(sig);
    return;
  }
  const exp = expOf(a);
  if (exp === 0x7fff) {
    if (isNaN80(a)) {
      quietNaN(ctx, sig, a);
      expo.copy(sig);
      return;
    }
    sig.copy(a);
    expo.set(0x7fff, 0x80000000, 0);
    return;
  }
  if (a.hi === 0 && a.lo === 0) {
    // Zero: ZE, exponent -infinity, significand the zero itself.
    ctx.flags |= FLAG_ZE;
    sig.copy(a);
    expo.set(0xffff, 0x80000000, 0);
    return;
  }
  if (isDenormal80(a)) ctx.flags |= FLAG_DE;
  normalize(a);
  f80FromInt32(expo, N.exp - 0x3fff);
  sig.se = (a.se & 0x8000) | 0x3fff;
  sig.hi = N.hi;
  sig.lo = N.lo;
}

/** FSCALE: out = a * 2^trunc(b). */
export function f80Scale(ctx: FpContext, out: F80, a: F80, b: F80): F80 {
  if (isUnsupported(a) || isUnsupported(b)) return setIndefiniteIE(ctx, out);
  if (isNaN80(a) || isNaN80(b)) return propagateNaN(ctx, out, a, b);
  const aZero = expOf(a) === 0 && a.hi === 0 && a.lo === 0;
  const bNeg = (b.se & 0x8000) !== 0;
  if (isInf80(b)) {
    if (isDenormal80(a)) ctx.flags |= FLAG_DE;
    if (bNeg) {
      if (isInf80(a)) return setIndefiniteIE(ctx, out);
      out.se = a.se & 0x8000;
      out.hi = 0;
      out.lo = 0;
      return out;
    }
    if (aZero) return setIndefiniteIE(ctx, out);
    out.se = (a.se & 0x8000) | 0x7fff;
    out.hi = 0x80000000;
    out.lo = 0;
    return out;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  if (isInf80(a) || aZero) return out.copy(a);
  // trunc(b), clamped: any |n| beyond 2^16 already over/underflows every finite a.
  let n = 0;
  const be = expOf(b);
  if (be >= 0x3fff) {
    const e = be - 0x3fff;
    n = e >= 16 ? 0x10000 : b.hi >>> (31 - e);
    if (bNeg) n = -n;
  }
  normalize(a);
  return roundPack(
    ctx,
    out,
    (a.se & 0x8000) !== 0,
    N.exp + n,
    N.hi,
    N.lo,
    0,
    64,
    F80_EMIN,
    F80_EMAX,
    true,
  );
}
