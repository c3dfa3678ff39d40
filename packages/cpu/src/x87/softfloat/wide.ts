// 96-bit significand plumbing on unsigned 32-bit halves: `hi`:`lo` is the 64-bit significand and
// `x` 32 extra bits below it whose lowest bit also collects "sticky" (any 1 shifted out). Results
// go into the shared scratch `W` so nothing is allocated.

export const W = { hi: 0, lo: 0, x: 0 };

const TWO32 = 0x100000000;

/** W = (hi:lo:x) >> n, ORing every bit shifted out into bit 0 of x ("jamming"). */
export function shiftRightJam(hi: number, lo: number, x: number, n: number): void {
  if (n <= 0) {
    W.hi = hi;
    W.lo = lo;
    W.x = x;
  } else if (n < 32) {
    const lost = x << (32 - n) !== 0 ? 1 : 0;
    W.x = ((lo << (32 - n)) | (x >>> n) | lost) >>> 0;
    W.lo = ((hi << (32 - n)) | (lo >>> n)) >>> 0;
    W.hi = hi >>> n;
  } else if (n === 32) {
    W.x = (lo | (x !== 0 ? 1 : 0)) >>> 0;
    W.lo = hi;
    W.hi = 0;
  } else if (n < 64) {
    const m = n - 32;
    const lost = lo << (32 - m) !== 0 || x !== 0 ? 1 : 0;
    W.x = ((hi << (32 - m)) | (lo >>> m) | lost) >>> 0;
    W.lo = hi >>> m;
    W.hi = 0;
  } else if (n === 64) {
    W.x = (hi | (lo !== 0 || x !== 0 ? 1 : 0)) >>> 0;
    W.lo = 0;
    W.hi = 0;
  } else if (n < 96) {
    const m = n - 64;
    const lost = hi << (32 - m) !== 0 || lo !== 0 || x !== 0 ? 1 : 0;
    W.x = ((hi >>> m) | lost) >>> 0;
    W.lo = 0;
    W.hi = 0;
  } else {
    W.x = hi !== 0 || lo !== 0 || x !== 0 ? 1 : 0;
    W.lo = 0;
    W.hi = 0;
  }
}

/** Leading zero count of the 96-bit value (96 when it is zero). */
export function clz96(hi: number, lo: number, x: number): number {
  if (hi !== 0) return Math.clz32(hi);
  if (lo !== 0) return 32 + Math.clz32(lo);
  return 64 + Math.clz32(x);
}

/** W = (hi:lo:x) << n for 0 <= n < 96 (bits shifted out at the top are discarded). */
export function shiftLeft(hi: number, lo: number, x: number, n: number): void {
  if (n === 0) {
    W.hi = hi;
    W.lo = lo;
    W.x = x;
  } else if (n < 32) {
    W.hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    W.lo = ((lo << n) | (x >>> (32 - n))) >>> 0;
    W.x = (x << n) >>> 0;
  } else if (n === 32) {
    W.hi = lo;
    W.lo = x;
    W.x = 0;
  } else if (n < 64) {
    const m = n - 32;
    W.hi = ((lo << m) | (x >>> (32 - m))) >>> 0;
    W.lo = (x << m) >>> 0;
    W.x = 0;
  } else {
    W.hi = (x << (n - 64)) >>> 0;
    W.lo = 0;
    W.x = 0;
  }
}

/** W.hi:W.lo = 64-bit sum; returns the carry out (0 or 1). */
export function add64(ahi: number, alo: number, bhi: number, blo: number): number {
  let lo = alo + blo;
  let c = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    c = 1;
  }
  let hi = ahi + bhi + c;
  let carry = 0;
  if (hi >= TWO32) {
    hi -= TWO32;
    carry = 1;
  }
  W.hi = hi;
  W.lo = lo;
  return carry;
}

/** Unsigned compare of two 64-bit values: -1, 0 or 1. */
export function cmp64(ahi: number, alo: number, bhi: number, blo: number): number {
  if (ahi !== bhi) return ahi < bhi ? -1 : 1;
  if (alo !== blo) return alo < blo ? -1 : 1;
  return 0;
}

/** Product of two u32 as W.hi:W.lo (exact, via 16-bit pieces so doubles never round). */
export function mul32(a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const mid = al * bh + ah * bl + Math.floor(ll / 0x10000); // < 2^34: exact in a double
  W.lo = ((mid % 0x10000) * 0x10000 + (ll % 0x10000)) >>> 0;
  W.hi = ah * bh + Math.floor(mid / 0x10000);
}
