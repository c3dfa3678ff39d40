// Regenerates the committed x87 oracle vectors from the host CPU (x86-64 with gcc).
//   pnpm exec tsx test/x87/native/gen-vectors.ts        (from packages/cpu)
// Operands come from a fixed-seed generator (edge classes of SDM vol. 1 8.2.2 table 8-3 plus
// values placed at rounding boundaries of every precision), control words cover every rounding and
// precision mode with exceptions masked, and some cases unmask OE/UE. The C harness x87run.c runs
// each case natively; its output is stored gzip-compressed under test/x87/vectors/.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const here = import.meta.dirname;
// X87_OUT / X87_SEED / X87_SCALE give larger one-off soak runs outside the committed set.
const outDir = process.env.X87_OUT ?? join(here, "..", "vectors");
const scale = Number(process.env.X87_SCALE ?? "1");

let seed = Number(process.env.X87_SEED ?? 0x12345678) >>> 0 || 1;
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
const f80 = (se: number, hi: number, lo: number): string => hex(se, 4) + hex(hi, 8) + hex(lo, 8);

/** A random significand, biased toward the bit patterns that sit on rounding boundaries. */
function sig(): [number, number] {
  let hi = rnd() | 0x80000000;
  let lo = rnd();
  switch (rnd() % 8) {
    case 0: // 24-bit boundary: half-ulp pattern in the low 40 bits
      hi = (hi & ~0xff) | pick([0x80, 0x7f, 0x81, 0x00, 0xff]);
      lo = pick([0, 1, 0xffffffff, rnd()]);
      break;
    case 1: // 53-bit boundary
      lo = (lo & ~0x7ff) | pick([0x400, 0x3ff, 0x401, 0, 0x7ff]);
      break;
    case 2: // short significands (exact sums and products)
      hi = (hi & 0xfff00000) | 0x80000000;
      lo = 0;
      break;
    case 3:
      hi = 0xffffffff;
      lo = pick([0xffffffff, 0xfffff800, 0xffffffff - (rnd() & 0xfff)]);
      break;
    case 4:
      hi = 0x80000000;
      lo = pick([0, 1, 0x800, rnd() & 0xff]);
      break;
    default:
  }
  return [hi >>> 0, lo >>> 0];
}

/** A random 80-bit operand; `near` steers the exponent toward another operand's. */
function operand(near?: number): string {
  const s = rnd() & 1 ? 0x8000 : 0;
  const [hi, lo] = sig();
  const k = rnd() % 40;
  if (k === 0) return f80(s, 0, 0);
  if (k === 1) return f80(s | 0x7fff, 0x80000000, 0);
  if (k === 2) return f80(s | 0x7fff, (hi | 0xc0000000) >>> 0, lo); // QNaN
  if (k === 3) return f80(s | 0x7fff, ((hi & 0xbfffffff) | 0x80000000 | 1) >>> 0, lo); // SNaN
  if (k === 4) return f80(s, hi & 0x7fffffff, lo); // denormal
  if (k === 5) return f80(s, hi, lo); // pseudo-denormal
  if (k === 6) return f80(s | (1 + (rnd() % 0x7ffe)), hi & 0x7fffffff, lo); // unnormal
  if (k === 7) return f80(s | 0x7fff, hi & 0x3fffffff, lo); // pseudo-NaN / pseudo-infinity
  if (k === 8) return f80(0xffff, 0xc0000000, 0); // real indefinite
  if (k <= 11) return f80(s | (1 + (rnd() % 70)), hi, lo); // tiny normals
  if (k <= 14) return f80(s | (0x7ffe - (rnd() % 70)), hi, lo); // huge normals
  if (k <= 16) return f80(s | (0x3fff + (rnd() % 200) - 100), hi, lo);
  let e: number;
  if (near !== undefined && k < 34) e = near + (rnd() % 140) - 70;
  else if (k < 38) e = 0x3fff + (rnd() % 130) - 65;
  else e = 1 + (rnd() % 0x7ffe);
  e = Math.max(1, Math.min(0x7ffe, e));
  return f80(s | e, hi, lo);
}
const expOf = (op: string): number => parseInt(op.slice(0, 4), 16) & 0x7fff;

function cw(unmask: boolean): number {
  const pc = pick([0, 2, 3]);
  const rc = rnd() & 3;
  let masks = 0x3f;
  if (unmask && rnd() % 4 === 0) masks = pick([0x27, 0x37, 0x2f]); // OE and/or UE unmasked
  return 0x40 | masks | (pc << 8) | (rc << 10);
}

type Gen = () => [string, string, number];
const binary =
  (sumExp: boolean): Gen =>
  () => {
    const a = operand();
    const mode = rnd() % 4;
    // For mul/div, put b where the result lands near the overflow/underflow thresholds.
    let b: string;
    if (sumExp && mode === 0) {
      const e = Math.max(
        1,
        Math.min(
          0x7ffe,
          pick([0x3fff * 2, 0x7ffe + 0x3fff, 1 + 0x3fff]) - expOf(a) + (rnd() % 80) - 40,
        ),
      );
      const [hi, lo] = sig();
      b = f80((rnd() & 1 ? 0x8000 : 0) | e, hi, lo);
    } else b = operand(expOf(a));
    return [a, b, cw(true)];
  };
const unary =
  (unmask: boolean): Gen =>
  () => [operand(), f80(0, 0, 0), cw(unmask)];
const mem =
  (f: () => [number, number]): Gen =>
  () => {
    const [hi, lo] = f();
    return [f80(0, hi, lo), f80(0, 0, 0), cw(false)];
  };
function f32bits(): [number, number] {
  const k = rnd() % 8;
  const s = rnd() & 0x80000000;
  if (k === 0) return [0, (s | (rnd() & 0x7fffff)) >>> 0]; // denormal / zero
  if (k === 1) return [0, (s | 0x7f800000 | (rnd() % 3 === 0 ? 0 : rnd() & 0x7fffff)) >>> 0];
  return [0, rnd()];
}
function f64bits(): [number, number] {
  const k = rnd() % 8;
  const s = rnd() & 0x80000000;
  if (k === 0) return [(s | (rnd() & 0xfffff)) >>> 0, rnd() % 3 === 0 ? 0 : rnd()];
  if (k === 1)
    return [
      (s | 0x7ff00000 | (rnd() % 3 === 0 ? 0 : rnd() & 0xfffff)) >>> 0,
      rnd() % 2 ? 0 : rnd(),
    ];
  return [rnd(), rnd()];
}
function bcd(): [number, number] {
  // 18 valid digits (FBLD of invalid digits is undefined, SDM vol. 2 FBLD)
  let hi = 0;
  let lo = 0;
  const nd = 1 + (rnd() % 18);
  for (let i = 0; i < 16; i++) if (i < nd) lo += (rnd() % 10) * 2 ** (4 * i);
  for (let i = 16; i < 18; i++) if (i < nd) hi |= (rnd() % 10) << (4 * (i - 16));
  hi |= rnd() & 1 ? 0x8000 : 0; // sign byte 9 bit 7 (the harness keeps bytes 8-9 in `se`)
  return [hi, lo >>> 0];
}
function intOperand(bits: number): string {
  // Values around the integer range limits and small fractions.
  const s = rnd() & 1 ? 0x8000 : 0;
  if (rnd() % 3 === 0) return operand();
  const e = 0x3fff + (rnd() % (bits + 2)) - 1;
  const [hi, lo] = sig();
  return f80(s | e, hi, lo);
}

const GROUPS: Record<string, [string, Gen, number][]> = {
  arith: [
    ["add", binary(false), 3000],
    ["sub", binary(false), 3000],
    ["mul", binary(true), 3000],
    ["div", binary(true), 3000],
    ["sqrt", unary(true), 2000],
  ],
  compare: [
    ["com", binary(false), 1000],
    ["ucom", binary(false), 1000],
    ["tst", unary(false), 500],
    ["xam", unary(false), 500],
  ],
  convert: [
    ["rndint", () => [intOperand(64), f80(0, 0, 0), cw(false)], 1500],
    ["fist16", () => [intOperand(16), f80(0, 0, 0), cw(false)], 1000],
    ["fist32", () => [intOperand(32), f80(0, 0, 0), cw(false)], 1000],
    ["fist64", () => [intOperand(64), f80(0, 0, 0), cw(false)], 1000],
    ["fisttp16", () => [intOperand(16), f80(0, 0, 0), cw(false)], 500],
    ["fisttp32", () => [intOperand(32), f80(0, 0, 0), cw(false)], 500],
    ["fisttp64", () => [intOperand(64), f80(0, 0, 0), cw(false)], 500],
    ["fst32", unary(false), 2000],
    ["fst64", unary(false), 2000],
    ["fld32", mem(f32bits), 800],
    ["fld64", mem(f64bits), 800],
    ["fild16", mem(() => [0, rnd() & 0xffff]), 200],
    ["fild32", mem(() => [0, rnd()]), 200],
    ["fild64", mem(() => [rnd(), rnd()]), 300],
    ["fbld", mem(bcd), 500],
    ["fbstp", () => [intOperand(60), f80(0, 0, 0), cw(false)], 1000],
  ],
  special: [
    ["xtract", unary(false), 800],
    [
      "scale",
      () => [
        operand(),
        f80(rnd() & 1 ? 0x8000 : 0, 0, 0).slice(0, 0) + operand(0x3fff + 5),
        cw(true),
      ],
      1200,
    ],
    [
      "prem",
      () => {
        const a = operand();
        return [a, operand(expOf(a)), cw(false)];
      },
      1500,
    ],
    [
      "prem1",
      () => {
        const a = operand();
        return [a, operand(expOf(a)), cw(false)];
      },
      1500,
    ],
  ],
  transcendental: [
    ["sin", () => [trig(), f80(0, 0, 0), cw(false) | 0x300], 1000],
    ["cos", () => [trig(), f80(0, 0, 0), cw(false) | 0x300], 1000],
    ["ptan", () => [trig(), f80(0, 0, 0), cw(false) | 0x300], 1000],
    ["sincos", () => [trig(), f80(0, 0, 0), cw(false) | 0x300], 1000],
    ["patan", () => [moderate(), moderate(), 0x37f], 1000],
    ["f2xm1", () => [unit(), f80(0, 0, 0), 0x37f], 1000],
    ["yl2x", () => [positive(), moderate(), 0x37f], 1000],
    ["yl2xp1", () => [small(), moderate(), 0x37f], 1000],
  ],
};
// Transcendental operands: the finite ranges those instructions are meant for.
function trig(): string {
  const [hi, lo] = sig();
  return f80((rnd() & 1 ? 0x8000 : 0) | (0x3fff - 20 + (rnd() % 26)), hi, lo);
}
function moderate(): string {
  const [hi, lo] = sig();
  return f80((rnd() & 1 ? 0x8000 : 0) | (0x3fff - 30 + (rnd() % 60)), hi, lo);
}
function positive(): string {
  const [hi, lo] = sig();
  return f80(0x3fff - 60 + (rnd() % 120), hi, lo);
}
function unit(): string {
  const [hi, lo] = sig();
  return f80((rnd() & 1 ? 0x8000 : 0) | (0x3fff - 1 - (rnd() % 40)), hi, lo);
}
function small(): string {
  const [hi, lo] = sig();
  return f80((rnd() & 1 ? 0x8000 : 0) | (0x3fff - 3 - (rnd() % 40)), hi, lo);
}

const work = mkdtempSync(join(tmpdir(), "x87run-"));
const bin = join(work, "x87run");
execFileSync("gcc", ["-O1", "-o", bin, join(here, "x87run.c")]);
mkdirSync(outDir, { recursive: true });
for (const [group, ops] of Object.entries(GROUPS)) {
  const lines: string[] = [];
  for (const [op, gen, count] of ops) {
    for (let i = 0; i < count * scale; i++) {
      const [a, b, c] = gen();
      lines.push(`${op} ${hex(c, 4)} ${a} ${b}`);
    }
  }
  const results = execFileSync(bin, { input: lines.join("\n") + "\n", maxBuffer: 1 << 28 })
    .toString()
    .trimEnd()
    .split("\n");
  const out = lines.map((l, i) => `${l} ${results[i] ?? ""}`);
  writeFileSync(join(outDir, `${group}.txt.gz`), gzipSync(out.join("\n") + "\n", { level: 9 }));
  console.log(group, out.length);
}

// State images: pushes (sometimes more than eight: stack overflow), an optional FFREE, then
// FXSAVE, FNSTENV and FNSAVE.
const imageBin = join(work, "x87image");
execFileSync("gcc", ["-O1", "-o", imageBin, join(here, "x87image.c")]);
const imageLines: string[] = [];
for (let i = 0; i < 400; i++) {
  const unmaskIE = i % 5 === 0;
  // With IE unmasked a stack overflow would leave #MF pending and fault the FFREE: stay <= 8.
  const k = rnd() % (unmaskIE ? 9 : 11);
  const vals: string[] = [];
  for (let j = 0; j < k; j++) vals.push(operand());
  const c = unmaskIE ? cw(false) & ~1 : cw(false);
  imageLines.push(`${hex(c, 4)} ${k} ${pick([0, 1, 2, 5, 9, 9, 9])} ${vals.join(" ")}`.trimEnd());
}
const imageOut = execFileSync(imageBin, { input: imageLines.join("\n") + "\n" })
  .toString()
  .trimEnd()
  .split("\n");
writeFileSync(
  join(outDir, "images.txt.gz"),
  gzipSync(imageLines.map((l, i) => `${l} | ${imageOut[i] ?? ""}`).join("\n") + "\n", { level: 9 }),
);
console.log("images", imageLines.length);
