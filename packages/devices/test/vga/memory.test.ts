// The graphics controller's data path (IBM VGA TR "Graphics Controller Registers"; FreeVGA
// "VGA/EGA Read and Write Modes"): latches, map mask, set/reset, rotate, logical function,
// bit mask, write modes 0-3, read modes 0-1 with colour compare/don't care, and the chain-4
// and odd/even addressing schemes. Expected plane bytes are worked by hand from FreeVGA's
// step-by-step description of each mode.
import type { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { MODES, setMode, setup } from "./vga-bios";

function gc(board: FakeDeviceContext, index: number, value: number): void {
  board.io.out(0x3ce, index);
  board.io.out(0x3cf, value);
}
function seq(board: FakeDeviceContext, index: number, value: number): void {
  board.io.out(0x3c4, index);
  board.io.out(0x3c5, value);
}
/** Plane bytes at plane offset `offset`, read back through read mode 0. */
function planes(board: FakeDeviceContext, offset: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < 4; p++) {
    gc(board, 4, p);
    out.push(board.io.readMmio(0xa0000 + offset, 1));
  }
  return out;
}
/** Writes one byte per plane (map mask one plane at a time, write mode 0, no set/reset). */
function fill(board: FakeDeviceContext, offset: number, bytes: readonly number[]): void {
  gc(board, 1, 0);
  gc(board, 3, 0);
  gc(board, 5, 0);
  gc(board, 8, 0xff);
  bytes.forEach((b, p) => {
    seq(board, 2, 1 << p);
    board.io.writeMmio(0xa0000 + offset, b, 1);
  });
  seq(board, 2, 0x0f);
}

describe("VGA memory data path (planar mode 12h)", () => {
  it("write mode 0: set/reset on enabled planes, data elsewhere, bit mask keeps latched bits", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x100, [0x0f, 0x0f, 0x0f, 0x0f]);
    board.io.readMmio(0xa0100, 1); // load the latches
    gc(board, 0, 0b0001); // set/reset value
    gc(board, 1, 0b0101); // enable set/reset on planes 0 and 2
    gc(board, 8, 0xf0); // bit mask
    board.io.writeMmio(0xa0100, 0xaa, 1);
    // Plane 0: s/r 1 -> FF; plane 2: s/r 0 -> 00; planes 1,3: data AA. Then bits 0-3 from latch 0F.
    expect(planes(board, 0x100)).toEqual([0xff, 0xaf, 0x0f, 0xaf]);
  });

  it("write mode 0: rotate then AND/OR/XOR with the latches", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x10, [0xf0, 0x0f, 0xff, 0x00]);
    board.io.readMmio(0xa0010, 1);
    gc(board, 3, (1 << 3) | 4); // AND, rotate right 4
    board.io.writeMmio(0xa0010, 0x3c, 1); // rotated: C3
    expect(planes(board, 0x10)).toEqual([0xc0, 0x03, 0xc3, 0x00]);
    fill(board, 0x11, [0xf0, 0x0f, 0xff, 0x00]);
    board.io.readMmio(0xa0011, 1);
    gc(board, 3, 3 << 3); // XOR, no rotation
    board.io.writeMmio(0xa0011, 0x3c, 1);
    expect(planes(board, 0x11)).toEqual([0xcc, 0x33, 0xc3, 0x3c]);
    fill(board, 0x12, [0xf0, 0x0f, 0xff, 0x00]);
    board.io.readMmio(0xa0012, 1);
    gc(board, 3, 2 << 3); // OR
    board.io.writeMmio(0xa0012, 0x3c, 1);
    expect(planes(board, 0x12)).toEqual([0xfc, 0x3f, 0xff, 0x3c]);
  });

  it("map mask gates which planes a write reaches", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x20, [0x11, 0x22, 0x33, 0x44]);
    seq(board, 2, 0b1010);
    board.io.writeMmio(0xa0020, 0xee, 1);
    expect(planes(board, 0x20)).toEqual([0x11, 0xee, 0x33, 0xee]);
  });

  it("write mode 1 copies the four latches (screen-to-screen copy)", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x30, [0x12, 0x34, 0x56, 0x78]);
    gc(board, 5, 0x01);
    gc(board, 8, 0x00); // bit mask does not apply in write mode 1
    board.io.readMmio(0xa0030, 1);
    board.io.writeMmio(0xa0040, 0x00, 1);
    gc(board, 5, 0x00);
    expect(planes(board, 0x40)).toEqual([0x12, 0x34, 0x56, 0x78]);
  });

  it("write mode 2: data bits 0-3 are the colour, the bit mask picks the pixels", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x50, [0x00, 0xff, 0x00, 0xff]);
    board.io.readMmio(0xa0050, 1);
    gc(board, 5, 0x02);
    gc(board, 8, 0x81);
    board.io.writeMmio(0xa0050, 0x05, 1); // colour 0101b on pixels 0 and 7
    gc(board, 5, 0x00);
    expect(planes(board, 0x50)).toEqual([0x81, 0x7e, 0x81, 0x7e]);
  });

  it("write mode 3: rotated data ANDed with the bit mask, colour from set/reset", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    fill(board, 0x60, [0x00, 0x00, 0x00, 0x00]);
    board.io.readMmio(0xa0060, 1);
    gc(board, 0, 0b1010);
    gc(board, 5, 0x03);
    gc(board, 8, 0x3c);
    gc(board, 3, 1); // rotate right 1: F0 -> 78, & 3C -> 38
    board.io.writeMmio(0xa0060, 0xf0, 1);
    gc(board, 5, 0x00);
    gc(board, 3, 0);
    expect(planes(board, 0x60)).toEqual([0x00, 0x38, 0x00, 0x38]);
  });

  it("read mode 1: colour compare with colour don't care", () => {
    const { board } = setup();
    setMode(board, MODES[0x12]);
    // Pixels: colour of pixel i (bit 7-i) from planes 0..3.
    fill(board, 0x70, [0b1100_1010, 0b1010_0110, 0b0000_1111, 0b1111_0000]);
    gc(board, 5, 0x08);
    gc(board, 2, 0b1011); // compare colour 11 (1011b)
    gc(board, 7, 0x0f);
    // Colours per pixel 0..7: p0 bits 11001010, p1 10100110, p2 00001111, p3 11110000
    // pixel0 = 1,1,0,1 -> 1011b (match); pixel1 = 1,0,0,1 -> 1001b; pixel2 = 0,1,0,1 -> 1010b
    // pixel3 = 0,0,0,1 -> 1000b; pixel4 = 1,0,1,0 -> 0101b; pixel5 = 0,1,1,0; pixel6 = 1,1,1,0;
    // pixel7 = 0,0,1,0.
    expect(board.io.readMmio(0xa0070, 1)).toBe(0b1000_0000);
    gc(board, 7, 0b1001); // only planes 0 and 3 matter: colour x??1 with bit3 = 1
    expect(board.io.readMmio(0xa0070, 1)).toBe(0b1100_0000);
    gc(board, 5, 0x00);
  });

  it("chain 4 (mode 13h): byte n lands in plane n & 3, linearly in video memory", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    board.io.writeMmio(0xa0000 + 1610, 0x2a, 1);
    expect(vga.vram[1610]).toBe(0x2a);
    expect(board.io.readMmio(0xa0000 + 1610, 1)).toBe(0x2a);
    // A 32-bit write stores four consecutive pixels.
    board.io.writeMmio(0xa0100, 0x04030201, 4);
    expect([...vga.vram.subarray(0x100, 0x104)]).toEqual([1, 2, 3, 4]);
  });

  it("odd/even (text mode): even addresses reach plane 0, odd plane 1; map B8000", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    board.io.writeMmio(0xb8000, 0x1f41, 2); // 'A' on blue
    board.io.writeMmio(0xb8002, 0x4e42, 2);
    // QEMU's layout: character cell i at plane offset i (char in plane 0, attribute in plane 1).
    expect([vga.vram[0], vga.vram[1], vga.vram[4], vga.vram[5]]).toEqual([0x41, 0x1f, 0x42, 0x4e]);
    expect(board.io.readMmio(0xb8000, 2)).toBe(0x1f41);
    // A0000 is outside the 32 KiB B8000 window of text mode.
    expect(board.io.readMmio(0xa0000, 1)).toBe(0xff);
  });

  it("mode X (unchained 256 colours): plane per pixel column via the map mask", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    seq(board, 4, 0x06); // chain 4 off, odd/even off
    seq(board, 2, 1 << 2); // plane 2: pixel x = 4k + 2
    board.io.writeMmio(0xa0000 + 5, 0x33, 1); // pixel x = 22 of line 0
    expect(vga.vram[5 * 4 + 2]).toBe(0x33);
  });
});
