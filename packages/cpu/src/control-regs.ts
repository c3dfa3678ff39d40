// Control registers (SDM vol. 3, 2.5): CR0/CR3/CR4 writes push the paging state to the MMU.
import { CR4_FEATURE_BITS } from "./cpuid";
import { recomputeDebug } from "./debug";
import { CpuException, Vector } from "./exceptions";
import { type CpuState } from "./state/cpu-state";

/** CR0 bits. */
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4; // hardwired to 1 on P6 (x87 present)
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

/** CR0 bits that exist on a P6; the rest are reserved. */
const CR0_DEFINED =
  CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

/** CR4 bits (SDM vol. 3, 2.5). */
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_MCE = 1 << 6;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
export const CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10;
/**
 * CR4 bits this CPU accepts: the ones whose feature CPUID reports (TSD with TSC, DE, PSE, PAE,
 * PGE, PCE). VME/PVI and MCE are not implemented, so setting them raises #GP like any reserved
 * bit. OSFXSR/OSXMMEXCPT are accepted once the SIMD group implements FXSAVE/SSE (see cpuid.ts).
 */
const cr4Defined = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE | CR4_FEATURE_BITS;

/** Tells the MMU the current paging state. */
export function syncPaging(s: CpuState): void {
  s.memory.setPaging({ cr0: s.cr0 | 0, cr3: s.cr3 | 0, cr4: s.cr4 | 0, efer: s.efer | 0 });
}

/** With PAE paging on, MOV CR3/CR0/CR4 loads the PDPTEs: reserved bits set raise #GP(0). */
function pdpteInvalid(s: CpuState): boolean {
  return (s.memory as { pdpteInvalid?: boolean }).pdpteInvalid === true;
}

/** Applies a paging change; rolls it back and raises #GP(0) when the PDPTEs are invalid. */
function commitPaging(s: CpuState, cr0: number, cr3: number, cr4: number): void {
  const old0 = s.cr0;
  const old3 = s.cr3;
  const old4 = s.cr4;
  s.cr0 = cr0 >>> 0;
  s.cr3 = cr3 >>> 0;
  s.cr4 = cr4 >>> 0;
  syncPaging(s);
  if ((s.cr0 & CR0_PG) !== 0 && (s.cr4 & CR4_PAE) !== 0 && pdpteInvalid(s)) {
    s.cr0 = old0;
    s.cr3 = old3;
    s.cr4 = old4;
    syncPaging(s);
    throw new CpuException(Vector.GP, 0);
  }
}

/** MOV CRn, r32 with the #GP checks of SDM vol. 2 "MOV—Move to/from control registers". */
export function writeControlRegister(s: CpuState, n: number, value: number): void {
  value >>>= 0;
  switch (n) {
    case 0: {
      // Reserved CR0 bits are ignored on write (SDM vol. 3, 2.5); ET is hardwired to 1.
      value = ((value & CR0_DEFINED) | CR0_ET) >>> 0;
      if ((value & CR0_PG) !== 0 && (value & CR0_PE) === 0) throw new CpuException(Vector.GP, 0);
      if ((value & CR0_NW) !== 0 && (value & CR0_CD) === 0) throw new CpuException(Vector.GP, 0);
      const changed = (s.cr0 ^ value) >>> 0;
      // CD/NW too: under PAE their change reloads the PDPTEs (SDM 4.4.1).
      if ((changed & (CR0_PG | CR0_WP | CR0_PE | CR0_CD | CR0_NW)) !== 0)
        commitPaging(s, value, s.cr3, s.cr4);
      else s.cr0 = value;
      return;
    }
    case 2:
      s.cr2 = value;
      return;
    case 3:
      commitPaging(s, s.cr0, value, s.cr4);
      return;
    case 4: {
      if ((value & ~cr4Defined) !== 0) throw new CpuException(Vector.GP, 0);
      const deChanged = ((s.cr4 ^ value) & CR4_DE) !== 0;
      if (((s.cr4 ^ value) & (CR4_PSE | CR4_PGE | CR4_PAE)) !== 0)
        commitPaging(s, s.cr0, s.cr3, value);
      else s.cr4 = value;
      if (deChanged) recomputeDebug(s); // [debug] CR4.DE arms I/O breakpoints
      return;
    }
    default:
      throw new CpuException(Vector.UD);
  }
}

export function readControlRegister(s: CpuState, n: number): number {
  switch (n) {
    case 0:
      return s.cr0 | 0;
    case 2:
      return s.cr2 | 0;
    case 3:
      return s.cr3 | 0;
    case 4:
      return s.cr4 | 0;
    default:
      throw new CpuException(Vector.UD);
  }
}

/** MOV DRn, r32 (SDM vol. 3, 17.2). DR4/DR5 alias DR6/DR7 unless CR4.DE is set (then #UD). */
export function writeDebugRegister(s: CpuState, n: number, value: number): void {
  if (n === 4 || n === 5) {
    if ((s.cr4 & CR4_DE) !== 0) throw new CpuException(Vector.UD);
    n += 2;
  }
  if (n > 7) throw new CpuException(Vector.UD);
  if (n === 6) {
    // DR6: bits 4-11 and 16-31 read as 1, bit 12 as 0 (P6).
    s.dr[6] = (value & 0x0000e00f) | 0xffff0ff0;
  } else if (n === 7) {
    // DR7: bit 10 reads as 1; bits 11, 12, 14 and 15 as 0.
    s.dr[7] = (value & ~0xd800) | 0x400;
  } else {
    s.dr[n] = value;
  }
  if (n !== 6) recomputeDebug(s); // [debug] which breakpoints are armed (debug.ts)
}

export function readDebugRegister(s: CpuState, n: number): number {
  if (n === 4 || n === 5) {
    if ((s.cr4 & CR4_DE) !== 0) throw new CpuException(Vector.UD);
    n += 2;
  }
  if (n > 7) throw new CpuException(Vector.UD);
  return s.dr[n]! | 0;
}
