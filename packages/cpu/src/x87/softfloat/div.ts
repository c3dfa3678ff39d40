// FDIV family: radix-2^16 long division producing 81 quotient bits and a sticky bit from the
// remainder, then one rounding (SDM vol. 1 8.3.5; x/0 raises ZE, 0/0 and inf/inf IE).
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

/**
 * Divides the 65-bit value A = (top:rh:rl) by D = dh:dl (bit 63 set), D <= A < 2D: the quotient
 * 1.xxx gets its leading 1 and then five radix-2^16 digits (schoolbook long division, Knuth
 * vol. 2 4.3.1): each digit is estimated in double precision (off by at most one), the partial
 * remainder is updated exactly on 32-bit words held in doubles, and the digit corrected.
 */
export function div64(top: number, rh: number, rl: number, dh: number, dl: number): void {
  // r = A - D (fits in 64 bits because A < 2D)
  let l = rl - dl;
  let borrow = 0;
  if (l < 0) {
    l += TWO32;
    borrow = 1;
  }
  rh = rh - dh - borrow + top * TWO32;
  rl = l;
  const dD = dh * TWO32 + dl;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  let g4 = 0;
  let g5 = 0;
  for (let k = 0; k < 5; k++) {
    // r <<= 16: r2 holds bits 64-79
    const r2 = Math.floor(rh / 0x10000);
    const r1 = (rh % 0x10000) * 0x10000 + Math.floor(rl / 0x10000);
    const r0 = (rl % 0x10000) * 0x10000;
    let qd = Math.floor((r2 * 18446744073709551616 + r1 * TWO32 + r0) / dD);
    if (qd > 0xffff) qd = 0xffff;
    const p0 = qd * dl;
    const p1 = qd * dh;
    let w0 = r0 - (p0 % TWO32);
    let c = Math.floor(w0 / TWO32);
    w0 -= c * TWO32;
    let w1 = r1 - (p1 % TWO32) - Math.floor(p0 / TWO32) + c;
    c = Math.floor(w1 / TWO32);
    w1 -= c * TWO32;
    let w2 = r2 - Math.floor(p1 / TWO32) + c;
    while (w2 < 0) {
      // estimate one too large: add D back
      qd -= 1;
      w0 += dl;
      c = w0 >= TWO32 ? 1 : 0;
      w0 -= c * TWO32;
      w1 += dh + c;
      c = w1 >= TWO32 ? 1 : 0;
      w1 -= c * TWO32;
      w2 += c;
    }
    while (w2 > 0 || w1 > dh || (w1 === dh && w0 >= dl)) {
      // estimate one too small: subtract D
      qd += 1;
      w0 -= dl;
      c = w0 < 0 ? 1 : 0;
      w0 += c * TWO32;
      w1 -= dh + c;
      c = w1 < 0 ? 1 : 0;
      w1 += c * TWO32;
      w2 -= c;
    }
    rh = w1;
    rl = w0;
    if (k === 0) g1 = qd;
    else if (k === 1) g2 = qd;
    else if (k === 2) g3 = qd;
    else if (k === 3) g4 = qd;
    else g5 = qd;
  }
  Q.qh = (0x80000000 | (g1 << 15) | (g2 >>> 1)) >>> 0;
  Q.ql = (((g2 & 1) << 31) | (g3 << 15) | (g4 >>> 1)) >>> 0;
  Q.qx = (((g4 & 1) << 31) | (g5 << 15) | (rh !== 0 || rl !== 0 ? 1 : 0)) >>> 0;
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
  div64(top, rh, rl, N.hi, N.lo);
  return roundPackX87(ctx, out, neg, exp, Q.qh, Q.ql, Q.qx);
}
