// The state compared by the x87/MMX/SSE oracle, as named hex fields: FXSAVE-image parts (without
// the FOP/FIP/FDP pointer bytes, which hold host addresses), EAX/ECX/EBX, the arithmetic flags and
// the 64-byte data area. Vector lines list the input fields that differ from BASE and the output
// fields that differ from the input (see native/gen-vectors.ts).

export type Fields = Record<string, string>;

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, "0");

export const FLAG_MASK = 0x8d5;

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v & 0xffff);
  put16(b, o + 2, v >>> 16);
}

/** Fields of an FXSAVE image plus registers and memory. */
export function fieldsOf(
  fx: Uint8Array,
  eax: number,
  ecx: number,
  ebx: number,
  eflags: number,
  mem: Uint8Array,
): Fields {
  const f: Fields = {};
  f.cw = hex(u16(fx, 0), 4);
  f.sw = hex(u16(fx, 2), 4);
  f.tw = hex(fx[4]!, 2);
  for (let i = 0; i < 8; i++) {
    const o = 32 + 16 * i;
    f[`st${i}`] = hex(u16(fx, o + 8), 4) + hex(u32(fx, o + 4), 8) + hex(u32(fx, o), 8);
  }
  f.mx = hex(u32(fx, 24), 8);
  for (let i = 0; i < 8; i++) {
    const o = 160 + 16 * i;
    f[`x${i}`] = [0, 1, 2, 3].map((k) => hex(u32(fx, o + 4 * k), 8)).join("");
  }
  f.eax = hex(eax, 8);
  f.ecx = hex(ecx, 8);
  f.ebx = hex(ebx, 8);
  f.fl = hex(eflags & FLAG_MASK, 4);
  f.mem = Array.from(mem.subarray(0, 64), (v) => hex(v, 2)).join("");
  return f;
}

/** Builds an FXSAVE image, registers and memory from fields (missing ones from BASE). */
export function imageOf(f: Fields): {
  fx: Uint8Array;
  eax: number;
  ecx: number;
  ebx: number;
  eflags: number;
  mem: Uint8Array;
} {
  const g = { ...BASE, ...f };
  const fx = new Uint8Array(512);
  put16(fx, 0, parseInt(g.cw!, 16));
  put16(fx, 2, parseInt(g.sw!, 16));
  fx[4] = parseInt(g.tw!, 16);
  for (let i = 0; i < 8; i++) {
    const v = g[`st${i}`]!;
    const o = 32 + 16 * i;
    put32(fx, o, parseInt(v.slice(12, 20), 16));
    put32(fx, o + 4, parseInt(v.slice(4, 12), 16));
    put16(fx, o + 8, parseInt(v.slice(0, 4), 16));
  }
  put32(fx, 24, parseInt(g.mx!, 16));
  for (let i = 0; i < 8; i++) {
    const v = g[`x${i}`]!;
    for (let k = 0; k < 4; k++)
      put32(fx, 160 + 16 * i + 4 * k, parseInt(v.slice(8 * k, 8 * k + 8), 16));
  }
  const mem = new Uint8Array(64);
  for (let i = 0; i < 64; i++) mem[i] = parseInt(g.mem!.slice(2 * i, 2 * i + 2), 16);
  return {
    fx,
    eax: parseInt(g.eax!, 16),
    ecx: parseInt(g.ecx!, 16),
    ebx: parseInt(g.ebx!, 16),
    eflags: parseInt(g.fl!, 16),
    mem,
  };
}

const ZERO80 = "0".repeat(20);
const ZERO128 = "0".repeat(32);

export const BASE: Fields = {
  cw: "037f",
  sw: "0000",
  tw: "00",
  mx: "00001f80",
  eax: "00000000",
  ecx: "00000000",
  ebx: "00000000",
  fl: "0000",
  mem: "0".repeat(128),
};
for (let i = 0; i < 8; i++) {
  BASE[`st${i}`] = ZERO80;
  BASE[`x${i}`] = ZERO128;
}

export function encodeFields(f: Fields, ref: Fields): string {
  return Object.keys(f)
    .filter((k) => f[k] !== ref[k])
    .map((k) => `${k}=${f[k]}`)
    .join(",");
}

export function decodeFields(s: string): Fields {
  const f: Fields = {};
  if (s === "") return f;
  for (const kv of s.split(",")) {
    const i = kv.indexOf("=");
    f[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return f;
}
