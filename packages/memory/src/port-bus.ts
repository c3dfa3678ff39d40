// The port-I/O bus: a dense 65,536-entry dispatch (no Map, no sparse array), width
// splitting as ISA decoding does it, overlap refusal naming both owners, and all-ones reads
// of unclaimed ports, each logged once.
import type { Logger, PortIo, PortIoHandler, PortRegistration } from "@ringvm/bus";
import { disposable } from "./disposable";

/** The x86 I/O address space is 64 Ki ports (IN/OUT take a 16-bit port number). */
const PORT_COUNT = 0x1_0000;
const PORT_MASK = PORT_COUNT - 1;

/** Bits of the per-port width mask. */
const W1 = 1;
const W2 = 2;
const W4 = 4;

interface PortSlot {
  readonly handler: PortIoHandler;
  readonly owner: string;
  readonly first: number;
  readonly count: number;
}

/** Options of {@link PortBus}. */
export interface PortBusOptions {
  /** Receives one `debug` line per unclaimed port the guest touches (and per unsupported width). */
  readonly log?: Logger;
}

/**
 * Port I/O for the CPU (`PortIo`) and registration for devices (`registerPorts`). A 16-bit
 * or 32-bit access to a port whose owner did not register that width is split into halves
 * (low half first, each routed by its own port), down to bytes, as an 8-bit ISA device sees
 * a wide access. An access no owner decodes reads all ones and is dropped on write.
 */
export class PortBus implements PortIo {
  private readonly slotOf = new Uint16Array(PORT_COUNT);
  private readonly widthsOf = new Uint8Array(PORT_COUNT);
  private readonly slots: (PortSlot | undefined)[] = [undefined];
  private readonly logged = new Uint8Array(PORT_COUNT);
  private readonly log: Logger | undefined;

  constructor(options: PortBusOptions = {}) {
    this.log = options.log;
  }

  /** Claims ports `first`..`first+count-1`; throws naming both owners on overlap. */
  registerPorts(
    first: number,
    count: number,
    handler: PortIoHandler,
    options: PortRegistration,
  ): Disposable {
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(count) ||
      first < 0 ||
      count < 1 ||
      first + count > PORT_COUNT
    ) {
      throw new RangeError(
        `'${options.owner}': ports 0x${first.toString(16)}+${count} are outside 0-0xFFFF`,
      );
    }
    let mask = 0;
    for (const w of options.widths) mask |= w === 1 ? W1 : w === 2 ? W2 : w === 4 ? W4 : 0;
    if (mask === 0) throw new RangeError(`'${options.owner}': widths must include 1, 2 or 4`);
    for (let p = first; p < first + count; p++) {
      const other = this.slots[this.slotOf[p]!];
      if (other !== undefined) {
        throw new Error(
          `'${options.owner}' ports 0x${first.toString(16)}-0x${(first + count - 1).toString(16)} overlap ` +
            `'${other.owner}' ports 0x${other.first.toString(16)}-0x${(other.first + other.count - 1).toString(16)} at 0x${p.toString(16)}`,
        );
      }
    }
    const slot = this.slots.length;
    if (slot > 0xffff) throw new Error("too many port registrations");
    this.slots.push({ handler, owner: options.owner, first, count });
    this.slotOf.fill(slot, first, first + count);
    this.widthsOf.fill(mask, first, first + count);
    return disposable(() => {
      if (this.slots[slot] === undefined) return;
      this.slots[slot] = undefined;
      this.slotOf.fill(0, first, first + count);
      this.widthsOf.fill(0, first, first + count);
    });
  }

  /** Who owns `port`, or undefined. */
  ownerOf(port: number): string | undefined {
    return this.slots[this.slotOf[port & PORT_MASK]!]?.owner;
  }

  in8(port: number): number {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W1) !== 0)
      return this.slots[this.slotOf[port]!]!.handler.read(port, 1) & 0xff;
    this.unhandled(port, 1);
    return 0xff;
  }
  in16(port: number): number {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W2) !== 0)
      return this.slots[this.slotOf[port]!]!.handler.read(port, 2) & 0xffff;
    if (this.widthsOf[port] === W4) this.unhandled(port, 2);
    return this.in8(port) | (this.in8(port + 1) << 8);
  }
  /** Returns the 32-bit value unsigned. */
  in32(port: number): number {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W4) !== 0)
      return this.slots[this.slotOf[port]!]!.handler.read(port, 4) >>> 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }
  out8(port: number, value: number): void {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W1) !== 0)
      this.slots[this.slotOf[port]!]!.handler.write(port, 1, value & 0xff);
    else this.unhandled(port, 1);
  }
  out16(port: number, value: number): void {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W2) !== 0) {
      this.slots[this.slotOf[port]!]!.handler.write(port, 2, value & 0xffff);
      return;
    }
    if (this.widthsOf[port] === W4) this.unhandled(port, 2);
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }
  out32(port: number, value: number): void {
    port &= PORT_MASK;
    if ((this.widthsOf[port]! & W4) !== 0) {
      this.slots[this.slotOf[port]!]!.handler.write(port, 4, value >>> 0);
      return;
    }
    this.out16(port, value);
    this.out16(port + 2, value >>> 16);
  }

  /** Logs the first unclaimed (or wrong-width) access to each port; never throws at the guest. */
  private unhandled(port: number, width: number): void {
    if (this.logged[port] !== 0) return;
    this.logged[port] = 1;
    const owner = this.slots[this.slotOf[port]!]?.owner;
    this.log?.debug(
      owner === undefined
        ? `port 0x${port.toString(16)}: no device (reads 0xFF, writes ignored)`
        : `port 0x${port.toString(16)}: '${owner}' does not decode ${width * 8}-bit accesses`,
    );
  }
}
