import { describe, expect, it } from "vitest";
import { configureWasmHost, readWasmBranchHints, useSignatureEntryWrappers } from "./host-wasm";

describe("readWasmBranchHints", () => {
  it("sets the flag only on V8s that need it (before 13.6) and know it (10 on)", () => {
    expect(readWasmBranchHints("11.3.244.8-node.33")).toBe(true); // Node 20
    expect(readWasmBranchHints("12.4.254.21-node.33")).toBe(true); // Node 22
    expect(readWasmBranchHints("13.5.212.10")).toBe(true);
    expect(readWasmBranchHints("13.6.233.10-node.18")).toBe(false); // Node 24: on by default
    expect(readWasmBranchHints("14.1.146.11")).toBe(false);
    expect(readWasmBranchHints("9.4.146.26-node.26")).toBe(false); // Node 16: not known
    expect(readWasmBranchHints("garbage")).toBe(false);
  });
});

describe("useSignatureEntryWrappers", () => {
  it("sets the flag only on V8 11 (Node 20), where it was measured", () => {
    expect(useSignatureEntryWrappers("11.3.244.8-node.33")).toBe(true); // Node 20
    expect(useSignatureEntryWrappers("12.4.254.21-node.33")).toBe(false); // Node 22
    expect(useSignatureEntryWrappers("10.2.154.26-node.28")).toBe(false); // Node 18
    expect(useSignatureEntryWrappers("garbage")).toBe(false);
  });
});

describe("configureWasmHost", () => {
  it("names the flags it set for the given V8", () => {
    expect(configureWasmHost("11.3.244.8-node.33")).toEqual([
      "--experimental-wasm-branch-hinting",
      "--no-wasm-generic-wrapper",
      "--max-inlined-bytecode-size-cumulative=400",
    ]);
    expect(configureWasmHost("12.4.254.21-node.33")).toEqual([
      "--experimental-wasm-branch-hinting",
    ]);
    expect(configureWasmHost("13.6.233.10-node.18")).toEqual([]);
  });
});
