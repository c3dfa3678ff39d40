// Port 80h: the POST-code port.
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
