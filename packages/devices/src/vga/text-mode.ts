// Host-side mode set for boots without a VGA BIOS (direct Linux or Multiboot kernels, which
// expect the 80x25 colour text mode a BIOS leaves behind): the register values of mode 03h
// from the IBM VGA Technical Reference mode tables, the EGA-compatible 64-colour DAC
// palette, and a font loaded into plane 2 the way INT 10h AX=1104h does.
import type { VgaDevice } from "./vga";

/** Mode 03h: 80x25 text, 9x16 cells, 720x400 at 70 Hz. */
const MODE3 = {
  misc: 0x67,
  /** SR01-SR04. */
  seq: [0x00, 0x03, 0x00, 0x02],
  /** CR00-CR18 (cursor at scan lines 0Dh-0Eh). */
  crtc: [
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
  ],
  /** AR00-AR13: EGA palette (brown at 6), line graphics and blink on. */
  attr: [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x0c, 0x00, 0x0f, 0x08,
  ],
  /** GR00-GR08: odd/even, B8000h-BFFFFh. */
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff],
} as const;

/** The first glyphs of the IBM 8x16 ROM font: blank, then the smiley (01h). */
const SMILEY_8X16 = [
  0x00, 0x00, 0x7e, 0x81, 0xa5, 0x81, 0x81, 0xbd, 0x99, 0x81, 0x81, 0x7e, 0x00, 0x00, 0x00, 0x00,
];

/**
 * Finds the 256-glyph 8x16 font in a VGA BIOS image (e.g. SeaBIOS' vgabios-stdvga.bin) by
 * the IBM font's smiley glyph preceded by the blank glyph 00h; undefined when absent.
 */
export function findVgaBiosFont(rom: Uint8Array): Uint8Array | undefined {
  outer: for (let i = 16; i + 256 * 16 - 16 <= rom.length; i++) {
    for (let j = 0; j < 16; j++) if (rom[i + j] !== SMILEY_8X16[j]) continue outer;
    for (let j = 1; j <= 16; j++) if (rom[i - j] !== 0) continue outer;
    return rom.slice(i - 16, i - 16 + 256 * 16);
  }
  return undefined;
}

/**
 * Puts the adapter in mode 03h as a VGA BIOS would: registers, the 64-entry EGA DAC
 * palette, `font` (256 glyphs x 16 bytes) in font map 0 of plane 2, a blank grey-on-black
 * screen and the cursor at the top left.
 *
 * @example
 * const font = findVgaBiosFont(vgabiosImage);
 * if (font) setTextMode3(vga, font);
 */
export function setTextMode3(vga: VgaDevice, font: Uint8Array): void {
  if (font.length < 256 * 16)
    throw new RangeError("setTextMode3: the font needs 256 glyphs of 16 bytes");
  const out = (port: number, value: number) => vga.writePort(port, 1, value);
  out(0x3c2, MODE3.misc);
  vga.readPort(0x3da, 1); // attribute flip-flop to "index"
  for (let i = 0; i < MODE3.attr.length; i++) {
    out(0x3c0, i);
    out(0x3c0, MODE3.attr[i]!);
  }
  out(0x3c4, 0);
  out(0x3c5, 0x03);
  MODE3.seq.forEach((v, i) => {
    out(0x3c4, i + 1);
    out(0x3c5, v);
  });
  MODE3.gc.forEach((v, i) => {
    out(0x3ce, i);
    out(0x3cf, v);
  });
  out(0x3d4, 0x11);
  out(0x3d5, 0x00); // unlock CR00-CR07
  MODE3.crtc.forEach((v, i) => {
    out(0x3d4, i);
    out(0x3d5, v);
  });
  out(0x3c6, 0xff);
  out(0x3c8, 0);
  for (let i = 0; i < 64; i++) {
    // EGA palette: bits 2/1/0 give 2/3 of red/green/blue, bits 5/4/3 the remaining 1/3.
    for (const [high, low] of [
      [2, 5],
      [1, 4],
      [0, 3],
    ] as const) {
      out(0x3c9, ((i >> high) & 1 ? 0x2a : 0) + ((i >> low) & 1 ? 0x15 : 0));
    }
  }
  // Font map 0 of plane 2: glyph c at plane offset c * 32 (32-line slots, 16 used).
  const vram = vga.vram;
  for (let c = 0; c < 256; c++) {
    for (let line = 0; line < 32; line++) {
      vram[((c * 32 + line) << 2) | 2] = line < 16 ? font[c * 16 + line]! : 0;
    }
  }
  // Blank screen (space, grey on black) in the 32 KiB text window.
  for (let cell = 0; cell < 0x4000; cell++) {
    vram[cell << 2] = 0x20;
    vram[(cell << 2) | 1] = 0x07;
  }
  vga.planesWritten = 0xf;
  vga.dirtyPages.fill(1);
  vga.readPort(0x3da, 1);
  out(0x3c0, 0x20); // PAS: show the picture
}
