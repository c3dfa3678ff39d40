// A disk backed by an image source (file, browser File, HTTP ranges): read-only unless asked.
import type { BlockDevice, ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";

/** Options of {@link ImageDisk}. */
export interface ImageDiskOptions {
  /** Bytes per sector (default 512; 2048 for CD images). */
  readonly sectorSize?: number;
  /**
   * Write straight into the source. Off by default: put an {@link OverlayDisk} on top
   * instead so the image is never modified unless the user commits.
   */
  readonly isWritable?: boolean;
}

/** A raw image. A trailing partial sector reads as if zero-padded. */
export class ImageDisk implements BlockDevice {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly isReadOnly: boolean;

  constructor(
    private readonly source: ByteSource,
    options: ImageDiskOptions = {},
  ) {
    this.sectorSize = options.sectorSize ?? 512;
    if (!Number.isSafeInteger(source.byteLength) || source.byteLength < 0) {
      throw new DiskImageError(`image has an invalid size (${source.byteLength})`);
    }
    if (source.byteLength === 0) throw new DiskImageError("image is empty");
    this.sectorCount = Math.ceil(source.byteLength / this.sectorSize);
    const canWrite = options.isWritable === true && source.writeSync !== undefined;
    if (options.isWritable === true && !canWrite) {
      throw new DiskImageError("image source was not opened for writing");
    }
    this.isReadOnly = !canWrite;
  }

  readSync(offset: number, into: Uint8Array): boolean {
    return this.source.readSync?.(offset, into) ?? false;
  }

  readAsync(offset: number, length: number): Promise<Uint8Array> {
    return this.source.readAsync(offset, length);
  }

  write(offset: number, from: Uint8Array): boolean {
    if (this.isReadOnly || this.source.writeSync === undefined) return false;
    this.source.writeSync(offset, from);
    return true;
  }
}
