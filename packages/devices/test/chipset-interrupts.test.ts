// The i8042, PIIX3 PIRQ router, local APIC and IOAPIC driving the real 8259A pair, as a
// board wires them: each keyboard byte is one IRQ 1 edge taken through INTA/EOI (what
// Linux's i8042 interrupt handler sees), PCI INTx reaches the PIC as a level on the routed
// IRQ (ELCR set), and the APIC passes the PIC through LINT0 in ExtINT mode.
import type { DeviceContext } from "@ringvm/bus";
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { LocalApic } from "@ringvm/devices/apic";
import { I8042 } from "@ringvm/devices/i8042";
import { PciBus, Piix3IsaBridge } from "@ringvm/devices/pci";
import { I8259Pic } from "@ringvm/devices/pic";
import { describe, expect, it } from "vitest";

function board() {
  const fake = new FakeDeviceContext();
  const pic = new I8259Pic();
  const context: DeviceContext = {
    io: fake.io,
    irq: (n) => pic.line(n),
    clock: fake.clock,
    scheduler: fake.scheduler,
    log: fake.log,
  };
  pic.attach(context);
  pic.reset("power-on");
  const io = fake.io;
  // ICW1-4 as the PC BIOS: edge, cascade, vectors 08h/70h, 8086 mode; all unmasked.
  for (const [port, value] of [
    [0x20, 0x11],
    [0x21, 0x08],
    [0x21, 0x04],
    [0x21, 0x01],
    [0xa0, 0x11],
    [0xa1, 0x70],
    [0xa1, 0x02],
    [0xa1, 0x01],
    [0x21, 0x00],
    [0xa1, 0x00],
  ] as const)
    io.out(port, value);
  const eoi = (irq: number) => {
    if (irq >= 8) io.out(0xa0, 0x20);
    io.out(0x20, 0x20);
  };
  return { fake, pic, context, io, eoi };
}

describe("i8042 -> 8259A", () => {
  it("each byte of a keyboard reply is its own IRQ 1 (vector 09h)", () => {
    const { pic, context, io, eoi } = board();
    const kbc = new I8042();
    kbc.attach(context);
    kbc.reset("power-on");
    io.out(0x64, 0x60);
    io.out(0x60, 0x01); // keyboard interrupt on, no translation
    io.out(0x60, 0xf2); // identify: FA AB 83
    const got: number[] = [];
    for (let i = 0; i < 5 && pic.hasInterrupt(); i++) {
      expect(pic.acknowledge()).toBe(0x09);
      got.push(io.in(0x60)); // the handler reads one byte, then EOI
      eoi(1);
    }
    expect(got).toEqual([0xfa, 0xab, 0x83]);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("mouse bytes arrive on IRQ 12 (vector 74h) through the cascade", () => {
    const { pic, context, io, eoi } = board();
    const kbc = new I8042();
    kbc.attach(context);
    kbc.reset("power-on");
    io.out(0x64, 0x60);
    io.out(0x60, 0x03);
    io.out(0x64, 0xd4);
    io.out(0x60, 0xf2); // FA 00
    const got: number[] = [];
    for (let i = 0; i < 4 && pic.hasInterrupt(); i++) {
      expect(pic.acknowledge()).toBe(0x74);
      got.push(io.in(0x60));
      eoi(12);
    }
    expect(got).toEqual([0xfa, 0x00]);
  });
});

describe("PIIX3 PIRQ routing -> 8259A", () => {
  it("a PCI INTx routed to IRQ 11 with ELCR level stays pending until the device lowers it", () => {
    const { pic, context, io, eoi } = board();
    const pci = new PciBus();
    const isa = new Piix3IsaBridge(pci);
    const nic = pci.register(3, 0, {
      vendorId: 1,
      deviceId: 2,
      classCode: 2,
      subclass: 0,
      interruptPin: 1,
    });
    pci.attach(context);
    isa.attach(context);
    io.out(0x4d1, 0x0c); // ELCR: IRQ 10 and 11 level, as SeaBIOS leaves it
    pci.writeConfig(1, 0, 0x60, 4, 0x0b0b_0a0a); // 00:03.0 INTA -> PIRQC -> IRQ 11
    nic.intx.raise();
    expect(pic.acknowledge()).toBe(0x73);
    eoi(11);
    expect(pic.hasInterrupt()).toBe(true); // level still asserted
    expect(pic.acknowledge()).toBe(0x73);
    nic.intx.lower();
    eoi(11);
    expect(pic.hasInterrupt()).toBe(false);
  });
});

describe("local APIC in front of the 8259A", () => {
  it("passes PIC vectors through LINT0 ExtINT and takes its own vectors first", () => {
    const { pic, fake, eoi } = board();
    const apic = new LocalApic({ extInt: pic });
    apic.attach(fake);
    apic.reset("power-on");
    fake.io.writeMmio(0xfee0_00f0, 0x1ff, 4); // enable
    fake.io.writeMmio(0xfee0_0350, 0x8700, 4); // LINT0 ExtINT (SeaBIOS)
    pic.line(4).raise();
    fake.io.writeMmio(0xfee0_0300, 0x4_0041, 4); // self IPI 41h
    expect(apic.acknowledge()).toBe(0x41);
    fake.io.writeMmio(0xfee0_00b0, 0, 4);
    expect(apic.acknowledge()).toBe(0x0c); // COM1's IRQ 4 from the PIC
    eoi(4);
    pic.line(4).lower();
    expect(apic.hasInterrupt()).toBe(false);
  });
});
