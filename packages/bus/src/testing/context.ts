// A whole fake board for one device: bus, IRQ lines, clock, scheduler, log and memory.
import type { DeviceContext, Logger } from "../device";
import { FakeIoBus, FakePhysicalMemory, type FakeIoBusOptions } from "./io";
import { FakeIrqLine } from "./irq";
import { ManualClock, ManualScheduler } from "./time";

/** A {@link Logger} that keeps every message. */
export class FakeLogger implements Logger {
  readonly debugs: string[] = [];
  readonly warnings: string[] = [];
  debug(message: string): void {
    this.debugs.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** Options of a {@link FakeDeviceContext}. */
export interface FakeDeviceContextOptions extends FakeIoBusOptions {
  /** Clock time at creation, in ns (default 0). */
  readonly startNs?: number;
  /** Bytes of flat guest memory behind `dma` (default none: `dma` is absent). */
  readonly memoryBytes?: number;
  /** Share a bus (e.g. to attach several devices and check they do not overlap). */
  readonly io?: FakeIoBus;
}

/**
 * A {@link DeviceContext} for tests. `irq(n)` hands out one {@link FakeIrqLine} per line
 * number; `advance(ns)` moves virtual time, firing scheduled events in order.
 *
 * @example
 * const board = new FakeDeviceContext();
 * device.attach(board);
 * board.io.out(0x43, 0x34);
 * board.advance(1_000_000);
 * expect(board.irqLine(0).risingEdges).toBe(1);
 */
export class FakeDeviceContext implements DeviceContext {
  readonly io: FakeIoBus;
  readonly clock: ManualClock;
  readonly scheduler: ManualScheduler;
  readonly log = new FakeLogger();
  readonly dma: FakePhysicalMemory | undefined;
  readonly lines = new Map<number, FakeIrqLine>();

  constructor(options: FakeDeviceContextOptions = {}) {
    this.io = options.io ?? new FakeIoBus(options);
    this.clock = new ManualClock(options.startNs ?? 0);
    this.scheduler = new ManualScheduler(this.clock);
    this.dma =
      options.memoryBytes === undefined ? undefined : new FakePhysicalMemory(options.memoryBytes);
  }

  irq(line: number): FakeIrqLine {
    return this.irqLine(line);
  }

  /** The fake line `line` (created on first use). */
  irqLine(line: number): FakeIrqLine {
    let fake = this.lines.get(line);
    if (fake === undefined) {
      fake = new FakeIrqLine(line, this.clock);
      this.lines.set(line, fake);
    }
    return fake;
  }

  /** Advances virtual time by `ns`, firing due events. */
  advance(ns: number): void {
    this.scheduler.advance(ns);
  }

  /** Advances virtual time to `ns`, firing due events. */
  advanceTo(ns: number): void {
    this.scheduler.advanceTo(ns);
  }

  /** Current virtual time in ns. */
  get now(): number {
    return this.clock.now();
  }
}

/** Builds a {@link FakeDeviceContext}. */
export function createFakeContext(options: FakeDeviceContextOptions = {}): FakeDeviceContext {
  return new FakeDeviceContext(options);
}
