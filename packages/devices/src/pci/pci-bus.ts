// PCI bus 0 behind configuration mechanism #1 (CF8h/CFCh), the PIIX3 reset control
// register at CF9h, and INTx# wire-OR onto the four PIRQ lines.
import type {
  Device,
  DeviceContext,
  DeviceState,
  Logger,
  PortIoHandler,
  ResetKind,
  Width,
} from "@ringvm/bus";
import { PciFunction } from "./pci-function";
import type { PciFunctionSpec } from "./pci-function";
import {
  CONFIG_ADDRESS_MASK,
  CONFIG_ADDRESS_PORT,
  CONFIG_ENABLE,
  RC_RESET_CPU,
  RC_SYSTEM_RESET,
  RESET_CONTROL_PORT,
} from "./regs";

/** Options of {@link PciBus}. */
export interface PciBusOptions {
  /**
   * A write to CF9h that sets RCPU (bit 2) from 0 to 1: `hard` when SRST (bit 1) is set.
   * Linux's `reboot=pci` writes 02h then 06h.
   */
  readonly onReset?: (isHard: boolean) => void;
}

/** Listener of PIRQ# line levels (index 0-3 = PIRQA#-PIRQD#). */
export type PirqListener = (pirq: number, isAsserted: boolean) => void;

const FUNCTIONS = 256;

/**
 * Bus 0 with up to 32 devices of 8 functions. The board registers functions (the host
 * bridge, the ISA bridge, IDE, ACPI, ...); the bus answers configuration cycles for them
 * and returns all ones (master abort) for empty slots and other bus numbers.
 *
 * INTx# of device `d`, pin `p` (1-4) drives PIRQ `(d - 1 + p - 1) & 3`, the swizzle of the
 * PIIX3 boards that SeaBIOS (`piix_pci_slot_get_irq`) and QEMU use.
 */
export class PciBus implements Device {
  readonly specificationVersion = "v1";
  readonly name = "pci";
  private readonly functions: (PciFunction | undefined)[] = new Array<PciFunction | undefined>(
    FUNCTIONS,
  ).fill(undefined);
  private address = 0;
  private resetControl = 0;
  private readonly pirqCounts = [0, 0, 0, 0];
  private readonly pirqListeners: PirqListener[] = [];
  private log: Logger | undefined;
  private readonly onReset: ((isHard: boolean) => void) | undefined;

  constructor(options: PciBusOptions = {}) {
    this.onReset = options.onReset;
  }

  /** Adds a function at 00:device.function; throws if the slot is taken. */
  register(device: number, fn: number, spec: PciFunctionSpec): PciFunction {
    const created = new PciFunction(
      device,
      fn,
      spec,
      (f, isAsserted) => this.intxChanged(f, isAsserted),
      () => this.log,
    );
    if (this.functions[created.devfn] !== undefined)
      throw new Error(`PCI 00:${device}.${fn} is already registered`);
    this.functions[created.devfn] = created;
    const first = device << 3;
    let isMulti = false;
    for (let f = 1; f < 8; f++) if (this.functions[first + f] !== undefined) isMulti = true;
    this.functions[first]?.setMultiFunction(isMulti);
    return created;
  }

  /** The function at 00:device.function, if any. */
  functionAt(device: number, fn: number): PciFunction | undefined {
    return this.functions[((device & 31) << 3) | (fn & 7)];
  }

  /** Subscribes to PIRQ level changes (the ISA bridge routes them; an IOAPIC may too). */
  onPirq(listener: PirqListener): void {
    this.pirqListeners.push(listener);
  }

  /** Whether any function currently asserts PIRQ `pirq`. */
  isPirqAsserted(pirq: number): boolean {
    return (this.pirqCounts[pirq & 3] ?? 0) > 0;
  }

  private intxChanged(fn: PciFunction, isAsserted: boolean): void {
    const pin = fn.spec.interruptPin ?? 0;
    if (pin < 1 || pin > 4) return;
    const pirq = (fn.device - 1 + pin - 1) & 3;
    const before = this.pirqCounts[pirq] ?? 0;
    const after = Math.max(0, before + (isAsserted ? 1 : -1));
    this.pirqCounts[pirq] = after;
    if ((before === 0) !== (after === 0))
      for (const listener of this.pirqListeners) listener(pirq, after > 0);
  }

  attach(context: DeviceContext): void {
    this.log = context.log;
    const addressAndReset: PortIoHandler = {
      read: (port, width) => this.readAddressPorts(port, width),
      write: (port, width, value) => this.writeAddressPorts(port, width, value),
    };
    context.io.registerPorts(CONFIG_ADDRESS_PORT, 4, addressAndReset, {
      owner: this.name,
      widths: [1, 2, 4],
    });
    context.io.registerPorts(
      CONFIG_ADDRESS_PORT + 4,
      4,
      {
        read: (port, width) => this.readData(port, width),
        write: (port, width, value) => this.writeData(port, width, value),
      },
      { owner: this.name, widths: [1, 2, 4] },
    );
  }

  /**
   * CONFIG_ADDRESS claims only dword accesses at CF8h (PCI 2.1 3.7.4.1); the byte at CF9h
   * is the reset control register; anything else is not decoded and floats high.
   */
  private readAddressPorts(port: number, width: Width): number {
    if (port === CONFIG_ADDRESS_PORT && width === 4) return this.address >>> 0;
    if (port === RESET_CONTROL_PORT && width === 1) return this.resetControl;
    return width === 4 ? 0xffff_ffff : width === 2 ? 0xffff : 0xff;
  }

  private writeAddressPorts(port: number, width: Width, value: number): void {
    if (port === CONFIG_ADDRESS_PORT && width === 4) {
      this.address = (value & CONFIG_ADDRESS_MASK) >>> 0;
      return;
    }
    if (port === RESET_CONTROL_PORT && width === 1) {
      const isStart = (value & RC_RESET_CPU) !== 0 && (this.resetControl & RC_RESET_CPU) === 0;
      // RCPU is self-clearing once the reset is issued (82371SB 2.9.2).
      this.resetControl = value & RC_SYSTEM_RESET;
      if (isStart) this.onReset?.((value & RC_SYSTEM_RESET) !== 0);
    }
  }

  /** The addressed function, or undefined (disabled, other bus, empty slot). */
  private target(): PciFunction | undefined {
    if ((this.address & CONFIG_ENABLE) === 0) return undefined;
    if (((this.address >>> 16) & 0xff) !== 0) return undefined;
    return this.functions[(this.address >>> 8) & 0xff];
  }

  private readData(port: number, width: Width): number {
    const fn = this.target();
    const all = width === 4 ? 0xffff_ffff : width === 2 ? 0xffff : 0xff;
    if (fn === undefined) return all;
    const offset = (this.address & 0xfc) + (port & 3);
    // An access that runs past CFFh is cut at the dword; the rest floats high.
    const inside = Math.min(width, 4 - (port & 3));
    if (inside === width) return fn.readConfig(offset, width);
    let value = all;
    for (let i = 0; i < inside; i++) {
      value &= ~(0xff << (8 * i));
      value |= fn.readConfig(offset + i, 1) << (8 * i);
    }
    return value >>> 0;
  }

  private writeData(port: number, width: Width, value: number): void {
    const fn = this.target();
    if (fn === undefined) return;
    const offset = (this.address & 0xfc) + (port & 3);
    const inside = Math.min(width, 4 - (port & 3));
    if (inside === width) fn.writeConfig(offset, width, value);
    else for (let i = 0; i < inside; i++) fn.writeConfig(offset + i, 1, (value >>> (8 * i)) & 0xff);
  }

  /** Direct configuration access for the board and tests (`offset` 0-255). */
  readConfig(device: number, fn: number, offset: number, width: Width): number {
    return (
      this.functionAt(device, fn)?.readConfig(offset, width) ?? 0xffff_ffff >>> (32 - 8 * width)
    );
  }

  writeConfig(device: number, fn: number, offset: number, width: Width, value: number): void {
    this.functionAt(device, fn)?.writeConfig(offset, width, value);
  }

  reset(kind: ResetKind): void {
    this.address = 0;
    if (kind !== "software") this.resetControl = 0;
    for (const fn of this.functions) fn?.reset();
  }

  saveState(): DeviceState {
    const functions: Record<string, unknown> = {};
    for (const fn of this.functions) if (fn !== undefined) functions[fn.devfn] = fn.saveState();
    return { address: this.address, resetControl: this.resetControl, functions };
  }

  loadState(state: DeviceState): void {
    this.address = (Number(state["address"] ?? 0) & CONFIG_ADDRESS_MASK) >>> 0;
    this.resetControl = Number(state["resetControl"] ?? 0) & RC_SYSTEM_RESET;
    const functions = (state["functions"] ?? {}) as Record<string, unknown>;
    for (const fn of this.functions) if (fn !== undefined) fn.loadState(functions[fn.devfn]);
  }
}
