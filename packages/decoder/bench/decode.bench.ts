// Decode throughput: RingVM vs iced-x86 (npm, wasm) in the same process, on real code (the
// executable sections of busybox-static i386, see test/system/real-code.test.ts for how to
// fetch it) or, when that is absent, on the systematic sweep buffer. Prints instructions/second
// and the ratio. Run: pnpm --filter @ringvm/decoder bench
import { existsSync, readFileSync } from "node:fs";
import * as iced from "iced-x86";
import { Decoder, Instruction } from "../src/index";
import { elfExecutableSections } from "../src/elf";
import { buildSweepCases } from "../test/sweep-cases";

const path = process.env.RINGVM_BUSYBOX32 ?? "/tmp/bb32/bin/busybox";
let code: Uint8Array;
let bits: 16 | 32 | 64 = 32;
let corpus: string;
if (existsSync(path)) {
  const bytes = new Uint8Array(readFileSync(path));
  const text = (elfExecutableSections(bytes) ?? []).sort((a, b) => b.size - a.size)[0]!;
  code = bytes.slice(text.offset, text.offset + text.size);
  bits = text.bits;
  corpus = `${path} ${text.name} (${text.size} bytes)`;
} else {
  code = buildSweepCases(32, false).buf.slice(0, 4 << 20);
  corpus = "systematic sweep buffer (busybox absent)";
}

function ringvm(): number {
  const d = new Decoder(bits);
  const insn = new Instruction();
  let n = 0;
  let off = 0;
  while (off < code.length) {
    d.decode(code, off, 0x1000 + off, insn);
    off += insn.length > 0 && !insn.isInvalid ? insn.length : 1;
    n++;
  }
  return n;
}

function icedRun(): number {
  const d = new iced.Decoder(bits, code, iced.DecoderOptions.None);
  d.ip = 0x1000n;
  const insn = new iced.Instruction();
  let n = 0;
  while (d.canDecode) {
    d.decodeOut(insn);
    n++;
  }
  insn.free();
  d.free();
  return n;
}

// The machine may be shared, so the two decoders run in alternating rounds of ~250 ms CPU time
// each, timed by process CPU time (not wall time, which counts other processes' time slices),
// and the reported ratio is the median of the per-round-pair ratios.
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function timed(fn: () => number): number {
  let count = 0;
  const start = cpuMs();
  let elapsed = 0;
  while (elapsed < 250) {
    count += fn();
    elapsed = cpuMs() - start;
  }
  return (count / elapsed) * 1000;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const rounds = Number(process.env.RINGVM_BENCH_ROUNDS ?? 8);
ringvm(); // warm-up (JIT / wasm instantiation)
icedRun();
const ours: number[] = [];
const theirs: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = timed(ringvm);
  const b = timed(icedRun);
  ours.push(a);
  theirs.push(b);
  ratios.push(a / b);
}
console.log(`corpus: ${corpus}, ${bits}-bit, ${rounds} alternating rounds`);
console.log(`RingVM   ${(median(ours) / 1e6).toFixed(2)} M instructions/s (median)`);
console.log(`iced-x86 ${(median(theirs) / 1e6).toFixed(2)} M instructions/s (median)`);
console.log(
  `ratio RingVM/iced = ${median(ratios).toFixed(2)} (median; range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
);
