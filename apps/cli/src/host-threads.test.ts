import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism, tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  favorCallingThread,
  HELPER_THREAD_NICE,
  helperPoolSize,
  poolSizeArgs,
  relaunchWithPoolSize,
} from "./host-threads";

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

describe("helperPoolSize / poolSizeArgs", () => {
  it("leaves the emulation thread one core: cores - 1 workers, 1 to Node's default 4", () => {
    expect([1, 2, 3, 4, 5, 16].map((cores) => helperPoolSize(cores))).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it("asks for a pool only where Node's default differs and the user chose none", () => {
    expect(poolSizeArgs([], "", 2)).toEqual(["--v8-pool-size=1"]);
    expect(poolSizeArgs([], "", 4)).toEqual(["--v8-pool-size=3"]);
    expect(poolSizeArgs([], "", 8)).toEqual([]);
    expect(poolSizeArgs(["--v8-pool-size=2"], "", 2)).toEqual([]);
    expect(poolSizeArgs([], "--max-old-space-size=4096 --v8-pool-size=6", 2)).toEqual([]);
  });
});

describe("relaunchWithPoolSize", () => {
  // The "script" exits 7 only when it runs with the pool size and the relaunch marker.
  const probe = [
    process.execPath,
    "-e",
    "process.exit(process.execArgv.includes('--v8-pool-size=1') && process.env.RINGVM_RELAUNCHED === '1' ? 7 : 1)",
  ];
  const context = { execPath: process.execPath, execArgv: [], argv: probe, env: {}, cores: 2 };

  it("runs the same command again with the pool size and resolves to its exit code", async () => {
    expect(await relaunchWithPoolSize(context)).toBe(7);
  });

  it("resolves to 128 + the signal's number when a signal ends the child", async () => {
    const killed = [process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"];
    expect(await relaunchWithPoolSize({ ...context, argv: killed })).toBe(128 + 15);
  });

  it("passes SIGINT on to the child", async () => {
    const ready = join(mkdtempSync(join(tmpdir(), "ringvm-relaunch-")), "ready");
    const waiting = [
      process.execPath,
      "-e",
      `process.on('SIGINT', () => process.exit(5)); require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000)`,
    ];
    const exit = relaunchWithPoolSize({ ...context, argv: waiting });
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20));
    process.emit("SIGINT");
    expect(await exit).toBe(5);
  });

  it("does not relaunch a relaunched process, one with enough cores, or when it cannot start", async () => {
    expect(await relaunchWithPoolSize({ ...context, env: { RINGVM_RELAUNCHED: "1" } })).toBeNull();
    expect(await relaunchWithPoolSize({ ...context, cores: 8 })).toBeNull();
    expect(await relaunchWithPoolSize({ ...context, execPath: "/nonexistent/node" })).toBeNull();
  });
});
