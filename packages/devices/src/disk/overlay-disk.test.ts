// The copy-on-write contract the storage issue asks for: the base is never written unless
// the user commits; the overlay survives save/load; malformed overlays are rejected clearly.
import { describe, expect, it } from "vitest";
import type { ByteSource } from "./block-device";
import { DiskImageError } from "./block-device";
import { ImageDisk } from "./image-disk";
import { MemoryDisk } from "./memory-disk";
import { OverlayDisk } from "./overlay-disk";

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) & 0xff;
  return bytes;
}

/** A source that can only answer asynchronously, like a browser File or HTTP range reads. */
function asyncOnly(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.length,
    readAsync: (offset, length) => {
      const out = new Uint8Array(length);
      out.set(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
      return Promise.resolve(out);
    },
  };
}

describe("MemoryDisk", () => {
  it("rounds a partial trailing sector up and reads it zero-padded", () => {
    const disk = new MemoryDisk(new Uint8Array([1, 2, 3]));
    expect(disk.sectorCount).toBe(1);
    const into = new Uint8Array(4).fill(0xee);
    expect(disk.readSync(0, into)).toBe(true);
    expect([...into]).toEqual([1, 2, 3, 0]);
  });
  it("refuses writes when read-only", () => {
    const disk = new MemoryDisk(1024, { isReadOnly: true });
    expect(disk.write(0, new Uint8Array([1]))).toBe(false);
    expect(disk.bytes[0]).toBe(0);
  });
  it("rejects a nonsense size with a DiskImageError", () => {
    expect(() => new MemoryDisk(-1)).toThrow(DiskImageError);
  });
});

describe("ImageDisk", () => {
  it("is read-only by default and never writes its source", () => {
    const base = new MemoryDisk(pattern(2048, 1));
    const before = base.bytes.slice();
    const disk = new ImageDisk(base);
    expect(disk.isReadOnly).toBe(true);
    expect(disk.write(0, new Uint8Array(512))).toBe(false);
    expect(base.bytes).toEqual(before);
  });
  it("refuses to be writable over a source opened read-only", () => {
    expect(() => new ImageDisk(asyncOnly(new Uint8Array(512)), { isWritable: true })).toThrow(
      /not opened for writing/,
    );
  });
  it("rejects an empty image", () => {
    expect(() => new ImageDisk(asyncOnly(new Uint8Array(0)))).toThrow(DiskImageError);
  });
});

describe("OverlayDisk", () => {
  it("reads writes back while the base stays byte-identical", () => {
    const base = new MemoryDisk(pattern(4096, 3));
    const before = base.bytes.slice();
    const disk = new OverlayDisk(new ImageDisk(base));
    expect(disk.write(512, new Uint8Array(512).fill(0xaa))).toBe(true);
    expect(disk.write(1000, new Uint8Array([9, 9]))).toBe(true);
    const into = new Uint8Array(2048);
    expect(disk.readSync(0, into)).toBe(true);
    expect(into.subarray(0, 512)).toEqual(before.subarray(0, 512));
    expect(into.subarray(512, 1000).every((b) => b === 0xaa)).toBe(true);
    expect([...into.subarray(1000, 1002)]).toEqual([9, 9]);
    expect(into.subarray(1024)).toEqual(before.subarray(1024, 2048));
    expect(base.bytes).toEqual(before);
    expect(disk.dirtySectorCount).toBe(1);
  });

  it("patches asynchronous base reads and refuses partial writes it cannot merge", async () => {
    const bytes = pattern(2048, 5);
    const disk = new OverlayDisk(new ImageDisk(asyncOnly(bytes)));
    expect(disk.readSync(0, new Uint8Array(512))).toBe(false);
    expect(disk.write(512, new Uint8Array(512).fill(1))).toBe(true);
    expect(disk.write(1030, new Uint8Array(4))).toBe(false);
    // A range fully in the overlay needs no base read.
    expect(disk.readSync(512, new Uint8Array(512))).toBe(true);
    const read = await disk.readAsync(256, 1024);
    expect(read.subarray(0, 256)).toEqual(bytes.subarray(256, 512));
    expect(read.subarray(256, 768).every((b) => b === 1)).toBe(true);
    expect(read.subarray(768)).toEqual(bytes.subarray(1024, 1280));
  });

  it("saves and loads back, and discards", () => {
    const base = new MemoryDisk(pattern(8192, 7));
    const disk = new OverlayDisk(base);
    disk.write(7 * 512, new Uint8Array(512).fill(0x55));
    disk.write(2 * 512, new Uint8Array(512).fill(0x66));
    const saved = disk.save();
    const again = OverlayDisk.load(base, saved);
    expect(again.dirtySectorCount).toBe(2);
    const into = new Uint8Array(8192);
    again.readSync(0, into);
    expect(into[7 * 512]).toBe(0x55);
    expect(into[2 * 512 + 511]).toBe(0x66);
    again.discard();
    again.readSync(0, into);
    expect(into).toEqual(base.bytes);
  });

  it("commits into a writable base only", () => {
    const readOnly = new OverlayDisk(new MemoryDisk(1024, { isReadOnly: true }));
    readOnly.write(0, new Uint8Array(512).fill(1));
    expect(() => readOnly.commit()).toThrow(/read-only/);
    const base = new MemoryDisk(1024);
    const disk = new OverlayDisk(base);
    disk.write(512, new Uint8Array(512).fill(2));
    disk.commit();
    expect(base.bytes[512]).toBe(2);
    expect(disk.dirtySectorCount).toBe(0);
  });

  it("rejects malformed or mismatched overlay files with a clear error", () => {
    const base = new MemoryDisk(2048);
    const good = new OverlayDisk(base);
    good.write(0, new Uint8Array(512).fill(3));
    const saved = good.save();
    expect(() => OverlayDisk.load(base, new Uint8Array(10))).toThrow(/bad magic/);
    expect(() => OverlayDisk.load(base, saved.subarray(0, saved.length - 1))).toThrow(/truncated/);
    expect(() => OverlayDisk.load(new MemoryDisk(4096), saved)).toThrow(/different image/);
    const beyond = saved.slice();
    beyond[24] = 200; // sector index 200 in a 4-sector image
    expect(() => OverlayDisk.load(base, beyond)).toThrow(/beyond/);
  });

  it("ignores writes past the end instead of growing the disk", () => {
    const disk = new OverlayDisk(new MemoryDisk(1024));
    expect(disk.write(1024, new Uint8Array(512))).toBe(true);
    expect(disk.dirtySectorCount).toBe(0);
  });
});
