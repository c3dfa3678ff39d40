// Shared integer semantics with exact flags (SDM vol. 2 instruction pages; undefined flags as
// the native oracle records them on Intel P6-and-later cores). Used by the interpreter handlers
// and, later, by the recompiler. `top` is the sign-bit number: 7, 15 or 31. Operands come in
// zero-extended (8/16) or as int32 (32); results are returned the same way.
import { CpuException, Vector } from "./exceptions";
import { type CpuState } from "./state/cpu-state";
import { AF, CF, LazyOp, OF, PF, SF, ZF } from "./state/flags";

/** Operand mask for a sign-bit number. */
export function maskOf(top: number): number {
  return top === 31 ? -1 : (1 << (top + 1)) - 1;
}

function wrap(v: number, top: number): number {
  return top === 31 ? v | 0 : v & ((1 << (top + 1)) - 1);
}

// The sums and differences below are taken as `((x | 0) + (y | 0)) | 0`: with int32 inputs and a
// truncating use right there, V8 adds in 32 bits with no overflow check. A plain `a + b` (or one
// truncated only inside `wrap`, which V8 may not inline) overflows int32 as soon as a guest sums
// two large values, and from that deoptimization on V8 adds in float64 and converts back. The
// results are the same: `wrap` keeps only low bits, which wrapping first does not change.

export function add(s: CpuState, a: number, b: number, top: number): number {
  const r = wrap(((a | 0) + (b | 0)) | 0, top);
  s.setLazy(LazyOp.Add, a, b, r, top);
  return r;
}

export function adc(s: CpuState, a: number, b: number, top: number): number {
  const r = wrap(((((a | 0) + (b | 0)) | 0) + s.getCF()) | 0, top);
  s.setLazy(LazyOp.Add, a, b, r, top);
  return r;
}

export function sub(s: CpuState, a: number, b: number, top: number): number {
  const r = wrap(((a | 0) - (b | 0)) | 0, top);
  s.setLazy(LazyOp.Sub, a, b, r, top);
  return r;
}

export function sbb(s: CpuState, a: number, b: number, top: number): number {
  const r = wrap(((((a | 0) - (b | 0)) | 0) - s.getCF()) | 0, top);
  s.setLazy(LazyOp.Sub, a, b, r, top);
  return r;
}

/** AND/OR/XOR/TEST: CF=OF=0, SF/ZF/PF from the result, AF=0 (undefined; Intel clears it). */
export function logic(s: CpuState, r: number, top: number): number {
  s.setLogic(r, top, 0);
  return r;
}

/** BSWAP r32: the bytes of `v` reversed (no flags). */
export function bswap32(v: number): number {
  return (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** INC/DEC keep CF (SDM: "The CF flag is not affected"). */
export function inc(s: CpuState, a: number, top: number): number {
  const cf = s.getCF();
  const r = wrap(((a | 0) + 1) | 0, top);
  s.setLazy(LazyOp.Add, a, 1, r, top);
  s.flags = (s.flags & ~CF) | cf;
  s.lazyMask &= ~CF;
  return r;
}

export function dec(s: CpuState, a: number, top: number): number {
  const cf = s.getCF();
  const r = wrap(((a | 0) - 1) | 0, top);
  s.setLazy(LazyOp.Sub, a, 1, r, top);
  s.flags = (s.flags & ~CF) | cf;
  s.lazyMask &= ~CF;
  return r;
}

/** NEG is 0 - a: CF = (a != 0). */
export function neg(s: CpuState, a: number, top: number): number {
  const r = wrap((0 - (a | 0)) | 0, top);
  s.setLazy(LazyOp.Sub, 0, a, r, top);
  return r;
}

/**
 * Sets CF/OF/AF concretely and SF/ZF/PF lazily from `r`. AF is undefined for shifts; the host
 * (native oracle) sets it for every nonzero count.
 */
function shiftFlags(s: CpuState, r: number, top: number, cf: number, of: boolean): void {
  s.setLogic(r, top, cf | (of ? OF : 0) | AF);
}

function msb(v: number, top: number): number {
  return (v >>> top) & 1;
}

/** SHL/SAL. Count is masked to 5 bits; a zero count changes nothing. */
export function shl(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  const bits = top + 1;
  const r = count < 32 ? wrap(a << count, top) : 0;
  const cf = count <= bits ? (a >>> (bits - count)) & 1 : 0;
  shiftFlags(s, r, top, cf, (msb(r, top) ^ cf) !== 0);
  return r;
}

export function shr(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  const ua = top === 31 ? a >>> 0 : a;
  const r = wrap((ua >>> count) | 0, top);
  const cf = count <= top + 1 ? (ua >>> (count - 1)) & 1 : 0;
  // OF: the original sign for count 1 (SDM); for other counts (undefined) the host gives
  // the XOR of the result's two top bits, which is the same formula at count 1.
  shiftFlags(s, r, top, cf, (msb(r, top) ^ ((r >>> (top - 1)) & 1)) !== 0);
  return r;
}

export function sar(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  const sa = (a << (31 - top)) >> (31 - top); // sign-extend to 32 bits
  const r = wrap(sa >> Math.min(count, 31), top);
  const cf = (sa >> Math.min(count - 1, 31)) & 1;
  shiftFlags(s, r, top, cf, false);
  return r;
}

/** Changes only CF and OF: rotates leave SF/ZF/AF/PF alone. */
function rotFlags(s: CpuState, cf: number, of: number): void {
  s.materialize(CF | OF);
  s.flags = (s.flags & ~(CF | OF)) | cf | (of ? OF : 0);
}

export function rol(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  const bits = top + 1;
  const n = count % bits;
  const ua = top === 31 ? a >>> 0 : a;
  const r = n === 0 ? wrap(ua | 0, top) : wrap((ua << n) | (ua >>> (bits - n)), top);
  const cf = r & 1;
  rotFlags(s, cf, msb(r, top) ^ cf);
  return r;
}

export function ror(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  const bits = top + 1;
  const n = count % bits;
  const ua = top === 31 ? a >>> 0 : a;
  const r = n === 0 ? wrap(ua | 0, top) : wrap((ua >>> n) | (ua << (bits - n)), top);
  const cf = msb(r, top);
  rotFlags(s, cf, cf ^ ((r >>> (top - 1)) & 1));
  return r;
}

export function rcl(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  const bits = top + 1;
  const n = count % (bits + 1);
  if (count === 0) return a;
  let cf = s.getCF();
  let r = top === 31 ? a >>> 0 : a;
  for (let i = 0; i < n; i++) {
    const out = msb(r, top);
    r = wrap((r << 1) | cf, top);
    if (top === 31) r >>>= 0;
    cf = out;
  }
  r = wrap(r, top);
  rotFlags(s, cf, msb(r, top) ^ cf);
  return r;
}

export function rcr(s: CpuState, a: number, count: number, top: number): number {
  count &= 31;
  const bits = top + 1;
  const n = count % (bits + 1);
  if (count === 0) return a;
  let cf = s.getCF();
  let r = top === 31 ? a >>> 0 : a;
  // OF for count 1 is MSB(dest) XOR CF before the rotate (SDM RCR "Operation").
  let of = 0;
  for (let i = 0; i < n; i++) {
    const out = r & 1;
    r = (r >>> 1) | (cf << top);
    if (top === 31) r >>>= 0;
    cf = out;
  }
  r = wrap(r, top);
  of = msb(r, top) ^ ((r >>> (top - 1)) & 1);
  rotFlags(s, cf, of);
  return r;
}

/**
 * SHLD: `a` shifted left, filled from the top of `b`. Count masked to 5 bits. OF is defined for
 * count 1 only; the host gives MSB(result) XOR CF for every count (as for SHL). Counts 17-31 on
 * 16-bit operands are undefined; the host shifts the pattern b:b into the result.
 */
export function shld(s: CpuState, a: number, b: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  let r: number;
  let cf: number;
  if (top === 31) {
    r = (a << count) | (b >>> (32 - count));
    cf = (a >>> (32 - count)) & 1;
  } else if (count <= 16) {
    r = ((a << count) | (b >>> (16 - count))) & 0xffff;
    cf = (a >>> (16 - count)) & 1;
  } else {
    const x = ((b << 16) | b) >>> 0;
    r = (x >>> (32 - count)) & 0xffff;
    cf = (x >>> (48 - count)) & 1;
  }
  shiftFlags(s, r, top, cf, (msb(r, top) ^ cf) !== 0);
  return r;
}

/**
 * SHRD: `a` shifted right, filled from the bottom of `b`. OF: the host gives the XOR of the
 * result's two top bits (as for SHR). 16-bit counts 17-31: the host shifts b:b into the result.
 */
export function shrd(s: CpuState, a: number, b: number, count: number, top: number): number {
  count &= 31;
  if (count === 0) return a;
  let r: number;
  let cf: number;
  if (top === 31) {
    r = (a >>> count) | (b << (32 - count)) | 0;
    cf = (a >>> (count - 1)) & 1;
  } else if (count <= 16) {
    r = ((((b << 16) | a) >>> 0) >>> count) & 0xffff;
    cf = (a >>> (count - 1)) & 1;
  } else {
    const x = ((b << 16) | b) >>> 0;
    r = (x >>> (count - 16)) & 0xffff;
    cf = (x >>> (count - 17)) & 1;
  }
  shiftFlags(s, r, top, cf, (msb(r, top) ^ ((r >>> (top - 1)) & 1)) !== 0);
  return r;
}

// ---- multiply and divide ----
// MUL/IMUL: CF=OF=1 when the upper half is significant. SF/ZF/PF/AF are undefined; the host
// (native oracle) leaves them unchanged.

function mulFlags(s: CpuState, low: number, top: number, overflow: boolean): void {
  void low;
  void top;
  s.materialize(CF | OF);
  s.flags = (s.flags & ~(CF | OF)) | (overflow ? CF | OF : 0);
}

/** DIV/IDIV leave all six flags undefined; the host clears SF/ZF/PF, sets AF, keeps CF/OF. */
function divFlags(s: CpuState): void {
  s.materialize(ZF);
  s.flags = (s.flags & ~(SF | ZF | PF)) | AF;
}

/** 8-bit MUL: AX = AL * src. Returns the 16-bit product. */
export function mul8(s: CpuState, a: number, b: number): number {
  const p = a * b;
  mulFlags(s, p & 0xff, 7, p > 0xff);
  return p;
}
export function imul8(s: CpuState, a: number, b: number): number {
  const p = ((a << 24) >> 24) * ((b << 24) >> 24);
  mulFlags(s, p & 0xff, 7, p !== (p << 24) >> 24);
  return p & 0xffff;
}
export function mul16(s: CpuState, a: number, b: number): number {
  const p = a * b;
  mulFlags(s, p & 0xffff, 15, p > 0xffff);
  return p;
}
/** Signed 16x16; returns the 32-bit product as int32. */
export function imul16(s: CpuState, a: number, b: number): number {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16);
  mulFlags(s, p & 0xffff, 15, p !== (p << 16) >> 16);
  return p | 0;
}

/** High half of the last 32-bit multiply (avoids allocating a pair). */
export const mulHigh = { value: 0 };

/**
 * Unsigned 32x32 -> 64 product without BigInt: low half returned, high half in `mulHigh`. The
 * operands come as int32 bit patterns (read unsigned here), so no call boxes a number.
 */
function umul64(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const mid = a1 * b0 + (p00 >>> 16) + ((a0 * b1) & 0xffff) * 1;
  // mid < 2^33: exact; carry of the middle column into the high word.
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  mulHigh.value = (a1 * b1 + Math.floor(mid / 0x10000) + ((a0 * b1) >>> 16)) | 0;
  return lo | 0;
}

export function mul32(s: CpuState, a: number, b: number): number {
  const lo = umul64(a | 0, b | 0);
  mulFlags(s, lo, 31, mulHigh.value !== 0);
  return lo;
}
export function imul32(s: CpuState, a: number, b: number): number {
  const lo = umul64(a | 0, b | 0);
  // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0) (mod 2^32).
  let hi = mulHigh.value;
  if ((a | 0) < 0) hi = (hi - b) | 0;
  if ((b | 0) < 0) hi = (hi - a) | 0;
  mulHigh.value = hi;
  mulFlags(s, lo, 31, hi !== lo >> 31);
  return lo;
}

function divideError(): never {
  throw new CpuException(Vector.DE);
}

/** Quotient/remainder of the last divide. */
export const divResult = { quotient: 0, remainder: 0 };

export function div8(s: CpuState, ax: number, d: number): void {
  if (d === 0) divideError();
  const q = Math.floor(ax / d);
  if (q > 0xff) divideError();
  divResult.quotient = q;
  divResult.remainder = ax % d;
  divFlags(s);
}
export function idiv8(s: CpuState, ax: number, d: number): void {
  const n = (ax << 16) >> 16;
  const dv = (d << 24) >> 24;
  if (dv === 0) divideError();
  const q = Math.trunc(n / dv);
  if (q > 127 || q < -128) divideError();
  divResult.quotient = q & 0xff;
  divResult.remainder = (n % dv) & 0xff;
  divFlags(s);
}
export function div16(s: CpuState, dxax: number, d: number): void {
  if (d === 0) divideError();
  const q = Math.floor(dxax / d);
  if (q > 0xffff) divideError();
  divResult.quotient = q;
  divResult.remainder = dxax % d;
  divFlags(s);
}
export function idiv16(s: CpuState, dxax: number, d: number): void {
  const n = dxax | 0;
  const dv = (d << 16) >> 16;
  if (dv === 0) divideError();
  const q = Math.trunc(n / dv);
  if (q > 32767 || q < -32768) divideError();
  divResult.quotient = q & 0xffff;
  divResult.remainder = (n % dv) & 0xffff;
  divFlags(s);
}
/**
 * Unsigned (hi:lo) / d for 32-bit values without BigInt, by 16-bit long division (every
 * partial remainder * 65536 + digit stays below 2^48, exact in a double). Returns false when
 * the quotient does not fit in 32 bits (#DE). Result in `divResult`.
 */
function udiv64(hi: number, lo: number, d: number): boolean {
  if (hi >= d) return false;
  let rem = hi;
  const n1 = rem * 0x10000 + (lo >>> 16);
  const q1 = Math.floor(n1 / d);
  rem = n1 - q1 * d;
  const n0 = rem * 0x10000 + (lo & 0xffff);
  const q0 = Math.floor(n0 / d);
  rem = n0 - q0 * d;
  divResult.quotient = (q1 * 0x10000 + q0) | 0;
  divResult.remainder = rem | 0;
  return true;
}

export function div32(s: CpuState, edx: number, eax: number, d: number): void {
  const ud = d >>> 0;
  if (ud === 0) divideError();
  if (!udiv64(edx >>> 0, eax >>> 0, ud)) divideError();
  divFlags(s);
}
export function idiv32(s: CpuState, edx: number, eax: number, d: number): void {
  const dv = d | 0;
  if (dv === 0) divideError();
  const negative = (edx | 0) < 0;
  // |EDX:EAX| as hi:lo (two's complement negation of the 64-bit value).
  let hi = edx >>> 0;
  let lo = eax >>> 0;
  if (negative) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  const ad = dv < 0 ? -dv : dv; // |d| <= 2^31, exact
  if (!udiv64(hi, lo, ad)) divideError();
  const uq = divResult.quotient >>> 0;
  const ur = divResult.remainder >>> 0;
  const qNegative = negative !== dv < 0;
  if (qNegative ? uq > 0x80000000 : uq > 0x7fffffff) divideError();
  divResult.quotient = qNegative ? -uq | 0 : uq | 0;
  divResult.remainder = negative ? -ur | 0 : ur | 0;
  divFlags(s);
}

// ---- decimal adjust (SDM vol. 2, DAA/DAS/AAA/AAS/AAM/AAD "Operation") ----

/** Sets all six flags concretely. */
function setArith(s: CpuState, v: number): void {
  s.lazyMask = 0;
  s.flags = (s.flags & ~(CF | PF | AF | ZF | SF | OF)) | v;
}

function szp8(v: number): number {
  let f = (v & 0x80 ? SF : 0) | ((v & 0xff) === 0 ? ZF : 0);
  let b = v & 0xff;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  if ((b & 1) === 0) f |= PF;
  return f;
}

/** DAA on AL; returns the new AL. OF is undefined: P6 sets it as for the final addition. */
export function daa(s: CpuState, al: number): number {
  const oldAl = al;
  const oldCf = s.getCF();
  let af = 0;
  let cf = 0;
  if ((al & 0x0f) > 9 || s.getAF()) {
    // CF <- old CF or the carry out of AL + 6 (SDM vol. 2, DAA "Operation").
    if (al + 6 > 0xff) cf = CF;
    al = (al + 6) & 0xff;
    af = AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al + 0x60) & 0xff;
    cf = CF;
  }
  const of = (~oldAl & al & 0x80) !== 0 ? OF : 0;
  setArith(s, szp8(al) | af | cf | of);
  return al;
}

export function das(s: CpuState, al: number): number {
  const oldAl = al;
  const oldCf = s.getCF();
  let af = 0;
  let cf = 0;
  if ((al & 0x0f) > 9 || s.getAF()) {
    // CF <- old CF or the borrow of AL - 6 (SDM vol. 2, DAS "Operation").
    if (al < 6) cf = CF;
    al = (al - 6) & 0xff;
    af = AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al - 0x60) & 0xff;
    cf = CF;
  }
  const of = (oldAl & ~al & 0x80) !== 0 ? OF : 0;
  setArith(s, szp8(al) | af | cf | of);
  return al;
}

/** AAA on AX; returns the new AX (286+: AX += 106h). */
export function aaa(s: CpuState, ax: number): number {
  if ((ax & 0x0f) > 9 || s.getAF()) {
    ax = (ax + 0x106) & 0xffff;
    setArith(s, AF | CF | szp8(ax & 0x0f));
    return (ax & 0xff0f) >>> 0;
  }
  setArith(s, szp8(ax & 0x0f));
  return ax & 0xff0f;
}

export function aas(s: CpuState, ax: number): number {
  if ((ax & 0x0f) > 9 || s.getAF()) {
    ax = (ax - 6) & 0xffff;
    ax = (ax - 0x100) & 0xffff;
    setArith(s, AF | CF | szp8(ax & 0x0f));
    return ax & 0xff0f;
  }
  setArith(s, szp8(ax & 0x0f));
  return ax & 0xff0f;
}

/** AAM imm8; #DE when imm8 is 0. Flags SF/ZF/PF from AL; OF/AF/CF cleared. */
export function aam(s: CpuState, al: number, base: number): number {
  if (base === 0) divideError();
  const ah = Math.floor(al / base);
  const nal = al % base;
  setArith(s, szp8(nal));
  return (ah << 8) | nal;
}

/** AAD imm8: AL = AL + AH*imm8 (flags as the 8-bit addition), AH = 0. */
export function aad(s: CpuState, ax: number, base: number): number {
  const prod = ((ax >>> 8) * base) & 0xff;
  const r = add(s, ax & 0xff, prod, 7);
  return r;
}
