// A near RET whose target is a block of its own region (the return site of a CALL in it) goes on
// inside the region function (lower.ts `returnInside`) instead of leaving through a dynamic exit:
// a loop calling a function on its page runs as one region entry. The interpreter is the oracle
// for the architectural state.
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { hex } from "./support/lockstep";
import { makeMachine, STACK_TOP, type Machine } from "./support/machine";

/**
 * mov ecx, 1000; xor eax, eax; l: call f; dec ecx; jnz l; hlt; f: add eax, 3; ret
 */
const CALL_LOOP = hex(
  "b9e8030000" + "31c0" + "e804000000" + "49" + "75f8" + "f4" + "83c003" + "c3",
);
/**
 * The same loop whose function moves its return address 3 bytes on, to the HLT: mov ecx, 1000;
 * xor eax, eax; l: call f; dec ecx; jnz l; hlt; f: add eax, 3; add dword [esp], 3; ret
 */
const SKEWED = hex(
  "b9e8030000" + "31c0" + "e804000000" + "49" + "75f8" + "f4" + "83c003" + "83042403" + "c3",
);

function runToHalt(m: Machine): void {
  let stop: number = StopReason.Budget;
  for (let k = 0; k < 1000 && stop === StopReason.Budget; k++)
    stop = m.engine ? m.engine.run(100_000) : m.cpu.run(100_000);
  expect(stop).toBe(StopReason.Halt);
}

function state(m: Machine): number[] {
  return [0, 1, 2, 4].map((r) => m.cpu.getReg32(r) >>> 0);
}

describe("a RET to a return site in its own region", () => {
  it("stays in the region function and leaves the state the interpreter does", () => {
    const oracle = makeMachine(CALL_LOOP, false);
    runToHalt(oracle);
    const m = makeMachine(CALL_LOOP, true, 1, true, "wasm");
    runToHalt(m);
    expect(m.engine!.stats.translatedWasm).toBeGreaterThan(0);
    expect(state(m)).toEqual(state(oracle));
    expect(m.cpu.getReg32(0)).toBe(3000);
    // The return address the last CALL pushed, below the stack top.
    const view = new DataView(m.mem.bytes.buffer);
    expect(view.getUint32(STACK_TOP - 4, true)).toBe(
      new DataView(oracle.mem.bytes.buffer).getUint32(STACK_TOP - 4, true),
    );
    // 2000 transfers (1000 calls and returns) and no block run per iteration: the loop is one
    // region and its RETs branch inside it.
    const s = m.engine!.stats;
    expect(s.blocksExecuted + s.chainedInWasm).toBeLessThan(50);
  });

  it("takes the dynamic exit when the return address was changed", () => {
    // Its target is not the return site: the RET leaves by its dynamic exit, to the HLT.
    const oracle = makeMachine(SKEWED, false);
    runToHalt(oracle);
    const m = makeMachine(SKEWED, true, 1, true, "wasm");
    runToHalt(m);
    expect(state(m)).toEqual(state(oracle));
    expect([m.cpu.getReg32(0), m.cpu.getReg32(1)]).toEqual([3, 1000]);
  });
});
