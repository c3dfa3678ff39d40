// Rendering oracles: glyph rows of the IBM VGA ROM font drawn 9 dots wide, attribute colours
// through the attribute palette and the DAC with QEMU's 6-to-8-bit widening (c6_to_8:
// v << 2 | (v & 1) * 3), the picture sizes QEMU's screendump gives (720x400 text, 640x400
// for mode 13h), and dirty tracking that converts only the lines whose memory changed.
import type { FakeDeviceContext } from "@ringvm/bus/testing";
import { renderToRgba, VgaRenderer, type VgaDevice } from "@ringvm/devices/vga";
import { describe, expect, it } from "vitest";
import { GLYPH_A, GLYPH_BOX_HORIZONTAL, MODES, loadFont, pixel, setMode, setup } from "./vga-bios";

function frameOf(vga: VgaDevice, renderer = new VgaRenderer(vga)) {
  const size = renderer.size();
  const frame = new Uint8ClampedArray(size.width * size.height * 4);
  const result = renderer.render(frame, 0);
  return { frame, result, renderer };
}

const WHITE = [0xff, 0xff, 0xff, 0xff];
const BLACK = [0, 0, 0, 0xff];
/** DAC 6-bit 2Ah widened: A8h. */
const BLUE = [0, 0, 0xa8, 0xff];

function crtc(board: FakeDeviceContext, index: number, value: number): void {
  board.io.out(0x3d4, index);
  board.io.out(0x3d5, value);
}

describe("VGA rendering", () => {
  it("80x25 text: 720x400, glyph from plane 2, 9th dot blank, colours via palette + DAC", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    loadFont(
      board,
      new Map([
        [0x41, GLYPH_A],
        [0xc4, GLYPH_BOX_HORIZONTAL],
      ]),
    );
    board.io.writeMmio(0xb8000, 0x1f41, 2); // 'A', white on blue
    board.io.writeMmio(0xb8002, 0x07c4, 2); // box-drawing horizontal line, grey on black
    crtc(board, 0x0a, 0x20); // cursor off
    const { frame, result } = frameOf(vga);
    expect([result.width, result.height]).toEqual([720, 400]);
    // Row 7 of 'A' is FEh: dots 0-6 lit, dot 7 clear, 9th dot background.
    const row7 = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((x) => pixel(frame, 720, x, 7));
    expect(row7).toEqual([WHITE, WHITE, WHITE, WHITE, WHITE, WHITE, WHITE, BLUE, BLUE]);
    // Row 2 is 10h: only dot 3.
    expect([2, 3, 4].map((x) => pixel(frame, 720, x, 2))).toEqual([BLUE, WHITE, BLUE]);
    // Line graphics (AR10 bit 2, set by mode 3): C4h's 9th dot repeats the 8th.
    const grey = [0xa8, 0xa8, 0xa8, 0xff];
    expect([16, 17].map((x) => pixel(frame, 720, 9 + x - 9, 7))).toEqual([grey, grey]);
    expect(pixel(frame, 720, 9, 6)).toEqual(BLACK);
  });

  it("text cursor: CR0A/CR0B scan lines at CR0E:CR0F in the foreground colour, blinking", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    board.io.writeMmio(0xb8000 + 2 * 81, 0x0720, 2); // blank cell at row 1, column 1
    crtc(board, 0x0e, 0);
    crtc(board, 0x0f, 81);
    const renderer = new VgaRenderer(vga);
    const frame = new Uint8ClampedArray(720 * 400 * 4);
    renderer.render(frame, 0); // blink phase "on" at t = 0
    const grey = [0xa8, 0xa8, 0xa8, 0xff];
    // Mode 3 cursor: lines 0Dh-0Eh of the 16-line cell.
    expect(pixel(frame, 720, 9, 16 + 12)).toEqual(BLACK);
    expect(pixel(frame, 720, 9, 16 + 13)).toEqual(grey);
    expect(pixel(frame, 720, 17, 16 + 14)).toEqual(grey);
    expect(pixel(frame, 720, 9, 16 + 15)).toEqual(BLACK);
    // 8 frames later (1/16 of the frame rate) the cursor is off.
    const r = renderer.render(frame, (8 * 1e9) / 60 + 1);
    expect(pixel(frame, 720, 9, 16 + 13)).toEqual(BLACK);
    expect([r.dirtyTop, r.dirtyBottom]).toEqual([16, 32]);
  });

  it("40x25 text and 80x50 text (8-line cells via CR09) have the right sizes", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x01]);
    expect(new VgaRenderer(vga).size()).toEqual({ width: 640, height: 400 }); // 40 x 16 dots (doubled 8-dot clock)
    setMode(board, MODES[0x03]);
    crtc(board, 0x09, 0x47); // 8 scan lines a row
    expect(new VgaRenderer(vga).size()).toEqual({ width: 720, height: 400 });
    board.io.writeMmio(0xb8000 + 49 * 160, 0x0741, 2);
    const { frame } = frameOf(vga);
    expect(frame.length).toBe(720 * 400 * 4);
  });

  it("blank while the attribute controller's PAS bit is clear", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    board.io.writeMmio(0xa0000, 0x0f, 1);
    board.io.in(0x3da);
    board.io.out(0x3c0, 0x00); // PAS = 0
    const { frame, result } = frameOf(vga);
    expect(result.isDrawn).toBe(true);
    expect(pixel(frame, result.width, 0, 0)).toEqual(BLACK);
  });

  it("mode 13h: 640x400 (each pixel doubled both ways), colour from the DAC widened 6 -> 8 bits", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    board.io.out(0x3c8, 0x80);
    for (const v of [0x15, 0x2a, 0x3f]) board.io.out(0x3c9, v);
    board.io.writeMmio(0xa0000 + 5 * 320 + 10, 0x80, 1);
    const { frame, result } = frameOf(vga);
    expect([result.width, result.height]).toEqual([640, 400]);
    const expected = [0x57, 0xa8, 0xff, 0xff];
    for (const [x, y] of [
      [20, 10],
      [21, 10],
      [20, 11],
      [21, 11],
    ] as const) {
      expect(pixel(frame, 640, x, y)).toEqual(expected);
    }
    expect(pixel(frame, 640, 22, 10)).toEqual(BLACK);
    expect(pixel(frame, 640, 20, 12)).toEqual(BLACK);
  });

  it("mode X: planes interleave pixels; CR0C/CR0D page flipping moves the display start", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    board.io.out(0x3c4, 4);
    board.io.out(0x3c5, 0x06);
    crtc(board, 0x14, 0x00); // no doubleword addressing
    crtc(board, 0x17, 0xe3); // byte mode
    board.io.out(0x3c8, 9);
    for (const v of [0x3f, 0, 0]) board.io.out(0x3c9, v);
    board.io.out(0x3c4, 2);
    board.io.out(0x3c5, 1 << 3); // plane 3
    board.io.writeMmio(0xa0000 + 2, 9, 1); // pixel x = 2*4 + 3 = 11 of line 0
    board.io.writeMmio(0xa0000 + 0x4000 + 1, 9, 1); // page 2: x = 7
    let { frame } = frameOf(vga);
    expect(pixel(frame, 640, 22, 0)).toEqual([0xff, 0, 0, 0xff]);
    expect(pixel(frame, 640, 20, 0)).toEqual(BLACK);
    crtc(board, 0x0c, 0x40); // start at 4000h
    ({ frame } = frameOf(vga));
    expect(pixel(frame, 640, 14, 0)).toEqual([0xff, 0, 0, 0xff]);
    expect(pixel(frame, 640, 22, 0)).toEqual(BLACK);
  });

  it("mode 12h planar: 640x480, pixel colour from the four planes via the attribute palette", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x12]);
    board.io.out(0x3ce, 5);
    board.io.out(0x3cf, 0x02); // write mode 2
    board.io.out(0x3ce, 8);
    board.io.out(0x3cf, 0x40); // pixel 1 only
    board.io.readMmio(0xa0000 + 80 * 3, 1);
    board.io.writeMmio(0xa0000 + 80 * 3, 0x0c, 1);
    const { frame, result } = frameOf(vga);
    expect([result.width, result.height]).toEqual([640, 480]);
    // Colour 0Ch -> AR0C = 3Ch -> DAC 3Ch = (3F, 15, 15) -> (FF, 57, 57).
    expect(pixel(frame, 640, 1, 3)).toEqual([0xff, 0x57, 0x57, 0xff]);
    expect(pixel(frame, 640, 0, 3)).toEqual(BLACK);
  });

  it("mode 0Dh: 320x200 planar shown 640x400 (half dot clock, double scan)", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x0d]);
    board.io.writeMmio(0xa0000, 0x80, 1); // colour 15 (all planes) at pixel 0
    const { frame, result } = frameOf(vga);
    expect([result.width, result.height]).toEqual([640, 400]);
    // Colour 15 -> AR0F = 17h -> DAC 17h = bits 0,1,2,4: (2A, 3F, 2A).
    const expected = [0xa8, 0xff, 0xa8, 0xff];
    expect([pixel(frame, 640, 0, 0), pixel(frame, 640, 1, 1)]).toEqual([expected, expected]);
    expect(pixel(frame, 640, 2, 0)).toEqual(BLACK);
  });

  it("mode 4 (CGA 320x200x4): 2 bits a pixel, odd scan lines at B8000h + 2000h", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x04]);
    board.io.writeMmio(0xb8000, 0b11_10_01_00, 1); // line 0: pixels 0-3 = colours 3,2,1,0
    board.io.writeMmio(0xb8000 + 0x2000, 0b01_00_00_00, 1); // line 1: pixel 0 = colour 1
    const { frame, result } = frameOf(vga);
    expect([result.width, result.height]).toEqual([640, 400]);
    // Colours via AR01-AR03 = 13h, 15h, 17h (palette 1 cyan/magenta/white) and DAC (palette1).
    const c1 = pixel(frame, 640, 4, 0);
    const c3 = pixel(frame, 640, 0, 0);
    expect(c3).toEqual(pixel(frame, 640, 1, 1)); // doubled both ways
    expect(pixel(frame, 640, 0, 2)).toEqual(c1); // line 1 from the odd bank
    expect(pixel(frame, 640, 6, 0)).toEqual(BLACK);
  });

  it("dirty tracking: a second frame converts only the lines whose memory changed", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    const renderer = new VgaRenderer(vga);
    const frame = new Uint8ClampedArray(640 * 400 * 4);
    expect(renderer.render(frame, 0).dirtyBottom).toBe(400);
    const idle = renderer.render(frame, 0);
    expect([idle.dirtyTop, idle.dirtyBottom]).toEqual([0, 0]);
    // Byte 100 * 320 lies in video memory page 7 (28000-28FFFh... 7000h-7FFFh): lines 89-102.
    board.io.writeMmio(0xa0000 + 100 * 320, 1, 1);
    const r = renderer.render(frame, 0);
    expect(r.dirtyTop).toBeGreaterThanOrEqual(2 * Math.floor(0x7000 / 320));
    expect(r.dirtyBottom).toBeLessThanOrEqual(2 * Math.ceil(0x8000 / 320));
    expect(r.dirtyTop).toBeLessThanOrEqual(200);
    expect(r.dirtyBottom).toBeGreaterThan(201);
    // A DAC change redraws everything.
    board.io.out(0x3c8, 1);
    for (const v of [1, 2, 3]) board.io.out(0x3c9, v);
    expect(renderer.render(frame, 0).dirtyBottom).toBe(400);
  });

  it("renderToRgba reports the size and draws nothing into a buffer that is too small", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    const r = renderToRgba(vga, new Uint8ClampedArray(4));
    expect(r).toMatchObject({ width: 720, height: 400, isDrawn: false });
    expect(renderToRgba(vga, new Uint8ClampedArray(720 * 400 * 4)).isDrawn).toBe(true);
  });
});

describe("VGA snapshots", () => {
  it("saveState/loadState keep video memory, registers and the picture (JSON, no Buffer)", () => {
    const a = setup(2);
    setMode(a.board, MODES[0x13]);
    for (let i = 0; i < 64000; i += 97) a.board.io.writeMmio(0xa0000 + i, i & 0xff, 1);
    const state = JSON.parse(JSON.stringify(a.vga.saveState())) as Record<string, unknown>;
    const b = setup(2);
    b.vga.loadState(state);
    const fa = frameOf(a.vga).frame;
    const fb = frameOf(b.vga).frame;
    expect(Buffer.from(fb).equals(Buffer.from(fa))).toBe(true);
    expect(b.vga.vram[97 * 3]).toBe((97 * 3) & 0xff);
    expect(() => b.vga.loadState({ ...state, vramSize: 1 << 20 })).toThrow(/size/);
  });
});

describe("VGA dirty tracking with drawing programs", () => {
  it("map mask, bit mask and cursor moves do not force full redraws", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x12]);
    const renderer = new VgaRenderer(vga);
    const frame = new Uint8ClampedArray(640 * 480 * 4);
    renderer.render(frame, 0);
    // A planar drawing routine: map mask, bit mask, latch read, write - near the bottom.
    board.io.out(0x3c4, 2);
    board.io.out(0x3c5, 0x05);
    board.io.out(0x3ce, 8);
    board.io.out(0x3cf, 0x81);
    board.io.readMmio(0xa0000 + 470 * 80, 1);
    board.io.writeMmio(0xa0000 + 470 * 80, 0xff, 1);
    const r = renderer.render(frame, 0);
    // Plane offset 470 * 80 is video memory byte 150400, in 4 KiB page 36: lines 460-473.
    expect([r.dirtyTop, r.dirtyBottom]).toEqual([460, 474]);
    // Text mode: moving the cursor redraws just the old and new cursor rows.
    setMode(board, MODES[0x03]);
    const text = new VgaRenderer(vga);
    const frame2 = new Uint8ClampedArray(720 * 400 * 4);
    text.render(frame2, 0);
    board.io.out(0x3d4, 0x0f);
    board.io.out(0x3d5, 80 * 3 + 5);
    const t = text.render(frame2, 0);
    expect([t.dirtyTop, t.dirtyBottom]).toEqual([0, 64]); // rows 0 (old) to 3 (new)
  });
});

describe("VgaRenderer options", () => {
  it("attributeBit7 'bright' draws bit 7 as QEMU 7.2 does; cursor 'on'/'off' ignore time", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]); // AR10 bit 3 set: bit 7 blinks on a VGA
    loadFont(board, new Map([[0x41, GLYPH_A]]));
    board.io.writeMmio(0xb8000 + 160 * 10, 0x9e41, 2);
    board.io.writeMmio(0xb8000, 0x0720, 2); // the cursor cell: grey on black
    const frame = new Uint8ClampedArray(720 * 400 * 4);
    new VgaRenderer(vga, { attributeBit7: "bright", cursor: "off" }).render(frame, 0);
    // Seen in QEMU 7.2's screendump of the same cell: background colour 9, foreground 14.
    expect(pixel(frame, 720, 8, 160)).toEqual([87, 87, 255, 255]);
    expect(pixel(frame, 720, 1, 167)).toEqual([255, 255, 87, 255]);
    expect(pixel(frame, 720, 0, 13)).toEqual(BLACK); // cursor at 0,0 not drawn
    new VgaRenderer(vga, { cursor: "on" }).render(frame, (8 * 1e9) / 60 + 1);
    expect(pixel(frame, 720, 0, 13)).toEqual([0xa8, 0xa8, 0xa8, 0xff]);
    // Default: blinking, so in the "off" half-period the character is background only.
    new VgaRenderer(vga).render(frame, (16 * 1e9) / 60 + 1);
    expect(pixel(frame, 720, 1, 167)).toEqual([0, 0, 0xa8, 0xff]);
  });
});
