// Writes the firmware-boot test images to a folder, for the CLI or QEMU:
//   npx tsx packages/pc/test/write-firmware-images.ts /tmp/img
//   pnpm ringvm run --hda /tmp/img/syslinux-hd.img --boot c --engine auto
//   qemu-system-i386 -nographic -bios guests/bios.bin -cdrom /tmp/img/isolinux.iso
//   qemu-system-i386 -nographic -bios guests/bios.bin -cdrom /tmp/img/grub.iso \
//     -hda /tmp/img/grub-hd.img -boot d
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  grubCdAndDisk,
  isolinuxCd,
  memtestRawFloppy,
  syslinuxHardDisk,
  syslinuxMemtestFloppy,
} from "./firmware-images";

const dir = process.argv[2];
if (dir === undefined) {
  console.error("usage: write-firmware-images.ts DIR");
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
const images: [string, () => Uint8Array][] = [
  ["syslinux-hd.img", syslinuxHardDisk],
  ["isolinux.iso", isolinuxCd],
  ["syslinux-memtest-fd.img", syslinuxMemtestFloppy],
  ["memtest-fd.img", memtestRawFloppy],
  ["grub.iso", () => grubCdAndDisk().cdrom],
  ["grub-hd.img", () => grubCdAndDisk().hda],
];
for (const [name, build] of images) {
  writeFileSync(join(dir, name), build());
  console.log(join(dir, name));
}
