// Runs one recorded case through the soft-float code and formats the outcome exactly like the
// native harness prints it, so tests compare strings.
import { f80Add } from "../../src/x87/softfloat/add";
import {
  TRIG_COS,
  TRIG_SIN,
  TRIG_TAN,
  f80Atan,
  f80F2xm1,
  f80Trig,
  f80Yl2x,
  f80Yl2xp1,
  trigOutOfRange,
} from "../../src/x87/softfloat/transcendental";
import { BCD, f80FromBcd, f80ToBcd } from "../../src/x87/softfloat/bcd";
import { f80Prem } from "../../src/x87/softfloat/prem";
import { f80Extract, f80Scale } from "../../src/x87/softfloat/scale";
import { C1, C2, f80Compare, f80Examine } from "../../src/x87/softfloat/compare";
import {
  M,
  f80FromF32,
  f80FromF64,
  f80FromInt32,
  f80FromInt64,
  f80ToF32,
  f80ToF64,
  f80ToInt,
} from "../../src/x87/softfloat/convert";
import { f80Div } from "../../src/x87/softfloat/div";
import { f80Mul } from "../../src/x87/softfloat/mul";
import { f80RoundInt } from "../../src/x87/softfloat/rint";
import { f80Sqrt } from "../../src/x87/softfloat/sqrt";
import { F80, type FpContext } from "../../src/x87/softfloat/types";
import type { Case } from "./vectors";

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, "0");
export const fmt = (v: F80): string => hex(v.se, 4) + hex(v.hi, 8) + hex(v.lo, 8);
const mem = (hi: number, lo: number): string => "0000" + hex(hi, 8) + hex(lo, 8);
export function parse(s: string, out = new F80()): F80 {
  return out.set(
    parseInt(s.slice(0, 4), 16),
    parseInt(s.slice(4, 12), 16),
    parseInt(s.slice(12, 20), 16),
  );
}
const ZERO = "00000000000000000000";

export interface Outcome {
  r1: string;
  r2: string;
  sw: number;
}

export type Runner = (c: Case, ctx: FpContext) => Outcome;

const a = new F80();
const b = new F80();
const r = new F80();
const r2 = new F80();

function finish(ctx: FpContext, r1s: string, r2s: string, cc = 0): Outcome {
  return { r1: r1s, r2: r2s, sw: (ctx.flags & 0x7f) | (ctx.c1 ? C1 : 0) | cc };
}

const binary =
  (f: (ctx: FpContext, out: F80, x: F80, y: F80) => F80): Runner =>
  (c, ctx) => {
    f(ctx, r, parse(c.a, a), parse(c.b, b));
    return finish(ctx, fmt(r), c.b);
  };
const unary =
  (f: (ctx: FpContext, out: F80, x: F80) => F80): Runner =>
  (c, ctx) => {
    f(ctx, r, parse(c.a, a));
    return finish(ctx, fmt(r), ZERO);
  };
const memLo = (c: Case): number => parseInt(c.a.slice(12, 20), 16);
const memHi = (c: Case): number => parseInt(c.a.slice(4, 12), 16);

export const RUNNERS: Record<string, Runner> = {
  add: binary((ctx, o, x, y) => f80Add(ctx, o, x, y, false)),
  sub: binary((ctx, o, x, y) => f80Add(ctx, o, x, y, true)),
  mul: binary(f80Mul),
  div: binary(f80Div),
  sqrt: unary(f80Sqrt),
  rndint: unary(f80RoundInt),
  com: (c, ctx) => finish(ctx, ZERO, ZERO, f80Compare(ctx, parse(c.a, a), parse(c.b, b), false)),
  ucom: (c, ctx) => finish(ctx, ZERO, ZERO, f80Compare(ctx, parse(c.a, a), parse(c.b, b), true)),
  tst: (c, ctx) => finish(ctx, ZERO, ZERO, f80Compare(ctx, parse(c.a, a), b.set(0, 0, 0), false)),
  xam: (c, ctx) => {
    const cc = f80Examine(parse(c.a, a));
    return { r1: ZERO, r2: ZERO, sw: cc | (ctx.flags & 0x7f) };
  },
  fist16: (c, ctx) => (f80ToInt(ctx, parse(c.a, a), 16, false), finish(ctx, mem(M.hi, M.lo), ZERO)),
  fist32: (c, ctx) => (f80ToInt(ctx, parse(c.a, a), 32, false), finish(ctx, mem(M.hi, M.lo), ZERO)),
  fist64: (c, ctx) => (f80ToInt(ctx, parse(c.a, a), 64, false), finish(ctx, mem(M.hi, M.lo), ZERO)),
  fisttp16: (c, ctx) => (
    f80ToInt(ctx, parse(c.a, a), 16, true),
    finish(ctx, mem(M.hi, M.lo), ZERO)
  ),
  fisttp32: (c, ctx) => (
    f80ToInt(ctx, parse(c.a, a), 32, true),
    finish(ctx, mem(M.hi, M.lo), ZERO)
  ),
  fisttp64: (c, ctx) => (
    f80ToInt(ctx, parse(c.a, a), 64, true),
    finish(ctx, mem(M.hi, M.lo), ZERO)
  ),
  fst32: (c, ctx) => (f80ToF32(ctx, parse(c.a, a)), finish(ctx, mem(M.hi, M.lo), ZERO)),
  fst64: (c, ctx) => (f80ToF64(ctx, parse(c.a, a)), finish(ctx, mem(M.hi, M.lo), ZERO)),
  fld32: (c, ctx) => finish(ctx, fmt(f80FromF32(ctx, r, memLo(c))), ZERO),
  fld64: (c, ctx) => finish(ctx, fmt(f80FromF64(ctx, r, memHi(c), memLo(c))), ZERO),
  fild16: (c, ctx) => finish(ctx, fmt(f80FromInt32(r, (memLo(c) << 16) >> 16)), ZERO),
  fild32: (c, ctx) => finish(ctx, fmt(f80FromInt32(r, memLo(c) | 0)), ZERO),
  fild64: (c, ctx) => finish(ctx, fmt(f80FromInt64(r, memHi(c), memLo(c))), ZERO),
  fbld: (c, ctx) =>
    finish(ctx, fmt(f80FromBcd(r, memLo(c), memHi(c), parseInt(c.a.slice(0, 4), 16))), ZERO),
  fbstp: (c, ctx) => (
    f80ToBcd(ctx, parse(c.a, a)),
    finish(ctx, hex(BCD.top, 4) + hex(BCD.hi, 8) + hex(BCD.lo, 8), ZERO)
  ),
  xtract: (c, ctx) => (f80Extract(ctx, r, r2, parse(c.a, a)), finish(ctx, fmt(r), fmt(r2))),
  scale: binary(f80Scale),
  prem: (c, ctx) => {
    const cc = f80Prem(ctx, r, parse(c.a, a), parse(c.b, b), false);
    return { r1: fmt(r), r2: c.b, sw: (ctx.flags & 0x7f) | cc };
  },
  prem1: (c, ctx) => {
    const cc = f80Prem(ctx, r, parse(c.a, a), parse(c.b, b), true);
    return { r1: fmt(r), r2: c.b, sw: (ctx.flags & 0x7f) | cc };
  },
  sin: trig(TRIG_SIN),
  cos: trig(TRIG_COS),
  ptan: (c, ctx) => {
    parse(c.a, a);
    if (trigOutOfRange(a)) return finish(ctx, c.a, ZERO, C2);
    f80Trig(ctx, r, a, TRIG_TAN);
    return finish(ctx, "3fff8000000000000000", fmt(r));
  },
  sincos: (c, ctx) => {
    parse(c.a, a);
    if (trigOutOfRange(a)) return finish(ctx, c.a, ZERO, C2);
    f80Trig(ctx, r, a, TRIG_SIN);
    f80Trig(ctx, r2, a, TRIG_COS);
    return finish(ctx, fmt(r2), fmt(r));
  },
  patan: (c, ctx) => finish(ctx, fmt(f80Atan(ctx, r, parse(c.b, b), parse(c.a, a))), ZERO),
  f2xm1: unary(f80F2xm1),
  yl2x: (c, ctx) => finish(ctx, fmt(f80Yl2x(ctx, r, parse(c.a, a), parse(c.b, b))), ZERO),
  yl2xp1: (c, ctx) => finish(ctx, fmt(f80Yl2xp1(ctx, r, parse(c.a, a), parse(c.b, b))), ZERO),
};

function trig(fn: number): Runner {
  return (c, ctx) => {
    parse(c.a, a);
    if (trigOutOfRange(a)) return finish(ctx, c.a, ZERO, C2);
    return finish(ctx, fmt(f80Trig(ctx, r, a, fn)), ZERO);
  };
}

export function runCase(c: Case, ctx: FpContext): Outcome | undefined {
  const run = RUNNERS[c.op];
  if (!run) return undefined;
  ctx.begin((c.cw >> 10) & 3, (c.cw >> 8) & 3, c.cw & 0x3f);
  return run(c, ctx);
}
export { r2 as scratch2 };
