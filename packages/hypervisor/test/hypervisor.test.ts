import { describe, expect, it } from "vitest";
import {
  EngineStop,
  EventScheduler,
  ExitReason,
  formatStats,
  Hypervisor,
  VirtualClock,
} from "../src/index";
import { FakeGuest, FakeHost } from "./fakes";

const MS = 1_000_000;

/** A 1 kHz periodic "PIT" raising the guest's irq; the guest logs each wake and does host I/O. */
async function deterministicRun(ioDelayMs: number[], maxSlice: number): Promise<string[]> {
  const log: string[] = [];
  const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
  const scheduler = new EventScheduler();
  let wakes = 0;
  let hv: Hypervisor | null = null;
  const guest = new FakeGuest(3000, () => {
    wakes++;
    log.push(`wake ${wakes} at ${clock.now()} ns, insn ${guest.instructionCount}`);
    if (wakes % 4 === 0) {
      // A disk read finishing after a host delay that differs between runs.
      const delay = ioDelayMs[wakes % ioDelayMs.length]!;
      hv!.submit(
        new Promise<number>((resolve) => setTimeout(() => resolve(wakes), delay)),
        (value) => log.push(`io ${value} done at ${clock.now()} ns`),
      );
    }
    if (wakes === 12) hv!.requestPowerOff();
  });
  clock.attach(guest);
  const tick = scheduler.createTimer((now) => {
    guest.irq = true;
    tick.arm(now + MS);
  });
  tick.arm(MS);
  hv = new Hypervisor({ cpu: guest, clock, scheduler, maxSliceInstructions: maxSlice, yieldMs: 0 });
  const end = await hv.start();
  log.push(`end ${end.reason} at ${clock.now()} ns`);
  return log;
}

describe("Hypervisor, deterministic clock", () => {
  it("gives the same event order and times on two runs despite different host I/O latency", async () => {
    const first = await deterministicRun([0, 3, 1], 1000);
    const second = await deterministicRun([2, 0, 5], 1000);
    expect(second).toEqual(first);
    // Oracle by arithmetic: the guest works 3000 + 1 instructions (30.01 us at 10 ns each) and
    // halts, so each 1 kHz tick finds it halted: wake k happens at exactly k ms.
    expect(first[0]).toBe("wake 1 at 1000000 ns, insn 3001");
    expect(first[1]).toBe("wake 2 at 2000000 ns, insn 6002");
    // I/O submitted at wake 4 completes at the next slice boundary: the slice that ran the
    // wake had budget 1000 (maxSlice) starting at the 4 ms deadline, so 4 ms + 1000 * 10 ns.
    expect(first).toContain("io 4 done at 4010000 ns");
    expect(first.at(-1)).toBe("end poweroff at 12010000 ns");
  });

  it("does not depend on the slice size", async () => {
    // Completion points are slice boundaries, so compare only the timer-driven wakes.
    const wakes = (log: string[]): string[] => log.filter((l) => l.startsWith("wake"));
    expect(wakes(await deterministicRun([0], 50_000))).toEqual(
      wakes(await deterministicRun([0], 777)),
    );
  });

  it("jumps the clock to the next deadline on HLT instead of sleeping or spinning", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    let hv: Hypervisor | null = null;
    const guest = new FakeGuest(100, () => hv!.requestPowerOff());
    clock.attach(guest);
    scheduler.schedule(10 * MS, () => (guest.irq = true));
    hv = new Hypervisor({ cpu: guest, clock, scheduler, host });
    expect(await hv.start()).toEqual({ reason: "poweroff" });
    expect(host.timerRequests).toEqual([]); // no host sleep at all
    expect(hv.stats.clockJumps).toBe(1);
    expect(hv.stats.skippedNs).toBe(10 * MS - 101 * 10);
    // run 1: work + HLT; run 2: woken by the event, powers off (at most one more)
    expect(guest.runCalls).toBeLessThanOrEqual(3);
    expect(clock.now()).toBeGreaterThanOrEqual(10 * MS);
  });
});

describe("Hypervisor, a busy guest's one-shot timer", () => {
  // Linux's tick on a one-shot LAPIC timer: the interrupt handler arms the next tick 4 ms ahead.
  // The arm happens inside a slice that began with no deadline (the last one just fired), so a
  // slice that ran its full length (10 ms here) would deliver every tick at its own end: 100 Hz
  // instead of 250 (a real Linux guest measured 104/s before the short after-timer slice).
  it("fires a timer armed by the interrupt handler on time, not at the slice's end", () => {
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    const fired: number[] = [];
    let pending = false;
    const tick = scheduler.createTimer((now) => {
      fired.push(now);
      pending = true;
    });
    const guest = {
      instructionCount: 0,
      reset() {},
      run(budget: number): number {
        if (pending) {
          pending = false;
          this.instructionCount += 2000; // the handler's work before it rearms
          tick.arm(clock.now() + 4 * MS);
          budget -= 2000;
        }
        this.instructionCount += Math.max(budget, 0); // busy: never halts
        return EngineStop.Budget;
      },
    };
    clock.attach(guest);
    tick.arm(4 * MS);
    const hv = new Hypervisor({ cpu: guest, clock, scheduler, maxSliceInstructions: 1_000_000 });
    while (clock.now() < 100 * MS) hv.runSlice();
    const gaps = fired.slice(1).map((t, i) => t - fired[i]!);
    expect(fired.length).toBeGreaterThanOrEqual(24);
    // Each tick comes 4 ms after the handler ran (20 us after the previous one), to the ns.
    for (const gap of gaps) expect(gap).toBe(4 * MS + 20_000);
  });
});

/**
 * A deterministic clock with idle pacing and a guest that runs `work` instructions (each
 * `hostMsPerInstruction` of host time), halts, and powers off when its interrupt comes.
 */
function pacedRun(work: number, hostMsPerInstruction = 0) {
  const host = new FakeHost();
  const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
  const scheduler = new EventScheduler();
  const run: { hv?: Hypervisor } = {};
  const guest = new FakeGuest(work, () => run.hv!.requestPowerOff(), host, hostMsPerInstruction);
  clock.attach(guest);
  const hv = new Hypervisor({ cpu: guest, clock, scheduler, host, idle: "pace" });
  run.hv = hv;
  return { host, clock, scheduler, guest, hv };
}

describe("Hypervisor, deterministic clock with idle pacing", () => {
  it("sleeps on the host until wall time catches up with the deadline, then jumps", async () => {
    const { host, scheduler, guest, hv } = pacedRun(100, 0.001);
    scheduler.schedule(10 * MS, () => (guest.irq = true));
    expect(await hv.start()).toEqual({ reason: "poweroff" });
    // 101 instructions cost 0.101 ms of host time; the deadline is 10 ms of guest time.
    expect(host.timerRequests).toHaveLength(1);
    expect(host.timerRequests[0]).toBeCloseTo(10 - 0.101, 6);
    expect(hv.stats.clockJumps).toBe(1);
    expect(hv.stats.skippedNs).toBe(10 * MS - 1010);
  });

  it("sleeps the guest-time distance to the deadline, not until the wall clock catches up", async () => {
    // A fast engine: 1,000,000 instructions (10 ms of guest time) in 1 ms of host time.
    const { host, scheduler, guest, hv } = pacedRun(1_000_000, 0.000001);
    // The guest's timer, 2 ms of guest time after it halts (at 10 ms + one HLT).
    scheduler.schedule(12 * MS, () => (guest.irq = true));
    expect(await hv.start()).toEqual({ reason: "poweroff" });
    // Catching up with the wall clock would have slept 12 - 1 = 11 ms.
    expect(host.timerRequests).toHaveLength(1);
    expect(host.timerRequests[0]).toBeCloseTo(2 - 0.00001, 6);
    expect(hv.stats.clockJumps).toBe(1);
  });

  it("woken before the deadline, goes on at the current guest time instead of jumping", async () => {
    const { host, clock, scheduler, guest, hv } = pacedRun(10);
    scheduler.schedule(1000 * MS, () => undefined); // far away: the loop sleeps toward it
    // A host timer that never fires (and leaves host time alone): only the event can wake.
    host.setTimer = (_callback, ms) => {
      host.timerRequests.push(ms);
      return 0;
    };
    const done = hv.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(host.timerRequests).toEqual([1000 - 0.00011]);
    const at = clock.now();
    scheduler.schedule(at, () => (guest.irq = true)); // e.g. a disk completion
    expect(await done).toEqual({ reason: "poweroff" });
    // The interrupt came at the guest time it was raised: no jump toward the far deadline.
    expect(hv.stats.clockJumps).toBe(0);
    expect(clock.now()).toBeLessThan(at + MS);
  });
});

describe("Hypervisor, deterministic clock, HLT with IF clear", () => {
  it("keeps running timers but paces them to host time instead of racing", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    const guest = new FakeGuest(100, () => undefined, host, 0.001);
    guest.eflags = 0x002; // cli; hlt
    clock.attach(guest);
    let ticks = 0;
    const tick = scheduler.createTimer((now) => {
      ticks++;
      tick.arm(now + MS);
    });
    tick.arm(MS);
    const hv = new Hypervisor({ cpu: guest, clock, scheduler, host });
    const done = hv.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    hv.stop();
    expect(await done).toEqual({ reason: "stopped" });
    // Every jump waited for host time to reach its deadline: guest time never ran ahead.
    expect(clock.now() / MS).toBeLessThanOrEqual(host.now() + 1);
    // (stop() may land between a jump and the slice that would fire its event)
    expect(hv.stats.clockJumps - ticks).toBeGreaterThanOrEqual(0);
    expect(hv.stats.clockJumps - ticks).toBeLessThanOrEqual(1);
    expect(ticks).toBeGreaterThan(3);
    expect(host.timerRequests.length).toBeGreaterThanOrEqual(ticks - 1);
  });
});

describe("Hypervisor, realtime clock", () => {
  it("sleeps on the host until the next deadline when the guest halts, without spinning", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => host.now() });
    const scheduler = new EventScheduler();
    let hv: Hypervisor | null = null;
    // 100 instructions at 1 us each: the guest halts 0.1 ms into its life.
    const guest = new FakeGuest(100, () => hv!.requestPowerOff(), host, 0.001);
    scheduler.schedule(10 * MS, () => (guest.irq = true));
    hv = new Hypervisor({ cpu: guest, clock, scheduler, host, yieldMs: 1000 });
    expect(await hv.start()).toEqual({ reason: "poweroff" });
    expect(host.timerRequests).toHaveLength(1);
    expect(host.timerRequests[0]).toBeCloseTo(10 - 0.101, 6);
    expect(hv.stats.idleSleeps).toBe(1);
    expect(guest.runCalls).toBeLessThanOrEqual(3);
    expect(hv.stats.idleMs).toBeCloseTo(10 - 0.101, 6);
  });

  it("a halted guest with no deadline waits for wake(): posted host input ends the sleep", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => host.now() });
    const scheduler = new EventScheduler();
    let hv: Hypervisor | null = null;
    const guest = new FakeGuest(10, () => hv!.requestPowerOff());
    hv = new Hypervisor({ cpu: guest, clock, scheduler, host });
    const done = hv.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(guest.runCalls).toBe(1); // asleep, not polling
    hv.post(() => (guest.irq = true)); // e.g. a key press reaching the UART
    expect(await done).toEqual({ reason: "poweroff" });
    expect(hv.stats.hostJobs).toBe(1);
    expect(host.timerRequests).toEqual([]);
  });

  it("an event scheduled by host code cuts a deadline sleep short", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => host.now() });
    const scheduler = new EventScheduler();
    let hv: Hypervisor | null = null;
    const guest = new FakeGuest(10, () => hv!.requestPowerOff());
    scheduler.schedule(1000 * MS, () => undefined); // far away: the loop sleeps toward it
    // A host timer that never fires (and leaves host time alone): only the event can wake.
    host.setTimer = (_callback, ms) => {
      host.timerRequests.push(ms);
      return 0;
    };
    hv = new Hypervisor({ cpu: guest, clock, scheduler, host });
    const done = hv.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(guest.runCalls).toBe(1);
    scheduler.schedule(clock.now(), () => (guest.irq = true)); // e.g. a disk completion
    expect(await done).toEqual({ reason: "poweroff" });
    expect(host.timerRequests).toEqual([1000]);
  });

  it("stop() ends a running loop and pause() holds guest time", async () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "realtime", hostNow: () => host.now() });
    const scheduler = new EventScheduler();
    const guest = new FakeGuest(1e9, () => undefined, host, 0.00001);
    const hv = new Hypervisor({ cpu: guest, clock, scheduler, host, yieldMs: 0 });
    const done = hv.start();
    await new Promise((resolve) => setTimeout(resolve, 2));
    hv.pause();
    const frozen = clock.now();
    const calls = guest.runCalls;
    await new Promise((resolve) => setTimeout(resolve, 5));
    host.time += 50;
    expect(clock.now()).toBe(frozen);
    expect(guest.runCalls).toBe(calls);
    hv.resume();
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(guest.runCalls).toBeGreaterThan(calls);
    hv.stop();
    expect(await done).toEqual({ reason: "stopped" });
    expect(hv.stats.pausedMs).toBeGreaterThanOrEqual(50);
  });
});

/**
 * A device that, like the ATA channel, attaches its own continuation to a backend promise and
 * schedules its completion event "now" when the promise settles.
 */
async function diskRun(mode: "realtime" | "deterministic", latencyMs: number): Promise<string[]> {
  const log: string[] = [];
  const host = new FakeHost();
  const clock = new VirtualClock({ mode, nsPerInstruction: 10, hostNow: () => host.now() });
  const scheduler = new EventScheduler();
  let hv: Hypervisor | null = null;
  let reads = 0;
  let completed = 0;
  const guest = new FakeGuest(500, () => {
    log.push(`irq at ${clock.now()}`);
    if (completed === 3) hv!.requestPowerOff();
  });
  clock.attach(guest);
  const backend = (): Promise<number> =>
    new Promise((resolve) => setTimeout(() => resolve(reads), latencyMs));
  const issueRead = (): void => {
    reads++;
    void hv!.trackHostIo(backend()).then((n) => {
      scheduler.schedule(clock.now(), (now) => {
        completed++;
        log.push(`read ${n} done at ${now}`);
        guest.irq = true;
        if (reads < 3) issueRead();
      });
    });
  };
  hv = new Hypervisor({ cpu: guest, clock, scheduler, host, maxSliceInstructions: 300 });
  issueRead();
  const end = await hv.start();
  log.push(end.reason);
  return log;
}

describe("Hypervisor and host I/O with device-attached continuations", () => {
  it("realtime: a completion scheduled from host code wakes a halted guest", async () => {
    const log = await diskRun("realtime", 3);
    expect(log.filter((l) => l.startsWith("read"))).toHaveLength(3);
    expect(log.at(-1)).toBe("poweroff");
  });

  it("deterministic: completions land at the same guest time whatever the host latency", async () => {
    const fast = await diskRun("deterministic", 0);
    const slow = await diskRun("deterministic", 7);
    expect(slow).toEqual(fast);
    // The first read is outstanding before the first slice, so the guest has not run at all:
    // its completion lands at guest time 0.
    expect(fast[0]).toBe("read 1 done at 0");
    expect(fast.at(-1)).toBe("poweroff");
  });
});

describe("Hypervisor exits and statistics", () => {
  it("counts exits by reason, handles shutdown/reset/breakpoint policies, and splits time", () => {
    const host = new FakeHost();
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 1 });
    const scheduler = new EventScheduler();
    const guest = new FakeGuest(1e9, () => undefined, host, 0.001); // 1 us per instruction
    clock.attach(guest);
    let fired = 0;
    scheduler.schedule(250, () => {
      fired++;
      host.time += 3; // a slow device callback: 3 ms of host context
    });
    const policies: string[] = [];
    const hv = new Hypervisor({
      cpu: guest,
      clock,
      scheduler,
      host,
      maxSliceInstructions: 100,
      onShutdown: () => (policies.push("shutdown"), "reset"),
      onBreakpoint: () => (policies.push("breakpoint"), "continue"),
    });
    guest.script = [EngineStop.Budget, EngineStop.Shutdown];
    const exits: number[] = [];
    for (let i = 0; i < 3; i++) exits.push(hv.runSlice());
    guest.script = [EngineStop.Breakpoint];
    for (let i = 0; i < 2; i++) exits.push(hv.runSlice());
    // Slices of 100 instructions (the cap); the third is cut to 50 by the deadline at 250 ns.
    expect(exits).toEqual([
      ExitReason.Budget,
      ExitReason.Shutdown,
      ExitReason.Timer,
      ExitReason.Breakpoint,
      ExitReason.Budget,
    ]);
    expect(policies).toEqual(["shutdown", "breakpoint"]);
    expect(guest.resets).toBe(1);
    expect(fired).toBe(1);
    const s = hv.snapshotStats();
    expect(Array.from(s.exits)).toEqual([2, 1, 0, 1, 1]);
    expect(s.resets).toBe(1);
    expect(s.timerEvents).toBe(1);
    expect(s.instructions).toBe(450);
    expect(s.slices).toBe(5);
    expect(s.guestMs).toBeCloseTo(0.45, 9); // 450 instructions at 1 us
    expect(s.wallMs).toBeCloseTo(3.45, 9);
    expect(s.hostMs).toBeCloseTo(3, 9);
    const table = formatStats(s, { guestNs: clock.now() });
    expect(table).toMatch(/timer deadline\s+1\s+20\.0%/);
    expect(table).toMatch(/budget\s+2\s+40\.0%/);
    expect(table).toMatch(/host context\s+3\.0\s+87\.0%/);
    expect(table).toContain("instructions 450 in 5 slices");
  });

  it("a triple fault with the default policy ends the run", async () => {
    const clock = new VirtualClock({ mode: "deterministic" });
    const guest = new FakeGuest(1e9, () => undefined);
    guest.script = [EngineStop.Shutdown];
    clock.attach(guest);
    const hv = new Hypervisor({
      cpu: guest,
      clock,
      scheduler: new EventScheduler(),
      host: new FakeHost(),
    });
    expect(await hv.start()).toEqual({ reason: "shutdown" });
  });

  it("a reset requested during a slice runs in host context before the next slice", () => {
    const clock = new VirtualClock({ mode: "deterministic" });
    const guest = new FakeGuest(1e9, () => undefined);
    clock.attach(guest);
    let resets = 0;
    const hv = new Hypervisor({
      cpu: guest,
      clock,
      scheduler: new EventScheduler(),
      onReset: () => resets++,
    });
    hv.requestReset();
    hv.runSlice();
    expect(resets).toBe(1);
    expect(guest.resets).toBe(0); // the board's onReset replaces the default cpu.reset()
    expect(hv.stats.resets).toBe(1);
  });
});

/**
 * A guest halting between 1 kHz ticks "prints" at 3 ms; the host reacts by posting input after
 * `hops` microtask hops. Returns the guest time and instruction count the input was seen at.
 */
async function reactionRun(hops: number, yieldMs: number): Promise<string> {
  const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
  const scheduler = new EventScheduler();
  let hv: Hypervisor | null = null;
  let printed: () => void = () => undefined;
  const output = new Promise<void>((resolve) => (printed = resolve));
  let seen = "";
  let wakes = 0;
  const guest = new FakeGuest(2000, () => {
    wakes++;
    if (wakes === 3) printed(); // guest output the host waits for
  });
  clock.attach(guest);
  const tick = scheduler.createTimer((now) => {
    guest.irq = true;
    tick.arm(now + MS);
  });
  tick.arm(MS);
  hv = new Hypervisor({ cpu: guest, clock, scheduler, yieldMs });
  const done = hv.start();
  await output;
  for (let i = 0; i < hops; i++) await Promise.resolve();
  hv.post(() => {
    seen = `input at ${clock.now()} ns, insn ${guest.instructionCount}`;
    hv!.requestPowerOff();
  });
  expect(await done).toEqual({ reason: "poweroff" });
  return seen;
}

describe("Hypervisor, deterministic host input", () => {
  it("input posted in reaction to guest output lands at the guest's next halt on every run", async () => {
    const runs = [
      await reactionRun(0, 0),
      await reactionRun(25, 0),
      await reactionRun(3, 1000),
      await reactionRun(0, 4),
    ];
    // Oracle by arithmetic: the guest runs 2000 instructions and a HLT (2001) at power-on and
    // after each tick. Wake 3 is the 3 ms tick; the next halt is 2001 instructions (20.01 us)
    // later: input is delivered there, at 3,020,010 ns, instruction 4 * 2001.
    expect(runs).toEqual(Array(4).fill("input at 3020010 ns, insn 8004"));
  });

  it("a guest that never halts still gets held input after maxInputDelayInstructions", async () => {
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const guest = new FakeGuest(1e12, () => undefined); // never halts
    clock.attach(guest);
    let hv: Hypervisor | null = null;
    hv = new Hypervisor({
      cpu: guest,
      clock,
      scheduler: new EventScheduler(),
      maxSliceInstructions: 1000,
      maxInputDelayInstructions: 50_000,
    });
    let seenAt = -1;
    hv.post(() => {
      seenAt = guest.instructionCount;
      hv!.requestPowerOff();
    });
    expect(await hv.start()).toEqual({ reason: "poweroff" });
    expect(seenAt).toBe(50_000); // the first slice boundary at or after 50,000 instructions
  });

  it("idle pace (not reproducible by design) delivers input at the next exit, not at a halt", () => {
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const guest = new FakeGuest(1e12, () => undefined);
    clock.attach(guest);
    const hv = new Hypervisor({ cpu: guest, clock, scheduler: new EventScheduler(), idle: "pace" });
    let isDelivered = false;
    hv.post(() => (isDelivered = true));
    hv.runSlice();
    expect(isDelivered).toBe(true);
  });
});

describe("Hypervisor, bus waits in port accesses", () => {
  // A guest polling a port for time to pass (Linux's PIT and PM-timer loops): each access waits
  // on the bus, which the instruction count does not see.
  function pollingGuest(clock: VirtualClock, hvRef: { hv?: Hypervisor }, waitNs: number) {
    return {
      instructionCount: 0,
      reset() {},
      /** Each poll: 9 instructions, then the port access (the 10th, retired after its wait). */
      run(budget: number): number {
        for (let left = budget; left >= 10; left -= 10) {
          this.instructionCount += 9;
          hvRef.hv!.busWait(waitNs);
          this.instructionCount += 1;
        }
        return EngineStop.Budget;
      },
    };
  }

  it("moves an instruction-count clock on and fires timers at the access that reaches them", () => {
    const clock = new VirtualClock({ mode: "deterministic", nsPerInstruction: 10 });
    const scheduler = new EventScheduler();
    const ref: { hv?: Hypervisor } = {};
    const guest = pollingGuest(clock, ref, 1000);
    clock.attach(guest);
    const fired: number[] = [];
    scheduler.schedule(50_000, (now) => fired.push(now));
    scheduler.schedule(120_000, (now) => fired.push(now));
    ref.hv = new Hypervisor({ cpu: guest, clock, scheduler });
    // One engine run of 1,000 polls, as a slice of the board's budget would be.
    guest.run(10_000);
    // Each poll is 100 ns of instructions and 1,000 ns on the bus.
    expect(clock.now()).toBe(1000 * (10 * 10 + 1000));
    // Poll k waits at 90 + 1,100 (k - 1) + 1,000 ns: the first reaching each deadline fires it.
    expect(fired).toEqual([50_000 + 590, 120_000 + 990]);
    expect(ref.hv.stats.timerEvents).toBe(2);
  });

  it("leaves a realtime clock to the host", () => {
    const host = new FakeHost();
    const clock = new VirtualClock({
      mode: "realtime",
      hostNow: () => host.now(),
      isRunning: true,
    });
    const scheduler = new EventScheduler();
    const ref: { hv?: Hypervisor } = {};
    const guest = pollingGuest(clock, ref, 1000);
    const fired: number[] = [];
    scheduler.schedule(1, (now) => fired.push(now));
    ref.hv = new Hypervisor({ cpu: guest, clock, scheduler, host });
    guest.run(10_000);
    expect(clock.now()).toBe(0);
    expect(fired).toEqual([]); // the host's clock has not moved: nothing is due
  });
});
