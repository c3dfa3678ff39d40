// PCI configuration mechanism #1, header semantics and BAR sizing (PCI Local Bus
// Specification 2.1: 3.7.4.1 configuration mechanism #1, 6.1 header, 6.2.2 command,
// 6.2.3 status, 6.2.5.1 base address registers), i440FX (82441FX datasheet 3.2.18 PAM,
// 3.2.22 SMRAM) and PIIX3 (82371SB datasheet 2.2.9 PIRQRC, 2.9.2 reset control).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { I440fxHostBridge, PciBus, Piix3IsaBridge } from "./index";

function cfgAddress(device: number, fn: number, offset: number, bus = 0): number {
  return (0x8000_0000 | (bus << 16) | (device << 11) | (fn << 8) | (offset & 0xfc)) >>> 0;
}

function board() {
  const context = new FakeDeviceContext();
  const resets: boolean[] = [];
  const pams: [number, number][] = [];
  const routes: [number, number][] = [];
  const maps: number[] = [];
  const memMaps: number[] = [];
  const bus = new PciBus({ onReset: (hard) => resets.push(hard) });
  const host = new I440fxHostBridge(bus, { onPam: (i, v) => pams.push([i, v]) });
  const isa = new Piix3IsaBridge(bus, { onRoute: (p, irq) => routes.push([p, irq]) });
  // An IDE-like function 00:01.1 with a 16-port I/O BAR4, and a NIC-like 00:03.0.
  const ide = bus.register(1, 1, {
    vendorId: 0x8086,
    deviceId: 0x7010,
    classCode: 0x01,
    subclass: 0x01,
    progIf: 0x80,
    bars: [
      undefined,
      undefined,
      undefined,
      undefined,
      { kind: "io", size: 16, onMap: (b) => maps.push(b) },
    ],
  });
  const nic = bus.register(3, 0, {
    vendorId: 0x10ec,
    deviceId: 0x8139,
    classCode: 0x02,
    subclass: 0x00,
    interruptPin: 1,
    bars: [
      { kind: "io", size: 256 },
      { kind: "memory", size: 256, onMap: (b) => memMaps.push(b) },
    ],
  });
  for (const d of [bus, isa]) d.attach(context);
  bus.reset("power-on");
  isa.reset("power-on");
  const read = (d: number, f: number, off: number, width: 1 | 2 | 4 = 4) => {
    context.io.out(0xcf8, cfgAddress(d, f, off), 4);
    return context.io.in(0xcfc + (off & 3), width);
  };
  const write = (d: number, f: number, off: number, value: number, width: 1 | 2 | 4 = 4) => {
    context.io.out(0xcf8, cfgAddress(d, f, off), 4);
    context.io.out(0xcfc + (off & 3), value, width);
  };
  return { context, bus, host, isa, ide, nic, resets, pams, routes, maps, memMaps, read, write };
}

describe("configuration mechanism #1 (PCI 2.1 3.7.4.1)", () => {
  it("CONFIG_ADDRESS reads back a dword write with reserved bits 30:24 and 1:0 zero", () => {
    const { context } = board();
    // SeaBIOS pci_probe_host / Linux pci_check_type1 write 80000000h and expect it back.
    context.io.out(0xcf8, 0x8000_0000, 4);
    expect(context.io.in(0xcf8, 4)).toBe(0x8000_0000);
    context.io.out(0xcf8, 0xffff_ffff, 4);
    expect(context.io.in(0xcf8, 4)).toBe(0x80ff_fffc);
  });

  it("byte and word accesses to CF8h do not touch CONFIG_ADDRESS", () => {
    const { context } = board();
    context.io.out(0xcf8, 0x8000_0800, 4);
    context.io.out(0xcf8, 0x00, 1);
    context.io.out(0xcfa, 0x1234, 2);
    expect(context.io.in(0xcf8, 4)).toBe(0x8000_0800);
  });

  it("reads the host bridge and ISA bridge identity", () => {
    const { read } = board();
    expect(read(0, 0, 0)).toBe(0x1237_8086);
    expect(read(1, 0, 0)).toBe(0x7000_8086);
    expect(read(0, 0, 8) >>> 8).toBe(0x06_00_00); // class 06h, subclass 00h, prog-if 0
    expect(read(1, 0, 8) >>> 8).toBe(0x06_01_00);
  });

  it("byte and word reads at CFDh-CFFh select the bytes of the dword", () => {
    const { read } = board();
    expect(read(0, 0, 0, 1)).toBe(0x86);
    expect(read(0, 0, 1, 1)).toBe(0x80);
    expect(read(0, 0, 2, 2)).toBe(0x1237);
    expect(read(0, 0, 3, 1)).toBe(0x12);
  });

  it("empty slots, other buses and a clear enable bit read all ones (master abort)", () => {
    const { context, read } = board();
    expect(read(5, 0, 0)).toBe(0xffff_ffff);
    expect(read(0, 1, 0)).toBe(0xffff_ffff);
    context.io.out(0xcf8, cfgAddress(0, 0, 0, 1), 4);
    expect(context.io.in(0xcfc, 4)).toBe(0xffff_ffff);
    context.io.out(0xcf8, 0x0000_0000, 4);
    expect(context.io.in(0xcfc, 2)).toBe(0xffff);
  });

  it("header type bit 7 marks a multi-function device (00:01 has .0 and .1)", () => {
    const { read } = board();
    expect((read(1, 0, 0x0c) >>> 16) & 0xff).toBe(0x80);
    expect((read(0, 0, 0x0c) >>> 16) & 0xff).toBe(0x00);
    expect((read(3, 0, 0x0c) >>> 16) & 0xff).toBe(0x00);
  });

  it("read-only header fields ignore writes", () => {
    const { read, write } = board();
    write(0, 0, 0, 0xdead_beef);
    write(1, 0, 8, 0xffff_ffff);
    expect(read(0, 0, 0)).toBe(0x1237_8086);
    expect(read(1, 0, 8)).toBe(0x0601_0000);
  });

  it("interrupt line is read/write, interrupt pin read-only", () => {
    const { read, write } = board();
    write(3, 0, 0x3c, 0xffff, 2);
    expect(read(3, 0, 0x3c) & 0xffff).toBe(0x01ff);
  });

  it("status bits 15:11 are write-one-to-clear; other status bits are read-only", () => {
    const { read, write } = board();
    expect(read(1, 0, 0x04) >>> 16).toBe(0x0200);
    write(1, 0, 0x06, 0xffff, 2);
    expect(read(1, 0, 0x06, 2)).toBe(0x0200);
  });
});

describe("BAR sizing and decoding (PCI 2.1 6.2.5.1)", () => {
  it("an I/O BAR reads back its size mask after all ones, as SeaBIOS sizes it", () => {
    const { read, write } = board();
    expect(read(1, 1, 0x20)).toBe(0x0000_0001);
    write(1, 1, 0x20, 0xffff_ffff);
    const val = read(1, 1, 0x20);
    expect(val).toBe(0xffff_fff1);
    // pciinit.c pci_bios_get_bar: size = ~(val & ~3) + 1
    expect((~(val & ~3) + 1) >>> 0).toBe(16);
  });

  it("a memory BAR reads type bits and its size mask", () => {
    const { read, write } = board();
    write(3, 0, 0x14, 0xffff_ffff);
    expect(read(3, 0, 0x14)).toBe(0xffff_ff00);
    write(3, 0, 0x10, 0xffff_ffff);
    expect(read(3, 0, 0x10)).toBe(0xffff_ff01);
  });

  it("unimplemented BARs and the ROM BAR read 0 after all ones", () => {
    const { read, write } = board();
    write(1, 1, 0x10, 0xffff_ffff);
    write(1, 1, 0x30, 0xffff_f800);
    expect(read(1, 1, 0x10)).toBe(0);
    expect(read(1, 1, 0x30)).toBe(0);
  });

  it("a BAR decodes only with its command bit set and calls back on relocation", () => {
    const { read, write, maps, ide } = board();
    write(1, 1, 0x20, 0xc001);
    expect(maps).toEqual([]);
    write(1, 1, 0x04, 0x0001, 2); // I/O space enable
    expect(maps).toEqual([0xc000]);
    expect(ide.barBase(4)).toBe(0xc000);
    write(1, 1, 0x20, 0xd00f); // low bits below the size are hard-wired 0
    expect(read(1, 1, 0x20)).toBe(0xd001);
    expect(maps).toEqual([0xc000, 0xd000]);
    write(1, 1, 0x04, 0x0000, 2);
    expect(maps).toEqual([0xc000, 0xd000, -1]);
  });

  it("sizing with decode on unmaps (all ones is past 64K) and the restore maps back", () => {
    const { write, maps } = board();
    write(1, 1, 0x04, 0x0001, 2);
    write(1, 1, 0x20, 0xc001);
    write(1, 1, 0x20, 0xffff_ffff);
    write(1, 1, 0x20, 0xc001);
    expect(maps).toEqual([0xc000, -1, 0xc000]);
  });

  it("memory BARs follow the memory enable bit", () => {
    const { write, memMaps } = board();
    write(3, 0, 0x14, 0xfebf_1000);
    write(3, 0, 0x04, 0x0002, 2);
    expect(memMaps).toEqual([0xfebf_1000]);
  });

  it("a relocation that the board rejects is logged and left unmapped, never thrown", () => {
    const context = new FakeDeviceContext();
    const bus = new PciBus();
    const fn = bus.register(2, 0, {
      vendorId: 1,
      deviceId: 2,
      classCode: 0xff,
      subclass: 0,
      bars: [
        {
          kind: "io",
          size: 16,
          onMap: (base) => {
            if (base === 0x60) throw new Error("overlaps i8042");
          },
        },
      ],
    });
    bus.attach(context);
    expect(() => {
      bus.writeConfig(2, 0, 0x10, 4, 0x61);
      bus.writeConfig(2, 0, 0x04, 2, 1);
    }).not.toThrow();
    expect(fn.barBase(0)).toBe(-1);
    expect(context.log.warnings.length).toBe(1);
  });
});

describe("expansion ROM BAR (PCI 2.1 6.2.5.2)", () => {
  it("sizes like a memory BAR with bit 0 as the decode enable, and maps with MEM on", () => {
    const context = new FakeDeviceContext();
    const bus = new PciBus();
    const maps: number[] = [];
    const fn = bus.register(2, 0, {
      vendorId: 0x1234,
      deviceId: 0x1111,
      classCode: 0x03,
      subclass: 0x00,
      rom: { size: 0x1_0000, onMap: (b) => maps.push(b) },
    });
    bus.attach(context);
    bus.writeConfig(2, 0, 0x30, 4, 0xffff_f800);
    // SeaBIOS pci_bios_get_bar, ROM slot: size = ~(val & PCI_ROM_ADDRESS_MASK) + 1
    const val = bus.readConfig(2, 0, 0x30, 4);
    expect(val).toBe(0xffff_0000);
    expect((~(val & 0xffff_f800) + 1) >>> 0).toBe(0x1_0000);
    bus.writeConfig(2, 0, 0x30, 4, 0xfeb0_0001);
    expect(maps).toEqual([]);
    bus.writeConfig(2, 0, 0x04, 2, 0x0002);
    expect(maps).toEqual([0xfeb0_0000]);
    expect(fn.romBase).toBe(0xfeb0_0000);
    bus.writeConfig(2, 0, 0x30, 4, 0xfeb0_0000);
    expect(maps).toEqual([0xfeb0_0000, -1]);
  });
});

describe("i440FX host bridge (82441FX 3.2.18, 3.2.22)", () => {
  it("PAM writes reach the board, PAM0 implements only its high nibble", () => {
    const { write, read, pams } = board();
    pams.length = 0;
    // SeaBIOS make_bios_writable: 33h to PAM1-6, then 30h to PAM0.
    for (let i = 1; i < 7; i++) write(0, 0, 0x59 + i, 0x33, 1);
    write(0, 0, 0x59, 0xff, 1);
    expect(pams).toEqual([
      [1, 0x33],
      [2, 0x33],
      [3, 0x33],
      [4, 0x33],
      [5, 0x33],
      [6, 0x33],
      [0, 0x30],
    ]);
    expect(read(0, 0, 0x58)).toBe(0x3333_3000);
  });

  it("a dword write over 58h-5Bh reports each PAM byte it covers", () => {
    const { write, pams } = board();
    pams.length = 0;
    write(0, 0, 0x58, 0x1133_3000);
    expect(pams).toEqual([
      [0, 0x30],
      [1, 0x33],
      [2, 0x11],
    ]);
  });

  it("SMRAM powers on at 02h; D_LCK clears D_OPEN and locks it", () => {
    const { write, read } = board();
    expect(read(0, 0, 0x72, 1)).toBe(0x02);
    write(0, 0, 0x72, 0x4a, 1);
    expect(read(0, 0, 0x72, 1)).toBe(0x4a);
    write(0, 0, 0x72, 0x1a, 1);
    expect(read(0, 0, 0x72, 1)).toBe(0x1a);
    write(0, 0, 0x72, 0x42, 1);
    expect(read(0, 0, 0x72, 1)).toBe(0x1a);
  });
});

describe("PIIX3 ISA bridge (82371SB 2.2.9)", () => {
  it("PIRQ route registers power on disabled (80h) and report writes", () => {
    const { read, write, routes, isa } = board();
    expect(read(1, 0, 0x60)).toBe(0x8080_8080);
    // SeaBIOS piix_isa_bridge_setup: PIRQA-D -> 10, 10, 11, 11.
    write(1, 0, 0x60, 0x0b0b_0a0a);
    expect(routes).toEqual([
      [0, 10],
      [1, 10],
      [2, 11],
      [3, 11],
    ]);
    expect(isa.route(3)).toBe(11);
    write(1, 0, 0x61, 0x0d, 1); // IRQ 13 is not routable
    expect(isa.route(1)).toBe(-1);
  });

  it("INTx of 00:03.0 pin A drives PIRQC (slot swizzle) onto the routed ISA IRQ", () => {
    const { write, nic, context } = board();
    write(1, 0, 0x60, 0x0b0b_0a0a);
    nic.intx.raise();
    expect(context.irqLine(11).isHigh).toBe(true);
    expect(context.irqLine(10).isHigh).toBe(false);
    nic.intx.lower();
    expect(context.irqLine(11).isHigh).toBe(false);
  });

  it("the status interrupt bit follows INTx; command bit 10 masks it off the wire", () => {
    const { write, read, nic, context } = board();
    write(1, 0, 0x60, 0x0b0b_0a0a);
    nic.intx.raise();
    expect((read(3, 0, 0x04) >>> 16) & 0x08).toBe(0x08);
    write(3, 0, 0x04, 0x0400, 2);
    expect(context.irqLine(11).isHigh).toBe(false);
    write(3, 0, 0x04, 0x0000, 2);
    expect(context.irqLine(11).isHigh).toBe(true);
  });

  it("rerouting an asserted PIRQ moves the level to the new IRQ", () => {
    const { write, nic, context } = board();
    write(1, 0, 0x62, 0x0b, 1);
    nic.intx.raise();
    write(1, 0, 0x62, 0x05, 1);
    expect(context.irqLine(11).isHigh).toBe(false);
    expect(context.irqLine(5).isHigh).toBe(true);
  });
});

describe("reset control at CF9h (82371SB 2.9.2)", () => {
  it("RCPU 0->1 resets, SRST chooses hard; Linux reboot=pci writes 02h then 06h", () => {
    const { context, resets } = board();
    context.io.out(0xcf9, 0x02, 1);
    expect(resets).toEqual([]);
    expect(context.io.in(0xcf9, 1)).toBe(0x02);
    context.io.out(0xcf9, 0x06, 1);
    expect(resets).toEqual([true]);
    context.io.out(0xcf9, 0x04, 1);
    expect(resets).toEqual([true, false]);
  });
});

describe("reset and snapshots", () => {
  it("power-on reset restores defaults and unmaps BARs", () => {
    const { bus, write, read, maps } = board();
    write(1, 1, 0x20, 0xc001);
    write(1, 1, 0x04, 0x0001, 2);
    write(1, 0, 0x60, 0x0b0b_0a0a);
    bus.reset("power-on");
    expect(read(1, 1, 0x20)).toBe(1);
    expect(read(1, 0, 0x60)).toBe(0x8080_8080);
    expect(maps.at(-1)).toBe(-1);
  });

  it("loadState restores BAR mappings and bridge registers", () => {
    const a = board();
    a.write(1, 1, 0x20, 0xc041);
    a.write(1, 1, 0x04, 0x0001, 2);
    a.write(0, 0, 0x5a, 0x33, 1);
    const saved = JSON.parse(JSON.stringify(a.bus.saveState())) as Record<string, unknown>;
    const b = board();
    b.bus.loadState(saved);
    expect(b.maps).toEqual([0xc040]);
    expect(b.read(0, 0, 0x58)).toBe(0x0033_0000); // DRAMT 0, PAM0 0, PAM1 33h
    expect(b.pams).toContainEqual([1, 0x33]);
  });
});
