// One PCI function: its 256-byte configuration space with read-only, writable and
// write-one-to-clear bits, BARs with the sizing protocol, and INTx.
import type { IrqLine, Logger, Width } from "@ringvm/bus";
import {
  BAR0,
  BAR_COUNT,
  BAR_IO,
  BAR_MEMORY_PREFETCHABLE,
  CACHE_LINE_SIZE,
  CLASS_CODE,
  COMMAND,
  COMMAND_INTX_DISABLE,
  COMMAND_IO,
  COMMAND_MEMORY,
  COMMAND_WRITABLE_DEFAULT,
  CONFIG_SPACE_BYTES,
  DEVICE_ID,
  DEVICE_SPECIFIC,
  EXPANSION_ROM,
  HEADER_TYPE,
  INTERRUPT_LINE,
  INTERRUPT_PIN,
  LATENCY_TIMER,
  PROG_IF,
  REVISION_ID,
  ROM_ENABLE,
  STATUS,
  STATUS_INTERRUPT,
  STATUS_WRITE_ONE_TO_CLEAR,
  SUBCLASS,
  SUBSYSTEM_ID,
  SUBSYSTEM_VENDOR_ID,
  VENDOR_ID,
} from "./regs";

/** A base address register. `size` is a power of two (I/O >= 4, memory >= 16 bytes). */
export interface PciBarSpec {
  readonly kind: "io" | "memory";
  readonly size: number;
  readonly isPrefetchable?: boolean;
  /**
   * Called when the decoded range changes: the new base, or -1 when the BAR stops
   * decoding (command bit clear, base 0, or a range past the address space). Errors thrown
   * here (a guest placing the BAR over another device's ports) are logged and the BAR is
   * treated as unmapped.
   */
  readonly onMap?: (base: number) => void;
}

/**
 * The function's own registers 40h-FFh. The function keeps their bytes; the bus only
 * forwards accesses (offset is absolute, 40h-FFh; the access never crosses FFh).
 */
export interface PciDeviceSpecificRegisters {
  read(offset: number, width: Width): number;
  write(offset: number, width: Width, value: number): void;
  /** Present when the bus owns the registers' lifetime (bridges); devices may reset their own. */
  reset?(): void;
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** What a function looks like to configuration software. */
export interface PciFunctionSpec {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly revision?: number;
  readonly classCode: number;
  readonly subclass: number;
  readonly progIf?: number;
  readonly subsystemVendorId?: number;
  readonly subsystemId?: number;
  /** Power-on command register (default 0: no decoding until firmware enables it). */
  readonly command?: number;
  /** Command bits the function implements (default IO, MEM, BM, PERR, SERR, INTx disable). */
  readonly commandWritable?: number;
  /** Read-only status bits (DEVSEL timing, capability flags). */
  readonly status?: number;
  /** 0 none, 1-4 INTA#-INTD#. */
  readonly interruptPin?: number;
  /** Power-on interrupt line (default 0); firmware writes the routed IRQ here. */
  readonly interruptLine?: number;
  readonly bars?: readonly (PciBarSpec | undefined)[];
  /**
   * Expansion ROM BAR at 30h (PCI 2.1 6.2.5.2): `size` a power of two >= 2 KiB; `onMap`
   * receives the base while bit 0 (ROM enable) and the memory enable bit are set, else -1.
   */
  readonly rom?: { readonly size: number; readonly onMap?: (base: number) => void };
  readonly deviceSpecific?: PciDeviceSpecificRegisters;
}

/** Called by the bus when a function's INTx# changes level. */
export type IntxSink = (fn: PciFunction, isAsserted: boolean) => void;

const NOT_MAPPED = -1;
const IO_SPACE_END = 0x1_0000;
const MEMORY_SPACE_END = 0x1_0000_0000;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(n) && (n & (n - 1)) === 0;
}

export class PciFunction {
  readonly device: number;
  readonly function: number;
  /** devfn as firmware spells it: device << 3 | function. */
  readonly devfn: number;
  readonly spec: PciFunctionSpec;
  /** INTx# of this function (the pin in its header); assertion is level, wire-ORed by the bus. */
  readonly intx: IrqLine;
  private readonly config = new Uint8Array(CONFIG_SPACE_BYTES);
  private readonly powerOn = new Uint8Array(CONFIG_SPACE_BYTES);
  private readonly writable = new Uint8Array(CONFIG_SPACE_BYTES);
  private readonly writeOneToClear = new Uint8Array(CONFIG_SPACE_BYTES);
  private readonly mapped: number[] = [];
  private isIntxAsserted = false;
  private isMultiFunction = false;

  constructor(
    device: number,
    fn: number,
    spec: PciFunctionSpec,
    private readonly intxSink: IntxSink,
    private readonly log: () => Logger | undefined,
  ) {
    if (device < 0 || device > 31 || fn < 0 || fn > 7)
      throw new RangeError(`PCI function ${device}.${fn} is out of range`);
    this.device = device;
    this.function = fn;
    this.devfn = (device << 3) | fn;
    this.spec = spec;
    this.buildPowerOn();
    this.config.set(this.powerOn);
    for (let i = 0; i < BAR_COUNT; i++) this.mapped.push(NOT_MAPPED);
    this.intx = {
      raise: () => this.setIntx(true),
      lower: () => this.setIntx(false),
    };
  }

  private buildPowerOn(): void {
    const s = this.spec;
    const p = this.powerOn;
    const put = (offset: number, width: number, value: number, writable = 0): void => {
      for (let i = 0; i < width; i++) {
        p[offset + i] = (value >>> (8 * i)) & 0xff;
        this.writable[offset + i] = (writable >>> (8 * i)) & 0xff;
      }
    };
    put(VENDOR_ID, 2, s.vendorId);
    put(DEVICE_ID, 2, s.deviceId);
    put(COMMAND, 2, s.command ?? 0, s.commandWritable ?? COMMAND_WRITABLE_DEFAULT);
    put(STATUS, 2, s.status ?? 0);
    this.writeOneToClear[STATUS] = STATUS_WRITE_ONE_TO_CLEAR & 0xff;
    this.writeOneToClear[STATUS + 1] = STATUS_WRITE_ONE_TO_CLEAR >>> 8;
    put(REVISION_ID, 1, s.revision ?? 0);
    put(PROG_IF, 1, s.progIf ?? 0);
    put(SUBCLASS, 1, s.subclass);
    put(CLASS_CODE, 1, s.classCode);
    put(CACHE_LINE_SIZE, 1, 0, 0xff);
    put(LATENCY_TIMER, 1, 0, 0xff);
    const bars = s.bars ?? [];
    for (let i = 0; i < BAR_COUNT; i++) {
      const bar = bars[i];
      if (bar === undefined) continue;
      const minimum = bar.kind === "io" ? 4 : 16;
      if (!isPowerOfTwo(bar.size) || bar.size < minimum)
        throw new RangeError(`BAR${i} size ${bar.size} is not a power of two >= ${minimum}`);
      // Address bits below the size are hard-wired to 0; that is what sizing reads back.
      const low = bar.kind === "io" ? BAR_IO : bar.isPrefetchable ? BAR_MEMORY_PREFETCHABLE : 0;
      const addressMask = bar.kind === "io" ? 0xffff_fffc : 0xffff_fff0;
      put(BAR0 + 4 * i, 4, low, (addressMask & ~(bar.size - 1)) >>> 0);
    }
    if (s.rom !== undefined) {
      if (!isPowerOfTwo(s.rom.size) || s.rom.size < 2048)
        throw new RangeError(`ROM size ${s.rom.size} is not a power of two >= 2048`);
      put(EXPANSION_ROM, 4, 0, (0xffff_f800 & ~(s.rom.size - 1)) | ROM_ENABLE);
    }
    put(SUBSYSTEM_VENDOR_ID, 2, s.subsystemVendorId ?? 0);
    put(SUBSYSTEM_ID, 2, s.subsystemId ?? 0);
    put(INTERRUPT_LINE, 1, s.interruptLine ?? 0, 0xff);
    put(INTERRUPT_PIN, 1, s.interruptPin ?? 0);
  }

  /** Set by the bus when another function shares the device number (header bit 7). */
  setMultiFunction(isMulti: boolean): void {
    this.isMultiFunction = isMulti;
  }

  /** Reads `width` bytes at `offset` (aligned within the dword by the caller). */
  readConfig(offset: number, width: Width): number {
    if (offset >= DEVICE_SPECIFIC && this.spec.deviceSpecific !== undefined)
      return this.spec.deviceSpecific.read(offset, width) >>> 0;
    let value = 0;
    for (let i = 0; i < width; i++) value |= this.readByte(offset + i) << (8 * i);
    return value >>> 0;
  }

  private readByte(offset: number): number {
    let b = this.config[offset] ?? 0xff;
    if (offset === HEADER_TYPE && this.isMultiFunction) b |= 0x80;
    if (offset === STATUS && this.isIntxAsserted) b |= STATUS_INTERRUPT;
    return b;
  }

  writeConfig(offset: number, width: Width, value: number): void {
    if (offset >= DEVICE_SPECIFIC) {
      this.spec.deviceSpecific?.write(offset, width, value);
      return;
    }
    let touchesDecode = false;
    for (let i = 0; i < width; i++) {
      const at = offset + i;
      const byte = (value >>> (8 * i)) & 0xff;
      const mask = this.writable[at] ?? 0;
      let next = ((this.config[at] ?? 0) & ~mask) | (byte & mask);
      next &= ~(byte & (this.writeOneToClear[at] ?? 0));
      this.config[at] = next;
      if (
        at === COMMAND ||
        at === COMMAND + 1 ||
        (at >= BAR0 && at < BAR0 + 4 * BAR_COUNT) ||
        (at >= EXPANSION_ROM && at < EXPANSION_ROM + 4)
      )
        touchesDecode = true;
    }
    if (touchesDecode) {
      this.updateMappings();
      this.updateIntx();
    }
  }

  /** The command register as last written. */
  get command(): number {
    return (this.config[COMMAND] ?? 0) | ((this.config[COMMAND + 1] ?? 0) << 8);
  }

  /** The base BAR `index` decodes now, or -1. */
  barBase(index: number): number {
    return this.mapped[index] ?? NOT_MAPPED;
  }

  private barValue(index: number): number {
    const o = BAR0 + 4 * index;
    return (
      ((this.config[o] ?? 0) |
        ((this.config[o + 1] ?? 0) << 8) |
        ((this.config[o + 2] ?? 0) << 16) |
        ((this.config[o + 3] ?? 0) << 24)) >>>
      0
    );
  }

  /** Recomputes every BAR's decoded base and reports changes (PCI 2.1 6.2.5.1). */
  updateMappings(): void {
    const bars = this.spec.bars ?? [];
    const command = this.command;
    for (let i = 0; i < BAR_COUNT; i++) {
      const bar = bars[i];
      if (bar === undefined) continue;
      let base: number;
      let end: number;
      let isEnabled: boolean;
      if (bar.kind === "io") {
        base = (this.barValue(i) & 0xffff_fffc) >>> 0;
        end = IO_SPACE_END;
        isEnabled = (command & COMMAND_IO) !== 0;
      } else {
        base = (this.barValue(i) & 0xffff_fff0) >>> 0;
        end = MEMORY_SPACE_END;
        isEnabled = (command & COMMAND_MEMORY) !== 0;
      }
      // Base 0 and ranges past the end of the space do not decode (as QEMU's
      // pci_bar_address); a BAR written with all ones during sizing lands here.
      const next = isEnabled && base !== 0 && base + bar.size <= end ? base : NOT_MAPPED;
      if (next === this.mapped[i]) continue;
      this.mapped[i] = next;
      this.report(i, bar, next);
    }
    this.updateRomMapping();
  }

  /** The base the expansion ROM decodes at now, or -1. */
  get romBase(): number {
    return this.mappedRom;
  }

  private mappedRom = NOT_MAPPED;

  private updateRomMapping(): void {
    const rom = this.spec.rom;
    if (rom === undefined) return;
    const o = EXPANSION_ROM;
    const value =
      ((this.config[o] ?? 0) |
        ((this.config[o + 1] ?? 0) << 8) |
        ((this.config[o + 2] ?? 0) << 16) |
        ((this.config[o + 3] ?? 0) << 24)) >>>
      0;
    const base = (value & 0xffff_f800) >>> 0;
    const isEnabled = (value & ROM_ENABLE) !== 0 && (this.command & COMMAND_MEMORY) !== 0;
    const next = isEnabled && base !== 0 && base + rom.size <= MEMORY_SPACE_END ? base : NOT_MAPPED;
    if (next === this.mappedRom) return;
    this.mappedRom = next;
    this.report(-1, rom, next);
  }

  private report(index: number, bar: { onMap?: (base: number) => void }, base: number): void {
    if (bar.onMap === undefined) return;
    try {
      bar.onMap(base);
    } catch (error) {
      this.log()?.warn(
        `pci ${this.device}.${this.function} ${index >= 0 ? `BAR${index}` : "ROM"} at ${base.toString(16)}: ${String(error)}`,
      );
      if (index >= 0) this.mapped[index] = NOT_MAPPED;
      else this.mappedRom = NOT_MAPPED;
      try {
        bar.onMap(NOT_MAPPED);
      } catch {
        // Unmapping cannot conflict; nothing more to undo.
      }
    }
  }

  private setIntx(isAsserted: boolean): void {
    this.isIntxAsserted = isAsserted;
    this.updateIntx();
  }

  private drivesIntx = false;

  private isDrivingIntx(): boolean {
    return this.isIntxAsserted && (this.command & COMMAND_INTX_DISABLE) === 0;
  }

  /** Re-evaluates the INTx output after a command write (INTx disable). */
  private updateIntx(): void {
    const isDriving = this.isDrivingIntx();
    if (isDriving === this.drivesIntx) return;
    this.drivesIntx = isDriving;
    this.intxSink(this, isDriving);
  }

  /** Back to power-on values; BARs stop decoding. */
  reset(): void {
    this.config.set(this.powerOn);
    this.spec.deviceSpecific?.reset?.();
    this.updateMappings();
    this.updateIntx();
  }

  saveState(): { config: number[]; isIntxAsserted: boolean; deviceSpecific?: unknown } {
    const own = this.spec.deviceSpecific?.saveState?.();
    return {
      config: Array.from(this.config),
      isIntxAsserted: this.isIntxAsserted,
      ...(own === undefined ? {} : { deviceSpecific: own }),
    };
  }

  loadState(state: unknown): void {
    const s = (state ?? {}) as {
      config?: unknown;
      isIntxAsserted?: unknown;
      deviceSpecific?: unknown;
    };
    if (s.deviceSpecific !== undefined) this.spec.deviceSpecific?.loadState?.(s.deviceSpecific);
    const bytes = s.config;
    if (Array.isArray(bytes) && bytes.length === CONFIG_SPACE_BYTES) {
      // Read-only bytes keep their power-on values whatever the snapshot says.
      for (let i = 0; i < CONFIG_SPACE_BYTES; i++) {
        const mask = this.writable[i] ?? 0;
        this.config[i] = ((this.powerOn[i] ?? 0) & ~mask) | (Number(bytes[i]) & 0xff & mask);
      }
    }
    this.isIntxAsserted = s.isIntxAsserted === true;
    this.updateMappings();
    this.updateIntx();
  }
}
