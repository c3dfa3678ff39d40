// Byte images of the x87 state in memory (SDM vol. 1 8.1.10 figures 8-9 to 8-12 for
// FSTENV/FLDENV, 8.1.10/FSAVE 94/108-byte layouts, and vol. 1 table 10-2 for FXSAVE). Images go
// into a caller-provided Uint8Array at an offset; the CPU copies it to or from guest memory after
// its own checks (#GP/#PF/alignment). In real and virtual-8086 mode the instruction and operand
// pointers are the 20/32-bit linear addresses, so `fip`/`fdp` must hold linear addresses there.
import type { X87State } from "./state";

export const ENV16_REAL = 0;
export const ENV16_PROT = 1;
export const ENV32_REAL = 2;
export const ENV32_PROT = 3;
export type EnvFormat =
  typeof ENV16_REAL | typeof ENV16_PROT | typeof ENV32_REAL | typeof ENV32_PROT;

/** Bytes of the environment image for a format (14 or 28), and of FSAVE (94 or 108). */
export function envSize(f: EnvFormat): number {
  return f >= ENV32_REAL ? 28 : 14;
}
export function saveSize(f: EnvFormat): number {
  return envSize(f) + 80;
}
export const FXSAVE_SIZE = 512;

function w16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
function r16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function r32(b: Uint8Array, o: number): number {
  return (
    ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0
  );
}

/** FSTENV/FNSTENV image (no masking side effect: the instruction itself then sets all exception
 *  masks in CW, SDM vol. 2 FSTENV; call `maskAllAfterStoreEnv`). The 32-bit formats store 0xFFFF
 *  in the reserved upper halves, as the host does. */
export function storeEnv(s: X87State, b: Uint8Array, o: number, f: EnvFormat): number {
  const sw = s.getSw();
  const tw = s.tagWord();
  if (f >= ENV32_REAL) {
    w32(b, o, (s.cw | 0xffff0000) >>> 0);
    w32(b, o + 4, (sw | 0xffff0000) >>> 0);
    w32(b, o + 8, (tw | 0xffff0000) >>> 0);
    if (f === ENV32_PROT) {
      w32(b, o + 12, s.fip);
      w32(b, o + 16, (s.fcs & 0xffff) | ((s.fop & 0x7ff) << 16));
      w32(b, o + 20, s.fdp);
      w32(b, o + 24, (s.fds | 0xffff0000) >>> 0);
    } else {
      w32(b, o + 12, (s.fip & 0xffff) | 0xffff0000);
      w32(b, o + 16, (((s.fip >>> 16) << 12) | (s.fop & 0x7ff)) >>> 0);
      w32(b, o + 20, (s.fdp & 0xffff) | 0xffff0000);
      w32(b, o + 24, ((s.fdp >>> 16) << 12) >>> 0);
    }
    return 28;
  }
  w16(b, o, s.cw);
  w16(b, o + 2, sw);
  w16(b, o + 4, tw);
  if (f === ENV16_PROT) {
    w16(b, o + 6, s.fip);
    w16(b, o + 8, s.fcs);
    w16(b, o + 10, s.fdp);
    w16(b, o + 12, s.fds);
  } else {
    w16(b, o + 6, s.fip);
    w16(b, o + 8, (((s.fip >>> 16) & 0xf) << 12) | (s.fop & 0x7ff));
    w16(b, o + 10, s.fdp);
    w16(b, o + 12, ((s.fdp >>> 16) & 0xf) << 12);
  }
  return 14;
}

/** FLDENV: loads CW, SW (with TOP), the tag word and the pointers. */
export function loadEnv(s: X87State, b: Uint8Array, o: number, f: EnvFormat): number {
  const n = f >= ENV32_REAL ? 4 : 2;
  s.cw = (r16(b, o) & 0x1f3f) | 0x40;
  s.setSw(r16(b, o + n));
  s.setTagWord(r16(b, o + 2 * n));
  if (f === ENV32_PROT) {
    s.fip = r32(b, o + 12);
    const d = r32(b, o + 16);
    s.fcs = d & 0xffff;
    s.fop = (d >>> 16) & 0x7ff;
    s.fdp = r32(b, o + 20);
    s.fds = r16(b, o + 24);
  } else if (f === ENV32_REAL) {
    const d = r32(b, o + 16);
    s.fip = (r16(b, o + 12) | ((d >>> 12) << 16)) >>> 0;
    s.fop = d & 0x7ff;
    s.fdp = (r16(b, o + 20) | ((r32(b, o + 24) >>> 12) << 16)) >>> 0;
    s.fcs = 0;
    s.fds = 0;
  } else if (f === ENV16_PROT) {
    s.fip = r16(b, o + 6);
    s.fcs = r16(b, o + 8);
    s.fdp = r16(b, o + 10);
    s.fds = r16(b, o + 12);
  } else {
    const d = r16(b, o + 8);
    s.fip = r16(b, o + 6) | ((d >>> 12) << 16);
    s.fop = d & 0x7ff;
    s.fdp = r16(b, o + 10) | ((r16(b, o + 12) >>> 12) << 16);
    s.fcs = 0;
    s.fds = 0;
  }
  // The loaded SW may carry flags unmasked by the loaded CW: they become pending.
  s.setCw(s.cw);
  return n === 4 ? 28 : 14;
}

/** After FSTENV/FNSTENV the CPU masks all exceptions (SDM vol. 2 FSTENV operation). */
export function maskAllAfterStoreEnv(s: X87State): void {
  s.cw |= 0x3f;
  s.sw &= ~0x8080;
}

function storeReg(s: X87State, b: Uint8Array, o: number, p: number): void {
  w32(b, o, s.lo[p] ?? 0);
  w32(b, o + 4, s.hi[p] ?? 0);
  w16(b, o + 8, s.se[p] ?? 0);
}
function loadReg(s: X87State, b: Uint8Array, o: number, p: number): void {
  s.lo[p] = r32(b, o);
  s.hi[p] = r32(b, o + 4);
  s.se[p] = r16(b, o + 8);
}

/** FSAVE/FNSAVE: environment then ST(0)..ST(7), 10 bytes each; then re-initializes like FNINIT
 *  (SDM vol. 2 FSAVE). Returns the byte count. */
export function fsave(s: X87State, b: Uint8Array, o: number, f: EnvFormat): number {
  let at = o + storeEnv(s, b, o, f);
  for (let i = 0; i < 8; i++, at += 10) storeReg(s, b, at, s.phys(i));
  s.reset();
  return at - o;
}

/** FRSTOR. */
export function frstor(s: X87State, b: Uint8Array, o: number, f: EnvFormat): number {
  let at = o + loadEnv(s, b, o, f);
  for (let i = 0; i < 8; i++, at += 10) loadReg(s, b, at, s.phys(i));
  return at - o;
}

/**
 * FXSAVE x87 part: bytes 0-23 and the eight 16-byte register slots at 32-159 (ST(0) first,
 * reserved bytes written as zero like the host). Bytes 24-31 (MXCSR, MXCSR_MASK) and 160-511
 * (XMM registers, reserved) belong to the SSE state: the caller writes them. `rex64` selects the
 * FXSAVE64 layout (64-bit FIP/FDP instead of offset:selector).
 */
export function fxsave(s: X87State, b: Uint8Array, o: number, rex64: boolean): void {
  w16(b, o, s.cw);
  w16(b, o + 2, s.getSw());
  b[o + 4] = s.abridgedTag();
  b[o + 5] = 0;
  w16(b, o + 6, s.fop & 0x7ff);
  w32(b, o + 8, s.fip);
  if (rex64) w32(b, o + 12, 0);
  else {
    w16(b, o + 12, s.fcs);
    w16(b, o + 14, 0);
  }
  w32(b, o + 16, s.fdp);
  if (rex64) w32(b, o + 20, 0);
  else {
    w16(b, o + 20, s.fds);
    w16(b, o + 22, 0);
  }
  for (let i = 0; i < 8; i++) {
    const at = o + 32 + 16 * i;
    storeReg(s, b, at, s.phys(i));
    w16(b, at + 10, 0);
    w32(b, at + 12, 0);
  }
}

/** FXRSTOR x87 part (the caller validates MXCSR reserved bits for #GP first and loads SSE). */
export function fxrstor(s: X87State, b: Uint8Array, o: number, rex64: boolean): void {
  s.cw = (r16(b, o) & 0x1f3f) | 0x40;
  s.setSw(r16(b, o + 2));
  s.setAbridgedTag(b[o + 4] ?? 0);
  s.fop = r16(b, o + 6) & 0x7ff;
  s.fip = r32(b, o + 8);
  s.fcs = rex64 ? 0 : r16(b, o + 12);
  s.fdp = r32(b, o + 16);
  s.fds = rex64 ? 0 : r16(b, o + 20);
  for (let i = 0; i < 8; i++) loadReg(s, b, o + 32 + 16 * i, s.phys(i));
  s.setCw(s.cw);
}
