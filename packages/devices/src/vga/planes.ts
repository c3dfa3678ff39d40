// The VGA memory data path: how CPU reads and writes in the 0xA0000-0xBFFFF window
// reach the four planes (IBM VGA Technical Reference, "Graphics Controller";
// FreeVGA "VGA Memory Organization" and "Read/Write Modes").
//
// Storage follows QEMU and Bochs: plane p of byte offset o lives at vram[o * 4 + p], so one
// 32-bit word holds the four planes (the latches), chain-4 writes land linearly, and the
// VBE linear framebuffer shares the same bytes.
import {
  GC_BIT_MASK,
  GC_COLOR_COMPARE,
  GC_COLOR_DONT_CARE,
  GC_DATA_ROTATE,
  GC_ENABLE_SET_RESET,
  GC_MISC,
  GC_MODE,
  GC_READ_MAP,
  GC_SET_RESET,
  SEQ_MAP_MASK,
  SEQ_MEMORY_MODE,
} from "./regs";

/** Dirty tracking granularity: one flag per 4 KiB of video memory (a host page). */
export const DIRTY_PAGE_SHIFT = 12;

/** MASK16[n]: each of the 4 bits of n widened to a byte lane (plane) of 0xFF. */
export const MASK16 = new Uint32Array(16);
for (let n = 0; n < 16; n++) {
  MASK16[n] =
    (n & 1 ? 0xff : 0) | (n & 2 ? 0xff00 : 0) | (n & 4 ? 0xff0000 : 0) | (n & 8 ? 0xff000000 : 0);
}

/** The registers the data path reads, and the memory it moves. */
export interface PlaneState {
  readonly vram: Uint8Array;
  readonly vram32: Uint32Array;
  readonly seq: Uint8Array;
  readonly gc: Uint8Array;
  /** One byte per 4 KiB page of vram: non-zero once written since the renderer last looked. */
  readonly dirtyPages: Uint8Array;
  /** The four latches, loaded by every planar read. */
  latch: number;
  /** Added to offsets in memory map 1 (0xA0000, 64 KiB): the VBE bank (BANK << 16). */
  bankOffset: number;
  /** Planes written since the renderer last looked (bit 2 set = the font may have changed). */
  planesWritten: number;
}

/**
 * Translates a CPU address in 0xA0000-0xBFFFF to an offset in video memory as GC misc bits
 * 2-3 map it (0: 128 KiB at A0000, 1: 64 KiB at A0000 plus the VBE bank, 2: 32 KiB at
 * B0000, 3: 32 KiB at B8000), or -1 when the address is outside the selected window.
 */
export function windowOffset(s: PlaneState, address: number): number {
  const offset = (address - 0xa0000) & 0x1ffff;
  switch ((s.gc[GC_MISC]! >> 2) & 3) {
    case 0:
      return offset;
    case 1:
      return offset < 0x10000 ? offset + s.bankOffset : -1;
    case 2:
      return offset >= 0x10000 && offset < 0x18000 ? offset - 0x10000 : -1;
    default:
      return offset >= 0x18000 ? offset - 0x18000 : -1;
  }
}

/** A CPU byte read through the graphics controller (chain 4, odd/even, read modes 0 and 1). */
export function readPlanar(s: PlaneState, offset: number): number {
  if (s.seq[SEQ_MEMORY_MODE]! & 0x08) {
    // Chain 4: the low two address bits choose the plane, so memory reads linearly.
    return offset < s.vram.length ? s.vram[offset]! : 0xff;
  }
  const gcMode = s.gc[GC_MODE]!;
  if (gcMode & 0x10) {
    // Host odd/even read (GR05 bit 4): A0 selects plane 0/1, or 2/3 with read map bit 1.
    const index = ((offset & ~1) << 1) | (s.gc[GC_READ_MAP]! & 2) | (offset & 1);
    return index < s.vram.length ? s.vram[index]! : 0xff;
  }
  if (offset >= s.vram32.length) return 0xff;
  const latch = s.vram32[offset]!;
  s.latch = latch;
  if ((gcMode & 0x08) === 0) {
    // Read mode 0: the plane chosen by the read map select register.
    return (latch >>> ((s.gc[GC_READ_MAP]! & 3) * 8)) & 0xff;
  }
  // Read mode 1: bit i is set where every "care" plane matches the colour compare.
  const care = MASK16[s.gc[GC_COLOR_DONT_CARE]! & 0xf]!;
  const diff = (latch ^ MASK16[s.gc[GC_COLOR_COMPARE]! & 0xf]!) & care;
  const folded = (diff | (diff >>> 8) | (diff >>> 16) | (diff >>> 24)) & 0xff;
  return ~folded & 0xff;
}

/** A CPU byte write through the graphics controller (chain 4, odd/even, write modes 0-3). */
export function writePlanar(s: PlaneState, offset: number, value: number): void {
  const memoryMode = s.seq[SEQ_MEMORY_MODE]!;
  const mapMask = s.seq[SEQ_MAP_MASK]! & 0xf;
  if (memoryMode & 0x08) {
    // Chain 4: plane = A1:A0, the byte lands at the same linear offset.
    const plane = offset & 3;
    if (mapMask & (1 << plane) && offset < s.vram.length) {
      s.vram[offset] = value;
      s.planesWritten |= 1 << plane;
      s.dirtyPages[offset >>> DIRTY_PAGE_SHIFT] = 1;
    }
    return;
  }
  if ((memoryMode & 0x04) === 0) {
    // Odd/even write (SR04 bit 2 clear): even addresses reach planes 0 and 2, odd ones
    // planes 1 and 3, each gated by the map mask (FreeVGA, Sequencer Memory Mode).
    const planes = mapMask & (offset & 1 ? 0b1010 : 0b0101);
    const base = (offset & ~1) << 1;
    if (planes === 0 || base + 3 >= s.vram.length) return;
    for (let plane = 0; plane < 4; plane++) {
      if (planes & (1 << plane)) s.vram[base | plane] = value;
    }
    s.planesWritten |= planes;
    s.dirtyPages[base >>> DIRTY_PAGE_SHIFT] = 1;
    return;
  }
  const gc = s.gc;
  const rotate = gc[GC_DATA_ROTATE]! & 7;
  let bitMask = gc[GC_BIT_MASK]!;
  let v: number;
  switch (gc[GC_MODE]! & 3) {
    case 0: {
      // Write mode 0: rotated data on every plane, replaced by set/reset where enabled.
      const b = ((value >>> rotate) | (value << (8 - rotate))) & 0xff;
      v = Math.imul(b, 0x01010101);
      const enable = MASK16[gc[GC_ENABLE_SET_RESET]! & 0xf]!;
      v = (v & ~enable) | (MASK16[gc[GC_SET_RESET]! & 0xf]! & enable);
      break;
    }
    case 1:
      // Write mode 1 copies the latches: no ALU, no bit mask.
      storePlanes(s, offset, s.latch, mapMask);
      return;
    case 2:
      // Write mode 2: data bits 0-3 give each plane's colour bit.
      v = MASK16[value & 0xf]!;
      break;
    default: {
      // Write mode 3: rotated data ANDed with the bit mask; set/reset supplies the colour.
      const b = ((value >>> rotate) | (value << (8 - rotate))) & 0xff;
      bitMask &= b;
      v = MASK16[gc[GC_SET_RESET]! & 0xf]!;
      break;
    }
  }
  const latch = s.latch;
  switch ((gc[GC_DATA_ROTATE]! >> 3) & 3) {
    case 1:
      v &= latch;
      break;
    case 2:
      v |= latch;
      break;
    case 3:
      v ^= latch;
      break;
  }
  const mask = Math.imul(bitMask, 0x01010101);
  v = (v & mask) | (latch & ~mask);
  storePlanes(s, offset, v, mapMask);
}

function storePlanes(s: PlaneState, offset: number, value: number, mapMask: number): void {
  if (offset >= s.vram32.length || mapMask === 0) return;
  const writeMask = MASK16[mapMask]!;
  s.vram32[offset] = (s.vram32[offset]! & ~writeMask) | (value & writeMask);
  s.planesWritten |= mapMask;
  s.dirtyPages[(offset << 2) >>> DIRTY_PAGE_SHIFT] = 1;
}
