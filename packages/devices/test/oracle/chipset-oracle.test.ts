// Replays the port I/O and MMIO sequence of chipset-ops.mjs on RingVM's PCI bus (i440FX,
// PIIX3 ISA, PIIX3 IDE function, PIIX4 PM), i8042, local APIC and IOAPIC, and compares every IN with what QEMU 7.2
// (`-M pc`, from reset, no firmware) returned for the same sequence (chipset.expected,
// recorded by build.mjs). Where RingVM follows the datasheet instead of QEMU, `deviation`
// names the bits left out of the comparison and the reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Width } from "@ringvm/bus";
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { Piix4Pm, PIIX4_PM_PCI } from "@ringvm/devices/acpi";
import { LocalApic } from "@ringvm/devices/apic";
import { PiixIde, PIIX3_IDE_PCI } from "@ringvm/devices/ata";
import { I8042 } from "@ringvm/devices/i8042";
import { IoApic } from "@ringvm/devices/ioapic";
import { I440fxHostBridge, PciBus, Piix3IsaBridge } from "@ringvm/devices/pci";
import type { PciBarSpec } from "@ringvm/devices/pci";
import { describe, expect, it } from "vitest";
import ops from "./chipset-ops.mjs";

/**
 * Where RingVM answers differently on purpose: the bits it does not compare and why.
 * Everything else must match QEMU bit for bit.
 */
function deviation(port: number, note: string): { ignore: number; why: string } | undefined {
  if (port === 0x64)
    return {
      ignore: 0x0c,
      why: "8042 status: SYS follows command byte bit 2 and A2 the last port written (IBM AT TR); QEMU keeps both",
    };
  const byNote: Record<string, { ignore: number; why: string }> = {
    "CONFIG_ADDRESS reserved bits": {
      ignore: 0x7f00_0003,
      why: "PCI 2.1 3.7.4.1: bits 30:24 and 1:0 read as 0; QEMU stores them",
    },
    "PMBA writable bits": { ignore: 0xffff_003e, why: "82371AB: PMBA decodes bits 15:6 only" },
    "PMSTS power-on": {
      ignore: 0x0001,
      why: "QEMU reports TMROF_STS from a zero overflow time at power-on; RingVM on the first bit 23 toggle",
    },
    "PMEN writable bits": {
      ignore: 0xfade,
      why: "82371AB: PMEN implements TMROF, GBL, PWRBTN, RTC",
    },
    "mouse resolution": {
      ignore: 0xff,
      why: "PS/2 reference: power-on/reset resolution is 4 counts/mm (02h); QEMU starts at 0",
    },
    "output port after D1h DDh": {
      ignore: 0x30,
      why: "output port bits 4/5 are the IRQ outputs (OBF); QEMU echoes the written byte",
    },
    "power-on b:58": {
      ignore: 1 << 25,
      why: "DEVACTB.APMC_EN preset: there is no SMM, so SeaBIOS must skip SMM relocation",
    },
    "power-on b:90": {
      ignore: 0xffff_fff0,
      why: "SMBus base: QEMU places its SMBus at B100h; none here",
    },
    "power-on b:d0": { ignore: 0x00ff_0000, why: "SMBHSTCFG: QEMU enables its SMBus; none here" },
  };
  const reservedLvt = {
    ignore: 0xfffe_5800,
    why: "SDM 10.5.1: reserved LVT bits and RO delivery status/remote IRR read 0; QEMU stores them",
  };
  byNote["LVT 320 writable bits"] = { ...reservedLvt, ignore: 0xfff8_ff00 };
  byNote["LVT 350 writable bits"] = reservedLvt;
  byNote["LVT 360 writable bits"] = reservedLvt;
  byNote["LVT 370 writable bits"] = { ...reservedLvt, ignore: 0xfffe_ff00 };
  byNote["ESR after send illegal vector"] = {
    ignore: 0x20,
    why: "SDM 10.5.3: a fixed IPI with vector < 16 sets 'send illegal vector'; QEMU does not",
  };
  byNote["IOAPIC version"] = {
    ignore: 0xff,
    why: "82093AA version 11h; QEMU reports the ICH's 20h (with an EOI register RingVM lacks)",
  };
  byNote["RTE 1 low writable bits"] = {
    ignore: 0xfffe_0000,
    why: "82093AA 3.2.4: bits 55:17 are reserved (read 0); QEMU stores them",
  };
  byNote["RTE 1 high writable bits"] = {
    ignore: 0x00ff_ffff,
    why: "82093AA 3.2.4: only bits 63:56 (destination) exist",
  };
  for (const bdf of ["0", "8", "9", "b"])
    byNote[`cfg ${bdf}:2c`] = {
      ignore: 0xffff_ffff,
      why: "subsystem IDs: QEMU's 1AF4:1100; the Intel parts report 0",
    };
  return byNote[note];
}

function board(): FakeDeviceContext {
  const context = new FakeDeviceContext();
  const pci = new PciBus();
  new I440fxHostBridge(pci, { ramBytes: 32 << 20 }); // QEMU ran with -m 32
  const isa = new Piix3IsaBridge(pci);
  const ide = new PiixIde();
  const bars: (PciBarSpec | undefined)[] = [];
  bars[PIIX3_IDE_PCI.busMasterBar] = {
    kind: "io",
    size: PIIX3_IDE_PCI.busMasterSize,
    onMap: (base) => ide.mapBusMaster(base),
  };
  pci.register(1, 1, {
    vendorId: PIIX3_IDE_PCI.vendorId,
    deviceId: PIIX3_IDE_PCI.deviceId,
    classCode: PIIX3_IDE_PCI.classCode,
    subclass: PIIX3_IDE_PCI.subclass,
    progIf: PIIX3_IDE_PCI.progIf,
    bars,
  });
  const pm = new Piix4Pm();
  pci.register(1, 3, { ...PIIX4_PM_PCI, deviceSpecific: pm.pciConfig });
  const kbc = new I8042();
  const apic = new LocalApic();
  const ioapic = new IoApic({ deliver: (v, mode, level) => apic.deliver(v, mode, level) });
  for (const d of [pci, isa, ide, pm, kbc, apic, ioapic]) {
    d.attach(context);
    d.reset("power-on");
  }
  return context;
}

describe("chipset vs QEMU 7.2 (-M pc) port I/O trace", () => {
  const expected = readFileSync(join(import.meta.dirname, "chipset.expected"));
  const context = board();
  const rows: { note: string; want: string; got: string; why?: string }[] = [];
  let at = 0;
  for (const op of ops) {
    if (op.op === "out") {
      context.io.out(op.port, op.value ?? 0, op.width as Width);
      continue;
    }
    if (op.op === "write") {
      context.io.writeMmio(op.port, op.value ?? 0, 4);
      continue;
    }
    const value =
      op.op === "read"
        ? context.io.readMmio(op.port, 4)
        : context.io.in(op.port, op.width as Width);
    let want = 0;
    for (let i = 0; i < op.width; i++) want |= (expected[at + i] ?? 0) << (8 * i);
    at += op.width;
    const digits = op.width * 2;
    const skip = deviation(op.port, op.note ?? "");
    const keep = ~(skip?.ignore ?? 0);
    rows.push({
      note: `${op.note ?? "in"} (port ${op.port.toString(16)}h, #${rows.length})`,
      want: ((want & keep) >>> 0).toString(16).padStart(digits, "0"),
      got: ((value & keep) >>> 0).toString(16).padStart(digits, "0"),
      ...(skip === undefined ? {} : { why: skip.why }),
    });
  }

  it("reads every byte QEMU recorded", () => {
    expect(at).toBe(expected.length);
    expect(rows.length).toBeGreaterThan(250);
  });

  it("answers as QEMU does, except the listed datasheet deviations", () => {
    expect(rows.filter((r) => r.want !== r.got)).toEqual([]);
  });
});
