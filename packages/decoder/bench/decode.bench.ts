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

function rate(fn: () => number): number {
  fn(); // warm-up (JIT / wasm instantiation)
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 2000) {
    count += fn();
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

const ours = rate(ringvm);
const theirs = rate(icedRun);
console.log(`corpus: ${corpus}, ${bits}-bit`);
console.log(`RingVM   ${(ours / 1e6).toFixed(2)} M instructions/s`);
console.log(`iced-x86 ${(theirs / 1e6).toFixed(2)} M instructions/s`);
console.log(`ratio RingVM/iced = ${(ours / theirs).toFixed(2)}`);
