// Colour conversion: DAC entries to host RGBA, and the attribute controller's 16-colour
// lookup (IBM VGA TR, "Attribute Controller" and "Video DAC"; QEMU update_palette16/256).
import { ATTR_COLOR_SELECT, ATTR_MODE, VBE_8BIT_DAC, VBE_INDEX_ENABLE } from "./regs";

/** What colour conversion reads from the adapter. */
export interface PaletteSource {
  readonly dac: Uint8Array;
  readonly attr: Uint8Array;
  readonly vbe: Uint16Array;
  readonly dacMask: number;
}

/**
 * Widens a 6-bit DAC component to 8 bits as QEMU does (c6_to_8): shift left by two and
 * fill the low two bits with the lowest bit, so 0 stays 0 and 3Fh becomes FFh.
 */
export function dac6To8(v: number): number {
  v &= 0x3f;
  const b = v & 1;
  return (v << 2) | (b << 1) | b;
}

/** An opaque RGBA pixel as a little-endian 32-bit word (bytes R, G, B, A in memory). */
export function rgba(r: number, g: number, b: number): number {
  return (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;
}

/** Converts DAC entry `index` (after the PEL mask) to an RGBA word. */
export function dacColor(s: PaletteSource, index: number): number {
  const i = (index & s.dacMask) * 3;
  const dac = s.dac;
  if (s.vbe[VBE_INDEX_ENABLE]! & VBE_8BIT_DAC) return rgba(dac[i]!, dac[i + 1]!, dac[i + 2]!);
  return rgba(dac6To8(dac[i]!), dac6To8(dac[i + 1]!), dac6To8(dac[i + 2]!));
}

/**
 * The DAC index of attribute colour `n` (0-15): palette register n, with bits 4-5 taken from
 * the colour select register when AR10 bit 7 (P54S) is set, and bits 6-7 always from it.
 */
export function attributeToDac(s: PaletteSource, n: number): number {
  const v = s.attr[n & 0xf]!;
  const select = s.attr[ATTR_COLOR_SELECT]!;
  if (s.attr[ATTR_MODE]! & 0x80) return ((select & 0xf) << 4) | (v & 0xf);
  return ((select & 0xc) << 4) | (v & 0x3f);
}

/** Fills `out[0..15]` with the RGBA of the 16 attribute colours. */
export function fillPalette16(s: PaletteSource, out: Uint32Array): void {
  for (let i = 0; i < 16; i++) out[i] = dacColor(s, attributeToDac(s, i));
}

/** Fills `out[0..255]` with the RGBA of the 256 DAC entries. */
export function fillPalette256(s: PaletteSource, out: Uint32Array): void {
  for (let i = 0; i < 256; i++) out[i] = dacColor(s, i);
}
