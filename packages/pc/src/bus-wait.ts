// Port accesses that take guest time: each one the CPU makes waits on the bus (an ISA or LPC
// I/O cycle is about a microsecond on a PC; port 80h writes are the kernel's 1 us delay).
import type { PortIo } from "@ringvm/bus";

/**
 * The CPU's view of the port bus: every access is passed on, then `wait` is called (the
 * hypervisor's `busWait`). A 16- or 32-bit access is one bus wait, however the bus splits it.
 */
export class WaitingPorts implements PortIo {
  constructor(
    private readonly inner: PortIo,
    private readonly wait: () => void,
  ) {}

  in8(port: number): number {
    const value = this.inner.in8(port);
    this.wait();
    return value;
  }
  in16(port: number): number {
    const value = this.inner.in16(port);
    this.wait();
    return value;
  }
  in32(port: number): number {
    const value = this.inner.in32(port);
    this.wait();
    return value;
  }
  out8(port: number, value: number): void {
    this.inner.out8(port, value);
    this.wait();
  }
  out16(port: number, value: number): void {
    this.inner.out16(port, value);
    this.wait();
  }
  out32(port: number, value: number): void {
    this.inner.out32(port, value);
    this.wait();
  }
}
