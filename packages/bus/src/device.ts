// How a device plugs into the board (STYLE.md b6). A device sees only its context.
import type { IoBus, PhysicalMemory } from "./io";
import type { Clock, Scheduler } from "./time";

/** An interrupt request line driven by a device. Edge devices raise then lower. */
export interface IrqLine {
  raise(): void;
  lower(): void;
}

/** Diagnostic output; devices log guest misuse once, never throw at the guest. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

/** Everything a device may touch. */
export interface DeviceContext {
  readonly io: IoBus;
  irq(line: number): IrqLine;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  /** Guest-physical memory for bus-master devices (DMA); absent on boards without it. */
  readonly dma?: PhysicalMemory;
}

/** A device's whole state as a plain, JSON-serializable object. */
export type DeviceState = { readonly [key: string]: unknown };

/** Power-on: cold boot. Hardware: reset line. Software: a guest-requested reset of the chip. */
export type ResetKind = "power-on" | "hardware" | "software";

/** A PC chip. */
export interface Device {
  readonly specificationVersion: "v1";
  readonly name: string;
  /** Registers the device's ports, MMIO ranges and IRQ lines. */
  attach(context: DeviceContext): void;
  reset(kind: ResetKind): void;
  saveState?(): DeviceState;
  loadState?(state: DeviceState): void;
}
