// The boot-protocol loader against the committed Debian bzImage. Expected values come from
// the image itself as the Linux boot protocol (Documentation/arch/x86/boot.rst) defines its
// header, read independently here with a DataView, and from `file`/QEMU-visible facts:
// Debian's 6.1.0-50-686 kernel is boot protocol 2.15, relocatable, 16 MiB aligned.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildE820Map,
  E820Type,
  LinuxBootError,
  LINUX_BOOT_LAYOUT,
  loadLinux,
  parseBzImage,
} from "../src/index";

const guests = new URL("../../../guests/", import.meta.url);
const kernel = new Uint8Array(readFileSync(new URL("vmlinuz", guests)));
const initrd = new Uint8Array(readFileSync(new URL("initramfs.cpio.gz", guests)));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

class RamImage {
  readonly u8: Uint8Array;
  constructor(readonly ramSize: number) {
    this.u8 = new Uint8Array(ramSize);
  }
  writeBytes(address: number, from: Uint8Array): void {
    this.u8.set(from, address);
  }
  u32(address: number): number {
    return new DataView(this.u8.buffer).getUint32(address, true);
  }
}

describe("parseBzImage (Debian 6.1.0-50-686)", () => {
  const header = parseBzImage(kernel);
  it("reads the setup header fields", () => {
    expect(header.protocol).toBe(0x020f);
    expect(header.setupSects).toBe(kernel[0x1f1]);
    expect(header.setupSize).toBe((kernel[0x1f1]! + 1) * 512);
    expect(header.kernelSize).toBe(kernel.length - header.setupSize);
    expect(header.code32Start).toBe(0x10_0000);
    expect(header.isRelocatable).toBe(true);
    expect(header.kernelAlignment).toBe(0x100_0000);
    expect(header.prefAddress).toBe(0x100_0000);
    expect(header.cmdlineSize).toBe(2047);
    expect(header.kernelVersion).toMatch(/^6\.1\.0-50-686 \(debian-kernel@lists\.debian\.org\)/);
  });

  it("rejects images that are not bzImages with one clear message", () => {
    expect(() => parseBzImage(new Uint8Array(100))).toThrow(/too small to be a bzImage/);
    expect(() => parseBzImage(new Uint8Array(4096))).toThrow(/no "HdrS" setup header/);
    const elf = new Uint8Array(4096);
    elf.set([0x7f, 0x45, 0x4c, 0x46]);
    expect(() => parseBzImage(elf)).toThrow(/ELF file/);
    expect(() => parseBzImage(kernel.subarray(0, 0x4000))).toThrow(LinuxBootError);
    const truncated = kernel.subarray(0, kernel.length - 100_000);
    expect(() => parseBzImage(truncated)).toThrow(/truncated/);
    const old = kernel.slice(0, 0x10000);
    old[0x206] = 0x01; // protocol 2.01
    expect(() => parseBzImage(old)).toThrow(/boot protocol 2\.01/);
  });
});

describe("buildE820Map", () => {
  it("lays out a 128 MiB PC like SeaBIOS/QEMU: 639 KiB, EBDA, BIOS segment, RAM from 1 MiB", () => {
    expect(buildE820Map({ ramSize: 128 << 20 })).toEqual([
      { base: 0, size: 0x9_fc00, type: E820Type.Ram },
      { base: 0x9_fc00, size: 0x400, type: E820Type.Reserved },
      { base: 0xf_0000, size: 0x1_0000, type: E820Type.Reserved },
      { base: 0x10_0000, size: (128 << 20) - 0x10_0000, type: E820Type.Ram },
    ]);
  });
  it("reports the BIOS ROM below 4 GiB when there is one", () => {
    const map = buildE820Map({ ramSize: 64 << 20, biosRomSize: 0x2_0000 });
    expect(map.at(-1)).toEqual({ base: 0xfffe_0000, size: 0x2_0000, type: E820Type.Reserved });
  });
});

describe("loadLinux", () => {
  const ramSize = 128 << 20;
  const e820 = buildE820Map({ ramSize });
  // Unpacking the 5.6 MB payload takes a few seconds on a busy host.
  it(
    "places kernel, initrd, command line and boot_params per the boot protocol",
    { timeout: 60_000 },
    () => {
      const ram = new RamImage(ramSize);
      const plan = loadLinux(ram, { kernel, initrd, cmdline: "console=ttyS0 quiet", e820 });
      const header = plan.header;
      const bp = LINUX_BOOT_LAYOUT.bootParams;
      // Protected-mode kernel at 1 MiB, byte for byte.
      expect(
        sameBytes(
          ram.u8.subarray(0x10_0000, 0x10_0000 + header.kernelSize),
          kernel.subarray(header.setupSize),
        ),
      ).toBe(true);
      // Initrd: page aligned, ends at or below the top of RAM, bytes intact.
      expect(plan.initrdAddress % 4096).toBe(0);
      expect(plan.initrdAddress + initrd.length).toBeLessThanOrEqual(ramSize);
      expect(plan.initrdAddress + initrd.length).toBeGreaterThan(ramSize - 4096);
      expect(
        sameBytes(ram.u8.subarray(plan.initrdAddress, plan.initrdAddress + initrd.length), initrd),
      ).toBe(true);
      // Setup header fields in the zero page.
      expect(ram.u32(bp + 0x202)).toBe(0x5372_6448); // "HdrS" copied from the image
      expect(ram.u8[bp + 0x210]).toBe(0xff); // type_of_loader
      expect(ram.u8[bp + 0x211]! & 0x81).toBe(0x81); // LOADED_HIGH | CAN_USE_HEAP
      expect(ram.u32(bp + 0x218)).toBe(plan.initrdAddress);
      expect(ram.u32(bp + 0x21c)).toBe(initrd.length);
      expect(ram.u32(bp + 0x228)).toBe(LINUX_BOOT_LAYOUT.cmdline);
      const cmd = ram.u8.subarray(LINUX_BOOT_LAYOUT.cmdline, LINUX_BOOT_LAYOUT.cmdline + 20);
      expect(new TextDecoder().decode(cmd.subarray(0, cmd.indexOf(0)))).toBe("console=ttyS0 quiet");
      // E820: count at 0x1e8, 20-byte entries at 0x2d0.
      expect(ram.u8[bp + 0x1e8]).toBe(4);
      expect(ram.u32(bp + 0x2d0 + 3 * 20)).toBe(0x10_0000);
      expect(ram.u32(bp + 0x2d0 + 3 * 20 + 8)).toBe(ramSize - 0x10_0000);
      expect(ram.u32(bp + 0x2d0 + 3 * 20 + 16)).toBe(1);
      // GDT: __BOOT_CS and __BOOT_DS flat 4 GiB.
      expect(ram.u32(plan.gdtBase + 0x10)).toBe(0x0000_ffff);
      expect(ram.u32(plan.gdtBase + 0x14)).toBe(0x00cf_9b00);
      expect(ram.u32(plan.gdtBase + 0x1c)).toBe(0x00cf_9300);
      // The XZ payload was unpacked on the host: the kernel proper's first PT_LOAD segment is at
      // its physical address 16 MiB, equal to what xz(1) unpacks (SHA-256 from the host:
      // the ELF's segment at file offset 0x1000, 0xc38bcc bytes).
      expect(plan.isUnpacked).toBe(true);
      expect(plan.entry).toBe(0x100_0000);
      const segment = ram.u8.subarray(0x100_0000, 0x100_0000 + 0xc3_8bcc);
      expect(createHash("sha256").update(segment).digest("hex")).toBe(
        "3044f6666b7855bc09f7b3a9a86ef0b8127d2964387e22ecef5450686b0050f7",
      );
    },
  );

  it("enters code32_start and leaves the payload packed when asked to", () => {
    const ram = new RamImage(ramSize);
    const plan = loadLinux(ram, { kernel, e820, decompressOnHost: false });
    expect(plan.isUnpacked).toBe(false);
    expect(plan.entry).toBe(0x10_0000);
    expect(ram.u32(0x100_0000)).toBe(0);
  });

  it("refuses what cannot fit, naming the limit", () => {
    const small = 24 << 20;
    expect(() =>
      loadLinux(new RamImage(small), { kernel, e820: buildE820Map({ ramSize: small }) }),
    ).toThrow(/needs RAM up to 32\.0 MiB.*raise -m/);
    expect(() =>
      loadLinux(new RamImage(ramSize), { kernel, cmdline: "x".repeat(3000), e820 }),
    ).toThrow(/at most 2047/);
    const tight = 33 << 20;
    expect(() =>
      loadLinux(new RamImage(tight), { kernel, initrd, e820: buildE820Map({ ramSize: tight }) }),
    ).toThrow(/initrd of 1\.4 MiB does not fit/);
  });
});
