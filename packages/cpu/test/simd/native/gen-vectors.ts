// Regenerates the committed x87/MMX/SSE handler vectors from the host CPU (x86-64 with gcc):
//   pnpm exec tsx test/simd/native/gen-vectors.ts        (from packages/cpu)
// Every case is one instruction (machine code without REX prefixes: the same bytes mean the same
// thing in 32-bit mode, with [rdx]/[rdi] becoming [edx]/[edi]) and an input state; simdrun.c runs
// it natively between FXRSTOR and FXSAVE and records the state after it, or the MXCSR at an #XM
// fault. Lines: `group|name|code|input fields|output fields` (fields.ts); stored gzip-compressed
// in test/simd/vectors/<group>.txt.gz. SIMD_SEED / SIMD_SCALE / SIMD_OUT allow soak runs.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BASE, type Fields, encodeFields, fieldsOf, imageOf } from "../fields";

const here = import.meta.dirname;
const outDir = process.env.SIMD_OUT ?? join(here, "..", "vectors");
const scale = Number(process.env.SIMD_SCALE ?? "1");
let seed = Number(process.env.SIMD_SEED ?? 0x5eed1234) >>> 0 || 1;
/** One MXCSR in this many unmasks some exceptions (SIMD_UNMASK for soaks of the #XM rules). */
const unmaskOneIn = Number(process.env.SIMD_UNMASK ?? "8");

function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function pick<T>(xs: readonly T[]): T {
  return xs[rnd() % xs.length] as T;
}
const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, "0").slice(-w);

// ---- operands ----

/** A single-precision bit pattern from the edge classes (or near `near`'s exponent). */
function f32(near?: number): number {
  const s = rnd() & 0x80000000;
  const m = rnd() & 0x7fffff;
  const k = rnd() % 24;
  if (k === 0) return s;
  if (k === 1) return (s | m) >>> 0 || 1; // denormal
  if (k === 2) return (s | 0x7f800000) >>> 0;
  if (k === 3) return (s | 0x7fc00000 | (rnd() & 0x3fffff)) >>> 0; // QNaN
  if (k === 4) return (s | 0x7f800000 | (rnd() & 0x3fffff) | 1) >>> 0; // SNaN
  if (k === 5) return (s | ((1 + (rnd() % 4)) << 23) | m) >>> 0; // smallest normals
  if (k === 6) return (s | ((250 + (rnd() % 5)) << 23) | m) >>> 0; // huge
  if (k === 7) return (s | (127 << 23) | pick([0, 1, 0x7fffff, m & 0xff])) >>> 0; // ~1.0
  if (k === 8) return (s | ((127 + 20 + (rnd() % 20)) << 23) | m) >>> 0; // near 2^31
  let e: number;
  if (near !== undefined && k < 20) e = ((near >>> 23) & 0xff) + (rnd() % 50) - 25;
  else e = 127 + (rnd() % 60) - 30;
  e = Math.max(1, Math.min(254, e));
  const frac = rnd() % 3 === 0 ? m & ~0xfff : m;
  return (s | (e << 23) | frac) >>> 0;
}

/** A double as [hi, lo]. */
function f64(near?: number): [number, number] {
  const s = rnd() & 0x80000000;
  const mh = rnd() & 0xfffff;
  const ml = rnd();
  const k = rnd() % 24;
  if (k === 0) return [s, 0];
  if (k === 1) return [(s | mh) >>> 0, ml | 1]; // denormal
  if (k === 2) return [(s | 0x7ff00000) >>> 0, 0];
  if (k === 3) return [(s | 0x7ff80000 | (mh & 0x7ffff)) >>> 0, ml]; // QNaN
  if (k === 4) return [(s | 0x7ff00000 | (mh & 0x7ffff)) >>> 0, ml | 1]; // SNaN
  if (k === 5) return [(s | ((1 + (rnd() % 4)) << 20) | mh) >>> 0, ml];
  if (k === 6) return [(s | ((2040 + (rnd() % 7)) << 20) | mh) >>> 0, ml];
  if (k === 7)
    return [(s | (1023 << 20) | pick([0, 0xfffff])) >>> 0, pick([0, 1, 0xffffffff, ml & 0xff])];
  if (k === 8) return [(s | ((1023 + 20 + (rnd() % 20)) << 20) | mh) >>> 0, ml];
  if (k === 9) return [(s | ((897 + (rnd() % 6)) << 20) | mh) >>> 0, ml]; // near float min normal
  if (k === 10) return [(s | ((1150 + (rnd() % 6)) << 20) | mh) >>> 0, ml]; // near float max
  if (k === 11)
    return [
      (s | ((1023 + (rnd() % 40)) << 20) | mh) >>> 0,
      (ml & 0xe0000000) | pick([0, 0x10000000, 0x0fffffff]),
    ]; // float rounding boundaries
  let e: number;
  if (near !== undefined && k < 20) e = ((near >>> 20) & 0x7ff) + (rnd() % 120) - 60;
  else e = 1023 + (rnd() % 120) - 60;
  e = Math.max(1, Math.min(2046, e));
  return [(s | (e << 20) | mh) >>> 0, rnd() % 3 === 0 ? ml & 0xffff0000 : ml];
}

const x32 = (a: number[]): string => a.map((v) => hex(v, 8)).join("");
function ps(near?: number[]): string {
  return x32([0, 1, 2, 3].map((i) => f32(near?.[i])));
}
function pd(near?: string): string {
  const n0 = near ? parseInt(near.slice(8, 16), 16) : undefined;
  const n1 = near ? parseInt(near.slice(24, 32), 16) : undefined;
  const [h0, l0] = f64(n0);
  const [h1, l1] = f64(n1);
  return x32([l0, h0, l1, h1]);
}
const dwordsOf = (x: string): number[] =>
  [0, 1, 2, 3].map((k) => parseInt(x.slice(8 * k, 8 * k + 8), 16));
function ints(): string {
  const k = rnd() % 4;
  if (k === 0)
    return x32(
      [0, 1, 2, 3].map(() =>
        pick([
          0, 0xffffffff, 0x80000000, 0x7fffffff, 0x80008000, 0x7fff7fff, 0x80808080, 0x7f7f7f7f,
          0x01010101, 0xff00ff00,
        ]),
      ),
    );
  if (k === 1) return x32([0, 1, 2, 3].map(() => rnd() & 0x0f0f0f0f));
  return x32([rnd(), rnd(), rnd(), rnd()]);
}
function intsNear(): [string, string] {
  const a = ints();
  if (rnd() % 3 !== 0) return [a, ints()];
  const d = dwordsOf(a).map((v) => (v ^ (rnd() & 0x00030003)) >>> 0);
  return [a, x32(d)];
}

function mxcsr(allowUnmask = true): number {
  let m = 0x1f80 | ((rnd() & 3) << 13);
  if (rnd() % 4 === 0) m |= 0x40; // DAZ
  if (rnd() % 4 === 0) m |= 0x8000; // FZ
  if (allowUnmask && rnd() % unmaskOneIn === 0)
    m &= ~(pick([0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x3f]) << 7);
  return m;
}

// ---- instruction groups ----

type Case = { code: number[]; f: Fields };
const groups = new Map<string, { label: string; make: () => Case; n: number }[]>();
function add(group: string, label: string, n: number, make: () => Case): void {
  if (!groups.has(group)) groups.set(group, []);
  groups.get(group)!.push({ label, make, n: Math.max(1, Math.round(n * scale)) });
}

/** Input with xmm0/xmm1, an MXCSR and (for memory forms) xmm1's value also at [edx]. */
function xin(x0: string, x1: string, mx: number, memForm: boolean): Fields {
  const f: Fields = { x0, x1, mx: hex(mx, 8) };
  if (memForm) f.mem = le(x1) + "0".repeat(96);
  return f;
}
/** Dword hex (d0 first, each big-endian) to memory byte order. */
function le(x: string): string {
  return x
    .match(/../g)!
    .map((_, i, a) => a[(i & ~3) + 3 - (i & 3)]!)
    .join("");
}

const REG = 0xc1; // xmm0/mm0, xmm1/mm1
const MEM = 0x02; // [edx]

// SSE/SSE2 floating-point arithmetic.
const FP = [
  ["add", 0x58],
  ["mul", 0x59],
  ["sub", 0x5c],
  ["min", 0x5d],
  ["div", 0x5e],
  ["max", 0x5f],
  ["sqrt", 0x51],
] as const;
const FORMS = [
  ["ps", [], false],
  ["ss", [0xf3], false],
  ["pd", [0x66], true],
  ["sd", [0xf2], true],
] as const;
for (const [op, opc] of FP) {
  for (const [sfx, pre, dbl] of FORMS) {
    const n = op === "sqrt" ? 100 : 160;
    add(dbl ? "sse2-fp" : "sse-fp", `${op}${sfx}`, n, () => {
      const memForm = rnd() % 5 === 0;
      const x0 = dbl ? pd() : ps();
      const x1 = dbl ? pd(x0) : ps(dwordsOf(x0));
      return { code: [...pre, 0x0f, opc, memForm ? MEM : REG], f: xin(x0, x1, mxcsr(), memForm) };
    });
  }
}
for (const [sfx, pre, dbl] of FORMS) {
  add(dbl ? "sse2-fp" : "sse-fp", `cmp${sfx}`, 160, () => {
    const x0 = dbl ? pd() : ps();
    const x1 = rnd() % 4 === 0 ? x0 : dbl ? pd(x0) : ps(dwordsOf(x0));
    return { code: [...pre, 0x0f, 0xc2, REG, rnd() & 7], f: xin(x0, x1, mxcsr(), false) };
  });
}
for (const [name, pre, opc, dbl] of [
  ["comiss", [], 0x2f, false],
  ["ucomiss", [], 0x2e, false],
  ["comisd", [0x66], 0x2f, true],
  ["ucomisd", [0x66], 0x2e, true],
] as const) {
  add(dbl ? "sse2-fp" : "sse-fp", name, 120, () => {
    const x0 = dbl ? pd() : ps();
    const x1 = rnd() % 4 === 0 ? x0 : dbl ? pd(x0) : ps(dwordsOf(x0));
    const f = xin(x0, x1, mxcsr(), false);
    f.fl = hex(rnd() & 0x8d5, 4);
    return { code: [...pre, 0x0f, opc, REG], f };
  });
}
for (const [name, pre, opc, dbl] of [
  ["rcpps", [], 0x53, false],
  ["rcpss", [0xf3], 0x53, false],
  ["rsqrtps", [], 0x52, false],
  ["rsqrtss", [0xf3], 0x52, false],
] as const) {
  void dbl;
  add("sse-approx", name, 60, () => ({
    code: [...pre, 0x0f, opc, REG],
    f: xin(ps(), ps(), mxcsr(false), false),
  }));
}
for (const [name, pre, opc, dbl] of [
  ["andps", [], 0x54, false],
  ["andnps", [], 0x55, false],
  ["orps", [], 0x56, false],
  ["xorps", [], 0x57, false],
  ["andpd", [0x66], 0x54, true],
  ["unpcklps", [], 0x14, false],
  ["unpckhps", [], 0x15, false],
  ["unpcklpd", [0x66], 0x14, true],
  ["unpckhpd", [0x66], 0x15, true],
] as const) {
  void dbl;
  add("sse-move", name, 12, () => ({
    code: [...pre, 0x0f, opc, rnd() & 1 ? REG : MEM],
    f: xin(ints(), ints(), 0x1f80, true),
  }));
}
add("sse-move", "shufps", 20, () => ({
  code: [0x0f, 0xc6, REG, rnd() & 0xff],
  f: xin(ints(), ints(), 0x1f80, false),
}));
add("sse-move", "shufpd", 12, () => ({
  code: [0x66, 0x0f, 0xc6, REG, rnd() & 3],
  f: xin(ints(), ints(), 0x1f80, false),
}));
add("sse-move", "movmskps", 12, () => ({
  code: [0x0f, 0x50, REG],
  f: { ...xin(ints(), ints(), 0x1f80, false), eax: hex(rnd(), 8) },
}));
add("sse-move", "movmskpd", 12, () => ({
  code: [0x66, 0x0f, 0x50, REG],
  f: { ...xin(ints(), ints(), 0x1f80, false), eax: hex(rnd(), 8) },
}));
const MOVES: [string, number[]][] = [
  ["movaps r", [0x0f, 0x28, REG]],
  ["movaps m", [0x0f, 0x28, MEM]],
  ["movaps st", [0x0f, 0x29, MEM]],
  ["movups m", [0x0f, 0x10, MEM]],
  ["movups st", [0x0f, 0x11, MEM]],
  ["movss r", [0xf3, 0x0f, 0x10, REG]],
  ["movss m", [0xf3, 0x0f, 0x10, MEM]],
  ["movss st", [0xf3, 0x0f, 0x11, MEM]],
  ["movsd r", [0xf2, 0x0f, 0x10, REG]],
  ["movsd m", [0xf2, 0x0f, 0x10, MEM]],
  ["movsd st", [0xf2, 0x0f, 0x11, MEM]],
  ["movhlps", [0x0f, 0x12, REG]],
  ["movlhps", [0x0f, 0x16, REG]],
  ["movlps m", [0x0f, 0x12, MEM]],
  ["movhps m", [0x0f, 0x16, MEM]],
  ["movlps st", [0x0f, 0x13, MEM]],
  ["movhps st", [0x0f, 0x17, MEM]],
  ["movlpd m", [0x66, 0x0f, 0x12, MEM]],
  ["movhpd st", [0x66, 0x0f, 0x17, MEM]],
  ["movapd st", [0x66, 0x0f, 0x29, MEM]],
  ["movdqa m", [0x66, 0x0f, 0x6f, MEM]],
  ["movdqu st", [0xf3, 0x0f, 0x7f, MEM]],
  ["movntps", [0x0f, 0x2b, MEM]],
  ["movntdq", [0x66, 0x0f, 0xe7, MEM]],
  ["movnti", [0x0f, 0xc3, 0x0a]], // movnti [edx], ecx
  ["movd x,r", [0x66, 0x0f, 0x6e, 0xc0]],
  ["movd r,x", [0x66, 0x0f, 0x7e, 0xc8]],
  ["movd x,m", [0x66, 0x0f, 0x6e, MEM]],
  ["movq x,x", [0xf3, 0x0f, 0x7e, REG]],
  ["movq x,m", [0xf3, 0x0f, 0x7e, MEM]],
  ["movq st", [0x66, 0x0f, 0xd6, MEM]],
  ["movq x,x d6", [0x66, 0x0f, 0xd6, 0xc8]],
  ["movsldup", [0xf3, 0x0f, 0x12, REG]],
  ["movshdup", [0xf3, 0x0f, 0x16, REG]],
  ["movddup", [0xf2, 0x0f, 0x12, REG]],
  ["movddup m", [0xf2, 0x0f, 0x12, MEM]],
  ["lddqu", [0xf2, 0x0f, 0xf0, MEM]],
  ["maskmovdqu", [0x66, 0x0f, 0xf7, REG]],
  ["pextrw x", [0x66, 0x0f, 0xc5, REG, 5]],
  ["pinsrw x", [0x66, 0x0f, 0xc4, 0xc0, 6]],
  ["pinsrw x m", [0x66, 0x0f, 0xc4, MEM, 3]],
  ["pmovmskb x", [0x66, 0x0f, 0xd7, REG]],
  ["stmxcsr", [0x0f, 0xae, 0x1a]],
  ["ldmxcsr", [0x0f, 0xae, 0x12]],
];
for (const [name, code] of MOVES) {
  add("sse-move", name, 10, () => {
    const x0 = ints();
    const x1 = ints();
    const f: Fields = {
      x0,
      x1,
      eax: hex(rnd(), 8),
      ecx: hex(rnd(), 8),
      mem: le(ints()) + le(ints()) + "0".repeat(64),
    };
    if (name === "ldmxcsr")
      f.mem =
        hex(mxcsr() | 0x3f, 8)
          .match(/../g)!
          .reverse()
          .join("") + "0".repeat(120);
    return { code, f };
  });
}

// Conversions.
const CVT: [string, number[], "ps" | "pd" | "int" | "mmint", boolean][] = [
  ["cvtss2sd", [0xf3, 0x0f, 0x5a, REG], "ps", true],
  ["cvtsd2ss", [0xf2, 0x0f, 0x5a, REG], "pd", true],
  ["cvtps2pd", [0x0f, 0x5a, REG], "ps", true],
  ["cvtpd2ps", [0x66, 0x0f, 0x5a, REG], "pd", true],
  ["cvtdq2ps", [0x0f, 0x5b, REG], "int", true],
  ["cvtps2dq", [0x66, 0x0f, 0x5b, REG], "ps", true],
  ["cvttps2dq", [0xf3, 0x0f, 0x5b, REG], "ps", true],
  ["cvtdq2pd", [0xf3, 0x0f, 0xe6, REG], "int", true],
  ["cvtpd2dq", [0xf2, 0x0f, 0xe6, REG], "pd", true],
  ["cvttpd2dq", [0x66, 0x0f, 0xe6, REG], "pd", true],
  ["cvtsi2ss", [0xf3, 0x0f, 0x2a, 0xc0], "int", true],
  ["cvtsi2sd", [0xf2, 0x0f, 0x2a, 0xc0], "int", true],
  ["cvtss2si", [0xf3, 0x0f, 0x2d, REG], "ps", true],
  ["cvttss2si", [0xf3, 0x0f, 0x2c, REG], "ps", true],
  ["cvtsd2si", [0xf2, 0x0f, 0x2d, REG], "pd", true],
  ["cvttsd2si", [0xf2, 0x0f, 0x2c, REG], "pd", true],
  ["cvtpi2ps", [0x0f, 0x2a, REG], "mmint", true],
  ["cvtpi2pd", [0x66, 0x0f, 0x2a, REG], "mmint", true],
  ["cvtpi2ps m", [0x0f, 0x2a, MEM], "int", true],
  ["cvtps2pi", [0x0f, 0x2d, REG], "ps", true],
  ["cvttps2pi", [0x0f, 0x2c, REG], "ps", true],
  ["cvtpd2pi", [0x66, 0x0f, 0x2d, REG], "pd", true],
  ["cvttpd2pi", [0x66, 0x0f, 0x2c, REG], "pd", true],
];
for (const [name, code, kind] of CVT) {
  add("sse-cvt", name, 100, () => {
    const x1 = kind === "ps" ? ps() : kind === "pd" ? pd() : ints();
    const f = xin(ps(), x1, mxcsr(), true);
    f.eax = hex(kind === "int" ? dwordsOf(x1)[0]! : rnd(), 8);
    if (kind === "mmint") {
      f.st1 = "ffff" + x1.slice(8, 16) + x1.slice(0, 8);
      f.tw = "03";
    }
    return { code, f };
  });
}

// SSE3 floating point.
for (const [name, code, dbl] of [
  ["haddps", [0xf2, 0x0f, 0x7c, REG], false],
  ["hsubps", [0xf2, 0x0f, 0x7d, REG], false],
  ["addsubps", [0xf2, 0x0f, 0xd0, REG], false],
  ["haddpd", [0x66, 0x0f, 0x7c, REG], true],
  ["hsubpd", [0x66, 0x0f, 0x7d, REG], true],
  ["addsubpd", [0x66, 0x0f, 0xd0, REG], true],
] as const) {
  add("sse3", name, 120, () => {
    const x0 = dbl ? pd() : ps();
    const x1 = dbl ? pd(x0) : ps(dwordsOf(x0));
    // Pairs inside one register: bring element 1 near element 0.
    const y0 = dbl ? pd() : ps();
    return { code: [...code], f: xin(rnd() & 1 ? x0 : y0, x1, mxcsr(), false) };
  });
}

// Packed integer (MMX forms on mm0/mm1 without prefix, XMM forms with 66).
const INT: [string, number, boolean][] = [
  ["punpcklbw", 0x60, true],
  ["punpcklwd", 0x61, true],
  ["punpckldq", 0x62, true],
  ["packsswb", 0x63, true],
  ["pcmpgtb", 0x64, true],
  ["pcmpgtw", 0x65, true],
  ["pcmpgtd", 0x66, true],
  ["packuswb", 0x67, true],
  ["punpckhbw", 0x68, true],
  ["punpckhwd", 0x69, true],
  ["punpckhdq", 0x6a, true],
  ["packssdw", 0x6b, true],
  ["punpcklqdq", 0x6c, false],
  ["punpckhqdq", 0x6d, false],
  ["pcmpeqb", 0x74, true],
  ["pcmpeqw", 0x75, true],
  ["pcmpeqd", 0x76, true],
  ["psrlw", 0xd1, true],
  ["psrld", 0xd2, true],
  ["psrlq", 0xd3, true],
  ["paddq", 0xd4, true],
  ["pmullw", 0xd5, true],
  ["psubusb", 0xd8, true],
  ["psubusw", 0xd9, true],
  ["pminub", 0xda, true],
  ["pand", 0xdb, true],
  ["paddusb", 0xdc, true],
  ["paddusw", 0xdd, true],
  ["pmaxub", 0xde, true],
  ["pandn", 0xdf, true],
  ["pavgb", 0xe0, true],
  ["psraw", 0xe1, true],
  ["psrad", 0xe2, true],
  ["pavgw", 0xe3, true],
  ["pmulhuw", 0xe4, true],
  ["pmulhw", 0xe5, true],
  ["psubsb", 0xe8, true],
  ["psubsw", 0xe9, true],
  ["pminsw", 0xea, true],
  ["por", 0xeb, true],
  ["paddsb", 0xec, true],
  ["paddsw", 0xed, true],
  ["pmaxsw", 0xee, true],
  ["pxor", 0xef, true],
  ["psllw", 0xf1, true],
  ["pslld", 0xf2, true],
  ["psllq", 0xf3, true],
  ["pmuludq", 0xf4, true],
  ["pmaddwd", 0xf5, true],
  ["psadbw", 0xf6, true],
  ["psubb", 0xf8, true],
  ["psubw", 0xf9, true],
  ["psubd", 0xfa, true],
  ["psubq", 0xfb, true],
  ["paddb", 0xfc, true],
  ["paddw", 0xfd, true],
  ["paddd", 0xfe, true],
];
const SSSE3: [string, number][] = [
  ["pshufb", 0x00],
  ["phaddw", 0x01],
  ["phaddd", 0x02],
  ["phaddsw", 0x03],
  ["pmaddubsw", 0x04],
  ["phsubw", 0x05],
  ["phsubd", 0x06],
  ["phsubsw", 0x07],
  ["psignb", 0x08],
  ["psignw", 0x09],
  ["psignd", 0x0a],
  ["pmulhrsw", 0x0b],
  ["pabsb", 0x1c],
  ["pabsw", 0x1d],
  ["pabsd", 0x1e],
];
const isShift = (n: string): boolean => /^ps[rl]l[wdq]$|^psra[wd]$/.test(n);
function shiftCount(): string {
  const c = pick([0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, rnd() & 0xff]);
  return x32([c, rnd() % 8 === 0 ? 1 : 0, rnd(), rnd()]);
}
function mmIn(a: string, b: string): Fields {
  // mm0 = ST0 = R0 and mm1 = R1 (TOP = 0), with random exponent fields and tags.
  return {
    st0: hex(rnd() & 0xffff, 4) + a.slice(8, 16) + a.slice(0, 8),
    st1: hex(rnd() & 0xffff, 4) + b.slice(8, 16) + b.slice(0, 8),
    tw: hex(rnd() & 0xff, 2),
    mem: le(b.slice(0, 16)) + "0".repeat(112),
  };
}
for (const [name, opc, hasMm] of INT) {
  add("sse2-int", name, 24, () => {
    const [a, b0] = intsNear();
    const b = isShift(name) ? shiftCount() : b0;
    const memForm = rnd() % 4 === 0;
    return { code: [0x66, 0x0f, opc, memForm ? MEM : REG], f: xin(a, b, 0x1f80, memForm) };
  });
  if (hasMm)
    add("mmx", name, 16, () => {
      const [a, b0] = intsNear();
      const b = isShift(name) ? shiftCount() : b0;
      return { code: [0x0f, opc, rnd() % 4 === 0 ? MEM : REG], f: mmIn(a, b) };
    });
}
for (const [name, opc] of SSSE3) {
  add("ssse3", name, 24, () => {
    const [a, b] = intsNear();
    const memForm = rnd() % 4 === 0;
    return { code: [0x66, 0x0f, 0x38, opc, memForm ? MEM : REG], f: xin(a, b, 0x1f80, memForm) };
  });
  add("ssse3", `${name} mm`, 12, () => {
    const [a, b] = intsNear();
    return { code: [0x0f, 0x38, opc, REG], f: mmIn(a, b) };
  });
}
add("ssse3", "palignr", 30, () => ({
  code: [0x66, 0x0f, 0x3a, 0x0f, REG, pick([0, 1, 4, 8, 15, 16, 17, 31, 32, rnd() & 0xff])],
  f: xin(ints(), ints(), 0x1f80, false),
}));
add("ssse3", "palignr mm", 16, () => ({
  code: [0x0f, 0x3a, 0x0f, REG, pick([0, 1, 4, 7, 8, 9, 15, 16, rnd() & 0xff])],
  f: mmIn(ints(), ints()),
}));
for (const [reg, opc, name] of [
  [2, 0x71, "psrlw"],
  [4, 0x71, "psraw"],
  [6, 0x71, "psllw"],
  [2, 0x72, "psrld"],
  [4, 0x72, "psrad"],
  [6, 0x72, "pslld"],
  [2, 0x73, "psrlq"],
  [6, 0x73, "psllq"],
  [3, 0x73, "psrldq"],
  [7, 0x73, "pslldq"],
] as const) {
  const modrm = 0xc0 | (reg << 3);
  add("sse2-int", `${name} imm`, 12, () => ({
    code: [0x66, 0x0f, opc, modrm, pick([0, 1, 7, 15, 16, 31, 32, 63, 64, 200])],
    f: xin(ints(), ints(), 0x1f80, false),
  }));
  if (reg !== 3 && reg !== 7)
    add("mmx", `${name} imm`, 8, () => ({
      code: [0x0f, opc, modrm, pick([0, 1, 7, 15, 16, 31, 32, 63, 64, 200])],
      f: mmIn(ints(), ints()),
    }));
}
for (const [name, code] of [
  ["pshufd", [0x66, 0x0f, 0x70, REG]],
  ["pshufhw", [0xf3, 0x0f, 0x70, REG]],
  ["pshuflw", [0xf2, 0x0f, 0x70, REG]],
] as const)
  add("sse2-int", name, 12, () => ({
    code: [...code, rnd() & 0xff],
    f: xin(ints(), ints(), 0x1f80, false),
  }));
const MMX_MISC: [string, number[]][] = [
  ["pshufw", [0x0f, 0x70, REG, 0x1b]],
  ["pshufw2", [0x0f, 0x70, REG, 0xe4 ^ 0x5a]],
  ["movd mm,r", [0x0f, 0x6e, 0xc0]],
  ["movd r,mm", [0x0f, 0x7e, 0xc8]],
  ["movd mm,m", [0x0f, 0x6e, MEM]],
  ["movd m,mm", [0x0f, 0x7e, 0x0a]],
  ["movq mm,mm", [0x0f, 0x6f, REG]],
  ["movq mm,m", [0x0f, 0x6f, MEM]],
  ["movq m,mm", [0x0f, 0x7f, 0x0a]],
  ["movntq", [0x0f, 0xe7, 0x0a]],
  ["pextrw", [0x0f, 0xc5, REG, 2]],
  ["pinsrw", [0x0f, 0xc4, 0xc0, 1]],
  ["pmovmskb", [0x0f, 0xd7, REG]],
  ["maskmovq", [0x0f, 0xf7, REG]],
  ["emms", [0x0f, 0x77]],
  ["movq2dq", [0xf3, 0x0f, 0xd6, REG]],
  ["movdq2q", [0xf2, 0x0f, 0xd6, REG]],
];
for (const [name, code] of MMX_MISC)
  add("mmx", name, 10, () => ({
    code,
    f: { ...mmIn(ints(), ints()), x0: ints(), x1: ints(), eax: hex(rnd(), 8) },
  }));

// x87 through the handlers (wiring: operands, stack, flags, FCMOV/FCOMI EFLAGS, memory forms).
function f80v(): string {
  const [h, l] = f64();
  // The 80-bit image of a double, or a random extended value.
  if (rnd() % 3 === 0)
    return (
      hex((rnd() & 0x8000) | (0x3fff + (rnd() % 80) - 40), 4) +
      hex(rnd() | 0x80000000, 8) +
      hex(rnd(), 8)
    );
  const e = (h >>> 20) & 0x7ff;
  const s = h >>> 31 ? 0x8000 : 0;
  const mh = ((h & 0xfffff) << 11) | (l >>> 21);
  const ml = (l << 11) >>> 0;
  if (e === 0x7ff) return hex(s | 0x7fff, 4) + hex(mh | 0x80000000, 8) + hex(ml, 8);
  if (e === 0) return hex(s, 4) + "0000000000000000";
  return hex(s | (e - 1023 + 0x3fff), 4) + hex(mh | 0x80000000, 8) + hex(ml, 8);
}
function fcw(): string {
  const masks = rnd() % 6 === 0 ? 0x3f & ~pick([0x01, 0x04, 0x08, 0x10, 0x20]) : 0x3f;
  return hex(0x40 | masks | (pick([0, 2, 3]) << 8) | ((rnd() & 3) << 10), 4);
}
function x87In(): Fields {
  const f: Fields = {
    cw: fcw(),
    st0: f80v(),
    st1: f80v(),
    tw: pick(["03", "03", "03", "01", "00", "ff", "83"]),
  };
  const [h, l] = f64();
  f.mem =
    pick([
      hex(l, 8) + hex(h, 8),
      hex(f32(), 8) + "00000000",
      hex(rnd() & 0xffff, 8) + "00000000",
      hex(rnd(), 8) + hex(rnd(), 8),
    ])
      .match(/../g)!
      .map((b, i, a) => a[(i & ~3) + 3 - (i & 3)]!)
      .join("") +
    hex(rnd() & 0xffff, 4) +
    "0".repeat(108);
  f.fl = hex(rnd() & 0x8d5, 4);
  f.eax = hex(rnd(), 8);
  if (f.st0 && f.tw === "ff") f.st7 = f80v();
  return f;
}
const X87: [string, number[]][] = [];
const ARITH = ["add", "mul", "com", "comp", "sub", "subr", "div", "divr"];
ARITH.forEach((n, r) => {
  X87.push([`f${n} st0,st1`, [0xd8, 0xc1 | (r << 3)]]);
  X87.push([`f${n} m32`, [0xd8, MEM | (r << 3)]]);
  X87.push([`f${n} m64`, [0xdc, MEM | (r << 3)]]);
  X87.push([`fi${n} m32`, [0xda, MEM | (r << 3)]]);
  X87.push([`fi${n} m16`, [0xde, MEM | (r << 3)]]);
  if (r !== 2 && r !== 3) {
    X87.push([`f${n} st1,st0`, [0xdc, 0xc1 | (r << 3)]]);
    X87.push([`f${n}p st1,st0`, [0xde, 0xc1 | (r << 3)]]);
  }
});
X87.push(
  ["fcompp", [0xde, 0xd9]],
  ["fucom", [0xdd, 0xe1]],
  ["fucomp", [0xdd, 0xe9]],
  ["fucompp", [0xda, 0xe9]],
  ["ftst", [0xd9, 0xe4]],
  ["fxam", [0xd9, 0xe5]],
  ["fcomi", [0xdb, 0xf1]],
  ["fucomi", [0xdb, 0xe9]],
  ["fcomip", [0xdf, 0xf1]],
  ["fucomip", [0xdf, 0xe9]],
  ["fcmovb", [0xda, 0xc1]],
  ["fcmove", [0xda, 0xc9]],
  ["fcmovbe", [0xda, 0xd1]],
  ["fcmovu", [0xda, 0xd9]],
  ["fcmovnb", [0xdb, 0xc1]],
  ["fcmovne", [0xdb, 0xc9]],
  ["fcmovnbe", [0xdb, 0xd1]],
  ["fcmovnu", [0xdb, 0xd9]],
  ["fld m32", [0xd9, MEM]],
  ["fld m64", [0xdd, MEM]],
  ["fld m80", [0xdb, 0x2a]],
  ["fild m16", [0xdf, MEM]],
  ["fild m32", [0xdb, MEM]],
  ["fild m64", [0xdf, 0x2a]],
  ["fbld", [0xdf, 0x22]],
  ["fst m32", [0xd9, 0x12]],
  ["fstp m32", [0xd9, 0x1a]],
  ["fst m64", [0xdd, 0x12]],
  ["fstp m64", [0xdd, 0x1a]],
  ["fstp m80", [0xdb, 0x3a]],
  ["fist m16", [0xdf, 0x12]],
  ["fist m32", [0xdb, 0x12]],
  ["fistp m16", [0xdf, 0x1a]],
  ["fistp m32", [0xdb, 0x1a]],
  ["fistp m64", [0xdf, 0x3a]],
  ["fisttp m16", [0xdf, 0x0a]],
  ["fisttp m32", [0xdb, 0x0a]],
  ["fisttp m64", [0xdd, 0x0a]],
  ["fbstp", [0xdf, 0x32]],
  ["fld st1", [0xd9, 0xc1]],
  ["fst st1", [0xdd, 0xd1]],
  ["fstp st1", [0xdd, 0xd9]],
  ["fxch", [0xd9, 0xc9]],
  ["ffree st1", [0xdd, 0xc1]],
  ["fchs", [0xd9, 0xe0]],
  ["fabs", [0xd9, 0xe1]],
  ["fld1", [0xd9, 0xe8]],
  ["fldl2t", [0xd9, 0xe9]],
  ["fldl2e", [0xd9, 0xea]],
  ["fldpi", [0xd9, 0xeb]],
  ["fldlg2", [0xd9, 0xec]],
  ["fldln2", [0xd9, 0xed]],
  ["fldz", [0xd9, 0xee]],
  ["fsqrt", [0xd9, 0xfa]],
  ["frndint", [0xd9, 0xfc]],
  ["fscale", [0xd9, 0xfd]],
  ["fprem", [0xd9, 0xf8]],
  ["fprem1", [0xd9, 0xf5]],
  ["fxtract", [0xd9, 0xf4]],
  ["fdecstp", [0xd9, 0xf6]],
  ["fincstp", [0xd9, 0xf7]],
  ["fnstsw ax", [0xdf, 0xe0]],
  ["fnstcw", [0xd9, 0x3a]],
  ["fldcw", [0xd9, 0x2a]],
  ["fnclex", [0xdb, 0xe2]],
  ["fninit", [0xdb, 0xe3]],
  ["fnstsw m", [0xdd, 0x3a]],
  ["fnop", [0xd9, 0xd0]],
  ["fwait", [0x9b]],
);
for (const [name, code] of X87) {
  add("x87", name, name.startsWith("f") && /m(16|32|64)|st/.test(name) ? 24 : 16, () => {
    const f = x87In();
    if (name === "fldcw") f.mem = fcw().match(/../g)!.reverse().join("") + "0".repeat(124);
    return { code, f };
  });
}

// FNSTENV/FLDENV in the 32-bit protected format (28 bytes at [edx]). FNSTENV's pointer bytes
// 12-27 hold host addresses: the replay masks them (replay.ts, ENV_POINTERS).
add("x87", "fnstenv", 24, () => {
  const f = x87In();
  f.tw = hex(rnd() & 0xff, 2);
  f.sw = hex((rnd() & 0x3f7f) | ((rnd() & 7) << 11), 4);
  f.cw = hex(parseInt(fcw(), 16) | 0x3f, 4); // masked: the loaded flags are not pending
  f.st2 = f80v();
  f.st3 = pick(["0".repeat(20), "8000" + "0".repeat(16), f80v()]);
  f.st4 = pick(["7fff8000000000000000", "00001234567800000000", f80v()]);
  return { code: [0xd9, 0x32], f };
});
add("x87", "fldenv", 24, () => {
  const f = x87In();
  const le16 = (v: number): string => hex(v & 0xff, 2) + hex((v >>> 8) & 0xff, 2);
  const cw = parseInt(fcw(), 16) | (rnd() % 3 === 0 ? 0xe080 & rnd() : 0);
  const sw = rnd() & 0xff7f;
  const tw = rnd() & 0xffff;
  f.mem =
    le16(cw) +
    "ffff" +
    le16(sw) +
    "ffff" +
    le16(tw) +
    "ffff" +
    hex(rnd(), 8) +
    hex(rnd(), 8) +
    hex(rnd(), 8) +
    hex(rnd(), 8) +
    "0".repeat(72);
  return { code: [0xd9, 0x22], f };
});

// ---- run natively ----

const REC = 624;
function toRecord(code: number[], f: Fields): Uint8Array {
  const r = new Uint8Array(REC);
  const img = imageOf(f);
  r.set(img.fx, 0);
  r.set(img.mem, 512);
  const c = new Uint8Array(16).fill(0x90);
  c.set(code);
  r.set(c, 576);
  const dv = new DataView(r.buffer);
  dv.setUint32(592, img.eax, true);
  dv.setUint32(596, img.ecx, true);
  dv.setUint32(600, img.ebx, true);
  dv.setUint32(604, img.eflags | 2, true);
  dv.setUint32(608, code.length, true);
  return r;
}

const dir = mkdtempSync(join(tmpdir(), "simdrun-"));
const exe = join(dir, "simdrun");
execFileSync("gcc", ["-O1", "-mno-red-zone", "-o", exe, join(here, "simdrun.c")]);
mkdirSync(outDir, { recursive: true });
let total = 0;
for (const [group, list] of groups) {
  const cases: { label: string; c: Case }[] = [];
  for (const g of list) for (let i = 0; i < g.n; i++) cases.push({ label: g.label, c: g.make() });
  const input = new Uint8Array(cases.length * REC);
  cases.forEach((k, i) => input.set(toRecord(k.c.code, k.c.f), i * REC));
  const out = execFileSync(exe, { input, maxBuffer: 1 << 30 });
  const lines: string[] = [];
  cases.forEach((k, i) => {
    const r = new Uint8Array(out.buffer, out.byteOffset + i * REC, REC);
    const dv = new DataView(r.buffer, r.byteOffset, REC);
    const inF = { ...BASE, ...k.c.f };
    const inText = encodeFields(inF, BASE);
    let outText: string;
    if (dv.getUint32(612, true) !== 0) outText = `fault=xm,mx=${hex(dv.getUint32(616, true), 8)}`;
    else {
      const o = fieldsOf(
        r.subarray(0, 512),
        dv.getUint32(592, true),
        dv.getUint32(596, true),
        dv.getUint32(600, true),
        dv.getUint32(604, true),
        r.subarray(512, 576),
      );
      outText = encodeFields(o, inF);
    }
    lines.push(`${k.label}|${k.c.code.map((b) => hex(b, 2)).join("")}|${inText}|${outText}`);
  });
  writeFileSync(join(outDir, `${group}.txt.gz`), gzipSync(lines.join("\n") + "\n", { level: 9 }));
  total += lines.length;
  console.log(`${group}: ${lines.length} cases`);
}
console.log(`total ${total}`);
