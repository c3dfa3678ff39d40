// Page-crossing instructions: a straight-line instruction that starts a block and ends on the
// next page. Its bytes on that page are not the block's (the page watch and the cache key cover
// only the first page, and the next page may be remapped), so the code that runs one compares
// its bytes in memory with those it was decoded from each time (the engine's crossing handler),
// decodes it again when they differ, and ends the block after it. `discover` marks them (fresh
// objects, never pooled, so the mark stays with the instruction).
//
// The wasm back end runs one inline instead when the engine could watch the physical page its
// tail was fetched from (`CrossingForm.tail`): the region tests that the TLB still maps the
// tail's linear page there for fetches (else it takes the handler path above), and the region is
// registered on that page too, so a write to it (CPU or DMA) invalidates the region for good
// (`Block.tailPage`: not revived, its bytes there are not in its snapshot).
import type { Instruction } from "@ringvm/decoder";
import { decodedHandler, type Handler } from "@ringvm/cpu";

/** What a crossing instruction was decoded from, and the interpreter's handler for it. */
export interface CrossingForm {
  readonly bytes: Uint8Array;
  readonly handler: Handler;
  /** Where its tail was fetched from when the engine watches that page (see above), else null. */
  tail: CrossingTail | null;
}

/** The linear page of a crossing instruction's tail and the physical page it was fetched from. */
export interface CrossingTail {
  readonly linearPage: number;
  readonly physPage: number;
}

const CROSSING = new WeakMap<Instruction, CrossingForm>();

/** Marks `i`, decoded from `bytes`, as a page-crossing instruction (block.ts `discover`). */
export function markCrossing(i: Instruction, bytes: Uint8Array): void {
  CROSSING.set(i, { bytes, handler: decodedHandler(i), tail: null });
}

/** Whether `i` is a page-crossing instruction of a region. */
export function isCrossing(i: Instruction): boolean {
  return CROSSING.has(i);
}

/** The bytes and handler of crossing instruction `i` (undefined: not one). */
export function crossingForm(i: Instruction): CrossingForm | undefined {
  return CROSSING.get(i);
}
