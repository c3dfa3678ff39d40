// The emulation thread's share of the host's cores (Node on Linux). `ringvm run` calls it before
// the loop starts; bench/ringvm-guest.mjs does the same (`ringvm/host-threads`) to measure what
// the CLI runs.
import { readdirSync, readlinkSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";

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
