// A flat test memory: LinearMemory without paging, over one Uint8Array. Paging requests are
// recorded (tests can assert them) but not applied.
import type { LinearMemory, PageFaultSink, PagingState, PortIo } from "@ringvm/bus";

export class FlatMemory implements LinearMemory {
  readonly bytes: Uint8Array;
  private readonly mask: number;
  paging: PagingState | null = null;
  isUser = false;
  sink: PageFaultSink | null = null;
  /** Linear addresses written, in order, when `logWrites` is on (test diagnostics). */
  readonly writes: number[] = [];
  logWrites = false;

  /** `size` must be a power of two; addresses wrap modulo `size`. */
  constructor(size = 1 << 24) {
    this.bytes = new Uint8Array(size);
    this.mask = size - 1;
  }

  read8(linear: number): number {
    return this.bytes[linear & this.mask]!;
  }
  read16(linear: number): number {
    return this.read8(linear) | (this.read8(linear + 1) << 8);
  }
  read32(linear: number): number {
    return (this.read16(linear) | (this.read16(linear + 2) << 16)) >>> 0;
  }
  write8(linear: number, value: number): void {
    if (this.logWrites) this.writes.push(linear & this.mask);
    this.bytes[linear & this.mask] = value;
  }
  write16(linear: number, value: number): void {
    this.write8(linear, value & 0xff);
    this.write8(linear + 1, (value >>> 8) & 0xff);
  }
  write32(linear: number, value: number): void {
    this.write16(linear, value & 0xffff);
    this.write16(linear + 2, (value >>> 16) & 0xffff);
  }
  fetch8(linear: number): number {
    return this.bytes[linear & this.mask]!;
  }
  setPaging(state: PagingState): void {
    this.paging = state;
  }
  setUserMode(isUser: boolean): void {
    this.isUser = isUser;
  }
  invalidatePage(_linear: number): void {}
  flushTlb(_global: boolean): void {}
  setFaultSink(sink: PageFaultSink): void {
    this.sink = sink;
  }
}

/** Port I/O that reads all-ones (an empty ISA bus) and records writes. */
export class NullPorts implements PortIo {
  readonly written: Array<[number, number]> = [];
  in8(_port: number): number {
    return 0xff;
  }
  in16(_port: number): number {
    return 0xffff;
  }
  in32(_port: number): number {
    return 0xffffffff;
  }
  out8(port: number, value: number): void {
    this.written.push([port, value]);
  }
  out16(port: number, value: number): void {
    this.written.push([port, value]);
  }
  out32(port: number, value: number): void {
    this.written.push([port, value]);
  }
}
