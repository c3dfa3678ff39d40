// Read-only qcow2 images (QEMU docs/interop/qcow2.txt, versions 2 and 3). Writes belong in
// an OverlayDisk on top. Unsupported features are refused at open with a clear error.
import type { BlockDevice, ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";

const MAGIC = 0x514649fb; // "QFI\xfb"
/** Header fields used (byte offsets, big-endian): see the "Header" table of qcow2.txt. */
const HEADER_V2_BYTES = 72;
const HEADER_V3_MIN_BYTES = 104;
/** Host offset bits 9-55 of L1 and L2 entries. */
const OFFSET_MASK = 0x00ff_ffff_ffff_fe00n;
const L2_COMPRESSED = 1n << 62n;
const L2_ZERO = 1n;
/** Incompatible feature bit 0 (dirty) is harmless for reading; anything else is refused. */
const INCOMPATIBLE_DIRTY = 1n;

export class Qcow2Disk implements BlockDevice {
  readonly sectorSize = 512;
  readonly sectorCount: number;
  readonly isReadOnly = true;
  private readonly clusterSize: number;
  private readonly l2Entries: number;
  /** L2 tables by host offset; disk access is per command, so a Map is fine. */
  private readonly l2Cache = new Map<number, BigUint64Array>();

  private constructor(
    private readonly source: ByteSource,
    readonly virtualSize: number,
    private readonly clusterBits: number,
    private readonly l1: BigUint64Array,
  ) {
    this.clusterSize = 2 ** clusterBits;
    this.l2Entries = this.clusterSize / 8;
    this.sectorCount = Math.ceil(virtualSize / 512);
  }

  /** Reads and validates the header and L1 table. */
  static async open(source: ByteSource): Promise<Qcow2Disk> {
    if (source.byteLength < HEADER_V2_BYTES)
      throw new DiskImageError("qcow2: file is shorter than its header");
    const head = await source.readAsync(0, Math.min(source.byteLength, HEADER_V3_MIN_BYTES));
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (view.getUint32(0) !== MAGIC) throw new DiskImageError("qcow2: bad magic");
    const version = view.getUint32(4);
    if (version !== 2 && version !== 3)
      throw new DiskImageError(`qcow2: unsupported version ${version}`);
    if (view.getBigUint64(8) !== 0n) {
      throw new DiskImageError(
        "qcow2: images with a backing file are not supported; convert with qemu-img",
      );
    }
    const clusterBits = view.getUint32(20);
    // qcow2.txt: cluster_bits must be between 9 (512 B) and 21 (2 MiB).
    if (clusterBits < 9 || clusterBits > 21)
      throw new DiskImageError(`qcow2: invalid cluster_bits ${clusterBits}`);
    const size = Number(view.getBigUint64(24));
    if (!Number.isSafeInteger(size) || size <= 0)
      throw new DiskImageError("qcow2: invalid virtual size");
    if (view.getUint32(32) !== 0)
      throw new DiskImageError("qcow2: encrypted images are not supported");
    if (version === 3) {
      if (head.length < HEADER_V3_MIN_BYTES)
        throw new DiskImageError("qcow2: truncated version 3 header");
      const incompatible = view.getBigUint64(72);
      if ((incompatible & ~INCOMPATIBLE_DIRTY) !== 0n) {
        throw new DiskImageError(
          `qcow2: unsupported incompatible features 0x${incompatible.toString(16)}`,
        );
      }
    }
    const l1Size = view.getUint32(36);
    const l1Offset = Number(view.getBigUint64(40));
    const entriesPerL2 = 2 ** (clusterBits - 3);
    const needed = Math.ceil(Math.ceil(size / 2 ** clusterBits) / entriesPerL2);
    if (l1Size < needed)
      throw new DiskImageError(`qcow2: L1 table has ${l1Size} entries, needs ${needed}`);
    if (l1Offset % 2 ** clusterBits !== 0 || l1Offset + l1Size * 8 > source.byteLength) {
      throw new DiskImageError("qcow2: L1 table lies outside the file");
    }
    const l1Bytes = await source.readAsync(l1Offset, l1Size * 8);
    const l1View = new DataView(l1Bytes.buffer, l1Bytes.byteOffset, l1Bytes.byteLength);
    const l1 = new BigUint64Array(l1Size);
    for (let i = 0; i < l1Size; i++) l1[i] = l1View.getBigUint64(i * 8);
    return new Qcow2Disk(source, size, clusterBits, l1);
  }

  readSync(offset: number, into: Uint8Array): boolean {
    if (this.source.readSync === undefined) return false;
    into.fill(0);
    for (let done = 0; done < into.length;) {
      const at = offset + done;
      const within = at % this.clusterSize;
      const take = Math.min(this.clusterSize - within, into.length - done);
      if (at < this.virtualSize) {
        const l2Offset = this.l2OffsetFor(at);
        if (l2Offset !== 0) {
          let table = this.l2Cache.get(l2Offset);
          if (table === undefined) {
            const bytes = new Uint8Array(this.clusterSize);
            if (!this.source.readSync(l2Offset, bytes)) return false;
            table = this.cacheL2(l2Offset, bytes);
          }
          const host = this.hostOffset(table, at);
          if (host > 0) {
            if (!this.source.readSync(host + within, into.subarray(done, done + take)))
              return false;
          }
        }
      }
      done += take;
    }
    return true;
  }

  async readAsync(offset: number, length: number): Promise<Uint8Array> {
    const into = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = offset + done;
      const within = at % this.clusterSize;
      const take = Math.min(this.clusterSize - within, length - done);
      if (at < this.virtualSize) {
        const l2Offset = this.l2OffsetFor(at);
        if (l2Offset !== 0) {
          let table = this.l2Cache.get(l2Offset);
          if (table === undefined)
            table = this.cacheL2(l2Offset, await this.source.readAsync(l2Offset, this.clusterSize));
          const host = this.hostOffset(table, at);
          if (host > 0)
            into.set((await this.source.readAsync(host + within, take)).subarray(0, take), done);
        }
      }
      done += take;
    }
    return into;
  }

  write(): boolean {
    return false;
  }

  private l2OffsetFor(guest: number): number {
    const index = Math.floor(guest / (this.clusterSize * this.l2Entries));
    const entry = this.l1[index] ?? 0n;
    const l2 = Number(entry & OFFSET_MASK);
    if (l2 !== 0 && l2 + this.clusterSize > this.source.byteLength) {
      throw new DiskImageError(`qcow2: L2 table at ${l2} lies outside the file`);
    }
    return l2;
  }

  private cacheL2(l2Offset: number, bytes: Uint8Array): BigUint64Array {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const table = new BigUint64Array(this.l2Entries);
    for (let i = 0; i < this.l2Entries; i++) table[i] = view.getBigUint64(i * 8);
    this.l2Cache.set(l2Offset, table);
    return table;
  }

  /** Host offset of the guest cluster holding `guest`, or 0 for a cluster that reads as zero. */
  private hostOffset(table: BigUint64Array, guest: number): number {
    const entry = table[Math.floor(guest / this.clusterSize) % this.l2Entries] ?? 0n;
    if ((entry & L2_COMPRESSED) !== 0n) {
      throw new DiskImageError(
        "qcow2: compressed clusters are not supported; convert with qemu-img",
      );
    }
    if ((entry & L2_ZERO) !== 0n) return 0;
    const host = Number(entry & OFFSET_MASK);
    if (host !== 0 && host + this.clusterSize > this.source.byteLength) {
      throw new DiskImageError(`qcow2: data cluster at ${host} lies outside the file`);
    }
    return host;
  }
}
