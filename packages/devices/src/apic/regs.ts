// Local APIC register offsets and bits (Intel SDM vol. 3A, chapter 10 "Advanced
// Programmable Interrupt Controller (APIC)", table 10-1 "Local APIC register address map").

/** Power-on base of the register page (IA32_APIC_BASE bits 35:12). */
export const APIC_DEFAULT_BASE = 0xfee0_0000;
export const APIC_PAGE_BYTES = 0x1000;
/** IA32_APIC_BASE: bit 8 BSP, bit 11 global enable (SDM 10.4.4, figure 10-5). */
export const BASE_BSP = 0x100;
export const BASE_ENABLE = 0x800;
export const BASE_ADDRESS_MASK = 0xffff_f000;

export const REG_ID = 0x020;
export const REG_VERSION = 0x030;
export const REG_TPR = 0x080;
export const REG_APR = 0x090;
export const REG_PPR = 0x0a0;
export const REG_EOI = 0x0b0;
export const REG_RRD = 0x0c0;
export const REG_LDR = 0x0d0;
export const REG_DFR = 0x0e0;
export const REG_SVR = 0x0f0;
export const REG_ISR = 0x100;
export const REG_TMR = 0x180;
export const REG_IRR = 0x200;
export const REG_ESR = 0x280;
export const REG_ICR_LOW = 0x300;
export const REG_ICR_HIGH = 0x310;
export const REG_LVT_TIMER = 0x320;
export const REG_LVT_THERMAL = 0x330;
export const REG_LVT_PERF = 0x340;
export const REG_LVT_LINT0 = 0x350;
export const REG_LVT_LINT1 = 0x360;
export const REG_LVT_ERROR = 0x370;
export const REG_TIMER_INITIAL = 0x380;
export const REG_TIMER_CURRENT = 0x390;
export const REG_TIMER_DIVIDE = 0x3e0;

/**
 * Version register: version 14h (Pentium 4 / Xeon xAPIC), max LVT entry 5 (six entries:
 * timer, thermal, performance, LINT0, LINT1, error). SDM 10.4.8, figure 10-7.
 */
export const VERSION = 0x0005_0014;

/** LVT fields (SDM 10.5.1, figure 10-8). */
export const LVT_VECTOR = 0xff;
export const LVT_DELIVERY_MODE = 0x700;
export const LVT_DELIVERY_STATUS = 0x1000;
export const LVT_POLARITY = 0x2000;
export const LVT_REMOTE_IRR = 0x4000;
export const LVT_LEVEL = 0x8000;
export const LVT_MASKED = 0x1_0000;
export const LVT_TIMER_PERIODIC = 0x2_0000;
/** Timer mode 10b: TSC-deadline (SDM 10.5.4.1), armed through IA32_TSC_DEADLINE. */
export const LVT_TIMER_TSC_DEADLINE = 0x4_0000;
export const LVT_TIMER_MODE = 0x6_0000;
export const LVT_RESET = LVT_MASKED;

/** Delivery modes (SDM 10.5.1 and 10.6.1). */
export const MODE_FIXED = 0;
export const MODE_LOWEST = 1;
export const MODE_SMI = 2;
export const MODE_NMI = 4;
export const MODE_INIT = 5;
export const MODE_STARTUP = 6;
export const MODE_EXTINT = 7;

/** Writable bits of each LVT (reserved bits read 0). */
export const LVT_WRITABLE_TIMER = LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE;
export const LVT_WRITABLE_LINT =
  LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_LEVEL | LVT_MASKED;
export const LVT_WRITABLE_OTHER = LVT_VECTOR | LVT_DELIVERY_MODE | LVT_MASKED;
export const LVT_WRITABLE_ERROR = LVT_VECTOR | LVT_MASKED;

/** Spurious-interrupt vector register (SDM 10.9, figure 10-23). */
export const SVR_ENABLE = 0x100;
export const SVR_FOCUS_DISABLED = 0x200;
export const SVR_WRITABLE = 0x3ff;
export const SVR_RESET = 0xff;

/** ICR fields (SDM 10.6.1, figure 10-12). */
export const ICR_DEST_LOGICAL = 0x800;
export const ICR_DELIVERY_STATUS = 0x1000;
export const ICR_LEVEL_ASSERT = 0x4000;
export const ICR_TRIGGER_LEVEL = 0x8000;
export const ICR_SHORTHAND_SHIFT = 18;
export const ICR_LOW_WRITABLE = 0x000c_cfff;
export const SHORTHAND_NONE = 0;
export const SHORTHAND_SELF = 1;
export const SHORTHAND_ALL = 2;
export const SHORTHAND_OTHERS = 3;

/** Error status bits (SDM 10.5.3, figure 10-9). */
export const ESR_SEND_ILLEGAL_VECTOR = 0x20;
export const ESR_RECEIVE_ILLEGAL_VECTOR = 0x40;
export const ESR_ILLEGAL_REGISTER = 0x80;

/** DFR: model in bits 31:28 (flat 1111b, cluster 0000b), the rest reserved as ones. */
export const DFR_RESET = 0xffff_ffff;
export const DFR_FLAT = 0xf;
