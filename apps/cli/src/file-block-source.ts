// A disk image file as a byte source for @ringvm/devices/disk (structurally its ByteSource):
// opened read-only unless writing was asked for, so a guest can never modify the user's image
// by accident; writes normally go to a copy-on-write overlay instead.
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

/** Options of {@link FileBlockSource.open}. */
export interface FileBlockSourceOptions {
  /** Open the file for writing too (default false: the file is opened "r"). */
  readonly isWritable?: boolean;
}

export class FileBlockSource {
  /** Present only when opened writable (ByteSource contract). */
  readonly writeSync?: (offset: number, from: Uint8Array) => void;

  private constructor(
    private fd: number,
    readonly byteLength: number,
    readonly path: string,
    isWritable: boolean,
  ) {
    if (isWritable) this.writeSync = (offset, from) => this.writeAt(offset, from);
  }

  /** Opens `path`; throws an Error naming the file when it cannot be opened. */
  static open(path: string, options: FileBlockSourceOptions = {}): FileBlockSource {
    const isWritable = options.isWritable === true;
    let fd: number;
    try {
      fd = openSync(path, isWritable ? "r+" : "r");
    } catch (error) {
      throw new Error(`cannot open disk image ${path}: ${(error as Error).message}`);
    }
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      closeSync(fd);
      throw new Error(`disk image ${path} is not a regular file`);
    }
    return new FileBlockSource(fd, stat.size, path, isWritable);
  }

  get isWritable(): boolean {
    return this.writeSync !== undefined;
  }

  /** Fills `into` from `offset`; bytes past the end of the file read as zero. */
  readSync(offset: number, into: Uint8Array): boolean {
    this.checkOpen();
    let done = 0;
    while (done < into.length && offset + done < this.byteLength) {
      const got = readSync(this.fd, into, done, into.length - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    into.fill(0, done);
    return true;
  }

  readAsync(offset: number, length: number): Promise<Uint8Array> {
    const into = new Uint8Array(length);
    this.readSync(offset, into);
    return Promise.resolve(into);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private writeAt(offset: number, from: Uint8Array): void {
    this.checkOpen();
    // Never grow the image: the guest sees a fixed-size disk.
    const length = Math.max(0, Math.min(from.length, this.byteLength - offset));
    let done = 0;
    while (done < length) done += writeSync(this.fd, from, done, length - done, offset + done);
  }

  private checkOpen(): void {
    if (this.fd < 0) throw new Error(`disk image ${this.path} is closed`);
  }
}
