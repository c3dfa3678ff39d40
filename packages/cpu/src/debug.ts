// Debug registers at run time (SDM vol. 3, chapter 17 "Debug, branch profile, TSC and
// resource monitoring features", 17.2 and 17.3): instruction breakpoints are faults checked
// before the instruction unless EFLAGS.RF is set; data and I/O breakpoints are traps reported
// after the instruction, merged with the TF single-step trap into one #DB.
//
// Zero cost while nothing is armed: `s.debugMode` is recomputed when DR0-DR3, DR7 or CR4 are
// written (and on task switches, which clear L0-L3), and the run loop calls `debugBefore` only
// when it (or EFLAGS.RF) is nonzero. Data breakpoints ask the MMU to route only the watched
// linear pages out of its TLB fast path (`LinearMemory.setDataWatch`); I/O breakpoints are
// checked by the I/O permission check that every IN/OUT/INS/OUTS makes.
import { CpuException, Vector } from "./exceptions";
import type { CpuState } from "./state/cpu-state";
import { RF, TF } from "./state/flags";
import { SegReg } from "./state/registers";

/** DR6 bits (SDM 17.2.3). B0-B3 are bits 0-3. */
export const DR6_BD = 0x2000;
export const DR6_BS = 0x4000;
export const DR6_BT = 0x8000;
/** DR7.GD, general detect (SDM 17.2.4): MOV to/from a debug register raises #DB (BD). */
export const DR7_GD = 0x2000;
/** DR7 L0-L3: cleared by every task switch (SDM 17.2.4). */
const DR7_LOCAL = 0x55;
const CR4_DE = 1 << 3;

/** `s.debugMode` bits: which kinds of breakpoint are armed. */
export const DEBUG_INSN = 1;
export const DEBUG_DATA = 2;
export const DEBUG_IO = 4;

/**
 * `s.debugHits` bit set by MOV SS/POP SS while TF or a breakpoint is armed: the #DB traps of
 * that instruction wait until after the next one (SDM vol. 3, 6.8.3 and MOV "the processor
 * inhibits interrupts, debug exceptions and single-step traps until the next instruction").
 */
export const DEBUG_MOV_SS = 0x10;
/**
 * `s.debugHits` bit set when INT n/INT3/INTO/ICEBP delivered through a gate with TF set: the
 * gate cleared TF, so no single-step trap follows the instruction (the handler is not stepped;
 * QEMU agrees, sysarch11).
 */
export const DEBUG_NO_STEP = 0x20;
/** Data hits carried over a MOV SS shadow live in bits 8-11 until the next instruction. */
const CARRIED_SHIFT = 8;

/** R/W field of breakpoint n: 0 execute, 1 write, 2 I/O (CR4.DE), 3 read/write. */
function rwOf(dr7: number, n: number): number {
  return (dr7 >>> (16 + n * 4)) & 3;
}

/** Address mask of breakpoint n's LEN field: 1, 2, 8 (LEN=10b, 64-bit parts) or 4 bytes. */
function lenMask(dr7: number, n: number): number {
  const len = (dr7 >>> (18 + n * 4)) & 3;
  return len === 0 ? 0 : len === 1 ? 1 : len === 2 ? 7 : 3;
}

/** Whether breakpoint n is enabled, locally or globally. */
function isEnabled(dr7: number, n: number): boolean {
  return ((dr7 >>> (n * 2)) & 3) !== 0;
}

/**
 * Recomputes `s.debugMode` from DR7, DR0-DR3 and CR4.DE and tells the MMU which linear pages
 * data breakpoints watch. Called on writes to those registers, task switches and reset.
 */
export function recomputeDebug(s: CpuState): void {
  const dr7 = s.dr[7]!;
  let mode = 0;
  const pages: number[] = [];
  for (let n = 0; n < 4; n++) {
    if (!isEnabled(dr7, n)) continue;
    const rw = rwOf(dr7, n);
    if (rw === 0) mode |= DEBUG_INSN;
    else if (rw === 2) {
      if ((s.cr4 & CR4_DE) !== 0) mode |= DEBUG_IO;
    } else {
      mode |= DEBUG_DATA;
      // The range is aligned to its length (at most 8), so it lies in one page.
      const page = ((s.dr[n]! & ~lenMask(dr7, n)) >>> 12) & 0xfffff;
      if (!pages.includes(page)) pages.push(page);
    }
  }
  s.debugMode = mode;
  const memory = s.memory;
  if (memory.setDataWatch === undefined) return;
  if ((mode & DEBUG_DATA) !== 0) {
    s.debugHook ??= (linear, width, isWrite) => dataAccess(s, linear, width, isWrite);
    memory.setDataWatch(pages, s.debugHook);
  } else if (s.debugHook !== null) {
    memory.setDataWatch([], null);
  }
}

/** Task switch: L0-L3 are cleared (SDM 17.2.4), so local breakpoints stop. */
export function clearLocalBreakpoints(s: CpuState): void {
  if ((s.dr[7]! & DR7_LOCAL) === 0) return;
  s.dr[7] = s.dr[7]! & ~DR7_LOCAL;
  recomputeDebug(s);
}

/** Which enabled breakpoints of type `rw` cover any byte of [lo, lo + width). */
function matches(s: CpuState, lo: number, width: number, rwA: number, rwB: number): number {
  const dr7 = s.dr[7]!;
  const hi = lo + width - 1;
  let hits = 0;
  for (let n = 0; n < 4; n++) {
    if (!isEnabled(dr7, n)) continue;
    const rw = rwOf(dr7, n);
    if (rw !== rwA && rw !== rwB) continue;
    const mask = lenMask(dr7, n);
    const base = (s.dr[n]! & ~mask) >>> 0;
    // SDM 17.2.5: a data breakpoint hits when any byte of the access is in its range.
    if (lo <= base + mask && base <= hi) hits |= 1 << n;
  }
  return hits;
}

/** MMU watch hook: a data access to a watched page (reads match R/W=11 only). */
function dataAccess(s: CpuState, linear: number, width: number, isWrite: boolean): void {
  const hits = matches(s, linear >>> 0, width, 3, isWrite ? 1 : 3);
  if (hits !== 0) s.debugHits |= hits;
}

/** IN/OUT/INS/OUTS of `width` bytes at `port` (called by the I/O permission check). */
export function ioAccess(s: CpuState, port: number, width: number): void {
  if ((s.cr4 & CR4_DE) === 0) return;
  const hits = matches(s, port & 0xffff, width, 2, 2);
  if (hits !== 0) s.debugHits |= hits;
}

/**
 * Before an instruction while `s.debugMode` or EFLAGS.RF is set. RF suppresses the instruction
 * breakpoints of this one instruction and is cleared (SDM 17.3.1.1); otherwise an enabled
 * instruction breakpoint at the linear address of the first byte raises a #DB fault with its
 * B bits in DR6. Returns 1 when `debugTrap` must run after the instruction.
 */
export function debugBefore(s: CpuState): number {
  // Hits carried over a MOV SS become this instruction's; any others belonged to a fault.
  s.debugHits = (s.debugHits >>> CARRIED_SHIFT) & 0xf;
  if ((s.flags & RF) !== 0) {
    s.flags &= ~RF;
  } else if ((s.debugMode & DEBUG_INSN) !== 0) {
    const linear = (s.segBase[SegReg.CS]! + s.eip) >>> 0;
    const hits = matches(s, linear, 1, 0, 0);
    if (hits !== 0) {
      s.dr[6] = (s.dr[6]! & ~0xf) | hits;
      throw new CpuException(Vector.DB);
    }
  }
  return s.debugMode !== 0 || s.debugHits !== 0 ? 1 : 0;
}

/**
 * After an instruction completed with `trap` set (TF sampled before it, or debug mode):
 * merges the single-step trap (BS) and the data/I-O breakpoint hits (B0-B3, which replace the
 * old ones) into DR6 and says whether a #DB trap is due. After MOV SS/POP SS nothing is
 * delivered: the traps come after the next instruction.
 */
export function debugTrap(s: CpuState, trap: number): boolean {
  const hits = s.debugHits;
  if ((hits & DEBUG_MOV_SS) !== 0) {
    s.debugHits = (hits & 0xf) << CARRIED_SHIFT;
    return false;
  }
  s.debugHits = 0;
  const step = (trap & TF) !== 0 && (hits & DEBUG_NO_STEP) === 0;
  let b = hits & 0xf;
  if (b === 0 && !step) return false;
  // B0-B3 report every breakpoint condition met when the #DB is generated (SDM 17.2.3),
  // including an enabled instruction breakpoint at the instruction the trap returns to.
  if ((s.debugMode & DEBUG_INSN) !== 0) {
    b |= matches(s, (s.segBase[SegReg.CS]! + s.eip) >>> 0, 1, 0, 0);
  }
  let dr6 = (s.dr[6]! & ~0xf) | b;
  if (step) dr6 |= DR6_BS;
  s.dr[6] = dr6;
  return true;
}

/** INT n/INT3/INTO/ICEBP delivered with `flagsBefore` TF set: no single-step trap after it. */
export function softwareInterruptDelivered(s: CpuState, flagsBefore: number): void {
  if ((flagsBefore & TF) !== 0) s.debugHits |= DEBUG_NO_STEP;
}
