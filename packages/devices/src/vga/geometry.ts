// What the CRT controller and sequencer say about the picture: blanking, text or graphics,
// sizes, start address, line length and split screen (IBM VGA TR "CRT Controller";
// QEMU vga_get_text_resolution, vga_get_resolution, vga_get_offsets).
import {
  ATTR_PAS,
  CRTC_CURSOR_END,
  CRTC_CURSOR_HIGH,
  CRTC_CURSOR_LOW,
  CRTC_CURSOR_START,
  CRTC_H_DISPLAY_END,
  CRTC_LINE_COMPARE,
  CRTC_MAX_SCAN,
  CRTC_OFFSET,
  CRTC_OVERFLOW,
  CRTC_START_HIGH,
  CRTC_START_LOW,
  CRTC_V_DISPLAY_END,
  CRTC_V_TOTAL,
  GC_MISC,
  SEQ_CLOCKING,
  VBE_ENABLED,
  VBE_INDEX_BPP,
  VBE_INDEX_ENABLE,
  VBE_INDEX_XRES,
  VBE_INDEX_YRES,
} from "./regs";

/** The registers geometry depends on. */
export interface GeometrySource {
  readonly seq: Uint8Array;
  readonly gc: Uint8Array;
  readonly crtc: Uint8Array;
  readonly vbe: Uint16Array;
  readonly attrIndex: number;
  readonly vbeLineOffset: number;
  readonly vbeStartAddress: number;
}

export type DisplayKind = "blank" | "text" | "graphics";

/**
 * Blank while the attribute controller's PAS bit is clear (palette being loaded; QEMU
 * checks only this) or the sequencer's screen-off bit SR01 bit 5 is set (IBM VGA TR).
 */
export function displayKind(s: GeometrySource): DisplayKind {
  if ((s.attrIndex & ATTR_PAS) === 0 || s.seq[SEQ_CLOCKING]! & 0x20) return "blank";
  return s.gc[GC_MISC]! & 1 ? "graphics" : "text";
}

/** Vertical display end + 1, in scan lines (CR12 with overflow bits 8 and 9). */
export function displayLines(crtc: Uint8Array): number {
  const overflow = crtc[CRTC_OVERFLOW]!;
  return (crtc[CRTC_V_DISPLAY_END]! | ((overflow & 0x02) << 7) | ((overflow & 0x40) << 3)) + 1;
}

/** Text layout in character cells. */
export interface TextGeometry {
  readonly columns: number;
  readonly rows: number;
  /** Dots per cell: 8 or 9 (16 when the dot clock is halved, as QEMU draws 40-column modes). */
  readonly cellWidth: number;
  readonly cellHeight: number;
  /** Display start, in character cells (CR0C:CR0D). */
  readonly start: number;
  /** Cells from one text row to the next (CR13 x 2). */
  readonly stride: number;
  /** Scan line after which the display restarts at cell 0 (split screen). */
  readonly lineCompare: number;
}

export function textGeometry(s: GeometrySource): TextGeometry {
  const crtc = s.crtc;
  const cellHeight = (crtc[CRTC_MAX_SCAN]! & 0x1f) + 1;
  const clocking = s.seq[SEQ_CLOCKING]!;
  let cellWidth = clocking & 1 ? 8 : 9;
  if (clocking & 0x08) cellWidth = 16;
  const columns = crtc[CRTC_H_DISPLAY_END]! + 1;
  // QEMU's special case for the CGA 160x100 16-colour trick mode (CR06 = 100).
  const rows = crtc[CRTC_V_TOTAL] === 100 ? 100 : Math.floor(displayLines(crtc) / cellHeight);
  return {
    columns,
    rows,
    cellWidth,
    cellHeight,
    start: startAddress(crtc),
    stride: crtc[CRTC_OFFSET]! * 2,
    lineCompare: lineCompare(crtc),
  };
}

export function startAddress(crtc: Uint8Array): number {
  return (crtc[CRTC_START_HIGH]! << 8) | crtc[CRTC_START_LOW]!;
}

export function lineCompare(crtc: Uint8Array): number {
  return (
    crtc[CRTC_LINE_COMPARE]! |
    ((crtc[CRTC_OVERFLOW]! & 0x10) << 4) |
    ((crtc[CRTC_MAX_SCAN]! & 0x40) << 3)
  );
}

/** The text cursor: cell index relative to the display start, and its scan lines. */
export interface CursorShape {
  readonly offset: number;
  readonly isEnabled: boolean;
  readonly firstLine: number;
  readonly lastLine: number;
}

export function cursorShape(s: GeometrySource): CursorShape {
  const crtc = s.crtc;
  const location = (crtc[CRTC_CURSOR_HIGH]! << 8) | crtc[CRTC_CURSOR_LOW]!;
  return {
    offset: location - startAddress(crtc),
    // CR0A bit 5 turns the cursor off.
    isEnabled: (crtc[CRTC_CURSOR_START]! & 0x20) === 0,
    firstLine: crtc[CRTC_CURSOR_START]! & 0x1f,
    lastLine: crtc[CRTC_CURSOR_END]! & 0x1f,
  };
}

/** Graphics layout: pixels per line before horizontal doubling, lines, depth and pitch. */
export interface GraphicsGeometry {
  readonly width: number;
  readonly height: number;
  /** VBE bits per pixel, or 0 for the VGA shifters. */
  readonly bpp: number;
  /** Bytes of video memory (4 per plane offset) from one line to the next. */
  readonly lineOffset: number;
  /** Byte address of the display start in video memory. */
  readonly start: number;
  readonly lineCompare: number;
}

export function graphicsGeometry(s: GeometrySource): GraphicsGeometry {
  const crtc = s.crtc;
  if (s.vbe[VBE_INDEX_ENABLE]! & VBE_ENABLED) {
    return {
      width: s.vbe[VBE_INDEX_XRES]!,
      height: s.vbe[VBE_INDEX_YRES]!,
      bpp: s.vbe[VBE_INDEX_BPP]!,
      lineOffset: s.vbeLineOffset,
      start: s.vbeStartAddress,
      lineCompare: 65535,
    };
  }
  return {
    width: (crtc[CRTC_H_DISPLAY_END]! + 1) * 8,
    height: displayLines(crtc),
    bpp: 0,
    lineOffset: crtc[CRTC_OFFSET]! << 3,
    start: startAddress(crtc) * 4,
    lineCompare: lineCompare(crtc),
  };
}
