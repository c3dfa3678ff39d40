// @ringvm/devices/floppy: Intel 82077AA floppy disk controller and drives.
export { I82077Fdc } from "./i82077-fdc";
export type { FloppyDmaChannel, I82077FdcOptions } from "./i82077-fdc";
export { FloppyDrive } from "./floppy-drive";
export type { FloppyDriveOptions } from "./floppy-drive";
export { FLOPPY_FORMATS, floppyGeometry } from "./geometry";
export type { FloppyGeometry } from "./geometry";
