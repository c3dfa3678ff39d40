// The conformance suite every device runs (STYLE.md b7.3): registration without overlap,
// power-on reset defaults, JSON-serializable state and a save/load round trip that gives
// identical state and identical behaviour, and no host exception at any access width.
import type { Device, Width } from "@ringvm/bus";
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";

/** How the suite builds and drives one device. */
export interface DeviceConformanceOptions<D extends Device = Device> {
  /** Suite title (defaults to the device's name). */
  readonly name?: string;
  /** A new, unattached device. */
  create(): D;
  /** Puts the device in a non-trivial state through its ports (and host API). */
  exercise?(device: D, context: FakeDeviceContext): void;
  /**
   * Reads that show the device's behaviour; run on the original and on the restored copy
   * and compared. Default: a byte read of every registered port.
   */
  probe?(device: D, context: FakeDeviceContext): unknown;
  /** Virtual time advanced after restore, before probing (default 10 ms). */
  readonly advanceNs?: number;
  /**
   * False for state a power-on reset keeps (battery-backed CMOS): then the suite only
   * checks that reset is idempotent, not that it returns to a fresh device's state.
   */
  readonly resetRestoresFresh?: boolean;
  /** Ports not to touch in the width test (e.g. a reset port whose callback ends the test). */
  readonly skipPorts?: readonly number[];
}

const WIDTHS: readonly Width[] = [1, 2, 4];

function attachFresh<D extends Device>(
  options: DeviceConformanceOptions<D>,
  startNs = 0,
): { device: D; context: FakeDeviceContext } {
  const context = new FakeDeviceContext({ startNs, memoryBytes: 1 << 16 });
  const device = options.create();
  device.attach(context);
  device.reset("power-on");
  return { device, context };
}

function defaultProbe(_device: Device, context: FakeDeviceContext): unknown {
  return context.io.claimedPorts().map((p) => [p, context.io.in(p, 1)]);
}

function irqSummary(context: FakeDeviceContext): unknown {
  return [...context.lines.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, line]) => [n, line.isHigh, line.edgeTimes]);
}

function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** Registers the shared conformance tests for a device. */
export function describeDeviceConformance<D extends Device>(
  options: DeviceConformanceOptions<D>,
): void {
  const title = options.name ?? options.create().name;
  const advanceNs = options.advanceNs ?? 10_000_000;
  const probe = options.probe ?? defaultProbe;

  describe(`${title}: device conformance`, () => {
    it("declares specification v1 and a name", () => {
      const device = options.create();
      expect(device.specificationVersion).toBe("v1");
      expect(device.name.length).toBeGreaterThan(0);
    });

    it("attach registers ports/MMIO without overlapping itself, with declared widths", () => {
      const { context } = attachFresh(options);
      for (const r of context.io.registrations) {
        expect(r.count).toBeGreaterThan(0);
        expect(r.widths.length).toBeGreaterThan(0);
        for (const w of r.widths) expect(WIDTHS).toContain(w);
      }
      // The fake bus throws on overlap; a second device on the same bus must collide.
      const again = options.create();
      if (context.io.registrations.length > 0)
        expect(() => again.attach(new FakeDeviceContext({ io: context.io }))).toThrow(/overlaps/);
    });

    it("power-on reset is idempotent and returns to the fresh state", () => {
      const { device, context } = attachFresh(options);
      options.exercise?.(device, context);
      // A fresh device powered on at the same virtual time (states may hold times).
      const fresh = attachFresh(options, context.now);
      const freshState = jsonCopy(fresh.device.saveState?.());
      device.reset("power-on");
      const once = jsonCopy(device.saveState?.());
      device.reset("power-on");
      expect(jsonCopy(device.saveState?.())).toEqual(once);
      if (options.resetRestoresFresh !== false) expect(once).toEqual(freshState);
    });

    it("saveState is a plain JSON-serializable object", () => {
      const { device, context } = attachFresh(options);
      options.exercise?.(device, context);
      const state = device.saveState?.();
      expect(state).toBeDefined();
      expect(jsonCopy(state)).toEqual(state);
    });

    it("loadState(saveState()) round-trips state and behaviour", () => {
      const a = attachFresh(options, 1_000);
      options.exercise?.(a.device, a.context);
      const saved = jsonCopy(a.device.saveState?.());
      // The copy starts on a board whose clock shows the same time, as after a snapshot.
      const b = attachFresh(options, a.context.now);
      b.device.loadState?.(saved as never);
      expect(jsonCopy(b.device.saveState?.())).toEqual(saved);
      for (const line of a.context.lines.values()) line.clear();
      for (const line of b.context.lines.values()) line.clear();
      a.context.advance(advanceNs);
      b.context.advance(advanceNs);
      expect(probe(b.device, b.context)).toEqual(probe(a.device, a.context));
      expect(jsonCopy(b.device.saveState?.())).toEqual(jsonCopy(a.device.saveState?.()));
      const aIrqs = irqSummary(a.context) as [number, boolean, number[]][];
      const bIrqs = irqSummary(b.context) as [number, boolean, number[]][];
      const aByLine = new Map(aIrqs.map((l) => [l[0], l]));
      for (const l of bIrqs) {
        const other = aByLine.get(l[0]);
        // A line the copy drove must show the same level and edges as the original's.
        if (other !== undefined) expect(l).toEqual(other);
        else expect(l[2]).toEqual([]);
      }
      const bByLine = new Map(bIrqs.map((l) => [l[0], l]));
      for (const l of aIrqs) {
        // And edges the original produced after the snapshot must come from the copy too.
        if (l[2].length > 0) expect(bByLine.get(l[0])).toEqual(l);
      }
    });

    it("every port takes reads and writes of widths 1, 2 and 4 without a host exception", () => {
      const { device, context } = attachFresh(options);
      options.exercise?.(device, context);
      const skip = new Set(options.skipPorts ?? []);
      for (const port of context.io.claimedPorts()) {
        if (skip.has(port)) continue;
        for (const width of WIDTHS) {
          expect(() => context.io.in(port, width)).not.toThrow();
          expect(() => context.io.out(port, 0xffffffff, width)).not.toThrow();
          expect(() => context.io.out(port, 0, width)).not.toThrow();
        }
      }
      expect(() => context.advance(advanceNs)).not.toThrow();
      expect(() => device.reset("hardware")).not.toThrow();
      expect(() => device.reset("software")).not.toThrow();
    });

    it("loadState rejects or ignores garbage without a host stack trace from the guest side", () => {
      // Snapshots come from the host, not the guest: a bad one may throw, but must not leave
      // a device that then throws on guest accesses.
      const { device, context } = attachFresh(options);
      try {
        device.loadState?.({ garbage: true } as never);
      } catch {
        device.reset("power-on");
      }
      for (const port of context.io.claimedPorts().filter((p) => !options.skipPorts?.includes(p)))
        expect(() => context.io.in(port, 1)).not.toThrow();
    });
  });
}
