// V8 lays out a number field by the first value stored in it: a field that began as a small
// integer changes layout (and the object its hidden class) the first time it holds 2^31 or
// more, and every compiled function that has seen such an object deoptimizes. A boot does that
// to EIP (a kernel at 0xC1000000), CR0 (PG), CR2 (a fault at a kernel address) and the retired
// count: CpuState lays those fields out as doubles from the start (cpu-state.ts DOUBLE_FIELD).
// %HaveSameMap compares hidden classes: a fresh state still has the first layout.
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { CpuState } from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";

setFlagsFromString("--allow-natives-syntax");
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;

describe("CpuState field layout", () => {
  it("starts in the architectural reset values", () => {
    const s = new CpuState(new FlatMemory(4096), new NullPorts());
    // SDM vol. 3 9.1.1: CR0 = 60000010H after reset; CR2, CR3 and EIP (within CS) start at 0.
    expect([s.eip, s.startEip, s.cr0, s.cr2, s.cr3, s.retired]).toEqual([
      0, 0, 0x60000010, 0, 0, 0,
    ]);
  });

  for (const field of ["eip", "startEip", "cr0", "cr2", "cr3", "retired"] as const) {
    it(`keeps its hidden class when ${field} first holds 2^31 or more`, () => {
      const memory = new FlatMemory(4096);
      const s = new CpuState(memory, new NullPorts());
      const fresh = new CpuState(memory, new NullPorts());
      s[field] = 0xc1000000;
      expect(sameMap(s, fresh)).toBe(true);
    });
  }
});
