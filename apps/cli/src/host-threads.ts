// The emulation thread's share of the host's cores (Node on Linux). `ringvm run` calls it before
// the loop starts; bench/ringvm-guest.mjs does the same (`ringvm/host-threads`) to measure what
// the CLI runs.
import { readdirSync, readlinkSync } from "node:fs";
import { availableParallelism, constants, setPriority } from "node:os";

/** The nice value `favorCallingThread` gives the other threads (the weakest CFS weight). */
export const HELPER_THREAD_NICE = 19;

/**
 * Lowers the scheduling priority of every other thread of this process (Linux): V8's platform
 * workers (the optimizing compiler tiering up the recompiler's WebAssembly, concurrent GC) and
 * libuv's pool, so that they run on the cores the calling thread (the emulation loop) leaves
 * idle instead of preempting it. On a 2-core host a Linux boot gives those workers ~9 s of CPU
 * next to the loop's ~14 s; at equal priority the loop lost ~1 s of wall time to them
 * (1,500-1,900 involuntary context switches per boot, against 130-400 after). They still get every
 * idle core, so they run as fast as before wherever a core is free.
 *
 * Threads created later inherit the creator's priority (the calling thread's, unchanged). Does
 * nothing, and returns 0, where it cannot help or cannot tell threads apart: not Linux (no
 * `/proc/thread-self`), or a single core (there the workers would never get to run while the
 * loop runs: the WebAssembly would stay in V8's baseline tier). Returns the number of threads
 * whose priority it lowered; never throws.
 */
export function favorCallingThread(): number {
  let self: string;
  let tasks: string[];
  try {
    if (availableParallelism() < 2) return 0;
    // "<pid>/task/<tid>": the caller may be a worker thread, not the process's main thread.
    self = readlinkSync("/proc/thread-self").split("/").pop()!;
    tasks = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tasks) {
    if (tid === self) continue;
    try {
      setPriority(Number(tid), HELPER_THREAD_NICE);
      lowered++;
    } catch {
      // The thread ended meanwhile, or the host refuses: leave it as it was.
    }
  }
  return lowered;
}

/** Node's own default for V8's platform worker pool (`--v8-pool-size`). */
export const NODE_DEFAULT_POOL_SIZE = 4;

/**
 * V8 platform workers for a host with `cores` cores: one per core the emulation thread leaves,
 * at least one and no more than Node's default. On a 2-core host Node's four workers
 * (TurboFan tier-ups of the recompiler's WebAssembly, concurrent GC) time-share the one spare
 * core and, even at nice 19, still cost the loop wall time: one worker booted the default guest
 * ~6 % faster and ran the busybox workload ~5 % faster in 5 of 5 alternating pairs
 * (bench/README.md, stop 47).
 */
export function helperPoolSize(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(NODE_DEFAULT_POOL_SIZE, cores - 1));
}

/**
 * The Node options that give this host `helperPoolSize` workers, or none when Node's default
 * already does or the user chose a pool size (in `execArgv` or `NODE_OPTIONS`).
 */
export function poolSizeArgs(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
  cores: number = availableParallelism(),
): string[] {
  const chosen = (s: string): boolean => s.includes("--v8-pool-size");
  if (execArgv.some(chosen) || chosen(nodeOptions)) return [];
  const size = helperPoolSize(cores);
  return size === NODE_DEFAULT_POOL_SIZE ? [] : [`--v8-pool-size=${size}`];
}

/** Set in a relaunched process, so it never relaunches again. */
const RELAUNCHED = "RINGVM_RELAUNCHED";

/** What `relaunchWithPoolSize` reads of this process (tests pass their own). */
export interface LaunchContext {
  execPath: string;
  execArgv: readonly string[];
  /** process.argv: the node binary, the script, its arguments. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cores: number;
}

function thisProcess(): LaunchContext {
  return {
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    env: process.env,
    cores: availableParallelism(),
  };
}

/**
 * V8's pool size is fixed when Node starts, so the CLI runs itself again with `poolSizeArgs`
 * (stdio inherited: the child owns the terminal; SIGINT, SIGTERM and SIGHUP are passed on, so a
 * terminal's Ctrl-C may reach the child twice, which `ringvm run` takes as one). Resolves to the
 * child's exit code (128 + the signal's number if a signal ended it), or to null when no
 * relaunch is needed (or this is the relaunched process) or the child cannot be started: the
 * caller then runs in this process.
 */
export async function relaunchWithPoolSize(
  at: LaunchContext = thisProcess(),
): Promise<number | null> {
  const extra = poolSizeArgs(at.execArgv, at.env.NODE_OPTIONS ?? "", at.cores);
  if (extra.length === 0 || at.env[RELAUNCHED] !== undefined) return null;
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(at.execPath, [...at.execArgv, ...extra, ...at.argv.slice(1)], {
        stdio: "inherit",
        env: { ...at.env, [RELAUNCHED]: "1" },
      });
    } catch {
      resolve(null);
      return;
    }
    const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers: [NodeJS.Signals, () => void][] = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map(
      (signal) => [signal, pass(signal)],
    );
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = (code: number | null): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(code);
    };
    // Only a child that never started means "run here"; a later error (a signal it could not
    // take) leaves the outcome to its exit.
    let started = false;
    child.once("spawn", () => (started = true));
    child.on("error", () => {
      if (!started) done(null);
    });
    child.once("exit", (code, signal) =>
      done(code ?? 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0)),
    );
  });
}
