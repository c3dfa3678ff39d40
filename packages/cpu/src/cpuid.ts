// CPUID: one consistent P6-family identity that lists only what this interpreter implements
// (SDM vol. 2 "CPUID", tables 3-8, 3-10 and 3-11). The x87 and SIMD bits follow the handler
// groups: a feature is reported only once its instructions are in the dispatch table.
import { simdHandlers } from "./handlers/simd";
import { x87Handlers } from "./handlers/x87";
import { type CpuState } from "./state/cpu-state";
import { EAX, EBX, ECX, EDX } from "./state/registers";

/** CPUID.1:EDX feature bits (SDM vol. 2, table 3-11). */
export const FEATURE_FPU = 1 << 0;
export const FEATURE_PSE = 1 << 3;
export const FEATURE_TSC = 1 << 4;
export const FEATURE_MSR = 1 << 5;
export const FEATURE_PAE = 1 << 6;
export const FEATURE_CX8 = 1 << 8;
export const FEATURE_APIC = 1 << 9;
export const FEATURE_SEP = 1 << 11;
export const FEATURE_MTRR = 1 << 12;
export const FEATURE_PGE = 1 << 13;
export const FEATURE_CMOV = 1 << 15;
export const FEATURE_PAT = 1 << 16;
export const FEATURE_MMX = 1 << 23;
export const FEATURE_FXSR = 1 << 24;
export const FEATURE_SSE = 1 << 25;
export const FEATURE_SSE2 = 1 << 26;

const hasX87 = "Fninit" in x87Handlers && "Fld_m80fp" in x87Handlers;
const hasMmx = "Emms" in simdHandlers && "Paddb_mm_mmm64" in simdHandlers;
const hasFxsr = "Fxsave_m512byte" in simdHandlers && "Fxrstor_m512byte" in simdHandlers;
const hasSse = hasFxsr && "Addps_xmm_xmmm128" in simdHandlers && "Ldmxcsr_m32" in simdHandlers;
const hasSse2 =
  hasSse && "Addpd_xmm_xmmm128" in simdHandlers && "Paddq_xmm_xmmm128" in simdHandlers;
const hasSse3 =
  hasSse2 &&
  "Addsubps_xmm_xmmm128" in simdHandlers &&
  "Haddps_xmm_xmmm128" in simdHandlers &&
  "Lddqu_xmm_m128" in simdHandlers &&
  "Movddup_xmm_xmmm64" in simdHandlers &&
  "Fisttp_m16int" in x87Handlers;

/** CPUID.1:ECX feature bits (SDM vol. 2, table 3-10). */
export const FEATURE_ECX_SSE3 = 1 << 0;
export const FEATURE_ECX_TSC_DEADLINE = 1 << 24;

/**
 * CPUID.1:ECX. SSE3 (with FISTTP) is reported when its forms are present; MONITOR/MWAIT are
 * not implemented and SSSE3 is not advertised (see CPU_SIGNATURE).
 */
export const FEATURES_ECX = hasSse3 ? FEATURE_ECX_SSE3 : 0;

/**
 * CPUID.1:EDX. APIC is added at run time while IA32_APIC_BASE.EN is set (SDM vol. 3, 10.4.3:
 * with the APIC globally disabled CPUID reports it absent).
 */
export const FEATURES_EDX =
  (hasX87 ? FEATURE_FPU : 0) |
  FEATURE_PSE |
  FEATURE_TSC |
  FEATURE_MSR |
  FEATURE_PAE |
  FEATURE_CX8 |
  FEATURE_SEP |
  FEATURE_MTRR |
  FEATURE_PGE |
  FEATURE_CMOV |
  FEATURE_PAT |
  (hasMmx ? FEATURE_MMX : 0) |
  (hasFxsr ? FEATURE_FXSR : 0) |
  (hasSse ? FEATURE_SSE : 0) |
  (hasSse2 ? FEATURE_SSE2 : 0);

/**
 * The processor signature (family 6), the P6-family part with exactly the reported SIMD set:
 * a Core Duo "Yonah" (model 14, stepping 8) with SSE3, a Pentium M "Dothan" (model 13,
 * stepping 8) with SSE2, a Pentium III (model 7, stepping 3) with SSE, a Pentium II (model 5,
 * stepping 2) with MMX only, otherwise a Pentium Pro (model 1, stepping 9), the P6 without MMX.
 * The SSSE3 handlers are not advertised: no 32-bit P6 part has SSSE3 (Core 2 is a 64-bit
 * part). Reset leaves the signature in EDX (SDM vol. 3, 9.1.4). Linux drops SEP below
 * signature 0x633 (the Pentium Pro's broken SYSENTER).
 */
export const CPU_SIGNATURE = hasSse3
  ? 0x000006e8
  : hasSse2
    ? 0x000006d8
    : hasSse
      ? 0x00000673
      : hasMmx
        ? 0x00000652
        : 0x00000619;

/** CR4 bits the reported features enable (OSFXSR with FXSR, OSXMMEXCPT with SSE). */
export const CR4_FEATURE_BITS = (hasFxsr ? 1 << 9 : 0) | (hasSse ? 1 << 10 : 0);

/** "GenuineIntel" as the three little-endian dwords EBX, EDX, ECX. */
const VENDOR_EBX = 0x756e6547; // "Genu"
const VENDOR_EDX = 0x49656e69; // "ineI"
const VENDOR_ECX = 0x6c65746e; // "ntel"

/** Highest basic leaf (P6: 2). */
const MAX_LEAF = 2;

export function cpuid(s: CpuState): void {
  let leaf = s.regs[EAX]! >>> 0;
  const r = s.regs;
  // Leaves above the maximum return the data of the highest basic leaf (SDM vol. 2 CPUID,
  // "If a value entered for CPUID.EAX is higher than the maximum input value..."). The P6
  // has no extended leaves, so 0x80000000 and up behave the same way.
  if (leaf > MAX_LEAF) leaf = MAX_LEAF;
  if (leaf === 0) {
    r[EAX] = MAX_LEAF;
    r[EBX] = VENDOR_EBX;
    r[EDX] = VENDOR_EDX;
    r[ECX] = VENDOR_ECX;
  } else if (leaf === 1) {
    r[EAX] = CPU_SIGNATURE;
    r[EBX] = 0; // brand index 0, CLFLUSH size 0, one logical processor, APIC ID 0
    // The TSC-deadline timer with an APIC that has it (the board's), while the APIC is enabled.
    const apic = (s.apicBase & 0x800) !== 0;
    r[ECX] = FEATURES_ECX | (apic && s.tscDeadline !== null ? FEATURE_ECX_TSC_DEADLINE : 0);
    r[EDX] = FEATURES_EDX | (apic ? FEATURE_APIC : 0);
  } else {
    // Leaf 2: AL = 1 (one iteration); descriptor 0x00 (null) everywhere else: no cache or
    // TLB information is reported (SDM vol. 2, table 3-12).
    r[EAX] = 1;
    r[EBX] = 0;
    r[ECX] = 0;
    r[EDX] = 0;
  }
}
