// ATA register file, status/error bits and command codes (ATA/ATAPI-6, T13 1410D rev 3b).

/** Legacy port bases (PIIX3 datasheet 2.3, "IDE Interface"; ATA-6 clause 7.2). */
export const PRIMARY_COMMAND_BASE = 0x1f0;
export const PRIMARY_CONTROL_PORT = 0x3f6;
export const PRIMARY_IRQ = 14;
export const SECONDARY_COMMAND_BASE = 0x170;
export const SECONDARY_CONTROL_PORT = 0x376;
export const SECONDARY_IRQ = 15;

/** Command block register offsets from the base (ATA-6 7.2, table 4). */
export const REG_DATA = 0;
export const REG_ERROR_FEATURE = 1;
export const REG_SECTOR_COUNT = 2;
export const REG_LBA_LOW = 3;
export const REG_LBA_MID = 4;
export const REG_LBA_HIGH = 5;
export const REG_DEVICE = 6;
export const REG_STATUS_COMMAND = 7;

/** Status register bits (ATA-6 7.15). */
export const STATUS_BSY = 0x80;
export const STATUS_DRDY = 0x40;
export const STATUS_DF = 0x20;
/** Device seek complete (obsolete in ATA-6, still expected by old BIOSes). */
export const STATUS_DSC = 0x10;
export const STATUS_DRQ = 0x08;
export const STATUS_ERR = 0x01;

/** Error register bits (ATA-6 7.9). */
export const ERROR_UNC = 0x40;
export const ERROR_IDNF = 0x10;
export const ERROR_ABRT = 0x04;

/** Device control register bits (ATA-6 7.8). */
export const CONTROL_NIEN = 0x02;
export const CONTROL_SRST = 0x04;
export const CONTROL_HOB = 0x80;

/** Device register bits (ATA-6 7.10): DEV selects device 1, LBA selects LBA addressing. */
export const DEVICE_DEV = 0x10;
export const DEVICE_LBA = 0x40;

/** Command codes (ATA-6 clause 8). */
export const CMD_NOP = 0x00;
export const CMD_DEVICE_RESET = 0x08;
export const CMD_RECALIBRATE = 0x10;
export const CMD_READ_SECTORS = 0x20;
export const CMD_READ_SECTORS_NORETRY = 0x21;
export const CMD_READ_SECTORS_EXT = 0x24;
export const CMD_READ_DMA_EXT = 0x25;
export const CMD_READ_NATIVE_MAX_EXT = 0x27;
export const CMD_READ_MULTIPLE_EXT = 0x29;
export const CMD_WRITE_SECTORS = 0x30;
export const CMD_WRITE_SECTORS_NORETRY = 0x31;
export const CMD_WRITE_SECTORS_EXT = 0x34;
export const CMD_WRITE_DMA_EXT = 0x35;
export const CMD_WRITE_MULTIPLE_EXT = 0x39;
export const CMD_READ_VERIFY = 0x40;
export const CMD_READ_VERIFY_NORETRY = 0x41;
export const CMD_READ_VERIFY_EXT = 0x42;
export const CMD_SEEK = 0x70;
export const CMD_EXECUTE_DIAGNOSTIC = 0x90;
export const CMD_INITIALIZE_PARAMETERS = 0x91;
export const CMD_PACKET = 0xa0;
export const CMD_IDENTIFY_PACKET = 0xa1;
export const CMD_READ_MULTIPLE = 0xc4;
export const CMD_WRITE_MULTIPLE = 0xc5;
export const CMD_SET_MULTIPLE = 0xc6;
export const CMD_READ_DMA = 0xc8;
export const CMD_READ_DMA_NORETRY = 0xc9;
export const CMD_WRITE_DMA = 0xca;
export const CMD_WRITE_DMA_NORETRY = 0xcb;
export const CMD_STANDBY_IMMEDIATE = 0xe0;
export const CMD_IDLE_IMMEDIATE = 0xe1;
export const CMD_STANDBY = 0xe2;
export const CMD_IDLE = 0xe3;
export const CMD_CHECK_POWER_MODE = 0xe5;
export const CMD_SLEEP = 0xe6;
export const CMD_FLUSH_CACHE = 0xe7;
export const CMD_FLUSH_CACHE_EXT = 0xea;
export const CMD_IDENTIFY = 0xec;
export const CMD_SET_FEATURES = 0xef;
export const CMD_READ_NATIVE_MAX = 0xf8;

/** SET FEATURES subcommands (ATA-6 8.37, table 32). */
export const FEATURE_ENABLE_WRITE_CACHE = 0x02;
export const FEATURE_SET_TRANSFER_MODE = 0x03;
export const FEATURE_DISABLE_LOOKAHEAD = 0x55;
export const FEATURE_DISABLE_REVERTING = 0x66;
export const FEATURE_DISABLE_WRITE_CACHE = 0x82;
export const FEATURE_ENABLE_LOOKAHEAD = 0xaa;
export const FEATURE_ENABLE_REVERTING = 0xcc;

/** ATAPI interrupt reason bits in the sector count register (ATA-6 8.21.4 / 9.10). */
export const REASON_COD = 0x01;
export const REASON_IO = 0x02;

/** Bus-master IDE registers, per channel (PIIX3 datasheet 2.7.x; primary at +0, secondary at +8). */
export const BM_COMMAND = 0;
export const BM_STATUS = 2;
export const BM_PRD_TABLE = 4;
/** BMICx bit 0: start/stop bus master; bit 3: direction (1 = device writes memory). */
export const BM_CMD_START = 0x01;
export const BM_CMD_WRITE_MEMORY = 0x08;
/** BMISx bits: active (RO), error (RWC), interrupt (RWC), drive 0/1 DMA capable (RW). */
export const BM_STATUS_ACTIVE = 0x01;
export const BM_STATUS_ERROR = 0x02;
export const BM_STATUS_INTERRUPT = 0x04;
export const BM_STATUS_CAPABLE = 0x60;
/** PRD: bit 31 of the second dword marks the last entry (PIIX3 2.7.x, "PRD table"). */
export const PRD_EOT = 0x8000_0000;

/** Bytes per ATA sector and ATAPI CD block. */
export const ATA_SECTOR = 512;
export const CD_BLOCK = 2048;
