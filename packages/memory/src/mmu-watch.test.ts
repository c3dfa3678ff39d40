// The data-access watch behind the CPU's debug-register data breakpoints (SDM vol. 3, 17.2.5:
// breakpoints compare linear addresses; fetches are not data accesses): only watched linear
// pages reach the hook, after any TLB state, and the watch survives TLB flushes.
import { describe, expect, it } from "vitest";
import { Mmu } from "./mmu";
import { PhysicalSpace } from "./physical-space";
import { PageTableBuilder } from "./testing/page-tables";

const PG = 1 << 31;
const P = 1;
const RW = 2;

function setup() {
  const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
  const mmu = new Mmu(mem);
  const seen: string[] = [];
  const hook = (linear: number, width: number, isWrite: boolean) =>
    seen.push(`${isWrite ? "w" : "r"}${width}@${linear.toString(16)}`);
  return { mem, mmu, seen, hook };
}

describe("Mmu.setDataWatch", () => {
  it("reports reads and writes of watched pages only, fetches never, values unchanged", () => {
    const { mem, mmu, seen, hook } = setup();
    mem.write32(0x5000, 0x11223344);
    expect(mmu.read32(0x5000)).toBe(0x11223344); // fills the TLB entry before the watch
    mmu.setDataWatch([5], hook);
    expect(mmu.read32(0x5000)).toBe(0x11223344);
    mmu.write16(0x5ffe, 0xbeef);
    expect(mmu.read8(0x6000)).toBe(0); // another page: no report
    expect(mmu.fetch8(0x5000)).toBe(0x44);
    mmu.write8(0x4fff, 1); // crosses nothing, other page
    mmu.write32(0x4ffe, 0x01020304); // crosses into the watched page
    expect(mem.read32(0x5ffc) >>> 16).toBe(0xbeef);
    expect(seen).toEqual(["r4@5000", "w2@5ffe", "w4@4ffe"]);
  });

  it("keeps the watch across TLB flushes and paging changes; an empty watch ends it", () => {
    const { mem, mmu, seen, hook } = setup();
    const tables = new PageTableBuilder(mem, "32bit", 0x10_0000);
    tables.map(0x40_0000, 0x5000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.setDataWatch([0x400], hook);
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: 0, efer: 0 });
    mmu.write8(0x40_0010, 7);
    mmu.flushTlb(true);
    expect(mmu.read8(0x40_0010)).toBe(7);
    expect(seen).toEqual(["w1@400010", "r1@400010"]);
    mmu.setDataWatch([], null);
    mmu.read8(0x40_0010);
    expect(seen.length).toBe(2);
  });
});
