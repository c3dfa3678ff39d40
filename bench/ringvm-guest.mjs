#!/usr/bin/env node
// RingVM's side of bench/compare.mjs: builds the board from @ringvm/pc (as `ringvm run` does)
// with a direct Linux boot, COM1 on stdout and stdin, and runs it until the guest powers off.
// Unlike `ringvm run`, it lets the kernel's own XZ decompressor run in the guest
// (`decompressOnHost: false`, the default here), as SeaBIOS's loader does under v86 and QEMU.
//
// Usage: node bench/ringvm-guest.mjs --kernel F --initrd F --append TEXT [-m MIB]
//          [--engine interpreter|recompiler|auto] [--backend js|wasm] [--host-unpack] [--clock virtual|realtime]
//          [--deterministic]
// Prints the board's exit statistics to stderr at the end (one JSON line, prefix "ringvm-stats ").
import { readFileSync } from "node:fs";
import { createPc } from "@ringvm/pc";
import { favorCallingThread } from "ringvm/host-threads";
import { configureWasmHost } from "ringvm/host-wasm";

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

const engine = option("engine", "interpreter");
// Unset: the board's default back end (WebAssembly where the host has it).
const backend = option("backend", undefined);
const clock = option("clock", "virtual");
if (
  !["interpreter", "recompiler", "auto"].includes(engine) ||
  (backend !== undefined && !["js", "wasm"].includes(backend)) ||
  !["virtual", "realtime"].includes(clock)
) {
  process.stderr.write(
    `ringvm-guest: bad --engine ${engine}, --backend ${backend} or --clock ${clock}\n`,
  );
  process.exit(1);
}

// Serial output leaves in one write per event-loop turn (the guest's bytes arrive one by one;
// a pipe write per byte cost this process a syscall each).
let queued = [];
const flushOutput = () => {
  if (queued.length === 0) return;
  process.stdout.write(Buffer.concat(queued));
  queued = [];
};
function queueOutput(bytes) {
  if (queued.length === 0) setImmediate(flushOutput);
  queued.push(Buffer.from(bytes));
}

// As `ringvm run` does: V8 reads the region code's branch hints (Node before V8 13.6) and
// enters region functions through per-signature wrappers (V8 11).
configureWasmHost();
let pc;
try {
  pc = createPc({
    kernel: new Uint8Array(readFileSync(option("kernel", ""))),
    initrd: new Uint8Array(readFileSync(option("initrd", ""))),
    cmdline: option("append", "console=ttyS0"),
    memorySize: Number(option("m", "128")) * 1024 * 1024,
    engine,
    ...(backend !== undefined ? { backend } : {}),
    clock,
    deterministic: args.includes("--deterministic"),
    decompressOnHost: args.includes("--host-unpack"),
    serial: { write: queueOutput },
  });
} catch (error) {
  process.stderr.write(`ringvm-guest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdin.on("data", (data) => pc.sendSerial(new Uint8Array(data)));
process.stdin.on("error", () => undefined);
const stop = () => pc.stop();
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

// As `ringvm run` does: V8's compiler and GC workers run on the cores the loop leaves idle.
favorCallingThread();
const end = await pc.start();
flushOutput();
const s = pc.hypervisor.snapshotStats();
process.stderr.write(
  `ringvm-stats ${JSON.stringify({
    end: end.reason,
    engine,
    instructions: s.instructions,
    guestMs: Math.round(s.guestMs),
    wallMs: Math.round(s.wallMs),
    guestNs: pc.clock.now(),
  })}\n`,
);
process.stdin.destroy();
process.exit(end.reason === "poweroff" || end.reason === "stopped" ? 0 : 3);
