// FBLD / FBSTP packed BCD (SDM vol. 1 4.7 figure 4-x: 18 digits in bytes 0-8, low digit in the
// low nibble of byte 0, sign in bit 7 of byte 9; vol. 2 FBLD/FBSTP). Images are three fields:
// `lo` = bytes 0-3, `hi` = bytes 4-7, `top` = bytes 8-9 (little-endian u16).
import { N, expOf, isUnsupported, normalize } from "./classify";
import { f80FromInt64 } from "./convert";
import { intRoundUp, wasInexact } from "./round";
import { FLAG_IE, FLAG_PE, type F80, type FpContext } from "./types";
import { W, mul32, shiftRightJam } from "./wide";

const TWO32 = 0x100000000;
const E9 = 1000000000;

/** Result of `f80ToBcd`. */
export const BCD = { lo: 0, hi: 0, top: 0 };

function digits(word: number, count: number): number {
  let v = 0;
  for (let i = count - 1; i >= 0; i--) v = v * 10 + ((word >>> (4 * i)) & 0xf);
  return v;
}

/** FBLD: exact conversion (invalid digit nibbles are undefined by the SDM; here weighted as is). */
export function f80FromBcd(out: F80, lo: number, hi: number, top: number): F80 {
  // digits 0-7 in lo, 8-15 in hi, 16-17 in top's low byte
  const low9 = digits(lo, 8) + (hi & 0xf) * 1e8;
  const high9 = digits(hi >>> 4, 7) + (top & 0xf) * 1e7 + ((top >>> 4) & 0xf) * 1e8;
  mul32(high9, E9);
  let l = W.lo + low9;
  let h = W.hi;
  if (l >= TWO32) {
    l -= TWO32;
    h += 1;
  }
  f80FromInt64(out, h, l);
  if ((top & 0x8000) !== 0) out.se |= 0x8000;
  return out;
}

/** FBSTP: rounds with the rounding control; out of range, NaN, infinity → IE and BCD indefinite. */
export function f80ToBcd(ctx: FpContext, a: F80): void {
  const neg = (a.se & 0x8000) !== 0;
  const exp = expOf(a);
  if (isUnsupported(a) || exp === 0x7fff) return bcdIndefinite(ctx);
  let hi = 0;
  let lo = 0;
  if (a.hi !== 0 || a.lo !== 0) {
    normalize(a);
    const e = N.exp - 0x3fff;
    if (e >= 60) return bcdIndefinite(ctx); // >= 2^60 > 10^18 - 1
    shiftRightJam(N.hi, N.lo, 0, 63 - e);
    hi = W.hi;
    lo = W.lo;
    const up = intRoundUp(neg, ctx.rc, lo, W.x);
    const inexact = wasInexact();
    if (up) {
      lo += 1;
      if (lo >= TWO32) {
        lo = 0;
        hi += 1;
      }
    }
    // 10^18 = 0x0DE0B6B3_A7640000
    if (hi > 0x0de0b6b3 || (hi === 0x0de0b6b3 && lo >= 0xa7640000)) return bcdIndefinite(ctx);
    if (inexact) {
      ctx.flags |= FLAG_PE;
      if (up) ctx.c1 = 1;
    }
  }
  // Split by 10^9 with 16-bit steps so every intermediate stays exact in a double.
  let r = hi;
  let q = 0;
  r = r * 0x10000 + (lo >>> 16);
  q = Math.floor(r / E9);
  r %= E9;
  r = r * 0x10000 + (lo & 0xffff);
  q = q * 0x10000 + Math.floor(r / E9);
  r %= E9;
  let outLo = 0;
  let outHi = 0;
  let outTop = 0;
  for (let i = 0; i < 9; i++) {
    const d = r % 10;
    r = Math.floor(r / 10);
    if (i < 8) outLo += d * 2 ** (4 * i);
    else outHi += d;
  }
  for (let i = 9; i < 18; i++) {
    const d = q % 10;
    q = Math.floor(q / 10);
    if (i < 16) outHi += d * 2 ** (4 * (i - 8));
    else outTop |= d << (4 * (i - 16));
  }
  BCD.lo = outLo >>> 0;
  BCD.hi = outHi >>> 0;
  BCD.top = outTop | (neg ? 0x8000 : 0);
}

function bcdIndefinite(ctx: FpContext): void {
  ctx.flags |= FLAG_IE;
  // BCD indefinite: bytes 9..7 = FF FF C0, the rest zero (SDM vol. 1 table 4-x).
  BCD.top = 0xffff;
  BCD.hi = 0xc0000000;
  BCD.lo = 0;
}
