// The dense cold tier (src/wasm/dense.ts) runs cold blocks' compact forms and Jcc in WebAssembly
// over CpuState's own lazy flag record, and leaves the forms it lacks, and every fast-path test
// that fails, to the interpreter's handlers mid-block. The interpreter is the oracle: the same
// code run by it alone leaves the same registers, flags, EIP, retired count and memory.
import { StopReason } from "@ringvm/cpu";
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

function memory(m: Machine): number[] {
  return Array.from(m.mem.bytes.subarray(DATA_AT, DATA_AT + 0x1000)).concat(
    Array.from(m.mem.bytes.subarray(STACK_TOP - 64, STACK_TOP)),
  );
}

describe("the dense cold tier", () => {
  // The share of cold instructions the tier runs at least: most of MIX's, some of EDGES'.
  for (const [name, code, share] of [
    ["its own forms and every condition", MIX, 0.5],
    ["byte forms", BYTES, 0.5],
    ["forms it leaves to the interpreter mid-block", EDGES, 0.1],
  ] as const) {
    it(`leaves the interpreter's state: ${name}`, () => {
      const oracle = makeMachine(code, false);
      runToHalt(oracle);
      const m = cold(code, 1);
      runToHalt(m);
      expect(snapshot(m.cpu)).toEqual(snapshot(oracle.cpu));
      expect(memory(m)).toEqual(memory(oracle));
      const st = m.engine!.stats;
      expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * share);
      expect(st.denseInstructions).toBeLessThan(st.interpreted.cold);
      expect(st.blocksTranslated).toBe(0);
    });
  }

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
