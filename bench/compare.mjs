#!/usr/bin/env node
// Boots the default guest (guests/vmlinuz + guests/initramfs.cpio.gz, console on the first serial
// port) on RingVM, on v86 and on QEMU TCG, and measures on each, from one run:
//   boot    host time from start to the first shell prompt ("~ # ") on serial;
//   workload host time from sending a fixed busybox command line to its end marker.
// The workload's output is checked against values computed on the host, so a wrong answer is
// reported, not timed. Ratios are printed against QEMU TCG (and RingVM against v86).
//
// Usage: node bench/compare.mjs [--only ringvm,v86,qemu] [--timeout SEC] [--memory MIB] [--json]
//                               [--ringvm-args "--deterministic ..."]
// `pnpm bench` runs it through turbo (after building the CLI). Results also go to bench/results/.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const guests = join(root, "guests");

// ---- options ----
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const only = option("only", "ringvm,v86,qemu").split(",");
const timeoutSec = Number(option("timeout", "900"));
const memoryMiB = Number(option("memory", "128"));
const isJson = args.includes("--json");
/** Extra `ringvm run` options, space-separated (for example "--deterministic"). */
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
/** The prompt /init gives busybox sh (PS1='~ # '). */
const PROMPT = "~ # ";
/**
 * The fixed workload: SHA-256 of 2 MiB of zeros, gzip of 1 MiB of zeros, and a shell loop.
 * The end marker is computed by the guest shell, so the echoed command line does not match it.
 */
const LOOP = 5000;
/** SHA-256 of 2 MiB of zero bytes (sha256sum on the host). */
const HOST_SHA256 = "5647f05ec18958947d32874eeb788fa396a05d0bab7c1b71f112ceb7e9b31eee";
const WORKLOAD =
  "dd if=/dev/zero bs=1024 count=2048 2>/dev/null | sha256sum; " +
  "dd if=/dev/zero bs=1024 count=1024 2>/dev/null | gzip -c | wc -c; " +
  `i=0; while [ $i -lt ${LOOP} ]; do i=$((i+1)); done; echo loop=$i; ` +
  "echo BENCH-$((6*7))-DONE\n";
const WORKLOAD_END = "BENCH-42-DONE";
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
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

const emulators = {
  ringvm: {
    label: "RingVM (interpreter)",
    available() {
      const main = join(root, "apps/cli/dist/main.js");
      if (!existsSync(main)) return `apps/cli/dist/main.js not built (run pnpm build)`;
      const help = spawnSync(process.execPath, [main, "run", "--help"], { encoding: "utf8" });
      if (help.status !== 0 || !help.stdout.includes("--kernel"))
        return "the CLI has no `run --kernel` command yet";
      return null;
    },
    start() {
      return childEmulator(process.execPath, [
        join(root, "apps/cli/dist/main.js"),
        "run",
        "--kernel",
        KERNEL,
        "--initrd",
        INITRD,
        "--append",
        APPEND,
        "-m",
        String(memoryMiB),
        "--serial",
        "stdio",
        "--timeout",
        String(timeoutSec),
        ...ringvmArgs,
      ]);
    },
  },
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
        send: (text) => emulator.serial0_send(text),
        stderr: () => "",
        stop: () => emulator.destroy(),
      };
    },
  },
};

// ---- the measurement ----

/** Boots, waits for the prompt, runs the workload, powers off. Never throws. */
async function measure(name) {
  const spec = emulators[name];
  const missing = await spec.available();
  if (missing !== null) return { name, label: spec.label, skipped: missing };
  const t0 = performance.now();
  const emu = await spec.start();
  let output = "";
  let waiter = null;
  let hasExited = false;
  const check = () => {
    if (waiter !== null && (output.includes(waiter.text, waiter.from) || hasExited)) {
      const w = waiter;
      waiter = null;
      w.resolve(!hasExited || output.includes(w.text, w.from));
    }
  };
  emu.onOutput((text) => {
    output += text;
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
      check();
    });
  const result = { name, label: spec.label, version: spec.version?.() };
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
    // Let the shell settle (it may still print after the prompt), then run the workload.
    const from = output.length;
    const t1 = performance.now();
    emu.send(WORKLOAD);
    if (!(await waitFor(WORKLOAD_END, from))) {
      result.error = `workload did not finish; last output: ${JSON.stringify(output.slice(-300))}`;
      return result;
    }
    result.workloadMs = performance.now() - t1;
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

const results = [];
for (const name of ["qemu", "v86", "ringvm"]) {
  if (!only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  const r = await measure(name);
  results.push(r);
  const state = r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : "ok";
  process.stderr.write(
    `bench: ${name}: boot ${seconds(r.bootMs)} s, workload ${seconds(r.workloadMs)} s (${state})\n`,
  );
}

const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const qemu = byName.qemu;
const lines = [];
lines.push(
  `Guest: ${KERNEL.replace(root + "/", "")} + ${INITRD.replace(root + "/", "")}, ${memoryMiB} MiB, append "${APPEND}"`,
);
lines.push(
  `Workload: sha256sum of 2 MiB, gzip of 1 MiB, a ${LOOP}-step shell loop (output checked against the host)`,
);
lines.push("");
lines.push(
  "emulator              boot to prompt (s)   workload (s)   boot vs QEMU   workload vs QEMU",
);
for (const r of results) {
  lines.push(
    `${r.label.padEnd(22)}${seconds(r.bootMs).padStart(18)}${seconds(r.workloadMs).padStart(15)}` +
      `${ratio(r.bootMs, qemu?.bootMs).padStart(15)}${ratio(r.workloadMs, qemu?.workloadMs).padStart(19)}` +
      (r.skipped ? `   skipped: ${r.skipped}` : r.error ? `   error: ${r.error}` : ""),
  );
}
if (byName.ringvm?.bootMs !== undefined && byName.v86?.bootMs !== undefined) {
  lines.push(
    `RingVM vs v86: boot ${ratio(byName.ringvm.bootMs, byName.v86.bootMs)}, workload ${ratio(
      byName.ringvm.workloadMs,
      byName.v86.workloadMs,
    )}`,
  );
}
lines.push("(one run each, wall-clock on this host; ratios > 1 mean slower than QEMU TCG)");
const report = lines.join("\n");
console.log(
  isJson
    ? JSON.stringify(
        results.map(({ serial: _, ...r }) => r),
        null,
        2,
      )
    : report,
);

mkdirSync(join(here, "results"), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(
  join(here, "results", `compare-${stamp}.json`),
  JSON.stringify({ results, report }, null, 2),
);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
