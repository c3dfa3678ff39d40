// The dense cold tier (src/wasm/dense.ts) runs cold blocks' compact forms and Jcc in WebAssembly
// over CpuState's own lazy flag record, and leaves the forms it lacks, and every fast-path test
// that fails, to the interpreter's handlers mid-block. The interpreter is the oracle: the same
// code run by it alone leaves the same registers, flags, EIP, retired count and memory.
import { SegReg, StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { formatRecompilerStats } from "../src/index";
import { hex } from "./support/lockstep";
import { DATA_AT, makeMachine, snapshot, STACK_TOP, type Machine } from "./support/machine";

/**
 * A 300-step loop of the forms the tier runs, with every condition of Jcc tested on ADD, SUB,
 * CMP, TEST, AND/OR/XOR and INC/DEC records (INC keeping SUB's CF): nasm source in the commit's
 * message of this test; ALU on registers, immediates and memory, loads, stores, PUSH/POP, LEA.
 */
const MIX = hex(
  "b92c010000bb0000040031c0baf0ffff7f31f6bf0000008001c883ea0389048b8b2c8b31d581e50fff000009ee" +
    "81fd80000000720146f7c50100000074014f50525d588d6c4b0839048b754d034304c7448b0478563412837b04" +
    "057f0201d729c27002eb01467801477a014a7c02eb0383c6077e0383ee01760231cf29d846720383c7114e7306" +
    "81cf00010000770681c200100000497580f4f4",
);
/**
 * Byte forms: MOVZX/MOVSX from memory, CMP/TEST of byte registers (AH and DH among them) and
 * immediates, CMP of a byte in memory, each followed by conditions on their flags, 256 steps.
 */
const BYTES = hex(
  "b900010000bb0000040031f631ff880c0b4975fab9000100000fb6040b0fbe140b01d63c80720147a803750383" +
    "c70538da7f0383ef01803c0b7f7e0231c6f6c11078057a0383c60338f4770681cf001000004975c4f4",
);
/**
 * A 200-step loop whose blocks hold what the tier leaves to the interpreter between forms it
 * runs: ADC, an unaligned load and store, a byte compare, a shift, and a store into the code's
 * own page (an immediate patched each step, so the block after it is invalidated and decoded
 * again).
 */
const EDGES = hex(
  "b9c8000000bb0100040031c031d205ffffff7f83d2008b3301ce897303807b0703d1e601f2890d2c000100bf00" +
    "00000001f84975d9f4",
);

/**
 * Shifts and rotates by a constant (counts 1, 7, 13, 31, and 0x20 and 0x21, masked to 0 and 1),
 * each followed by a Jcc on the flag it sets (OF, CF, SF, PF, ZF, the signed and unsigned
 * compares), a rotate after an ADD (its SF/ZF/PF stay the ADD's), an INC after a rotate (the
 * rotate's CF kept), and EFLAGS stored each of 300 steps (PUSHFD: AF too):
 *
 *         mov ecx, 300 / mov ebx, 0x40000 / mov eax, 0x12345678 / mov edx, 0x9abcdef1
 *         xor esi, esi / xor edi, edi
 * top:    add eax, edx / rol eax, 7 / jo .o1 / add edi, 3
 * .o1:    ror edx, 13 / jc .c1 / xor esi, eax
 * .c1:    inc esi / shl eax, 1 / jo .o2 / add edi, eax
 * .o2:    shr edx, 1 / jno .o3 / inc esi
 * .o3:    sar edi, 3 / js .s1 / add esi, 5
 * .s1:    jp .p1 / sub esi, 9
 * .p1:    ror esi, 31 / jno .n1 / add edi, 5
 * .n1:    ror edx, 1 / jo .n2 / rol esi, 1
 * .n2:    shl edx, 0x21 / ja .a1 / shr eax, 0x20
 * .a1:    sar esi, 31 / jl .l1 / rol edi, 1
 * .l1:    shr esi, 5 / jz .z1 / shl edi, 31
 * .z1:    xor edx, ecx / pushfd / pop ebp / mov [ebx + ecx*4], ebp / dec ecx / jnz top / hlt
 */
const SHIFTS = hex(
  "b92c010000bb00000400b878563412baf1debc9a31f631ff01d0c1c007700383c703c1ca0d720231c646d1e070" +
    "0201c7d1ea710146c1ff03780383c6057a0383ee09c1ce1f710383c705d1ca7002d1c6c1e2217703c1e820c1fe" +
    "1f7c02d1c7c1ee057403c1e71f31ca9c5d892c8b4975a7f4",
);
/**
 * CALL rel32 and RET closing blocks, nested, 300 steps:
 *
 *         mov ecx, 300 / xor eax, eax / mov ebx, 0x40000
 * .l:     call f / mov [ebx + ecx*4], eax / dec ecx / jnz .l / hlt
 * f:      add eax, ecx / shr eax, 1 / call g / ret
 * g:      rol eax, 3 / ret
 */
const CALLS = hex("b92c01000031c0bb00000400e80700000089048b4975f5f401c8d1e8e801000000c3c1c003c3");
/**
 * FS and GS with a base (set by the test), DS flat: loads, stores, ALU and CMP from memory,
 * MOVZX/MOVSX of words (one unaligned), a byte compare, LEA with FS (no access), 250 steps
 * over 2 KiB filled first by an LCG:
 *
 *         mov ecx, 0x200 / mov eax, 0x2545f491 / mov ebx, 0x40000
 * .fill:  mov [ebx + ecx*4], eax / imul eax, eax, 1103515245 / add eax, 12345 / dec ecx
 *         jnz .fill / mov ecx, 250 / xor esi, esi / xor edi, edi
 * .l:     mov edx, [fs:ecx*4 + 0x100] / add esi, edx / mov [fs:ecx*4 + 0x800], esi
 *         sub edi, [fs:0x20] / cmp [fs:ecx*4 + 0x104], esi / jb .b1 / add edi, 7
 * .b1:    movzx edx, word [fs:ecx*2 + 0x300] / add edi, edx
 *         movsx edx, word [gs:ecx*4 + 0x402] / add esi, edx
 *         movsx ebp, word [ebx + ecx*2 + 0x40] / xor edi, ebp
 *         movzx ebp, word [ebx + ecx*2 + 0x41] / add esi, ebp
 *         mov dword [gs:ecx*4 + 0xc00], 0x5a5a5a5a / cmp byte [fs:ecx + 0x200], 0x80 / jae .b2
 *         inc edi
 * .b2:    lea edx, [fs:ecx*8 + 4] / mov [gs:ecx*4 + 0xe00], edx / dec ecx / jnz .l / hlt
 */
const SEGMENTS = hex(
  "b900020000b891f44525bb0000040089048b69c06d4ec64105393000004975efb9fa00000031f631ff648b148d" +
    "0001000001d66489348d00080000642b3d200000006439348d04010000720383c707640fb794090003000001d7" +
    "650fbf148d0204000001d60fbf6c4b4031ef0fb76c4b4101ee65c7048d000c00005a5a5a5a6480b90002000080" +
    "730147648d14cd040000006589148d000e000049758cf4",
);

/**
 * A loop whose blocks start with, and hold in the middle, a form the tier lacks (BSWAP), the
 * rest forms it runs, 300 steps:
 *
 *         mov ecx, 300 / mov ebx, 0x40000 / xor eax, eax / mov edx, 0x01234567
 * .l:     bswap edx / add eax, edx / xor eax, ecx / mov [ebx + ecx*4], eax / rol edx, 5
 *         sub eax, [ebx + 8] / cmp eax, edx / jb .b / add eax, 3
 * .b:     bswap eax / shr eax, 2 / add edx, eax / mov [ebx + 4], edx / lea esi, [eax + edx*2]
 *         dec ecx / jnz .l / hlt
 */
const RESUME = hex(
  "b92c010000bb0000040031c0ba674523010fca01d031c889048bc1c2052b430839d0720383c0030fc8c1e80201c2" +
    "8953048d34504975daf4",
);

function runToHalt(m: Machine): void {
  let stop: number = StopReason.Budget;
  for (let k = 0; k < 1000 && stop === StopReason.Budget; k++)
    stop = m.engine ? m.engine.run(100_000) : m.cpu.run(100_000);
  expect(stop).toBe(StopReason.Halt);
}

/** Cold blocks only (a hot threshold never reached), dense after `denseRuns` runs (0: never). */
function cold(code: Uint8Array, denseRuns: number): Machine {
  return makeMachine(code, true, 1e9, true, "wasm-shared", { denseRuns });
}

function memory(m: Machine, bytes: number): number[] {
  return Array.from(m.mem.bytes.subarray(DATA_AT, DATA_AT + bytes)).concat(
    Array.from(m.mem.bytes.subarray(STACK_TOP - 64, STACK_TOP)),
  );
}

type Stats = NonNullable<Machine["engine"]>["stats"];

/**
 * Runs `code` in the interpreter alone and in cold blocks with the tier from their first run,
 * each machine set up by `setup` first, and checks that both leave the same state and memory
 * (`bytes` of data from DATA_AT, and the stack's top); returns the second one's stats.
 */
function againstInterpreter(
  code: Uint8Array,
  setup: (m: Machine) => Machine = (m) => m,
  bytes = 0x1000,
): Stats {
  const oracle = setup(makeMachine(code, false));
  runToHalt(oracle);
  const m = setup(cold(code, 1));
  runToHalt(m);
  expect(snapshot(m.cpu)).toEqual(snapshot(oracle.cpu));
  expect(memory(m, bytes)).toEqual(memory(oracle, bytes));
  return m.engine!.stats;
}

describe("the dense cold tier", () => {
  // The share of cold instructions the tier runs at least: most of MIX's, some of EDGES'.
  for (const [name, code, share] of [
    ["its own forms and every condition", MIX, 0.5],
    ["byte forms", BYTES, 0.5],
    ["forms it leaves to the interpreter mid-block", EDGES, 0.1],
  ] as const) {
    it(`leaves the interpreter's state: ${name}`, () => {
      const st = againstInterpreter(code);
      expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * share);
      expect(st.denseInstructions).toBeLessThan(st.interpreted.cold);
      expect(st.blocksTranslated).toBe(0);
    });
  }

  // Shifts and rotates, and a block's closing CALL and RET, run by the tier (with few other
  // forms around them, most of the cold instructions).
  for (const [name, code, share] of [
    ["shifts and rotates by a constant", SHIFTS, 0.7],
    ["a block's closing CALL and RET", CALLS, 0.9],
  ] as const) {
    it(`leaves the interpreter's state: ${name}`, () => {
      const st = againstInterpreter(code);
      expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * share);
    });
  }

  it("goes on in the tier after an instruction the interpreter ran mid-block", () => {
    const st = againstInterpreter(RESUME);
    // All but the two BSWAPs of each 16- or 17-instruction step (and the first runs).
    expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * 0.8);
  });

  // FS and GS with a base and a 4 GiB limit (Linux's per-CPU segment): base + offset when the
  // base is 4-aligned, else (an aligned offset would not give an aligned address) the
  // interpreter's handlers.
  it("runs FS and GS accesses as the interpreter does, with a 4-aligned base only", () => {
    const run = (fs: number): number => {
      const withBases = (m: Machine): Machine => {
        const ar = 0x80 | 0x10 | 0x02 | 0x01 | 0x4000 | 0x8000;
        m.cpu.loadSegmentCache(SegReg.FS, 0x10, fs, 0xffffffff, ar);
        m.cpu.loadSegmentCache(SegReg.GS, 0x10, DATA_AT + 0x200, 0xffffffff, ar);
        return m;
      };
      return againstInterpreter(SEGMENTS, withBases, 0x2000).denseInstructions;
    };
    const aligned = run(DATA_AT + 0x100);
    const unaligned = run(DATA_AT + 0x102);
    // Each of the loop's 250 steps has five FS accesses in compact forms (the byte compare's
    // displacement is too wide for one), the interpreter's with the odd base.
    expect(aligned - unaligned).toBeGreaterThanOrEqual(5 * 249);
  });

  it("is not used with denseRuns 0, and not before a block has run denseRuns times", () => {
    const off = cold(MIX, 0);
    runToHalt(off);
    expect(off.engine!.stats.denseInstructions).toBe(0);
    const late = cold(MIX, 100);
    runToHalt(late);
    const oracle = makeMachine(MIX, false);
    runToHalt(oracle);
    expect(snapshot(late.cpu)).toEqual(snapshot(oracle.cpu));
    const all = cold(MIX, 1);
    runToHalt(all);
    const st = late.engine!.stats;
    expect(st.denseInstructions).toBeGreaterThan(0);
    expect(st.denseInstructions).toBeLessThan(all.engine!.stats.denseInstructions);
  });

  it("is counted in the stats that --stats prints", () => {
    const on = cold(MIX, 1);
    runToHalt(on);
    const n = on.engine!.stats.denseInstructions;
    expect(formatRecompilerStats(on.engine!.stats)).toContain(
      `cold instructions run by the dense tier: ${n} (`,
    );
    const off = cold(MIX, 0);
    runToHalt(off);
    expect(formatRecompilerStats(off.engine!.stats)).not.toContain("dense tier");
  });
});
