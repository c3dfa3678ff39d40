// PIIX IDE with ATA disks, checked against ATA/ATAPI-6 (T13 1410D rev 3b) and the PIIX3
// datasheet's bus-master IDE section. Section numbers are cited at each test.
import { describe, expect, it } from "vitest";
import type { BlockDevice } from "../disk/block-device";
import { ImageDisk } from "../disk/image-disk";
import { MemoryDisk } from "../disk/memory-disk";
import { OverlayDisk } from "../disk/overlay-disk";
import { AtaDisk, AtapiCdrom } from "./drives";
import { FakeBoard } from "./fake-board";
import { PiixIde } from "./piix-ide";

const BASE = 0x1f0;
const CTRL = 0x3f6;
const BM = 0xc000;

/** Disk whose byte at offset o is a function of o, so any sector's contents are known. */
function byteAt(offset: number): number {
  return (Math.floor(offset / 512) * 31 + (offset % 512) * 7 + 3) & 0xff;
}
function patternDisk(sectors: number, isAsync = false): BlockDevice {
  const fill = (offset: number, into: Uint8Array) => {
    for (let i = 0; i < into.length; i++) into[i] = byteAt(offset + i);
  };
  return {
    sectorSize: 512,
    sectorCount: sectors,
    isReadOnly: true,
    readSync: (offset, into) => {
      if (isAsync) return false;
      fill(offset, into);
      return true;
    },
    readAsync: (offset, length) => {
      const out = new Uint8Array(length);
      fill(offset, out);
      return Promise.resolve(out);
    },
    write: () => false,
  };
}

function setup(drive0?: AtaDisk | AtapiCdrom, drive1?: AtaDisk | AtapiCdrom, withDma = true) {
  const board = new FakeBoard(1 << 20, withDma);
  const ide = new PiixIde({ primary: [drive0, drive1] });
  ide.attach(board.context);
  ide.reset("power-on");
  ide.mapBusMaster(BM);
  return { board, ide, irq: board.line(14) };
}

function readWords(board: FakeBoard, count: number): number[] {
  return Array.from({ length: count }, () => board.in(BASE, 2));
}
function readBytes(board: FakeBoard, count: number): number[] {
  return readWords(board, count / 2).flatMap((w) => [w & 0xff, w >> 8]);
}
function expected(offset: number, length: number): number[] {
  return Array.from({ length }, (_, i) => byteAt(offset + i));
}
function lba28(board: FakeBoard, lba: number, count: number, cmd: number, dev = 0): void {
  board.out(BASE + 2, count);
  board.out(BASE + 3, lba & 0xff);
  board.out(BASE + 4, (lba >> 8) & 0xff);
  board.out(BASE + 5, (lba >> 16) & 0xff);
  board.out(BASE + 6, 0xe0 | (dev << 4) | ((lba >> 24) & 0x0f));
  board.out(BASE + 7, cmd);
}

describe("reset and signatures (ATA-6 9.12)", () => {
  it("shows each device's own signature and DRDY only for the ATA device", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)), new AtapiCdrom());
    board.out(BASE + 6, 0xa0);
    expect([2, 3, 4, 5].map((r) => board.in(BASE + r))).toEqual([1, 1, 0, 0]);
    expect(board.in(BASE + 1)).toBe(0x01); // diagnostic code 01h
    expect(board.in(BASE + 7)).toBe(0x50); // DRDY | DSC
    board.out(BASE + 6, 0xb0);
    expect([2, 3, 4, 5].map((r) => board.in(BASE + r))).toEqual([1, 1, 0x14, 0xeb]);
    expect(board.in(BASE + 7)).toBe(0x00);
  });

  it("restores the signature after SRST and drops the transfer in progress (7.8, 9.2)", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)));
    lba28(board, 5, 2, 0x20);
    readWords(board, 10);
    board.out(BASE + 3, 0x99);
    board.out(CTRL, 0x04);
    expect(board.in(CTRL)).toBe(0x80); // BSY while SRST is set
    board.out(CTRL, 0x00);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect(board.in(BASE + 3)).toBe(1);
    expect(board.in(BASE)).toBe(0xff); // no DRQ: the data port floats
  });

  it("answers 00h status for an absent device 1 and floats an empty channel (9.16.1)", () => {
    const { board } = setup(new AtaDisk(patternDisk(10)));
    board.out(BASE + 6, 0xb0);
    expect(board.in(BASE + 7)).toBe(0x00);
    board.out(BASE + 7, 0xec); // ignored: nobody is device 1
    expect(board.in(BASE + 7)).toBe(0x00);
    expect(board.in(0x177)).toBe(0x7f);
  });
});

describe("IDENTIFY DEVICE (ATA-6 8.15, table 23)", () => {
  it("returns the words the spec defines, with a valid checksum", () => {
    const sectors = 2 * 1024 * 1024; // 1 GiB
    const { board, irq } = setup(
      new AtaDisk(patternDisk(sectors), { model: "TEST MODEL", serial: "SN123" }),
    );
    board.out(BASE + 6, 0xa0);
    board.out(BASE + 7, 0xec);
    expect(irq.isHigh).toBe(true);
    expect(board.in(CTRL)).toBe(0x58); // DRDY DSC DRQ; alternate status keeps INTRQ
    expect(irq.isHigh).toBe(true);
    expect(board.in(BASE + 7)).toBe(0x58);
    expect(irq.isHigh).toBe(false); // reading status clears INTRQ (5.2.13)
    const w = readWords(board, 256);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect(w[0]).toBe(0x0040);
    expect([w[1], w[3], w[6]]).toEqual([2080, 16, 63]); // 2097152 / (16*63) = 2080
    // Model: ASCII, first character in the high byte of each word (8.15.14).
    const model = w
      .slice(27, 47)
      .map((x) => String.fromCharCode(x >> 8, x & 0xff))
      .join("");
    expect(model).toBe("TEST MODEL".padEnd(40));
    const serial = w
      .slice(10, 20)
      .map((x) => String.fromCharCode(x >> 8, x & 0xff))
      .join("");
    expect(serial).toBe("SN123".padEnd(20));
    expect(w[49]! & 0x0300).toBe(0x0300); // LBA and DMA supported
    expect(w[60]! | (w[61]! << 16)).toBe(sectors);
    expect(w[83]! & 0x0400).toBe(0x0400); // 48-bit address feature set
    expect(w[100]! + w[101]! * 65536).toBe(sectors);
    expect(w[63]! & 0x07).toBe(0x07);
    expect(w[88]! & 0x3f).toBe(0x3f);
    // 8.15.62: low byte A5h, all 512 bytes sum to zero mod 256.
    expect(w[255]! & 0xff).toBe(0xa5);
    expect(w.reduce((s, x) => s + (x & 0xff) + (x >> 8), 0) & 0xff).toBe(0);
  });

  it("reports the transfer mode chosen by SET FEATURES 03h and aborts unknown subcommands (8.37)", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)));
    board.out(BASE + 1, 0x03);
    board.out(BASE + 2, 0x42); // Ultra DMA mode 2
    board.out(BASE + 7, 0xef);
    expect(board.in(BASE + 7)).toBe(0x50);
    board.out(BASE + 7, 0xec);
    const w = readWords(board, 256);
    expect(w[88]).toBe(0x043f); // bit 10: UDMA mode 2 selected
    expect(w[63]! & 0x0700).toBe(0);
    board.out(BASE + 1, 0x77);
    board.out(BASE + 7, 0xef);
    expect(board.in(BASE + 7)).toBe(0x51);
    expect(board.in(BASE + 1)).toBe(0x04);
  });

  it("holds INTRQ off while nIEN is set (7.8)", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    board.out(CTRL, 0x02);
    board.out(BASE + 7, 0xec);
    expect(irq.isHigh).toBe(false);
    board.out(CTRL, 0x00);
    expect(irq.isHigh).toBe(true);
  });
});

describe("PIO reads and writes (ATA-6 8.27, 8.28, 8.46, 9.5, 9.6)", () => {
  it("reads several sectors with LBA28, one INTRQ per sector", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    lba28(board, 100, 3, 0x20);
    const data: number[] = [];
    for (let s = 0; s < 3; s++) {
      expect(board.in(BASE + 7)).toBe(0x58);
      data.push(...readBytes(board, 512));
    }
    expect(data).toEqual(expected(100 * 512, 3 * 512));
    expect(irq.raises).toBe(3);
    expect(board.in(BASE + 7)).toBe(0x50);
    // 6.2: after the command the registers hold the last sector's address.
    expect(board.in(BASE + 3)).toBe(102);
  });

  it("translates CHS with the default 16-head, 63-sector geometry (6.3)", () => {
    const { board } = setup(new AtaDisk(patternDisk(100000)));
    // Cylinder 2, head 3, sector 4 -> LBA (2*16 + 3)*63 + 4 - 1 = 2208.
    board.out(BASE + 2, 1);
    board.out(BASE + 3, 4);
    board.out(BASE + 4, 2);
    board.out(BASE + 5, 0);
    board.out(BASE + 6, 0xa3);
    board.out(BASE + 7, 0x20);
    expect(readBytes(board, 512)).toEqual(expected(2208 * 512, 512));
    board.out(BASE + 3, 0); // sector 0 does not exist
    board.out(BASE + 7, 0x20);
    expect(board.in(BASE + 7)).toBe(0x51);
    expect(board.in(BASE + 1) & 0x10).toBe(0x10);
  });

  it("follows INITIALIZE DEVICE PARAMETERS for CHS and IDENTIFY words 54-56 (8.16)", () => {
    const { board } = setup(new AtaDisk(patternDisk(100000)));
    board.out(BASE + 2, 32); // 32 sectors per track
    board.out(BASE + 6, 0xa7); // 8 heads
    board.out(BASE + 7, 0x91);
    expect(board.in(BASE + 7)).toBe(0x50);
    board.out(BASE + 7, 0xec);
    const w = readWords(board, 256);
    expect([w[54], w[55], w[56]]).toEqual([Math.floor(100000 / 256), 8, 32]);
    // Cylinder 1, head 2, sector 3 -> (1*8 + 2)*32 + 2 = 322.
    board.out(BASE + 2, 1);
    board.out(BASE + 3, 3);
    board.out(BASE + 4, 1);
    board.out(BASE + 5, 0);
    board.out(BASE + 6, 0xa2);
    board.out(BASE + 7, 0x20);
    expect(readBytes(board, 512)).toEqual(expected(322 * 512, 512));
  });

  it("reads with LBA48 beyond the 28-bit range, count from the HOB bytes (6.20, 8.29)", () => {
    const sectors = 2 ** 33;
    const { board } = setup(new AtaDisk(patternDisk(sectors)));
    const lba = 0x1_2345_6789;
    board.out(BASE + 2, 0); // count high
    board.out(BASE + 2, 2); // count low
    // Each address register is written twice: previous content (bits 47:24) first.
    board.out(BASE + 3, 0x23); // LBA 31:24
    board.out(BASE + 3, 0x89); // LBA 7:0
    board.out(BASE + 4, 0x01); // LBA 39:32
    board.out(BASE + 4, 0x67); // LBA 15:8
    board.out(BASE + 5, 0x00); // LBA 47:40
    board.out(BASE + 5, 0x45); // LBA 23:16
    board.out(BASE + 6, 0x40);
    board.out(BASE + 7, 0x24);
    const data = [...readBytes(board, 512), ...readBytes(board, 512)];
    expect(data).toEqual(expected(lba * 512, 1024));
    board.out(CTRL, 0x80); // HOB: read the high halves back (7.8)
    expect(board.in(BASE + 3)).toBe(0x23);
    expect(board.in(BASE + 4)).toBe(0x01);
    board.out(CTRL, 0x00);
    expect(board.in(BASE + 3)).toBe(0x8a); // last sector read: ...678A
  });

  it("rejects sectors past the end with IDNF and bad opcodes with ABRT (7.9)", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    lba28(board, 999, 2, 0x20);
    expect(board.in(CTRL)).toBe(0x51);
    expect(board.in(BASE + 1)).toBe(0x10);
    expect(irq.isHigh).toBe(true);
    board.out(BASE + 7, 0xff);
    expect(board.in(BASE + 7)).toBe(0x51);
    expect(board.in(BASE + 1)).toBe(0x04);
    board.out(BASE + 7, 0xa0); // PACKET to a non-packet device
    expect(board.in(BASE + 1)).toBe(0x04);
  });

  it("writes through a copy-on-write overlay; the base image stays byte-identical", () => {
    const base = new MemoryDisk(new Uint8Array(64 * 512).map((_, i) => i & 0xff));
    const before = base.bytes.slice();
    const overlay = new OverlayDisk(new ImageDisk(base));
    const { board, irq } = setup(new AtaDisk(overlay));
    lba28(board, 10, 2, 0x30);
    expect(board.in(CTRL)).toBe(0x58);
    expect(irq.raises).toBe(0); // no INTRQ before the first block (9.6)
    for (let i = 0; i < 256; i++) board.out(BASE, 0xabcd, 2);
    expect(irq.raises).toBe(1);
    expect(board.in(BASE + 7)).toBe(0x58);
    for (let i = 0; i < 128; i++) board.out(BASE, 0x1234_5678, 4);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect(base.bytes).toEqual(before);
    lba28(board, 10, 2, 0x20);
    const back = readWords(board, 512);
    expect(back.slice(0, 256).every((w) => w === 0xabcd)).toBe(true);
    expect(back.slice(256, 258)).toEqual([0x5678, 0x1234]);
    expect(overlay.dirtySectorCount).toBe(2);
  });

  it("aborts writes to a read-only image (8.46)", () => {
    const { board } = setup(new AtaDisk(new ImageDisk(new MemoryDisk(4096))));
    lba28(board, 0, 1, 0x30);
    expect(board.in(BASE + 7)).toBe(0x51);
    expect(board.in(BASE + 1)).toBe(0x04);
  });

  it("moves blocks of SET MULTIPLE MODE size with READ MULTIPLE (8.28, 8.39)", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    lba28(board, 0, 8, 0xc4);
    expect(board.in(BASE + 7)).toBe(0x51); // multiple mode not enabled yet
    board.out(BASE + 2, 3);
    board.out(BASE + 7, 0xc6);
    expect(board.in(BASE + 7)).toBe(0x51); // 3 is not a supported block size
    board.out(BASE + 2, 4);
    board.out(BASE + 7, 0xc6);
    expect(board.in(BASE + 7)).toBe(0x50);
    const before = irq.raises;
    lba28(board, 20, 10, 0xc4);
    const data: number[] = [];
    while (board.in(BASE + 7) & 0x08) data.push(...readBytes(board, 512));
    expect(data).toEqual(expected(20 * 512, 10 * 512));
    expect(irq.raises - before).toBe(3); // blocks of 4, 4, 2
  });

  it("completes READ VERIFY and FLUSH CACHE without data (8.13, 8.32)", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    lba28(board, 10, 20, 0x40);
    expect(board.in(BASE + 7)).toBe(0x50);
    board.out(BASE + 7, 0xe7);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect(irq.raises).toBe(2);
    lba28(board, 990, 20, 0x40);
    expect(board.in(BASE + 1)).toBe(0x10);
  });

  it("runs EXECUTE DEVICE DIAGNOSTIC on both devices (8.11)", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)), new AtapiCdrom());
    board.out(BASE + 6, 0xb0);
    board.out(BASE + 7, 0x90);
    board.out(BASE + 6, 0xa0);
    expect(board.in(BASE + 1)).toBe(0x01);
    expect(board.in(BASE + 7)).toBe(0x50);
    board.out(BASE + 6, 0xb0);
    expect([board.in(BASE + 4), board.in(BASE + 5)]).toEqual([0x14, 0xeb]);
  });

  it("waits BSY for an asynchronous backend and completes through the scheduler", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000, true)));
    lba28(board, 7, 1, 0x20);
    expect(board.in(CTRL)).toBe(0x80);
    expect(irq.isHigh).toBe(false);
    return Promise.resolve().then(() => {
      board.run();
      expect(board.in(CTRL)).toBe(0x58);
      expect(irq.isHigh).toBe(true);
      expect(readBytes(board, 512)).toEqual(expected(7 * 512, 512));
    });
  });

  it("drops a late asynchronous completion after SRST and re-issues one after loadState", async () => {
    const disk = patternDisk(1000, true);
    const { board, ide } = setup(new AtaDisk(disk));
    lba28(board, 9, 1, 0x20);
    const saved = JSON.parse(JSON.stringify(ide.saveState()));
    board.out(CTRL, 0x04);
    board.out(CTRL, 0x00);
    await Promise.resolve();
    board.run();
    expect(board.in(BASE + 7)).toBe(0x50); // the stale read did not bring DRQ back
    const second = setup(new AtaDisk(disk));
    second.ide.loadState(saved);
    expect(second.board.in(CTRL)).toBe(0x80);
    await Promise.resolve();
    second.board.run();
    expect(second.board.in(BASE + 7)).toBe(0x58);
    expect(readBytes(second.board, 512)).toEqual(expected(9 * 512, 512));
  });

  it("keeps a transfer across saveState/loadState (JSON round trip)", () => {
    const disk = patternDisk(1000);
    const first = setup(new AtaDisk(disk));
    lba28(first.board, 50, 2, 0x20);
    const head = readBytes(first.board, 100);
    const saved = JSON.parse(JSON.stringify(first.ide.saveState()));
    const second = setup(new AtaDisk(disk));
    second.ide.loadState(saved);
    const rest = [...readBytes(second.board, 412), ...readBytes(second.board, 512)];
    expect([...head, ...rest]).toEqual(expected(50 * 512, 1024));
    expect(second.board.in(BASE + 7)).toBe(0x50);
  });
});

describe("two devices on one channel (ATA-6 7.10 DEV bit)", () => {
  it("sends commands to the selected device and WRITE MULTIPLE to device 1 only", () => {
    const d0 = new MemoryDisk(64 * 512);
    const d1 = new MemoryDisk(64 * 512);
    const { board, irq } = setup(new AtaDisk(d0), new AtaDisk(d1));
    board.out(BASE + 6, 0xb0);
    board.out(BASE + 2, 2);
    board.out(BASE + 7, 0xc6); // SET MULTIPLE MODE 2 on device 1
    expect(board.in(BASE + 7)).toBe(0x50);
    const before = irq.raises;
    lba28(board, 4, 4, 0xc5, 1);
    for (let block = 0; block < 2; block++) {
      expect(board.in(BASE + 7)).toBe(0x58);
      for (let i = 0; i < 512; i++) board.out(BASE, 0x0100 + block, 2);
    }
    expect(board.in(BASE + 7)).toBe(0x50);
    // PIO data-out (9.6): no INTRQ before the first block, one after each block.
    expect(irq.raises - before).toBe(2);
    expect(d1.bytes[4 * 512]).toBe(0x00);
    expect(d1.bytes[4 * 512 + 1]).toBe(0x01);
    expect(d1.bytes[6 * 512]).toBe(0x01);
    expect(d0.bytes.every((b) => b === 0)).toBe(true);
    // Device 0 kept multiple mode off: READ MULTIPLE aborts there.
    lba28(board, 0, 1, 0xc4, 0);
    expect(board.in(BASE + 1)).toBe(0x04);
  });
});

describe("bus-master DMA (PIIX3 bus master IDE; ATA-6 8.25, 8.43)", () => {
  /** Writes a PRD table at `table`: entries of [address, bytes], the last with EOT. */
  function prd(board: FakeBoard, table: number, entries: [number, number][]): void {
    const view = new DataView(board.memory.buffer);
    entries.forEach(([address, bytes], i) => {
      view.setUint32(table + 8 * i, address, true);
      view.setUint32(
        table + 8 * i + 4,
        (bytes & 0xffff) | (i === entries.length - 1 ? 0x8000_0000 : 0),
        true,
      );
    });
  }

  it("reads into the PRD buffers, sets the interrupt bit and clears ACTIVE", () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000)));
    prd(board, 0x1000, [
      [0x2000, 1024],
      [0x8000, 512],
    ]);
    board.out(BM + 4, 0x1000, 4);
    board.out(BM, 0x08); // direction: write to memory
    lba28(board, 30, 3, 0xc8);
    expect(board.in(BM + 2) & 0x01).toBe(0);
    board.out(BM, 0x09); // start
    expect(irq.isHigh).toBe(true);
    expect(board.in(BM + 2) & 0x07).toBe(0x04); // interrupt, not active, no error
    expect([...board.memory.subarray(0x2000, 0x2400)]).toEqual(expected(30 * 512, 1024));
    expect([...board.memory.subarray(0x8000, 0x8200)]).toEqual(expected(32 * 512, 512));
    expect(board.in(BASE + 7)).toBe(0x50);
    board.out(BM + 2, 0x04); // write one to clear
    expect(board.in(BM + 2) & 0x04).toBe(0);
  });

  it("leaves ACTIVE set when the PRD table is larger than the transfer", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)));
    prd(board, 0x1000, [[0x2000, 4096]]);
    board.out(BM + 4, 0x1000, 4);
    board.out(BM, 0x09);
    lba28(board, 0, 1, 0xc8);
    expect(board.in(BM + 2) & 0x05).toBe(0x05);
  });

  it("writes from memory with WRITE DMA EXT into the overlay", () => {
    const base = new MemoryDisk(1000 * 512);
    const overlay = new OverlayDisk(base);
    const { board } = setup(new AtaDisk(overlay));
    board.memory.fill(0x5a, 0x3000, 0x3400);
    prd(board, 0x1000, [[0x3000, 1024]]);
    board.out(BM + 4, 0x1000, 4);
    board.out(BASE + 2, 0);
    board.out(BASE + 2, 2);
    for (const [reg, value] of [
      [3, 0],
      [3, 40],
      [4, 0],
      [4, 0],
      [5, 0],
      [5, 0],
    ] as const) {
      board.out(BASE + reg, value);
    }
    board.out(BASE + 6, 0x40);
    board.out(BASE + 7, 0x35);
    board.out(BM, 0x01);
    expect(board.in(BASE + 7)).toBe(0x50);
    const into = new Uint8Array(1024);
    overlay.readSync(40 * 512, into);
    expect(into.every((b) => b === 0x5a)).toBe(true);
    expect(base.bytes.every((b) => b === 0)).toBe(true);
  });

  it("flags a PRD table shorter than the transfer as a bus-master error", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)));
    prd(board, 0x1000, [[0x2000, 512]]);
    board.out(BM + 4, 0x1000, 4);
    board.out(BM, 0x09);
    lba28(board, 0, 2, 0xc8);
    expect(board.in(BM + 2) & 0x07).toBe(0x06);
    expect(board.in(BASE + 7) & 0x01).toBe(0x01);
  });

  it("aborts DMA commands on a board without bus-master memory", () => {
    const { board } = setup(new AtaDisk(patternDisk(1000)), undefined, false);
    lba28(board, 0, 1, 0xc8);
    expect(board.in(BASE + 7)).toBe(0x51);
  });

  it("waits for an asynchronous backend between DMA chunks and then interrupts", async () => {
    const { board, irq } = setup(new AtaDisk(patternDisk(1000, true)));
    prd(board, 0x1000, [[0x2000, 1024]]);
    board.out(BM + 4, 0x1000, 4);
    board.out(BM, 0x09);
    lba28(board, 3, 2, 0xc8);
    expect(board.in(CTRL)).toBe(0x80);
    await Promise.resolve();
    board.run();
    expect(irq.isHigh).toBe(true);
    expect(board.in(BASE + 7)).toBe(0x50);
    expect([...board.memory.subarray(0x2000, 0x2400)]).toEqual(expected(3 * 512, 1024));
  });
});

describe("malformed backends", () => {
  it("turns a backend that throws into an UNC/ABRT error instead of a crash", () => {
    const broken: BlockDevice = {
      sectorSize: 512,
      sectorCount: 100,
      isReadOnly: true,
      readSync: () => {
        throw new Error("qcow2: data cluster lies outside the file");
      },
      readAsync: () => Promise.reject(new Error("unreachable")),
      write: () => false,
    };
    const { board } = setup(new AtaDisk(broken));
    lba28(board, 0, 1, 0x20);
    expect(board.in(BASE + 7)).toBe(0x51);
    expect(board.in(BASE + 1)).toBe(0x44);
  });
});
