// Region-to-region transition cost: a loop that calls a small function from three sites and
// jumps/calls indirectly (test/chaining.test.ts's program, ITER iterations), so nearly every
// block ends in a CALL, RET or indirect transfer: prints MIPS and nanoseconds per block run.
// Run: npx tsx --conditions=@ringvm/source bench/chain.ts  (ITER=300000 RUNS=5 BACKEND=js|wasm
// BLOCKS=16: basic blocks per region, 1 = every transition leaves its region)
import { StopReason } from "@ringvm/cpu";
import type { Recompiler as RecompilerClass } from "../src/index";
import { makeMachine } from "../test/support/machine";

const iter = Number(process.env.ITER ?? 300_000);
const runs = Number(process.env.RUNS ?? 5);
const { Recompiler } = (await import(process.env.RECOMPILER ?? "../src/index")) as {
  Recompiler: typeof RecompilerClass;
};
// prettier-ignore
const code = Uint8Array.from([
  0xb9, iter & 0xff, (iter >>> 8) & 0xff, (iter >>> 16) & 0xff, iter >>> 24, 0x31, 0xc0, 0x31,
  0xdb, 0xe8, 0x1d, 0x00, 0x00, 0x00, 0x01, 0xc3, 0xe8, 0x1b, 0x00, 0x00, 0x00, 0x01, 0xc3, 0xba,
  0x2b, 0x00, 0x01, 0x00, 0xff, 0xd2, 0x01, 0xc3, 0xba, 0x27, 0x00, 0x01, 0x00, 0xff, 0xe2, 0x49,
  0x75, 0xdf, 0xf4, 0x8d, 0x44, 0x48, 0x01, 0xc3, 0xe8, 0xf6, 0xff, 0xff, 0xff, 0x83, 0xf0, 0x55,
  0xc3,
]);
// BACKEND=wasm: the WebAssembly back end (the board's default) instead of JavaScript.
const backend = process.env.BACKEND === "wasm" ? "wasm" : "js";
const maxRegionBlocks = Number(process.env.BLOCKS ?? 16);
const m = makeMachine(code, false, 1, true, backend);
const engine = new Recompiler({
  cpu: m.cpu,
  mmu: m.mem,
  physical: m.mem,
  hotThreshold: 200,
  backend,
  maxRegionBlocks,
});
const out: string[] = [];
for (let k = 0; k < runs; k++) {
  const s = m.cpu.state;
  s.halted = false;
  s.eip = 0x10000;
  s.regs[4] = 0x80000;
  const n0 = m.cpu.instructionCount;
  const b0 = engine.stats.blocksExecuted;
  const t0 = process.cpuUsage();
  let stop: number = StopReason.Budget;
  while (stop === StopReason.Budget) stop = engine.run(200_000);
  const u = process.cpuUsage(t0);
  const us = u.user + u.system;
  const n = m.cpu.instructionCount - n0;
  const blocks = engine.stats.blocksExecuted - b0;
  out.push(`${(n / us).toFixed(0)} MIPS ${((us * 1000) / blocks).toFixed(1)} ns/block`);
}
console.log(out.join(" | "));
