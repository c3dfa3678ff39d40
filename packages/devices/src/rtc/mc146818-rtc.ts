// Motorola MC146818A RTC with 128 bytes of CMOS RAM, as on the PC (ports 70h/71h, IRQ 8).
// Time of day = the board's start time + the virtual clock; the update, alarm and periodic
// interrupts are computed from the 32.768 kHz divider phase, and only the next enabled one
// is scheduled. Datasheet sections: "Time, Calendar and Alarm Locations", "Update Cycle",
// "Register A-D", "Interrupts", "Divider Stages", "Periodic Interrupt Selection" (Table 3).
import type {
  Clock,
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  ResetKind,
  ScheduledEvent,
  Scheduler,
  Width,
} from "@ringvm/bus";
import * as R from "./regs";

const SECOND_NS = 1e9;
/** One period of the 32.768 kHz time base in ns (exact in binary floating point). */
const TICK_32K_NS = SECOND_NS / 32768;

/** The saved state of an {@link Mc146818Rtc}. */
export interface Mc146818RtcState extends DeviceState {
  readonly cmos: readonly number[];
  readonly index: number;
  readonly isNmiMasked: boolean;
  readonly baseSeconds: number;
  readonly phaseNs: number;
  readonly flagsAt: number;
  readonly isIrqHigh: boolean;
}

/** Options of an {@link Mc146818Rtc}. */
export interface Mc146818RtcOptions {
  /** Wall-clock time when the device is attached, in ms since the Unix epoch (UTC). Default 2000-01-01. */
  readonly startTime?: number;
  /** Called when port 70h bit 7 (NMI disable) changes. */
  readonly onNmiMaskChange?: (isMasked: boolean) => void;
}

/** The PC configuration a BIOS reads from CMOS. */
export interface CmosConfig {
  /** RAM below 4 GiB, bytes. */
  readonly memoryBelow4G?: number;
  /** RAM above 4 GiB, bytes. */
  readonly memoryAbove4G?: number;
  /** Drive types of A: and B: (0 none, 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M). */
  readonly floppyTypes?: readonly [number, number];
  /**
   * Hard disks 0 and 1: present (type 47, "user defined", in 19h/1Ah), optionally with the
   * geometry QEMU stores at 1Bh-23h / 24h-2Ch (read by older BIOSes; SeaBIOS probes ATA).
   */
  readonly hardDisks?: readonly [boolean | HardDiskGeometry, boolean | HardDiskGeometry];
  /** Number of CPUs; QEMU's CMOS 5Fh holds the count minus one (SeaBIOS reads it). */
  readonly cpuCount?: number;
  /** Equipment byte options (14h). */
  readonly hasFpu?: boolean;
  readonly hasPs2Mouse?: boolean;
  /** Up to three boot devices, first first (SeaBIOS/QEMU 3Dh/38h). */
  readonly bootOrder?: readonly ("floppy" | "disk" | "cdrom" | "network")[];
}

/** CHS geometry of a CMOS type-47 hard disk. */
export interface HardDiskGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectors: number;
}

const BOOT_CODES = { floppy: 1, disk: 2, cdrom: 3, network: 4 } as const;

function toBcd(value: number): number {
  return ((Math.floor(value / 10) % 10) << 4) | (value % 10);
}

function fromBcd(value: number): number {
  return (value >> 4) * 10 + (value & 0x0f);
}

/**
 * The MC146818A RTC and CMOS RAM.
 *
 * @example
 * const rtc = new Mc146818Rtc({ startTime: Date.now() });
 * rtc.configure({ memoryBelow4G: 128 << 20, floppyTypes: [4, 0], bootOrder: ["disk"] });
 * rtc.attach(context); // IRQ 8
 */
export class Mc146818Rtc implements Device {
  readonly specificationVersion = "v1";
  readonly name = "mc146818-rtc";
  private readonly cmos = new Uint8Array(128);
  private index = 0;
  private isNmiMasked = false;
  /** Epoch seconds shown at the divider second boundary `phaseNs` (while running). */
  private baseSeconds: number;
  /** A virtual time at which a second (update) boundary falls. */
  private phaseNs = 0;
  /** Virtual time up to which register C's flags are accounted. */
  private flagsAt = 0;
  private isIrqHigh = false;
  private clock: Clock | undefined;
  private scheduler: Scheduler | undefined;
  private irq: IrqLine | undefined;
  private event: ScheduledEvent | undefined;
  private readonly onEvent = (now: number): void => this.interruptEvent(now);
  /** Called when port 70h bit 7 changes. */
  onNmiMaskChange: ((isMasked: boolean) => void) | undefined;

  constructor(options: Mc146818RtcOptions = {}) {
    this.onNmiMaskChange = options.onNmiMaskChange;
    this.baseSeconds = Math.floor((options.startTime ?? Date.UTC(2000, 0, 1)) / 1000);
    this.cmos[R.REG_A] = (R.A_DV_32K << R.A_DV_SHIFT) | 6; // 1024 Hz, as BIOSes leave it
    this.cmos[R.REG_B] = R.B_24H;
    this.cmos[R.REG_D] = R.D_VRT;
    this.storeTime(this.baseSeconds);
  }

  attach(context: DeviceContext): void {
    this.clock = context.clock;
    this.scheduler = context.scheduler;
    this.irq = context.irq(8);
    const now = this.now();
    this.phaseNs = now;
    this.flagsAt = now;
    const widths: readonly Width[] = [1];
    context.io.registerPorts(
      R.INDEX_PORT,
      2,
      {
        read: (port) => (port === R.INDEX_PORT ? 0xff : this.readData()),
        write: (port, _w, value) =>
          port === R.INDEX_PORT ? this.writeIndex(value & 0xff) : this.writeData(value & 0xff),
      },
      { owner: this.name, widths },
    );
  }

  /**
   * The RESET pin: clears PIE, AIE, UIE, SQWE and the flags of register C and drops IRQ 8.
   * Time, calendar and CMOS RAM are battery-backed and survive every reset kind.
   */
  reset(_kind: ResetKind): void {
    const now = this.now();
    this.cmos[R.REG_B]! &= ~(R.B_PIE | R.B_AIE | R.B_UIE | R.B_SQWE);
    this.cmos[R.REG_C] = 0;
    this.flagsAt = now;
    this.setIrq(false);
    this.reschedule(now);
  }

  /** Sets CMOS byte `index` (0-127); time registers go through the clock like guest writes. */
  setByte(index: number, value: number): void {
    const i = index & 0x7f;
    if (i <= R.REG_D) this.writeRegister(i, value & 0xff);
    else this.cmos[i] = value & 0xff;
  }

  /** Reads CMOS byte `index` without side effects (register C is not cleared). */
  getByte(index: number): number {
    const i = index & 0x7f;
    if (i <= R.YEAR && this.isUpdating()) this.storeTime(this.secondsAt(this.now()));
    return i === R.REG_A ? this.readA() : this.cmos[i]!;
  }

  /** Sets the clock to `epochMs` (UTC) now, as the board's "set the time" would. */
  setTime(epochMs: number): void {
    const seconds = Math.floor(epochMs / 1000);
    const now = this.now();
    this.catchUp(now);
    this.baseSeconds = seconds - Math.floor((now - this.phaseNs) / SECOND_NS);
    this.storeTime(seconds);
    this.reschedule(now);
  }

  /** The time the RTC shows now, in ms since the epoch (UTC). */
  time(): number {
    if (this.isUpdating()) return this.secondsAt(this.now()) * 1000;
    return (this.parseTime() ?? this.baseSeconds) * 1000;
  }

  /** True while port 70h bit 7 masks NMI. */
  get nmiMasked(): boolean {
    return this.isNmiMasked;
  }

  /** Fills the configuration bytes a PC BIOS reads and the standard checksum (2Eh/2Fh). */
  configure(config: CmosConfig): void {
    const c = this.cmos;
    if (config.memoryBelow4G !== undefined) {
      const below = config.memoryBelow4G;
      const base = Math.min(Math.floor(below / 1024), 640);
      c[R.CMOS_BASE_MEMORY] = base & 0xff;
      c[R.CMOS_BASE_MEMORY + 1] = base >> 8;
      const extended = Math.min(Math.max(Math.floor((below - (1 << 20)) / 1024), 0), 0xffff);
      c[R.CMOS_EXTENDED_MEMORY] = extended & 0xff;
      c[R.CMOS_EXTENDED_MEMORY + 1] = extended >> 8;
      c[R.CMOS_EXTENDED_MEMORY_POST] = extended & 0xff;
      c[R.CMOS_EXTENDED_MEMORY_POST + 1] = extended >> 8;
      const above16 = Math.min(Math.max(Math.floor((below - (16 << 20)) / 65536), 0), 0xffff);
      c[R.CMOS_MEMORY_ABOVE_16M] = above16 & 0xff;
      c[R.CMOS_MEMORY_ABOVE_16M + 1] = above16 >> 8;
    }
    if (config.memoryAbove4G !== undefined) {
      const blocks = Math.min(Math.floor(config.memoryAbove4G / 65536), 0xffffff);
      c[R.CMOS_MEMORY_ABOVE_4G] = blocks & 0xff;
      c[R.CMOS_MEMORY_ABOVE_4G + 1] = (blocks >> 8) & 0xff;
      c[R.CMOS_MEMORY_ABOVE_4G + 2] = blocks >> 16;
    }
    let equipment = c[R.CMOS_EQUIPMENT]!;
    if (config.floppyTypes !== undefined) {
      const [a, b] = config.floppyTypes;
      c[R.CMOS_FLOPPY_TYPES] = ((a & 0xf) << 4) | (b & 0xf);
      const drives = (a !== 0 ? 1 : 0) + (b !== 0 ? 1 : 0);
      // Bit 0: diskette drives present; bits 7:6: number of drives - 1.
      equipment = (equipment & 0x3e) | (drives > 0 ? 0x01 | ((drives - 1) << 6) : 0);
    }
    if (config.hasFpu !== undefined) equipment = (equipment & ~0x02) | (config.hasFpu ? 0x02 : 0);
    if (config.hasPs2Mouse !== undefined)
      equipment = (equipment & ~0x04) | (config.hasPs2Mouse ? 0x04 : 0);
    c[R.CMOS_EQUIPMENT] = equipment;
    if (config.hardDisks !== undefined) {
      const [d0, d1] = config.hardDisks;
      // Type Fh in 12h means "see the extended type"; 47 is the user-defined type.
      c[R.CMOS_DISK_TYPES] = (d0 !== false ? 0xf0 : 0) | (d1 !== false ? 0x0f : 0);
      c[R.CMOS_DISK0_EXTENDED_TYPE] = d0 !== false ? 47 : 0;
      c[R.CMOS_DISK1_EXTENDED_TYPE] = d1 !== false ? 47 : 0;
      if (typeof d0 === "object") this.storeGeometry(R.CMOS_DISK0_GEOMETRY, d0);
      if (typeof d1 === "object") this.storeGeometry(R.CMOS_DISK1_GEOMETRY, d1);
    }
    if (config.cpuCount !== undefined)
      c[R.CMOS_CPU_COUNT] = Math.max(0, Math.min(255, config.cpuCount - 1));
    if (config.bootOrder !== undefined) {
      const code = (i: number): number => {
        const device = config.bootOrder?.[i];
        return device === undefined ? 0 : BOOT_CODES[device];
      };
      c[R.CMOS_BOOT_FLAGS_2] = (code(1) << 4) | code(0);
      // Low bit 0: check the floppy boot signature (QEMU's default keeps it 0).
      c[R.CMOS_BOOT_FLAGS_1] = (code(2) << 4) | (c[R.CMOS_BOOT_FLAGS_1]! & 0x0f);
    }
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += c[i]!;
    c[R.CMOS_CHECKSUM] = (sum >> 8) & 0xff;
    c[R.CMOS_CHECKSUM + 1] = sum & 0xff;
  }

  /** The type-47 parameter block as QEMU's cmos_init_hd writes it (write precomp/landing FFFFh). */
  private storeGeometry(at: number, g: HardDiskGeometry): void {
    const c = this.cmos;
    const cylinders = Math.max(0, Math.min(0xffff, g.cylinders));
    const heads = Math.max(0, Math.min(0xff, g.heads));
    c[at] = cylinders & 0xff;
    c[at + 1] = cylinders >> 8;
    c[at + 2] = heads;
    c[at + 3] = 0xff;
    c[at + 4] = 0xff;
    c[at + 5] = 0xc0 | (heads > 8 ? 0x08 : 0);
    c[at + 6] = cylinders & 0xff;
    c[at + 7] = cylinders >> 8;
    c[at + 8] = Math.max(0, Math.min(0xff, g.sectors));
  }

  saveState(): Mc146818RtcState {
    return {
      cmos: Array.from(this.cmos),
      index: this.index,
      isNmiMasked: this.isNmiMasked,
      baseSeconds: this.baseSeconds,
      phaseNs: this.phaseNs,
      flagsAt: this.flagsAt,
      isIrqHigh: this.isIrqHigh,
    };
  }

  loadState(state: DeviceState): void {
    const s = state as Partial<Mc146818RtcState>;
    if (!Array.isArray(s.cmos) || s.cmos.length !== 128) throw new Error("mc146818: bad state");
    const num = (v: unknown, fallback: number): number =>
      typeof v === "number" && Number.isFinite(v) ? v : fallback;
    for (let i = 0; i < 128; i++) this.cmos[i] = num(s.cmos[i], 0) & 0xff;
    this.index = num(s.index, 0) & 0x7f;
    this.isNmiMasked = s.isNmiMasked === true;
    this.baseSeconds = Math.floor(num(s.baseSeconds, 946684800));
    this.phaseNs = num(s.phaseNs, 0);
    this.flagsAt = num(s.flagsAt, this.now());
    this.isIrqHigh = !(s.isIrqHigh === true);
    this.setIrq(s.isIrqHigh === true);
    this.reschedule(this.now());
  }

  private now(): number {
    return this.clock?.now() ?? 0;
  }

  private writeIndex(value: number): void {
    this.index = value & 0x7f;
    const masked = (value & R.NMI_DISABLE) !== 0;
    if (masked !== this.isNmiMasked) {
      this.isNmiMasked = masked;
      this.onNmiMaskChange?.(masked);
    }
  }

  private readData(): number {
    const i = this.index;
    if (i === R.REG_C) return this.readC();
    return this.getByte(i);
  }

  private writeData(value: number): void {
    this.setByte(this.index, value);
  }

  // --- time -------------------------------------------------------------------------------

  /** The divider runs (DV = 000, 001 or 010); 11x holds it in reset. */
  private isDividerRunning(): boolean {
    return this.cmos[R.REG_A]! >> R.A_DV_SHIFT <= R.A_DV_32K;
  }

  /** Update cycles happen: divider running and SET clear. */
  private isUpdating(): boolean {
    return this.isDividerRunning() && (this.cmos[R.REG_B]! & R.B_SET) === 0;
  }

  private secondsAt(now: number): number {
    return this.baseSeconds + Math.floor((now - this.phaseNs) / SECOND_NS);
  }

  private encode(value: number): number {
    return (this.cmos[R.REG_B]! & R.B_DM_BINARY) !== 0 ? value : toBcd(value);
  }

  private decode(value: number): number {
    return (this.cmos[R.REG_B]! & R.B_DM_BINARY) !== 0 ? value : fromBcd(value);
  }

  private encodeHour(hour: number): number {
    if ((this.cmos[R.REG_B]! & R.B_24H) !== 0) return this.encode(hour);
    const h12 = hour % 12 === 0 ? 12 : hour % 12;
    return this.encode(h12) | (hour >= 12 ? 0x80 : 0);
  }

  private decodeHour(value: number): number {
    if ((this.cmos[R.REG_B]! & R.B_24H) !== 0) return this.decode(value);
    const h12 = this.decode(value & 0x7f) % 12;
    return h12 + ((value & 0x80) !== 0 ? 12 : 0);
  }

  /** Writes the time and calendar bytes (and the century byte) for epoch `seconds`. */
  private storeTime(seconds: number): void {
    const d = new Date(seconds * 1000);
    const c = this.cmos;
    c[R.SECONDS] = this.encode(d.getUTCSeconds());
    c[R.MINUTES] = this.encode(d.getUTCMinutes());
    c[R.HOURS] = this.encodeHour(d.getUTCHours());
    c[R.DAY_OF_WEEK] = this.encode(d.getUTCDay() + 1); // Sunday = 1
    c[R.DAY_OF_MONTH] = this.encode(d.getUTCDate());
    c[R.MONTH] = this.encode(d.getUTCMonth() + 1);
    const year = d.getUTCFullYear();
    c[R.YEAR] = this.encode(year % 100);
    c[R.CMOS_CENTURY] = toBcd(Math.floor(year / 100) % 100); // always BCD (IBM convention)
  }

  /** Epoch seconds of the time and calendar bytes, or undefined if they are not a date. */
  private parseTime(): number | undefined {
    const c = this.cmos;
    const century = fromBcd(c[R.CMOS_CENTURY]!);
    const year = (century >= 19 && century <= 99 ? century : 20) * 100 + this.decode(c[R.YEAR]!);
    const ms = Date.UTC(
      year,
      this.decode(c[R.MONTH]!) - 1,
      this.decode(c[R.DAY_OF_MONTH]!),
      this.decodeHour(c[R.HOURS]!),
      this.decode(c[R.MINUTES]!),
      this.decode(c[R.SECONDS]!),
    );
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
  }

  private readA(): number {
    const a = this.cmos[R.REG_A]! & 0x7f;
    if (!this.isUpdating()) return a;
    const intoSecond = (((this.now() - this.phaseNs) % SECOND_NS) + SECOND_NS) % SECOND_NS;
    return intoSecond >= SECOND_NS - R.UIP_WINDOW_NS ? a | R.A_UIP : a;
  }

  private writeRegister(i: number, value: number): void {
    const now = this.now();
    this.catchUp(now);
    const wasUpdating = this.isUpdating();
    const wasRunning = this.isDividerRunning();
    if (wasUpdating) this.storeTime(this.secondsAt(now));
    switch (i) {
      case R.REG_A:
        this.cmos[R.REG_A] = value & 0x7f; // UIP is read-only
        break;
      case R.REG_B: {
        // SET aborts any update and clears UIE (datasheet, Register B: SET).
        this.cmos[R.REG_B] = (value & R.B_SET) !== 0 ? value & ~R.B_UIE : value;
        break;
      }
      case R.REG_C:
      case R.REG_D:
        return; // read-only
      default:
        this.cmos[i] = value;
    }
    if (this.isDividerRunning() && !wasRunning) {
      // Leaving divider reset: the first update comes 500 ms later.
      this.phaseNs = now + SECOND_NS / 2 - SECOND_NS;
    }
    if (this.isUpdating() && (!wasUpdating || i <= R.YEAR)) {
      const seconds = this.parseTime();
      if (seconds !== undefined)
        this.baseSeconds = seconds - Math.floor((now - this.phaseNs) / SECOND_NS);
    }
    this.reschedule(now);
  }

  // --- interrupts -------------------------------------------------------------------------

  private periodTicks(): number {
    const rs = this.cmos[R.REG_A]! & R.A_RS_MASK;
    if (rs === 0) return 0;
    // Table 3 (32.768 kHz): RS 1 and 2 are 256 and 128 Hz; RS n >= 3 is 65536 >> n Hz.
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
  }

  /** First boundary of period `period` ns (from the divider phase) strictly after `t`. */
  private nextBoundary(t: number, period: number): number {
    return this.phaseNs + (Math.floor((t - this.phaseNs) / period) + 1) * period;
  }

  private alarmMatches(seconds: number): boolean {
    const c = this.cmos;
    const d = new Date(seconds * 1000);
    const match = (alarm: number, value: number): boolean =>
      (alarm & R.ALARM_DONT_CARE) === R.ALARM_DONT_CARE || alarm === value;
    return (
      match(c[R.SECONDS_ALARM]!, this.encode(d.getUTCSeconds())) &&
      match(c[R.MINUTES_ALARM]!, this.encode(d.getUTCMinutes())) &&
      match(c[R.HOURS_ALARM]!, this.encodeHour(d.getUTCHours()))
    );
  }

  /** Virtual time of the first alarm update strictly after `t`, or -1 (none within a day). */
  private nextAlarm(t: number): number {
    let at = this.nextBoundary(t, SECOND_NS);
    const c = this.cmos;
    const anyHour = (c[R.HOURS_ALARM]! & R.ALARM_DONT_CARE) === R.ALARM_DONT_CARE;
    const anyMinute = (c[R.MINUTES_ALARM]! & R.ALARM_DONT_CARE) === R.ALARM_DONT_CARE;
    for (let steps = 0; steps < 3 * 86400; steps++) {
      const seconds = this.secondsAt(at);
      if (seconds >= this.baseSeconds + Math.floor((t - this.phaseNs) / SECOND_NS) + 86401)
        return -1;
      if (this.alarmMatches(seconds)) return at;
      const d = new Date(seconds * 1000);
      // Skip whole hours/minutes that cannot match.
      if (!anyHour && this.encodeHour(d.getUTCHours()) !== c[R.HOURS_ALARM])
        at += (3600 - d.getUTCMinutes() * 60 - d.getUTCSeconds()) * SECOND_NS;
      else if (!anyMinute && this.encode(d.getUTCMinutes()) !== c[R.MINUTES_ALARM])
        at += (60 - d.getUTCSeconds()) * SECOND_NS;
      else at += SECOND_NS;
    }
    return -1;
  }

  /** Sets the flags of register C for everything that happened in (flagsAt, now]. */
  private catchUp(now: number): void {
    const from = this.flagsAt;
    if (now <= from) return;
    this.flagsAt = now;
    let flags = this.cmos[R.REG_C]!;
    const period = this.periodTicks();
    if (this.isDividerRunning() && period !== 0) {
      if (this.nextBoundary(from, period * TICK_32K_NS) <= now) flags |= R.C_PF;
    }
    if (this.isUpdating() && this.nextBoundary(from, SECOND_NS) <= now) {
      flags |= R.C_UF;
      if ((flags & R.C_AF) === 0) {
        const alarm = this.nextAlarm(from);
        if (alarm >= 0 && alarm <= now) flags |= R.C_AF;
      }
    }
    const b = this.cmos[R.REG_B]!;
    if ((flags & b & (R.C_PF | R.C_AF | R.C_UF)) !== 0) flags |= R.C_IRQF;
    this.cmos[R.REG_C] = flags;
    if ((flags & R.C_IRQF) !== 0) this.setIrq(true);
  }

  private readC(): number {
    const now = this.now();
    this.catchUp(now);
    const value = this.cmos[R.REG_C]!;
    this.cmos[R.REG_C] = 0;
    this.setIrq(false);
    this.reschedule(now);
    return value;
  }

  /** Schedules the earliest enabled interrupt, if IRQF is not already set. */
  private reschedule(now: number): void {
    this.event?.cancel();
    this.event = undefined;
    // IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet, Register C): enabling a pending flag
    // raises IRQ 8 at once, disabling it drops the request.
    const c = this.cmos[R.REG_C]!;
    const b = this.cmos[R.REG_B]!;
    const isRequest = (c & b & (R.C_PF | R.C_AF | R.C_UF)) !== 0;
    this.cmos[R.REG_C] = isRequest ? c | R.C_IRQF : c & ~R.C_IRQF;
    this.setIrq(isRequest);
    if ((this.cmos[R.REG_C]! & R.C_IRQF) !== 0 || this.scheduler === undefined) return;
    let at = Infinity;
    const period = this.periodTicks();
    if ((b & R.B_PIE) !== 0 && period !== 0 && this.isDividerRunning())
      at = Math.min(at, this.nextBoundary(now, period * TICK_32K_NS));
    if (this.isUpdating()) {
      if ((b & R.B_UIE) !== 0) at = Math.min(at, this.nextBoundary(now, SECOND_NS));
      if ((b & R.B_AIE) !== 0) {
        const alarm = this.nextAlarm(now);
        if (alarm >= 0) at = Math.min(at, alarm);
      }
    }
    if (at !== Infinity) this.event = this.scheduler.schedule(at, this.onEvent);
  }

  private interruptEvent(now: number): void {
    this.event = undefined;
    this.catchUp(now);
    this.reschedule(now);
  }

  private setIrq(isHigh: boolean): void {
    if (isHigh === this.isIrqHigh) return;
    this.isIrqHigh = isHigh;
    if (isHigh) this.irq?.raise();
    else this.irq?.lower();
  }
}
