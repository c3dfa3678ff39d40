// 8254 behaviour from the Intel 8254 datasheet (231164): "Mode Definitions", "Read
// Operations" (counter latch, read-back), "Status Byte"; port 61h from the PC/AT reference.
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { describeDeviceConformance } from "../../test/conformance";
import { I8254Pit } from "./i8254-pit";

/** One input clock in ns: the PC's 14.31818 MHz / 12 = 1.193182 MHz. */
const TICK = 1e9 / 1_193_182;

let board: FakeDeviceContext;
let pit: I8254Pit;

beforeEach(() => {
  board = new FakeDeviceContext();
  pit = new I8254Pit();
  pit.attach(board);
  pit.reset("power-on");
});

/** Time (ns) of the end of input tick `n` after time 0 (first ns with tick >= n). */
function at(ticks: number): number {
  return Math.ceil((ticks * 1e9) / 1_193_182);
}

function program(counter: number, mode: number, count: number, bcd = false): void {
  board.io.out(0x43, (counter << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0));
  board.io.out(0x40 + counter, count & 0xff);
  board.io.out(0x40 + counter, count >> 8);
}

function readCount(counter: number): number {
  board.io.out(0x43, counter << 6); // counter latch command
  return board.io.in(0x40 + counter) | (board.io.in(0x40 + counter) << 8);
}

function out2(): boolean {
  return (board.io.in(0x61) & 0x20) !== 0;
}

describe("8254 modes on counter 0 / IRQ 0", () => {
  it("Mode 2 (rate generator): one IRQ 0 edge every N clocks, from the virtual clock", () => {
    const irq = board.irqLine(0);
    program(0, 2, 11932); // 100 Hz as Linux programs it (LATCH = 1193182/100 rounded)
    irq.clear();
    board.advanceTo(at(1 + 100 * 11932));
    const edges = irq.edgeTimes;
    expect(edges.length).toBe(100);
    // Edge k comes 1 + k*N clocks after the write (CR loaded on the next CLK).
    expect(edges[0]).toBe(at(1 + 11932));
    expect(edges[99]).toBe(at(1 + 100 * 11932));
    expect(irq.isHigh).toBe(true);
    expect(board.scheduler.pending).toBe(1); // one pending transition, nothing per clock
  });

  it("Mode 2: OUT low for exactly one clock when the count reaches 1", () => {
    const irq = board.irqLine(0);
    program(0, 2, 100);
    irq.clear();
    board.advanceTo(at(1 + 99) + 1);
    expect(irq.isHigh).toBe(false);
    expect(irq.history.at(-1)?.at).toBe(at(1 + 99));
    board.advanceTo(at(1 + 100));
    expect(irq.isHigh).toBe(true);
  });

  it("Mode 2: a new count takes effect at the end of the current period", () => {
    const irq = board.irqLine(0);
    program(0, 2, 1000);
    board.advanceTo(at(500));
    board.io.out(0x40, 200); // LSB then MSB of 200
    board.io.out(0x40, 0);
    irq.clear();
    board.advanceTo(at(1 + 1000 + 400) + 1);
    expect(irq.edgeTimes).toEqual([at(1 + 1000), at(1 + 1000 + 200), at(1 + 1000 + 400)]);
  });

  it("Mode 3 (square wave) at count 0 (65536): 18.2 Hz; counts by two", () => {
    const irq = board.irqLine(0);
    program(0, 3, 0);
    irq.clear();
    board.advanceTo(1e9);
    expect(irq.edgeTimes.length).toBe(18); // 1193182 / 65536 = 18.2
    expect(irq.edgeTimes[0]).toBe(at(1 + 65536));
    board.advanceTo(at(1 + 20 * 65536 + 100));
    expect(readCount(0)).toBe(65536 - 200);
  });

  it("Mode 0 (interrupt on terminal count): OUT low after the control word, high N+1 clocks after the count", () => {
    const irq = board.irqLine(0);
    board.io.out(0x43, 0x30);
    expect(irq.isHigh).toBe(false);
    irq.clear();
    board.io.out(0x40, 0x10);
    board.io.out(0x40, 0x27); // 10000
    board.advanceTo(at(10000));
    expect(irq.isHigh).toBe(false);
    board.advanceTo(at(10001));
    expect(irq.isHigh).toBe(true);
    expect(irq.edgeTimes).toEqual([at(10001)]);
    // The counter keeps counting down through 0 to FFFFh; OUT stays high.
    board.advanceTo(at(10001 + 5));
    expect(readCount(0)).toBe(0x10000 - 5);
    expect(board.scheduler.pending).toBe(0);
  });

  it("Mode 0: writing the first byte of a two-byte count stops counting and drops OUT", () => {
    const irq = board.irqLine(0);
    program(0, 0, 50);
    board.advanceTo(at(100));
    expect(irq.isHigh).toBe(true);
    board.io.out(0x40, 0x20);
    expect(irq.isHigh).toBe(false);
    board.advanceTo(at(1000));
    expect(irq.isHigh).toBe(false);
    board.io.out(0x40, 0x00); // 0x20 = 32
    board.advanceTo(at(1000) + 33 * TICK + 1);
    expect(irq.isHigh).toBe(true);
  });

  it("Mode 4 (software triggered strobe): OUT low for one clock N+1 clocks after the write", () => {
    const irq = board.irqLine(0);
    program(0, 4, 20);
    irq.clear();
    board.advanceTo(at(100));
    expect(irq.history.map((e) => [e.kind, e.at])).toEqual([
      ["lower", at(21)],
      ["raise", at(22)],
    ]);
  });
});

describe("8254 counter 2 through port 61h", () => {
  it("port 61h: gate 2 and speaker bits read back, OUT2 in bit 5, refresh toggles every 15.085 us", () => {
    board.io.out(0x61, 0xff);
    expect(board.io.in(0x61) & 0x0f).toBe(0x0f);
    const first = board.io.in(0x61) & 0x10;
    board.advance(15_085);
    expect(board.io.in(0x61) & 0x10).toBe(first ^ 0x10);
    board.advance(15_085);
    expect(board.io.in(0x61) & 0x10).toBe(first);
  });

  it("Mode 0 with the gate low does not count (GATE disables counting)", () => {
    board.io.out(0x61, 0x00);
    program(2, 0, 1000);
    board.advanceTo(at(5000));
    expect(readCount(2)).toBe(1000);
    expect(out2()).toBe(false);
    board.io.out(0x61, 0x01);
    board.advanceTo(at(5000 + 1 + 1000));
    expect(out2()).toBe(true);
  });

  it("Linux-style calibration loop: poll 61h bit 5 until mode 0 terminal count", () => {
    board.io.out(0x61, (board.io.in(0x61) & ~0x02) | 0x01);
    program(2, 0, 0xffff);
    const start = board.now;
    let polls = 0;
    while (!out2()) {
      board.advance(1000);
      polls++;
    }
    const elapsed = board.now - start;
    expect(elapsed).toBeGreaterThanOrEqual(65536 * TICK - 1000);
    expect(elapsed).toBeLessThanOrEqual(65536 * TICK + 1000);
    expect(polls).toBe(Math.ceil((65536 * TICK) / 1000));
  });

  it("Mode 1 (hardware retriggerable one-shot): OUT low from the trigger for N clocks", () => {
    board.io.out(0x61, 0x00);
    program(2, 1, 100);
    board.advance(50_000);
    expect(out2()).toBe(true); // waiting for a trigger
    board.io.out(0x61, 0x01); // rising gate: trigger
    const t = board.now;
    board.advance(2 * TICK);
    expect(out2()).toBe(false);
    board.advanceTo(t + 100 * TICK);
    expect(out2()).toBe(false);
    board.advanceTo(t + 102 * TICK);
    expect(out2()).toBe(true);
    // Retrigger restarts the one-shot.
    board.io.out(0x61, 0x00);
    board.io.out(0x61, 0x01);
    board.advance(2 * TICK);
    expect(out2()).toBe(false);
  });

  it("Mode 3 with an odd count: OUT high (N+1)/2 clocks and low (N-1)/2", () => {
    board.io.out(0x61, 0x01);
    board.advanceTo(at(10)); // align to a tick edge
    program(2, 3, 5);
    const start = Math.floor(board.now / TICK) + 1; // the load clock
    const levels: boolean[] = [];
    for (let k = 0; k < 10; k++) {
      board.advanceTo(at(start + k));
      levels.push(out2());
    }
    expect(levels).toEqual([true, true, true, false, false, true, true, true, false, false]);
  });

  it("Mode 3: gate low forces OUT high; a rising gate reloads", () => {
    board.io.out(0x61, 0x01);
    program(2, 3, 1000);
    board.advanceTo(at(700));
    expect(out2()).toBe(false);
    board.io.out(0x61, 0x00);
    expect(out2()).toBe(true);
    board.advanceTo(at(900));
    board.io.out(0x61, 0x01);
    board.advanceTo(at(900 + 1 + 499));
    expect(out2()).toBe(true);
    board.advanceTo(at(900 + 1 + 501));
    expect(out2()).toBe(false);
  });

  it("Mode 5 (hardware triggered strobe): one clock low N clocks after the trigger", () => {
    board.io.out(0x61, 0x00);
    program(2, 5, 10);
    board.advanceTo(at(100));
    expect(out2()).toBe(true);
    board.io.out(0x61, 0x01); // trigger at tick 100: CE loaded at 101, 0 at 111
    board.advanceTo(at(110));
    expect(out2()).toBe(true);
    board.advanceTo(at(111));
    expect(out2()).toBe(false);
    board.advanceTo(at(112));
    expect(out2()).toBe(true);
  });
});

describe("8254 read operations", () => {
  it("Counter Latch Command: the latched value holds until both bytes are read", () => {
    program(1, 2, 5000);
    board.advanceTo(at(1 + 1000));
    board.io.out(0x43, 0x40);
    board.advanceTo(at(3000));
    const low = board.io.in(0x41);
    board.io.out(0x43, 0x40); // ignored: already latched
    const high = board.io.in(0x41);
    expect(low | (high << 8)).toBe(4000);
    // Unlatched reads follow the counter.
    expect(readCount(1)).toBe(5000 - (3000 - 1));
  });

  it("Read-Back Command: status byte (OUT, NULL COUNT, RW, mode, BCD), then count", () => {
    board.io.out(0x43, 0xb4); // counter 2, LSB/MSB, mode 2, binary
    board.io.out(0x43, 0xe8); // read-back status of counter 2
    expect(board.io.in(0x42)).toBe(0x80 | 0x40 | 0x34);
    board.io.out(0x42, 0x34);
    board.io.out(0x42, 0x12);
    board.io.out(0x43, 0xe8);
    expect(board.io.in(0x42) & 0x40).toBe(0x40); // CR not yet loaded into CE
    board.io.out(0x61, 0x01);
    board.advance(10 * TICK);
    board.io.out(0x43, 0xc8); // status and count of counter 2
    expect(board.io.in(0x42)).toBe(0x80 | 0x34); // null count cleared, OUT high
    const value = board.io.in(0x42) | (board.io.in(0x42) << 8);
    expect(value).toBeLessThan(0x1234);
    expect(value).toBeGreaterThan(0x1234 - 20);
  });

  it("BCD counting: count 1000 (BCD 1000h) gives 1000-clock periods and BCD reads", () => {
    const irq = board.irqLine(0);
    program(0, 2, 0x1000, true);
    irq.clear();
    board.advanceTo(at(1 + 3000) + 1);
    expect(irq.edgeTimes).toEqual([at(1001), at(2001), at(3001)]);
    board.advanceTo(at(1 + 3000 + 1) + 1);
    expect(readCount(0)).toBe(0x0999);
  });

  it("RW = LSB only and MSB only", () => {
    board.io.out(0x43, 0x14); // counter 0, LSB only, mode 2
    board.io.out(0x40, 0x80);
    board.advanceTo(at(1 + 0x10));
    expect(board.io.in(0x40)).toBe(0x70);
    board.io.out(0x43, 0x24); // MSB only, mode 2
    board.io.out(0x40, 0x02); // 0x200
    board.advanceTo(board.now + 1 + 0x80 * TICK);
    expect(board.io.in(0x40)).toBe(0x01);
  });
});

describe("timing from the virtual clock", () => {
  it("a late event still delivers the IRQ 0 pulse that began and ended since", () => {
    const irq = board.irqLine(0);
    program(0, 2, 1000);
    irq.clear();
    board.scheduler.maxEventsPerAdvance = 10;
    // Jump far past the first low pulse by moving the clock before the event fires.
    board.clock.set(at(1 + 1000) + 5 * TICK);
    board.scheduler.runDue();
    expect(irq.risingEdges).toBe(1);
    expect(irq.isHigh).toBe(true);
  });
});

describe("guest misuse", () => {
  it("reads of the write-only control port return FFh; any width never throws", () => {
    expect(board.io.in(0x43)).toBe(0xff);
    for (const port of [0x40, 0x41, 0x42, 0x43, 0x61])
      for (const width of [1, 2, 4] as const) {
        expect(() => board.io.out(port, 0xffffffff, width)).not.toThrow();
        expect(() => board.io.in(port, width)).not.toThrow();
      }
    board.advance(1e8);
  });

  it("a count of 1 in mode 2 (illegal) does not flood the scheduler", () => {
    program(0, 2, 1);
    board.advance(1e7);
    expect(board.scheduler.pending).toBeLessThanOrEqual(1);
  });
});

describeDeviceConformance({
  create: () => new I8254Pit(),
  exercise: (_pit, b) => {
    b.io.out(0x43, 0x34);
    b.io.out(0x40, 0x9c);
    b.io.out(0x40, 0x2e);
    b.io.out(0x61, 0x03);
    b.io.out(0x43, 0xb6);
    b.io.out(0x42, 0x33);
    b.io.out(0x42, 0x05);
    b.advance(3_333_333);
    b.io.out(0x43, 0x80); // latch counter 2
    b.io.in(0x42);
  },
});

describe("Linux quick_pit_calibrate (arch/x86/kernel/tsc.c) against the model", () => {
  /** Linux 6.1's algorithm; each port access costs `ioNs` of virtual time; TSC = ns. */
  function quickPitCalibrate(ioNs: number): number {
    const inb = (port: number): number => {
      board.advance(ioNs);
      return board.io.in(port);
    };
    const outb = (value: number, port: number): void => {
      board.advance(ioNs);
      board.io.out(port, value);
    };
    const rdtsc = (): number => board.now;
    const verifyMsb = (value: number): boolean => {
      inb(0x42);
      return inb(0x42) === value;
    };
    const expectMsb = (value: number): { ok: boolean; tsc: number; delta: number } => {
      let tsc = 0;
      let prev = 0;
      let count = 0;
      for (; count < 50000; count++) {
        if (!verifyMsb(value)) break;
        prev = tsc;
        tsc = rdtsc();
      }
      return { ok: count > 5, tsc, delta: rdtsc() - prev };
    };
    const MAX = Math.floor((50 * 1193182) / 1000 / 256);
    outb((inb(0x61) & ~0x02) | 0x01, 0x61);
    outb(0xb0, 0x43);
    outb(0xff, 0x42);
    outb(0xff, 0x42);
    verifyMsb(0);
    const first = expectMsb(0xff);
    if (!first.ok) return 0;
    for (let i = 1; i <= MAX; i++) {
      const next = expectMsb(0xff - i);
      if (!next.ok) break;
      const delta = next.tsc - first.tsc;
      if (i === 1 && first.delta + next.delta >= (delta * MAX) / 2048) return 0;
      if (first.delta + next.delta >= delta / 2048) continue;
      if (!verifyMsb(0xfe - i)) break;
      // delta TSC cycles over i*256 PIT clocks: kHz = delta * PIT_TICK_RATE / (i * 256 * 1000)
      return (delta * 1193182) / (i * 256 * 1000);
    }
    return 0;
  }

  // 10 ns is RingVM's deterministic instruction time (an IN costs no more): Linux's
  // one-read "delay for a microsecond" then ends before the CR is loaded into CE.
  it.each([10, 100, 1000])(
    "succeeds and measures a 1 GHz TSC to within 500 ppm with %i ns per port access",
    (ioNs) => {
      const khz = quickPitCalibrate(ioNs);
      expect(khz).toBeGreaterThan(1_000_000 * (1 - 5e-4));
      expect(khz).toBeLessThan(1_000_000 * (1 + 5e-4));
    },
  );
});
