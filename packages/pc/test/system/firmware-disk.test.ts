// SeaBIOS boots a hard disk with SYSLINUX (MBR → FAT16 partition → ldlinux.sys → ldlinux.c32)
// into the default guest's kernel and initramfs, which reaches its busybox shell on COM1.
// Expected text: the same image in QEMU 7.2 (`qemu-system-i386 -nographic -bios bios.bin -hda`)
// prints these banners, the same /proc/cmdline, and reaches the same prompt.
// Cost: unlike the direct boot (decompressed on the host), the kernel's own XZ decompressor runs
// in the guest: ~2.3e9 instructions before Linux starts, ~3e9 to the prompt.
import { describe, expect, it } from "vitest";
import { syslinuxHardDisk } from "../firmware-images";
import { cpuSecondsSince, secondsSince, startFirmwareMachine } from "../firmware-machine";

describe("SeaBIOS hard-disk boot", () => {
  it("boots SYSLINUX into the default guest's shell", { timeout: 1_800_000 }, async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const m = startFirmwareMachine({
      hda: syslinuxHardDisk(),
      bootOrder: ["disk"],
      engine: "auto",
    });
    await m.waitFor("SeaBIOS (version 1.16.2-debian-1.16.2-1)");
    await m.waitFor("Booting from Hard Disk...");
    await m.waitFor("SYSLINUX 6.04 EDD 20210613 Copyright (C) 1994-2015 H. Peter Anvin et al");
    const loaderS = secondsSince(t0);
    await m.waitFor("RingVM guest: Linux 6.1.0-50-686 with busybox v1.35.0");
    await m.waitFor("~ # ");
    const promptS = secondsSince(t0);
    // SYSLINUX puts BOOT_IMAGE= before the APPEND line (as in QEMU).
    expect(await m.run("cat /proc/cmdline", "~ # ")).toContain(
      "BOOT_IMAGE=vmlinuz console=ttyS0 quiet cryptomgr.notests initrd=initrd.gz",
    );
    // The ACPI tables came from the board through fw_cfg (etc/table-loader, as QEMU hands its
    // own to SeaBIOS): Linux lists them with their OEM IDs (lines as acpi_tb_print_table_header prints
    // them) and warns of no bad checksum, and
    // `poweroff` reaches the PIIX4 PM function with \_S5's SLP_TYP: the board powers off.
    const acpi = await m.run("dmesg | grep ACPI", "~ # ");
    expect(acpi).toMatch(/ACPI: RSDP 0x00000000000F[0-9A-F]{4} 000014 \(v00 RINGVM\)/);
    for (const table of ["RSDT", "FACP", "DSDT", "APIC"])
      expect(acpi).toMatch(
        new RegExp(`ACPI: ${table} 0x[0-9A-F]{16} [0-9A-F]{6} \\(v01 RINGVM RINGVMPC`),
      );
    expect(acpi).toMatch(/ACPI: FACS 0x[0-9A-F]{16} 000040/);
    expect(acpi).toContain("ACPI: PM-Timer IO Port: 0x608"); // as under QEMU 7.2
    expect(acpi).not.toMatch(/Incorrect checksum|BIOS Error/);
    m.pc.sendSerial("poweroff\n");
    expect((await m.ended).reason).toBe("poweroff");
    console.log(
      `disk: SYSLINUX banner ${loaderS} s, shell prompt ${promptS} s, ${m.pc.cpu.instructionCount} instructions, ${cpuSecondsSince(cpu0)} CPU s`,
    );
  });
});
