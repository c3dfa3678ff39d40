// The PIIX3 IDE function (PCI 00:01.1): two legacy channels and the bus-master registers.
import type {
  Device,
  DeviceContext,
  DeviceState,
  PortIoHandler,
  ResetKind,
  Width,
} from "@ringvm/bus";
import type { IdeDrive } from "./drives";
import { runAtaCommand, runAtapiCommand } from "./ata-commands";
import { IdeChannel } from "./ide-channel";
import {
  PRIMARY_COMMAND_BASE,
  PRIMARY_CONTROL_PORT,
  PRIMARY_IRQ,
  SECONDARY_COMMAND_BASE,
  SECONDARY_CONTROL_PORT,
  SECONDARY_IRQ,
} from "./regs";

/** Options of {@link PiixIde}: up to two devices per channel, [device 0, device 1]. */
export interface PiixIdeOptions {
  readonly primary?: readonly [IdeDrive?, IdeDrive?];
  readonly secondary?: readonly [IdeDrive?, IdeDrive?];
}

/**
 * PCI configuration values of the IDE function, for the board's PCI registry
 * (PIIX3 datasheet 2.2 "PCI configuration registers (function 1)").
 */
export const PIIX3_IDE_PCI = {
  vendorId: 0x8086,
  /** 82371SB PIIX3 IDE. */
  deviceId: 0x7010,
  /** Class 01h (mass storage), subclass 01h (IDE), prog-if 80h (bus master, legacy mode). */
  classCode: 0x01,
  subclass: 0x01,
  progIf: 0x80,
  /** BAR4 (offset 20h): 16 I/O ports of bus-master registers. */
  busMasterBar: 4,
  busMasterSize: 16,
  /**
   * IDETIM registers (40h primary, 42h secondary), 16 bits each: bit 15 enables the
   * channel's legacy decode. Power-on value 0; firmware sets 8000h. The legacy ports are
   * registered at attach; a board that honours IDETIM gates them itself.
   */
  idetimPrimary: 0x40,
  idetimSecondary: 0x42,
  idetimDecodeEnable: 0x8000,
} as const;

/** Bytes per channel in the bus-master block: primary at +0, secondary at +8. */
const BM_CHANNEL_BYTES = 8;

export class PiixIde implements Device {
  readonly specificationVersion = "v1";
  readonly name = "piix-ide";
  readonly primary: IdeChannel;
  readonly secondary: IdeChannel;
  /**
   * The bus-master register block. The PCI function (BAR4) decides where it lives:
   * the board maps it with `mapBusMaster(base)` or forwards accesses here itself.
   */
  readonly busMaster: PortIoHandler;
  private context: DeviceContext | undefined;
  private busMasterRegistration: Disposable | undefined;
  private busMasterBase = -1;

  constructor(options: PiixIdeOptions = {}) {
    const commands = { ata: runAtaCommand, atapi: runAtapiCommand };
    this.primary = new IdeChannel([options.primary?.[0], options.primary?.[1]], commands);
    this.secondary = new IdeChannel([options.secondary?.[0], options.secondary?.[1]], commands);
    this.busMaster = {
      read: (port, width) => this.readBusMaster(port, width),
      write: (port, width, value) => this.writeBusMaster(port, width, value),
    };
  }

  attach(context: DeviceContext): void {
    this.context = context;
    const channels: [IdeChannel, number, number, number][] = [
      [this.primary, PRIMARY_COMMAND_BASE, PRIMARY_CONTROL_PORT, PRIMARY_IRQ],
      [this.secondary, SECONDARY_COMMAND_BASE, SECONDARY_CONTROL_PORT, SECONDARY_IRQ],
    ];
    for (const [channel, base, control, irq] of channels) {
      channel.attach({
        irq: context.irq(irq),
        clock: context.clock,
        scheduler: context.scheduler,
        log: context.log,
        dma: context.dma,
      });
      context.io.registerPorts(
        base,
        8,
        {
          read: (port, width) => channel.readRegister(port - base, width),
          write: (port, width, value) => channel.writeRegister(port - base, width, value),
        },
        { owner: this.name, widths: [1, 2, 4] },
      );
      // Only 3F6h/376h: 3F7h/377h belong to the floppy controller (DIR).
      context.io.registerPorts(
        control,
        1,
        {
          read: () => channel.readAltStatus(),
          write: (_port, _width, value) => channel.writeControl(value),
        },
        { owner: this.name, widths: [1] },
      );
    }
  }

  /** Places the bus-master block at `base` (BAR4), or removes it with -1. */
  mapBusMaster(base: number): void {
    if (base === this.busMasterBase) return;
    this.busMasterRegistration?.[Symbol.dispose]();
    this.busMasterRegistration = undefined;
    this.busMasterBase = base;
    if (base >= 0 && this.context !== undefined) {
      this.busMasterRegistration = this.context.io.registerPorts(base, 16, this.busMaster, {
        owner: `${this.name}-bus-master`,
        widths: [1, 2, 4],
      });
    }
  }

  /** `port` may be absolute (after mapBusMaster) or an offset 0-15. */
  private readBusMaster(port: number, width: Width): number {
    const offset = this.busMasterBase >= 0 ? port - this.busMasterBase : port & 0x0f;
    let value = 0;
    for (let i = 0; i < width; i++) {
      const at = (offset + i) & 0x0f;
      const channel = at < BM_CHANNEL_BYTES ? this.primary : this.secondary;
      value |= channel.readBusMaster(at % BM_CHANNEL_BYTES) << (8 * i);
    }
    return value >>> 0;
  }

  private writeBusMaster(port: number, width: Width, value: number): void {
    const offset = this.busMasterBase >= 0 ? port - this.busMasterBase : port & 0x0f;
    // The PRD pointer is written as a dword; apply bytes high to low so the start
    // bit (offset 0) is processed after nothing else in the same access matters.
    for (let i = 0; i < width; i++) {
      const at = (offset + i) & 0x0f;
      const channel = at < BM_CHANNEL_BYTES ? this.primary : this.secondary;
      channel.writeBusMaster(at % BM_CHANNEL_BYTES, (value >>> (8 * i)) & 0xff);
    }
  }

  reset(_kind: ResetKind): void {
    this.primary.reset();
    this.secondary.reset();
  }

  saveState(): DeviceState {
    return {
      primary: this.primary.saveState(),
      secondary: this.secondary.saveState(),
      busMasterBase: this.busMasterBase,
    };
  }

  loadState(state: DeviceState): void {
    const get = (key: string) => (state[key] ?? {}) as Record<string, unknown>;
    this.primary.loadState(get("primary"));
    this.secondary.loadState(get("secondary"));
    this.mapBusMaster(Number(state["busMasterBase"] ?? -1));
  }
}
