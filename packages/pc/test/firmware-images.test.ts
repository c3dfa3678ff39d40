// The test-time image writers of firmware-images.ts against independent tools: the FAT writer
// must produce byte for byte what mtools' mcopy writes into the same template
// (SOURCE_DATE_EPOCH=946684800 TZ=UTC mcopy -i IMG[@@1M] FILE ::/NAME, sha256sum of the
// result), and the ISO writer what isoinfo (genisoimage 1.1.11) reads back.
import { createHash } from "node:crypto";
import { readIsoVolume } from "@ringvm/devices/disk";
import { MemoryDisk } from "../src/index";
import { describe, expect, it } from "vitest";
import { buildIso, fatAddFiles, guestFile, mbrPartitionOffset } from "./firmware-images";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const hello = new TextEncoder().encode("hello ringvm\n");

describe("fatAddFiles", () => {
  it("writes into the FAT12 floppy template what mcopy writes", () => {
    const image = guestFile("syslinux-fd.img.gz", true);
    fatAddFiles(image, 0, [
      { name: "hello.txt", data: hello },
      { name: "part.bin", data: guestFile("isolinux.bin").subarray(0, 5000) },
    ]);
    expect(sha256(image)).toBe("e04c6ce496779db6ba9b0807592dbff7704d48f5438e14b9f191926ae0c093ad");
  });

  it("writes into the FAT16 partition of the disk template what mcopy writes", () => {
    const image = guestFile("syslinux-hd.img.gz", true);
    expect(mbrPartitionOffset(image)).toBe(2048 * 512);
    fatAddFiles(image, mbrPartitionOffset(image), [
      { name: "hello.txt", data: hello },
      { name: "big.bin", data: guestFile("ldlinux.c32").subarray(0, 70000) },
    ]);
    expect(sha256(image)).toBe("2bfab015b387ebb4bdf11dbd8ceb2645f263ab655de4f1425759ee04e396557c");
  });

  it("refuses duplicate and non-8.3 names", () => {
    const image = guestFile("syslinux-fd.img.gz", true);
    expect(() => fatAddFiles(image, 0, [{ name: "LDLINUX.SYS", data: hello }])).toThrow(
      /already exists/,
    );
    expect(() => fatAddFiles(image, 0, [{ name: "toolongname.txt", data: hello }])).toThrow(/8\.3/);
  });
});

describe("buildIso", () => {
  const iso = buildIso({
    volumeId: "TESTCD",
    bootFile: "isolinux.bin",
    files: [
      { name: "readme", data: new TextEncoder().encode("ringvm\n") },
      { name: "isolinux.bin", data: guestFile("isolinux.bin") },
      { name: "a.cfg", data: new Uint8Array(3000).fill(0x41) },
    ],
  });
  const view = new DataView(iso.buffer, iso.byteOffset, iso.byteLength);

  it("has the layout isoinfo lists", async () => {
    // isoinfo -l: A.CFG;1 3000 bytes at 23, ISOLINUX.BIN;1 38912 at 25, README.;1 7 at 44.
    expect(iso.length).toBe(45 * 2048);
    const names: [string, number, number][] = [];
    for (let at = 21 * 2048 + 68; iso[at]! > 0; at += iso[at]!) {
      const id = new TextDecoder().decode(iso.subarray(at + 33, at + 33 + iso[at + 32]!));
      names.push([id, view.getUint32(at + 2, true), view.getUint32(at + 10, true)]);
    }
    expect(names).toEqual([
      ["A.CFG;1", 23, 3000],
      ["ISOLINUX.BIN;1", 25, 38912],
      ["README.;1", 44, 7],
    ]);
    const info = await readIsoVolume(new MemoryDisk(iso, { sectorSize: 2048 }));
    expect(info).toEqual({ volumeId: "TESTCD", blockCount: 45, blockSize: 2048, isBootable: true });
  });

  it("has the El Torito catalog and ISOLINUX boot information table", () => {
    // isoinfo -d: validation header Hid 1, Arch 0, key 55 AA; default entry bootable (88h),
    // no emulation, load segment 0, 4 sectors, boot file at 25.
    const cat = 22 * 2048;
    expect([iso[cat], iso[cat + 1], iso[cat + 30], iso[cat + 31]]).toEqual([1, 0, 0x55, 0xaa]);
    expect([iso[cat + 32], iso[cat + 33], view.getUint16(cat + 38, true)]).toEqual([0x88, 0, 4]);
    expect(view.getUint32(cat + 40, true)).toBe(25);
    // PVD at 16, file at 25, its length, and the sum of its dwords from byte 64 (python).
    const boot = 25 * 2048;
    expect([8, 12, 16, 20].map((o) => view.getUint32(boot + o, true))).toEqual([
      16, 25, 38912, 0x8811c780,
    ]);
  });
});
