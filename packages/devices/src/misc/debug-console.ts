// Port E9h: the Bochs/QEMU debug console.
import type { Device, DeviceContext, DeviceState, ResetKind, Width } from "@ringvm/bus";

const BYTE_ONLY: readonly Width[] = [1];

/** Options of a {@link DebugConsole}. */
export interface DebugConsoleOptions {
  /** Host sink for the bytes written (each call gets its own array). */
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
        // A fresh array per byte: hosts such as a Node stream queue it without copying.
        write: (_p, _w, value) => this.onOutput?.(Uint8Array.of(value & 0xff)),
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
