// Host-side mode 03h for boots without a VGA BIOS: the registers must equal what the VGA
// BIOS mode tables (IBM VGA TR, via SeaBIOS stdvgamodes.c in vga-bios.ts) program, and the
// font handed in must be what text cells draw.
import { VgaRenderer, findVgaBiosFont, setTextMode3, textScreen } from "@ringvm/devices/vga";
import { describe, expect, it } from "vitest";
import { GLYPH_A, MODES, pixel, setMode, setup } from "./vga-bios";

function testFont(): Uint8Array {
  const font = new Uint8Array(256 * 16);
  font.set([0x00, 0x00, 0x7e, 0x81, 0xa5, 0x81, 0x81, 0xbd, 0x99, 0x81, 0x81, 0x7e], 16); // smiley
  font.set(GLYPH_A, 0x41 * 16);
  return font;
}

describe("setTextMode3", () => {
  it("programs the same registers and palette as the BIOS mode 03h tables", () => {
    const a = setup(1);
    const b = setup(1);
    setMode(a.board, MODES[0x03]);
    setTextMode3(b.vga, testFont());
    expect([...b.vga.seq.subarray(1, 5)]).toEqual([...a.vga.seq.subarray(1, 5)]);
    expect([...b.vga.gc.subarray(0, 9)]).toEqual([...a.vga.gc.subarray(0, 9)]);
    expect([...b.vga.crtc]).toEqual([...a.vga.crtc]);
    expect([...b.vga.attr]).toEqual([...a.vga.attr]);
    expect([...b.vga.dac.subarray(0, 192)]).toEqual([...a.vga.dac.subarray(0, 192)]);
    expect([b.vga.misc, b.vga.attrIndex & 0x20]).toEqual([a.vga.misc, 0x20]);
  });

  it("shows a blank 80x25 screen and draws the given font", () => {
    const { vga, board } = setup(1);
    setTextMode3(vga, testFont());
    const screen = textScreen(vga)!;
    expect([screen.columns, screen.rows, screen.cells[0]]).toEqual([80, 25, 0x0720]);
    board.io.writeMmio(0xb8000, 0x0f41, 2);
    const frame = new Uint8ClampedArray(720 * 400 * 4);
    new VgaRenderer(vga).render(frame, (1e9 / 60) * 8); // cursor blink phase off
    expect(pixel(frame, 720, 0, 7)).toEqual([0xff, 0xff, 0xff, 0xff]); // FEh row of 'A'
    expect(pixel(frame, 720, 7, 7)).toEqual([0, 0, 0, 0xff]);
  });

  it("finds the 8x16 font in a VGA BIOS image by its first glyphs", () => {
    const font = testFont();
    const rom = new Uint8Array(0x8000).fill(0x55);
    rom.set(font, 0x1230);
    expect(findVgaBiosFont(rom)).toEqual(font);
    expect(findVgaBiosFont(new Uint8Array(4096))).toBeUndefined();
  });
});
