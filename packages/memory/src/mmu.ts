// The MMU: LinearMemory for the CPU. A software TLB (one int32 per 4 KiB linear page, laid
// out below) serves hits with one load, one mask test and one typed-array access; misses,
// MMIO/ROM, page-crossing and permission changes go through the slow path, which walks the
// paging structures as the SDM describes (paging-walk.ts) and reports faults to the sink.
import {
  FLAT_READ_BASE,
  type DataWatchHook,
  type LinearFastPath,
  type LinearMemory,
  type PageFaultSink,
  type PagingState,
} from "@ringvm/bus";
import { PagingMode, newWalkResult, walk, type WalkContext } from "./paging-walk";
import { PAGE_SIZE, type PhysicalSpace } from "./physical-space";
import { CHUNK_BYTES, MEMO_BYTES } from "./wasm-memory";

// Layout of one software-TLB entry. The flags live in this module, not an import: V8 folds
// module-local constants into the hot path, imported bindings cost a check per use.
// (an int32 per 4 KiB linear page). Bits 31:12 hold the
// physical page; bits 11:0 are flags. The combined access rights are cached once per
// translation, as a real TLB caches them (SDM vol. 3A 4.10.2.2), and each access kind x
// privilege tests them with its own mask: `(entry & mask) === T_VALID` is a fast-path hit.

const T_VALID = 1;
/** U/S was 0 at some level: user accesses fault. */
const T_NO_USER = 2;
/** R/W was 0 at some level: user writes fault, supervisor writes fault when CR0.WP=1. */
const T_NO_WRITE = 4;
/** XD was 1 at some level with EFER.NXE=1: fetches fault. */
const T_NO_FETCH = 8;
/** The leaf's dirty flag is 0: a write must walk again to set it (SDM 4.8). */
const T_CLEAN = 16;
/** Not plain RAM below 2 GiB (ROM, MMIO, unmapped, or an index past int32): physical slow path. */
const T_SLOW = 32;
/** Writes need the physical slow path (page clean for dirty tracking, watched, or ROM-read/RAM-write). */
const T_NO_FAST_WRITE = 64;
/** Translation from a global page with CR4.PGE=1: survives CR3 writes (SDM 4.10.2.4). */
const T_GLOBAL = 128;
/** Physical address at or above 4 GiB: bits 31:12 cannot hold it, every access walks. */
const T_HIGH = 256;
/** Fragment of a 2 MiB, 4 MiB or 1 GiB page: INVLPG must drop the whole page (SDM 4.10.4.1). */
const T_LARGE_2M = 512;
const T_LARGE_4M = 1024;
const T_LARGE_1G = 2048;
const T_LARGE = T_LARGE_2M | T_LARGE_4M | T_LARGE_1G;

/** Flags that only say which path an allowed access takes, not whether it is allowed. */
const T_ROUTE = T_SLOW | T_NO_FAST_WRITE;

const READ = 0;
const WRITE = 1;
const FETCH = 2;
/** One entry per 4 KiB page of the 32-bit linear space. */
const TLB_ENTRIES = 1 << 20;
/** The flat-read bound's first page. */
const FLAT_FIRST_PAGE = FLAT_READ_BASE / PAGE_SIZE;
/** Page 0x80000 = 2 GiB: past it `(entry & ~0xfff) | offset` would be a negative int32. */
const PAGE_2G = 0x8_0000;
/**
 * Filled entries remembered for cheap flushes (v86 keeps the same list). 64 Ki covers
 * 256 MiB of touched linear space; when full the TLB is flushed, which is always allowed.
 */
const FILLED_CAPACITY = 1 << 16;
const CR0_WP = 1 << 16;
const CR0_PG = 1 << 31;
const CR4_PSE = 1 << 4;
const CR4_PAE = 1 << 5;
const CR4_PGE = 1 << 7;
const EFER_LME = 1 << 8;
const EFER_NXE = 1 << 11;
/** CR0.CD (bit 30), NW (bit 29) and PG: changing them reloads PAE PDPTEs (SDM 4.4.1). */
const CR0_PDPTE_RELOAD = (1 << 30) | (1 << 29) | CR0_PG;
/** The CR0 bits paging depends on (PG, CD, NW, WP, PE); the others never reach the MMU's logic. */
const CR0_PAGING = CR0_PDPTE_RELOAD | CR0_WP | 1;
/** CR0.WP and PE: a change of only these keeps the TLB (WP is tested per access). */
const CR0_WP_PE = CR0_WP | 1;
/** Bits whose change flushes every entry, global ones included (SDM 4.10.4.1). */
const CR0_FLUSH_ALL = CR0_PG;
const CR4_FLUSH_ALL = CR4_PSE | CR4_PAE | CR4_PGE;
const EFER_FLUSH_ALL = EFER_LME | EFER_NXE;
/** A20 gate closed: physical address bit 20 forced to 0 (the 8086 1 MiB wrap-around). */
const A20_CLOSED = ~0x10_0000;
const FOUR_GIB = 0x1_0000_0000;

/** Options of {@link Mmu}. */
export interface MmuOptions {
  /**
   * MAXPHYADDR (CPUID 80000008H EAX[7:0]): reserved physical-address bits in PAE and 4-level
   * entries. 36 is what the SDM prescribes for a CPU with PAE but without leaf 80000008H.
   */
  readonly maxPhysicalAddressBits?: number;
}

/** The default page-fault sink: the error a CPU-less user of the MMU sees. */
export class PageFaultError extends Error {
  constructor(
    readonly linear: number,
    readonly errorCode: number,
  ) {
    super(`page fault at 0x${linear.toString(16)}, error code 0x${errorCode.toString(16)}`);
  }
}

/** Counters for the hypervisor's statistics. */
export interface TlbStats {
  /** Slow-path translations that had to walk (or compute the paging-off mapping). */
  misses: number;
  /** Page faults reported to the sink. */
  faults: number;
  /** INVLPG, non-global (CR3) and full flushes. */
  pageFlushes: number;
  nonGlobalFlushes: number;
  fullFlushes: number;
}

export class Mmu implements LinearMemory {
  private readonly tlb: Int32Array;
  // Filled entries by kind: a CR3 load (`flushNonGlobal`) walks only the non-global ones. A
  // Linux kernel reloads CR3 ~16 K times while it boots (text_poke's temporary mm per patched
  // site) with ~2 K global kernel entries filled, which one list made it walk every time.
  // A page is in the list of the kind it had when filled: an INVLPG leaves it there (its entry
  // is 0) and a refill appends it again, so the global list may hold stale pages and repeats;
  // each walk checks the entry itself.
  private readonly filled = new Int32Array(FILLED_CAPACITY);
  private filledCount = 0;
  private readonly filledGlobal = new Int32Array(FILLED_CAPACITY);
  private filledGlobalCount = 0;
  /** Large-page fills since the lists were last emptied (an upper bound; 0: none to scan). */
  private largeCount = 0;
  private largeGlobalCount = 0;
  private readMask = T_VALID | T_SLOW;
  private writeMask = T_VALID | T_SLOW | T_CLEAN | T_NO_FAST_WRITE;
  private fetchMask = T_VALID | T_SLOW | T_NO_FETCH;
  /** [readMask, writeMask] for {@link fastPath} users (kept current by updateMasks). */
  private readonly fastMasks: Int32Array;
  /** {@link fastPath}'s memo area: zeroed whenever an entry is dropped or restricted. */
  private readonly memo: Int32Array;
  /** {@link fastPath}'s chunk bits (see @ringvm/bus `LinearFastPath.chunks`). */
  private readonly chunks: Uint8Array;
  /** {@link fastPath}'s flat-read bound (see @ringvm/bus `LinearFastPath.flatRead`). */
  private readonly flatRead: Int32Array;
  /**
   * Pages of RAM from 1 MiB up mapped at their own physical address, counted when first needed
   * after the physical map changed (-1: not counted).
   */
  private flatPages = -1;
  /** The chunk bits set by global 4 MiB pages: they survive a non-global flush. */
  private readonly globalChunks = new Uint8Array(CHUNK_BYTES);
  /**
   * Per 4 MiB physical chunk below 4 GiB: 0 not known yet, 1 RAM the fast path reads directly
   * (no page of it T_SLOW), 2 not. Forgotten when the physical map changes.
   */
  private readonly ramChunks = new Uint8Array(1024);
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;
  private isUser = false;
  private state: PagingState = { cr0: 0, cr3: 0, cr4: 0, efer: 0 };
  private readonly ctx: WalkContext;
  private readonly result = newWalkResult();
  private sink: PageFaultSink = (linear, errorCode) => {
    throw new PageFaultError(linear, errorCode);
  };
  // [debug] Data-breakpoint watch (setDataWatch): watched linear pages get T_SLOW in their TLB
  // entries, so only their accesses reach the slow path, which calls the hook.
  private watchHook: DataWatchHook | null = null;
  private watchPages: readonly number[] = [];
  /** Set when a PAE PDPTE loaded by the last CR3 load had P=1 and a reserved bit (the CPU's #GP). */
  pdpteInvalid = false;
  readonly stats: TlbStats = {
    misses: 0,
    faults: 0,
    pageFlushes: 0,
    nonGlobalFlushes: 0,
    fullFlushes: 0,
  };

  constructor(
    readonly physical: PhysicalSpace,
    options: MmuOptions = {},
  ) {
    const m = options.maxPhysicalAddressBits ?? 36;
    if (!Number.isInteger(m) || m < 36 || m > 52)
      throw new RangeError(`maxPhysicalAddressBits ${m} is not 36..52`);
    this.u8 = physical.u8;
    this.u16 = physical.u16;
    this.i32 = physical.i32;
    // With a shared WebAssembly memory, the TLB and the masks live in it too (generated code
    // reads them there); it starts zeroed like a fresh Int32Array.
    const wasm = physical.wasm;
    this.tlb =
      wasm === undefined
        ? new Int32Array(TLB_ENTRIES)
        : new Int32Array(wasm.memory.buffer, wasm.tlbOffset, TLB_ENTRIES);
    this.fastMasks =
      wasm === undefined
        ? new Int32Array(2)
        : new Int32Array(wasm.memory.buffer, wasm.masksOffset, 2);
    this.fastMasks[0] = this.readMask;
    this.fastMasks[1] = this.writeMask;
    this.memo =
      wasm === undefined
        ? new Int32Array(MEMO_BYTES >> 2)
        : new Int32Array(wasm.memory.buffer, wasm.memoOffset, MEMO_BYTES >> 2);
    this.chunks =
      wasm === undefined
        ? new Uint8Array(CHUNK_BYTES)
        : new Uint8Array(wasm.memory.buffer, wasm.chunksOffset, CHUNK_BYTES);
    this.flatRead =
      wasm === undefined
        ? new Int32Array(1)
        : new Int32Array(wasm.memory.buffer, wasm.flatReadOffset, 1);
    // High-dword masks of bits 62:M (PAE, SDM 4.4.2) and 51:M (4-level, SDM 4.5.4).
    const paeHigh = (0x7fff_ffff & ~((1 << (m - 32)) - 1)) | 0;
    const level4High = (0x000f_ffff & ~((1 << (m - 32)) - 1)) | 0;
    this.ctx = {
      mode: PagingMode.Off,
      cr3: 0,
      wp: false,
      nxe: false,
      pge: false,
      pse: false,
      a20: -1,
      paeHighReserved: paeHigh,
      level4HighReserved: level4High,
      // Table 4-4: bits 21:(M-19) reserved, (M-20):13 = physical (M-1):32; M caps at 40 here.
      pse36Reserved: 0x3f_e000 & ~((1 << (Math.min(m, 40) - 19)) - 1) & 0x3f_e000,
      pse36High: (1 << (Math.min(m, 40) - 32)) - 1,
      pdpteLo: new Int32Array(4),
      pdpteHi: new Int32Array(4),
    };
    physical.onRouteChange((change, page) => {
      if (change === "map") {
        this.ramChunks.fill(0);
        this.flatPages = -1;
        this.flushAll();
        this.updateFlatRead();
      } else this.revokeFastWrites(page);
    });
    this.updateFlatRead();
  }

  // ---- control (LinearMemory) ----

  setFaultSink(sink: PageFaultSink): void {
    this.sink = sink;
  }

  /**
   * [debug] Data accesses (not fetches) touching the linear pages `pages` call `hook` before
   * they are made (the CPU's data breakpoints). Only those pages leave the TLB fast path.
   */
  setDataWatch(pages: readonly number[], hook: DataWatchHook | null): void {
    this.memo.fill(0);
    this.clearChunks();
    for (const p of this.watchPages) this.tlb[p] = 0;
    this.watchPages = hook === null ? [] : pages.map((p) => p >>> 0);
    this.watchHook = this.watchPages.length === 0 ? null : hook;
    this.updateFlatRead();
    for (const p of this.watchPages) this.tlb[p] = 0;
  }

  setUserMode(isUser: boolean): void {
    this.isUser = isUser;
    this.updateMasks();
  }

  /**
   * Takes CR0/CR3/CR4/EFER. Changing CR0.PG, CR4.PSE/PAE/PGE or EFER.LME/NXE flushes every
   * entry; a call that changes only CR0.WP (or PE) flushes nothing, since WP is tested per
   * access; any other call is a MOV to CR3 and flushes the non-global entries (SDM 4.10.4.1).
   * Only the paging bits are compared: the CPU need not call here when other bits change
   * (CR4.OSFXSR, CR0.TS), so the state kept here may differ from the CPU's in those.
   */
  setPaging(next: PagingState): void {
    const old = this.state;
    this.state = { cr0: next.cr0 | 0, cr3: next.cr3 | 0, cr4: next.cr4 | 0, efer: next.efer | 0 };
    const c = this.ctx;
    const pg = (next.cr0 & CR0_PG) !== 0;
    const pae = (next.cr4 & CR4_PAE) !== 0;
    c.mode = !pg
      ? PagingMode.Off
      : !pae
        ? PagingMode.Bits32
        : (next.efer & EFER_LME) !== 0
          ? PagingMode.Level4
          : PagingMode.Pae;
    c.cr3 = next.cr3 | 0;
    c.wp = (next.cr0 & CR0_WP) !== 0;
    c.nxe = (next.efer & EFER_NXE) !== 0;
    c.pge = (next.cr4 & CR4_PGE) !== 0;
    c.pse = (next.cr4 & CR4_PSE) !== 0;
    this.updateMasks();
    this.updateFlatRead();
    const d0 = (old.cr0 ^ next.cr0) & CR0_PAGING;
    const d4 = (old.cr4 ^ next.cr4) & CR4_FLUSH_ALL;
    const dE = (old.efer ^ next.efer) & EFER_FLUSH_ALL;
    const flushAll = (d0 & CR0_FLUSH_ALL) !== 0 || d4 !== 0 || dE !== 0;
    const wpOnly = old.cr3 === c.cr3 && d4 === 0 && dE === 0 && d0 !== 0 && (d0 & ~CR0_WP_PE) === 0;
    if (flushAll) this.flushAll();
    else if (!wpOnly) this.flushNonGlobal();
    // SDM 4.4.1: PDPTEs load on MOV CR3, and on MOV CR0/CR4 changing CD, NW, PG, PAE, PGE or
    // PSE; not on other CR0 bits (WP) nor on WRMSR to EFER.
    const reloads = !wpOnly && (dE === 0 || d0 !== 0 || d4 !== 0);
    if (c.mode === PagingMode.Pae && reloads) this.loadPdptes();
  }

  /** Current paging mode (PagingMode.Off/Bits32/Pae/Level4). */
  get mode(): PagingMode {
    return this.ctx.mode;
  }

  invalidatePage(linear: number): void {
    this.stats.pageFlushes++;
    const page = linear >>> 12;
    this.tlb[page] = 0;
    this.memo.fill(0);
    this.clearChunk(linear >>> 22);
    if (this.largeCount !== 0) this.dropLargeFragments(page, this.filled, this.filledCount);
    if (this.largeGlobalCount !== 0)
      this.dropLargeFragments(page, this.filledGlobal, this.filledGlobalCount);
  }

  /** A 4 KiB fragment of a large page stands for the whole page: drop all its fragments. */
  private dropLargeFragments(page: number, f: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const q = f[i]!;
      const e = this.tlb[q]!;
      if ((e & T_LARGE) === 0) continue;
      const span = (e & T_LARGE_2M) !== 0 ? 9 : (e & T_LARGE_4M) !== 0 ? 10 : 18;
      if (q >>> span === page >>> span) this.tlb[q] = 0;
    }
  }

  flushTlb(global: boolean): void {
    if (global) this.flushAll();
    else this.flushNonGlobal();
  }

  /** The A20 gate (port 0x92 bit 1, keyboard controller output port bit 1): open = true. */
  setA20(enabled: boolean): void {
    const mask = enabled ? -1 : A20_CLOSED;
    if (mask === this.ctx.a20) return;
    this.ctx.a20 = mask;
    this.flushAll();
    this.updateFlatRead();
  }
  getA20(): boolean {
    return this.ctx.a20 === -1;
  }

  /**
   * The TLB fast path for code generators (@ringvm/recompiler): the entries (physical page in
   * bits 31:12, flags in 11:0), the RAM views and [readMask, writeMask]. An access to linear
   * `a` may use RAM directly when `(tlb[a >>> 12] & mask) === 1` and it does not cross the page;
   * everything else must go through read8..write32 (misses, MMIO/ROM, watched code pages,
   * clean pages for dirty tracking). Read-only for the caller; the arrays stay the same.
   */
  fastPath(): LinearFastPath {
    const view = {
      tlb: this.tlb,
      u8: this.u8,
      u16: this.u16,
      i32: this.i32,
      masks: this.fastMasks,
      memo: this.memo,
      chunks: this.chunks,
      flatRead: this.flatRead,
    };
    return this.physical.wasm === undefined ? view : { ...view, wasm: this.physical.wasm };
  }

  /** LinearMemory.probeWrite: a write's translation (and fault), no write. */
  probeWrite(linear: number, width: number): void {
    const e = this.tlb[linear >>> 12]!;
    const off = linear & 0xfff;
    if ((e & (this.writeMask & ~T_ROUTE)) === T_VALID && (e & T_HIGH) === 0 && off + width <= 4096)
      return;
    this.translate(linear >>> 0, WRITE);
    if (off + width > 4096) this.translate(((linear | 0xfff) + 1) >>> 0, WRITE);
  }

  // ---- hot path ----

  read8(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.readMask) === T_VALID) return this.u8[(e & ~0xfff) | (linear & 0xfff)]!;
    return this.slowRead(linear, 1, READ);
  }
  read16(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.readMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 1) === 0) return this.u16[a >> 1]!;
      if ((a & 0xfff) !== 0xfff) return this.u8[a]! | (this.u8[a + 1]! << 8);
    }
    return this.slowRead(linear, 2, READ);
  }
  /** Returns the value as a signed int32. */
  read32(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.readMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 3) === 0) return this.i32[a >> 2]!;
    }
    return this.slowRead(linear, 4, READ);
  }
  write8(linear: number, value: number): void {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.writeMask) === T_VALID) this.u8[(e & ~0xfff) | (linear & 0xfff)] = value;
    else this.slowWrite(linear, 1, value);
  }
  write16(linear: number, value: number): void {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.writeMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 1) === 0) {
        this.u16[a >> 1] = value;
        return;
      }
    }
    this.slowWrite(linear, 2, value);
  }
  write32(linear: number, value: number): void {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.writeMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 3) === 0) {
        this.i32[a >> 2] = value;
        return;
      }
    }
    this.slowWrite(linear, 4, value);
  }
  fetch8(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.fetchMask) === T_VALID) return this.u8[(e & ~0xfff) | (linear & 0xfff)]!;
    return this.slowRead(linear, 1, FETCH);
  }
  fetch16(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.fetchMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 1) === 0) return this.u16[a >> 1]!;
    }
    return this.slowRead(linear, 2, FETCH);
  }
  /** Returns the value as a signed int32. */
  fetch32(linear: number): number {
    const e = this.tlb[linear >>> 12]!;
    if ((e & this.fetchMask) === T_VALID) {
      const a = (e & ~0xfff) | (linear & 0xfff);
      if ((a & 3) === 0) return this.i32[a >> 2]!;
    }
    return this.slowRead(linear, 4, FETCH);
  }

  // ---- slow path ----

  /**
   * Translates a linear address for `kind` (0 read, 1 write, 2 fetch) at the current
   * privilege, filling the TLB; a fault goes to the sink (which does not return). In 4-level
   * mode `linear` may be a 48-bit value (bits 47:0); those above 4 GiB are not cached.
   */
  translate(linear: number, kind: number): number {
    if (linear >= FOUR_GIB) {
      if (this.ctx.mode === PagingMode.Level4) return this.walkOrFault(linear, kind);
      linear %= FOUR_GIB; // outside 4-level paging, linear addresses are 32-bit
    }
    const page = linear >>> 12;
    const e = this.tlb[page]!;
    const rights =
      (kind === READ ? this.readMask : kind === WRITE ? this.writeMask : this.fetchMask) & ~T_ROUTE;
    if ((e & rights) === T_VALID && (e & T_HIGH) === 0) return (e >>> 12) * 4096 + (linear & 0xfff);
    this.stats.misses++;
    if (this.ctx.mode === PagingMode.Off) {
      const physical = (linear & this.ctx.a20) >>> 0;
      this.fill(page, physical, T_VALID);
      if (this.ctx.a20 === -1) this.markChunk(linear, physical, false);
      return physical;
    }
    const physical = this.walkOrFault(linear, kind);
    const r = this.result;
    let flags = T_VALID;
    if (!r.user) flags |= T_NO_USER;
    if (!r.writable) flags |= T_NO_WRITE;
    if (r.noExecute) flags |= T_NO_FETCH;
    if (!r.dirty) flags |= T_CLEAN;
    if (r.global) flags |= T_GLOBAL;
    flags |= largeFlag(this.ctx.mode, this.lastLeafSize);
    this.fill(page, physical, flags);
    // A 4 KiB page in a chunk (its tables edited without INVLPG): no longer one translation.
    if ((flags & T_LARGE_4M) !== 0) this.markChunk(linear, physical, r.global);
    else this.clearChunk(linear >>> 22);
    return physical;
  }

  private lastLeafSize = 0;

  private walkOrFault(linear: number, kind: number): number {
    const r = this.result;
    walk(this.ctx, this.physical, linear, kind, this.isUser, r);
    if (r.physical < 0) {
      // SDM 4.10.4.1: a page fault invalidates the TLB entries of the faulting address.
      if (linear < FOUR_GIB) this.tlb[linear >>> 12] = 0;
      this.memo.fill(0);
      this.stats.faults++;
      return this.sink(linear, r.errorCode);
    }
    this.lastLeafSize = r.pageSize;
    return r.physical;
  }

  private fill(page: number, physical: number, flags: number): void {
    const old = this.tlb[page]!;
    const global = (flags & T_GLOBAL) !== 0;
    // Listed unless the entry is already valid and of the same kind (an upgrade in place).
    if (old === 0 || ((old & T_GLOBAL) !== 0) !== global) {
      if (global) {
        if (this.filledGlobalCount === FILLED_CAPACITY) this.flushAll();
        this.filledGlobal[this.filledGlobalCount++] = page;
      } else {
        if (this.filledCount === FILLED_CAPACITY) this.flushAll();
        this.filled[this.filledCount++] = page;
      }
    }
    if ((flags & T_LARGE) !== 0) {
      if (global) this.largeGlobalCount++;
      else this.largeCount++;
    }
    if (physical >= FOUR_GIB) {
      this.tlb[page] = flags | T_HIGH | T_ROUTE;
      return;
    }
    const pp = physical >>> 12;
    this.tlb[page] = (pp << 12) | flags | this.routeFlags(pp) | this.watchRoute(page);
  }

  /**
   * Sets the chunk bit of `linear` (see @ringvm/bus `LinearFastPath.chunks`) after a fill from
   * a 4 MiB page or with paging off: when its 4 MiB physical range is RAM the fast path reads
   * directly, and no data watch makes pages of it slow.
   */
  private markChunk(linear: number, physical: number, global: boolean): void {
    if (this.watchHook !== null || physical >= FOUR_GIB) return;
    const pc = physical >>> 22;
    if (this.ramChunks[pc] === 0) {
      let ram = 1;
      for (let pp = pc << 10; pp < (pc + 1) << 10 && ram === 1; pp++)
        if ((this.routeFlags(pp) & T_SLOW) !== 0) ram = 2;
      this.ramChunks[pc] = ram;
    }
    if (this.ramChunks[pc] !== 1) return;
    const c = linear >>> 22;
    this.chunks[c >>> 3] = this.chunks[c >>> 3]! | (1 << (c & 7));
    if (global) this.globalChunks[c >>> 3] = this.globalChunks[c >>> 3]! | (1 << (c & 7));
  }

  /**
   * Sets the flat-read bound: paging off, the A20 gate open and no data watch make every linear
   * address its own physical address, read directly where that is RAM (from FLAT_READ_BASE).
   */
  private updateFlatRead(): void {
    const c = this.ctx;
    let bound = 0;
    if (c.mode === PagingMode.Off && c.a20 === -1 && this.watchHook === null) {
      if (this.flatPages < 0) this.flatPages = this.countFlatPages();
      if (this.flatPages > 0) bound = this.flatPages * PAGE_SIZE - 3;
    }
    this.flatRead[0] = bound;
  }

  /** Pages of RAM from FLAT_READ_BASE up read at their own address (below 2 GiB, as routeFlags). */
  private countFlatPages(): number {
    const route = this.physical.readRoute;
    let pp = FLAT_FIRST_PAGE;
    while (pp < PAGE_2G && route[pp] === pp) pp++;
    return pp - FLAT_FIRST_PAGE;
  }

  /** Clears every chunk bit, global pages' too. */
  private clearChunks(): void {
    this.chunks.fill(0);
    this.globalChunks.fill(0);
  }

  /** Clears chunk `c`'s bit (linear >>> 22). */
  private clearChunk(c: number): void {
    const bit = ~(1 << (c & 7));
    this.chunks[c >>> 3] = this.chunks[c >>> 3]! & bit;
    this.globalChunks[c >>> 3] = this.globalChunks[c >>> 3]! & bit;
  }

  /** [debug] Calls the watch hook when the access touches a watched page. */
  private watched(linear: number, width: number, isWrite: boolean): void {
    const p = this.watchPages;
    if (p.includes(linear >>> 12) || p.includes(((linear + width - 1) >>> 12) & 0xfffff))
      this.watchHook!(linear, width, isWrite);
  }

  /** [debug] Watched linear pages take the slow path for every access. */
  private watchRoute(page: number): number {
    if (this.watchHook === null) return 0;
    return this.watchPages.includes(page) ? T_SLOW | T_NO_FAST_WRITE : 0;
  }

  /** Which path accesses to physical page `pp` take (see T_SLOW, T_NO_FAST_WRITE). */
  private routeFlags(pp: number): number {
    const ph = this.physical;
    const r = ph.readRoute[pp]!;
    if (r < 0 || pp >= PAGE_2G) return T_SLOW | T_NO_FAST_WRITE;
    if (ph.writeRoute[pp] !== r || !ph.isFastWritable(pp)) return T_NO_FAST_WRITE;
    return 0;
  }

  private slowRead(linear: number, width: number, kind: number): number {
    linear >>>= 0;
    if (this.watchHook !== null && kind !== FETCH) this.watched(linear, width, false); // [debug]
    const off = linear & 0xfff;
    const ph = this.physical;
    if (off + width <= 4096) {
      const pa = this.translate(linear, kind);
      return width === 1 ? ph.read8(pa) : width === 2 ? ph.read16(pa) : ph.read32(pa);
    }
    // Page-crossing: translate both pages first; a fault on the second reports the first
    // byte of that page as the linear address (Bochs access.cc, QEMU behave the same).
    const pa1 = this.translate(linear, kind);
    const pa2 = this.translate(((linear | 0xfff) + 1) >>> 0, kind);
    const n1 = 4096 - off;
    let value = 0;
    for (let i = 0; i < width; i++) value |= ph.read8(i < n1 ? pa1 + i : pa2 + i - n1) << (8 * i);
    return width === 4 ? value | 0 : value;
  }

  private slowWrite(linear: number, width: number, value: number): void {
    linear >>>= 0;
    if (this.watchHook !== null) this.watched(linear, width, true); // [debug]
    const off = linear & 0xfff;
    const ph = this.physical;
    if (off + width <= 4096) {
      const pa = this.translate(linear, WRITE);
      if (width === 1) ph.write8(pa, value);
      else if (width === 2) ph.write16(pa, value);
      else ph.write32(pa, value);
      this.refreshRoute(linear >>> 12);
      return;
    }
    const second = ((linear | 0xfff) + 1) >>> 0;
    const pa1 = this.translate(linear, WRITE);
    const pa2 = this.translate(second, WRITE);
    const n1 = 4096 - off;
    for (let i = 0; i < width; i++) ph.write8(i < n1 ? pa1 + i : pa2 + i - n1, value >>> (8 * i));
    this.refreshRoute(linear >>> 12);
    this.refreshRoute(second >>> 12);
  }

  /** After a slow write made a page dirty, let later writes to it take the fast path. */
  private refreshRoute(page: number): void {
    const e = this.tlb[page]!;
    if ((e & T_VALID) === 0 || (e & T_HIGH) !== 0) return;
    this.tlb[page] = (e & ~T_ROUTE) | this.routeFlags(e >>> 12) | this.watchRoute(page);
  }

  // ---- flushing ----

  private flushAll(): void {
    this.stats.fullFlushes++;
    this.memo.fill(0);
    this.clearChunks();
    const f = this.filled;
    for (let i = 0; i < this.filledCount; i++) this.tlb[f[i]!] = 0;
    const g = this.filledGlobal;
    for (let i = 0; i < this.filledGlobalCount; i++) this.tlb[g[i]!] = 0;
    this.filledCount = this.filledGlobalCount = 0;
    this.largeCount = this.largeGlobalCount = 0;
  }

  private flushNonGlobal(): void {
    this.stats.nonGlobalFlushes++;
    this.memo.fill(0);
    this.chunks.set(this.globalChunks);
    const f = this.filled;
    for (let i = 0; i < this.filledCount; i++) {
      const q = f[i]!;
      // Refilled as global since it was listed here: it is in the global list now.
      if ((this.tlb[q]! & T_GLOBAL) === 0) this.tlb[q] = 0;
    }
    this.filledCount = 0;
    this.largeCount = 0;
  }

  /** Sends later writes through the slow path: all of them, or those to physical `page`. */
  private revokeFastWrites(page?: number): void {
    this.memo.fill(0);
    this.revokeIn(this.filled, this.filledCount, page);
    this.revokeIn(this.filledGlobal, this.filledGlobalCount, page);
  }

  private revokeIn(f: Int32Array, count: number, page: number | undefined): void {
    const tlb = this.tlb;
    if (page === undefined) {
      for (let i = 0; i < count; i++) {
        const q = f[i]!;
        if (tlb[q] !== 0) tlb[q] = tlb[q]! | T_NO_FAST_WRITE;
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      const e = tlb[f[i]!]!;
      // Entries at or above 4 GiB (T_HIGH) already take the slow path for every access.
      if (e >>> 12 === page && (e & T_HIGH) === 0) tlb[f[i]!] = e | T_NO_FAST_WRITE;
    }
  }

  private updateMasks(): void {
    const user = this.isUser;
    const wp = this.ctx.wp;
    this.readMask = T_VALID | T_SLOW | (user ? T_NO_USER : 0);
    this.writeMask =
      T_VALID |
      T_SLOW |
      T_NO_FAST_WRITE |
      T_CLEAN |
      (user ? T_NO_USER | T_NO_WRITE : wp ? T_NO_WRITE : 0);
    this.fetchMask = T_VALID | T_SLOW | T_NO_FETCH | (user ? T_NO_USER : 0);
    this.fastMasks[0] = this.readMask;
    this.fastMasks[1] = this.writeMask;
  }

  /** SDM 4.4.1: MOV CR3 (and the CR0/CR4 writes that enter PAE paging) load the 4 PDPTEs. */
  private loadPdptes(): void {
    const c = this.ctx;
    const base = (c.cr3 & 0xffff_ffe0 & c.a20) >>> 0;
    let invalid = false;
    for (let i = 0; i < 4; i++) {
      const lo = this.physical.read32(base + i * 8);
      const hi = this.physical.read32(base + i * 8 + 4);
      c.pdpteLo[i] = lo;
      c.pdpteHi[i] = hi;
      // Table 4-8: bits 2:1, 8:5 and 63:M are reserved in a present PDPTE.
      if ((lo & 1) !== 0 && ((lo & 0x1e6) !== 0 || (hi & c.paeHighReserved) !== 0 || hi < 0)) {
        invalid = true;
      }
    }
    this.pdpteInvalid = invalid;
  }
}

function largeFlag(mode: PagingMode, size: number): number {
  if (size === 0x1000) return 0;
  if (size === 0x20_0000) return T_LARGE_2M;
  if (size === 0x40_0000) return T_LARGE_4M;
  return mode === PagingMode.Off ? 0 : T_LARGE_1G;
}
