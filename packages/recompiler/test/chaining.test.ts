// Chaining through dynamic exits: a region leaves after RET (inlined) or an indirect JMP/CALL
// (handler) through an exit slot that remembers the last target, and the dispatcher links it.
// Runs with real `run(n)` slices (chaining on, unlike the lock-step tests' one-block steps): a
// function returning to three call sites in turn (so the cache keeps changing) and an indirect
// call and jump, against an independent model of the program and the interpreter's final state.
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { makeMachine, snapshot } from "./support/machine";

/**
 * nasm (bits 32, org 0x10000):
 *   mov ecx, 3000 / xor eax, eax / xor ebx, ebx
 * top: call f / add ebx, eax / call g / add ebx, eax / mov edx, f / call edx / add ebx, eax /
 *   mov edx, next / jmp edx
 * next: dec ecx / jnz top / hlt
 * f: lea eax, [eax + ecx*2 + 1] / ret
 * g: call f / xor eax, 0x55 / ret
 */
const CODE = Uint8Array.from([
  0xb9, 0xb8, 0x0b, 0x00, 0x00, 0x31, 0xc0, 0x31, 0xdb, 0xe8, 0x1d, 0x00, 0x00, 0x00, 0x01, 0xc3,
  0xe8, 0x1b, 0x00, 0x00, 0x00, 0x01, 0xc3, 0xba, 0x2b, 0x00, 0x01, 0x00, 0xff, 0xd2, 0x01, 0xc3,
  0xba, 0x27, 0x00, 0x01, 0x00, 0xff, 0xe2, 0x49, 0x75, 0xdf, 0xf4, 0x8d, 0x44, 0x48, 0x01, 0xc3,
  0xe8, 0xf6, 0xff, 0xff, 0xff, 0x83, 0xf0, 0x55, 0xc3,
]);

/** The program's result, computed from its text above (not by any engine). */
function model(): { eax: number; ebx: number } {
  let eax = 0;
  let ebx = 0;
  const f = (ecx: number): void => {
    eax = (eax + ecx * 2 + 1) | 0;
  };
  for (let ecx = 3000; ecx > 0; ecx--) {
    f(ecx);
    ebx = (ebx + eax) | 0;
    f(ecx);
    eax ^= 0x55;
    ebx = (ebx + eax) | 0;
    f(ecx);
    ebx = (ebx + eax) | 0;
  }
  return { eax, ebx };
}

describe("dynamic exits (RET, indirect JMP/CALL) chain while their target repeats", () => {
  it.each([
    ["fast path", true, 997],
    ["slow path", false, 997],
    ["fast path, 1-instruction slices", true, 1],
    ["fast path, large slices", true, 1 << 20],
  ])("%s: same result as the model and the interpreter", (_name, fast, slice) => {
    const a = makeMachine(CODE, false);
    const b = makeMachine(CODE, true, 2, fast);
    let stop: number = StopReason.Budget;
    while (stop === StopReason.Budget) stop = a.cpu.run(slice);
    stop = StopReason.Budget;
    while (stop === StopReason.Budget) stop = b.engine!.run(slice);
    expect(stop).toBe(StopReason.Halt);
    const want = model();
    expect(b.cpu.state.regs[0]! | 0).toBe(want.eax);
    expect(b.cpu.state.regs[3]! | 0).toBe(want.ebx);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
    if (slice === 1) return; // every block is longer than the budget: all interpreted
    expect(b.engine!.stats.instructionsInBlocks).toBeGreaterThan(50_000);
    // 27,000 block runs; 9,000 chain without dynamic exits (direct CALLs, JNZ), 18,000 with.
    expect(b.engine!.stats.chained).toBeGreaterThan(15_000);
    // The loop's later blocks became hot inside the region of an earlier one: they enter that
    // region function (Block.entry > 0) instead of compiling an overlapping region.
    const entries = [...b.engine!.blocks()].filter((x) => x.compiled && x.entry > 0);
    if (slice === 997) expect(entries.length).toBeGreaterThan(0);
  });
});
