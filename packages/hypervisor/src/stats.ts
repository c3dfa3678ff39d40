// Exit statistics: why guest context was left, what host context did, and where time went.

/** Why the hypervisor left guest context. Dense numbers, used as array indices. */
export const ExitReason = {
  /** The slice budget ran out with no timer due (the loop bounds slices to stay responsive). */
  Budget: 0,
  /** The slice ended at a timer deadline. */
  Timer: 1,
  /** HLT with nothing pending. */
  Halt: 2,
  /** Triple fault / shutdown. */
  Shutdown: 3,
  /** Debugger breakpoint. */
  Breakpoint: 4,
} as const;
export type ExitReason = (typeof ExitReason)[keyof typeof ExitReason];

const EXIT_NAMES = ["budget", "timer deadline", "hlt", "shutdown", "breakpoint"] as const;

/** Counters kept by the run loop. All times are host milliseconds. */
export class ExitStats {
  /** Exits by {@link ExitReason}. */
  readonly exits = new Float64Array(EXIT_NAMES.length);
  /** Guest slices entered. */
  slices = 0;
  /** Instructions retired in guest context. */
  instructions = 0;
  /** Timer events fired in host context. */
  timerEvents = 0;
  /** Host I/O completions and posted host jobs delivered. */
  hostJobs = 0;
  /** Resets performed (requested or after a triple fault). */
  resets = 0;
  /** Times the loop slept on the host waiting for a deadline or a wake-up (HLT). */
  idleSleeps = 0;
  /** Deterministic mode: times the clock jumped over an idle span. */
  clockJumps = 0;
  /** Guest nanoseconds jumped over. */
  skippedNs = 0;
  /** Yields to the host event loop. */
  yields = 0;
  /** Deterministic mode: host turns given at a halt so held input can arrive (see `post`). */
  haltYields = 0;
  /** Time inside the engine. */
  guestMs = 0;
  /** Time sleeping while the guest was halted. */
  idleMs = 0;
  /** Time paused by the user. */
  pausedMs = 0;
  /** Wall time since the loop first ran (host = wall - guest - idle - paused). */
  wallMs = 0;

  get hostMs(): number {
    const host = this.wallMs - this.guestMs - this.idleMs - this.pausedMs;
    return host > 0 ? host : 0;
  }

  get totalExits(): number {
    let total = 0;
    for (let i = 0; i < this.exits.length; i++) total += this.exits[i]!;
    return total;
  }

  reset(): void {
    this.exits.fill(0);
    this.slices = this.instructions = this.timerEvents = this.hostJobs = this.resets = 0;
    this.idleSleeps = this.clockJumps = this.skippedNs = this.yields = this.haltYields = 0;
    this.guestMs = this.idleMs = this.pausedMs = this.wallMs = 0;
  }
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-";
}

function row(label: string, value: string, share: string): string {
  return `  ${label.padEnd(26)}${value.padStart(14)}${share.padStart(9)}`.trimEnd();
}

function heading(title: string, value: string, share: string): string {
  return `${title.padEnd(28)}${value.padStart(14)}${share.padStart(9)}`.trimEnd();
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * The table `ringvm run --stats` prints: exits by reason, host-context work, and the share of
 * time in guest context, host context and idle.
 *
 * @example
 * console.error(formatStats(hv.stats, { engine: "interpreter", guestNs: clock.now() }));
 */
export function formatStats(
  stats: ExitStats,
  info: { engine?: string; guestNs?: number } = {},
): string {
  const lines: string[] = [];
  const exits = stats.totalExits;
  lines.push(heading("exits from guest context", "count", "share"));
  for (let i = 0; i < EXIT_NAMES.length; i++) {
    lines.push(row(EXIT_NAMES[i]!, int(stats.exits[i]!), pct(stats.exits[i]!, exits)));
  }
  lines.push(row("total", int(exits), ""));
  lines.push(heading("host context work", "count", ""));
  lines.push(row("timer events fired", int(stats.timerEvents), ""));
  lines.push(row("host I/O / jobs delivered", int(stats.hostJobs), ""));
  lines.push(row("resets", int(stats.resets), ""));
  lines.push(row("idle sleeps (hlt)", int(stats.idleSleeps), ""));
  lines.push(row("clock jumps (hlt)", int(stats.clockJumps), ""));
  lines.push(row("yields to host", int(stats.yields), ""));
  if (stats.haltYields > 0) lines.push(row("input turns at hlt", int(stats.haltYields), ""));
  const wall = stats.wallMs;
  lines.push(heading("time", "ms", "share"));
  lines.push(row("guest context", stats.guestMs.toFixed(1), pct(stats.guestMs, wall)));
  lines.push(row("host context", stats.hostMs.toFixed(1), pct(stats.hostMs, wall)));
  lines.push(row("idle (hlt)", stats.idleMs.toFixed(1), pct(stats.idleMs, wall)));
  if (stats.pausedMs > 0)
    lines.push(row("paused", stats.pausedMs.toFixed(1), pct(stats.pausedMs, wall)));
  lines.push(row("wall", wall.toFixed(1), ""));
  const mips = stats.guestMs > 0 ? stats.instructions / stats.guestMs / 1000 : 0;
  lines.push(
    `  instructions ${int(stats.instructions)} in ${int(stats.slices)} slices` +
      ` (${info.engine ?? "interpreter"}, ${mips.toFixed(1)} MIPS in guest context)`,
  );
  if (info.guestNs !== undefined) {
    lines.push(
      `  guest time ${(info.guestNs / 1e9).toFixed(3)} s (${(stats.skippedNs / 1e9).toFixed(3)} s skipped while idle)`,
    );
  }
  return lines.join("\n");
}
