// FADD/FSUB family: IEEE addition on 80-bit operands, rounded to the precision control
// (SDM vol. 1 8.3.5; special cases per table 8-x "FADD/FADDP/FIADD results").
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
import { normRoundPack, roundPackX87 } from "./round";
import { FLAG_DE, RC_DOWN, type F80, type FpContext } from "./types";
import { W, cmp64, shiftRightJam } from "./wide";

const TWO32 = 0x100000000;

/** out = a + b, or a - b when `subtract`. `out` may alias a or b. */
export function f80Add(ctx: FpContext, out: F80, a: F80, b: F80, subtract: boolean): F80 {
  if (isUnsupported(a) || isUnsupported(b)) return setIndefiniteIE(ctx, out);
  const aExp = expOf(a);
  const bExp = expOf(b);
  const aNeg = (a.se & 0x8000) !== 0;
  const bNeg = ((b.se & 0x8000) !== 0) !== subtract;
  if (aExp === 0x7fff || bExp === 0x7fff) {
    if (isNaN80(a) || isNaN80(b)) return propagateNaN(ctx, out, a, b);
    if (aExp === 0x7fff && bExp === 0x7fff) {
      if (aNeg !== bNeg) return setIndefiniteIE(ctx, out);
    } else if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
    out.se = aExp === 0x7fff ? a.se : (bNeg ? 0x8000 : 0) | 0x7fff;
    out.hi = 0x80000000;
    out.lo = 0;
    return out;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  const aZero = aExp === 0 && a.hi === 0 && a.lo === 0;
  const bZero = bExp === 0 && b.hi === 0 && b.lo === 0;
  if (aZero && bZero) {
    const neg = aNeg === bNeg ? aNeg : ctx.rc === RC_DOWN;
    out.se = neg ? 0x8000 : 0;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  if (bZero) {
    normalize(a);
    return roundPackX87(ctx, out, aNeg, N.exp, N.hi, N.lo, 0);
  }
  if (aZero) {
    normalize(b);
    return roundPackX87(ctx, out, bNeg, N.exp, N.hi, N.lo, 0);
  }
  normalize(a);
  let xe = N.exp;
  let xh = N.hi;
  let xl = N.lo;
  let xn = aNeg;
  normalize(b);
  let ye = N.exp;
  let yh = N.hi;
  let yl = N.lo;
  let yn = bNeg;
  // Make x the operand of larger magnitude.
  if (xe < ye || (xe === ye && cmp64(xh, xl, yh, yl) < 0)) {
    const te = xe,
      th = xh,
      tl = xl,
      tn = xn;
    xe = ye;
    xh = yh;
    xl = yl;
    xn = yn;
    ye = te;
    yh = th;
    yl = tl;
    yn = tn;
  }
  shiftRightJam(yh, yl, 0, xe - ye);
  if (xn === yn) {
    let lo = xl + W.lo;
    let c = 0;
    if (lo >= TWO32) {
      lo -= TWO32;
      c = 1;
    }
    let hi = xh + W.hi + c;
    let x = W.x;
    if (hi >= TWO32) {
      // Carry out of bit 63: shift right one, keeping the lost bit sticky.
      hi -= TWO32;
      x = (((lo & 1) << 31) | (x >>> 1) | (x & 1)) >>> 0;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = ((hi >>> 1) | 0x80000000) >>> 0;
      xe += 1;
    }
    return roundPackX87(ctx, out, xn, xe, hi, lo, x);
  }
  // Magnitude subtraction x - y >= 0 over 96 bits.
  let x = 0 - W.x;
  let borrow = 0;
  if (x < 0) {
    x += TWO32;
    borrow = 1;
  }
  let lo = xl - W.lo - borrow;
  borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  const hi = xh - W.hi - borrow;
  if (hi === 0 && lo === 0 && x === 0) {
    // Exact cancellation: +0, or -0 when rounding down (SDM vol. 1 4.8.3.3 / table 8-x).
    out.se = ctx.rc === RC_DOWN ? 0x8000 : 0;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  return normRoundPack(
    ctx,
    out,
    xn,
    xe,
    hi,
    lo,
    x,
    ctx.precisionBits,
    ctx.emin,
    ctx.emax,
    ctx.wrap,
  );
}
