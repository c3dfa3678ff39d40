#!/usr/bin/env node
// Where RingVM's time goes, in one process: boots the default guest (crypto self-tests off,
// payload unpacked on the host, so the boot phase is the kernel's cold init), then runs
// bench/compare.mjs's busybox workload, and prints per phase: host seconds, guest instructions,
// MIPS, CPU time (the process's and the emulation thread's), page faults, and the recompiler's
// counters (cold instructions, dispatches, blocks decoded, invalidated, translated). `--prof
// FILE` writes a V8 CPU profile of the workload phase, `--prof-boot FILE` one of the boot phase
// (open them in Chrome DevTools or summarise them by self time). `--full-boot` boots as
// compare.mjs does instead (self-tests on, payload unpacked in the guest), and splits the boot
// into compare.mjs's phases (kernel log text), with `--prof-phase NAME` limiting `--prof-boot`
// to that phase. `--warm-up` first boots the same guest to its prompt on a board of its own in
// this process and measures a second one: V8 then reuses the first boot's compiled code (its
// optimized JavaScript, and each WebAssembly module whose bytes are the same, from its native
// module cache), so the difference between the two runs is what compiling costs the boot, by
// phase. A measuring aid: a real run always starts cold. `--parts N` runs the workload's three
// parts one by one instead (sha256sum, gzip, the shell loop, each ended by its own marker), N
// rounds in a row: from the second round on nearly everything is translated, so those lines
// show the steady state (`--prof-round R` profiles from round R on); each part's line adds its region runs chained inside WebAssembly and
// its entries into WebAssembly from JavaScript.
//
// Usage: node bench/phases.mjs [--engine interpreter|recompiler|auto] [--backend js|wasm] [--hot N] [--dense N] [--ns N]
//        [--no-direct-memory]
//        [--full-boot] [--prof FILE] [--prof-boot FILE [--prof-phase NAME]] [--warm-up]
//        [--parts N [--prof-round R]]
// Needs the packages built (`pnpm -s build`): the board is read from packages' dist/.
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createPc } from "@ringvm/pc";
import { favorCallingThread, relaunchWithPoolSize } from "ringvm/host-threads";
import { configureWasmHost } from "ringvm/host-wasm";
import { PHASES, PROMPT, WORKLOAD, WORKLOAD_END, WORKLOAD_PARTS } from "./boot-phases.mjs";
import { threadCpuSeconds } from "./proc-cpu.mjs";
import { serialWatch } from "./serial-watch.mjs";

// As `ringvm run` does: V8's worker pool sized to the cores the emulation thread leaves.
const relaunched = await relaunchWithPoolSize();
if (relaunched !== null) process.exit(relaunched);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const engine = option("engine", "auto");
// Unset: the board's default back end (WebAssembly where the host has it).
const backend = option("backend", undefined);
const profileFile = option("prof", undefined);
const bootProfileFile = option("prof-boot", undefined);
// --hot N: the recompiler's hot threshold (entries of a cold block before it is translated).
const hot = option("hot", undefined);
// --dense N: the recompiler's dense cold tier from a cold block's Nth run (PcConfig.denseRuns).
const dense = option("dense", undefined);
// --ns N: guest ns per instruction of the instruction-count clock (PcConfig.nsPerInstruction).
const nsPerInstruction = option("ns", undefined);
// --no-direct-memory: translation memos for every memory operand (PcConfig.directMemory false).
const noDirectMemory = args.includes("--no-direct-memory");
// --full-boot: boot as bench/compare.mjs does (crypto self-tests on, payload unpacked in the guest).
const fullBoot = args.includes("--full-boot");
// --prof-phase NAME: the boot profile covers only that phase of PHASES (with --full-boot).
const profilePhase = option("prof-phase", undefined);
// --warm-up: boot once first (see the header).
const warmUp = args.includes("--warm-up");
if (profilePhase !== undefined && !PHASES.some(([name]) => name === profilePhase)) {
  process.stderr.write(
    `phases: no phase "${profilePhase}" (${PHASES.map(([n]) => n).join(", ")})\n`,
  );
  process.exit(2);
}
// --parts N: the workload part by part, N rounds (see the header).
const partRounds = Number(option("parts", "0"));
// --prof-round R (with --parts and --prof): the profile covers rounds R and later only.
const profileRound = Number(option("prof-round", "1"));
if (!Number.isInteger(partRounds) || partRounds < 0) {
  process.stderr.write(`phases: --parts takes a round count, not "${option("parts", "")}"\n`);
  process.exit(2);
}

// The counters where each phase's text first appeared (full boot only), taken as it arrives.
const phaseMarks = [];
let tail = "";
const session = new Session();
const serial = serialWatch((text) => {
  if (!fullBoot || phaseMarks.length === PHASES.length) return;
  tail = (tail + text).slice(-256);
  const i = phaseMarks.length;
  if (!tail.includes(PHASES[i][1])) return;
  phaseMarks.push(counters());
  tail = "";
  if (bootProfileFile === undefined || profilePhase === undefined) return;
  // Start or stop the profiler around the chosen phase (the posts complete later, a few ms off).
  if (i + 1 < PHASES.length && PHASES[i + 1][0] === profilePhase)
    void session.post("Profiler.start");
  if (PHASES[i][0] === profilePhase) stopProfile = session.post("Profiler.stop");
});
const until = serial.until;
// As `ringvm run` does: V8 reads the region code's branch hints (Node before V8 13.6) and
// enters region functions through per-signature wrappers (V8 11).
configureWasmHost();
const kernel = new Uint8Array(readFileSync(new URL("../guests/vmlinuz", import.meta.url)));
const initrd = new Uint8Array(
  readFileSync(new URL("../guests/initramfs.cpio.gz", import.meta.url)),
);
/** The measured board, or (`--warm-up`) the one before it: same guest, same options. */
const board = (write) =>
  createPc({
    kernel,
    initrd,
    cmdline: fullBoot ? "console=ttyS0" : "console=ttyS0 cryptomgr.notests",
    memorySize: 128 << 20,
    engine,
    ...(backend !== undefined ? { backend } : {}),
    decompressOnHost: !fullBoot,
    ...(hot !== undefined ? { hotThreshold: Number(hot) } : {}),
    ...(dense !== undefined ? { denseRuns: Number(dense) } : {}),
    ...(nsPerInstruction !== undefined ? { nsPerInstruction: Number(nsPerInstruction) } : {}),
    ...(noDirectMemory ? { directMemory: false } : {}),
    serial: { write },
  });
if (warmUp) {
  const first = serialWatch();
  const pc = board(first.write);
  const run = pc.start();
  const at = performance.now();
  await first.until(PROMPT, 600);
  pc.stop();
  await run;
  process.stdout.write(`warm-up boot   ${((performance.now() - at) / 1000).toFixed(2)} s\n`);
}
const pc = board(serial.write);
/** A copy of the counters that matter (snapshotStats returns the live object). */
const counters = () => {
  const s = pc.hypervisor.snapshotStats();
  // The recompiler's counters, when it runs (a private field: this script measures internals).
  const r = pc.recompiler?.stats;
  return {
    instructions: s.instructions,
    guestMs: s.guestMs,
    idleMs: s.idleMs,
    at: performance.now(),
    cpu: process.cpuUsage(),
    // The emulation thread's own CPU (less disturbed than wall time by a busy host, and without
    // V8's background threads).
    mainCpu: threadCpuSeconds(),
    faults: process.resourceUsage().minorPageFault,
    cold: r?.interpreted.cold ?? 0,
    dense: r?.denseInstructions ?? 0,
    translated: r?.blocksTranslated ?? 0,
    wasmBytes: r?.wasmBytes ?? 0,
    decoded: r?.blocksDecoded ?? 0,
    invalidated: r?.blocksInvalidated ?? 0,
    dispatched: r === undefined ? 0 : r.blocksExecuted - r.chained,
    chainedInWasm: r?.chainedInWasm ?? 0,
    wasmEntries: r?.wasmEntries ?? 0,
  };
};
const phase = (name, a, b) => {
  const seconds = (b.at - a.at) / 1000;
  const n = b.instructions - a.instructions;
  const m = (k) => ((b[k] - a[k]) / 1e6).toFixed(2);
  process.stdout.write(
    `${name.padEnd(15)} ${seconds.toFixed(2).padStart(7)} s  ${(n / 1e6).toFixed(1).padStart(8)} M instructions` +
      `  ${(n / seconds / 1e6).toFixed(1).padStart(6)} MIPS` +
      `  idle ${((b.idleMs - a.idleMs) / 1000).toFixed(2)} s` +
      // First touches of host memory (guest RAM, V8's heap and code), ~10 us each on a VM.
      `  faults ${((b.faults - a.faults) / 1000).toFixed(1)} K` +
      // CPU time of the process (all threads: V8's background compiles and GC count too).
      `  cpu ${((b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1e6).toFixed(2)} s` +
      `  main ${(b.mainCpu - a.mainCpu).toFixed(2)} s` +
      (pc.recompiler === undefined
        ? "\n"
        : `  (${m("cold")} M cold (${m("dense")} M dense), ${m("dispatched")} M dispatches, ${b.decoded - a.decoded} decoded,` +
          ` ${b.invalidated - a.invalidated} invalidated, ${b.translated - a.translated} translated,` +
          ` ${((b.wasmBytes - a.wasmBytes) / 1e6).toFixed(2)} MB wasm)\n`),
  );
};

// As `ringvm run` does: V8's workers below the emulation thread.
favorCallingThread();
let stopProfile;
if (bootProfileFile !== undefined) {
  session.connect();
  await session.post("Profiler.enable");
  if (profilePhase === undefined || profilePhase === PHASES[0][0])
    await session.post("Profiler.start");
}
const run = pc.start();
try {
  const start = counters();
  await until(PROMPT, 600);
  const booted = counters();
  if (bootProfileFile !== undefined) {
    const { profile } = await (stopProfile ?? session.post("Profiler.stop"));
    writeFileSync(bootProfileFile, JSON.stringify(profile));
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the shell settle
  const startProfile = async () => {
    if (bootProfileFile === undefined) session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  };
  if (profileFile !== undefined && (partRounds === 0 || profileRound <= 1)) await startProfile();
  const before = counters();
  const parts = [];
  if (partRounds === 0) {
    pc.sendSerial(new TextEncoder().encode(WORKLOAD));
    await until(WORKLOAD_END, 600);
  }
  for (let round = 1; round <= partRounds; round++) {
    if (profileFile !== undefined && round > 1 && round === profileRound) await startProfile();
    for (const [name, command] of WORKLOAD_PARTS) {
      // A marker the command line's echo does not contain (the shell computes it).
      const n = parts.length + 1;
      const a = counters();
      pc.sendSerial(new TextEncoder().encode(`${command}echo PART-$((${n}*1000+7))\n`));
      await until(`PART-${n * 1000 + 7}`, 600);
      parts.push([`  ${name} #${round}`, a, counters()]);
    }
  }
  const after = counters();
  if (profileFile !== undefined) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  process.stdout.write(
    `engine ${engine}, backend ${backend ?? "default"}${hot ? `, hot ${hot}` : ""}\n`,
  );
  phase("boot", start, booted);
  phaseMarks.forEach((mark, i) =>
    phase(`  ${PHASES[i][0]}`, i === 0 ? start : phaseMarks[i - 1], mark),
  );
  phase("workload", before, after);
  for (const [name, a, b] of parts) {
    phase(name, a, b);
    if (pc.recompiler !== undefined)
      process.stdout.write(
        `${"".padEnd(17)}region runs chained in WebAssembly ${b.chainedInWasm - a.chainedInWasm},` +
          ` entries from JavaScript ${b.wasmEntries - a.wasmEntries}\n`,
      );
  }
  const stats = pc.engineStats();
  if (stats !== undefined) process.stdout.write(`${stats}\n`);
} catch (error) {
  process.stderr.write(`phases: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
pc.stop();
await run;
process.exit();
