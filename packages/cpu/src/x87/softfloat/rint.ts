// FRNDINT: round to an integral value with the rounding control (SDM vol. 2 FRNDINT; precision
// control does not apply). PE and C1 report an inexact result and its direction.
import {
  N,
  expOf,
  isDenormal80,
  isNaN80,
  isUnsupported,
  normalize,
  quietNaN,
  setIndefiniteIE,
} from "./classify";
import { intRoundUp, wasInexact } from "./round";
import { FLAG_DE, FLAG_PE, type F80, type FpContext } from "./types";
import { W, shiftLeft, shiftRightJam } from "./wide";

const TWO32 = 0x100000000;

export function f80RoundInt(ctx: FpContext, out: F80, a: F80): F80 {
  if (isUnsupported(a)) return setIndefiniteIE(ctx, out);
  const exp = expOf(a);
  if (exp === 0x7fff) return isNaN80(a) ? quietNaN(ctx, out, a) : out.copy(a);
  if (a.hi === 0 && a.lo === 0) return out.copy(a);
  if (isDenormal80(a)) ctx.flags |= FLAG_DE;
  if (exp >= 0x3fff + 63) return out.copy(a);
  const neg = (a.se & 0x8000) !== 0;
  normalize(a);
  shiftRightJam(N.hi, N.lo, 0, 0x3fff + 63 - N.exp);
  let hi = W.hi;
  let lo = W.lo;
  const up = intRoundUp(neg, ctx.rc, lo, W.x);
  if (wasInexact()) {
    ctx.flags |= FLAG_PE;
    if (up) ctx.c1 = 1;
  }
  if (up) {
    lo += 1;
    if (lo >= TWO32) {
      lo = 0;
      hi += 1;
    }
  }
  const sign = neg ? 0x8000 : 0;
  if (hi === 0 && lo === 0) {
    out.se = sign;
    out.hi = 0;
    out.lo = 0;
    return out;
  }
  const n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  shiftLeft(hi, lo, 0, n);
  out.se = sign | (0x3fff + 63 - n);
  out.hi = W.hi;
  out.lo = W.lo;
  return out;
}
