// The dense cold-tier spike's measurement (README.md): `bench/cold.ts`'s blocks (8 instructions
// and a JMP, entered in a full-cycle pseudo-random order over BLOCKS blocks) run by the one
// WebAssembly interpreter of interp.mjs, either chained inside it (one call per pass) or with one
// call from JavaScript per block, as a cold tier would start. Prints ns per guest instruction (CPU
// time) for five rounds of PASSES passes. Run: node speed.mjs (BLOCKS=8192 PASSES=10 PER_CALL=1).
import { CODE, COUNT, F, FLAT, interpreterModule, MEM_PAGES, RAM, REGS, TLB } from "./interp.mjs";

const BLOCKS = Number(process.env.BLOCKS ?? 8192);
const PASSES = Number(process.env.PASSES ?? 10);
const PER_CALL = process.env.PER_CALL === "1";

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

let pc = at(0);
const pass = () => {
  if (!PER_CALL) {
    pc = run(pc, BLOCKS * INSNS);
    return M[COUNT >> 2];
  }
  let n = 0;
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
const how = PER_CALL ? "one call from JavaScript per block" : "chained inside WebAssembly";
console.log(`dense wasm ns/instr (${BLOCKS} blocks, ${how}): ${rounds.join(" ")}`);
