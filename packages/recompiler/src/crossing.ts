// Page-crossing instructions: a straight-line instruction that starts a block and ends on the
// next page. Its bytes on that page are not the block's (the page watch and the cache key cover
// only the first page, and the next page may be remapped), so the code that runs one compares
// its bytes in memory with those it was decoded from each time (the engine's crossing handler),
// decodes it again when they differ, and ends the block after it. `discover` marks them (fresh
// objects, never pooled, so the mark stays with the instruction).
import type { Instruction } from "@ringvm/decoder";
import { decodedHandler, type Handler } from "@ringvm/cpu";

/** What a crossing instruction was decoded from, and the interpreter's handler for it. */
export interface CrossingForm {
  readonly bytes: Uint8Array;
  readonly handler: Handler;
}

const CROSSING = new WeakMap<Instruction, CrossingForm>();

/** Marks `i`, decoded from `bytes`, as a page-crossing instruction (block.ts `discover`). */
export function markCrossing(i: Instruction, bytes: Uint8Array): void {
  CROSSING.set(i, { bytes, handler: decodedHandler(i) });
}

/** Whether `i` is a page-crossing instruction of a region. */
export function isCrossing(i: Instruction): boolean {
  return CROSSING.has(i);
}

/** The bytes and handler of crossing instruction `i` (undefined: not one). */
export function crossingForm(i: Instruction): CrossingForm | undefined {
  return CROSSING.get(i);
}
