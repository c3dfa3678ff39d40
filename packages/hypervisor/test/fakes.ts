// Test doubles: a host whose time moves only when told, and a scripted guest.
import type { GuestCpu, HostPlatform } from "../src/index";
import { EngineStop } from "../src/index";

/** A host with manual time. A timer fires on a microtask, moving host time to its deadline. */
export class FakeHost implements HostPlatform {
  time = 0;
  /** Delays asked of setTimer, in order. */
  readonly timerRequests: number[] = [];
  yields = 0;
  private nextId = 1;
  private readonly live = new Set<number>();

  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.live.add(id);
    this.timerRequests.push(ms);
    void Promise.resolve().then(() => {
      if (!this.live.delete(id)) return;
      this.time += ms;
      callback();
    });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.live.delete(handle as number);
  }
  yieldToHost(): Promise<void> {
    this.yields++;
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * A guest that runs `workPerWake` instructions, executes HLT (one more instruction), and when
 * woken by `irq` calls `onInterrupt`. Each instruction costs `hostMsPerInstruction` of host time.
 */
export class FakeGuest implements GuestCpu {
  instructionCount = 0;
  irq = false;
  runCalls = 0;
  resets = 0;
  private halted = false;
  private remaining: number;
  /** EFLAGS as the hypervisor sees it (IF set unless a test clears it). */
  eflags = 0x202;
  /** Scripted stop reasons returned (once each) before normal behaviour, for stats tests. */
  script: number[] = [];

  constructor(
    readonly workPerWake: number,
    readonly onInterrupt: () => void,
    readonly host?: FakeHost,
    readonly hostMsPerInstruction = 0,
  ) {
    this.remaining = workPerWake;
  }

  run(budget: number): number {
    this.runCalls++;
    const scripted = this.script.shift();
    if (scripted !== undefined) {
      this.retire(budget);
      return scripted;
    }
    let left = budget;
    for (;;) {
      if (this.halted) {
        if (!this.irq) return EngineStop.Halt;
        this.irq = false;
        this.halted = false;
        this.onInterrupt();
      }
      if (left === 0) return EngineStop.Budget;
      const step = Math.min(left, this.remaining);
      this.retire(step);
      left -= step;
      this.remaining -= step;
      if (this.remaining === 0 && left > 0) {
        this.retire(1); // HLT
        left--;
        this.halted = true;
        this.remaining = this.workPerWake;
      }
    }
  }

  reset(): void {
    this.resets++;
    this.halted = false;
    this.remaining = this.workPerWake;
  }

  private retire(n: number): void {
    this.instructionCount += n;
    if (this.host !== undefined) this.host.time += n * this.hostMsPerInstruction;
  }
}
