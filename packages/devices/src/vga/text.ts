// The text-mode screen as characters, for terminal renderers and tests: what the CRTC
// shows (start address, row stride, split screen), with attributes, cursor and palette.
import { CP437_TO_UNICODE } from "./cp437";
import { cursorShape, displayKind, textGeometry } from "./geometry";
import { fillPalette16 } from "./palette";
import { ATTR_MODE } from "./regs";
import type { VgaDevice } from "./vga";

/** A text-mode screen. */
export interface TextScreen {
  readonly columns: number;
  readonly rows: number;
  /** Per cell, row-major: CP437 character code | attribute << 8 (as in video memory). */
  readonly cells: Uint16Array;
  /** Cursor cell, or -1/-1 when it is off or outside the screen. */
  readonly cursorRow: number;
  readonly cursorColumn: number;
  /** Cursor scan lines (CR0A/CR0B bits 4-0) within a cell of `cellHeight` lines. */
  readonly cursorFirstLine: number;
  readonly cursorLastLine: number;
  readonly cellHeight: number;
  /** AR10 bit 3: attribute bit 7 blinks the character (else it brightens the background). */
  readonly isBlinkEnabled: boolean;
  /** RGBA (little-endian words) of the 16 attribute colours, through the palette and DAC. */
  readonly palette: Uint32Array;
}

/**
 * Reads the screen of a text mode, or returns undefined in graphics modes, while the
 * display is blanked, or when the CRTC describes no sensible text screen.
 *
 * @example
 * const screen = textScreen(vga);
 * if (screen) console.log(textLines(screen).join("\n"));
 */
export function textScreen(vga: VgaDevice): TextScreen | undefined {
  if (displayKind(vga) !== "text") return undefined;
  const g = textGeometry(vga);
  if (g.columns < 1 || g.rows < 1 || g.columns * g.rows > 160 * 100) return undefined;
  const cells = new Uint16Array(g.columns * g.rows);
  const vram = vga.vram;
  const mask = vram.length - 1;
  const cursor = cursorShape(vga);
  const location = cursor.offset + g.start;
  // The VGA draws no cursor when its start line is past its end line or the cell (as QEMU).
  const isCursorShown =
    cursor.isEnabled &&
    cursor.firstLine < g.cellHeight &&
    cursor.firstLine <= Math.min(cursor.lastLine, g.cellHeight - 1);
  let cursorRow = -1;
  let cursorColumn = -1;
  let offset = g.start;
  let line = 0;
  for (let row = 0; row < g.rows; row++) {
    for (let column = 0; column < g.columns; column++) {
      const cell = offset + column;
      const at = (cell * 4) & mask;
      cells[row * g.columns + column] = vram[at]! | (vram[at + 1]! << 8);
      if (cell === location && isCursorShown) {
        cursorRow = row;
        cursorColumn = column;
      }
    }
    const next = line + g.cellHeight;
    offset += g.stride;
    if (line < g.lineCompare && next >= g.lineCompare) offset = 0;
    line = next;
  }
  const palette = new Uint32Array(16);
  fillPalette16(vga, palette);
  return {
    columns: g.columns,
    rows: g.rows,
    cells,
    cursorRow,
    cursorColumn,
    cursorFirstLine: cursor.firstLine,
    cursorLastLine: cursor.lastLine,
    cellHeight: g.cellHeight,
    isBlinkEnabled: (vga.attr[ATTR_MODE]! & 0x08) !== 0,
    palette,
  };
}

/** The screen's rows as Unicode strings (CP437 decoded), trailing blanks kept. */
export function textLines(screen: TextScreen): string[] {
  const lines: string[] = [];
  for (let row = 0; row < screen.rows; row++) {
    let text = "";
    for (let column = 0; column < screen.columns; column++) {
      text += CP437_TO_UNICODE[screen.cells[row * screen.columns + column]! & 0xff];
    }
    lines.push(text);
  }
  return lines;
}
