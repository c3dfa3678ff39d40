// Developer script: boot the default guest and print serial output with timings.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { createPc, wasmHostFlags } from "../src/index";
// The recompiler's branch hints and entry wrappers, as `ringvm run` sets them (README, Example).
for (const flag of wasmHostFlags(process.versions.v8)) setFlagsFromString(flag);
const dir = new URL("../../../guests/", import.meta.url).pathname;
const t0 = performance.now();
const pc = createPc({
  kernel: readFileSync(dir + "vmlinuz"),
  initrd: readFileSync(dir + "initramfs.cpio.gz"),
  cmdline: process.argv[2] ?? "console=ttyS0 earlyprintk=serial",
  serial: { write: (b) => process.stdout.write(b) },
  deterministic: process.env.DET === "1",
});
const limit = Number(process.env.SECS ?? 60) * 1000;
setTimeout(() => pc.stop(), limit);
const timer = setInterval(() => {
  const s = pc.cpu.state;
  process.stderr.write(
    `[${((performance.now() - t0) / 1000).toFixed(1)}s eip=${(s.eip >>> 0).toString(16)} insns=${pc.cpu.instructionCount}]\n`,
  );
}, 5000);
const end = await pc.start();
clearInterval(timer);
const s = pc.cpu.state;
console.error(
  "\nend:",
  end,
  "eip",
  (s.eip >>> 0).toString(16),
  "insns",
  pc.cpu.instructionCount,
  "ms",
  (performance.now() - t0).toFixed(0),
);
process.exit(0);
