#!/usr/bin/env node
// Boots the default guest (guests/vmlinuz + guests/initramfs.cpio.gz, console on the first serial
// port) on QEMU TCG, on v86 and on RingVM (interpreter, recompiler, auto), and measures on each,
// from one run:
//   boot    host time from start to the first shell prompt ("~ # ") on serial;
//   workload host time from sending a fixed busybox command line to its end marker.
// The workload's output is checked against values computed on the host, so a wrong answer is
// reported, not timed. Ratios are printed against v86 and against QEMU TCG; below them, the boot
// by kernel-log phase and each emulator's host CPU time (its busiest thread, and all its other
// threads: compilers, GC, I/O), read from /proc where there is one.
//
// Like for like: v86 and QEMU start in SeaBIOS, whose loader copies the bzImage and the kernel's
// own decompressor unpacks its XZ payload in the guest. RingVM boots the same bzImage directly
// (no firmware) with `decompressOnHost: false`, so the same decompressor runs in the guest too.
// `--host-unpack` adds a RingVM line with the payload unpacked on the host (what `ringvm run`
// does by default), as an extra, not comparable, number.
//
// Usage: node bench/compare.mjs [--only qemu,v86,ringvm] [--runs N] [--timeout SEC] [--memory MIB]
//          [--json] [--host-unpack] [--ringvm-args "--deterministic ..."]
//   --runs N: N rounds, each booting every selected emulator once in turn (so a slow minute on a
//   shared host hits all of them alike); each time printed is the median of its N samples, with
//   the spread (min-max), and ratios are of medians; below the table, the median of each round's
//   own ratio to v86 (both sides measured in the same minutes). Default 1.
//   --only names: qemu, v86, ringvm (all RingVM engines), ringvm-interpreter,
//   ringvm-recompiler, ringvm-auto (the board's default WebAssembly back end), ringvm-js (auto
//   with the JavaScript back end),
//   ringvm-host-unpack.
// `pnpm bench` runs it through turbo (after building the packages). Results go to bench/results/
// (ignored by git; the newest 10 are kept).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOOP, PHASES, PROMPT, WORKLOAD, WORKLOAD_END } from "./boot-phases.mjs";
import { NO_CPU, processCpu, TICKS_PER_SECOND } from "./proc-cpu.mjs";

// The host treatment `ringvm run` gives itself (ringvm/host-threads): V8's worker pool sized to
// the cores the emulation thread leaves (one on a 2-core host). This process runs v86, so it
// relaunches itself with that pool (v86 gets what RingVM gets); RingVM's child gets it below.
const hostThreads = await import("ringvm/host-threads").catch(() => undefined);
const relaunched = (await hostThreads?.relaunchWithPoolSize()) ?? null;
if (relaunched !== null) process.exit(relaunched);
const nodePoolArgs = hostThreads?.poolSizeArgs([], "") ?? [];

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const guests = join(root, "guests");

// ---- options ----
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const only = option("only", "qemu,v86,ringvm")
  .split(",")
  .flatMap((n) =>
    n === "ringvm" ? ["ringvm-interpreter", "ringvm-recompiler", "ringvm-auto", "ringvm-js"] : [n],
  );
if (args.includes("--host-unpack")) only.push("ringvm-host-unpack");
const timeoutSec = Number(option("timeout", "1800"));
const runs = Number(option("runs", "1"));
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench: --runs takes a whole number of at least 1, not ${option("runs")}\n`);
  process.exit(2);
}
const memoryMiB = Number(option("memory", "128"));
const isJson = args.includes("--json");
/** Extra bench/ringvm-guest.mjs options, space-separated (for example "--deterministic"). */
const ringvmArgs = option("ringvm-args", "")
  .split(" ")
  .filter((a) => a !== "");

// ---- the guest and the workload ----
const KERNEL = join(guests, "vmlinuz");
const INITRD = join(guests, "initramfs.cpio.gz");
/** SeaBIOS and its VGA BIOS as Debian ships them (guests/ copies them; /usr/share/seabios has them too). */
const BIOS = firstExisting([join(guests, "bios.bin"), "/usr/share/seabios/bios.bin"]);
const VGA_BIOS = firstExisting([
  join(guests, "vgabios-stdvga.bin"),
  "/usr/share/seabios/vgabios-stdvga.bin",
]);
const APPEND = "console=ttyS0";
/** SHA-256 of 2 MiB of zero bytes (sha256sum on the host; the workload: boot-phases.mjs). */
const HOST_SHA256 = "5647f05ec18958947d32874eeb788fa396a05d0bab7c1b71f112ceb7e9b31eee";
/** Expected workload output, from the host (sha256sum and gzip of the same bytes). */
const EXPECTED = [
  HOST_SHA256, // sha256 of 2 MiB of zeros
  `loop=${LOOP}`,
];
const EXPECTED_GZIP_BYTES = hostGzipSize(1024 * 1024);

function firstExisting(paths) {
  return paths.find((p) => existsSync(p)) ?? paths[0];
}

function hostGzipSize(bytes) {
  const r = spawnSync("sh", ["-c", `head -c ${bytes} /dev/zero | gzip -c | wc -c`], {
    encoding: "utf8",
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

// ---- emulators: each gives { onOutput(cb), send(text), stop() } ----

/** A child process with the guest's serial port on stdin/stdout. */
function childEmulator(command, argv) {
  const child = spawn(command, argv, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let onOutput = () => {};
  let onExit = () => {};
  child.stdout.on("data", (d) => onOutput(d.toString("latin1")));
  child.stderr.on("data", (d) => (stderr += d.toString("latin1")));
  child.stdin.on("error", () => {});
  const exited = new Promise((resolve) => {
    child.on("error", (e) => {
      stderr += String(e);
      resolve(-1);
      onExit();
    });
    child.on("exit", (code) => {
      resolve(code ?? -1);
      onExit();
    });
  });
  return {
    onOutput: (cb) => (onOutput = cb),
    onExit: (cb) => (onExit = cb),
    send: (text) => child.stdin.write(text),
    exited,
    pid: child.pid,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** RingVM: bench/ringvm-guest.mjs builds the board from @ringvm/pc, COM1 on stdio. */
function ringvmEmulator(engine, label, extra = []) {
  return {
    label,
    async available() {
      try {
        await import("@ringvm/pc");
        return null;
      } catch (error) {
        return `@ringvm/pc is not built (pnpm build): ${String(error).split("\n")[0]}`;
      }
    },
    version() {
      const pkg = JSON.parse(readFileSync(join(root, "packages/pc/package.json"), "utf8"));
      return `RingVM ${pkg.version} (${engine})`;
    },
    start() {
      return childEmulator(process.execPath, [
        ...nodePoolArgs,
        join(here, "ringvm-guest.mjs"),
        "--kernel",
        KERNEL,
        "--initrd",
        INITRD,
        "--append",
        APPEND,
        "--m",
        String(memoryMiB),
        "--engine",
        engine,
        ...extra,
        ...ringvmArgs,
      ]);
    },
  };
}

const emulators = {
  "ringvm-interpreter": ringvmEmulator("interpreter", "RingVM interpreter"),
  "ringvm-recompiler": ringvmEmulator("recompiler", "RingVM recompiler"),
  "ringvm-auto": ringvmEmulator("auto", "RingVM auto"),
  "ringvm-js": ringvmEmulator("auto", "RingVM auto, JS back end", ["--backend", "js"]),
  "ringvm-host-unpack": ringvmEmulator("auto", "RingVM auto, host unpack", ["--host-unpack"]),
  qemu: {
    label: "QEMU TCG",
    available() {
      const r = spawnSync("qemu-system-i386", ["--version"], { encoding: "utf8" });
      return r.status === 0
        ? null
        : "qemu-system-i386 is not installed (apt-get install qemu-system-x86)";
    },
    version() {
      return spawnSync("qemu-system-i386", ["--version"], { encoding: "utf8" }).stdout.split(
        "\n",
      )[0];
    },
    start() {
      return childEmulator("qemu-system-i386", [
        "-accel",
        "tcg",
        "-m",
        String(memoryMiB),
        "-bios",
        BIOS,
        "-kernel",
        KERNEL,
        "-initrd",
        INITRD,
        "-append",
        APPEND,
        "-display",
        "none",
        "-serial",
        "stdio",
        "-monitor",
        "none",
        "-no-reboot",
      ]);
    },
  },
  v86: {
    label: "v86 (wasm JIT)",
    async available() {
      try {
        await import("v86");
        return null;
      } catch {
        return "npm package v86 is not installed (pnpm install)";
      }
    },
    version() {
      const pkg = JSON.parse(readFileSync(join(here, "node_modules/v86/package.json"), "utf8"));
      return `v86 ${pkg.version}`;
    },
    async start() {
      const { V86 } = await import("v86");
      // The host treatment RingVM's process gets (ringvm-guest.mjs, `ringvm run`): V8's compiler
      // and GC workers of this process at nice 19, so they use the core the emulation thread
      // leaves idle instead of preempting it (v86's boot on a 2-core host: ~12.7 -> ~11.4 s).
      // Without the CLI built there is no RingVM row to compare with; v86 runs as it is.
      await import("ringvm/host-threads").then(
        (m) => m.favorCallingThread(),
        () => {},
      );
      const buffer = (path) => {
        const b = readFileSync(path);
        return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) };
      };
      const emulator = new V86({
        wasm_path: join(here, "node_modules/v86/build/v86.wasm"),
        memory_size: memoryMiB * 1024 * 1024,
        bios: buffer(BIOS),
        vga_bios: buffer(VGA_BIOS),
        bzimage: buffer(KERNEL),
        initrd: buffer(INITRD),
        cmdline: APPEND,
        autostart: true,
        disable_speaker: true,
      });
      let onOutput = () => {};
      emulator.add_listener("serial0-output-byte", (byte) => onOutput(String.fromCharCode(byte)));
      return {
        onOutput: (cb) => (onOutput = cb),
        onExit: () => {},
        pid: process.pid,
        send: (text) => emulator.serial0_send(text),
        stderr: () => "",
        stop: () => emulator.destroy(),
      };
    },
  },
};

// ---- the measurement ----

/**
 * CPU seconds between two `processCpu` samples: the busiest thread's (the emulation loop: the
 * main thread of RingVM and v86, QEMU's vCPU thread) and all the others' (compilers, GC, I/O).
 * On a host whose cores share hardware, the others slow the busiest one down (bench/README.md,
 * stop 48), so both are part of what an emulator costs.
 */
function cpuBetween(a, b) {
  if (a === undefined || b === undefined) return undefined;
  let busiest = 0;
  for (const [tid, t] of b.threads) busiest = Math.max(busiest, t - (a.threads.get(tid) ?? 0));
  const total = b.total - a.total;
  return {
    busiest: busiest / TICKS_PER_SECOND,
    others: Math.max(0, total - busiest) / TICKS_PER_SECOND,
  };
}

/** Boots, waits for the prompt, runs the workload, powers off. Never throws. */
async function measure(name) {
  const spec = emulators[name];
  const missing = await spec.available();
  if (missing !== null) return { name, label: spec.label, skipped: missing };
  const t0 = performance.now();
  // An emulator in this process (v86) counts from here; a child process from zero.
  const beforeStart = processCpu(process.pid);
  const emu = await spec.start();
  const cpu0 = emu.pid === process.pid ? beforeStart : NO_CPU;
  let output = "";
  let waiter = null;
  let hasExited = false;
  // Where the text a waiter looks for may start: the output before the last chunk was searched
  // already (searching all of it per chunk made the harness itself cost seconds of CPU on a
  // boot log arriving a byte at a time, on a 2-core host shared with the emulator).
  let searched = 0;
  const check = () => {
    if (waiter === null) return;
    const from = Math.max(waiter.from, searched - waiter.text.length);
    searched = output.length;
    if (output.includes(waiter.text, from) || hasExited) {
      const w = waiter;
      waiter = null;
      w.resolve(!hasExited || output.includes(w.text, w.from));
    }
  };
  // When each phase's text first appeared (ms from start).
  const marks = PHASES.map(() => undefined);
  emu.onOutput((text) => {
    const before = output.length;
    output += text;
    PHASES.forEach(([, mark], i) => {
      if (marks[i] === undefined && output.includes(mark, Math.max(0, before - mark.length)))
        marks[i] = performance.now() - t0;
    });
    check();
  });
  emu.onExit(() => {
    hasExited = true;
    check();
  });
  const deadline = t0 + timeoutSec * 1000;
  const waitFor = (text, from) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
      waiter = {
        text,
        from,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      searched = from;
      check();
    });
  const result = { name, label: spec.label, version: spec.version?.(), marks };
  try {
    if (!(await waitFor(PROMPT, 0))) {
      const why = hasExited
        ? `exited after ${seconds(performance.now() - t0)} s before the shell prompt`
        : `no shell prompt within ${timeoutSec} s`;
      result.error = `${why}; last output: ${JSON.stringify(output.slice(-300))}${
        emu.stderr() ? `; stderr: ${emu.stderr().slice(-300)}` : ""
      }`;
      return result;
    }
    result.bootMs = performance.now() - t0;
    const cpu1 = processCpu(emu.pid);
    result.bootCpu = cpuBetween(cpu0, cpu1);
    // Let the shell settle (it may still print after the prompt), then run the workload.
    const from = output.length;
    const t1 = performance.now();
    emu.send(WORKLOAD);
    if (!(await waitFor(WORKLOAD_END, from))) {
      result.error = `workload did not finish; last output: ${JSON.stringify(output.slice(-300))}`;
      return result;
    }
    result.workloadMs = performance.now() - t1;
    result.workloadCpu = cpuBetween(cpu1, processCpu(emu.pid));
    const text = output.slice(from);
    const wrong = EXPECTED.filter((e) => !text.includes(e));
    if (
      EXPECTED_GZIP_BYTES !== null &&
      !new RegExp(`(^|\\n)\\s*${EXPECTED_GZIP_BYTES}\\s*\\r?\\n`).test(text)
    ) {
      wrong.push(`gzip size ${EXPECTED_GZIP_BYTES}`);
    }
    if (wrong.length > 0) result.error = `workload output wrong (missing ${wrong.join(", ")})`;
    emu.send("poweroff\n");
    const t2 = performance.now();
    if (emu.exited !== undefined)
      await Promise.race([emu.exited, new Promise((r) => setTimeout(r, 10_000))]);
    result.poweroffMs = hasExited ? performance.now() - t2 : undefined;
    result.totalMs = performance.now() - t0;
    return result;
  } finally {
    result.serial = output;
    await emu.stop();
  }
}

function seconds(ms) {
  return ms === undefined ? "-" : (ms / 1000).toFixed(2);
}

function ratio(a, b) {
  return a === undefined || b === undefined ? "-" : `${(a / b).toFixed(2)}x`;
}

// The fastest RingVM engines first, so a run cut short still has them.
const order = [
  "qemu",
  "v86",
  "ringvm-auto",
  "ringvm-js",
  "ringvm-recompiler",
  "ringvm-interpreter",
  "ringvm-host-unpack",
];
const loadBefore = loadavg()[0];
const results = [];
const resultsDir = join(here, "results");
mkdirSync(resultsDir, { recursive: true });
const startedAt = new Date().toISOString();
const resultFile = join(resultsDir, `compare-${startedAt.replace(/[:.]/g, "-")}.json`);

/** The RingVM clock's rates as the board sets them (its own constants; "?" when it is not built). */
const rates = await import("@ringvm/pc").then(
  (pc) => ({
    recompiled: pc.VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED,
    interpreted: pc.DETERMINISTIC_NS_PER_INSTRUCTION,
  }),
  () => ({ recompiled: "?", interpreted: "?" }),
);

function buildReport(loadAfter) {
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  const qemu = byName.qemu;
  const v86 = byName.v86;
  const lines = [];
  lines.push(
    `Guest: ${KERNEL.replace(root + "/", "")} + ${INITRD.replace(root + "/", "")}, ${memoryMiB} MiB, append "${APPEND}"`,
  );
  lines.push(
    `Workload: sha256sum of 2 MiB, gzip of 1 MiB, a ${LOOP}-step shell loop (output checked against the host)`,
  );
  lines.push(
    "Like for like: QEMU and v86 boot through SeaBIOS and the kernel's own XZ decompressor; RingVM",
  );
  lines.push(
    "boots the same bzImage directly (no firmware) and runs the same decompressor in the guest",
  );
  lines.push(
    "(decompressOnHost: false). A 'host unpack' line, if present, unpacked the kernel on the host.",
  );
  lines.push(
    `RingVM clock: ${ringvmArgs.includes("--deterministic") ? `deterministic (${rates.interpreted} ns per instruction)` : `virtual (instruction count, ${rates.recompiled} ns per instruction with the recompiler and ${rates.interpreted} with the interpreter, paced to the host while idle; the \`ringvm run\` default)`}.`,
  );
  lines.push("");
  lines.push(
    "emulator                    boot (s)  workload (s)  boot/v86  work/v86  boot/QEMU  work/QEMU",
  );
  for (const r of results) {
    const spread =
      r.bootSamples !== undefined && r.bootSamples.length > 1
        ? `   boot ${seconds(Math.min(...r.bootSamples))}-${seconds(Math.max(...r.bootSamples))}` +
          `, work ${seconds(Math.min(...r.workloadSamples))}-${seconds(Math.max(...r.workloadSamples))}`
        : "";
    lines.push(
      `${r.label.padEnd(26)}${seconds(r.bootMs).padStart(10)}${seconds(r.workloadMs).padStart(14)}` +
        `${ratio(r.bootMs, v86?.bootMs).padStart(10)}${ratio(r.workloadMs, v86?.workloadMs).padStart(10)}` +
        `${ratio(r.bootMs, qemu?.bootMs).padStart(11)}${ratio(r.workloadMs, qemu?.workloadMs).padStart(11)}` +
        (r.skipped ? `   skipped: ${r.skipped}` : r.error ? `   error: ${r.error}` : spread),
    );
  }
  // Each round's own ratio to v86 (both measured in the same minutes), then their median: what
  // a slow minute does to both sides cancels out.
  const paired = (r, key) => {
    const mine = r[`${key}Samples`];
    const theirs = v86?.[`${key}Samples`];
    if (mine === undefined || theirs === undefined || mine.length !== theirs.length) return "-";
    return `${median(mine.map((x, i) => x / theirs[i])).toFixed(2)}x`;
  };
  if (runs > 1 && v86?.bootSamples !== undefined) {
    lines.push("");
    lines.push("median of the rounds' own ratios to v86:");
    for (const r of results) {
      if (r.bootSamples === undefined || r === v86) continue;
      lines.push(
        `${r.label.padEnd(26)}boot ${paired(r, "boot")}, workload ${paired(r, "workload")}`,
      );
    }
  }
  lines.push(...phaseTable(v86));
  lines.push(...cpuTable());
  lines.push(
    `(${runs === 1 ? "one run each, one after the other" : `median of ${runs} rounds, each running every emulator in turn; spread min-max`}, ` +
      `wall-clock on this host; ratio < 1 = faster; ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after)`,
  );
  return lines.join("\n");
}

/**
 * The boot by phase (PHASES): each emulator's seconds per phase and, under v86's, its ratio to
 * v86's (per round, then the median, as for the whole boot).
 */
function phaseTable(v86) {
  const rows = results.filter((r) => r.phases?.some((x) => !Number.isNaN(x)));
  if (rows.length === 0) return [];
  const cell = (x) => (Number.isNaN(x) ? "-" : (x / 1000).toFixed(2));
  const lines = ["", "boot by phase (s; under each, the median of the rounds' ratios to v86):"];
  lines.push(`${"".padEnd(26)}${PHASES.map(([name]) => name.padStart(13)).join("")}`);
  for (const r of rows) {
    lines.push(`${r.label.padEnd(26)}${r.phases.map((x) => cell(x).padStart(13)).join("")}`);
    const theirs = v86?.phaseSamples;
    if (r === v86 || theirs === undefined || theirs.length !== r.phaseSamples.length) continue;
    const ratios = PHASES.map((_, i) => {
      const xs = r.phaseSamples.map((p, k) => p[i] / theirs[k][i]);
      return xs.some(Number.isNaN) ? "-" : `${median(xs).toFixed(2)}x`;
    });
    lines.push(`${"".padEnd(26)}${ratios.map((x) => x.padStart(13)).join("")}`);
  }
  return lines;
}

/**
 * Host CPU seconds per emulator (medians): the busiest thread's and the other threads', for the
 * boot and the workload. Wall time above is what counts; this shows how much of an emulator's
 * work ran beside its loop (compiles, GC, I/O threads).
 */
function cpuTable() {
  const rows = results.filter((r) => r.bootCpu !== undefined);
  if (rows.length === 0) return [];
  const pair = (c) => (c === undefined ? "-" : `${c.busiest.toFixed(2)} + ${c.others.toFixed(2)}`);
  const lines = ["", "host CPU (s; the busiest thread + all the others):"];
  lines.push(`${"".padEnd(26)}${"boot".padStart(16)}${"workload".padStart(16)}`);
  for (const r of rows)
    lines.push(
      `${r.label.padEnd(26)}${pair(r.bootCpu).padStart(16)}${pair(r.workloadCpu).padStart(16)}`,
    );
  return lines;
}

/** Saves what is measured so far (a run cut short keeps its finished rows). */
function save(report, loadAfter) {
  writeFileSync(
    resultFile,
    JSON.stringify({ date: startedAt, loadBefore, loadAfter, results, report }, null, 2),
  );
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The median busiest-thread and other-thread CPU seconds of some rounds (undefined if any
 * lacks them).
 */
function medianCpu(xs) {
  if (xs.some((x) => x === undefined)) return undefined;
  return { busiest: median(xs.map((x) => x.busiest)), others: median(xs.map((x) => x.others)) };
}

/** Phase i's duration from a run's marks (ms), or NaN when its start or end was not seen. */
function phaseMs(marks, i) {
  const end = marks?.[i];
  const start = i === 0 ? 0 : marks?.[i - 1];
  return end === undefined || start === undefined ? NaN : end - start;
}

/** One row from an emulator's rounds: medians of the good ones; the first error or skip wins. */
function summarize(samples) {
  const bad = samples.find((r) => r.skipped || r.error);
  if (bad !== undefined) return bad;
  const phaseSamples = samples.map((r) => PHASES.map((_, i) => phaseMs(r.marks, i)));
  const phases = PHASES.map((_, i) => {
    const xs = phaseSamples.map((p) => p[i]);
    return xs.some(Number.isNaN) ? NaN : median(xs);
  });
  if (samples.length === 1) return { ...samples[0], phases, phaseSamples };
  const { serial: _, ...first } = samples[0];
  return {
    ...first,
    bootMs: median(samples.map((r) => r.bootMs)),
    workloadMs: median(samples.map((r) => r.workloadMs)),
    phases,
    phaseSamples,
    bootCpu: medianCpu(samples.map((r) => r.bootCpu)),
    workloadCpu: medianCpu(samples.map((r) => r.workloadCpu)),
    bootSamples: samples.map((r) => r.bootMs),
    workloadSamples: samples.map((r) => r.workloadMs),
    serial: samples[samples.length - 1].serial,
  };
}

const selected = order.filter((name) => only.includes(name));
const samplesOf = new Map(selected.map((name) => [name, []]));
for (let round = 1; round <= runs; round++) {
  for (const name of selected) {
    const done = samplesOf.get(name);
    // Skipped or failed once: not run again (its row reports why).
    if (done.some((r) => r.skipped || r.error)) continue;
    process.stderr.write(`bench: ${name}${runs > 1 ? ` (round ${round}/${runs})` : ""}...\n`);
    const r = await measure(name);
    done.push(r);
    const state = r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : "ok";
    process.stderr.write(
      `bench: ${name}: boot ${seconds(r.bootMs)} s, workload ${seconds(r.workloadMs)} s (${state})\n`,
    );
    results.length = 0;
    for (const n of selected)
      if (samplesOf.get(n).length > 0) results.push(summarize(samplesOf.get(n)));
    save(buildReport(loadavg()[0]), loadavg()[0]);
  }
}
const loadAfter = loadavg()[0];
const report = buildReport(loadAfter);
console.log(
  isJson
    ? JSON.stringify(
        results.map(({ serial: _, ...r }) => r),
        null,
        2,
      )
    : report,
);
save(report, loadAfter);
// Keep the folder bounded: the newest 10 results (names sort by time).
const saved = readdirSync(resultsDir)
  .filter((f) => /^compare-.*\.json$/.test(f))
  .sort();
for (const f of saved.slice(0, Math.max(0, saved.length - 10))) rmSync(join(resultsDir, f));
process.exitCode = results.some((r) => r.error) ? 1 : 0;
