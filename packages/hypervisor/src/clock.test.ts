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

  it("instructionNs: the whole ns per instruction only when time counts instructions", () => {
    const counter = { instructionCount: 7 };
    const det = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    expect(det.instructionNs).toBe(0); // no counter yet: time stands still
    det.attach(counter);
    expect(det.instructionNs).toBe(10);
    // The contract translated code relies on: each retired instruction adds exactly that.
    const t0 = det.now();
    counter.instructionCount += 12345;
    expect(det.now() - t0).toBe(12345 * det.instructionNs);
    const frac = new VirtualClock({ mode: "deterministic", nsPerInstruction: 2.5 });
    frac.attach(counter);
    expect(frac.instructionNs).toBe(0);
    const real = new VirtualClock({ mode: "realtime", hostNow: () => 0 });
    real.attach(counter);
    expect(real.instructionNs).toBe(0);
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

describe("VirtualClock, deterministic mode derives only from instruction counts", () => {
  it("never reads the host clock, and equal counts give equal times whatever the host does", () => {
    const hostNow = (): number => {
      throw new Error("deterministic time read the host clock");
    };
    const counter = { instructionCount: 0 };
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10, hostNow });
    clock.attach(counter);
    clock.resume(); // what the hypervisor does on its first slice
    // Oracle by arithmetic: time = instructions * 10 ns (+ idle jumps), TSC at 1 GHz = ns.
    const samples: number[] = [];
    for (const count of [0, 1, 7, 1_000_000, 2 ** 40]) {
      counter.instructionCount = count;
      samples.push(clock.now(), clock.tsc());
    }
    expect(samples).toEqual([0, 0, 10, 10, 70, 70, 1e7, 1e7, 2 ** 40 * 10, 2 ** 40 * 10]);
    clock.pause();
    counter.instructionCount += 5; // pause does not freeze instruction time
    expect(clock.now()).toBe(2 ** 40 * 10 + 50);
    clock.resume();
    expect(clock.instructionsUntil(clock.now() + 1000)).toBe(100);
  });

  it("two clocks fed the same counts agree exactly while the host clock moves differently", () => {
    let hostA = 0;
    let hostB = 1e9;
    const a = { instructionCount: 0 };
    const b = { instructionCount: 0 };
    const clockA = new VirtualClock({ mode: "deterministic", hostNow: () => hostA });
    const clockB = new VirtualClock({ mode: "deterministic", hostNow: () => hostB });
    clockA.attach(a);
    clockB.attach(b);
    const seen: [number, number][] = [];
    for (let step = 1; step <= 50; step++) {
      a.instructionCount += step * 3;
      b.instructionCount += step * 3;
      hostA += 0.001;
      hostB += 123.4 * step;
      if (step % 10 === 0) {
        clockA.advanceTo(clockA.now() + 5_000);
        clockB.advanceTo(clockB.now() + 5_000);
      }
      seen.push([clockA.now(), clockB.now()]);
    }
    for (const [x, y] of seen) expect(x).toBe(y);
    // 3 * (1 + ... + 50) = 3825 instructions at 10 ns, plus five 5 us jumps.
    expect(seen.at(-1)![0]).toBe(3825 * 10 + 5 * 5_000);
  });
});
