// Interrupt and exception delivery (SDM vol. 3, 6.12 "Exception and interrupt handling";
// real mode: 20.1.4 "Interrupt and exception handling"; v8086: 20.3).
import { push16, push32 } from "./access";
import { DR7_GD, softwareInterruptDelivered } from "./debug";
import { CpuException, Vector } from "./exceptions";
import {
  AR_CODE,
  AR_DIRECTION,
  AR_DPL_SHIFT,
  AR_PRESENT,
  AR_S,
  desc,
  descAr,
  descBase,
  descLimit,
  loadSegmentReal,
  markAccessed,
  readDescriptor,
  setCpl,
  setSegmentCache,
  sysRead16,
  sysRead32,
  updateFlat,
} from "./segments";
import { SEG_TR, type CpuState } from "./state/cpu-state";
import { AC, IF, NT, RF, TF, VM } from "./state/flags";
import { ESP, SegReg } from "./state/registers";
import { raiseTaskTrap, taskSwitch, TaskSource } from "./task";

/** How an event reached the CPU: decides privilege checks and the pushed EIP. */
export const EventKind = {
  /** Exception raised by an instruction or the hardware. */
  Exception: 0,
  /** INT n, INT3, INTO: the gate DPL is checked against CPL. */
  Software: 1,
  /** External interrupt (INTR) or NMI. */
  External: 2,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Reads a 32-bit value from the TSS (ring stack pointers live at 4 + 8*ring in a 32-bit TSS). */
function innerStack(s: CpuState, dpl: number, ext: number): { ss: number; esp: number } {
  const ar = s.segAr[SEG_TR]!;
  const is32 = (ar & 0x8) !== 0; // type 9/B: 32-bit TSS; 1/3: 16-bit
  const base = s.segBase[SEG_TR]!;
  const off = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (off + (is32 ? 5 : 3) > s.segLimit[SEG_TR]!)
    throw new CpuException(Vector.TS, (s.segSel[SEG_TR]! & 0xfffc) | ext);
  if (is32) {
    stackScratch.esp = sysRead32(s, (base + off) | 0);
    stackScratch.ss = sysRead16(s, (base + off + 4) | 0);
  } else {
    stackScratch.esp = sysRead16(s, (base + off) | 0);
    stackScratch.ss = sysRead16(s, (base + off + 2) | 0);
  }
  return stackScratch;
}
const stackScratch = { ss: 0, esp: 0 };

/** Delivers `vector` in real mode through the IVT. `returnEip` is what gets pushed. */
function deliverReal(s: CpuState, vector: number, returnEip: number): void {
  const entry = vector * 4;
  if (entry + 3 > s.idtrLimit) throw new CpuException(Vector.GP, 0);
  const ip = s.memory.read16((s.idtrBase + entry) | 0);
  const cs = s.memory.read16((s.idtrBase + entry + 2) | 0);
  push16(s, s.getEflags());
  push16(s, s.segSel[SegReg.CS]!);
  push16(s, returnEip);
  s.writeFlagBits(IF | TF | AC | RF, 0);
  loadSegmentReal(s, SegReg.CS, cs);
  s.eip = ip;
}

/**
 * Delivers an interrupt or exception. `returnEip` is pushed (the faulting instruction for
 * faults, the next one for traps and INT n). Throws a CpuException if delivery itself faults.
 */
export function deliverInterrupt(
  s: CpuState,
  vector: number,
  kind: EventKind,
  hasError: boolean,
  errorCode: number,
  returnEip: number,
): void {
  // A fault while pushing on the new stack leaves the interrupted context as it was, so the
  // fault (or #DF) is delivered from a consistent state.
  const ssSel = s.segSel[SegReg.SS]!;
  const ssBase = s.segBase[SegReg.SS]!;
  const ssLimit = s.segLimit[SegReg.SS]!;
  const ssAr = s.segAr[SegReg.SS]!;
  const esp = s.regs[ESP]!;
  const cpl = s.cpl;
  const trSel = s.segSel[SEG_TR]!;
  const flagsBefore = s.flags;
  try {
    deliver(s, vector, kind, hasError, errorCode, returnEip);
    // [debug] INT n/INT3/INTO cleared TF on the way in: no single-step trap after them.
    if (kind === EventKind.Software) softwareInterruptDelivered(s, flagsBefore);
  } catch (e) {
    if (s.segSel[SEG_TR] === trSel) {
      setSegmentCache(s, SegReg.SS, ssSel, ssBase, ssLimit, ssAr);
      s.regs[ESP] = esp;
      if (s.cpl !== cpl) setCpl(s, cpl);
    }
    throw e;
  }
}

function deliver(
  s: CpuState,
  vector: number,
  kind: EventKind,
  hasError: boolean,
  errorCode: number,
  returnEip: number,
): void {
  s.halted = false;
  // [debug] Entering the #DB handler clears DR7.GD (SDM vol. 3, 17.2.4), INT 1 excepted.
  if (vector === Vector.DB && kind !== EventKind.Software) s.dr[7] = s.dr[7]! & ~DR7_GD;
  if ((s.cr0 & 1) === 0) {
    deliverReal(s, vector, returnEip);
    return;
  }
  const ext = kind === EventKind.Software ? 0 : 1;
  const idtCode = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > s.idtrLimit) throw new CpuException(Vector.GP, idtCode);
  const gateAddr = (s.idtrBase + vector * 8) | 0;
  const lo = sysRead32(s, gateAddr);
  const hi = sysRead32(s, (gateAddr + 4) | 0);
  const type = (hi >>> 8) & 0x1f;
  const gateDpl = (hi >>> 13) & 3;
  // Valid IDT gates: task (5), 16-bit interrupt/trap (6/7), 32-bit interrupt/trap (E/F).
  if (type !== 5 && type !== 6 && type !== 7 && type !== 0xe && type !== 0xf) {
    throw new CpuException(Vector.GP, idtCode);
  }
  const isVm86 = (s.flags & VM) !== 0;
  if (kind === EventKind.Software && gateDpl < s.cpl) throw new CpuException(Vector.GP, idtCode);
  if ((hi & 0x8000) === 0) throw new CpuException(Vector.NP, idtCode);
  if (type === 5) {
    const tss = (lo >>> 16) & 0xffff;
    // An LDT selector or one beyond the GDT is #GP(TSS selector) (SDM vol. 2 INT n "TASK-GATE";
    // QEMU follows the i386 manual and raises #TS: see test/system-arch/guest.test.ts).
    taskSwitch(s, tss, TaskSource.Interrupt, returnEip);
    if (hasError) {
      if (s.cs32) push32(s, errorCode);
      else push16(s, errorCode);
    }
    raiseTaskTrap(s);
    return;
  }
  const gate32 = (type & 8) !== 0;
  const isInterruptGate = (type & 1) === 0;
  const selector = (lo >>> 16) & 0xffff;
  const offset = gate32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((selector & 0xfffc) === 0) throw new CpuException(Vector.GP, ext);
  if (!readDescriptor(s, selector)) throw new CpuException(Vector.GP, (selector & 0xfffc) | ext);
  const ar = descAr(desc.hi);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  if ((ar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE) || dpl > s.cpl) {
    throw new CpuException(Vector.GP, (selector & 0xfffc) | ext);
  }
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, (selector & 0xfffc) | ext);
  if (offset >>> 0 > descLimit(desc.lo, desc.hi)) throw new CpuException(Vector.GP, ext);
  const csLo = desc.lo;
  const csHi = desc.hi;
  const conforming = (ar & AR_DIRECTION) !== 0;
  const oldEflags = s.getEflags();
  const oldCs = s.segSel[SegReg.CS]!;
  const oldSs = s.segSel[SegReg.SS]!;
  const oldEsp = s.regs[ESP]!;
  const push = gate32 ? push32 : push16;
  // From v8086 mode the handler must be a non-conforming ring-0 segment (SDM 20.3.1.1).
  if (isVm86 && (conforming || dpl !== 0))
    throw new CpuException(Vector.GP, (selector & 0xfffc) | ext);
  let switchedSs = -1;
  if (!conforming && dpl < s.cpl) {
    // Inter-privilege: switch to the inner stack from the TSS (SDM 6.12.1).
    const st = innerStack(s, dpl, ext);
    const newSs = st.ss;
    const newEsp = st.esp;
    if ((newSs & 0xfffc) === 0) throw new CpuException(Vector.TS, ext);
    if ((newSs & 3) !== dpl) throw new CpuException(Vector.TS, (newSs & 0xfffc) | ext);
    if (!readDescriptor(s, newSs)) throw new CpuException(Vector.TS, (newSs & 0xfffc) | ext);
    const ssAr = descAr(desc.hi);
    if (((ssAr >>> AR_DPL_SHIFT) & 3) !== dpl || (ssAr & (AR_S | AR_CODE | 2)) !== (AR_S | 2)) {
      throw new CpuException(Vector.TS, (newSs & 0xfffc) | ext);
    }
    if ((ssAr & AR_PRESENT) === 0) throw new CpuException(Vector.SS, (newSs & 0xfffc) | ext);
    markAccessed(s);
    setSegmentCache(
      s,
      SegReg.SS,
      newSs,
      descBase(desc.lo, desc.hi),
      descLimit(desc.lo, desc.hi),
      ssAr | 1,
    );
    s.regs[ESP] = newEsp;
    setCpl(s, dpl);
    switchedSs = newSs;
  }
  try {
    if (switchedSs >= 0) {
      if (isVm86) {
        // The v8086 data segments are saved (SDM 20.3.1.1, figure 20-5), nulled below.
        push(s, s.segSel[SegReg.GS]!);
        push(s, s.segSel[SegReg.FS]!);
        push(s, s.segSel[SegReg.DS]!);
        push(s, s.segSel[SegReg.ES]!);
      }
      push(s, oldSs);
      push(s, oldEsp);
    }
    push(s, oldEflags);
    push(s, oldCs);
    push(s, returnEip);
    if (hasError) push(s, errorCode);
  } catch (e) {
    // No room on the stack: #SS(new SS + EXT) after a stack switch, else #SS(EXT) (SDM INT n).
    if (e instanceof CpuException && e.vector === Vector.SS) {
      throw new CpuException(Vector.SS, switchedSs >= 0 ? (switchedSs & 0xfffc) | ext : ext);
    }
    throw e;
  }
  if (switchedSs >= 0 && isVm86) {
    for (let seg = 0; seg < 6; seg++) {
      if (seg === 1 || seg === 2) continue; // CS, SS
      s.segSel[seg] = 0;
      s.segAr[seg] = 0;
      s.segBase[seg] = 0;
      s.segLimit[seg] = 0;
      updateFlat(s, seg);
    }
  }
  // Re-read the code descriptor: the stack switch overwrote the scratch copy.
  const newCpl = conforming ? s.cpl : dpl;
  setSegmentCache(
    s,
    SegReg.CS,
    (selector & 0xfffc) | newCpl,
    descBase(csLo, csHi),
    descLimit(csLo, csHi),
    descAr(csHi) | 1,
  );
  if (s.cpl !== newCpl) setCpl(s, newCpl);
  s.eip = offset >>> 0;
  let clear = TF | NT | RF | VM;
  if (isInterruptGate) clear |= IF;
  s.writeFlagBits(clear, 0);
}
