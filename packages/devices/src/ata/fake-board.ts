// A minimal board for device tests: port table, recorded IRQ lines, a manual scheduler and
// flat guest memory. (Stand-in until @ringvm/bus/testing's fakes are available.)
import type {
  DeviceContext,
  IoBus,
  IrqLine,
  PhysicalMemory,
  PortIoHandler,
  ScheduledEvent,
  Width,
} from "@ringvm/bus";

interface Slot {
  readonly handler: PortIoHandler;
  readonly owner: string;
}

export class FakeLine implements IrqLine {
  isHigh = false;
  raises = 0;
  raise(): void {
    if (!this.isHigh) this.raises++;
    this.isHigh = true;
  }
  lower(): void {
    this.isHigh = false;
  }
}

export class FakeBoard {
  readonly ports = new Map<number, Slot>();
  readonly lines = new Map<number, FakeLine>();
  readonly memory: Uint8Array;
  readonly warnings: string[] = [];
  now = 0;
  private events: { at: number; callback: (now: number) => void; isCancelled: boolean }[] = [];
  readonly context: DeviceContext;

  constructor(memoryBytes = 1 << 20, withDma = true) {
    this.memory = new Uint8Array(memoryBytes);
    const io: IoBus = {
      registerPorts: (first, count, handler, options) => {
        for (let p = first; p < first + count; p++) {
          const taken = this.ports.get(p);
          if (taken !== undefined)
            throw new Error(`port ${p.toString(16)}: ${options.owner} overlaps ${taken.owner}`);
          this.ports.set(p, { handler, owner: options.owner });
        }
        return {
          [Symbol.dispose]: () => {
            for (let p = first; p < first + count; p++) this.ports.delete(p);
          },
        };
      },
      mapMmio: () => {
        throw new Error("no MMIO in tests");
      },
    };
    const mem = this.memory;
    const dma: PhysicalMemory = {
      read8: (a) => mem[a] ?? 0xff,
      read16: (a) => (mem[a] ?? 0xff) | ((mem[a + 1] ?? 0xff) << 8),
      read32: (a) =>
        ((mem[a] ?? 0xff) |
          ((mem[a + 1] ?? 0xff) << 8) |
          ((mem[a + 2] ?? 0xff) << 16) |
          ((mem[a + 3] ?? 0xff) << 24)) >>>
        0,
      write8: (a, v) => {
        if (a < mem.length) mem[a] = v;
      },
      write16: (a, v) => {
        dma.write8(a, v & 0xff);
        dma.write8(a + 1, v >>> 8);
      },
      write32: (a, v) => {
        dma.write16(a, v & 0xffff);
        dma.write16(a + 2, v >>> 16);
      },
      readBytes: (a, into) => {
        for (let i = 0; i < into.length; i++) into[i] = mem[a + i] ?? 0xff;
      },
      writeBytes: (a, from) => {
        for (let i = 0; i < from.length; i++) if (a + i < mem.length) mem[a + i] = from[i]!;
      },
    };
    this.context = {
      io,
      irq: (line) => this.line(line),
      clock: { now: () => this.now },
      scheduler: {
        schedule: (at, callback): ScheduledEvent => {
          const event = { at, callback, isCancelled: false };
          this.events.push(event);
          return { cancel: () => (event.isCancelled = true) };
        },
      },
      log: { debug: () => {}, warn: (m) => this.warnings.push(m) },
      ...(withDma ? { dma } : {}),
    };
  }

  line(n: number): FakeLine {
    let line = this.lines.get(n);
    if (line === undefined) this.lines.set(n, (line = new FakeLine()));
    return line;
  }

  /** Advances time to `until` (default: only events already due), firing events in order. */
  run(until = this.now): void {
    for (;;) {
      const due = this.events
        .filter((e) => !e.isCancelled && e.at <= until)
        .sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.events.splice(this.events.indexOf(due), 1);
      this.now = Math.max(this.now, due.at);
      due.callback(this.now);
    }
    this.now = Math.max(this.now, until);
  }

  get pendingEvents(): number {
    return this.events.filter((e) => !e.isCancelled).length;
  }

  private port(p: number): PortIoHandler {
    const slot = this.ports.get(p);
    if (slot === undefined) throw new Error(`unregistered port ${p.toString(16)}`);
    return slot.handler;
  }
  in(p: number, width: Width = 1): number {
    return this.port(p).read(p, width);
  }
  out(p: number, value: number, width: Width = 1): void {
    this.port(p).write(p, width, value);
  }
}
