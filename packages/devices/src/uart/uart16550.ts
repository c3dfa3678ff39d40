// National PC16550D (16550A) UART as a PC COM port. Datasheet sections: "Registers"
// (Table II), "FIFO Interrupt Mode Operation", "Interrupt Identification Register"
// (Table IV, priorities), "Line Status Register", "Modem Status Register", "Loopback",
// "Programmable Baud Generator".
// Transmit and receive are paced by the programmed baud rate from the virtual clock
// (scheduled events per character), or immediate if the board chooses.
import type {
  Clock,
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  ResetKind,
  ScheduledEvent,
  Scheduler,
  Width,
} from "@ringvm/bus";
import { HostQueue } from "./host-queue";
import * as R from "./regs";

/** Options of a {@link Uart16550}. */
export interface Uart16550Options {
  /** COM1-4 (base 3F8h/2F8h/3E8h/2E8h, IRQ 4/3/4/3). Default 1. */
  readonly com?: 1 | 2 | 3 | 4;
  /** Overrides the base port of `com`. */
  readonly base?: number;
  /** Overrides the IRQ of `com`. */
  readonly irq?: number;
  /** "baud": characters take their time at the programmed rate; "immediate": no delay. */
  readonly timing?: "baud" | "immediate";
  /** Host sink for transmitted bytes (each call gets its own array). */
  readonly onTransmit?: (bytes: Uint8Array) => void;
  /**
   * PC wiring: the IRQ reaches the PIC only while MCR OUT2 is active (and not in loopback,
   * where the outputs are forced inactive). Default true.
   */
  readonly irqNeedsOut2?: boolean;
}

/** Modem status inputs from the host side. */
export interface ModemInputs {
  readonly cts?: boolean;
  readonly dsr?: boolean;
  readonly ri?: boolean;
  readonly dcd?: boolean;
}

/** The saved state of a {@link Uart16550}. */
export interface Uart16550State extends DeviceState {
  readonly rx: readonly number[];
  readonly rxFlags: readonly number[];
  readonly tx: readonly number[];
  readonly hostInput: readonly number[];
  readonly regs: readonly number[];
  readonly shifting: number;
  readonly txAt: number;
  readonly rxAt: number;
  readonly timeoutAt: number;
}

const NO_EVENT = -1;
/** Host input entry that stands for a break (bytes are 0-255). */
const BREAK = 0x100;

/**
 * A 16550A COM port.
 *
 * @example
 * const com1 = new Uart16550({ com: 1, onTransmit: (b) => process.stdout.write(b) });
 * com1.attach(context);
 * com1.receive(new TextEncoder().encode("root\n"));
 */
export class Uart16550 implements Device {
  readonly specificationVersion = "v1";
  readonly name: string;
  readonly base: number;
  readonly irqNumber: number;
  private readonly isImmediate: boolean;
  private readonly irqNeedsOut2: boolean;
  /** Host sink; may be replaced after construction. */
  onTransmit: ((bytes: Uint8Array) => void) | undefined;

  private rx: number[] = [];
  private rxFlags: number[] = [];
  private tx: number[] = [];
  private hostInput = new HostQueue();
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsrErrors = 0;
  private msr = 0;
  private scr = 0;
  private fcr = 0;
  private divisor = 12;
  private hostModem = R.MSR_CTS | R.MSR_DSR | R.MSR_DCD;
  private isThreInterrupt = false;
  private isTimeout = false;
  /** Byte in the transmit shift register, or -1. */
  private shifting = -1;
  private txAt = NO_EVENT;
  private rxAt = NO_EVENT;
  private timeoutAt = NO_EVENT;
  private isIrqHigh = false;

  private clock: Clock | undefined;
  private scheduler: Scheduler | undefined;
  private irq: IrqLine | undefined;
  private txEvent: ScheduledEvent | undefined;
  private rxEvent: ScheduledEvent | undefined;
  private timeoutEvent: ScheduledEvent | undefined;
  private readonly onTxEvent = (now: number): void => this.transmitDone(now);
  private readonly onRxEvent = (now: number): void => this.receiveNext(now);
  private readonly onTimeoutEvent = (now: number): void => this.timeoutExpired(now);

  constructor(options: Uart16550Options = {}) {
    const com = options.com ?? 1;
    const wiring = R.COM_PORTS[com - 1]!;
    this.base = options.base ?? wiring.base;
    this.irqNumber = options.irq ?? wiring.irq;
    this.name = `uart16550-com${com}`;
    this.isImmediate = options.timing === "immediate";
    this.irqNeedsOut2 = options.irqNeedsOut2 ?? true;
    this.onTransmit = options.onTransmit;
    this.powerOn();
  }

  attach(context: DeviceContext): void {
    this.clock = context.clock;
    this.scheduler = context.scheduler;
    this.irq = context.irq(this.irqNumber);
    const widths: readonly Width[] = [1];
    context.io.registerPorts(
      this.base,
      8,
      {
        read: (port) => this.readRegister(port - this.base),
        write: (port, _w, value) => this.writeRegister(port - this.base, value & 0xff),
      },
      { owner: this.name, widths },
    );
    if (this.hostInput.length > 0 && !this.isImmediate) this.scheduleRx(this.now());
  }

  /** MR (master reset): every register to its reset value; the host input queue is kept. */
  reset(_kind: ResetKind): void {
    this.powerOn();
    this.update();
  }

  private powerOn(): void {
    this.txEvent?.cancel();
    this.rxEvent?.cancel();
    this.timeoutEvent?.cancel();
    this.txEvent = this.rxEvent = this.timeoutEvent = undefined;
    this.rx = [];
    this.rxFlags = [];
    this.tx = [];
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.scr = 0;
    this.fcr = 0;
    this.divisor = 12; // 9600 baud, as BIOSes leave it
    this.isThreInterrupt = false;
    this.isTimeout = false;
    this.shifting = -1;
    this.txAt = this.rxAt = this.timeoutAt = NO_EVENT;
    this.msr = this.modemInputs() & 0xf0;
    if (this.hostInput.length === 0) return;
    if (this.isImmediate) this.drainHostInput();
    else this.scheduleRx(this.now());
  }

  // --- host side -------------------------------------------------------------------------

  /** Bytes from the host (terminal, file, socket) into the RX side, paced at the baud rate. */
  receive(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.hostInput.push(bytes[i]! & 0xff);
    if (this.isImmediate) this.drainHostInput();
    else if (this.rxAt === NO_EVENT) this.scheduleRx(this.now());
  }

  /**
   * A break condition from the host (line held at spacing for longer than a character): a
   * zero character with BI reaches the receiver in turn with the bytes before it.
   */
  receiveBreak(): void {
    this.hostInput.push(BREAK);
    if (this.isImmediate) this.drainHostInput();
    else if (this.rxAt === NO_EVENT) this.scheduleRx(this.now());
  }

  /** Host bytes not yet in the RX FIFO. */
  get pendingInput(): number {
    return this.hostInput.length;
  }

  /** Sets the modem status inputs (CTS, DSR, RI, DCD) as the host side drives them. */
  setModemInputs(inputs: ModemInputs): void {
    const bit = (value: boolean | undefined, mask: number): number =>
      value === undefined ? this.hostModem & mask : value ? mask : 0;
    this.hostModem =
      bit(inputs.cts, R.MSR_CTS) |
      bit(inputs.dsr, R.MSR_DSR) |
      bit(inputs.ri, R.MSR_RI) |
      bit(inputs.dcd, R.MSR_DCD);
    this.modemChanged();
  }

  /** The divisor latch (baud = 115200 / divisor). */
  get baudDivisor(): number {
    return this.divisor;
  }

  // --- registers -------------------------------------------------------------------------

  private readRegister(offset: number): number {
    const dlab = (this.lcr & R.LCR_DLAB) !== 0;
    switch (offset) {
      case R.RBR_THR_DLL:
        return dlab ? this.divisor & 0xff : this.readRbr();
      case R.IER_DLM:
        return dlab ? this.divisor >> 8 : this.ier;
      case R.IIR_FCR:
        return this.readIir();
      case R.LCR:
        return this.lcr;
      case R.MCR:
        return this.mcr;
      case R.LSR:
        return this.readLsr();
      case R.MSR: {
        const value = this.msr;
        this.msr &= 0xf0; // reading clears the delta bits
        this.update();
        return value;
      }
      default:
        return this.scr;
    }
  }

  private writeRegister(offset: number, value: number): void {
    const dlab = (this.lcr & R.LCR_DLAB) !== 0;
    switch (offset) {
      case R.RBR_THR_DLL:
        if (dlab) this.divisor = (this.divisor & 0xff00) | value;
        else this.writeThr(value);
        break;
      case R.IER_DLM:
        if (dlab) this.divisor = (this.divisor & 0xff) | (value << 8);
        else {
          const enablesThre = (value & ~this.ier & R.IER_THRE) !== 0;
          this.ier = value & 0x0f;
          // Enabling ETBEI with the holding register empty interrupts at once.
          if (enablesThre && this.isTxEmpty()) this.isThreInterrupt = true;
        }
        break;
      case R.IIR_FCR:
        this.writeFcr(value);
        break;
      case R.LCR:
        this.lcr = value;
        break;
      case R.MCR:
        this.mcr = value & 0x1f;
        this.modemChanged();
        break;
      case R.LSR:
      case R.MSR:
        break; // factory test / read-only
      default:
        this.scr = value;
    }
    this.update();
  }

  private get isFifo(): boolean {
    return (this.fcr & R.FCR_ENABLE) !== 0;
  }

  private get rxCapacity(): number {
    return this.isFifo ? R.FIFO_SIZE : 1;
  }

  private get triggerLevel(): number {
    return R.TRIGGER_LEVELS[this.fcr >> 6]!;
  }

  private isTxEmpty(): boolean {
    return this.tx.length === 0;
  }

  private readRbr(): number {
    if (this.rx.length === 0) return 0;
    const value = this.rx.shift()!;
    this.rxFlags.shift();
    this.isTimeout = false;
    const now = this.now();
    if (this.isFifo) this.armTimeout(now);
    // Room in the FIFO: host input that waited for it can flow in.
    if (this.hostInput.length > 0) {
      if (this.isImmediate) this.drainHostInput();
      else if (this.rxAt === NO_EVENT) this.scheduleRx(now);
    }
    this.update();
    return value;
  }

  private readLsr(): number {
    let value = this.lsrErrors;
    if (this.rx.length > 0) {
      value |= R.LSR_DR | this.rxFlags[0]!;
      for (const flags of this.rxFlags) if (flags !== 0) value |= R.LSR_FIFO_ERROR;
    }
    if (this.isTxEmpty()) value |= R.LSR_THRE;
    if (this.isTxEmpty() && this.shifting < 0) value |= R.LSR_TEMT;
    // Reading LSR clears OE, PE, FE and BI (the error bits of the top byte stay with it).
    this.lsrErrors = 0;
    if (this.rx.length > 0) this.rxFlags[0] = 0;
    this.update();
    return value;
  }

  /** The highest-priority pending source in IIR form (Table IV), or IIR_NONE. */
  private pendingSource(): number {
    const ier = this.ier;
    const top = this.rx.length > 0 ? this.rxFlags[0]! : 0;
    if ((ier & R.IER_RLS) !== 0 && ((this.lsrErrors | top) & R.LSR_ERRORS) !== 0) return R.IIR_RLS;
    if ((ier & R.IER_RDA) !== 0) {
      const count = this.rx.length;
      if (count > 0 && (!this.isFifo || count >= this.triggerLevel)) return R.IIR_RDA;
      if (this.isTimeout && count > 0) return R.IIR_TIMEOUT;
    }
    if ((ier & R.IER_THRE) !== 0 && this.isThreInterrupt) return R.IIR_THRE;
    if ((ier & R.IER_MSR) !== 0 && (this.msr & 0x0f) !== 0) return R.IIR_MSR;
    return R.IIR_NONE;
  }

  private readIir(): number {
    const source = this.pendingSource();
    // Reading IIR with THRE as the source clears that interrupt.
    if (source === R.IIR_THRE) {
      this.isThreInterrupt = false;
      this.update();
    }
    return source | (this.isFifo ? R.IIR_FIFO : 0);
  }

  private writeFcr(value: number): void {
    const wasFifo = this.isFifo;
    this.fcr = value & 0xc9;
    // Changing FIFO enable clears both FIFOs.
    if (this.isFifo !== wasFifo || (value & R.FCR_CLEAR_RX) !== 0) {
      this.rx = [];
      this.rxFlags = [];
      this.isTimeout = false;
    }
    if (this.isFifo !== wasFifo || (value & R.FCR_CLEAR_TX) !== 0) {
      if (this.tx.length > 0) {
        this.tx = [];
        this.isThreInterrupt = true;
      }
    }
    if (this.hostInput.length > 0) {
      if (this.isImmediate) this.drainHostInput();
      else if (this.rxAt === NO_EVENT) this.scheduleRx(this.now());
    }
  }

  // --- transmit --------------------------------------------------------------------------

  private writeThr(value: number): void {
    this.isThreInterrupt = false;
    if (this.isImmediate) {
      this.emit(value);
      this.isThreInterrupt = true;
      return;
    }
    if (this.tx.length >= (this.isFifo ? R.FIFO_SIZE : 1)) return; // overflow: byte lost
    this.tx.push(value);
    if (this.shifting < 0) this.startShift(this.now());
  }

  private startShift(now: number): void {
    const next = this.tx.shift();
    if (next === undefined) return;
    this.shifting = next;
    if (this.tx.length === 0) this.isThreInterrupt = true;
    this.txAt = now + this.characterNs();
    this.txEvent = this.scheduler?.schedule(this.txAt, this.onTxEvent);
  }

  private transmitDone(now: number): void {
    this.txEvent = undefined;
    this.txAt = NO_EVENT;
    const value = this.shifting;
    this.shifting = -1;
    if (value >= 0) this.emit(value);
    this.startShift(now);
    this.update();
  }

  private emit(value: number): void {
    if ((this.mcr & R.MCR_LOOP) !== 0) {
      this.pushRx(value, 0);
      return;
    }
    // A fresh array: hosts such as a Node stream queue it without copying.
    this.onTransmit?.(Uint8Array.of(value));
  }

  // --- receive ---------------------------------------------------------------------------

  private pushRx(value: number, flags: number): void {
    const now = this.now();
    if (this.rx.length >= this.rxCapacity) {
      this.lsrErrors |= R.LSR_OE;
      // Overrun. Without FIFOs the new character replaces the unread one in RBR ("thereby
      // destroying the previous character"); with FIFOs the shift register's character is
      // lost and the FIFO is kept.
      if (!this.isFifo) {
        this.rx[0] = value;
        this.rxFlags[0] = flags;
      }
    } else {
      this.rx.push(value);
      this.rxFlags.push(flags);
    }
    this.isTimeout = false;
    if (this.isFifo) this.armTimeout(now);
  }

  private pushHostEntry(entry: number): void {
    if (entry === BREAK) this.pushRx(0, R.LSR_BI);
    else this.pushRx(entry, 0);
  }

  private drainHostInput(): void {
    if ((this.mcr & R.MCR_LOOP) !== 0) return; // the receiver hears only the transmitter
    while (this.hostInput.length > 0 && this.rx.length < this.rxCapacity)
      this.pushHostEntry(this.hostInput.shift()!);
    this.update();
  }

  private scheduleRx(now: number): void {
    if (this.scheduler === undefined) return;
    this.rxEvent?.cancel();
    this.rxAt = now + this.characterNs();
    this.rxEvent = this.scheduler.schedule(this.rxAt, this.onRxEvent);
  }

  private receiveNext(now: number): void {
    this.rxEvent = undefined;
    this.rxAt = NO_EVENT;
    if (this.hostInput.length === 0) return;
    // Flow control toward the host: a byte waits while the FIFO is full (or in loopback).
    if (this.rx.length >= this.rxCapacity || (this.mcr & R.MCR_LOOP) !== 0) return;
    this.pushHostEntry(this.hostInput.shift()!);
    if (this.hostInput.length > 0) this.scheduleRx(now);
    this.update();
  }

  /** Character timeout: 4 character times without a received or read character. */
  private armTimeout(now: number): void {
    this.timeoutEvent?.cancel();
    this.timeoutEvent = undefined;
    this.timeoutAt = NO_EVENT;
    if (this.rx.length === 0 || this.scheduler === undefined) return;
    this.timeoutAt = now + 4 * this.characterNs();
    this.timeoutEvent = this.scheduler.schedule(this.timeoutAt, this.onTimeoutEvent);
  }

  private timeoutExpired(_now: number): void {
    this.timeoutEvent = undefined;
    this.timeoutAt = NO_EVENT;
    if (this.isFifo && this.rx.length > 0) this.isTimeout = true;
    this.update();
  }

  /** One character on the line: start + data + parity + stop bits at the divisor's rate. */
  private characterNs(): number {
    const dataBits = 5 + (this.lcr & 3);
    const parity = (this.lcr & R.LCR_PARITY) !== 0 ? 1 : 0;
    const stop = (this.lcr & R.LCR_STOP) === 0 ? 1 : dataBits === 5 ? 1.5 : 2;
    const divisor = this.divisor === 0 ? 0x10000 : this.divisor;
    return ((1 + dataBits + parity + stop) * divisor * 1e9) / R.BASE_BAUD;
  }

  // --- modem status and IRQ --------------------------------------------------------------

  private modemInputs(): number {
    if ((this.mcr & R.MCR_LOOP) === 0) return this.hostModem;
    // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
    const m = this.mcr;
    return (
      ((m & R.MCR_RTS) !== 0 ? R.MSR_CTS : 0) |
      ((m & R.MCR_DTR) !== 0 ? R.MSR_DSR : 0) |
      ((m & R.MCR_OUT1) !== 0 ? R.MSR_RI : 0) |
      ((m & R.MCR_OUT2) !== 0 ? R.MSR_DCD : 0)
    );
  }

  private modemChanged(): void {
    const now = this.modemInputs();
    const before = this.msr & 0xf0;
    const changed = now ^ before;
    let deltas = this.msr & 0x0f;
    if ((changed & R.MSR_CTS) !== 0) deltas |= R.MSR_DCTS;
    if ((changed & R.MSR_DSR) !== 0) deltas |= R.MSR_DDSR;
    if ((before & R.MSR_RI) !== 0 && (now & R.MSR_RI) === 0) deltas |= R.MSR_TERI;
    if ((changed & R.MSR_DCD) !== 0) deltas |= R.MSR_DDCD;
    this.msr = now | deltas;
    this.update();
  }

  private update(): void {
    let isHigh = this.pendingSource() !== R.IIR_NONE;
    if (this.irqNeedsOut2) isHigh = isHigh && (this.mcr & (R.MCR_OUT2 | R.MCR_LOOP)) === R.MCR_OUT2;
    if (isHigh === this.isIrqHigh) return;
    this.isIrqHigh = isHigh;
    if (isHigh) this.irq?.raise();
    else this.irq?.lower();
  }

  private now(): number {
    return this.clock?.now() ?? 0;
  }

  // --- snapshots -------------------------------------------------------------------------

  saveState(): Uart16550State {
    return {
      rx: [...this.rx],
      rxFlags: [...this.rxFlags],
      tx: [...this.tx],
      hostInput: this.hostInput.toArray(),
      regs: [
        this.ier,
        this.lcr,
        this.mcr,
        this.lsrErrors,
        this.msr,
        this.scr,
        this.fcr,
        this.divisor,
        this.hostModem,
        this.isThreInterrupt ? 1 : 0,
        this.isTimeout ? 1 : 0,
        this.isIrqHigh ? 1 : 0,
      ],
      shifting: this.shifting,
      txAt: this.txAt,
      rxAt: this.rxAt,
      timeoutAt: this.timeoutAt,
    };
  }

  loadState(state: DeviceState): void {
    const s = state as Partial<Uart16550State>;
    const bytes = (v: unknown, max: number): number[] =>
      Array.isArray(v) ? v.slice(0, max).map((b) => (typeof b === "number" ? b & 0xff : 0)) : [];
    if (!Array.isArray(s.regs) || s.regs.length !== 12) throw new Error("uart16550: bad state");
    const r = s.regs.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : 0));
    this.txEvent?.cancel();
    this.rxEvent?.cancel();
    this.timeoutEvent?.cancel();
    this.txEvent = this.rxEvent = this.timeoutEvent = undefined;
    this.rx = bytes(s.rx, R.FIFO_SIZE);
    this.rxFlags = bytes(s.rxFlags, R.FIFO_SIZE);
    while (this.rxFlags.length < this.rx.length) this.rxFlags.push(0);
    this.tx = bytes(s.tx, R.FIFO_SIZE);
    this.hostInput = HostQueue.from(
      Array.isArray(s.hostInput)
        ? s.hostInput.map((b) => (typeof b === "number" ? Math.min(b >>> 0, BREAK) : 0))
        : [],
    );
    this.ier = r[0]! & 0x0f;
    this.lcr = r[1]! & 0xff;
    this.mcr = r[2]! & 0x1f;
    this.lsrErrors = r[3]! & R.LSR_ERRORS;
    this.msr = r[4]! & 0xff;
    this.scr = r[5]! & 0xff;
    this.fcr = r[6]! & 0xc9;
    this.divisor = r[7]! & 0xffff;
    this.hostModem = r[8]! & 0xf0;
    this.isThreInterrupt = r[9] === 1;
    this.isTimeout = r[10] === 1;
    this.shifting = typeof s.shifting === "number" && s.shifting >= 0 ? s.shifting & 0xff : -1;
    const time = (v: unknown): number => (typeof v === "number" && v >= 0 ? v : NO_EVENT);
    this.txAt = time(s.txAt);
    this.rxAt = time(s.rxAt);
    this.timeoutAt = time(s.timeoutAt);
    if (this.scheduler !== undefined) {
      if (this.txAt !== NO_EVENT) this.txEvent = this.scheduler.schedule(this.txAt, this.onTxEvent);
      if (this.rxAt !== NO_EVENT) this.rxEvent = this.scheduler.schedule(this.rxAt, this.onRxEvent);
      if (this.timeoutAt !== NO_EVENT)
        this.timeoutEvent = this.scheduler.schedule(this.timeoutAt, this.onTimeoutEvent);
    }
    // Drive the line to the restored level (a restored PIC sees no new edge).
    this.isIrqHigh = r[11] === 1;
    if (this.isIrqHigh) this.irq?.raise();
    else this.irq?.lower();
    this.update();
  }
}
