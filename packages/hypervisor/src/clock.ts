// Virtual time: the one clock from which PIT, RTC, APIC timer, ACPI PM timer and TSC derive.
import type { Clock } from "@ringvm/bus";
import { defaultHost } from "./host";

/** Something that counts retired guest instructions (the `Cpu` does). */
export interface InstructionCounter {
  readonly instructionCount: number;
}

/**
 * `realtime`: guest time follows the host's monotonic clock (frozen while paused).
 * `deterministic`: guest time is derived from the retired-instruction count at a fixed rate,
 * plus the idle time skipped over while the guest halts, so the same input gives the same
 * output byte for byte.
 */
export type ClockMode = "realtime" | "deterministic";

export interface VirtualClockOptions {
  /** Default `realtime`. */
  mode?: ClockMode;
  /**
   * Deterministic mode: guest nanoseconds per retired instruction. Default 10 (a 100 MIPS
   * guest), near the speed the interpreter reaches on a current host, so guest timeouts feel
   * like wall-clock ones.
   */
  nsPerInstruction?: number;
  /** TSC frequency in Hz. Default 1 GHz, so one TSC tick is one guest nanosecond. */
  tscHz?: number;
  /** Realtime mode: the host's monotonic millisecond clock. Default `performance.now()`. */
  hostNow?: () => number;
  /**
   * Realtime mode: start running at once instead of paused at 0. Default false: guest time stays
   * 0 while the board is built and starts when the hypervisor first runs (or on `resume()`), so
   * loading files does not count as guest time.
   */
  isRunning?: boolean;
}

const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;

/**
 * Guest time in nanoseconds since power-on. A realtime clock starts paused at 0; the
 * `Hypervisor` resumes it when it first runs the guest.
 *
 * @example
 * const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
 * const cpu = new Cpu({ memory, io, clock });
 * clock.attach(cpu); // time now advances 10 ns per retired instruction
 */
export class VirtualClock implements Clock {
  readonly mode: ClockMode;
  readonly nsPerInstruction: number;
  readonly tscHz: number;
  private readonly hostNow: () => number;
  private counter: InstructionCounter | null = null;
  /** Deterministic: counter value at attach; time = skipped + (count - base) * rate. */
  private countBase = 0;
  /**
   * Deterministic: nanoseconds not counted by instructions: jumped over while the guest was
   * halted (`advanceTo`) and waited on the bus in device accesses (`wait`).
   */
  private skippedNs = 0;
  /** Realtime: host ms that corresponds to guest time 0 (moves forward by paused spans). */
  private originMs: number;
  private pausedAtNs = -1;

  constructor(options: VirtualClockOptions = {}) {
    this.mode = options.mode ?? "realtime";
    this.nsPerInstruction = options.nsPerInstruction ?? 10;
    if (!(this.nsPerInstruction > 0)) throw new RangeError("nsPerInstruction must be positive");
    this.tscHz = options.tscHz ?? NS_PER_S;
    this.hostNow = options.hostNow ?? defaultHost().now;
    // Deterministic time never reads the host clock, not even for its origin.
    this.originMs = this.mode === "realtime" ? this.hostNow() : 0;
    if (this.mode === "realtime" && options.isRunning !== true) this.pausedAtNs = 0;
  }

  get isDeterministic(): boolean {
    return this.mode === "deterministic";
  }

  /**
   * Deterministic mode with a counter attached and a whole `nsPerInstruction`: that (`now()` is
   * then `nsPerInstruction` per retired instruction plus what `advanceTo` adds between runs and
   * `wait` in port accesses); else 0.
   */
  get instructionNs(): number {
    return this.mode === "deterministic" &&
      this.counter !== null &&
      Number.isInteger(this.nsPerInstruction)
      ? this.nsPerInstruction
      : 0;
  }

  get isPaused(): boolean {
    return this.pausedAtNs >= 0;
  }

  /** Deterministic mode: the instruction counter time derives from (usually the `Cpu`). */
  attach(counter: InstructionCounter): void {
    const now = this.counter === null ? this.skippedNs : this.now();
    this.counter = counter;
    this.countBase = counter.instructionCount;
    this.skippedNs = now;
  }

  /** Guest nanoseconds since power-on (an integer). */
  now(): number {
    if (this.mode === "deterministic") {
      const c = this.counter;
      if (c === null) return this.skippedNs;
      return (
        this.skippedNs + Math.floor((c.instructionCount - this.countBase) * this.nsPerInstruction)
      );
    }
    if (this.pausedAtNs >= 0) return this.pausedAtNs;
    return Math.floor((this.hostNow() - this.originMs) * NS_PER_MS);
  }

  /** The time-stamp counter for RDTSC: guest time at {@link tscHz}. */
  tsc(): number {
    const ns = this.now();
    return this.tscHz === NS_PER_S ? ns : Math.floor((ns * this.tscHz) / NS_PER_S);
  }

  /**
   * Deterministic mode: retired instructions still needed before `now()` reaches `deadlineNs`
   * (at least 1 when the deadline is in the future, 0 when it has passed).
   */
  instructionsUntil(deadlineNs: number): number {
    const c = this.counter;
    if (c === null) return 0;
    const target = Math.ceil(deadlineNs) - this.skippedNs;
    const needed =
      Math.ceil(target / this.nsPerInstruction) - (c.instructionCount - this.countBase);
    return needed > 0 ? needed : 0;
  }

  /**
   * Deterministic mode: jumps guest time forward to `ns` (the guest halted with nothing to do
   * until then). Ignored if `ns` is not ahead, and in realtime mode (host time moves by itself).
   */
  advanceTo(ns: number): void {
    if (this.mode !== "deterministic") return;
    const now = this.now();
    if (ns > now) this.skippedNs += Math.ceil(ns) - now;
  }

  /**
   * Deterministic mode: the running instruction waits `ns` more (a port access's bus cycle), so
   * guest time moves on by that much. Ignored in realtime mode, where the host's time passes.
   */
  wait(ns: number): void {
    if (this.mode === "deterministic") this.skippedNs += ns;
  }

  /** Freezes guest time (realtime mode; deterministic time only moves with the guest anyway). */
  pause(): void {
    if (this.pausedAtNs < 0) this.pausedAtNs = this.now();
  }

  /** Resumes after {@link pause}; guest time continues from where it stopped. */
  resume(): void {
    if (this.pausedAtNs < 0) return;
    if (this.mode === "realtime") this.originMs = this.hostNow() - this.pausedAtNs / NS_PER_MS;
    this.pausedAtNs = -1;
  }
}
