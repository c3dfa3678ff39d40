// Far control transfers: JMP/CALL far, RET far and IRET in real, protected and v8086 mode
// (SDM vol. 2 "CALL", "JMP", "RET", "IRET" operation sections; vol. 3, 5.8 call gates).
import { adjustSp, peek16, peek32, pop16, pop32, push16, push32 } from "./access";
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
  loadDataSegmentProtected,
  loadSegmentReal,
  markAccessed,
  readDescriptor,
  setCpl,
  setSegmentCache,
  sysRead16,
  sysRead32,
  updateFlat,
} from "./segments";
import { type CpuState } from "./state/cpu-state";
import { AC, FLAGS_WRITABLE, ID, IF, IOPL, NT, RF, VIF, VIP, VM } from "./state/flags";
import { ESP, SegReg } from "./state/registers";
import { TaskSource, taskSwitch } from "./task";

function isProtected(s: CpuState): boolean {
  return (s.cr0 & 1) !== 0 && (s.flags & VM) === 0;
}

function gp(sel: number): never {
  throw new CpuException(Vector.GP, sel & 0xfffc);
}

/** Commits CS from the scratch descriptor with the given CPL. */
function commitCs(s: CpuState, selector: number, cpl: number): void {
  markAccessed(s);
  setSegmentCache(
    s,
    SegReg.CS,
    (selector & 0xfffc) | cpl,
    descBase(desc.lo, desc.hi),
    descLimit(desc.lo, desc.hi),
    descAr(desc.hi) | 1,
  );
  if (s.cpl !== cpl) setCpl(s, cpl);
}

/** Checks a code-segment descriptor in `desc` as a direct JMP/CALL target (SDM JMP/CALL). */
function checkDirectCode(s: CpuState, selector: number): void {
  const ar = descAr(desc.hi);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  if (ar & AR_DIRECTION) {
    if (dpl > s.cpl) gp(selector);
  } else if ((selector & 3) > s.cpl || dpl !== s.cpl) {
    gp(selector);
  }
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, selector & 0xfffc);
}

/** The target EIP must lie within the limit of the code descriptor in `desc`. */
function checkLimit(eip: number): void {
  if (eip >>> 0 > descLimit(desc.lo, desc.hi)) throw new CpuException(Vector.GP, 0);
}

/**
 * Real and v8086 mode: a far target beyond the CS limit raises #GP(0) (SDM vol. 2 JMP/CALL/RET/
 * IRET, "Real-Address Mode Exceptions"); the limit is the cached one, which real-mode loads keep.
 */
function checkRealLimit(s: CpuState, eip: number): void {
  if (eip >>> 0 > s.segLimit[SegReg.CS]!) throw new CpuException(Vector.GP, 0);
}

/** JMP ptr16:16/32 or JMP m16:16/32. */
export function jmpFar(s: CpuState, selector: number, offset: number, returnEip: number): void {
  if (!isProtected(s)) {
    checkRealLimit(s, offset);
    loadSegmentReal(s, SegReg.CS, selector);
    s.eip = offset >>> 0;
    return;
  }
  if ((selector & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, selector)) gp(selector);
  const ar = descAr(desc.hi);
  if (ar & AR_S) {
    if ((ar & AR_CODE) === 0) gp(selector);
    checkDirectCode(s, selector);
    checkLimit(offset);
    commitCs(s, selector, s.cpl);
    s.eip = offset >>> 0;
    return;
  }
  const type = ar & 0x1f;
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  if (dpl < s.cpl || dpl < (selector & 3)) gp(selector);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, selector & 0xfffc);
  if (type === 1 || type === 9) {
    taskSwitch(s, selector, TaskSource.Jmp, returnEip);
    return;
  }
  if (type === 5) {
    taskSwitch(s, (desc.lo >>> 16) & 0xffff, TaskSource.Jmp, returnEip);
    return;
  }
  if (type !== 4 && type !== 0xc) gp(selector);
  // Call gate used by JMP: no privilege change allowed.
  const gateLo = desc.lo;
  const gateHi = desc.hi;
  const target = (gateLo >>> 16) & 0xffff;
  const newEip = type === 0xc ? (gateLo & 0xffff) | (gateHi & 0xffff0000) : gateLo & 0xffff;
  if ((target & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, target)) gp(target);
  const tar = descAr(desc.hi);
  const tdpl = (tar >>> AR_DPL_SHIFT) & 3;
  if ((tar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE)) gp(target);
  if (tar & AR_DIRECTION ? tdpl > s.cpl : tdpl !== s.cpl) gp(target);
  if ((tar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, target & 0xfffc);
  checkLimit(newEip);
  commitCs(s, target, s.cpl);
  s.eip = newEip >>> 0;
}

/** CALL ptr16:16/32 or CALL m16:16/32; `is32` is the operand size. */
export function callFar(
  s: CpuState,
  selector: number,
  offset: number,
  is32: boolean,
  returnEip: number,
): void {
  const push = is32 ? push32 : push16;
  if (!isProtected(s)) {
    const target = is32 ? offset >>> 0 : offset & 0xffff;
    checkRealLimit(s, target);
    push(s, s.segSel[SegReg.CS]!);
    push(s, returnEip);
    loadSegmentReal(s, SegReg.CS, selector);
    s.eip = target;
    return;
  }
  if ((selector & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, selector)) gp(selector);
  const ar = descAr(desc.hi);
  if (ar & AR_S) {
    if ((ar & AR_CODE) === 0) gp(selector);
    checkDirectCode(s, selector);
    checkLimit(offset);
    const lo = desc.lo;
    const hi = desc.hi;
    push(s, s.segSel[SegReg.CS]!);
    push(s, returnEip);
    desc.lo = lo;
    desc.hi = hi;
    commitCs(s, selector, s.cpl);
    s.eip = offset >>> 0;
    return;
  }
  const type = ar & 0x1f;
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  if (dpl < s.cpl || dpl < (selector & 3)) gp(selector);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, selector & 0xfffc);
  if (type === 1 || type === 9) {
    taskSwitch(s, selector, TaskSource.Call, returnEip);
    return;
  }
  if (type === 5) {
    taskSwitch(s, (desc.lo >>> 16) & 0xffff, TaskSource.Call, returnEip);
    return;
  }
  if (type !== 4 && type !== 0xc) gp(selector);
  callGate(s, desc.lo, desc.hi, type === 0xc, returnEip);
}

/** CALL through a call gate, with stack switch and parameter copy (SDM vol. 3, 5.8.5). */
function callGate(
  s: CpuState,
  gateLo: number,
  gateHi: number,
  gate32: boolean,
  returnEip: number,
): void {
  const target = (gateLo >>> 16) & 0xffff;
  const newEip = gate32 ? (gateLo & 0xffff) | (gateHi & 0xffff0000) : gateLo & 0xffff;
  const paramCount = gateHi & 0x1f;
  if ((target & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, target)) gp(target);
  const tar = descAr(desc.hi);
  const tdpl = (tar >>> AR_DPL_SHIFT) & 3;
  if ((tar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE) || tdpl > s.cpl) gp(target);
  if ((tar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, target & 0xfffc);
  if (newEip >>> 0 > descLimit(desc.lo, desc.hi)) throw new CpuException(Vector.GP, 0);
  const csLo = desc.lo;
  const csHi = desc.hi;
  // Loading SS reads its descriptor into the same scratch: keep CS's address too, so the
  // accessed bit is set in CS's descriptor, not written over SS's.
  const csAddress = desc.address;
  const push = gate32 ? push32 : push16;
  const oldCs = s.segSel[SegReg.CS]!;
  const oldCpl = s.cpl;
  const oldSs = s.segSel[SegReg.SS]!;
  const oldSsBase = s.segBase[SegReg.SS]!;
  const oldSsLimit = s.segLimit[SegReg.SS]!;
  const oldSsAr = s.segAr[SegReg.SS]!;
  const oldEsp = s.regs[ESP]!;
  try {
    if ((tar & AR_DIRECTION) === 0 && tdpl < s.cpl) {
      // More privileged: new stack from the TSS, copy parameters (SDM 5.8.5, figure 5-13).
      for (let i = 0; i < paramCount; i++) params[i] = gate32 ? peek32(s, i * 4) : peek16(s, i * 2);
      const tss = readTssStack(s, tdpl);
      loadDataSegmentForStack(s, tss.ss, tdpl);
      s.regs[ESP] = tss.esp;
      setCpl(s, tdpl);
      push(s, oldSs);
      push(s, oldEsp);
      for (let i = paramCount - 1; i >= 0; i--) push(s, params[i]!);
    }
    push(s, oldCs);
    push(s, returnEip);
  } catch (e) {
    // A fault on the new stack leaves the caller's SS:ESP and CPL in place. No room on the
    // new stack is #SS(new SS selector) (SDM vol. 2 CALL, MORE-PRIVILEGE).
    const switched = s.segSel[SegReg.SS] !== oldSs || s.cpl !== oldCpl;
    const newSs = s.segSel[SegReg.SS]!;
    setSegmentCache(s, SegReg.SS, oldSs, oldSsBase, oldSsLimit, oldSsAr);
    s.regs[ESP] = oldEsp;
    if (s.cpl !== oldCpl) setCpl(s, oldCpl);
    if (switched && e instanceof CpuException && e.vector === Vector.SS && e.errorCode === 0) {
      throw new CpuException(Vector.SS, newSs & 0xfffc);
    }
    throw e;
  }
  desc.lo = csLo;
  desc.hi = csHi;
  desc.address = csAddress;
  const newCpl = tar & AR_DIRECTION ? s.cpl : tdpl;
  commitCs(s, target, newCpl);
  s.eip = newEip >>> 0;
}

/** Parameters copied through a call gate (at most 31). */
const params = new Int32Array(32);

const tssScratch = { ss: 0, esp: 0 };
function readTssStack(s: CpuState, dpl: number): { ss: number; esp: number } {
  const is32 = (s.segAr[7]! & 0x8) !== 0;
  const base = s.segBase[7]!;
  const off = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (off + (is32 ? 5 : 3) > s.segLimit[7]!)
    throw new CpuException(Vector.TS, s.segSel[7]! & 0xfffc);
  tssScratch.esp = is32 ? sysRead32(s, (base + off) | 0) : sysRead16(s, (base + off) | 0);
  tssScratch.ss = sysRead16(s, (base + off + (is32 ? 4 : 2)) | 0);
  return tssScratch;
}

/** Loads SS for an inner-level stack switch, reporting faults as #TS (SDM CALL operation). */
function loadDataSegmentForStack(s: CpuState, ss: number, dpl: number): void {
  if ((ss & 0xfffc) === 0 || (ss & 3) !== dpl || !readDescriptor(s, ss))
    throw new CpuException(Vector.TS, ss & 0xfffc);
  const ar = descAr(desc.hi);
  if (((ar >>> AR_DPL_SHIFT) & 3) !== dpl || (ar & (AR_S | AR_CODE | 2)) !== (AR_S | 2)) {
    throw new CpuException(Vector.TS, ss & 0xfffc);
  }
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.SS, ss & 0xfffc);
  markAccessed(s);
  setSegmentCache(
    s,
    SegReg.SS,
    ss,
    descBase(desc.lo, desc.hi),
    descLimit(desc.lo, desc.hi),
    ar | 1,
  );
}

/** After a return to an outer level, data segments the new CPL may not use become null. */
function nullInaccessibleSegments(s: CpuState): void {
  for (let seg = 0; seg < 6; seg++) {
    if (seg === 1 || seg === 2) continue; // CS, SS
    const ar = s.segAr[seg]!;
    const dpl = (ar >>> AR_DPL_SHIFT) & 3;
    const conformingCode = (ar & (AR_CODE | AR_DIRECTION)) === (AR_CODE | AR_DIRECTION);
    if ((ar & AR_PRESENT) !== 0 && !conformingCode && dpl < s.cpl) {
      s.segSel[seg] = 0;
      s.segAr[seg] = 0;
      updateFlat(s, seg);
    }
  }
}

/** RET far [imm16]. */
export function retFar(s: CpuState, is32: boolean, release: number): void {
  const size = is32 ? 4 : 2;
  const peek = is32 ? peek32 : peek16;
  const eip = is32 ? peek(s, 0) >>> 0 : peek(s, 0) & 0xffff;
  const cs = peek(s, size) & 0xffff;
  if (!isProtected(s)) {
    checkRealLimit(s, eip);
    adjustSp(s, size * 2 + release);
    loadSegmentReal(s, SegReg.CS, cs);
    s.eip = eip;
    return;
  }
  if ((cs & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, cs)) gp(cs);
  const ar = descAr(desc.hi);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  const rpl = cs & 3;
  if ((ar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE) || rpl < s.cpl) gp(cs);
  if (ar & AR_DIRECTION ? dpl > rpl : dpl !== rpl) gp(cs);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, cs & 0xfffc);
  checkLimit(eip);
  const csLo = desc.lo;
  const csHi = desc.hi;
  // Loading SS reads its descriptor into the same scratch: keep CS's address too, so the
  // accessed bit is set in CS's descriptor, not written over SS's.
  const csAddress = desc.address;
  if (rpl === s.cpl) {
    adjustSp(s, size * 2 + release);
    commitCs(s, cs, s.cpl);
    s.eip = eip;
    return;
  }
  // Return to an outer level: pop SS:ESP after the parameters.
  const newEsp = peek(s, size * 2 + release);
  const newSs = peek(s, size * 3 + release) & 0xffff;
  loadDataSegmentProtected(s, SegReg.SS, newSs, rpl);
  s.regs[ESP] = is32 || s.ss32 ? newEsp + release : (newEsp + release) & 0xffff;
  desc.lo = csLo;
  desc.hi = csHi;
  desc.address = csAddress;
  commitCs(s, cs, rpl);
  nullInaccessibleSegments(s);
  s.eip = eip;
}

/** IRET/IRETD (SDM vol. 2 "IRET/IRETD" operation). */
export function iret(s: CpuState, is32: boolean): void {
  s.nmiBlocked = false;
  const vm = (s.flags & VM) !== 0;
  if ((s.cr0 & 1) === 0) {
    const eip = is32 ? pop32(s) >>> 0 : pop16(s);
    const cs = is32 ? pop32(s) & 0xffff : pop16(s);
    const fl = is32 ? pop32(s) : pop16(s);
    checkRealLimit(s, eip);
    loadSegmentReal(s, SegReg.CS, cs);
    s.eip = eip;
    // Real mode: every writable flag may change (VM/RF/VIF/VIP stay clear in real mode).
    const mask = is32 ? FLAGS_WRITABLE & ~(VM | VIF | VIP) : 0xffff & FLAGS_WRITABLE;
    s.writeFlagBits(mask, fl);
    return;
  }
  if (vm) {
    // v8086 IRET needs IOPL 3 (without VME); it stays in v8086 mode.
    if ((s.flags & IOPL) !== IOPL) throw new CpuException(Vector.GP, 0);
    const eip = is32 ? pop32(s) >>> 0 : pop16(s);
    const cs = is32 ? pop32(s) & 0xffff : pop16(s);
    const fl = is32 ? pop32(s) : pop16(s);
    checkRealLimit(s, eip);
    loadSegmentReal(s, SegReg.CS, cs);
    s.eip = eip;
    const mask = (is32 ? FLAGS_WRITABLE : 0xffff) & ~(IOPL | VM | VIF | VIP);
    s.writeFlagBits(mask, fl);
    return;
  }
  if ((s.flags & NT) !== 0) {
    // Return from a nested task: back link at TSS offset 0.
    const link = sysRead16(s, s.segBase[7]!);
    taskSwitch(s, link, TaskSource.Iret, s.eip);
    return;
  }
  const size = is32 ? 4 : 2;
  const peek = is32 ? peek32 : peek16;
  const eip = is32 ? peek(s, 0) >>> 0 : peek(s, 0) & 0xffff;
  const cs = peek(s, size) & 0xffff;
  const fl = is32 ? peek(s, size * 2) : peek(s, size * 2) & 0xffff;
  if (is32 && (fl & VM) !== 0 && s.cpl === 0) {
    returnToV86(s, eip, cs, fl);
    return;
  }
  if ((cs & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if (!readDescriptor(s, cs)) gp(cs);
  const ar = descAr(desc.hi);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  const rpl = cs & 3;
  if ((ar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE) || rpl < s.cpl) gp(cs);
  if (ar & AR_DIRECTION ? dpl > rpl : dpl !== rpl) gp(cs);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, cs & 0xfffc);
  checkLimit(eip);
  const csLo = desc.lo;
  const csHi = desc.hi;
  // Loading SS reads its descriptor into the same scratch: keep CS's address too, so the
  // accessed bit is set in CS's descriptor, not written over SS's.
  const csAddress = desc.address;
  const oldCpl = s.cpl;
  // Which flags the new image may change depends on the *old* CPL and IOPL (SDM IRET).
  let mask = (is32 ? FLAGS_WRITABLE : 0xffff) & ~(VM | VIF | VIP);
  if (is32) mask |= VIF | VIP | AC | ID | RF;
  if (oldCpl > 0) mask &= ~(IOPL | VIF | VIP);
  if (oldCpl > (s.flags & IOPL) >>> 12) mask &= ~IF;
  if (rpl === oldCpl) {
    adjustSp(s, size * 3);
    commitCs(s, cs, oldCpl);
    s.writeFlagBits(mask & ~VM, fl);
    s.eip = eip;
    return;
  }
  const newEsp = peek(s, size * 3);
  const newSs = peek(s, size * 4) & 0xffff;
  loadDataSegmentProtected(s, SegReg.SS, newSs, rpl);
  s.regs[ESP] = is32 || s.ss32 ? newEsp : (s.regs[ESP]! & ~0xffff) | (newEsp & 0xffff);
  desc.lo = csLo;
  desc.hi = csHi;
  desc.address = csAddress;
  commitCs(s, cs, rpl);
  s.writeFlagBits(mask & ~VM, fl);
  nullInaccessibleSegments(s);
  s.eip = eip;
}

/** IRETD from ring 0 to a v8086 task (SDM IRET "RETURN-TO-VIRTUAL-8086-MODE"). */
function returnToV86(s: CpuState, eip: number, cs: number, fl: number): void {
  const esp = peek32(s, 12);
  const ss = peek32(s, 16) & 0xffff;
  const es = peek32(s, 20) & 0xffff;
  const ds = peek32(s, 24) & 0xffff;
  const fs = peek32(s, 28) & 0xffff;
  const gs = peek32(s, 32) & 0xffff;
  s.writeFlagBits(FLAGS_WRITABLE | VM, fl);
  setCpl(s, 3);
  loadSegmentReal(s, SegReg.CS, cs);
  loadSegmentReal(s, SegReg.SS, ss);
  loadSegmentReal(s, SegReg.ES, es);
  loadSegmentReal(s, SegReg.DS, ds);
  loadSegmentReal(s, SegReg.FS, fs);
  loadSegmentReal(s, SegReg.GS, gs);
  s.regs[ESP] = esp;
  s.eip = eip & 0xffff;
}
