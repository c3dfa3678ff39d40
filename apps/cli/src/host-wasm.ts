// V8 settings for the recompiler's WebAssembly (Node). `ringvm run` calls `configureWasmHost`
// before the board compiles its first region; bench/ringvm-guest.mjs and bench/phases.mjs do the
// same (`ringvm/host-wasm`) to measure what the CLI runs.
import { setFlagsFromString } from "node:v8";
import { branchHintFlag, entryWrapperFlag, wasmHostFlags } from "@ringvm/pc";

/**
 * Makes V8 read WebAssembly branch hints where it does not by default (V8 before 13.6: Node 20
 * and 22). Region code marks its slow paths unlikely; with the hints read, V8 moves them out of
 * the hot path and spills the guest's registers only around their calls (region code ~10-30 %
 * faster in a Linux boot and the busybox workload, bench/README.md). A V8 flag applies to the
 * whole process, which the CLI owns; a library embedding the board leaves it to its host.
 * Returns whether it set the flag; never throws.
 */
export function readWasmBranchHints(v8Version: string = process.versions.v8): boolean {
  return setFlag(branchHintFlag(v8Version));
}

/**
 * Makes V8 enter region functions from JavaScript through per-signature wrappers from the first
 * call where that is measured faster (V8 11: Node 20; `entryWrapperFlag`). Returns whether it
 * set the flag; never throws.
 */
export function useSignatureEntryWrappers(v8Version: string = process.versions.v8): boolean {
  return setFlag(entryWrapperFlag(v8Version));
}

/**
 * The above and TurboFan's lower inlining budget (@ringvm/recompiler `inliningBudgetFlag`), for
 * the running V8: what `ringvm run` sets. Returns the flags it set.
 */
export function configureWasmHost(v8Version: string = process.versions.v8): string[] {
  return wasmHostFlags(v8Version).filter(setFlag);
}

function setFlag(flag: string | undefined): boolean {
  if (flag === undefined) return false;
  try {
    setFlagsFromString(flag);
    return true;
  } catch {
    return false;
  }
}
