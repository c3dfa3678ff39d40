// CpuOptions.registers: the general registers live in a caller's array (a view of the
// WebAssembly memory generated code shares), at any byte offset, and the 8/16-bit forms
// address the same bytes (little-endian: AL at byte 0 of EAX, AH at byte 1).
import { describe, expect, it } from "vitest";
import { EAX, EBX, ECX, EDX } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

describe("CpuOptions.registers", () => {
  it("keeps EAX..EDI in the given array; byte and word writes land in its bytes only", () => {
    const shared = new ArrayBuffer(256);
    const bytes = new Uint8Array(shared);
    bytes.fill(0xaa);
    const registers = new Int32Array(shared, 64, 8);
    registers.fill(0);
    const mem = new FlatMemory(1 << 16);
    // xor edx, edx ; mov eax, 0x11223344 ; mov ah, 0x99 ; mov cx, 0xbeef ; mov bl, 0x5a ; add edx, eax ; hlt
    mem.bytes.set(
      hex("31d2" + "b844332211" + "b499" + "66b9efbe" + "b35a" + "01c2" + "f4"),
      0x1000,
    );
    const cpu = flatCpu(mem, undefined, { registers });
    expect(cpu.state.regs).toBe(registers);
    cpu.run(7);
    // Values per the SDM's MOV/ADD semantics: AH is bits 15:8 of EAX, CX bits 15:0 of ECX.
    expect(cpu.getReg32(EAX) >>> 0).toBe(0x1122_9944);
    expect(cpu.getReg32(ECX) >>> 0).toBe(0x0000_beef);
    expect(cpu.getReg32(EBX) >>> 0).toBe(0x0000_005a);
    expect(cpu.getReg32(EDX) >>> 0).toBe(0x1122_9944);
    expect([...bytes.subarray(64, 68)]).toEqual([0x44, 0x99, 0x22, 0x11]);
    expect([...bytes.subarray(64 + 4, 64 + 8)]).toEqual([0xef, 0xbe, 0, 0]);
    // Nothing outside the 32 register bytes was touched.
    expect(bytes.subarray(0, 64).every((b) => b === 0xaa)).toBe(true);
    expect(bytes.subarray(96).every((b) => b === 0xaa)).toBe(true);
  });

  it("refuses an array that is not 8 registers long", () => {
    const mem = new FlatMemory(1 << 16);
    expect(() => flatCpu(mem, undefined, { registers: new Int32Array(4) })).toThrow(RangeError);
  });
});
