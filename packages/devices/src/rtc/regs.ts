// Motorola MC146818A real-time clock and the PC's CMOS layout.

export const INDEX_PORT = 0x70;
export const DATA_PORT = 0x71;
/** Port 70h bit 7: NMI disable (on the PC, not the RTC). */
export const NMI_DISABLE = 0x80;

export const SECONDS = 0x00;
export const SECONDS_ALARM = 0x01;
export const MINUTES = 0x02;
export const MINUTES_ALARM = 0x03;
export const HOURS = 0x04;
export const HOURS_ALARM = 0x05;
export const DAY_OF_WEEK = 0x06;
export const DAY_OF_MONTH = 0x07;
export const MONTH = 0x08;
export const YEAR = 0x09;
export const REG_A = 0x0a;
export const REG_B = 0x0b;
export const REG_C = 0x0c;
export const REG_D = 0x0d;

/** Register A: UIP (read-only), DV2-DV0 divider select, RS3-RS0 periodic rate. */
export const A_UIP = 0x80;
export const A_DV_SHIFT = 4;
export const A_RS_MASK = 0x0f;
/** DV = 010: 32.768 kHz time base, the PC's setting. */
export const A_DV_32K = 2;

/** Register B. */
export const B_SET = 0x80;
export const B_PIE = 0x40;
export const B_AIE = 0x20;
export const B_UIE = 0x10;
export const B_SQWE = 0x08;
/** DM: 1 = binary, 0 = BCD. */
export const B_DM_BINARY = 0x04;
/** 24/12: 1 = 24-hour. */
export const B_24H = 0x02;
export const B_DSE = 0x01;

/** Register C (read-only, cleared by reading). */
export const C_IRQF = 0x80;
export const C_PF = 0x40;
export const C_AF = 0x20;
export const C_UF = 0x10;

/** Register D: VRT (valid RAM and time) always 1 with a good battery. */
export const D_VRT = 0x80;

/** Alarm bytes with both top bits set match any value ("don't care"). */
export const ALARM_DONT_CARE = 0xc0;

/** The update cycle: UIP rises 244 us before it, and it lasts 1984 us (32.768 kHz). */
export const UIP_WINDOW_NS = (244 + 1984) * 1000;

/** The PC's CMOS bytes a BIOS reads (IBM AT layout, plus the QEMU/SeaBIOS extensions). */
export const CMOS_SHUTDOWN_STATUS = 0x0f;
export const CMOS_FLOPPY_TYPES = 0x10;
export const CMOS_DISK_TYPES = 0x12;
export const CMOS_EQUIPMENT = 0x14;
export const CMOS_BASE_MEMORY = 0x15;
export const CMOS_EXTENDED_MEMORY = 0x17;
export const CMOS_DISK0_EXTENDED_TYPE = 0x19;
export const CMOS_DISK1_EXTENDED_TYPE = 0x1a;
export const CMOS_DISK0_GEOMETRY = 0x1b;
export const CMOS_DISK1_GEOMETRY = 0x24;
export const CMOS_CHECKSUM = 0x2e;
export const CMOS_EXTENDED_MEMORY_POST = 0x30;
export const CMOS_CENTURY = 0x32;
export const CMOS_MEMORY_ABOVE_16M = 0x34;
export const CMOS_BOOT_FLAGS_1 = 0x38;
export const CMOS_BOOT_FLAGS_2 = 0x3d;
export const CMOS_MEMORY_ABOVE_4G = 0x5b;
export const CMOS_CPU_COUNT = 0x5f;
