// The device-specific half of a configuration space (40h-FFh) as masked bytes, for
// functions whose registers are plain storage with side effects on write.
import type { Width } from "@ringvm/bus";
import type { PciDeviceSpecificRegisters } from "./pci-function";

/** One register: power-on value and the bits software may change. */
export interface ConfigRegister {
  readonly offset: number;
  readonly width: Width;
  readonly value: number;
  readonly writable: number;
}

const FIRST = 0x40;
const BYTES = 0xc0;

export class ConfigRegisterBlock implements PciDeviceSpecificRegisters {
  private readonly bytes = new Uint8Array(BYTES);
  private readonly powerOn = new Uint8Array(BYTES);
  private readonly writable = new Uint8Array(BYTES);

  /**
   * @param registers the implemented registers; the rest read 0 and ignore writes
   * @param onWrite called after each write with the byte offsets it touched
   */
  constructor(
    registers: readonly ConfigRegister[],
    private readonly onWrite: (offset: number, width: Width) => void = () => {},
  ) {
    for (const r of registers) {
      for (let i = 0; i < r.width; i++) {
        const at = r.offset + i - FIRST;
        this.powerOn[at] = (r.value >>> (8 * i)) & 0xff;
        this.writable[at] = (r.writable >>> (8 * i)) & 0xff;
      }
    }
    this.bytes.set(this.powerOn);
  }

  read(offset: number, width: Width): number {
    let value = 0;
    for (let i = 0; i < width; i++) value |= (this.bytes[offset + i - FIRST] ?? 0) << (8 * i);
    return value >>> 0;
  }

  write(offset: number, width: Width, value: number): void {
    for (let i = 0; i < width; i++) {
      const at = offset + i - FIRST;
      const mask = this.writable[at] ?? 0;
      this.bytes[at] = ((this.bytes[at] ?? 0) & ~mask) | ((value >>> (8 * i)) & mask);
    }
    this.onWrite(offset, width);
  }

  /** Sets bits the hardware itself owns (bypasses the write mask). */
  poke(offset: number, value: number): void {
    this.bytes[offset - FIRST] = value & 0xff;
  }

  /** Changes which bits of a byte are writable (lock bits). */
  setWritable(offset: number, mask: number): void {
    this.writable[offset - FIRST] = mask & 0xff;
  }

  byte(offset: number): number {
    return this.bytes[offset - FIRST] ?? 0;
  }

  reset(): void {
    this.bytes.set(this.powerOn);
  }

  saveState(): number[] {
    return Array.from(this.bytes);
  }

  loadState(bytes: unknown): void {
    if (!Array.isArray(bytes) || bytes.length !== BYTES) return;
    for (let i = 0; i < BYTES; i++) this.bytes[i] = Number(bytes[i]) & 0xff;
  }
}
