// The PC/AT pair of Intel 8259A programmable interrupt controllers, slave on master IR2,
// with the PIIX edge/level control registers (ELCR) at 4D0h/4D1h.
// Behaviour follows the 8259A datasheet (Intel 231468): "Interrupt Sequence", "Programming
// the 8259A" (ICW1-4, OCW1-3), "Fully Nested Mode", "End of Interrupt", "Automatic
// Rotation", "Specific Rotation", "Special Mask Mode", "Poll Command", "Special Fully
// Nested Mode", "Edge and Level Triggered Modes".
import type { Device, DeviceContext, DeviceState, IrqLine, ResetKind, Width } from "@ringvm/bus";
import * as R from "./regs";

/** Saved state of one 8259A. */
interface ChipState {
  readonly irr: number;
  readonly isr: number;
  readonly imr: number;
  readonly inputs: number;
  readonly elcr: number;
  readonly vectorBase: number;
  readonly initState: number;
  readonly needsIcw4: boolean;
  readonly isSingle: boolean;
  readonly isLevelMode: boolean;
  readonly icw3: number;
  readonly isAutoEoi: boolean;
  readonly isRotateOnAutoEoi: boolean;
  readonly isSpecialFullyNested: boolean;
  readonly isSpecialMask: boolean;
  readonly readsIsr: boolean;
  readonly isPollPending: boolean;
  readonly lowestPriority: number;
}

/** One 8259A. Bit i of each register is IR input i. */
class Chip {
  irr = 0;
  isr = 0;
  imr = 0;
  /** Current level of each IR input (edge detection). */
  inputs = 0;
  elcr = 0;
  vectorBase = 0;
  initState = R.INIT_READY;
  needsIcw4 = false;
  isSingle = false;
  /** ICW1 LTIM: every input level-sensitive. */
  isLevelMode = false;
  icw3 = 0;
  isAutoEoi = false;
  isRotateOnAutoEoi = false;
  isSpecialFullyNested = false;
  isSpecialMask = false;
  readsIsr = false;
  isPollPending = false;
  /**
   * The IR level with the lowest priority; priority runs from lowestPriority+1 (highest)
   * round to lowestPriority. 7 after ICW1 (IR0 highest).
   */
  lowestPriority = 7;

  constructor(
    readonly isMaster: boolean,
    readonly elcrMask: number,
  ) {}

  powerOn(): void {
    this.initialize();
    this.imr = 0;
    this.vectorBase = 0;
    this.elcr = 0;
    this.inputs = 0;
    this.irr = 0;
    this.isr = 0;
    this.needsIcw4 = false;
    this.isSingle = false;
    this.isLevelMode = false;
    this.icw3 = 0;
    this.initState = R.INIT_READY;
  }

  /** ICW1 side effects (datasheet "Initialization Command Words"). */
  initialize(): void {
    // Edge sense circuit reset: an edge input must go low then high again to request.
    this.irr = this.levelMask() & this.inputs;
    this.isr = 0;
    this.imr = 0;
    this.lowestPriority = 7;
    this.isSpecialMask = false;
    this.readsIsr = false;
    this.isPollPending = false;
    this.isAutoEoi = false;
    this.isRotateOnAutoEoi = false;
    this.isSpecialFullyNested = false;
  }

  levelMask(): number {
    return this.isLevelMode ? 0xff : this.elcr;
  }

  setInput(irq: number, isHigh: boolean): void {
    const bit = 1 << irq;
    if (isHigh) {
      if ((this.inputs & bit) === 0 || (this.levelMask() & bit) !== 0) this.irr |= bit;
      this.inputs |= bit;
    } else {
      this.inputs &= ~bit;
      // A level input's request goes away with the level; an edge request stays latched.
      if ((this.levelMask() & bit) !== 0) this.irr &= ~bit;
    }
  }

  /** Priority rank (0 = highest) of the best bit in `mask`, or 8 if none. */
  rank(mask: number): number {
    if (mask === 0) return 8;
    let rank = 0;
    while ((mask & (1 << ((rank + this.lowestPriority + 1) & 7))) === 0) rank++;
    return rank;
  }

  levelOfRank(rank: number): number {
    return (rank + this.lowestPriority + 1) & 7;
  }

  /** The IR level this chip would signal now, or -1. */
  pending(): number {
    const request = this.rank(this.irr & ~this.imr);
    if (request === 8) return -1;
    let inService = this.isr;
    // Special mask mode: masked in-service levels do not block lower priorities.
    if (this.isSpecialMask) inService &= ~this.imr;
    // Special fully nested: the slave's in-service level does not block the slave.
    if (this.isSpecialFullyNested && this.isMaster) inService &= ~(1 << R.CASCADE_IRQ);
    return request < this.rank(inService) ? this.levelOfRank(request) : -1;
  }

  /** The INTA cycle for level `irq` (or a poll read). */
  acknowledge(irq: number): void {
    const bit = 1 << irq;
    if (this.isAutoEoi) {
      if (this.isRotateOnAutoEoi) this.lowestPriority = irq;
    } else {
      this.isr |= bit;
    }
    // A level-sensitive request stays while the input is high; the ISR bit holds it off.
    if ((this.levelMask() & bit) === 0) this.irr &= ~bit;
  }

  writeCommand(value: number): void {
    if ((value & R.ICW1) !== 0) {
      this.initialize();
      this.needsIcw4 = (value & R.ICW1_IC4) !== 0;
      this.isSingle = (value & R.ICW1_SNGL) !== 0;
      this.isLevelMode = (value & R.ICW1_LTIM) !== 0;
      this.irr = this.levelMask() & this.inputs;
      this.initState = R.INIT_ICW2;
      return;
    }
    if ((value & R.OCW3) !== 0) {
      if ((value & R.OCW3_POLL) !== 0) this.isPollPending = true;
      if ((value & R.OCW3_RR) !== 0) this.readsIsr = (value & R.OCW3_RIS) !== 0;
      if ((value & R.OCW3_ESMM) !== 0) this.isSpecialMask = (value & R.OCW3_SMM) !== 0;
      return;
    }
    this.writeOcw2(value >> 5, value & 7);
  }

  private writeOcw2(command: number, level: number): void {
    switch (command) {
      case R.OCW2_ROTATE_AEOI_CLEAR:
      case R.OCW2_ROTATE_AEOI_SET:
        this.isRotateOnAutoEoi = command === R.OCW2_ROTATE_AEOI_SET;
        break;
      case R.OCW2_NONSPECIFIC_EOI:
      case R.OCW2_ROTATE_NONSPECIFIC_EOI: {
        // Datasheet: in special mask mode a masked IS bit is not reset by a non-specific EOI.
        const candidates = this.isSpecialMask ? this.isr & ~this.imr : this.isr;
        const rank = this.rank(candidates);
        if (rank === 8) break;
        const irq = this.levelOfRank(rank);
        this.isr &= ~(1 << irq);
        if (command === R.OCW2_ROTATE_NONSPECIFIC_EOI) this.lowestPriority = irq;
        break;
      }
      case R.OCW2_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        break;
      case R.OCW2_ROTATE_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        this.lowestPriority = level;
        break;
      case R.OCW2_SET_PRIORITY:
        this.lowestPriority = level;
        break;
      default: // OCW2_NOP
        break;
    }
  }

  writeData(value: number): void {
    switch (this.initState) {
      case R.INIT_ICW2:
        // 8086 mode: T7-T3 from ICW2, the level in the low three bits.
        this.vectorBase = value & 0xf8;
        this.initState = this.isSingle
          ? this.needsIcw4
            ? R.INIT_ICW4
            : R.INIT_READY
          : R.INIT_ICW3;
        break;
      case R.INIT_ICW3:
        this.icw3 = value;
        this.initState = this.needsIcw4 ? R.INIT_ICW4 : R.INIT_READY;
        break;
      case R.INIT_ICW4:
        this.isAutoEoi = (value & R.ICW4_AEOI) !== 0;
        this.isSpecialFullyNested = (value & R.ICW4_SFNM) !== 0;
        this.initState = R.INIT_READY;
        break;
      default:
        this.imr = value; // OCW1
    }
  }

  save(): ChipState {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      inputs: this.inputs,
      elcr: this.elcr,
      vectorBase: this.vectorBase,
      initState: this.initState,
      needsIcw4: this.needsIcw4,
      isSingle: this.isSingle,
      isLevelMode: this.isLevelMode,
      icw3: this.icw3,
      isAutoEoi: this.isAutoEoi,
      isRotateOnAutoEoi: this.isRotateOnAutoEoi,
      isSpecialFullyNested: this.isSpecialFullyNested,
      isSpecialMask: this.isSpecialMask,
      readsIsr: this.readsIsr,
      isPollPending: this.isPollPending,
      lowestPriority: this.lowestPriority,
    };
  }

  load(s: ChipState): void {
    const byte = (v: unknown): number => (typeof v === "number" ? v & 0xff : 0);
    const flag = (v: unknown): boolean => v === true;
    this.irr = byte(s.irr);
    this.isr = byte(s.isr);
    this.imr = byte(s.imr);
    this.inputs = byte(s.inputs);
    this.elcr = byte(s.elcr) & this.elcrMask;
    this.vectorBase = byte(s.vectorBase) & 0xf8;
    this.initState = byte(s.initState) & 3;
    this.needsIcw4 = flag(s.needsIcw4);
    this.isSingle = flag(s.isSingle);
    this.isLevelMode = flag(s.isLevelMode);
    this.icw3 = byte(s.icw3);
    this.isAutoEoi = flag(s.isAutoEoi);
    this.isRotateOnAutoEoi = flag(s.isRotateOnAutoEoi);
    this.isSpecialFullyNested = flag(s.isSpecialFullyNested);
    this.isSpecialMask = flag(s.isSpecialMask);
    this.readsIsr = flag(s.readsIsr);
    this.isPollPending = flag(s.isPollPending);
    this.lowestPriority = byte(s.lowestPriority) & 7;
  }
}

/** Options of an {@link I8259Pic}. */
export interface I8259PicOptions {
  /** Called when the master's INT output (the CPU's INTR) changes level. */
  readonly onOutputChange?: (isAsserted: boolean) => void;
}

/** The saved state of an {@link I8259Pic}. */
export interface I8259PicState extends DeviceState {
  readonly master: ChipState;
  readonly slave: ChipState;
}

/**
 * The two cascaded 8259As of the PC/AT. Devices drive IRQ 0-15 through {@link line} (or
 * {@link setIrq}); the CPU polls {@link hasInterrupt} and runs the INTA cycle with
 * {@link acknowledge}, which structurally satisfies the CPU's `InterruptSource`.
 *
 * @example
 * const pic = new I8259Pic({ onOutputChange: (on) => hypervisor.kick(on) });
 * pic.attach(context);
 * pic.line(4).raise(); // COM1
 * if (pic.hasInterrupt()) cpu.deliver(pic.acknowledge());
 */
export class I8259Pic implements Device {
  readonly specificationVersion = "v1";
  readonly name = "i8259-pic";
  private readonly master = new Chip(true, R.ELCR_MASK_MASTER);
  private readonly slave = new Chip(false, R.ELCR_MASK_SLAVE);
  private readonly lines: readonly IrqLine[];
  private output = false;
  /** Called when INTR changes level; may be set after construction. */
  onOutputChange: ((isAsserted: boolean) => void) | undefined;

  constructor(options: I8259PicOptions = {}) {
    this.onOutputChange = options.onOutputChange;
    const lines: IrqLine[] = [];
    for (let irq = 0; irq < 16; irq++)
      lines.push({ raise: () => this.setIrq(irq, true), lower: () => this.setIrq(irq, false) });
    this.lines = lines;
    this.master.powerOn();
    this.slave.powerOn();
  }

  attach(context: DeviceContext): void {
    const widths: readonly Width[] = [1];
    const chipPorts = (chip: Chip, base: number, owner: string): void => {
      context.io.registerPorts(
        base,
        2,
        {
          read: (port) => this.readChip(chip, port - base),
          write: (port, _w, value) => this.writeChip(chip, port - base, value & 0xff),
        },
        { owner, widths },
      );
    };
    chipPorts(this.master, R.MASTER_BASE, `${this.name}-master`);
    chipPorts(this.slave, R.SLAVE_BASE, `${this.name}-slave`);
    context.io.registerPorts(
      R.ELCR_BASE,
      2,
      {
        read: (port) => (port === R.ELCR_BASE ? this.master : this.slave).elcr,
        write: (port, _w, value) => this.writeElcr(port - R.ELCR_BASE, value & 0xff),
      },
      { owner: `${this.name}-elcr`, widths },
    );
  }

  reset(_kind: ResetKind): void {
    // Every reset kind is the RESET pin here: the 8259A has no software reset of its own.
    this.master.powerOn();
    this.slave.powerOn();
    this.update();
  }

  /** The IRQ line `irq` (0-15) as a device sees it. */
  line(irq: number): IrqLine {
    const line = this.lines[irq];
    if (line === undefined) throw new RangeError(`i8259: no IRQ ${irq}`);
    return line;
  }

  /** Drives IR input `irq` (0-15; IRQ 2 is the cascade and is ignored here). */
  setIrq(irq: number, isHigh: boolean): void {
    if (!(irq >= 0 && irq < 16)) return; // no such input
    if (irq < 8) {
      if (irq === R.CASCADE_IRQ) return;
      this.master.setInput(irq, isHigh);
    } else {
      this.slave.setInput(irq & 7, isHigh);
    }
    this.update();
  }

  /** True while INTR is asserted (the master has an unmasked request above its in-service level). */
  hasInterrupt(): boolean {
    return this.output;
  }

  /**
   * The INTA cycle: marks the request in service and returns its vector. Without a request
   * (it went away after INTR rose) the 8259A answers IR7 of the chip involved, without
   * setting its in-service bit: the spurious IRQ 7 (vector base+7) or IRQ 15.
   */
  acknowledge(): number {
    const master = this.master;
    const irq = master.pending();
    let vector: number;
    if (irq < 0) {
      vector = master.vectorBase + 7; // spurious IRQ 7
    } else {
      if (irq === R.CASCADE_IRQ) {
        const slaveIrq = this.slave.pending();
        if (slaveIrq < 0) {
          vector = this.slave.vectorBase + 7; // spurious IRQ 15 (master still sets IS2)
        } else {
          this.slave.acknowledge(slaveIrq);
          vector = this.slave.vectorBase + slaveIrq;
        }
      } else {
        vector = master.vectorBase + irq;
      }
      master.acknowledge(irq);
      // The slave's INT falls during INTA; if it still requests (AEOI), IR2 sees a new edge.
      if (irq === R.CASCADE_IRQ) master.setInput(R.CASCADE_IRQ, false);
    }
    this.update();
    return vector;
  }

  /** Vector base programmed by ICW2 of the master (0) or slave (1), for debuggers. */
  vectorBase(chip: 0 | 1): number {
    return (chip === 0 ? this.master : this.slave).vectorBase;
  }

  saveState(): I8259PicState {
    return { master: this.master.save(), slave: this.slave.save() };
  }

  loadState(state: DeviceState): void {
    const s = state as Partial<I8259PicState>;
    if (typeof s.master !== "object" || typeof s.slave !== "object" || !s.master || !s.slave)
      throw new Error("i8259: state has no master/slave");
    this.master.load(s.master);
    this.slave.load(s.slave);
    this.output = false;
    this.update();
  }

  private readChip(chip: Chip, a0: number): number {
    if (a0 === 1) return chip.imr;
    if (chip.isPollPending) {
      chip.isPollPending = false;
      return this.poll(chip);
    }
    return chip.readsIsr ? chip.isr : chip.irr;
  }

  /** Poll command: the read acts as INTA; I (bit 7) set with W2-W0 if a request is pending. */
  private poll(chip: Chip): number {
    const irq = chip.pending();
    if (irq < 0) return 0;
    chip.acknowledge(irq);
    this.update();
    return 0x80 | irq;
  }

  private writeChip(chip: Chip, a0: number, value: number): void {
    if (a0 === 0) chip.writeCommand(value);
    else chip.writeData(value);
    this.update();
  }

  private writeElcr(index: number, value: number): void {
    const chip = index === 0 ? this.master : this.slave;
    // IRR is left alone: a switched input's request follows its next transition (QEMU).
    chip.elcr = value & chip.elcrMask;
    this.update();
  }

  /** Propagates the slave's INT to master IR2 and the master's INT to INTR. */
  private update(): void {
    this.master.setInput(R.CASCADE_IRQ, this.slave.pending() >= 0);
    const output = this.master.pending() >= 0;
    if (output !== this.output) {
      this.output = output;
      this.onOutputChange?.(output);
    }
  }
}
