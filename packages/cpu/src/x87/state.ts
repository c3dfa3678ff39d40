// x87 architectural state (SDM vol. 1 8.1): eight 80-bit physical registers addressed as a stack
// through TOP, control/status words, the tag word, and the last instruction/operand pointers.
// Tags are kept in the abridged form real P6+ hardware uses internally (empty or not); the full
// 2-bit tag word (valid/zero/special/empty) is derived from register contents when saved, which
// is what FSTENV/FSAVE store (SDM vol. 1 8.1.7). MMX registers alias the significands (8.x, 9.5).
import {
  FpContext,
  FLAG_IE,
  FLAG_SF,
  INDEFINITE_HI,
  INDEFINITE_SE,
  type F80,
} from "./softfloat/types";

/** Status word bits (SDM vol. 1 figure 8-4). */
export const SW_ES = 0x0080;
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_TOP_SHIFT = 11;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** Control word after FINIT: all exceptions masked, 64-bit precision, round to nearest. */
export const CW_DEFAULT = 0x037f;

export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

export class X87State {
  /** Physical registers R0-R7: sign+exponent and significand halves (J bit = hi bit 31). */
  readonly se = new Uint16Array(8);
  readonly hi = new Uint32Array(8);
  readonly lo = new Uint32Array(8);
  /** Bit i set: physical register i is empty. */
  emptyMask = 0xff;
  top = 0;
  cw = CW_DEFAULT;
  /** Status word without the TOP field (kept in `top`). */
  sw = 0;
  /** Last non-control instruction: offset, selector and the 11-bit opcode; last data operand. */
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;
  /** FERR# output, the legacy (CR0.NE=0) error route (SDM vol. 1 8.7, D.2): asserted when a
   *  waiting x87/MMX instruction finds an unmasked exception pending. The board wires `onFerr`
   *  to IRQ 13 of the slave PIC and calls `clearFerr()` on a write to port 0xF0 (IGNNE#);
   *  FNCLEX/FNINIT/FNSAVE clear it as well. */
  ferr = false;
  onFerr: ((asserted: boolean) => void) | null = null;
  /** Rounding/precision/flag context of the operation in progress (reused, never reallocated). */
  readonly ctx = new FpContext();

  /** FINIT/FNINIT (SDM vol. 2 FINIT): CW 037F, SW 0, all tags empty, pointers and opcode zero. */
  reset(): void {
    this.cw = CW_DEFAULT;
    this.sw = 0;
    this.top = 0;
    this.emptyMask = 0xff;
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  /** Power-on RESET (SDM vol. 3 table 9-1): CW 0040H, SW 0, tag word 5555H (all registers hold
   *  +0.0 and are valid), pointers zero. INIT leaves the x87 state alone. */
  powerOnReset(): void {
    this.reset();
    this.cw = 0x0040;
    this.se.fill(0);
    this.hi.fill(0);
    this.lo.fill(0);
    this.emptyMask = 0;
    this.clearFerr();
  }

  /** The full status word with TOP merged in. */
  getSw(): number {
    return (this.sw & ~(7 << SW_TOP_SHIFT)) | (this.top << SW_TOP_SHIFT);
  }

  setSw(v: number): void {
    this.top = (v >>> SW_TOP_SHIFT) & 7;
    this.sw = v & 0xffff & ~(7 << SW_TOP_SHIFT);
  }

  /** Physical index of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return ((this.emptyMask >>> this.phys(i)) & 1) !== 0;
  }

  readSt(i: number, out: F80): F80 {
    const p = (this.top + i) & 7;
    out.se = this.se[p] ?? 0;
    out.hi = this.hi[p] ?? 0;
    out.lo = this.lo[p] ?? 0;
    return out;
  }

  /** Writes ST(i) and marks it non-empty. */
  writeSt(i: number, v: F80): void {
    const p = (this.top + i) & 7;
    this.se[p] = v.se;
    this.hi[p] = v.hi;
    this.lo[p] = v.lo;
    this.emptyMask &= ~(1 << p);
  }

  /** Decrements TOP and writes the new ST(0). Returns false on stack overflow (the destination
   *  was not empty): IE+SF with C1=1 are raised and, when IE is masked, the real indefinite is
   *  pushed instead (SDM vol. 1 8.5.1.1). When IE is unmasked TOP and the registers stay. */
  push(v: F80): boolean {
    const p = (this.top - 1) & 7;
    const free = ((this.emptyMask >>> p) & 1) !== 0;
    this.top = p;
    if (!free) {
      this.sw |= SW_C1;
      this.raise(FLAG_IE | FLAG_SF);
      if ((this.cw & FLAG_IE) === 0) {
        this.top = (p + 1) & 7; // unmasked: nothing changes but the flags
        return false;
      }
      this.se[p] = INDEFINITE_SE;
      this.hi[p] = INDEFINITE_HI;
      this.lo[p] = 0;
      this.emptyMask &= ~(1 << p);
      return false;
    }
    this.se[p] = v.se;
    this.hi[p] = v.hi;
    this.lo[p] = v.lo;
    this.emptyMask &= ~(1 << p);
    this.sw &= ~SW_C1; // every loading instruction clears C1 when the stack does not overflow
    return true;
  }

  /** Marks ST(0) empty and increments TOP. */
  pop(): void {
    this.emptyMask |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** FFREE ST(i). C0-C3 are undefined by the SDM; the host clears C1, and so do we. */
  free(i: number): void {
    this.sw &= ~SW_C1;
    this.emptyMask |= 1 << this.phys(i);
  }

  /** Stack underflow on reading an empty register: IE+SF with C1=0 (SDM vol. 1 8.5.1.1). Returns
   *  true when IE is masked, i.e. the caller must deliver the real indefinite. */
  underflow(): boolean {
    this.sw &= ~SW_C1;
    this.raise(FLAG_IE | FLAG_SF);
    return (this.cw & FLAG_IE) !== 0;
  }

  /** ORs exception flags into SW; sets ES and B when one of them is unmasked. Returns true when an
   *  unmasked exception is now pending: the CPU then raises #MF at the next waiting x87
   *  instruction if CR0.NE=1, or asserts FERR# (IRQ13 through the PIC) if CR0.NE=0 (SDM vol. 1
   *  8.7). */
  raise(flags: number): boolean {
    this.sw |= flags & 0x7f;
    if ((this.sw & ~this.cw & 0x3f) !== 0) {
      this.sw |= SW_ES | SW_B;
      return true;
    }
    return false;
  }

  signalFerr(): void {
    if (this.ferr) return;
    this.ferr = true;
    if (this.onFerr !== null) this.onFerr(true);
  }

  clearFerr(): void {
    if (!this.ferr) return;
    this.ferr = false;
    if (this.onFerr !== null) this.onFerr(false);
  }

  /** Pending unmasked exception (ES set). */
  pending(): boolean {
    return (this.sw & SW_ES) !== 0;
  }

  /** FCLEX/FNCLEX: clears the flags, SF, ES and B (SDM vol. 2 FCLEX). */
  clearExceptions(): void {
    this.sw &= ~(0x7f | SW_ES | SW_B);
  }

  /** FLDCW: a new control word can unmask an already-set flag, making it pending. */
  setCw(v: number): void {
    this.cw = (v & 0x1f3f) | 0x40; // bits 6 reads as 1, bits 13-15 reserved (0)
    this.sw &= ~(SW_ES | SW_B);
    this.raise(0);
  }

  /** Sets C0-C3 to `cc` (only those four bits). */
  setCc(cc: number): void {
    this.sw = (this.sw & ~SW_CC) | (cc & SW_CC);
  }

  /** Starts an arithmetic operation: the soft-float context takes RC, PC and the masks. */
  begin(): FpContext {
    const cw = this.cw;
    return this.ctx.begin((cw >>> 10) & 3, (cw >>> 8) & 3, cw & 0x3f);
  }

  /** 2-bit tag of physical register p derived from its contents (SDM vol. 1 figure 8-7). */
  tagOf(p: number): number {
    if (((this.emptyMask >>> p) & 1) !== 0) return TAG_EMPTY;
    const e = (this.se[p] ?? 0) & 0x7fff;
    const hi = this.hi[p] ?? 0;
    const lo = this.lo[p] ?? 0;
    if (e === 0) return hi === 0 && lo === 0 ? TAG_ZERO : TAG_SPECIAL;
    if (e === 0x7fff || hi < 0x80000000) return TAG_SPECIAL;
    return TAG_VALID;
  }

  /** Full tag word (FSTENV/FSAVE), physical register i in bits 2i+1:2i. */
  tagWord(): number {
    let t = 0;
    for (let p = 0; p < 8; p++) t |= this.tagOf(p) << (2 * p);
    return t;
  }

  /** FLDENV/FRSTOR: only "empty" (11) is kept; other tags are recomputed from contents. */
  setTagWord(t: number): void {
    let m = 0;
    for (let p = 0; p < 8; p++) if (((t >>> (2 * p)) & 3) === TAG_EMPTY) m |= 1 << p;
    this.emptyMask = m;
  }

  /** Abridged tag (FXSAVE byte 4): bit p set when physical register p is not empty. */
  abridgedTag(): number {
    return ~this.emptyMask & 0xff;
  }

  setAbridgedTag(t: number): void {
    this.emptyMask = ~t & 0xff;
  }

  // MMX aliasing (SDM vol. 1 9.5): MMi is the significand of physical register i. Every MMX
  // instruction except EMMS sets TOP=0 and all tags valid; a write also sets the exponent field
  // to all ones (sign+exponent 0xFFFF).

  /** Call at the start of each MMX instruction other than EMMS. */
  mmxEnter(): void {
    this.top = 0;
    this.emptyMask = 0;
  }

  mmxLo(i: number): number {
    return this.lo[i] ?? 0;
  }

  mmxHi(i: number): number {
    return this.hi[i] ?? 0;
  }

  mmxWrite(i: number, hi: number, lo: number): void {
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.se[i] = 0xffff;
  }

  /** EMMS: every tag empty. */
  emms(): void {
    this.emptyMask = 0xff;
  }
}
