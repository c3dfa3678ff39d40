import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { favorCallingThread, HELPER_THREAD_NICE } from "./host-threads";

/** Field 19 (nice) of a /proc stat line; the name in parentheses may hold spaces. */
function niceOf(statPath: string): number {
  const stat = readFileSync(statPath, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

describe("favorCallingThread", () => {
  it("lowers every other thread's priority as the kernel reports it, not the caller's", async () => {
    const linux = existsSync("/proc/thread-self") && availableParallelism() >= 2;
    if (!linux) {
      expect(favorCallingThread()).toBe(0);
      return;
    }
    // One more thread beside V8's and libuv's own, idle until terminated.
    const worker = new Worker("setInterval(() => {}, 1000);", { eval: true });
    await new Promise((resolve) => worker.once("online", resolve));
    try {
      const callerBefore = niceOf("/proc/thread-self/stat");
      const others =
        readdirSync("/proc/self/task").filter(
          (tid) => niceOf(`/proc/self/task/${tid}/stat`) === callerBefore,
        ).length - 1;
      expect(others).toBeGreaterThan(0);

      const lowered = favorCallingThread();

      expect(niceOf("/proc/thread-self/stat")).toBe(callerBefore);
      const nices = readdirSync("/proc/self/task").map((tid) =>
        niceOf(`/proc/self/task/${tid}/stat`),
      );
      // The caller keeps its value; every other thread (the worker included) has the helpers'.
      expect(nices.filter((n) => n === callerBefore)).toHaveLength(1);
      expect(nices.filter((n) => n === HELPER_THREAD_NICE)).toHaveLength(nices.length - 1);
      expect(lowered).toBe(nices.length - 1);
    } finally {
      await worker.terminate();
    }
  });
});
