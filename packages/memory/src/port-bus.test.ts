// Port-I/O bus: dense dispatch, widths and ISA-style splitting, overlap refusal, unclaimed
// ports. Expected values follow the PC's bus behaviour: an unclaimed port floats high and
// reads 0xFF per byte (Bochs and v86 default handlers, the ISA bus pull-ups); an 8-bit ISA
// device sees a 16-bit access as two byte cycles, low byte first.
import type { Logger, PortIoHandler, Width } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { PortBus } from "./port-bus";

function recorder(
  readValue = (port: number, width: Width) => (port & 0xff) * (width === 1 ? 1 : 0x0101),
) {
  const log: string[] = [];
  const h: PortIoHandler = {
    read: (port, width) => (
      log.push(`in${width * 8} ${port.toString(16)}`),
      readValue(port, width)
    ),
    write: (port, width, value) =>
      void log.push(`out${width * 8} ${port.toString(16)}=${value.toString(16)}`),
  };
  return { h, log };
}
function logger() {
  const lines: string[] = [];
  const log: Logger = { debug: (m) => lines.push(m), warn: (m) => lines.push(m) };
  return { log, lines };
}

describe("PortBus", () => {
  it("dispatches 8/16/32-bit accesses to a device that decodes those widths", () => {
    const bus = new PortBus();
    const { h, log } = recorder(() => 0x1234_5678);
    bus.registerPorts(0xcf8, 8, h, { owner: "pci", widths: [1, 2, 4] });
    expect(bus.in32(0xcfc)).toBe(0x1234_5678);
    expect(bus.in16(0xcfe)).toBe(0x5678);
    expect(bus.in8(0xcfd)).toBe(0x78);
    bus.out32(0xcf8, 0x8000_0000);
    bus.out16(0xcfc, 0x1_abcd);
    expect(log).toEqual([
      "in32 cfc",
      "in16 cfe",
      "in8 cfd",
      "out32 cf8=80000000",
      "out16 cfc=abcd",
    ]);
  });

  it("splits wide accesses to a byte-only device into byte accesses, low port first", () => {
    const bus = new PortBus();
    const { h, log } = recorder();
    bus.registerPorts(0x70, 2, h, { owner: "cmos", widths: [1] });
    expect(bus.in16(0x70)).toBe(0x7170);
    bus.out16(0x70, 0x0a8f);
    expect(log).toEqual(["in8 70", "in8 71", "out8 70=8f", "out8 71=a"]);
  });

  it("splits a 32-bit access to a 16-bit device into two 16-bit accesses", () => {
    const bus = new PortBus();
    const { h, log } = recorder((port) => port);
    bus.registerPorts(0x1f0, 4, h, { owner: "ide", widths: [1, 2] });
    expect(bus.in32(0x1f0)).toBe(0x01f2_01f0);
    bus.out32(0x1f0, 0xaaaa_bbbb);
    expect(log).toEqual(["in16 1f0", "in16 1f2", "out16 1f0=bbbb", "out16 1f2=aaaa"]);
  });

  it("a split access is routed byte by byte to each port's owner", () => {
    const bus = new PortBus();
    const a = recorder(() => 0x11);
    const b = recorder(() => 0x22);
    bus.registerPorts(0x60, 1, a.h, { owner: "kbd", widths: [1] });
    bus.registerPorts(0x61, 1, b.h, { owner: "sysctl", widths: [1] });
    expect(bus.in16(0x60)).toBe(0x2211);
    expect(bus.in32(0x60)).toBe(0xffff_2211); // 0x62-0x63 unclaimed: all ones
  });

  it("unclaimed ports read all ones, writes are dropped, each port is logged once", () => {
    const { log, lines } = logger();
    const bus = new PortBus({ log });
    expect(bus.in8(0x80)).toBe(0xff);
    expect(bus.in8(0x80)).toBe(0xff);
    expect(bus.in16(0x2f8)).toBe(0xffff);
    expect(bus.in32(0x500)).toBe(0xffff_ffff);
    bus.out8(0x80, 1);
    expect(lines.filter((l) => l.includes("0x80:"))).toHaveLength(1);
    expect(lines.some((l) => l.includes("0x2f9"))).toBe(true);
  });

  it("an 8-bit access to a 32-bit-only register is not decoded by it", () => {
    const { log, lines } = logger();
    const bus = new PortBus({ log });
    const { h, log: calls } = recorder();
    bus.registerPorts(0xcf8, 4, h, { owner: "pci-addr", widths: [4] });
    expect(bus.in8(0xcf9)).toBe(0xff);
    expect(calls).toEqual([]);
    expect(lines[0]).toContain("'pci-addr' does not decode 8-bit");
  });

  it("refuses overlapping registrations and names both owners", () => {
    const bus = new PortBus();
    bus.registerPorts(0x3f8, 8, recorder().h, { owner: "uart0", widths: [1] });
    expect(() => bus.registerPorts(0x3fc, 8, recorder().h, { owner: "lpt", widths: [1] })).toThrow(
      /'lpt' ports 0x3fc-0x403 overlap 'uart0' ports 0x3f8-0x3ff at 0x3fc/,
    );
    expect(bus.ownerOf(0x400)).toBeUndefined();
  });

  it("rejects ranges outside 0-0xFFFF and empty width lists", () => {
    const bus = new PortBus();
    expect(() =>
      bus.registerPorts(0xfff0, 0x20, recorder().h, { owner: "x", widths: [1] }),
    ).toThrow(RangeError);
    expect(() => bus.registerPorts(0x10, 1, recorder().h, { owner: "x", widths: [] })).toThrow(
      RangeError,
    );
  });

  it("disposing a registration frees its ports", () => {
    const bus = new PortBus();
    const reg = bus.registerPorts(0x40, 4, recorder().h, { owner: "pit", widths: [1] });
    expect(bus.in8(0x40)).toBe(0x40);
    reg[Symbol.dispose]();
    expect(bus.in8(0x40)).toBe(0xff);
    bus.registerPorts(0x40, 4, recorder().h, { owner: "pit2", widths: [1] });
    expect(bus.ownerOf(0x43)).toBe("pit2");
  });

  it("port numbers wrap at 16 bits for the upper bytes of a split access", () => {
    const bus = new PortBus();
    const { h, log } = recorder(() => 0x5a);
    bus.registerPorts(0, 1, h, { owner: "zero", widths: [1] });
    expect(bus.in16(0xffff)).toBe(0x5aff);
    expect(log).toEqual(["in8 0"]);
  });
});
