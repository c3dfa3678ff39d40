// The run loop driving the real interpreter: a real-mode program (test/programs/timer-hlt.asm,
// assembled by nasm, committed as hex) halts between timer interrupts from a 1 kHz event.
import { readFileSync } from "node:fs";
import { Cpu, SegReg, type InterruptSource } from "@ringvm/cpu";
import { FlatMemory } from "@ringvm/cpu/testing";
import type { PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import {
  EventScheduler,
  Hypervisor,
  VirtualClock,
  type ClockMode,
  type RunEnd,
} from "../src/index";

const PROGRAM = Buffer.from(
  readFileSync(new URL("./programs/timer-hlt.hex", import.meta.url), "utf8").trim(),
  "hex",
);
const LOAD = 0x1000;
const MS = 1_000_000;

interface Outcome {
  end: RunEnd;
  ticks: number[];
  debugcon: number[];
  halts: number;
}

async function boot(mode: ClockMode): Promise<Outcome> {
  const memory = new FlatMemory(1 << 20);
  memory.bytes.set(PROGRAM, LOAD);
  const clock = new VirtualClock({ mode, nsPerInstruction: 10 });
  const scheduler = new EventScheduler();
  let isIrqPending = false;
  const pic: InterruptSource = {
    hasInterrupt: () => isIrqPending,
    acknowledge: () => {
      isIrqPending = false;
      return 8;
    },
  };
  const ticks: number[] = [];
  const debugcon: number[] = [];
  let hv: Hypervisor | null = null;
  const io: PortIo = {
    in8: () => 0xff,
    in16: () => 0xffff,
    in32: () => 0xffffffff,
    out8: (port, value) => {
      if (port === 0x80) ticks.push(clock.now());
      if (port === 0xe9) debugcon.push(value);
    },
    out16: (port) => {
      if (port === 0x604) hv!.requestPowerOff();
    },
    out32: () => undefined,
  };
  const cpu = new Cpu({ memory, io, interrupts: pic, clock });
  cpu.loadSegmentReal(SegReg.CS, 0);
  cpu.eip = LOAD;
  clock.attach(cpu);
  const pit = scheduler.createTimer((now) => {
    isIrqPending = true;
    pit.arm(now + MS);
  });
  pit.arm(MS);
  hv = new Hypervisor({ cpu, clock, scheduler, onShutdown: () => "stop" });
  const end = await hv.start();
  return { end, ticks, debugcon, halts: hv.stats.exits[2]! };
}

describe("Hypervisor with the real Cpu", () => {
  it("deterministic: ticks land at exact guest times, identically on two runs", async () => {
    const first = await boot("deterministic");
    expect(first.end).toEqual({ reason: "poweroff" });
    expect(first.debugcon).toEqual([5]);
    // Each tick wakes the halted CPU exactly at k ms; the ISR's OUT is its third instruction,
    // so it runs after two retired instructions (20 ns at 10 ns each). See timer-hlt.asm.
    expect(first.ticks).toEqual([1, 2, 3, 4, 5].map((k) => k * MS + 20));
    // Five waits for a tick, then the HLT after the power-off write (the slice ends there).
    expect(first.halts).toBe(6);
    expect(await boot("deterministic")).toEqual(first);
  });

  it("realtime: the CPU sleeps between 1 ms ticks and powers off after five", async () => {
    const out = await boot("realtime");
    expect(out.end).toEqual({ reason: "poweroff" });
    expect(out.debugcon).toEqual([5]);
    expect(out.ticks).toHaveLength(5);
    for (let k = 0; k < 5; k++) expect(out.ticks[k]).toBeGreaterThanOrEqual((k + 1) * MS);
    // One HLT exit per tick (plus at most one early wake each): no spinning.
    expect(out.halts).toBeLessThanOrEqual(10);
  });
});
