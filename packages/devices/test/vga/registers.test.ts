// Register read-back rules of the VGA (IBM VGA Technical Reference; FreeVGA "VGA Chipset
// Reference": which bits each register implements, the attribute flip-flop, CRTC write
// protection, the DAC's 6-bit entries and auto-increment, mono/colour port decoding).
import { describe, expect, it } from "vitest";
import { setup } from "./vga-bios";

describe("VGA registers", () => {
  it("sequencer and graphics registers keep only their implemented bits", () => {
    const { board } = setup();
    const io = board.io;
    const readBack = (index: number, data: number, i: number) => {
      io.out(index, i);
      io.out(data, 0xff);
      return io.in(data);
    };
    // SR01 bits 6-7 and 1 are reserved; SR04 has bits 1-3; SR02 and SR03 4/6 bits.
    expect([1, 2, 3, 4].map((i) => readBack(0x3c4, 0x3c5, i))).toEqual([0x3d, 0x0f, 0x3f, 0x0e]);
    // GR00-GR08: 4, 4, 4, 5, 2, (7 of 8: bit 2 reserved), 4, 4, 8 bits.
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => readBack(0x3ce, 0x3cf, i))).toEqual([
      0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
    ]);
    // Index registers read back what was written (within their width).
    io.out(0x3c4, 0xfc);
    expect(io.in(0x3c4)).toBe(0x04);
    io.out(0x3ce, 0xf5);
    expect(io.in(0x3ce)).toBe(0x05);
  });

  it("misc output is written at 3C2h and read at 3CCh; it selects 3Dx or 3Bx for the CRTC", () => {
    const { board } = setup();
    const io = board.io;
    io.out(0x3c2, 0x67);
    expect(io.in(0x3cc)).toBe(0x67);
    io.out(0x3d4, 0x0e);
    io.out(0x3d5, 0x12);
    expect(io.in(0x3d5)).toBe(0x12);
    // With colour addressing the mono CRTC does not answer.
    expect(io.in(0x3b5)).toBe(0xff);
    io.out(0x3c2, 0x66);
    expect(io.in(0x3b5)).toBe(0x12);
    expect(io.in(0x3d5)).toBe(0xff);
  });

  it("attribute controller: one port for index and data, flip-flop reset by reading input status 1", () => {
    const { board } = setup();
    const io = board.io;
    io.out(0x3c2, 0x67);
    io.in(0x3da);
    io.out(0x3c0, 0x05); // index 5
    io.out(0x3c0, 0xff); // data: palette registers are 6 bits
    io.out(0x3c0, 0x25); // index 5 again, PAS set
    expect(io.in(0x3c1)).toBe(0x3f);
    expect(io.in(0x3c0)).toBe(0x25);
    // Half-way through a pair, reading 3DAh returns the flip-flop to "index".
    io.out(0x3c0, 0x10);
    io.in(0x3da);
    io.out(0x3c0, 0x12);
    io.out(0x3c0, 0xff);
    io.out(0x3c0, 0x12);
    expect(io.in(0x3c1)).toBe(0x3f); // AR12 colour plane enable: bits 0-5
    io.in(0x3da);
    io.out(0x3c0, 0x10);
    expect(io.in(0x3c1)).toBe(0x00); // AR10 was never written: the first 0x10 was an index
    // AR13 (horizontal pel panning) has 4 bits.
    io.in(0x3da);
    io.out(0x3c0, 0x13);
    io.out(0x3c0, 0xf7);
    io.out(0x3c0, 0x13);
    expect(io.in(0x3c1)).toBe(0x07);
  });

  it("CR11 bit 7 write-protects CR00-CR07 except the line compare bit 4 of CR07", () => {
    const { board } = setup();
    const io = board.io;
    io.out(0x3c2, 0x67);
    const crtc = (i: number, v?: number) => {
      io.out(0x3d4, i);
      if (v !== undefined) io.out(0x3d5, v);
      return io.in(0x3d5);
    };
    crtc(0x01, 0x4f);
    crtc(0x07, 0x0f);
    crtc(0x11, 0x8e);
    expect(crtc(0x01, 0x27)).toBe(0x4f);
    expect(crtc(0x07, 0xf0)).toBe(0x1f);
    expect(crtc(0x08, 0x05)).toBe(0x05); // CR08 is outside the protected range
    crtc(0x11, 0x0e);
    expect(crtc(0x01, 0x27)).toBe(0x27);
    // A word OUT to 3D4h writes index and data.
    io.out(0x3d4, 0x3c0c, 2);
    expect(crtc(0x0c)).toBe(0x3c);
  });

  it("DAC: 6-bit entries written three at a time, auto-increment, state at 3C7h", () => {
    const { board } = setup();
    const io = board.io;
    io.out(0x3c8, 0x05);
    expect(io.in(0x3c7) & 3).toBe(0); // write mode
    for (const v of [0xff, 0x15, 0x2a, 0x01, 0x02, 0x03]) io.out(0x3c9, v);
    expect(io.in(0x3c8)).toBe(0x07);
    io.out(0x3c7, 0x05);
    expect(io.in(0x3c7) & 3).toBe(3); // read mode
    expect([0, 1, 2, 3, 4, 5].map(() => io.in(0x3c9))).toEqual([0x3f, 0x15, 0x2a, 1, 2, 3]);
    // An entry changes only when its third component arrives.
    io.out(0x3c8, 0x09);
    io.out(0x3c9, 0x11);
    io.out(0x3c9, 0x12);
    io.out(0x3c7, 0x09);
    expect([io.in(0x3c9), io.in(0x3c9), io.in(0x3c9)]).toEqual([0, 0, 0]);
    io.out(0x3c6, 0x0f);
    expect(io.in(0x3c6)).toBe(0x0f);
  });

  it("input status 1: vertical retrace (bit 3) and display disable (bit 0) follow guest time", () => {
    const { board } = setup();
    const io = board.io;
    io.out(0x3c2, 0x67);
    const LINE_NS = 31_778; // 31.469 kHz horizontal rate of the 25.175 MHz modes
    board.clock.set(100 * LINE_NS + 1000); // active display, early in a line
    expect(io.in(0x3da) & 0x09).toBe(0);
    board.clock.set(100 * LINE_NS + 30_000); // horizontal blanking
    expect(io.in(0x3da) & 0x09).toBe(0x01);
    board.clock.set(490 * LINE_NS + 1000); // vertical sync
    expect(io.in(0x3da) & 0x09).toBe(0x09);
    board.clock.set(500 * LINE_NS + 1000); // vertical blanking after sync
    expect(io.in(0x3da) & 0x09).toBe(0x01);
    board.clock.set(525 * LINE_NS + 1000); // next frame
    expect(io.in(0x3da) & 0x09).toBe(0);
  });
});
