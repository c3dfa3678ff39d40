// qcow2 images laid out by hand from QEMU's docs/interop/qcow2.txt ("Header", "Cluster
// mapping": L1 -> L2 -> data cluster, bits 9-55 host offset, bit 0 of L2 = all zeroes (v3),
// bit 62 = compressed).
import { describe, expect, it } from "vitest";
import { DiskImageError } from "./block-device";
import { MemoryDisk } from "./memory-disk";
import { Qcow2Disk } from "./qcow2-disk";

const CLUSTER = 512; // cluster_bits = 9

function build(
  options: { version?: number; backing?: boolean; l2Flags?: bigint; clusterBits?: number } = {},
) {
  const file = new Uint8Array(6 * CLUSTER);
  const view = new DataView(file.buffer);
  view.setUint32(0, 0x514649fb);
  view.setUint32(4, options.version ?? 3);
  if (options.backing === true) view.setBigUint64(8, 4096n);
  view.setUint32(20, options.clusterBits ?? 9);
  view.setBigUint64(24, 8n * BigInt(CLUSTER)); // 8 guest clusters
  view.setUint32(36, 1); // one L1 entry covers 64 clusters
  view.setBigUint64(40, 1n * BigInt(CLUSTER)); // L1 at cluster 1
  view.setUint32(100, 104); // header_length
  view.setBigUint64(CLUSTER, (1n << 63n) | (2n * BigInt(CLUSTER))); // L1[0] -> L2 at cluster 2, COPIED
  const l2 = 2 * CLUSTER;
  view.setBigUint64(l2 + 0 * 8, (1n << 63n) | (3n * BigInt(CLUSTER)) | (options.l2Flags ?? 0n)); // guest 0 -> host 3
  view.setBigUint64(l2 + 5 * 8, 4n * BigInt(CLUSTER)); // guest 5 -> host 4
  view.setBigUint64(l2 + 2 * 8, (5n * BigInt(CLUSTER)) | 1n); // guest 2: zero flag set
  file.fill(0x11, 3 * CLUSTER, 4 * CLUSTER);
  file.fill(0x55, 4 * CLUSTER, 5 * CLUSTER);
  file.fill(0x99, 5 * CLUSTER, 6 * CLUSTER);
  return new MemoryDisk(file);
}

describe("Qcow2Disk", () => {
  it("maps clusters through L1/L2, unallocated and zero-flagged clusters read as zero", async () => {
    const disk = await Qcow2Disk.open(build());
    expect(disk.sectorCount).toBe(8);
    const all = await disk.readAsync(0, 8 * CLUSTER);
    expect(all.subarray(0, CLUSTER).every((b) => b === 0x11)).toBe(true);
    expect(all.subarray(CLUSTER, 5 * CLUSTER).every((b) => b === 0)).toBe(true);
    expect(all.subarray(5 * CLUSTER, 6 * CLUSTER).every((b) => b === 0x55)).toBe(true);
    const sync = new Uint8Array(8 * CLUSTER);
    expect(disk.readSync(0, sync)).toBe(true);
    expect(sync).toEqual(all);
    expect(disk.write()).toBe(false);
  });

  it("refuses what it cannot read, with the reason", async () => {
    await expect(Qcow2Disk.open(new MemoryDisk(new Uint8Array(512)))).rejects.toThrow(/magic/);
    await expect(Qcow2Disk.open(build({ version: 4 }))).rejects.toThrow(/version 4/);
    await expect(Qcow2Disk.open(build({ backing: true }))).rejects.toThrow(/backing file/);
    await expect(Qcow2Disk.open(build({ clusterBits: 30 }))).rejects.toThrow(/cluster_bits/);
    const compressed = await Qcow2Disk.open(build({ l2Flags: 1n << 62n }));
    await expect(compressed.readAsync(0, 512)).rejects.toThrow(DiskImageError);
  });
});

describe("openDiskImage", () => {
  it("opens raw images read-only with 512-byte sectors and qcow2 through Qcow2Disk", async () => {
    const { openDiskImage } = await import("./open-image");
    const raw = await openDiskImage(new MemoryDisk(new Uint8Array(4096)));
    expect([raw.format, raw.disk.sectorSize, raw.disk.isReadOnly]).toEqual(["raw", 512, true]);
    const q = await openDiskImage(build());
    expect(q.format).toBe("qcow2");
    expect(q.disk).toBeInstanceOf(Qcow2Disk);
  });
});
