// 8259A behaviour from the Intel 8259A datasheet (231468); section names in test titles.
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { describeDeviceConformance } from "../../test/conformance";
import { I8259Pic } from "./i8259-pic";

/** The PC BIOS initialisation: master vectors 08h, slave 70h, slave on IR2, 8086 mode. */
function initBios(board: FakeDeviceContext, master = 0x01, slave = 0x01): void {
  board.io.out(0x20, 0x11);
  board.io.out(0x21, 0x08);
  board.io.out(0x21, 0x04);
  board.io.out(0x21, master);
  board.io.out(0xa0, 0x11);
  board.io.out(0xa1, 0x70);
  board.io.out(0xa1, 0x02);
  board.io.out(0xa1, slave);
}

let board: FakeDeviceContext;
let pic: I8259Pic;
let changes: boolean[];

beforeEach(() => {
  board = new FakeDeviceContext();
  changes = [];
  pic = new I8259Pic({ onOutputChange: (on) => changes.push(on) });
  pic.attach(board);
  pic.reset("power-on");
  initBios(board);
});

function pulse(irq: number): void {
  pic.line(irq).raise();
  pic.line(irq).lower();
}

describe("8259A interrupt sequence", () => {
  it("Interrupt Sequence: an edge sets IRR, INTR rises, INTA returns base+level and sets ISR", () => {
    pulse(1);
    expect(pic.hasInterrupt()).toBe(true);
    board.io.out(0x20, 0x0a); // OCW3: read IRR
    expect(board.io.in(0x20)).toBe(0x02);
    expect(pic.acknowledge()).toBe(0x09);
    expect(pic.hasInterrupt()).toBe(false);
    expect(board.io.in(0x20)).toBe(0x00);
    board.io.out(0x20, 0x0b); // OCW3: read ISR
    expect(board.io.in(0x20)).toBe(0x02);
    board.io.out(0x20, 0x20); // non-specific EOI
    expect(board.io.in(0x20)).toBe(0x00);
    expect(changes).toEqual([true, false]);
  });

  it("Fully Nested Mode: IR0 highest; a lower level waits for the EOI of a higher one", () => {
    pulse(3);
    pulse(1);
    expect(pic.acknowledge()).toBe(0x09);
    expect(pic.hasInterrupt()).toBe(false); // IR3 blocked by IS1
    pulse(0);
    expect(pic.acknowledge()).toBe(0x08); // IR0 nests above IS1
    board.io.out(0x20, 0x20); // clears IS0 (highest)
    expect(pic.hasInterrupt()).toBe(false);
    board.io.out(0x20, 0x20); // clears IS1
    expect(pic.acknowledge()).toBe(0x0b);
  });

  it("Cascade: a slave request goes through master IR2 and returns the slave's vector", () => {
    pulse(8 + 4); // IRQ 12
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x74);
    board.io.out(0xa0, 0x0b);
    expect(board.io.in(0xa0)).toBe(0x10);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x04);
    // Both chips need an EOI before another slave request gets through.
    pulse(8 + 1);
    expect(pic.hasInterrupt()).toBe(false);
    board.io.out(0xa0, 0x20);
    expect(pic.hasInterrupt()).toBe(false);
    board.io.out(0x20, 0x20);
    expect(pic.acknowledge()).toBe(0x71);
  });

  it("Interrupt Mask Register (OCW1): masked requests stay in IRR, unmasking delivers them", () => {
    board.io.out(0x21, 0xff);
    expect(board.io.in(0x21)).toBe(0xff);
    pulse(5);
    expect(pic.hasInterrupt()).toBe(false);
    board.io.out(0x21, 0xdf);
    expect(pic.acknowledge()).toBe(0x0d);
  });

  it("ICW1: clears IMR and ISR, and an edge input must go low then high again", () => {
    board.io.out(0x21, 0x15);
    pic.line(6).raise(); // held high
    expect(pic.acknowledge()).toBe(0x0e);
    initBios(board);
    expect(board.io.in(0x21)).toBe(0x00);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x00);
    expect(pic.hasInterrupt()).toBe(false);
    pic.line(6).raise(); // still high: no edge
    expect(pic.hasInterrupt()).toBe(false);
    pulse(6);
    pulse(6);
    expect(pic.acknowledge()).toBe(0x0e);
  });

  it("ICW1 SNGL/IC4: single mode skips ICW3; without IC4 the next data write is OCW1", () => {
    board.io.out(0x20, 0x12); // ICW1: single, no ICW4
    board.io.out(0x21, 0x40); // ICW2
    board.io.out(0x21, 0xfe); // OCW1 (no ICW3/ICW4 expected)
    expect(board.io.in(0x21)).toBe(0xfe);
    pulse(0);
    expect(pic.acknowledge()).toBe(0x40);
  });

  it("ICW2: T2-T0 come from the level, not the ICW2 value (8086 mode)", () => {
    board.io.out(0x20, 0x11);
    board.io.out(0x21, 0x0f);
    board.io.out(0x21, 0x04);
    board.io.out(0x21, 0x01);
    pulse(1);
    expect(pic.acknowledge()).toBe(0x09);
    expect(pic.vectorBase(0)).toBe(0x08);
  });
});

describe("8259A end of interrupt and rotation", () => {
  it("Specific EOI (OCW2 011): clears the named IS bit only", () => {
    pulse(3);
    pic.acknowledge();
    pulse(1);
    pic.acknowledge();
    board.io.out(0x20, 0x63); // specific EOI level 3
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x02);
  });

  it("Automatic EOI (ICW4 AEOI): INTA does not set ISR", () => {
    initBios(board, 0x03);
    pulse(4);
    expect(pic.acknowledge()).toBe(0x0c);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x00);
    pulse(5);
    expect(pic.acknowledge()).toBe(0x0d);
  });

  it("Automatic Rotation (OCW2 101): the serviced level becomes lowest priority", () => {
    pulse(2 - 1); // IR1
    pic.acknowledge();
    board.io.out(0x20, 0xa0); // rotate on non-specific EOI: IR1 lowest, IR2 highest
    pulse(0);
    pulse(3);
    expect(pic.acknowledge()).toBe(0x0b); // IR3 beats IR0 now
  });

  it("Rotate in AEOI mode (OCW2 100/000)", () => {
    initBios(board, 0x03);
    board.io.out(0x20, 0x80); // set rotate in AEOI
    pulse(4);
    expect(pic.acknowledge()).toBe(0x0c); // IR4 now lowest
    pulse(0);
    pulse(5);
    expect(pic.acknowledge()).toBe(0x0d);
    expect(pic.acknowledge()).toBe(0x08);
    board.io.out(0x20, 0x00); // clear rotate in AEOI: priority stays where it is
    pulse(6);
    pulse(4);
    expect(pic.acknowledge()).toBe(0x0c); // IR0 became lowest: IR1 highest, IR4 before IR6
  });

  it("Specific Rotation (OCW2 110 set priority, 111 rotate on specific EOI)", () => {
    board.io.out(0x20, 0xc4); // IR4 lowest: IR5 highest
    pulse(3);
    pulse(5);
    expect(pic.acknowledge()).toBe(0x0d);
    board.io.out(0x20, 0xe5); // rotate on specific EOI 5: IR6 highest
    pulse(7);
    expect(pic.acknowledge()).toBe(0x0f);
    board.io.out(0x20, 0x67);
    expect(pic.acknowledge()).toBe(0x0b);
  });

  it("OCW2 010 is a no-operation", () => {
    pulse(1);
    pic.acknowledge();
    board.io.out(0x20, 0x40);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x02);
  });
});

describe("8259A special modes, poll and spurious interrupts", () => {
  it("Special Mask Mode (OCW3 ESMM/SMM): a masked in-service level lets lower ones through", () => {
    pulse(1);
    pic.acknowledge(); // IS1
    board.io.out(0x21, 0x02); // mask IR1
    pulse(4);
    expect(pic.hasInterrupt()).toBe(false);
    board.io.out(0x20, 0x68); // set special mask
    expect(pic.acknowledge()).toBe(0x0c);
    // A non-specific EOI now leaves the masked IS1 alone and clears IS4.
    board.io.out(0x20, 0x20);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x02);
    board.io.out(0x20, 0x48); // reset special mask
    pulse(5);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("Special Fully Nested Mode: slave IR1 nests over slave IS5 only with SFNM", () => {
    initBios(board, 0x11);
    pulse(8 + 5);
    expect(pic.acknowledge()).toBe(0x75);
    pulse(8 + 1);
    expect(pic.acknowledge()).toBe(0x71);
    // Without SFNM the master's IS2 blocks the same request.
    initBios(board, 0x01);
    pulse(8 + 5);
    expect(pic.acknowledge()).toBe(0x75);
    pulse(8 + 1);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("Poll Command (OCW3 P): the next read returns I and W2-W0 and acts as INTA", () => {
    board.io.out(0x21, 0xff); // polled systems mask INT
    pulse(6);
    board.io.out(0x20, 0x0c);
    expect(board.io.in(0x20)).toBe(0x00); // masked: no request (I=0)
    board.io.out(0x21, 0x00);
    expect(pic.hasInterrupt()).toBe(true);
    board.io.out(0x20, 0x0c);
    expect(board.io.in(0x20)).toBe(0x86);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x40);
    board.io.out(0x20, 0x0c);
    expect(board.io.in(0x20)).toBe(0x00);
  });

  it("spurious IRQ 7: a level request that goes away before INTA yields base+7, ISR clear", () => {
    board.io.out(0x4d0, 0x20); // ELCR: IRQ5 level
    pic.line(5).raise();
    expect(pic.hasInterrupt()).toBe(true);
    pic.line(5).lower();
    expect(pic.acknowledge()).toBe(0x0f);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x00);
  });

  it("spurious IRQ 15: the slave answers IR7 while the master sets IS2", () => {
    board.io.out(0x4d1, 0x08); // IRQ11 level
    pic.line(11).raise();
    expect(pic.hasInterrupt()).toBe(true);
    pic.line(11).lower();
    // INTR already reached the CPU: the master latched IR2 (edge), the slave has nothing.
    expect(pic.acknowledge()).toBe(0x77);
    board.io.out(0xa0, 0x0b);
    expect(board.io.in(0xa0)).toBe(0x00);
    board.io.out(0x20, 0x0b);
    expect(board.io.in(0x20)).toBe(0x04);
  });

  it("acknowledge with no request at all returns the master's IR7 vector", () => {
    expect(pic.acknowledge()).toBe(0x0f);
  });
});

describe("edge and level triggering (8259A LTIM, PIIX ELCR 4D0h/4D1h)", () => {
  it("Edge Triggered Mode: the request is latched even if the line drops before INTA", () => {
    pulse(3);
    expect(pic.acknowledge()).toBe(0x0b);
  });

  it("Level Triggered Mode (ELCR): IRR follows the line; after EOI a held line requests again", () => {
    board.io.out(0x4d1, 0x04); // IRQ10 level
    expect(board.io.in(0x4d1)).toBe(0x04);
    pic.line(10).raise();
    expect(pic.acknowledge()).toBe(0x72);
    board.io.out(0xa0, 0x20);
    board.io.out(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x72);
    pic.line(10).lower();
    board.io.out(0xa0, 0x20);
    board.io.out(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("ELCR bits for IRQ 0, 1, 2, 8 and 13 are read-only zero (PIIX)", () => {
    board.io.out(0x4d0, 0xff);
    board.io.out(0x4d1, 0xff);
    expect(board.io.in(0x4d0)).toBe(0xf8);
    expect(board.io.in(0x4d1)).toBe(0xde);
  });

  it("ICW1 LTIM makes every input level-sensitive", () => {
    board.io.out(0x20, 0x19);
    board.io.out(0x21, 0x08);
    board.io.out(0x21, 0x04);
    board.io.out(0x21, 0x01);
    pic.line(4).raise();
    pic.line(4).lower();
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("the PIT's rising edge on IRQ 0 is counted once while held high", () => {
    pic.line(0).raise();
    pic.line(0).raise();
    expect(pic.acknowledge()).toBe(0x08);
    board.io.out(0x20, 0x20);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("a slave in AEOI with a second request gives master IR2 a fresh edge", () => {
    initBios(board, 0x03, 0x03);
    pulse(8 + 3);
    pulse(8 + 6);
    expect(pic.acknowledge()).toBe(0x73);
    expect(pic.acknowledge()).toBe(0x76);
  });
});

describe("guest misuse", () => {
  it("reads and writes of every width on every port never throw, IMR reads back", () => {
    for (const port of [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1])
      for (const width of [1, 2, 4] as const) {
        expect(() => board.io.out(port, 0xffffffff, width)).not.toThrow();
        expect(() => board.io.in(port, width)).not.toThrow();
      }
    expect(() => pic.line(16)).toThrow(RangeError);
  });
});

describeDeviceConformance({
  create: () => new I8259Pic(),
  exercise: (p, b) => {
    initBios(b);
    b.io.out(0x21, 0xb8);
    b.io.out(0x4d1, 0x0c);
    p.line(10).raise();
    p.line(1).raise();
    p.acknowledge();
    b.io.out(0x20, 0x0b);
  },
});
