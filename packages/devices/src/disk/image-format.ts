// Image format detection and ISO 9660 validation (ECMA-119 = ISO 9660:1988).
import type { ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";

export type ImageFormat = "raw" | "iso9660" | "qcow2";

/** ECMA-119 6.2.1: the volume descriptor set starts at logical sector 16 (of 2048 bytes). */
const ISO_DESCRIPTORS_OFFSET = 16 * 2048;
const ISO_SECTOR = 2048;
/** ECMA-119 8.1.2: the standard identifier "CD001". */
const CD001 = [0x43, 0x44, 0x30, 0x30, 0x31] as const;
/** qcow2 header magic "QFI\xfb" (QEMU docs/interop/qcow2.txt). */
const QCOW_MAGIC = [0x51, 0x46, 0x49, 0xfb] as const;
/** Volume descriptor types (ECMA-119 8.1.1): boot record, primary, terminator. */
const VD_BOOT = 0;
const VD_PRIMARY = 1;
const VD_TERMINATOR = 255;
/** Give up after this many descriptors without a terminator (malformed image). */
const MAX_DESCRIPTORS = 64;

/** What the primary volume descriptor says (ECMA-119 8.4). */
export interface IsoVolumeInfo {
  readonly volumeId: string;
  /** Volume space size in logical blocks (8.4.8). */
  readonly blockCount: number;
  /** Logical block size in bytes (8.4.12); 2048 on every CD. */
  readonly blockSize: number;
  /** True when an El Torito boot record descriptor is present. */
  readonly isBootable: boolean;
}

function startsWith(bytes: Uint8Array, at: number, magic: readonly number[]): boolean {
  return magic.every((byte, i) => bytes[at + i] === byte);
}

/** Guesses the format from the first 34 KiB (anything shorter can only be raw or qcow2). */
export function detectImageFormat(head: Uint8Array): ImageFormat {
  if (startsWith(head, 0, QCOW_MAGIC)) return "qcow2";
  if (
    head.length >= ISO_DESCRIPTORS_OFFSET + 6 &&
    startsWith(head, ISO_DESCRIPTORS_OFFSET + 1, CD001)
  ) {
    return "iso9660";
  }
  return "raw";
}

/** Reads the detection window of a source. */
export async function detectSourceFormat(source: ByteSource): Promise<ImageFormat> {
  const length = Math.min(source.byteLength, ISO_DESCRIPTORS_OFFSET + ISO_SECTOR);
  return detectImageFormat(await source.readAsync(0, length));
}

/** Reads a both-byte-order 32-bit field (ECMA-119 7.3.3) and checks the halves agree. */
function bothEndian32(sector: Uint8Array, at: number, field: string): number {
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const little = view.getUint32(at, true);
  if (view.getUint32(at + 4, false) !== little) {
    throw new DiskImageError(`ISO 9660: ${field} little- and big-endian copies disagree`);
  }
  return little;
}

/** Reads a both-byte-order 16-bit field (ECMA-119 7.2.3). */
function bothEndian16(sector: Uint8Array, at: number, field: string): number {
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const little = view.getUint16(at, true);
  if (view.getUint16(at + 2, false) !== little) {
    throw new DiskImageError(`ISO 9660: ${field} little- and big-endian copies disagree`);
  }
  return little;
}

/**
 * Walks the volume descriptor set and validates the primary volume descriptor.
 * Throws {@link DiskImageError} with the reason when the image is not a usable ISO.
 */
export async function readIsoVolume(source: ByteSource): Promise<IsoVolumeInfo> {
  let primary: Uint8Array | undefined;
  let isBootable = false;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const at = ISO_DESCRIPTORS_OFFSET + i * ISO_SECTOR;
    if (at + ISO_SECTOR > source.byteLength) {
      throw new DiskImageError("ISO 9660: image ends inside the volume descriptor set");
    }
    const sector = await source.readAsync(at, ISO_SECTOR);
    // ECMA-119 8.1: type, "CD001", version 1.
    if (!startsWith(sector, 1, CD001)) {
      throw new DiskImageError(`ISO 9660: descriptor ${16 + i} lacks the CD001 identifier`);
    }
    const type = sector[0];
    if (type === VD_TERMINATOR) break;
    if (type === VD_PRIMARY && primary === undefined) primary = sector;
    // El Torito 1.0, 2.0: boot record with system identifier "EL TORITO SPECIFICATION".
    if (
      type === VD_BOOT &&
      new TextDecoder("latin1").decode(sector.subarray(7, 30)) === "EL TORITO SPECIFICATION"
    ) {
      isBootable = true;
    }
    if (i === MAX_DESCRIPTORS - 1) throw new DiskImageError("ISO 9660: no set terminator");
  }
  if (primary === undefined) throw new DiskImageError("ISO 9660: no primary volume descriptor");
  if (primary[6] !== 1) throw new DiskImageError(`ISO 9660: unknown PVD version ${primary[6]}`);
  const blockCount = bothEndian32(primary, 80, "volume space size");
  const blockSize = bothEndian16(primary, 128, "logical block size");
  // ECMA-119 6.1.2: the logical block size is 2^(n), at least 512 and at most the sector size.
  if (blockSize !== 512 && blockSize !== 1024 && blockSize !== 2048) {
    throw new DiskImageError(`ISO 9660: unsupported logical block size ${blockSize}`);
  }
  if (blockCount * blockSize > source.byteLength) {
    throw new DiskImageError(
      `ISO 9660: volume claims ${blockCount * blockSize} bytes but the image has ${source.byteLength}`,
    );
  }
  const volumeId = new TextDecoder("latin1").decode(primary.subarray(40, 72)).trimEnd();
  return { volumeId, blockCount, blockSize, isBootable };
}
