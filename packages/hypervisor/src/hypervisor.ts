// The run loop: enter guest context, run the engine up to the next deadline, handle the exit in
// host context, sleep on HLT, yield to the host event loop, repeat.
import type { VirtualClock } from "./clock";
import { EngineStop, type ExecutionEngine, type GuestCpu } from "./engine";
import { defaultHost, type HostPlatform } from "./host";
import type { EventScheduler } from "./scheduler";
import { ExitReason, ExitStats } from "./stats";

/** What to do after a triple fault. */
export type ShutdownPolicy = "reset" | "stop";
/** What to do at a breakpoint. */
export type BreakpointPolicy = "continue" | "pause" | "stop";

/** How `start()` ended. */
export type RunEnd =
  | { reason: "poweroff" }
  | { reason: "stopped" }
  | { reason: "shutdown" }
  | { reason: "breakpoint" }
  | { reason: "error"; error: unknown };

export interface HypervisorOptions {
  cpu: GuestCpu;
  /** The engine that runs guest code; default the CPU's own interpreter (`cpu.run`). */
  engine?: ExecutionEngine;
  clock: VirtualClock;
  scheduler: EventScheduler;
  /** Host services; default {@link defaultHost}. Inject Node specifics here. */
  host?: HostPlatform;
  /**
   * Called in host context after timers and host jobs ran, just before guest context is
   * entered again (for a board that latches its interrupt lines).
   */
  interruptsChanged?: () => void;
  /** Triple fault: return `reset` to reset the board, `stop` to end `start()`. Default `stop`. */
  onShutdown?: () => ShutdownPolicy;
  /** Performs a reset (devices and CPU). Default `cpu.reset()`. */
  onReset?: () => void;
  /** Called once when the guest powers off. */
  onPowerOff?: () => void;
  /** Breakpoint policy. Default `pause`. */
  onBreakpoint?: () => BreakpointPolicy;
  /** Longest slice in instructions (deterministic mode: exact, so output does not depend on it). */
  maxSliceInstructions?: number;
  /** Realtime mode: target slice length in host ms (sized from the measured MIPS). Default 4. */
  sliceMs?: number;
  /** Yield to the host event loop at least this often (host ms). Default 4. */
  yieldMs?: number;
  /**
   * Deterministic mode, HLT with a deadline: `jump` moves guest time to the deadline at once
   * (fastest); `pace` first sleeps on the host for the guest-time distance to the deadline, or
   * less when wall time since start reaches the deadline sooner (never when it already has), so
   * an idle guest does not burn host CPU racing through its timer ticks. Guest output is
   * identical either way. Default `jump`.
   */
  idle?: "jump" | "pace";
  /**
   * Deterministic mode: posted host input still waiting after the guest retired this many
   * instructions without halting is delivered at the next slice boundary anyway (a busy guest
   * then sees it at a host-dependent point). Default 100,000,000 (1 s of guest time at 10 ns).
   */
  maxInputDelayInstructions?: number;
}

/**
 * Default slice cap: ~3 ms of translated code, ~25 ms of interpreter time; small enough for
 * Ctrl-C to feel instant. A slice ends within a block, which the recompiler leaves to the
 * interpreter: at 200,000 (and 1 ms slices) the Linux boot ran ~490 K instructions of such
 * slice tails through the interpreter's cold block cache, at 1,000,000 (4 ms) ~100 K, and
 * fewer slices (host turns, timer checks): full boot faster in 5 of 6 alternating runs.
 */
const DEFAULT_MAX_SLICE = 1_000_000;
/**
 * The slice after timer events fired (the guest's handler usually arms the next one): short,
 * so that event is not a whole slice late (Linux's one-shot tick 104 -> 248 Hz, README).
 */
const AFTER_TIMER_SLICE = 50_000;
/** EFLAGS.IF (SDM vol. 1, 3.4.3). */
const EFLAGS_IF = 0x200;
/** Initial realtime guess before the first measurement (instructions per host ms). */
const INITIAL_RATE = 20_000;
/** Default {@link HypervisorOptions.maxInputDelayInstructions}. */
const DEFAULT_MAX_INPUT_DELAY = 100_000_000;

/**
 * The context switcher between guest and host.
 *
 * @example
 * const clock = new VirtualClock({ mode: "deterministic" });
 * const scheduler = new EventScheduler();
 * const cpu = new Cpu({ memory, io, interrupts: pic, clock });
 * clock.attach(cpu);
 * const hv = new Hypervisor({ cpu, clock, scheduler, onShutdown: () => "stop" });
 * const end = await hv.start(); // { reason: "poweroff" } once the board calls hv.requestPowerOff()
 */
export class Hypervisor {
  readonly stats = new ExitStats();
  private readonly cpu: GuestCpu;
  private engine: ExecutionEngine;
  private engineName: string;
  private readonly clock: VirtualClock;
  private readonly scheduler: EventScheduler;
  private readonly host: HostPlatform;
  private readonly options: HypervisorOptions;
  private readonly maxSlice: number;
  private readonly sliceMs: number;
  /** Timer events fired in the last host turn: the next slice is short (AFTER_TIMER_SLICE). */
  private afterTimers = false;
  private readonly yieldMs: number;
  private rate = INITIAL_RATE;

  private end: RunEnd | null = null;
  private isRunning = false;
  private isPausedFlag = false;
  private pausedSinceMs = 0;
  private isResetRequested = false;
  private lastExit: ExitReason = ExitReason.Budget;
  private outstandingJobs = 0;
  private readonly jobs: (() => void)[] = [];
  /** Deterministic mode: posted host input, held until the guest halts (see {@link post}). */
  private readonly inputs: (() => void)[] = [];
  /** Instruction count when the oldest held input was posted. */
  private inputSince = 0;
  private readonly maxInputDelay: number;
  /** Deterministic clock with idle `jump`: input is held until a halt (see {@link post}). */
  private readonly holdsInput: boolean;
  private isWoken = false;
  private wakeResolve: (() => void) | null = null;
  private wakeTimer: unknown = null;
  private startMs = 0;
  private hasStarted = false;

  constructor(options: HypervisorOptions) {
    this.options = options;
    this.cpu = options.cpu;
    this.engine = options.engine ?? options.cpu;
    this.engineName = this.engine.name ?? "interpreter";
    this.clock = options.clock;
    this.scheduler = options.scheduler;
    this.host = options.host ?? defaultHost();
    this.maxSlice = options.maxSliceInstructions ?? DEFAULT_MAX_SLICE;
    this.sliceMs = options.sliceMs ?? 4;
    this.yieldMs = options.yieldMs ?? 4;
    this.maxInputDelay = options.maxInputDelayInstructions ?? DEFAULT_MAX_INPUT_DELAY;
    this.holdsInput = options.clock.isDeterministic && options.idle !== "pace";
    // Host code scheduling an earlier event (a disk completion) must end an HLT sleep.
    this.scheduler.onEarlierDeadline = () => {
      if (this.wakeResolve !== null) this.wake();
    };
  }

  /** Replaces the execution engine (the recompiler plugs in here). */
  setEngine(engine: ExecutionEngine): void {
    this.engine = engine;
    this.engineName = engine.name ?? "interpreter";
  }

  get engineLabel(): string {
    return this.engineName;
  }

  get running(): boolean {
    return this.isRunning;
  }

  get paused(): boolean {
    return this.isPausedFlag;
  }

  /** Why the last slice left guest context. */
  get lastExitReason(): ExitReason {
    return this.lastExit;
  }

  /** How the run ended, or null while it may continue. */
  get ended(): RunEnd | null {
    return this.end;
  }

  // ---- requests from the board and devices (any context) ----

  /** A reset (keyboard controller 0xFE, port 0xCF9, ...): performed at the next exit. */
  requestReset(): void {
    this.isResetRequested = true;
  }

  /** ACPI/APM power-off: the loop ends with `poweroff` at the next exit. */
  requestPowerOff(): void {
    if (this.end === null) {
      this.end = { reason: "poweroff" };
      this.options.onPowerOff?.();
    }
    this.wake();
  }

  /** Ends `start()` with `stopped` (Ctrl-A X, a timeout, the web UI's stop button). */
  stop(): void {
    if (this.end === null) this.end = { reason: "stopped" };
    this.wake();
  }

  /** Pauses guest execution; guest time stops with it. */
  pause(): void {
    if (this.isPausedFlag) return;
    this.isPausedFlag = true;
    this.pausedSinceMs = this.host.now();
    this.clock.pause();
  }

  /** Resumes after {@link pause} (or after a breakpoint paused the loop). */
  resume(): void {
    if (!this.isPausedFlag) return;
    this.isPausedFlag = false;
    this.stats.pausedMs += this.host.now() - this.pausedSinceMs;
    this.clock.resume();
    this.wake();
  }

  /**
   * Wakes a loop sleeping in HLT: call it after host input raised an interrupt (for input
   * delivered through {@link post} this happens by itself).
   */
  wake(): void {
    this.isWoken = true;
    const resolve = this.wakeResolve;
    if (resolve !== null) {
      this.wakeResolve = null;
      if (this.wakeTimer !== null) {
        this.host.clearTimer(this.wakeTimer);
        this.wakeTimer = null;
      }
      resolve();
    }
  }

  /**
   * Host input: runs `job` in host context between slices (for example feeding terminal input to
   * the UART). Realtime mode and idle `pace`: at the next exit. Deterministic mode with idle
   * `jump`: at the guest's next HLT (the loop gives the host event loop a turn at every halt
   * before moving guest time on), so input sent in reaction to guest output within that host turn
   * (as a test or an expect-style script in the same process does) lands at the same guest
   * instruction on every run. A guest that does not halt gets it after
   * {@link HypervisorOptions.maxInputDelayInstructions}.
   */
  post(job: () => void): void {
    if (this.holdsInput) {
      if (this.inputs.length === 0) this.inputSince = this.cpu.instructionCount;
      this.inputs.push(job);
    } else {
      this.jobs.push(job);
    }
    this.wake();
  }

  /** Deterministic mode: held input becomes host jobs, run before the next slice. */
  private releaseInputs(): void {
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) this.jobs.push(inputs[i]!);
    inputs.length = 0;
  }

  /**
   * Host I/O that completes later (a disk read from a file or over HTTP): `complete` runs in host
   * context between slices once `work` settles. In deterministic mode the guest does not run while
   * any submitted work is outstanding, so the completion lands at the same guest instruction on
   * every run.
   */
  submit<T>(work: Promise<T>, complete: (value: T) => void, fail?: (error: unknown) => void): void {
    this.outstandingJobs++;
    work.then(
      (value) => {
        this.outstandingJobs--;
        this.jobs.push(() => {
          complete(value);
        });
        this.wake();
      },
      (error: unknown) => {
        this.outstandingJobs--;
        this.jobs.push(() => {
          if (fail !== undefined) fail(error);
          else throw error;
        });
        this.wake();
      },
    );
  }

  /**
   * Marks host I/O whose continuation a device attached itself (for example an ATA backend's
   * `readAsync`): returns a promise that settles like `work`. In deterministic mode the guest does
   * not run while tracked work is outstanding, and the continuations run before it resumes, so
   * they see the same guest time on every run. In realtime mode it only wakes an HLT sleep.
   *
   * @example
   * const disk = { readAsync: (offset, length) => hv.trackHostIo(file.readAsync(offset, length)) };
   */
  trackHostIo<T>(work: Promise<T>): Promise<T> {
    this.outstandingJobs++;
    return work.then(
      (value) => {
        this.outstandingJobs--;
        this.wake();
        return value;
      },
      (error: unknown) => {
        this.outstandingJobs--;
        this.wake();
        throw error;
      },
    );
  }

  /** Host I/O submitted or tracked and not yet settled. */
  get pendingHostIo(): number {
    return this.outstandingJobs;
  }

  // ---- the loop ----

  /**
   * One trip: host context (requests, host jobs, due timers), then guest context for a budget
   * bounded by the next timer deadline, then the exit's handling. Synchronous and allocation-free
   * in steady state. Returns why guest context was left (or the previous reason if the run
   * has ended or is paused).
   */
  runSlice(): ExitReason {
    this.markStarted();
    this.isWoken = false;
    if (
      this.inputs.length > 0 &&
      this.cpu.instructionCount - this.inputSince >= this.maxInputDelay
    ) {
      this.releaseInputs(); // a guest that does not halt still gets its input
    }
    this.hostWork();
    if (this.end !== null || this.isPausedFlag) return this.lastExit;

    const clock = this.clock;
    const deadline = this.scheduler.nextDeadline();
    let budget: number;
    if (clock.isDeterministic) {
      budget = this.maxSlice;
      if (deadline !== Infinity) {
        const until = clock.instructionsUntil(deadline);
        if (until < budget) budget = until > 0 ? until : 1;
      }
    } else {
      budget = Math.min(this.maxSlice, Math.max(1, Math.ceil(this.rate * this.sliceMs)));
      if (deadline !== Infinity) {
        const until = Math.ceil(((deadline - clock.now()) / 1e6) * this.rate);
        if (until < budget) budget = until > 0 ? until : 1;
      }
    }

    if (this.afterTimers) {
      // The guest's interrupt handler usually arms its next timer (a one-shot tick, an
      // hrtimer): a slice that ran on would fire that event late, at its own end.
      this.afterTimers = false;
      if (budget > AFTER_TIMER_SLICE) budget = AFTER_TIMER_SLICE;
    }
    const cpu = this.cpu;
    const before = cpu.instructionCount;
    const t0 = this.host.now();
    // A whole count, passed as a small integer: computed from a retired count past 2^31 it is a
    // boxed double, which would reach the engine's budget fields and change their layout.
    const stop = this.engine.run(budget <= 0x7fffffff ? budget | 0 : budget);
    const t1 = this.host.now();
    const executed = cpu.instructionCount - before;
    const stats = this.stats;
    const dt = t1 - t0;
    stats.guestMs += dt;
    stats.instructions += executed;
    stats.slices++;
    // Realtime budgets come from the measured speed; ignore slices too short to time.
    if (dt > 0.2 && executed > 1000) this.rate = this.rate * 0.75 + (executed / dt) * 0.25;

    let exit: ExitReason;
    switch (stop) {
      case EngineStop.Halt:
        exit = ExitReason.Halt;
        break;
      case EngineStop.Shutdown:
        exit = ExitReason.Shutdown;
        break;
      case EngineStop.Breakpoint:
        exit = ExitReason.Breakpoint;
        break;
      default:
        exit =
          deadline !== Infinity && clock.now() >= deadline ? ExitReason.Timer : ExitReason.Budget;
    }
    stats.exits[exit]!++;
    this.lastExit = exit;

    if (exit === ExitReason.Shutdown) {
      const policy = this.options.onShutdown?.() ?? "stop";
      if (policy === "reset") this.isResetRequested = true;
      else if (this.end === null) this.end = { reason: "shutdown" };
    } else if (exit === ExitReason.Breakpoint) {
      const policy = this.options.onBreakpoint?.() ?? "pause";
      if (policy === "pause") this.pause();
      else if (policy === "stop" && this.end === null) this.end = { reason: "breakpoint" };
    }
    this.hostWork();
    return exit;
  }

  /**
   * Guest context: the running instruction waits `ns` of guest time on the bus (the board calls
   * this after each port access). An instruction-count clock moves on by that much, and the
   * timers it reaches fire here rather than at the slice's end: a guest polling a port for
   * time to pass (a PIT or PM-timer loop) runs a fraction of the instructions, and its
   * interrupts still come on time (a port access ends the engines' blocks, so they are taken
   * at the next instruction boundary). A realtime clock moves by itself: nothing to do.
   */
  busWait(ns: number): void {
    const clock = this.clock;
    if (!clock.isDeterministic) return;
    clock.wait(ns);
    const now = clock.now();
    if (now >= this.scheduler.nextDeadline()) this.fireDue(now);
  }

  /** Runs the timers due at `now`, counted; the next slice is short if any fired. */
  private fireDue(now: number): void {
    const fired = this.scheduler.runDue(now);
    this.stats.timerEvents += fired;
    if (fired > 0) this.afterTimers = true;
  }

  /** Host context: resets, host jobs, due timers, then the interrupt-lines hook. */
  private hostWork(): void {
    const stats = this.stats;
    if (this.isResetRequested) {
      this.isResetRequested = false;
      stats.resets++;
      if (this.options.onReset !== undefined) this.options.onReset();
      else this.cpu.reset();
    }
    const jobs = this.jobs;
    if (jobs.length > 0) {
      // Jobs posted by these jobs run at the next exit.
      const count = jobs.length;
      for (let i = 0; i < count; i++) jobs[i]!();
      jobs.splice(0, count);
      stats.hostJobs += count;
    }
    this.fireDue(this.clock.now());
    this.options.interruptsChanged?.();
  }

  /**
   * Runs until power-off, `stop()`, a triple fault (policy `stop`) or an error. Sleeps on HLT until
   * the next deadline or a wake-up, and yields to the host event loop every `yieldMs`.
   */
  async start(): Promise<RunEnd> {
    if (this.isRunning) throw new Error("Hypervisor.start: already running");
    this.isRunning = true;
    const host = this.host;
    this.markStarted();
    let lastYield = host.now();
    try {
      while (this.end === null) {
        if (this.isPausedFlag) {
          await this.sleep(Infinity);
          continue;
        }
        if (this.clock.isDeterministic && this.outstandingJobs > 0) {
          // Deterministic: wait for host I/O before running more guest code, then give its
          // promise continuations (a macrotask later, all microtasks have run) the chance to
          // schedule their events while guest time stands still.
          while (this.outstandingJobs > 0 && this.end === null) await this.sleep(Infinity);
          await host.yieldToHost();
          continue;
        }
        const exit = this.runSlice();
        if (this.end !== null) break;
        if (exit === ExitReason.Halt && !this.isPausedFlag) await this.idle();
        const now = host.now();
        if (now - lastYield >= this.yieldMs) {
          this.stats.yields++;
          await host.yieldToHost();
          lastYield = host.now();
        }
      }
    } catch (error) {
      this.end = { reason: "error", error };
    } finally {
      this.isRunning = false;
      this.stats.wallMs = host.now() - this.startMs;
    }
    return this.end;
  }

  /** Updates `stats.wallMs` (for a table printed while running) and returns the stats. */
  snapshotStats(): ExitStats {
    if (this.hasStarted) this.stats.wallMs = this.host.now() - this.startMs;
    return this.stats;
  }

  private markStarted(): void {
    if (this.hasStarted) return;
    this.hasStarted = true;
    this.startMs = this.host.now();
    // Power-on: guest time starts now, not when the board was built (unless paused by the user).
    if (!this.isPausedFlag) this.clock.resume();
  }

  /** The guest halted after host work ran: wait for the next deadline or a wake-up, never spin. */
  private async idle(): Promise<void> {
    if (this.jobs.length > 0 || this.isResetRequested) return;
    const clock = this.clock;
    const stats = this.stats;
    if (clock.isDeterministic) {
      if (this.holdsInput) {
        // Host input lands at a halt: first give the host a turn to react to guest output.
        if (this.inputs.length === 0 && this.outstandingJobs === 0) {
          stats.haltYields++;
          await this.host.yieldToHost();
        }
        if (this.inputs.length > 0) {
          this.releaseInputs();
          return;
        }
        if (this.end !== null || this.jobs.length > 0 || this.isResetRequested) return;
      }
      const deadline = this.scheduler.nextDeadline();
      if (deadline === Infinity || this.outstandingJobs > 0) {
        await this.sleep(Infinity);
        if (this.inputs.length > 0) this.releaseInputs();
        return;
      }
      if (this.options.idle === "pace" || this.isDeadHalt()) {
        // Toward the deadline at host pace: no further than the guest-time distance to it (busy
        // code that ran faster than the instruction-count rate put guest time ahead of the wall
        // clock, a lead the guest must not sit out at its next idle: seconds after a boot), and
        // not past the moment wall time since start reaches it (a guest behind jumps at once).
        const distance = (deadline - clock.now()) / 1e6;
        const catchUp = deadline / 1e6 - (this.host.now() - this.startMs - stats.pausedMs);
        const ahead = Math.min(distance, catchUp);
        // Woken before (an interrupt raised, input, an earlier event): the guest goes on at the
        // current time, not at the deadline it has not reached on the host (it halts again, and
        // sleeps what is left, if nothing was for it).
        if (ahead > 0 && !(await this.sleep(ahead))) return;
        if (this.jobs.length > 0 || this.end !== null) return;
      }
      const before = clock.now();
      clock.advanceTo(deadline);
      stats.clockJumps++;
      stats.skippedNs += clock.now() - before;
      return;
    }
    const deadline = this.scheduler.nextDeadline();
    const ms = deadline === Infinity ? Infinity : (deadline - clock.now()) / 1e6;
    if (ms > 0) await this.sleep(ms);
  }

  /**
   * HLT with IF clear (a panicked or stopped guest): only an NMI or a reset can end it. Timers
   * still run (a UART may still be draining the last message) but at host pace.
   */
  private isDeadHalt(): boolean {
    const eflags = this.cpu.eflags;
    return eflags !== undefined && (eflags & EFLAGS_IF) === 0;
  }

  /**
   * Host sleep until `ms` passes or {@link wake} is called; counted as idle time. Resolves to
   * whether the whole `ms` passed (false: woken before).
   */
  private sleep(ms: number): Promise<boolean> {
    if (this.isWoken) {
      this.isWoken = false;
      return Promise.resolve(false);
    }
    const host = this.host;
    const t0 = host.now();
    this.stats.idleSleeps++;
    let isFull = false;
    return new Promise<boolean>((resolve) => {
      this.wakeResolve = () => {
        this.isWoken = false;
        if (!this.isPausedFlag) this.stats.idleMs += host.now() - t0;
        resolve(isFull);
      };
      if (ms !== Infinity) {
        this.wakeTimer = host.setTimer(() => {
          this.wakeTimer = null;
          isFull = true;
          this.wake();
        }, ms);
      }
    });
  }
}
