// Small board ports: 92h (PS/2 system control port A: fast A20 and fast reset), E9h (the
// Bochs/QEMU debug console) and 80h (POST codes). Stop-gap until @ringvm/devices/misc lands.
import type { Device, DeviceContext, ResetKind } from "@ringvm/bus";
import type { SerialSink } from "./serial";

export interface SystemPortsOptions {
  readonly onA20: (isEnabled: boolean) => void;
  readonly onReset: () => void;
  readonly debugcon?: SerialSink;
}

const PORT_A = 0x92;
const DEBUGCON = 0xe9;
const POST = 0x80;

export class SystemPorts implements Device {
  readonly specificationVersion = "v1";
  readonly name = "system-ports";
  private portA = 0x02;
  private post = 0;
  private readonly byte = new Uint8Array(1);

  constructor(private readonly options: SystemPortsOptions) {}

  attach(context: DeviceContext): void {
    context.io.registerPorts(
      PORT_A,
      1,
      {
        read: () => this.portA,
        write: (_p, _w, value) => {
          const before = this.portA;
          this.portA = value & 0x03;
          if (((before ^ value) & 0x02) !== 0) this.options.onA20((value & 0x02) !== 0);
          // Bit 0 from 0 to 1: fast reset (the CPU's INIT; the board resets).
          if ((before & 1) === 0 && (value & 1) !== 0) this.options.onReset();
        },
      },
      { owner: "port92", widths: [1] },
    );
    context.io.registerPorts(
      DEBUGCON,
      1,
      {
        // Reading E9h returns E9h: how guests detect the debug console.
        read: () => 0xe9,
        write: (_p, _w, value) => {
          this.byte[0] = value & 0xff;
          this.options.debugcon?.write(this.byte);
        },
      },
      { owner: "debugcon", widths: [1] },
    );
    context.io.registerPorts(
      POST,
      1,
      {
        read: () => this.post,
        write: (_p, _w, value) => {
          this.post = value & 0xff;
        },
      },
      { owner: "post", widths: [1] },
    );
  }

  reset(_kind: ResetKind): void {
    this.portA = 0x02;
  }
}
