// Scalar SSE/SSE2 floating-point element operations on bit images (single: one u32; double:
// hi/lo u32 halves), exact for every MXCSR rounding mode, with DAZ/FTZ and the MXCSR flags
// (SDM vol. 1 11.5, 4.8, 4.9; vol. 2 pages of ADDPS...CVTPD2PS). The arithmetic reuses the x87
// soft-float core with the exponent range narrowed to single/double (so denormal and overflow
// results are IEEE-exact), after the SSE NaN rules (the first operand's NaN wins, quieted; an
// invalid operation gives the negative QNaN "indefinite").
//
// Each call ORs its exception flags into `FP.flags`; the handler starts a group with `fpBegin`,
// and finally merges or raises (#XM) from FP.flags. Double results come back in FP.hi/FP.lo.
import { f80Add } from "../x87/softfloat/add";
import {
  M,
  f80FromF32,
  f80FromF64,
  f80FromInt32,
  f80ToF32,
  f80ToF64,
  f80ToInt,
} from "../x87/softfloat/convert";
import * as dd from "../x87/softfloat/dd";
import { f80Div } from "../x87/softfloat/div";
import { f80Mul } from "../x87/softfloat/mul";
import { F32_EMAX, F32_EMIN, F64_EMAX, F64_EMIN } from "../x87/softfloat/round";
import { f80Sqrt } from "../x87/softfloat/sqrt";
import {
  F80,
  FLAG_DE,
  FLAG_IE,
  FLAG_PE,
  FLAG_UE,
  FLAG_ZE,
  FpContext,
  PC_24,
  PC_53,
  PC_64,
} from "../x87/softfloat/types";
import { MXCSR_DAZ, MXCSR_FZ } from "./state";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

export const FP = { flags: 0, mxcsr: 0, hi: 0, lo: 0 };

const ctx = new FpContext();
const A = new F80();
const B = new F80();
const R = new F80();

export const FOP_ADD = 0;
export const FOP_SUB = 1;
export const FOP_MUL = 2;
export const FOP_DIV = 3;
export const FOP_MIN = 4;
export const FOP_MAX = 5;
export const FOP_SQRT = 6;

/** Starts an instruction: MXCSR gives the rounding mode, masks, DAZ and FZ. */
export function fpBegin(mxcsr: number): void {
  FP.flags = 0;
  FP.mxcsr = mxcsr;
}

function begin(pc: number, single: boolean): FpContext {
  const m = FP.mxcsr;
  // The masked responses always: unmasked exceptions only decide whether the handler faults
  // (the flags are then the masked ones, e.g. OE with PE; host-observed).
  ctx.begin((m >>> 13) & 3, pc, 0x3f);
  if (pc === PC_24) {
    ctx.emin = single ? F32_EMIN : 1;
    ctx.emax = single ? F32_EMAX : 0x7ffe;
  } else if (pc === PC_53) {
    ctx.emin = F64_EMIN;
    ctx.emax = F64_EMAX;
  }
  ctx.wrap = false;
  return ctx;
}

// ---- single precision ----

function isNaN32(x: number): boolean {
  return (x & 0x7fffffff) > 0x7f800000;
}
function isSNaN32(x: number): boolean {
  return isNaN32(x) && (x & 0x400000) === 0;
}
function isDen32(x: number): boolean {
  return (x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0;
}
/** DAZ: a denormal operand reads as a zero of its sign. */
function daz32(x: number): number {
  return (FP.mxcsr & MXCSR_DAZ) !== 0 && isDen32(x) ? x & 0x80000000 : x;
}

/** Packs an F80 result rounded to single precision/range by the core into a single image. */
function pack32(r: F80): number {
  const sign = r.se & 0x8000 ? 0x80000000 : 0;
  const e = r.se & 0x7fff;
  if (e === 0x7fff)
    return (r.hi & 0x7fffffff) !== 0 ? (sign | 0x7fc00000) >>> 0 : (sign | 0x7f800000) >>> 0;
  if (e === 0) return (sign | (r.hi >>> 8)) >>> 0;
  return (sign | ((e - 0x3fff + 127) << 23) | ((r.hi >>> 8) & 0x7fffff)) >>> 0;
}

/** FTZ: a tiny result (underflow, or a denormal) with UE masked becomes zero with UE and PE. */
function ftz32(x: number): number {
  if ((FP.mxcsr & (FLAG_UE << 7)) === 0 && isDen32(x)) ctx.flags |= FLAG_UE; // unmasked: tiny
  if ((FP.mxcsr & MXCSR_FZ) === 0 || (FP.mxcsr & (FLAG_UE << 7)) === 0) return x;
  if (isDen32(x) || ((ctx.flags & FLAG_UE) !== 0 && (x & 0x7fffffff) === 0)) {
    ctx.flags |= FLAG_UE | FLAG_PE;
    return x & 0x80000000;
  }
  return x;
}

/** The SSE NaN result of a two-operand operation with a NaN operand (IE for an SNaN). */
function nan32(a: number, b: number): number {
  if (isSNaN32(a) || isSNaN32(b)) FP.flags |= FLAG_IE;
  return (isNaN32(a) ? a | 0x400000 : b | 0x400000) >>> 0;
}

// ---- fast paths: round to nearest, normal operands and a normal result ----
// Single: the exact result of +, -, * of two singles fits a double when their exponents differ
// by at most 29 (products always), and rounding the double quotient/square root to single is
// innocuous (53 >= 2 * 24 + 2), so Math.fround gives the IEEE single result; exactness (PE) is
// checked exactly in double. Double: error-free transformations (TwoSum, Dekker's product)
// decide PE. Anything else (other rounding modes, zeros, denormals, NaNs, infinities, results
// near the underflow or overflow thresholds) takes the soft-float path.

const FAST = { bits: 0 };
const FV = new Float64Array(2);
const FU = new Uint32Array(FV.buffer);
const TWO_M126 = 2 ** -126;
const F32_MAX = 3.4028234663852886e38;

function f32val(bits: number): number {
  F32[0] = 0;
  U32[0] = bits;
  return F32[0];
}

function fast32(kind: number, a: number, b: number): boolean {
  const ea = (a >>> 23) & 0xff;
  const eb = (b >>> 23) & 0xff;
  if (eb === 0 || eb === 0xff) return false;
  if (kind !== FOP_SQRT && (ea === 0 || ea === 0xff)) return false;
  const y = f32val(b);
  let r: number;
  let inexact: boolean;
  if (kind === FOP_SQRT) {
    if (y < 0) return false;
    r = Math.fround(Math.sqrt(y));
    inexact = r * r !== y;
  } else {
    const x = f32val(a);
    if (kind === FOP_MUL) {
      const p = x * y;
      r = Math.fround(p);
      inexact = r !== p;
    } else if (kind === FOP_DIV) {
      r = Math.fround(x / y);
      inexact = r * y !== x;
    } else {
      const sum = kind === FOP_ADD ? x + y : x - y;
      r = Math.fround(sum);
      inexact = r !== sum || Math.abs(ea - eb) > 29;
    }
  }
  const m = Math.abs(r);
  if (
    m > F32_MAX ||
    (m <= TWO_M126 && r !== 0) ||
    (r === 0 && kind !== FOP_ADD && kind !== FOP_SUB)
  )
    return false;
  F32[0] = r;
  FAST.bits = U32[0]!;
  if (inexact) FP.flags |= FLAG_PE;
  return true;
}

const LO = 2 ** -900;
const HI = 2 ** 900;
function inRange(v: number): boolean {
  const m = Math.abs(v);
  return m >= LO && m <= HI;
}

function fast64(kind: number, ah: number, al: number, bh: number, bl: number): boolean {
  const ea = (ah >>> 20) & 0x7ff;
  const eb = (bh >>> 20) & 0x7ff;
  if (eb === 0 || eb === 0x7ff) return false;
  if (kind !== FOP_SQRT && (ea === 0 || ea === 0x7ff)) return false;
  FU[0] = al;
  FU[1] = ah;
  FU[2] = bl;
  FU[3] = bh;
  const x = FV[0]!;
  const y = FV[1]!;
  let r: number;
  let inexact: boolean;
  if (kind === FOP_ADD || kind === FOP_SUB) {
    const yy = kind === FOP_ADD ? y : -y;
    r = x + yy;
    const bb = r - x;
    inexact = x - (r - bb) + (yy - bb) !== 0;
    const m = Math.abs(r);
    if (m === Infinity || (m < 2 ** -1021 && r !== 0)) return false;
  } else if (kind === FOP_MUL) {
    if (!inRange(x) || !inRange(y)) return false;
    r = x * y;
    if (!inRange(r)) return false;
    dd.twoProd(x, y);
    inexact = dd.L !== 0;
  } else if (kind === FOP_DIV) {
    if (!inRange(x) || !inRange(y)) return false;
    r = x / y;
    if (!inRange(r)) return false;
    dd.twoProd(r, y);
    inexact = dd.H !== x || dd.L !== 0;
  } else {
    if (y < 0 || !inRange(y)) return false;
    r = Math.sqrt(y);
    dd.twoProd(r, r);
    inexact = dd.H !== y || dd.L !== 0;
  }
  FV[0] = r;
  FP.lo = FU[0]!;
  FP.hi = FU[1]!;
  if (inexact) FP.flags |= FLAG_PE;
  return true;
}

/** An element with an invalid operation or a division by zero does not also report its denormal
 *  operand (host behaviour: DIVPS denormal/0 gives ZE alone, SQRTPS of -denormal IE alone). */
function dropDe(f: number): number {
  return (f & (FLAG_IE | FLAG_ZE)) !== 0 ? f & ~FLAG_DE : f;
}

/** ADD/SUB/MUL/DIV/MIN/MAX/SQRT single: a op b (SQRT uses b only, a is ignored). */
export function op32(kind: number, a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  if ((FP.mxcsr & 0x6000) === 0 && kind <= FOP_DIV && fast32(kind, a, b)) return FAST.bits;
  a = daz32(a);
  b = daz32(b);
  if (kind === FOP_MIN || kind === FOP_MAX) return minmax32(kind, a, b);
  if (kind === FOP_SQRT) {
    if (isNaN32(b)) return nan32(b, b);
  } else if (isNaN32(a) || isNaN32(b)) return nan32(a, b);
  const c = begin(PC_24, true);
  f80FromF32(c, B, b);
  if (kind === FOP_SQRT) f80Sqrt(c, R, B);
  else {
    f80FromF32(c, A, a);
    if (kind === FOP_ADD) f80Add(c, R, A, B, false);
    else if (kind === FOP_SUB) f80Add(c, R, A, B, true);
    else if (kind === FOP_MUL) f80Mul(c, R, A, B);
    else f80Div(c, R, A, B);
  }
  const r = ftz32(pack32(R));
  FP.flags |= dropDe(c.flags);
  return r;
}

function num32(x: number): number {
  const sign = x >>> 31 !== 0 ? -1 : 1;
  const e = (x >>> 23) & 0xff;
  const f = x & 0x7fffff;
  if (e === 0) return sign * f * 2 ** -149;
  if (e === 0xff) return sign * Infinity;
  return sign * (f + 0x800000) * 2 ** (e - 150);
}

function minmax32(kind: number, a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) {
    FP.flags |= FLAG_IE;
    return b;
  }
  if (isDen32(a) || isDen32(b)) FP.flags |= FLAG_DE;
  const x = num32(a);
  const y = num32(b);
  if (kind === FOP_MIN) return x < y ? a : b;
  return x > y ? a : b;
}

/** CMPPS/CMPSS predicate 0-7: all ones or zero. */
export function cmp32(pred: number, a: number, b: number): number {
  a = daz32(a >>> 0);
  b = daz32(b >>> 0);
  const unord = isNaN32(a) || isNaN32(b);
  if (unord) {
    const signalling = (pred & 3) === 1 || (pred & 3) === 2;
    if (signalling || isSNaN32(a) || isSNaN32(b)) FP.flags |= FLAG_IE;
  } else if (isDen32(a) || isDen32(b)) FP.flags |= FLAG_DE;
  return cmpResult(pred, unord, unord ? 0 : num32(a), unord ? 0 : num32(b));
}

function cmpResult(pred: number, unord: boolean, x: number, y: number): number {
  let t: boolean;
  switch (pred & 3) {
    case 0:
      t = !unord && x === y;
      break;
    case 1:
      t = !unord && x < y;
      break;
    case 2:
      t = !unord && x <= y;
      break;
    default:
      t = unord;
  }
  if (pred & 4) t = !t;
  return t ? 0xffffffff : 0;
}

/** COMISS (`signalQuiet`) / UCOMISS: EFLAGS ZF/PF/CF bits (0x40/0x04/0x01). */
export function comi32(a: number, b: number, signalQuiet: boolean): number {
  a = daz32(a >>> 0);
  b = daz32(b >>> 0);
  if (isNaN32(a) || isNaN32(b)) {
    if (signalQuiet || isSNaN32(a) || isSNaN32(b)) FP.flags |= FLAG_IE;
    return 0x45;
  }
  if (isDen32(a) || isDen32(b)) FP.flags |= FLAG_DE;
  const x = num32(a);
  const y = num32(b);
  return x === y ? 0x40 : x < y ? 0x01 : 0;
}

// ---- double precision (operands as hi/lo halves) ----

function isNaN64(h: number, l: number): boolean {
  const m = h & 0x7fffffff;
  return m > 0x7ff00000 || (m === 0x7ff00000 && l !== 0);
}
function isSNaN64(h: number, l: number): boolean {
  return isNaN64(h, l) && (h & 0x80000) === 0;
}
function isDen64(h: number, l: number): boolean {
  return (h & 0x7ff00000) === 0 && ((h & 0xfffff) !== 0 || l !== 0);
}
function num64(h: number, l: number): number {
  const sign = h >>> 31 !== 0 ? -1 : 1;
  const e = (h >>> 20) & 0x7ff;
  const f = (h & 0xfffff) * 4294967296 + (l >>> 0);
  if (e === 0) return sign * f * 2 ** -1074;
  if (e === 0x7ff) return sign * Infinity;
  return sign * (f + 4503599627370496) * 2 ** (e - 1075);
}

function setD(h: number, l: number): void {
  FP.hi = h >>> 0;
  FP.lo = l >>> 0;
}

function pack64(r: F80): void {
  const sign = r.se & 0x8000 ? 0x80000000 : 0;
  const e = r.se & 0x7fff;
  const fl = ((r.hi << 21) | (r.lo >>> 11)) >>> 0;
  if (e === 0x7fff) {
    if ((r.hi & 0x7fffffff) !== 0 || r.lo !== 0) setD(sign | 0x7ff80000, 0);
    else setD(sign | 0x7ff00000, 0);
  } else if (e === 0) setD(sign | (r.hi >>> 11), fl);
  else setD(sign | ((e - 0x3fff + 1023) << 20) | ((r.hi >>> 11) & 0xfffff), fl);
}

function ftz64(): void {
  if ((FP.mxcsr & (FLAG_UE << 7)) === 0 && isDen64(FP.hi, FP.lo)) ctx.flags |= FLAG_UE;
  if ((FP.mxcsr & MXCSR_FZ) === 0 || (FP.mxcsr & (FLAG_UE << 7)) === 0) return;
  const h = FP.hi;
  const l = FP.lo;
  if (isDen64(h, l) || ((ctx.flags & FLAG_UE) !== 0 && (h & 0x7fffffff) === 0 && l === 0)) {
    ctx.flags |= FLAG_UE | FLAG_PE;
    setD(h & 0x80000000, 0);
  }
}

/** Double operand after DAZ, in DA/DB. */
const DA = { h: 0, l: 0 };
const DB = { h: 0, l: 0 };
function load64(o: { h: number; l: number }, h: number, l: number): void {
  h >>>= 0;
  l >>>= 0;
  if ((FP.mxcsr & MXCSR_DAZ) !== 0 && isDen64(h, l)) {
    o.h = h & 0x80000000;
    o.l = 0;
  } else {
    o.h = h;
    o.l = l;
  }
}

function nan64(): void {
  if (isSNaN64(DA.h, DA.l) || isSNaN64(DB.h, DB.l)) FP.flags |= FLAG_IE;
  if (isNaN64(DA.h, DA.l)) setD(DA.h | 0x80000, DA.l);
  else setD(DB.h | 0x80000, DB.l);
}

/** Double a op b into FP.hi/FP.lo. */
export function op64(kind: number, ah: number, al: number, bh: number, bl: number): void {
  if (
    (FP.mxcsr & 0x6000) === 0 &&
    kind !== FOP_MIN &&
    kind !== FOP_MAX &&
    fast64(kind, ah, al, bh, bl)
  )
    return;
  load64(DA, ah, al);
  load64(DB, bh, bl);
  if (kind === FOP_MIN || kind === FOP_MAX) {
    if (isNaN64(DA.h, DA.l) || isNaN64(DB.h, DB.l)) {
      FP.flags |= FLAG_IE;
      setD(DB.h, DB.l);
      return;
    }
    if (isDen64(DA.h, DA.l) || isDen64(DB.h, DB.l)) FP.flags |= FLAG_DE;
    const x = num64(DA.h, DA.l);
    const y = num64(DB.h, DB.l);
    const pickA = kind === FOP_MIN ? x < y : x > y;
    if (pickA) setD(DA.h, DA.l);
    else setD(DB.h, DB.l);
    return;
  }
  if (kind === FOP_SQRT) {
    if (isNaN64(DB.h, DB.l)) {
      DA.h = DB.h;
      DA.l = DB.l;
      nan64();
      return;
    }
  } else if (isNaN64(DA.h, DA.l) || isNaN64(DB.h, DB.l)) {
    nan64();
    return;
  }
  const c = begin(PC_53, false);
  f80FromF64(c, B, DB.h, DB.l);
  if (kind === FOP_SQRT) f80Sqrt(c, R, B);
  else {
    f80FromF64(c, A, DA.h, DA.l);
    if (kind === FOP_ADD) f80Add(c, R, A, B, false);
    else if (kind === FOP_SUB) f80Add(c, R, A, B, true);
    else if (kind === FOP_MUL) f80Mul(c, R, A, B);
    else f80Div(c, R, A, B);
  }
  pack64(R);
  ftz64();
  FP.flags |= dropDe(c.flags);
}

export function cmp64(pred: number, ah: number, al: number, bh: number, bl: number): number {
  load64(DA, ah, al);
  load64(DB, bh, bl);
  const unord = isNaN64(DA.h, DA.l) || isNaN64(DB.h, DB.l);
  if (unord) {
    const signalling = (pred & 3) === 1 || (pred & 3) === 2;
    if (signalling || isSNaN64(DA.h, DA.l) || isSNaN64(DB.h, DB.l)) FP.flags |= FLAG_IE;
  } else if (isDen64(DA.h, DA.l) || isDen64(DB.h, DB.l)) FP.flags |= FLAG_DE;
  return cmpResult(pred, unord, unord ? 0 : num64(DA.h, DA.l), unord ? 0 : num64(DB.h, DB.l));
}

export function comi64(
  ah: number,
  al: number,
  bh: number,
  bl: number,
  signalQuiet: boolean,
): number {
  load64(DA, ah, al);
  load64(DB, bh, bl);
  if (isNaN64(DA.h, DA.l) || isNaN64(DB.h, DB.l)) {
    if (signalQuiet || isSNaN64(DA.h, DA.l) || isSNaN64(DB.h, DB.l)) FP.flags |= FLAG_IE;
    return 0x45;
  }
  if (isDen64(DA.h, DA.l) || isDen64(DB.h, DB.l)) FP.flags |= FLAG_DE;
  const x = num64(DA.h, DA.l);
  const y = num64(DB.h, DB.l);
  return x === y ? 0x40 : x < y ? 0x01 : 0;
}

// ---- conversions ----

/** CVTSS2SD/CVTPS2PD: exact widening (SNaN quieted with IE, DE for a denormal). */
export function f32ToF64(a: number): void {
  a = daz32(a >>> 0);
  const c = begin(PC_64, false);
  f80FromF32(c, A, a);
  f80ToF64(c, A);
  setD(M.hi, M.lo);
  FP.flags |= c.flags;
}

/** CVTSD2SS/CVTPD2PS: rounding per MXCSR, FTZ on the result. */
export function f64ToF32(h: number, l: number): number {
  load64(DA, h, l);
  const c = begin(PC_64, false);
  f80FromF64(c, A, DA.h, DA.l);
  f80ToF32(c, A);
  const r = ftz32(M.lo >>> 0);
  FP.flags |= c.flags;
  return r;
}

/** CVTSI2SS/CVTDQ2PS/CVTPI2PS: int32 to single, rounding per MXCSR. */
export function i32ToF32(v: number): number {
  const c = begin(PC_64, false);
  f80FromInt32(A, v | 0);
  f80ToF32(c, A);
  FP.flags |= c.flags;
  return M.lo >>> 0;
}

/** CVTSI2SD/CVTDQ2PD/CVTPI2PD: exact. */
export function i32ToF64(v: number): void {
  const c = begin(PC_64, false);
  f80FromInt32(A, v | 0);
  f80ToF64(c, A);
  setD(M.hi, M.lo);
}

/** CVT(T)SS2SI/CVT(T)PS2DQ/CVT(T)PS2PI: single to int32 (0x80000000 and IE when out of range). */
export function f32ToI32(a: number, truncate: boolean): number {
  a = daz32(a >>> 0);
  const c = begin(PC_64, false);
  f80FromF32(c, A, a);
  c.flags &= ~FLAG_DE;
  f80ToInt(c, A, 32, truncate);
  FP.flags |= c.flags;
  return M.lo >>> 0;
}

export function f64ToI32(h: number, l: number, truncate: boolean): number {
  load64(DA, h, l);
  const c = begin(PC_64, false);
  f80FromF64(c, A, DA.h, DA.l);
  c.flags &= ~FLAG_DE;
  f80ToInt(c, A, 32, truncate);
  FP.flags |= c.flags;
  return M.lo >>> 0;
}

/** RCPPS/RCPSS and RSQRTPS/RSQRTSS: approximations (hardware tables are model-specific); we
 *  return the correctly rounded single of 1/x and 1/sqrt(x), within the SDM's 1.5 * 2^-12.
 *  No MXCSR flags (SDM: no exceptions); denormal inputs count as zero, tiny results flush. */
export function recip32(a: number, sqrt: boolean): number {
  a >>>= 0;
  if (isNaN32(a)) return (a | 0x400000) >>> 0;
  const sign = a & 0x80000000;
  if ((a & 0x7f800000) === 0) return (sign | 0x7f800000) >>> 0; // +-0 and denormals -> +-inf
  if (sqrt && sign !== 0) return 0xffc00000;
  const x = num32(a);
  const r = Math.fround(sqrt ? 1 / Math.sqrt(x) : 1 / x);
  F32[0] = r;
  let v = U32[0]!;
  if (isDen32(v)) v &= 0x80000000;
  return v >>> 0;
}

export { FLAG_DE, FLAG_IE, FLAG_ZE };
