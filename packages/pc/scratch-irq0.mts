// SCRATCH (not committed): IRQ0 edges vs PIC acks during a Linux boot.
import { readFileSync } from "node:fs";
import { createPc } from "./src/index";
const g = "../../guests/";
const pc = createPc({
  kernel: readFileSync(g + "vmlinuz"),
  initrd: readFileSync(g + "initramfs.cpio.gz"),
  cmdline: "console=ttyS0 clearcpuid=mtrr",
  serialSink: undefined as never,
  serial: { write: () => {} },
  deterministic: true,
});
const pit = pc.pit as unknown as { setOut0(h: boolean): void; out0: boolean };
const so = pit.setOut0.bind(pit);
let edges = 0;
let firstEdge = -1;
let lastEdge = -1;
const gaps = new Map<number, number>();
pit.setOut0 = (h: boolean) => {
  if (h && !pit.out0) {
    edges++;
    const now = pc.clock.now();
    if (firstEdge < 0) firstEdge = now;
    else {
      const gap = Math.round((now - lastEdge) / 1e5) / 10; // ms
      gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
    }
    lastEdge = now;
  }
  so(h);
};
const ack = pc.pic.acknowledge.bind(pc.pic);
const vectors = new Map<number, number>();
pc.pic.acknowledge = () => {
  const v = ack();
  vectors.set(v, (vectors.get(v) ?? 0) + 1);
  return v;
};
const writes: string[] = [];
const pp = pc.pit as unknown as { writePort(p: number, v: number): void };
const wp = pp.writePort.bind(pp);
pp.writePort = (p: number, v: number) => {
  if (writes.length < 200 && (p === 0x43 || p === 0x40) && pc.clock.now() > 1.4e9 && !(p === 0x43 && v === 0))
    writes.push(`${(pc.clock.now() / 1e6).toFixed(3)}ms ${p.toString(16)}=${v.toString(16)}`);
  wp(p, v);
};
let late = 0;
let jumps = 0;
setTimeout(() => pc.stop(), 140000);
await pc.start();
console.log("virtual s", pc.clock.now() / 1e9, "edges", edges, "span s", (lastEdge - firstEdge) / 1e9);
console.log("acks", JSON.stringify([...vectors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)));
console.log("gaps ms", JSON.stringify([...gaps.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)));
console.log("writes", writes.slice(0, 60).join(" | "));
console.log("pit", JSON.stringify((pc.pit.saveState() as any).counters[0]));
