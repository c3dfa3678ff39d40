// Instruction-level x87 operations over X87State, for the interpreter's handlers. Each function
// does what one instruction form does to the FPU: stack-fault checks (SDM vol. 1 8.5.1.1),
// the arithmetic, the unmasked-exception rule (IE, ZE or DE unmasked: destination and stack are
// left unchanged; OE/UE/PE unmasked: the bias-adjusted result is still written, SDM vol. 1 8.5),
// the status word flags and C1. They return true when an unmasked exception is now pending:
// the CPU then raises #MF (CR0.NE=1) or signals FERR#/IRQ13 (CR0.NE=0) per SDM vol. 1 8.7.
// Memory access, FIP/FDP/FOP updates and the pre-instruction pending-exception check are the
// CPU's job.
import { f80Add } from "./softfloat/add";
import { CC_EMPTY, CC_UNORDERED, f80Compare, f80Examine } from "./softfloat/compare";
import {
  M,
  f80FromF32,
  f80FromF64,
  f80FromInt32,
  f80FromInt64,
  f80ToF32,
  f80ToF64,
  f80ToInt,
} from "./softfloat/convert";
import { f80Div } from "./softfloat/div";
import { f80Mul } from "./softfloat/mul";
import { BCD, f80FromBcd, f80ToBcd } from "./softfloat/bcd";
import { f80Prem } from "./softfloat/prem";
import { f80Extract } from "./softfloat/scale";
import { TRIG_COS, TRIG_SIN, TRIG_TAN, f80Trig, trigOutOfRange } from "./softfloat/transcendental";
import { FLAG_DE, FLAG_IE, FLAG_SF, FLAG_ZE, F80, setIndefinite } from "./softfloat/types";
import { SW_C1, SW_C2, type X87State } from "./state";

/** Arithmetic kinds, numbered like the ModRM reg field of D8-DE (SDM vol. 2 table A-7). */
export const OP_ADD = 0;
export const OP_MUL = 1;
export const OP_SUB = 4;
export const OP_SUBR = 5;
export const OP_DIV = 6;
export const OP_DIVR = 7;

/** Memory operand types of the arithmetic, compare and load forms. */
export const MEM_F32 = 0;
export const MEM_I32 = 1;
export const MEM_F64 = 2;
export const MEM_I16 = 3;

const A = new F80();
const B = new F80();
const R = new F80();
const R2 = new F80();
/** Memory operand of the current instruction, converted to 80 bits. */
const MEMV = new F80();

/** Exceptions that suppress the write when unmasked. */
const NO_WRITE = FLAG_IE | FLAG_ZE | FLAG_DE;

function compute(s: X87State, kind: number, a: F80, b: F80, out: F80): void {
  const ctx = s.ctx;
  switch (kind) {
    case OP_ADD:
      f80Add(ctx, out, a, b, false);
      break;
    case OP_MUL:
      f80Mul(ctx, out, a, b);
      break;
    case OP_SUB:
      f80Add(ctx, out, a, b, true);
      break;
    case OP_SUBR:
      f80Add(ctx, out, b, a, true);
      break;
    case OP_DIV:
      f80Div(ctx, out, a, b);
      break;
    default:
      f80Div(ctx, out, b, a);
  }
}

/** Merges the context's flags into SW; writes `v` to ST(dst) unless an unmasked IE/ZE/DE. */
function commit(s: X87State, dst: number, v: F80 | null, pops: number): boolean {
  const ctx = s.ctx;
  const unmasked = ctx.flags & ~s.cw & NO_WRITE;
  s.sw = ctx.c1 !== 0 ? s.sw | SW_C1 : s.sw & ~SW_C1;
  const pending = s.raise(ctx.flags);
  if (unmasked !== 0) return pending;
  if (v !== null) s.writeSt(dst, v);
  for (let i = 0; i < pops; i++) s.pop();
  return pending;
}

/** Stack underflow: IE+SF, C1=0; masked, the destination gets the real indefinite. */
function underflow(s: X87State, dst: number, pops: number): boolean {
  if (s.underflow()) {
    s.writeSt(dst, setIndefinite(R));
    for (let i = 0; i < pops; i++) s.pop();
  }
  return s.pending();
}

/** FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR (P) with register operands: ST(dst) = ST(dst) op ST(src),
 *  popping once for the P forms. */
export function fpuArithSt(
  s: X87State,
  kind: number,
  dst: number,
  src: number,
  pop: boolean,
): boolean {
  const pops = pop ? 1 : 0;
  if (s.isEmpty(dst) || s.isEmpty(src)) return underflow(s, dst, pops);
  s.begin();
  compute(s, kind, s.readSt(dst, A), s.readSt(src, B), R);
  return commit(s, dst, R, pops);
}

function loadMem(s: X87State, type: number, lo: number, hi: number): F80 {
  const ctx = s.ctx;
  if (type === MEM_F32) return f80FromF32(ctx, MEMV, lo);
  if (type === MEM_F64) return f80FromF64(ctx, MEMV, hi, lo);
  if (type === MEM_I16) return f80FromInt32(MEMV, (lo << 16) >> 16);
  return f80FromInt32(MEMV, lo | 0);
}

/** FADD m32fp/m64fp, FIADD m16int/m32int and the other kinds: ST(0) = ST(0) op mem. `lo`/`hi`
 *  are the operand's bytes 0-3 and 4-7 as read by the CPU. */
export function fpuArithMem(
  s: X87State,
  kind: number,
  type: number,
  lo: number,
  hi: number,
): boolean {
  if (s.isEmpty(0)) return underflow(s, 0, 0);
  s.begin();
  const m = loadMem(s, type, lo, hi);
  const memDe = takeMemDe(s);
  compute(s, kind, s.readSt(0, A), m, R);
  addMemDe(s, memDe);
  return commit(s, 0, R, 0);
}

/** DE raised by widening a narrower denormal memory operand, taken out of the flags. */
function takeMemDe(s: X87State): boolean {
  const de = (s.ctx.flags & FLAG_DE) !== 0;
  s.ctx.flags &= ~FLAG_DE;
  if ((s.ctx.flags & FLAG_IE) !== 0 && (MEMV.se & 0x7fff) === 0x7fff) {
    // A signalling NaN operand stays signalling for the operation, whose NaN rules (a QNaN beats
    // an SNaN, then the larger significand) see the unquieted significand and raise IE
    // themselves (host behaviour).
    MEMV.hi = (MEMV.hi & ~0x40000000) >>> 0;
    s.ctx.flags &= ~FLAG_IE;
  }
  return de;
}

/** The memory operand's DE counts only when the operation raised no IE/ZE and ST(0) is not a
 *  NaN (host behaviour: FDIVR m32 of a denormal by zero gives ZE alone, a NaN ST(0) no DE). */
function addMemDe(s: X87State, memDe: boolean): void {
  if (!memDe || (s.ctx.flags & (FLAG_IE | FLAG_ZE)) !== 0) return;
  if ((A.se & 0x7fff) === 0x7fff && (A.hi & 0x7fffffff) !== 0) return;
  s.ctx.flags |= FLAG_DE;
}

/** FCOM/FCOMP/FCOMPP/FUCOM* with ST(src) (`src` < 0: FTST against +0). Sets C0/C2/C3. */
export function fpuCompareSt(s: X87State, src: number, unordered: boolean, pops: number): boolean {
  const b = src < 0 ? B.set(0, 0, 0) : null;
  if (s.isEmpty(0) || (src >= 0 && s.isEmpty(src))) {
    s.setCc(CC_UNORDERED);
    if (s.underflow()) for (let i = 0; i < pops; i++) s.pop();
    return s.pending();
  }
  s.begin();
  const cc = f80Compare(s.ctx, s.readSt(0, A), b ?? s.readSt(src, B), unordered);
  s.setCc(cc);
  return commit(s, 0, null, pops);
}

/** FCOM/FICOM m32/m64/m16int/m32int (P form when pops = 1). */
export function fpuCompareMem(
  s: X87State,
  type: number,
  lo: number,
  hi: number,
  pops: number,
): boolean {
  if (s.isEmpty(0)) {
    s.setCc(CC_UNORDERED);
    if (s.underflow()) for (let i = 0; i < pops; i++) s.pop();
    return s.pending();
  }
  s.begin();
  const m = loadMem(s, type, lo, hi);
  const memDe = takeMemDe(s);
  s.setCc(f80Compare(s.ctx, s.readSt(0, A), m, false));
  addMemDe(s, memDe);
  return commit(s, 0, null, pops);
}

/** FCOMI/FUCOMI(P): returns the EFLAGS bits ZF (0x40), PF (0x04), CF (0x01) to set (the other
 *  arithmetic flags are cleared, SDM vol. 2 FCOMI); -1 when an unmasked IE leaves EFLAGS alone. */
export function fpuComi(s: X87State, src: number, unordered: boolean, pop: boolean): number {
  let cc: number;
  if (s.isEmpty(0) || s.isEmpty(src)) {
    // Stack underflow: EFLAGS get "unordered" even when IE is unmasked (host behaviour).
    cc = CC_UNORDERED;
    if (s.underflow() && pop) s.pop();
  } else {
    s.begin();
    cc = f80Compare(s.ctx, s.readSt(0, A), s.readSt(src, B), unordered);
    const unmaskedIE = (s.ctx.flags & ~s.cw & FLAG_IE) !== 0;
    commit(s, 0, null, pop ? 1 : 0);
    if (unmaskedIE) return -1;
  }
  s.sw &= ~SW_C1;
  // C3 -> ZF, C2 -> PF, C0 -> CF
  return (cc & 0x4000 ? 0x40 : 0) | (cc & 0x0400 ? 0x04 : 0) | (cc & 0x0100 ? 0x01 : 0);
}

/** FXAM: C3/C2/C0 class and C1 = sign (SDM vol. 2 FXAM), also for an empty ST(0). */
export function fpuExamine(s: X87State): void {
  const sign = ((s.se[s.phys(0)] ?? 0) & 0x8000) !== 0 ? SW_C1 : 0;
  const cc = s.isEmpty(0) ? CC_EMPTY | sign : f80Examine(s.readSt(0, A));
  s.sw = (s.sw & ~0x4700) | cc;
}

/** FLD m32fp/m64fp/m16int/m32int (FILD), pushing the converted value. */
export function fpuLoadMem(s: X87State, type: number, lo: number, hi: number): boolean {
  // Stack overflow first: the operand is not examined (no IE/DE from it; host behaviour).
  if (!s.isEmpty(7)) {
    s.push(R2);
    return s.pending();
  }
  s.begin();
  const m = loadMem(s, type, lo, hi);
  if ((s.ctx.flags & ~s.cw & NO_WRITE) !== 0) return s.raise(s.ctx.flags);
  const pending = s.raise(s.ctx.flags);
  s.push(m);
  return pending || s.pending();
}

/** FILD m64int (bytes 0-3 in lo, 4-7 in hi): exact, no exceptions besides a stack fault. */
export function fpuLoadInt64(s: X87State, lo: number, hi: number): boolean {
  s.push(f80FromInt64(R2, hi, lo));
  return s.pending();
}

/** FLD m80fp (no exceptions for any encoding, SDM vol. 2 FLD) and the FLD constants. */
export function fpuPush(s: X87State, v: F80): boolean {
  s.push(v);
  return s.pending();
}

/** FLD ST(i). */
export function fpuLoadSt(s: X87State, i: number): boolean {
  if (s.isEmpty(i)) {
    if (s.underflow()) s.push(setIndefinite(R));
    return s.pending();
  }
  s.readSt(i, R2);
  s.push(R2);
  return s.pending();
}

/** FST/FSTP ST(i). */
export function fpuStoreSt(s: X87State, i: number, pop: boolean): boolean {
  if (s.isEmpty(0)) return underflow(s, i, pop ? 1 : 0);
  s.sw &= ~SW_C1;
  s.writeSt(i, s.readSt(0, A));
  if (pop) s.pop();
  return s.pending();
}

/** Result of `fpuStoreMem`: the memory image to write when `store` is true (lo = bytes 0-3). */
export const STORE = { store: false, lo: 0, hi: 0 };

export const STORE_F32 = 0;
export const STORE_F64 = 1;
export const STORE_I16 = 2;
export const STORE_I32 = 3;
export const STORE_I64 = 4;
export const STORE_I16_TRUNC = 5;
export const STORE_I32_TRUNC = 6;
export const STORE_I64_TRUNC = 7;

/**
 * FST/FSTP m32/m64, FIST/FISTP m16/m32/m64 and FISTTP: converts ST(0) into STORE, then pops when
 * asked. An empty ST(0) is a stack underflow (the indefinite of the format is stored if masked).
 * Unmasked IE, OE or UE suppress the store (SDM vol. 1 4.9.1 / vol. 2 FST: "if an unmasked
 * numeric overflow or underflow occurs, the destination is unchanged").
 */
export function fpuStoreMem(s: X87State, type: number, pop: boolean): boolean {
  s.begin();
  const ctx = s.ctx;
  if (s.isEmpty(0)) {
    ctx.flags = 0;
    s.underflow();
    STORE.store = (s.cw & FLAG_IE) !== 0;
    indefiniteImage(type);
    if (STORE.store && pop) s.pop();
    return s.pending();
  }
  s.readSt(0, A);
  if (type === STORE_F32) f80ToF32(ctx, A);
  else if (type === STORE_F64) f80ToF64(ctx, A);
  else {
    const bits =
      type === STORE_I16 || type === STORE_I16_TRUNC
        ? 16
        : type === STORE_I32 || type === STORE_I32_TRUNC
          ? 32
          : 64;
    f80ToInt(ctx, A, bits, type >= STORE_I16_TRUNC);
  }
  STORE.lo = M.lo;
  STORE.hi = M.hi;
  const unmasked = ctx.flags & ~s.cw & (FLAG_IE | 0x08 | 0x10);
  STORE.store = unmasked === 0;
  s.sw = ctx.c1 !== 0 ? s.sw | SW_C1 : s.sw & ~SW_C1;
  const pending = s.raise(ctx.flags);
  if (STORE.store && pop) s.pop();
  return pending;
}

function indefiniteImage(type: number): void {
  STORE.hi = 0;
  if (type === STORE_F32) STORE.lo = 0xffc00000;
  else if (type === STORE_F64) {
    STORE.lo = 0;
    STORE.hi = 0xfff80000;
  } else if (type === STORE_I16 || type === STORE_I16_TRUNC) STORE.lo = 0x8000;
  else if (type === STORE_I32 || type === STORE_I32_TRUNC) STORE.lo = 0x80000000;
  else {
    STORE.lo = 0;
    STORE.hi = 0x80000000;
  }
}

/** FXCH ST(i). */
export function fpuExchange(s: X87State, i: number): boolean {
  if (s.isEmpty(0) || s.isEmpty(i)) {
    if (!s.underflow()) return s.pending();
    // Masked: empty operands are replaced by the indefinite before the exchange.
    if (s.isEmpty(0)) s.writeSt(0, setIndefinite(R));
    if (s.isEmpty(i)) s.writeSt(i, setIndefinite(R));
  } else s.sw &= ~SW_C1;
  s.readSt(0, A);
  s.readSt(i, B);
  s.writeSt(0, B);
  s.writeSt(i, A);
  return s.pending();
}

/** FCHS (`abs` false) and FABS: sign operations never raise; C1 cleared (SDM vol. 2 FCHS). */
export function fpuSign(s: X87State, abs: boolean): boolean {
  if (s.isEmpty(0)) return underflow(s, 0, 0);
  const p = s.phys(0);
  const se = s.se[p] ?? 0;
  s.se[p] = abs ? se & 0x7fff : se ^ 0x8000;
  s.sw &= ~SW_C1;
  return s.pending();
}

/** One-operand ST(0) = f(ST(0)) operations (FSQRT, FRNDINT, F2XM1...). */
export function fpuUnary(s: X87State, f: (ctx: X87State["ctx"], out: F80, a: F80) => F80): boolean {
  if (s.isEmpty(0)) return underflow(s, 0, 0);
  s.begin();
  f(s.ctx, R, s.readSt(0, A));
  return commit(s, 0, R, 0);
}

/** Two-operand ST(1) = f(ST(1), ST(0)) then pop (FPATAN, FYL2X, FYL2XP1: pass f with the operand
 *  order of the soft-float function, see README), or ST(0) = f(ST(0), ST(1)) without pop
 *  (FSCALE, FPREM) when `intoSt0`. */
export function fpuBinary(
  s: X87State,
  f: (ctx: X87State["ctx"], out: F80, st0: F80, st1: F80) => F80,
  intoSt0: boolean,
): boolean {
  if (s.isEmpty(0) || s.isEmpty(1)) return underflow(s, intoSt0 ? 0 : 1, intoSt0 ? 0 : 1);
  s.begin();
  f(s.ctx, R, s.readSt(0, A), s.readSt(1, B));
  return intoSt0 ? commit(s, 0, R, 0) : commit(s, 1, R, 1);
}

/** FINCSTP/FDECSTP: TOP +/- 1, tags untouched, C1 cleared. */
export function fpuRotate(s: X87State, delta: number): void {
  s.top = (s.top + delta) & 7;
  s.sw &= ~SW_C1;
}

/** The second result of FXTRACT/FPTAN/FSINCOS has no free register: IE+SF with C1=1; masked,
 *  ST(0) and the pushed value both become the real indefinite (SDM vol. 1 8.5.1.1). */
function pushOverflow(s: X87State): boolean {
  if ((s.cw & FLAG_IE) !== 0) {
    s.writeSt(0, setIndefinite(R));
    s.push(R); // raises IE+SF and sets C1 itself
    return s.pending();
  }
  s.sw |= SW_C1;
  return s.raise(FLAG_IE | FLAG_SF);
}

/** FXTRACT: ST(0) becomes the exponent and the significand is pushed (SDM vol. 2 FXTRACT). */
export function fpuExtract(s: X87State): boolean {
  if (s.isEmpty(0)) {
    // Masked underflow: ST(0) and the pushed value are both the real indefinite (host).
    if (s.underflow()) {
      s.writeSt(0, setIndefinite(R));
      s.push(R);
    }
    return s.pending();
  }
  if (!s.isEmpty(7)) return pushOverflow(s);
  s.begin();
  f80Extract(s.ctx, R, R2, s.readSt(0, A));
  if ((s.ctx.flags & ~s.cw & NO_WRITE) !== 0) return commit(s, 0, null, 0);
  const pending = commit(s, 0, R2, 0);
  s.push(R);
  return pending;
}

/** FSIN (`TRIG_SIN`), FCOS (`TRIG_COS`): |ST0| >= 2^63 sets C2 and leaves ST0 (SDM vol. 2). */
export function fpuTrig(s: X87State, fn: number): boolean {
  if (s.isEmpty(0)) return underflow(s, 0, 0);
  s.readSt(0, A);
  if (trigOutOfRange(A)) {
    s.sw = (s.sw | SW_C2) & ~SW_C1;
    return s.pending();
  }
  s.sw &= ~SW_C2;
  s.begin();
  f80Trig(s.ctx, R, A, fn);
  return commit(s, 0, R, 0);
}

/** FPTAN (ST0 = tan, then push 1.0) and FSINCOS (ST0 = sin, then push cos). */
export function fpuTrigPush(s: X87State, sincos: boolean): boolean {
  if (s.isEmpty(0)) return underflow(s, 0, 0);
  s.readSt(0, A);
  if (trigOutOfRange(A)) {
    s.sw = (s.sw | SW_C2) & ~SW_C1;
    return s.pending();
  }
  s.sw &= ~SW_C2;
  if (!s.isEmpty(7)) return pushOverflow(s);
  s.begin();
  if (sincos) {
    f80Trig(s.ctx, R, A, TRIG_SIN);
    f80Trig(s.ctx, R2, A, TRIG_COS);
  } else {
    f80Trig(s.ctx, R, A, TRIG_TAN);
    R2.set(0x3fff, 0x80000000, 0);
  }
  if ((s.ctx.flags & ~s.cw & NO_WRITE) !== 0) return commit(s, 0, null, 0);
  const nan = (R.se & 0x7fff) === 0x7fff && (R.hi & 0x7fffffff) !== 0;
  const pending = commit(s, 0, R, 0);
  s.push(nan && !sincos ? R : R2); // FPTAN of a NaN pushes the NaN again
  return pending;
}

/** FPREM (`ieee` false) / FPREM1: ST0 = partial remainder of ST0 / ST1, C0/C1/C2/C3 set. */
export function fpuPrem(s: X87State, ieee: boolean): boolean {
  if (s.isEmpty(0) || s.isEmpty(1)) {
    s.setCc(0);
    return underflow(s, 0, 0);
  }
  s.begin();
  const cc = f80Prem(s.ctx, R, s.readSt(0, A), s.readSt(1, B), ieee);
  const pending = commit(s, 0, R, 0);
  s.setCc(cc);
  return pending;
}

/** FBLD m80dec (bytes 0-3 in lo, 4-7 in hi, 8-9 in top). */
export function fpuLoadBcd(s: X87State, lo: number, hi: number, top: number): boolean {
  s.push(f80FromBcd(R2, lo, hi, top));
  return s.pending();
}

/** FBSTP m80dec: the image goes to BCD when STORE.store is true; pops on a completed store. */
export function fpuStoreBcd(s: X87State): boolean {
  s.begin();
  if (s.isEmpty(0)) {
    s.underflow();
    STORE.store = (s.cw & FLAG_IE) !== 0;
    BCD.top = 0xffff;
    BCD.hi = 0xc0000000;
    BCD.lo = 0;
    if (STORE.store) s.pop();
    return s.pending();
  }
  f80ToBcd(s.ctx, s.readSt(0, A));
  STORE.store = (s.ctx.flags & ~s.cw & FLAG_IE) === 0;
  s.sw = s.ctx.c1 !== 0 ? s.sw | SW_C1 : s.sw & ~SW_C1;
  const pending = s.raise(s.ctx.flags);
  if (STORE.store) s.pop();
  return pending;
}
