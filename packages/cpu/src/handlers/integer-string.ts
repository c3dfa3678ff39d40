// String instructions (MOVS CMPS SCAS LODS STOS INS OUTS) with REP/REPE/REPNE, and IN/OUT.
// A repeated instruction runs at most CHUNK iterations per execution and then leaves EIP on
// itself, so interrupts are taken between chunks; registers are updated per iteration, so a
// fault mid-string restarts exactly where it stopped (SDM vol. 2, REP "Operation").
import * as alu from "../alu";
import { read16, read32, read8, write16, write32, write8 } from "../access";
import { checkIoPermission } from "../io-permission";
import { type CpuState } from "../state/cpu-state";
import { DF } from "../state/flags";
import { AR_CODE, AR_DB, AR_DIRECTION, AR_PRESENT, AR_WRITABLE } from "../segments";
import { ECX, EDI, EDX, ESI, REG_ES, SegReg } from "../state/registers";
import { getAcc, setAcc } from "./integer-move";
import { type Handler } from "./operands";
import type { Instruction } from "@ringvm/decoder";
import type { LinearFastPath } from "@ringvm/bus";

/** Iterations of a repeated string instruction per execution. */
export const STRING_CHUNK = 4096;

const enum Op {
  Movs,
  Cmps,
  Scas,
  Lods,
  Stos,
  Ins,
  Outs,
}

function readSeg(s: CpuState, seg: number, off: number, top: number): number {
  return top === 7 ? read8(s, seg, off) : top === 15 ? read16(s, seg, off) : read32(s, seg, off);
}
function writeSeg(s: CpuState, seg: number, off: number, v: number, top: number): void {
  if (top === 7) write8(s, seg, off, v);
  else if (top === 15) write16(s, seg, off, v);
  else write32(s, seg, off, v);
}
function portIn(s: CpuState, port: number, top: number): number {
  return top === 7
    ? s.io.in8(port) & 0xff
    : top === 15
      ? s.io.in16(port) & 0xffff
      : s.io.in32(port) | 0;
}
function portOut(s: CpuState, port: number, v: number, top: number): void {
  if (top === 7) s.io.out8(port, v & 0xff);
  else if (top === 15) s.io.out16(port, v & 0xffff);
  else s.io.out32(port, v >>> 0);
}

function sourceSeg(i: Instruction): number {
  return i.segmentPrefix !== 0 ? i.segmentPrefix - REG_ES : SegReg.DS;
}

function stringForm(op: Op, top: number): Handler {
  const size = (top + 1) >>> 3;
  const usesSi = op === Op.Movs || op === Op.Cmps || op === Op.Lods || op === Op.Outs;
  const usesDi = op !== Op.Lods && op !== Op.Outs;
  const conditional = op === Op.Cmps || op === Op.Scas;
  return (s, i) => {
    const a16 = i.addrSize === 16;
    const rep = i.hasRep || i.hasRepne;
    if (rep && (a16 ? s.regs16[ECX << 1]! : s.regs[ECX]!) === 0) return;
    if (op === Op.Ins || op === Op.Outs) checkIoPermission(s, s.regs16[EDX << 1]!, size);
    const seg = usesSi ? sourceSeg(i) : 0;
    const step = (s.flags & DF) !== 0 ? -size : size;
    if (
      rep &&
      !a16 &&
      s.debugMode === 0 &&
      (op === Op.Stos || op === Op.Movs) &&
      fastRep(s, op === Op.Movs, seg, step, top)
    )
      return;
    // [debug] While breakpoints are armed, one iteration per execution: a data or I/O
    // breakpoint trap is reported after the iteration that hit it (SDM vol. 3, 17.3.1.2).
    let budget = s.debugMode === 0 ? STRING_CHUNK : 1;
    for (;;) {
      // 32-bit offsets as int32 (checkedLinear reads them unsigned): unboxed in calls.
      const si = a16 ? s.regs16[ESI << 1]! : s.regs[ESI]!;
      const di = a16 ? s.regs16[EDI << 1]! : s.regs[EDI]!;
      switch (op) {
        case Op.Movs:
          writeSeg(s, SegReg.ES, di, readSeg(s, seg, si, top), top);
          break;
        case Op.Cmps: {
          const a = readSeg(s, seg, si, top);
          alu.sub(s, a, readSeg(s, SegReg.ES, di, top), top);
          break;
        }
        case Op.Scas:
          alu.sub(s, getAcc(s, top), readSeg(s, SegReg.ES, di, top), top);
          break;
        case Op.Lods:
          setAcc(s, readSeg(s, seg, si, top), top);
          break;
        case Op.Stos:
          writeSeg(s, SegReg.ES, di, getAcc(s, top), top);
          break;
        case Op.Ins:
          writeSeg(s, SegReg.ES, di, portIn(s, s.regs16[EDX << 1]!, top), top);
          break;
        case Op.Outs:
          portOut(s, s.regs16[EDX << 1]!, readSeg(s, seg, si, top), top);
          break;
      }
      if (a16) {
        if (usesSi) s.regs16[ESI << 1] = si + step;
        if (usesDi) s.regs16[EDI << 1] = di + step;
      } else {
        if (usesSi) s.regs[ESI] = si + step;
        if (usesDi) s.regs[EDI] = di + step;
      }
      if (!rep) return;
      let left: number;
      if (a16) {
        left = (s.regs16[ECX << 1]! - 1) & 0xffff;
        s.regs16[ECX << 1] = left;
      } else {
        left = (s.regs[ECX]! - 1) | 0;
        s.regs[ECX] = left;
      }
      if (left === 0) return;
      if (conditional && s.getZF() !== i.hasRep) return;
      if (--budget === 0) {
        s.eip = s.startEip;
        return;
      }
    }
  };
}

/** Whether `count` accesses of `size` bytes from `offset` by `step` stay inside segment `seg`. */
function rangeOk(
  s: CpuState,
  seg: number,
  offset: number,
  step: number,
  count: number,
  size: number,
  write: boolean,
): boolean {
  const ar = s.segAr[seg]!;
  if ((ar & AR_PRESENT) === 0) return false;
  if (write && (ar & (AR_CODE | AR_WRITABLE)) !== AR_WRITABLE && (s.cr0 & 1) !== 0) return false;
  const first = step > 0 ? offset : offset + step * (count - 1);
  const last = (step > 0 ? offset + step * (count - 1) : offset) + size - 1;
  if (first < 0 || last > 0xffffffff) return false; // the offset would wrap: take the slow path
  const limit = s.segLimit[seg]!;
  if ((ar & (AR_CODE | AR_DIRECTION)) === AR_DIRECTION) {
    const upper = ar & AR_DB ? 0xffffffff : 0xffff;
    return first > limit && last <= upper;
  }
  return last <= limit;
}

/**
 * REP STOS/MOVS with 32-bit addressing when the whole chunk lies inside the segments: the
 * segment checks are done once for the range instead of per element. Registers advance as the
 * elements are done, so a page fault mid-way leaves exactly the state of the general loop.
 * Returns false (nothing done) when the slow path must run.
 */
function fastRep(s: CpuState, movs: boolean, srcSeg: number, step: number, top: number): boolean {
  const regs = s.regs;
  const total = regs[ECX]! >>> 0;
  const n = total < STRING_CHUNK ? total : STRING_CHUNK;
  const size = (top + 1) >>> 3;
  const di = regs[EDI]! >>> 0;
  if (!rangeOk(s, SegReg.ES, di, step, n, size, true)) return false;
  const si = regs[ESI]! >>> 0;
  if (movs && !rangeOk(s, srcSeg, si, step, n, size, false)) return false;
  const dstBase = s.segBase[SegReg.ES]! | 0;
  const srcBase = s.segBase[srcSeg]! | 0;
  const fast = s.ramFast;
  let left = n;
  while (left > 0) {
    const run = fast === undefined ? 0 : bulkRun(s, fast, movs, dstBase, srcBase, step, top, left);
    if (run === 0) {
      repElement(s, movs, dstBase, srcBase, step, top);
      left--;
    } else left -= run;
  }
  if (regs[ECX] !== 0) s.eip = s.startEip;
  return true;
}

/** One element of REP STOS/MOVS through the MMU (a miss, MMIO, a watched or clean page). */
function repElement(
  s: CpuState,
  movs: boolean,
  dstBase: number,
  srcBase: number,
  step: number,
  top: number,
): void {
  const regs = s.regs;
  const mem = s.memory;
  const dst = (dstBase + regs[EDI]!) | 0;
  if (movs) {
    const src = (srcBase + regs[ESI]!) | 0;
    if (top === 31) mem.write32(dst, mem.read32(src));
    else if (top === 15) mem.write16(dst, mem.read16(src));
    else mem.write8(dst, mem.read8(src));
    regs[ESI] = regs[ESI]! + step;
  } else {
    const v = getAcc(s, top);
    if (top === 31) mem.write32(dst, v);
    else if (top === 15) mem.write16(dst, v & 0xffff);
    else mem.write8(dst, v & 0xff);
  }
  regs[EDI] = regs[EDI]! + step;
  regs[ECX] = regs[ECX]! - 1;
}

/**
 * Elements (at most `left`) from the current EDI (and ESI) to where the first of them leaves
 * its page, copied or filled at once when every page involved is a plain-RAM hit of the TLB
 * fast path; 0 when the next element must go through the MMU. The bytes are those the
 * element-by-element loop would leave, overlapping ranges included.
 */
function bulkRun(
  s: CpuState,
  fast: LinearFastPath,
  movs: boolean,
  dstBase: number,
  srcBase: number,
  step: number,
  top: number,
  left: number,
): number {
  const regs = s.regs;
  const size = (top + 1) >>> 3;
  const dst = (dstBase + regs[EDI]!) | 0;
  const eDst = fast.tlb[dst >>> 12]!;
  if ((eDst & fast.masks[1]!) !== 1) return 0;
  let k = pageRoom(dst, step, size, left);
  let src = 0;
  let eSrc = 0;
  if (movs) {
    src = (srcBase + regs[ESI]!) | 0;
    eSrc = fast.tlb[src >>> 12]!;
    if ((eSrc & fast.masks[0]!) !== 1) return 0;
    k = pageRoom(src, step, size, k);
  }
  if (k === 0) return 0;
  const bytes = k * size;
  // The lowest byte of each range (a descending string ends below where it starts).
  const back = step < 0 ? bytes - size : 0;
  const pDst = ((eDst & ~0xfff) | (dst & 0xfff)) - back;
  const u8 = fast.u8;
  if (movs) {
    const pSrc = ((eSrc & ~0xfff) | (src & 0xfff)) - back;
    const apart = pDst - pSrc;
    // An ascending copy onto bytes it has yet to read (or a descending one below them) sees
    // its own stores: element by element, as the hardware loop.
    if ((step > 0 ? apart > 0 : apart < 0) && Math.abs(apart) < bytes) {
      overlapCopy(u8, pDst, pSrc, bytes, step, size);
    } else u8.copyWithin(pDst, pSrc, pSrc + bytes);
    regs[ESI] = regs[ESI]! + step * k;
  } else fill(fast, pDst, bytes, getAcc(s, top), size);
  regs[EDI] = regs[EDI]! + step * k;
  regs[ECX] = regs[ECX]! - k;
  return k;
}

/** Elements (at most `most`) from linear `at` on, by `step`, whose bytes all lie in its page. */
function pageRoom(at: number, step: number, size: number, most: number): number {
  const off = at & 0xfff;
  if (off + size > 0x1000) return 0; // the first element crosses the page
  const room = step > 0 ? ((0x1000 - off) / size) | 0 : ((off / size) | 0) + 1;
  return room < most ? room : most;
}

/**
 * Element-by-element copy of `bytes` bytes (ranges given by their lowest byte) in string order,
 * each element read whole before it is stored.
 */
function overlapCopy(
  u8: Uint8Array,
  pDst: number,
  pSrc: number,
  bytes: number,
  step: number,
  size: number,
): void {
  for (let e = step > 0 ? 0 : bytes - size; e >= 0 && e < bytes; e += step) {
    let v = 0;
    for (let b = size - 1; b >= 0; b--) v = (v << 8) | u8[pSrc + e + b]!;
    for (let b = 0; b < size; b++) u8[pDst + e + b] = (v >>> (8 * b)) & 0xff;
  }
}

/** Stores `bytes / size` copies of the low `size` bytes of `v` (little-endian) from `at`. */
function fill(fast: LinearFastPath, at: number, bytes: number, v: number, size: number): void {
  if (size === 1 || v === 0) {
    fast.u8.fill(v & 0xff, at, at + bytes);
  } else if ((at & (size - 1)) === 0) {
    if (size === 4) fast.i32.fill(v, at >> 2, (at + bytes) >> 2);
    else fast.u16.fill(v & 0xffff, at >> 1, (at + bytes) >> 1);
  } else {
    const u8 = fast.u8;
    for (let b = 0; b < bytes; b++) u8[at + b] = (v >>> (8 * (b % size))) & 0xff;
  }
}

function inForm(top: number, fromDx: boolean): Handler {
  return (s, i) => {
    const port = fromDx ? s.regs16[EDX << 1]! : i.immediate & 0xff;
    checkIoPermission(s, port, (top + 1) >>> 3);
    setAcc(s, portIn(s, port, top), top);
  };
}

function outForm(top: number, fromDx: boolean): Handler {
  return (s, i) => {
    const port = fromDx ? s.regs16[EDX << 1]! : i.immediate & 0xff;
    checkIoPermission(s, port, (top + 1) >>> 3);
    portOut(s, port, getAcc(s, top), top);
  };
}

export const stringHandlers: Record<string, Handler> = {
  Movsb_m8_m8: stringForm(Op.Movs, 7),
  Movsw_m16_m16: stringForm(Op.Movs, 15),
  Movsd_m32_m32: stringForm(Op.Movs, 31),
  Cmpsb_m8_m8: stringForm(Op.Cmps, 7),
  Cmpsw_m16_m16: stringForm(Op.Cmps, 15),
  Cmpsd_m32_m32: stringForm(Op.Cmps, 31),
  Scasb_AL_m8: stringForm(Op.Scas, 7),
  Scasw_AX_m16: stringForm(Op.Scas, 15),
  Scasd_EAX_m32: stringForm(Op.Scas, 31),
  Lodsb_AL_m8: stringForm(Op.Lods, 7),
  Lodsw_AX_m16: stringForm(Op.Lods, 15),
  Lodsd_EAX_m32: stringForm(Op.Lods, 31),
  Stosb_m8_AL: stringForm(Op.Stos, 7),
  Stosw_m16_AX: stringForm(Op.Stos, 15),
  Stosd_m32_EAX: stringForm(Op.Stos, 31),
  Insb_m8_DX: stringForm(Op.Ins, 7),
  Insw_m16_DX: stringForm(Op.Ins, 15),
  Insd_m32_DX: stringForm(Op.Ins, 31),
  Outsb_DX_m8: stringForm(Op.Outs, 7),
  Outsw_DX_m16: stringForm(Op.Outs, 15),
  Outsd_DX_m32: stringForm(Op.Outs, 31),
  In_AL_imm8: inForm(7, false),
  In_AX_imm8: inForm(15, false),
  In_EAX_imm8: inForm(31, false),
  In_AL_DX: inForm(7, true),
  In_AX_DX: inForm(15, true),
  In_EAX_DX: inForm(31, true),
  Out_imm8_AL: outForm(7, false),
  Out_imm8_AX: outForm(15, false),
  Out_imm8_EAX: outForm(31, false),
  Out_DX_AL: outForm(7, true),
  Out_DX_AX: outForm(15, true),
  Out_DX_EAX: outForm(31, true),
};
