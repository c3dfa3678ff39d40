// RAM, the TLB and its masks in one WebAssembly.Memory (createWasmGuestMemory): what the MMU
// and PhysicalSpace do must land at the layout's offsets, where generated WebAssembly reads it.
import { describe, expect, it } from "vitest";
import { Mmu } from "./mmu";
import { PhysicalSpace } from "./physical-space";
import { PageTableBuilder } from "./testing/page-tables";
import { createWasmGuestMemory } from "./wasm-memory";

const PG = 1 << 31;
const P = 1;
const RW = 2;

describe("createWasmGuestMemory", () => {
  it("lays out RAM at 0, then the 4 MiB TLB, then masks, registers and scratch, in one fixed-size memory", () => {
    const m = createWasmGuestMemory(0x100_0000);
    const size = m.memory.buffer.byteLength;
    expect(m.tlbOffset).toBe(0x100_0000);
    expect(m.masksOffset).toBe(0x100_0000 + 0x40_0000);
    expect(m.registersOffset).toBeGreaterThanOrEqual(m.masksOffset + 8);
    expect(m.scratchOffset).toBeGreaterThanOrEqual(m.registersOffset + 32);
    // XMM0-7 (128 bytes) after the registers, before the chunk bits and the scratch.
    expect(m.xmmOffset).toBeGreaterThanOrEqual(m.registersOffset + 32);
    expect(m.xmmOffset + 128).toBeLessThanOrEqual(m.chunksOffset);
    expect(m.scratchOffset + m.scratchSize).toBeLessThanOrEqual(size);
    expect(size % 0x1_0000).toBe(0);
    // A fixed maximum: the memory cannot grow (growing would detach every view).
    const grow = (m.memory as unknown as { grow(pages: number): number }).grow.bind(m.memory);
    expect(() => grow(1)).toThrow(RangeError);
  });

  it("rejects a RAM size PhysicalSpace would reject, and a memory made for another size", () => {
    expect(() => createWasmGuestMemory(0x10_0001)).toThrow(RangeError);
    expect(() => createWasmGuestMemory(0x8_0000)).toThrow(/ramSize/);
    const m = createWasmGuestMemory(0x20_0000);
    expect(() => new PhysicalSpace({ ramSize: 0x40_0000, wasm: m })).toThrow(/differs/);
  });

  it("PhysicalSpace keeps RAM at byte 0 of the memory; the Mmu's TLB entries and masks are where the layout says", () => {
    const layout = createWasmGuestMemory(0x100_0000);
    const mem = new PhysicalSpace({ ramSize: 0x100_0000, wasm: layout });
    const mmu = new Mmu(mem);
    const bytes = new Uint8Array(layout.memory.buffer);
    const words = new Int32Array(layout.memory.buffer);
    mem.write32(0x50_0010, 0x1234_5678);
    expect(bytes[0x50_0010]).toBe(0x78);
    expect(bytes[0x50_0013]).toBe(0x12);

    const tables = new PageTableBuilder(mem, "32bit", 0x10_0000);
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: 0, efer: 0 });
    expect(mmu.read32(0x40_0010)).toBe(0x1234_5678);
    // The entry for linear page 0x400 maps physical page 0x500 (bits 31:12) and is a fast-path
    // hit under the read mask, read straight from the memory as generated code would.
    const entry = words[(layout.tlbOffset >>> 2) + 0x400]!;
    expect(entry >>> 12).toBe(0x500);
    const readMask = words[layout.masksOffset >>> 2]!;
    expect(entry & readMask).toBe(1);
    const view = mmu.fastPath();
    expect(view.wasm).toBe(layout);
    expect(view.tlb.byteOffset).toBe(layout.tlbOffset);
    expect(view.masks.byteOffset).toBe(layout.masksOffset);
    expect(view.u8.buffer).toBe(layout.memory.buffer);

    mmu.invalidatePage(0x40_0000);
    expect(words[(layout.tlbOffset >>> 2) + 0x400]).toBe(0);
  });

  it("without the option each part keeps its own buffer and fastPath has no wasm", () => {
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const view = new Mmu(mem).fastPath();
    expect(view.wasm).toBeUndefined();
    expect(view.tlb.buffer).not.toBe(view.u8.buffer);
  });
});
