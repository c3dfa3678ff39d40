// CPUID: one consistent P6-family identity that lists only what this interpreter implements
// (SDM vol. 2 "CPUID", tables 3-8 and 3-11).
import { type CpuState } from "./state/cpu-state";
import { EAX, EBX, ECX, EDX } from "./state/registers";

/**
 * Family 6, model 1, stepping 9: a Pentium Pro. It is the P6 that has no MMX, which we do
 * not implement. Reset leaves this value in EDX (SDM vol. 3, 9.1.4).
 */
export const CPU_SIGNATURE = 0x00000619;

/** CPUID.1:EDX feature bits, each one implemented (bit numbers from SDM table 3-11). */
const FEATURE_VME = 1 << 1;
const FEATURE_DE = 1 << 2;
const FEATURE_PSE = 1 << 3;
const FEATURE_TSC = 1 << 4;
const FEATURE_MSR = 1 << 5;
const FEATURE_CX8 = 1 << 8;
const FEATURE_SEP = 1 << 11;
const FEATURE_PGE = 1 << 13;
const FEATURE_CMOV = 1 << 15;

/**
 * Without x87 the FPU bit (0) stays clear; Linux built without math emulation needs it.
 * PSE/PGE depend on @ringvm/memory's MMU honouring CR4.PSE/PGE.
 */
export const FEATURES_EDX =
  FEATURE_VME | FEATURE_DE | FEATURE_PSE | FEATURE_TSC | FEATURE_MSR | FEATURE_CX8 | FEATURE_SEP | FEATURE_PGE | FEATURE_CMOV;

/** "GenuineIntel" as the three little-endian dwords EBX, EDX, ECX. */
const VENDOR_EBX = 0x756e6547; // "Genu"
const VENDOR_EDX = 0x49656e69; // "ineI"
const VENDOR_ECX = 0x6c65746e; // "ntel"

export function cpuid(s: CpuState): void {
  const leaf = s.regs[EAX]! >>> 0;
  const r = s.regs;
  if (leaf === 0) {
    r[EAX] = 2; // highest basic leaf
    r[EBX] = VENDOR_EBX;
    r[EDX] = VENDOR_EDX;
    r[ECX] = VENDOR_ECX;
  } else if (leaf === 1) {
    r[EAX] = CPU_SIGNATURE;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = FEATURES_EDX;
  } else if (leaf === 2) {
    // Cache descriptors: 01h = 1 iteration, no cache/TLB information reported (00h bytes).
    r[EAX] = 1;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = 0;
  } else {
    // P6 returns the highest basic leaf's data for out-of-range leaves; report zeros for
    // extended leaves (a Pentium Pro has none: 0x80000000 answers below 0x80000001).
    r[EAX] = 0;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = 0;
  }
}
