// One 8254 counter, evaluated analytically from the input-clock tick: the counting element
// and OUT are functions of (mode, count, segment start), so nothing runs per clock.
// Modes as in the 8254 datasheet, "Mode Definitions" (figures 14-19).
import { RW_LSB, RW_LSB_MSB, RW_MSB, STATUS_NULL_COUNT, STATUS_OUT, fromBcd, toBcd } from "./regs";

/** Not counting: waiting for a count, a gate trigger, or stopped by the gate. */
const IDLE = 0;
/** Counting since `start`. */
const RUNNING = 1;

/** Saved state of one counter (ticks are absolute input-clock ticks). */
export interface CounterState {
  readonly mode: number;
  readonly isBcd: boolean;
  readonly access: number;
  readonly countRegister: number;
  readonly hasCount: boolean;
  readonly writeLow: number;
  readonly isWritingHigh: boolean;
  readonly latchedCount: number;
  readonly latchedStatus: number;
  readonly isReadingHigh: boolean;
  readonly gate: boolean;
  readonly state: number;
  readonly start: number;
  readonly startValue: number;
  readonly period: number;
  readonly outAtStart: boolean;
  readonly isStrobeDone: boolean;
  readonly previousStart: number;
  readonly previousPeriod: number;
  readonly frozenValue: number;
  readonly idleOut: boolean;
  readonly loadTick: number;
}

export class Counter {
  mode = 3;
  isBcd = false;
  /** RW1:RW0 of the control word. */
  access = RW_LSB_MSB;
  /** CR as written (raw, BCD digits if BCD). */
  countRegister = 0;
  hasCount = false;
  writeLow = 0;
  isWritingHigh = false;
  /** Output latch (counter latch command or read-back), -1 when not latched. */
  latchedCount = -1;
  /** Status latch (read-back), -1 when not latched. */
  latchedStatus = -1;
  isReadingHigh = false;
  gate = true;
  state = IDLE;
  /** Tick at which the current counting segment began (CR loaded into CE). */
  start = 0;
  /** CE value at `start` (modes 0, 1, 4, 5), 1..modulus. */
  startValue = 65536;
  /** Reload period N (modes 2, 3), 1..modulus. */
  period = 65536;
  /** Mode 0: OUT was already high at `start` (resumed after terminal count). */
  outAtStart = false;
  /** Modes 4/5: the strobe already happened before this segment. */
  isStrobeDone = false;
  /** Modes 2/3: a new count waits for the end of the cycle; these describe ticks < start. */
  previousStart = -1;
  previousPeriod = 65536;
  /** CE and OUT while not counting. */
  frozenValue = 0;
  idleOut = true;
  /** Tick at which the written count reaches CE (null count until then); -1: not scheduled. */
  loadTick = -1;

  get modulus(): number {
    return this.isBcd ? 10000 : 65536;
  }

  /** N from CR: 0 means the modulus (2^16 or 10^4). */
  private initialCount(): number {
    const n = this.isBcd ? fromBcd(this.countRegister) % 10000 : this.countRegister & 0xffff;
    return n === 0 ? this.modulus : n;
  }

  powerOn(tick: number, gate: boolean): void {
    this.load({} as CounterState); // every field to its default
    this.gate = gate;
    // QEMU's reset state (the PC's BIOS reprograms every counter anyway): mode 3, count 0.
    this.setControl((3 << 1) | (RW_LSB_MSB << 4), tick);
    this.countRegister = 0;
    this.countWritten(tick);
  }

  /** Control word with RW != 00 for this counter. */
  setControl(control: number, _tick: number): void {
    this.access = (control >> 4) & 3;
    const mode = (control >> 1) & 7;
    this.mode = mode > 5 ? mode & 3 : mode; // 6 and 7 are 2 and 3
    this.isBcd = (control & 1) !== 0;
    this.isWritingHigh = false;
    this.isReadingHigh = false;
    this.latchedCount = -1;
    this.latchedStatus = -1;
    this.state = IDLE;
    this.hasCount = false;
    this.previousStart = -1;
    this.loadTick = -1;
    this.idleOut = this.mode !== 0; // mode 0: OUT low after the control word; others high
  }

  /** A data write to the counter's port. */
  write(value: number, tick: number): void {
    switch (this.access) {
      case RW_LSB:
        this.countRegister = value;
        break;
      case RW_MSB:
        this.countRegister = value << 8;
        break;
      default:
        if (!this.isWritingHigh) {
          this.writeLow = value;
          this.isWritingHigh = true;
          // Mode 0: the first byte stops counting and drops OUT at once.
          if (this.mode === 0) this.freeze(tick, false);
          return;
        }
        this.isWritingHigh = false;
        this.countRegister = this.writeLow | (value << 8);
    }
    this.countWritten(tick);
  }

  private countWritten(tick: number): void {
    const n = this.initialCount();
    this.hasCount = true;
    switch (this.mode) {
      case 0:
      case 4:
        this.isStrobeDone = false;
        this.outAtStart = false;
        if (this.gate) this.begin(tick + 1, n);
        else {
          this.state = IDLE;
          this.frozenValue = n;
          this.idleOut = this.mode === 4;
          this.loadTick = tick + 1;
        }
        break;
      case 1:
      case 5:
        // Loaded by the next gate trigger; a running one-shot is not disturbed.
        if (this.state !== RUNNING) this.loadTick = -1;
        break;
      default:
        if (this.state === RUNNING && this.gate) {
          // Modes 2/3: the new count takes effect when the current cycle ends.
          if (tick >= this.start) {
            const elapsed = tick - this.start;
            const boundary = this.start + (Math.floor(elapsed / this.period) + 1) * this.period;
            this.previousStart = this.start;
            this.previousPeriod = this.period;
            this.start = boundary;
          }
          this.period = n;
          this.loadTick = this.start;
        } else if (this.gate) {
          this.begin(tick + 1, n);
        }
    }
  }

  private begin(start: number, n: number): void {
    this.state = RUNNING;
    this.start = start;
    this.startValue = n;
    this.period = n;
    this.previousStart = -1;
    this.loadTick = start;
  }

  /** Stops counting, keeping CE and setting OUT to `out`. */
  private freeze(tick: number, out: boolean): void {
    this.frozenValue = this.rawValue(tick);
    this.state = IDLE;
    this.idleOut = out;
    this.previousStart = -1;
  }

  setGate(isHigh: boolean, tick: number): void {
    if (isHigh === this.gate) return;
    this.gate = isHigh;
    switch (this.mode) {
      case 0:
      case 4:
        if (!isHigh) {
          if (this.state === RUNNING) {
            const out = this.out(tick);
            this.isStrobeDone = this.isStrobeDone || tick - this.start >= this.startValue;
            this.outAtStart = out;
            this.freeze(tick, out);
          }
        } else if (this.hasCount && this.state === IDLE && !this.isWritingHigh) {
          const resume = this.frozenValue === 0 ? this.modulus : this.frozenValue;
          const out = this.idleOut;
          this.begin(tick + 1, resume);
          this.outAtStart = this.mode === 0 && out;
        }
        break;
      case 1:
      case 5:
        // A rising gate edge triggers (and retriggers) the one-shot.
        if (isHigh && this.hasCount) {
          this.isStrobeDone = false;
          this.begin(tick + 1, this.initialCount());
        }
        break;
      default:
        // Modes 2/3: gate low forces OUT high and stops; the rising edge reloads.
        if (!isHigh) {
          if (this.state === RUNNING) this.freeze(tick, true);
        } else if (this.hasCount) {
          this.begin(tick + 1, this.initialCount());
        }
    }
  }

  /** CE at `tick`, 0..modulus-1 (binary). */
  private rawValue(tick: number): number {
    if (this.state !== RUNNING) return this.frozenValue % this.modulus;
    let start = this.start;
    let period = this.period;
    if (tick < start) {
      // Before the load clock a real read could see the old CE, but an ISA read takes about
      // a microsecond, longer than the wait; software (Linux's quick_pit_calibrate) counts on
      // reading the new count right after writing it.
      if (this.previousStart < 0) return this.startValue % this.modulus;
      start = this.previousStart;
      period = this.previousPeriod;
    }
    const m = this.modulus;
    const e = tick - start;
    switch (this.mode) {
      case 2:
        return (period - (e % period)) % m;
      case 3: {
        const p = e % period;
        const high = Math.ceil(period / 2);
        const even = period - (period & 1);
        return (p < high ? even - 2 * p : even - 2 * (p - high)) % m;
      }
      default:
        return ((((this.startValue - e) % m) + m) % m) % m;
    }
  }

  /** OUT at `tick`. */
  out(tick: number): boolean {
    if (this.state !== RUNNING) return this.idleOut;
    let start = this.start;
    let period = this.period;
    if (tick < start) {
      if (this.previousStart < 0) return this.idleOut;
      start = this.previousStart;
      period = this.previousPeriod;
    }
    const e = tick - start;
    switch (this.mode) {
      case 0:
        return this.outAtStart || e >= this.startValue;
      case 1:
        return e >= this.startValue;
      case 2:
        // Low for one clock when CE reaches 1 (a count of 1 is illegal; OUT stays high).
        return period === 1 || e % period !== period - 1;
      case 3:
        return e % period < Math.ceil(period / 2);
      default:
        // Modes 4/5: one clock low when CE reaches 0.
        return this.isStrobeDone || e !== this.startValue;
    }
  }

  /** The first tick after `tick` at which OUT may change, or -1. */
  nextChange(tick: number): number {
    if (this.state !== RUNNING) return -1;
    if (tick < this.start) {
      // Before the load clock: OUT changes at `start` only if the new segment starts there
      // at another level.
      if (this.previousStart < 0)
        return this.out(this.start) !== this.idleOut ? this.start : this.nextChange(this.start);
      const inPrevious = this.periodicNext(tick, this.previousStart, this.previousPeriod);
      return Math.min(inPrevious, this.start);
    }
    const e = tick - this.start;
    switch (this.mode) {
      case 0:
        return this.outAtStart || e >= this.startValue ? -1 : this.start + this.startValue;
      case 1:
        return e >= this.startValue ? -1 : this.start + this.startValue;
      case 2:
      case 3:
        return this.periodicNext(tick, this.start, this.period);
      default:
        if (this.isStrobeDone || e > this.startValue) return -1;
        return e < this.startValue ? this.start + this.startValue : tick + 1;
    }
  }

  private periodicNext(tick: number, start: number, period: number): number {
    const p = (tick - start) % period;
    if (this.mode === 2) {
      if (period === 1) return -1;
      return p < period - 1 ? tick + (period - 1 - p) : tick + 1;
    }
    const high = Math.ceil(period / 2);
    return p < high ? tick + (high - p) : tick + (period - p);
  }

  /** The counter latch command: latches CE unless already latched. */
  latchCount(tick: number): void {
    if (this.latchedCount >= 0) return;
    const v = this.rawValue(tick);
    this.latchedCount = this.isBcd ? toBcd(v % 10000) : v & 0xffff;
  }

  /** Read-back status latch (status byte of the datasheet's "Status Byte" figure). */
  latchStatus(tick: number): void {
    if (this.latchedStatus >= 0) return;
    const isNull = !this.hasCount || this.loadTick < 0 || tick < this.loadTick;
    this.latchedStatus =
      (this.out(tick) ? STATUS_OUT : 0) |
      (isNull ? STATUS_NULL_COUNT : 0) |
      (this.access << 4) |
      (this.mode << 1) |
      (this.isBcd ? 1 : 0);
  }

  read(tick: number): number {
    if (this.latchedStatus >= 0) {
      const status = this.latchedStatus;
      this.latchedStatus = -1;
      return status;
    }
    let value: number;
    if (this.latchedCount >= 0) value = this.latchedCount;
    else {
      const v = this.rawValue(tick);
      value = this.isBcd ? toBcd(v % 10000) : v & 0xffff;
    }
    let byte: number;
    let isDone = true;
    switch (this.access) {
      case RW_LSB:
        byte = value & 0xff;
        break;
      case RW_MSB:
        byte = value >> 8;
        break;
      default:
        byte = this.isReadingHigh ? value >> 8 : value & 0xff;
        isDone = this.isReadingHigh;
        this.isReadingHigh = !this.isReadingHigh;
    }
    if (isDone) this.latchedCount = -1;
    return byte & 0xff;
  }

  save(): CounterState {
    return {
      mode: this.mode,
      isBcd: this.isBcd,
      access: this.access,
      countRegister: this.countRegister,
      hasCount: this.hasCount,
      writeLow: this.writeLow,
      isWritingHigh: this.isWritingHigh,
      latchedCount: this.latchedCount,
      latchedStatus: this.latchedStatus,
      isReadingHigh: this.isReadingHigh,
      gate: this.gate,
      state: this.state,
      start: this.start,
      startValue: this.startValue,
      period: this.period,
      outAtStart: this.outAtStart,
      isStrobeDone: this.isStrobeDone,
      previousStart: this.previousStart,
      previousPeriod: this.previousPeriod,
      frozenValue: this.frozenValue,
      idleOut: this.idleOut,
      loadTick: this.loadTick,
    };
  }

  load(s: CounterState): void {
    const int = (v: unknown, min: number, max: number, fallback: number): number =>
      typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
    const big = Number.MAX_SAFE_INTEGER;
    this.mode = int(s.mode, 0, 5, 3);
    this.isBcd = s.isBcd === true;
    this.access = int(s.access, 1, 3, RW_LSB_MSB);
    this.countRegister = int(s.countRegister, 0, 0xffff, 0);
    this.hasCount = s.hasCount === true;
    this.writeLow = int(s.writeLow, 0, 0xff, 0);
    this.isWritingHigh = s.isWritingHigh === true;
    this.latchedCount = int(s.latchedCount, -1, 0xffff, -1);
    this.latchedStatus = int(s.latchedStatus, -1, 0xff, -1);
    this.isReadingHigh = s.isReadingHigh === true;
    this.gate = s.gate !== false;
    this.state = int(s.state, IDLE, RUNNING, IDLE);
    this.start = int(s.start, 0, big, 0);
    this.startValue = int(s.startValue, 1, 65536, 65536);
    this.period = int(s.period, 1, 65536, 65536);
    this.outAtStart = s.outAtStart === true;
    this.isStrobeDone = s.isStrobeDone === true;
    this.previousStart = int(s.previousStart, -1, big, -1);
    this.previousPeriod = int(s.previousPeriod, 1, 65536, 65536);
    this.frozenValue = int(s.frozenValue, 0, 65536, 0);
    this.idleOut = s.idleOut !== false;
    this.loadTick = int(s.loadTick, -1, big, -1);
  }
}
