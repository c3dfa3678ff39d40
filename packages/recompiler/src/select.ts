// The engine choice behind `--engine interpreter|recompiler|auto`.
import type { Cpu } from "@ringvm/cpu";
import { Recompiler, type RecompilerOptions, type RecompilerStats } from "./engine";

export type EngineKind = "interpreter" | "recompiler" | "auto";

/**
 * The engine for `kind`: the interpreter is the `Cpu` itself; `recompiler` translates code on
 * first sight; `auto` runs cold code as decoded blocks through the interpreter's handlers and
 * translates a block once it has run DEFAULT_HOT_THRESHOLD_WASM times with the wasm back end,
 * DEFAULT_HOT_THRESHOLD with the JS one (`hotThreshold`; or, with
 * `hotInstructions`, once it has run that many instructions).
 */
export function createEngine(kind: EngineKind, options: RecompilerOptions): Cpu | Recompiler {
  if (kind === "interpreter") return options.cpu;
  // Both translate regions of up to MAX_REGION_BLOCKS basic blocks: with registers and flags
  // in locals, a loop that stays inside one region function runs faster than one bouncing
  // between one-block functions through the dispatcher (Linux boot, README).
  if (kind === "recompiler")
    return new Recompiler({ ...options, hotThreshold: 1, hotInstructions: undefined });
  // `auto`: DEFAULT_HOT_THRESHOLD(_WASM) entries unless the caller chose (`hotInstructions` counts
  // heat in instructions instead; not the default: no measurable gain, README Benchmark).
  return new Recompiler(options);
}

/** The `--stats` lines for the recompiler: blocks, and why code ran in the interpreter. */
export function formatRecompilerStats(st: RecompilerStats): string {
  const total = st.instructionsInBlocks + st.instructionsInterpreted;
  const pct = (n: number): string => (total === 0 ? "0.0" : ((100 * n) / total).toFixed(1));
  const lines = [
    `recompiler: ${st.blocksDecoded} blocks decoded, ${st.blocksTranslated} translated, ${st.blocksInvalidated} invalidated (${st.blocksRevived} revived unchanged; ${st.codeWritesBeside} writes beside code), ${st.blocksEvicted} evicted, ${st.innerEntries} inner region entries`,
    `  ${st.blocksExecuted} block runs (${st.chained} chained); instructions in blocks ${st.instructionsInBlocks} (${pct(st.instructionsInBlocks)}%), interpreted ${st.instructionsInterpreted} (${pct(st.instructionsInterpreted)}%)`,
  ];
  if (st.translatedWasm > 0)
    lines.push(
      `  translations running as WebAssembly: ${st.translatedWasm} (${st.wasmModules} modules, ${st.wasmModulesLive} with a live region, ${st.wasmModulesCollected} collected, ${st.wasmBytes} bytes; cache dropped for V8 to free them: ${st.wasmFlushes}); entries from JavaScript ${st.wasmEntries}, chained inside WebAssembly ${st.chainedInWasm}`,
    );
  if (st.denseInstructions > 0)
    lines.push(
      `  cold instructions run by the dense tier: ${st.denseInstructions} (${pct(st.denseInstructions)}%)`,
    );
  for (const [reason, n] of Object.entries(st.interpreted)) {
    if (n > 0) lines.push(`  interpreted because ${reason}: ${n}`);
  }
  return lines.join("\n");
}
