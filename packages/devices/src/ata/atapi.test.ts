// ATAPI CD-ROM on the secondary channel, checked against ATA/ATAPI-6 (T13 1410D) clause 9.10
// (PACKET protocol), SFF-8020i, SPC-3 and MMC-5 (command data layouts). Sections cited inline.
import { describe, expect, it } from "vitest";
import { MemoryDisk } from "../disk/memory-disk";
import { AtapiCdrom } from "./drives";
import { FakeBoard } from "./fake-board";
import { PiixIde } from "./piix-ide";

const BASE = 0x170;
const CTRL = 0x376;
const BM = 0xc000;
const BLOCK = 2048;

function cdImage(blocks: number): MemoryDisk {
  const bytes = new Uint8Array(blocks * BLOCK);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.floor(i / BLOCK) * 13 + i) & 0xff;
  return new MemoryDisk(bytes, { sectorSize: BLOCK, isReadOnly: true });
}

function setup(medium?: MemoryDisk) {
  const board = new FakeBoard();
  const cd = new AtapiCdrom(medium);
  const ide = new PiixIde({ secondary: [cd] });
  ide.attach(board.context);
  ide.reset("power-on");
  ide.mapBusMaster(BM);
  board.out(BASE + 6, 0xa0);
  return { board, cd, ide, irq: board.line(15) };
}

interface PacketOutcome {
  readonly data: number[];
  /** Byte counts of each DRQ piece. */
  readonly pieces: number[];
  readonly status: number;
  readonly error: number;
  readonly reason: number;
}

/** Runs a packet command by PIO (ATA-6 9.10) and collects what the device returns. */
function packet(board: FakeBoard, cdb: number[], limit = 0xfffe): PacketOutcome {
  board.out(BASE + 1, 0);
  board.out(BASE + 4, limit & 0xff);
  board.out(BASE + 5, limit >> 8);
  board.out(BASE + 7, 0xa0);
  expect(board.in(CTRL) & 0x88).toBe(0x08); // DRQ, not BSY
  expect(board.in(BASE + 2) & 0x03).toBe(0x01); // CoD=1, IO=0: send the packet
  const bytes = [...cdb, ...new Array(12 - cdb.length).fill(0)];
  for (let i = 0; i < 12; i += 2) board.out(BASE, bytes[i]! | (bytes[i + 1]! << 8), 2);
  const data: number[] = [];
  const pieces: number[] = [];
  for (;;) {
    const status = board.in(BASE + 7);
    if ((status & 0x08) === 0) {
      return { data, pieces, status, error: board.in(BASE + 1), reason: board.in(BASE + 2) & 3 };
    }
    expect(board.in(BASE + 2) & 0x03).toBe(0x02); // IO=1, CoD=0: data to the host
    const count = board.in(BASE + 4) | (board.in(BASE + 5) << 8);
    pieces.push(count);
    for (let i = 0; i < count; i += 2) {
      const w = board.in(BASE, 2);
      data.push(w & 0xff);
      if (i + 1 < count) data.push(w >> 8);
    }
  }
}

const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

describe("identification (ATA-6 8.15.4, 8.16, 9.12)", () => {
  it("aborts IDENTIFY DEVICE and leaves the packet signature", () => {
    const { board } = setup(cdImage(10));
    board.out(BASE + 4, 0);
    board.out(BASE + 7, 0xec);
    expect(board.in(BASE + 7) & 0x01).toBe(0x01);
    expect(board.in(BASE + 1)).toBe(0x04);
    expect([board.in(BASE + 4), board.in(BASE + 5)]).toEqual([0x14, 0xeb]);
  });

  it("answers IDENTIFY PACKET DEVICE with word 0 = 85C0h and a valid checksum", () => {
    const { board, irq } = setup(cdImage(10));
    board.out(BASE + 7, 0xa1);
    expect(irq.isHigh).toBe(true);
    const w = Array.from({ length: 256 }, () => board.in(BASE, 2));
    expect(w[0]).toBe(0x85c0);
    expect(w[49]! & 0x0300).toBe(0x0300);
    expect(w.reduce((s, x) => s + (x & 0xff) + (x >> 8), 0) & 0xff).toBe(0);
    expect(board.in(BASE + 7) & 0x08).toBe(0);
  });
});

describe("packet commands", () => {
  it("INQUIRY: CD-ROM, removable, split into pieces no larger than the byte count limit", () => {
    const { board } = setup(cdImage(10));
    const out = packet(board, [0x12, 0, 0, 0, 36, 0], 16);
    expect(out.pieces).toEqual([16, 16, 4]);
    expect(out.data[0]).toBe(0x05); // SPC-3 6.4.2: peripheral device type 05h
    expect(out.data[1]).toBe(0x80); // RMB
    expect(String.fromCharCode(...out.data.slice(8, 14))).toBe("RINGVM");
    expect(out.reason).toBe(0x03); // IO=1, CoD=1: status phase
    expect(out.status & 0x01).toBe(0);
  });

  it("TEST UNIT READY without a disc: CHECK CONDITION, NOT READY / 3Ah (SPC-3 4.5.6)", () => {
    const { board } = setup();
    const out = packet(board, [0x00]);
    expect(out.status & 0x01).toBe(0x01);
    expect(out.error).toBe(0x24); // sense key 2 in bits 7:4, ABRT
    const sense = packet(board, [0x03, 0, 0, 0, 18, 0]);
    expect(sense.data[0]).toBe(0x70);
    expect(sense.data[2]).toBe(0x02);
    expect(sense.data[12]).toBe(0x3a);
  });

  it("reports a disc change once as UNIT ATTENTION 28h, then is ready (SPC-3 5.8.7)", () => {
    const { board, cd } = setup();
    expect(cd.changeMedium(cdImage(10))).toBe(true);
    expect(packet(board, [0x00]).error).toBe(0x64);
    expect(packet(board, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x28);
    expect(packet(board, [0x00]).status & 0x01).toBe(0);
    // MMC-5 6.6: the media event shows "new media" once, with the disc present.
    const event = packet(board, [0x4a, 0x01, 0, 0, 0x10, 0, 0, 0, 8]);
    expect(event.data.slice(0, 6)).toEqual([0, 6, 0x04, 0x10, 0x02, 0x02]);
    expect(packet(board, [0x4a, 0x01, 0, 0, 0x10, 0, 0, 0, 8]).data[4]).toBe(0);
  });

  it("READ CAPACITY returns the last block and 2048 (MMC-5 6.23)", () => {
    const { board } = setup(cdImage(300));
    expect(packet(board, [0x25]).data).toEqual([...be32(299), ...be32(2048)]);
  });

  it("READ(10) and READ(12) return the blocks; past the end is ILLEGAL REQUEST 21h", () => {
    const image = cdImage(100);
    const { board } = setup(image);
    const ten = packet(board, [0x28, 0, ...be32(5), 0, 0, 3]);
    expect(ten.data).toEqual([...image.bytes.subarray(5 * BLOCK, 8 * BLOCK)]);
    expect(ten.pieces).toEqual([6144]);
    const twelve = packet(board, [0xa8, 0, ...be32(98), ...be32(2)], 3000);
    expect(twelve.data).toEqual([...image.bytes.subarray(98 * BLOCK, 100 * BLOCK)]);
    expect(twelve.pieces).toEqual([3000, 1096]);
    expect(packet(board, [0x28, 0, ...be32(99), 0, 0, 2]).error).toBe(0x54);
    expect(packet(board, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x21);
  });

  it("READ TOC formats 0, 1 and 2 (MMC-5 6.26)", () => {
    const { board } = setup(cdImage(1000));
    const lba = packet(board, [0x43, 0, 0, 0, 0, 0, 0, 0, 100]);
    expect(lba.data).toEqual([
      0,
      18,
      1,
      1,
      0,
      0x14,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0x14,
      0xaa,
      0,
      ...be32(1000),
    ]);
    // MSF: lead-out at 1000 + 150 frames = 00:15:25; track 1 at 00:02:00.
    const msf = packet(board, [0x43, 0x02, 0, 0, 0, 0, 0, 0, 100]);
    expect(msf.data.slice(8, 12)).toEqual([0, 0, 2, 0]);
    expect(msf.data.slice(16, 20)).toEqual([0, 0, 15, 25]);
    const session = packet(board, [0x43, 0, 1, 0, 0, 0, 0, 0, 100]);
    expect(session.data).toEqual([0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0]);
    const full = packet(board, [0x43, 0x02, 2, 0, 0, 0, 0, 0, 100]);
    expect(full.data.slice(0, 4)).toEqual([0, 46, 1, 1]);
    expect(full.data.slice(4, 4 + 11)).toEqual([1, 0x14, 0, 0xa0, 0, 0, 0, 0, 1, 0, 0]);
    expect(full.data.slice(26, 37)).toEqual([1, 0x14, 0, 0xa2, 0, 0, 0, 0, 0, 15, 25]);
    // Allocation length truncates.
    expect(packet(board, [0x43, 0, 0, 0, 0, 0, 0, 0, 4]).data).toEqual([0, 18, 1, 1]);
  });

  it("MODE SENSE(10) page 2Ah and GET CONFIGURATION's current profile", () => {
    const { board } = setup(cdImage(10));
    const mode = packet(board, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64]);
    expect((mode.data[0]! << 8) | mode.data[1]!).toBe(mode.data.length - 2);
    expect(mode.data[8]).toBe(0x2a);
    expect(packet(board, [0x5a, 0, 0x15, 0, 0, 0, 0, 0, 64]).error).toBe(0x54);
    const config = packet(board, [0x46, 0, 0, 0, 0, 0, 0, 0, 64]);
    expect(config.data.slice(6, 8)).toEqual([0, 8]); // profile 0008h CD-ROM (MMC-5 5.3.1)
    expect(config.data.slice(8, 16)).toEqual([0, 0, 3, 4, 0, 8, 1, 0]);
  });

  it("refuses to eject a locked tray, ejects when allowed (MMC-5 6.39, SPC-3 6.13)", () => {
    const { board, cd } = setup(cdImage(10));
    packet(board, [0x1e, 0, 0, 0, 1]);
    expect(packet(board, [0x1b, 0, 0, 0, 0x02]).error).toBe(0x54);
    const sense = packet(board, [0x03, 0, 0, 0, 18]);
    expect([sense.data[12], sense.data[13]]).toEqual([0x53, 0x02]);
    expect(cd.changeMedium(undefined)).toBe(false);
    packet(board, [0x1e, 0, 0, 0, 0]);
    expect(packet(board, [0x1b, 0, 0, 0, 0x02]).status & 0x01).toBe(0);
    expect(packet(board, [0x00]).error).toBe(0x24);
  });

  it("rejects an unknown opcode with ILLEGAL REQUEST 20h", () => {
    const { board } = setup(cdImage(10));
    expect(packet(board, [0xff]).error).toBe(0x54);
    expect(packet(board, [0x03, 0, 0, 0, 18]).data[12]).toBe(0x20);
  });

  it("moves READ(10) data by bus-master DMA when Features bit 0 is set", () => {
    const image = cdImage(50);
    const { board, irq } = setup(image);
    const view = new DataView(board.memory.buffer);
    view.setUint32(0x1000, 0x4000, true);
    view.setUint32(0x1004, 0x8000_0000 | (2 * BLOCK), true);
    board.out(BM + 8 + 4, 0x1000, 4);
    board.out(BM + 8, 0x09);
    board.out(BASE + 1, 0x01);
    board.out(BASE + 7, 0xa0);
    const cdb = [0x28, 0, ...be32(10), 0, 0, 2, 0, 0, 0];
    for (let i = 0; i < 12; i += 2) board.out(BASE, cdb[i]! | (cdb[i + 1]! << 8), 2);
    expect(irq.isHigh).toBe(true);
    expect(board.in(BM + 8 + 2) & 0x07).toBe(0x04);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect(board.in(BASE + 2) & 3).toBe(3);
    expect([...board.memory.subarray(0x4000, 0x4000 + 2 * BLOCK)]).toEqual([
      ...image.bytes.subarray(10 * BLOCK, 12 * BLOCK),
    ]);
  });

  it("streams a DMA read of many chunks across several PRD entries", () => {
    const image = cdImage(200);
    const { board } = setup(image);
    const view = new DataView(board.memory.buffer);
    // 150 blocks = 300 KiB: entries of 64 KiB (byte count 0) x4 and 44 KiB, the last with EOT.
    const sizes = [0x10000, 0x10000, 0x10000, 0x10000, 150 * BLOCK - 4 * 0x10000];
    sizes.forEach((size, i) => {
      view.setUint32(0x1000 + 8 * i, 0x10000 * (i + 1), true);
      view.setUint32(
        0x1004 + 8 * i,
        (size & 0xffff) | (i === sizes.length - 1 ? 0x8000_0000 : 0),
        true,
      );
    });
    board.out(BM + 8 + 4, 0x1000, 4);
    board.out(BM + 8, 0x09);
    board.out(BASE + 1, 0x01);
    board.out(BASE + 7, 0xa0);
    const cdb = [0x28, 0, ...be32(20), 0, 0, 150, 0, 0, 0];
    for (let i = 0; i < 12; i += 2) board.out(BASE, cdb[i]! | (cdb[i + 1]! << 8), 2);
    expect(board.in(BM + 8 + 2) & 0x07).toBe(0x04);
    const got = board.memory.subarray(0x10000, 0x10000 + 150 * BLOCK);
    expect(
      Buffer.from(got).equals(Buffer.from(image.bytes.subarray(20 * BLOCK, 170 * BLOCK))),
    ).toBe(true);
  });
});
