// Intel 82441FX PMC (i440FX host bridge), PCI 00:00.0: identity, PAM shadow-RAM control
// and the SMRAM register (82441FX datasheet, 3.2 "PCI configuration registers").
import type { Width } from "@ringvm/bus";
import { ConfigRegisterBlock } from "./config-registers";
import type { PciBus } from "./pci-bus";
import type { PciFunction } from "./pci-function";
import { STATUS_DEVSEL_MEDIUM } from "./regs";

/** PAM0 at 59h ... PAM6 at 5Fh (82441FX 3.2.18). */
export const I440FX_PAM0 = 0x59;
export const I440FX_PAM_COUNT = 7;
/** SMRAM control (82441FX 3.2.22): D_OPEN 40h, D_CLS 20h, D_LCK 10h, G_SMRAME 08h, C_BASE_SEG 2. */
export const I440FX_SMRAM = 0x72;
const SMRAM_D_OPEN = 0x40;
const SMRAM_D_LCK = 0x10;
const SMRAM_WRITABLE = 0x78;
const SMRAM_LOCKED_WRITABLE = 0x20;

/** Identity of the 82441FX as configuration software reads it. */
export const I440FX_PCI = {
  vendorId: 0x8086,
  deviceId: 0x1237,
  revision: 0x02,
  classCode: 0x06,
  subclass: 0x00,
} as const;

/** Options of {@link I440fxHostBridge}. */
export interface I440fxOptions {
  /**
   * A PAM register changed: `index` 0-6 (register 59h + index), `value` the new byte.
   * The board forwards it to its memory map (`PhysicalSpace.setPamRegister`).
   */
  readonly onPam?: (index: number, value: number) => void;
  /** Guest RAM size; register 57h reads it in 8 MiB units, as on QEMU. */
  readonly ramBytes?: number;
}

/**
 * The host bridge function. SMRAM is modelled as a register only: the CPU has no SMM, so
 * the A/B segment always routes to VGA whatever D_OPEN says.
 */
export class I440fxHostBridge {
  readonly pci: PciFunction;
  private readonly registers: ConfigRegisterBlock;

  constructor(bus: PciBus, options: I440fxOptions = {}) {
    const pam: { offset: number; width: Width; value: number; writable: number }[] = [];
    // PAM0 implements only its high nibble (F0000h-FFFFFh); PAM1-6 two nibbles (RE, WE).
    for (let i = 0; i < I440FX_PAM_COUNT; i++)
      pam.push({ offset: I440FX_PAM0 + i, width: 1, value: 0, writable: i === 0 ? 0x30 : 0x33 });
    const drb: { offset: number; width: Width; value: number; writable: number }[] = [];
    // DRB0-7 (60h-67h): DRAM row boundaries, storage only (QEMU powers them on as 0).
    for (let i = 0; i < 8; i++) drb.push({ offset: 0x60 + i, width: 1, value: 0, writable: 0xff });
    // Power-on values follow QEMU's i440FX (recorded in test/oracle): zero, except 57h,
    // where QEMU (and coreboot) keep the RAM size in 8 MiB units.
    const ramUnits = Math.min(Math.floor((options.ramBytes ?? 0) / (8 << 20)), 0xff);
    this.registers = new ConfigRegisterBlock(
      [
        { offset: 0x50, width: 2, value: 0x0000, writable: 0x0370 }, // PMCCFG
        { offset: 0x53, width: 1, value: 0x00, writable: 0xff }, // DETURBO
        { offset: 0x55, width: 2, value: 0x0000, writable: 0xffff }, // DBC
        { offset: 0x57, width: 1, value: ramUnits, writable: 0xff }, // DRAMC
        { offset: 0x58, width: 1, value: 0x00, writable: 0xff }, // DRAMT
        ...pam,
        ...drb,
        { offset: 0x68, width: 1, value: 0x00, writable: 0xc0 }, // FDHC
        { offset: 0x70, width: 1, value: 0x00, writable: 0xff }, // MTT
        { offset: 0x71, width: 1, value: 0x00, writable: 0xff }, // CLT
        { offset: I440FX_SMRAM, width: 1, value: 0x02, writable: SMRAM_WRITABLE },
        { offset: 0x90, width: 1, value: 0x00, writable: 0xff }, // ERRCMD
        { offset: 0x91, width: 1, value: 0x00, writable: 0x00 }, // ERRSTS
        { offset: 0x93, width: 1, value: 0x00, writable: 0x0e }, // TRC
      ],
      (offset, width) => {
        for (let at = offset; at < offset + width; at++) {
          if (at >= I440FX_PAM0 && at < I440FX_PAM0 + I440FX_PAM_COUNT)
            options.onPam?.(at - I440FX_PAM0, this.registers.byte(at));
          if (at === I440FX_SMRAM) this.applySmramLock();
        }
      },
    );
    const registers = this.registers;
    this.pci = bus.register(0, 0, {
      ...I440FX_PCI,
      command: 0x0006,
      commandWritable: 0x0146,
      status: STATUS_DEVSEL_MEDIUM | 0x0080,
      deviceSpecific: {
        read: (offset, width) => registers.read(offset, width),
        write: (offset, width, value) => registers.write(offset, width, value),
        reset: () => {
          registers.reset();
          registers.setWritable(I440FX_SMRAM, SMRAM_WRITABLE);
          for (let i = 0; i < I440FX_PAM_COUNT; i++) options.onPam?.(i, 0);
        },
        saveState: () => registers.saveState(),
        loadState: (state) => {
          registers.loadState(state);
          this.applySmramLock();
          for (let i = 0; i < I440FX_PAM_COUNT; i++)
            options.onPam?.(i, registers.byte(I440FX_PAM0 + i));
        },
      },
    });
  }

  /** D_LCK set: D_OPEN clears and only D_CLS stays writable until reset (82441FX 3.2.22). */
  private applySmramLock(): void {
    const value = this.registers.byte(I440FX_SMRAM);
    if ((value & SMRAM_D_LCK) === 0) return;
    this.registers.poke(I440FX_SMRAM, value & ~SMRAM_D_OPEN);
    this.registers.setWritable(I440FX_SMRAM, SMRAM_LOCKED_WRITABLE);
  }

  /** The current PAM byte `index` (0-6). */
  pam(index: number): number {
    return this.registers.byte(I440FX_PAM0 + index);
  }
}
