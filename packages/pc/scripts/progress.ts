// Developer script: run the default guest for N instructions and report decompression progress.
import { readFileSync } from "node:fs";
import { createPc } from "../src/index";
const dir = new URL("../../../guests/", import.meta.url).pathname;
const pc = createPc({
  kernel: readFileSync(dir + "vmlinuz"),
  initrd: readFileSync(dir + "initramfs.cpio.gz"),
  cmdline: "console=ttyS0",
  serial: { write: (b) => process.stdout.write(b) },
  deterministic: true,
});
const step = Number(process.env.STEP ?? 50_000_000);
const t0 = performance.now();
for (let i = 0; i < Number(process.env.STEPS ?? 10); i++) {
  pc.cpu.run(step);
  const u8 = pc.physical.u8;
  let last = 0;
  for (let p = 0; p < 0x8000000; p += 4096) {
    for (let j = 0; j < 4096; j += 64)
      if (u8[p + j] !== 0) {
        last++;
        break;
      }
  }
  const s = pc.cpu.state;
  console.error(
    `insns=${pc.cpu.instructionCount} eip=${(s.eip >>> 0).toString(16)} nonzeroPages=${last} ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );
}
