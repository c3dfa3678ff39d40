// Hardware task switching (SDM vol. 3, 7.3 "Task switching"): JMP/CALL to a TSS or task
// gate, INT through a task gate, and IRET with NT set. 16- and 32-bit TSS layouts (7.2.1, 7.6).
import { clearLocalBreakpoints } from "./debug";
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
  sysWrite32,
} from "./segments";
import { SEG_LDTR, SEG_TR, type CpuState } from "./state/cpu-state";
import { NT, VM } from "./state/flags";
import { SegReg } from "./state/registers";
import { syncPaging } from "./control-regs";

export const TaskSource = {
  Jmp: 0,
  Call: 1,
  Interrupt: 2,
  Iret: 3,
} as const;
export type TaskSource = (typeof TaskSource)[keyof typeof TaskSource];

/** Loads CS from the TSS of a new task (its RPL becomes the CPL). */
function loadCodeSegmentForTask(s: CpuState, selector: number): void {
  if ((selector & 0xfffc) === 0 || !readDescriptor(s, selector))
    throw new CpuException(Vector.TS, selector & 0xfffc);
  const ar = descAr(desc.hi);
  if ((ar & (AR_S | AR_CODE)) !== (AR_S | AR_CODE))
    throw new CpuException(Vector.TS, selector & 0xfffc);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  const rpl = selector & 3;
  if ((ar & AR_DIRECTION) !== 0 ? dpl > rpl : dpl !== rpl)
    throw new CpuException(Vector.TS, selector & 0xfffc);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, selector & 0xfffc);
  setCpl(s, rpl);
  markAccessed(s);
  setSegmentCache(
    s,
    SegReg.CS,
    selector,
    descBase(desc.lo, desc.hi),
    descLimit(desc.lo, desc.hi),
    ar | 1,
  );
}

const BUSY = 0x200; // type bit 1 of the TSS descriptor, in dword 1

function setBusy(s: CpuState, selector: number, busy: boolean): void {
  const addr = (s.gdtrBase + (selector & 0xfff8) + 4) | 0;
  const hi = sysRead32(s, addr);
  sysWrite32(s, addr, busy ? hi | BUSY : hi & ~BUSY);
}

const regs = new Int32Array(8);
/** Data segments reloaded after CS, in the order of SDM vol. 3, 7.3 step 13. */
const TASK_DATA_SEGMENTS = [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS];
const sels = new Uint16Array(6);

/** Switches to the task whose TSS selector is `selector`; `returnEip` is saved in the old TSS. */
export function taskSwitch(
  s: CpuState,
  selector: number,
  source: TaskSource,
  returnEip: number,
): void {
  // Every TSS and descriptor access of the switch is a supervisor access; CPL then comes from
  // the new task's CS (or 3 for a v8086 task).
  const oldCpl = s.cpl;
  setCpl(s, 0);
  try {
    switchTask(s, selector, source, returnEip);
  } catch (e) {
    if (s.segSel[SEG_TR] !== selector) setCpl(s, oldCpl);
    else clearLocalBreakpoints(s); // [debug]
    throw e;
  }
  clearLocalBreakpoints(s); // [debug] DR7 L0-L3 (SDM 17.2.4)
  if (source !== TaskSource.Interrupt) raiseTaskTrap(s);
}

/**
 * The T (debug trap) flag of a 32-bit TSS (byte 64h, bit 0): after a switch into that task a
 * #DB trap with DR6.BT is taken before its first instruction (SDM vol. 3, 17.3.1.5). Interrupt
 * task switches call this after pushing their error code.
 */
export function raiseTaskTrap(s: CpuState): void {
  if ((s.segAr[SEG_TR]! & 0x8) === 0 || s.segLimit[SEG_TR]! < 0x65) return;
  if ((sysRead16(s, (s.segBase[SEG_TR]! + 0x64) | 0) & 1) === 0) return;
  s.dr[6] = s.dr[6]! | 0x8000;
  throw new CpuException(Vector.DB, 0, true);
}

function switchTask(s: CpuState, selector: number, source: TaskSource, returnEip: number): void {
  const code = selector & 0xfffc;
  if ((selector & 4) !== 0 || !readDescriptor(s, selector)) throw new CpuException(Vector.GP, code);
  const lo = desc.lo;
  const hi = desc.hi;
  const type = (hi >>> 8) & 0x1f;
  const wantBusy = source === TaskSource.Iret;
  const base = type & ~2;
  if ((base !== 1 && base !== 9) || ((type & 2) !== 0) !== wantBusy) {
    throw new CpuException(source === TaskSource.Iret ? Vector.TS : Vector.GP, code);
  }
  if ((hi & 0x8000) === 0) throw new CpuException(Vector.NP, code);
  const new32 = base === 9;
  const newBase = descBase(lo, hi);
  const newLimit = descLimit(lo, hi);
  if (newLimit < (new32 ? 0x67 : 0x2b)) throw new CpuException(Vector.TS, code);

  // Save the outgoing task.
  const oldSel = s.segSel[SEG_TR]!;
  const oldBase = s.segBase[SEG_TR]!;
  const old32 = (s.segAr[SEG_TR]! & 0x8) !== 0;
  let eflags = s.getEflags();
  if (source === TaskSource.Iret) eflags &= ~NT;
  const m = s.memory;
  if (old32) {
    m.write32((oldBase + 0x20) | 0, returnEip);
    m.write32((oldBase + 0x24) | 0, eflags);
    for (let i = 0; i < 8; i++) m.write32((oldBase + 0x28 + i * 4) | 0, s.regs[i]!);
    for (let i = 0; i < 6; i++) m.write16((oldBase + 0x48 + i * 4) | 0, s.segSel[i]!);
  } else {
    m.write16((oldBase + 0x0e) | 0, returnEip);
    m.write16((oldBase + 0x10) | 0, eflags);
    for (let i = 0; i < 8; i++) m.write16((oldBase + 0x12 + i * 2) | 0, s.regs[i]!);
    for (let i = 0; i < 4; i++) m.write16((oldBase + 0x22 + i * 2) | 0, s.segSel[i]!);
  }
  if (source === TaskSource.Jmp || source === TaskSource.Iret) setBusy(s, oldSel, false);

  // Read the incoming task's state.
  let newEflags: number;
  let newEip: number;
  let ldt: number;
  if (new32) {
    newEip = m.read32((newBase + 0x20) | 0);
    newEflags = m.read32((newBase + 0x24) | 0);
    for (let i = 0; i < 8; i++) regs[i] = m.read32((newBase + 0x28 + i * 4) | 0);
    for (let i = 0; i < 6; i++) sels[i] = m.read16((newBase + 0x48 + i * 4) | 0);
    ldt = m.read16((newBase + 0x60) | 0);
  } else {
    newEip = m.read16((newBase + 0x0e) | 0);
    newEflags = m.read16((newBase + 0x10) | 0);
    // The upper halves of the registers become 0xffff (what QEMU and Bochs do; the SDM is silent).
    for (let i = 0; i < 8; i++) regs[i] = m.read16((newBase + 0x12 + i * 2) | 0) | 0xffff0000;
    sels[4] = 0;
    sels[5] = 0;
    for (let i = 0; i < 4; i++) sels[i] = m.read16((newBase + 0x22 + i * 2) | 0);
    ldt = m.read16((newBase + 0x2a) | 0);
  }
  if (source === TaskSource.Call || source === TaskSource.Interrupt) {
    newEflags |= NT;
    m.write16(newBase, oldSel);
  }
  if (source !== TaskSource.Iret) setBusy(s, selector, true);

  // Commit: TR, CR0.TS, CR3, registers, then segment loads (faults now belong to the new task).
  setSegmentCache(s, SEG_TR, selector, newBase, newLimit, descAr(hi) | (BUSY >>> 8));
  s.cr0 |= 8;
  // CR3 comes from a 32-bit TSS only while paging is on (what QEMU and Bochs do; a 16-bit TSS
  // has no CR3 field, SDM vol. 3, 7.6).
  if (new32 && (s.cr0 & 0x80000000) !== 0) {
    s.cr3 = m.read32((newBase + 0x1c) | 0) >>> 0;
    syncPaging(s);
  }
  s.flags = (newEflags | 2) >>> 0;
  s.lazyMask = 0;
  s.eip = newEip >>> 0;
  for (let i = 0; i < 8; i++) s.regs[i] = regs[i]!;

  // LDT.
  if ((ldt & 0xfffc) === 0) {
    s.segSel[SEG_LDTR] = ldt;
    s.segAr[SEG_LDTR] = 0;
  } else {
    if ((ldt & 4) !== 0 || !readDescriptor(s, ldt)) throw new CpuException(Vector.TS, ldt & 0xfffc);
    if (((desc.hi >>> 8) & 0x1f) !== 2) throw new CpuException(Vector.TS, ldt & 0xfffc);
    if ((desc.hi & 0x8000) === 0) throw new CpuException(Vector.TS, ldt & 0xfffc);
    setSegmentCache(
      s,
      SEG_LDTR,
      ldt,
      descBase(desc.lo, desc.hi),
      descLimit(desc.lo, desc.hi),
      descAr(desc.hi),
    );
  }
  if ((newEflags & VM) !== 0) {
    setCpl(s, 3);
    for (let i = 0; i < 6; i++) loadSegmentReal(s, i, sels[i]!);
  } else {
    loadCodeSegmentForTask(s, sels[SegReg.CS]!);
    for (let i = 0; i < TASK_DATA_SEGMENTS.length; i++) {
      const seg = TASK_DATA_SEGMENTS[i]!;
      if (!new32 && (seg === SegReg.FS || seg === SegReg.GS)) continue;
      try {
        loadDataSegmentProtected(s, seg, sels[seg]!);
      } catch (e) {
        // Segment faults during a task switch are reported as #TS (SDM 7.3 step 12).
        if (e instanceof CpuException && e.vector === Vector.GP)
          throw new CpuException(Vector.TS, sels[seg]! & 0xfffc);
        throw e;
      }
    }
  }
}
