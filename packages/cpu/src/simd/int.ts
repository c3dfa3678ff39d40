// Packed integer operations of MMX, SSE2 and SSSE3 over 64- or 128-bit scratch vectors (SDM vol. 2
// pages of each instruction). Each takes the result, the destination operand `a` and the source
// `b`, and the operand width in bytes (8 for MMX registers, 16 for XMM); `r` may not alias `a`/`b`.

/** A 128-bit scratch vector with typed views (little-endian, element i of each size). */
export class Vec {
  readonly d = new Uint32Array(4);
  readonly b = new Uint8Array(this.d.buffer);
  readonly sb = new Int8Array(this.d.buffer);
  readonly w = new Uint16Array(this.d.buffer);
  readonly sw = new Int16Array(this.d.buffer);
  readonly sd = new Int32Array(this.d.buffer);
  copy(o: Vec): void {
    this.d.set(o.d);
  }
}

export type IntOp = (r: Vec, a: Vec, b: Vec, n: number) => void;

function satS8(v: number): number {
  return v > 127 ? 127 : v < -128 ? -128 : v;
}
function satU8(v: number): number {
  return v > 255 ? 255 : v < 0 ? 0 : v;
}
function satS16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
function satU16(v: number): number {
  return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

// ---- element-wise arithmetic ----
export const paddb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = a.b[i]! + b.b[i]!;
};
export const paddw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = a.w[i]! + b.w[i]!;
};
export const paddd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i]! + b.d[i]!;
};
export const paddq: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i += 2) {
    const lo = a.d[i]! + b.d[i]!;
    r.d[i] = lo;
    r.d[i + 1] = a.d[i + 1]! + b.d[i + 1]! + (lo > 0xffffffff ? 1 : 0);
  }
};
export const psubb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = a.b[i]! - b.b[i]!;
};
export const psubw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = a.w[i]! - b.w[i]!;
};
export const psubd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i]! - b.d[i]!;
};
export const psubq: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i += 2) {
    const lo = a.d[i]! - b.d[i]!;
    r.d[i] = lo;
    r.d[i + 1] = a.d[i + 1]! - b.d[i + 1]! - (lo < 0 ? 1 : 0);
  }
};
export const paddsb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.sb[i] = satS8(a.sb[i]! + b.sb[i]!);
};
export const paddsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.sw[i] = satS16(a.sw[i]! + b.sw[i]!);
};
export const paddusb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = satU8(a.b[i]! + b.b[i]!);
};
export const paddusw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = satU16(a.w[i]! + b.w[i]!);
};
export const psubsb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.sb[i] = satS8(a.sb[i]! - b.sb[i]!);
};
export const psubsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.sw[i] = satS16(a.sw[i]! - b.sw[i]!);
};
export const psubusb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = satU8(a.b[i]! - b.b[i]!);
};
export const psubusw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = satU16(a.w[i]! - b.w[i]!);
};
export const pmullw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = Math.imul(a.sw[i]!, b.sw[i]!);
};
export const pmulhw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = (a.sw[i]! * b.sw[i]!) >> 16;
};
export const pmulhuw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = (a.w[i]! * b.w[i]!) / 65536;
};
export const pmaddwd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++)
    r.d[i] = a.sw[2 * i]! * b.sw[2 * i]! + a.sw[2 * i + 1]! * b.sw[2 * i + 1]!;
};
/** PMULUDQ: low dword of each quadword, unsigned 32x32 -> 64. */
export const pmuludq: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i += 2) {
    const x = a.d[i]!;
    const y = b.d[i]!;
    const lo = Math.imul(x, y) >>> 0;
    // high half: exact via 16-bit pieces
    const xl = x & 0xffff;
    const xh = x >>> 16;
    const yl = y & 0xffff;
    const yh = y >>> 16;
    const mid = xh * yl + xl * yh + ((xl * yl) >>> 16);
    const hi = xh * yh + Math.floor(mid / 65536);
    r.d[i] = lo;
    r.d[i + 1] = hi;
  }
};
export const pavgb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = (a.b[i]! + b.b[i]! + 1) >> 1;
};
export const pavgw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = (a.w[i]! + b.w[i]! + 1) >> 1;
};
export const pminub: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = Math.min(a.b[i]!, b.b[i]!);
};
export const pmaxub: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = Math.max(a.b[i]!, b.b[i]!);
};
export const pminsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.sw[i] = Math.min(a.sw[i]!, b.sw[i]!);
};
export const pmaxsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.sw[i] = Math.max(a.sw[i]!, b.sw[i]!);
};
export const psadbw: IntOp = (r, a, b, n) => {
  for (let q = 0; q < n; q += 8) {
    let sum = 0;
    for (let i = q; i < q + 8; i++) sum += Math.abs(a.b[i]! - b.b[i]!);
    r.d[q >> 2] = sum;
    r.d[(q >> 2) + 1] = 0;
  }
};

// ---- logic and compares ----
export const pand: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i]! & b.d[i]!;
};
export const pandn: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = ~a.d[i]! & b.d[i]!;
};
export const por: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i]! | b.d[i]!;
};
export const pxor: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i]! ^ b.d[i]!;
};
export const pcmpeqb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = a.b[i] === b.b[i] ? 0xff : 0;
};
export const pcmpeqw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = a.w[i] === b.w[i] ? 0xffff : 0;
};
export const pcmpeqd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.d[i] === b.d[i] ? 0xffffffff : 0;
};
export const pcmpgtb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = a.sb[i]! > b.sb[i]! ? 0xff : 0;
};
export const pcmpgtw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = a.sw[i]! > b.sw[i]! ? 0xffff : 0;
};
export const pcmpgtd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = a.sd[i]! > b.sd[i]! ? 0xffffffff : 0;
};

// ---- packs and unpacks ----
export const packsswb: IntOp = (r, a, b, n) => {
  const h = n >> 1;
  for (let i = 0; i < h; i++) {
    r.sb[i] = satS8(a.sw[i]!);
    r.sb[i + h] = satS8(b.sw[i]!);
  }
};
export const packuswb: IntOp = (r, a, b, n) => {
  const h = n >> 1;
  for (let i = 0; i < h; i++) {
    r.b[i] = satU8(a.sw[i]!);
    r.b[i + h] = satU8(b.sw[i]!);
  }
};
export const packssdw: IntOp = (r, a, b, n) => {
  const h = n >> 2;
  for (let i = 0; i < h; i++) {
    r.sw[i] = satS16(a.sd[i]!);
    r.sw[i + h] = satS16(b.sd[i]!);
  }
};
function unpack(size: number, high: boolean): IntOp {
  return (r, a, b, n) => {
    const count = n / size / 2;
    const base = high ? count : 0;
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < size; k++) {
        r.b[2 * i * size + k] = a.b[(base + i) * size + k]!;
        r.b[(2 * i + 1) * size + k] = b.b[(base + i) * size + k]!;
      }
    }
  };
}
export const punpcklbw = unpack(1, false);
export const punpcklwd = unpack(2, false);
export const punpckldq = unpack(4, false);
export const punpcklqdq = unpack(8, false);
export const punpckhbw = unpack(1, true);
export const punpckhwd = unpack(2, true);
export const punpckhdq = unpack(4, true);
export const punpckhqdq = unpack(8, true);

// ---- shifts by a count (the source's low quadword, or an immediate placed in b.d[0]) ----
/** Shift count from the source: the whole low 64 bits (counts above the width clear/fill). */
function count(b: Vec): number {
  return b.d[1] !== 0 || b.d[0]! > 255 ? 255 : b.d[0]!;
}
export const psllw: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 1; i++) r.w[i] = c > 15 ? 0 : a.w[i]! << c;
};
export const psrlw: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 1; i++) r.w[i] = c > 15 ? 0 : a.w[i]! >>> c;
};
export const psraw: IntOp = (r, a, b, n) => {
  const c = Math.min(count(b), 15);
  for (let i = 0; i < n >> 1; i++) r.sw[i] = a.sw[i]! >> c;
};
export const pslld: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 2; i++) r.d[i] = c > 31 ? 0 : a.d[i]! << c;
};
export const psrld: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 2; i++) r.d[i] = c > 31 ? 0 : a.d[i]! >>> c;
};
export const psrad: IntOp = (r, a, b, n) => {
  const c = Math.min(count(b), 31);
  for (let i = 0; i < n >> 2; i++) r.sd[i] = a.sd[i]! >> c;
};
export const psllq: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 2; i += 2) {
    const lo = a.d[i]!;
    const hi = a.d[i + 1]!;
    if (c > 63) {
      r.d[i] = 0;
      r.d[i + 1] = 0;
    } else if (c >= 32) {
      r.d[i] = 0;
      r.d[i + 1] = lo << (c - 32);
    } else if (c === 0) {
      r.d[i] = lo;
      r.d[i + 1] = hi;
    } else {
      r.d[i] = lo << c;
      r.d[i + 1] = (hi << c) | (lo >>> (32 - c));
    }
  }
};
export const psrlq: IntOp = (r, a, b, n) => {
  const c = count(b);
  for (let i = 0; i < n >> 2; i += 2) {
    const lo = a.d[i]!;
    const hi = a.d[i + 1]!;
    if (c > 63) {
      r.d[i] = 0;
      r.d[i + 1] = 0;
    } else if (c >= 32) {
      r.d[i] = hi >>> (c - 32);
      r.d[i + 1] = 0;
    } else if (c === 0) {
      r.d[i] = lo;
      r.d[i + 1] = hi;
    } else {
      r.d[i] = (lo >>> c) | (hi << (32 - c));
      r.d[i + 1] = hi >>> c;
    }
  }
};
/** PSRLDQ/PSLLDQ: byte shifts of the whole 128-bit register by imm8 (> 15 clears). */
export const psrldq: IntOp = (r, a, b) => {
  const c = b.d[0]!;
  for (let i = 0; i < 16; i++) r.b[i] = i + c < 16 ? a.b[i + c]! : 0;
};
export const pslldq: IntOp = (r, a, b) => {
  const c = b.d[0]!;
  for (let i = 0; i < 16; i++) r.b[i] = i - c >= 0 ? a.b[i - c]! : 0;
};

// ---- SSSE3 ----
export const pshufb: IntOp = (r, a, b, n) => {
  const m = n - 1;
  for (let i = 0; i < n; i++) {
    const c = b.b[i]!;
    r.b[i] = c & 0x80 ? 0 : a.b[c & m]!;
  }
};
function horiz(kind: number): IntOp {
  // 0 phaddw, 1 phaddd, 2 phaddsw, 3 phsubw, 4 phsubd, 5 phsubsw
  return (r, a, b, n) => {
    const dw = kind === 1 || kind === 4;
    const half = dw ? n >> 3 : n >> 2;
    for (let src = 0; src < 2; src++) {
      const v = src === 0 ? a : b;
      for (let i = 0; i < half; i++) {
        const out = src * half + i;
        if (dw) {
          const x = v.d[2 * i]!;
          const y = v.d[2 * i + 1]!;
          r.d[out] = kind === 1 ? x + y : x - y;
        } else {
          const x = v.sw[2 * i]!;
          const y = v.sw[2 * i + 1]!;
          const s = kind === 0 || kind === 2 ? x + y : x - y;
          r.sw[out] = kind === 2 || kind === 5 ? satS16(s) : (s << 16) >> 16;
        }
      }
    }
  };
}
export const phaddw = horiz(0);
export const phaddd = horiz(1);
export const phaddsw = horiz(2);
export const phsubw = horiz(3);
export const phsubd = horiz(4);
export const phsubsw = horiz(5);
export const pmaddubsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++)
    r.sw[i] = satS16(a.b[2 * i]! * b.sb[2 * i]! + a.b[2 * i + 1]! * b.sb[2 * i + 1]!);
};
export const psignb: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n; i++) {
    const s = b.sb[i]!;
    r.sb[i] = s < 0 ? -a.sb[i]! : s === 0 ? 0 : a.sb[i]!;
  }
};
export const psignw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) {
    const s = b.sw[i]!;
    r.sw[i] = s < 0 ? -a.sw[i]! : s === 0 ? 0 : a.sw[i]!;
  }
};
export const psignd: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 2; i++) {
    const s = b.sd[i]!;
    r.sd[i] = s < 0 ? -a.sd[i]! : s === 0 ? 0 : a.sd[i]!;
  }
};
export const pmulhrsw: IntOp = (r, a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = (((a.sw[i]! * b.sw[i]!) >> 14) + 1) >> 1;
};
export const pabsb: IntOp = (r, _a, b, n) => {
  for (let i = 0; i < n; i++) r.b[i] = Math.abs(b.sb[i]!);
};
export const pabsw: IntOp = (r, _a, b, n) => {
  for (let i = 0; i < n >> 1; i++) r.w[i] = Math.abs(b.sw[i]!);
};
export const pabsd: IntOp = (r, _a, b, n) => {
  for (let i = 0; i < n >> 2; i++) r.d[i] = Math.abs(b.sd[i]!);
};
