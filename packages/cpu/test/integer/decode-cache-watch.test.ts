// The decode cache with a code-page write watch (CpuOptions.codeTranslator/codePages, what the
// board wires to its PhysicalSpace): only writes reaching a physical page that holds decoded
// code make it re-check, and every such write is still seen by the next fetch, whichever linear
// alias or agent (CPU store, REP MOVS, DMA from a port access or between slices) made it. The
// expected values are what the program computes without any cache (SDM vol. 3, 11.6).
import type { PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX, ECX, StopReason } from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

/** FlatMemory with PhysicalSpace-style watches: physical = linear modulo the size. */
class WatchedMemory extends FlatMemory {
  private readonly watched = new Uint8Array(this.bytes.length >>> 12);
  private readonly listeners: ((page: number) => void)[] = [];
  fetches = 0;

  override write8(linear: number, value: number): void {
    super.write8(linear, value);
    this.noteWrite(this.translate(linear, 1));
  }
  override fetch8(linear: number): number {
    this.fetches++;
    return super.fetch8(linear);
  }
  /** A device writing RAM without the CPU. */
  dmaWrite(physical: number, value: number): void {
    this.bytes[physical] = value;
    this.noteWrite(physical);
  }
  translate(linear: number, _kind: number): number {
    return linear & (this.bytes.length - 1);
  }
  watchPage(page: number): void {
    this.watched[page] = 1;
  }
  isWatched(page: number): boolean {
    return this.watched[page] === 1;
  }
  onCodeWrite(listener: (page: number) => void): void {
    this.listeners.push(listener);
  }
  private noteWrite(physical: number): void {
    const page = physical >>> 12;
    if (this.watched[page] !== 1) return;
    this.watched[page] = 0;
    for (const l of this.listeners) l(page);
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
