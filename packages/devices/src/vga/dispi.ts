// Bochs VBE "DISPI" registers (index 0x1CE, data 0x1CF), as QEMU's stdvga implements them:
// geometry registers are stored as written and sanitised when the mode is enabled (the
// interface has no way to report errors), and enabling a mode reprograms the VGA core so the
// 0xA0000 window and the renderer follow the VBE mode (QEMU vbe_ioport_write_data).
import * as R from "./regs";

/** The parts of the VGA state DISPI touches. */
export interface DispiState {
  readonly vbe: Uint16Array;
  readonly vram: Uint8Array;
  readonly seq: Uint8Array;
  readonly gc: Uint8Array;
  readonly crtc: Uint8Array;
  readonly dirtyPages: Uint8Array;
  vbeIndex: number;
  bankOffset: number;
  vbeLineOffset: number;
  vbeStartAddress: number;
  generation: number;
}

/** Bytes per pixel of a DISPI depth (15 and 16 both take 2); 4 bpp is planar (1/2 byte). */
export function dispiBits(bpp: number): number {
  return bpp === 15 ? 16 : bpp;
}

export function readDispi(s: DispiState): number {
  const index = s.vbeIndex;
  if (index === R.VBE_INDEX_VIDEO_MEMORY_64K) return s.vram.length >>> 16;
  if (index >= s.vbe.length) return 0;
  if (s.vbe[R.VBE_INDEX_ENABLE]! & R.VBE_GETCAPS) {
    // With GETCAPS set, XRES/YRES/BPP read back the maxima.
    if (index === R.VBE_INDEX_XRES) return R.VBE_MAX_XRES;
    if (index === R.VBE_INDEX_YRES) return R.VBE_MAX_YRES;
    if (index === R.VBE_INDEX_BPP) return R.VBE_MAX_BPP;
  }
  return s.vbe[index]!;
}

export function writeDispi(s: DispiState, value: number): void {
  const v = s.vbe;
  const index = s.vbeIndex;
  switch (index) {
    case R.VBE_INDEX_ID:
      // The guest selects the interface version it speaks (B0C0-B0C5) and reads it back.
      if (value >= R.VBE_ID0 && value <= R.VBE_ID5) v[index] = value;
      return;
    case R.VBE_INDEX_XRES:
    case R.VBE_INDEX_YRES:
    case R.VBE_INDEX_BPP:
    case R.VBE_INDEX_VIRT_WIDTH:
    case R.VBE_INDEX_X_OFFSET:
    case R.VBE_INDEX_Y_OFFSET:
      v[index] = value;
      fixupDispi(s);
      s.generation++;
      return;
    case R.VBE_INDEX_BANK: {
      // The bank selects a 64 KiB window of video memory (a quarter of that at 4 bpp).
      const banks = (s.vram.length >>> 16) - 1;
      value &= v[R.VBE_INDEX_BPP] === 4 ? banks >>> 2 : banks;
      v[index] = value;
      s.bankOffset = value << 16;
      return;
    }
    case R.VBE_INDEX_ENABLE:
      writeEnable(s, value);
      s.generation++;
      return;
    default:
      // VIRT_HEIGHT is computed; VIDEO_MEMORY_64K is read-only.
      return;
  }
}

function writeEnable(s: DispiState, value: number): void {
  const v = s.vbe;
  const wasEnabled = (v[R.VBE_INDEX_ENABLE]! & R.VBE_ENABLED) !== 0;
  if (value & R.VBE_ENABLED && !wasEnabled) {
    v[R.VBE_INDEX_VIRT_WIDTH] = 0;
    v[R.VBE_INDEX_X_OFFSET] = 0;
    v[R.VBE_INDEX_Y_OFFSET] = 0;
    v[R.VBE_INDEX_ENABLE] = v[R.VBE_INDEX_ENABLE]! | R.VBE_ENABLED;
    fixupDispi(s);
    if (!(value & R.VBE_NOCLEARMEM)) {
      s.vram.fill(0, 0, Math.min(s.vram.length, v[R.VBE_INDEX_YRES]! * s.vbeLineOffset));
      s.dirtyPages.fill(1);
    }
    programVgaCore(s);
  } else if (!(value & R.VBE_ENABLED)) {
    s.bankOffset = 0;
  }
  v[R.VBE_INDEX_ENABLE] = value;
}

/**
 * Puts the VGA core in the graphics configuration the VBE mode needs: graphics mode with
 * memory map 1 (64 KiB banked at A0000), no CGA addressing, no double scan, the line
 * length and display size in the CRTC, and chain 4 with a 256-colour shifter (planar for
 * 4 bpp). The renderer then reads the VBE geometry for width, height, depth and pitch.
 */
function programVgaCore(s: DispiState): void {
  const v = s.vbe;
  const gc = s.gc;
  const crtc = s.crtc;
  gc[R.GC_MISC] = (gc[R.GC_MISC]! & ~0x0c) | 0x04 | 0x01;
  crtc[R.CRTC_MODE] = crtc[R.CRTC_MODE]! | 3;
  crtc[R.CRTC_OFFSET] = (s.vbeLineOffset >>> 3) & 0xff;
  crtc[R.CRTC_H_DISPLAY_END] = ((v[R.VBE_INDEX_XRES]! >>> 3) - 1) & 0xff;
  const h = v[R.VBE_INDEX_YRES]! - 1;
  crtc[R.CRTC_V_DISPLAY_END] = h & 0xff;
  crtc[R.CRTC_OVERFLOW] = (crtc[R.CRTC_OVERFLOW]! & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40);
  // Line compare at its maximum (1023): no split screen.
  crtc[R.CRTC_LINE_COMPARE] = 0xff;
  crtc[R.CRTC_OVERFLOW] = crtc[R.CRTC_OVERFLOW]! | 0x10;
  crtc[R.CRTC_MAX_SCAN] = crtc[R.CRTC_MAX_SCAN]! | 0x40;
  let shiftControl: number;
  if (v[R.VBE_INDEX_BPP] === 4) {
    shiftControl = 0;
    s.seq[R.SEQ_CLOCKING] = s.seq[R.SEQ_CLOCKING]! & ~8;
  } else {
    shiftControl = 2;
    s.seq[R.SEQ_MEMORY_MODE] = s.seq[R.SEQ_MEMORY_MODE]! | 0x08;
    s.seq[R.SEQ_MAP_MASK] = s.seq[R.SEQ_MAP_MASK]! | 0x0f;
  }
  gc[R.GC_MODE] = (gc[R.GC_MODE]! & ~0x60) | (shiftControl << 5);
  crtc[R.CRTC_MAX_SCAN] = crtc[R.CRTC_MAX_SCAN]! & ~0x9f;
}

/** Clamps the geometry to valid values and derives pitch, start and virtual height. */
export function fixupDispi(s: DispiState): void {
  const r = s.vbe;
  if (!(r[R.VBE_INDEX_ENABLE]! & R.VBE_ENABLED)) return;
  let bits: number;
  switch (r[R.VBE_INDEX_BPP]) {
    case 4:
    case 8:
    case 15:
    case 16:
    case 24:
    case 32:
      bits = dispiBits(r[R.VBE_INDEX_BPP]!);
      break;
    default:
      bits = r[R.VBE_INDEX_BPP] = 8;
  }
  r[R.VBE_INDEX_XRES] = r[R.VBE_INDEX_XRES]! & ~7;
  if (r[R.VBE_INDEX_XRES] === 0) r[R.VBE_INDEX_XRES] = 8;
  if (r[R.VBE_INDEX_XRES]! > R.VBE_MAX_XRES) r[R.VBE_INDEX_XRES] = R.VBE_MAX_XRES;
  r[R.VBE_INDEX_VIRT_WIDTH] = r[R.VBE_INDEX_VIRT_WIDTH]! & ~7;
  if (r[R.VBE_INDEX_VIRT_WIDTH]! > R.VBE_MAX_XRES) r[R.VBE_INDEX_VIRT_WIDTH] = R.VBE_MAX_XRES;
  if (r[R.VBE_INDEX_VIRT_WIDTH]! < r[R.VBE_INDEX_XRES]!) {
    r[R.VBE_INDEX_VIRT_WIDTH] = r[R.VBE_INDEX_XRES]!;
  }
  const lineLength = (r[R.VBE_INDEX_VIRT_WIDTH]! * bits) >>> 3;
  const maxY = Math.floor(s.vram.length / lineLength);
  if (r[R.VBE_INDEX_YRES] === 0) r[R.VBE_INDEX_YRES] = 1;
  if (r[R.VBE_INDEX_YRES]! > R.VBE_MAX_YRES) r[R.VBE_INDEX_YRES] = R.VBE_MAX_YRES;
  if (r[R.VBE_INDEX_YRES]! > maxY) r[R.VBE_INDEX_YRES] = maxY;
  if (r[R.VBE_INDEX_X_OFFSET]! > R.VBE_MAX_XRES) r[R.VBE_INDEX_X_OFFSET] = R.VBE_MAX_XRES;
  if (r[R.VBE_INDEX_Y_OFFSET]! > R.VBE_MAX_YRES) r[R.VBE_INDEX_Y_OFFSET] = R.VBE_MAX_YRES;
  let offset = (r[R.VBE_INDEX_X_OFFSET]! * bits) >>> 3;
  offset += r[R.VBE_INDEX_Y_OFFSET]! * lineLength;
  const frame = r[R.VBE_INDEX_YRES]! * lineLength;
  if (offset + frame > s.vram.length) {
    r[R.VBE_INDEX_Y_OFFSET] = 0;
    offset = (r[R.VBE_INDEX_X_OFFSET]! * bits) >>> 3;
    if (offset + frame > s.vram.length) {
      r[R.VBE_INDEX_X_OFFSET] = 0;
      offset = 0;
    }
  }
  r[R.VBE_INDEX_VIRT_HEIGHT] = Math.min(0xffff, maxY);
  s.vbeLineOffset = lineLength;
  // QEMU keeps the start in 32-bit words (offset / 4): the display starts on a word boundary.
  s.vbeStartAddress = offset & ~3;
}
