// 82077AA behaviour from the Intel 82077AA datasheet (290166): 2.1 registers (DOR, MSR, DSR,
// DIR, CCR), 4.1 reset, 5.1 command/execution/result phases, 5.2 status registers, 5.3 command
// descriptions (READ DATA multi-track table 5-x "ID information after command", SEEK,
// RECALIBRATE, SENSE INTERRUPT STATUS, CONFIGURE, LOCK, DUMPREG, VERSION, FORMAT TRACK).
import { describe, expect, it } from "vitest";
import { FakeBoard } from "../ata/fake-board";
import type { BlockDevice } from "../disk/block-device";
import { DiskImageError } from "../disk/block-device";
import { MemoryDisk } from "../disk/memory-disk";
import { OverlayDisk } from "../disk/overlay-disk";
import { I8237Dma } from "../dma/i8237-dma";
import { FloppyDrive } from "./floppy-drive";
import { floppyGeometry } from "./geometry";
import { I82077Fdc } from "./i82077-fdc";

const FIFO = 0x3f5;
const MSR = 0x3f4;
const DOR = 0x3f2;
const DIR = 0x3f7;
const SIZE_144 = 80 * 2 * 18 * 512;

function image(bytes = SIZE_144): MemoryDisk {
  return new MemoryDisk(new Uint8Array(bytes).map((_, i) => (Math.floor(i / 512) * 5 + i) & 0xff));
}

function setup(disk: BlockDevice | undefined = image(), isWriteProtected = false) {
  const board = new FakeBoard(1 << 20);
  const dma = new I8237Dma();
  dma.attach(board.context);
  dma.reset("power-on");
  board.out(0xd6, 0xc0); // cascade channel 4, unmasked
  board.out(0xd4, 0x00);
  const drive = new FloppyDrive(disk, { isWriteProtected });
  const fdc = new I82077Fdc({ drives: [drive], dma: dma.channel(2) });
  fdc.attach(board.context);
  fdc.reset("power-on");
  board.out(DOR, 0x00);
  board.out(DOR, 0x1c); // motor A on, DMA gate, out of reset, drive 0
  for (let i = 0; i < 4; i++) cmd(board, [0x08]);
  board.out(0x3f7, 0); // CCR: 500 kb/s, the 1.44M rate
  return { board, fdc, drive, irq: board.line(6) };
}

function cmd(board: FakeBoard, bytes: number[]): number[] {
  for (const b of bytes) {
    expect(board.in(MSR) & 0xc0).toBe(0x80); // RQM, host to controller
    board.out(FIFO, b);
  }
  const out: number[] = [];
  while ((board.in(MSR) & 0xc0) === 0xc0) out.push(board.in(FIFO));
  return out;
}

function programDma(board: FakeBoard, address: number, bytes: number, isWrite: boolean): void {
  board.out(0x0a, 0x06);
  board.out(0x0c, 0);
  board.out(0x04, address & 0xff);
  board.out(0x04, (address >> 8) & 0xff);
  board.out(0x81, address >> 16);
  board.out(0x05, (bytes - 1) & 0xff);
  board.out(0x05, (bytes - 1) >> 8);
  board.out(0x0b, isWrite ? 0x46 : 0x4a); // write = device to memory
  board.out(0x0a, 0x02);
}

const offsetOf = (c: number, h: number, s: number) => ((c * 2 + h) * 18 + s - 1) * 512;

describe("floppy geometry from image size", () => {
  it("recognises the standard formats and rejects others", () => {
    expect(floppyGeometry(1474560)).toMatchObject({ cylinders: 80, heads: 2, sectorsPerTrack: 18 });
    expect(floppyGeometry(737280)).toMatchObject({ cylinders: 80, heads: 2, sectorsPerTrack: 9 });
    expect(floppyGeometry(2949120)).toMatchObject({ cylinders: 80, heads: 2, sectorsPerTrack: 36 });
    expect(floppyGeometry(1228800)).toMatchObject({ cylinders: 80, heads: 2, sectorsPerTrack: 15 });
    expect(floppyGeometry(368640)).toMatchObject({ cylinders: 40, heads: 2, sectorsPerTrack: 9 });
    expect(() => new FloppyDrive(new MemoryDisk(1000))).toThrow(DiskImageError);
  });
});

describe("I82077Fdc", () => {
  it("interrupts after reset and reports four polling statuses (4.1, 5.3 SENSE INTERRUPT)", () => {
    const board = new FakeBoard();
    const fdc = new I82077Fdc({ drives: [new FloppyDrive(image())] });
    fdc.attach(board.context);
    fdc.reset("power-on");
    expect(board.in(MSR)).toBe(0x00); // held in reset by the DOR
    board.out(DOR, 0x0c);
    expect(board.line(6).isHigh).toBe(true);
    expect(board.in(MSR)).toBe(0x80);
    const polls = [0, 1, 2, 3].map(() => cmd(board, [0x08]));
    expect(polls).toEqual([
      [0xc0, 0],
      [0xc1, 0],
      [0xc2, 0],
      [0xc3, 0],
    ]);
    expect(board.line(6).isHigh).toBe(false);
    expect(cmd(board, [0x08])).toEqual([0x80]); // nothing pending: invalid
  });

  it("resets through DSR bit 7 like a DOR reset (2.1.3)", () => {
    const { board, irq } = setup();
    cmd(board, [0x0f, 0x00, 3]);
    cmd(board, [0x08]);
    board.out(MSR, 0x80);
    expect(irq.isHigh).toBe(true);
    expect(cmd(board, [0x08])).toEqual([0xc0, 3]); // PCN survives a controller reset
  });

  it("answers VERSION with 90h and invalid commands with ST0 80h; MSR shows the phases", () => {
    const { board } = setup();
    board.out(FIFO, 0x10);
    expect(board.in(MSR)).toBe(0xd0); // RQM, DIO, CB
    expect(board.in(FIFO)).toBe(0x90);
    expect(board.in(MSR)).toBe(0x80);
    expect(cmd(board, [0x1f])).toEqual([0x80]);
  });

  it("keeps SPECIFY, CONFIGURE and LOCK in DUMPREG; LOCK keeps CONFIGURE across reset", () => {
    const { board } = setup();
    expect(cmd(board, [0x03, 0xdf, 0x02])).toEqual([]);
    expect(cmd(board, [0x13, 0x00, 0x57, 0x05])).toEqual([]);
    expect(cmd(board, [0x94])).toEqual([0x10]);
    board.out(DOR, 0x08);
    board.out(DOR, 0x0c);
    for (let i = 0; i < 4; i++) cmd(board, [0x08]);
    const dump = cmd(board, [0x0e]);
    expect(dump).toHaveLength(10);
    expect(dump.slice(4, 6)).toEqual([0xdf, 0x02]);
    expect(dump[7]! & 0x80).toBe(0x80);
    expect(dump.slice(8)).toEqual([0x57, 0x05]);
    expect(cmd(board, [0x14])).toEqual([0x00]);
    // PERPENDICULAR MODE with OW: drive bits 5:2 and GAP/WGATE 1:0 show in DUMPREG byte 8.
    expect(cmd(board, [0x12, 0x80 | 0x04 | 0x03])).toEqual([]);
    expect(cmd(board, [0x0e])[7]! & 0x3f).toBe(0x07);
  });

  it("seeks and recalibrates with SENSE INTERRUPT reporting seek end; seeking clears DSKCHG", () => {
    const { board, irq } = setup();
    expect(board.in(DIR) & 0x80).toBe(0x80);
    expect(cmd(board, [0x0f, 0x04, 5])).toEqual([]);
    expect(irq.isHigh).toBe(true);
    expect(cmd(board, [0x08])).toEqual([0x24, 5]); // SE, head 1, drive 0
    expect(irq.isHigh).toBe(false);
    expect(board.in(DIR) & 0x80).toBe(0);
    expect(cmd(board, [0x04, 0x00])[0]! & 0x10).toBe(0); // not at track 0
    cmd(board, [0x07, 0x00]);
    expect(cmd(board, [0x08])).toEqual([0x20, 0]);
    expect(cmd(board, [0x04, 0x00])).toEqual([0x38]); // RY, T0, TS
    expect(cmd(board, [0x07, 0x03])).toEqual([]);
    expect(cmd(board, [0x08])).toEqual([0x73, 0]); // no drive 3: abnormal, SE, EC
  });

  it("reports write protect in SENSE DRIVE STATUS and refuses WRITE DATA (ST1 NW)", () => {
    const { board } = setup(image(), true);
    expect(cmd(board, [0x04, 0x00])[0]! & 0x40).toBe(0x40);
    programDma(board, 0x1000, 512, false);
    const r = cmd(board, [0xc5, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff]);
    expect([r[0]! & 0xc0, r[1]]).toEqual([0x40, 0x02]);
  });

  it("reads with MT across heads, stops at DMA terminal count, reports the next sector ID", () => {
    const disk = image();
    const { board, irq } = setup(disk);
    cmd(board, [0x0f, 0x00, 1]);
    cmd(board, [0x08]);
    programDma(board, 0x2000, 1024, true);
    const r = cmd(board, [0xe6, 0x04, 1, 1, 17, 2, 18, 0x1b, 0xff]);
    expect(irq.raises).toBeGreaterThan(0);
    // Ended by TC on the last sector of side 1: C+1, H=0, R=1 (ID after command); ST0 HD
    // is the head that was selected when the interrupt came: side 1.
    expect(r).toEqual([0x04, 0, 0, 2, 0, 1, 2]);
    expect([...board.memory.subarray(0x2000, 0x2400)]).toEqual([
      ...disk.bytes.subarray(offsetOf(1, 1, 17), offsetOf(1, 1, 17) + 1024),
    ]);
    programDma(board, 0x3000, 1024, true);
    expect(cmd(board, [0xe6, 0x00, 1, 0, 18, 2, 18, 0x1b, 0xff])).toEqual([0x04, 0, 0, 1, 1, 2, 2]);
    expect([...board.memory.subarray(0x3200, 0x3400)]).toEqual([
      ...disk.bytes.subarray(offsetOf(1, 1, 1), offsetOf(1, 1, 1) + 512),
    ]);
  });

  it("ends abnormally with EN when EOT is passed before terminal count", () => {
    const { board } = setup();
    programDma(board, 0x2000, 4096, true);
    const r = cmd(board, [0x66, 0x00, 0, 0, 17, 2, 18, 0x1b, 0xff]);
    expect([r[0], r[1]]).toEqual([0x40, 0x80]);
  });

  it("finds nothing at the wrong data rate or cylinder (ST1 MA / ND + ST2 WC)", () => {
    const { board } = setup();
    board.out(0x3f7, 2); // 250 kb/s: a 1.44M disk cannot be read
    programDma(board, 0x2000, 512, true);
    expect(cmd(board, [0x66, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff]).slice(0, 2)).toEqual([0x40, 0x01]);
    board.out(0x3f7, 0);
    expect(cmd(board, [0x4a, 0x00])).toEqual([0, 0, 0, 0, 0, 1, 2]); // READ ID at track 0
    const r = cmd(board, [0x66, 0x00, 3, 0, 1, 2, 18, 0x1b, 0xff]); // head is at 0, not 3
    expect(r.slice(0, 3)).toEqual([0x40, 0x04, 0x10]);
    cmd(board, [0x13, 0, 0x40, 0]); // CONFIGURE: implied seek
    programDma(board, 0x2000, 512, true);
    expect(cmd(board, [0x66, 0x00, 3, 0, 1, 2, 18, 0x1b, 0xff])[0]).toBe(0);
  });

  it("writes through an overlay and formats a track, leaving the base untouched", () => {
    const base = image();
    const before = base.bytes.slice();
    const overlay = new OverlayDisk(base);
    const { board } = setup(overlay);
    board.memory.fill(0x77, 0x4000, 0x4200);
    programDma(board, 0x4000, 512, false);
    expect(cmd(board, [0xc5, 0x00, 0, 0, 3, 2, 18, 0x1b, 0xff])).toEqual([0, 0, 0, 0, 0, 4, 2]);
    const back = new Uint8Array(512);
    overlay.readSync(offsetOf(0, 0, 3), back);
    expect(back.every((b) => b === 0x77)).toBe(true);
    // FORMAT TRACK on cylinder 0 side 1: IDs (C, H, R, N) by DMA, filler F6h.
    const ids = Array.from({ length: 18 }, (_, i) => [0, 1, i + 1, 2]).flat();
    board.memory.set(ids, 0x5000);
    programDma(board, 0x5000, ids.length, false);
    const r = cmd(board, [0x4d, 0x04, 2, 18, 0x54, 0xf6]);
    expect(r[0]! & 0xc0).toBe(0);
    overlay.readSync(offsetOf(0, 1, 18), back);
    expect(back.every((b) => b === 0xf6)).toBe(true);
    expect(Buffer.from(base.bytes).equals(Buffer.from(before))).toBe(true);
  });

  it("signals a diskette change in DIR until the next seek", () => {
    const { board, drive } = setup();
    cmd(board, [0x0f, 0x00, 1]);
    cmd(board, [0x08]);
    expect(board.in(DIR) & 0x80).toBe(0);
    drive.insert(image(737280));
    expect(board.in(DIR) & 0x80).toBe(0x80);
  });

  it("completes a read from an asynchronous image through the scheduler", async () => {
    const bytes = image().bytes;
    const asyncDisk: BlockDevice = {
      sectorSize: 512,
      sectorCount: bytes.length / 512,
      isReadOnly: true,
      readSync: () => false,
      readAsync: (offset, length) => Promise.resolve(bytes.slice(offset, offset + length)),
      write: () => false,
    };
    const { board } = setup(asyncDisk);
    programDma(board, 0x2000, 512, true);
    for (const b of [0x66, 0x00, 0, 0, 2, 2, 18, 0x1b, 0xff]) board.out(FIFO, b);
    expect(board.in(MSR)).toBe(0x10); // busy in execution
    await Promise.resolve();
    board.run();
    expect(board.in(MSR)).toBe(0xd0);
    expect([...board.memory.subarray(0x2000, 0x2200)]).toEqual([...bytes.subarray(512, 1024)]);
  });

  it("restores registers and pending results with loadState", () => {
    const first = setup();
    cmd(first.board, [0x0f, 0x00, 7]);
    const saved = JSON.parse(JSON.stringify(first.fdc.saveState()));
    const second = setup();
    second.fdc.loadState(saved);
    expect(cmd(second.board, [0x08])).toEqual([0x20, 7]);
  });

  it("moves data through the FIFO in non-DMA mode (SPECIFY ND) and runs to EOT", () => {
    const disk = image();
    const { board } = setup(disk);
    cmd(board, [0x03, 0xdf, 0x03]); // ND = 1
    for (const b of [0x66, 0x00, 0, 0, 17, 2, 18, 0x1b, 0xff]) board.out(FIFO, b);
    const data: number[] = [];
    while ((board.in(MSR) & 0xe0) === 0xe0) data.push(board.in(FIFO)); // RQM, DIO, NDMA
    expect(data).toEqual([...disk.bytes.subarray(offsetOf(0, 0, 17), offsetOf(0, 0, 17) + 1024)]);
    const r: number[] = [];
    while ((board.in(MSR) & 0xc0) === 0xc0) r.push(board.in(FIFO));
    expect([r[0], r[1]]).toEqual([0x40, 0x80]); // no TC without DMA: end of cylinder
    for (const b of [0x45, 0x00, 0, 0, 18, 2, 18, 0x1b, 0xff]) board.out(FIFO, b);
    expect(board.in(MSR) & 0xe0).toBe(0xa0); // RQM, NDMA, host to controller
    for (let i = 0; i < 512; i++) board.out(FIFO, 0x3c);
    expect(disk.bytes[offsetOf(0, 0, 18) + 511]).toBe(0x3c);
  });
});
