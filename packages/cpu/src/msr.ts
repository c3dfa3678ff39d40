// Model-specific registers of this P6 (SDM vol. 4, table 2-2 "IA-32 architectural MSRs" and
// the P6-family table): RDMSR/WRMSR of an MSR not listed here raise #GP(0).
import { CpuException, Vector } from "./exceptions";
import { type CpuState } from "./state/cpu-state";

export const MSR_TSC = 0x10;
export const MSR_PLATFORM_ID = 0x17;
export const MSR_APIC_BASE = 0x1b;
export const MSR_EBL_CR_POWERON = 0x2a;
export const MSR_BIOS_UPDT_TRIG = 0x79;
export const MSR_BIOS_SIGN_ID = 0x8b;
export const MSR_MTRRCAP = 0xfe;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;
export const MSR_MISC_ENABLE = 0x1a0;
export const MSR_MTRR_PHYSBASE0 = 0x200; // 0x200 + 2n: PhysBase n, 0x201 + 2n: PhysMask n
export const MSR_MTRR_FIX64K = 0x250;
export const MSR_MTRR_FIX16K_80000 = 0x258;
export const MSR_MTRR_FIX16K_A0000 = 0x259;
export const MSR_MTRR_FIX4K_C0000 = 0x268; // ... 0x26f
export const MSR_PAT = 0x277;
export const MSR_TSC_DEADLINE = 0x6e0;
export const MSR_MTRR_DEF_TYPE = 0x2ff;

/** Variable-range MTRR pairs reported in MTRRcap.VCNT. */
const MTRR_VCNT = 8;
/** MTRRcap: VCNT = 8, FIX (bit 8) and WC (bit 10) supported (SDM vol. 3, 11.11.1). */
const MTRRCAP = MTRR_VCNT | (1 << 8) | (1 << 10);
/** Physical-address width for the MTRR masks: 36 bits (P6 with PAE), so high dword bits 4-31 are reserved. */
const PHYS_HIGH_RESERVED = 0xfffffff0;

const TWO_32 = 4294967296;

/** The two halves of the value RDMSR returns (EDX:EAX). */
export const msrValue = { lo: 0, hi: 0 };

function gp(): never {
  throw new CpuException(Vector.GP, 0);
}

/** Memory types valid in MTRRs: UC, WC, WT, WP, WB (SDM vol. 3, table 11-8). */
function validMtrrType(t: number): boolean {
  return t === 0 || t === 1 || t === 4 || t === 5 || t === 6;
}

/** PAT entries also allow UC- (7) (SDM vol. 3, table 11-10). */
function validPat(v: number): boolean {
  for (let i = 0; i < 4; i++) {
    const t = (v >>> (i * 8)) & 0xff;
    if (t === 2 || t === 3 || t > 7) return false;
  }
  return true;
}

function isFixedMtrr(index: number): boolean {
  return (
    index === MSR_MTRR_FIX64K ||
    index === MSR_MTRR_FIX16K_80000 ||
    index === MSR_MTRR_FIX16K_A0000 ||
    (index >= MSR_MTRR_FIX4K_C0000 && index <= MSR_MTRR_FIX4K_C0000 + 7)
  );
}

function isVariableMtrr(index: number): boolean {
  return index >= MSR_MTRR_PHYSBASE0 && index < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VCNT;
}

function stored(s: CpuState, index: number): void {
  const v = s.msrStore.get(index);
  msrValue.lo = v === undefined ? 0 : v[0];
  msrValue.hi = v === undefined ? 0 : v[1];
}

/** The TSC as a double (exact below 2^53): guest nanoseconds or retired instructions, plus the offset. */
export function readTsc(s: CpuState): number {
  return (s.clock !== null ? Math.floor(s.clock.now()) : s.retired) + s.tscOffset;
}

/** A 64-bit value (a double, exact below 2^53) into `msrValue`'s halves. */
function value64(v: number): void {
  msrValue.lo = (v % TWO_32) | 0;
  msrValue.hi = Math.floor(v / TWO_32) | 0;
}

/** RDMSR: the value of MSR `index` into `msrValue`, or #GP(0). */
export function readMsr(s: CpuState, index: number): void {
  index >>>= 0;
  msrValue.hi = 0;
  switch (index) {
    case MSR_TSC:
      value64(readTsc(s));
      return;
    case MSR_PLATFORM_ID:
    case MSR_EBL_CR_POWERON:
    case MSR_BIOS_SIGN_ID:
      // No platform bits, no power-on configuration, microcode revision 0.
      msrValue.lo = 0;
      return;
    case MSR_APIC_BASE:
      msrValue.lo = s.apicBase | 0;
      return;
    case MSR_MTRRCAP:
      msrValue.lo = MTRRCAP;
      return;
    case MSR_SYSENTER_CS:
      msrValue.lo = s.sysenterCs & 0xffff;
      return;
    case MSR_SYSENTER_ESP:
      msrValue.lo = s.sysenterEsp | 0;
      return;
    case MSR_SYSENTER_EIP:
      msrValue.lo = s.sysenterEip | 0;
      return;
    case MSR_PAT:
      msrValue.lo = s.patLow | 0;
      msrValue.hi = s.patHigh | 0;
      return;
    case MSR_TSC_DEADLINE:
      if (s.tscDeadline === null) gp();
      value64(s.tscDeadline.readTscDeadline());
      return;
    case MSR_MISC_ENABLE:
    case MSR_MTRR_DEF_TYPE:
      stored(s, index);
      return;
    default:
      if (isFixedMtrr(index) || isVariableMtrr(index)) {
        stored(s, index);
        return;
      }
      gp();
  }
}

/** WRMSR: writes EDX:EAX = hi:lo to MSR `index`, with the reserved-bit #GP checks. */
export function writeMsr(s: CpuState, index: number, lo: number, hi: number): void {
  index >>>= 0;
  lo |= 0;
  hi |= 0;
  switch (index) {
    case MSR_TSC:
      // Writing the TSC sets the low 32 bits and clears the high ones on P6 (SDM vol. 3, 17.17).
      s.tscOffset = (lo >>> 0) - (readTsc(s) - s.tscOffset);
      return;
    case MSR_BIOS_UPDT_TRIG:
    case MSR_BIOS_SIGN_ID:
      return; // microcode updates are accepted and ignored
    case MSR_APIC_BASE:
      // Bits 8 (BSP, read-only), 11 (EN) and 12-35 (base) exist; the rest are reserved.
      if ((lo & 0x6ff) !== 0 || (hi & PHYS_HIGH_RESERVED) !== 0) gp();
      s.apicBase = ((lo & ~0x100) | (s.apicBase & 0x100)) >>> 0;
      return;
    case MSR_SYSENTER_CS:
      s.sysenterCs = lo & 0xffff;
      return;
    case MSR_SYSENTER_ESP:
      s.sysenterEsp = lo;
      return;
    case MSR_SYSENTER_EIP:
      s.sysenterEip = lo;
      return;
    case MSR_PAT:
      if (!validPat(lo) || !validPat(hi)) gp();
      s.patLow = lo;
      s.patHigh = hi;
      return;
    case MSR_TSC_DEADLINE: {
      if (s.tscDeadline === null) gp();
      // The TSC is guest ns plus its offset (readTsc): the target in guest time.
      const v = (hi >>> 0) * TWO_32 + (lo >>> 0);
      s.tscDeadline.writeTscDeadline(v, v - s.tscOffset);
      return;
    }
    case MSR_MISC_ENABLE:
      s.msrStore.set(index, [lo, hi]);
      return;
    case MSR_MTRR_DEF_TYPE:
      // Type (bits 0-7), FE (10), E (11); everything else reserved.
      if ((lo & ~0xcff) !== 0 || hi !== 0 || !validMtrrType(lo & 0xff)) gp();
      s.msrStore.set(index, [lo, hi]);
      return;
    case MSR_MTRRCAP:
    case MSR_PLATFORM_ID:
    case MSR_EBL_CR_POWERON:
      gp(); // read-only
      break;
    default:
      if (isFixedMtrr(index)) {
        for (let i = 0; i < 4; i++) {
          if (!validMtrrType((lo >>> (i * 8)) & 0xff) || !validMtrrType((hi >>> (i * 8)) & 0xff))
            gp();
        }
        s.msrStore.set(index, [lo, hi]);
        return;
      }
      if (isVariableMtrr(index)) {
        if ((hi & PHYS_HIGH_RESERVED) !== 0) gp();
        if ((index & 1) === 0) {
          // PhysBase: type in bits 0-7, bits 8-11 reserved.
          if ((lo & 0xf00) !== 0 || !validMtrrType(lo & 0xff)) gp();
        } else if ((lo & 0x7ff) !== 0) {
          // PhysMask: valid bit 11; bits 0-10 reserved.
          gp();
        }
        s.msrStore.set(index, [lo, hi]);
        return;
      }
      gp();
  }
}
