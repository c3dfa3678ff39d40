// Text screen to ANSI/VT100 escape sequences for `--display terminal`: colours, blinking,
// the hardware cursor, and only the cells that changed since the previous frame. Pure
// string building; the caller writes the result to its terminal.
import { CP437_TO_UNICODE } from "./cp437";
import type { TextScreen } from "./text";

/** Options of {@link TerminalRenderer}. */
export interface TerminalRendererOptions {
  /**
   * "ansi16" maps the 16 attribute colours to the terminal's own 16 colours (readable on
   * every terminal); "truecolor" sends the palette's exact RGB (24-bit SGR). Default ansi16.
   */
  readonly colors?: "ansi16" | "truecolor";
  /** Host terminal size; the guest screen is clipped to it. Default 80 x 25. */
  readonly columns?: number;
  readonly rows?: number;
}

const ESC = "\x1b[";
/** VGA colour order (black, blue, green, cyan, red, magenta, brown, grey) to ANSI's. */
const VGA_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7] as const;

/**
 * Keeps what the terminal shows and emits the escape sequences that bring it up to date.
 *
 * @example
 * const term = new TerminalRenderer({ columns: process.stdout.columns, rows: process.stdout.rows });
 * setInterval(() => process.stdout.write(term.render(textScreen(vga))), 50);
 */
export class TerminalRenderer {
  private readonly colors: "ansi16" | "truecolor";
  private hostColumns: number;
  private hostRows: number;
  private shown: Uint16Array | undefined;
  private shownColumns = 0;
  private shownRows = 0;
  private shownPalette = new Uint32Array(16);
  private shownBlink = false;
  private wasGraphics = false;

  constructor(options: TerminalRendererOptions = {}) {
    this.colors = options.colors ?? "ansi16";
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
    this.wasGraphics = false;
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
      return `${ESC}0m${ESC}2J${ESC}H[graphics mode: no text to show]${ESC}?25l`;
    }
    this.wasGraphics = false;
    const isFull =
      this.shown === undefined ||
      this.shownColumns !== screen.columns ||
      this.shownRows !== screen.rows ||
      this.shownBlink !== screen.isBlinkEnabled ||
      (this.colors === "truecolor" && !sameWords(this.shownPalette, screen.palette));
    const shown = isFull ? undefined : this.shown;
    let out = isFull ? `${ESC}0m${ESC}2J` : "";
    let sgr = isFull ? "" : undefined;
    const columns = Math.min(screen.columns, this.hostColumns);
    const rows = Math.min(screen.rows, this.hostRows);
    let atRow = -1;
    let atColumn = -1;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const cell = screen.cells[row * screen.columns + column]!;
        if (shown !== undefined && shown[row * screen.columns + column] === cell) continue;
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
    if (out.length === 0 && !isFull) return "";
    out += `${ESC}0m`;
    if (screen.cursorRow >= 0 && screen.cursorRow < rows && screen.cursorColumn < columns) {
      out += `${ESC}${screen.cursorRow + 1};${screen.cursorColumn + 1}H${ESC}?25h`;
    } else {
      out += `${ESC}?25l`;
    }
    return out;
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
    const fgCode = fg < 8 ? 30 + VGA_TO_ANSI[fg]! : 90 + VGA_TO_ANSI[fg - 8]!;
    const bgCode = bg < 8 ? 40 + VGA_TO_ANSI[bg]! : 100 + VGA_TO_ANSI[bg - 8]!;
    return `${ESC}0;${fgCode};${bgCode}${blink}m`;
  }
}

function rgbText(color: number): string {
  return `${color & 0xff};${(color >>> 8) & 0xff};${(color >>> 16) & 0xff}`;
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
