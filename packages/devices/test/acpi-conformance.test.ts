// Conformance of the PIIX4 PM function, and the PCI wiring a board does: i440FX at 00:00.0,
// PIIX3 ISA at 00:01.0, PIIX3 IDE at 00:01.1 (bus-master BAR4 -> PiixIde.mapBusMaster) and
// the PM function at 00:01.3, enumerated the way SeaBIOS pciinit.c does (vendor ID per
// slot, header bit 7 for functions 1-7, BAR sizing, PMBA/PMREGMISC programming).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { Piix4Pm, PIIX4_PM_PCI } from "@ringvm/devices/acpi";
import { PiixIde, PIIX3_IDE_PCI } from "@ringvm/devices/ata";
import { I440fxHostBridge, PciBus, Piix3IsaBridge } from "@ringvm/devices/pci";
import { describe, expect, it } from "vitest";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  create: () => new Piix4Pm(),
  exercise: (pm, board) => {
    pm.pciConfig.write(0x40, 4, 0x601);
    pm.pciConfig.write(0x80, 1, 0x01);
    board.io.out(0x602, 0x0101, 2);
    board.io.out(0x604, 0x0001, 2);
  },
  probe: (pm, board) => [pm.pmBase, board.io.in(0x600, 2), board.io.in(0x608, 4)],
  // Writing all ones to PM1 control is SLP_EN: harmless here (no power-off callback).
});

function board() {
  const context = new FakeDeviceContext();
  const bus = new PciBus();
  new I440fxHostBridge(bus);
  const isa = new Piix3IsaBridge(bus);
  const ide = new PiixIde();
  const bars: (undefined | { kind: "io"; size: number; onMap: (b: number) => void })[] = [];
  bars[PIIX3_IDE_PCI.busMasterBar] = {
    kind: "io",
    size: PIIX3_IDE_PCI.busMasterSize,
    onMap: (base) => ide.mapBusMaster(base),
  };
  bus.register(1, 1, {
    vendorId: PIIX3_IDE_PCI.vendorId,
    deviceId: PIIX3_IDE_PCI.deviceId,
    classCode: PIIX3_IDE_PCI.classCode,
    subclass: PIIX3_IDE_PCI.subclass,
    progIf: PIIX3_IDE_PCI.progIf,
    bars,
  });
  let powerOff = 0;
  const pm = new Piix4Pm({ onPowerOff: () => powerOff++ });
  bus.register(1, 3, { ...PIIX4_PM_PCI, deviceSpecific: pm.pciConfig });
  for (const d of [bus, isa, ide, pm]) d.attach(context);
  for (const d of [bus, isa, ide, pm]) d.reset("power-on");
  const cfg = (bdf: number, offset: number) => (0x8000_0000 | (bdf << 8) | (offset & 0xfc)) >>> 0;
  const readl = (bdf: number, offset: number) => {
    context.io.out(0xcf8, cfg(bdf, offset), 4);
    return context.io.in(0xcfc, 4);
  };
  const writel = (bdf: number, offset: number, v: number) => {
    context.io.out(0xcf8, cfg(bdf, offset), 4);
    context.io.out(0xcfc, v, 4);
  };
  const writeb = (bdf: number, offset: number, v: number) => {
    context.io.out(0xcf8, cfg(bdf, offset), 4);
    context.io.out(0xcfc + (offset & 3), v, 1);
  };
  return { context, readl, writel, writeb, powerOff: () => powerOff };
}

describe("a PIIX board enumerated like SeaBIOS", () => {
  it("finds 00:00.0, 00:01.0, 00:01.1 and 00:01.3 and nothing else", () => {
    const { readl } = board();
    const found: string[] = [];
    for (let dev = 0; dev < 32; dev++) {
      for (let fn = 0; fn < 8; fn++) {
        const bdf = (dev << 3) | fn;
        const id = readl(bdf, 0);
        if ((id & 0xffff) === 0xffff) {
          if (fn === 0) break;
          continue;
        }
        found.push(`${dev}.${fn} ${id.toString(16)}`);
        // Only function 0 with header bit 7 has more functions.
        if (fn === 0 && ((readl(bdf, 0x0c) >>> 16) & 0x80) === 0) break;
      }
    }
    expect(found).toEqual(["0.0 12378086", "1.0 70008086", "1.1 70108086", "1.3 71138086"]);
  });

  it("sizes and maps the IDE bus-master BAR onto the IDE device's ports", () => {
    const { readl, writel, context } = board();
    const bdf = (1 << 3) | 1;
    writel(bdf, 0x20, 0xffff_ffff);
    const val = readl(bdf, 0x20);
    expect((~(val & ~3) + 1) >>> 0).toBe(16);
    writel(bdf, 0x20, 0xc000 | 1);
    writel(bdf, 0x04, 0x0005); // I/O + bus master
    expect(context.io.ownerOf(0xc000)).toBe("piix-ide-bus-master");
    expect(context.io.in(0xc002, 1) & 0x01).toBe(0); // BMIDE status: not active
  });

  it("programs the PM block as SeaBIOS does and powers off through PM1a_CNT", () => {
    const { writel, writeb, readl, context, powerOff } = board();
    const bdf = (1 << 3) | 3;
    writeb(bdf, 0x3c, 9);
    writel(bdf, 0x40, 0x601);
    writeb(bdf, 0x80, 0x01);
    expect(readl(bdf, 0x3c) & 0xffff).toBe(0x0109);
    expect(readl(bdf, 0x08) >>> 8).toBe(0x06_80_00);
    context.advance(1_000_000);
    expect(context.io.in(0x608, 4)).toBe(3579);
    context.io.out(0x604, 0x2000, 2);
    expect(powerOff()).toBe(1);
  });
});
