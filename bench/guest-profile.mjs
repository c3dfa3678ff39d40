#!/usr/bin/env node
// Where the guest's time goes, by kernel function: boots the default guest as bench/compare.mjs
// does (crypto self-tests on, payload unpacked in the guest), samples the guest's EIP between
// two kernel log lines, then asks the booted guest for its symbols (`cat /proc/kallsyms` at the
// shell prompt, so KASLR's placement of this very boot is the one resolved) and prints the
// functions that took the most samples.
//
// Sampling: the engine's run is cut into steps of `--every` instructions and the EIP where a
// step ends is counted, once (`--by instructions`: an unbiased share of the guest's
// instructions) or with the host time of the step (`--by time`: approximate, each step's time
// goes to where it ended; short steps add dispatches of their own, so keep `--every` at a few
// thousand). Cold code shows up in `--by time` well above its share of instructions, and so
// do long straight-line regions: a step that ends inside one finishes its block in the
// interpreter (the engine's budget tail), e.g. the kernel's blake2s_compress at 14 % of the
// time for 8 % of the instructions while it runs as region code.
// `--by cold` samples nothing: it counts the instructions each of the recompiler's cold blocks
// runs (the cold tier, which costs ~70 ns per instruction against ~1 ns in region code), by the
// block's first EIP. `--by compile` counts the host time of the recompiler's synchronous
// translations (a batch each: region building, lowering, the module's compile), by the kernel
// function of the block whose heat started the batch.
//
// Usage: node bench/guest-profile.mjs [--from TEXT] [--to TEXT] [--every N]
//          [--by instructions|time|cold|compile]
//          [--top N] [--engine auto|recompiler|interpreter]
// Defaults: from "Linux version" (--from "": the first instruction) to the shell prompt, every
// 4000 instructions, by instructions, top 30, engine auto. Needs the packages built
// (`pnpm -s build`).
import { readFileSync } from "node:fs";
import { createPc } from "@ringvm/pc";
import { configureWasmHost } from "ringvm/host-wasm";
import { serialWatch } from "./serial-watch.mjs";

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const PROMPT = "~ # ";
const from = option("from", "Linux version");
const to = option("to", PROMPT);
const every = Number(option("every", "4000"));
const by = option("by", "instructions");
const top = Number(option("top", "30"));
const engine = option("engine", "auto");
if (!(every >= 100) || !["instructions", "time", "cold", "compile"].includes(by) || !(top > 0)) {
  process.stderr.write("guest-profile: bad --every (at least 100), --by or --top\n");
  process.exit(1);
}

let log = "";
let keepLog = false;
const serial = serialWatch((text) => {
  if (keepLog) log += text;
});
const until = serial.until;
configureWasmHost();
const pc = createPc({
  kernel: new Uint8Array(readFileSync(new URL("../guests/vmlinuz", import.meta.url))),
  initrd: new Uint8Array(readFileSync(new URL("../guests/initramfs.cpio.gz", import.meta.url))),
  cmdline: "console=ttyS0",
  memorySize: 128 << 20,
  engine,
  decompressOnHost: false,
  serial: { write: serial.write },
});

const runner = pc.recompiler ?? pc.cpu;
const state = pc.cpu.state;
const samples = new Map();
let sampling = from === "";
/** Adds `weight` to the samples at `eip`. */
function count(eip, weight) {
  samples.set(eip, (samples.get(eip) ?? 0) + weight);
}
if (by === "compile") {
  // Each synchronous translation (a batch) counts its host time at the EIP of the block whose
  // heat started it (`compile` is the recompiler's private batch translator).
  if (typeof runner.compile !== "function") {
    process.stderr.write("guest-profile: --by compile needs --engine auto or recompiler\n");
    process.exit(1);
  }
  const compile = runner.compile.bind(runner);
  runner.compile = (block) => {
    const t0 = performance.now();
    const hot = compile(block);
    if (sampling) count(block.eip >>> 0, performance.now() - t0);
    return hot;
  };
} else if (by === "cold") {
  // Each run of a cold block counts its instructions at the block's first EIP (`runCold` is the
  // recompiler's private cold-block runner: a profiling aid may lean on it).
  if (typeof runner.runCold !== "function") {
    process.stderr.write("guest-profile: --by cold needs --engine auto or recompiler\n");
    process.exit(1);
  }
  const runCold = runner.runCold.bind(runner);
  runner.runCold = (block) => {
    const before = state.retired;
    const used = runCold(block);
    if (sampling) count(block.eip >>> 0, state.retired - before);
    return used;
  };
} else {
  // The hypervisor calls its engine's `run(budget)` (the recompiler, or the CPU's interpreter):
  // while sampling, the budget runs in steps, each ending at a sampled EIP.
  const run = runner.run.bind(runner);
  runner.run = (budget) => {
    if (!sampling) return run(budget);
    let left = budget;
    let stop;
    while (left > 0) {
      const step = Math.min(every, left);
      const before = pc.cpu.instructionCount;
      const t0 = performance.now();
      stop = run(step);
      count(state.eip >>> 0, by === "time" ? performance.now() - t0 : 1);
      const done = pc.cpu.instructionCount - before;
      left -= Math.max(1, done);
      if (done < step) break; // stopped early (HLT, an event for the hypervisor)
    }
    return stop;
  };
}

const running = pc.start();
try {
  // --from "": from the first instruction (the boot loader and the XZ decompressor included).
  if (from !== "") await until(from);
  sampling = true;
  await until(to);
  sampling = false;
  if (to !== PROMPT) await until(PROMPT);
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the shell settle
  keepLog = true;
  // The end marker is computed by the shell, so the echoed command line does not match it.
  const done = until("SYMS-42-END", 120);
  pc.sendSerial(new TextEncoder().encode("cat /proc/kallsyms; echo SYMS-$((40+2))-END\n"));
  await done;
  keepLog = false;
} catch (error) {
  process.stderr.write(
    `guest-profile: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  pc.stop();
  await running;
}
if (process.exitCode === 1) process.exit();

const symbols = [];
for (const line of log.split(/\r?\n/)) {
  const m = /^([0-9a-f]{8}) [tTwW] (\S+)/.exec(line);
  if (m) symbols.push([parseInt(m[1], 16), m[2]]);
}
symbols.sort((a, b) => a[0] - b[0]);
/**
 * The text symbol at or below `address` (kernel space); below 3 GiB user space, or before the
 * kernel runs the boot code (setup, the XZ decompressor).
 */
function nameOf(address) {
  if (address < 0xc000_0000) return "(user space or boot code)";
  let lo = 0;
  let hi = symbols.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid][0] <= address) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? "(unknown)" : symbols[found][1];
}
const byName = new Map();
let total = 0;
for (const [eip, weight] of samples) {
  const name = nameOf(eip);
  byName.set(name, (byName.get(name) ?? 0) + weight);
  total += weight;
}
const measured =
  by === "cold"
    ? `the cold tier's instructions: ${total}`
    : by === "compile"
      ? `synchronous translation: ${(total / 1000).toFixed(3)} s`
      : `every ${every} instructions, by ${by}: ` +
        (by === "time" ? `${(total / 1000).toFixed(2)} s` : `${total} samples`);
process.stdout.write(
  `${symbols.length} kernel text symbols; from "${from}" to "${to}", ${measured}\n`,
);
let cumulative = 0;
for (const [name, weight] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  cumulative += weight;
  process.stdout.write(
    `${((100 * weight) / total).toFixed(1).padStart(6)} %${((100 * cumulative) / total).toFixed(1).padStart(7)} %  ${name}\n`,
  );
}
