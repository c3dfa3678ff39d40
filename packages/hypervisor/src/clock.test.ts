import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock";

describe("VirtualClock", () => {
  it("deterministic: time is instructions times the rate plus skipped idle time", () => {
    const counter = { instructionCount: 1000 };
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 3 });
    clock.attach(counter); // counts from here
    expect(clock.now()).toBe(0);
    counter.instructionCount += 10;
    expect(clock.now()).toBe(30);
    // 100 ns needs ceil(100 / 3) = 34 instructions in total: 24 more (33 would give 99 ns).
    expect(clock.instructionsUntil(100)).toBe(24);
    counter.instructionCount += 24;
    expect(clock.now()).toBe(102);
    expect(clock.instructionsUntil(100)).toBe(0);
    clock.advanceTo(5000);
    expect(clock.now()).toBe(5000);
    clock.advanceTo(10); // never backwards
    expect(clock.now()).toBe(5000);
    counter.instructionCount += 1;
    expect(clock.now()).toBe(5003);
  });

  it("realtime: starts paused at 0 by default until resumed (the hypervisor resumes it)", () => {
    let hostMs = 100;
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => hostMs });
    hostMs += 250; // building the board
    expect(clock.now()).toBe(0);
    clock.resume();
    hostMs += 1;
    expect(clock.now()).toBe(1_000_000);
  });

  it("deterministic: TSC at 2 GHz is twice the nanoseconds", () => {
    const counter = { instructionCount: 0 };
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10, tscHz: 2e9 });
    clock.attach(counter);
    counter.instructionCount = 123;
    expect(clock.tsc()).toBe(2460);
  });

  it("realtime: follows the host clock and stands still while paused", () => {
    let hostMs = 500;
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => hostMs, isRunning: true });
    expect(clock.now()).toBe(0);
    hostMs += 2.5;
    expect(clock.now()).toBe(2_500_000);
    clock.pause();
    hostMs += 100;
    expect(clock.now()).toBe(2_500_000);
    clock.resume();
    hostMs += 1;
    expect(clock.now()).toBe(3_500_000);
    clock.advanceTo(1e12); // realtime ignores jumps
    expect(clock.now()).toBe(3_500_000);
  });
});
