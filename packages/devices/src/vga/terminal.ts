// Text screen to ANSI/VT100 escape sequences for `--display terminal`: colours (16, 256 or
// 24-bit), blinking, the hardware cursor's position and shape, and only the cells that
// changed since the previous frame. Pure string building; the caller writes the result to
// its terminal. Sequences: ECMA-48 CUP/ED/SGR, xterm 256-colour and direct-colour SGR,
// DECTCEM (?25) and DECSCUSR (cursor style).
import { CP437_TO_UNICODE } from "./cp437";
import type { TextScreen } from "./text";

/** Colour depth of the host terminal. */
export type TerminalColors = "ansi16" | "ansi256" | "truecolor";

/** Options of {@link TerminalRenderer}. */
export interface TerminalRendererOptions {
  /**
   * "ansi16" maps the 16 attribute colours to the terminal's own 16 colours (readable on
   * every terminal, whatever its theme); "ansi256" picks the nearest of xterm's 240 fixed
   * colours (cube and grey ramp) to the palette's RGB; "truecolor" sends the exact RGB
   * (24-bit SGR). Default ansi16.
   */
  readonly colors?: TerminalColors;
  /**
   * Send the cursor's shape (DECSCUSR, `CSI n SP q`). Default true; turn it off for terminals
   * that print it instead (the Linux console, TERM=linux).
   */
  readonly cursorStyle?: boolean;
  /** Host terminal size; the guest screen is clipped to it. Default 80 x 25. */
  readonly columns?: number;
  readonly rows?: number;
}

const ESC = "\x1b[";
/** VGA colour order (black, blue, green, cyan, red, magenta, brown, grey) to ANSI's. */
const VGA_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7] as const;
/** xterm's 6x6x6 colour cube levels (indices 16-231). */
const CUBE_LEVELS = [0, 95, 135, 175, 215, 255] as const;

/** Unchanged cells bridged by rewriting them rather than a cursor move (CUP is 6-8 bytes). */
const GAP_CELLS = 4;

/** Resets attributes, shows the cursor with the terminal's default shape. */
export const TERMINAL_RESET = `${ESC}0m${ESC}0 q${ESC}?25h`;

/**
 * Keeps what the terminal shows and emits the escape sequences that bring it up to date.
 *
 * @example
 * const term = new TerminalRenderer({ columns: process.stdout.columns, rows: process.stdout.rows });
 * setInterval(() => process.stdout.write(term.render(textScreen(vga))), 50);
 */
export class TerminalRenderer {
  private readonly colors: TerminalColors;
  private readonly isCursorStyled: boolean;
  private hostColumns: number;
  private hostRows: number;
  private shown: Uint16Array | undefined;
  private shownColumns = 0;
  private shownRows = 0;
  private shownPalette = new Uint32Array(16);
  private shownBlink = false;
  /** Cursor as last sent: "row;column;style", or "" when hidden. */
  private shownCursor = "";
  private shownStyle = -1;
  private wasGraphics = false;
  /** Half-block picture as last sent: RGBA words of each cell's top and bottom half. */
  private shownTop = new Uint32Array(0);
  private shownBottom = new Uint32Array(0);
  private pictureKey = "";

  constructor(options: TerminalRendererOptions = {}) {
    this.colors = options.colors ?? "ansi16";
    this.isCursorStyled = options.cursorStyle ?? true;
    this.hostColumns = options.columns ?? 80;
    this.hostRows = options.rows ?? 25;
  }

  /** The host terminal changed size: the next frame is drawn in full. */
  resize(columns: number, rows: number): void {
    this.hostColumns = columns;
    this.hostRows = rows;
    this.invalidate();
  }

  /** Forgets what the terminal shows, so the next frame is drawn in full. */
  invalidate(): void {
    this.shown = undefined;
    this.shownCursor = "";
    this.shownStyle = -1;
    this.wasGraphics = false;
    this.pictureKey = "";
  }

  /**
   * Returns the output that makes the terminal show `screen` (undefined: the guest is in
   * a graphics mode or blanked, shown as a one-line notice). Empty when nothing changed.
   */
  render(screen: TextScreen | undefined): string {
    if (screen === undefined) {
      if (this.wasGraphics) return "";
      this.wasGraphics = true;
      this.shown = undefined;
      this.shownCursor = "";
      return `${ESC}0m${ESC}2J${ESC}H[graphics mode: no text to show]${ESC}?25l`;
    }
    this.wasGraphics = false;
    const isFull =
      this.shown === undefined ||
      this.shownColumns !== screen.columns ||
      this.shownRows !== screen.rows ||
      this.shownBlink !== screen.isBlinkEnabled ||
      (this.colors !== "ansi16" && !sameWords(this.shownPalette, screen.palette));
    const shown = isFull ? undefined : this.shown;
    let out = isFull ? `${ESC}0m${ESC}2J` : "";
    let sgr = isFull ? "" : undefined;
    const columns = Math.min(screen.columns, this.hostColumns);
    const rows = Math.min(screen.rows, this.hostRows);
    let atRow = -1;
    let atColumn = -1;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const at = row * screen.columns + column;
        const cell = screen.cells[at]!;
        if (shown !== undefined && shown[at] === cell) {
          // An unchanged cell between changed ones is written again when that is shorter
          // than moving the cursor over it (same colours, a change within the next cells).
          if (row !== atRow || column !== atColumn || this.sgrOf(cell >> 8, screen) !== sgr) {
            continue;
          }
          let isChangeAhead = false;
          for (let k = 1; k <= GAP_CELLS && column + k < columns; k++) {
            if (shown[at + k] !== screen.cells[at + k]) {
              isChangeAhead = true;
              break;
            }
          }
          if (!isChangeAhead) continue;
        }
        if (row !== atRow || column !== atColumn) out += `${ESC}${row + 1};${column + 1}H`;
        const wanted = this.sgrOf(cell >> 8, screen);
        if (wanted !== sgr) {
          out += wanted;
          sgr = wanted;
        }
        const code = cell & 0xff;
        out += code === 0 || code === 0xff ? " " : CP437_TO_UNICODE[code];
        atRow = row;
        atColumn = column + 1;
      }
    }
    this.shown = screen.cells.slice();
    this.shownColumns = screen.columns;
    this.shownRows = screen.rows;
    this.shownBlink = screen.isBlinkEnabled;
    this.shownPalette = screen.palette.slice();
    const isCursorShown =
      screen.cursorRow >= 0 && screen.cursorRow < rows && screen.cursorColumn < columns;
    const style = isCursorShown && this.isCursorStyled ? cursorStyle(screen) : -1;
    const cursor = isCursorShown ? `${screen.cursorRow};${screen.cursorColumn};${style}` : "";
    // Cells written move the terminal's cursor: it is placed again whenever anything was.
    if (out.length === 0 && cursor === this.shownCursor) return "";
    this.shownCursor = cursor;
    if (out.length > 0) out += `${ESC}0m`;
    if (isCursorShown) {
      out += `${ESC}${screen.cursorRow + 1};${screen.cursorColumn + 1}H`;
      if (style !== this.shownStyle && style >= 0) out += `${ESC}${style} q`;
      this.shownStyle = style;
      out += `${ESC}?25h`;
    } else {
      out += `${ESC}?25l`;
    }
    return out;
  }

  /**
   * Draws a picture (RGBA rows, e.g. from `renderToRgba`) with upper half blocks (U+2580):
   * each cell shows two pixels, its top half in the foreground colour and its bottom half in
   * the background colour, scaled down to fit the terminal with the aspect ratio kept (each
   * half cell counted as square) and each half the average of the pixels it covers. Only
   * cells whose colours changed are written. Empty when nothing changed.
   */
  renderPicture(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): string {
    if (width <= 0 || height <= 0) return "";
    const scale = Math.min(this.hostColumns / width, (this.hostRows * 2) / height, 1);
    const columns = Math.max(1, Math.floor(width * scale));
    const halves = Math.max(2, Math.floor(height * scale) & ~1);
    const rows = halves >> 1;
    const key = `${width}x${height}:${columns}x${rows}`;
    const isFull = key !== this.pictureKey || this.shown !== undefined || !this.wasGraphics;
    if (isFull) {
      this.pictureKey = key;
      this.shownTop = new Uint32Array(columns * rows);
      this.shownBottom = new Uint32Array(columns * rows);
      this.shown = undefined;
      this.shownCursor = "";
      this.wasGraphics = true;
    }
    const words = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
    let out = isFull ? `${ESC}0m${ESC}2J${ESC}?25l` : "";
    let sgr = "";
    let atRow = -1;
    let atColumn = -1;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const top = average(words, width, height, column, columns, 2 * row, halves);
        const bottom = average(words, width, height, column, columns, 2 * row + 1, halves);
        const at = row * columns + column;
        if (!isFull && this.shownTop[at] === top && this.shownBottom[at] === bottom) continue;
        this.shownTop[at] = top;
        this.shownBottom[at] = bottom;
        if (row !== atRow || column !== atColumn) out += `${ESC}${row + 1};${column + 1}H`;
        const wanted = this.sgrOfColors(top, bottom);
        if (wanted !== sgr) {
          out += wanted;
          sgr = wanted;
        }
        out += "\u2580";
        atRow = row;
        atColumn = column + 1;
      }
    }
    return out.length === 0 ? "" : `${out}${ESC}0m`;
  }

  /** SGR for a foreground and background RGBA word in this renderer's colour depth. */
  private sgrOfColors(fg: number, bg: number): string {
    if (this.colors === "truecolor") return `${ESC}0;38;2;${rgbText(fg)};48;2;${rgbText(bg)}m`;
    if (this.colors === "ansi256") return `${ESC}0;38;5;${xterm256(fg)};48;5;${xterm256(bg)}m`;
    const f = nearestAnsi16(fg);
    const b = nearestAnsi16(bg);
    return `${ESC}0;${f < 8 ? 30 + f : 82 + f};${b < 8 ? 40 + b : 92 + b}m`;
  }

  /** The complete SGR sequence for an attribute byte. */
  private sgrOf(attribute: number, screen: TextScreen): string {
    const fg = attribute & 0x0f;
    const isBlinking = screen.isBlinkEnabled && (attribute & 0x80) !== 0;
    const bg = screen.isBlinkEnabled ? (attribute >> 4) & 7 : attribute >> 4;
    const blink = isBlinking ? ";5" : "";
    if (this.colors === "truecolor") {
      return `${ESC}0;38;2;${rgbText(screen.palette[fg]!)};48;2;${rgbText(screen.palette[bg]!)}${blink}m`;
    }
    if (this.colors === "ansi256") {
      return `${ESC}0;38;5;${xterm256(screen.palette[fg]!)};48;5;${xterm256(screen.palette[bg]!)}${blink}m`;
    }
    const fgCode = fg < 8 ? 30 + VGA_TO_ANSI[fg]! : 90 + VGA_TO_ANSI[fg - 8]!;
    const bgCode = bg < 8 ? 40 + VGA_TO_ANSI[bg]! : 100 + VGA_TO_ANSI[bg - 8]!;
    return `${ESC}0;${fgCode};${bgCode}${blink}m`;
  }
}

/**
 * DECSCUSR style for the VGA cursor (which always blinks): 1 blinking block when its scan
 * lines cover at least half the cell, else 3 blinking underline.
 */
function cursorStyle(screen: TextScreen): number {
  const last = Math.min(screen.cursorLastLine, screen.cellHeight - 1);
  const lines = last - screen.cursorFirstLine + 1;
  return lines * 2 >= screen.cellHeight ? 1 : 3;
}

/** The nearest xterm 256-colour index (16-255: cube or grey ramp) to an RGBA word. */
export function xterm256(color: number): number {
  const r = color & 0xff;
  const g = (color >>> 8) & 0xff;
  const b = (color >>> 16) & 0xff;
  const level = (v: number): number => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  const ri = level(r);
  const gi = level(g);
  const bi = level(b);
  const cube = 16 + 36 * ri + 6 * gi + bi;
  const cubeDistance =
    (r - CUBE_LEVELS[ri]!) ** 2 + (g - CUBE_LEVELS[gi]!) ** 2 + (b - CUBE_LEVELS[bi]!) ** 2;
  // Grey ramp 232-255: 8, 18, ..., 238.
  const average = (r + g + b) / 3;
  const grey = Math.max(0, Math.min(23, Math.round((average - 8) / 10)));
  const level8 = 8 + 10 * grey;
  const greyDistance = (r - level8) ** 2 + (g - level8) ** 2 + (b - level8) ** 2;
  return greyDistance < cubeDistance ? 232 + grey : cube;
}

/**
 * The average colour of the source pixels under one half cell: column `cx` of `cw` and half
 * row `hy` of `hh` over a `width` x `height` picture.
 */
function average(
  words: Uint32Array,
  width: number,
  height: number,
  cx: number,
  cw: number,
  hy: number,
  hh: number,
): number {
  const x0 = Math.floor((cx * width) / cw);
  const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * width) / cw));
  const y0 = Math.floor((hy * height) / hh);
  const y1 = Math.max(y0 + 1, Math.floor(((hy + 1) * height) / hh));
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const c = words[y * width + x]!;
      r += c & 0xff;
      g += (c >>> 8) & 0xff;
      b += (c >>> 16) & 0xff;
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  return (
    (Math.round(r / n) | (Math.round(g / n) << 8) | (Math.round(b / n) << 16) | 0xff000000) >>> 0
  );
}

/** The default VGA text colours (IBM VGA TR) in ANSI order: black, red, green, ... white. */
const ANSI16_RGB = [
  [0, 0, 0],
  [0xaa, 0, 0],
  [0, 0xaa, 0],
  [0xaa, 0x55, 0],
  [0, 0, 0xaa],
  [0xaa, 0, 0xaa],
  [0, 0xaa, 0xaa],
  [0xaa, 0xaa, 0xaa],
  [0x55, 0x55, 0x55],
  [0xff, 0x55, 0x55],
  [0x55, 0xff, 0x55],
  [0xff, 0xff, 0x55],
  [0x55, 0x55, 0xff],
  [0xff, 0x55, 0xff],
  [0x55, 0xff, 0xff],
  [0xff, 0xff, 0xff],
] as const;

/** The ANSI colour number (0-15) nearest to an RGBA word. */
function nearestAnsi16(color: number): number {
  const r = color & 0xff;
  const g = (color >>> 8) & 0xff;
  const b = (color >>> 16) & 0xff;
  let best = 0;
  let bestDistance = Infinity;
  ANSI16_RGB.forEach(([cr, cg, cb], i) => {
    const d = (r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

function rgbText(color: number): string {
  return `${color & 0xff};${(color >>> 8) & 0xff};${(color >>> 16) & 0xff}`;
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
