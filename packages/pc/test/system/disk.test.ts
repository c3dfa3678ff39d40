// The default guest (Debian's 686 kernel + busybox initramfs from guests/) finds an IDE disk
// on the primary channel through the board's ACPI/PCI description (ata_piix), mounts it,
// writes a file, syncs and powers off. The disk is a read-only image file behind the
// copy-on-write overlay, as the CLI attaches --hda: afterwards the overlay holds the file
// (found by walking the Minix v1 file system, layout of Linux's include/linux/minix_fs.h and
// util-linux mkfs.minix) and the image file is byte-identical to before (SHA-256).
import { createHash } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openDiskImage, OverlayDisk, type BlockDevice, type ByteSource } from "../../src/index";
import { PROMPT, startLinuxMachine } from "../linux-machine";

const MARKER = "written by Linux on the RingVM IDE disk";
/** Set RINGVM_TRANSCRIPT=/path to follow the serial console (and progress) while it runs. */
const transcriptFile = process.env["RINGVM_TRANSCRIPT"];

/** A read-only image file (no writeSync: the backend cannot write it even if asked). */
function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, "r");
  const byteLength = readFileSync(path).length;
  const readInto = (offset: number, into: Uint8Array): boolean => {
    into.fill(0);
    readSync(fd, into, 0, Math.max(0, Math.min(into.length, byteLength - offset)), offset);
    return true;
  };
  return {
    byteLength,
    readSync: readInto,
    readAsync: (offset, length) => {
      const into = new Uint8Array(length);
      readInto(offset, into);
      return Promise.resolve(into);
    },
    close: () => closeSync(fd),
  };
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("IDE disk", () => {
  it(
    "Linux mounts the primary master, writes a file, syncs; the overlay holds it",
    { timeout: 1_800_000 },
    async () => {
      const image = gunzipSync(readFileSync(new URL("fixtures/minix.img.gz", import.meta.url)));
      const dir = mkdtempSync(join(tmpdir(), "ringvm-disk-"));
      const imagePath = join(dir, "minix.img");
      writeFileSync(imagePath, image);
      const before = sha256(readFileSync(imagePath));
      const source = fileSource(imagePath);
      try {
        const opened = await openDiskImage(source);
        expect(opened.format).toBe("raw");
        expect(opened.disk.isReadOnly).toBe(true);
        const overlay = new OverlayDisk(opened.disk);

        const m = startLinuxMachine({
          cmdline: "console=ttyS0 quiet cryptomgr.notests",
          // Hot code recompiled (the firmware-boot tests' choice): this boot also loads the
          // ATA, SCSI and Minix modules, twice the instructions of the plain boot.
          engine: "auto",
          hda: overlay,
        });
        const { pc, ended, run } = m;
        const progress =
          transcriptFile === undefined
            ? undefined
            : setInterval(() => {
                const c = pc.cpu;
                appendFileSync(
                  transcriptFile,
                  `\n[progress ${c.instructionCount} eip ${c.eip.toString(16)}]\n`,
                );
              }, 10_000);
        await m.waitFor(PROMPT, 0);
        expect(m.transcript()).toContain("RingVM guest");

        // ata_piix probed the primary channel and sd attached the 256 KiB disk.
        const dmesg = await run("dmesg | grep -E 'ata1|sda|IOAPIC'");
        expect(dmesg).toMatch(/ata1: PATA max MWDMA2 cmd 0x1f0 ctl 0x3f6 bmdma 0x[0-9a-f]+ irq 14/);
        expect(dmesg).toContain("ata1.00: ATA-6: RingVM HARDDISK");
        expect(dmesg).toContain("[sda] 512 512-byte logical blocks: (262 kB/256 KiB)");
        // The disk's interrupts arrive through the IOAPIC (the MADT's, pin 14).
        const interrupts = await run("grep -E 'ata_piix|timer' /proc/interrupts");
        expect(interrupts).toMatch(/14: +[1-9][0-9]* +IO-APIC +14-edge +ata_piix/);
        expect(interrupts).toMatch(/0: +[0-9]+ +IO-APIC +2-edge +timer/);

        const write = await run(
          `mkdir -p /mnt && mount -t minix /dev/sda /mnt && echo '${MARKER}' >/mnt/hello.txt && sync && umount /mnt && echo WRITE-OK`,
        );
        expect(write).toContain("\nWRITE-OK");
        pc.sendSerial("poweroff\n");
        expect((await ended).reason).toBe("poweroff");
        clearInterval(progress);

        // The image file was never written; the overlay (also after save/load) holds the file.
        expect(sha256(readFileSync(imagePath))).toBe(before);
        expect(sha256(image)).toBe(before);
        expect(overlay.dirtySectorCount).toBeGreaterThan(0);
        expect(readMinixFile(opened.disk, "hello.txt")).toBeUndefined();
        const kept = OverlayDisk.load(opened.disk, overlay.save());
        for (const disk of [overlay, kept])
          expect(new TextDecoder().decode(readMinixFile(disk, "hello.txt"))).toBe(`${MARKER}\n`);
      } finally {
        source.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

/**
 * Reads file `name` from the root directory of a Minix v1 file system with 30-character
 * names (magic 138Fh): 1 KiB blocks; block 1 the superblock (ninodes, nzones, imap_blocks,
 * zmap_blocks, firstdatazone, log_zone_size as u16, max_size u32, magic u16); inodes (32
 * bytes: mode u16, uid u16, size u32, time u32, gid u8, nlinks u8, zone[9] u16) from block
 * 2 + imap_blocks + zmap_blocks; directory entries 32 bytes (inode u16, name[30]).
 */
function readMinixFile(disk: BlockDevice, name: string): Uint8Array | undefined {
  const bytes = new Uint8Array(disk.sectorCount * disk.sectorSize);
  expect(disk.readSync(0, bytes)).toBe(true);
  const view = new DataView(bytes.buffer);
  const BLOCK = 1024;
  expect(view.getUint16(BLOCK + 16, true)).toBe(0x138f);
  const inodeTable =
    (2 + view.getUint16(BLOCK + 4, true) + view.getUint16(BLOCK + 6, true)) * BLOCK;
  const inode = (n: number) => {
    const at = inodeTable + (n - 1) * 32;
    const zones: number[] = [];
    for (let z = 0; z < 7; z++) zones.push(view.getUint16(at + 14 + 2 * z, true));
    return { size: view.getUint32(at + 4, true), zones };
  };
  const readData = (n: number): Uint8Array => {
    const { size, zones } = inode(n);
    const out = new Uint8Array(size);
    for (let done = 0, z = 0; done < size; done += BLOCK, z++)
      out.set(
        bytes.subarray(zones[z]! * BLOCK, zones[z]! * BLOCK + Math.min(BLOCK, size - done)),
        done,
      );
    return out;
  };
  const root = readData(1);
  for (let at = 0; at + 32 <= root.length; at += 32) {
    const number = root[at]! | (root[at + 1]! << 8);
    const entry = new TextDecoder().decode(root.subarray(at + 2, at + 32)).replace(/\0.*$/s, "");
    if (number !== 0 && entry === name) return readData(number);
  }
  return undefined;
}
