// Copy-on-write overlay: the guest's writes land here, the base image is never written.
// The overlay can be saved (and loaded back), discarded, or committed into a writable base.
import type { BlockDevice } from "./block-device";
import { DiskImageError } from "./block-device";

/** "RVMOVL01": identifies a saved overlay. */
const MAGIC = [0x52, 0x56, 0x4d, 0x4f, 0x56, 0x4c, 0x30, 0x31] as const;
/** Magic (8) + sector size (4) + base sector count (8) + entry count (4). */
const HEADER_BYTES = 24;
/** Each entry: sector index as two little-endian dwords (low, high), then the sector bytes. */
const ENTRY_INDEX_BYTES = 8;

export class OverlayDisk implements BlockDevice {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly isReadOnly = false;
  /** Written sectors by index. Disk I/O is per command, not per instruction: a Map is fine. */
  private readonly sectors = new Map<number, Uint8Array>();

  constructor(readonly base: BlockDevice) {
    this.sectorSize = base.sectorSize;
    this.sectorCount = base.sectorCount;
  }

  /** How many sectors differ from the base. */
  get dirtySectorCount(): number {
    return this.sectors.size;
  }

  readSync(offset: number, into: Uint8Array): boolean {
    if (!this.isAllInOverlay(offset, into.length)) {
      if (!this.base.readSync(offset, into)) return false;
    }
    this.patch(offset, into);
    return true;
  }

  async readAsync(offset: number, length: number): Promise<Uint8Array> {
    const into = new Uint8Array(length);
    if (!this.readSync(offset, into)) {
      into.set((await this.base.readAsync(offset, length)).subarray(0, length));
      this.patch(offset, into);
    }
    return into;
  }

  /**
   * Writes into the overlay. A write that covers only part of a sector needs the base's
   * bytes for the rest; with an asynchronous-only base it is refused (returns false).
   * Controllers always write whole sectors, so they never hit that case.
   */
  write(offset: number, from: Uint8Array): boolean {
    const size = this.sectorSize;
    const limit = this.sectorCount * size;
    let done = 0;
    while (done < from.length && offset + done < limit) {
      const at = offset + done;
      const index = Math.floor(at / size);
      const within = at - index * size;
      const take = Math.min(size - within, from.length - done);
      let sector = this.sectors.get(index);
      if (sector === undefined) {
        sector = new Uint8Array(size);
        if (take !== size && !this.base.readSync(index * size, sector)) return false;
      }
      sector.set(from.subarray(done, done + take), within);
      this.sectors.set(index, sector);
      done += take;
    }
    return true;
  }

  /** Forgets every write: the disk reads as the base again. */
  discard(): void {
    this.sectors.clear();
  }

  /** Writes the overlay into the base (which must be writable), then empties the overlay. */
  commit(): void {
    if (this.base.isReadOnly) {
      throw new DiskImageError("cannot commit the overlay: the base image is read-only");
    }
    for (const index of [...this.sectors.keys()].sort((a, b) => a - b)) {
      const sector = this.sectors.get(index)!;
      if (!this.base.write(index * this.sectorSize, sector)) {
        throw new DiskImageError(`cannot commit the overlay: base refused sector ${index}`);
      }
      this.sectors.delete(index);
    }
  }

  /** The overlay as bytes (sorted by sector), to keep next to the base image. */
  save(): Uint8Array {
    const indices = [...this.sectors.keys()].sort((a, b) => a - b);
    const out = new Uint8Array(
      HEADER_BYTES + indices.length * (ENTRY_INDEX_BYTES + this.sectorSize),
    );
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    view.setUint32(8, this.sectorSize, true);
    view.setUint32(12, this.sectorCount % 0x1_0000_0000, true);
    view.setUint32(16, Math.floor(this.sectorCount / 0x1_0000_0000), true);
    view.setUint32(20, indices.length, true);
    let at = HEADER_BYTES;
    for (const index of indices) {
      view.setUint32(at, index % 0x1_0000_0000, true);
      view.setUint32(at + 4, Math.floor(index / 0x1_0000_0000), true);
      out.set(this.sectors.get(index)!, at + ENTRY_INDEX_BYTES);
      at += ENTRY_INDEX_BYTES + this.sectorSize;
    }
    return out;
  }

  /** Rebuilds an overlay saved by {@link save} over the same base; rejects anything else. */
  static load(base: BlockDevice, saved: Uint8Array): OverlayDisk {
    const overlay = new OverlayDisk(base);
    if (saved.length < HEADER_BYTES || MAGIC.some((byte, i) => saved[i] !== byte)) {
      throw new DiskImageError("not a RingVM overlay file (bad magic)");
    }
    const view = new DataView(saved.buffer, saved.byteOffset, saved.byteLength);
    const sectorSize = view.getUint32(8, true);
    const sectorCount = view.getUint32(12, true) + view.getUint32(16, true) * 0x1_0000_0000;
    const count = view.getUint32(20, true);
    if (sectorSize !== base.sectorSize || sectorCount !== base.sectorCount) {
      throw new DiskImageError(
        `overlay was made for a different image (${sectorCount} sectors of ${sectorSize} bytes, ` +
          `base has ${base.sectorCount} of ${base.sectorSize})`,
      );
    }
    const entryBytes = ENTRY_INDEX_BYTES + sectorSize;
    if (saved.length !== HEADER_BYTES + count * entryBytes) {
      throw new DiskImageError("overlay file is truncated or has trailing bytes");
    }
    for (let i = 0, at = HEADER_BYTES; i < count; i++, at += entryBytes) {
      const index = view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
      if (index >= sectorCount) {
        throw new DiskImageError(`overlay sector ${index} is beyond the image's end`);
      }
      overlay.sectors.set(index, saved.slice(at + ENTRY_INDEX_BYTES, at + entryBytes));
    }
    return overlay;
  }

  private isAllInOverlay(offset: number, length: number): boolean {
    const size = this.sectorSize;
    for (let index = Math.floor(offset / size); index * size < offset + length; index++) {
      if (!this.sectors.has(index)) return false;
    }
    return true;
  }

  /** Puts overlay sectors over `into`, which holds the range read from the base. */
  private patch(offset: number, into: Uint8Array): void {
    if (this.sectors.size === 0) return;
    const size = this.sectorSize;
    const end = offset + into.length;
    for (let index = Math.floor(offset / size); index * size < end; index++) {
      const sector = this.sectors.get(index);
      if (sector === undefined) continue;
      const start = Math.max(offset, index * size);
      const stop = Math.min(end, (index + 1) * size);
      into.set(sector.subarray(start - index * size, stop - index * size), start - offset);
    }
  }
}
