// FPREM / FPREM1 partial remainder (SDM vol. 2 FPREM, FPREM1). When the exponent difference is
// below 64 the reduction completes: C2 = 0 and the three low quotient bits go to C0 (bit 2),
// C3 (bit 1) and C1 (bit 0). Otherwise one partial step reduces the exponent by
// n = 32 + (difference mod 32) (the host's choice among the 32..63 the SDM allows), sets C2 and
// clears C0/C1/C3. FPREM truncates the quotient, FPREM1 rounds it to nearest-even. The remainder
// is exact. BigInt keeps the up-to-127-bit division simple; these instructions are rare.
import {
  expOf,
  isDenormal80,
  isNaN80,
  isUnsupported,
  N,
  normalize,
  propagateNaN,
  setIndefiniteIE,
} from "./classify";
import { C0, C1, C2, C3 } from "./compare";
import { F80_EMAX, F80_EMIN, normRoundPack } from "./round";
import { FLAG_DE, type F80, type FpContext } from "./types";

const N0 = { hi: 0, lo: 0 };

/** out = partial remainder of a / b; returns the condition bits C0-C3. */
export function f80Prem(ctx: FpContext, out: F80, a: F80, b: F80, ieee: boolean): number {
  if (isUnsupported(a) || isUnsupported(b)) {
    setIndefiniteIE(ctx, out);
    return 0;
  }
  if (isNaN80(a) || isNaN80(b)) {
    propagateNaN(ctx, out, a, b);
    return 0;
  }
  const aExp = expOf(a);
  const bExp = expOf(b);
  const bZero = bExp === 0 && b.hi === 0 && b.lo === 0;
  if (aExp === 0x7fff || bZero) {
    setIndefiniteIE(ctx, out);
    return 0;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  if (a.hi === 0 && a.lo === 0) {
    out.copy(a);
    return 0;
  }
  const neg = (a.se & 0x8000) !== 0;
  normalize(a);
  const ae = N.exp;
  N0.hi = N.hi;
  N0.lo = N.lo;
  const as = (BigInt(N.hi) << 32n) | BigInt(N.lo);
  normalize(b);
  const be = N.exp;
  const bs = (BigInt(N.hi) << 32n) | BigInt(N.lo);
  const diff = ae - be;
  if (diff >= 64) {
    const n = (diff & 31) | 32;
    const r = (as << BigInt(n)) % bs;
    const rh = Number(r >> 32n);
    const rl = Number(r & 0xffffffffn);
    normRoundPack(ctx, out, neg, ae - n, rh, rl, 0, 64, F80_EMIN, F80_EMAX, true);
    return C2;
  }
  if (bExp === 0x7fff || diff < -1 || (diff < 0 && !ieee)) {
    // |a| < |b|/2 (or b infinite): the remainder is a itself, re-packed so a pseudo-denormal
    // comes back as the equal normal (host behaviour).
    normRoundPack(ctx, out, neg, ae, N0.hi, N0.lo, 0, 64, F80_EMIN, F80_EMAX, true);
    return 0;
  }
  // Exact division at b's scale: A = a / ulp(b), B = b / ulp(b).
  let A = as;
  let B = bs;
  if (diff >= 0) A <<= BigInt(diff);
  else B <<= 1n;
  let q = A / B;
  let r = A - q * B;
  let rNeg = neg;
  if (ieee) {
    const twice = r << 1n;
    if (twice > B || (twice === B && (q & 1n) === 1n)) {
      q += 1n;
      r = B - r;
      rNeg = !neg;
    }
  }
  const qb = Number(q & 7n);
  const cc = (qb & 4 ? C0 : 0) | (qb & 2 ? C3 : 0) | (qb & 1 ? C1 : 0);
  const scaleExp = diff >= 0 ? be : ae;
  if (r === 0n) {
    out.se = neg ? 0x8000 : 0;
    out.hi = 0;
    out.lo = 0;
    return cc;
  }
  normRoundPack(
    ctx,
    out,
    rNeg,
    scaleExp,
    Number(r >> 32n),
    Number(r & 0xffffffffn),
    0,
    64,
    F80_EMIN,
    F80_EMAX,
    true,
  );
  return cc;
}
