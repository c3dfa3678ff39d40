// The differential lock-step mode (src/differential.ts): agreement on a whole guest program,
// and a planted divergence is reported at the step it happens, with both states.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatDivergence, runLockstep } from "../src/index";
import { makeMachine } from "./support/machine";

const workload = new Uint8Array(readFileSync(new URL("guests/workload.bin", import.meta.url)));

describe("runLockstep", () => {
  it.each(["js", "wasm", "wasm-shared"] as const)(
    "finds no divergence on workload.asm (cold blocks and translations, %s back end)",
    { timeout: 60_000 },
    (backend) => {
      const a = makeMachine(workload, false);
      const b = makeMachine(workload, true, 4, true, backend);
      const result = runLockstep(a.cpu, b.engine!, {
        // All of RAM every 1000 steps (4 MiB each time), and at the end below.
        compareMemory: (step) =>
          step % 1000 !== 0 || Buffer.compare(a.mem.bytes, b.mem.bytes) === 0
            ? null
            : "RAM differs",
      });
      expect(result.divergence).toBeNull();
      expect(Buffer.compare(a.mem.bytes, b.mem.bytes)).toBe(0);
      expect(b.cpu.state.halted).toBe(true);
      expect(b.engine!.stats.blocksTranslated).toBeGreaterThan(0);
      if (backend !== "js") expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
    },
  );

  it("stops at the first divergence and prints both states", () => {
    const a = makeMachine(workload, false);
    const b = makeMachine(workload, true, 4);
    let steps = 0;
    const result = runLockstep(a.cpu, b.engine!, {
      compareMemory: () => {
        // Plant a fault in the recompiled machine after 50 matching steps.
        if (++steps === 50) b.cpu.state.regs[5] = (b.cpu.state.regs[5]! ^ 0x100) | 0;
        return null;
      },
    });
    expect(result.divergence).not.toBeNull();
    const d = result.divergence!;
    expect(d.step).toBe(50);
    expect(d.fields).toEqual(["ebp"]);
    expect((d.reference.ebp as number) ^ (d.recompiled.ebp as number)).toBe(0x100);
    const text = formatDivergence(d);
    expect(text).toMatch(/divergence after step 50 .*: ebp/);
    expect(text).toMatch(/ebp +0x[0-9a-f]+ +0x[0-9a-f]+ <--/);
  });
});
