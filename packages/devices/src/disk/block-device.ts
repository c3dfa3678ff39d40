// The disk backends' common shape, shared by the CLI (files) and the web app (File, HTTP ranges).

/** A disk image went wrong in a way the user must hear about (bad format, bad overlay). */
export class DiskImageError extends Error {
  override readonly name = "DiskImageError";
}

/**
 * Where the bytes of an image live. A Node file or an in-memory buffer can answer
 * synchronously (`readSync`); a browser File or an HTTP range source only asynchronously.
 */
export interface ByteSource {
  readonly byteLength: number;
  /** Reads `length` bytes at `offset`; bytes past the end read as zero. */
  readAsync(offset: number, length: number): Promise<Uint8Array>;
  /** Fills `into` from `offset` if the bytes are at hand; returns false otherwise. */
  readSync?(offset: number, into: Uint8Array): boolean;
  /** Present only when the source was opened for writing. */
  writeSync?(offset: number, from: Uint8Array): void;
}

/**
 * A disk as a controller sees it: fixed-size sectors, synchronous access when the data is
 * in memory and an asynchronous path otherwise. Offsets and lengths are in bytes.
 */
export interface BlockDevice {
  /** Bytes per sector the image was made for (512 for hard disks and floppies, 2048 for CDs). */
  readonly sectorSize: number;
  readonly sectorCount: number;
  /** True when writes are refused (the controller reports write-protect / abort). */
  readonly isReadOnly: boolean;
  /** Fills `into` from byte `offset`; returns false when only `readAsync` can answer. */
  readSync(offset: number, into: Uint8Array): boolean;
  readAsync(offset: number, length: number): Promise<Uint8Array>;
  /** Writes `from` at byte `offset`; returns false when the disk is read-only. */
  write(offset: number, from: Uint8Array): boolean;
}
