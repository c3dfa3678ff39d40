// Intel 8237A register map ("Register Description" / table 2, "Software Commands") and the
// PC/AT page registers (74LS612 at 80h-8Fh).

/** Controller 1 (8-bit, channels 0-3) at 00h-0Fh; controller 2 (16-bit, 4-7) at C0h-DFh, even ports. */
export const DMA1_BASE = 0x00;
export const DMA2_BASE = 0xc0;

/** Register numbers 8-15 (controller 2 at port C0h + 2 x number). */
export const REG_STATUS_COMMAND = 8;
export const REG_REQUEST = 9;
export const REG_SINGLE_MASK = 10;
export const REG_MODE = 11;
export const REG_CLEAR_FLIP_FLOP = 12;
/** Write: master clear. Read: temporary register. */
export const REG_MASTER_CLEAR = 13;
export const REG_CLEAR_MASK = 14;
export const REG_ALL_MASK = 15;

/** Mode register fields (bits 3:2 transfer type, 4 autoinit, 5 decrement, 7:6 mode). */
export const MODE_TYPE_MASK = 0x0c;
export const MODE_TYPE_VERIFY = 0x00;
/** "Write transfer": device to memory. */
export const MODE_TYPE_WRITE = 0x04;
/** "Read transfer": memory to device. */
export const MODE_TYPE_READ = 0x08;
export const MODE_AUTOINIT = 0x10;
export const MODE_DECREMENT = 0x20;
export const MODE_CASCADE = 0xc0;

/** Command register bit 2: controller disable. */
export const COMMAND_DISABLE = 0x04;

/** Page register port of each channel 0-7 (PC/AT); 80h is the POST port, not ours. */
export const PAGE_PORTS = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a] as const;
export const PAGE_FIRST = 0x81;
export const PAGE_COUNT = 15;
