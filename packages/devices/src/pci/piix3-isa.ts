// Intel 82371SB PIIX3 function 0, the PCI-to-ISA bridge (PCI 00:01.0): identity, PIRQ
// routing (60h-63h) and the miscellaneous registers firmware programs (82371SB datasheet,
// 2.2 "PCI to ISA bridge configuration registers"). The ELCR at 4D0h/4D1h is the PIC's.
import type { Device, DeviceContext, DeviceState, IrqLine, ResetKind } from "@ringvm/bus";
import { ConfigRegisterBlock } from "./config-registers";
import type { PciBus } from "./pci-bus";
import type { PciFunction } from "./pci-function";
import { STATUS_DEVSEL_MEDIUM } from "./regs";

/** PIRQRC[A:D] (82371SB 2.2.9): bit 7 disables the route, bits 3:0 name the ISA IRQ. */
export const PIIX3_PIRQRC = 0x60;
const PIRQ_DISABLE = 0x80;
const PIRQ_IRQ_MASK = 0x0f;
/** IRQs a PIRQ may be steered to: 3-7, 9-12, 14, 15 (0, 1, 2, 8 and 13 are reserved). */
const ROUTABLE_IRQS = 0b1101_1110_1111_1000;

/** Identity of the PIIX3 ISA bridge. */
export const PIIX3_ISA_PCI = {
  vendorId: 0x8086,
  deviceId: 0x7000,
  revision: 0x00,
  classCode: 0x06,
  subclass: 0x01,
} as const;

/** Options of {@link Piix3IsaBridge}. */
export interface Piix3IsaBridgeOptions {
  /** PCI device number of the PIIX3 (default 1: the ISA bridge at 00:01.0). */
  readonly device?: number;
  /** A PIRQ route register changed: `irq` is the ISA IRQ or -1 when routing is disabled. */
  readonly onRoute?: (pirq: number, irq: number) => void;
}

/**
 * Registers at 00:01.0 and steers the bus's PIRQA#-PIRQD# onto ISA IRQ lines taken from the
 * device context (`context.irq(n)`), as the PIIX3's interrupt router does. Several PIRQs may
 * share one IRQ; the line stays asserted while any of them is.
 */
export class Piix3IsaBridge implements Device {
  readonly specificationVersion = "v1";
  readonly name = "piix3-isa";
  readonly pci: PciFunction;
  private readonly registers: ConfigRegisterBlock;
  private readonly pirqLevels = [false, false, false, false];
  private readonly lines: (IrqLine | undefined)[] = new Array<IrqLine | undefined>(16).fill(
    undefined,
  );
  private driven = 0;
  private context: DeviceContext | undefined;

  constructor(
    private readonly bus: PciBus,
    private readonly options: Piix3IsaBridgeOptions = {},
  ) {
    this.registers = new ConfigRegisterBlock(
      [
        { offset: 0x4c, width: 1, value: 0x4d, writable: 0xff }, // IORT
        { offset: 0x4e, width: 2, value: 0x0003, writable: 0x03ff }, // XBCS
        { offset: PIIX3_PIRQRC, width: 4, value: 0x8080_8080, writable: 0x8f8f_8f8f },
        { offset: 0x69, width: 1, value: 0x02, writable: 0xfe }, // TOM
        { offset: 0x6a, width: 2, value: 0x0000, writable: 0x00ff }, // MSTAT
        { offset: 0x70, width: 1, value: 0x80, writable: 0xcf }, // MBIRQ0
        { offset: 0x76, width: 2, value: 0x0c0c, writable: 0x8f8f }, // MBDMA0/1
        { offset: 0x78, width: 2, value: 0x0002, writable: 0xffff }, // PCSC
        { offset: 0xa0, width: 1, value: 0x08, writable: 0x1b }, // SMICNTL
        { offset: 0xa2, width: 2, value: 0x0000, writable: 0x00ff }, // SMIEN
        { offset: 0xa4, width: 4, value: 0x0000_0000, writable: 0xc000_ffff }, // SEE
        { offset: 0xa8, width: 1, value: 0x0f, writable: 0xff }, // FTMR
        { offset: 0xaa, width: 2, value: 0x0000, writable: 0x01ff }, // SMIREQ
        { offset: 0xac, width: 1, value: 0x00, writable: 0xff }, // CTLTMR
        { offset: 0xae, width: 1, value: 0x00, writable: 0xff }, // CTHTMR
      ],
      (offset, width) => {
        for (let at = offset; at < offset + width; at++)
          if (at >= PIIX3_PIRQRC && at < PIIX3_PIRQRC + 4) {
            options.onRoute?.(at - PIIX3_PIRQRC, this.route(at - PIIX3_PIRQRC));
            this.drive();
          }
      },
    );
    const registers = this.registers;
    this.pci = bus.register(options.device ?? 1, 0, {
      ...PIIX3_ISA_PCI,
      // QEMU's piix3_reset and the datasheet: I/O, memory and bus master enabled.
      command: 0x0007,
      commandWritable: 0x0148,
      status: STATUS_DEVSEL_MEDIUM,
      deviceSpecific: {
        read: (offset, width) => registers.read(offset, width),
        write: (offset, width, value) => registers.write(offset, width, value),
        reset: () => {
          registers.reset();
          this.drive();
        },
        saveState: () => registers.saveState(),
        loadState: (state) => {
          registers.loadState(state);
          this.drive();
        },
      },
    });
    bus.onPirq((pirq, isAsserted) => {
      this.pirqLevels[pirq] = isAsserted;
      this.drive();
    });
  }

  /** The ISA IRQ PIRQ `pirq` (0-3) is steered to, or -1. */
  route(pirq: number): number {
    const value = this.registers.byte(PIIX3_PIRQRC + (pirq & 3));
    if ((value & PIRQ_DISABLE) !== 0) return -1;
    const irq = value & PIRQ_IRQ_MASK;
    return ((ROUTABLE_IRQS >>> irq) & 1) !== 0 ? irq : -1;
  }

  attach(context: DeviceContext): void {
    this.context = context;
    this.drive();
  }

  private line(irq: number): IrqLine | undefined {
    if (this.context === undefined) return undefined;
    let line = this.lines[irq];
    if (line === undefined) this.lines[irq] = line = this.context.irq(irq);
    return line;
  }

  /** Brings the ISA lines in line with the PIRQ levels and routes. */
  private drive(): void {
    let wanted = 0;
    for (let p = 0; p < 4; p++) {
      const irq = this.route(p);
      if (this.pirqLevels[p] === true && irq >= 0) wanted |= 1 << irq;
    }
    const changed = wanted ^ this.driven;
    if (changed === 0 || this.context === undefined) return;
    for (let irq = 0; irq < 16; irq++) {
      if (((changed >>> irq) & 1) === 0) continue;
      if (((wanted >>> irq) & 1) !== 0) this.line(irq)?.raise();
      else this.line(irq)?.lower();
    }
    this.driven = wanted;
  }

  reset(_kind: ResetKind): void {
    // The bus resets the configuration registers (and so the routes) with its functions.
    this.drive();
  }

  /**
   * The routes live in the bus's saved configuration space and the PIRQ levels come from
   * the functions' INTx states the bus restores, so the bridge has nothing of its own.
   */
  saveState(): DeviceState {
    return {};
  }

  loadState(_state: DeviceState): void {
    for (let p = 0; p < 4; p++) this.pirqLevels[p] = this.bus.isPirqAsserted(p);
    this.drive();
  }
}
