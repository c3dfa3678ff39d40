// Recompiler benchmark on the Linux boot's hottest loop: the kernel's mpihelp_submul_1 (the
// crypto self-test's multiply-accumulate, test/guests/mpi-loop.asm, the kernel's own bytes),
// called over and over under the interpreter and under the recompiler (`auto`'s hot threshold
// and 16-block regions, the TLB fast path, IF set with an interrupt source that never fires, as
// in the kernel). Prints MIPS per pass (CPU time) and the median. SOURCE=1 prints the generated
// region function of submul_1 instead.
// Run: pnpm --filter @ringvm/recompiler bench:mpi  (RUNS=5 CALLS=20000 LIMBS=64 BACKEND=js|wasm)
import { readFileSync } from "node:fs";
import { StopReason, type InterruptSource } from "@ringvm/cpu";
import type { Recompiler as RecompilerClass } from "../src/index";
import { makeMachine } from "../test/support/machine";

const PARAMS = 0x40000;
const S1 = 0x41000;
const RES = 0x42000;
const code = new Uint8Array(readFileSync(new URL("../test/guests/mpi-loop.bin", import.meta.url)));
const calls = Number(process.env.CALLS ?? 20000);
const limbs = Number(process.env.LIMBS ?? 64);
const runs = Math.max(2, Number(process.env.RUNS ?? 6));
// RECOMPILER=path: another build of src/index.ts (before/after comparisons).
const { Recompiler } = (await import(process.env.RECOMPILER ?? "../src/index")) as {
  Recompiler: typeof RecompilerClass;
};
// BACKEND=wasm: the WebAssembly back end (the board's default) instead of JavaScript.
const backend = process.env.BACKEND === "wasm" ? "wasm" : "js";
const quiet: InterruptSource = { hasInterrupt: () => false, acknowledge: () => 0 };

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

function setup(recompile: boolean) {
  const m = makeMachine(code, false, 1, true, backend);
  m.cpu.state.flags |= 0x200; // IF, as in the kernel (region functions then check events)
  const engine = recompile
    ? new Recompiler({
        cpu: m.cpu,
        mmu: m.mem,
        physical: m.mem,
        interrupts: quiet,
        backend: backend === "js" ? "js" : "wasm",
      })
    : m.cpu;
  return { m, engine };
}

/** Re-initializes the data and restarts the program (same machine: translations are kept). */
function restart(m: ReturnType<typeof setup>["m"]): void {
  const b = m.mem.bytes;
  put32(b, PARAMS, calls);
  put32(b, PARAMS + 4, limbs);
  put32(b, PARAMS + 8, 0x9e3779b9);
  for (let k = 0; k < limbs; k++) {
    put32(b, S1 + 4 * k, Math.imul(k + 1, 0x85ebca6b) >>> 0);
    put32(b, RES + 4 * k, Math.imul(k + 7, 0xc2b2ae35) >>> 0);
  }
  const s = m.cpu.state;
  s.halted = false;
  s.eip = 0x10000;
  s.regs[4] = 0x80000;
}

/** MIPS (CPU time) of each of `runs` passes over one machine; pass 0 includes the warm-up. */
function passes(recompile: boolean): number[] {
  const { m, engine } = setup(recompile);
  const out: number[] = [];
  for (let k = 0; k < runs; k++) {
    restart(m);
    const n0 = m.cpu.instructionCount;
    const t0 = process.cpuUsage();
    let stop: number = StopReason.Budget;
    while (stop === StopReason.Budget) stop = engine.run(200_000);
    const used = process.cpuUsage(t0);
    if (stop !== StopReason.Halt) throw new Error("bench: did not halt");
    out.push((m.cpu.instructionCount - n0) / ((used.user + used.system) / 1000) / 1000);
  }
  return out;
}

if (process.env.SOURCE === "1") {
  const { m, engine } = setup(true);
  restart(m);
  const r = engine as RecompilerClass;
  let stop: number = StopReason.Budget;
  while (stop === StopReason.Budget) stop = r.run(200_000);
  for (const b of r.blocks())
    if (b.compiled) console.log(`// region at ${b.eip.toString(16)}\n${b.source}`);
} else {
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const mi = passes(false);
  const mr = passes(true);
  const f = (v: number[]): string => v.map((x) => x.toFixed(0)).join(" ");
  console.log(`interpreter MIPS per pass: ${f(mi)}`);
  console.log(`recompiler  MIPS per pass: ${f(mr)}`);
  const a = median(mi.slice(1));
  const c = median(mr.slice(1));
  console.log(
    `first pass (warm-up): interpreter ${mi[0]!.toFixed(1)}, recompiler ${mr[0]!.toFixed(1)} MIPS; ` +
      `median of the later passes: interpreter ${a.toFixed(1)}, recompiler ${c.toFixed(1)} MIPS (${(c / a).toFixed(2)}x)`,
  );
}
