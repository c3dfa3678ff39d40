// Guest RAM, the MMU's software TLB and the CPU's registers in one WebAssembly.Memory, so that
// code generated as WebAssembly (@ringvm/recompiler) and the TypeScript interpreter share one
// copy of the state. Opt-in: without it every part keeps its own ArrayBuffer.
import type { WasmGuestMemory } from "@ringvm/bus";
import { MAX_RAM_SIZE, MIN_RAM_SIZE, PAGE_SIZE } from "./physical-space";

/** Bytes of the software TLB (one int32 per 4 KiB linear page). */
const TLB_BYTES = 4 << 20;
/** WebAssembly page size. */
const WASM_PAGE = 0x1_0000;
/**
 * WebAssembly pages after the TLB: masks and the flat-read bound, registers, the chunk bits and
 * the memo area in the first 4 KiB, then the scratch, with room for @ringvm/recompiler's
 * dynamic-exit hash (513 KiB, its WASM_CHAIN_SCRATCH_BYTES) and its dense cold tier's pool
 * (1 MiB, WASM_DENSE_SCRATCH_BYTES; the board's tests check both fit).
 */
const STATE_PAGES = 28;
/**
 * Bytes of the MMU's translation memo area (`LinearFastPath.memo`), in the first state page
 * (after its first KiB, up to its end): room for the recompiler's memo banks of one region mode
 * each (600 bytes: 25 slots of 24) for the four combinations of CPL 3 and CR0.WP, and more.
 */
export const MEMO_BYTES = 3072;
/** Bytes of the MMU's chunk bits (`LinearFastPath.chunks`): one bit per 4 MiB of linear space. */
export const CHUNK_BYTES = 128;
/** The scratch: a code generator's state words and tables (the recompiler's dynamic-exit hash). */
const SCRATCH_SIZE = STATE_PAGES * WASM_PAGE - 4096;

/** Where each part lives in the memory (byte offsets); RAM is at 0. */
export interface GuestMemoryLayout extends WasmGuestMemory {
  /** The MMU's TLB (`Int32Array` of 2^20 entries). */
  readonly tlbOffset: number;
  /** The MMU's [read mask, write mask] (two int32). */
  readonly masksOffset: number;
  /** The MMU's flat-read bound (one int32, see @ringvm/bus `LinearFastPath.flatRead`). */
  readonly flatReadOffset: number;
  /** The MMU's translation memo area (MEMO_BYTES, see @ringvm/bus `LinearFastPath.memo`). */
  readonly memoOffset: number;
  /** The MMU's chunk bits (CHUNK_BYTES, see @ringvm/bus `LinearFastPath.chunks`). */
  readonly chunksOffset: number;
}

interface WasmMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => {
    readonly buffer: ArrayBuffer;
  };
}

/**
 * Creates the memory for `ramSize` bytes of RAM: RAM, then the TLB, then STATE_PAGES 64 KiB pages
 * with the masks, the registers and a scratch area. Its size is fixed (never grown: growing would
 * detach every view). Throws a RangeError when the host cannot provide it.
 */
export function createWasmGuestMemory(ramSize: number): GuestMemoryLayout {
  if (
    !Number.isInteger(ramSize) ||
    ramSize < MIN_RAM_SIZE ||
    ramSize > MAX_RAM_SIZE ||
    ramSize % PAGE_SIZE !== 0
  ) {
    throw new RangeError(
      `ramSize ${ramSize} must be a multiple of 4 KiB between 1 MiB and 3.5 GiB`,
    );
  }
  const api = (globalThis as { WebAssembly?: WasmMemoryApi }).WebAssembly;
  if (api === undefined) throw new RangeError("this host has no WebAssembly");
  const tlbOffset = Math.ceil(ramSize / WASM_PAGE) * WASM_PAGE;
  const stateOffset = tlbOffset + TLB_BYTES;
  const pages = stateOffset / WASM_PAGE + STATE_PAGES;
  let memory;
  try {
    memory = new api.Memory({ initial: pages, maximum: pages });
  } catch (cause) {
    throw new RangeError(
      `cannot allocate ${ramSize / 0x10_0000} MiB of guest RAM as WebAssembly memory on this host; choose a smaller ramSize`,
      { cause },
    );
  }
  return {
    memory,
    ramSize,
    tlbOffset,
    masksOffset: stateOffset,
    flatReadOffset: stateOffset + 8,
    registersOffset: stateOffset + 64,
    xmmOffset: stateOffset + 128,
    // 256..383: the chunk bits.
    chunksOffset: stateOffset + 256,
    memoOffset: stateOffset + 1024,
    scratchOffset: stateOffset + STATE_PAGES * WASM_PAGE - SCRATCH_SIZE,
    scratchSize: SCRATCH_SIZE,
  };
}
