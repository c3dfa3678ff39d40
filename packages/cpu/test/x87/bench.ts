// Developer micro-benchmark of the soft-float hot paths (not a test): pnpm exec tsx test/x87/bench.ts
import { f80Add } from "../../src/x87/softfloat/add";
import { f80Mul } from "../../src/x87/softfloat/mul";
import { f80Div } from "../../src/x87/softfloat/div";
import { f80Sqrt } from "../../src/x87/softfloat/sqrt";
import { f80ToF64 } from "../../src/x87/softfloat/convert";
import { F80, FpContext } from "../../src/x87/softfloat/types";
import {
  TRIG_SIN,
  f80Atan,
  f80F2xm1,
  f80Trig,
  f80Yl2x,
  f80Yl2xp1,
} from "../../src/x87/softfloat/transcendental";
const ctx = new FpContext();
const xs: F80[] = [];
for (let i = 0; i < 1024; i++)
  xs.push(
    new F80().set(
      0x3fff + ((i * 7) % 40) - 20,
      (0x80000000 | (i * 2654435761)) >>> 0,
      (i * 40503) >>> 0,
    ),
  );
const out = new F80();
function bench(name: string, f: (a: F80, b: F80) => void) {
  const N = Number(process.env.N ?? 2_000_000);
  for (let i = 0; i < 100000; i++) f(xs[i & 1023]!, xs[(i * 3) & 1023]!);
  const t = performance.now();
  for (let i = 0; i < N; i++) f(xs[i & 1023]!, xs[(i * 3 + 1) & 1023]!);
  const ns = ((performance.now() - t) * 1e6) / N;
  console.log(`${name}: ${ns.toFixed(0)} ns/op`);
}
bench("add", (a, b) => {
  ctx.begin(0, 3);
  f80Add(ctx, out, a, b, false);
});
bench("sub", (a, b) => {
  ctx.begin(0, 3);
  f80Add(ctx, out, a, b, true);
});
bench("mul", (a, b) => {
  ctx.begin(0, 3);
  f80Mul(ctx, out, a, b);
});
bench("div", (a, b) => {
  ctx.begin(0, 3);
  f80Div(ctx, out, a, b);
});
bench("sqrt (BigInt)", (a) => {
  ctx.begin(0, 3);
  f80Sqrt(ctx, out, a);
});
bench("fst m64", (a) => {
  ctx.begin(0, 3);
  f80ToF64(ctx, a);
});
const unit: F80[] = xs.map((x) => new F80().set(0x3ffe - (x.se & 7), x.hi, x.lo));
const benchUnary = (name: string, f: (a: F80) => void) =>
  bench(name, (a, b) => f(unit[(a.lo ^ b.lo) & 1023]!));
benchUnary("fsin", (a) => {
  ctx.begin(0, 3);
  f80Trig(ctx, out, a, TRIG_SIN);
});
benchUnary("f2xm1", (a) => {
  ctx.begin(0, 3);
  f80F2xm1(ctx, out, a);
});
bench("fpatan", (a, b) => {
  ctx.begin(0, 3);
  f80Atan(ctx, out, a, b);
});
bench("fyl2x", (a, b) => {
  ctx.begin(0, 3);
  f80Yl2x(ctx, out, a, b);
});
benchUnary("fyl2xp1", (a) => {
  ctx.begin(0, 3);
  f80Yl2xp1(ctx, out, a, a);
});
