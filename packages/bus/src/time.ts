// Virtual time. Devices read the clock and schedule events; they never poll per instruction.

/** Guest time in nanoseconds since power-on. One clock drives PIT, RTC, APIC, PM timer, TSC. */
export interface Clock {
  now(): number;
  /**
   * Whole nanoseconds `now()` advances per retired instruction while the guest runs (time
   * derived from the instruction count: moving otherwise only between runs, at a halt, and in
   * a port access, which waits on the bus), or 0 when guest time is not such a function (host
   * time). Lets translated code compute RDTSC inline instead of calling out for it.
   */
  readonly instructionNs?: number;
}

/** A pending event that can be cancelled. */
export interface ScheduledEvent {
  cancel(): void;
}

/** Runs callbacks at a guest time; the hypervisor fires them between guest slices. */
export interface Scheduler {
  /** Calls `callback(now)` when the clock reaches `at` nanoseconds (or at once if past). */
  schedule(at: number, callback: (now: number) => void): ScheduledEvent;
}
