// Rough per-instruction cost of some handlers (dispatch-table call with a decoded instruction):
//   pnpm exec tsx --conditions @ringvm/source test/simd/bench.ts
import { Decoder, Instruction } from "@ringvm/decoder";
import { HANDLERS } from "../../src/dispatch";
import { makeState } from "./harness";

const { s } = makeState();
const d = new Decoder(32);
const cases: [string, number[]][] = [
  ["paddb xmm", [0x66, 0x0f, 0xfc, 0xc1]],
  ["paddw mm", [0x0f, 0xfd, 0xc1]],
  ["pshufb xmm", [0x66, 0x0f, 0x38, 0x00, 0xc1]],
  ["addps", [0x0f, 0x58, 0xc1]],
  ["mulsd", [0xf2, 0x0f, 0x59, 0xc1]],
  ["divpd", [0x66, 0x0f, 0x5e, 0xc1]],
  ["cvtsi2sd", [0xf2, 0x0f, 0x2a, 0xc0]],
  ["fadd st0,st1", [0xd8, 0xc1]],
  ["fxch", [0xd9, 0xc9]],
];
new Float32Array(s.sse.d.buffer).set([1.5, 2.25, -3.125, 1e-3, 0.1, 7, 1e10, 3]);
new Float64Array(s.sse.d.buffer).set([1.1, 2.5, 0.3, 7.25], 0);
const saved = s.sse.d.slice();
// ST0 = 1.5, ST1 = 2.5
s.fpu.reset();
s.fpu.se.set([0x3fff, 0x4000]);
s.fpu.hi.set([0xc0000000, 0xa0000000]);
s.fpu.emptyMask = 0xfc;
for (const [name, bytes] of cases) {
  const insn = new Instruction();
  d.decode(new Uint8Array(bytes), 0, 0, insn);
  const h = HANDLERS[insn.code]!;
  const n = 200000;
  for (let i = 0; i < 20000; i++) {
    s.sse.d.set(saved);
    h(s, insn);
  }
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    s.sse.d.set(saved); // keep the operands from drifting (the copy is part of the timing)
    h(s, insn);
  }
  console.log(`${name}: ${(((performance.now() - t) * 1e6) / n).toFixed(0)} ns`);
}
