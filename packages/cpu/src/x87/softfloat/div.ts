// FDIV family: restoring long division producing 64 quotient bits, two guard bits and a sticky
// bit from the remainder, then one rounding (SDM vol. 1 8.3.5; x/0 raises ZE, 0/0 and inf/inf IE).
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
import { FLAG_DE, FLAG_ZE, type F80, type FpContext } from "./types";

const TWO32 = 0x100000000;

/** Quotient of the last `div64` call: 64 bits in qh:ql, guard bits and sticky in qx. */
export const Q = { qh: 0, ql: 0, qx: 0 };

/** Divides the 65-bit value (top:rh:rl) by dh:dl (bit 63 set) where (top:rh:rl) < 2 * d. */
export function div64(
  top: number,
  rh: number,
  rl: number,
  dh: number,
  dl: number,
  bits: number,
): void {
  let qh = 0;
  let ql = 0;
  let qx = 0;
  for (let i = 0; i < bits; i++) {
    const ge = top !== 0 || rh > dh || (rh === dh && rl >= dl);
    if (ge) {
      let l = rl - dl;
      let borrow = 0;
      if (l < 0) {
        l += TWO32;
        borrow = 1;
      }
      let h = rh - dh - borrow;
      if (h < 0) h += TWO32;
      rh = h;
      rl = l;
      if (i < 32) qh |= 1 << (31 - i);
      else if (i < 64) ql |= 1 << (63 - i);
      else qx |= 1 << (95 - i);
    }
    top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = (rl << 1) >>> 0;
  }
  Q.qh = qh >>> 0;
  Q.ql = ql >>> 0;
  Q.qx = (qx | (top !== 0 || rh !== 0 || rl !== 0 ? 1 : 0)) >>> 0;
}

/** out = a / b. `out` may alias a or b. */
export function f80Div(ctx: FpContext, out: F80, a: F80, b: F80): F80 {
  if (isUnsupported(a) || isUnsupported(b)) return setIndefiniteIE(ctx, out);
  const aExp = expOf(a);
  const bExp = expOf(b);
  const neg = ((a.se ^ b.se) & 0x8000) !== 0;
  const sign = neg ? 0x8000 : 0;
  if (aExp === 0x7fff || bExp === 0x7fff) {
    if (isNaN80(a) || isNaN80(b)) return propagateNaN(ctx, out, a, b);
    if (aExp === 0x7fff && bExp === 0x7fff) return setIndefiniteIE(ctx, out);
    if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
    out.se = aExp === 0x7fff ? sign | 0x7fff : sign;
    out.hi = aExp === 0x7fff ? 0x80000000 : 0;
    out.lo = 0;
    return out;
  }
  const aZero = a.hi === 0 && a.lo === 0;
  const bZero = b.hi === 0 && b.lo === 0;
  if (bZero) {
    // x/0 reports ZE only: the host never adds DE for a denormal dividend here.
    if (aZero) return setIndefiniteIE(ctx, out);
    ctx.flags |= FLAG_ZE;
    out.se = sign | 0x7fff;
    out.hi = 0x80000000;
    out.lo = 0;
    return out;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  if (aZero) {
    out.se = sign;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  normalize(a);
  let exp = N.exp;
  let top = 0;
  let rh = N.hi;
  let rl = N.lo;
  normalize(b);
  exp = exp - N.exp + 0x3fff;
  if (rh < N.hi || (rh === N.hi && rl < N.lo)) {
    top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = (rl << 1) >>> 0;
    exp -= 1;
  }
  div64(top, rh, rl, N.hi, N.lo, 66);
  return roundPackX87(ctx, out, neg, exp, Q.qh, Q.ql, Q.qx);
}
