// Port 92h: system control port A (PS/2, PIIX): fast A20 and fast reset.
import type { Device, DeviceContext, DeviceState, ResetKind, Width } from "@ringvm/bus";

const BYTE_ONLY: readonly Width[] = [1];

/** Options of a {@link SystemControlPortA}. */
export interface SystemControlPortAOptions {
  /** Called when bit 1 (A20 gate) changes. The board ORs it with the i8042's A20 output. */
  readonly onA20Change?: (isEnabled: boolean) => void;
  /** Called on a 0->1 write of bit 0 (fast reset): the board resets the CPU. */
  readonly onReset?: () => void;
}

/** Bit 0: fast reset (pulses the CPU's INIT/RESET on a rising write). */
const FAST_RESET = 0x01;
/** Bit 1: A20 gate. */
const A20 = 0x02;

/**
 * System control port A (92h): bit 1 is the fast A20 gate, a 0-to-1 write of bit 0 resets
 * the processor. The other bits are stored and read back (bit 3 is the CMOS lock on some
 * chipsets; nothing here acts on it).
 */
export class SystemControlPortA implements Device {
  readonly specificationVersion = "v1";
  readonly name = "port92";
  private value = 0;
  onA20Change: ((isEnabled: boolean) => void) | undefined;
  onReset: (() => void) | undefined;

  constructor(options: SystemControlPortAOptions = {}) {
    this.onA20Change = options.onA20Change;
    this.onReset = options.onReset;
  }

  /** The A20 gate this port drives. */
  get a20(): boolean {
    return (this.value & A20) !== 0;
  }

  attach(context: DeviceContext): void {
    context.io.registerPorts(
      0x92,
      1,
      { read: () => this.value, write: (_p, _w, value) => this.write(value & 0xff) },
      { owner: this.name, widths: BYTE_ONLY },
    );
  }

  /** Power-on clears the port (A20 off); other resets clear only the reset bit, as QEMU. */
  reset(kind: ResetKind): void {
    const before = this.value;
    this.value = kind === "power-on" ? 0 : this.value & ~FAST_RESET;
    if (((before ^ this.value) & A20) !== 0) this.onA20Change?.(this.a20);
  }

  saveState(): DeviceState {
    return { value: this.value };
  }

  loadState(state: DeviceState): void {
    const value = state.value;
    this.value = typeof value === "number" ? value & 0xff : 0;
  }

  private write(value: number): void {
    const before = this.value;
    this.value = value;
    if (((before ^ value) & A20) !== 0) this.onA20Change?.(this.a20);
    if ((value & FAST_RESET) !== 0 && (before & FAST_RESET) === 0) this.onReset?.();
  }
}
