// Small PC ports: POST codes (80h), the Bochs/QEMU debug console (E9h), and system control
// port A (92h: fast A20 and fast reset, PS/2 and PIIX "port 92").
import type { Device, DeviceContext, DeviceState, ResetKind, Width } from "@ringvm/bus";

const BYTE_ONLY: readonly Width[] = [1];

/** Options of a {@link PostCodePort}. */
export interface PostCodePortOptions {
  /** Called with each code the firmware writes. */
  readonly onPostCode?: (code: number) => void;
}

/**
 * Port 80h, the POST-code port: remembers the last code written. Reads return FFh (nothing
 * drives the bus on a PC without a POST card; QEMU answers the same). Linux also writes here
 * as an I/O delay, which is harmless.
 */
export class PostCodePort implements Device {
  readonly specificationVersion = "v1";
  readonly name = "post-code-port80";
  /** The last POST code written, or -1 since power-on. */
  lastCode = -1;
  /** How many codes were written since power-on. */
  count = 0;
  onPostCode: ((code: number) => void) | undefined;

  constructor(options: PostCodePortOptions = {}) {
    this.onPostCode = options.onPostCode;
  }

  attach(context: DeviceContext): void {
    context.io.registerPorts(
      0x80,
      1,
      {
        read: () => 0xff,
        write: (_p, _w, value) => {
          this.lastCode = value & 0xff;
          this.count++;
          this.onPostCode?.(this.lastCode);
        },
      },
      { owner: this.name, widths: BYTE_ONLY },
    );
  }

  reset(kind: ResetKind): void {
    // A POST display keeps showing its code across a reset; power-on clears it.
    if (kind === "power-on") {
      this.lastCode = -1;
      this.count = 0;
    }
  }

  saveState(): DeviceState {
    return { lastCode: this.lastCode, count: this.count };
  }

  loadState(state: DeviceState): void {
    const code = state.lastCode;
    const count = state.count;
    this.lastCode = typeof code === "number" && code >= -1 && code <= 0xff ? code : -1;
    this.count = typeof count === "number" && count >= 0 ? count : 0;
  }
}

/** Options of a {@link DebugConsole}. */
export interface DebugConsoleOptions {
  /** Host sink for the bytes written (the array is only valid during the call). */
  readonly onOutput?: (bytes: Uint8Array) => void;
  /** Port (default E9h). */
  readonly port?: number;
}

/**
 * The Bochs/QEMU debug console: bytes written to port E9h go to the host; a read returns
 * E9h so guests (SeaBIOS, Linux earlyprintk) can detect it.
 */
export class DebugConsole implements Device {
  readonly specificationVersion = "v1";
  readonly name = "debugcon";
  readonly port: number;
  onOutput: ((bytes: Uint8Array) => void) | undefined;
  private readonly byte = new Uint8Array(1);

  constructor(options: DebugConsoleOptions = {}) {
    this.port = options.port ?? 0xe9;
    this.onOutput = options.onOutput;
  }

  attach(context: DeviceContext): void {
    context.io.registerPorts(
      this.port,
      1,
      {
        read: () => 0xe9,
        write: (_p, _w, value) => {
          this.byte[0] = value;
          this.onOutput?.(this.byte);
        },
      },
      { owner: this.name, widths: BYTE_ONLY },
    );
  }

  reset(_kind: ResetKind): void {}

  saveState(): DeviceState {
    return {};
  }

  loadState(_state: DeviceState): void {}
}

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
