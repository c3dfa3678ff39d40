// 82093AA I/O APIC behaviour (82093AA datasheet: 3.1 IOREGSEL/IOWIN, 3.2.1 IOAPICID,
// 3.2.2 IOAPICVER, 3.2.4 redirection table: edge and level triggering, mask, remote IRR,
// delivery status; 2.4 EOI handling of level-triggered interrupts).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { IoApic } from "./index";

const BASE = 0xfec0_0000;

function setup() {
  const context = new FakeDeviceContext();
  const sent: [number, number, boolean, number, boolean][] = [];
  const io = new IoApic({ deliver: (...m) => sent.push(m) });
  io.attach(context);
  io.reset("power-on");
  const rd = (index: number) => {
    context.io.writeMmio(BASE, index, 4);
    return context.io.readMmio(BASE + 0x10, 4);
  };
  const wr = (index: number, value: number) => {
    context.io.writeMmio(BASE, index, 4);
    context.io.writeMmio(BASE + 0x10, value, 4);
  };
  const route = (pin: number, low: number, dest = 0) => {
    wr(0x11 + 2 * pin, dest << 24);
    wr(0x10 + 2 * pin, low);
  };
  return { context, io, sent, rd, wr, route };
}

describe("identification (82093AA 3.2.1-3.2.3)", () => {
  it("version 11h with 24 entries; ID bits 27:24 are read/write", () => {
    const { rd, wr, context } = setup();
    expect(rd(0x01)).toBe(0x0017_0011);
    expect(rd(0x00)).toBe(0);
    wr(0x00, 0xffff_ffff);
    expect(rd(0x00)).toBe(0x0f00_0000);
    expect(rd(0x02)).toBe(0x0f00_0000);
    context.io.writeMmio(BASE, 0x01, 4);
    expect(context.io.readMmio(BASE, 4)).toBe(0x01); // IOREGSEL reads back
  });

  it("redirection entries power on masked; reserved and read-only bits read 0", () => {
    const { rd, wr } = setup();
    for (let pin = 0; pin < 24; pin++) expect(rd(0x10 + 2 * pin)).toBe(0x1_0000);
    wr(0x10, 0xffff_ffff);
    expect(rd(0x10)).toBe(0x1_afff);
    wr(0x11, 0xffff_ffff);
    expect(rd(0x11)).toBe(0xff00_0000);
  });
});

describe("edge-triggered entries", () => {
  it("deliver once per rising edge with vector, mode and destination", () => {
    const { io, sent, route } = setup();
    route(4, 0x0000_0034, 0x01);
    io.input(4).raise();
    io.input(4).raise();
    io.input(4).lower();
    io.input(4).raise();
    expect(sent).toEqual([
      [0x34, 0, false, 1, false],
      [0x34, 0, false, 1, false],
    ]);
  });

  it("an edge on a masked entry is lost, not held", () => {
    const { io, sent, route } = setup();
    route(1, 0x1_0031);
    io.input(1).raise();
    route(1, 0x0_0031);
    expect(sent).toEqual([]);
  });

  it("delivery mode and logical destination travel in the message", () => {
    const { io, sent, route } = setup();
    route(0, 0x0000_0f00 | 0x30, 0xff); // ExtINT (7), logical
    io.input(0).raise();
    expect(sent).toEqual([[0x30, 7, false, 0xff, true]]);
  });
});

describe("level-triggered entries and remote IRR (82093AA 3.2.4)", () => {
  it("deliver, set remote IRR, and wait for the EOI before delivering again", () => {
    const { io, sent, route, rd } = setup();
    route(9, 0x0000_8041);
    io.input(9).raise();
    expect(sent.length).toBe(1);
    expect(rd(0x10 + 18) & 0x4000).toBe(0x4000);
    io.input(9).lower();
    io.input(9).raise();
    expect(sent.length).toBe(1);
    io.eoi(0x41);
    expect(sent.length).toBe(2); // still asserted: delivered again
    io.input(9).lower();
    io.eoi(0x41);
    expect(rd(0x10 + 18) & 0x4000).toBe(0);
    expect(sent.length).toBe(2);
  });

  it("an EOI for another vector leaves remote IRR set", () => {
    const { io, route, rd } = setup();
    route(11, 0x0000_8042);
    io.input(11).raise();
    io.eoi(0x43);
    expect(rd(0x10 + 22) & 0x4000).toBe(0x4000);
  });

  it("unmasking an asserted level input delivers it", () => {
    const { io, sent, route } = setup();
    route(10, 0x1_8050);
    io.input(10).raise();
    expect(sent).toEqual([]);
    route(10, 0x0_8050);
    expect(sent).toEqual([[0x50, 0, true, 0, false]]);
  });

  it("software cannot set remote IRR or delivery status", () => {
    const { route, rd } = setup();
    route(3, 0x0000_d060);
    expect(rd(0x10 + 6)).toBe(0x0000_8060);
  });
});

describe("bad input", () => {
  it("narrow IOWIN writes, indexes past the table and stray offsets do not throw", () => {
    const { context, rd } = setup();
    expect(() => {
      context.io.writeMmio(BASE, 0x60, 4);
      context.io.writeMmio(BASE + 0x10, 1, 4);
      context.io.writeMmio(BASE + 0x10, 1, 1);
      context.io.writeMmio(BASE + 0x20, 1, 4);
    }).not.toThrow();
    expect(rd(0x60)).toBe(0);
  });
});
