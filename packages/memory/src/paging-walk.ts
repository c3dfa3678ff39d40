// The page walk of the Intel SDM vol. 3A chapter 4 for the three paging modes, writing its
// outcome into a reused WalkResult (no allocation). Accessed/dirty flags are set only after
// the whole walk and the access-rights check succeed (SDM 4.8), so a faulting walk leaves
// the paging structures untouched.
import type { PhysicalSpace } from "./physical-space";

/** Paging modes (SDM 4.1.1, Table 4-1). */
export const PagingMode = { Off: 0, Bits32: 1, Pae: 2, Level4: 3 } as const;
export type PagingMode = (typeof PagingMode)[keyof typeof PagingMode];

/** Page-fault error-code bits (SDM 4.7, Figure 4-12). */
export const PF_P = 1;
export const PF_WR = 2;
export const PF_US = 4;
export const PF_RSVD = 8;
export const PF_ID = 16;

/** Paging-structure entry bits (SDM Tables 4-4..4-20). */
const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const G = 0x100;
/** XD is bit 63: bit 31 of an entry's high dword. */
const XD_HI = 0x8000_0000;
const TWO_32 = 0x1_0000_0000;

/** Access kinds as numbers (same values as @ringvm/bus AccessKind). */
const WRITE = 1;
const FETCH = 2;

/** The MMU's inputs to a walk. */
export interface WalkContext {
  mode: PagingMode;
  cr3: number;
  wp: boolean;
  nxe: boolean;
  pge: boolean;
  pse: boolean;
  /** Bits 31:0 of A20 masking applied to every physical address (0xFFEFFFFF when A20 is off). */
  a20: number;
  /** Reserved-bit masks of an entry's high dword derived from MAXPHYADDR (SDM 4.4.2, 4.5.4). */
  paeHighReserved: number;
  level4HighReserved: number;
  /** 32-bit paging PSE-36: reserved bits 21:(M-19) of a 4 MiB PDE (SDM Table 4-4). */
  pse36Reserved: number;
  /** 32-bit paging PSE-36: PDE bits (M-20):13 hold physical bits (M-1):32. */
  pse36High: number;
  /** PAE: the four PDPTE registers loaded by MOV CR3 (SDM 4.4.1), low/high dwords. */
  readonly pdpteLo: Int32Array;
  readonly pdpteHi: Int32Array;
}

/** Outcome of a walk; fields are overwritten by every walk. */
export interface WalkResult {
  /** Physical address (may exceed 4 GiB under PAE/4-level), or -1 on a fault. */
  physical: number;
  errorCode: number;
  /** Combined rights: every level allowed user access / writes; some level set XD (with NXE). */
  user: boolean;
  writable: boolean;
  noExecute: boolean;
  /** The leaf's dirty flag after this access, and its global flag (honoured with CR4.PGE). */
  dirty: boolean;
  global: boolean;
  /** Size of the page that mapped the address: 4 KiB, 4 MiB, 2 MiB or 1 GiB. */
  pageSize: number;
}

export function newWalkResult(): WalkResult {
  return {
    physical: -1,
    errorCode: 0,
    user: false,
    writable: false,
    noExecute: false,
    dirty: false,
    global: false,
    pageSize: 0,
  };
}

/** Physical addresses of the entries used, for setting accessed flags after success. */
const used = new Float64Array(4);

/**
 * Translates `linear` (32-bit, or 48-bit in 4-level mode) for an access of `kind` at user
 * privilege `user`. On success sets A (and D for writes) in the structures it used.
 */
export function walk(
  ctx: WalkContext,
  mem: PhysicalSpace,
  linear: number,
  kind: number,
  user: boolean,
  out: WalkResult,
): void {
  // Callers may hand a 32-bit address over as a signed int32 (`(base + eip) | 0`); the
  // arithmetic below (`%`, division) needs its unsigned value.
  if (linear < 0) linear += TWO_32;
  const isWrite = kind === WRITE;
  const baseCode =
    (isWrite ? PF_WR : 0) |
    (user ? PF_US : 0) |
    (kind === FETCH && ctx.nxe && ctx.mode !== PagingMode.Bits32 ? PF_ID : 0);
  let count = 0;
  let rw = RW;
  let us = US;
  let xd = 0;
  let leafAddr = 0;
  let leafLo = 0;
  let physical = 0;
  let pageSize = PAGE;

  if (ctx.mode === PagingMode.Bits32) {
    const pdeAddr = ((ctx.cr3 & 0xffff_f000) | ((linear >>> 22) << 2)) & ctx.a20;
    const pde = mem.read32(pdeAddr >>> 0);
    if ((pde & P) === 0) return fault(out, baseCode);
    used[count++] = pdeAddr >>> 0;
    rw &= pde;
    us &= pde;
    if ((pde & PS) !== 0 && ctx.pse) {
      if ((pde & ctx.pse36Reserved) !== 0) return fault(out, baseCode | PF_P | PF_RSVD);
      leafAddr = pdeAddr >>> 0;
      leafLo = pde;
      pageSize = 0x40_0000;
      physical =
        ((pde & 0xffc0_0000) >>> 0) +
        (linear & 0x3f_ffff) +
        ((pde >>> 13) & ctx.pse36High) * TWO_32;
    } else {
      const pteAddr = ((pde & 0xffff_f000) | ((linear >>> 10) & 0xffc)) & ctx.a20;
      const pte = mem.read32(pteAddr >>> 0);
      if ((pte & P) === 0) return fault(out, baseCode);
      used[count++] = pteAddr >>> 0;
      rw &= pte;
      us &= pte;
      leafAddr = pteAddr >>> 0;
      leafLo = pte;
      physical = ((pte & 0xffff_f000) >>> 0) + (linear & 0xfff);
    }
  } else {
    const highReserved =
      (ctx.mode === PagingMode.Pae ? ctx.paeHighReserved : ctx.level4HighReserved) |
      (ctx.nxe ? 0 : XD_HI);
    let tableLo: number;
    let tableHi: number;
    let level: number;
    if (ctx.mode === PagingMode.Pae) {
      // SDM 4.4.1: the PDPTE comes from the registers loaded with CR3, not from memory now;
      // PAE PDPTEs carry no R/W, U/S, XD or accessed flags.
      const i = (linear >>> 30) & 3;
      const lo = ctx.pdpteLo[i]!;
      if ((lo & P) === 0) return fault(out, baseCode);
      tableLo = lo;
      tableHi = ctx.pdpteHi[i]!;
      level = 2;
    } else {
      tableLo = ctx.cr3;
      tableHi = 0;
      level = 4;
    }
    for (;;) {
      const index =
        level === 4
          ? Math.floor(linear / 0x80_0000_0000) & 0x1ff
          : level === 3
            ? Math.floor(linear / 0x4000_0000) & 0x1ff
            : level === 2
              ? (linear >>> 21) & 0x1ff
              : (linear >>> 12) & 0x1ff;
      const addr =
        ((tableLo & 0xffff_f000 & ctx.a20) >>> 0) + (tableHi & 0xfffff) * TWO_32 + index * 8;
      const lo = mem.read32(addr);
      const hi = mem.read32(addr + 4);
      if ((lo & P) === 0) return fault(out, baseCode);
      const isLarge = (lo & PS) !== 0 && level <= 3 && level >= 2;
      let reserved = hi & highReserved;
      if (level === 4 && (lo & PS) !== 0) reserved = 1; // PML4E bit 7 is reserved (Table 4-15)
      if (isLarge) reserved |= lo & (level === 3 ? 0x3fff_e000 : 0x1f_e000); // Tables 4-16, 4-18
      if (reserved !== 0) return fault(out, baseCode | PF_P | PF_RSVD);
      used[count++] = addr;
      rw &= lo;
      us &= lo;
      xd |= hi & XD_HI;
      if (level === 1 || isLarge) {
        leafAddr = addr;
        leafLo = lo;
        const size = level === 3 ? 0x4000_0000 : level === 2 ? 0x20_0000 : PAGE;
        pageSize = size;
        const frame = (lo & ~(size - 1) & 0xffff_f000) >>> 0;
        physical = frame + (hi & 0xfffff) * TWO_32 + (linear % size);
        break;
      }
      tableLo = lo;
      tableHi = hi;
      level--;
    }
  }

  // SDM 4.6: access rights of the combined translation.
  const isUserPage = us !== 0;
  const isWritable = rw !== 0;
  const isNoExec = xd !== 0 && ctx.nxe;
  if (user && !isUserPage) return fault(out, baseCode | PF_P);
  if (isWrite && !isWritable && (user || ctx.wp)) return fault(out, baseCode | PF_P);
  if (kind === FETCH && isNoExec) return fault(out, baseCode | PF_P);

  // SDM 4.8: accessed flags in every entry used, dirty in the leaf on a write.
  for (let i = 0; i < count; i++) {
    const at = used[i]!;
    const v = mem.read32(at);
    if (at === leafAddr && isWrite) {
      if ((v & (A | D)) !== (A | D)) mem.write32(at, v | A | D);
    } else if ((v & A) === 0) mem.write32(at, v | A);
  }
  out.physical = physical - ((physical % TWO_32) & 0x10_0000 & ~ctx.a20);
  out.errorCode = 0;
  out.user = isUserPage;
  out.writable = isWritable;
  out.noExecute = isNoExec;
  out.dirty = isWrite || (leafLo & D) !== 0;
  out.global = ctx.pge && (leafLo & G) !== 0;
  out.pageSize = pageSize;
}

const PAGE = 0x1000;

function fault(out: WalkResult, code: number): void {
  out.physical = -1;
  out.errorCode = code;
}
