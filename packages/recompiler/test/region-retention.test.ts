// What a WebAssembly region keeps on the heap once it is built: its handler call sites'
// instructions, not the decoded instructions of all its code (~300 bytes each, for the region's
// life: a boot's regions held ~35 MB of them while a closure among the region's imports named
// its lowered form). Counted with V8's own heap walk (`v8.queryObjects` collects first).
import { queryObjects } from "node:v8";
import { describe, expect, it } from "vitest";
import { Instruction } from "@ringvm/decoder";
import { makeMachine } from "./support/machine";
import { wasmProgram } from "./support/wasm-program";

/** Live `Instruction` objects. */
function liveInstructions(): number {
  return queryObjects(Instruction, { format: "count" }) as number;
}

describe("region retention", () => {
  it("a WebAssembly region keeps only its handler sites' instructions", () => {
    const m = makeMachine(wasmProgram(7, 40, 6), true, 1, true, "wasm");
    const before = liveInstructions();
    m.engine!.run(200_000);
    const grown = liveInstructions() - before;
    let regionInsns = 0;
    let sites = 0;
    for (const b of m.engine!.blocks()) {
      if (b.wasm === null || b.home !== b) continue;
      for (const ips of b.ips) regionInsns += ips.length;
      sites += b.handlerSites.length;
    }
    expect(regionInsns).toBeGreaterThan(50);
    // The rest is the cold blocks' own and the decoder's pools (26 here, against 117 when the
    // region kept every instruction it was built from).
    expect(grown).toBeLessThan(regionInsns / 2 + sites);
  });
});
