// Cold-tier cost: BLOCKS distinct basic blocks (8 instructions each, the boot's mix of memory,
// stack, register-only, DEC+JZ and JMP forms), entered in a full-cycle pseudo-random order that
// crosses pages, so every pass touches the whole working set as a boot's lukewarm code does
// (~32 K cold blocks, more than the CPU caches hold). The hot threshold is never reached: every
// instruction runs in the cold tier. Prints ns per instruction (CPU time) of each of RUNS
// passes after a first pass that decodes the blocks.
// Run: pnpm -s build, then npx tsx bench/cold.ts  (BLOCKS=8192 PASSES=10 RUNS=5 WARM=1). It
// measures the built packages (dist/): with `--conditions=@ringvm/source` tsx runs the sources,
// where every imported binding is read through a getter, and a cold instruction took ~5x as long.
// Another build: RECOMPILER=/path/to/dist/index.js (compare two builds back to back). The host's
// memory speed varies from run to run: at 16 K blocks the same build measured 22-63 ns.
import { StopReason } from "@ringvm/cpu";
import type { Recompiler as RecompilerClass } from "../src/index";
import { CODE_AT, DATA_AT, makeMachine, STACK_TOP } from "../test/support/machine";

const blocks = Number(process.env.BLOCKS ?? 8192);
const passes = Number(process.env.PASSES ?? 10);
const runs = Number(process.env.RUNS ?? 5);
/** Untimed passes first (decode, then JIT warm-up). */
const warm = Number(process.env.WARM ?? 1);
const { Recompiler } = (await import(process.env.RECOMPILER ?? "../dist/index.js")) as {
  Recompiler: typeof RecompilerClass;
};

const AT = 0x100000;
const SIZE = 32;
const EXIT = CODE_AT + 16;
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
// Entry stub at CODE_AT: jmp to block 0; at EXIT: hlt.
const stub = new Uint8Array(32);
stub.set([0xe9, ...le32(AT - (CODE_AT + 5))], 0);
stub.set([0xf4], 16);
const m = makeMachine(stub, false);
// Block j: mov eax,[ebx+d]; add eax,ecx; mov [ebx+d],eax; push eax; pop edx; inc esi;
// dec edi; jz EXIT; jmp block (5j + 1) mod BLOCKS (a full cycle: BLOCKS is a power of two).
for (let j = 0; j < blocks; j++) {
  const at = AT + j * SIZE;
  const d = (j * 4) & 0x7c;
  const next = AT + ((j * 5 + 1) % blocks) * SIZE;
  // End of the JZ (at 12) and of the JMP (at 18).
  const jz = at + 18;
  const jmp = at + 23;
  m.mem.bytes.set(
    [
      0x8b,
      0x43,
      d,
      0x01,
      0xc8,
      0x89,
      0x43,
      d,
      0x50,
      0x5a,
      0x46,
      0x4f,
      0x0f,
      0x84,
      ...le32(EXIT - jz),
      0xe9,
      ...le32(next - jmp),
    ],
    at,
  );
}
const engine = new Recompiler({ cpu: m.cpu, mmu: m.mem, physical: m.mem, hotThreshold: 1e9 });

/** One pass over the whole cycle `passes` times; returns ns per instruction. */
function pass(run: (n: number) => number, times: number): number {
  const s = m.cpu.state;
  s.halted = false;
  s.eip = CODE_AT;
  s.regs[4] = STACK_TOP;
  s.regs[3] = DATA_AT;
  s.regs[7] = blocks * times;
  const n0 = m.cpu.instructionCount;
  const t0 = process.cpuUsage();
  let stop: number = StopReason.Budget;
  while (stop === StopReason.Budget) stop = run(200_000);
  const u = process.cpuUsage(t0);
  return ((u.user + u.system) * 1000) / (m.cpu.instructionCount - n0);
}

const cold = (n: number): number => engine.run(n);
pass(cold, warm);
const decoded = engine.stats.blocksDecoded;
const out: string[] = [];
for (let k = 0; k < runs; k++) out.push(pass(cold, passes).toFixed(1));
const again = engine.stats.blocksDecoded - decoded;
console.log(`cold tier ns/instr: ${out.join(" ")} (${decoded} blocks, ${again} decoded again)`);
