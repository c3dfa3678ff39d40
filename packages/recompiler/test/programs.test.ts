// Whole guest programs (nasm-built, committed with their sources) in lock-step with the
// interpreter, self-modifying code and precise faults inside blocks.
import { readFileSync } from "node:fs";
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { CODE_AT, HANDLERS_AT, HOLE, makeMachine, snapshot } from "./support/machine";

const RESULT = 0x48000;

function lockstep(code: Uint8Array, threshold = 1) {
  const a = makeMachine(code, false);
  const b = makeMachine(code, true, threshold);
  const engine = b.engine!;
  for (let step = 0; step < 200_000; step++) {
    const used = engine.step(5000);
    if (used < 0) {
      let stop: number = StopReason.Budget;
      while (stop === StopReason.Budget) stop = a.cpu.run(5000);
      break;
    }
    a.cpu.run(used);
    const sa = snapshot(a.cpu);
    const sb = snapshot(b.cpu);
    if (JSON.stringify(sa) !== JSON.stringify(sb)) expect({ step, ...sb }).toEqual({ step, ...sa });
    if (b.cpu.state.halted) break;
  }
  expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
  expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
  return { a, b };
}

const u32 = (bytes: Uint8Array, at: number): number =>
  (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

describe("guest programs", () => {
  const workload = new Uint8Array(readFileSync(new URL("guests/workload.bin", import.meta.url)));

  // Lock-step over ~1 M instructions: seconds, more on a loaded machine.
  it.each([1, 8])(
    "workload.asm agrees with the interpreter (hot threshold %i)",
    { timeout: 60_000 },
    (threshold) => {
      const { b } = lockstep(workload, threshold);
      const mem = b.mem.bytes;
      expect(u32(mem, RESULT)).toBe(564); // primes below 4096
      expect(u32(mem, RESULT + 4)).toBe(2584); // fib(18)
      expect(u32(mem, RESULT + 16)).toBe(55); // self-modified ADD immediates 10..1
      const st = b.engine!.stats;
      expect(st.blocksTranslated + st.innerEntries).toBeGreaterThan(10);
      expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
    },
  );

  it("a block that rewrites its own next instruction runs the new bytes", () => {
    // mov ecx,5 / L: mov byte [P],0x40 / P: nop (becomes inc eax) / dec ecx / jnz L / hlt
    const p = CODE_AT + 5 + 7;
    const code = [0xb9, 5, 0, 0, 0, 0xc6, 0x05, p & 0xff, (p >>> 8) & 0xff, p >>> 16, 0, 0x40];
    // nop / dec ecx / jnz L (rel8 = 5 - 16 = -11) / hlt
    code.push(0x90, 0x49, 0x75, 0xf5, 0xf4);
    const { b } = lockstep(Uint8Array.from(code));
    expect(b.cpu.getReg32(0)).toBe(5); // the first pass already executes `inc eax`
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
  });

  it("a fault inside a block leaves the interpreter's state (SDM: #PF pushes the faulting EIP)", () => {
    // mov ebx,1 / add ecx,2 / mov eax,[HOLE+8] / mov edx,3 / hlt
    const code = Uint8Array.from([
      0xbb,
      1,
      0,
      0,
      0,
      0x83,
      0xc1,
      2,
      0xa1,
      ...[HOLE + 8].flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]),
      0xba,
      3,
      0,
      0,
      0,
      0xf4,
    ]);
    const { b } = lockstep(code);
    const s = b.cpu.state;
    expect(s.regs[3]).toBe(1);
    expect(s.regs[1]).toBe(2);
    expect(s.regs[2]).not.toBe(3); // `mov edx, 3` not reached (EDX keeps its reset signature)
    expect(s.cr2 >>> 0).toBe(HOLE + 8);
    // Handler for vector 14 is halted at its HLT; the frame holds error code, EIP, CS, EFLAGS.
    expect(s.eip).toBe(HANDLERS_AT + 16 * 14 + 1);
    const esp = s.regs[4]! >>> 0;
    expect(u32(b.mem.bytes, esp)).toBe(0); // not present, read, supervisor
    expect(u32(b.mem.bytes, esp + 4)).toBe(CODE_AT + 8); // EIP of the faulting MOV
    expect(s.retired).toBe(2 + 1); // two retired in the block, then the handler's HLT
  });
});
