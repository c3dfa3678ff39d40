// The timed-event queue: a binary min-heap of timers keyed by (deadline, arm order).
import type { ScheduledEvent, Scheduler } from "@ringvm/bus";

/**
 * A reusable timer. Arm it again and again without allocating; the heap keeps a reference only
 * while it is armed.
 */
export class Timer implements ScheduledEvent {
  /** Deadline in guest ns while armed. */
  at = 0;
  /** Position in the heap, -1 when not armed. */
  heapIndex = -1;
  /** Arm order, breaking ties between equal deadlines (first armed fires first). */
  sequence = 0;

  constructor(
    private readonly owner: EventScheduler,
    /** Called with the current guest time when the timer fires. */
    readonly callback: (now: number) => void,
  ) {}

  get isArmed(): boolean {
    return this.heapIndex >= 0;
  }

  /** (Re)arms the timer for guest time `at` ns, replacing any earlier deadline. */
  arm(at: number): void {
    this.owner.arm(this, at);
  }

  /** Disarms the timer; a no-op if it is not armed (or already fired). */
  cancel(): void {
    this.owner.disarm(this);
  }
}

/**
 * The hypervisor's {@link Scheduler}: events fire between guest slices, in deadline order, ties
 * in the order they were armed. `schedule()` allocates one small {@link Timer} per call (the bus
 * interface); devices that rearm often should use {@link createTimer} and re-`arm` it, which
 * allocates nothing.
 *
 * @example
 * const scheduler = new EventScheduler();
 * const tick = scheduler.createTimer((now) => { irq0.raise(); tick.arm(now + 1_000_000); });
 * tick.arm(1_000_000);
 * scheduler.runDue(clock.now());
 */
export class EventScheduler implements Scheduler {
  private heap: Timer[] = [];
  private size = 0;
  private sequence = 0;
  /** Guard against a device that keeps rescheduling itself at or before `now`. */
  maxEventsPerRun = 100_000;
  /** Events fired since construction (statistics). */
  firedCount = 0;
  /**
   * Called when an arm makes a timer the earliest one (the hypervisor uses it to cut short a
   * host sleep when host code, such as a disk completion, schedules an event).
   */
  onEarlierDeadline: (() => void) | null = null;

  /** A timer for repeated use. It starts disarmed. */
  createTimer(callback: (now: number) => void): Timer {
    return new Timer(this, callback);
  }

  /** One-shot event at guest time `at` ns (fires at the next `runDue` if already past). */
  schedule(at: number, callback: (now: number) => void): ScheduledEvent {
    const timer = new Timer(this, callback);
    this.arm(timer, at);
    return timer;
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.size;
  }

  /** The earliest deadline in guest ns, or `Infinity` when nothing is armed. */
  nextDeadline(): number {
    return this.size > 0 ? this.heap[0]!.at : Infinity;
  }

  /**
   * Fires every timer whose deadline is at or before `now`, earliest first. Callbacks may arm or
   * cancel timers (including ones due now, which fire in this same call). Returns how many fired.
   */
  runDue(now: number): number {
    let fired = 0;
    while (this.size > 0 && this.heap[0]!.at <= now && fired < this.maxEventsPerRun) {
      const timer = this.heap[0]!;
      this.removeAt(0);
      fired++;
      timer.callback(now);
    }
    this.firedCount += fired;
    return fired;
  }

  /** Disarms everything (board reset). */
  clear(): void {
    for (let i = 0; i < this.size; i++) {
      this.heap[i]!.heapIndex = -1;
    }
    this.size = 0;
  }

  /** @internal Used by {@link Timer.arm}. */
  arm(timer: Timer, at: number): void {
    if (Number.isNaN(at)) throw new RangeError("timer deadline is NaN");
    if (timer.heapIndex >= 0) this.removeAt(timer.heapIndex);
    timer.at = at;
    timer.sequence = this.sequence++;
    const index = this.size++;
    this.heap[index] = timer;
    timer.heapIndex = index;
    this.siftUp(index);
    if (timer.heapIndex === 0 && this.onEarlierDeadline !== null) this.onEarlierDeadline();
  }

  /** @internal Used by {@link Timer.cancel}. */
  disarm(timer: Timer): void {
    if (timer.heapIndex >= 0) this.removeAt(timer.heapIndex);
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    removed.heapIndex = -1;
    const last = --this.size;
    if (index !== last) {
      const moved = heap[last]!;
      heap[index] = moved;
      moved.heapIndex = index;
      this.siftDown(index);
      if (moved.heapIndex === index) this.siftUp(index);
    }
    // Keep the slot (no shrink: steady state allocates nothing) but drop the reference.
    (heap as (Timer | undefined)[])[last] = undefined;
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!isEarlier(item, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.heapIndex = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const size = this.size;
    const item = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && isEarlier(heap[right]!, heap[left]!)) child = right;
      const c = heap[child]!;
      if (!isEarlier(c, item)) break;
      heap[index] = c;
      c.heapIndex = index;
      index = child;
    }
    heap[index] = item;
    item.heapIndex = index;
  }
}

function isEarlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.sequence < b.sequence);
}
