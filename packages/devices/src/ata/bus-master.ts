// One channel's bus-master IDE registers and PRD walker (PIIX3 datasheet, "Bus Master IDE
// Registers" BMICx/BMISx/BMIDTPx and "Physical Region Descriptor Table").
import type { PhysicalMemory } from "@ringvm/bus";
import {
  BM_CMD_START,
  BM_CMD_WRITE_MEMORY,
  BM_STATUS_ACTIVE,
  BM_STATUS_CAPABLE,
  BM_STATUS_ERROR,
  BM_STATUS_INTERRUPT,
  PRD_EOT,
} from "./regs";

export class BusMaster {
  command = 0;
  status = 0;
  prdTable = 0;
  /** PRD cursor: current entry, bytes used in it, and whether the EOT entry is used up. */
  private entry = 0;
  private offset = 0;
  isPrdDone = false;

  reset(): void {
    this.command = this.status = this.prdTable = 0;
    this.entry = this.offset = 0;
    this.isPrdDone = false;
  }

  read(offset: number): number {
    switch (offset) {
      case 0:
        return this.command;
      case 2:
        return this.status;
      case 4:
      case 5:
      case 6:
      case 7:
        return (this.prdTable >>> (8 * (offset - 4))) & 0xff;
      default:
        return 0;
    }
  }

  /** Returns "start" when the write started the engine (the channel then pumps data). */
  write(offset: number, value: number): "start" | undefined {
    switch (offset) {
      case 0: {
        const wasStarted = (this.command & BM_CMD_START) !== 0;
        this.command = value & (BM_CMD_START | BM_CMD_WRITE_MEMORY);
        const isStarted = (value & BM_CMD_START) !== 0;
        if (isStarted && !wasStarted) {
          this.status |= BM_STATUS_ACTIVE;
          this.entry = this.prdTable;
          this.offset = 0;
          this.isPrdDone = false;
          return "start";
        }
        if (!isStarted && wasStarted) this.status &= ~BM_STATUS_ACTIVE;
        return undefined;
      }
      case 2:
        // Error and interrupt are write-one-to-clear; the drive-capable bits are plain R/W.
        this.status =
          (this.status & ~(BM_STATUS_ERROR | BM_STATUS_INTERRUPT | BM_STATUS_CAPABLE) & 0xff) |
          (this.status & (BM_STATUS_ERROR | BM_STATUS_INTERRUPT) & ~value) |
          (value & BM_STATUS_CAPABLE);
        return undefined;
      case 4:
      case 5:
      case 6:
      case 7: {
        const shift = 8 * (offset - 4);
        const merged = (this.prdTable & ~(0xff << shift)) | ((value & 0xff) << shift);
        this.prdTable = (merged & ~3) >>> 0; // the table is dword aligned
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Copies between `data` and the PRD table's buffers; false if the table ran out first. */
  copy(dma: PhysicalMemory | undefined, data: Uint8Array, toMemory: boolean): boolean {
    if (dma === undefined) return false;
    let done = 0;
    while (done < data.length) {
      if (this.isPrdDone) return false;
      const base = dma.read32(this.entry) & ~1; // bit 0 of the address is reserved
      const control = dma.read32(this.entry + 4) >>> 0;
      const size = (control & 0xfffe) === 0 ? 0x1_0000 : control & 0xfffe; // 0 means 64 KiB
      const take = Math.min(size - this.offset, data.length - done);
      const part = data.subarray(done, done + take);
      if (toMemory) dma.writeBytes(base + this.offset, part);
      else dma.readBytes(base + this.offset, part);
      done += take;
      this.offset += take;
      if (this.offset >= size) {
        if ((control & PRD_EOT) !== 0) this.isPrdDone = true;
        else {
          this.entry += 8;
          this.offset = 0;
        }
      }
    }
    return true;
  }

  save(): number[] {
    return [
      this.command,
      this.status,
      this.prdTable,
      this.entry,
      this.offset,
      this.isPrdDone ? 1 : 0,
    ];
  }

  load(saved: unknown): void {
    const v = Array.isArray(saved) ? saved.map((x) => Number(x) >>> 0) : [];
    [this.command = 0, this.status = 0, this.prdTable = 0, this.entry = 0, this.offset = 0] = v;
    this.isPrdDone = v[5] === 1;
  }
}
