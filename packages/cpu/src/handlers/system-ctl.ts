// Descriptor-table registers, control/debug registers, MSRs, CPUID, cache/TLB control, HLT and
// SYSENTER/SYSEXIT (SDM vol. 2 instruction pages; vol. 3, 2.4-2.7).
import { OpKind, type Instruction } from "@ringvm/decoder";
import { effectiveAddress, getReg32, memSeg, setReg32 } from "../access";
import {
  CR0_MP,
  CR0_EM,
  CR0_PE,
  CR0_TS,
  readControlRegister,
  readDebugRegister,
  writeControlRegister,
  writeDebugRegister,
} from "../control-regs";
import { cpuid } from "../cpuid";
import { CpuException, Vector } from "../exceptions";
import { msrValue, readMsr, writeMsr } from "../msr";
import {
  AR_DB,
  AR_G,
  AR_PRESENT,
  AR_S,
  AR_CODE,
  AR_WRITABLE,
  AR_ACCESSED,
  desc,
  descAr,
  descBase,
  descLimit,
  readDescriptor,
  setCpl,
  setSegmentCache,
  sysWrite32,
} from "../segments";
import { SEG_LDTR, SEG_TR, type CpuState } from "../state/cpu-state";
import { IF, RF, VM } from "../state/flags";
import { EAX, ECX, EDX, ESP, REG_CR0, REG_DR0, SegReg } from "../state/registers";
import type { Handler } from "./operands";
import {
  isProtectedMode,
  memAddress,
  readRm16,
  requireCpl0,
  requireProtectedMode,
  writeRm16Or32,
} from "./system-common";

/** LGDT/LIDT: 16-bit limit then base; a 16-bit operand size keeps 24 bits of the base. */
function loadTableRegister(idt: boolean, is32: boolean): Handler {
  return (s, i) => {
    requireCpl0(s);
    const lin = memAddress(s, i, 6, false);
    const limit = s.memory.read16(lin);
    let base = s.memory.read32((lin + 2) | 0);
    if (!is32) base &= 0xffffff;
    if (idt) {
      s.idtrBase = base | 0;
      s.idtrLimit = limit;
    } else {
      s.gdtrBase = base | 0;
      s.gdtrLimit = limit;
    }
  };
}

/** SGDT/SIDT: stores limit and base; with a 16-bit operand size the base's top byte is stored as 0. */
function storeTableRegister(idt: boolean, is32: boolean): Handler {
  return (s, i) => {
    const lin = memAddress(s, i, 6, true);
    const base = idt ? s.idtrBase : s.gdtrBase;
    s.memory.write16(lin, idt ? s.idtrLimit : s.gdtrLimit);
    s.memory.write32((lin + 2) | 0, is32 ? base : base & 0xffffff);
  };
}

/** LLDT r/m16 (SDM vol. 2 "LLDT"). */
const lldt: Handler = (s, i) => {
  requireProtectedMode(s);
  requireCpl0(s);
  const sel = readRm16(s, i, 0);
  if ((sel & 0xfffc) === 0) {
    // A null selector marks the LDT invalid: later LDT references raise #GP.
    s.segSel[SEG_LDTR] = sel;
    s.segAr[SEG_LDTR] = 0;
    return;
  }
  if ((sel & 4) !== 0 || !readDescriptor(s, sel)) throw new CpuException(Vector.GP, sel & 0xfffc);
  const ar = descAr(desc.hi);
  if ((ar & 0x1f) !== 2) throw new CpuException(Vector.GP, sel & 0xfffc);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, sel & 0xfffc);
  setSegmentCache(s, SEG_LDTR, sel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), ar);
};

/** LTR r/m16: loads an available TSS and marks it busy (SDM vol. 2 "LTR"). */
const ltr: Handler = (s, i) => {
  requireProtectedMode(s);
  requireCpl0(s);
  const sel = readRm16(s, i, 0);
  if ((sel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if ((sel & 4) !== 0 || !readDescriptor(s, sel)) throw new CpuException(Vector.GP, sel & 0xfffc);
  const ar = descAr(desc.hi);
  const type = ar & 0x1f;
  if (type !== 1 && type !== 9) throw new CpuException(Vector.GP, sel & 0xfffc);
  if ((ar & AR_PRESENT) === 0) throw new CpuException(Vector.NP, sel & 0xfffc);
  sysWrite32(s, (desc.address + 4) | 0, desc.hi | 0x200);
  setSegmentCache(s, SEG_TR, sel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), ar | 2);
};

function storeSystemSelector(slot: number): Handler {
  return (s, i) => {
    requireProtectedMode(s);
    writeRm16Or32(s, i, s.segSel[slot]!);
  };
}

/** LMSW: loads PE, MP, EM, TS; PE can be set but not cleared (SDM vol. 2 "LMSW"). */
const lmsw: Handler = (s, i) => {
  requireCpl0(s);
  const v = readRm16(s, i, 0);
  const low = CR0_PE | CR0_MP | CR0_EM | CR0_TS;
  const next = (s.cr0 & ~(CR0_MP | CR0_EM | CR0_TS)) | (v & low);
  writeControlRegister(s, 0, next);
};

/** SMSW: CR0 bits 0-15 to memory; a 32-bit register receives all of CR0 (P6 and later). */
const smsw: Handler = (s, i) => {
  if (i.op0Kind === OpKind.Register) writeRm16Or32(s, i, s.cr0 | 0);
  else writeRm16Or32(s, i, s.cr0 & 0xffff);
};

const clts: Handler = (s) => {
  requireCpl0(s);
  s.cr0 = (s.cr0 & ~CR0_TS) >>> 0;
};

const movFromCr: Handler = (s, i) => {
  requireCpl0(s);
  setReg32(s, i.op0Register, readControlRegister(s, i.op1Register - REG_CR0));
};
const movToCr: Handler = (s, i) => {
  requireCpl0(s);
  writeControlRegister(s, i.op0Register - REG_CR0, getReg32(s, i.op1Register));
};

/** MOV to/from DRn: #GP at CPL > 0; DR7.GD makes any access a #DB with DR6.BD (SDM vol. 3, 17.2.4). */
function checkDebugAccess(s: CpuState): void {
  requireCpl0(s);
  if ((s.dr[7]! & 0x2000) !== 0) {
    s.dr[7] = s.dr[7]! & ~0x2000;
    s.dr[6] = s.dr[6]! | 0x2000;
    throw new CpuException(Vector.DB);
  }
}
const movFromDr: Handler = (s, i) => {
  checkDebugAccess(s);
  setReg32(s, i.op0Register, readDebugRegister(s, i.op1Register - REG_DR0));
};
const movToDr: Handler = (s, i) => {
  checkDebugAccess(s);
  writeDebugRegister(s, i.op0Register - REG_DR0, getReg32(s, i.op1Register));
};

/** INVLPG m: drops the TLB entry of the operand's linear address (no limit check applies). */
const invlpg: Handler = (s, i: Instruction) => {
  requireCpl0(s);
  s.memory.invalidatePage((s.segBase[memSeg(i)]! + effectiveAddress(s, i)) | 0);
};

const cacheControl: Handler = (s) => {
  requireCpl0(s); // INVD/WBINVD: no caches are modelled
};

const hlt: Handler = (s) => {
  requireCpl0(s);
  s.halted = true;
};

const rdmsr: Handler = (s) => {
  requireCpl0(s);
  readMsr(s, s.regs[ECX]!);
  s.regs[EAX] = msrValue.lo;
  s.regs[EDX] = msrValue.hi;
};
const wrmsr: Handler = (s) => {
  requireCpl0(s);
  writeMsr(s, s.regs[ECX]!, s.regs[EAX]!, s.regs[EDX]!);
};

/** Flat 4-GiB segment attributes SYSENTER/SYSEXIT load (SDM vol. 2 "SYSENTER"). */
const FLAT_CODE = AR_G | AR_DB | AR_PRESENT | AR_S | AR_CODE | AR_WRITABLE | AR_ACCESSED;
const FLAT_DATA = AR_G | AR_DB | AR_PRESENT | AR_S | AR_WRITABLE | AR_ACCESSED;

const sysenter: Handler = (s) => {
  const cs = s.sysenterCs & 0xfffc;
  if ((s.cr0 & CR0_PE) === 0 || cs === 0) throw new CpuException(Vector.GP, 0);
  s.writeFlagBits(VM | IF | RF, 0);
  setCpl(s, 0);
  setSegmentCache(s, SegReg.CS, cs, 0, 0xffffffff, FLAT_CODE);
  setSegmentCache(s, SegReg.SS, (cs + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
  s.regs[ESP] = s.sysenterEsp;
  s.eip = s.sysenterEip >>> 0;
};

const sysexit: Handler = (s) => {
  const cs = s.sysenterCs & 0xfffc;
  if (!isProtectedMode(s) || cs === 0 || s.cpl !== 0) throw new CpuException(Vector.GP, 0);
  setSegmentCache(s, SegReg.CS, (cs + 16) | 3, 0, 0xffffffff, FLAT_CODE | (3 << 5));
  setSegmentCache(s, SegReg.SS, (cs + 24) | 3, 0, 0xffffffff, FLAT_DATA | (3 << 5));
  setCpl(s, 3);
  s.regs[ESP] = s.regs[ECX]!;
  s.eip = s.regs[EDX]! >>> 0;
};

export const controlHandlers: Record<string, Handler> = {
  Lgdt_m1632_16: loadTableRegister(false, false),
  Lgdt_m1632: loadTableRegister(false, true),
  Lidt_m1632_16: loadTableRegister(true, false),
  Lidt_m1632: loadTableRegister(true, true),
  Sgdt_m1632_16: storeTableRegister(false, false),
  Sgdt_m1632: storeTableRegister(false, true),
  Sidt_m1632_16: storeTableRegister(true, false),
  Sidt_m1632: storeTableRegister(true, true),
  Lldt_rm16: lldt,
  Lldt_r32m16: lldt,
  Ltr_rm16: ltr,
  Ltr_r32m16: ltr,
  Sldt_rm16: storeSystemSelector(SEG_LDTR),
  Sldt_r32m16: storeSystemSelector(SEG_LDTR),
  Str_rm16: storeSystemSelector(SEG_TR),
  Str_r32m16: storeSystemSelector(SEG_TR),
  Lmsw_rm16: lmsw,
  Lmsw_r32m16: lmsw,
  Smsw_rm16: smsw,
  Smsw_r32m16: smsw,
  Clts: clts,
  Mov_r32_cr: movFromCr,
  Mov_cr_r32: movToCr,
  Mov_r32_dr: movFromDr,
  Mov_dr_r32: movToDr,
  Invlpg_m: invlpg,
  Invd: cacheControl,
  Wbinvd: cacheControl,
  Hlt: hlt,
  Rdmsr: rdmsr,
  Wrmsr: wrmsr,
  Cpuid: (s) => cpuid(s),
  Sysenter: sysenter,
  Sysexitd: sysexit,
};
