// The 82093AA I/O APIC: 24 inputs, a redirection table with edge and level triggering and
// the remote IRR handshake, messages to the local APIC through a board callback
// (82093AA datasheet, 3.0 register description and 2.4 "Interrupt delivery").
import type {
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  Logger,
  MmioHandler,
  ResetKind,
  Width,
} from "@ringvm/bus";
import * as R from "./regs";

/** An interrupt message on the APIC bus, as the board passes it to the local APIC. */
export type IoApicDeliver = (
  vector: number,
  deliveryMode: number,
  isLevel: boolean,
  destination: number,
  isLogical: boolean,
) => void;

/** Options of {@link IoApic}. */
export interface IoApicOptions {
  /** Where the registers live (default FEC00000h). */
  readonly base?: number;
  /** Power-on APIC ID (default 0; MP tables usually name it 1 or the CPU count). */
  readonly id?: number;
  /** Sends a message to the local APIC(s). */
  readonly deliver?: IoApicDeliver;
}

/**
 * Input levels are logical assertion (the board's IRQ lines are "asserted" or not), so the
 * polarity bit is stored but not applied, as QEMU does.
 */
export class IoApic implements Device, MmioHandler {
  readonly specificationVersion = "v1";
  readonly name = "io-apic";
  private id: number;
  private select = 0;
  private readonly low = new Uint32Array(R.PIN_COUNT);
  private readonly high = new Uint32Array(R.PIN_COUNT);
  private levels = 0;
  private readonly lines: readonly IrqLine[];
  private log: Logger | undefined;
  deliverMessage: IoApicDeliver | undefined;

  constructor(private readonly options: IoApicOptions = {}) {
    this.id = (options.id ?? 0) & 0xf;
    this.deliverMessage = options.deliver;
    this.low.fill(R.RTE_RESET);
    const lines: IrqLine[] = [];
    for (let pin = 0; pin < R.PIN_COUNT; pin++)
      lines.push({ raise: () => this.setInput(pin, true), lower: () => this.setInput(pin, false) });
    this.lines = lines;
  }

  attach(context: DeviceContext): void {
    this.log = context.log;
    const base = this.options.base ?? R.IOAPIC_DEFAULT_BASE;
    context.io.mapMmio(base, R.IOAPIC_PAGE_BYTES, this, { owner: this.name });
  }

  /** Input pin `pin` (0-23) as an IRQ line the board hands to devices. */
  input(pin: number): IrqLine {
    const line = this.lines[pin];
    if (line === undefined) throw new RangeError(`IOAPIC pin ${pin} is not 0-23`);
    return line;
  }

  // --- MMIO --------------------------------------------------------------------------------

  read(offset: number, width: Width): number {
    if (offset < R.IOWIN) return offset === R.IOREGSEL ? this.select : 0;
    if (offset === R.IOWIN && width === 4) return this.readRegister(this.select) >>> 0;
    if (offset >= R.IOWIN && offset < R.IOWIN + 4) {
      const shift = 8 * (offset - R.IOWIN);
      return (this.readRegister(this.select) >>> shift) & (width === 2 ? 0xffff : 0xff);
    }
    return 0;
  }

  write(offset: number, width: Width, value: number): void {
    if (offset === R.IOREGSEL) {
      this.select = value & 0xff;
      return;
    }
    if (offset === R.IOWIN && width === 4) {
      this.writeRegister(this.select, value >>> 0);
      return;
    }
    this.log?.debug(`io-apic: ${width}-byte write at ${offset.toString(16)} ignored`);
  }

  private readRegister(index: number): number {
    switch (index) {
      case R.REG_ID:
        return this.id << 24;
      case R.REG_VERSION:
        return R.VERSION;
      case R.REG_ARBITRATION:
        return this.id << 24;
    }
    const entry = (index - R.REG_REDIRECTION) >> 1;
    if (entry < 0 || entry >= R.PIN_COUNT) return 0;
    return (index & 1) === 0 ? (this.low[entry] ?? 0) : (this.high[entry] ?? 0);
  }

  private writeRegister(index: number, value: number): void {
    if (index === R.REG_ID) {
      this.id = (value >>> 24) & 0xf;
      return;
    }
    const entry = (index - R.REG_REDIRECTION) >> 1;
    if (entry < 0 || entry >= R.PIN_COUNT) return;
    if ((index & 1) === 1) {
      this.high[entry] = (value & R.RTE_HIGH_WRITABLE) >>> 0;
      return;
    }
    const old = this.low[entry] ?? 0;
    let next = value & R.RTE_LOW_WRITABLE;
    // Remote IRR is read-only and meaningful for level entries only.
    if ((next & R.RTE_LEVEL) !== 0) next |= old & R.RTE_REMOTE_IRR;
    this.low[entry] = next >>> 0;
    // Unmasking a level input that is still asserted delivers it now.
    this.service(entry);
  }

  // --- inputs and delivery -----------------------------------------------------------------

  /** Drives input `pin`: true = asserted. */
  setInput(pin: number, isAsserted: boolean): void {
    if (pin < 0 || pin >= R.PIN_COUNT) return;
    const bit = 1 << pin;
    const was = (this.levels & bit) !== 0;
    this.levels = isAsserted ? this.levels | bit : this.levels & ~bit;
    const entry = this.low[pin] ?? R.RTE_RESET;
    if ((entry & R.RTE_LEVEL) !== 0) this.service(pin);
    else if (isAsserted && !was && (entry & R.RTE_MASKED) === 0) this.send(pin);
    // A masked edge is lost (82093AA 3.2.4, "Interrupt Mask").
  }

  /** Level entries: deliver while asserted, unmasked and not waiting for EOI. */
  private service(pin: number): void {
    const entry = this.low[pin] ?? R.RTE_RESET;
    if ((entry & R.RTE_LEVEL) === 0 || (entry & R.RTE_MASKED) !== 0) return;
    if ((entry & R.RTE_REMOTE_IRR) !== 0 || ((this.levels >>> pin) & 1) === 0) return;
    this.low[pin] = (entry | R.RTE_REMOTE_IRR) >>> 0;
    this.send(pin);
  }

  private send(pin: number): void {
    const entry = this.low[pin] ?? 0;
    this.deliverMessage?.(
      entry & R.RTE_VECTOR,
      (entry >>> 8) & 7,
      (entry & R.RTE_LEVEL) !== 0,
      (this.high[pin] ?? 0) >>> 24,
      (entry & R.RTE_DEST_LOGICAL) !== 0,
    );
  }

  /**
   * EOI broadcast from the local APIC for `vector`: clears remote IRR of level entries with
   * that vector and delivers again those whose input is still asserted.
   */
  eoi(vector: number): void {
    for (let pin = 0; pin < R.PIN_COUNT; pin++) {
      const entry = this.low[pin] ?? 0;
      if ((entry & R.RTE_REMOTE_IRR) === 0 || (entry & R.RTE_VECTOR) !== (vector & 0xff)) continue;
      this.low[pin] = (entry & ~R.RTE_REMOTE_IRR) >>> 0;
      this.service(pin);
    }
  }

  reset(_kind: ResetKind): void {
    this.id = (this.options.id ?? 0) & 0xf;
    this.select = 0;
    this.low.fill(R.RTE_RESET);
    this.high.fill(0);
  }

  saveState(): DeviceState {
    return {
      id: this.id,
      select: this.select,
      low: Array.from(this.low),
      high: Array.from(this.high),
      levels: this.levels,
    };
  }

  loadState(state: DeviceState): void {
    this.id = Number(state["id"] ?? 0) & 0xf;
    this.select = Number(state["select"] ?? 0) & 0xff;
    const low = Array.isArray(state["low"]) ? (state["low"] as unknown[]) : [];
    const high = Array.isArray(state["high"]) ? (state["high"] as unknown[]) : [];
    for (let i = 0; i < R.PIN_COUNT; i++) {
      this.low[i] =
        low[i] === undefined
          ? R.RTE_RESET
          : (Number(low[i]) & (R.RTE_LOW_WRITABLE | R.RTE_REMOTE_IRR)) >>> 0;
      this.high[i] = (Number(high[i] ?? 0) & R.RTE_HIGH_WRITABLE) >>> 0;
    }
    this.levels = (Number(state["levels"] ?? 0) & 0xff_ffff) >>> 0;
  }
}
