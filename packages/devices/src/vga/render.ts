// VGA picture to an RGBA framebuffer, for every mode: text (font from plane 2), planar
// 16-colour, CGA 4-colour (odd/even shifter), 256-colour (chain 4 and unchained "mode X")
// and VBE 8/15/16/24/32 bpp. Incremental: a graphics line is converted only when a 4 KiB
// page it reads was written, and a text cell only when its character, attribute, cursor
// or blink state changed; register or palette changes redraw everything.
//
// The output matches QEMU's stdvga screendump (vga_draw_text/vga_draw_graphic): the same
// sizes (e.g. mode 13h is 640x400, 80x25 text 720x400), addressing and colour expansion.
import { DIRTY_PAGE_SHIFT } from "./planes";
import {
  cursorShape,
  displayKind,
  graphicsGeometry,
  textGeometry,
  type TextGeometry,
} from "./geometry";
import { fillPalette16, fillPalette256 } from "./palette";
import {
  ATTR_MODE,
  ATTR_PLANE_ENABLE,
  CRTC_MAX_SCAN,
  CRTC_MODE,
  CRTC_UNDERLINE,
  GC_MODE,
  SEQ_CHAR_MAP,
  SEQ_CLOCKING,
} from "./regs";
import type { VgaDevice } from "./vga";
import { MASK16 } from "./planes";

/** One frame: its size and which lines changed. */
export interface RenderResult {
  readonly width: number;
  readonly height: number;
  /** First changed line; equal to `dirtyBottom` when nothing changed. */
  readonly dirtyTop: number;
  /** One past the last changed line. */
  readonly dirtyBottom: number;
  /** False when `out` is smaller than width x height x 4: nothing was drawn. */
  readonly isDrawn: boolean;
}

/** 60 Hz frames, for the blink rates (IBM VGA TR: cursor 1/16, characters 1/32 of it). */
const FRAME_NS = 1e9 / 60;
const CURSOR_HALF_PERIOD_NS = 8 * FRAME_NS;
const BLINK_HALF_PERIOD_NS = 16 * FRAME_NS;
/** Shown while the display is blank and no mode has been drawn yet. */
const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 480;
/** QEMU draws text modes of more cells than this as blank (CH_ATTR_SIZE). */
const MAX_TEXT_CELLS = 160 * 100;

/** Options of {@link VgaRenderer}. */
export interface VgaRendererOptions {
  /**
   * Text cursor: "blink" (default; 1/16 of the 60 Hz frame rate from guest time), "on" or
   * "off" (reproducible screenshots).
   */
  readonly cursor?: "blink" | "on" | "off";
  /**
   * Attribute bit 7 while AR10 bit 3 is set: "blink" (default, as the VGA does) or
   * "bright" (bright background, as QEMU draws it).
   */
  readonly attributeBit7?: "blink" | "bright";
  /**
   * Characters whose 9th dot repeats the 8th with line graphics on (AR10 bit 2): "ibm"
   * (default, C0h-DFh as the IBM VGA TR says) or "qemu" (B0h-DFh, as QEMU 7.2 draws).
   */
  readonly ninthDot?: "ibm" | "qemu";
}

/**
 * Converts a {@link VgaDevice}'s picture to RGBA. Keep one renderer per device and output
 * buffer: it consumes the device's dirty-page flags.
 */
export class VgaRenderer {
  private lastGeneration = -1;
  private lastOut: Uint8Array | Uint8ClampedArray | undefined;
  private pixels: Uint32Array = new Uint32Array(0);
  private width = 0;
  private height = 0;
  private readonly palette = new Uint32Array(256);
  private cells = new Int32Array(0);
  private lastKind = "";

  private readonly cursorMode: "blink" | "on" | "off";
  private readonly isBit7Bright: boolean;
  private readonly firstLineGraphic: number;

  constructor(
    private readonly vga: VgaDevice,
    options: VgaRendererOptions = {},
  ) {
    this.cursorMode = options.cursor ?? "blink";
    this.isBit7Bright = options.attributeBit7 === "bright";
    this.firstLineGraphic = options.ninthDot === "qemu" ? 0xb0 : 0xc0;
  }

  /** The size the next frame will have. */
  size(): { width: number; height: number } {
    const vga = this.vga;
    const kind = displayKind(vga);
    if (kind === "text") {
      const g = textGeometry(vga);
      if (g.columns * g.rows > 1 && g.columns * g.rows <= MAX_TEXT_CELLS) {
        return { width: g.columns * g.cellWidth, height: g.rows * g.cellHeight };
      }
    } else if (kind === "graphics") {
      const g = graphicsGeometry(vga);
      const shift = (vga.gc[GC_MODE]! >> 5) & 3;
      const isHalfClock = shift <= 1 && (vga.seq[SEQ_CLOCKING]! & 8) !== 0;
      return { width: isHalfClock ? g.width * 2 : g.width, height: g.height };
    }
    return {
      width: this.width || DEFAULT_WIDTH,
      height: this.height || DEFAULT_HEIGHT,
    };
  }

  /**
   * Draws the current picture into `out` (RGBA, 4 bytes a pixel, rows packed, starting on
   * a 4-byte boundary as ImageData does; pixels are written as little-endian words). Only
   * what changed since the previous call is redrawn unless `out` or the mode changed.
   * `now` (guest ns) drives cursor and character blinking.
   */
  render(out: Uint8Array | Uint8ClampedArray, now = this.vga.now()): RenderResult {
    const vga = this.vga;
    const { width, height } = this.size();
    if (out.length < width * height * 4 || width <= 0 || height <= 0) {
      return { width, height, dirtyTop: 0, dirtyBottom: 0, isDrawn: false };
    }
    if ((out.byteOffset & 3) !== 0) throw new RangeError("render: out must start 4-byte aligned");
    const kind = displayKind(vga);
    let isFull =
      out !== this.lastOut ||
      width !== this.width ||
      height !== this.height ||
      vga.generation !== this.lastGeneration ||
      kind !== this.lastKind;
    if (isFull) {
      this.lastOut = out;
      this.pixels = new Uint32Array(out.buffer, out.byteOffset, width * height);
      this.width = width;
      this.height = height;
      this.lastGeneration = vga.generation;
      this.lastKind = kind;
      this.cells = new Int32Array(0);
    }
    let top = height;
    let bottom = 0;
    if (kind === "blank") {
      if (isFull) {
        this.pixels.fill(0xff000000);
        top = 0;
        bottom = height;
      }
    } else if (kind === "text") {
      if (vga.planesWritten & 4) isFull = true; // the font (plane 2) may have changed
      const range = this.drawText(isFull, now);
      top = range[0];
      bottom = range[1];
    } else {
      const range = this.drawGraphics(isFull);
      top = range[0];
      bottom = range[1];
    }
    vga.dirtyPages.fill(0);
    vga.planesWritten = 0;
    if (top >= bottom) top = bottom = 0;
    return { width, height, dirtyTop: top, dirtyBottom: bottom, isDrawn: true };
  }

  // ---- text ----------------------------------------------------------------

  private drawText(isFull: boolean, now: number): [number, number] {
    const vga = this.vga;
    const g = textGeometry(vga);
    const count = g.columns * g.rows;
    if (
      count <= 1 ||
      count > MAX_TEXT_CELLS ||
      g.columns * g.cellWidth > this.width ||
      g.rows * g.cellHeight > this.height
    ) {
      return [0, 0];
    }
    if (this.cells.length !== count) {
      this.cells = new Int32Array(count).fill(-1);
      isFull = true;
    }
    if (isFull) {
      fillPalette16(vga, this.palette);
      this.cells.fill(-1);
    }
    const cursor = cursorShape(vga);
    const location = cursor.offset + g.start;
    const isCursorOn =
      cursor.isEnabled &&
      (this.cursorMode === "on" ||
        (this.cursorMode === "blink" && Math.floor(now / CURSOR_HALF_PERIOD_NS) % 2 === 0));
    const isBlinkEnabled = !this.isBit7Bright && (vga.attr[ATTR_MODE]! & 0x08) !== 0;
    const isBlinkOn = Math.floor(now / BLINK_HALF_PERIOD_NS) % 2 === 0;
    const cursorLast = Math.min(cursor.lastLine, g.cellHeight - 1);
    const vram = vga.vram;
    const mask = vram.length - 1;
    let top = this.height;
    let bottom = 0;
    let offset = g.start;
    let line = 0;
    for (let row = 0; row < g.rows; row++) {
      for (let column = 0; column < g.columns; column++) {
        const cell = offset + column;
        const at = (cell * 4) & mask;
        let key = vram[at]! | (vram[at + 1]! << 8);
        if (isBlinkEnabled && key & 0x8000 && isBlinkOn) key |= 0x10000;
        if (cell === location && isCursorOn) key |= 0x20000;
        const index = row * g.columns + column;
        if (this.cells[index] === key) continue;
        this.cells[index] = key;
        this.drawCell(g, column, row, key, isBlinkEnabled, cursor.firstLine, cursorLast);
        if (row * g.cellHeight < top) top = row * g.cellHeight;
        bottom = (row + 1) * g.cellHeight;
      }
      const next = line + g.cellHeight;
      offset += g.stride;
      // Split screen: past the line compare scan line the display restarts at address 0.
      if (line < g.lineCompare && next >= g.lineCompare) offset = 0;
      line = next;
    }
    return [top, bottom];
  }

  private drawCell(
    g: TextGeometry,
    column: number,
    row: number,
    key: number,
    isBlinkEnabled: boolean,
    cursorFirst: number,
    cursorLast: number,
  ): void {
    const vga = this.vga;
    const vram = vga.vram;
    const code = key & 0xff;
    const attribute = (key >> 8) & 0xff;
    let fg = this.palette[attribute & 0x0f]!;
    // AR10 bit 3: attribute bit 7 blinks the character instead of brightening the background.
    const bg = this.palette[isBlinkEnabled ? (attribute >> 4) & 7 : attribute >> 4]!;
    if (isBlinkEnabled && attribute & 0x80 && !(key & 0x10000)) fg = bg;
    // SR03 selects font A (attribute bit 3 set) or B; each map is 8 KiB of plane 2.
    const map = vga.seq[SEQ_CHAR_MAP]!;
    const select =
      attribute & 0x08 ? ((map >> 2) & 3) | ((map >> 3) & 4) : (map & 3) | ((map >> 2) & 4);
    const fontBase = (((select & 3) << 1) | (select >> 2)) * 0x2000 + code * 32;
    // AR10 bit 2: the ninth dot of box-drawing characters C0h-DFh repeats the eighth.
    const isLineGraphics =
      (vga.attr[ATTR_MODE]! & 0x04) !== 0 && code >= this.firstLineGraphic && code <= 0xdf;
    const underline = vga.crtc[CRTC_UNDERLINE]! & 0x1f;
    const hasUnderline = (attribute & 0x77) === 0x01 && underline < g.cellHeight;
    const w = this.width;
    const px = this.pixels;
    const mask = vram.length - 1;
    let p = row * g.cellHeight * w + column * g.cellWidth;
    for (let y = 0; y < g.cellHeight; y++, p += w) {
      let bits = vram[(((fontBase + y) * 4) | 2) & mask]!;
      // The cursor fills its scan lines with the foreground colour, all nine dots wide.
      const isSolid =
        (key & 0x20000 && y >= cursorFirst && y <= cursorLast) || (hasUnderline && y === underline);
      if (isSolid) bits = 0xff;
      if (g.cellWidth === 16) {
        for (let x = 0; x < 8; x++)
          px[p + 2 * x] = px[p + 2 * x + 1] = bits & (0x80 >> x) ? fg : bg;
      } else {
        for (let x = 0; x < 8; x++) px[p + x] = bits & (0x80 >> x) ? fg : bg;
        if (g.cellWidth === 9) {
          const isNinthLit = isSolid || (isLineGraphics && (bits & 1) !== 0);
          px[p + 8] = isNinthLit ? fg : bg;
        }
      }
    }
  }

  // ---- graphics ------------------------------------------------------------

  private drawGraphics(isFull: boolean): [number, number] {
    const vga = this.vga;
    const g = graphicsGeometry(vga);
    const crtc = vga.crtc;
    const shift = (vga.gc[GC_MODE]! >> 5) & 3;
    const doubleScan = crtc[CRTC_MAX_SCAN]! >> 7;
    // Each source line is shown (max scan line + 1) times, doubled again by CR09 bit 7.
    // With CGA row addressing (CR17 bit 0 clear) the row scan counter selects the bank
    // instead, so only the doubling applies (QEMU 7.2 vga_draw_graphic).
    const multiScan =
      crtc[CRTC_MODE]! & 1 ? (((crtc[CRTC_MAX_SCAN]! & 0x1f) + 1) << doubleScan) - 1 : doubleScan;
    const isHalfClock = (vga.seq[SEQ_CLOCKING]! & 8) !== 0;
    let bits: number;
    if (shift <= 1) {
      bits = 4;
      if (isFull) fillPalette16(vga, this.palette);
    } else if (g.bpp === 0 || g.bpp === 8) {
      bits = g.bpp === 0 ? 4 : 8;
      if (isFull) fillPalette256(vga, this.palette);
    } else {
      bits = g.bpp === 15 ? 16 : g.bpp;
    }
    const vram = vga.vram;
    const mask = vram.length - 1;
    const dirty = vga.dirtyPages;
    const bytesPerLine = Math.ceil((g.width * bits) / 8);
    const mode = crtc[CRTC_MODE]!;
    const rowMask = (mode & 3) ^ 3;
    let top = this.height;
    let bottom = 0;
    let address1 = g.start;
    let y1 = 0;
    let multiRun = multiScan;
    for (let y = 0; y < this.height; y++) {
      let address = address1;
      if (!(mode & 1)) {
        // CR17 bit 0 clear: CGA row interleave, scan line bit 0 drives address bit 13.
        const bit = 14 + ((mode >> 6) & 1);
        address = (address & ~(1 << bit)) | ((y1 & 1) << bit);
      }
      if (!(mode & 2)) {
        // CR17 bit 1 clear: Hercules interleave, scan line bit 1 drives address bit 14.
        address = (address & ~0x8000) | ((y1 & 2) << 14);
      }
      let isDirty = isFull;
      if (!isDirty) {
        const last = (address + bytesPerLine - 1) & mask;
        const first = address & mask;
        if (last >= first) {
          for (let page = first >>> DIRTY_PAGE_SHIFT; page <= last >>> DIRTY_PAGE_SHIFT; page++) {
            if (dirty[page]) {
              isDirty = true;
              break;
            }
          }
        } else {
          isDirty = true;
        }
      }
      if (isDirty) {
        this.drawLine(y * this.width, address, g.width, shift, g.bpp, isHalfClock);
        if (y < top) top = y;
        bottom = y + 1;
      }
      if (multiRun === 0) {
        if ((y1 & rowMask) === rowMask) address1 += g.lineOffset;
        y1++;
        multiRun = multiScan;
      } else {
        multiRun--;
      }
      // Line compare acts on the displayed lines.
      if (y === g.lineCompare) address1 = 0;
    }
    return [top, bottom];
  }

  /** Converts one scan line starting at video memory byte `address`. */
  private drawLine(
    p: number,
    address: number,
    width: number,
    shift: number,
    bpp: number,
    isHalfClock: boolean,
  ): void {
    const vga = this.vga;
    const vram = vga.vram;
    const vram32 = vga.vram32;
    const mask = vram.length - 1;
    const wordMask = vram32.length - 1;
    const px = this.pixels;
    const pal = this.palette;
    const end = p + this.width;
    if (shift === 0 || shift === 1) {
      const planeMask = MASK16[vga.attr[ATTR_PLANE_ENABLE]! & 0xf]!;
      const step = isHalfClock ? 2 : 1;
      for (let x = 0; x < width >> 3; x++) {
        const data = vram32[((address >>> 2) + x) & wordMask]! & planeMask;
        for (let i = 0; i < 8; i++) {
          let c: number;
          if (shift === 0) {
            // Planar: bit 7-i of each plane gives bit n of the colour.
            const bit = 7 - i;
            c =
              ((data >>> bit) & 1) |
              (((data >>> (8 + bit)) & 1) << 1) |
              (((data >>> (16 + bit)) & 1) << 2) |
              (((data >>> (24 + bit)) & 1) << 3);
          } else {
            // CGA shifter: 2-bit pixels from planes 0/2 (first 4 dots) then 1/3 (last 4).
            const lo = i < 4 ? data & 0xff : (data >>> 8) & 0xff;
            const hi = i < 4 ? (data >>> 16) & 0xff : data >>> 24;
            const bit = 6 - 2 * (i & 3);
            c = ((lo >>> bit) & 3) | (((hi >>> bit) & 3) << 2);
          }
          const color = pal[c]!;
          const at = p + (x * 8 + i) * step;
          if (at < end) px[at] = color;
          if (step === 2 && at + 1 < end) px[at + 1] = color;
        }
      }
      return;
    }
    if (bpp === 0) {
      // 256 colours through the VGA shifter: each byte is two dots wide.
      for (let x = 0; x < width >> 1; x++) {
        const color = pal[vram[(address + x) & mask]!]!;
        px[p + 2 * x] = color;
        px[p + 2 * x + 1] = color;
      }
      return;
    }
    switch (bpp) {
      case 8:
        for (let x = 0; x < width; x++) px[p + x] = pal[vram[(address + x) & mask]!]!;
        return;
      case 15:
        for (let x = 0; x < width; x++) {
          const a = address + 2 * x;
          const v = vram[a & mask]! | (vram[(a + 1) & mask]! << 8);
          // 15 bpp: zero-filled low bits (QEMU draws it with vga_draw_line15).
          px[p + x] = rgb((v >> 7) & 0xf8, (v >> 2) & 0xf8, (v << 3) & 0xf8);
        }
        return;
      case 16:
        for (let x = 0; x < width; x++) {
          const a = address + 2 * x;
          const v = vram[a & mask]! | (vram[(a + 1) & mask]! << 8);
          px[p + x] = rgb(expand5(v >> 11), expand6((v >> 5) & 63), expand5(v & 31));
        }
        return;
      case 24:
        for (let x = 0; x < width; x++) {
          const a = address + 3 * x;
          px[p + x] = rgb(vram[(a + 2) & mask]!, vram[(a + 1) & mask]!, vram[a & mask]!);
        }
        return;
      default:
        for (let x = 0; x < width; x++) {
          const a = address + 4 * x;
          px[p + x] = rgb(vram[(a + 2) & mask]!, vram[(a + 1) & mask]!, vram[a & mask]!);
        }
    }
  }
}

/**
 * 5- and 6-bit components widened by repeating their top bits, as the screendump of QEMU
 * 7.2 shows 16 bpp modes (pixman converts the shared RGB565 surface), so 1Fh is FFh.
 */
function expand5(v: number): number {
  return (v << 3) | (v >> 2);
}
function expand6(v: number): number {
  return (v << 2) | (v >> 4);
}

function rgb(r: number, g: number, b: number): number {
  return (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;
}

const renderers = new WeakMap<VgaDevice, VgaRenderer>();

/**
 * Draws `vga`'s picture into `out` (RGBA) with a renderer kept per device, and returns the
 * frame size and changed lines. If `out` is too small nothing is drawn (`isDrawn` false):
 * allocate `width * height * 4` bytes and call again.
 *
 * @example
 * let frame = new Uint8ClampedArray(0);
 * let r = renderToRgba(vga, frame);
 * if (!r.isDrawn) { frame = new Uint8ClampedArray(r.width * r.height * 4); r = renderToRgba(vga, frame); }
 */
export function renderToRgba(
  vga: VgaDevice,
  out: Uint8Array | Uint8ClampedArray,
  now?: number,
): RenderResult {
  let renderer = renderers.get(vga);
  if (renderer === undefined) {
    renderer = new VgaRenderer(vga);
    renderers.set(vga, renderer);
  }
  return renderer.render(out, now);
}
