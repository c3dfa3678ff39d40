// Port accesses take guest time (PcConfig.portAccessNs): each IN or OUT the CPU makes waits on
// the bus, as an ISA or LPC I/O cycle does on a PC, and timers that fall due during such a wait
// fire there, not at the end of the engine's run. Checked on the board's clock after a ROM that
// polls port 80h in a loop, against the rates configured (the expected times are the
// instruction count times the rate plus the accesses times the wait).
import { describe, expect, it } from "vitest";
import {
  createPc,
  DETERMINISTIC_NS_PER_INSTRUCTION,
  PORT_ACCESS_NS,
  type PcConfig,
} from "../src/index";

/** A 64 KiB BIOS ROM whose reset vector jumps to 0000:1000 (`jmp 0:1000h`). */
function pollRom(): Uint8Array {
  const image = new Uint8Array(0x1_0000);
  image.set([0xea, 0x00, 0x10, 0x00, 0x00], 0xfff0);
  return image;
}

/** A board whose guest polls port 80h from RAM (`in al, 80h; jmp $-2` at 1000h). */
function pollingPc(config: Partial<PcConfig>) {
  const pc = createPc({ bios: pollRom(), deterministic: true, ...config });
  pc.physical.writeBytes(0x1000, Uint8Array.of(0xe4, 0x80, 0xeb, 0xfc));
  return { pc, engine: pc.recompiler ?? pc.cpu };
}

/** Guest ns that the far jump and 5,000 polls (10,001 instructions) take. */
function pollTime(config: Partial<PcConfig>): number {
  const { pc, engine } = pollingPc(config);
  const before = pc.clock.now();
  engine.run(10_001);
  return pc.clock.now() - before;
}

const NS = DETERMINISTIC_NS_PER_INSTRUCTION;

describe("port accesses take guest time", () => {
  it("each access waits PORT_ACCESS_NS by default, a configured time, or none", () => {
    expect(PORT_ACCESS_NS).toBe(1000);
    expect(pollTime({})).toBe(10_001 * NS + 5_000 * PORT_ACCESS_NS);
    expect(pollTime({ portAccessNs: 250 })).toBe(10_001 * NS + 5_000 * 250);
    expect(pollTime({ portAccessNs: 0 })).toBe(10_001 * NS);
  });

  it("the same in every engine", () => {
    const interpreted = pollTime({ engine: "interpreter" });
    expect(pollTime({ engine: "recompiler" })).toBe(interpreted);
    expect(pollTime({ engine: "auto" })).toBe(interpreted);
  });

  it("fires a timer at the access that reaches it, inside the engine's run", () => {
    const { pc, engine } = pollingPc({ engine: "auto" });
    const start = pc.clock.now();
    const fired: number[] = [];
    pc.scheduler.schedule(start + 50_000, (now) => fired.push(now - start));
    engine.run(10_001);
    expect(fired).toHaveLength(1);
    // Not at the run's end (5.1 ms), but within one poll (2 instructions and a wait) of it.
    expect(fired[0]).toBeGreaterThanOrEqual(50_000);
    expect(fired[0]).toBeLessThan(50_000 + 2 * NS + PORT_ACCESS_NS);
  });

  it("refuses a wait that is not a whole number of ns", () => {
    expect(() => createPc({ bios: pollRom(), portAccessNs: -1 })).toThrow(RangeError);
    expect(() => createPc({ bios: pollRom(), portAccessNs: 0.5 })).toThrow(RangeError);
  });
});
