// Setup file: guests boot here as under `ringvm run` (apps/cli host-wasm.ts), with V8 reading the
// region code's branch hints.
import { setFlagsFromString } from "node:v8";
import { branchHintFlag } from "@ringvm/recompiler";

const flag = branchHintFlag(process.versions.v8);
if (flag !== undefined) setFlagsFromString(flag);
