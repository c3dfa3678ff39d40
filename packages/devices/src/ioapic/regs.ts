// Intel 82093AA I/O APIC registers (82093AA datasheet, 3.0 "Register description").

export const IOAPIC_DEFAULT_BASE = 0xfec0_0000;
export const IOAPIC_PAGE_BYTES = 0x1000;
/** Memory-mapped: the index register and the data window (3.1). */
export const IOREGSEL = 0x00;
export const IOWIN = 0x10;

/** Indirect registers (3.2). */
export const REG_ID = 0x00;
export const REG_VERSION = 0x01;
export const REG_ARBITRATION = 0x02;
export const REG_REDIRECTION = 0x10;

export const PIN_COUNT = 24;
/** Version 11h, maximum redirection entry 17h (3.2.2). */
export const VERSION = 0x0017_0011;

/** Redirection entry, low dword (3.2.4). */
export const RTE_VECTOR = 0xff;
export const RTE_DELIVERY_MODE = 0x700;
export const RTE_DEST_LOGICAL = 0x800;
export const RTE_DELIVERY_STATUS = 0x1000;
export const RTE_POLARITY_LOW = 0x2000;
export const RTE_REMOTE_IRR = 0x4000;
export const RTE_LEVEL = 0x8000;
export const RTE_MASKED = 0x1_0000;
/** Software-writable low bits: vector, delivery mode, destination mode, polarity, trigger, mask. */
export const RTE_LOW_WRITABLE =
  RTE_VECTOR | RTE_DELIVERY_MODE | RTE_DEST_LOGICAL | RTE_POLARITY_LOW | RTE_LEVEL | RTE_MASKED;
/** High dword: destination in bits 63:56. */
export const RTE_HIGH_WRITABLE = 0xff00_0000;
/** Power-on: masked; the other fields undefined (0 here). */
export const RTE_RESET = RTE_MASKED;
