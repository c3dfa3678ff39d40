// SeaBIOS boots an El Torito CD (no emulation) on the secondary master (ATAPI) into the default
// guest's busybox shell on COM1: with ISOLINUX (kernel and initramfs on the CD), and with GRUB 2
// (grub-mkrescue's CD; kernel and initramfs on a FAT16 disk, read through the BIOS disk calls).
// Expected text: the same image in QEMU 7.2 (`qemu-system-i386 -nographic -bios bios.bin -cdrom`)
// prints these banners, the same /proc/cmdline, and reaches the same prompt.
import { describe, expect, it } from "vitest";
import { grubCdAndDisk, isolinuxCd } from "../firmware-images";
import { cpuSecondsSince, secondsSince, startFirmwareMachine } from "../firmware-machine";

describe("SeaBIOS El Torito CD boot", () => {
  it("boots ISOLINUX into the default guest's shell", { timeout: 1_800_000 }, async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const m = startFirmwareMachine({ cdrom: isolinuxCd(), bootOrder: ["cdrom"], engine: "auto" });
    await m.waitFor("SeaBIOS (version 1.16.2-debian-1.16.2-1)");
    await m.waitFor("Booting from DVD/CD...");
    await m.waitFor("ISOLINUX 6.04 20200816 ETCD Copyright (C) 1994-2015 H. Peter Anvin et al");
    const loaderS = secondsSince(t0);
    await m.waitFor("RingVM guest: Linux 6.1.0-50-686 with busybox v1.35.0");
    await m.waitFor("~ # ");
    const promptS = secondsSince(t0);
    // SYSLINUX puts BOOT_IMAGE= before the APPEND line (as in QEMU).
    expect(await m.run("cat /proc/cmdline", "~ # ")).toContain(
      "BOOT_IMAGE=vmlinuz console=ttyS0 quiet cryptomgr.notests initrd=initrd.gz",
    );
    // SeaBIOS linked the board's ACPI tables (fw_cfg etc/table-loader): Linux powers it off.
    m.pc.sendSerial("poweroff\n");
    expect((await m.ended).reason).toBe("poweroff");
    console.log(
      `cd: ISOLINUX banner ${loaderS} s, shell prompt ${promptS} s, ${m.pc.cpu.instructionCount} instructions, ${cpuSecondsSince(cpu0)} CPU s`,
    );
  });

  it(
    "boots GRUB 2 from the CD into the default guest on the disk",
    { timeout: 1_800_000 },
    async () => {
      const t0 = performance.now();
      const m = startFirmwareMachine({ ...grubCdAndDisk(), bootOrder: ["cdrom"], engine: "auto" });
      await m.waitFor("Booting from DVD/CD...");
      // The echo of guests/grub-cd.iso.gz's grub.cfg (guests/build.sh); QEMU 7.2 prints the same.
      await m.waitFor("GRUB: loading the RingVM guest from (hd0,msdos1)");
      const loaderS = secondsSince(t0);
      await m.waitFor("RingVM guest: Linux 6.1.0-50-686 with busybox v1.35.0");
      await m.waitFor("~ # ");
      expect(m.transcript()).not.toContain("error:");
      // GRUB's `linux` puts BOOT_IMAGE= with the kernel's path before the command line.
      expect(await m.run("cat /proc/cmdline", "~ # ")).toContain(
        "BOOT_IMAGE=/vmlinuz console=ttyS0 quiet cryptomgr.notests",
      );
      m.pc.sendSerial("poweroff\n");
      expect((await m.ended).reason).toBe("poweroff");
      console.log(`cd: GRUB ${loaderS} s, shell prompt ${secondsSince(t0)} s`);
    },
  );
});
