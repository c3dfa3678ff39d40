import { describe, expect, it } from "vitest";
import { FakeDeviceContext, FakeIoBus, FakeIrqLine, ManualClock, ManualScheduler } from "./index";

describe("FakeIoBus", () => {
  it("routes IN/OUT to the registered handler and records accesses", () => {
    const bus = new FakeIoBus();
    let last = -1;
    bus.registerPorts(
      0x40,
      4,
      { read: (p) => p & 0xff, write: (_p, _w, v) => (last = v) },
      { owner: "a", widths: [1] },
    );
    expect(bus.in(0x41)).toBe(0x41);
    bus.out(0x42, 0x1234);
    expect(last).toBe(0x34);
    expect(bus.accesses).toEqual([
      { kind: "in", address: 0x41, width: 1, value: 0x41, isClaimed: true },
      { kind: "out", address: 0x42, width: 1, value: 0x34, isClaimed: true },
    ]);
  });

  it("throws on overlap naming both owners, and frees ports on dispose", () => {
    const bus = new FakeIoBus();
    const h = { read: () => 0, write: () => {} };
    const d = bus.registerPorts(0x60, 1, h, { owner: "kbc", widths: [1] });
    expect(() => bus.registerPorts(0x5f, 2, h, { owner: "other", widths: [1] })).toThrow(
      /other overlaps kbc/,
    );
    d[Symbol.dispose]();
    expect(() => bus.registerPorts(0x60, 1, h, { owner: "other", widths: [1] })).not.toThrow();
  });

  it("splits undeclared widths into bytes and returns open bus for unclaimed ports", () => {
    const bus = new FakeIoBus();
    const writes: [number, number][] = [];
    bus.registerPorts(
      0x70,
      2,
      { read: (p) => p - 0x60, write: (p, _w, v) => writes.push([p, v]) },
      { owner: "rtc", widths: [1] },
    );
    expect(bus.in(0x70, 2)).toBe(0x1110);
    expect(bus.in(0x71, 4)).toBe(0xffffff11);
    bus.out(0x70, 0xabcd, 2);
    expect(writes).toEqual([
      [0x70, 0xcd],
      [0x71, 0xab],
    ]);
    expect(bus.in(0x1234, 4)).toBe(0xffffffff);
  });

  it("maps MMIO with offsets relative to the base", () => {
    const bus = new FakeIoBus();
    const seen: number[] = [];
    bus.mapMmio(
      0xfee00000,
      0x1000,
      { read: (o) => o, write: (o, _w, v) => seen.push(o, v) },
      { owner: "apic" },
    );
    expect(bus.readMmio(0xfee00020)).toBe(0x20);
    bus.writeMmio(0xfee000b0, 0);
    expect(seen).toEqual([0xb0, 0]);
    expect(bus.readMmio(0xfec00000)).toBe(0xffffffff);
    expect(() =>
      bus.mapMmio(0xfee00000, 0x1000, { read: () => 0, write: () => {} }, { owner: "x" }),
    ).toThrow(/x overlaps apic/);
  });
});

describe("ManualScheduler", () => {
  it("fires due events in time order with the clock at the event time", () => {
    const clock = new ManualClock(100);
    const s = new ManualScheduler(clock);
    const order: [string, number, number][] = [];
    s.schedule(300, (now) => order.push(["b", now, clock.now()]));
    s.schedule(200, (now) => {
      order.push(["a", now, clock.now()]);
      s.schedule(250, (n) => order.push(["a2", n, clock.now()]));
    });
    s.schedule(300, (now) => order.push(["c", now, clock.now()]));
    const cancelled = s.schedule(260, () => order.push(["x", 0, 0]));
    cancelled.cancel();
    s.advance(150);
    expect(order).toEqual([
      ["a", 200, 200],
      ["a2", 250, 250],
    ]);
    expect(clock.now()).toBe(250);
    s.advanceTo(1000);
    expect(order.map((o) => o[0])).toEqual(["a", "a2", "b", "c"]);
    expect(clock.now()).toBe(1000);
    expect(s.pending).toBe(0);
  });

  it("fires past events at the next advance, not inside schedule", () => {
    const s = new ManualScheduler(new ManualClock(500));
    let at = -1;
    s.schedule(10, (now) => (at = now));
    expect(at).toBe(-1);
    s.runDue();
    expect(at).toBe(500);
  });
});

describe("FakeIrqLine and FakeDeviceContext", () => {
  it("records raise/lower with times and counts rising edges", () => {
    const ctx = new FakeDeviceContext({ startNs: 5 });
    const line = ctx.irq(4);
    expect(ctx.irqLine(4)).toBe(line);
    line.raise();
    line.raise();
    ctx.advance(10);
    line.lower();
    line.raise();
    expect(line.risingEdges).toBe(2);
    expect(line.edgeTimes).toEqual([5, 15]);
    expect(line.isHigh).toBe(true);
    expect(line.history.map((e) => e.kind)).toEqual(["raise", "raise", "lower", "raise"]);
    expect(new FakeIrqLine().isHigh).toBe(false);
  });
});
