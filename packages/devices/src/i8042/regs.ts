// i8042 keyboard controller registers and commands (IBM PC AT Technical Reference,
// "Keyboard controller"; Intel 8042/8742 UPI data sheet; the commands Linux drivers/input/
// serio/i8042.h and SeaBIOS src/hw/ps2port.c send) and PS/2 device commands (IBM PS/2
// Hardware Interface Technical Reference, "Keyboard/auxiliary device controller").

export const DATA_PORT = 0x60;
export const COMMAND_PORT = 0x64;
export const KEYBOARD_IRQ = 1;
export const AUX_IRQ = 12;

/** Status register (port 64h read). */
export const STATUS_OBF = 0x01;
export const STATUS_IBF = 0x02;
export const STATUS_SYS = 0x04;
/** A2: the last write was a command (64h) rather than data (60h). */
export const STATUS_COMMAND = 0x08;
/** Inhibit switch: 1 = keyboard not inhibited. */
export const STATUS_UNLOCKED = 0x10;
/** The output buffer holds a byte from the auxiliary device. */
export const STATUS_AUX_OBF = 0x20;
export const STATUS_TIMEOUT = 0x40;
export const STATUS_PARITY = 0x80;

/** Command byte (controller RAM byte 0). */
export const CTR_KBD_INT = 0x01;
export const CTR_AUX_INT = 0x02;
export const CTR_SYS = 0x04;
export const CTR_KBD_DISABLE = 0x10;
export const CTR_AUX_DISABLE = 0x20;
export const CTR_TRANSLATE = 0x40;
/** Power-on command byte: both interrupts enabled, as QEMU's KBC; firmware rewrites it. */
export const CTR_POWER_ON = CTR_KBD_INT | CTR_AUX_INT;

/** Output port (D0h/D1h): bit 0 system reset (active low), bit 1 A20 gate. */
export const OUT_RESET = 0x01;
export const OUT_A20 = 0x02;
export const OUT_KBD_OBF = 0x10;
export const OUT_AUX_OBF = 0x20;
/** Clock and data lines plus the undefined bits, high at power-on (QEMU KBD_OUT_ONES). */
export const OUT_POWER_ON = 0xcc | OUT_RESET | OUT_A20;

/**
 * Input port (C0h): bit 7 keyboard not inhibited, bit 5 no manufacturing jumper,
 * bit 4 256 KB on the system board; the rest 0 (colour display).
 */
export const INPUT_PORT = 0xb0;

/** Controller commands (port 64h). */
export const CMD_READ_RAM = 0x20; // 20h-3Fh
export const CMD_WRITE_RAM = 0x60; // 60h-7Fh
export const CMD_PASSWORD_INSTALLED = 0xa4;
export const CMD_AUX_DISABLE = 0xa7;
export const CMD_AUX_ENABLE = 0xa8;
export const CMD_AUX_TEST = 0xa9;
export const CMD_SELF_TEST = 0xaa;
export const CMD_KBD_TEST = 0xab;
export const CMD_KBD_DISABLE = 0xad;
export const CMD_KBD_ENABLE = 0xae;
export const CMD_READ_INPUT = 0xc0;
export const CMD_READ_OUTPUT = 0xd0;
export const CMD_WRITE_OUTPUT = 0xd1;
export const CMD_WRITE_KBD_BUFFER = 0xd2;
export const CMD_WRITE_AUX_BUFFER = 0xd3;
export const CMD_WRITE_AUX = 0xd4;
export const CMD_DISABLE_A20 = 0xdd;
export const CMD_ENABLE_A20 = 0xdf;
export const CMD_READ_TEST_INPUTS = 0xe0;
/** F0h-FFh pulse the output port bits whose command bit is 0 (FEh pulses reset). */
export const CMD_PULSE = 0xf0;

export const SELF_TEST_OK = 0x55;
export const INTERFACE_TEST_OK = 0x00;
export const PASSWORD_NOT_INSTALLED = 0xf1;

/** PS/2 device responses. */
export const ACK = 0xfa;
export const RESEND = 0xfe;
export const ERROR = 0xfc;
export const BAT_OK = 0xaa;
export const ECHO = 0xee;

/** Keyboard commands. */
export const KBD_SET_LEDS = 0xed;
export const KBD_ECHO = 0xee;
export const KBD_SCANCODE_SET = 0xf0;
export const KBD_IDENTIFY = 0xf2;
export const KBD_TYPEMATIC = 0xf3;
export const KBD_ENABLE = 0xf4;
export const KBD_DEFAULT_DISABLE = 0xf5;
export const KBD_SET_DEFAULT = 0xf6;
export const KBD_RESEND = 0xfe;
export const KBD_RESET = 0xff;
/** MF2 keyboard ID (F2h response): ABh 83h. */
export const KBD_ID = [0xab, 0x83] as const;
/** Typematic default: 500 ms delay, 10.9 characters/s. */
export const TYPEMATIC_DEFAULT = 0x2b;

/** Mouse commands. */
export const AUX_SET_SCALING_1_1 = 0xe6;
export const AUX_SET_SCALING_2_1 = 0xe7;
export const AUX_SET_RESOLUTION = 0xe8;
export const AUX_STATUS_REQUEST = 0xe9;
export const AUX_SET_STREAM = 0xea;
export const AUX_READ_DATA = 0xeb;
export const AUX_RESET_WRAP = 0xec;
export const AUX_SET_WRAP = 0xee;
export const AUX_SET_REMOTE = 0xf0;
export const AUX_GET_ID = 0xf2;
export const AUX_SET_SAMPLE_RATE = 0xf3;
export const AUX_ENABLE = 0xf4;
export const AUX_DISABLE = 0xf5;
export const AUX_SET_DEFAULTS = 0xf6;
export const AUX_RESEND = 0xfe;
export const AUX_RESET = 0xff;

/** Bytes a PS/2 device buffers before it reports an overrun (QEMU PS2_QUEUE_SIZE). */
export const PS2_QUEUE_SIZE = 16;
