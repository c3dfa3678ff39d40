// VGA and Bochs VBE register map. Sources: IBM VGA Technical Reference (1987),
// FreeVGA "VGA Chipset Reference", and Bochs' vbe.h DISPI interface (ports 0x1CE/0x1CF).

/** Attribute controller address/data (write) — index and data share the port, flip-flop. */
export const PORT_ATTR_WRITE = 0x3c0;
export const PORT_ATTR_READ = 0x3c1;
/** Write: miscellaneous output. Read: input status #0. */
export const PORT_MISC_WRITE = 0x3c2;
export const PORT_SEQ_INDEX = 0x3c4;
export const PORT_SEQ_DATA = 0x3c5;
export const PORT_DAC_MASK = 0x3c6;
/** Write: DAC read index. Read: DAC state. */
export const PORT_DAC_READ_INDEX = 0x3c7;
export const PORT_DAC_WRITE_INDEX = 0x3c8;
export const PORT_DAC_DATA = 0x3c9;
export const PORT_FEATURE_READ = 0x3ca;
export const PORT_MISC_READ = 0x3cc;
export const PORT_GC_INDEX = 0x3ce;
export const PORT_GC_DATA = 0x3cf;
/** CRTC and input status #1 sit at 0x3Bx (mono) or 0x3Dx (colour), chosen by misc bit 0. */
export const PORT_CRTC_INDEX_MONO = 0x3b4;
export const PORT_CRTC_INDEX_COLOR = 0x3d4;
export const PORT_STATUS1_MONO = 0x3ba;
export const PORT_STATUS1_COLOR = 0x3da;

/** Sequencer registers. */
export const SEQ_RESET = 0x00;
export const SEQ_CLOCKING = 0x01;
export const SEQ_MAP_MASK = 0x02;
export const SEQ_CHAR_MAP = 0x03;
export const SEQ_MEMORY_MODE = 0x04;

/** Graphics controller registers. */
export const GC_SET_RESET = 0x00;
export const GC_ENABLE_SET_RESET = 0x01;
export const GC_COLOR_COMPARE = 0x02;
export const GC_DATA_ROTATE = 0x03;
export const GC_READ_MAP = 0x04;
export const GC_MODE = 0x05;
export const GC_MISC = 0x06;
export const GC_COLOR_DONT_CARE = 0x07;
export const GC_BIT_MASK = 0x08;

/** Bits each sequencer register implements (others read back 0); IBM VGA TR, QEMU sr_mask. */
export const SEQ_MASK: readonly number[] = [0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0, 0, 0xff];
/** Bits each graphics controller register implements (GR00-GR08; GR09+ do not exist). */
export const GC_MASK: readonly number[] = [
  0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff, 0, 0, 0, 0, 0, 0, 0,
];

/** CRT controller registers (CR00-CR18). */
export const CRTC_H_TOTAL = 0x00;
export const CRTC_H_DISPLAY_END = 0x01;
export const CRTC_H_SYNC_START = 0x04;
export const CRTC_H_SYNC_END = 0x05;
export const CRTC_V_TOTAL = 0x06;
export const CRTC_OVERFLOW = 0x07;
export const CRTC_PRESET_ROW_SCAN = 0x08;
export const CRTC_MAX_SCAN = 0x09;
export const CRTC_CURSOR_START = 0x0a;
export const CRTC_CURSOR_END = 0x0b;
export const CRTC_START_HIGH = 0x0c;
export const CRTC_START_LOW = 0x0d;
export const CRTC_CURSOR_HIGH = 0x0e;
export const CRTC_CURSOR_LOW = 0x0f;
export const CRTC_V_SYNC_START = 0x10;
export const CRTC_V_DISPLAY_END = 0x12;
export const CRTC_OFFSET = 0x13;
export const CRTC_UNDERLINE = 0x14;
export const CRTC_MODE = 0x17;
export const CRTC_LINE_COMPARE = 0x18;
/** Highest CRTC register index of the VGA. */
export const CRTC_LAST = 0x18;
/** CRTC registers 0-7 are write-protected when CR11 bit 7 is set (except CR07 bit 4). */
export const CRTC_V_RETRACE_END = 0x11;

/** Attribute controller registers (0x00-0x0F are the palette). */
export const ATTR_MODE = 0x10;
export const ATTR_OVERSCAN = 0x11;
export const ATTR_PLANE_ENABLE = 0x12;
export const ATTR_H_PAN = 0x13;
export const ATTR_COLOR_SELECT = 0x14;
/** Attribute index bit 5 (PAS): 1 = the palette is locked and the display shows video. */
export const ATTR_PAS = 0x20;

/** Bochs VBE "DISPI" interface. */
export const PORT_VBE_INDEX = 0x1ce;
export const PORT_VBE_DATA = 0x1cf;
export const VBE_INDEX_ID = 0;
export const VBE_INDEX_XRES = 1;
export const VBE_INDEX_YRES = 2;
export const VBE_INDEX_BPP = 3;
export const VBE_INDEX_ENABLE = 4;
export const VBE_INDEX_BANK = 5;
export const VBE_INDEX_VIRT_WIDTH = 6;
export const VBE_INDEX_VIRT_HEIGHT = 7;
export const VBE_INDEX_X_OFFSET = 8;
export const VBE_INDEX_Y_OFFSET = 9;
export const VBE_INDEX_VIDEO_MEMORY_64K = 0x0a;
/** The newest DISPI version; SeaBIOS' vgabios and Linux' bochs drivers accept B0C0-B0C5. */
export const VBE_ID5 = 0xb0c5;
export const VBE_ENABLED = 0x01;
export const VBE_GETCAPS = 0x02;
export const VBE_8BIT_DAC = 0x20;
export const VBE_LFB_ENABLED = 0x40;
export const VBE_NOCLEARMEM = 0x80;
/** Oldest DISPI version a guest may select (ID0). */
export const VBE_ID0 = 0xb0c0;
export const VBE_MAX_XRES = 2560;
export const VBE_MAX_YRES = 1600;
export const VBE_MAX_BPP = 32;

/** Legacy VGA memory: four 64 KiB planes. */
export const PLANE_SIZE = 0x10000;
/** Bochs' VBE_DISPI_LFB_PHYSICAL_ADDRESS: where the framebuffer sits without a PCI BAR. */
export const VBE_LFB_DEFAULT_BASE = 0xe0000000;

/**
 * PCI identity of the Bochs/QEMU "stdvga" function: SeaBIOS' vgabios-stdvga.bin and Linux'
 * bochs-drm find the framebuffer through BAR0 of this function.
 */
export const STDVGA_PCI = {
  vendorId: 0x1234,
  deviceId: 0x1111,
  /** Class 03h (display), subclass 00h (VGA compatible), prog-if 00h. */
  classCode: 0x03,
  subclass: 0x00,
  progIf: 0x00,
  revision: 0x02,
  /** BAR0: the linear framebuffer, 32-bit prefetchable memory, size = video memory. */
  framebufferBar: 0,
  /** PCI BAR0 type bits: memory, 32-bit, prefetchable. */
  framebufferBarFlags: 0x08,
  /** Expansion ROM (vgabios-stdvga.bin) is loaded by the board at 0xC0000 or via the ROM BAR. */
} as const;
