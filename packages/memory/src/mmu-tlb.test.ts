// TLB maintenance (SDM vol. 3A 4.10.2.4 global pages, 4.10.4.1 operations that invalidate),
// page-crossing accesses, the A20 gate, and the MMU's view of ROM, MMIO and write-watch.
import type { MmioHandler, Width } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { Mmu } from "./mmu";
import { PhysicalSpace } from "./physical-space";
import { PageTableBuilder } from "./testing/page-tables";

const PG = 1 << 31;
const WP = 1 << 16;
const PSE = 1 << 4;
const PGE = 1 << 7;
const P = 1;
const RW = 2;
const US = 4;
const G = 0x100;

function paged(ramSize = 0x100_0000) {
  const mem = new PhysicalSpace({ ramSize });
  const mmu = new Mmu(mem);
  const tables = new PageTableBuilder(mem, "32bit", 0x10_0000);
  const faults: { linear: number; code: number }[] = [];
  mmu.setFaultSink((linear, code) => {
    faults.push({ linear, code });
    throw new Error("#PF");
  });
  const on = (cr4 = PGE | PSE, cr0 = WP) =>
    mmu.setPaging({ cr0: PG | 1 | cr0, cr3: tables.cr3, cr4, efer: 0 });
  return { mem, mmu, tables, faults, on };
}

describe("TLB maintenance (SDM 4.10)", () => {
  it("a cached translation is used until INVLPG, and INVLPG drops only that page", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x50_0000, 0x11);
    mem.write8(0x60_0000, 0x22);
    mem.write8(0x51_0000, 0x33);
    on();
    expect(mmu.read8(0x40_0000)).toBe(0x11);
    expect(mmu.read8(0x40_1000)).toBe(0x33);
    tables.map(0x40_0000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW });
    expect(mmu.read8(0x40_0000)).toBe(0x11); // stale until invalidated (4.10.4.2)
    const misses = mmu.stats.misses;
    mmu.invalidatePage(0x40_0abc);
    expect(mmu.read8(0x40_0000)).toBe(0x22);
    expect(mmu.read8(0x40_1000)).toBe(0x33);
    expect(mmu.stats.misses - misses).toBe(1);
    expect(mmu.stats.pageFlushes).toBe(1);
  });

  it("global pages survive MOV CR3; a CR4.PGE change flushes them (4.10.2.4, 4.10.4.1)", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x50_0000, 1);
    mem.write8(0x51_0000, 2);
    on();
    mmu.read8(0x40_0000);
    mmu.read8(0x40_1000);
    tables.map(0x40_0000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    tables.map(0x40_1000, 0x61_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on(); // MOV CR3, same value
    expect(mmu.read8(0x40_0000)).toBe(1); // global: still the old translation
    expect(mmu.read8(0x40_1000)).toBe(0); // non-global: re-walked (0x61_0000 is zero)
    on(PSE); // clear PGE
    expect(mmu.read8(0x40_0000)).toBe(0);
  });

  it("a page refilled with the other G value is flushed by MOV CR3 by its new kind", () => {
    const { mem, mmu, tables, on } = paged();
    mem.write8(0x50_0000, 1);
    mem.write8(0x60_0000, 2);
    // Global, then (same page, the guest cleared G) a write walks again and refills it in place:
    // not global any more, so MOV CR3 must drop it.
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    on();
    expect(mmu.read8(0x40_0000)).toBe(1);
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.write8(0x40_0001, 9);
    tables.map(0x40_0000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    expect(mmu.read8(0x40_0000)).toBe(2);
    // Not global, then refilled in place as global: it survives MOV CR3 like any global page.
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x51_0000, 3);
    expect(mmu.read8(0x40_1000)).toBe(3);
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    mmu.write8(0x40_1001, 9);
    tables.map(0x40_1000, 0x61_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    on();
    expect(mmu.read8(0x40_1000)).toBe(3);
    // After INVLPG a global page refilled as not global goes by its new kind too.
    tables.map(0x40_2000, 0x52_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    mem.write8(0x52_0000, 4);
    mem.write8(0x62_0000, 5);
    expect(mmu.read8(0x40_2000)).toBe(4);
    tables.map(0x40_2000, 0x52_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.invalidatePage(0x40_2000);
    expect(mmu.read8(0x40_2000)).toBe(4);
    tables.map(0x40_2000, 0x62_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    expect(mmu.read8(0x40_2000)).toBe(5);
  });

  it("G is ignored without CR4.PGE", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    mem.write8(0x50_0000, 1);
    on(PSE);
    mmu.read8(0x40_0000);
    tables.map(0x40_0000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW | G });
    on(PSE);
    expect(mmu.read8(0x40_0000)).toBe(0);
  });

  it("INVLPG anywhere in a 4 MiB page drops every cached 4 KiB piece of it", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x80_0000, 0x40_0000, { dirFlags: P | RW, leafFlags: P | RW, size: 0x40_0000 });
    mem.write8(0x40_0000 + 0x30_0000, 7);
    on();
    expect(mmu.read8(0x80_0000 + 0x30_0000)).toBe(7);
    mmu.read8(0x80_0000);
    tables.map(0x80_0000, 0x80_0000, { dirFlags: P | RW, leafFlags: P | RW, size: 0x40_0000 });
    mmu.invalidatePage(0x80_0000);
    expect(mmu.read8(0x80_0000 + 0x30_0000)).toBe(0);
  });

  it("CR0.WP applies to cached translations without a flush", () => {
    const { mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | 0x40 });
    on(PGE, 0);
    mmu.write8(0x40_0000, 1); // WP=0: supervisor may write a read-only page
    on(PGE, WP);
    expect(() => mmu.write8(0x40_0000, 2)).toThrow("#PF");
    expect(faults).toEqual([{ linear: 0x40_0000, code: 3 }]);
  });

  it("a CPL change applies to cached translations", () => {
    const { mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW | US, leafFlags: P | RW });
    on();
    mmu.read8(0x40_0000);
    mmu.setUserMode(true);
    expect(() => mmu.read8(0x40_0000)).toThrow("#PF");
    expect(faults).toEqual([{ linear: 0x40_0000, code: 5 }]);
  });
});

describe("page-crossing accesses", () => {
  it("a write crossing into a not-present page faults at that page's first byte and writes nothing", () => {
    const { mem, mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    expect(() => mmu.write32(0x40_0ffe, 0x1122_3344)).toThrow("#PF");
    expect(faults).toEqual([{ linear: 0x40_1000, code: 2 }]);
    expect(mem.read16(0x50_0ffe)).toBe(0);
  });
  it("a fault on the first page is reported at the access address", () => {
    const { mmu, tables, faults, on } = paged();
    tables.map(0x40_1000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    expect(() => mmu.read16(0x40_0fff)).toThrow("#PF");
    expect(faults).toEqual([{ linear: 0x40_0fff, code: 0 }]);
  });
  it("reads and writes spanning two pages use both physical frames", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x70_0000, { dirFlags: P | RW, leafFlags: P | RW });
    tables.map(0x40_1000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    mmu.write32(0x40_0ffd, 0x4433_2211);
    expect([
      mem.read8(0x70_0ffd),
      mem.read8(0x70_0ffe),
      mem.read8(0x70_0fff),
      mem.read8(0x50_0000),
    ]).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(mmu.read32(0x40_0ffd)).toBe(0x4433_2211);
    expect(mmu.read16(0x40_0fff)).toBe(0x4433);
  });
  it("with paging off, linear addresses wrap at 4 GiB", () => {
    const mem = new PhysicalSpace({ ramSize: 0x10_0000 });
    const mmu = new Mmu(mem);
    mmu.write16(0xffff_ffff, 0xabcd); // low byte to the BIOS ROM area (unmapped: dropped)
    expect(mem.read8(0)).toBe(0xab);
  });
});

describe("A20 gate", () => {
  it("closed: address bit 20 is forced to 0 (1 MiB wrap-around); open: not", () => {
    const mem = new PhysicalSpace({ ramSize: 0x40_0000 });
    const mmu = new Mmu(mem);
    mem.write8(0x00_0010, 0xaa);
    mem.write8(0x10_0010, 0xbb);
    expect(mmu.getA20()).toBe(true);
    expect(mmu.read8(0x10_0010)).toBe(0xbb);
    mmu.setA20(false);
    expect(mmu.getA20()).toBe(false);
    expect(mmu.read8(0x10_0010)).toBe(0xaa); // FFFF:0020 in real mode reaches 0x00010
    mmu.write8(0x30_0010, 0xcc); // bit 21 kept, bit 20 dropped: 0x20_0010
    expect(mem.read8(0x20_0010)).toBe(0xcc);
    mmu.setA20(true);
    expect(mmu.read8(0x10_0010)).toBe(0xbb);
  });
  it("closed under paging: the walk and the final address are masked", () => {
    const { mem, mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x15_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x15_0000, 1);
    mem.write8(0x05_0000, 2);
    on();
    expect(mmu.read8(0x40_0000)).toBe(1);
    mmu.setA20(false);
    // Page tables at 0x10_0000 are now read at 0x00_0000: zero there, so not present.
    expect(() => mmu.read8(0x40_0000)).toThrow("#PF");
  });
});

describe("MMU over ROM, MMIO and write-watch", () => {
  it("ROM reads through the TLB, writes are dropped; shadow RAM after PAM enables it", () => {
    const mem = new PhysicalSpace({ ramSize: 0x20_0000 });
    const mmu = new Mmu(mem);
    const bios = new Uint8Array(0x2_0000).fill(0xea);
    mem.mapBios(bios);
    expect(mmu.read8(0xf_fff0)).toBe(0xea);
    expect(mmu.read32(0xffff_fff0)).toBe(0xeaea_eaea | 0);
    mmu.write8(0xf_fff0, 0x90);
    expect(mmu.read8(0xf_fff0)).toBe(0xea);
    mem.setPamRegister(0, 0x20); // write RAM, read ROM: copy the BIOS to shadow RAM
    for (let a = 0xf_0000; a < 0x10_0000; a += 4) mmu.write32(a, mmu.read32(a));
    mmu.write8(0xf_fff0, 0x90);
    expect(mmu.read8(0xf_fff0)).toBe(0xea);
    mem.setPamRegister(0, 0x10); // read RAM, writes dropped
    expect(mmu.read8(0xf_fff0)).toBe(0x90);
    expect(mmu.read8(0xf_fff1)).toBe(0xea);
    mmu.write8(0xf_fff1, 0);
    expect(mmu.read8(0xf_fff1)).toBe(0xea);
  });
  it("MMIO pages dispatch through the MMU with the offset and width", () => {
    const { mem, mmu, tables, on } = paged();
    const log: string[] = [];
    const h: MmioHandler = {
      read: (offset: number, width: Width) => (
        log.push(`r${width}@${offset.toString(16)}`),
        0x1234_5678 & (width === 4 ? -1 : (1 << (8 * width)) - 1)
      ),
      write: (offset: number, width: Width, v: number) =>
        void log.push(`w${width}@${offset.toString(16)}=${v.toString(16)}`),
    };
    mem.mapMmio(0xfebf_0000, 0x2000, h, { owner: "dev" });
    tables.map(0x40_0000, 0xfebf_1000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    expect(mmu.read32(0x40_0010)).toBe(0x1234_5678);
    mmu.write16(0x40_0020, 0xbeef);
    expect(mmu.read8(0x40_0030)).toBe(0x78);
    expect(log).toEqual(["r4@1010", "w2@1020=beef", "r1@1030"]);
  });
  it("write-watch fires once on the first write through a cached translation", () => {
    const mem = new PhysicalSpace({ ramSize: 0x20_0000 });
    const mmu = new Mmu(mem);
    const hits: number[] = [];
    mem.onCodeWrite((page) => {
      hits.push(page);
    });
    mmu.write32(0x5000, 1); // page dirty, TLB entry writable fast
    mmu.write32(0x5004, 2);
    mem.watchPage(5);
    mmu.write32(0x5008, 3);
    mmu.write32(0x500c, 4);
    expect(hits).toEqual([5]);
    expect(mem.read32(0x5008)).toBe(3);
    mem.writeBytes(0x5ffe, new Uint8Array([1, 2, 3])); // DMA
    mem.watchPage(6);
    mem.writeBytes(0x5ffe, new Uint8Array([1, 2, 3]));
    expect(hits).toEqual([5, 6]);
  });
  it("dirty tracking sees writes made after takeDirty, including TLB-fast ones", () => {
    const mem = new PhysicalSpace({ ramSize: 0x20_0000 });
    const mmu = new Mmu(mem);
    mmu.write8(0x3000, 1);
    mmu.write8(0x3001, 1);
    let bits = mem.takeDirty();
    expect(bits[0]! & (1 << 3)).not.toBe(0);
    bits = mem.takeDirty();
    expect(bits[0]).toBe(0);
    mmu.write8(0x3002, 1);
    expect(mem.isDirty(3)).toBe(true);
    expect(mem.isDirty(4)).toBe(false);
  });
});

describe("counters", () => {
  it("CountingMmu: hits = accesses - misses; flushes are counted by kind", async () => {
    const { CountingMmu } = await import("./counting-mmu");
    const mem = new PhysicalSpace({ ramSize: 0x20_0000 });
    const mmu = new CountingMmu(mem);
    mmu.read8(0x1000); // miss
    mmu.read8(0x1001); // hit
    mmu.write8(0x1002, 1); // hit on the translation (page not yet dirty: physical slow path)
    mmu.read32(0x2000); // miss
    expect(mmu.accesses).toBe(4);
    expect(mmu.stats.misses).toBe(2);
    expect(mmu.hits).toBe(2);
    mmu.flushTlb(false);
    mmu.flushTlb(true);
    mmu.invalidatePage(0);
    expect([mmu.stats.nonGlobalFlushes, mmu.stats.fullFlushes, mmu.stats.pageFlushes]).toEqual([
      1, 1, 1,
    ]);
  });
});

describe("PAE PDPTE registers (SDM 4.4.1)", () => {
  const PAE = 1 << 5;
  it("are loaded when CR0.PG turns on with CR4.PAE already set, and only re-read on CR3 loads", () => {
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const mmu = new Mmu(mem);
    const tables = new PageTableBuilder(mem, "pae", 0x10_0000);
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x50_0000, 0x42);
    mmu.setPaging({ cr0: 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    expect(mmu.read8(0x40_0000)).toBe(0x42);
    expect(mmu.pdpteInvalid).toBe(false);
    // Clearing the PDPTE in memory has no effect until CR3 is loaded again.
    mem.write32(tables.cr3, 0);
    mmu.invalidatePage(0x40_0000);
    expect(mmu.read8(0x40_0000)).toBe(0x42);
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    expect(() => mmu.read8(0x40_0000)).toThrow(/page fault at 0x400000, error code 0x0/);
  });
  it("are re-read on a CR3 load after CR4/CR0 bits the MMU is not told about changed", () => {
    // Linux 686-pae: CR4.OSFXSR is set (no paging change, no call here), then a MOV CR3 to a
    // fresh page directory must still load that directory's PDPTEs (and flush the TLB).
    const OSFXSR = 1 << 9;
    const TS = 1 << 3;
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const mmu = new Mmu(mem);
    const first = new PageTableBuilder(mem, "pae", 0x10_0000);
    first.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    const second = new PageTableBuilder(mem, "pae", 0x20_0000);
    second.map(0x4000_0000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW });
    second.map(0x40_0000, 0x70_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x50_0000, 0x11);
    mem.write8(0x60_0000, 0x22);
    mem.write8(0x70_0000, 0x33);
    mmu.setPaging({ cr0: PG | 1, cr3: first.cr3, cr4: PAE, efer: 0 });
    expect(mmu.read8(0x40_0000)).toBe(0x11);
    mmu.setPaging({ cr0: PG | TS | 1, cr3: second.cr3, cr4: PAE | OSFXSR, efer: 0 });
    expect(mmu.read8(0x4000_0000)).toBe(0x22); // PDPTE 1, present only in `second`
    expect(mmu.read8(0x40_0000)).toBe(0x33); // the TLB entry from `first` is gone
  });
  it("translate an address given as a signed int32 as its unsigned value (4 KiB PAE pages)", () => {
    // The recompiler's dispatcher passes `(csBase + eip) | 0`: kernel addresses are negative.
    const mem = new PhysicalSpace({ ramSize: 0x200_0000 });
    const mmu = new Mmu(mem);
    const tables = new PageTableBuilder(mem, "pae", 0x10_0000);
    tables.map(0xc100_0000, 0x100_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    expect(mmu.translate(0xc100_0130 | 0, 2)).toBe(0x100_0130);
    mmu.flushTlb(true);
    expect(mmu.translate(0xc100_0130, 2)).toBe(0x100_0130);
  });
  it("a CR0.WP change alone keeps the PDPTE registers (no reload, SDM 4.4.1)", () => {
    const WP = 1 << 16;
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const mmu = new Mmu(mem);
    const tables = new PageTableBuilder(mem, "pae", 0x10_0000);
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write8(0x50_0000, 0x42);
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    mem.write32(tables.cr3, 0);
    mmu.setPaging({ cr0: PG | WP | 1, cr3: tables.cr3, cr4: PAE, efer: 0 });
    mmu.invalidatePage(0x40_0000);
    expect(mmu.read8(0x40_0000)).toBe(0x42);
  });
  it("a present PDPTE with a reserved bit is reported for the CPU's #GP", () => {
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const mmu = new Mmu(mem);
    mem.write32(0x1000, 0x2000 | 1 | 2); // bit 1 (R/W) is reserved in a PAE PDPTE (Table 4-8)
    mmu.setPaging({ cr0: PG | 1, cr3: 0x1000, cr4: PAE, efer: 0 });
    expect(mmu.pdpteInvalid).toBe(true);
  });
});

describe("4-level paging above 4 GiB (SDM 4.5)", () => {
  it("translate() walks 48-bit linear addresses and reports faults with them", () => {
    const mem = new PhysicalSpace({ ramSize: 0x100_0000 });
    const mmu = new Mmu(mem);
    const tables = new PageTableBuilder(mem, "4level", 0x10_0000);
    const linear = 0x7f80_4020_2000; // PML4 index 255 (bits 47:39)
    tables.map(linear, 0x50_0000, { dirFlags: P | RW | US, leafFlags: P | RW | US });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: 1 << 5, efer: 1 << 8 });
    expect(mmu.translate(linear + 0x123, 0)).toBe(0x50_0123);
    expect(mem.read32(tables.cr3 + 255 * 8) & 0x20).toBe(0x20); // PML4E accessed
    expect(() => mmu.translate(linear + 0x1000, 1)).toThrow(
      /page fault at 0x7f8040203000, error code 0x2/,
    );
  });
});

describe("the fast path's memo area (LinearFastPath.memo)", () => {
  // Code generators keep translations derived from the TLB there; the MMU must zero it whenever
  // a translation they may hold loses rights or goes, and may leave it when entries only gain.
  const dirty = (memo: Int32Array): void => {
    memo.fill(-1);
  };
  const zeroed = (memo: Int32Array): boolean => memo.every((w) => w === 0);

  it("is zeroed by INVLPG, MOV CR3, full flushes, the A20 gate and page faults", () => {
    const { mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    const memo = mmu.fastPath().memo!;
    // Room for four of @ringvm/recompiler's banks (25 slots of 24 bytes): one per TLB mode.
    expect(memo.length).toBeGreaterThanOrEqual((4 * 25 * 24) / 4);
    const cases: [string, () => void][] = [
      ["INVLPG", () => mmu.invalidatePage(0x40_0000)],
      ["MOV CR3", () => on()],
      ["a global flush", () => mmu.flushTlb(true)],
      ["a non-global flush", () => mmu.flushTlb(false)],
      [
        "a page fault",
        () => {
          expect(() => mmu.read8(0x7000_0000)).toThrow("#PF");
        },
      ],
      ["the A20 gate", () => mmu.setA20(!mmu.getA20())], // last: it moves the page tables
    ];
    for (const [what, act] of cases) {
      mmu.read8(0x40_0000);
      dirty(memo);
      act();
      expect(zeroed(memo), what).toBe(true);
    }
  });

  it("is zeroed when a page's fast writes are revoked (a watched code page) and by data watches", () => {
    const mem = new PhysicalSpace({ ramSize: 0x20_0000 });
    const mmu = new Mmu(mem);
    const memo = mmu.fastPath().memo!;
    mmu.write32(0x5000, 1);
    dirty(memo);
    mem.watchPage(5);
    expect(zeroed(memo)).toBe(true);
    dirty(memo);
    mmu.setDataWatch([6], () => undefined);
    expect(zeroed(memo)).toBe(true);
  });

  it("is left alone by fills and by pages made dirty (entries only gain rights)", () => {
    const { mmu, tables, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    const memo = mmu.fastPath().memo!;
    dirty(memo);
    mmu.read8(0x40_0000); // a fill
    mmu.write8(0x40_1000, 1); // a fill for a write: accessed and dirty set
    mmu.write8(0x40_0000, 1); // a read entry made writable
    expect(memo.every((w) => w === -1)).toBe(true);
  });

  it("lies in the shared WebAssembly memory next to the TLB when there is one", async () => {
    const { createWasmGuestMemory } = await import("./wasm-memory");
    const layout = createWasmGuestMemory(0x20_0000);
    const view = new Mmu(new PhysicalSpace({ ramSize: 0x20_0000, wasm: layout })).fastPath();
    expect(view.memo!.buffer).toBe(layout.memory.buffer);
    expect(view.memo!.byteOffset).toBe(layout.memoOffset);
    const end = (a: { byteOffset: number; byteLength: number }) => a.byteOffset + a.byteLength;
    // Clear of the masks, the registers and the scratch.
    expect(layout.memoOffset).toBeGreaterThanOrEqual(end(view.masks));
    expect(layout.memoOffset).toBeGreaterThanOrEqual(layout.registersOffset + 32);
    expect(end(view.memo!)).toBeLessThanOrEqual(layout.scratchOffset);
    // The chunk bits too, clear of the memo area.
    expect(view.chunks!.buffer).toBe(layout.memory.buffer);
    expect(view.chunks!.byteOffset).toBe(layout.chunksOffset);
    expect(layout.chunksOffset).toBeGreaterThanOrEqual(layout.registersOffset + 32);
    expect(end(view.chunks!)).toBeLessThanOrEqual(layout.memoOffset);
  });
});

describe("the fast path's chunk bits (LinearFastPath.chunks)", () => {
  // A set bit lets a code generator read any page of the 4 MiB linear chunk through one entry of
  // it: only a 4 MiB page (or paging off) onto RAM the fast path reads may set it, and whatever
  // drops that translation must clear it.
  const bit = (mmu: Mmu, linear: number): boolean => {
    const c = linear >>> 22;
    return (mmu.fastPath().chunks![c >>> 3]! & (1 << (c & 7))) !== 0;
  };
  const large = { dirFlags: P | RW, leafFlags: P | RW, size: 0x40_0000 };

  it("is set by a 4 MiB page onto RAM, not by 4 KiB pages, and cleared by INVLPG in the chunk", () => {
    const { mmu, tables, on } = paged();
    tables.map(0x80_0000, 0x40_0000, large);
    tables.map(0xc0_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    mmu.read8(0x80_0000 + 0x12_3456);
    mmu.read8(0xc0_0000);
    expect(bit(mmu, 0x80_0000)).toBe(true);
    expect(bit(mmu, 0xc0_0000)).toBe(false);
    mmu.invalidatePage(0x40_0000); // another chunk
    expect(bit(mmu, 0x80_0000)).toBe(true);
    mmu.invalidatePage(0xbf_f000);
    expect(bit(mmu, 0x80_0000)).toBe(false);
    // The tables edited to 4 KiB pages without INVLPG: a fill of another page of the chunk
    // walks them, and the chunk is no longer one translation.
    mmu.read8(0x80_0000);
    expect(bit(mmu, 0x80_0000)).toBe(true);
    tables.map(0x80_1000, 0x60_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mmu.read8(0x80_1000);
    expect(bit(mmu, 0x80_0000)).toBe(false);
  });

  it("is not set for a 4 MiB page over memory the fast path does not read (MMIO, past RAM)", () => {
    const { mem, mmu, tables, on } = paged(0x100_0000);
    const handler: MmioHandler = { read: () => 0, write: () => undefined };
    using _mmio = mem.mapMmio(0xa_0000, 0x2_0000, handler, { owner: "vga" });
    tables.map(0x80_0000, 0, large); // holds the MMIO pages
    tables.map(0x40_0000, 0x100_0000, large); // past the end of RAM
    on();
    mmu.read8(0x80_0000);
    expect(bit(mmu, 0x80_0000)).toBe(false);
    mmu.read8(0x40_0000);
    expect(bit(mmu, 0x40_0000)).toBe(false);
  });

  it("keeps global pages' bits across MOV CR3 and clears the others; a full flush clears all", () => {
    const { mmu, tables, on } = paged();
    tables.map(0x80_0000, 0x40_0000, { ...large, leafFlags: P | RW | G });
    tables.map(0x40_0000, 0x80_0000, large);
    on();
    mmu.read8(0x80_0000);
    mmu.read8(0x40_0000);
    expect([bit(mmu, 0x80_0000), bit(mmu, 0x40_0000)]).toEqual([true, true]);
    on(); // MOV CR3
    expect([bit(mmu, 0x80_0000), bit(mmu, 0x40_0000)]).toEqual([true, false]);
    mmu.flushTlb(true);
    expect(bit(mmu, 0x80_0000)).toBe(false);
  });

  it("with paging off is set over RAM while the A20 gate is open, and never over the 640 KiB-1 MiB hole", () => {
    const mmu = new Mmu(new PhysicalSpace({ ramSize: 0x100_0000 }));
    mmu.setA20(true);
    mmu.read8(0x50_0000);
    mmu.read8(0x1000);
    expect([bit(mmu, 0x50_0000), bit(mmu, 0)]).toEqual([true, false]);
    mmu.setA20(false);
    mmu.read8(0x50_0000);
    expect(bit(mmu, 0x50_0000)).toBe(false);
  });

  it("is cleared by a data watch and not set while one is armed", () => {
    const mmu = new Mmu(new PhysicalSpace({ ramSize: 0x100_0000 }));
    mmu.setA20(true);
    mmu.read8(0x50_0000);
    mmu.setDataWatch([0x500], () => undefined);
    expect(bit(mmu, 0x50_0000)).toBe(false);
    mmu.read8(0x60_0000);
    expect(bit(mmu, 0x60_0000)).toBe(false);
  });
});

describe("the fast path's flat-read bound (LinearFastPath.flatRead)", () => {
  // A read of at most 4 bytes at l with (l - 1 MiB) below the bound may load RAM at l: only
  // paging off with the A20 gate open makes l its own physical address, and only RAM mapped at
  // its own address (not MMIO, not past the end of RAM) may be inside.
  const bound = (mmu: Mmu): number => mmu.fastPath().flatRead![0]!;
  const MIB = 0x10_0000;

  it("covers RAM from 1 MiB to its end while paging is off and the A20 gate open", () => {
    const { mmu, on } = paged(0x100_0000);
    // The last dword that fits: 16 MiB of RAM, so l up to 16 MiB - 4.
    expect(bound(mmu)).toBe(15 * MIB - 3);
    mmu.setA20(false); // bit 20 of l no longer reaches the bus
    expect(bound(mmu)).toBe(0);
    mmu.setA20(true);
    expect(bound(mmu)).toBe(15 * MIB - 3);
    on(); // paging: l is no longer its own physical address
    expect(bound(mmu)).toBe(0);
    mmu.setPaging({ cr0: 1, cr3: 0, cr4: 0, efer: 0 });
    expect(bound(mmu)).toBe(15 * MIB - 3);
  });

  it("ends at the end of RAM, where the next page may be a device", () => {
    const { mem, mmu } = paged(0x100_3000);
    const handler: MmioHandler = { read: () => 0x5a, write: () => undefined };
    using _mmio = mem.mapMmio(0x100_3000, 0x1000, handler, { owner: "dev" });
    expect(bound(mmu)).toBe(15 * MIB + 0x3000 - 3);
    // Just past the bound a read is the device's, not RAM's.
    expect(mmu.read8(0x100_3000)).toBe(0x5a);
  });

  it("is 0 while a data watch is armed", () => {
    const mmu = new Mmu(new PhysicalSpace({ ramSize: 0x100_0000 }));
    mmu.setDataWatch([0x500], () => undefined);
    expect(bound(mmu)).toBe(0);
    mmu.setDataWatch([], null);
    expect(bound(mmu)).toBe(15 * MIB - 3);
  });

  it("lies in the shared WebAssembly memory beside the masks when there is one", async () => {
    const { createWasmGuestMemory } = await import("./wasm-memory");
    const layout = createWasmGuestMemory(0x40_0000);
    const view = new Mmu(new PhysicalSpace({ ramSize: 0x40_0000, wasm: layout })).fastPath();
    expect(view.flatRead!.buffer).toBe(layout.memory.buffer);
    expect(view.flatRead!.byteOffset).toBe(layout.flatReadOffset);
    expect(layout.flatReadOffset).toBeGreaterThanOrEqual(view.masks.byteOffset + 8);
    expect(layout.flatReadOffset + 4).toBeLessThanOrEqual(layout.registersOffset);
    expect(view.flatRead![0]).toBe(3 * MIB - 3);
  });
});

describe("probeWrite (read-modify-write forms, SDM vol. 3 6.5)", () => {
  it("raises a write's #PF on a read-only page that reads fine, and writes nothing", () => {
    const { mem, mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P });
    mem.write8(0x50_0010, 0x5a);
    on(); // CR0.WP: supervisor writes to read-only pages fault
    expect(mmu.read8(0x40_0010)).toBe(0x5a);
    expect(() => mmu.probeWrite(0x40_0010, 4)).toThrow("#PF");
    // SDM 4.7: P=1, W/R=1, U/S=0.
    expect(faults).toEqual([{ linear: 0x40_0010, code: 3 }]);
    expect(mem.read8(0x50_0010)).toBe(0x5a);
  });

  it("sets the dirty bit of a clean writable page, then the write hits the TLB", () => {
    const { mem, mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    on();
    mmu.read32(0x40_0000); // cached clean: a write must walk to set D
    const pte = tables.leafAddress(0x40_0000, 0x1000);
    expect(mem.read32(pte) & 0x40).toBe(0);
    mmu.probeWrite(0x40_0ffe, 2);
    expect(mem.read32(pte) & 0x40).toBe(0x40); // SDM 4.8: D set by the write's walk
    const misses = mmu.stats.misses;
    mmu.write16(0x40_0ffe, 0x1234);
    expect(mmu.stats.misses).toBe(misses);
    expect(mem.read16(0x50_0ffe)).toBe(0x1234);
    expect(faults).toEqual([]);
  });

  it("checks both pages of a write that crosses one", () => {
    const { mmu, tables, faults, on } = paged();
    tables.map(0x40_0000, 0x50_0000, { dirFlags: P | RW, leafFlags: P | RW });
    tables.map(0x40_1000, 0x51_0000, { dirFlags: P | RW, leafFlags: P });
    on();
    expect(() => mmu.probeWrite(0x40_0ffe, 4)).toThrow("#PF");
    expect(faults).toEqual([{ linear: 0x40_1000, code: 3 }]);
  });
});
