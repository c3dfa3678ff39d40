// Page-crossing instructions: a straight-line instruction that starts a block and ends on the
// next page. Its bytes on that page are not the block's (the page watch and the cache key cover
// only the first page, and the next page may be remapped), so the code that runs one decodes it
// again from memory each time (the engine's crossing handler) and ends the block after it.
// `discover` marks them (fresh objects, never pooled, so the mark stays with the instruction).
import type { Instruction } from "@ringvm/decoder";

const CROSSING = new WeakSet<Instruction>();

/** Marks `i` as a page-crossing instruction (block.ts `discover`). */
export function markCrossing(i: Instruction): void {
  CROSSING.add(i);
}

/** Whether `i` is a page-crossing instruction of a region. */
export function isCrossing(i: Instruction): boolean {
  return CROSSING.has(i);
}
