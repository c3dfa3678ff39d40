// FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 (SDM vol. 2 pages of each). Special
// operands (NaN, infinities, zeros, out-of-range for the trigonometric ones, domain errors) follow
// the SDM tables. Finite results are evaluated in double-double arithmetic (dd.ts, ~104 bits)
// on the operands' exact 64-bit significands, with the binary exponent kept apart so no
// intermediate leaves the host double's range, and rounded once to 64 bits under the rounding
// control (precision control does not apply, SDM vol. 1 8.1.5.2). The trigonometric ones reduce
// their operand by pi/2 as the hardware does, with its 66-bit approximation of pi (SDM vol. 1
// 8.3.10), so their results near multiples of pi/2 match the hardware's rather than the exact
// function's. Agreement with real hardware is measured in src/x87/README.md.
import {
  N,
  expOf,
  isDenormal80,
  isInf80,
  isNaN80,
  isUnsupported,
  normalize,
  propagateNaN,
  quietNaN,
  setIndefiniteIE,
} from "./classify";
import { M, f80FromF64, f80ToF64 } from "./convert";
import * as dd from "./dd";
import { F80_EMAX, F80_EMIN, normRoundPack } from "./round";
import { FLAG_DE, FLAG_PE, FLAG_ZE, RC_NEAREST, type F80, type FpContext } from "./types";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian host: [lo, hi]

/** The operand rounded to a host double (only to classify special operands). */
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

// ---- exact operands and the one rounding ----

const TWO_M63 = 2 ** -63;
/** Below this binary exponent an operand is too small to scale into a host double: the
 *  functions use their first-order term instead (the next one is 2^-900 smaller). */
const TINY_EXP = -900;

/** A finite non-zero operand as significand (U.h + U.l, in [1, 2), exact) * 2^U.e. */
const U = { h: 0, l: 0, e: 0 };
function unpack(a: F80): void {
  normalize(a);
  U.h = (N.hi * 0x100000000 + ((N.lo & 0xfffff800) >>> 0)) * TWO_M63;
  U.l = (N.lo & 0x7ff) * TWO_M63;
  U.e = N.exp - 0x3fff;
}

const TWO32 = 0x100000000;

/**
 * Rounds (h + l) * 2^e2 to the 80-bit format under the rounding control (h > 0, |l| <= ulp(h)
 * / 2; the sign is `neg`) and writes it to `out`: overflow, underflow, PE and C1 as any x87
 * result (round.ts). The sum is formed exactly in three 32-bit words, h's 53 bits at the top
 * and l added in units of 2^-43 of h's last bit; l's bits below those go into the sticky bit.
 */
function pack(ctx: FpContext, out: F80, neg: boolean, h: number, l: number, e2: number): F80 {
  if (h < 2 ** -900) {
    h *= 2 ** 200;
    l *= 2 ** 200;
    e2 -= 200;
  }
  f64[0] = h;
  const hw = u32[1] ?? 0;
  const lw = u32[0] ?? 0;
  const eh = ((hw >>> 20) & 0x7ff) - 1075; // h = significand * 2^eh
  // l in units of 2^(eh - 43): |t| < 2^42, its integer part into the low words
  const t = l * 2 ** (43 - eh);
  const ti = Math.floor(t);
  const q = Math.floor(ti / TWO32);
  const w0 = ti - q * TWO32;
  let w1 = ((lw << 11) >>> 0) + q;
  let w2 = ((hw & 0xfffff) | 0x100000) * 2048 + (lw >>> 21);
  if (w1 >= TWO32) {
    w1 -= TWO32;
    w2 += 1;
  } else if (w1 < 0) {
    w1 += TWO32;
    w2 -= 1;
  }
  const sticky = t !== ti ? 1 : 0;
  return normRoundPack(
    ctx,
    out,
    neg,
    eh + 53 + e2 + 0x3ffe,
    w2,
    w1,
    (w0 | sticky) >>> 0,
    64,
    F80_EMIN,
    F80_EMAX,
    true,
  );
}

/** Rounds the signed double-double h + l (times 2^e2), h non-zero. */
function packSigned(ctx: FpContext, out: F80, h: number, l: number, e2: number): F80 {
  return h < 0 ? pack(ctx, out, true, -h, -l, e2) : pack(ctx, out, false, h, l, e2);
}

// ---- constants and series coefficients (double-double) ----

const PI_H = 3.141592653589793;
const PI_L = 1.2246467991473532e-16;
const LN2_H = 0.6931471805599453;
const LN2_L = 2.3190468138462996e-17;
dd.div(1, 0, LN2_H, LN2_L);
const LOG2E_H = dd.H;
const LOG2E_L = dd.L;

/** 1 / (2n + 1), 1 / n! and 1 / n as double-doubles. */
const INV_ODD_H: number[] = [];
const INV_ODD_L: number[] = [];
const INV_FACT_H: number[] = [1];
const INV_FACT_L: number[] = [0];
const INV_H: number[] = [0];
const INV_L: number[] = [0];
for (let n = 0; n < 24; n++) {
  dd.div(1, 0, 2 * n + 1, 0);
  INV_ODD_H.push(dd.H);
  INV_ODD_L.push(dd.L);
  if (n > 0) {
    dd.div(1, 0, n, 0);
    INV_H.push(dd.H);
    INV_L.push(dd.L);
    dd.div(INV_FACT_H[n - 1] ?? 0, INV_FACT_L[n - 1] ?? 0, n, 0);
    INV_FACT_H.push(dd.H);
    INV_FACT_L.push(dd.L);
  }
}

/**
 * The 66-bit pi of the hardware's argument reduction, as an integer scaled by 2^64 (the exact
 * pi's first 66 bits, 0xC90FDAA22168C234C4C6... rounded: the next bit is 0).
 */
const PI66 = (0xc90fdaa22168c234n << 2n) | 3n;

// ---- the functions on double-doubles (results in dd.H, dd.L) ----

/** e^t - 1 for |t| <= 1: halve t until it is below 2^-8, the series, then double back. */
function expm1(th: number, tl: number): void {
  let k = 0;
  while (Math.abs(th) > 1 / 256) {
    th /= 2;
    tl /= 2;
    k++;
  }
  // e^u - 1 = u (1 + u/2 (1 + u/3 (1 + ...))); 12 terms reach 2^-105 for |u| <= 2^-8.
  let qh = 1;
  let ql = 0;
  for (let n = 12; n >= 2; n--) {
    dd.mul(qh, ql, th, tl);
    dd.mul(dd.H, dd.L, INV_H[n] ?? 0, INV_L[n] ?? 0);
    dd.add(1, 0, dd.H, dd.L);
    qh = dd.H;
    ql = dd.L;
  }
  dd.mul(th, tl, qh, ql);
  // e^2u - 1 = (e^u - 1)(e^u - 1 + 2)
  for (; k > 0; k--) {
    const eh = dd.H;
    const el = dd.L;
    dd.add(eh, el, 2, 0);
    dd.mul(eh, el, dd.H, dd.L);
  }
}

/** 2 atanh(s) = ln((1 + s) / (1 - s)) for |s| <= 0.172 (20 terms of the odd series). */
function twoAtanh(sh: number, sl: number): void {
  dd.mul(sh, sl, sh, sl);
  const s2h = dd.H;
  const s2l = dd.L;
  let qh = INV_ODD_H[20] ?? 0;
  let ql = INV_ODD_L[20] ?? 0;
  for (let n = 19; n >= 0; n--) {
    dd.mul(qh, ql, s2h, s2l);
    dd.add(INV_ODD_H[n] ?? 0, INV_ODD_L[n] ?? 0, dd.H, dd.L);
    qh = dd.H;
    ql = dd.L;
  }
  dd.mul(sh, sl, qh, ql);
  dd.scale(dd.H, dd.L, 2);
}

/** log2(m * 2^e) for m in [1, 2) (exact double-double). */
function log2(mh: number, ml: number, e: number): void {
  if (mh > Math.SQRT2) {
    mh /= 2;
    ml /= 2;
    e++;
  }
  dd.add(mh, ml, 1, 0);
  const dh = dd.H;
  const dl = dd.L;
  dd.sub(mh, ml, 1, 0);
  dd.div(dd.H, dd.L, dh, dl);
  twoAtanh(dd.H, dd.L);
  dd.mul(dd.H, dd.L, LOG2E_H, LOG2E_L);
  if (e !== 0) dd.add(e, 0, dd.H, dd.L);
}

/** atan(z) for 0 <= z <= 1: halve the angle while z > 1/16, then 14 terms of the series. */
function atan(zh: number, zl: number): void {
  let k = 0;
  while (zh > 1 / 16) {
    // tan(a/2) = z / (1 + sqrt(1 + z^2))
    dd.mul(zh, zl, zh, zl);
    dd.add(dd.H, dd.L, 1, 0);
    dd.sqrt(dd.H, dd.L);
    dd.add(dd.H, dd.L, 1, 0);
    dd.div(zh, zl, dd.H, dd.L);
    zh = dd.H;
    zl = dd.L;
    k++;
  }
  dd.mul(zh, zl, zh, zl);
  const z2h = dd.H;
  const z2l = dd.L;
  let qh = -(INV_ODD_H[13] ?? 0);
  let ql = -(INV_ODD_L[13] ?? 0);
  for (let n = 12; n >= 0; n--) {
    dd.mul(qh, ql, z2h, z2l);
    const sign = n & 1 ? -1 : 1;
    dd.add(sign * (INV_ODD_H[n] ?? 0), sign * (INV_ODD_L[n] ?? 0), dd.H, dd.L);
    qh = dd.H;
    ql = dd.L;
  }
  dd.mul(zh, zl, qh, ql);
  dd.scale(dd.H, dd.L, 2 ** k);
}

/** sin(r) and cos(r) for |r| <= pi/4 into SIN/COS: the series at r/8, then three doublings. */
const SC = { sh: 0, sl: 0, ch: 0, cl: 0 };
function sinCos(rh: number, rl: number): void {
  rh /= 8;
  rl /= 8;
  dd.mul(rh, rl, rh, rl);
  const r2h = dd.H;
  const r2l = dd.L;
  // sin r = r (1 - r^2/3! + r^4/5! ...), cos r = 1 - r^2/2! + ...: 10 terms each.
  let sh = INV_FACT_H[19] ?? 0;
  let sl = INV_FACT_L[19] ?? 0;
  let ch = INV_FACT_H[18] ?? 0;
  let cl = INV_FACT_L[18] ?? 0;
  // Horner: q_n = c_n - r^2 q_(n+1).
  for (let n = 8; n >= 0; n--) {
    dd.mul(sh, sl, r2h, r2l);
    dd.sub(INV_FACT_H[2 * n + 1] ?? 0, INV_FACT_L[2 * n + 1] ?? 0, dd.H, dd.L);
    sh = dd.H;
    sl = dd.L;
    dd.mul(ch, cl, r2h, r2l);
    dd.sub(INV_FACT_H[2 * n] ?? 0, INV_FACT_L[2 * n] ?? 0, dd.H, dd.L);
    ch = dd.H;
    cl = dd.L;
  }
  dd.mul(sh, sl, rh, rl);
  sh = dd.H;
  sl = dd.L;
  for (let k = 0; k < 3; k++) {
    // sin 2a = 2 sin a cos a, cos 2a = 1 - 2 sin^2 a (cos a >= 0.92 here: no cancellation)
    dd.mul(sh, sl, sh, sl);
    dd.sub(1, 0, 2 * dd.H, 2 * dd.L);
    const nh = dd.H;
    const nl = dd.L;
    dd.mul(sh, sl, ch, cl);
    sh = 2 * dd.H;
    sl = 2 * dd.L;
    ch = nh;
    cl = nl;
  }
  SC.sh = sh;
  SC.sl = sl;
  SC.ch = ch;
  SC.cl = cl;
}

// ---- the instructions ----

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
  const neg = (a.se & 0x8000) !== 0;
  unpack(a);
  if (U.e < TINY_EXP) {
    // sin x = x - x^3/6, tan x = x + x^3/3, cos x = 1 - x^2/2: only the side of the rounding
    // is left of the second term.
    if (fn === TRIG_COS) return pack(ctx, out, false, 1, -(2 ** -200), 0);
    const side = fn === TRIG_SIN ? -(2 ** -200) : 2 ** -200;
    return pack(ctx, out, neg, U.h, U.h * side, U.e);
  }
  let quadrant = 0;
  let rh = U.h * 2 ** U.e;
  let rl = U.l * 2 ** U.e;
  if (rh > PI_H / 4) {
    // r = |x| - k * pi66/2 exactly, with integers scaled by 2^65 (pi66/2 = PI66 * 2^-65).
    const xs = ((BigInt(N.hi) << 32n) | BigInt(N.lo)) << BigInt(U.e + 2);
    const k = (xs + (PI66 >> 1n)) / PI66;
    const r = xs - k * PI66;
    quadrant = Number(k & 3n);
    const h = Number(r);
    rh = h * 2 ** -65;
    rl = Number(r - BigInt(h)) * 2 ** -65;
  }
  sinCos(rh, rl);
  let sh = SC.sh;
  let sl = SC.sl;
  let ch = SC.ch;
  let cl = SC.cl;
  if (quadrant & 1) {
    const th = sh;
    const tl = sl;
    sh = ch;
    sl = cl;
    ch = -th;
    cl = -tl;
  }
  if (quadrant & 2) {
    sh = -sh;
    sl = -sl;
    ch = -ch;
    cl = -cl;
  }
  if (neg) {
    sh = -sh;
    sl = -sl;
  }
  if (fn === TRIG_COS) return packSigned(ctx, out, ch, cl, 0);
  if (fn === TRIG_SIN) return packSigned(ctx, out, sh, sl, 0);
  dd.div(sh, sl, ch, cl);
  return packSigned(ctx, out, dd.H, dd.L, 0);
}

/** FPATAN: out = arctan(y / x) with the quadrant of (x, y). */
export function f80Atan(ctx: FpContext, out: F80, y: F80, x: F80): F80 {
  if (isUnsupported(x) || isUnsupported(y)) return setIndefiniteIE(ctx, out);
  if (isNaN80(x) || isNaN80(y)) return propagateNaN(ctx, out, y, x);
  if (isDenormal80(x) || isDenormal80(y)) ctx.flags |= FLAG_DE;
  const yNeg = (y.se & 0x8000) !== 0;
  const xNeg = (x.se & 0x8000) !== 0;
  if (isZero(x) || isZero(y) || isInf80(x) || isInf80(y)) {
    // Exact multiples of pi/4 (C99 atan2's table, which the SDM's FPATAN table matches).
    const r = Math.atan2(toDouble(ctx, y), toDouble(ctx, x));
    if (r === 0) return out.set(y.se & 0x8000, 0, 0);
    const quarters = Math.round(Math.abs(r) / (PI_H / 4));
    return pack(ctx, out, yNeg, (PI_H / 4) * quarters, (PI_L / 4) * quarters, 0);
  }
  unpack(y);
  const yh = U.h;
  const yl = U.l;
  const ye = U.e;
  unpack(x);
  const steep = ye > U.e || (ye === U.e && (yh > U.h || (yh === U.h && yl > U.l)));
  // z = min(|x|, |y|) / max(|x|, |y|) <= 1
  if (steep) dd.div(U.h, U.l, yh, yl);
  else dd.div(yh, yl, U.h, U.l);
  const d = steep ? U.e - ye : ye - U.e;
  if (d < TINY_EXP && !steep && !xNeg) return pack(ctx, out, yNeg, dd.H, dd.L, d); // atan z = z
  const scale = 2 ** Math.max(d, TINY_EXP);
  atan(dd.H * scale, dd.L * scale);
  if (steep) dd.sub(PI_H / 2, PI_L / 2, dd.H, dd.L);
  if (xNeg) dd.sub(PI_H, PI_L, dd.H, dd.L);
  return pack(ctx, out, yNeg, dd.H, dd.L, 0);
}

/** F2XM1: 2^a - 1 for -1 <= a <= 1 (outside that range the SDM leaves the result undefined). */
export function f80F2xm1(ctx: FpContext, out: F80, a: F80): F80 {
  if (special(ctx, out, a, false)) {
    if (isInf80(a)) return (a.se & 0x8000) !== 0 ? out.set(0xbfff, 0x80000000, 0) : out.copy(a);
    return out;
  }
  if (isZero(a)) return out.copy(a);
  const neg = (a.se & 0x8000) !== 0;
  unpack(a);
  if (U.e === 0 && U.h === 1 && U.l === 0) {
    return neg ? out.set(0xbffe, 0x80000000, 0) : out.set(0x3fff, 0x80000000, 0); // exact
  }
  if (U.e < TINY_EXP) {
    // 2^a - 1 = a ln 2 (1 + a ln 2 / 2 ...)
    dd.mul(U.h, U.l, LN2_H, LN2_L);
    return pack(ctx, out, neg, dd.H, dd.L, U.e);
  }
  const scale = neg ? -(2 ** U.e) : 2 ** U.e;
  dd.mul(U.h * scale, U.l * scale, LN2_H, LN2_L);
  expm1(dd.H, dd.L);
  return packSigned(ctx, out, dd.H, dd.L, 0);
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
  if (isInf80(x) || isInf80(y)) {
    const r = yv * Math.log2(xv);
    if (r === 0) return out.set(xv < 1 ? (y.se & 0x8000) ^ 0x8000 : y.se & 0x8000, 0, 0);
    return fromDouble(ctx, out, r);
  }
  const yNeg = (y.se & 0x8000) !== 0;
  unpack(x);
  if (isZero(y) || (U.e === 0 && U.h === 1 && U.l === 0)) {
    return out.set(U.e < 0 ? (y.se & 0x8000) ^ 0x8000 : y.se & 0x8000, 0, 0);
  }
  log2(U.h, U.l, U.e);
  const lh = dd.H;
  const ll = dd.L;
  unpack(y);
  dd.mul(U.h, U.l, lh < 0 ? -lh : lh, lh < 0 ? -ll : ll);
  return pack(ctx, out, yNeg !== lh < 0, dd.H, dd.L, U.e);
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
  if (isInf80(x) || isInf80(y)) {
    const r = toDouble(ctx, y) * (Math.log1p(toDouble(ctx, x)) / Math.LN2);
    return fromDouble(ctx, out, r);
  }
  const neg = ((x.se ^ y.se) & 0x8000) !== 0;
  unpack(x);
  let e2 = 0;
  if (U.e < TINY_EXP) {
    // log2(1 + x) = x log2(e) (1 - x/2 ...)
    dd.mul(U.h, U.l, LOG2E_H, LOG2E_L);
    e2 = U.e;
  } else {
    const scale = 2 ** U.e;
    const xh = (x.se & 0x8000 ? -U.h : U.h) * scale;
    const xl = (x.se & 0x8000 ? -U.l : U.l) * scale;
    // ln(1 + x) = 2 atanh(x / (2 + x))
    dd.add(2, 0, xh, xl);
    dd.div(xh, xl, dd.H, dd.L);
    twoAtanh(dd.H, dd.L);
    dd.mul(dd.H < 0 ? -dd.H : dd.H, dd.H < 0 ? -dd.L : dd.L, LOG2E_H, LOG2E_L);
  }
  const lh = dd.H;
  const ll = dd.L;
  unpack(y);
  dd.mul(U.h, U.l, lh, ll);
  return pack(ctx, out, neg, dd.H, dd.L, U.e + e2);
}
