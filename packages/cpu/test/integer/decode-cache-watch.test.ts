// The decode cache with a code-page write watch (CpuOptions.codeTranslator/codePages, what the
// board wires to its PhysicalSpace): only writes reaching a physical page that holds decoded
// code make it re-check, and every such write is still seen by the next fetch, whichever linear
// alias or agent (CPU store, REP MOVS, DMA from a port access or between slices) made it. The
// expected values are what the program computes without any cache (SDM vol. 3, 11.6).
import type { PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX, ECX, StopReason } from "../../src/index";
import { NullPorts } from "../../src/testing/index";
import { flatCpu, hex, WatchedFlatMemory } from "./flat-cpu";

/** The shared watched memory, counting fetches, with a DMA-style write. */
class WatchedMemory extends WatchedFlatMemory {
  fetches = 0;

  override fetch8(linear: number): number {
    this.fetches++;
    return super.fetch8(linear);
  }
  /** A device writing RAM without the CPU. */
  dmaWrite(physical: number, value: number): void {
    this.bytes[physical] = value;
    this.noteWrite(physical);
  }
}

function flat(mem: WatchedMemory, io?: PortIo): Cpu {
  return flatCpu(mem, io, { codeTranslator: mem, codePages: mem });
}

describe("decoded-instruction cache with a code-page watch", () => {
  it("a store patching an instruction already executed (same slice)", () => {
    // mov ecx,2 / l: mov eax,1 / mov byte [l+1],2 / dec ecx / jnz l / hlt
    const mem = new WatchedMemory(1 << 20);
    mem.bytes.set(
      hex("b902000000" + "b801000000" + "c6050610000002" + "49" + "75f1" + "f4"),
      0x1000,
    );
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(2);
    expect(cpu.getReg32(ECX)).toBe(0);
  });

  it("a flag stored beside the code keeps the page watched and the blocks valid", () => {
    // The loop writes 0x1100 (the code's page, no code there) 300 times, then the program
    // patches its own `mov eax,1` into `mov eax,2`, which must still be seen:
    // mov ecx,300 / l: mov [0x1100],cl / dec ecx / jnz l / mov byte [m+1],2 / m: mov eax,1 / hlt
    const mem = new WatchedMemory(1 << 20);
    mem.bytes.set(
      hex("b92c010000" + "880d00110000" + "49" + "75f7" + "c6051610000002" + "b801000000" + "f4"),
      0x1000,
    );
    const cpu = flat(mem);
    expect(cpu.run(10_000)).toBe(StopReason.Halt);
    expect(mem.bytes[0x1100]).toBe(1);
    expect(mem.keptWatches).toBeGreaterThanOrEqual(299);
    expect(cpu.getReg32(EAX)).toBe(2); // the patch into decoded code is still seen
  });

  it("a store through another linear alias of the code page", () => {
    const mem = new WatchedMemory(1 << 20);
    mem.bytes.set(
      hex("b902000000" + "b801000000" + "c6050610100002" + "49" + "75f1" + "f4"),
      0x1000,
    );
    const cpu = flat(mem);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(2);
  });

  it("REP MOVSB copying a new instruction over the loop's own code", () => {
    const mem = new WatchedMemory(1 << 20);
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
  });

  it("DMA into the code page from an OUT in the same slice", () => {
    // mov ecx,2 / l: mov ebx,1 / mov al,7 / out 0x80,al / dec ecx / jnz l / hlt
    const mem = new WatchedMemory(1 << 20);
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
        if (p === 0x80) mem.dmaWrite(0x1006, v);
      },
      out16: (p, v) => io.out16(p, v),
      out32: (p, v) => io.out32(p, v),
    };
    const cpu = flat(mem, dma);
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EBX)).toBe(7);
  });

  it("DMA between two run slices", () => {
    const mem = new WatchedMemory(1 << 20);
    mem.bytes.set(hex("b801000000" + "f4"), 0x1000); // mov eax,1 / hlt
    const cpu = flat(mem);
    expect(cpu.run(1)).toBe(StopReason.Budget);
    expect(cpu.getReg32(EAX)).toBe(1);
    mem.dmaWrite(0x1001, 5);
    cpu.eip = 0x1000;
    expect(cpu.run(1)).toBe(StopReason.Budget);
    expect(cpu.getReg32(EAX)).toBe(5);
  });

  it("stores to a data page do not make cached code be fetched again", () => {
    // mov ecx,1000 / l: mov [0x3000],ecx / dec ecx / jnz l / hlt (four instructions, 3000
    // executions): with the watch, only the first pass fetches the bytes.
    const mem = new WatchedMemory(1 << 20);
    mem.bytes.set(hex("b9e8030000" + "890d00300000" + "49" + "75f7" + "f4"), 0x1000);
    const cpu = flat(mem);
    expect(cpu.run(10_000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(ECX)).toBe(0);
    expect(mem.bytes[0x3000]).toBe(1);
    // Each of the five instructions is fetched for its decode and once more to record its
    // bytes: nothing proportional to the 1000 stores.
    expect(mem.fetches).toBeLessThan(100);
    expect(cpu.getReg32(EBX)).toBe(0);
    expect(cpu.getReg32(EAX)).toBe(0);
  });
});
