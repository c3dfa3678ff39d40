// Developer script: boot the default guest deterministically and keep the last N instructions
// (EIP, CS, SS:ESP, EFLAGS) before the run ends; prints them (find the path into a fault).
import { readFileSync } from "node:fs";
import { createPc } from "../src/index";
const dir = new URL("../../../guests/", import.meta.url).pathname;
const pc = createPc({
  kernel: readFileSync(dir + "vmlinuz"),
  initrd: readFileSync(dir + "initramfs.cpio.gz"),
  cmdline: process.env.CMDLINE ?? "console=ttyS0 cryptomgr.notests",
  serial: { write: (b) => process.stdout.write(b) },
  deterministic: true,
});
const from = Number(process.env.FROM ?? 0);
const keep = Number(process.env.KEEP ?? 400);
const ring: string[] = [];
const stopAt = Number(process.env.STOPAT ?? Infinity);
const cpu = pc.cpu;
const s = cpu.state;
pc.hypervisor.setEngine({
  name: "trace",
  run: (n) => {
    if (cpu.instructionCount + n < from) return cpu.run(n);
    let stop = 0;
    for (let i = 0; i < n; i++) {
      const r = (k: number): string => (s.regs[k]! >>> 0).toString(16);
      ring.push(
        `${cpu.instructionCount} ${s.segSel[1]!.toString(16)}:${(s.eip >>> 0).toString(16)} ss:esp=${s.segSel[2]!.toString(16)}:${r(4)} ds=${s.segSel[3]!.toString(16)} es=${s.segSel[0]!.toString(16)}[${(s.segBase[0]! >>> 0).toString(16)},${(s.segLimit[0]! >>> 0).toString(16)},${s.segAr[0]!.toString(16)}] cpl=${s.cpl} cr0=${(s.cr0 >>> 0).toString(16)} fl=${cpu.eflags.toString(16)} eax=${r(0)} ecx=${r(1)} edx=${r(2)} ebx=${r(3)} esi=${r(6)} edi=${r(7)}`,
      );
      if (ring.length > keep) ring.shift();
      if (cpu.instructionCount >= stopAt) return 2;
      stop = cpu.run(1);
      if (stop !== 0) return stop;
    }
    return stop;
  },
});
const end = await pc.start();
console.error("\nend:", end);
console.error(ring.join("\n"));
const g = s.gdtrBase >>> 0;
const rd = (a: number): string => (pc.mmu.read32(a) >>> 0).toString(16).padStart(8, "0");
console.error(`gdtr ${g.toString(16)} limit ${s.gdtrLimit.toString(16)}`);
for (const sel of [0x60, 0x68, 0x73, 0x7b, 0xd8])
  console.error(`sel ${sel.toString(16)}: ${rd(g + (sel & ~7) + 4)}${rd(g + (sel & ~7))}`);
const phys = pc.mmu.translate?.(g + 0x78, 0);
console.error("gdt+0x78 phys", phys);
process.exit(0);
