// @ringvm/devices/disk: disk image backends shared by the CLI and the web app.
export { DiskImageError } from "./block-device";
export type { BlockDevice, ByteSource } from "./block-device";
export { MemoryDisk } from "./memory-disk";
export type { MemoryDiskOptions } from "./memory-disk";
export { ImageDisk } from "./image-disk";
export type { ImageDiskOptions } from "./image-disk";
export { OverlayDisk } from "./overlay-disk";
export { detectImageFormat, detectSourceFormat, readIsoVolume } from "./image-format";
export type { ImageFormat, IsoVolumeInfo } from "./image-format";
export { Qcow2Disk } from "./qcow2-disk";
export { openDiskImage } from "./open-image";
export type { OpenedImage } from "./open-image";
export { BlobSource, HttpRangeSource } from "./remote-sources";
export type { FetchLike, HttpRangeOptions } from "./remote-sources";
