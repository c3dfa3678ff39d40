// The decoded-instruction cache must never run stale code: every way memory under a cached
// instruction can change within one `run` slice (a CPU write through any alias, REP MOVS over
// the code, a device writing RAM from a port access, a CR3 switch remapping the code page) and
// between slices (DMA while the CPU is stopped) is seen by the next fetch, as on a P6, which
// checks stores against the instructions it has fetched (SDM vol. 3, 11.6 "Self-modifying code").
// Each guest runs its loop twice in ONE `run` call, so the second pass hits the cache.
import type { PagingState, PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX, ECX, StopReason } from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

function flat(mem: FlatMemory, io?: PortIo): Cpu {
  return flatCpu(mem, io);
}

describe("decoded-instruction cache invalidation", () => {
  it("a store patching an instruction already executed (same slice)", () => {
    // mov ecx,2 / l: mov eax,1 / mov byte [l+1],2 / dec ecx / jnz l / hlt
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(
      hex("b902000000" + "b801000000" + "c6050610000002" + "49" + "75f1" + "f4"),
      0x1000,
    );
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(2);
    expect(cpu.getReg32(ECX)).toBe(0);
  });

  it("a store through another linear alias of the code (addresses wrap at 1 MiB here)", () => {
    // as above, but the store goes to 0x101006, the same byte as l+1 = 0x1006
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(
      hex("b902000000" + "b801000000" + "c6050610100002" + "49" + "75f1" + "f4"),
      0x1000,
    );
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(2);
  });

  it("REP MOVSB copying a new instruction over the loop's own code", () => {
    // mov ecx,2 / l: mov eax,1 / push ecx / mov esi,0x1100 / mov edi,l / mov ecx,5 / rep movsb
    // pop ecx / dec ecx / jnz l / hlt; at 0x1100: mov eax,3
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(
      hex(
        "b902000000" +
          "b801000000" +
          "51" +
          "be00110000" +
          "bf05100000" +
          "b905000000" +
          "f3a4" +
          "59" +
          "49" +
          "75e5" +
          "f4",
      ),
      0x1000,
    );
    mem.bytes.set(hex("b803000000"), 0x1100);
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(3);
    expect(cpu.getReg32(ECX)).toBe(0);
  });

  it("a device writing the code page (DMA) from an OUT in the same slice", () => {
    // mov ecx,2 / l: mov ebx,1 / mov al,7 / out 0x80,al / dec ecx / jnz l / hlt; the device
    // behind port 0x80 writes AL into RAM at l+1 without the CPU (as a DMA engine does).
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(
      hex("b902000000" + "bb01000000" + "b007" + "e680" + "49" + "75f4" + "f4"),
      0x1000,
    );
    const io = new NullPorts();
    const dma: PortIo = {
      in8: (p) => io.in8(p),
      in16: (p) => io.in16(p),
      in32: (p) => io.in32(p),
      out8: (p, v) => {
        if (p === 0x80) mem.bytes[0x1006] = v;
      },
      out16: (p, v) => io.out16(p, v),
      out32: (p, v) => io.out32(p, v),
    };
    const cpu = flat(mem, dma);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EBX)).toBe(7);
  });

  it("RAM rewritten between two run slices (DMA while the CPU is stopped)", () => {
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(hex("b801000000" + "f4"), 0x1000); // mov eax,1 / hlt
    const cpu = flat(mem);
    expect(cpu.run(1)).toBe(StopReason.Budget);
    expect(cpu.getReg32(EAX)).toBe(1);
    mem.bytes[0x1001] = 5;
    cpu.eip = 0x1000;
    expect(cpu.run(1)).toBe(StopReason.Budget);
    expect(cpu.getReg32(EAX)).toBe(5);
  });

  it("MOV CR3 remapping the page the loop runs from", () => {
    // A memory whose linear-to-physical map is "physical = linear + CR3" (a stand-in for a
    // page-table switch). mov ecx,2 / l: mov ebx,1 / mov eax,0x10000 / mov cr3,eax / dec ecx /
    // jnz l / hlt. The copy at +0x10000 is identical except l: mov ebx,2.
    class Remapped extends FlatMemory {
      private shift(): number {
        return (this.paging as PagingState | null)?.cr3 ?? 0;
      }
      override read8(linear: number): number {
        return super.read8(linear + this.shift());
      }
      override write8(linear: number, value: number): void {
        super.write8(linear + this.shift(), value);
      }
      override fetch8(linear: number): number {
        return super.fetch8(linear + this.shift());
      }
    }
    const mem = new Remapped(1 << 20);
    const program = "b902000000" + "bb01000000" + "b800000100" + "0f22d8" + "49" + "75f0" + "f4";
    mem.bytes.set(hex(program), 0x1000);
    mem.bytes.set(hex(program.replace("bb01000000", "bb02000000")), 0x11000);
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EBX)).toBe(2);
    expect(cpu.getReg32(ECX)).toBe(0);
  });
});
