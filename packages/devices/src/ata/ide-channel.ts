// One IDE channel: two devices' registers, the PIO data port, the bus-master DMA engine
// (PIIX3 datasheet, "Bus Master IDE"), and INTRQ. Commands live in ata-commands.ts.
import type { Clock, IrqLine, Logger, PhysicalMemory, Scheduler } from "@ringvm/bus";
import { runPacket } from "./atapi";
import type { AtaDisk, AtapiCdrom, IdeDrive } from "./drives";
import {
  JOB_ATA_DMA_READ,
  JOB_ATA_DMA_WRITE,
  JOB_ATA_READ,
  JOB_ATA_WRITE,
  JOB_ATAPI_DATA,
  JOB_ATAPI_READ,
  JOB_NONE,
  JOB_PIO_SINGLE,
  PHASE_BUSY,
  PHASE_DMA,
  PHASE_IDLE,
  PHASE_PACKET,
  PHASE_PIO_IN,
  PHASE_PIO_OUT,
} from "./phases";
import {
  ATA_SECTOR,
  BM_CMD_START,
  BM_STATUS_ACTIVE,
  BM_STATUS_ERROR,
  BM_STATUS_INTERRUPT,
  CD_BLOCK,
  CMD_EXECUTE_DIAGNOSTIC,
  CONTROL_HOB,
  CONTROL_NIEN,
  CONTROL_SRST,
  DEVICE_DEV,
  ERROR_ABRT,
  ERROR_UNC,
  REASON_COD,
  REASON_IO,
  STATUS_BSY,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
} from "./regs";
import { BusMaster } from "./bus-master";
import { Taskfile } from "./taskfile";

/** Runs one command on a device (ata-commands.ts); injected to keep the modules acyclic. */
export interface CommandSet {
  ata(channel: IdeChannel, drive: AtaDisk, command: number): void;
  atapi(channel: IdeChannel, drive: AtapiCdrom, command: number): void;
}

/** What a channel needs from the board (a slice of DeviceContext). */
export interface ChannelEnv {
  readonly irq: IrqLine;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly dma?: PhysicalMemory;
}

/** 128 KiB: the largest chunk staged at once (a 256-sector DMA slice or 64 CD blocks). */
const BUFFER_BYTES = 128 * 1024;
const DMA_CHUNK_SECTORS = 256;
const ATAPI_CHUNK_BLOCKS = 32;
/** Reads when no device answers: the bus floats high except DD7, pulled down (ATA-6 9.16.1). */
const FLOATING_BUS = 0x7f;

export class IdeChannel {
  readonly regs: [Taskfile, Taskfile] = [new Taskfile(), new Taskfile()];
  control = 0;
  private env: ChannelEnv | undefined;
  private isIrqPending = false;
  private isIrqRaised = false;
  /** Bumped on reset so late asynchronous completions are dropped. */
  private generation = 0;
  // Transfer engine.
  readonly buffer = new Uint8Array(BUFFER_BYTES);
  phase = PHASE_IDLE;
  job = JOB_NONE;
  /** Device (0/1) running the current command. */
  active = 0;
  pos = 0;
  end = 0;
  fill = 0;
  lba = 0;
  remaining = 0;
  blockSectors = 1;
  isLba48 = false;
  isDmaPacket = false;
  byteLimit = 0;
  private loadOffset = 0;
  private loadLength = 0;
  // Bus master (PIIX3 BMICx/BMISx/BMIDTPx) and the PRD cursor.
  readonly bm = new BusMaster();
  private isPumping = false;
  private isPumpPending = false;

  constructor(
    readonly drives: readonly [IdeDrive | undefined, IdeDrive | undefined],
    private readonly commands: CommandSet,
  ) {}

  attach(env: ChannelEnv): void {
    this.env = env;
  }

  get hasDma(): boolean {
    return this.env?.dma !== undefined;
  }

  private get selected(): number {
    return (this.regs[0].device & DEVICE_DEV) !== 0 ? 1 : 0;
  }

  drive(): IdeDrive | undefined {
    return this.drives[this.active];
  }

  tf(): Taskfile {
    return this.regsOf(this.active);
  }

  regsOf(slot: number): Taskfile {
    return slot === 1 ? this.regs[1] : this.regs[0];
  }

  // ---- Register access -------------------------------------------------------------

  readRegister(offset: number, width: number): number {
    if (this.drives[0] === undefined && this.drives[1] === undefined) {
      return offset === 0 ? (width === 1 ? 0xff : 0xffff) : FLOATING_BUS;
    }
    const slot = this.selected;
    const drive = this.drives[slot];
    switch (offset) {
      case 0:
        return this.readData(width);
      case 1:
        return drive?.error ?? 0;
      case 7:
        this.isIrqPending = false;
        this.updateIrq();
        return this.statusOf(slot);
      default:
        // An absent device 1: device 0 answers for it (ATA-6 9.16.1).
        return this.regsOf(drive === undefined ? 0 : slot).read(offset, this.control);
    }
  }

  /** Alternate status (control block): status without clearing the interrupt. */
  readAltStatus(): number {
    if (this.drives[0] === undefined && this.drives[1] === undefined) return FLOATING_BUS;
    return this.statusOf(this.selected);
  }

  private statusOf(slot: number): number {
    // Device 0 answers 00h for an absent device 1 (ATA-6 9.16.1).
    return this.drives[slot]?.status ?? 0;
  }

  writeRegister(offset: number, width: number, value: number): void {
    if (offset === 0) return this.writeData(width, value);
    if (offset === 7) return this.command(value & 0xff);
    // ATA-6 7.8: a write to any command block register clears HOB.
    this.control &= ~CONTROL_HOB;
    this.regs[0].write(offset, value & 0xff);
    this.regs[1].write(offset, value & 0xff);
  }

  writeControl(value: number): void {
    const wasReset = (this.control & CONTROL_SRST) !== 0;
    this.control = value & 0xff;
    const isReset = (value & CONTROL_SRST) !== 0;
    if (isReset && !wasReset) this.beginSoftReset();
    if (!isReset && wasReset) this.endSoftReset();
    this.updateIrq();
  }

  private command(cmd: number): void {
    const slot = this.selected;
    let drive = this.drives[slot];
    // EXECUTE DEVICE DIAGNOSTIC runs on both devices whichever is selected (ATA-6 8.11).
    if (cmd === CMD_EXECUTE_DIAGNOSTIC) {
      this.active = 0;
      drive = this.drives[0];
    } else {
      this.active = slot;
    }
    if (drive === undefined) return; // nobody there: the write goes nowhere
    // A busy device ignores commands (ATA-6 7.4.4); DEVICE RESET is the ATAPI exception.
    if ((drive.status & STATUS_BSY) !== 0 && !(drive.kind === "atapi" && cmd === 0x08)) return;
    this.isIrqPending = false;
    this.updateIrq();
    this.env?.log.debug(`ide: device ${this.active} command ${cmd.toString(16)}`);
    if (drive.kind === "ata") this.commands.ata(this, drive, cmd);
    else this.commands.atapi(this, drive, cmd);
  }

  // ---- Reset --------------------------------------------------------------------------

  private beginSoftReset(): void {
    this.generation++;
    this.stopTransfer();
    for (const drive of this.drives) if (drive !== undefined) drive.status = STATUS_BSY;
    this.isIrqPending = false;
  }

  private endSoftReset(): void {
    for (const slot of [0, 1]) this.diagnose(slot);
    this.regs[0].device = 0;
    this.regs[1].device = 0;
  }

  /** Post-reset/diagnostic state of one device (ATA-6 9.12): signature, error 01h. */
  diagnose(slot: number): void {
    const drive = this.drives[slot];
    if (drive === undefined) return;
    const isAtapi = drive.kind === "atapi";
    this.regsOf(slot).setSignature(isAtapi);
    if (slot === 0 && this.drives[1] === undefined) this.regs[1].setSignature(isAtapi);
    drive.error = 0x01; // diagnostic code 01h: device 0 passed, device 1 passed or absent
    // ATAPI devices clear DRDY until IDENTIFY PACKET DEVICE (ATA-6 9.12).
    drive.status = isAtapi ? 0 : STATUS_DRDY | STATUS_DSC;
  }

  /** Power-on / hardware reset of the channel and its devices. */
  reset(): void {
    this.generation++;
    this.control = 0;
    this.stopTransfer();
    this.isIrqPending = false;
    this.bm.reset();
    for (const slot of [0, 1]) {
      this.drives[slot]?.resetSettings();
      this.regsOf(slot).load([]);
      this.diagnose(slot);
    }
    this.updateIrq();
  }

  private stopTransfer(): void {
    this.phase = PHASE_IDLE;
    this.job = JOB_NONE;
    this.pos = this.end = this.fill = 0;
  }

  // ---- Interrupts ---------------------------------------------------------------------

  raiseInterrupt(): void {
    this.isIrqPending = true;
    this.bm.status |= BM_STATUS_INTERRUPT;
    this.updateIrq();
  }

  private updateIrq(): void {
    // nIEN puts INTRQ in high impedance (ATA-6 7.8).
    const want = this.isIrqPending && (this.control & CONTROL_NIEN) === 0;
    if (want === this.isIrqRaised || this.env === undefined) return;
    this.isIrqRaised = want;
    if (want) this.env.irq.raise();
    else this.env.irq.lower();
  }

  // ---- Command endings ------------------------------------------------------------------

  /** Successful end; `interrupt` false for the end of a PIO data-in command (ATA-6 9.5). */
  complete(interrupt = true): void {
    const drive = this.drive();
    this.stopTransfer();
    if (drive === undefined) return;
    drive.status = STATUS_DRDY | STATUS_DSC;
    if (drive.kind === "atapi") this.tf().count = REASON_IO | REASON_COD;
    if (interrupt) this.raiseInterrupt();
  }

  /** Error end: ERR set, `error` in the error register (ATA-6 7.9, 7.15). */
  fail(error = ERROR_ABRT): void {
    const drive = this.drive();
    this.stopTransfer();
    if (drive === undefined) return;
    drive.error = error;
    drive.status = STATUS_DRDY | STATUS_DSC | STATUS_ERR;
    if (drive.kind === "atapi") {
      drive.status = STATUS_DRDY | STATUS_ERR;
      this.tf().count = REASON_IO | REASON_COD;
    }
    this.raiseInterrupt();
  }

  /** ATAPI CHECK CONDITION: sense key in error bits 7:4 (SFF-8020i 7.1.5). */
  failPacket(): void {
    const drive = this.drive();
    this.fail(((drive?.kind === "atapi" ? drive.senseKey : 0) << 4) | ERROR_ABRT);
  }

  // ---- PIO --------------------------------------------------------------------------------

  /** Offers `length` bytes of the buffer to the host (DRQ, and INTRQ unless `quiet`). */
  startPioIn(job: number, length: number, quiet = false): void {
    this.job = job;
    this.phase = PHASE_PIO_IN;
    this.pos = 0;
    this.end = this.fill = length;
    const drive = this.drive()!;
    drive.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    if (!quiet) this.raiseInterrupt();
  }

  /** Asks the host for `length` bytes (DRQ); the first block of a write has no INTRQ. */
  startPioOut(job: number, length: number, interrupt: boolean): void {
    this.job = job;
    this.phase = PHASE_PIO_OUT;
    this.pos = 0;
    this.end = length;
    this.drive()!.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    if (interrupt) this.raiseInterrupt();
  }

  startPacket(): void {
    this.job = JOB_NONE;
    this.phase = PHASE_PACKET;
    this.pos = 0;
    this.end = 12;
    this.tf().count = REASON_COD;
    this.drive()!.status = STATUS_DRDY | STATUS_DRQ;
  }

  private readData(width: number): number {
    if (this.phase !== PHASE_PIO_IN || this.drives[this.selected] === undefined) {
      return width === 1 ? 0xff : width === 2 ? 0xffff : 0xffff_ffff;
    }
    let value = 0;
    for (let i = 0; i < width; i++) {
      value |= (this.pos < this.end ? this.buffer[this.pos]! : 0) << (8 * i);
      this.pos++;
    }
    if (this.pos >= this.end) this.pioBlockDone();
    return value >>> 0;
  }

  private writeData(width: number, value: number): void {
    if (this.phase !== PHASE_PIO_OUT && this.phase !== PHASE_PACKET) return;
    for (let i = 0; i < width && this.pos < this.end; i++) {
      this.buffer[this.pos++] = (value >>> (8 * i)) & 0xff;
    }
    if (this.pos >= this.end) this.pioBlockDone();
  }

  private pioBlockDone(): void {
    const drive = this.drive();
    if (drive === undefined) return this.stopTransfer();
    if (this.phase === PHASE_PACKET) {
      this.phase = PHASE_IDLE;
      if (drive.kind === "atapi") this.runPacketNow(drive);
      return;
    }
    switch (this.job) {
      case JOB_PIO_SINGLE:
        return this.complete(false);
      case JOB_ATA_READ:
        this.advance();
        if (this.remaining > 0) return this.loadSectors();
        return this.complete(false);
      case JOB_ATA_WRITE: {
        if (
          drive.kind !== "ata" ||
          !drive.disk.write(this.lba * ATA_SECTOR, this.buffer.subarray(0, this.end))
        ) {
          return this.fail(ERROR_ABRT);
        }
        this.advance();
        if (this.remaining > 0) {
          const next = Math.min(this.remaining, this.blockSectors);
          return this.startPioOut(JOB_ATA_WRITE, next * ATA_SECTOR, true);
        }
        return this.complete(true);
      }
      case JOB_ATAPI_DATA:
      case JOB_ATAPI_READ:
        return this.atapiNextPiece();
      default:
        return this.stopTransfer();
    }
  }

  /** Moves the LBA past the block just done and shows it in the registers (ATA-6 6.2). */
  private advance(): void {
    const n = Math.min(
      this.remaining,
      this.job === JOB_ATA_READ || this.job === JOB_ATA_WRITE
        ? this.blockSectors
        : DMA_CHUNK_SECTORS,
    );
    this.lba += n;
    this.remaining -= n;
    if (this.isLba48) this.tf().setLba48(this.lba - 1);
    else this.tf().setLba28(this.lba - 1);
  }

  // ---- Backend reads ------------------------------------------------------------------------

  /** Stages the next block of an ATA read (PIO block or DMA chunk). */
  loadSectors(): void {
    const per = this.job === JOB_ATA_READ ? this.blockSectors : DMA_CHUNK_SECTORS;
    const n = Math.min(this.remaining, per);
    this.load(this.lba * ATA_SECTOR, n * ATA_SECTOR);
  }

  private load(offset: number, length: number): void {
    const disk = this.drive()?.disk;
    if (disk === undefined) return this.fail(ERROR_ABRT);
    this.loadOffset = offset;
    this.loadLength = length;
    const into = this.buffer.subarray(0, length);
    let isSync: boolean;
    try {
      isSync = disk.readSync(offset, into);
    } catch (error) {
      // A malformed image (e.g. a qcow2 table pointing outside the file) is a medium error.
      this.env?.log.warn(`ide: ${(error as Error).message}`);
      return this.readFailed();
    }
    if (isSync) return this.loaded();
    this.phase = PHASE_BUSY;
    this.drive()!.status = STATUS_BSY;
    const generation = this.generation;
    const finish = (ok: boolean, data?: Uint8Array) => {
      const env = this.env;
      if (env === undefined) return;
      env.scheduler.schedule(env.clock.now(), () => {
        if (generation !== this.generation || this.phase !== PHASE_BUSY) return;
        if (!ok || data === undefined) {
          env.log.warn(`ide: backend read at ${offset} failed`);
          return this.readFailed();
        }
        this.buffer.set(data.subarray(0, length));
        if (data.length < length) this.buffer.fill(0, data.length, length);
        this.loaded();
      });
    };
    let pending: Promise<Uint8Array>;
    try {
      pending = disk.readAsync(offset, length);
    } catch {
      pending = Promise.reject(new Error("backend threw"));
    }
    pending.then(
      (data) => finish(true, data),
      () => finish(false),
    );
  }

  private readFailed(): void {
    const drive = this.drive();
    if (drive?.kind === "atapi") {
      // MEDIUM ERROR, ASC 11h "unrecovered read error" (SPC-3 annex D).
      drive.senseKey = 3;
      drive.asc = 0x11;
      return this.failPacket();
    }
    this.fail(ERROR_UNC | ERROR_ABRT);
  }

  private loaded(): void {
    switch (this.job) {
      case JOB_ATA_READ:
        return this.startPioIn(JOB_ATA_READ, this.loadLength);
      case JOB_ATA_DMA_READ:
        this.phase = PHASE_DMA;
        this.drive()!.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        if (!this.bm.copy(this.env?.dma, this.buffer.subarray(0, this.loadLength), true))
          return this.dmaShort();
        this.advance();
        return this.pumpDma();
      case JOB_ATAPI_READ: {
        const blocks = this.loadLength / CD_BLOCK;
        this.lba += blocks;
        this.remaining -= blocks;
        this.pos = 0;
        this.fill = this.loadLength;
        if (this.isDmaPacket) {
          this.phase = PHASE_DMA;
          if (!this.bm.copy(this.env?.dma, this.buffer.subarray(0, this.fill), true))
            return this.dmaShort();
          this.fill = 0;
          return this.pumpDma();
        }
        return this.atapiNextPiece();
      }
    }
  }

  // ---- ATAPI ---------------------------------------------------------------------------

  private runPacketNow(drive: IdeDrive & { kind: "atapi" }): void {
    const result = runPacket(drive, this.buffer.slice(0, 12));
    switch (result.kind) {
      case "check":
        return this.failPacket();
      case "done":
        return this.complete(true);
      case "data":
        this.buffer.set(result.data);
        this.job = JOB_ATAPI_DATA;
        this.pos = 0;
        this.fill = result.data.length;
        this.remaining = 0;
        if (this.fill === 0) return this.complete(true);
        if (this.isDmaPacket) return this.beginDma();
        return this.atapiNextPiece();
      case "read":
        this.job = JOB_ATAPI_READ;
        this.lba = result.lba;
        this.remaining = result.blocks;
        this.pos = this.fill = 0;
        if (this.isDmaPacket) return this.beginDma();
        return this.atapiLoadChunk();
    }
  }

  private atapiLoadChunk(): void {
    const n = Math.min(this.remaining, ATAPI_CHUNK_BLOCKS);
    this.load(this.lba * CD_BLOCK, n * CD_BLOCK);
  }

  /**
   * Offers the next DRQ piece of an ATAPI data-in command: at most the byte count limit
   * the host gave, even except for the last piece (SFF-8020i 10.7 / ATA-6 9.10).
   */
  private atapiNextPiece(): void {
    const available = this.fill - this.pos;
    if (available <= 0) {
      if (this.job === JOB_ATAPI_READ && this.remaining > 0) return this.atapiLoadChunk();
      return this.complete(true);
    }
    let piece = Math.min(available, this.byteLimit);
    if (piece < available && (piece & 1) !== 0) piece--;
    this.phase = PHASE_PIO_IN;
    this.end = this.pos + piece;
    const tf = this.tf();
    tf.lbaMid = piece & 0xff;
    tf.lbaHigh = (piece >>> 8) & 0xff;
    tf.count = REASON_IO;
    this.drive()!.status = STATUS_DRDY | STATUS_DRQ;
    this.raiseInterrupt();
  }

  // ---- Bus-master DMA ----------------------------------------------------------------------

  /** Enters the DMA data phase; data moves once the host starts the bus master. */
  beginDma(): void {
    this.phase = PHASE_DMA;
    this.drive()!.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    this.pumpDma();
  }

  /**
   * Moves as much as it can; called on command issue, bus-master start and after loads.
   * Synchronous loads re-enter through here: a flag turns that recursion into a loop so a
   * long transfer of many chunks does not grow the stack.
   */
  private pumpDma(): void {
    if (this.isPumping) {
      this.isPumpPending = true;
      return;
    }
    this.isPumping = true;
    try {
      do {
        this.isPumpPending = false;
        this.pumpDmaOnce();
      } while (this.isPumpPending);
    } finally {
      this.isPumping = false;
    }
  }

  private pumpDmaOnce(): void {
    if (this.phase !== PHASE_DMA || (this.bm.command & BM_CMD_START) === 0) return;
    const dma = this.env?.dma;
    if (dma === undefined) return this.fail(ERROR_ABRT);
    switch (this.job) {
      case JOB_ATA_DMA_READ:
        if (this.remaining === 0) return this.dmaDone();
        return this.loadSectors();
      case JOB_ATA_DMA_WRITE: {
        const drive = this.drive();
        while (this.remaining > 0) {
          const bytes = Math.min(this.remaining, DMA_CHUNK_SECTORS) * ATA_SECTOR;
          const chunk = this.buffer.subarray(0, bytes);
          if (!this.bm.copy(this.env?.dma, chunk, false)) return this.dmaShort();
          if (drive?.kind !== "ata" || !drive.disk.write(this.lba * ATA_SECTOR, chunk)) {
            return this.fail(ERROR_ABRT);
          }
          this.advance();
        }
        return this.dmaDone();
      }
      case JOB_ATAPI_DATA:
        if (this.fill > 0 && !this.bm.copy(this.env?.dma, this.buffer.subarray(0, this.fill), true))
          return this.dmaShort();
        return this.dmaDone();
      case JOB_ATAPI_READ:
        if (this.remaining === 0) return this.dmaDone();
        return this.atapiLoadChunk();
    }
  }

  /**
   * The transfer finished. ACTIVE clears only if the PRD table was used up exactly;
   * a larger table leaves it set (PIIX3 "Bus Master IDE Status Register", bit 0).
   */
  private dmaDone(): void {
    if (this.bm.isPrdDone) this.bm.status &= ~BM_STATUS_ACTIVE;
    this.complete(true);
  }

  /** The PRD table was smaller than the transfer: stop with an error and interrupt. */
  private dmaShort(): void {
    this.bm.status = (this.bm.status & ~BM_STATUS_ACTIVE) | BM_STATUS_ERROR;
    this.env?.log.warn("ide: PRD table shorter than the DMA transfer");
    this.fail(ERROR_ABRT);
  }

  readBusMaster(offset: number): number {
    return this.bm.read(offset);
  }

  writeBusMaster(offset: number, value: number): void {
    if (this.bm.write(offset, value) === "start") this.pumpDma();
  }

  // ---- State ---------------------------------------------------------------------------------

  saveState(): Record<string, unknown> {
    const hasData = this.phase !== PHASE_IDLE && this.phase !== PHASE_BUSY;
    const state: Record<string, unknown> = {
      regs: [this.regs[0].save(), this.regs[1].save()],
      isIrqPending: this.isIrqPending,
      isLba48: this.isLba48,
      isDmaPacket: this.isDmaPacket,
      data: hasData ? Array.from(this.buffer.subarray(0, Math.max(this.end, this.fill))) : [],
      bm: this.bm.save(),
      drives: this.drives.map((d) => d?.saveState() ?? null),
    };
    for (const key of NUMERIC_STATE) state[key] = this[key];
    return state;
  }

  loadState(s: Record<string, unknown>): void {
    const regs = s["regs"] as unknown[] | undefined;
    this.regs[0].load(regs?.[0]);
    this.regs[1].load(regs?.[1]);
    for (const key of NUMERIC_STATE) this[key] = Number(s[key]) || 0;
    this.control &= 0xff;
    this.active &= 1;
    this.blockSectors ||= 1;
    this.isIrqPending = s["isIrqPending"] === true;
    this.isLba48 = s["isLba48"] === true;
    this.isDmaPacket = s["isDmaPacket"] === true;
    const data = Array.isArray(s["data"]) ? (s["data"] as number[]) : [];
    this.buffer.set(data.slice(0, BUFFER_BYTES));
    this.bm.load(s["bm"]);
    const drives = Array.isArray(s["drives"]) ? (s["drives"] as unknown[]) : [];
    this.drives.forEach((d, i) => {
      const saved = drives[i];
      if (d !== undefined && saved !== null && typeof saved === "object") {
        d.loadState(saved as Record<string, unknown>);
      }
    });
    this.generation++;
    this.isIrqRaised = !this.isIrqPending; // force the line to be driven to the saved level
    this.updateIrq();
    // An asynchronous read in flight when the state was saved is issued again.
    if (this.phase === PHASE_BUSY) this.load(this.loadOffset, this.loadLength);
  }
}

/** Plain-number fields of the channel's saved state. */
const NUMERIC_STATE = [
  "control",
  "phase",
  "job",
  "active",
  "pos",
  "end",
  "fill",
  "lba",
  "remaining",
  "blockSectors",
  "byteLimit",
  "loadOffset",
  "loadLength",
] as const;
