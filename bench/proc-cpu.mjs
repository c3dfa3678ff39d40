import { readdirSync, readFileSync } from "node:fs";
// CPU time of processes and threads from Linux's /proc (utime + stime), shared by compare.mjs
// (each emulator's busiest thread against its others) and phases.mjs (the emulation thread).

/** Clock ticks per second in /proc's stat files (USER_HZ: 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/**
 * utime + stime, in clock ticks, of a /proc stat file (the name in parentheses may hold
 * spaces).
 */
function statTicks(path) {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds of thread `tid` of process `pid` so far; 0 where /proc is missing. */
export function threadCpuSeconds(pid = process.pid, tid = pid) {
  try {
    return statTicks(`/proc/${pid}/task/${tid}/stat`) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time of process `pid` so far, in clock ticks: all its threads (exited ones included) and
 * each live thread's; undefined where /proc is missing.
 */
export function processCpu(pid) {
  try {
    const threads = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(tid, statTicks(`/proc/${pid}/task/${tid}/stat`));
      } catch {
        // The thread exited meanwhile: its time is in the process's total.
      }
    }
    return { total: statTicks(`/proc/${pid}/stat`), threads };
  } catch {
    return undefined;
  }
}

/** A `processCpu` sample of a process that has not run yet. */
export const NO_CPU = { total: 0, threads: new Map() };
