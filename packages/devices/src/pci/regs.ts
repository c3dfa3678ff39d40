// PCI configuration mechanism #1 and the type 0 header (PCI Local Bus Specification 2.1,
// 3.7.4.1 "Configuration Mechanism #1" and 6.1 "Configuration Space Organization").

/** CONFIG_ADDRESS (dword accesses only) and CONFIG_DATA (byte/word/dword at CFCh-CFFh). */
export const CONFIG_ADDRESS_PORT = 0xcf8;
export const CONFIG_DATA_PORT = 0xcfc;
/** PIIX3 Reset Control register (82371SB datasheet 2.9.2 "RC"), a byte at CF9h. */
export const RESET_CONTROL_PORT = 0xcf9;

/** CONFIG_ADDRESS bit 31: enable; bits 23:16 bus, 15:11 device, 10:8 function, 7:2 register. */
export const CONFIG_ENABLE = 0x8000_0000;
/** Bits 30:24 and 1:0 are reserved and read as 0 (PCI 2.1 3.7.4.1). */
export const CONFIG_ADDRESS_MASK = 0x80ff_fffc;

/** Reset Control bits: SRST (1 = hard reset), RCPU (0->1 starts the reset). */
export const RC_SYSTEM_RESET = 0x02;
export const RC_RESET_CPU = 0x04;

/** Type 0 header offsets (PCI 2.1 6.1, figure 6-1). */
export const VENDOR_ID = 0x00;
export const DEVICE_ID = 0x02;
export const COMMAND = 0x04;
export const STATUS = 0x06;
export const REVISION_ID = 0x08;
export const PROG_IF = 0x09;
export const SUBCLASS = 0x0a;
export const CLASS_CODE = 0x0b;
export const CACHE_LINE_SIZE = 0x0c;
export const LATENCY_TIMER = 0x0d;
export const HEADER_TYPE = 0x0e;
export const BAR0 = 0x10;
export const SUBSYSTEM_VENDOR_ID = 0x2c;
export const SUBSYSTEM_ID = 0x2e;
export const EXPANSION_ROM = 0x30;
export const INTERRUPT_LINE = 0x3c;
export const INTERRUPT_PIN = 0x3d;
/** First device-specific register; 40h-FFh belong to the function. */
export const DEVICE_SPECIFIC = 0x40;
export const CONFIG_SPACE_BYTES = 256;
export const BAR_COUNT = 6;

/** Command register bits (PCI 2.1 6.2.2). */
export const COMMAND_IO = 0x0001;
export const COMMAND_MEMORY = 0x0002;
export const COMMAND_BUS_MASTER = 0x0004;
export const COMMAND_PARITY = 0x0040;
export const COMMAND_SERR = 0x0100;
/** PCI 2.3: INTx disable. */
export const COMMAND_INTX_DISABLE = 0x0400;
/** The command bits a function implements unless it says otherwise. */
export const COMMAND_WRITABLE_DEFAULT =
  COMMAND_IO |
  COMMAND_MEMORY |
  COMMAND_BUS_MASTER |
  COMMAND_PARITY |
  COMMAND_SERR |
  COMMAND_INTX_DISABLE;

/** Status register: bit 3 interrupt status (RO), bits 15:11 and 8 write-one-to-clear. */
export const STATUS_INTERRUPT = 0x0008;
export const STATUS_WRITE_ONE_TO_CLEAR = 0xf900;
/** DEVSEL timing "medium" (bits 10:9 = 01), as PIIX and i440FX report. */
export const STATUS_DEVSEL_MEDIUM = 0x0200;

/** Header type bit 7: the device has more than one function. */
export const HEADER_MULTI_FUNCTION = 0x80;

/** BAR low bits: I/O space indicator; memory type 64-bit; prefetchable. */
export const BAR_IO = 0x1;
export const BAR_MEMORY_PREFETCHABLE = 0x8;

/** Expansion ROM BAR bit 0: address decode enable. */
export const ROM_ENABLE = 0x1;
