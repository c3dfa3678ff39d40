// The PC physical address map: RAM, the legacy holes (VGA window 0xA0000-0xBFFFF, option
// ROM/BIOS area 0xC0000-0xFFFFF), ROM images and i440FX shadow RAM (82441FX PMC datasheet
// 3.2.18 PAM0-PAM6: RE bit = read DRAM, WE bit = write DRAM), the BIOS at the top of 4 GiB,
// MMIO dispatch at page granularity, unmapped all-ones reads, DMA, dirty and watch.
import type { MmioHandler, Width } from "@ringvm/bus";
import { describe, expect, it, vi } from "vitest";
import { PhysicalSpace } from "./physical-space";

const MIB = 0x10_0000;

describe("PhysicalSpace", () => {
  it("RAM is little-endian at every alignment", () => {
    const m = new PhysicalSpace({ ramSize: 2 * MIB });
    m.write32(0x1001, 0x4433_2211);
    expect([m.read8(0x1001), m.read8(0x1004)]).toEqual([0x11, 0x44]);
    expect(m.read16(0x1002)).toBe(0x3322);
    expect(m.read32(0x1001)).toBe(0x4433_2211);
    m.write16(0x1fff, 0xbbaa); // crosses a page
    expect(m.read16(0x1fff)).toBe(0xbbaa);
    m.write32(0x2000, 0xffff_fffe);
    expect(m.read32(0x2000)).toBe(-2); // 32-bit reads are int32
  });

  it("rejects bad RAM sizes with a clear error", () => {
    expect(() => new PhysicalSpace({ ramSize: 512 * 1024 })).toThrow(/between 1 MiB and 3.5 GiB/);
    expect(() => new PhysicalSpace({ ramSize: MIB + 1 })).toThrow(RangeError);
    expect(() => new PhysicalSpace({ ramSize: 0xf000_0000 })).toThrow(/3.5 GiB/);
  });

  it("reports a host that cannot allocate the RAM buffer clearly", () => {
    const Real = ArrayBuffer;
    vi.stubGlobal(
      "ArrayBuffer",
      class {
        constructor() {
          throw new RangeError("Array buffer allocation failed");
        }
      },
    );
    try {
      expect(() => new PhysicalSpace({ ramSize: 0xe000_0000 })).toThrow(
        /cannot allocate 3584 MiB of guest RAM/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(ArrayBuffer).toBe(Real);
  });

  it("the VGA window and unmapped space read all ones and drop writes", () => {
    const m = new PhysicalSpace({ ramSize: 2 * MIB });
    m.write8(0xa_0000, 1);
    expect(m.read8(0xa_0000)).toBe(0xff);
    expect(m.read32(0xb_8000)).toBe(-1);
    expect(m.read16(0x30_0000)).toBe(0xffff); // above RAM
    expect(m.read8(0x2_0000_0000)).toBe(0xff); // above 4 GiB (PAE)
    m.write32(0x30_0000, 0);
    expect(m.read32(0x30_0000)).toBe(-1);
    // Without a ROM or shadow, 0xC0000-0xFFFFF is a PCI master abort: all ones.
    expect(m.read8(0xc_0000)).toBe(0xff);
  });

  it("the BIOS appears at the top of 4 GiB and its last 128 KiB below 1 MiB, read-only", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const bios = new Uint8Array(0x4_0000);
    bios[0] = 0x11;
    bios[0x2_0000] = 0x22;
    bios[0x3_fff0] = 0xea;
    m.mapBios(bios);
    expect(m.read8(0xfffc_0000)).toBe(0x11);
    expect(m.read8(0xffff_fff0)).toBe(0xea);
    expect(m.read8(0xe_0000)).toBe(0x22);
    expect(m.read8(0xf_fff0)).toBe(0xea);
    m.write8(0xf_fff0, 0);
    m.write8(0xffff_fff0, 0);
    expect(m.read8(0xf_fff0)).toBe(0xea);
    expect(m.read8(0xffff_fff0)).toBe(0xea);
    expect(bios[0x3_fff0]).toBe(0xea);
  });

  it("PAM shadowing: read ROM/write RAM, then read RAM, per 16 KiB segment", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const vgaBios = new Uint8Array(0x8000).fill(0x55);
    m.mapRom(0xc_0000, vgaBios, "vgabios");
    expect(m.read8(0xc_0000)).toBe(0x55);
    m.write8(0xc_0000, 0x66); // PAM1 = 0: to PCI, dropped
    m.setPamRegister(1, 0x22); // WE for 0xC0000-0xC3FFF and 0xC4000-0xC7FFF
    m.write8(0xc_0000, 0x66);
    m.write8(0xc_4000, 0x77);
    expect(m.read8(0xc_0000)).toBe(0x55); // still reading ROM
    m.setPamRegister(1, 0x01); // RE only on the low segment
    expect(m.read8(0xc_0000)).toBe(0x66);
    expect(m.read8(0xc_4000)).toBe(0x55);
    m.write8(0xc_0000, 0x99); // WE off: dropped
    expect(m.read8(0xc_0000)).toBe(0x66);
    m.setShadow(0xc_4000, 0x4000, true, true);
    expect(m.read8(0xc_4000)).toBe(0x77);
    expect(() => m.setShadow(0xc_2000, 0x4000, true, true)).toThrow(RangeError);
    expect(() => m.setPamRegister(7, 0)).toThrow(RangeError);
  });

  it("PAM0 bits 5:4 control 0xF0000-0xFFFFF as one 64 KiB segment", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    m.mapBios(new Uint8Array(0x2_0000).fill(0xbb));
    m.setPamRegister(0, 0x30);
    m.write8(0xf_0000, 1);
    m.write8(0xf_ffff, 2);
    expect([m.read8(0xf_0000), m.read8(0xf_ffff), m.read8(0xe_ffff)]).toEqual([1, 2, 0xbb]);
  });

  it("MMIO: page-granular dispatch with region-relative offsets; overlaps refused", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const calls: string[] = [];
    const h: MmioHandler = {
      read: (o: number, w: Width) => (
        calls.push(`r${w} ${o.toString(16)}`),
        0xabcd_ef01 & (w === 4 ? -1 : (1 << (8 * w)) - 1)
      ),
      write: (o: number, w: Width, v: number) =>
        void calls.push(`w${w} ${o.toString(16)} ${v.toString(16)}`),
    };
    const reg = m.mapMmio(0xfee0_0000, 0x1000, h, { owner: "lapic" });
    m.mapMmio(0xa_0000, 0x2_0000, h, { owner: "vga" });
    expect(m.read32(0xfee0_0020)).toBe(0xabcd_ef01 | 0);
    m.write32(0xfee0_00b0, 0);
    m.write8(0xb_8001, 0x41);
    expect(m.read16(0xa_0002)).toBe(0xef01);
    expect(calls).toEqual(["r4 20", "w4 b0 0", "w1 18001 41", "r2 2"]);
    expect(() => m.mapMmio(0xfee0_0000, 0x1000, h, { owner: "ioapic" })).toThrow(
      /'ioapic'.*overlaps MMIO 'lapic'/,
    );
    expect(() => m.mapMmio(0x10_0000, 0x1000, h, { owner: "bad" })).toThrow(/overlaps RAM/);
    expect(() => m.mapMmio(0xfee0_0800, 0x1000, h, { owner: "bad" })).toThrow(/page-aligned/);
    reg[Symbol.dispose]();
    expect(m.read32(0xfee0_0020)).toBe(-1);
  });

  it("DMA copies across RAM, ROM and MMIO pages", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const src = new Uint8Array(0x3000).map((_, i) => i & 0xff);
    m.writeBytes(0x1800, src);
    const back = new Uint8Array(0x3000);
    m.readBytes(0x1800, back);
    expect(back).toEqual(src);
    const edge = new Uint8Array(8);
    m.readBytes(0x3f_fffc, edge); // last 4 bytes of RAM, then unmapped
    expect([...edge.subarray(4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it("dirty bitmap and write-watch", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const fired: number[] = [];
    m.onCodeWrite((p) => {
      fired.push(p);
    });
    m.takeDirty();
    m.write8(0x7000, 1);
    m.writeBytes(0x9fff, new Uint8Array(2));
    const bits = m.takeDirty();
    expect(bits[0]).toBe((1 << 7) | (1 << 9) | (1 << 10));
    m.watchPage(0x20);
    expect(m.isWatched(0x20)).toBe(true);
    m.write32(0x2_0010, 5);
    m.write32(0x2_0010, 6);
    expect(fired).toEqual([0x20]);
    expect(m.isWatched(0x20)).toBe(false);
    m.watchPage(0x21);
    m.unwatchPage(0x21);
    m.write8(0x2_1000, 1);
    expect(fired).toEqual([0x20]);
  });

  it("every code-write listener sees each fired watch; only a newly watched page is revoked", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const a: number[] = [];
    const b: number[] = [];
    const changes: [string, number | undefined][] = [];
    m.onCodeWrite((p) => {
      a.push(p);
    });
    m.onCodeWrite((p) => {
      b.push(p);
    });
    m.onRouteChange((change, page) => changes.push([change, page]));
    m.watchPage(0x30);
    m.watchPage(0x30); // already watched: no second notification
    expect(changes).toEqual([["write", 0x30]]);
    m.writeBytes(0x3_0004, new Uint8Array([1, 2])); // DMA fires it too
    m.write8(0x3_0008, 3);
    expect(a).toEqual([0x30]);
    expect(b).toEqual([0x30]);
  });

  it("tells the listeners the written bytes; a listener returning true keeps the watch", () => {
    const m = new PhysicalSpace({ ramSize: 4 * MIB });
    const seen: [number, number, number][] = [];
    const changes: string[] = [];
    m.onRouteChange((change) => changes.push(change));
    m.onCodeWrite((page, offset, length) => {
      seen.push([page, offset, length]);
      return offset >= 0x800; // "code" in the first half of the page only
    });
    m.watchPage(0x40);
    m.write16(0x4_0900, 0x1234); // beside the code: the watch stays
    expect(m.isWatched(0x40)).toBe(true);
    m.writeBytes(0x4_0ff0, new Uint8Array(0x20)); // DMA over the page's end
    expect(m.isWatched(0x40)).toBe(true);
    m.write32(0x4_0010, 1); // into the code: the watch is gone
    expect(m.isWatched(0x40)).toBe(false);
    m.write8(0x4_0011, 1);
    expect(seen).toEqual([
      [0x40, 0x900, 2],
      [0x40, 0xff0, 0x10],
      [0x40, 0x10, 4],
    ]);
    expect(changes).toEqual(["write"]); // kept watches announce no route change
  });
});
