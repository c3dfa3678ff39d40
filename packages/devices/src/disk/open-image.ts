// One entry point for the CLI and the web app: detect the format, validate, and return a
// read-only BlockDevice (wrap it in an OverlayDisk to let the guest write).
import type { BlockDevice, ByteSource } from "./block-device";
import { ImageDisk } from "./image-disk";
import type { ImageFormat, IsoVolumeInfo } from "./image-format";
import { detectSourceFormat, readIsoVolume } from "./image-format";
import { Qcow2Disk } from "./qcow2-disk";

export interface OpenedImage {
  readonly format: ImageFormat;
  readonly disk: BlockDevice;
  /** Present for ISO 9660 images. */
  readonly iso?: IsoVolumeInfo;
}

/**
 * Opens an image read-only. ISO 9660 images get 2048-byte sectors (for an AtapiCdrom);
 * raw and qcow2 images 512-byte sectors. Throws DiskImageError with the reason if malformed.
 */
export async function openDiskImage(source: ByteSource): Promise<OpenedImage> {
  const format = await detectSourceFormat(source);
  if (format === "qcow2") return { format, disk: await Qcow2Disk.open(source) };
  if (format === "iso9660") {
    const iso = await readIsoVolume(source);
    return { format, disk: new ImageDisk(source, { sectorSize: 2048 }), iso };
  }
  return { format, disk: new ImageDisk(source) };
}
