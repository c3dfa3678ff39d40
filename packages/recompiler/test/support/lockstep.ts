// Lock-step comparison for the differential tests: the same guest code under the interpreter
// (the oracle) and under the recompiler, full architectural state compared after every
// dispatch, memory at the end.
import { StopReason } from "@ringvm/cpu";
import { expect } from "vitest";
import { makeMachine, snapshot, type Machine, type TestBackend } from "./machine";

export interface LockstepOptions {
  maxSteps?: number;
  threshold?: number;
  fastMemory?: boolean;
  backend?: TestBackend;
  /** Runs on both machines before the first step (segment caches, memory contents). */
  setup?: (m: Machine) => void;
}

/** Runs both engines on `code`; returns the dispatches compared and the recompiler's machine. */
export function lockstep(
  code: Uint8Array,
  {
    maxSteps = 20_000,
    threshold = 1,
    fastMemory = true,
    backend = "js",
    setup,
  }: LockstepOptions = {},
): { steps: number; b: Machine } {
  const a = makeMachine(code, false);
  const b = makeMachine(code, true, threshold, fastMemory, backend);
  setup?.(a);
  setup?.(b);
  const engine = b.engine!;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const used = engine.step(5000);
    if (used < 0) {
      // B stopped early (HLT or shutdown): run A to the same stop.
      let stop: number = StopReason.Budget;
      for (let k = 0; k < 100 && stop === StopReason.Budget; k++) stop = a.cpu.run(5000);
      expect(stop).toBe(engine.lastStop);
      expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
      break;
    }
    const stop = a.cpu.run(used);
    // HLT ends a block; the interpreter reports it as Halt within the same budget.
    expect(stop === StopReason.Budget || (stop === StopReason.Halt && b.cpu.state.halted)).toBe(
      true,
    );
    const sa = snapshot(a.cpu);
    const sb = snapshot(b.cpu);
    if (JSON.stringify(sa) !== JSON.stringify(sb)) {
      expect({ step: steps, ...sb }).toEqual({ step: steps, ...sa });
    }
  }
  expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
  return { steps, b };
}

/** Bytes from hex text (whitespace ignored). */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(
    s
      .replace(/\s+/g, "")
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );
}
