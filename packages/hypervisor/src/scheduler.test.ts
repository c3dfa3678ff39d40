import { describe, expect, it } from "vitest";
import { EventScheduler } from "./scheduler";

describe("EventScheduler", () => {
  it("fires in deadline order, ties in the order they were scheduled", () => {
    const s = new EventScheduler();
    const fired: string[] = [];
    // Deadlines chosen by hand; expected order sorted by (deadline, scheduling order).
    const plan: [string, number][] = [
      ["a", 50],
      ["b", 10],
      ["c", 30],
      ["d", 10],
      ["e", 70],
      ["f", 30],
      ["g", 0],
    ];
    for (const [name, at] of plan) s.schedule(at, () => fired.push(name));
    expect(s.nextDeadline()).toBe(0);
    expect(s.runDue(30)).toBe(5);
    expect(fired).toEqual(["g", "b", "d", "c", "f"]);
    expect(s.nextDeadline()).toBe(50);
    expect(s.runDue(1000)).toBe(2);
    expect(fired).toEqual(["g", "b", "d", "c", "f", "a", "e"]);
    expect(s.nextDeadline()).toBe(Infinity);
  });

  it("matches a sorted oracle for many random deadlines with cancellations", () => {
    const s = new EventScheduler();
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 8;
    };
    const fired: number[] = [];
    const expected: { at: number; id: number }[] = [];
    const events = [];
    for (let id = 0; id < 500; id++) {
      const at = rand() % 1000;
      events.push(s.schedule(at, () => fired.push(id)));
      expected.push({ at, id });
    }
    const cancelled = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const id = rand() % 500;
      cancelled.add(id);
      events[id]!.cancel();
    }
    s.runDue(1000);
    const oracle = expected
      .filter((e) => !cancelled.has(e.id))
      .sort((x, y) => x.at - y.at || x.id - y.id)
      .map((e) => e.id);
    expect(fired).toEqual(oracle);
    expect(s.pending).toBe(0);
  });

  it("cancel is a no-op after firing, and a cancelled event never fires", () => {
    const s = new EventScheduler();
    const fired: string[] = [];
    const a = s.schedule(5, () => fired.push("a"));
    const b = s.schedule(6, () => fired.push("b"));
    b.cancel();
    s.runDue(10);
    a.cancel();
    b.cancel();
    expect(fired).toEqual(["a"]);
  });

  it("reusable timers rearm without duplicates; events scheduled while running fire if due", () => {
    const s = new EventScheduler();
    const times: number[] = [];
    const tick = s.createTimer((now) => {
      times.push(now);
      if (times.length < 3) tick.arm(now); // due again at once: fires in the same runDue
    });
    tick.arm(100);
    tick.arm(40); // rearm replaces the earlier deadline
    expect(s.pending).toBe(1);
    expect(s.runDue(39)).toBe(0);
    expect(s.runDue(40)).toBe(3);
    expect(times).toEqual([40, 40, 40]);
    expect(tick.isArmed).toBe(false);
  });

  it("stops a device that reschedules itself at `now` forever", () => {
    const s = new EventScheduler();
    s.maxEventsPerRun = 50;
    const t = s.createTimer((now) => t.arm(now));
    t.arm(0);
    expect(s.runDue(0)).toBe(50);
    expect(s.pending).toBe(1);
  });

  it("clear disarms everything", () => {
    const s = new EventScheduler();
    const t = s.createTimer(() => undefined);
    t.arm(1);
    s.schedule(2, () => undefined);
    s.clear();
    expect(s.pending).toBe(0);
    expect(t.isArmed).toBe(false);
    expect(s.nextDeadline()).toBe(Infinity);
  });
});
