// The local APIC of a single-processor machine (Intel SDM vol. 3A chapter 10): ID, version,
// task and processor priority, EOI with the level-triggered EOI broadcast, logical
// destination, spurious vector, ISR/TMR/IRR, error status, ICR (self and fixed IPIs; INIT
// and SIPI ignored with one CPU), the LVT with the timer in one-shot and periodic modes,
// LINT0 as ExtINT (virtual wire: the PIC's interrupts pass through) and LINT1 as NMI.
import type {
  Clock,
  Device,
  DeviceContext,
  DeviceState,
  Logger,
  MmioHandler,
  ResetKind,
  ScheduledEvent,
  Scheduler,
  Width,
} from "@ringvm/bus";
import * as R from "./regs";
import { VectorBitmap } from "./vector-bitmap";

/** The interrupt controller behind LINT0 in ExtINT mode (the 8259 pair). */
export interface ExtIntSource {
  hasInterrupt(): boolean;
  acknowledge(): number;
}

/** Options of {@link LocalApic}. */
export interface LocalApicOptions {
  /** APIC ID (default 0). */
  readonly id?: number;
  /**
   * Timer input clock in Hz before the divider (default 1 GHz, QEMU's APIC bus frequency;
   * guests calibrate it against the PIT).
   */
  readonly busFrequencyHz?: number;
  /** The PIC, reached through LINT0 in ExtINT mode or while the APIC is disabled. */
  readonly extInt?: ExtIntSource;
  /** EOI of a level-triggered vector: the board broadcasts it to the IOAPIC. */
  readonly onEoi?: (vector: number) => void;
  /** An NMI was delivered (LINT1, ICR or an IOAPIC entry in NMI mode). */
  readonly onNmi?: () => void;
  /** The INTR output (what {@link LocalApic.hasInterrupt} says) changed. */
  readonly onOutputChange?: (isAsserted: boolean) => void;
}

// LVT order as in the register page: timer, thermal (1), performance (2), LINT0, LINT1, error.
const LVT_TIMER = 0;
const LVT_LINT0 = 3;
const LVT_LINT1 = 4;
const LVT_ERROR = 5;
const LVT_COUNT = 6;
const LVT_WRITABLE = [
  R.LVT_WRITABLE_TIMER,
  R.LVT_WRITABLE_OTHER,
  R.LVT_WRITABLE_OTHER,
  R.LVT_WRITABLE_LINT,
  R.LVT_WRITABLE_LINT,
  R.LVT_WRITABLE_ERROR,
];

/** Shortest spacing of periodic timer interrupts (200 us, as KVM's min_timer_period_us). */
const MIN_PERIODIC_NS = 200_000;

/** Whether LVT timer value `lvt` selects TSC-deadline mode (bits 18:17 = 10b). */
function isTscDeadline(lvt: number): boolean {
  return (lvt & R.LVT_TIMER_MODE) === R.LVT_TIMER_TSC_DEADLINE;
}

/** Divide configuration (bits 0, 1, 3) to divisor: 000b = 2 ... 110b = 128, 111b = 1. */
function divisor(dcr: number): number {
  const v = (dcr & 3) | ((dcr >>> 1) & 4);
  return v === 7 ? 1 : 2 << v;
}

export class LocalApic implements Device, MmioHandler {
  readonly specificationVersion = "v1";
  readonly name = "local-apic";
  private id: number;
  private tpr = 0;
  private ldr = 0;
  private dfr = R.DFR_RESET;
  private svr = R.SVR_RESET;
  private readonly isr = new VectorBitmap();
  private readonly tmr = new VectorBitmap();
  private readonly irr = new VectorBitmap();
  private esr = 0;
  private esrPending = 0;
  private icrLow = 0;
  private icrHigh = 0;
  private readonly lvt = new Uint32Array(LVT_COUNT);
  private initialCount = 0;
  private dcr = 0;
  /**
   * Guest ns when the timer next reaches 0 (or, in TSC-deadline mode, its deadline), or -1 when
   * it is not counting.
   */
  private deadline = -1;
  /** IA32_TSC_DEADLINE in TSC-deadline mode: the armed TSC value, 0 when disarmed. */
  private tscDeadline = 0;
  private timerEvent: ScheduledEvent | undefined;
  private baseMsr = (R.APIC_DEFAULT_BASE | R.BASE_BSP | R.BASE_ENABLE) >>> 0;
  private isExtIntPending = false;
  private lint1 = false;
  private output = false;
  private readonly nsPerTick: number;
  private clock: Clock | undefined;
  private scheduler: Scheduler | undefined;
  private log: Logger | undefined;
  private context: DeviceContext | undefined;
  private mapping: Disposable | undefined;
  private isIllegalWidthLogged = false;

  constructor(private readonly options: LocalApicOptions = {}) {
    this.id = (options.id ?? 0) & 0xff;
    this.extInt = options.extInt;
    this.nsPerTick = 1e9 / (options.busFrequencyHz ?? 1e9);
    this.resetRegisters();
  }

  attach(context: DeviceContext): void {
    this.context = context;
    this.clock = context.clock;
    this.scheduler = context.scheduler;
    this.log = context.log;
    this.remap();
  }

  private get isHardwareEnabled(): boolean {
    return (this.baseMsr & R.BASE_ENABLE) !== 0;
  }

  private get isSoftwareEnabled(): boolean {
    return (this.svr & R.SVR_ENABLE) !== 0;
  }

  private remap(): void {
    this.mapping?.[Symbol.dispose]();
    this.mapping = undefined;
    if (this.context === undefined || !this.isHardwareEnabled) return;
    this.mapping = this.context.io.mapMmio(
      (this.baseMsr & R.BASE_ADDRESS_MASK) >>> 0,
      R.APIC_PAGE_BYTES,
      this,
      { owner: this.name },
    );
  }

  /** IA32_APIC_BASE as RDMSR returns it. */
  getBaseMsr(): number {
    return this.baseMsr >>> 0;
  }

  /**
   * WRMSR IA32_APIC_BASE (low 32 bits): moves the register page; clearing bit 11 disables
   * the APIC and returns it to its power-on state (SDM 10.4.3), LINT0 becoming INTR.
   */
  setBaseMsr(value: number): void {
    const next = (value & (R.BASE_ADDRESS_MASK | R.BASE_ENABLE)) | (this.baseMsr & R.BASE_BSP);
    const wasEnabled = this.isHardwareEnabled;
    const moved = ((next ^ this.baseMsr) & (R.BASE_ADDRESS_MASK | R.BASE_ENABLE)) !== 0;
    this.baseMsr = next >>> 0;
    if (wasEnabled && !this.isHardwareEnabled) this.resetRegisters();
    if (moved) {
      try {
        this.remap();
      } catch (error) {
        this.log?.warn(`local-apic: cannot map at ${next.toString(16)}: ${String(error)}`);
      }
    }
    this.updateOutput();
  }

  // --- MMIO --------------------------------------------------------------------------------

  read(offset: number, width: Width): number {
    const aligned = offset & 0xff0;
    const value = this.readRegister(aligned);
    if (width === 4 && (offset & 0xf) === 0) return value >>> 0;
    // Registers are 32-bit aligned on 16-byte boundaries (SDM 10.4.1); a narrower read
    // returns the addressed bytes.
    const shift = 8 * (offset & 3);
    if ((offset & 0xc) !== 0) return 0;
    return (value >>> shift) & (width === 4 ? 0xffff_ffff : width === 2 ? 0xffff : 0xff);
  }

  write(offset: number, width: Width, value: number): void {
    if (width !== 4 || (offset & 0xf) !== 0) {
      if (!this.isIllegalWidthLogged) this.log?.warn(`local-apic: ${width}-byte write ignored`);
      this.isIllegalWidthLogged = true;
      return;
    }
    this.writeRegister(offset & 0xff0, value >>> 0);
  }

  private readRegister(offset: number): number {
    if (offset >= R.REG_ISR && offset < R.REG_ISR + 0x80)
      return this.isr.words[(offset - R.REG_ISR) >>> 4] ?? 0;
    if (offset >= R.REG_TMR && offset < R.REG_TMR + 0x80)
      return this.tmr.words[(offset - R.REG_TMR) >>> 4] ?? 0;
    if (offset >= R.REG_IRR && offset < R.REG_IRR + 0x80)
      return this.irr.words[(offset - R.REG_IRR) >>> 4] ?? 0;
    if (offset >= R.REG_LVT_TIMER && offset <= R.REG_LVT_ERROR)
      return this.lvt[(offset - R.REG_LVT_TIMER) >>> 4] ?? 0;
    switch (offset) {
      case R.REG_ID:
        return (this.id << 24) >>> 0;
      case R.REG_VERSION:
        return R.VERSION;
      case R.REG_TPR:
        return this.tpr;
      case R.REG_APR:
        return 0;
      case R.REG_PPR:
        return this.ppr();
      case R.REG_EOI:
      case R.REG_RRD:
        return 0;
      case R.REG_LDR:
        return this.ldr >>> 0;
      case R.REG_DFR:
        return this.dfr >>> 0;
      case R.REG_SVR:
        return this.svr;
      case R.REG_ESR:
        return this.esr;
      case R.REG_ICR_LOW:
        return this.icrLow;
      case R.REG_ICR_HIGH:
        return this.icrHigh >>> 0;
      case R.REG_TIMER_INITIAL:
        return this.initialCount >>> 0;
      case R.REG_TIMER_CURRENT:
        return this.currentCount() >>> 0;
      case R.REG_TIMER_DIVIDE:
        return this.dcr;
      default:
        this.signalError(R.ESR_ILLEGAL_REGISTER);
        return 0;
    }
  }

  private writeRegister(offset: number, value: number): void {
    if (offset >= R.REG_LVT_TIMER && offset <= R.REG_LVT_ERROR) {
      this.writeLvt((offset - R.REG_LVT_TIMER) >>> 4, value);
      return;
    }
    switch (offset) {
      case R.REG_ID:
        this.id = value >>> 24;
        return;
      case R.REG_TPR:
        this.tpr = value & 0xff;
        break;
      case R.REG_EOI:
        this.eoi();
        break;
      case R.REG_LDR:
        this.ldr = (value & 0xff00_0000) >>> 0;
        return;
      case R.REG_DFR:
        this.dfr = (value | 0x0fff_ffff) >>> 0;
        return;
      case R.REG_SVR:
        this.writeSvr(value);
        break;
      case R.REG_ESR:
        // A write latches the errors found since the last write and clears them (10.5.3).
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case R.REG_ICR_LOW:
        this.icrLow = value & R.ICR_LOW_WRITABLE;
        this.sendIpi();
        break;
      case R.REG_ICR_HIGH:
        this.icrHigh = (value & 0xff00_0000) >>> 0;
        return;
      case R.REG_TIMER_INITIAL:
        // Ignored in TSC-deadline mode (10.5.4.1).
        if (this.isTscDeadlineMode) return;
        this.initialCount = value >>> 0;
        this.startTimer();
        return;
      case R.REG_TIMER_DIVIDE:
        this.writeDivide(value & 0xb);
        return;
      default:
        // Read-only and reserved registers (version, PPR, ISR/TMR/IRR, current count).
        this.signalError(R.ESR_ILLEGAL_REGISTER);
        return;
    }
    this.updateOutput();
  }

  private writeLvt(index: number, value: number): void {
    let next = value & (LVT_WRITABLE[index] ?? 0);
    // Software-disabled: the mask bits stay set (SDM 10.4.7.2).
    if (!this.isSoftwareEnabled) next |= R.LVT_MASKED;
    // Remote IRR and delivery status are read-only.
    const old = this.lvt[index] ?? 0;
    this.lvt[index] = (next | (old & R.LVT_REMOTE_IRR)) >>> 0;
    // Into or out of TSC-deadline mode: the timer is disarmed (10.5.4.1).
    if (index === LVT_TIMER && isTscDeadline(old) !== isTscDeadline(next)) this.disarmTimer();
    if (index === LVT_LINT1) this.checkLint1Edge(false);
    this.updateOutput();
  }

  private writeSvr(value: number): void {
    // Bits 3:0 of the vector are writable on the Pentium 4 and later (10.9).
    this.svr = value & R.SVR_WRITABLE;
    if (!this.isSoftwareEnabled) for (let i = 0; i < LVT_COUNT; i++) this.lvt[i]! |= R.LVT_MASKED;
  }

  // --- priorities, acceptance, EOI ---------------------------------------------------------

  /** Processor priority (SDM 10.8.3.1): TPR if its class is at least the ISR's, else ISRV. */
  private ppr(): number {
    const isrv = Math.max(this.isr.highest(), 0);
    return (this.tpr & 0xf0) >= (isrv & 0xf0) ? this.tpr : isrv & 0xf0;
  }

  private signalError(bits: number): void {
    this.esrPending |= bits;
    const lvt = this.lvt[LVT_ERROR] ?? 0;
    if ((lvt & R.LVT_MASKED) === 0) this.accept(lvt & R.LVT_VECTOR, false);
  }

  /** Puts a fixed interrupt in IRR (and TMR for level), or records an illegal vector. */
  private accept(vector: number, isLevel: boolean): void {
    if (vector < 16) {
      // Vectors 0-15 are reserved: "receive illegal vector" (10.5.3); not raised in IRR.
      this.esrPending |= R.ESR_RECEIVE_ILLEGAL_VECTOR;
      const lvt = this.lvt[LVT_ERROR] ?? 0;
      if ((lvt & R.LVT_MASKED) === 0 && (lvt & R.LVT_VECTOR) >= 16)
        this.accept(lvt & R.LVT_VECTOR, false);
      return;
    }
    this.irr.set(vector);
    if (isLevel) this.tmr.set(vector);
    else this.tmr.clear(vector);
    this.updateOutput();
  }

  /**
   * An interrupt message for this CPU (from the IOAPIC, or the board): fixed and lowest
   * priority go to IRR, NMI calls `onNmi`, ExtINT asks the PIC for the vector at INTA.
   */
  deliver(vector: number, deliveryMode: number, isLevel: boolean): void {
    if (!this.isHardwareEnabled) return;
    switch (deliveryMode) {
      case R.MODE_FIXED:
      case R.MODE_LOWEST:
        this.accept(vector & 0xff, isLevel);
        return;
      case R.MODE_NMI:
        this.options.onNmi?.();
        return;
      case R.MODE_EXTINT:
        this.isExtIntPending = true;
        this.updateOutput();
        return;
      default:
        // SMI, INIT and STARTUP need SMM or more CPUs.
        this.log?.debug(`local-apic: delivery mode ${deliveryMode} ignored`);
    }
  }

  private eoi(): void {
    const vector = this.isr.highest();
    if (vector < 0) return;
    this.isr.clear(vector);
    if (this.tmr.has(vector)) {
      this.tmr.clear(vector);
      this.options.onEoi?.(vector);
    }
  }

  /**
   * Whether the PIC's INTR reaches the CPU: APIC globally disabled (LINT0 is then the INTR
   * pin), LINT0 unmasked in ExtINT mode (virtual wire), or the APIC software-disabled as it
   * is after reset. The last is RingVM's choice so that a board without firmware (or
   * firmware that takes PIC interrupts before it sets up virtual wire) works; QEMU drops PIC
   * interrupts while LINT0 is masked, which is only visible to a guest that enables
   * interrupts before touching the APIC.
   */
  private get isVirtualWire(): boolean {
    if (!this.isHardwareEnabled || !this.isSoftwareEnabled) return true;
    const lint0 = this.lvt[LVT_LINT0] ?? 0;
    return (lint0 & R.LVT_MASKED) === 0 && ((lint0 >>> 8) & 7) === R.MODE_EXTINT;
  }

  /**
   * The highest IRR vector the CPU may take now, or -1, as of the last state change:
   * `hasInterrupt` runs at every instruction boundary, so it reads this cache, which
   * `updateOutput` refreshes after every change of IRR, ISR, TPR, SVR or the base MSR.
   */
  private deliverableVector = -1;

  private deliverable(): number {
    if (!this.isHardwareEnabled || !this.isSoftwareEnabled) return -1;
    const vector = this.irr.highest();
    if (vector < 0) return -1;
    return (vector & 0xf0) > (this.ppr() & 0xf0) ? vector : -1;
  }

  /** INTR: an APIC vector above the processor priority, or the PIC through the virtual wire. */
  hasInterrupt(): boolean {
    // Runs at every instruction boundary with IF set: cached fields only (no getters or
    // cross-module constants, which dev-mode module transforms turn into calls).
    if (this.deliverableVector >= 0) return true;
    const extInt = this.extInt;
    return (
      extInt !== undefined &&
      (this.isPicPassThrough || this.isExtIntPending) &&
      extInt.hasInterrupt()
    );
  }

  /** `isVirtualWire` as of the last state change (see `deliverableVector`). */
  private isPicPassThrough = true;
  private readonly extInt: ExtIntSource | undefined;

  /** INTA: moves the vector from IRR to ISR, or runs the PIC's INTA; spurious if gone. */
  acknowledge(): number {
    const vector = this.deliverable();
    if (vector >= 0) {
      this.irr.clear(vector);
      this.isr.set(vector);
      this.updateOutput();
      return vector;
    }
    const extInt = this.options.extInt;
    if (extInt !== undefined && (this.isVirtualWire || this.isExtIntPending)) {
      this.isExtIntPending = false;
      if (extInt.hasInterrupt()) {
        const v = extInt.acknowledge();
        this.updateOutput();
        return v;
      }
    }
    // The request went away between INTR and INTA (TPR raised): the spurious vector (10.9).
    this.updateOutput();
    return this.svr & 0xff;
  }

  /** The PIC's output changed: re-evaluate INTR. */
  extIntChanged(): void {
    this.updateOutput();
  }

  /** Drives the LINT1 pin (NMI when its LVT says NMI, unmasked; edge). */
  setLint1(isHigh: boolean): void {
    const wasHigh = this.lint1;
    this.lint1 = isHigh;
    if (isHigh && !wasHigh) this.checkLint1Edge(true);
  }

  private checkLint1Edge(isEdge: boolean): void {
    if (!isEdge) return;
    const lvt = this.lvt[LVT_LINT1] ?? 0;
    if ((lvt & R.LVT_MASKED) !== 0) return;
    const mode = (lvt >>> 8) & 7;
    if (mode === R.MODE_NMI) this.options.onNmi?.();
    else if (mode === R.MODE_FIXED) this.accept(lvt & R.LVT_VECTOR, false);
  }

  private updateOutput(): void {
    this.deliverableVector = this.deliverable();
    this.isPicPassThrough = this.isVirtualWire;
    const now = this.hasInterrupt();
    if (now === this.output) return;
    this.output = now;
    this.options.onOutputChange?.(now);
  }

  // --- IPIs --------------------------------------------------------------------------------

  /** Whether a physical or logical destination names this CPU (SDM 10.6.2). */
  private isDestination(destination: number, isLogical: boolean): boolean {
    if (!isLogical) return destination === 0xff || destination === this.id;
    const logical = this.ldr >>> 24;
    if (destination === 0xff) return true;
    if (this.dfr >>> 28 === R.DFR_FLAT) return (destination & logical) !== 0;
    // Cluster model: high nibble cluster, low nibble members.
    return (
      (destination >>> 4 === logical >>> 4 || destination >>> 4 === 0xf) &&
      (destination & logical & 0xf) !== 0
    );
  }

  private sendIpi(): void {
    const icr = this.icrLow;
    const vector = icr & 0xff;
    const mode = (icr >>> 8) & 7;
    const shorthand = (icr >>> R.ICR_SHORTHAND_SHIFT) & 3;
    let isSelf: boolean;
    switch (shorthand) {
      case R.SHORTHAND_SELF:
      case R.SHORTHAND_ALL:
        isSelf = true;
        break;
      case R.SHORTHAND_OTHERS:
        isSelf = false;
        break;
      default:
        isSelf = this.isDestination(this.icrHigh >>> 24, (icr & R.ICR_DEST_LOGICAL) !== 0);
    }
    if ((mode === R.MODE_FIXED || mode === R.MODE_LOWEST) && vector < 16) {
      this.signalError(R.ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    if (!isSelf) return;
    if (mode === R.MODE_FIXED || mode === R.MODE_LOWEST)
      this.accept(vector, (icr & R.ICR_TRIGGER_LEVEL) !== 0);
    else if (mode === R.MODE_NMI) this.options.onNmi?.();
    // INIT and STARTUP to ourselves (or to absent CPUs) do nothing on a one-CPU board.
  }

  // --- timer -------------------------------------------------------------------------------

  private get tickNs(): number {
    return divisor(this.dcr) * this.nsPerTick;
  }

  private now(): number {
    return this.clock?.now() ?? 0;
  }

  private get isTscDeadlineMode(): boolean {
    return isTscDeadline(this.lvt[LVT_TIMER] ?? 0);
  }

  /** The timer stopped: no count, no deadline, nothing scheduled. */
  private disarmTimer(): void {
    this.timerEvent?.cancel();
    this.timerEvent = undefined;
    this.deadline = -1;
    this.initialCount = 0;
    this.tscDeadline = 0;
  }

  /** IA32_TSC_DEADLINE (@ringvm/cpu `TscDeadlineTimer`): reads 0 outside TSC-deadline mode. */
  readTscDeadline(): number {
    return this.isTscDeadlineMode ? this.tscDeadline : 0;
  }

  /**
   * IA32_TSC_DEADLINE written with `value`, the TSC at guest time `atNs`: in TSC-deadline mode a
   * non-zero value arms the timer for then (at once when that has passed), 0 disarms it; in the
   * other modes the write is ignored (10.5.4.1).
   */
  writeTscDeadline(value: number, atNs: number): void {
    if (!this.isTscDeadlineMode) return;
    this.disarmTimer();
    if (value === 0) return;
    this.tscDeadline = value;
    this.deadline = Math.max(atNs, this.now());
    this.scheduleTimer();
  }

  /** Current count (SDM 10.5.4): counts down from the initial count at the divided rate. */
  private currentCount(): number {
    // Always 0 in TSC-deadline mode (10.5.4.1).
    if (this.deadline < 0 || this.isTscDeadlineMode) return 0;
    const remaining = Math.ceil((this.deadline - this.now()) / this.tickNs);
    return Math.min(Math.max(remaining, 0), this.initialCount);
  }

  private startTimer(): void {
    this.timerEvent?.cancel();
    this.timerEvent = undefined;
    // Writing 0 stops the timer (10.5.4).
    if (this.initialCount === 0) {
      this.deadline = -1;
      return;
    }
    this.deadline = this.now() + this.initialCount * this.tickNs;
    this.scheduleTimer();
  }

  private writeDivide(value: number): void {
    // Keep the remaining count and go on at the new rate.
    const remaining = this.currentCount();
    this.dcr = value;
    if (this.deadline < 0 || this.isTscDeadlineMode) return;
    this.deadline = this.now() + remaining * this.tickNs;
    this.timerEvent?.cancel();
    this.scheduleTimer();
  }

  /** `notBefore`: earliest time to fire (rate limit of periodic interrupts). */
  private scheduleTimer(notBefore = 0): void {
    if (this.scheduler === undefined || this.deadline < 0) return;
    const at = Math.max(this.deadline, notBefore);
    this.timerEvent = this.scheduler.schedule(at, () => this.timerExpired());
  }

  private timerExpired(): void {
    this.timerEvent = undefined;
    const lvt = this.lvt[LVT_TIMER] ?? 0;
    if ((lvt & R.LVT_TIMER_MODE) === R.LVT_TIMER_PERIODIC && this.initialCount > 0) {
      this.deadline += this.initialCount * this.tickNs;
      // A guest that stalls past several periods gets one interrupt, not a burst.
      const now = this.now();
      if (this.deadline <= now) {
        const period = this.initialCount * this.tickNs;
        this.deadline += Math.ceil((now - this.deadline + 1) / period) * period;
      }
      // Periodic interrupts come at most every MIN_PERIODIC_NS (KVM's min_timer_period_us):
      // a guest programming a period of a few ns cannot flood the host with events.
      this.scheduleTimer(now + MIN_PERIODIC_NS);
    } else {
      // One-shot, or TSC-deadline: the timer disarms itself and the MSR reads 0 (10.5.4.1).
      this.deadline = -1;
      this.tscDeadline = 0;
    }
    if ((lvt & R.LVT_MASKED) === 0) this.accept(lvt & R.LVT_VECTOR, false);
  }

  // --- reset and snapshots -----------------------------------------------------------------

  private resetRegisters(): void {
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = R.DFR_RESET;
    this.svr = R.SVR_RESET;
    this.isr.reset();
    this.tmr.reset();
    this.irr.reset();
    this.esr = 0;
    this.esrPending = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    // Every LVT entry, LINT0 included, powers on masked (SDM 10.4.7.1; QEMU 7.2 agrees).
    this.lvt.fill(R.LVT_RESET);
    this.dcr = 0;
    this.disarmTimer();
    this.isExtIntPending = false;
    this.deliverableVector = -1;
  }

  reset(kind: ResetKind): void {
    this.resetRegisters();
    this.id = (this.options.id ?? 0) & 0xff;
    if (kind !== "software") {
      const wasBase = this.baseMsr;
      this.baseMsr = (R.APIC_DEFAULT_BASE | R.BASE_BSP | R.BASE_ENABLE) >>> 0;
      if (wasBase !== this.baseMsr) this.remap();
    }
    this.updateOutput();
  }

  saveState(): DeviceState {
    return {
      id: this.id,
      tpr: this.tpr,
      ldr: this.ldr,
      dfr: this.dfr,
      svr: this.svr,
      isr: this.isr.save(),
      tmr: this.tmr.save(),
      irr: this.irr.save(),
      esr: this.esr,
      esrPending: this.esrPending,
      icr: [this.icrLow, this.icrHigh],
      lvt: Array.from(this.lvt),
      initialCount: this.initialCount,
      dcr: this.dcr,
      deadline: this.deadline,
      tscDeadline: this.tscDeadline,
      baseMsr: this.baseMsr,
      isExtIntPending: this.isExtIntPending,
      lint1: this.lint1,
    };
  }

  loadState(state: DeviceState): void {
    const n = (key: string, fallback: number) => {
      const v = Number(state[key] ?? fallback);
      return Number.isFinite(v) ? v : fallback;
    };
    this.resetRegisters();
    this.id = n("id", 0) & 0xff;
    this.tpr = n("tpr", 0) & 0xff;
    this.ldr = (n("ldr", 0) & 0xff00_0000) >>> 0;
    this.dfr = (n("dfr", R.DFR_RESET) | 0x0fff_ffff) >>> 0;
    this.svr = n("svr", R.SVR_RESET) & R.SVR_WRITABLE;
    this.isr.load(state["isr"]);
    this.tmr.load(state["tmr"]);
    this.irr.load(state["irr"]);
    this.esr = n("esr", 0) & 0xff;
    this.esrPending = n("esrPending", 0) & 0xff;
    const icr = Array.isArray(state["icr"]) ? (state["icr"] as unknown[]) : [];
    this.icrLow = Number(icr[0] ?? 0) & R.ICR_LOW_WRITABLE;
    this.icrHigh = (Number(icr[1] ?? 0) & 0xff00_0000) >>> 0;
    const lvt = Array.isArray(state["lvt"]) ? (state["lvt"] as unknown[]) : [];
    for (let i = 0; i < LVT_COUNT; i++)
      this.lvt[i] =
        lvt[i] === undefined
          ? (this.lvt[i] ?? R.LVT_RESET)
          : (Number(lvt[i]) & ((LVT_WRITABLE[i] ?? 0) | R.LVT_REMOTE_IRR)) >>> 0;
    this.initialCount = n("initialCount", 0) >>> 0;
    this.dcr = n("dcr", 0) & 0xb;
    this.tscDeadline = this.isTscDeadlineMode ? Math.max(n("tscDeadline", 0), 0) : 0;
    this.deadline = this.initialCount > 0 || this.tscDeadline !== 0 ? n("deadline", -1) : -1;
    const base = n("baseMsr", R.APIC_DEFAULT_BASE | R.BASE_BSP | R.BASE_ENABLE) >>> 0;
    if (base !== this.baseMsr) {
      this.baseMsr = base;
      try {
        this.remap();
      } catch (error) {
        this.log?.warn(`local-apic: cannot map at ${base.toString(16)}: ${String(error)}`);
      }
    }
    this.isExtIntPending = state["isExtIntPending"] === true;
    this.lint1 = state["lint1"] === true;
    this.scheduleTimer();
    this.deliverableVector = this.deliverable();
    this.isPicPassThrough = this.isVirtualWire;
    this.output = this.hasInterrupt();
  }
}
