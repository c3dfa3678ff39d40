// The execution engines against each other on the default guest: in deterministic mode (guest
// time from the instruction count only) the interpreter and the recompiler (`auto`: hot code
// translated, cold code run as decoded blocks through the interpreter's handlers) must print
// byte-identical serial output up to the shell prompt (kernel timestamps included), with the
// recompiler generating JavaScript and WebAssembly (`backend: "wasm"`: guest RAM, TLB and
// registers in one WebAssembly.Memory).
// Any divergence in architectural state that reaches the console (a different interrupt point,
// a wrong flag, a missed self-modifying write) shows up as a different transcript or timestamp.
import { describe, expect, it } from "vitest";
import type { PcConfig } from "../../src/index";
import { PROMPT, startLinuxMachine } from "../linux-machine";

async function bootToPrompt(
  engine: NonNullable<PcConfig["engine"]>,
  backend: NonNullable<PcConfig["backend"]> = "js",
  /** PcConfig.denseRuns; undefined: the board's default. */
  denseRuns?: number,
): Promise<string> {
  const m = startLinuxMachine({
    cmdline: "console=ttyS0 cryptomgr.notests",
    engine,
    backend,
    ...(denseRuns !== undefined ? { denseRuns } : {}),
  });
  await m.waitFor(PROMPT, 0);
  m.pc.stop();
  if (backend === "wasm") {
    // The test cannot pass by falling back to JavaScript: regions really ran as WebAssembly.
    expect(m.pc.recompiler?.stats.translatedWasm).toBeGreaterThan(0);
  }
  // Likewise the dense tier ran cold code (millions of instructions on this boot) or none.
  const dense = m.pc.recompiler?.stats.denseInstructions ?? 0;
  if (backend === "wasm" && denseRuns !== 0) expect(dense).toBeGreaterThan(1e6);
  else expect(dense).toBe(0);
  const transcript = m.transcript();
  // Whatever the board printed after the prompt depends on where the run loop yielded.
  const at = transcript.indexOf(PROMPT);
  return at < 0 ? transcript : transcript.slice(0, at + PROMPT.length);
}

describe("engines on the default guest", () => {
  // Three boots of ~4.3e8 instructions each: about half a minute each on a quiet machine, many
  // minutes on a loaded one (hence the generous timeout).
  it(
    "interpreter and recompiler print byte-identical serial output to the prompt",
    { timeout: 1_200_000 },
    async () => {
      const a = await bootToPrompt("interpreter");
      expect(a).toContain("RingVM guest: Linux 6.1.0-50-686");
      const b = await bootToPrompt("auto");
      // Timestamps come from the instruction count: equal lines mean equal counts there too.
      expect(b.split("\n")).toEqual(a.split("\n"));
      // WebAssembly with the board's defaults (the dense cold tier from a cold block's fourth
      // run), then without the dense tier.
      const c = await bootToPrompt("auto", "wasm");
      expect(c.split("\n")).toEqual(a.split("\n"));
      const d = await bootToPrompt("auto", "wasm", 0);
      expect(d.split("\n")).toEqual(a.split("\n"));
    },
  );
});
