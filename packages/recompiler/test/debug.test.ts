// Debug-register breakpoints under the recompiler: while any is armed the recompiler hands all
// code to the interpreter, so an instruction breakpoint inside an already-translated hot loop
// still faults before its instruction (SDM vol. 3, 17.3.1.1), exactly as the interpreter does.
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { CODE_AT, HANDLERS_AT, makeMachine, snapshot } from "./support/machine";

// A 200-pass loop that arms DR0 (L0, execute) on its own `add edi, 2` when ECX reaches 100.
function program(): Uint8Array {
  const target = CODE_AT + 0x21;
  const t = [target & 0xff, (target >>> 8) & 0xff, (target >>> 16) & 0xff, target >>> 24];
  const bytes = [
    0xb9,
    0xc8,
    0x00,
    0x00,
    0x00, // 00 mov ecx, 200
    0x40, // 05 body: inc eax
    0x83,
    0xf9,
    0x64, // 06 cmp ecx, 100
    0x75,
    0x10, // 09 jne +16 -> 1B
    0xbb,
    ...t, // 0B mov ebx, target
    0x0f,
    0x23,
    0xc3, // 10 mov dr0, ebx
    0xbb,
    0x01,
    0x00,
    0x00,
    0x00, // 13 mov ebx, 1 (L0)
    0x0f,
    0x23,
    0xfb, // 18 mov dr7, ebx
    0x83,
    0xc2,
    0x03, // 1B add edx, 3
    0x83,
    0xc6,
    0x01, // 1E add esi, 1
    0x83,
    0xc7,
    0x02, // 21 target: add edi, 2
    0xe2,
    0xdf, // 24 loop body (05)
    0xf4, // 26 hlt
  ];
  return Uint8Array.from(bytes);
}

describe("debug registers under the recompiler", () => {
  it("an instruction breakpoint armed in a hot translated loop faults there, as in the interpreter", () => {
    const code = program();
    const a = makeMachine(code, false);
    const b = makeMachine(code, true, 1);
    expect(a.cpu.run(10_000)).toBe(StopReason.Halt);
    expect(b.engine!.run(10_000)).toBe(StopReason.Halt);
    // Both stopped in the #DB handler (vector 1), the fault reported at the target with ECX=100.
    expect(a.cpu.eip).toBe(HANDLERS_AT + 16 + 1);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    const esp = a.cpu.getReg32(4);
    expect(a.mem.read32(esp) >>> 0).toBe(CODE_AT + 0x21);
    expect(b.mem.read32(esp) >>> 0).toBe(CODE_AT + 0x21);
    expect(a.cpu.getReg32(1)).toBe(100);
    expect(b.engine!.stats.blocksTranslated).toBeGreaterThan(0);
    expect(b.engine!.stats.interpreted.debug).toBeGreaterThan(0);
  });
});
