import { describe, expect, it } from "vitest";
import { readWasmBranchHints } from "./host-wasm";

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
