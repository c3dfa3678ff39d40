// Setup file: guests boot here as under `ringvm run` (apps/cli host-wasm.ts), with the V8 flags it
// sets (the region code's branch hints, its entry wrappers).
import { setFlagsFromString } from "node:v8";
import { wasmHostFlags } from "@ringvm/recompiler";

for (const flag of wasmHostFlags(process.versions.v8)) setFlagsFromString(flag);
