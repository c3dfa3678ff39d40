// The hypervisor hands the engine each slice's budget as a small integer. The budget is a whole
// count, but computed from a retired count past 2^31 (a double) it is a boxed double, and a
// double reaching the engine's budget fields changes their layout (a V8 hidden-class change that
// deoptimizes the engine's dispatcher mid-boot). %IsSmi tells.
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { EventScheduler, Hypervisor, VirtualClock } from "../src/index";
import { FakeGuest } from "./fakes";

setFlagsFromString("--allow-natives-syntax");
const isSmi = new Function("x", "return %IsSmi(x)") as (x: unknown) => boolean;
const prepare = new Function("f", "%PrepareFunctionForOptimization(f)") as (f: unknown) => void;
const optimizeNext = new Function("f", "%OptimizeFunctionOnNextCall(f)") as (f: unknown) => void;

describe("Hypervisor slice budgets", () => {
  it("are small integers when the next deadline sets them, past 2^32 retired instructions", () => {
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    const guest = new FakeGuest(1e9, () => {});
    guest.instructionCount = 2 ** 32 + 12_345; // a long-running guest: the count is a double
    clock.attach(guest);
    const budgets: unknown[] = [];
    const run = guest.run.bind(guest);
    guest.run = (budget: number) => (budgets.push(budget), run(budget));
    // A timer every 7 us of guest time: each slice ends at a deadline, 700 instructions away.
    const tick = scheduler.createTimer((now) => tick.arm(now + 7000));
    tick.arm(7000);
    const hv = new Hypervisor({ cpu: guest, clock, scheduler, maxSliceInstructions: 100_000 });
    const slice = Hypervisor.prototype.runSlice;
    prepare(slice);
    for (let k = 0; k < 3; k++) hv.runSlice();
    optimizeNext(slice);
    for (let k = 0; k < 20; k++) hv.runSlice();
    expect(budgets.length).toBe(23);
    expect(budgets.every((b) => b === 700)).toBe(true);
    expect(budgets.filter((b) => !isSmi(b))).toEqual([]);
  });
});
