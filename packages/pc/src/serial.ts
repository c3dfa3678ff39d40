// COM1 as the board wires it: a 16550A-compatible UART whose transmitter feeds a host sink
// and whose receiver takes host bytes. Stop-gap until @ringvm/devices/uart lands; then this
// file only adapts that device to the host sink.
import type { Device, DeviceContext, IrqLine, ResetKind } from "@ringvm/bus";

/** Where guest output goes (a terminal, a file, a test buffer). */
export interface SerialSink {
  write(data: Uint8Array): void;
}

const RBR_THR = 0;
const IER = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;

const IER_RDI = 0x01;
const IER_THRI = 0x02;
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const IIR_NONE = 0x01;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_FIFO = 0xc0;
const MCR_LOOP = 0x10;
const LCR_DLAB = 0x80;
/** 16550A receive FIFO depth. */
const FIFO_SIZE = 16;
/** Host input waiting beyond the FIFO (pasted text); the rest is dropped like an overrun. */
const BACKLOG_LIMIT = 1 << 16;

/**
 * A 16550A UART: divisor latch, IER/IIR with receive-data and THR-empty interrupts, FIFO
 * enable, modem-control loopback (the Linux 8250 probe checks it), scratch register.
 */
export class SerialPort implements Device {
  readonly specificationVersion = "v1";
  readonly name = "uart16550";
  private irq: IrqLine | undefined;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0x0c;
  private dlm = 0;
  private isFifoEnabled = false;
  private isThrePending = false;
  private readonly fifo = new Uint8Array(FIFO_SIZE);
  private fifoHead = 0;
  private fifoCount = 0;
  private backlog: number[] = [];
  private lsrErrors = 0;
  private isIrqHigh = false;
  private readonly out = new Uint8Array(1);
  /** Called with each transmitted byte as well (an `--exit-on` matcher, a test's transcript). */
  onOutput: ((data: Uint8Array) => void) | undefined;

  constructor(
    readonly base: number,
    readonly irqNumber: number,
    private sink: SerialSink | undefined,
  ) {}

  attach(context: DeviceContext): void {
    this.irq = context.irq(this.irqNumber);
    context.io.registerPorts(
      this.base,
      8,
      {
        read: (port) => this.read(port - this.base),
        write: (port, _w, value) => this.write(port - this.base, value & 0xff),
      },
      { owner: `${this.name}@${this.base.toString(16)}`, widths: [1] },
    );
  }

  reset(_kind: ResetKind): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.isFifoEnabled = false;
    this.isThrePending = false;
    this.fifoCount = 0;
    this.lsrErrors = 0;
    this.update();
  }

  setSink(sink: SerialSink | undefined): void {
    this.sink = sink;
  }

  /** Host bytes into the receiver. */
  receive(data: Uint8Array): void {
    for (const byte of data) {
      if (this.fifoCount < FIFO_SIZE && this.backlog.length === 0) this.push(byte);
      else if (this.backlog.length < BACKLOG_LIMIT) this.backlog.push(byte);
    }
    this.update();
  }

  private push(byte: number): void {
    this.fifo[(this.fifoHead + this.fifoCount) % FIFO_SIZE] = byte;
    this.fifoCount++;
  }

  private read(reg: number): number {
    const isDlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case RBR_THR: {
        if (isDlab) return this.dll;
        if (this.fifoCount === 0) return 0;
        const byte = this.fifo[this.fifoHead]!;
        this.fifoHead = (this.fifoHead + 1) % FIFO_SIZE;
        this.fifoCount--;
        if (this.backlog.length > 0 && this.fifoCount < FIFO_SIZE) {
          this.push(this.backlog.shift()!);
        }
        this.update();
        return byte;
      }
      case IER:
        return isDlab ? this.dlm : this.ier;
      case IIR_FCR: {
        const id = this.interruptId();
        if (id === IIR_THRI) {
          this.isThrePending = false;
          this.update();
        }
        return id | (this.isFifoEnabled ? IIR_FIFO : 0);
      }
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR: {
        const value = (this.fifoCount > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT | this.lsrErrors;
        this.lsrErrors = 0;
        return value;
      }
      case MSR: {
        if ((this.mcr & MCR_LOOP) !== 0) {
          // Loopback: CTS <- RTS, DSR <- DTR, RI <- OUT1, DCD <- OUT2.
          const m = this.mcr;
          return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
        }
        // A host terminal is always there: CTS, DSR and DCD set.
        return 0xb0;
      }
      default:
        return this.scr;
    }
  }

  private write(reg: number, value: number): void {
    const isDlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case RBR_THR:
        if (isDlab) {
          this.dll = value;
          return;
        }
        if ((this.mcr & MCR_LOOP) !== 0) {
          if (this.fifoCount < FIFO_SIZE) this.push(value);
          else this.lsrErrors |= LSR_OE;
        } else {
          this.out[0] = value;
          this.sink?.write(this.out);
          this.onOutput?.(this.out);
        }
        // The byte leaves at once: THR is empty again.
        this.isThrePending = true;
        this.update();
        return;
      case IER:
        if (isDlab) {
          this.dlm = value;
          return;
        }
        // Enabling THRI with THR empty raises the interrupt at once (16550A behaviour).
        if ((value & IER_THRI) !== 0 && (this.ier & IER_THRI) === 0) this.isThrePending = true;
        this.ier = value & 0x0f;
        this.update();
        return;
      case IIR_FCR:
        this.isFifoEnabled = (value & 0x01) !== 0;
        if ((value & 0x02) !== 0) {
          this.fifoCount = 0;
          this.backlog = [];
        }
        this.update();
        return;
      case LCR:
        this.lcr = value;
        return;
      case MCR:
        this.mcr = value & 0x1f;
        this.update();
        return;
      case LSR:
      case MSR:
        return;
      default:
        this.scr = value;
    }
  }

  private interruptId(): number {
    if ((this.ier & IER_RDI) !== 0 && this.fifoCount > 0) return IIR_RDI;
    if ((this.ier & IER_THRI) !== 0 && this.isThrePending) return IIR_THRI;
    return IIR_NONE;
  }

  private update(): void {
    // OUT2 gates the IRQ onto the ISA bus on PC boards.
    const isHigh = this.interruptId() !== IIR_NONE && (this.mcr & 0x08) !== 0;
    if (isHigh === this.isIrqHigh) return;
    this.isIrqHigh = isHigh;
    if (isHigh) this.irq?.raise();
    else this.irq?.lower();
  }
}
