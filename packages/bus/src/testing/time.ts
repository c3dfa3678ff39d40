// A clock that only moves when a test says so, and a scheduler that fires due events in order.
import type { Clock, ScheduledEvent, Scheduler } from "../time";

/** A {@link Clock} whose time (ns) is set by the test. Time never goes backwards. */
export class ManualClock implements Clock {
  private time: number;

  constructor(startNs = 0) {
    this.time = startNs;
  }

  now(): number {
    return this.time;
  }

  /** Moves the clock to `ns` (ignored if in the past). Fires nothing: use the scheduler. */
  set(ns: number): void {
    if (ns > this.time) this.time = ns;
  }
}

interface Entry {
  readonly at: number;
  readonly sequence: number;
  readonly callback: (now: number) => void;
  isCancelled: boolean;
}

/**
 * A {@link Scheduler} driven by the test. Events fire only from {@link advance},
 * {@link advanceTo} or {@link runDue}, earliest first (ties in scheduling order), with the
 * clock set to the event's time while its callback runs. An event scheduled in the past
 * fires at the next of those calls, at the current time (never re-entrantly inside
 * `schedule`, like a hypervisor that fires events between guest slices).
 */
export class ManualScheduler implements Scheduler {
  private queue: Entry[] = [];
  private sequence = 0;
  /** Times at which events fired, in order (for asserting timing). */
  readonly fired: number[] = [];
  /** Guard against devices that reschedule themselves at the same instant forever. */
  maxEventsPerAdvance = 1_000_000;

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  schedule(at: number, callback: (now: number) => void): ScheduledEvent {
    if (!Number.isFinite(at)) throw new RangeError(`schedule: time ${at} is not finite`);
    const entry: Entry = { at, sequence: this.sequence++, callback, isCancelled: false };
    // Keep the queue sorted by (at, sequence): insert after every entry due no later.
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.queue[mid]!.at <= at) low = mid + 1;
      else high = mid;
    }
    this.queue.splice(low, 0, entry);
    return {
      cancel: () => {
        if (entry.isCancelled) return;
        entry.isCancelled = true;
        // Drop it from the queue so devices that re-arm often do not grow it.
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
      },
    };
  }

  /** Number of events neither fired nor cancelled. */
  get pending(): number {
    let count = 0;
    for (const e of this.queue) if (!e.isCancelled) count++;
    return count;
  }

  /** Time of the earliest pending event, or undefined. */
  nextAt(): number | undefined {
    for (const e of this.queue) if (!e.isCancelled) return e.at;
    return undefined;
  }

  /** Advances the clock by `ns`, firing every event due on the way. */
  advance(ns: number): void {
    this.advanceTo(this.clock.now() + ns);
  }

  /** Advances the clock to `until` ns, firing every event due on the way, in order. */
  advanceTo(until: number): void {
    let fired = 0;
    for (;;) {
      const head = this.queue[0];
      if (head === undefined || head.at > until) break;
      this.queue.shift();
      if (head.isCancelled) continue;
      if (++fired > this.maxEventsPerAdvance)
        throw new Error(`ManualScheduler: more than ${this.maxEventsPerAdvance} events`);
      this.clock.set(head.at);
      const now = this.clock.now();
      this.fired.push(now);
      head.callback(now);
    }
    this.clock.set(until);
  }

  /** Fires the events already due at the current time. */
  runDue(): void {
    this.advanceTo(this.clock.now());
  }

  /** Advances to the next pending event and fires it (and any due at the same time). */
  runNext(): boolean {
    const at = this.nextAt();
    if (at === undefined) return false;
    this.advanceTo(Math.max(at, this.clock.now()));
    return true;
  }
}
