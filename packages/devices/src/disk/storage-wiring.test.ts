// The storage chips together on one bus, as the board wires them: no port overlaps
// (3F6h is IDE, 3F0h-3F5h/3F7h floppy, 80h left to POST), and a real file opened read-only
// stays byte-identical after a guest writes to it through the IDE disk's overlay.
import {
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  closeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AtaDisk, AtapiCdrom } from "../ata/drives";
import { FakeBoard } from "../ata/fake-board";
import { PiixIde } from "../ata/piix-ide";
import { I8237Dma } from "../dma/i8237-dma";
import { FloppyDrive } from "../floppy/floppy-drive";
import { I82077Fdc } from "../floppy/i82077-fdc";
import type { ByteSource } from "./block-device";
import { ImageDisk } from "./image-disk";
import { MemoryDisk } from "./memory-disk";
import { OverlayDisk } from "./overlay-disk";

/** A file opened with flag "r": the OS itself refuses writes (like the CLI's FileBlockSource). */
function readOnlyFile(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, "r");
  const byteLength = readFileSync(path).length;
  const readInto = (offset: number, into: Uint8Array) => {
    into.fill(0);
    readSync(fd, into, 0, Math.max(0, Math.min(into.length, byteLength - offset)), offset);
    return true;
  };
  return {
    byteLength,
    readSync: readInto,
    readAsync: (offset, length) => {
      const out = new Uint8Array(length);
      readInto(offset, out);
      return Promise.resolve(out);
    },
    close: () => closeSync(fd),
  };
}

describe("storage wiring", () => {
  it("attaches IDE, floppy and DMA to one bus without overlapping ports", () => {
    const board = new FakeBoard();
    const dma = new I8237Dma();
    const ide = new PiixIde({
      primary: [new AtaDisk(new MemoryDisk(1 << 20))],
      secondary: [new AtapiCdrom()],
    });
    const fdc = new I82077Fdc({
      drives: [new FloppyDrive(new MemoryDisk(1474560))],
      dma: dma.channel(2),
    });
    for (const device of [dma, ide, fdc]) {
      device.attach(board.context);
      device.reset("power-on");
    }
    ide.mapBusMaster(0xc000);
    expect(board.ports.get(0x3f6)?.owner).toBe("piix-ide");
    expect(board.ports.get(0x3f7)?.owner).toBe("i82077-fdc");
    expect(board.ports.get(0x376)?.owner).toBe("piix-ide");
    expect(board.ports.has(0x377)).toBe(false);
    expect(board.ports.has(0x80)).toBe(false);
    expect(board.ports.get(0xc00f)?.owner).toBe("piix-ide-bus-master");
    // Save/load round trip through JSON gives the same state again.
    for (const device of [dma, ide, fdc]) {
      const saved = JSON.parse(JSON.stringify(device.saveState()));
      device.loadState(saved);
      expect(JSON.parse(JSON.stringify(device.saveState()))).toEqual(saved);
    }
  });

  it("keeps a read-only image file byte-identical after guest writes through the overlay", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-storage-"));
    try {
      const path = join(dir, "disk.img");
      const original = new Uint8Array(256 * 512).map((_, i) => (i * 3) & 0xff);
      writeFileSync(path, original);
      const file = readOnlyFile(path);
      const overlay = new OverlayDisk(new ImageDisk(file));
      const board = new FakeBoard();
      const ide = new PiixIde({ primary: [new AtaDisk(overlay)] });
      ide.attach(board.context);
      ide.reset("power-on");
      // WRITE SECTORS, LBA 7, one sector of 0xEEEE words, then FLUSH CACHE.
      for (const [port, value] of [
        [0x1f2, 1],
        [0x1f3, 7],
        [0x1f4, 0],
        [0x1f5, 0],
        [0x1f6, 0xe0],
        [0x1f7, 0x30],
      ]) {
        board.out(port!, value!);
      }
      for (let i = 0; i < 256; i++) board.out(0x1f0, 0xeeee, 2);
      board.out(0x1f7, 0xe7);
      expect(board.in(0x1f7)).toBe(0x50);
      file.close();
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(original))).toBe(true);
      const back = new Uint8Array(512);
      overlay.readSync(7 * 512, back);
      expect(back.every((b) => b === 0xee)).toBe(true);
      // The kept overlay, reloaded over the unchanged base, still holds the write.
      const again = OverlayDisk.load(new ImageDisk(new MemoryDisk(original)), overlay.save());
      again.readSync(7 * 512, back);
      expect(back.every((b) => b === 0xee)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
