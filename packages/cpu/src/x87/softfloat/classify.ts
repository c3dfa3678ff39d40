// Operand classes of the 80-bit format (SDM vol. 1 8.2.2 table 8-3) as P6 and later treat them:
// unnormals, pseudo-NaNs and pseudo-infinities are "unsupported" and raise IE; pseudo-denormals
// (exponent 0 with J set) are accepted as denormals with the exponent of 1. NaN selection follows
// SDM vol. 1 4.8.3.5 table 4-7.
import { FLAG_IE, INDEFINITE_HI, INDEFINITE_SE, type F80, type FpContext } from "./types";

export function expOf(a: F80): number {
  return a.se & 0x7fff;
}

export function isNeg(a: F80): boolean {
  return (a.se & 0x8000) !== 0;
}

/** Unnormal, pseudo-NaN or pseudo-infinity: exponent non-zero but the J bit clear. */
export function isUnsupported(a: F80): boolean {
  return (a.se & 0x7fff) !== 0 && a.hi < 0x80000000;
}

export function isNaN80(a: F80): boolean {
  return (a.se & 0x7fff) === 0x7fff && ((a.hi & 0x7fffffff) !== 0 || a.lo !== 0);
}

export function isSNaN80(a: F80): boolean {
  return isNaN80(a) && (a.hi & 0x40000000) === 0;
}

export function isInf80(a: F80): boolean {
  return (a.se & 0x7fff) === 0x7fff && a.hi === 0x80000000 && a.lo === 0;
}

export function isZero80(a: F80): boolean {
  return (a.se & 0x7fff) === 0 && a.hi === 0 && a.lo === 0;
}

/** Denormal or pseudo-denormal. */
export function isDenormal80(a: F80): boolean {
  return (a.se & 0x7fff) === 0 && (a.hi !== 0 || a.lo !== 0);
}

/** Normalized view of a finite non-zero operand: N.exp may drop below 1 for denormals. */
export const N = { exp: 0, hi: 0, lo: 0 };

export function normalize(a: F80): void {
  let exp = a.se & 0x7fff;
  let hi = a.hi;
  let lo = a.lo;
  if (exp === 0) {
    exp = 1;
    const n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    if (n >= 32) {
      hi = lo << (n - 32);
      lo = 0;
    } else if (n > 0) {
      hi = (hi << n) | (lo >>> (32 - n));
      lo = lo << n;
    }
    exp -= n;
  }
  N.exp = exp;
  N.hi = hi >>> 0;
  N.lo = lo >>> 0;
}

export function setIndefiniteIE(ctx: FpContext, out: F80): F80 {
  ctx.flags |= FLAG_IE;
  out.se = INDEFINITE_SE;
  out.hi = INDEFINITE_HI;
  out.lo = 0;
  return out;
}

/** out = a with the quiet bit set (and IE when a was signalling). */
export function quietNaN(ctx: FpContext, out: F80, a: F80): F80 {
  if ((a.hi & 0x40000000) === 0) ctx.flags |= FLAG_IE;
  out.se = a.se;
  out.hi = (a.hi | 0x40000000) >>> 0;
  out.lo = a.lo;
  return out;
}

/** Two-operand NaN result: a QNaN beats an SNaN, otherwise the larger significand wins and on a
 *  tie the positive one (SDM vol. 1 table 4-7). IE when either operand is signalling. */
export function propagateNaN(ctx: FpContext, out: F80, a: F80, b: F80): F80 {
  const aNaN = isNaN80(a);
  const bNaN = isNaN80(b);
  const aS = aNaN && (a.hi & 0x40000000) === 0;
  const bS = bNaN && (b.hi & 0x40000000) === 0;
  if (aS || bS) ctx.flags |= FLAG_IE;
  let pick: F80;
  if (!aNaN) pick = b;
  else if (!bNaN) pick = a;
  else if (aS !== bS) pick = aS ? b : a;
  else {
    const ah = a.hi & 0x7fffffff;
    const bh = b.hi & 0x7fffffff;
    if (ah !== bh) pick = ah > bh ? a : b;
    else if (a.lo !== b.lo) pick = a.lo > b.lo ? a : b;
    else pick = a.se <= b.se ? a : b;
  }
  out.se = pick.se;
  out.hi = (pick.hi | 0x40000000) >>> 0;
  out.lo = pick.lo;
  return out;
}
