// FMUL family: exact 64x64 -> 128-bit significand product on 16-bit pieces, then one rounding
// to the precision control (SDM vol. 1 8.3.5).
import {
  N,
  expOf,
  isDenormal80,
  isNaN80,
  isUnsupported,
  normalize,
  propagateNaN,
  setIndefiniteIE,
} from "./classify";
import { roundPackX87 } from "./round";
import { FLAG_DE, type F80, type FpContext } from "./types";
import { W, mul32 } from "./wide";

const TWO32 = 0x100000000;

/** The 128-bit product of the last `mul64` call, most significant word first. */
export const P = { w3: 0, w2: 0, w1: 0, w0: 0 };

export function mul64(ah: number, al: number, bh: number, bl: number): void {
  mul32(al, bl);
  const p0h = W.hi;
  P.w0 = W.lo;
  mul32(al, bh);
  const p1h = W.hi;
  const p1l = W.lo;
  mul32(ah, bl);
  const p2h = W.hi;
  const p2l = W.lo;
  mul32(ah, bh);
  const t1 = p0h + p1l + p2l;
  const c1 = Math.floor(t1 / TWO32);
  P.w1 = t1 - c1 * TWO32;
  const t2 = p1h + p2h + W.lo + c1;
  const c2 = Math.floor(t2 / TWO32);
  P.w2 = t2 - c2 * TWO32;
  P.w3 = W.hi + c2;
}

/** out = a * b. `out` may alias a or b. */
export function f80Mul(ctx: FpContext, out: F80, a: F80, b: F80): F80 {
  if (isUnsupported(a) || isUnsupported(b)) return setIndefiniteIE(ctx, out);
  const aExp = expOf(a);
  const bExp = expOf(b);
  const neg = ((a.se ^ b.se) & 0x8000) !== 0;
  if (aExp === 0x7fff || bExp === 0x7fff) {
    if (isNaN80(a) || isNaN80(b)) return propagateNaN(ctx, out, a, b);
    const other = aExp === 0x7fff ? b : a;
    if (expOf(other) === 0 && other.hi === 0 && other.lo === 0) return setIndefiniteIE(ctx, out);
    if (isDenormal80(other)) ctx.flags |= FLAG_DE;
    out.se = (neg ? 0x8000 : 0) | 0x7fff;
    out.hi = 0x80000000;
    out.lo = 0;
    return out;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  if ((a.hi === 0 && a.lo === 0) || (b.hi === 0 && b.lo === 0)) {
    out.se = neg ? 0x8000 : 0;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  normalize(a);
  const ae = N.exp;
  const ah = N.hi;
  const al = N.lo;
  normalize(b);
  mul64(ah, al, N.hi, N.lo);
  const sticky = P.w0 !== 0 ? 1 : 0;
  return roundPackX87(ctx, out, neg, ae + N.exp - 0x3ffe, P.w3, P.w2, (P.w1 | sticky) >>> 0);
}
