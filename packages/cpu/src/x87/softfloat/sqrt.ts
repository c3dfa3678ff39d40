// FSQRT: correctly rounded square root (SDM vol. 1 8.3.5). The 66-bit integer square root uses
// BigInt: FSQRT is rare in guest code and this keeps the digit recurrence simple (the cost is
// measured in the README).
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
import { roundPackX87 } from "./round";
import { FLAG_DE, type F80, type FpContext } from "./types";

function isqrt(v: bigint): bigint {
  // Newton iteration from an over-estimate; v < 2^132.
  let x = 1n << BigInt((v.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + v / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function f80Sqrt(ctx: FpContext, out: F80, a: F80): F80 {
  if (isUnsupported(a)) return setIndefiniteIE(ctx, out);
  const exp = expOf(a);
  const neg = (a.se & 0x8000) !== 0;
  if (exp === 0x7fff) {
    if (isNaN80(a)) return quietNaN(ctx, out, a);
    if (neg) return setIndefiniteIE(ctx, out);
    return out.copy(a);
  }
  if (a.hi === 0 && a.lo === 0) return out.copy(a);
  if (neg) return setIndefiniteIE(ctx, out);
  if (isDenormal80(a)) ctx.flags |= FLAG_DE;
  normalize(a);
  let e = N.exp - 0x3fff;
  let m = (BigInt(N.hi) << 32n) | BigInt(N.lo);
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  const v = m << 67n;
  const r = isqrt(v);
  const sticky = r * r !== v ? 1 : 0;
  const hi = Number(r >> 34n);
  const lo = Number((r >> 2n) & 0xffffffffn);
  const x = ((Number(r & 3n) << 30) | sticky) >>> 0;
  return roundPackX87(ctx, out, false, (e >> 1) + 0x3fff, hi, lo, x);
}
