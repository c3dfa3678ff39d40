// The dense cold-tier spike's measurement (README.md): `bench/cold.ts`'s blocks (8 instructions
// and a JMP, entered in a full-cycle pseudo-random order over BLOCKS blocks) run by the one
// WebAssembly interpreter of interp.mjs, either chained inside it (one call per pass) or with one
// call from JavaScript per block, as a cold tier would start. Prints ns per guest instruction (CPU
// time) for five rounds of PASSES passes. Run: node speed.mjs (BLOCKS=8192 PASSES=10 PER_CALL=1).
import { CODE, COUNT, F, FLAT, interpreterModule, MEM_PAGES, RAM, REGS, TLB } from "./interp.mjs";

const BLOCKS = Number(process.env.BLOCKS ?? 8192);
const PASSES = Number(process.env.PASSES ?? 10);
// PER_CALL=1: one call per block; 2: also the lazy flag record copied in and out as a cold tier
// would (CpuState's seven flag fields to memory words before the call, the six back after).
const PER_CALL = Number(process.env.PER_CALL ?? 0);

const mem = new WebAssembly.Memory({ initial: MEM_PAGES });
const { run } = new WebAssembly.Instance(new WebAssembly.Module(interpreterModule()), {
  env: { mem },
}).exports;
const M = new Int32Array(mem.buffer);
for (let p = 0; p < 4096; p++) M[(TLB >> 2) + p] = (RAM + p * 4096) | 3; // guest page p, read/write
const WORDS = 2;
const INSNS = 9;
const at = (j) => CODE + j * INSNS * WORDS * 4;
const [EAX, ECX, EDX, EBX, ESP, ESI, EDI] = [0, 1, 2, 3, 4, 6, 7];
for (let j = 0; j < BLOCKS; j++) {
  const disp = (j * 64) % (1 << 20);
  const words = [
    [F.load | (EAX << 8) | (EBX << 12), disp],
    [F.add | (EAX << 8) | (ECX << 12), 0],
    [F.store | (EAX << 8) | (EBX << 12), disp],
    [F.push | (EAX << 8), 0],
    [F.pop | (EDX << 8), 0],
    [F.inc | (ESI << 8), 0],
    [F.dec | (EDI << 8), 0],
    [F.jz, 0],
    [F.jmp, at((5 * j + 1) % BLOCKS)],
  ];
  words.forEach(([w, x], k) => {
    M[(at(j) >> 2) + WORDS * k] = w;
    M[(at(j) >> 2) + WORDS * k + 1] = x;
  });
}
M[(REGS >> 2) + EBX] = 0x100000;
M[(REGS >> 2) + ESP] = 0x200000;
M[(REGS >> 2) + ECX] = 3;
M[(REGS >> 2) + EDI] = 0x7fffffff; // DEC never reaches zero: the JZ is never taken
M[FLAT >> 2] = 0xff;

/** CpuState's lazy flag fields (cpu-state.ts), as a cold tier would copy them. */
class FlagState {
  flags = 2;
  lazyMask = 0;
  lazyOp = 0;
  lazyDst = 0;
  lazySrc = 0;
  lazyRes = 0;
  lazyTop = 7;
}
const state = new FlagState();
const F0 = 96 >> 2; // a record area of its own (the interpreter's record is at FLAGS)
function flagsIn(s) {
  M[F0] = s.lazyOp;
  M[F0 + 1] = s.lazyDst;
  M[F0 + 2] = s.lazySrc;
  M[F0 + 3] = s.lazyRes;
  M[F0 + 4] = s.lazyTop;
  M[F0 + 5] = s.lazyMask;
  M[F0 + 6] = s.flags;
}
function flagsOut(s) {
  s.lazyOp = M[F0];
  s.lazyDst = M[F0 + 1];
  s.lazySrc = M[F0 + 2];
  s.lazyRes = M[F0 + 3];
  s.lazyTop = M[F0 + 4];
  s.lazyMask = M[F0 + 5];
}

let pc = at(0);
const pass = () => {
  if (!PER_CALL) {
    pc = run(pc, BLOCKS * INSNS);
    return M[COUNT >> 2];
  }
  let n = 0;
  if (PER_CALL === 2) {
    for (let b = 0; b < BLOCKS; b++) {
      flagsIn(state);
      pc = run(pc, INSNS);
      flagsOut(state);
      n += M[COUNT >> 2];
    }
    return n;
  }
  for (let b = 0; b < BLOCKS; b++) {
    pc = run(pc, INSNS);
    n += M[COUNT >> 2];
  }
  return n;
};
pass();
if (pc <= 0) throw new Error(`spike: left at ${-pc}`);
const rounds = [];
for (let r = 0; r < 5; r++) {
  const t0 = process.cpuUsage();
  let n = 0;
  for (let p = 0; p < PASSES; p++) n += pass();
  const t = process.cpuUsage(t0);
  rounds.push((((t.user + t.system) * 1000) / n).toFixed(1));
}
// A check of what ran: every block increments ESI once and decrements EDI once.
const blocksRun = (PASSES * 5 + 1) * BLOCKS;
if (M[(REGS >> 2) + ESI] !== blocksRun || M[(REGS >> 2) + EDI] !== 0x7fffffff - blocksRun)
  throw new Error(`spike: ESI ${M[(REGS >> 2) + ESI]}, expected ${blocksRun}`);
const how = [
  "chained inside WebAssembly",
  "one call from JavaScript per block",
  "one call per block, flags copied in and out",
][PER_CALL];
console.log(`dense wasm ns/instr (${BLOCKS} blocks, ${how}): ${rounds.join(" ")}`);
