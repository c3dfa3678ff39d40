// Intel 82077AA registers and commands (datasheet 290166: section 2 "Register description",
// section 5 "Command set"; status registers ST0-ST3 in table 5-2 / section 5.2).

export const FDC_BASE = 0x3f0;
export const FDC_IRQ = 6;
export const FDC_DMA_CHANNEL = 2;

/** Register offsets from 3F0h. 3F6h belongs to the IDE controller. */
export const REG_SRA = 0;
export const REG_SRB = 1;
export const REG_DOR = 2;
export const REG_TDR = 3;
/** Read: main status register. Write: data rate select register. */
export const REG_MSR_DSR = 4;
export const REG_FIFO = 5;
/** Read: digital input register. Write: configuration control register. */
export const REG_DIR_CCR = 7;

/** DOR bits: drive select 1:0, nRESET, DMA gate (IRQ and DRQ enable), motor enables 7:4. */
export const DOR_SELECT = 0x03;
export const DOR_NRESET = 0x04;
export const DOR_DMA_GATE = 0x08;

/** MSR bits. */
export const MSR_RQM = 0x80;
export const MSR_DIO = 0x40;
export const MSR_NDMA = 0x20;
export const MSR_CB = 0x10;

/** DSR bit 7: software reset (self-clearing). */
export const DSR_RESET = 0x80;
/** DIR bit 7: disk changed. */
export const DIR_DSKCHG = 0x80;

/** ST0: interrupt code (7:6), seek end, equipment check, head, drive. */
export const ST0_ABNORMAL = 0x40;
export const ST0_INVALID = 0x80;
export const ST0_READY_CHANGE = 0xc0;
export const ST0_SEEK_END = 0x20;
export const ST0_EQUIPMENT_CHECK = 0x10;
/** ST1: end of cylinder, no data, not writable, missing address mark. */
export const ST1_EN = 0x80;
export const ST1_ND = 0x04;
export const ST1_NW = 0x02;
export const ST1_MA = 0x01;
/** ST2: wrong cylinder. */
export const ST2_WC = 0x10;
/** ST3: write protected, ready, track 0, two-sided. */
export const ST3_WP = 0x40;
export const ST3_RY = 0x20;
export const ST3_T0 = 0x10;
export const ST3_TS = 0x08;

/** Command codes (low 5 bits; MT/MFM/SK flags in bits 7:5). */
export const CMD_READ_TRACK = 0x02;
export const CMD_SPECIFY = 0x03;
export const CMD_SENSE_DRIVE = 0x04;
export const CMD_WRITE_DATA = 0x05;
export const CMD_READ_DATA = 0x06;
export const CMD_RECALIBRATE = 0x07;
export const CMD_SENSE_INTERRUPT = 0x08;
export const CMD_READ_ID = 0x0a;
export const CMD_FORMAT_TRACK = 0x0d;
export const CMD_DUMPREG = 0x0e;
export const CMD_SEEK = 0x0f;
export const CMD_VERSION = 0x10;
export const CMD_PERPENDICULAR = 0x12;
export const CMD_CONFIGURE = 0x13;
export const CMD_LOCK = 0x14;
export const FLAG_MT = 0x80;

/** VERSION result of an 82077AA (enhanced controller). */
export const VERSION_82077 = 0x90;
/** CONFIGURE bits: implied seek enable, FIFO disable, polling disable. */
export const CONFIG_EIS = 0x40;
export const CONFIG_POLL_DISABLE = 0x10;
