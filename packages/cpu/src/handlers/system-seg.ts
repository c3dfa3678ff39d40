// Segment-register loads and stores (MOV Sreg, PUSH/POP Sreg, LDS/LES/LFS/LGS/LSS) and the
// descriptor probes LAR, LSL, VERR, VERW, ARPL (SDM vol. 2; vol. 3, 5.10 and 5.11).
import { OpKind, type Instruction } from "@ringvm/decoder";
import { pop16, pop32, push16, write16 } from "../access";
import { CpuException, Vector } from "../exceptions";
import {
  AR_CODE,
  AR_DIRECTION,
  AR_DPL_SHIFT,
  AR_S,
  AR_WRITABLE,
  desc,
  descLimit,
  loadDataSegment,
  readDescriptor,
} from "../segments";
import { type CpuState } from "../state/cpu-state";
import { DEBUG_MOV_SS } from "../debug";
import { TF, ZF } from "../state/flags";
import { ESP, REG_EAX, REG_ES, SegReg } from "../state/registers";
import type { Handler } from "./operands";
import {
  memAddress,
  readRm16,
  requireProtectedMode,
  setRegAny,
  writeRm16Or32,
} from "./system-common";

/** Loads a data or stack segment register; MOV/POP SS inhibit interrupts for one instruction. */
function loadSreg(s: CpuState, seg: number, selector: number): void {
  if (seg === SegReg.CS) throw new CpuException(Vector.UD);
  loadDataSegment(s, seg, selector);
  if (seg === SegReg.SS) {
    s.interruptShadow = true;
    // [debug] #DB traps of this instruction wait for the next one (debug.ts).
    if ((s.flags & TF) !== 0 || s.debugMode !== 0) s.debugHits |= DEBUG_MOV_SS;
  }
}

const movSreg: Handler = (s, i) => {
  loadSreg(s, i.op0Register - REG_ES, readRm16(s, i, 1));
};

function pushSreg16(seg: number): Handler {
  return (s) => push16(s, s.segSel[seg]!);
}

/**
 * PUSH Sreg with a 32-bit operand size: ESP moves by 4 but only the low 16 bits are written
 * (SDM vol. 2 "PUSH": processors "write the segment selector using a 16-bit move", leaving
 * the upper half of the slot unmodified).
 */
function pushSreg32(seg: number): Handler {
  return (s) => {
    if (s.ss32) {
      const sp = (s.regs[ESP]! - 4) >>> 0;
      write16(s, SegReg.SS, sp, s.segSel[seg]!);
      s.regs[ESP] = sp;
    } else {
      const sp = (s.regs16[ESP << 1]! - 4) & 0xffff;
      write16(s, SegReg.SS, sp, s.segSel[seg]!);
      s.regs16[ESP << 1] = sp;
    }
  };
}

function popSreg16(seg: number): Handler {
  return (s) => loadSreg(s, seg, pop16(s));
}
function popSreg32(seg: number): Handler {
  return (s) => loadSreg(s, seg, pop32(s) & 0xffff);
}

/** LDS/LES/LFS/LGS/LSS r, m16:16 or m16:32: the segment is loaded before the register. */
function loadFarPointer(seg: number, is32: boolean): Handler {
  return (s: CpuState, i: Instruction) => {
    const lin = memAddress(s, i, is32 ? 6 : 4, false);
    const offset = is32 ? s.memory.read32(lin) : s.memory.read16(lin);
    const selector = s.memory.read16((lin + (is32 ? 4 : 2)) | 0);
    loadDataSegment(s, seg, selector);
    setRegAny(s, i.op0Register, offset);
  };
}

const LAR_SYSTEM_TYPES =
  (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 0xb) | (1 << 0xc);
const LSL_SYSTEM_TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 0xb);
const Probe = { Lar: 0, Lsl: 1, Verr: 2, Verw: 3 } as const;

/**
 * Whether `selector` passes the LAR/LSL/VERR/VERW checks (SDM vol. 2 "LAR", "LSL", "VERR/VERW"):
 * inside its table, a suitable type, and DPL >= max(CPL, RPL) unless conforming code. Leaves
 * the descriptor in `desc`.
 */
function probe(s: CpuState, selector: number, kind: number): boolean {
  if ((selector & 0xfffc) === 0 || !readDescriptor(s, selector)) return false;
  const ar = (desc.hi >>> 8) & 0xff;
  const dpl = (ar >>> AR_DPL_SHIFT) & 3;
  const type = ar & 0xf;
  const conformingCode = (ar & (AR_S | AR_CODE | AR_DIRECTION)) === (AR_S | AR_CODE | AR_DIRECTION);
  if ((ar & AR_S) === 0) {
    if (kind === Probe.Verr || kind === Probe.Verw) return false;
    const allowed = kind === Probe.Lar ? LAR_SYSTEM_TYPES : LSL_SYSTEM_TYPES;
    if (((allowed >>> type) & 1) === 0) return false;
  } else if (kind === Probe.Verr) {
    if ((ar & (AR_CODE | AR_WRITABLE)) === AR_CODE) return false; // execute-only code
  } else if (kind === Probe.Verw) {
    if ((ar & (AR_CODE | AR_WRITABLE)) !== AR_WRITABLE) return false; // writable data only
  }
  if (!conformingCode && (dpl < s.cpl || dpl < (selector & 3))) return false;
  return true;
}

function lar(is32: boolean): Handler {
  return (s, i) => {
    requireProtectedMode(s);
    const ok = probe(s, readRm16(s, i, 1), Probe.Lar);
    if (ok) setRegAny(s, i.op0Register, is32 ? desc.hi & 0x00f0ff00 : desc.hi & 0xff00);
    s.writeFlagBits(ZF, ok ? ZF : 0);
  };
}

function lsl(): Handler {
  return (s, i) => {
    requireProtectedMode(s);
    const ok = probe(s, readRm16(s, i, 1), Probe.Lsl);
    if (ok) setRegAny(s, i.op0Register, descLimit(desc.lo, desc.hi));
    s.writeFlagBits(ZF, ok ? ZF : 0);
  };
}

function verify(kind: number): Handler {
  return (s, i) => {
    requireProtectedMode(s);
    s.writeFlagBits(ZF, probe(s, readRm16(s, i, 0), kind) ? ZF : 0);
  };
}

/** ARPL r/m16, r16: raises the destination RPL to the source RPL (SDM vol. 2 "ARPL"). */
const arpl: Handler = (s, i) => {
  requireProtectedMode(s);
  const dest = readRm16(s, i, 0);
  const src = readRm16(s, i, 1);
  if ((dest & 3) < (src & 3)) {
    const v = (dest & ~3) | (src & 3);
    if (i.op0Kind === OpKind.Register && i.op0Register >= REG_EAX) {
      // A 32-bit register destination: only the low 16 bits change.
      s.regs16[(i.op0Register - REG_EAX) << 1] = v;
    } else {
      writeRm16Or32(s, i, v);
    }
    s.writeFlagBits(ZF, ZF);
  } else {
    s.writeFlagBits(ZF, 0);
  }
};

export const segmentHandlers: Record<string, Handler> = {
  Mov_Sreg_rm16: movSreg,
  Mov_Sreg_r32m16: movSreg,
  Pushw_ES: pushSreg16(SegReg.ES),
  Pushw_CS: pushSreg16(SegReg.CS),
  Pushw_SS: pushSreg16(SegReg.SS),
  Pushw_DS: pushSreg16(SegReg.DS),
  Pushw_FS: pushSreg16(SegReg.FS),
  Pushw_GS: pushSreg16(SegReg.GS),
  Pushd_ES: pushSreg32(SegReg.ES),
  Pushd_CS: pushSreg32(SegReg.CS),
  Pushd_SS: pushSreg32(SegReg.SS),
  Pushd_DS: pushSreg32(SegReg.DS),
  Pushd_FS: pushSreg32(SegReg.FS),
  Pushd_GS: pushSreg32(SegReg.GS),
  Popw_ES: popSreg16(SegReg.ES),
  Popw_SS: popSreg16(SegReg.SS),
  Popw_DS: popSreg16(SegReg.DS),
  Popw_FS: popSreg16(SegReg.FS),
  Popw_GS: popSreg16(SegReg.GS),
  Popd_ES: popSreg32(SegReg.ES),
  Popd_SS: popSreg32(SegReg.SS),
  Popd_DS: popSreg32(SegReg.DS),
  Popd_FS: popSreg32(SegReg.FS),
  Popd_GS: popSreg32(SegReg.GS),
  Les_r16_m1616: loadFarPointer(SegReg.ES, false),
  Les_r32_m1632: loadFarPointer(SegReg.ES, true),
  Lds_r16_m1616: loadFarPointer(SegReg.DS, false),
  Lds_r32_m1632: loadFarPointer(SegReg.DS, true),
  Lss_r16_m1616: loadFarPointer(SegReg.SS, false),
  Lss_r32_m1632: loadFarPointer(SegReg.SS, true),
  Lfs_r16_m1616: loadFarPointer(SegReg.FS, false),
  Lfs_r32_m1632: loadFarPointer(SegReg.FS, true),
  Lgs_r16_m1616: loadFarPointer(SegReg.GS, false),
  Lgs_r32_m1632: loadFarPointer(SegReg.GS, true),
  Lar_r16_rm16: lar(false),
  Lar_r32_r32m16: lar(true),
  Lsl_r16_rm16: lsl(),
  Lsl_r32_r32m16: lsl(),
  Verr_rm16: verify(Probe.Verr),
  Verr_r32m16: verify(Probe.Verr),
  Verw_rm16: verify(Probe.Verw),
  Verw_r32m16: verify(Probe.Verw),
  Arpl_rm16_r16: arpl,
  Arpl_r32m16_r32: arpl,
};
