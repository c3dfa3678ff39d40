// The guest's nominal speed (PcConfig.nsPerInstruction): guest time from the instruction count
// runs at 10 ns per instruction when deterministic or with the interpreter, and at
// VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED with a recompiling engine's `virtual` clock, so that
// guest time keeps near the wall clock's for the engine that runs it. Checked on the board's
// clock after a run of a ROM that loops in place: its time is the instructions retired times
// the rate.
import { describe, expect, it } from "vitest";
import {
  createPc,
  DETERMINISTIC_NS_PER_INSTRUCTION,
  VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED,
  type PcConfig,
} from "../src/index";

/** A 64 KiB BIOS ROM whose reset vector jumps to itself (jmp $: EB FE). */
function spinRom(): Uint8Array {
  const image = new Uint8Array(0x1_0000);
  image.set([0xeb, 0xfe], 0xfff0);
  return image;
}

/** Guest ns per instruction of a board made with `config`, measured over 10,000 instructions. */
function measuredRate(config: Partial<PcConfig>): number {
  const pc = createPc({ bios: spinRom(), ...config });
  const before = pc.clock.now();
  const ran = pc.cpu.run(10_000);
  expect(ran).toBeDefined();
  return (pc.clock.now() - before) / 10_000;
}

describe("guest ns per instruction", () => {
  it("10 ns deterministic or with the interpreter, whatever the engine", () => {
    expect(DETERMINISTIC_NS_PER_INSTRUCTION).toBe(10);
    expect(measuredRate({})).toBe(10);
    expect(measuredRate({ engine: "interpreter" })).toBe(10);
    expect(measuredRate({ engine: "auto", deterministic: true })).toBe(10);
  });

  it("the recompiled rate with a recompiling engine's virtual clock", () => {
    expect(VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED).toBeLessThan(DETERMINISTIC_NS_PER_INSTRUCTION);
    expect(measuredRate({ engine: "auto" })).toBe(VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED);
    expect(measuredRate({ engine: "recompiler" })).toBe(VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED);
  });

  it("the configured rate in either mode, and a clear error for a rate that is not positive", () => {
    expect(measuredRate({ engine: "auto", nsPerInstruction: 5 })).toBe(5);
    expect(measuredRate({ deterministic: true, nsPerInstruction: 1 })).toBe(1);
    expect(() => createPc({ bios: spinRom(), nsPerInstruction: 0 })).toThrow(RangeError);
  });
});
