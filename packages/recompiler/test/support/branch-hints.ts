// Setup file: region code runs here as under `ringvm run` (apps/cli host-wasm.ts), with V8 reading
// its branch hints, so the lock-step tests cover the code V8 lays out from them.
import { setFlagsFromString } from "node:v8";
import { branchHintFlag, entryWrapperFlag } from "../../src/wasm/api";

// And with its entry wrappers as there (V8 11).
for (const flag of [branchHintFlag, entryWrapperFlag].map((f) => f(process.versions.v8))) {
  if (flag !== undefined) setFlagsFromString(flag);
}
