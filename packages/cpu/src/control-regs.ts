// Control registers (SDM vol. 3, 2.5): CR0/CR3/CR4 writes push the paging state to the MMU.
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
const CR0_DEFINED = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

/** CR4 bits we implement: VME, PVI, TSD, DE, PSE, PAE is not implemented, PGE, PCE. */
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
const CR4_DEFINED = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE;

/** Tells the MMU the current paging state. */
export function syncPaging(s: CpuState): void {
  s.memory.setPaging({ cr0: s.cr0 | 0, cr3: s.cr3 | 0, cr4: s.cr4 | 0, efer: s.efer | 0 });
}

/** MOV CRn, r32 with the #GP checks of SDM vol. 2 "MOV—Move to/from control registers". */
export function writeControlRegister(s: CpuState, n: number, value: number): void {
  value >>>= 0;
  switch (n) {
    case 0: {
      if ((value & ~CR0_DEFINED) !== 0) throw new CpuException(Vector.GP, 0);
      if ((value & CR0_PG) !== 0 && (value & CR0_PE) === 0) throw new CpuException(Vector.GP, 0);
      if ((value & CR0_NW) !== 0 && (value & CR0_CD) === 0) throw new CpuException(Vector.GP, 0);
      const old = s.cr0;
      s.cr0 = (value | CR0_ET) >>> 0;
      if (((old ^ s.cr0) & (CR0_PG | CR0_WP | CR0_PE)) !== 0) syncPaging(s);
      return;
    }
    case 2:
      s.cr2 = value;
      return;
    case 3:
      s.cr3 = value;
      syncPaging(s);
      return;
    case 4: {
      if ((value & ~CR4_DEFINED) !== 0) throw new CpuException(Vector.GP, 0);
      const old = s.cr4;
      s.cr4 = value;
      if (((old ^ value) & (CR4_PSE | CR4_PGE)) !== 0) syncPaging(s);
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
