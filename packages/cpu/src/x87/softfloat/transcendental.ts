// FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 (SDM vol. 2 pages of each). Special
// operands (NaN, infinities, zeros, out-of-range for the trigonometric ones, domain errors) follow
// the SDM tables exactly; finite results are computed in double precision with the host's Math
// functions and widened, so they agree with real hardware to about 53 bits rather than 64 (the
// measured agreement is in src/x87/README.md). PE is set for every inexact-by-construction result.
import {
  expOf,
  isDenormal80,
  isInf80,
  isNaN80,
  isUnsupported,
  propagateNaN,
  quietNaN,
  setIndefiniteIE,
} from "./classify";
import { M, f80FromF64, f80ToF64 } from "./convert";
import { FLAG_DE, FLAG_PE, FLAG_ZE, RC_NEAREST, type F80, type FpContext } from "./types";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian host: [lo, hi]

function toDouble(ctx: FpContext, a: F80): number {
  const rc = ctx.rc;
  const flags = ctx.flags;
  const c1 = ctx.c1;
  ctx.rc = RC_NEAREST;
  f80ToF64(ctx, a);
  ctx.rc = rc;
  ctx.flags = flags;
  ctx.c1 = c1;
  u32[0] = M.lo;
  u32[1] = M.hi;
  return f64[0] ?? 0;
}

function fromDouble(ctx: FpContext, out: F80, v: number): F80 {
  f64[0] = v;
  const flags = ctx.flags;
  f80FromF64(ctx, out, u32[1] ?? 0, u32[0] ?? 0);
  ctx.flags = flags | FLAG_PE;
  return out;
}

function isZero(a: F80): boolean {
  return expOf(a) === 0 && a.hi === 0 && a.lo === 0;
}

/** Common prologue of the one-operand functions: returns true when `out` is already final. */
function special(ctx: FpContext, out: F80, a: F80, infInvalid: boolean): boolean {
  if (isUnsupported(a)) return (setIndefiniteIE(ctx, out), true);
  if (isNaN80(a)) return (quietNaN(ctx, out, a), true);
  if (isInf80(a)) {
    if (infInvalid) setIndefiniteIE(ctx, out);
    return true;
  }
  if (isDenormal80(a)) ctx.flags |= FLAG_DE;
  return false;
}

/** |a| >= 2^63: the trigonometric instructions leave the operand alone and set C2. */
export function trigOutOfRange(a: F80): boolean {
  return expOf(a) >= 0x3fff + 63 && expOf(a) !== 0x7fff;
}

export const TRIG_SIN = 0;
export const TRIG_COS = 1;
export const TRIG_TAN = 2;

/** FSIN/FCOS/FPTAN result for an in-range operand (callers test `trigOutOfRange` first). */
export function f80Trig(ctx: FpContext, out: F80, a: F80, fn: number): F80 {
  if (special(ctx, out, a, true)) return out;
  if (isZero(a)) {
    if (fn === TRIG_COS) return out.set(0x3fff, 0x80000000, 0);
    return out.copy(a); // sin(±0) = tan(±0) = ±0, exact
  }
  const x = toDouble(ctx, a);
  return fromDouble(
    ctx,
    out,
    fn === TRIG_SIN ? Math.sin(x) : fn === TRIG_COS ? Math.cos(x) : Math.tan(x),
  );
}

/** FPATAN: out = arctan(y / x) with the quadrant of (x, y). */
export function f80Atan(ctx: FpContext, out: F80, y: F80, x: F80): F80 {
  if (isUnsupported(x) || isUnsupported(y)) return setIndefiniteIE(ctx, out);
  if (isNaN80(x) || isNaN80(y)) return propagateNaN(ctx, out, y, x);
  if (isDenormal80(x) || isDenormal80(y)) ctx.flags |= FLAG_DE;
  const r = Math.atan2(toDouble(ctx, y), toDouble(ctx, x));
  if (r === 0) return out.set(y.se & 0x8000, 0, 0);
  return fromDouble(ctx, out, r);
}

/** F2XM1: 2^a - 1 for -1 <= a <= 1 (outside that range the SDM leaves the result undefined). */
export function f80F2xm1(ctx: FpContext, out: F80, a: F80): F80 {
  if (special(ctx, out, a, false)) {
    if (isInf80(a)) return (a.se & 0x8000) !== 0 ? out.set(0xbfff, 0x80000000, 0) : out.copy(a);
    return out;
  }
  if (isZero(a)) return out.copy(a);
  return fromDouble(ctx, out, Math.expm1(toDouble(ctx, a) * Math.LN2));
}

/** FYL2X: out = y * log2(x). */
export function f80Yl2x(ctx: FpContext, out: F80, x: F80, y: F80): F80 {
  if (isUnsupported(x) || isUnsupported(y)) return setIndefiniteIE(ctx, out);
  if (isNaN80(x) || isNaN80(y)) return propagateNaN(ctx, out, x, y);
  if (isDenormal80(x) || isDenormal80(y)) ctx.flags |= FLAG_DE;
  const xv = toDouble(ctx, x);
  const yv = toDouble(ctx, y);
  if (xv < 0 || (x.se & 0x8000 && !isZero(x))) return setIndefiniteIE(ctx, out);
  if (isZero(x)) {
    if (isZero(y)) return setIndefiniteIE(ctx, out);
    if (!isInf80(y)) ctx.flags |= FLAG_ZE;
    return out.set(((y.se & 0x8000) ^ 0x8000) | 0x7fff, 0x80000000, 0);
  }
  if (xv === 1 && isInf80(y)) return setIndefiniteIE(ctx, out);
  const r = yv * Math.log2(xv);
  if (r === 0) return out.set(xv < 1 ? (y.se & 0x8000) ^ 0x8000 : y.se & 0x8000, 0, 0);
  return fromDouble(ctx, out, r);
}

/** FYL2XP1: out = y * log2(x + 1) for |x| < 1 - sqrt(2)/2. */
export function f80Yl2xp1(ctx: FpContext, out: F80, x: F80, y: F80): F80 {
  if (isUnsupported(x) || isUnsupported(y)) return setIndefiniteIE(ctx, out);
  if (isNaN80(x) || isNaN80(y)) return propagateNaN(ctx, out, x, y);
  if (isDenormal80(x) || isDenormal80(y)) ctx.flags |= FLAG_DE;
  if (isZero(x) || isZero(y)) {
    if (isInf80(y) || isInf80(x)) return setIndefiniteIE(ctx, out);
    return out.set((x.se ^ y.se) & 0x8000, 0, 0);
  }
  const r = toDouble(ctx, y) * (Math.log1p(toDouble(ctx, x)) / Math.LN2);
  return fromDouble(ctx, out, r);
}
