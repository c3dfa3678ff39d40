// Conformance of the local APIC and the IOAPIC, and the two wired as a board wires them:
// IOAPIC messages into the local APIC, the local APIC's level EOI broadcast back (SDM vol.
// 3A 10.8.5 "Signaling interrupt servicing completion"; 82093AA 3.2.4 remote IRR).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { LocalApic } from "@ringvm/devices/apic";
import { IoApic } from "@ringvm/devices/ioapic";
import { describe, expect, it } from "vitest";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  create: () => new LocalApic(),
  exercise: (_apic, board) => {
    board.io.writeMmio(0xfee0_00f0, 0x1ff, 4);
    board.io.writeMmio(0xfee0_0320, 0x2_0040, 4);
    board.io.writeMmio(0xfee0_03e0, 0x3, 4);
    board.io.writeMmio(0xfee0_0380, 100_000, 4);
    board.io.writeMmio(0xfee0_0300, 0x4_0061, 4);
  },
  probe: (apic, board) => [
    board.io.readMmio(0xfee0_0390, 4),
    board.io.readMmio(0xfee0_0220, 4),
    apic.hasInterrupt(),
    board.scheduler.fired.length,
  ],
});

describeDeviceConformance({
  create: () => new IoApic(),
  // Input pin levels are wires other devices drive; a reset of the IOAPIC keeps them.
  resetRestoresFresh: false,
  exercise: (io, board) => {
    board.io.writeMmio(0xfec0_0000, 0x12, 4);
    board.io.writeMmio(0xfec0_0010, 0x8031, 4);
    io.input(1).raise();
  },
  probe: (_io, board) => {
    board.io.writeMmio(0xfec0_0000, 0x12, 4);
    return board.io.readMmio(0xfec0_0010, 4);
  },
});

describe("IOAPIC -> local APIC -> EOI broadcast", () => {
  it("a level interrupt is taken once per EOI while its line stays high", () => {
    const context = new FakeDeviceContext();
    const board = { io: undefined as IoApic | undefined };
    const apic = new LocalApic({ onEoi: (v) => board.io?.eoi(v) });
    const io = new IoApic({
      deliver: (vector, mode, isLevel) => apic.deliver(vector, mode, isLevel),
    });
    board.io = io;
    apic.attach(context);
    io.attach(context);
    context.io.writeMmio(0xfee0_00f0, 0x1ff, 4);
    context.io.writeMmio(0xfec0_0000, 0x10 + 2 * 11, 4);
    context.io.writeMmio(0xfec0_0010, 0xa0b1, 4); // level, active low (stored), vector B1h
    io.input(11).raise();
    expect(apic.acknowledge()).toBe(0xb1);
    expect(apic.hasInterrupt()).toBe(false);
    context.io.writeMmio(0xfee0_00b0, 0, 4); // EOI: broadcast, line still high
    expect(apic.acknowledge()).toBe(0xb1);
    io.input(11).lower();
    context.io.writeMmio(0xfee0_00b0, 0, 4);
    expect(apic.hasInterrupt()).toBe(false);
  });
});
