// The execution-engine seam: the interpreter today, the recompiler later.

/**
 * Why an engine returned. The numbers are those of `StopReason` in `@ringvm/cpu`, so
 * `cpu.run(n)` can be used as an engine directly.
 */
export const EngineStop = {
  /** The instruction budget ran out. */
  Budget: 0,
  /** HLT with no interrupt deliverable. */
  Halt: 1,
  /** Triple fault or shutdown cycle. */
  Shutdown: 2,
  /** A debugger breakpoint. */
  Breakpoint: 3,
} as const;
export type EngineStop = (typeof EngineStop)[keyof typeof EngineStop];

/**
 * Runs guest code for up to `maxInstructions` retired instructions and says why it stopped.
 * Interrupt injection happens inside (the CPU polls its InterruptSource at instruction
 * boundaries); the hypervisor only bounds the budget so timers are noticed on time.
 */
export interface ExecutionEngine {
  /** Shown in statistics; defaults to "interpreter" when absent. */
  readonly name?: string;
  run(maxInstructions: number): number;
}

/** The CPU as the hypervisor sees it (`Cpu` from `@ringvm/cpu` satisfies this). */
export interface GuestCpu extends ExecutionEngine {
  /** Retired instructions since construction; never reset. */
  readonly instructionCount: number;
  /** Power-on / INIT reset of the architectural state. */
  reset(): void;
  /**
   * EFLAGS, when the CPU can tell (`Cpu` does). A halt with IF clear can only end by NMI or
   * reset, so the deterministic loop paces it to host time instead of racing through timers.
   */
  readonly eflags?: number;
}
