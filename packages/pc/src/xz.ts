// A small .xz decoder (XZ file format 1.0.4, LZMA2 and the x86 BCJ filter), enough to unpack
// the payload of an XZ-compressed bzImage on the host. Written from the format description
// (tukaani.org "The .xz File Format" and the LZMA SDK's lzma-specification.txt); checked
// against xz(1) output in test/xz.test.ts.
//
// Why not a library (checked 2026-12 on npm): `xz-decompress` 0.2.3 (xz-embedded in wasm, MIT)
// is built without the x86 BCJ filter every kernel payload uses (XZ_OPTIONS_ERROR on
// guests/vmlinuz) and only offers an async stream, while `loadLinux` is synchronous; `xz-compat`
// targets Node only and may install `lzma-native` at run time; `node-liblzma` (LGPL-3.0) and
// `@napi-rs/lzma` are native addons (wasm-wasi in browsers). Speed of this decoder on the
// 16 MB payload: about 1.2 s of CPU, about 1.5x xz-decompress on the same data without BCJ.

/** A malformed or unsupported .xz stream. */
export class XzError extends Error {
  override readonly name = "XzError";
}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FILTER_X86 = 0x04;
const FILTER_LZMA2 = 0x21;
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3, reflected), as .xz headers use. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let table = crcTable;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    crcTable = table;
  }
  let crc = 0xffff_ffff;
  for (let i = start; i < end; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffff_ffff) >>> 0;
}

/**
 * Decodes a single-stream .xz file whose blocks use LZMA2, optionally after the x86 BCJ
 * filter (the combination Linux's `xz_wrap.sh` produces). Trailing bytes after the stream
 * (a bzImage appends the decompressed size) are ignored. `sizeHint` preallocates the output.
 *
 * @example
 * const vmlinux = decodeXz(payload, 16 << 20);
 */
export function decodeXz(input: Uint8Array, sizeHint = input.length * 4): Uint8Array {
  for (let i = 0; i < MAGIC.length; i++) {
    if (input[i] !== MAGIC[i]) throw new XzError("not an .xz stream (bad magic)");
  }
  if (crc32(input, 6, 8) !== readU32(input, 8)) throw new XzError("stream header CRC mismatch");
  const checkType = input[7]! & 0x0f;
  const checkSize = CHECK_SIZES[checkType]!;
  const out = new Output(sizeHint);
  let at = 12;
  for (;;) {
    const sizeByte = input[at];
    if (sizeByte === undefined) throw new XzError("stream is truncated");
    if (sizeByte === 0) break; // index: the blocks are done
    const headerSize = (sizeByte + 1) * 4;
    if (crc32(input, at, at + headerSize - 4) !== readU32(input, at + headerSize - 4))
      throw new XzError("block header CRC mismatch");
    const flags = input[at + 1]!;
    const filterCount = (flags & 3) + 1;
    let p = at + 2;
    const vli = (): number => {
      let value = 0;
      for (let shift = 0; ; shift += 7) {
        const b = input[p++]!;
        value += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) return value;
        if (shift > 56) throw new XzError("bad variable-length integer");
      }
    };
    if (flags & 0x40) vli(); // compressed size
    if (flags & 0x80) vli(); // uncompressed size
    let hasX86 = false;
    let dictProps = -1;
    for (let f = 0; f < filterCount; f++) {
      const id = vli();
      const propsSize = vli();
      if (id === FILTER_X86) {
        if (propsSize !== 0)
          throw new XzError("x86 BCJ filter with a start offset is not supported");
        hasX86 = true;
      } else if (id === FILTER_LZMA2) {
        dictProps = input[p]!;
      } else {
        throw new XzError(`unsupported .xz filter 0x${id.toString(16)}`);
      }
      p += propsSize;
    }
    if (dictProps < 0) throw new XzError("block without an LZMA2 filter");
    const blockStart = out.length;
    at = decodeLzma2(input, at + headerSize, out);
    if (hasX86) x86Decode(out.bytes, blockStart, out.length);
    while ((at & 3) !== 0) at++; // block padding
    at += checkSize;
  }
  return out.bytes.subarray(0, out.length);
}

class Output {
  bytes: Uint8Array;
  length = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(Math.max(size, 4096));
  }
  reserve(extra: number): Uint8Array {
    const need = this.length + extra;
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

// ---- LZMA (lzma-specification.txt) ----

const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const LEN_LOW = 8;
const LEN_HIGH = 256;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const PROB_INIT = 1024;

// Offsets into one Uint16Array of probabilities.
const IS_MATCH = 0;
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + FULL_DISTANCES - END_POS_MODEL_INDEX;
const LEN_SIZE = 2 + POS_STATES_MAX * LEN_LOW * 2 + LEN_HIGH;
const MATCH_LEN = ALIGN + (1 << ALIGN_BITS);
const REP_LEN = MATCH_LEN + LEN_SIZE;
const LITERAL = REP_LEN + LEN_SIZE;
/** Literal coders for lc + lp <= 4 (LZMA2's limit). */
const PROBS_SIZE = LITERAL + 0x300 * 16;

class LzmaState {
  readonly probs = new Uint16Array(PROBS_SIZE);
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;
  lc = 0;
  lp = 0;
  pb = 0;
  // Range decoder.
  range = 0;
  code = 0;
  input: Uint8Array = new Uint8Array(0);
  at = 0;
  /** Output offset of the last dictionary reset: positions and distances count from here. */
  dictStart = 0;

  resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  setProps(props: number): void {
    if (props > 4 * 5 * 9 - 1) throw new XzError("bad LZMA properties");
    this.lc = props % 9;
    const rest = Math.floor(props / 9);
    this.lp = rest % 5;
    this.pb = Math.floor(rest / 5);
    if (this.lc + this.lp > 4) throw new XzError("LZMA2 requires lc + lp <= 4");
  }

  initRange(input: Uint8Array, at: number): void {
    this.input = input;
    if (input[at] !== 0) throw new XzError("bad range coder start byte");
    this.code =
      ((input[at + 1]! << 24) | (input[at + 2]! << 16) | (input[at + 3]! << 8) | input[at + 4]!) >>>
      0;
    this.range = 0xffff_ffff;
    this.at = at + 5;
  }

  bit(index: number): number {
    const probs = this.probs;
    const p = probs[index]!;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.range = (this.range - bound) >>> 0;
      this.code = (this.code - bound) >>> 0;
      probs[index] = p - (p >>> 5);
      bit = 1;
    }
    if (this.range < 0x100_0000) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code << 8) | this.input[this.at++]!) >>> 0;
    }
    return bit;
  }

  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0;
        bit = 1;
      }
      result = ((result << 1) | bit) >>> 0;
      if (this.range < 0x100_0000) {
        this.range = (this.range * 256) >>> 0;
        this.code = ((this.code << 8) | this.input[this.at++]!) >>> 0;
      }
    }
    return result;
  }

  tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << bits);
  }

  reverseTree(base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(base + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  length(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.tree(base + 2 + posState * LEN_LOW, 3);
    if (this.bit(base + 1) === 0)
      return 8 + this.tree(base + 2 + POS_STATES_MAX * LEN_LOW + posState * LEN_LOW, 3);
    return 16 + this.tree(base + 2 + 2 * POS_STATES_MAX * LEN_LOW, 8);
  }

  distance(len: number): number {
    const lenState = len < 3 ? len : 3;
    const slot = this.tree(POS_SLOT + lenState * 64, 6);
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    let dist = ((2 | (slot & 1)) << directBits) >>> 0;
    if (slot < END_POS_MODEL_INDEX) {
      dist += this.reverseTree(SPEC_POS + dist - slot - 1, directBits);
    } else {
      dist += this.direct(directBits - ALIGN_BITS) * 16;
      dist += this.reverseTree(ALIGN - 1, ALIGN_BITS);
    }
    return dist >>> 0;
  }

  /** Decodes until `out.length` reaches `end`. */
  decode(out: Output, end: number): void {
    const bytes = out.reserve(end - out.length);
    let pos = out.length;
    const dictStart = this.dictStart;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (pos < end) {
      const posState = (pos - dictStart) & pbMask;
      const state = this.state;
      if (this.bit(IS_MATCH + state * POS_STATES_MAX + posState) === 0) {
        const prev = pos > dictStart ? bytes[pos - 1]! : 0;
        const base = LITERAL + 0x300 * ((((pos - dictStart) & lpMask) << lc) + (prev >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          let matchByte = bytes[pos - this.rep0 - 1]!;
          while (symbol < 0x100) {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const bit = this.bit(base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | bit;
            if (matchBit !== bit) break;
          }
        }
        while (symbol < 0x100) symbol = (symbol << 1) | this.bit(base + symbol);
        bytes[pos++] = symbol & 0xff;
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + state) === 0) {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.length(MATCH_LEN, posState);
        this.state = state < 7 ? 7 : 10;
        this.rep0 = this.distance(len);
        if (this.rep0 === 0xffff_ffff) throw new XzError("unexpected LZMA end marker in LZMA2");
      } else {
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + state * POS_STATES_MAX + posState) === 0) {
            this.state = state < 7 ? 9 : 11;
            if (pos - this.rep0 - 1 < dictStart)
              throw new XzError("LZMA distance before the start");
            bytes[pos] = bytes[pos - this.rep0 - 1]!;
            pos++;
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(IS_REP_G1 + state) === 0) {
            dist = this.rep1;
          } else {
            if (this.bit(IS_REP_G2 + state) === 0) {
              dist = this.rep2;
            } else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.length(REP_LEN, posState);
        this.state = state < 7 ? 8 : 11;
      }
      let count = len + 2;
      let from = pos - this.rep0 - 1;
      if (from < dictStart) throw new XzError("LZMA distance before the start");
      if (count > end - pos) throw new XzError("LZMA match past the chunk end");
      while (count-- > 0) bytes[pos++] = bytes[from++]!;
    }
    out.length = pos;
  }
}

/** LZMA2 chunks from `at`; returns the offset after the end marker. */
function decodeLzma2(input: Uint8Array, at: number, out: Output): number {
  const lzma = new LzmaState();
  lzma.dictStart = out.length;
  let hasProps = false;
  for (;;) {
    const control = input[at++];
    if (control === undefined) throw new XzError("LZMA2 data is truncated");
    if (control === 0x00) return at;
    if (control === 0x01 || control === 0x02) {
      if (control === 0x01) lzma.dictStart = out.length;
      const size = ((input[at]! << 8) | input[at + 1]!) + 1;
      at += 2;
      if (at + size > input.length) throw new XzError("LZMA2 data is truncated");
      out.reserve(size).set(input.subarray(at, at + size), out.length);
      out.length += size;
      at += size;
      continue;
    }
    if (control < 0x80) throw new XzError(`bad LZMA2 control byte 0x${control.toString(16)}`);
    const unpacked = ((control & 0x1f) << 16) + ((input[at]! << 8) | input[at + 1]!) + 1;
    const packed = ((input[at + 2]! << 8) | input[at + 3]!) + 1;
    at += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) lzma.dictStart = out.length;
    if (reset >= 2) {
      lzma.setProps(input[at++]!);
      hasProps = true;
    } else if (!hasProps) {
      throw new XzError("LZMA2 chunk without properties");
    }
    if (reset >= 1) lzma.resetState();
    if (at + packed > input.length) throw new XzError("LZMA2 data is truncated");
    lzma.initRange(input, at);
    lzma.decode(out, out.length + unpacked);
    at += packed;
  }
}

// ---- x86 BCJ (branch converter for CALL/JMP rel32) ----

const MASK_ALLOWED = [true, true, true, false, true, false, false, false];
const MASK_BIT_NUM = [0, 1, 2, 2, 3, 3, 3, 3];

function isMsByte(b: number): boolean {
  return b === 0x00 || b === 0xff;
}

/** Undoes the x86 BCJ filter in place on `buf[start, end)` (stream position 0 at `start`). */
function x86Decode(buf: Uint8Array, start: number, end: number): void {
  if (end - start <= 4) return;
  const limit = end - 4;
  let prevPos = start - 1;
  let prevMask = 0;
  for (let i = start; i < limit; i++) {
    if ((buf[i]! & 0xfe) !== 0xe8) continue;
    const gap = i - prevPos;
    if (gap > 3) {
      prevMask = 0;
    } else {
      prevMask = (prevMask << (gap - 1)) & 7;
      if (prevMask !== 0) {
        const b = buf[i + 4 - MASK_BIT_NUM[prevMask]!]!;
        if (!MASK_ALLOWED[prevMask]! || isMsByte(b)) {
          prevPos = i;
          prevMask = (prevMask << 1) | 1;
          continue;
        }
      }
    }
    prevPos = i;
    if (isMsByte(buf[i + 4]!)) {
      let src = readU32(buf, i + 1);
      let dest: number;
      for (;;) {
        dest = (src - (i - start + 5)) >>> 0;
        if (prevMask === 0) break;
        const j = MASK_BIT_NUM[prevMask]! * 8;
        const b = (dest >>> (24 - j)) & 0xff;
        if (!isMsByte(b)) break;
        src = (dest ^ (2 ** (32 - j) - 1)) >>> 0;
      }
      dest &= 0x01ff_ffff;
      dest = (dest | -(dest & 0x0100_0000)) >>> 0;
      buf[i + 1] = dest & 0xff;
      buf[i + 2] = (dest >>> 8) & 0xff;
      buf[i + 3] = (dest >>> 16) & 0xff;
      buf[i + 4] = dest >>> 24;
      i += 4;
    } else {
      prevMask = (prevMask << 1) | 1;
    }
  }
}
