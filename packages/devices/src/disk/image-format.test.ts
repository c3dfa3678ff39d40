// ISO 9660 detection and validation. Images are laid out by hand from ECMA-119 (= ISO
// 9660:1988) clause 8 (volume descriptors) and El Torito 1.0 section 2.0 (boot record).
import { describe, expect, it } from "vitest";
import { detectImageFormat, readIsoVolume } from "./image-format";
import { MemoryDisk } from "./memory-disk";

const SECTOR = 2048;

function putAscii(bytes: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
}

/** ECMA-119 7.3.3 / 7.2.3 both-byte-order fields. */
function putBoth32(bytes: Uint8Array, at: number, value: number): void {
  const view = new DataView(bytes.buffer);
  view.setUint32(at, value, true);
  view.setUint32(at + 4, value, false);
}
function putBoth16(bytes: Uint8Array, at: number, value: number): void {
  const view = new DataView(bytes.buffer);
  view.setUint16(at, value, true);
  view.setUint16(at + 2, value, false);
}

function makeIso(
  options: { blocks?: number; boot?: boolean; badEndian?: boolean } = {},
): Uint8Array {
  const blocks = options.blocks ?? 20;
  const image = new Uint8Array(blocks * SECTOR);
  let sector = 16;
  if (options.boot === true) {
    const at = sector++ * SECTOR;
    image[at] = 0; // 8.2.1 boot record
    putAscii(image, at + 1, "CD001");
    image[at + 6] = 1;
    putAscii(image, at + 7, "EL TORITO SPECIFICATION");
  }
  const pvd = sector++ * SECTOR;
  image[pvd] = 1; // 8.4.1 primary volume descriptor type
  putAscii(image, pvd + 1, "CD001"); // 8.4.2
  image[pvd + 6] = 1; // 8.4.3 version
  putAscii(image, pvd + 40, "RINGVM_TEST".padEnd(32, " ")); // 8.4.6 volume identifier
  putBoth32(image, pvd + 80, blocks); // 8.4.8 volume space size
  putBoth16(image, pvd + 128, SECTOR); // 8.4.12 logical block size
  if (options.badEndian === true) image[pvd + 87] = 21;
  const term = sector * SECTOR;
  image[term] = 255; // 8.3 set terminator
  putAscii(image, term + 1, "CD001");
  image[term + 6] = 1;
  return image;
}

describe("detectImageFormat", () => {
  it("recognises ISO 9660, qcow2 and falls back to raw", () => {
    expect(detectImageFormat(makeIso())).toBe("iso9660");
    expect(detectImageFormat(new Uint8Array([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]))).toBe("qcow2");
    expect(detectImageFormat(new Uint8Array(512))).toBe("raw");
  });
});

describe("readIsoVolume", () => {
  it("reads the primary volume descriptor and notices El Torito", async () => {
    const info = await readIsoVolume(new MemoryDisk(makeIso({ boot: true })));
    expect(info).toEqual({
      volumeId: "RINGVM_TEST",
      blockCount: 20,
      blockSize: 2048,
      isBootable: true,
    });
    expect((await readIsoVolume(new MemoryDisk(makeIso()))).isBootable).toBe(false);
  });
  it("rejects malformed images with the reason", async () => {
    await expect(readIsoVolume(new MemoryDisk(new Uint8Array(4096)))).rejects.toThrow(
      /ends inside/,
    );
    await expect(readIsoVolume(new MemoryDisk(new Uint8Array(40 * SECTOR)))).rejects.toThrow(
      /CD001/,
    );
    await expect(readIsoVolume(new MemoryDisk(makeIso({ badEndian: true })))).rejects.toThrow(
      /disagree/,
    );
    const short = makeIso();
    new DataView(short.buffer).setUint32(16 * SECTOR + 80, 999, true);
    new DataView(short.buffer).setUint32(16 * SECTOR + 84, 999, false);
    await expect(readIsoVolume(new MemoryDisk(short))).rejects.toThrow(/claims/);
  });
});
