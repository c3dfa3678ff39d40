// What the run loop needs from its host (Node, a browser window or a Web Worker). Everything
// environment-specific is behind this interface so the package uses no Node-only API; the CLI
// may inject its own (for example one built on setImmediate).

/** Host services used by the run loop. Times are host milliseconds from a monotonic clock. */
export interface HostPlatform {
  /** Monotonic host time in milliseconds (fractions allowed), like `performance.now()`. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link clearTimer}. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer made by {@link setTimer} (no-op if it already fired). */
  clearTimer(handle: unknown): void;
  /** Resolves after the host event loop has had a turn (terminal input, Ctrl-C, messages). */
  yieldToHost(): Promise<void>;
}

interface HostGlobals {
  performance?: { now(): number };
  setImmediate?: (callback: () => void) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: ((event: unknown) => void) | null; close(): void };
    port2: { postMessage(message: unknown): void; close(): void };
  };
}

/**
 * The default host: `performance.now()`, `setTimeout`, and a macrotask yield through
 * `setImmediate` where it exists (Node), otherwise a `MessageChannel` (browsers, workers), which,
 * unlike `setTimeout(0)`, is not clamped to 1-4 ms.
 *
 * @example
 * const host = defaultHost();
 * await host.yieldToHost();
 */
export function defaultHost(): HostPlatform {
  const g = globalThis as unknown as HostGlobals;
  const perf = g.performance;
  const now = perf !== undefined ? () => perf.now() : () => Date.now();
  let yieldToHost: () => Promise<void>;
  const setImmediateFn = g.setImmediate;
  const Channel = g.MessageChannel;
  if (typeof setImmediateFn === "function") {
    yieldToHost = () =>
      new Promise<void>((resolve) => {
        setImmediateFn(resolve);
      });
  } else if (typeof Channel === "function") {
    const channel = new Channel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => {
      const resolve = waiting.shift();
      if (resolve !== undefined) resolve();
    };
    yieldToHost = () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
  } else {
    yieldToHost = () =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, 0);
      });
  }
  return {
    now,
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
    yieldToHost,
  };
}
