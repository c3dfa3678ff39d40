// Runs the README's example (keep the two in step).
import { Cpu, SegReg } from "@ringvm/cpu";
import { FlatMemory, NullPorts } from "@ringvm/cpu/testing";
import { describe, expect, it } from "vitest";
import { EventScheduler, formatStats, Hypervisor, VirtualClock } from "../src/index";

describe("README example", () => {
  it("powers off at 5 ms of guest time after jumping over the halt", async () => {
    const memory = new FlatMemory(1 << 20);
    memory.bytes.set([0xf4, 0xeb, 0xfd], 0x1000); // 0000:1000  hlt; jmp short 0x1000
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    const cpu = new Cpu({ memory, io: new NullPorts(), clock });
    cpu.loadSegmentReal(SegReg.CS, 0);
    cpu.eip = 0x1000;
    clock.attach(cpu);

    const hv = new Hypervisor({ cpu, clock, scheduler });
    scheduler.schedule(5_000_000, () => hv.requestPowerOff());
    const end = await hv.start();
    expect(end.reason).toBe("poweroff");
    expect(clock.now()).toBe(5_000_000);
    expect(cpu.instructionCount).toBe(1); // the one HLT
    const table = formatStats(hv.snapshotStats(), { guestNs: clock.now() });
    expect(table).toMatch(/hlt\s+1\s+100\.0%/);
    expect(table).toContain("guest time 0.005 s (0.005 s skipped while idle)");
  });
});
