// Differential tests: the same guest code under the interpreter (the oracle) and under the
// recompiler, full architectural state compared after every block, memory at the end.
import { describe, expect, it } from "vitest";
import { hex, lockstep as runBoth } from "./support/lockstep";
import type { Machine } from "./support/machine";
import { randomProgram } from "./support/random-program";

/** Runs both engines in lock-step; returns the number of blocks compared. */
function lockstep(
  code: Uint8Array,
  maxSteps = 20_000,
  threshold = 1,
  fastMemory = true,
): { steps: number; b: Machine } {
  return runBoth(code, { maxSteps, threshold, fastMemory });
}

describe("recompiler vs interpreter", () => {
  it("runs the CRC32 loop identically and translates it", { timeout: 60_000 }, () => {
    // mov esi,0x40000 / mov ecx,0x100 / mov eax,-1
    // outer: movzx edx,byte [esi] / xor eax,edx / mov ebx,8
    // inner: shr eax,1 / jnc skip / xor eax,0xEDB88320 / skip: dec ebx / jnz inner
    // inc esi / dec ecx / jnz outer / not eax / hlt
    const code = hex(
      "be00000400b900010000b8ffffffff0fb61631d0bb08000000d1e87305352083b8ed4b75f4464975e6f7d0f4",
    );
    const { b } = lockstep(code);
    // Regions, and entries into their inner blocks made for the dispatcher.
    const st = b.engine!.stats;
    expect(st.blocksTranslated + st.innerEntries).toBeGreaterThan(3);
    expect(b.engine!.stats.instructionsInBlocks).toBeGreaterThan(10_000);
  });

  // Random instruction streams (seeded): mostly the inlined forms with register and memory
  // operands, cmp/test + Jcc pairs, stack traffic, and interpreter-only forms between them,
  // looped so blocks become hot, chain and re-enter. Some seeds fault (#PF, #DE) mid-block.
  const SEEDS = Array.from({ length: 80 }, (_, k) => k + 1);
  it.each(SEEDS)("random stream, seed %i", { timeout: 30_000 }, (seed) => {
    const mixed = seed % 4 === 0; // hot threshold 3: cold code interpreted, hot code translated
    // Odd seeds: memory through CpuState.memory only (no inlined TLB fast path).
    const { b } = lockstep(
      randomProgram(seed, 30, mixed ? 40 : 6),
      20_000,
      mixed ? 3 : 1,
      seed % 2 === 0,
    );
    // Seeds that fault (every 5th) may stop before any code got hot.
    if (seed % 5 !== 0) expect(b.engine!.stats.blocksTranslated).toBeGreaterThan(0);
  });
});
