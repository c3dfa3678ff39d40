// Builds the firmware-boot test images at test time from small files committed in guests/
// (see guests/README.md): SYSLINUX-installed FAT templates get their files through a small FAT
// writer, and El Torito CDs are written whole by a small ISO 9660 writer. Only what the tests
// need: FAT12/FAT16 root directories with 8.3 names, and an ISO 9660 root directory.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** The repository's guests/ folder. */
export const GUESTS_DIR = new URL("../../../guests/", import.meta.url);

/** A committed file from guests/ (gunzipped when its name ends in .gz and `unzip` is set). */
export function guestFile(name: string, unzip = false): Uint8Array {
  const bytes = new Uint8Array(readFileSync(new URL(name, GUESTS_DIR)));
  return unzip ? new Uint8Array(gunzipSync(bytes)) : bytes;
}

/** A file to place in an image's root directory. */
export interface ImageFile {
  /** An 8.3 name (case is folded to upper case on disk). */
  readonly name: string;
  readonly data: Uint8Array;
}

const SECTOR = 512;
/** 2000-01-01 in FAT date format (year-1980 << 9 | month << 5 | day). */
const FAT_DATE_2000 = (20 << 9) | (1 << 5) | 1;

/** The byte offset of MBR partition `index` (0-3) in a disk image. */
export function mbrPartitionOffset(disk: Uint8Array, index = 0): number {
  if (disk[510] !== 0x55 || disk[511] !== 0xaa) throw new Error("no MBR signature");
  const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  const lba = view.getUint32(446 + index * 16 + 8, true);
  if (lba === 0) throw new Error(`MBR partition ${index} is empty`);
  return lba * SECTOR;
}

/**
 * Adds files to the root directory of the FAT12/FAT16 file system that starts at byte
 * `offset` of `image` (written in place). Clusters come from the first free ones in FAT order
 * and every FAT copy gets the chain. Throws when the name exists or space runs out.
 */
export function fatAddFiles(image: Uint8Array, offset: number, files: readonly ImageFile[]): void {
  const view = new DataView(image.buffer, image.byteOffset + offset, image.byteLength - offset);
  const bytesPerSector = view.getUint16(11, true);
  const sectorsPerCluster = view.getUint8(13);
  const reserved = view.getUint16(14, true);
  const fatCount = view.getUint8(16);
  const rootEntries = view.getUint16(17, true);
  const totalSectors = view.getUint16(19, true) || view.getUint32(32, true);
  const fatSectors = view.getUint16(22, true);
  if (bytesPerSector !== SECTOR || sectorsPerCluster === 0 || fatSectors === 0) {
    throw new Error("not a FAT12/FAT16 file system with 512-byte sectors");
  }
  const rootSectors = Math.ceil((rootEntries * 32) / SECTOR);
  const rootStart = (reserved + fatCount * fatSectors) * SECTOR;
  const dataStart = rootStart + rootSectors * SECTOR;
  const clusterCount = Math.floor(
    (totalSectors - reserved - fatCount * fatSectors - rootSectors) / sectorsPerCluster,
  );
  // Microsoft's FAT specification: the cluster count alone decides the FAT type.
  const isFat12 = clusterCount < 4085;
  if (clusterCount >= 65525) throw new Error("FAT32 is not supported");
  const clusterBytes = sectorsPerCluster * SECTOR;
  const fatBase = reserved * SECTOR;
  const eoc = isFat12 ? 0xfff : 0xffff;

  const getEntry = (n: number): number => {
    if (!isFat12) return view.getUint16(fatBase + n * 2, true);
    const word = view.getUint16(fatBase + n + (n >> 1), true);
    return n & 1 ? word >> 4 : word & 0xfff;
  };
  const setEntry = (n: number, value: number): void => {
    for (let copy = 0; copy < fatCount; copy++) {
      const base = fatBase + copy * fatSectors * SECTOR;
      if (!isFat12) {
        view.setUint16(base + n * 2, value, true);
        continue;
      }
      const at = base + n + (n >> 1);
      const word = view.getUint16(at, true);
      view.setUint16(
        at,
        n & 1 ? (word & 0x000f) | (value << 4) : (word & 0xf000) | (value & 0xfff),
        true,
      );
    }
  };

  let nextFree = 2;
  for (const file of files) {
    const name = fatName(file.name);
    let slot = -1;
    for (let i = 0; i < rootEntries; i++) {
      const at = rootStart + i * 32;
      const first = view.getUint8(at);
      if (first === 0x00 || first === 0xe5) {
        if (slot < 0) slot = at;
        if (first === 0x00) break;
        continue;
      }
      let same = true;
      for (let k = 0; k < 11; k++) if (view.getUint8(at + k) !== name[k]) same = false;
      if (same) throw new Error(`${file.name} already exists`);
    }
    if (slot < 0) throw new Error("root directory full");

    const needed = Math.ceil(file.data.length / clusterBytes);
    const chain: number[] = [];
    for (let n = nextFree; chain.length < needed && n < clusterCount + 2; n++) {
      if (getEntry(n) === 0) chain.push(n);
    }
    if (chain.length < needed) throw new Error(`no space for ${file.name}`);
    nextFree = (chain[chain.length - 1] ?? nextFree - 1) + 1;
    chain.forEach((cluster, i) => {
      setEntry(cluster, chain[i + 1] ?? eoc);
      const dst = offset + dataStart + (cluster - 2) * clusterBytes;
      const part = file.data.subarray(i * clusterBytes, (i + 1) * clusterBytes);
      image.fill(0, dst, dst + clusterBytes);
      image.set(part, dst);
    });

    image.fill(0, offset + slot, offset + slot + 32);
    image.set(name, offset + slot);
    view.setUint8(slot + 11, 0x20); // archive
    view.setUint16(slot + 16, FAT_DATE_2000, true); // created
    view.setUint16(slot + 18, FAT_DATE_2000, true); // accessed
    view.setUint16(slot + 24, FAT_DATE_2000, true); // written
    view.setUint16(slot + 26, chain[0] ?? 0, true);
    view.setUint32(slot + 28, file.data.length, true);
  }
}

/** "vmlinuz" → "VMLINUZ    ", "ldlinux.c32" → "LDLINUX C32". */
function fatName(name: string): Uint8Array {
  const match =
    /^([A-Za-z0-9_~!#$%&'()@^`{}-]{1,8})(?:\.([A-Za-z0-9_~!#$%&'()@^`{}-]{1,3}))?$/.exec(name);
  if (match === null) throw new Error(`${name} is not an 8.3 name`);
  const text = match[1]!.toUpperCase().padEnd(8) + (match[2] ?? "").toUpperCase().padEnd(3);
  return new TextEncoder().encode(text);
}

const CD_SECTOR = 2048;

/** Options of {@link buildIso}. */
export interface IsoOptions {
  readonly volumeId: string;
  /** Root-directory files; names as ISO 9660 level 1 (8.3, upper case). */
  readonly files: readonly ImageFile[];
  /**
   * The El Torito no-emulation boot file (one of `files`): loaded at 07C0:0000, 4 virtual
   * sectors, with an ISOLINUX boot information table patched in at offset 8.
   */
  readonly bootFile: string;
}

/**
 * An ISO 9660 image with an El Torito boot catalog (ECMA-119; El Torito 1.0): system area,
 * primary volume descriptor (16), boot record (17), terminator (18), L and M path tables,
 * the root directory, the boot catalog, then the files in name order.
 */
export function buildIso(options: IsoOptions): Uint8Array {
  const files = [...options.files]
    .map((f) => ({ ...f, id: isoName(f.name) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const PVD = 16;
  const BOOT_RECORD = 17;
  const L_PATH = 19;
  const M_PATH = 20;
  const ROOT = 21;
  const CATALOG = 22;
  let lba = 23;
  const extents = files.map((f) => {
    const at = lba;
    lba += Math.max(1, Math.ceil(f.data.length / CD_SECTOR));
    return at;
  });
  const totalSectors = lba;
  const image = new Uint8Array(totalSectors * CD_SECTOR);
  const view = new DataView(image.buffer);
  const both32 = (at: number, value: number): void => {
    view.setUint32(at, value, true);
    view.setUint32(at + 4, value, false);
  };
  const both16 = (at: number, value: number): void => {
    view.setUint16(at, value, true);
    view.setUint16(at + 2, value, false);
  };
  const text = (at: number, value: string, length: number): void => {
    image.set(new TextEncoder().encode(value.padEnd(length).slice(0, length)), at);
  };
  /** A directory record (ECMA-119 9.1); returns its length. */
  const record = (at: number, extent: number, size: number, flags: number, id: Uint8Array) => {
    const length = 33 + id.length + ((33 + id.length) & 1);
    image[at] = length;
    both32(at + 2, extent);
    both32(at + 10, size);
    // Recording date 2000-01-01 00:00:00 UTC (years since 1900, month, day, h, m, s, tz).
    image.set([100, 1, 1, 0, 0, 0, 0], at + 18);
    image[at + 25] = flags;
    both16(at + 28, 1);
    image[at + 32] = id.length;
    image.set(id, at + 33);
    return length;
  };

  // Primary volume descriptor (ECMA-119 8.4).
  const pvd = PVD * CD_SECTOR;
  image[pvd] = 1;
  text(pvd + 1, "CD001", 5);
  image[pvd + 6] = 1;
  text(pvd + 8, "", 32);
  text(pvd + 40, options.volumeId, 32);
  both32(pvd + 80, totalSectors);
  both16(pvd + 120, 1);
  both16(pvd + 124, 1);
  both16(pvd + 128, CD_SECTOR);
  both32(pvd + 132, 10); // path table: the root's 10-byte entry
  view.setUint32(pvd + 140, L_PATH, true);
  view.setUint32(pvd + 148, M_PATH, false);
  record(pvd + 156, ROOT, CD_SECTOR, 2, new Uint8Array([0]));
  text(pvd + 190, "", 623); // volume set, publisher, preparer, application, file ids
  for (const at of [813, 830, 847, 864]) {
    text(pvd + at, "0000000000000000", 16); // dates "not specified"
    image[pvd + at + 16] = 0;
  }
  image[pvd + 881] = 1;

  // El Torito boot record volume descriptor.
  const br = BOOT_RECORD * CD_SECTOR;
  image[br] = 0;
  text(br + 1, "CD001", 5);
  image[br + 6] = 1;
  text(br + 7, "EL TORITO SPECIFICATION", 23);
  view.setUint32(br + 0x47, CATALOG, true);

  // Volume descriptor set terminator.
  const term = 18 * CD_SECTOR;
  image[term] = 255;
  text(term + 1, "CD001", 5);
  image[term + 6] = 1;

  // Path tables: the root only (directory number 1, its own parent).
  for (const [sector, little] of [
    [L_PATH, true],
    [M_PATH, false],
  ] as const) {
    const at = sector * CD_SECTOR;
    image[at] = 1;
    view.setUint32(at + 2, ROOT, little);
    view.setUint16(at + 6, 1, little);
  }

  // Root directory: ".", "..", then the files.
  let at = ROOT * CD_SECTOR;
  at += record(at, ROOT, CD_SECTOR, 2, new Uint8Array([0]));
  at += record(at, ROOT, CD_SECTOR, 2, new Uint8Array([1]));
  files.forEach((f, i) => {
    at += record(at, extents[i]!, f.data.length, 0, new TextEncoder().encode(f.id));
    image.set(f.data, extents[i]! * CD_SECTOR);
  });
  if (at > (ROOT + 1) * CD_SECTOR) throw new Error("root directory over one sector");

  // Boot catalog: validation entry, then the initial/default entry.
  const bootIndex = files.findIndex((f) => f.name === options.bootFile);
  if (bootIndex < 0) throw new Error(`boot file ${options.bootFile} not in files`);
  const cat = CATALOG * CD_SECTOR;
  image[cat] = 1; // header id
  image[cat + 1] = 0; // platform 80x86
  image[cat + 30] = 0x55;
  image[cat + 31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + view.getUint16(cat + i, true)) & 0xffff;
  view.setUint16(cat + 28, (0x1_0000 - sum) & 0xffff, true);
  image[cat + 32] = 0x88; // bootable
  image[cat + 33] = 0; // no emulation
  view.setUint16(cat + 34, 0, true); // load segment 0 = 07C0h
  view.setUint16(cat + 38, 4, true); // four 512-byte virtual sectors
  view.setUint32(cat + 40, extents[bootIndex]!, true);

  // ISOLINUX boot information table (mkisofs -boot-info-table): PVD LBA, file LBA, length,
  // and the 32-bit sum of the file's little-endian words from offset 64.
  const boot = extents[bootIndex]! * CD_SECTOR;
  const bootLength = files[bootIndex]!.data.length;
  view.setUint32(boot + 8, PVD, true);
  view.setUint32(boot + 12, extents[bootIndex]!, true);
  view.setUint32(boot + 16, bootLength, true);
  let csum = 0;
  for (let i = 64; i + 4 <= bootLength; i += 4)
    csum = (csum + view.getUint32(boot + i, true)) >>> 0;
  view.setUint32(boot + 20, csum, true);
  return image;
}

/** "isolinux.bin" → "ISOLINUX.BIN;1", "vmlinuz" → "VMLINUZ.;1" (ISO 9660 level 1). */
function isoName(name: string): string {
  const match = /^([A-Za-z0-9_]{1,8})(?:\.([A-Za-z0-9_]{1,3}))?$/.exec(name);
  if (match === null) throw new Error(`${name} is not an ISO 9660 level 1 name`);
  return `${match[1]!.toUpperCase()}.${(match[2] ?? "").toUpperCase()};1`;
}

/** SYSLINUX/ISOLINUX configuration that boots a Linux kernel with its console on COM1. */
export function syslinuxConfig(kernel: string, initrd: string | undefined, append: string): string {
  return [
    "SERIAL 0 115200",
    "DEFAULT guest",
    "PROMPT 0",
    "TIMEOUT 0",
    "LABEL guest",
    `  LINUX ${kernel}`,
    ...(initrd !== undefined ? [`  INITRD ${initrd}`] : []),
    `  APPEND ${append}`,
    "",
  ].join("\n");
}

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The default guest's kernel command line for firmware boots (as the CLI's direct boot). */
export const GUEST_APPEND = "console=ttyS0 quiet cryptomgr.notests";

/**
 * guests/syslinux-hd.img.gz with ldlinux.c32, syslinux.cfg, the default guest's kernel and
 * initramfs written into its FAT16 partition: a 16 MiB MBR disk that SYSLINUX boots.
 */
export function syslinuxHardDisk(): Uint8Array {
  const disk = guestFile("syslinux-hd.img.gz", true);
  fatAddFiles(disk, mbrPartitionOffset(disk), [
    { name: "ldlinux.c32", data: guestFile("ldlinux.c32") },
    { name: "syslinux.cfg", data: encode(syslinuxConfig("vmlinuz", "initrd.gz", GUEST_APPEND)) },
    { name: "vmlinuz", data: guestFile("vmlinuz") },
    { name: "initrd.gz", data: guestFile("initramfs.cpio.gz") },
  ]);
  return disk;
}

/** An El Torito CD (ISOLINUX) with the default guest's kernel and initramfs. */
export function isolinuxCd(): Uint8Array {
  return buildIso({
    volumeId: "RINGVM",
    bootFile: "isolinux.bin",
    files: [
      { name: "isolinux.bin", data: guestFile("isolinux.bin") },
      { name: "ldlinux.c32", data: guestFile("ldlinux.c32") },
      { name: "isolinux.cfg", data: encode(syslinuxConfig("vmlinuz", "initrd.gz", GUEST_APPEND)) },
      { name: "vmlinuz", data: guestFile("vmlinuz") },
      { name: "initrd.gz", data: guestFile("initramfs.cpio.gz") },
    ],
  });
}

/**
 * GRUB 2 on a CD and the default guest on a disk: guests/grub-cd.iso.gz (grub-mkrescue's BIOS
 * image: GRUB, a few modules and a grub.cfg that finds /vmlinuz on any disk, see
 * guests/build.sh) and a 16 MiB FAT16 disk (the SYSLINUX template's partition) holding the
 * kernel and initramfs, which GRUB boots with GUEST_APPEND.
 */
export function grubCdAndDisk(): { cdrom: Uint8Array; hda: Uint8Array } {
  const hda = guestFile("syslinux-hd.img.gz", true);
  fatAddFiles(hda, mbrPartitionOffset(hda), [
    { name: "vmlinuz", data: guestFile("vmlinuz") },
    { name: "initrd.gz", data: guestFile("initramfs.cpio.gz") },
  ]);
  return { cdrom: guestFile("grub-cd.iso.gz", true), hda };
}

/**
 * guests/syslinux-fd.img.gz (1.44 MB FAT12) with SYSLINUX loading memtest86+ through the Linux
 * boot protocol, its console on COM1 (the Debian kernel does not fit on a floppy).
 */
export function syslinuxMemtestFloppy(): Uint8Array {
  const floppy = guestFile("syslinux-fd.img.gz", true);
  fatAddFiles(floppy, 0, [
    { name: "ldlinux.c32", data: guestFile("ldlinux.c32") },
    {
      name: "syslinux.cfg",
      data: encode(syslinuxConfig("memtest.bin", undefined, "console=ttyS0,115200")),
    },
    { name: "memtest.bin", data: guestFile("memtest86+ia32.bin") },
  ]);
  return floppy;
}

/** memtest86+ia32.bin written raw to a 1.44 MB floppy: its first sector is a floppy boot sector. */
export function memtestRawFloppy(): Uint8Array {
  const floppy = new Uint8Array(1_474_560);
  floppy.set(guestFile("memtest86+ia32.bin"));
  return floppy;
}
