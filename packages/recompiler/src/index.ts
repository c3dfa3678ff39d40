// @ringvm/recompiler: public surface.
export {
  DEFAULT_HOT_INSTRUCTIONS,
  DEFAULT_HOT_THRESHOLD,
  DEFAULT_HOT_THRESHOLD_WASM,
  BATCH_SIZE,
  WARM_FRACTION,
  HEAT_AFTER_REGION,
  HEAT_USER,
  flatSegments,
  modeKey,
  Recompiler,
  type CodePageWatch,
  type CodeTranslator,
  type InterpretReasons,
  type RecompilerOptions,
  type RecompilerStats,
} from "./engine";
export {
  Block,
  MAX_BLOCK_INSNS,
  MAX_REGION_BLOCKS,
  discover,
  discoverRegion,
  generate,
  type FastMemoryView,
  type GenerateOptions,
} from "./block";
export { RUNTIME_NAMES } from "./emit";
export { WASM_CHAIN_SCRATCH_BYTES } from "./wasm/lower";
export { WASM_DENSE_SCRATCH_BYTES } from "./wasm/dense";
export { branchHintFlag, entryWrapperFlag, inliningBudgetFlag, wasmHostFlags } from "./wasm/api";
export { createEngine, formatRecompilerStats, type EngineKind } from "./select";
export {
  architecturalState,
  diffStates,
  formatDivergence,
  runLockstep,
  type ArchState,
  type Divergence,
  type LockstepOptions,
  type LockstepResult,
} from "./differential";
