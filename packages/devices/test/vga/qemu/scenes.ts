// Guest programs for the QEMU screenshot comparison: each scene is a list of port and
// video-memory operations (no BIOS involved), run by a tiny real-mode ROM under QEMU and
// replayed against VgaDevice by the test. scripts/vga-qemu-refs.ts builds the ROMs, runs
// QEMU and stores its `screendump` next to the recorded operations.
import { MODES, loadFont, setMode, type GuestIo, type ModeTable } from "../vga-bios";

/** Mode 06h (640x200 2-colour CGA), IBM VGA TR tables as in SeaBIOS stdvgamodes.c. */
const MODE_06: ModeTable = {
  misc: 0x63,
  seq: [0x01, 0x01, 0x00, 0x06],
  crtc: [
    0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x00, 0x96, 0xb9, 0xc2, 0xff,
  ],
  attr: [
    0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
    0x01, 0x00, 0x01, 0x00,
  ],
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x0f, 0xff],
};

/** o: OUT byte; w: byte writes from a physical address; r: byte read; i: IN byte; ow: OUT word. */
export type GuestOp =
  | readonly ["o", number, number]
  | readonly ["ow", number, number]
  | readonly ["i", number]
  | readonly ["r", number]
  | readonly ["w", number, readonly number[]];

/** Records what the test helpers do as guest operations. */
export class OpRecorder implements GuestIo {
  readonly ops: GuestOp[] = [];
  readonly io = {
    out: (port: number, value: number, width: 1 | 2 | 4 = 1): void => {
      this.ops.push(width === 1 ? ["o", port, value & 0xff] : ["ow", port, value & 0xffff]);
    },
    in: (port: number): number => {
      this.ops.push(["i", port]);
      return 0;
    },
    readMmio: (address: number): number => {
      this.ops.push(["r", address]);
      return 0;
    },
    writeMmio: (address: number, value: number, width: 1 | 2 | 4 = 4): void => {
      const bytes: number[] = [];
      for (let i = 0; i < width; i++) bytes.push((value >>> (8 * i)) & 0xff);
      this.write(address, bytes);
    },
  };

  /** Byte writes, merged with the previous write when contiguous. */
  write(address: number, bytes: readonly number[]): void {
    const last = this.ops[this.ops.length - 1];
    if (last?.[0] === "w" && last[1] + last[2].length === address && last[2].length < 4096) {
      this.ops[this.ops.length - 1] = ["w", last[1], [...last[2], ...bytes]];
    } else {
      this.ops.push(["w", address, [...bytes]]);
    }
  }

  out(port: number, value: number): void {
    this.io.out(port, value);
  }
}

export interface Scene {
  readonly name: string;
  readonly ops: readonly GuestOp[];
}

/** 8x16 glyphs by character code, read from the VGA BIOS font by the generator. */
export type Font = ReadonlyMap<number, readonly number[]>;

function crtc(r: OpRecorder, index: number, value: number, base = 0x3d4): void {
  r.out(base, index);
  r.out(base + 1, value);
}

function text(
  r: OpRecorder,
  columns: number,
  row: number,
  column: number,
  s: string,
  attr: number,
) {
  const bytes: number[] = [];
  for (const ch of s) bytes.push(ch.charCodeAt(0) & 0xff, attr);
  r.write(0xb8000 + (row * columns + column) * 2, bytes);
}

function textScene(
  name: string,
  mode: ModeTable,
  font: Font,
  extra?: (r: OpRecorder) => void,
): Scene {
  const r = new OpRecorder();
  setMode(r, mode);
  loadFont(r, font);
  crtc(r, 0x0a, 0x20); // cursor off: QEMU blinks it from host time
  const columns = mode.crtc[1]! + 1;
  text(r, columns, 0, 0, "RingVM VGA text", 0x07);
  text(r, columns, 1, 2, "\xc9\xcd\xcd\xcd\xbb Hello", 0x1e);
  text(r, columns, 2, 2, "\xba 0123 \xba", 0x4f);
  text(r, columns, 3, 2, "\xc8\xcd\xcd\xcd\xbc\xb0\xb1\xb2", 0x2a);
  for (let c = 0; c < 16; c++) text(r, columns, 5, c * 2, "\xdb\xc4", ((c & 7) << 4) | (15 - c));
  text(r, columns, 24, columns - 4, "end!", 0x70);
  extra?.(r);
  return { name, ops: r.ops };
}

function dac(r: OpRecorder, first: number, rgb: readonly (readonly [number, number, number])[]) {
  r.out(0x3c8, first);
  for (const c of rgb) for (const v of c) r.out(0x3c9, v);
}

/** A 256-entry test palette: 6-bit ramps in each component. */
function rampPalette(): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < 256; i++) out.push([(i * 7) & 0x3f, (i * 3) & 0x3f, (i >> 2) & 0x3f]);
  return out;
}

export function buildScenes(font: Font): Scene[] {
  const scenes: Scene[] = [];
  scenes.push(textScene("text-80x25", MODES[0x03], font));
  scenes.push(textScene("text-40x25", MODES[0x01], font));
  scenes.push(
    textScene("text-80x50", MODES[0x03], font, (r) => {
      crtc(r, 0x09, 0x47); // 8 scan lines a row: 50 rows
    }),
  );
  scenes.push(
    textScene("text-scrolled-split-bright", MODES[0x03], font, (r) => {
      r.io.in(0x3da);
      r.out(0x3c0, 0x10);
      r.out(0x3c0, 0x04); // AR10: line graphics on, blink off -> attribute bit 7 = bright bg
      r.out(0x3c0, 0x20);
      text(r, 80, 6, 0, "Bright", 0x9e);
      text(r, 80, 30, 0, "Line 30 (page 2)", 0x0a);
      crtc(r, 0x0c, 0x00);
      crtc(r, 0x0d, 80 * 2); // display starts at row 2
      crtc(r, 0x18, 200); // split screen after scan line 200: restart at address 0
    }),
  );
  for (const mode of [0x0d, 0x06] as const) {
    const r = new OpRecorder();
    const table = mode === 0x0d ? MODES[0x0d] : MODE_06;
    setMode(r, table);
    const base = mode === 0x0d ? 0xa0000 : 0xb8000;
    for (let plane = 0; plane < 4; plane++) {
      r.out(0x3c4, 0x02);
      r.out(0x3c5, 1 << plane);
      for (let y = 0; y < 30; y++) {
        const line = Array.from({ length: 40 }, (_, x) => ((x + 1) * (plane + 5) * (y + 3)) & 0xff);
        const offset = mode === 0x0d ? y * 40 : (y & 1) * 0x2000 + (y >> 1) * 80;
        r.write(base + offset, line);
      }
    }
    scenes.push({ name: `mode-${mode.toString(16).padStart(2, "0")}h`, ops: r.ops });
  }
  {
    const r = new OpRecorder();
    setMode(r, MODES[0x13]);
    dac(r, 0, rampPalette());
    for (let y = 0; y < 40; y++) {
      const row: number[] = [];
      for (let x = 0; x < 320; x++) row.push((x ^ (y * 5)) & 0xff);
      r.write(0xa0000 + y * 320 + (y & 1) * 0, row);
    }
    r.write(
      0xa0000 + 199 * 320,
      Array.from({ length: 320 }, (_, x) => x & 0xff),
    );
    scenes.push({ name: "mode-13h", ops: r.ops });
  }
  {
    const r = new OpRecorder();
    setMode(r, MODES[0x13]);
    dac(r, 0, rampPalette());
    r.out(0x3c4, 0x04);
    r.out(0x3c5, 0x06); // chain 4 off
    crtc(r, 0x14, 0x00);
    crtc(r, 0x17, 0xe3);
    for (let plane = 0; plane < 4; plane++) {
      r.out(0x3c4, 0x02);
      r.out(0x3c5, 1 << plane);
      for (let y = 0; y < 30; y++) {
        r.write(
          0xa0000 + y * 80,
          Array.from({ length: 80 }, (_, x) => (x * 4 + plane + y * 9) & 0xff),
        );
      }
    }
    scenes.push({ name: "mode-x", ops: r.ops });
  }
  {
    const r = new OpRecorder();
    setMode(r, MODES[0x12]);
    // Planes filled one at a time through the map mask (write mode 0) ...
    for (let plane = 0; plane < 4; plane++) {
      r.out(0x3c4, 0x02);
      r.out(0x3c5, 1 << plane);
      r.write(
        0xa0000,
        Array.from({ length: 80 * 40 }, (_, i) => (i * (plane + 3) * 37) & 0xff),
      );
    }
    r.out(0x3c4, 0x02);
    r.out(0x3c5, 0x0f);
    // ... then one line through write mode 2 with the bit mask and the latches.
    r.out(0x3ce, 0x05);
    r.out(0x3cf, 0x02);
    for (let x = 0; x < 80; x++) {
      const a = 0xa0000 + 44 * 80 + x;
      r.out(0x3ce, 0x08);
      r.out(0x3cf, 0xf0 >> (x & 3));
      r.io.readMmio(a);
      r.io.writeMmio(a, x & 0x0f, 1);
    }
    r.out(0x3ce, 0x05);
    r.out(0x3cf, 0x00);
    r.out(0x3ce, 0x08);
    r.out(0x3cf, 0xff);
    scenes.push({ name: "mode-12h", ops: r.ops });
  }
  {
    const r = new OpRecorder();
    setMode(r, MODES[0x04]);
    for (let y = 0; y < 40; y++) {
      const bank = 0xb8000 + (y & 1) * 0x2000 + (y >> 1) * 80;
      r.write(
        bank,
        Array.from({ length: 80 }, (_, x) => (x * 0x1b + y * 0x35) & 0xff),
      );
    }
    scenes.push({ name: "mode-04h", ops: r.ops });
  }
  for (const bpp of [8, 15, 16, 24, 32]) {
    const r = new OpRecorder();
    setMode(r, MODES[0x13]); // PAS set and a palette, as after a VGA BIOS
    dac(r, 0, rampPalette());
    const dispi = (index: number, value: number) => {
      r.io.out(0x1ce, index, 2);
      r.io.out(0x1cf, value, 2);
    };
    dispi(4, 0);
    dispi(3, bpp);
    dispi(1, 640);
    dispi(2, 480);
    dispi(4, 0x01); // enable (banked window at A0000)
    const bytesPerPixel = Math.ceil(bpp / 8);
    const pitch = 640 * bytesPerPixel;
    for (let y = 0; y < 8; y++) {
      const line: number[] = [];
      for (let x = 0; x < 640; x++) {
        const v = (x * 5 + y * 11) & 0xffffffff;
        for (let b = 0; b < bytesPerPixel; b++) line.push((v >>> (b * 7)) & 0xff);
      }
      // Lines never cross a 64 KiB bank here (8 lines x 2560 bytes < 64 KiB).
      const offset = y * pitch;
      dispi(5, offset >>> 16);
      r.write(0xa0000 + (offset & 0xffff), line);
    }
    scenes.push({ name: `vbe-640x480x${bpp}`, ops: r.ops });
  }
  return scenes;
}

/** The characters the text scenes draw. */
export const FONT_CHARACTERS = [
  ..."RingVM VGA text Hello0123end!Bright Line30(page2)",
  "\xc9",
  "\xcd",
  "\xbb",
  "\xba",
  "\xc8",
  "\xbc",
  "\xdb",
  "\xc4",
  "\xb0",
  "\xb1",
  "\xb2",
].map((c) => c.charCodeAt(0));
