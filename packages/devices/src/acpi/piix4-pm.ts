// The PIIX4 power-management function (PCI 00:01.3): the PM I/O block at PMBA with the
// ACPI PM1 status/enable/control registers, the 3.579545 MHz PM timer, the SCI on IRQ 9,
// and S5 soft-off through SUS_TYP/SUS_EN (82371AB datasheet, PM function; ACPI 4.8).
import type {
  Clock,
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  Logger,
  ResetKind,
  ScheduledEvent,
  Scheduler,
  Width,
} from "@ringvm/bus";
import * as R from "./regs";

/**
 * Identity of the function for the board's PCI bus (82371AB PIIX4 ACPI, class 0680h),
 * spread into the bus's function spec together with {@link Piix4Pm.pciConfig}.
 */
export const PIIX4_PM_PCI = {
  vendorId: 0x8086,
  deviceId: 0x7113,
  revision: 0x03,
  classCode: 0x06,
  subclass: 0x80,
  interruptPin: 1,
  status: 0x0280,
} as const;

/** Options of {@link Piix4Pm}. */
export interface Piix4PmOptions {
  /** SUS_EN with the soft-off type: the guest asked to power off (ends the run). */
  readonly onPowerOff?: () => void;
  /** SUS_EN with another type (S1-S4 are not modelled; the board may treat them as off). */
  readonly onSleep?: (sleepType: number) => void;
  /** SUS_TYP value that means S5 (default 0, the datasheet's "soft off"). */
  readonly softOffType?: number;
  /** ISA IRQ of the SCI (default 9). */
  readonly sciIrq?: number;
  /**
   * PM timer width: 24 (the PIIX4's, default) or 32 (for ACPI tables that set the FADT's
   * TMR_VAL_EXT flag). TMROF_STS sets when the top bit toggles (ACPI 4.8.2.1).
   */
  readonly timerBits?: 24 | 32;
}

const CONFIG_FIRST = 0x40;
const CONFIG_BYTES = 0xc0;
/** Ticks per second, split so tick arithmetic stays exact in doubles for centuries. */
const NS_PER_SECOND = 1_000_000_000;

/** PM timer ticks elapsed at guest time `ns` (floor(ns * 3579545 / 1e9), exact). */
export function pmTimerTicks(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const rest = ns - seconds * NS_PER_SECOND;
  return seconds * R.PM_TIMER_HZ + Math.floor((rest * R.PM_TIMER_HZ) / NS_PER_SECOND);
}

/** The first guest time (ns) at which the tick count reaches `ticks`. */
function timeOfTick(ticks: number): number {
  const seconds = Math.floor(ticks / R.PM_TIMER_HZ);
  const rest = ticks - seconds * R.PM_TIMER_HZ;
  return seconds * NS_PER_SECOND + Math.ceil((rest * NS_PER_SECOND) / R.PM_TIMER_HZ);
}

export class Piix4Pm implements Device {
  readonly specificationVersion = "v1";
  readonly name = "piix4-pm";
  /** The function's registers 40h-FFh, for the PCI bus (`deviceSpecific`). */
  readonly pciConfig: {
    read(offset: number, width: Width): number;
    write(offset: number, width: Width, value: number): void;
  };
  private readonly config = new Uint8Array(CONFIG_BYTES);
  private readonly configWritable = new Uint8Array(CONFIG_BYTES);
  private readonly configPowerOn = new Uint8Array(CONFIG_BYTES);
  private pmsts = 0;
  private pmen = 0;
  private pmcntrl = 0;
  private gpsts = 0;
  private gpen = 0;
  /** Storage-only registers: PCNTRL, GLBSTS, DEVSTS, GLBEN, GLBCTL, DEVCTL (no SMI). */
  private readonly misc = new Uint8Array(R.PM_IO_BYTES);
  private ioBase = -1;
  private registration: Disposable | undefined;
  private sci: IrqLine | undefined;
  private sciLevel = false;
  private overflowEvent: ScheduledEvent | undefined;
  private clock: Clock | undefined;
  private scheduler: Scheduler | undefined;
  private context: DeviceContext | undefined;
  private log: Logger | undefined;
  /** 2^(bits - 1): the period of the top bit's toggles, in ticks. */
  private readonly timerHalf: number;

  constructor(private readonly options: Piix4PmOptions = {}) {
    this.timerHalf = 2 ** ((options.timerBits ?? R.PM_TIMER_BITS) - 1);
    const reg = (offset: number, width: number, value: number, writable: number) => {
      for (let i = 0; i < width; i++) {
        this.configPowerOn[offset - CONFIG_FIRST + i] = (value >>> (8 * i)) & 0xff;
        this.configWritable[offset - CONFIG_FIRST + i] = (writable >>> (8 * i)) & 0xff;
      }
    };
    reg(R.PMBA, 4, 0x0000_0001, R.PMBA_MASK);
    // CNTA, CNTB, GPICTL, DEVRESD, DEVACTA: plain read/write storage.
    for (let o = 0x44; o < 0x58; o += 4) reg(o, 4, 0, 0xffff_ffff);
    // DEVACTB powers on with APMC_EN set: the CPU has no SMM, and SeaBIOS skips its SMM
    // relocation (which would spin on port B3h) when it finds APMC_EN already set.
    reg(R.DEVACTB, 4, R.DEVACTB_APMC_EN, 0xffff_ffff);
    for (let o = 0x5c; o < 0x80; o += 4) reg(o, 4, 0, 0xffff_ffff); // DEVRESA-J
    // DEVRESA/DEVRESB power-on bytes as QEMU's piix4_pm sets them (test/oracle).
    reg(0x5f, 1, 0x10, 0xff);
    reg(0x63, 1, 0x60, 0xff);
    reg(R.PMREGMISC, 1, 0, R.PMIOSE);
    reg(R.SMBBA, 4, 0x0000_0001, 0xfff0);
    reg(R.SMBHSTCFG, 1, 0, 0x0f);
    this.config.set(this.configPowerOn);
    this.pciConfig = {
      read: (offset, width) => this.readConfig(offset, width),
      write: (offset, width, value) => this.writeConfig(offset, width, value),
    };
  }

  attach(context: DeviceContext): void {
    this.context = context;
    this.clock = context.clock;
    this.scheduler = context.scheduler;
    this.log = context.log;
    this.sci = context.irq(this.options.sciIrq ?? R.SCI_IRQ);
    this.updateMapping();
    this.scheduleOverflow();
  }

  // --- PCI configuration -------------------------------------------------------------------

  private readConfig(offset: number, width: Width): number {
    let value = 0;
    for (let i = 0; i < width; i++)
      value |= (this.config[offset - CONFIG_FIRST + i] ?? 0) << (8 * i);
    return value >>> 0;
  }

  private writeConfig(offset: number, width: Width, value: number): void {
    for (let i = 0; i < width; i++) {
      const at = offset - CONFIG_FIRST + i;
      const mask = this.configWritable[at] ?? 0;
      this.config[at] = ((this.config[at] ?? 0) & ~mask) | ((value >>> (8 * i)) & mask);
    }
    this.updateMapping();
  }

  /** Where the PM block decodes now (PMBA with PMIOSE), or -1. */
  get pmBase(): number {
    return this.ioBase;
  }

  private updateMapping(): void {
    // Before attach there is no bus to decode on; attach maps what the registers say.
    if (this.context === undefined) return;
    const isEnabled = ((this.config[R.PMREGMISC - CONFIG_FIRST] ?? 0) & R.PMIOSE) !== 0;
    const base = this.readConfig(R.PMBA, 2) & R.PMBA_MASK;
    const next = isEnabled && base !== 0 ? base : -1;
    if (next === this.ioBase) return;
    this.registration?.[Symbol.dispose]();
    this.registration = undefined;
    this.ioBase = next;
    if (next < 0) return;
    try {
      this.registration = this.context.io.registerPorts(
        next,
        R.PM_IO_BYTES,
        {
          read: (port, width) => this.readIo(port - next, width),
          write: (port, width, value) => this.writeIo(port - next, width, value),
        },
        { owner: this.name, widths: [1, 2, 4] },
      );
    } catch (error) {
      // The guest put the block over another device's ports: it does not decode.
      this.log?.warn(`piix4-pm: PM block at ${next.toString(16)}: ${String(error)}`);
      this.ioBase = -1;
    }
  }

  // --- PM I/O block ------------------------------------------------------------------------

  /** PM timer value (24 or 32 bits) now. */
  timerValue(): number {
    return (pmTimerTicks(this.clock?.now() ?? 0) % (2 * this.timerHalf)) >>> 0;
  }

  private readIo(offset: number, width: Width): number {
    if (offset === R.PMTMR && width === 4) return this.timerValue();
    let value = 0;
    for (let i = 0; i < width; i++) value |= this.readIoByte(offset + i) << (8 * i);
    return value >>> 0;
  }

  private readIoByte(offset: number): number {
    const lane = (v: number, at: number) => (v >>> (8 * (offset - at))) & 0xff;
    if (offset < R.PMSTS + 2) return lane(this.pmsts, R.PMSTS);
    if (offset < R.PMEN + 2) return lane(this.pmen, R.PMEN);
    if (offset < R.PMCNTRL + 2) return lane(this.pmcntrl & R.PMCNTRL_READABLE, R.PMCNTRL);
    if (offset < R.PMTMR) return 0;
    if (offset < R.PMTMR + 4) return lane(this.timerValue(), R.PMTMR);
    if (offset < R.GPSTS + 2) return lane(this.gpsts, R.GPSTS);
    if (offset < R.GPEN + 2) return lane(this.gpen, R.GPEN);
    return this.misc[offset] ?? 0;
  }

  private writeIo(offset: number, width: Width, value: number): void {
    for (let i = 0; i < width; i++) this.writeIoByte(offset + i, (value >>> (8 * i)) & 0xff);
    this.updateSci();
  }

  private writeIoByte(offset: number, byte: number): void {
    const shift = 8 * (offset & 1);
    const bits = byte << shift;
    if (offset < R.PMSTS + 2) {
      this.pmsts &= ~(bits & R.PMSTS_CLEARABLE);
    } else if (offset < R.PMEN + 2) {
      const mask = (0xff << shift) & R.PMEN_WRITABLE;
      this.pmen = (this.pmen & ~mask) | (bits & mask);
    } else if (offset < R.PMCNTRL + 2) {
      const mask = (0xff << shift) & (R.PMCNTRL_READABLE | R.GBL_RLS);
      this.pmcntrl = (this.pmcntrl & ~mask) | (bits & mask);
      if ((bits & R.SUS_EN) !== 0) this.sleep((this.pmcntrl & R.SUS_TYP_MASK) >>> R.SUS_TYP_SHIFT);
      // GBL_RLS would raise an SMI for the BIOS; with no SMM it only clears itself.
      this.pmcntrl &= ~R.GBL_RLS;
    } else if (offset >= R.GPSTS && offset < R.GPSTS + 2) {
      this.gpsts &= ~bits;
    } else if (offset >= R.GPEN && offset < R.GPEN + 2) {
      const mask = 0xff << shift;
      this.gpen = (this.gpen & ~mask) | bits;
    } else if (offset >= R.PCNTRL && offset < R.PM_IO_BYTES && offset !== 0x14 && offset !== 0x15) {
      // P_LVL2/P_LVL3 (14h/15h) are read-triggered C-state entries; writes do nothing.
      this.misc[offset] = byte;
    }
  }

  private sleep(type: number): void {
    if (type === (this.options.softOffType ?? R.SUS_TYP_SOFT_OFF)) {
      this.log?.debug("piix4-pm: S5 soft off");
      this.options.onPowerOff?.();
    } else {
      this.log?.debug(`piix4-pm: sleep type ${type} requested`);
      this.options.onSleep?.(type);
    }
  }

  /** SCI: level, while SCI_EN and an enabled status bit is set (ACPI 4.8.3.1). */
  private updateSci(): void {
    const isActive =
      (this.pmcntrl & R.SCI_EN) !== 0 &&
      ((this.pmsts & this.pmen & R.PMEN_WRITABLE) !== 0 || (this.gpsts & this.gpen) !== 0);
    if (isActive === this.sciLevel) return;
    this.sciLevel = isActive;
    if (isActive) this.sci?.raise();
    else this.sci?.lower();
  }

  /** The host pressed the power button: PWRBTN_STS, an SCI if the guest enabled it. */
  pressPowerButton(): void {
    this.pmsts |= R.PWRBTN;
    this.updateSci();
  }

  /** Schedules the next toggle of timer bit 23, which sets TMROF_STS. */
  private scheduleOverflow(): void {
    this.overflowEvent?.cancel();
    this.overflowEvent = undefined;
    if (this.scheduler === undefined || this.clock === undefined) return;
    const ticks = pmTimerTicks(this.clock.now());
    const next = (Math.floor(ticks / this.timerHalf) + 1) * this.timerHalf;
    this.overflowEvent = this.scheduler.schedule(timeOfTick(next), () => {
      this.overflowEvent = undefined;
      this.pmsts |= R.TMROF;
      this.updateSci();
      this.scheduleOverflow();
    });
  }

  // --- reset and snapshots -----------------------------------------------------------------

  reset(_kind: ResetKind): void {
    this.config.set(this.configPowerOn);
    this.pmsts = 0;
    this.pmen = 0;
    this.pmcntrl = 0;
    this.gpsts = 0;
    this.gpen = 0;
    this.misc.fill(0);
    this.updateMapping();
    this.updateSci();
    this.scheduleOverflow();
  }

  saveState(): DeviceState {
    return {
      config: Array.from(this.config),
      pm: [this.pmsts, this.pmen, this.pmcntrl, this.gpsts, this.gpen],
      misc: Array.from(this.misc),
    };
  }

  /** Restores registers; the SCI line is not re-driven (the PIC's snapshot holds it). */
  loadState(state: DeviceState): void {
    const config = state["config"];
    this.config.set(this.configPowerOn);
    if (Array.isArray(config) && config.length === CONFIG_BYTES)
      for (let i = 0; i < CONFIG_BYTES; i++) {
        const mask = this.configWritable[i] ?? 0;
        this.config[i] = ((this.configPowerOn[i] ?? 0) & ~mask) | (Number(config[i]) & mask);
      }
    const pm = Array.isArray(state["pm"]) ? (state["pm"] as unknown[]) : [];
    this.pmsts = Number(pm[0] ?? 0) & R.PMSTS_CLEARABLE;
    this.pmen = Number(pm[1] ?? 0) & R.PMEN_WRITABLE;
    this.pmcntrl = Number(pm[2] ?? 0) & R.PMCNTRL_READABLE;
    this.gpsts = Number(pm[3] ?? 0) & 0xffff;
    this.gpen = Number(pm[4] ?? 0) & 0xffff;
    const misc = Array.isArray(state["misc"]) ? (state["misc"] as unknown[]) : [];
    for (let i = 0; i < R.PM_IO_BYTES; i++) this.misc[i] = Number(misc[i] ?? 0) & 0xff;
    this.updateMapping();
    this.sciLevel =
      (this.pmcntrl & R.SCI_EN) !== 0 &&
      ((this.pmsts & this.pmen & R.PMEN_WRITABLE) !== 0 || (this.gpsts & this.gpen) !== 0);
    this.scheduleOverflow();
  }
}
