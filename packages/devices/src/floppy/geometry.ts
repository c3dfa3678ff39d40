// Standard PC floppy formats, recognised from the image size.
import { DiskImageError } from "../disk/block-device";

export interface FloppyGeometry {
  readonly name: string;
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
  /** Data rate code for the DSR/CCR (0: 500 kb/s, 1: 300, 2: 250, 3: 1 Mb/s). */
  readonly rate: number;
}

/** IBM PC formats (DOS format tables): 5.25" 160K-1.2M and 3.5" 720K-2.88M. */
export const FLOPPY_FORMATS: readonly FloppyGeometry[] = [
  { name: "160K", cylinders: 40, heads: 1, sectorsPerTrack: 8, rate: 2 },
  { name: "180K", cylinders: 40, heads: 1, sectorsPerTrack: 9, rate: 2 },
  { name: "320K", cylinders: 40, heads: 2, sectorsPerTrack: 8, rate: 2 },
  { name: "360K", cylinders: 40, heads: 2, sectorsPerTrack: 9, rate: 2 },
  { name: "720K", cylinders: 80, heads: 2, sectorsPerTrack: 9, rate: 2 },
  { name: "1.2M", cylinders: 80, heads: 2, sectorsPerTrack: 15, rate: 0 },
  { name: "1.44M", cylinders: 80, heads: 2, sectorsPerTrack: 18, rate: 0 },
  { name: "1.68M", cylinders: 80, heads: 2, sectorsPerTrack: 21, rate: 0 },
  { name: "2.88M", cylinders: 80, heads: 2, sectorsPerTrack: 36, rate: 3 },
];

/** Picks the format whose size matches exactly; throws a DiskImageError otherwise. */
export function floppyGeometry(bytes: number): FloppyGeometry {
  const match = FLOPPY_FORMATS.find(
    (f) => f.cylinders * f.heads * f.sectorsPerTrack * 512 === bytes,
  );
  if (match === undefined) {
    throw new DiskImageError(
      `${bytes} bytes is not a standard floppy size (${FLOPPY_FORMATS.map((f) => f.name).join(", ")})`,
    );
  }
  return match;
}
