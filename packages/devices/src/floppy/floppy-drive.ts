// A floppy drive and its (optional) diskette.
import type { BlockDevice } from "../disk/block-device";
import type { FloppyGeometry } from "./geometry";
import { floppyGeometry } from "./geometry";

/** Options of {@link FloppyDrive}. */
export interface FloppyDriveOptions {
  /** The write-protect tab: writes fail with "not writable" (default: the disk's own flag). */
  readonly isWriteProtected?: boolean;
}

export class FloppyDrive {
  private medium: BlockDevice | undefined;
  private mediumGeometry: FloppyGeometry | undefined;
  private isProtectTab = false;
  /** Present cylinder number (PCN). */
  track = 0;
  /** DIR bit 7: set at power-on and when the diskette changes, cleared by a step with a disk in. */
  hasChanged = true;

  /** Throws a DiskImageError if the image size is not a standard floppy format. */
  constructor(disk?: BlockDevice, options: FloppyDriveOptions = {}) {
    this.insert(disk, options);
  }

  get disk(): BlockDevice | undefined {
    return this.medium;
  }

  get geometry(): FloppyGeometry | undefined {
    return this.mediumGeometry;
  }

  get isWriteProtected(): boolean {
    return this.isProtectTab || (this.medium?.isReadOnly ?? false);
  }

  /** Inserts a diskette (undefined ejects); throws DiskImageError for a non-floppy size. */
  insert(disk: BlockDevice | undefined, options: FloppyDriveOptions = {}): void {
    this.mediumGeometry =
      disk === undefined ? undefined : floppyGeometry(disk.sectorCount * disk.sectorSize);
    this.medium = disk;
    this.isProtectTab = options.isWriteProtected ?? false;
    this.hasChanged = true;
  }
}
