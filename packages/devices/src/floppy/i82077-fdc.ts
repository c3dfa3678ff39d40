// Intel 82077AA floppy disk controller in PC/AT mode (datasheet 290166), DMA transfers only.
import type { Device, DeviceContext, DeviceState, IrqLine, ResetKind } from "@ringvm/bus";
import type { FloppyDrive } from "./floppy-drive";
import * as R from "./regs";

/** What the controller needs from its DMA channel (the 8237's channel 2 satisfies it). */
export interface FloppyDmaChannel {
  request(service: () => void): void;
  cancel(): void;
  transfer(buffer: Uint8Array): number;
  readonly isTerminalCount: boolean;
}

/** Options of {@link I82077Fdc}. */
export interface I82077FdcOptions {
  /** Drives 0 and 1 (A: and B:). */
  readonly drives?: readonly [FloppyDrive?, FloppyDrive?];
  /** DMA channel 2 of the board's 8237. Without it, data commands end abnormally. */
  readonly dma?: FloppyDmaChannel;
}

const PHASE_COMMAND = 0;
const PHASE_EXECUTION = 1;
const PHASE_RESULT = 2;
const SECTOR = 512;
/** Size code N = 2: 128 << 2 = 512-byte sectors, the only size PC formats use. */
const N_512 = 2;

/** Parameter bytes per command, by exact first byte (section 5 command tables). */
function commandLength(byte: number): number {
  const low = byte & 0x1f;
  if (low === R.CMD_READ_DATA || low === R.CMD_WRITE_DATA || low === R.CMD_READ_TRACK) return 9;
  if ((byte & ~0x40) === R.CMD_READ_ID) return 2;
  if ((byte & ~0x40) === R.CMD_FORMAT_TRACK) return 6;
  if ((byte & 0x7f) === R.CMD_LOCK) return 1;
  switch (byte) {
    case R.CMD_SPECIFY:
      return 3;
    case R.CMD_SENSE_DRIVE:
    case R.CMD_RECALIBRATE:
    case R.CMD_PERPENDICULAR:
      return 2;
    case R.CMD_SEEK:
      return 3;
    case R.CMD_CONFIGURE:
      return 4;
    case R.CMD_SENSE_INTERRUPT:
    case R.CMD_VERSION:
    case R.CMD_DUMPREG:
      return 1;
    default:
      return 0; // invalid
  }
}

export class I82077Fdc implements Device {
  readonly specificationVersion = "v1";
  readonly name = "i82077-fdc";
  private readonly drives: readonly [FloppyDrive | undefined, FloppyDrive | undefined];
  private readonly dma: FloppyDmaChannel | undefined;
  private irq: IrqLine | undefined;
  private isIrqRaised = false;
  private isIrqPending = false;
  private generation = 0;
  // Registers.
  private dor = 0;
  private rate = 2; // DSR/CCR data rate after reset: 250 kb/s
  private specify = [0, 0];
  private config = 0x20; // EFIFO set: FIFO disabled after reset (CONFIGURE defaults)
  private pretrack = 0;
  private isLocked = false;
  private perpendicular = 0;
  private lastEot = 0;
  // Phases.
  private phase = PHASE_COMMAND;
  private command: number[] = [];
  private result: number[] = [];
  /** Polling interrupts owed after reset (one per drive), then seek ends. */
  private resetPolls = 0;
  private seekEnds: number[][] = [];
  // Transfer in progress (read/write/format).
  private op = 0;
  private unit = 0;
  private cylinder = 0;
  private head = 0;
  private sector = 0;
  private eot = 0;
  private isMultiTrack = false;
  /** Head of the last sector moved: the HDSEL line ST0 reports at the interrupt. */
  private lastHead = 0;
  private formatCount = 0;
  private formatFill = 0;
  private readonly buffer = new Uint8Array(SECTOR);
  /** Non-DMA mode (SPECIFY ND): the host moves the sector through the FIFO. */
  private isPioData = false;
  private pioPos = 0;
  private pioOffset = 0;

  constructor(options: I82077FdcOptions = {}) {
    this.drives = [options.drives?.[0], options.drives?.[1]];
    this.dma = options.dma;
  }

  attach(context: DeviceContext): void {
    this.irq = context.irq(R.FDC_IRQ);
    this.scheduler = context.scheduler;
    this.clock = context.clock;
    const handler = {
      read: (port: number) => this.read(port - R.FDC_BASE),
      write: (port: number, _width: number, value: number) =>
        this.write(port - R.FDC_BASE, value & 0xff),
    };
    // 3F0h-3F5h and 3F7h; 3F6h is the IDE alternate status/device control.
    context.io.registerPorts(R.FDC_BASE, 6, handler, { owner: this.name, widths: [1] });
    context.io.registerPorts(R.FDC_BASE + R.REG_DIR_CCR, 1, handler, {
      owner: this.name,
      widths: [1],
    });
  }

  reset(kind: ResetKind): void {
    this.dor = 0;
    this.specify = [0, 0];
    this.isLocked = false;
    this.perpendicular = 0;
    for (const drive of this.drives) if (drive !== undefined) drive.track = 0;
    this.resetController(kind === "power-on");
    this.resetPolls = 0; // the DOR holds reset until the BIOS releases it
    this.isIrqPending = false;
    this.updateIrq();
  }

  private drive(unit: number): FloppyDrive | undefined {
    return unit < 2 ? this.drives[unit] : undefined;
  }

  // ---- Registers ---------------------------------------------------------------------

  private read(offset: number): number {
    switch (offset) {
      case R.REG_SRA:
      case R.REG_SRB:
        return 0xff; // PS/2 status registers are not decoded in AT mode
      case R.REG_DOR:
        return this.dor;
      case R.REG_TDR:
        return 0;
      case R.REG_MSR_DSR:
        return this.msr();
      case R.REG_FIFO:
        return this.readFifo();
      case R.REG_DIR_CCR: {
        // AT mode: only bit 7 (disk changed) is driven.
        const drive = this.drive(this.dor & R.DOR_SELECT);
        return drive?.hasChanged === true ? R.DIR_DSKCHG : 0;
      }
      default:
        return 0xff;
    }
  }

  private write(offset: number, value: number): void {
    switch (offset) {
      case R.REG_DOR: {
        const wasReset = (this.dor & R.DOR_NRESET) === 0;
        this.dor = value;
        if ((value & R.DOR_NRESET) === 0) this.enterReset();
        else if (wasReset) this.leaveReset();
        this.updateIrq();
        return;
      }
      case R.REG_MSR_DSR:
        this.rate = value & 0x03;
        if ((value & R.DSR_RESET) !== 0) {
          this.enterReset();
          this.leaveReset();
        }
        return;
      case R.REG_FIFO:
        return this.writeFifo(value);
      case R.REG_DIR_CCR:
        this.rate = value & 0x03;
        return;
    }
  }

  private msr(): number {
    if ((this.dor & R.DOR_NRESET) === 0) return 0;
    switch (this.phase) {
      case PHASE_COMMAND:
        return R.MSR_RQM | (this.command.length > 0 ? R.MSR_CB : 0);
      case PHASE_EXECUTION:
        if (!this.isPioData) return R.MSR_CB;
        // Non-DMA execution: RQM with NDMA, DIO shows the direction (section 2.1.4).
        return R.MSR_RQM | R.MSR_NDMA | R.MSR_CB | (this.op === R.CMD_WRITE_DATA ? 0 : R.MSR_DIO);
      default:
        return R.MSR_RQM | R.MSR_DIO | R.MSR_CB;
    }
  }

  private enterReset(): void {
    this.generation++;
    this.dma?.cancel();
    this.resetController(false);
    this.isIrqPending = false;
  }

  /** Leaving reset: four "ready changed" polling interrupts (section 4.1, CONFIGURE POLL). */
  private leaveReset(): void {
    if ((this.config & R.CONFIG_POLL_DISABLE) === 0) {
      this.resetPolls = 4;
      this.raise();
    }
  }

  private resetController(isPowerOn: boolean): void {
    this.phase = PHASE_COMMAND;
    this.isPioData = false;
    this.command = [];
    this.result = [];
    this.seekEnds = [];
    this.resetPolls = 0;
    this.rate = 2;
    // CONFIGURE and PRETRK survive reset when LOCK is set (section 5.3.8).
    if (!this.isLocked || isPowerOn) {
      this.config = 0x20;
      this.pretrack = 0;
    }
  }

  // ---- Interrupt ---------------------------------------------------------------------

  private raise(): void {
    this.isIrqPending = true;
    this.updateIrq();
  }

  private lowerIrq(): void {
    this.isIrqPending = false;
    this.updateIrq();
  }

  private updateIrq(): void {
    // In AT mode the DMA gate bit of the DOR also gates INT (section 2.1.2).
    const want = this.isIrqPending && (this.dor & R.DOR_DMA_GATE) !== 0;
    if (want === this.isIrqRaised || this.irq === undefined) return;
    this.isIrqRaised = want;
    if (want) this.irq.raise();
    else this.irq.lower();
  }

  // ---- FIFO: command and result phases ---------------------------------------------------

  private readFifo(): number {
    if (this.phase === PHASE_EXECUTION && this.isPioData && this.op !== R.CMD_WRITE_DATA) {
      return this.readPio();
    }
    if (this.phase !== PHASE_RESULT || (this.dor & R.DOR_NRESET) === 0) return 0xff;
    const value = this.result.shift() ?? 0xff;
    // Reading the result clears the interrupt (section 5.1, "Result phase").
    this.lowerIrq();
    if (this.result.length === 0) this.phase = PHASE_COMMAND;
    return value;
  }

  private writeFifo(value: number): void {
    if (this.phase === PHASE_EXECUTION && this.isPioData && this.op === R.CMD_WRITE_DATA) {
      return this.writePio(value);
    }
    if (this.phase !== PHASE_COMMAND || (this.dor & R.DOR_NRESET) === 0) return;
    this.command.push(value);
    const length = commandLength(this.command[0]!);
    if (length === 0) {
      this.command = [];
      return this.finish([R.ST0_INVALID], false);
    }
    if (this.command.length < length) return;
    const command = this.command;
    this.command = [];
    this.execute(command);
  }

  /** Enters the result phase; `interrupt` for commands that signal completion (section 5). */
  private finish(result: number[], interrupt: boolean): void {
    this.result = result;
    this.phase = result.length > 0 ? PHASE_RESULT : PHASE_COMMAND;
    if (interrupt) this.raise();
  }

  private execute(c: number[]): void {
    const first = c[0]!;
    const low = first & 0x1f;
    if (low === R.CMD_READ_DATA || low === R.CMD_WRITE_DATA || low === R.CMD_READ_TRACK) {
      return this.startData(c);
    }
    if ((first & ~0x40) === R.CMD_READ_ID) return this.readId(c[1]!);
    if ((first & ~0x40) === R.CMD_FORMAT_TRACK) return this.startFormat(c);
    if ((first & 0x7f) === R.CMD_LOCK) {
      this.isLocked = (first & 0x80) !== 0;
      return this.finish([this.isLocked ? 0x10 : 0], false);
    }
    switch (first) {
      case R.CMD_SPECIFY:
        this.specify = [c[1]!, c[2]!];
        return this.finish([], false);
      case R.CMD_SENSE_DRIVE:
        return this.finish([this.st3(c[1]!)], false);
      case R.CMD_RECALIBRATE:
        return this.seek(c[1]! & 3, 0, 0);
      case R.CMD_SEEK:
        return this.seek(c[1]! & 3, (c[1]! >> 2) & 1, c[2]!);
      case R.CMD_SENSE_INTERRUPT:
        return this.senseInterrupt();
      case R.CMD_VERSION:
        return this.finish([R.VERSION_82077], false);
      case R.CMD_CONFIGURE:
        this.config = c[2]!;
        this.pretrack = c[3]!;
        return this.finish([], false);
      case R.CMD_PERPENDICULAR:
        // Bit 7 (OW) set: bits 5:2 overwrite the per-drive perpendicular enables.
        if ((c[1]! & 0x80) !== 0) this.perpendicular = (this.perpendicular & 0x03) | (c[1]! & 0x3c);
        this.perpendicular = (this.perpendicular & 0x3c) | (c[1]! & 0x03);
        return this.finish([], false);
      case R.CMD_DUMPREG: {
        const pcn = [0, 1, 2, 3].map((u) => this.drive(u)?.track ?? 0);
        return this.finish(
          [
            ...pcn,
            this.specify[0]!,
            this.specify[1]!,
            this.lastEot,
            (this.isLocked ? 0x80 : 0) | (this.perpendicular & 0x3f),
            this.config,
            this.pretrack,
          ],
          false,
        );
      }
    }
  }

  private st3(select: number): number {
    const unit = select & 3;
    const head = (select >> 2) & 1;
    const drive = this.drive(unit);
    let st3 = unit | (head << 2) | R.ST3_RY | R.ST3_TS;
    if (drive?.isWriteProtected === true) st3 |= R.ST3_WP;
    if (drive === undefined || drive.track === 0) st3 |= R.ST3_T0;
    return st3;
  }

  /** SEEK / RECALIBRATE: no result phase; completion is reported by SENSE INTERRUPT STATUS. */
  private seek(unit: number, head: number, cylinder: number): void {
    const drive = this.drive(unit);
    let st0 = R.ST0_SEEK_END | (head << 2) | unit;
    if (drive === undefined) {
      st0 |= R.ST0_ABNORMAL | R.ST0_EQUIPMENT_CHECK; // track 0 never seen
    } else {
      drive.track = cylinder;
      // A step pulse with a diskette present clears DSKCHG.
      if (drive.disk !== undefined) drive.hasChanged = false;
    }
    this.seekEnds.push([st0, drive?.track ?? 0]);
    this.finish([], true);
  }

  private senseInterrupt(): void {
    if (this.resetPolls > 0) {
      const unit = 4 - this.resetPolls;
      this.resetPolls--;
      this.lowerIrq();
      return this.finish([R.ST0_READY_CHANGE | unit, this.drive(unit)?.track ?? 0], false);
    }
    const end = this.seekEnds.shift();
    if (end === undefined) return this.finish([R.ST0_INVALID], false);
    this.lowerIrq();
    this.finish(end, false);
  }

  /** The drive's format must be readable at the programmed data rate (section 2.1.6). */
  private canRead(drive: FloppyDrive | undefined): boolean {
    const g = drive?.geometry;
    if (g === undefined) return false;
    return g.rate === this.rate || (g.rate === 2 && g.cylinders === 40 && this.rate === 1);
  }

  private readId(select: number): void {
    const unit = select & 3;
    const head = (select >> 2) & 1;
    const drive = this.drive(unit);
    if (!this.canRead(drive) || head >= drive!.geometry!.heads) {
      return this.finish([R.ST0_ABNORMAL | (head << 2) | unit, R.ST1_MA, 0, 0, 0, 0, 0], true);
    }
    this.finish([(head << 2) | unit, 0, 0, drive!.track, head, 1, N_512], true);
  }

  // ---- Data transfers ----------------------------------------------------------------

  private startData(c: number[]): void {
    this.op = c[0]! & 0x1f;
    this.isMultiTrack = (c[0]! & R.FLAG_MT) !== 0;
    this.unit = c[1]! & 3;
    this.head = (c[1]! >> 2) & 1;
    this.cylinder = c[2]!;
    // The head address in the ID field (byte 3) is compared; HDS (byte 1 bit 2) picks the side.
    // READ TRACK starts at the first sector after the index hole, whatever R says.
    this.sector = this.op === R.CMD_READ_TRACK ? 1 : c[4]!;
    this.eot = c[6]!;
    this.lastEot = this.eot;
    this.lastHead = this.head;
    const drive = this.drive(this.unit);
    if (!this.canRead(drive) || (this.dma === undefined && !this.isNonDma))
      return this.endData(R.ST0_ABNORMAL, R.ST1_MA, 0);
    if (c[5] !== N_512) return this.endData(R.ST0_ABNORMAL, R.ST1_ND, 0);
    if (this.op === R.CMD_WRITE_DATA && drive!.isWriteProtected) {
      return this.endData(R.ST0_ABNORMAL, R.ST1_NW, 0);
    }
    // Implied seek when CONFIGURE EIS is set; otherwise the head must already be there.
    if ((this.config & R.CONFIG_EIS) !== 0) drive!.track = this.cylinder;
    if (drive!.track !== this.cylinder) return this.endData(R.ST0_ABNORMAL, R.ST1_ND, R.ST2_WC);
    this.phase = PHASE_EXECUTION;
    this.nextSector();
  }

  private nextSector(): void {
    const drive = this.drive(this.unit)!;
    const g = drive.geometry;
    const disk = drive.disk;
    if (g === undefined || disk === undefined) return this.endData(R.ST0_ABNORMAL, R.ST1_MA, 0);
    if (
      this.sector < 1 ||
      this.sector > g.sectorsPerTrack ||
      this.head >= g.heads ||
      this.cylinder >= g.cylinders
    ) {
      return this.endData(R.ST0_ABNORMAL, R.ST1_ND, 0);
    }
    const offset =
      ((this.cylinder * g.heads + this.head) * g.sectorsPerTrack + this.sector - 1) * SECTOR;
    this.pioOffset = offset;
    if (this.op === R.CMD_WRITE_DATA) {
      if (this.isNonDma) return this.offerPio();
      return this.dma!.request(() => this.sectorFromMemory(offset));
    }
    let isSync: boolean;
    let pending: Promise<Uint8Array> | undefined;
    try {
      isSync = disk.readSync(offset, this.buffer);
      if (!isSync) pending = disk.readAsync(offset, SECTOR);
    } catch {
      // A malformed image reads as a sector that cannot be found.
      return this.endData(R.ST0_ABNORMAL, R.ST1_ND, 0);
    }
    if (pending === undefined) return this.sectorLoaded();
    const generation = this.generation;
    pending.then(
      (data) =>
        this.afterAsync(generation, () => {
          this.buffer.set(data.subarray(0, SECTOR));
          this.sectorLoaded();
        }),
      () => this.afterAsync(generation, () => this.endData(R.ST0_ABNORMAL, R.ST1_ND, 0)),
    );
  }

  private scheduler: DeviceContext["scheduler"] | undefined;
  private clock: DeviceContext["clock"] | undefined;

  private afterAsync(generation: number, then: () => void): void {
    const run = () => {
      if (generation === this.generation && this.phase === PHASE_EXECUTION) then();
    };
    if (this.scheduler !== undefined && this.clock !== undefined)
      this.scheduler.schedule(this.clock.now(), run);
    else run();
  }

  private get isNonDma(): boolean {
    return (this.specify[1]! & 0x01) !== 0; // SPECIFY byte 2 bit 0: ND
  }

  private sectorLoaded(): void {
    if (this.isNonDma) return this.offerPio();
    this.dma!.request(() => this.sectorToMemory());
  }

  /** Non-DMA: one sector through the FIFO, with an interrupt when it is ready (section 5.1.3). */
  private offerPio(): void {
    this.isPioData = true;
    this.pioPos = 0;
    if (this.op === R.CMD_WRITE_DATA) this.buffer.fill(0);
    this.raise();
  }

  private readPio(): number {
    const value = this.buffer[this.pioPos++]!;
    this.lowerIrq();
    if (this.pioPos >= SECTOR) {
      this.isPioData = false;
      this.afterSector();
    }
    return value;
  }

  private writePio(value: number): void {
    this.buffer[this.pioPos++] = value;
    this.lowerIrq();
    if (this.pioPos < SECTOR) return;
    this.isPioData = false;
    if (this.drive(this.unit)?.disk?.write(this.pioOffset, this.buffer) !== true) {
      return this.endData(R.ST0_ABNORMAL, R.ST1_NW, 0);
    }
    this.afterSector();
  }

  private sectorToMemory(): void {
    this.dma!.transfer(this.buffer);
    this.afterSector();
  }

  private sectorFromMemory(offset: number): void {
    const drive = this.drive(this.unit)!;
    this.buffer.fill(0);
    this.dma!.transfer(this.buffer);
    if (drive.disk?.write(offset, this.buffer) !== true)
      return this.endData(R.ST0_ABNORMAL, R.ST1_NW, 0);
    this.afterSector();
  }

  /** Advances R (and H with MT); TC ends normally, running past EOT ends with EN (5.1.x). */
  private afterSector(): void {
    this.lastHead = this.head;
    // Without DMA there is no terminal count: the transfer runs to EOT.
    const isDone = this.isNonDma ? false : this.dma!.isTerminalCount;
    if (this.sector < this.eot) {
      this.sector++;
    } else if (this.isMultiTrack && this.head === 0) {
      this.head = 1;
      this.sector = 1;
    } else {
      this.cylinder++;
      this.sector = 1;
      if (this.isMultiTrack) this.head = 0;
      if (!isDone) return this.endData(R.ST0_ABNORMAL, R.ST1_EN, 0);
    }
    if (isDone) return this.endData(0, 0, 0);
    this.nextSector();
  }

  private endData(st0Code: number, st1: number, st2: number): void {
    this.isPioData = false;
    const st0 = st0Code | (this.lastHead << 2) | this.unit;
    this.finish([st0, st1, st2, this.cylinder & 0xff, this.head, this.sector & 0xff, N_512], true);
  }

  /** FORMAT TRACK: the DMA supplies C, H, R, N for each sector; sectors get the filler byte. */
  private startFormat(c: number[]): void {
    this.op = R.CMD_FORMAT_TRACK;
    this.unit = c[1]! & 3;
    this.head = (c[1]! >> 2) & 1;
    this.formatCount = c[3]!;
    this.formatFill = c[5]!;
    this.lastHead = this.head;
    const drive = this.drive(this.unit);
    this.cylinder = drive?.track ?? 0;
    this.sector = 1;
    if (!this.canRead(drive) || this.dma === undefined)
      return this.endData(R.ST0_ABNORMAL, R.ST1_MA, 0);
    if (drive!.isWriteProtected) return this.endData(R.ST0_ABNORMAL, R.ST1_NW, 0);
    this.phase = PHASE_EXECUTION;
    this.dma.request(() => this.formatSectors());
  }

  private formatSectors(): void {
    const drive = this.drive(this.unit)!;
    const g = drive.geometry!;
    const id = new Uint8Array(4);
    const data = new Uint8Array(SECTOR).fill(this.formatFill);
    for (let i = 0; i < this.formatCount; i++) {
      id.fill(0);
      this.dma!.transfer(id);
      const [cyl = 0, head = 0, sector = 0] = id;
      this.sector = sector;
      if (sector >= 1 && sector <= g.sectorsPerTrack && cyl < g.cylinders && head < g.heads) {
        drive.disk!.write(((cyl * g.heads + head) * g.sectorsPerTrack + sector - 1) * SECTOR, data);
      }
      if (this.dma!.isTerminalCount) break;
    }
    this.endData(0, 0, 0);
  }

  // ---- State -------------------------------------------------------------------------

  saveState(): DeviceState {
    return {
      dor: this.dor,
      rate: this.rate,
      specify: [...this.specify],
      config: this.config,
      pretrack: this.pretrack,
      isLocked: this.isLocked,
      perpendicular: this.perpendicular,
      lastEot: this.lastEot,
      phase: this.phase === PHASE_EXECUTION ? PHASE_COMMAND : this.phase,
      command: [...this.command],
      result: [...this.result],
      resetPolls: this.resetPolls,
      seekEnds: this.seekEnds.map((e) => [...e]),
      isIrqPending: this.isIrqPending,
      drives: this.drives.map((d) =>
        d === undefined ? null : { track: d.track, hasChanged: d.hasChanged },
      ),
    };
  }

  loadState(s: DeviceState): void {
    const n = (key: string) => Number(s[key]) || 0;
    const bytes = (key: string) =>
      Array.isArray(s[key]) ? (s[key] as unknown[]).map((v) => Number(v) & 0xff) : [];
    this.generation++;
    this.dor = n("dor") & 0xff;
    this.rate = n("rate") & 3;
    this.specify = [bytes("specify")[0] ?? 0, bytes("specify")[1] ?? 0];
    this.config = n("config") & 0xff;
    this.pretrack = n("pretrack") & 0xff;
    this.isLocked = s["isLocked"] === true;
    this.perpendicular = n("perpendicular") & 0xff;
    this.lastEot = n("lastEot") & 0xff;
    this.phase = n("phase") === PHASE_RESULT ? PHASE_RESULT : PHASE_COMMAND;
    this.command = bytes("command");
    this.result = bytes("result");
    this.resetPolls = Math.min(4, n("resetPolls"));
    this.seekEnds = Array.isArray(s["seekEnds"])
      ? (s["seekEnds"] as unknown[][]).map((e) => e.map((v) => Number(v) & 0xff))
      : [];
    this.isIrqPending = s["isIrqPending"] === true;
    const drives = Array.isArray(s["drives"])
      ? (s["drives"] as ({ track: number; hasChanged: boolean } | null)[])
      : [];
    this.drives.forEach((d, i) => {
      const saved = drives[i];
      if (d !== undefined && saved !== null && saved !== undefined) {
        d.track = Number(saved.track) & 0xff;
        d.hasChanged = saved.hasChanged === true;
      }
    });
    this.isIrqRaised = !this.isIrqPending;
    this.updateIrq();
  }
}
