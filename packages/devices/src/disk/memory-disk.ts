// A disk held entirely in memory: scratch disks, tests, and images loaded whole into RAM.
import type { BlockDevice, ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";

/** Options of {@link MemoryDisk}. */
export interface MemoryDiskOptions {
  /** Bytes per sector (default 512). */
  readonly sectorSize?: number;
  /** Refuse writes (default false). */
  readonly isReadOnly?: boolean;
}

/**
 * An in-memory disk. Given a byte count it starts zero-filled; given bytes it uses them
 * (the array is adopted, not copied) and rounds the size up to whole sectors.
 */
export class MemoryDisk implements BlockDevice, ByteSource {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly isReadOnly: boolean;
  readonly bytes: Uint8Array;

  constructor(sizeOrBytes: number | Uint8Array, options: MemoryDiskOptions = {}) {
    this.sectorSize = options.sectorSize ?? 512;
    this.isReadOnly = options.isReadOnly ?? false;
    if (typeof sizeOrBytes === "number") {
      if (!Number.isSafeInteger(sizeOrBytes) || sizeOrBytes < 0) {
        throw new DiskImageError(`invalid disk size ${sizeOrBytes}`);
      }
      this.sectorCount = Math.ceil(sizeOrBytes / this.sectorSize);
      this.bytes = new Uint8Array(this.sectorCount * this.sectorSize);
    } else {
      this.sectorCount = Math.ceil(sizeOrBytes.length / this.sectorSize);
      const whole = this.sectorCount * this.sectorSize;
      if (whole === sizeOrBytes.length) {
        this.bytes = sizeOrBytes;
      } else {
        this.bytes = new Uint8Array(whole);
        this.bytes.set(sizeOrBytes);
      }
    }
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  readSync(offset: number, into: Uint8Array): boolean {
    into.fill(0);
    if (offset < this.bytes.length) {
      into.set(this.bytes.subarray(offset, Math.min(this.bytes.length, offset + into.length)));
    }
    return true;
  }

  readAsync(offset: number, length: number): Promise<Uint8Array> {
    const into = new Uint8Array(length);
    this.readSync(offset, into);
    return Promise.resolve(into);
  }

  write(offset: number, from: Uint8Array): boolean {
    if (this.isReadOnly) return false;
    if (offset >= this.bytes.length) return true;
    this.bytes.set(from.subarray(0, this.bytes.length - offset), offset);
    return true;
  }

  writeSync(offset: number, from: Uint8Array): void {
    this.write(offset, from);
  }
}
