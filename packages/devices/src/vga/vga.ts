// VGA adapter with the Bochs VBE extensions (the "stdvga" that SeaBIOS' vgabios-stdvga.bin
// and Linux' bochs-drm/vesafb drive). Register semantics: IBM VGA Technical Reference;
// FreeVGA; Bochs vbe.h for DISPI. Where real hardware and QEMU differ, QEMU's stdvga (the
// screenshot oracle) is followed and the difference noted.
import type {
  Device,
  DeviceContext,
  DeviceState,
  MmioHandler,
  PortIoHandler,
  ResetKind,
  Width,
} from "@ringvm/bus";
import { decodeBase64, encodeBase64 } from "./base64";
import { readDispi, writeDispi } from "./dispi";
import { DIRTY_PAGE_SHIFT, readPlanar, windowOffset, writePlanar, type PlaneState } from "./planes";
import * as R from "./regs";

/** Options of {@link VgaDevice}. */
export interface VgaOptions {
  /** Video memory in MiB (a power of two, 1-128; the first 256 KiB hold the VGA planes). Default 16. */
  readonly vramMiB?: number;
  /**
   * Physical base of the linear framebuffer, mapped at attach; `null` maps nothing until
   * the board calls {@link VgaDevice.mapLinearFramebuffer} (for the PCI BAR0). Default
   * 0xE0000000 (Bochs' VBE_DISPI_LFB_PHYSICAL_ADDRESS).
   */
  readonly lfbBase?: number | null;
}

/**
 * Retrace timing of the 25.175 MHz, 800-dot line (31.469 kHz), 525-line frame (60 Hz):
 * IBM VGA TR mode 12h timings. Input status 1 derives from the guest clock, so polling
 * loops see retrace come and go as guest time passes.
 */
const LINE_NS = 31_778;
const LINES_PER_FRAME = 525;
const VISIBLE_LINES = 480;
/** Vertical sync: lines 490-491 (10 lines of front porch). */
const VSYNC_FIRST = 490;
const VSYNC_LINES = 2;
/** Horizontal blanking: the last 160 of the 800 dot clocks of a line. */
const HBLANK_FROM_NS = (LINE_NS * 640) / 800;

/**
 * The VGA: registers at 0x3B4-0x3DA, the 128 KiB window at 0xA0000, the DISPI ports and the
 * linear framebuffer. Rendering lives in `render.ts`; this class holds state only.
 */
export class VgaDevice implements Device, PlaneState {
  readonly specificationVersion = "v1";
  readonly name = "vga";
  readonly vram: Uint8Array;
  readonly vram32: Uint32Array;
  readonly dirtyPages: Uint8Array;
  readonly seq = new Uint8Array(8);
  readonly gc = new Uint8Array(16);
  readonly crtc = new Uint8Array(R.CRTC_LAST + 1);
  readonly attr = new Uint8Array(R.ATTR_COLOR_SELECT + 1);
  /** 256 entries x RGB as written: 6-bit values, 8-bit ones while the VBE 8-bit DAC is on. */
  readonly dac = new Uint8Array(768);
  /** DISPI registers 0-9; VIDEO_MEMORY_64K is computed. */
  readonly vbe = new Uint16Array(10);
  latch = 0;
  misc = 0;
  featureControl = 0;
  bankOffset = 0;
  planesWritten = 0;
  seqIndex = 0;
  gcIndex = 0;
  crtcIndex = 0;
  /** Attribute index register including bit 5 (PAS). */
  attrIndex = 0;
  /** false: next 0x3C0 write is an index; true: data. Reset by reading input status 1. */
  attrFlipFlop = false;
  dacReadIndex = 0;
  dacWriteIndex = 0;
  /** Which of R, G, B the next DAC data access touches. */
  dacComponent = 0;
  /** 0: last index write was to 0x3C8 (write mode), 3: to 0x3C7 (read mode). */
  dacState = 0;
  dacMask = 0xff;
  /** A DAC entry is written only when its third component arrives. */
  readonly dacCache = new Uint8Array(3);
  vbeIndex = 0;
  /** Bytes per VBE scan line and byte offset of the VBE display start (QEMU vbe_fixup_regs). */
  vbeLineOffset = 0;
  vbeStartAddress = 0;
  /**
   * Bumped by every register change that can alter the picture (not by memory writes,
   * which mark `dirtyPages`); renderers redraw everything when it moves.
   */
  generation = 0;
  private lfbBase: number;
  private lfbRegistration: Disposable | undefined;
  private context: DeviceContext | undefined;
  private readonly ports: PortIoHandler;
  private readonly lfb: MmioHandler;

  constructor(options: VgaOptions = {}) {
    const mib = options.vramMiB ?? 16;
    if (!Number.isInteger(mib) || mib < 1 || mib > 128 || (mib & (mib - 1)) !== 0) {
      throw new RangeError(`vramMiB ${mib} must be a power of two from 1 to 128`);
    }
    this.vram = new Uint8Array(mib << 20);
    this.vram32 = new Uint32Array(this.vram.buffer);
    this.dirtyPages = new Uint8Array(this.vram.length >>> DIRTY_PAGE_SHIFT);
    this.lfbBase = options.lfbBase === null ? -1 : (options.lfbBase ?? R.VBE_LFB_DEFAULT_BASE);
    this.ports = {
      read: (port, width) => this.readPort(port, width),
      write: (port, width, value) => this.writePort(port, width, value),
    };
    this.lfb = {
      read: (offset, width) => this.readLinear(offset, width),
      write: (offset, width, value) => this.writeLinear(offset, width, value),
    };
    this.reset("power-on");
  }

  attach(context: DeviceContext): void {
    this.context = context;
    const byteWide = { owner: this.name, widths: [1] as const };
    // Word accesses (OUT 3D4h, AX) are split by the bus into index then data, as on ISA.
    context.io.registerPorts(R.PORT_CRTC_INDEX_MONO, 2, this.ports, byteWide);
    context.io.registerPorts(R.PORT_STATUS1_MONO, 1, this.ports, byteWide);
    context.io.registerPorts(0x3c0, 16, this.ports, byteWide);
    context.io.registerPorts(R.PORT_CRTC_INDEX_COLOR, 2, this.ports, byteWide);
    context.io.registerPorts(R.PORT_STATUS1_COLOR, 1, this.ports, byteWide);
    context.io.registerPorts(R.PORT_VBE_INDEX, 2, this.ports, { owner: this.name, widths: [1, 2] });
    const window: MmioHandler = {
      read: (offset, width) => this.readWindow(0xa0000 + offset, width),
      write: (offset, width, value) => this.writeWindow(0xa0000 + offset, width, value),
    };
    context.io.mapMmio(0xa0000, 0x20000, window, { owner: this.name });
    const base = this.lfbBase;
    this.lfbBase = -1;
    this.mapLinearFramebuffer(base);
  }

  /**
   * Places the linear framebuffer at `base` (the PCI BAR0 value with its flag bits cleared),
   * or removes it with -1. The board calls this whenever the guest reprograms BAR0 (or
   * disables memory decode).
   */
  mapLinearFramebuffer(base: number): void {
    if (base === this.lfbBase && (base < 0 || this.lfbRegistration !== undefined)) return;
    this.lfbRegistration?.[Symbol.dispose]();
    this.lfbRegistration = undefined;
    this.lfbBase = base;
    if (base >= 0 && this.context !== undefined) {
      try {
        this.lfbRegistration = this.context.io.mapMmio(base, this.vram.length, this.lfb, {
          owner: `${this.name}-lfb`,
        });
      } catch (error) {
        // A BAR placed over RAM or another device: the framebuffer stays unmapped.
        this.lfbBase = -1;
        throw error;
      }
    }
  }

  /**
   * The PCI function the board registers for this adapter (Bochs/QEMU stdvga 1234:1111,
   * class 0300): BAR0 is the prefetchable framebuffer of the whole video memory, and
   * moving it moves the framebuffer. Shaped as the PCI bus's `PciFunctionSpec`.
   *
   * @example
   * const vga = new VgaDevice({ lfbBase: null });
   * pciBus.register(2, 0, vga.pciFunctionSpec());
   */
  pciFunctionSpec(): {
    readonly vendorId: number;
    readonly deviceId: number;
    readonly revision: number;
    readonly classCode: number;
    readonly subclass: number;
    readonly progIf: number;
    readonly bars: readonly {
      readonly kind: "memory";
      readonly size: number;
      readonly isPrefetchable: boolean;
      readonly onMap: (base: number) => void;
    }[];
  } {
    return {
      vendorId: R.STDVGA_PCI.vendorId,
      deviceId: R.STDVGA_PCI.deviceId,
      revision: R.STDVGA_PCI.revision,
      classCode: R.STDVGA_PCI.classCode,
      subclass: R.STDVGA_PCI.subclass,
      progIf: R.STDVGA_PCI.progIf,
      bars: [
        {
          kind: "memory",
          size: this.vram.length,
          isPrefetchable: true,
          onMap: (base) => this.mapLinearFramebuffer(base),
        },
      ],
    };
  }

  /** Where the linear framebuffer is mapped, or -1. */
  get linearFramebufferBase(): number {
    return this.lfbBase;
  }

  reset(kind: ResetKind): void {
    if (kind === "power-on") this.vram.fill(0);
    this.seq.fill(0);
    this.gc.fill(0);
    this.crtc.fill(0);
    this.attr.fill(0);
    this.dac.fill(0);
    this.vbe.fill(0);
    this.vbe[R.VBE_INDEX_ID] = R.VBE_ID5;
    this.latch = 0;
    this.misc = 0;
    this.featureControl = 0;
    this.bankOffset = 0;
    this.seqIndex = this.gcIndex = this.crtcIndex = this.attrIndex = 0;
    this.attrFlipFlop = false;
    this.dacReadIndex = this.dacWriteIndex = this.dacComponent = this.dacState = 0;
    this.dacCache.fill(0);
    this.dacMask = 0xff;
    this.vbeIndex = 0;
    this.vbeLineOffset = this.vbeStartAddress = 0;
    // All registers zero as in QEMU's vga_common_reset: the VGA BIOS programs a mode.
    this.planesWritten = 0xf;
    this.dirtyPages.fill(1);
    this.generation++;
  }

  /** Is the DISPI (VBE) interface driving the display? */
  get isVbeEnabled(): boolean {
    return (this.vbe[R.VBE_INDEX_ENABLE]! & R.VBE_ENABLED) !== 0;
  }

  /** Guest time in nanoseconds (0 before attach): the clock behind retrace and blinking. */
  now(): number {
    return this.context ? this.context.clock.now() : 0;
  }

  /** Bytes of video memory. */
  get vramSize(): number {
    return this.vram.length;
  }

  // ---- ports ---------------------------------------------------------------

  /** The CRTC and input status 1 answer at 3Bx (mono) or 3Dx (colour), chosen by misc bit 0. */
  private isOtherRange(port: number): boolean {
    return this.misc & 1 ? port >= 0x3b0 && port <= 0x3bf : port >= 0x3d0 && port <= 0x3df;
  }

  readPort(port: number, width: Width): number {
    if (port === R.PORT_VBE_INDEX) return width === 1 ? this.vbeIndex & 0xff : this.vbeIndex;
    if (port === R.PORT_VBE_DATA) return width === 1 ? readDispi(this) & 0xff : readDispi(this);
    if (this.isOtherRange(port)) return 0xff;
    switch (port) {
      case R.PORT_ATTR_WRITE:
        // The address register reads back at 3C0h whatever the flip-flop says (FreeVGA;
        // QEMU returns 0 while the flip-flop points at data).
        return this.attrIndex;
      case R.PORT_ATTR_READ:
        return (this.attrIndex & 0x1f) <= R.ATTR_COLOR_SELECT
          ? this.attr[this.attrIndex & 0x1f]!
          : 0;
      case R.PORT_MISC_WRITE:
        // Input status 0: switch sense and CRT interrupt both 0, as QEMU's stdvga reports.
        return 0;
      case R.PORT_SEQ_INDEX:
        return this.seqIndex;
      case R.PORT_SEQ_DATA:
        return this.seq[this.seqIndex]!;
      case R.PORT_DAC_MASK:
        return this.dacMask;
      case R.PORT_DAC_READ_INDEX:
        return this.dacState;
      case R.PORT_DAC_WRITE_INDEX:
        return this.dacWriteIndex;
      case R.PORT_DAC_DATA:
        return this.readDac();
      case R.PORT_FEATURE_READ:
        return this.featureControl;
      case R.PORT_MISC_READ:
        return this.misc;
      case R.PORT_GC_INDEX:
        return this.gcIndex;
      case R.PORT_GC_DATA:
        return this.gc[this.gcIndex]!;
      case R.PORT_CRTC_INDEX_MONO:
      case R.PORT_CRTC_INDEX_COLOR:
        return this.crtcIndex;
      case R.PORT_CRTC_INDEX_MONO + 1:
      case R.PORT_CRTC_INDEX_COLOR + 1:
        // CR19 and above do not exist on the VGA.
        return this.crtcIndex <= R.CRTC_LAST ? this.crtc[this.crtcIndex]! : 0;
      case R.PORT_STATUS1_MONO:
      case R.PORT_STATUS1_COLOR:
        return this.readStatus1();
      default:
        return 0;
    }
  }

  writePort(port: number, width: Width, value: number): void {
    if (port === R.PORT_VBE_INDEX) {
      this.vbeIndex = width === 1 ? (this.vbeIndex & 0xff00) | (value & 0xff) : value & 0xffff;
      return;
    }
    if (port === R.PORT_VBE_DATA) {
      writeDispi(this, width === 1 ? value & 0xff : value & 0xffff);
      return;
    }
    if (this.isOtherRange(port)) return;
    value &= 0xff;
    switch (port) {
      case R.PORT_ATTR_WRITE:
        this.writeAttr(value);
        return;
      case R.PORT_MISC_WRITE:
        // Bit 4 is reserved (QEMU stores it as 0).
        this.misc = value & ~0x10;
        this.generation++;
        return;
      case R.PORT_SEQ_INDEX:
        this.seqIndex = value & 7;
        return;
      case R.PORT_SEQ_DATA:
        this.seq[this.seqIndex] = value & R.SEQ_MASK[this.seqIndex]!;
        // The map mask and memory mode steer CPU accesses only; drawing programs rewrite
        // them constantly, so they must not force a full redraw.
        if (this.seqIndex !== R.SEQ_MAP_MASK && this.seqIndex !== R.SEQ_MEMORY_MODE) {
          this.generation++;
        }
        return;
      case R.PORT_DAC_MASK:
        this.dacMask = value;
        this.generation++;
        return;
      case R.PORT_DAC_READ_INDEX:
        this.dacReadIndex = value;
        this.dacComponent = 0;
        this.dacState = 3;
        return;
      case R.PORT_DAC_WRITE_INDEX:
        this.dacWriteIndex = value;
        this.dacComponent = 0;
        this.dacState = 0;
        return;
      case R.PORT_DAC_DATA:
        this.writeDac(value);
        return;
      case R.PORT_GC_INDEX:
        this.gcIndex = value & 0xf;
        return;
      case R.PORT_GC_DATA:
        this.gc[this.gcIndex] = value & R.GC_MASK[this.gcIndex]!;
        // Only the shift mode (GR05) and graphics/text (GR06) change the picture; the rest
        // of the graphics controller is the CPU data path.
        if (this.gcIndex === R.GC_MODE || this.gcIndex === R.GC_MISC) this.generation++;
        return;
      case R.PORT_CRTC_INDEX_MONO:
      case R.PORT_CRTC_INDEX_COLOR:
        this.crtcIndex = value;
        return;
      case R.PORT_CRTC_INDEX_MONO + 1:
      case R.PORT_CRTC_INDEX_COLOR + 1:
        this.writeCrtc(this.crtcIndex, value);
        return;
      case R.PORT_STATUS1_MONO:
      case R.PORT_STATUS1_COLOR:
        // Feature control (write side of input status 1): only bit 4 is kept, as in QEMU.
        this.featureControl = value & 0x10;
        return;
    }
  }

  private writeCrtc(index: number, value: number): void {
    if (index > R.CRTC_LAST) return;
    // CR11 bit 7 write-protects CR00-CR07, except the line-compare bit 4 of CR07.
    if (this.crtc[R.CRTC_V_RETRACE_END]! & 0x80 && index <= R.CRTC_OVERFLOW) {
      if (index === R.CRTC_OVERFLOW) {
        this.crtc[index] = (this.crtc[index]! & ~0x10) | (value & 0x10);
        this.generation++;
      }
      return;
    }
    this.crtc[index] = value;
    // The cursor location is drawn per cell from the registers; moving it (every character
    // the BIOS prints) redraws only the two cells involved.
    if (index !== R.CRTC_CURSOR_HIGH && index !== R.CRTC_CURSOR_LOW) this.generation++;
  }

  private writeAttr(value: number): void {
    if (!this.attrFlipFlop) {
      // Bit 5 (PAS) set: the display shows video and palette writes no longer matter.
      this.attrIndex = value & 0x3f;
    } else {
      const index = this.attrIndex & 0x1f;
      if (index < 0x10) {
        this.attr[index] = value & 0x3f;
      } else if (index === R.ATTR_MODE) {
        this.attr[index] = value & ~0x10;
      } else if (index === R.ATTR_OVERSCAN) {
        this.attr[index] = value;
      } else if (index === R.ATTR_PLANE_ENABLE) {
        this.attr[index] = value & 0x3f;
      } else if (index === R.ATTR_H_PAN || index === R.ATTR_COLOR_SELECT) {
        this.attr[index] = value & 0x0f;
      }
    }
    this.attrFlipFlop = !this.attrFlipFlop;
    this.generation++;
  }

  private readStatus1(): number {
    // Reading input status 1 resets the attribute flip-flop to "index".
    this.attrFlipFlop = false;
    const ns = this.now();
    const line = Math.floor(ns / LINE_NS) % LINES_PER_FRAME;
    const inLine = ns % LINE_NS;
    const isVRetrace = line >= VSYNC_FIRST && line < VSYNC_FIRST + VSYNC_LINES;
    const isBlank = line >= VISIBLE_LINES || inLine >= HBLANK_FROM_NS;
    // Bit 0: display disabled (any blanking); bit 3: vertical retrace.
    return (isBlank ? 0x01 : 0) | (isVRetrace ? 0x08 : 0);
  }

  private readDac(): number {
    const value = this.dac[this.dacReadIndex * 3 + this.dacComponent]!;
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
    }
    return value;
  }

  private writeDac(value: number): void {
    // The IBM DAC keeps 6 bits per component; the VBE 8-bit DAC mode keeps all 8.
    const isWide = (this.vbe[R.VBE_INDEX_ENABLE]! & R.VBE_8BIT_DAC) !== 0;
    this.dacCache[this.dacComponent] = isWide ? value : value & 0x3f;
    if (++this.dacComponent === 3) {
      this.dac.set(this.dacCache, this.dacWriteIndex * 3);
      this.dacComponent = 0;
      this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
      this.generation++;
    }
  }

  // ---- memory ----------------------------------------------------------------

  /** A CPU access to the legacy window (0xA0000-0xBFFFF); `address` is physical. */
  readWindow(address: number, width: Width): number {
    let value = this.readWindowByte(address);
    if (width >= 2) value |= this.readWindowByte(address + 1) << 8;
    if (width === 4) {
      value |= (this.readWindowByte(address + 2) << 16) | (this.readWindowByte(address + 3) << 24);
      value >>>= 0;
    }
    return value;
  }

  writeWindow(address: number, width: Width, value: number): void {
    this.writeWindowByte(address, value & 0xff);
    if (width >= 2) this.writeWindowByte(address + 1, (value >>> 8) & 0xff);
    if (width === 4) {
      this.writeWindowByte(address + 2, (value >>> 16) & 0xff);
      this.writeWindowByte(address + 3, value >>> 24);
    }
  }

  private readWindowByte(address: number): number {
    const offset = windowOffset(this, address);
    return offset < 0 ? 0xff : readPlanar(this, offset);
  }

  private writeWindowByte(address: number, value: number): void {
    const offset = windowOffset(this, address);
    if (offset >= 0) writePlanar(this, offset, value);
  }

  /** A CPU access to the linear framebuffer; `offset` is relative to its base. */
  readLinear(offset: number, width: Width): number {
    const vram = this.vram;
    if (offset + width > vram.length) return width === 4 ? 0xffffffff : (1 << (width * 8)) - 1;
    if (width === 1) return vram[offset]!;
    if (width === 2) return vram[offset]! | (vram[offset + 1]! << 8);
    return (
      (vram[offset]! |
        (vram[offset + 1]! << 8) |
        (vram[offset + 2]! << 16) |
        (vram[offset + 3]! << 24)) >>>
      0
    );
  }

  writeLinear(offset: number, width: Width, value: number): void {
    const vram = this.vram;
    if (offset + width > vram.length) return;
    vram[offset] = value;
    if (width >= 2) vram[offset + 1] = value >>> 8;
    if (width === 4) {
      vram[offset + 2] = value >>> 16;
      vram[offset + 3] = value >>> 24;
    }
    this.dirtyPages[offset >>> DIRTY_PAGE_SHIFT] = 1;
    this.dirtyPages[(offset + width - 1) >>> DIRTY_PAGE_SHIFT] = 1;
  }

  // ---- snapshots -----------------------------------------------------------------

  saveState(): DeviceState {
    // Video memory is large and mostly zero: only up to the last non-zero 4 KiB page is
    // kept, as base64 so the state stays a plain JSON object in Node and browsers.
    let used = this.vram32.length;
    while (used > 0 && this.vram32[used - 1] === 0) used--;
    const bytes = Math.ceil((used * 4) / 4096) * 4096;
    return {
      seq: Array.from(this.seq),
      gc: Array.from(this.gc),
      crtc: Array.from(this.crtc),
      attr: Array.from(this.attr),
      dac: Array.from(this.dac),
      dacCache: Array.from(this.dacCache),
      vbe: Array.from(this.vbe),
      scalars: [
        this.latch,
        this.misc,
        this.seqIndex,
        this.gcIndex,
        this.crtcIndex,
        this.attrIndex,
        this.attrFlipFlop ? 1 : 0,
        this.dacReadIndex,
        this.dacWriteIndex,
        this.dacComponent,
        this.dacState,
        this.dacMask,
        this.vbeIndex,
        this.featureControl,
        this.bankOffset,
        this.vbeLineOffset,
        this.vbeStartAddress,
      ],
      lfbBase: this.lfbBase,
      vramSize: this.vram.length,
      vram: encodeBase64(this.vram.subarray(0, Math.min(bytes, this.vram.length))),
    };
  }

  loadState(state: DeviceState): void {
    // Everything is checked before anything changes.
    if (state["vramSize"] !== this.vram.length) {
      throw new RangeError(`vga state: video memory size differs (${String(state["vramSize"])})`);
    }
    const vram = decodeBase64(String(state["vram"] ?? ""));
    if (vram.length > this.vram.length) throw new RangeError("vga state: video memory too large");
    const bytes = (key: string, into: Uint8Array | Uint16Array): void => {
      const value = state[key];
      if (!Array.isArray(value) || value.length !== into.length) {
        throw new RangeError(`vga state: '${key}' must be an array of ${into.length} numbers`);
      }
      into.set(value as number[]);
    };
    bytes("seq", this.seq);
    bytes("gc", this.gc);
    bytes("crtc", this.crtc);
    bytes("attr", this.attr);
    bytes("dac", this.dac);
    bytes("dacCache", this.dacCache);
    bytes("vbe", this.vbe);
    const s = state["scalars"];
    if (!Array.isArray(s) || s.length !== 17) throw new RangeError("vga state: bad 'scalars'");
    const n = s as number[];
    this.latch = n[0]! >>> 0;
    this.misc = n[1]!;
    this.seqIndex = n[2]!;
    this.gcIndex = n[3]!;
    this.crtcIndex = n[4]!;
    this.attrIndex = n[5]!;
    this.attrFlipFlop = n[6] === 1;
    this.dacReadIndex = n[7]!;
    this.dacWriteIndex = n[8]!;
    this.dacComponent = n[9]!;
    this.dacState = n[10]!;
    this.dacMask = n[11]!;
    this.vbeIndex = n[12]!;
    this.featureControl = n[13]!;
    this.bankOffset = n[14]!;
    this.vbeLineOffset = n[15]!;
    this.vbeStartAddress = n[16]!;
    this.vram.set(vram);
    this.vram.fill(0, vram.length);
    this.mapLinearFramebuffer(typeof state["lfbBase"] === "number" ? state["lfbBase"] : -1);
    this.planesWritten = 0xf;
    this.dirtyPages.fill(1);
    this.generation++;
  }
}
