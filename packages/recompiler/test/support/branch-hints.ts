// Setup file: region code runs here as under `ringvm run` (apps/cli host-wasm.ts), with V8 reading
// its branch hints (so the lock-step tests cover the code V8 lays out from them) and entering it
// through the same wrappers.
import { setFlagsFromString } from "node:v8";
import { wasmHostFlags } from "../../src/wasm/api";

for (const flag of wasmHostFlags(process.versions.v8)) setFlagsFromString(flag);
