// MC146818A behaviour from the Motorola MC146818A datasheet: "Time, Calendar and Alarm
// Locations" (Table 2), "Update Cycle", "Register A/B/C/D", "Interrupts", "Periodic
// Interrupt Selection" (Table 3); CMOS layout from the IBM AT technical reference / QEMU pc.c.
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { describeDeviceConformance } from "../../test/conformance";
import { Mc146818Rtc } from "./mc146818-rtc";

const START = Date.UTC(2026, 10, 30, 23, 59, 58); // Monday 30 Nov 2026, 23:59:58 UTC
const S = 1e9;

let board: FakeDeviceContext;
let rtc: Mc146818Rtc;
let nmi: boolean[];

beforeEach(() => {
  board = new FakeDeviceContext();
  nmi = [];
  rtc = new Mc146818Rtc({ startTime: START, onNmiMaskChange: (m) => nmi.push(m) });
  rtc.attach(board);
  rtc.reset("power-on");
});

function read(index: number): number {
  board.io.out(0x70, index);
  return board.io.in(0x71);
}

function write(index: number, value: number): void {
  board.io.out(0x70, index);
  board.io.out(0x71, value);
}

function clock(): number[] {
  return [0, 2, 4, 6, 7, 8, 9, 0x32].map(read);
}

describe("MC146818A time and calendar (Table 2)", () => {
  it("BCD 24-hour time from the start time and the virtual clock, with the day rolling over", () => {
    expect(clock()).toEqual([0x58, 0x59, 0x23, 0x02, 0x30, 0x11, 0x26, 0x20]);
    board.advance(2 * S);
    // Tuesday 1 Dec 2026 00:00:00 (day of week: Sunday = 1).
    expect(clock()).toEqual([0x00, 0x00, 0x00, 0x03, 0x01, 0x12, 0x26, 0x20]);
  });

  it("Register B DM=1: binary data mode", () => {
    write(0x0b, 0x06);
    expect(clock()).toEqual([58, 59, 23, 2, 30, 11, 26, 0x20]);
  });

  it("Register B 24/12=0: 12-hour mode with PM in bit 7; midnight is 12 AM", () => {
    write(0x0b, 0x00);
    expect(read(4)).toBe(0x91); // 11 PM, BCD
    board.advance(2 * S);
    expect(read(4)).toBe(0x12); // 12 AM
    write(0x0b, 0x04); // binary, 12-hour
    expect(read(4)).toBe(12);
  });

  it("the century byte 32h follows the year across 2099 -> 2100", () => {
    rtc.setTime(Date.UTC(2099, 11, 31, 23, 59, 59));
    board.advance(S);
    expect(clock()).toEqual([0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x21]);
  });

  it("SET=1 stops updates so the program can write the time; SET=0 resumes from it", () => {
    write(0x0b, 0x82);
    write(0, 0x30);
    write(2, 0x15);
    write(4, 0x10);
    write(7, 0x04);
    write(8, 0x07);
    write(9, 0x99);
    write(0x32, 0x19);
    board.advance(5 * S);
    expect(read(0)).toBe(0x30); // frozen
    write(0x0b, 0x02);
    board.advance(S);
    expect(clock().slice(0, 3)).toEqual([0x31, 0x15, 0x10]);
    expect(rtc.time()).toBe(Date.UTC(1999, 6, 4, 10, 15, 31));
  });

  it("Register A DV=11x holds the divider in reset; DV=010 restarts with the first update 500 ms later", () => {
    write(0x0a, 0x70);
    board.advance(10 * S);
    expect(read(0)).toBe(0x58);
    write(0x0a, 0x26);
    board.advance(0.499 * S);
    expect(read(0)).toBe(0x58);
    board.advance(0.002 * S);
    expect(read(0)).toBe(0x59);
  });
});

describe("MC146818A update cycle and UIP", () => {
  it("UIP is 1 only in the 244 us + update cycle window before the registers change", () => {
    // The divider phase starts at attach (t = 0): updates at whole seconds.
    board.advanceTo(0.5 * S);
    expect(read(0x0a)).toBe(0x26);
    board.advanceTo(S - 2_229_000);
    expect(read(0x0a) & 0x80).toBe(0);
    board.advanceTo(S - 2_227_000);
    expect(read(0x0a) & 0x80).toBe(0x80);
    expect(read(0)).toBe(0x58);
    board.advanceTo(S);
    expect(read(0x0a) & 0x80).toBe(0);
    expect(read(0)).toBe(0x59);
  });

  it("UIP bit is read-only and SET keeps UIP low", () => {
    write(0x0a, 0xa6);
    expect(read(0x0a)).toBe(0x26);
    write(0x0b, 0x82);
    board.advanceTo(S - 1000);
    expect(read(0x0a) & 0x80).toBe(0);
  });
});

describe("MC146818A interrupts on IRQ 8", () => {
  it("Update-ended interrupt (UIE): IRQ 8 each second, register C = IRQF|UF, read clears", () => {
    const irq = board.irqLine(8);
    write(0x0b, 0x12);
    board.advanceTo(S - 1);
    expect(irq.isHigh).toBe(false);
    board.advanceTo(S);
    expect(irq.isHigh).toBe(true);
    // PF is set too: RS=0110 runs the periodic flag even with PIE clear.
    expect(read(0x0c)).toBe(0xd0);
    expect(irq.isHigh).toBe(false);
    expect(read(0x0c)).toBe(0x00);
    board.advanceTo(3 * S);
    expect(irq.edgeTimes).toEqual([S, 2 * S]);
  });

  it("Periodic interrupt RS=0110: 1024 Hz (Table 3) when the handler reads C each time", () => {
    const irq = board.irqLine(8);
    write(0x0a, 0x26);
    write(0x0b, 0x42);
    let count = 0;
    while (board.now < S) {
      board.scheduler.runNext();
      if (irq.isHigh && board.now <= S) {
        expect(read(0x0c) & 0xc0).toBe(0xc0);
        count++;
      }
    }
    expect(count).toBe(1024);
    expect(irq.edgeTimes[0]).toBeCloseTo(S / 1024, 3);
  });

  it("Table 3: RS=0011 is 8192 Hz, RS=0001 is 256 Hz, RS=1111 is 2 Hz", () => {
    const irq = board.irqLine(8);
    for (const [rs, hz] of [
      [3, 8192],
      [1, 256],
      [15, 2],
    ] as const) {
      write(0x0b, 0x02);
      read(0x0c);
      write(0x0a, 0x20 | rs);
      const start = board.now;
      write(0x0b, 0x42);
      irq.clear();
      let count = 0;
      while (board.now < start + S) {
        board.scheduler.runNext();
        if (irq.isHigh && board.now <= start + S) {
          read(0x0c);
          count++;
        }
      }
      expect(count, `RS=${rs}`).toBeGreaterThanOrEqual(hz - 1);
      expect(count, `RS=${rs}`).toBeLessThanOrEqual(hz);
    }
  });

  it("PF, UF are set whether or not enabled, without IRQ 8", () => {
    const irq = board.irqLine(8);
    board.advance(1.5 * S);
    expect(irq.isHigh).toBe(false);
    expect(read(0x0c)).toBe(0x50);
    expect(board.scheduler.pending).toBe(0);
  });

  it("Alarm interrupt (AIE): IRQ 8 when hours, minutes, seconds match; C = IRQF|AF|UF (and PF)", () => {
    const irq = board.irqLine(8);
    write(1, 0x05);
    write(3, 0x00);
    write(5, 0x00);
    write(0x0b, 0x22);
    board.advanceTo(8 * S);
    expect(irq.edgeTimes).toEqual([7 * S]);
    expect(read(0x0c)).toBe(0xf0);
  });

  it("Alarm don't-care bytes (C0h-FFh) match every value: once a second", () => {
    const irq = board.irqLine(8);
    write(1, 0xff);
    write(3, 0xc0);
    write(5, 0xc0);
    write(0x0b, 0x22);
    board.advanceTo(S);
    expect(irq.isHigh).toBe(true);
    expect(read(0x0c)).toBe(0xf0);
    board.advanceTo(2 * S);
    expect(read(0x0c)).toBe(0xf0);
  });

  it("an alarm at hh:mm with seconds don't-care fires at the start of that minute", () => {
    const irq = board.irqLine(8);
    write(1, 0xc0);
    write(3, 0x02);
    write(5, 0x00);
    write(0x0b, 0x22);
    board.advanceTo(200 * S);
    expect(irq.edgeTimes).toEqual([122 * S]);
  });

  it("enabling an interrupt whose flag is already set raises IRQF at once", () => {
    const irq = board.irqLine(8);
    board.advance(1.1 * S);
    write(0x0b, 0x12);
    expect(irq.isHigh).toBe(true);
    expect(read(0x0c)).toBe(0x90 | 0x40);
  });

  it("RESET clears PIE, AIE, UIE, SQWE and register C, keeps time and CMOS RAM", () => {
    write(0x0b, 0x7a);
    write(0x40, 0x5a);
    board.advance(1.2 * S);
    rtc.reset("hardware");
    expect(read(0x0b)).toBe(0x02);
    expect(read(0x0c)).toBe(0x00);
    expect(read(0x40)).toBe(0x5a);
    expect(read(0)).toBe(0x59);
  });
});

describe("ports 70h/71h and the CMOS RAM", () => {
  it("port 70h bit 7 masks NMI; the index is 7 bits", () => {
    board.io.out(0x70, 0x8f);
    expect(rtc.nmiMasked).toBe(true);
    board.io.out(0x71, 0x12);
    board.io.out(0x70, 0x0f);
    expect(rtc.nmiMasked).toBe(false);
    expect(board.io.in(0x71)).toBe(0x12);
    expect(nmi).toEqual([true, false]);
  });

  it("114 bytes of user RAM keep what is written; register D reads VRT and ignores writes", () => {
    for (let i = 0x0e; i < 0x80; i++) write(i, i ^ 0xa5);
    for (let i = 0x0e; i < 0x80; i++) if (i !== 0x32) expect(read(i)).toBe(i ^ 0xa5);
    write(0x0d, 0x00);
    expect(read(0x0d)).toBe(0x80);
    write(0x0c, 0xff);
    expect(read(0x0c)).toBe(0x00);
  });

  it("configure fills the BIOS bytes as QEMU's pc_cmos_init does", () => {
    rtc.configure({
      memoryBelow4G: 128 << 20,
      memoryAbove4G: 2 ** 32,
      floppyTypes: [4, 0],
      hardDisks: [true, false],
      hasFpu: true,
      hasPs2Mouse: true,
      bootOrder: ["cdrom", "disk", "floppy"],
    });
    expect(rtc.getByte(0x15) | (rtc.getByte(0x16) << 8)).toBe(640);
    expect(rtc.getByte(0x17) | (rtc.getByte(0x18) << 8)).toBe(0xffff);
    expect(rtc.getByte(0x30) | (rtc.getByte(0x31) << 8)).toBe(0xffff);
    expect(rtc.getByte(0x34) | (rtc.getByte(0x35) << 8)).toBe((112 << 20) >> 16);
    expect([0x5b, 0x5c, 0x5d].map((i) => rtc.getByte(i))).toEqual([0x00, 0x00, 0x01]);
    expect(rtc.getByte(0x10)).toBe(0x40);
    expect(rtc.getByte(0x14)).toBe(0x07);
    expect(rtc.getByte(0x12)).toBe(0xf0);
    expect(rtc.getByte(0x19)).toBe(47);
    expect(rtc.getByte(0x3d)).toBe(0x23);
    expect(rtc.getByte(0x38) >> 4).toBe(1);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += rtc.getByte(i);
    expect((rtc.getByte(0x2e) << 8) | rtc.getByte(0x2f)).toBe(sum);
    rtc.configure({ hardDisks: [{ cylinders: 1024, heads: 16, sectors: 63 }, false], cpuCount: 2 });
    expect(Array.from({ length: 9 }, (_, i) => rtc.getByte(0x1b + i))).toEqual([
      0x00, 0x04, 16, 0xff, 0xff, 0xc8, 0x00, 0x04, 63,
    ]);
    expect(rtc.getByte(0x5f)).toBe(1);
    // 16 MiB: nothing above 16 MiB, 15 MiB extended.
    rtc.configure({ memoryBelow4G: 16 << 20 });
    expect(rtc.getByte(0x17) | (rtc.getByte(0x18) << 8)).toBe(15 * 1024);
    expect(rtc.getByte(0x34) | (rtc.getByte(0x35) << 8)).toBe(0);
  });

  it("invalid time bytes written by the guest do not throw and the clock keeps running", () => {
    write(0x0b, 0x82);
    write(8, 0x99);
    write(7, 0xff);
    write(0x0b, 0x02);
    board.advance(3 * S);
    expect(() => clock()).not.toThrow();
    for (const width of [1, 2, 4] as const)
      for (const port of [0x70, 0x71]) {
        expect(() => board.io.out(port, 0xffffffff, width)).not.toThrow();
        expect(() => board.io.in(port, width)).not.toThrow();
      }
    expect(board.io.in(0x70)).toBe(0xff);
  });
});

describeDeviceConformance({
  create: () => new Mc146818Rtc({ startTime: START }),
  resetRestoresFresh: false,
  exercise: (_rtc, b) => {
    b.io.out(0x70, 0x0b);
    b.io.out(0x71, 0x52); // PIE + UIE
    b.io.out(0x70, 0x0a);
    b.io.out(0x71, 0x2f);
    b.io.out(0x70, 0x50);
    b.io.out(0x71, 0x77);
    b.advance(700_000_000);
  },
  probe: (_rtc, b) => {
    const values: number[] = [];
    for (let i = 0; i < 128; i++) {
      b.io.out(0x70, i);
      values.push(b.io.in(0x71));
    }
    return values;
  },
});
