// Segmentation: limit/type checks on every access and segment-register loads in real,
// protected and virtual-8086 mode (SDM vol. 3, chapters 3 and 5).
import { CpuException, Vector } from "./exceptions";
import { SegReg } from "./state/registers";
import { SEG_LDTR, type CpuState } from "./state/cpu-state";
import { VM } from "./state/flags";

/** Access-rights bits as kept in `segAr` (descriptor dword 1, bits 8-23). */
export const AR_ACCESSED = 0x01;
export const AR_WRITABLE = 0x02; // data: writable; code: readable
export const AR_DIRECTION = 0x04; // data: expand-down; code: conforming
export const AR_CODE = 0x08;
export const AR_S = 0x10; // code/data (not system)
export const AR_DPL_SHIFT = 5;
export const AR_PRESENT = 0x80;
export const AR_DB = 0x4000; // default size / big
export const AR_G = 0x8000; // granularity

/** Real-mode data segment: present, DPL 0, read/write, accessed (what reset leaves). */
export const AR_REAL_DATA = AR_PRESENT | AR_S | AR_WRITABLE | AR_ACCESSED;
/** Real-mode code segment: present, execute/read, accessed. */
export const AR_REAL_CODE = AR_PRESENT | AR_S | AR_CODE | AR_WRITABLE | AR_ACCESSED;
/** Virtual-8086 segments: as real mode but DPL 3 (SDM vol. 3, 20.1.1). */
const AR_V86 = AR_REAL_DATA | (3 << AR_DPL_SHIFT);

function segFault(seg: number, code: number): never {
  throw new CpuException(seg === SegReg.SS ? Vector.SS : Vector.GP, code);
}

/**
 * Recomputes segment `seg`'s bits of `CpuState.flatSegs` and `CpuState.wideSegs` after its
 * cache changed.
 */
export function updateFlat(s: CpuState, seg: number): void {
  if (seg > 5) return;
  const ar = s.segAr[seg]!;
  const wide =
    (ar & AR_PRESENT) !== 0 &&
    (ar & (AR_CODE | AR_DIRECTION)) !== AR_DIRECTION &&
    s.segLimit[seg] === 0xffffffff;
  const bits = !wide
    ? 0
    : (1 << seg) | ((ar & (AR_CODE | AR_WRITABLE)) === AR_WRITABLE ? 0x100 << seg : 0);
  const mask = ~(0x101 << seg);
  s.wideSegs = (s.wideSegs & mask) | bits;
  s.flatSegs = (s.flatSegs & mask) | (s.segBase[seg] === 0 ? bits : 0);
}

/**
 * Checks an access of `size` bytes at `offset` in segment `seg` and returns the linear
 * address. Expand-down data segments allow offsets above the limit only. `offset` is a 32-bit
 * pattern, int32 or uint32: hot callers pass int32, which V8 passes unboxed.
 */
export function checkedLinear(
  s: CpuState,
  seg: number,
  rawOffset: number,
  size: number,
  write: boolean,
): number {
  const offset = rawOffset >>> 0;
  const ar = s.segAr[seg]!;
  if ((ar & AR_PRESENT) === 0) segFault(seg, 0);
  if (write && (ar & (AR_CODE | AR_WRITABLE)) !== AR_WRITABLE && (s.cr0 & 1) !== 0)
    segFault(seg, 0);
  const last = offset + size - 1;
  const limit = s.segLimit[seg]!;
  if ((ar & (AR_CODE | AR_DIRECTION)) === AR_DIRECTION) {
    const upper = ar & AR_DB ? 0xffffffff : 0xffff;
    if (offset <= limit || last > upper) segFault(seg, 0);
  } else if (last > limit) {
    segFault(seg, 0);
  }
  const linear = (s.segBase[seg]! + offset) | 0;
  // Alignment check: CR0.AM and EFLAGS.AC (both bit 18) at CPL 3 (SDM vol. 3, 6.15 #AC).
  if ((linear & ALIGN_MASK[size]!) !== 0 && alignmentChecks(s)) {
    throw new CpuException(Vector.AC, 0);
  }
  return linear;
}

/** EFLAGS.AC and CR0.AM are both bit 18. */
const AC_AM = 1 << 18;

/** Whether misaligned data accesses raise #AC: CR0.AM and EFLAGS.AC at CPL 3. */
export function alignmentChecks(s: CpuState): boolean {
  return (s.flags & s.cr0 & AC_AM) !== 0 && s.cpl === 3;
}
/**
 * Alignment each access size needs under #AC (SDM vol. 3, table 6-7): words 2, dwords and
 * 48-bit pointers 4, qwords and 80-bit values 8, 128-bit values 16.
 */
const ALIGN_MASK = Uint8Array.from([0, 0, 1, 0, 3, 0, 3, 0, 7, 0, 7, 0, 0, 0, 0, 0, 15]);

/** Sets a segment cache directly (loaders, debuggers, SMM-style state restore). */
export function setSegmentCache(
  s: CpuState,
  seg: number,
  selector: number,
  base: number,
  limit: number,
  ar: number,
): void {
  s.segSel[seg] = selector;
  s.segBase[seg] = base | 0;
  s.segLimit[seg] = limit >>> 0;
  s.segAr[seg] = ar;
  if (seg === SegReg.CS) s.cs32 = (ar & AR_DB) !== 0;
  else if (seg === SegReg.SS) s.ss32 = (ar & AR_DB) !== 0;
  updateFlat(s, seg);
}

/** Sets the CPL and tells the MMU whether accesses are now user-mode (CPL 3). */
export function setCpl(s: CpuState, cpl: number): void {
  s.cpl = cpl;
  s.memory.setUserMode(cpl === 3);
}

// Implicit supervisor-mode accesses (descriptor tables, TSS, IDT): the MMU checks them as
// CPL 0 accesses even when CPL is 3 (SDM vol. 3, 4.6.1 "implicit supervisor-mode accesses").
export function sysRead16(s: CpuState, address: number): number {
  if (s.cpl !== 3) return s.memory.read16(address);
  s.memory.setUserMode(false);
  try {
    return s.memory.read16(address);
  } finally {
    s.memory.setUserMode(true);
  }
}
export function sysRead32(s: CpuState, address: number): number {
  if (s.cpl !== 3) return s.memory.read32(address) | 0;
  s.memory.setUserMode(false);
  try {
    return s.memory.read32(address) | 0;
  } finally {
    s.memory.setUserMode(true);
  }
}
export function sysWrite8(s: CpuState, address: number, value: number): void {
  if (s.cpl !== 3) {
    s.memory.write8(address, value);
    return;
  }
  s.memory.setUserMode(false);
  try {
    s.memory.write8(address, value);
  } finally {
    s.memory.setUserMode(true);
  }
}
export function sysWrite16(s: CpuState, address: number, value: number): void {
  if (s.cpl !== 3) {
    s.memory.write16(address, value);
    return;
  }
  s.memory.setUserMode(false);
  try {
    s.memory.write16(address, value);
  } finally {
    s.memory.setUserMode(true);
  }
}
export function sysWrite32(s: CpuState, address: number, value: number): void {
  if (s.cpl !== 3) {
    s.memory.write32(address, value);
    return;
  }
  s.memory.setUserMode(false);
  try {
    s.memory.write32(address, value);
  } finally {
    s.memory.setUserMode(true);
  }
}

/**
 * Real mode: base = selector * 16. The limit, size and granularity stay as cached (that is
 * unreal mode); the segment becomes present, accessed read/write data (or code for CS).
 */
export function loadSegmentReal(s: CpuState, seg: number, selector: number): void {
  loadReal(s, seg, selector);
  updateFlat(s, seg);
}

function loadReal(s: CpuState, seg: number, selector: number): void {
  selector &= 0xffff;
  s.segSel[seg] = selector;
  s.segBase[seg] = selector << 4;
  if ((s.flags & VM) === 0 && seg !== SegReg.CS) {
    s.segAr[seg] = (s.segAr[seg]! & (AR_DB | AR_G | (3 << AR_DPL_SHIFT))) | AR_REAL_DATA;
    return;
  }
  if ((s.flags & VM) !== 0) {
    s.segLimit[seg] = 0xffff;
    s.segAr[seg] = seg === SegReg.CS ? AR_V86 | AR_CODE : AR_V86;
    if (seg === SegReg.CS) s.cs32 = false;
    if (seg === SegReg.SS) s.ss32 = false;
  } else if (seg === SegReg.CS) {
    // A real-mode far transfer makes CS a 16-bit code segment.
    s.segAr[seg] = (s.segAr[seg]! & ~AR_DB) | AR_PRESENT;
    s.cs32 = false;
  }
}

/** The two dwords of the last descriptor read by `readDescriptor`. */
export const desc = { lo: 0, hi: 0, address: 0 };

/**
 * Reads the descriptor for `selector` from the GDT or LDT into `desc`. Returns false when the
 * selector lies outside the table (callers raise #GP/#TS with the selector).
 */
export function readDescriptor(s: CpuState, selector: number): boolean {
  const index = selector & 0xfff8;
  let base: number;
  let limit: number;
  if (selector & 4) {
    if ((s.segAr[SEG_LDTR]! & AR_PRESENT) === 0 || s.segSel[SEG_LDTR] === 0) return false;
    base = s.segBase[SEG_LDTR]!;
    limit = s.segLimit[SEG_LDTR]!;
  } else {
    base = s.gdtrBase;
    limit = s.gdtrLimit;
  }
  if (index + 7 > limit) return false;
  const address = (base + index) | 0;
  desc.address = address;
  desc.lo = sysRead32(s, address);
  desc.hi = sysRead32(s, (address + 4) | 0);
  return true;
}

export function descBase(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000) | 0;
}

export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

export function descAr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}

/** Sets the accessed bit of the descriptor last read (the CPU writes it back). */
export function markAccessed(s: CpuState): void {
  if ((desc.hi & 0x100) === 0) {
    desc.hi |= 0x100;
    sysWrite8(s, (desc.address + 5) | 0, (desc.hi >>> 8) & 0xff);
  }
}

/**
 * MOV/POP/LDS-style load of a data or stack segment register in protected mode, with the
 * checks of SDM vol. 2 "MOV—Move" (segment register operation).
 */
export function loadDataSegmentProtected(
  s: CpuState,
  seg: number,
  selector: number,
  cpl = s.cpl,
): void {
  selector &= 0xffff;
  const rpl = selector & 3;
  if ((selector & 0xfffc) === 0) {
    if (seg === SegReg.SS) throw new CpuException(Vector.GP, 0);
    // A null selector loads an unusable segment: any access through it raises #GP(0).
    s.segSel[seg] = selector;
    s.segAr[seg] = 0;
    s.segBase[seg] = 0;
    s.segLimit[seg] = 0;
    updateFlat(s, seg);
    return;
  }
  const code = selector & 0xfffc;
  if (!readDescriptor(s, selector)) throw new CpuException(Vector.GP, code);
  const ar = descAr(desc.hi);
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  if (seg === SegReg.SS) {
    if (rpl !== cpl || dpl !== cpl) throw new CpuException(Vector.GP, code);
    if ((ar & (AR_S | AR_CODE | AR_WRITABLE)) !== (AR_S | AR_WRITABLE))
      throw new CpuException(Vector.GP, code);
    if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.SS, code);
  } else {
    if ((ar & AR_S) === 0) throw new CpuException(Vector.GP, code);
    if ((ar & (AR_CODE | AR_WRITABLE)) === AR_CODE) throw new CpuException(Vector.GP, code); // execute-only
    const conformingCode = (ar & (AR_CODE | AR_DIRECTION)) === (AR_CODE | AR_DIRECTION);
    if (!conformingCode && (rpl > dpl || cpl > dpl)) throw new CpuException(Vector.GP, code);
    if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, code);
  }
  markAccessed(s);
  setSegmentCache(
    s,
    seg,
    selector,
    descBase(desc.lo, desc.hi),
    descLimit(desc.lo, desc.hi),
    ar | AR_ACCESSED,
  );
}

/** Loads a data/stack segment register as the current mode requires. */
export function loadDataSegment(s: CpuState, seg: number, selector: number): void {
  if ((s.cr0 & 1) === 0 || (s.flags & VM) !== 0) loadSegmentReal(s, seg, selector);
  else loadDataSegmentProtected(s, seg, selector);
}
