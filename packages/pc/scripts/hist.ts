// Developer script: EIP histogram after N instructions (find where a guest loops).
import { readFileSync } from "node:fs";
import { createPc } from "../src/index";
const dir = new URL("../../../guests/", import.meta.url).pathname;
const pc = createPc({
  kernel: readFileSync(dir + "vmlinuz"),
  initrd: readFileSync(dir + "initramfs.cpio.gz"),
  cmdline: process.env.CMDLINE ?? "console=ttyS0",
  serial: { write: (b) => process.stdout.write(b) },
  deterministic: true,
});
pc.cpu.run(Number(process.env.SKIP ?? 30_000_000));
const hist = new Map<number, number>();
for (let i = 0; i < Number(process.env.N ?? 200000); i++) {
  const e = pc.cpu.state.eip >>> 0;
  hist.set(e, (hist.get(e) ?? 0) + 1);
  pc.cpu.run(1);
}
const top = [...hist.entries()].sort((a, b) => a[0] - b[0]);
console.log(top.length, "distinct eips");
console.log(top.map(([e, c]) => `${e.toString(16)}:${c}`).join(" "));
