// 16550A behaviour from the National PC16550D datasheet: Table II (registers and reset
// values), Table IV (interrupt control functions and priorities), "FIFO Interrupt Mode
// Operation", "Line Status Register", "Modem Status Register", "Loopback", and the baud
// generator (divisor = 1.8432 MHz / (16 x baud)).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { describeDeviceConformance } from "../../test/conformance";
import { Uart16550 } from "./uart16550";

const BASE = 0x3f8;
/** 8N1 at 115200 baud: 10 bits of 1/115200 s. */
const CHAR_115200 = (10 * 1e9) / 115200;

let board: FakeDeviceContext;
let uart: Uart16550;
let sent: number[];

function make(options: ConstructorParameters<typeof Uart16550>[0] = {}): void {
  board = new FakeDeviceContext();
  sent = [];
  uart = new Uart16550({ onTransmit: (b) => sent.push(...b), ...options });
  uart.attach(board);
  uart.reset("power-on");
}

beforeEach(() => make());

const rd = (reg: number): number => board.io.in(BASE + reg);
const wr = (reg: number, value: number): void => board.io.out(BASE + reg, value);

/** 115200 8N1 with IRQ output enabled (OUT2). */
function setup115200(): void {
  wr(3, 0x80);
  wr(0, 0x01);
  wr(1, 0x00);
  wr(3, 0x03);
  wr(4, 0x0b);
}

describe("16550A registers (Table II)", () => {
  it("reset values: IER 0, IIR 01h, LCR 0, MCR 0, LSR 60h, MSR deltas 0", () => {
    expect([1, 2, 3, 4, 5].map(rd)).toEqual([0x00, 0x01, 0x00, 0x00, 0x60]);
    expect(rd(6) & 0x0f).toBe(0);
    expect(rd(6) & 0xf0).toBe(0xb0); // host side: CTS, DSR, DCD asserted
  });

  it("DLAB=1 exposes the divisor latch at offsets 0/1; scratch register keeps any byte", () => {
    wr(3, 0x80);
    wr(0, 0x0c);
    wr(1, 0x00);
    expect([rd(0), rd(1)]).toEqual([0x0c, 0x00]);
    wr(3, 0x03);
    expect(uart.baudDivisor).toBe(12); // 9600 baud
    wr(7, 0x5a);
    expect(rd(7)).toBe(0x5a);
    wr(1, 0xff);
    expect(rd(1)).toBe(0x0f); // IER bits 7:4 are 0
  });

  it("IIR bits 7:6 are 11 with FIFOs enabled (16550A), 00 without", () => {
    wr(2, 0x01);
    expect(rd(2)).toBe(0xc1);
    wr(2, 0x00);
    expect(rd(2)).toBe(0x01);
  });
});

describe("transmit timing from the baud generator", () => {
  it("non-FIFO: THR moves to the shift register at once (THRE), TEMT after the character time", () => {
    setup115200();
    wr(0, 0x41);
    expect(rd(5) & 0x60).toBe(0x20);
    wr(0, 0x42);
    expect(rd(5) & 0x60).toBe(0x00); // THR and TSR full
    board.advanceTo(CHAR_115200 - 1);
    expect(sent).toEqual([]);
    board.advanceTo(CHAR_115200);
    expect(sent).toEqual([0x41]);
    board.advanceTo(2 * CHAR_115200);
    expect(sent).toEqual([0x41, 0x42]);
    expect(rd(5) & 0x60).toBe(0x60);
  });

  it("the character time follows LCR: 7E2 at 9600 baud is 11 bits of 1/9600 s", () => {
    wr(3, 0x80);
    wr(0, 12);
    wr(1, 0);
    wr(3, 0x1e); // 7 data bits, even parity, 2 stop bits
    wr(0, 0x55);
    board.advanceTo((11 * 1e9) / 9600 - 1);
    expect(sent).toEqual([]);
    board.advance(1);
    expect(sent).toEqual([0x55]);
  });

  it("FIFO mode: 16 bytes queue, THRE stays clear until the FIFO is empty", () => {
    setup115200();
    wr(2, 0x07);
    for (let i = 0; i < 17; i++) wr(0, 0x30 + i); // 1 to the shifter + 16 in the FIFO
    wr(0, 0x99); // FIFO full: lost
    expect(rd(5) & 0x20).toBe(0);
    board.advance(16 * CHAR_115200);
    expect(rd(5) & 0x60).toBe(0x20); // last byte still shifting
    board.advance(CHAR_115200);
    expect(sent).toEqual(Array.from({ length: 17 }, (_, i) => 0x30 + i));
    expect(rd(5) & 0x60).toBe(0x60);
  });

  it("immediate timing hands each byte to the host at once", () => {
    make({ timing: "immediate" });
    wr(0, 0x68);
    wr(0, 0x69);
    expect(sent).toEqual([0x68, 0x69]);
    expect(rd(5) & 0x60).toBe(0x60);
  });
});

describe("receive and the interrupt identification register (Table IV)", () => {
  it("non-FIFO: a received byte sets DR and raises RDA (IIR 04h) on the IRQ; reading RBR clears", () => {
    setup115200();
    wr(1, 0x01);
    const irq = board.irqLine(4);
    uart.receive([0x61]);
    expect(irq.isHigh).toBe(false);
    board.advance(CHAR_115200);
    expect(irq.isHigh).toBe(true);
    expect(rd(2)).toBe(0x04);
    expect(rd(5) & 0x01).toBe(0x01);
    expect(rd(0)).toBe(0x61);
    expect(rd(2)).toBe(0x01);
    expect(irq.isHigh).toBe(false);
  });

  it("FIFO trigger level 8: RDA at 8 bytes; fewer bytes give the timeout interrupt (IIR 0Ch) after 4 character times", () => {
    setup115200();
    wr(2, 0x81); // FIFO, trigger 8
    wr(1, 0x01);
    uart.receive([1, 2, 3]);
    board.advance(3 * CHAR_115200);
    expect(rd(2)).toBe(0xc1);
    board.advance(4 * CHAR_115200 - 10);
    expect(rd(2)).toBe(0xc1);
    board.advance(10);
    expect(rd(2)).toBe(0xcc);
    expect(rd(0)).toBe(1); // reading clears the timeout and restarts the timer
    expect(rd(2)).toBe(0xc1);
    uart.receive([4, 5, 6, 7, 8, 9]);
    board.advance(5 * CHAR_115200);
    expect(rd(2)).toBe(0xc1); // 7 bytes
    board.advance(CHAR_115200);
    expect(rd(2)).toBe(0xc4); // 8 bytes: trigger level
  });

  it("host input flows into the FIFO as it drains: no overrun, nothing lost", () => {
    make({ timing: "immediate" });
    wr(2, 0x01);
    const text = Array.from({ length: 40 }, (_, i) => i);
    uart.receive(text);
    expect(uart.pendingInput).toBe(24);
    const got: number[] = [];
    while (rd(5) & 0x01) got.push(rd(0));
    expect(got).toEqual(text);
    expect(rd(5) & 0x02).toBe(0);
  });

  it("Table IV priority: line status > received data > THRE > modem status", () => {
    setup115200();
    wr(4, 0x1b); // loopback
    wr(1, 0x0f);
    // Loopback: the transmitter feeds the receiver; two bytes into a one-byte RBR overrun.
    wr(0, 0x11);
    wr(0, 0x22);
    board.advance(2 * CHAR_115200);
    wr(4, 0x19); // RTS off in loopback: CTS changes, DCTS
    expect(rd(2)).toBe(0x06);
    expect(rd(5) & 0x03).toBe(0x03); // OE + DR; reading clears OE
    expect(rd(2)).toBe(0x04);
    expect(rd(0)).toBe(0x22); // LSR bit 1: the overrun destroyed the previous character
    expect(rd(2)).toBe(0x02);
    expect(rd(2)).toBe(0x00); // THRE cleared by the IIR read that reported it
    expect(rd(6) & 0x01).toBe(0x01);
    expect(rd(2)).toBe(0x01);
  });

  it("enabling ETBEI with THR empty interrupts at once; writing THR clears it", () => {
    setup115200();
    const irq = board.irqLine(4);
    wr(1, 0x02);
    expect(irq.isHigh).toBe(true);
    expect(rd(2)).toBe(0x02);
    expect(irq.isHigh).toBe(false); // the IIR read cleared it
    wr(0, 0x41); // goes straight to the shifter: THR empty again
    expect(rd(2)).toBe(0x02);
    wr(0, 0x42);
    expect(rd(2)).toBe(0x01);
    board.advance(CHAR_115200);
    expect(rd(2)).toBe(0x02);
  });

  it("PC wiring: the IRQ reaches the PIC only with MCR OUT2 set", () => {
    const irq = board.irqLine(4);
    wr(1, 0x02);
    expect(irq.isHigh).toBe(false);
    wr(4, 0x08);
    expect(irq.isHigh).toBe(true);
    expect(rd(2)).toBe(0x02);
  });

  it("a 64 KiB paste flows through the FIFO intact", () => {
    make({ timing: "immediate" });
    board.io.isRecording = false;
    wr(2, 0x01);
    const big = new Uint8Array(1 << 16).map((_, i) => i & 0xff);
    uart.receive(big);
    let count = 0;
    let sum = 0;
    while (rd(5) & 0x01) {
      sum += rd(0);
      count++;
    }
    expect(count).toBe(1 << 16);
    expect(sum).toBe((1 << 8) * ((255 * 256) / 2));
  });

  it("FCR bit 1 clears the RX FIFO", () => {
    make({ timing: "immediate" });
    wr(2, 0x01);
    uart.receive([1, 2, 3]);
    wr(2, 0x03);
    expect(rd(5) & 0x01).toBe(0);
  });
});

describe("modem status and loopback", () => {
  it("Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD (Linux checks 90h for MCR=1Ah)", () => {
    wr(4, 0x1a);
    expect(rd(6) & 0xf0).toBe(0x90);
    wr(4, 0x1f);
    expect(rd(6) & 0xf0).toBe(0xf0);
    wr(4, 0x10);
    expect(rd(6) & 0xf0).toBe(0x00);
  });

  it("loopback transmits to the receiver and not to the host", () => {
    make({ timing: "immediate" });
    wr(4, 0x10);
    wr(0, 0x7e);
    expect(sent).toEqual([]);
    expect(rd(0)).toBe(0x7e);
  });

  it("MSR delta bits: DCTS/DDSR/DDCD on change, TERI on the trailing edge of RI; reading clears", () => {
    uart.setModemInputs({ ri: true });
    expect(rd(6)).toBe(0xf0);
    uart.setModemInputs({ ri: false, dcd: false, cts: false });
    expect(rd(6)).toBe(0x20 | 0x08 | 0x04 | 0x01);
    expect(rd(6)).toBe(0x20);
  });

  it("a modem status change interrupts with IIR 00h when EDSSI is set", () => {
    wr(4, 0x08);
    wr(1, 0x08);
    const irq = board.irqLine(4);
    uart.setModemInputs({ dsr: false });
    expect(irq.isHigh).toBe(true);
    expect(rd(2)).toBe(0x00);
    rd(6);
    expect(irq.isHigh).toBe(false);
  });
});

describe("break (LSR bit 4)", () => {
  it("a host break delivers a zero character with BI, an RLS interrupt, and FIFO error (bit 7)", () => {
    make({ timing: "immediate" });
    wr(4, 0x08);
    wr(2, 0x01);
    wr(1, 0x05);
    uart.receive([0x41]);
    uart.receiveBreak();
    expect(rd(2)).toBe(0xc4); // the top byte has no error yet: RDA
    expect(rd(5)).toBe(0x80 | 0x61); // error somewhere in the FIFO
    expect(rd(0)).toBe(0x41);
    expect(rd(2)).toBe(0xc6); // the break character is on top: line status
    expect(rd(5)).toBe(0x80 | 0x10 | 0x61);
    expect(rd(2)).toBe(0xc4); // reading LSR cleared BI
    expect(rd(0)).toBe(0x00);
    expect(rd(5)).toBe(0x60);
  });
});

describe("COM ports and guest misuse", () => {
  it("COM1-4 bases and IRQs are 3F8h/4, 2F8h/3, 3E8h/4, 2E8h/3", () => {
    const ports = ([1, 2, 3, 4] as const).map((com) => new Uart16550({ com }));
    expect(ports.map((p) => [p.base, p.irqNumber])).toEqual([
      [0x3f8, 4],
      [0x2f8, 3],
      [0x3e8, 4],
      [0x2e8, 3],
    ]);
    const shared = new FakeDeviceContext();
    for (const p of ports) p.attach(shared);
    expect(shared.io.claimedPorts().length).toBe(32);
  });

  it("reading an empty RBR, writing LSR/MSR, any width: no throw, no state damage", () => {
    expect(rd(0)).toBe(0);
    wr(5, 0xff);
    wr(6, 0xff);
    expect(rd(5)).toBe(0x60);
    for (let reg = 0; reg < 8; reg++)
      for (const width of [1, 2, 4] as const) {
        expect(() => board.io.out(BASE + reg, 0xffffffff, width)).not.toThrow();
        expect(() => board.io.in(BASE + reg, width)).not.toThrow();
      }
    board.advance(1e9);
  });
});

describeDeviceConformance({
  create: () => new Uart16550({ com: 1 }),
  exercise: (u, b) => {
    b.io.out(0x3fb, 0x80);
    b.io.out(0x3f8, 0x01);
    b.io.out(0x3fb, 0x03);
    b.io.out(0x3fa, 0x87);
    b.io.out(0x3fc, 0x0b);
    b.io.out(0x3f9, 0x0f);
    b.io.out(0x3ff, 0x42);
    u.receive([1, 2, 3, 4, 5]);
    b.io.out(0x3f8, 0x41);
    b.io.out(0x3f8, 0x42);
    b.advance(1_000_000); // all host input has reached the FIFO (a reset keeps the wire)
  },
});
