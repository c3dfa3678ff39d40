// The CPU's view of memory: linear addresses through the MMU. The CPU package
// depends only on these types; @ringvm/memory implements them.

/** What kind of access is being translated. */
export const AccessKind = {
  Read: 0,
  Write: 1,
  Fetch: 2,
} as const;
export type AccessKind = (typeof AccessKind)[keyof typeof AccessKind];

/** The first byte `LinearFastPath.flatRead` covers (1 MiB: below lie video memory and BIOS). */
export const FLAT_READ_BASE = 0x10_0000;

/**
 * A page-fault descriptor as the MMU reports it: the faulting linear address and the
 * error code bits the SDM defines (P=1, W/R=2, U/S=4, RSVD=8, I/D=16). The CPU turns it
 * into #PF with CR2.
 */
export interface PageFault {
  readonly linear: number;
  readonly errorCode: number;
}

/**
 * Called by the MMU when a translation faults. The CPU's handler does not return
 * normally: it throws its own exception object to unwind the instruction.
 */
export type PageFaultSink = (linear: number, errorCode: number) => never;

/**
 * Called for each data access (read or write, not instruction fetch) that touches a watched
 * linear page, before the access is made: the CPU's debug-register data breakpoints (SDM
 * vol. 3, 17.2.5) compare the bytes against DR0-DR3 there.
 */
export type DataWatchHook = (linear: number, width: number, isWrite: boolean) => void;

/** The paging-relevant control state, pushed by the CPU whenever its paging bits change (setPaging). */
export interface PagingState {
  readonly cr0: number;
  readonly cr3: number;
  readonly cr4: number;
  /** IA32_EFER low 32 bits (LME, LMA, NXE). */
  readonly efer: number;
}

/**
 * Linear memory for the CPU. Accesses are translated with the current paging state and
 * privilege; a fault calls the installed {@link PageFaultSink} before any byte is written.
 * Multi-byte accesses are little-endian and may be unaligned or cross a page.
 */
export interface LinearMemory {
  read8(linear: number): number;
  read16(linear: number): number;
  read32(linear: number): number;
  write8(linear: number, value: number): void;
  write16(linear: number, value: number): void;
  write32(linear: number, value: number): void;
  /** Instruction fetch (checks NX and counts as a fetch for fault codes). */
  fetch8(linear: number): number;
  /**
   * Sets the paging state and flushes what the SDM says the change flushes. The CPU calls it on
   * MOV CR3 and on changes of the paging bits (CR0.PG/WP/PE/CD/NW, CR4.PSE/PAE/PGE, EFER.LME/
   * NXE), not necessarily on other bits, so an implementation compares only the paging bits.
   */
  setPaging(state: PagingState): void;
  /** User-mode accesses (CPL 3) follow U/S rules; supervisor accesses follow WP. */
  setUserMode(isUser: boolean): void;
  /** INVLPG. */
  invalidatePage(linear: number): void;
  /** Flush every non-global entry (MOV CR3) or everything (`global`). */
  flushTlb(global: boolean): void;
  setFaultSink(sink: PageFaultSink): void;
  /**
   * Routes data accesses to the 4 KiB linear pages `pages` (page numbers, linear >>> 12)
   * through `hook`; `hook` null (or no pages) ends the watch. Accesses to other pages must
   * cost nothing extra. Optional: without it the CPU has no data breakpoints.
   */
  setDataWatch?(pages: readonly number[], hook: DataWatchHook | null): void;
  /**
   * Optional: translates a `width`-byte write at `linear` (both pages when it crosses one) and
   * raises the page fault that write would raise, without writing. A read-modify-write form
   * calls it after its read and before it changes any state, so a write-protection fault
   * leaves EFLAGS as before the instruction (SDM vol. 3, 6.5: a fault restores the state) and
   * the write that follows cannot fault. Without it such a fault comes from the write itself.
   */
  probeWrite?(linear: number, width: number): void;
  /**
   * Optional: the software TLB's fast path, for callers that inline plain-RAM hits (the CPU's
   * hottest memory forms, the recompiler). Read-only; see {@link LinearFastPath}.
   */
  fastPath?(): LinearFastPath;
}

/**
 * A software TLB's fast path: one int32 entry per 4 KiB linear page (physical page in bits
 * 31:12, flags in 11:0), the RAM views, and [read mask, write mask] kept current by the owner
 * (privilege, CR0.WP). `(entry & mask) === 1` means the access is a plain-RAM hit at
 * `(entry & ~0xfff) | (linear & 0xfff)` with no other effect (no fault, no watch, no MMIO, no
 * dirty/accessed update); anything else must take the owner's read/write methods.
 */
export interface LinearFastPath {
  readonly tlb: Int32Array;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly masks: Int32Array;
  /**
   * A small area the owner zeroes whenever it drops an entry or restricts one (flushes, INVLPG,
   * page faults, fast writes revoked, data watches), for code generators to keep translations
   * derived from `tlb` in: anything kept there while a word of it stays non-zero is still valid.
   * Entries only gaining rights (a fill, a page made dirty) leave it alone. In the same memory as
   * `tlb` when `wasm` is present.
   */
  readonly memo?: Int32Array;
  /**
   * One bit per 4 MiB linear chunk (bit `c & 7` of byte `c >>> 3`, for chunk `c = linear >>> 22`),
   * set when the chunk is one translation (a 4 MiB page, or paging off with the A20 gate open)
   * onto a 4 MiB physical range of RAM that the fast path reads directly: every linear page of
   * the chunk then reads as any valid entry of it says (the same linear-to-physical offset, the
   * same rights), filled or not yet. The owner clears a chunk's bit whenever it drops that
   * translation (and all bits when it cannot tell). In the same memory as `tlb` when `wasm` is
   * present.
   */
  readonly chunks?: Uint8Array;
  /**
   * One int32: with paging off, the A20 gate open and no data watch, the bytes from
   * FLAT_READ_BASE up (less 3) that are plain RAM read at their own linear address, so a read of
   * at most 4 bytes at `l` with `(l - FLAT_READ_BASE) >>> 0` below it may load RAM at `l`
   * directly; 0 otherwise. Kept current by the owner (paging mode, A20, data watches, the
   * physical map). In the same memory as `tlb` when `wasm` is present.
   */
  readonly flatRead?: Int32Array;
  /**
   * Present when the RAM views, `tlb` and `masks` all lie in one WebAssembly.Memory with RAM
   * at byte 0: generated WebAssembly may import that memory and use the views' `byteOffset`s
   * as addresses.
   */
  readonly wasm?: WasmGuestMemory;
}

/**
 * One WebAssembly.Memory holding guest RAM (from byte 0), the software TLB and its masks, the
 * CPU's general registers and a scratch area, so code generated as WebAssembly and the
 * TypeScript interpreter share one copy of the state. It never grows (growing would detach
 * every view over its buffer).
 */
export interface WasmGuestMemory {
  /** A `WebAssembly.Memory` (typed by the one member used here: these packages' TypeScript libs do not declare WebAssembly). */
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Bytes of guest RAM at offset 0. */
  readonly ramSize: number;
  /** 32 bytes for a CPU's eight 32-bit registers (see @ringvm/cpu's `CpuOptions.registers`). */
  readonly registersOffset: number;
  /** 128 bytes for a CPU's XMM0-7 (see @ringvm/cpu's `CpuOptions.xmm`). */
  readonly xmmOffset: number;
  /** A zeroed area only a code generator uses (its own state words). */
  readonly scratchOffset: number;
  readonly scratchSize: number;
}
