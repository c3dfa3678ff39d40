// @ringvm/devices/ata: PIIX3 IDE with ATA hard disks and an ATAPI CD-ROM.
export { PiixIde, PIIX3_IDE_PCI } from "./piix-ide";
export type { PiixIdeOptions } from "./piix-ide";
export { AtaDisk, AtapiCdrom } from "./drives";
export type { IdeDrive, IdeDriveOptions } from "./drives";
export { IdeChannel } from "./ide-channel";
