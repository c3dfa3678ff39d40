// One device's command block registers (ATA-6 7.2). Both devices on a channel latch every
// write; each keeps its own copy so reads after reset show each device's own signature.
import { CONTROL_HOB } from "./regs";

export class Taskfile {
  feature = 0;
  count = 0;
  lbaLow = 0;
  lbaMid = 0;
  lbaHigh = 0;
  /** "Previous content" halves for 48-bit commands (ATA-6 6.20). */
  hobFeature = 0;
  hobCount = 0;
  hobLbaLow = 0;
  hobLbaMid = 0;
  hobLbaHigh = 0;
  device = 0;

  /** Reads offset 1-6 (not data/status); `control` selects the HOB half (ATA-6 7.8). */
  read(offset: number, control: number): number {
    const isHob = (control & CONTROL_HOB) !== 0;
    switch (offset) {
      case 2:
        return isHob ? this.hobCount : this.count;
      case 3:
        return isHob ? this.hobLbaLow : this.lbaLow;
      case 4:
        return isHob ? this.hobLbaMid : this.lbaMid;
      case 5:
        return isHob ? this.hobLbaHigh : this.lbaHigh;
      case 6:
        return this.device;
      default:
        return 0;
    }
  }

  /** Writes offset 1-6: the current value moves to the HOB half first. */
  write(offset: number, value: number): void {
    switch (offset) {
      case 1:
        this.hobFeature = this.feature;
        this.feature = value;
        break;
      case 2:
        this.hobCount = this.count;
        this.count = value;
        break;
      case 3:
        this.hobLbaLow = this.lbaLow;
        this.lbaLow = value;
        break;
      case 4:
        this.hobLbaMid = this.lbaMid;
        this.lbaMid = value;
        break;
      case 5:
        this.hobLbaHigh = this.lbaHigh;
        this.lbaHigh = value;
        break;
      case 6:
        this.device = value;
        break;
    }
  }

  /** 28-bit LBA from LBA low/mid/high and device bits 3:0 (ATA-6 6.2). */
  lba28(): number {
    return ((this.device & 0x0f) << 24) | (this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow;
  }

  /** 48-bit LBA: previous contents hold bits 47:24 (ATA-6 6.20). */
  lba48(): number {
    const high = (this.hobLbaHigh << 16) | (this.hobLbaMid << 8) | this.hobLbaLow;
    return high * 0x100_0000 + ((this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow);
  }

  setLba28(lba: number): void {
    this.lbaLow = lba & 0xff;
    this.lbaMid = (lba >>> 8) & 0xff;
    this.lbaHigh = (lba >>> 16) & 0xff;
    this.device = (this.device & 0xf0) | ((lba >>> 24) & 0x0f);
  }

  setLba48(lba: number): void {
    const high = Math.floor(lba / 0x100_0000);
    this.lbaLow = lba & 0xff;
    this.lbaMid = (lba >>> 8) & 0xff;
    this.lbaHigh = (lba >>> 16) & 0xff;
    this.hobLbaLow = high & 0xff;
    this.hobLbaMid = (high >>> 8) & 0xff;
    this.hobLbaHigh = (high >>> 16) & 0xff;
  }

  /** Device signature after reset/diagnostics (ATA-6 9.12): ATAPI puts 14h/EBh in mid/high. */
  setSignature(isAtapi: boolean): void {
    this.count = 1;
    this.lbaLow = 1;
    this.lbaMid = isAtapi ? 0x14 : 0;
    this.lbaHigh = isAtapi ? 0xeb : 0;
  }

  save(): number[] {
    return [
      this.feature,
      this.count,
      this.lbaLow,
      this.lbaMid,
      this.lbaHigh,
      this.hobFeature,
      this.hobCount,
      this.hobLbaLow,
      this.hobLbaMid,
      this.hobLbaHigh,
      this.device,
    ];
  }

  load(values: unknown): void {
    const v = Array.isArray(values) ? values.map((x) => Number(x) & 0xff) : [];
    [
      this.feature = 0,
      this.count = 0,
      this.lbaLow = 0,
      this.lbaMid = 0,
      this.lbaHigh = 0,
      this.hobFeature = 0,
      this.hobCount = 0,
      this.hobLbaLow = 0,
      this.hobLbaMid = 0,
      this.hobLbaHigh = 0,
      this.device = 0,
    ] = v;
  }
}
