// Setup file: guests boot here as under `ringvm run` (apps/cli host-wasm.ts), with V8 reading the
// region code's branch hints.
import { setFlagsFromString } from "node:v8";
import { branchHintFlag, entryWrapperFlag } from "@ringvm/recompiler";

// And with its entry wrappers as there (V8 11).
for (const flag of [branchHintFlag, entryWrapperFlag].map((f) => f(process.versions.v8))) {
  if (flag !== undefined) setFlagsFromString(flag);
}
