// The recompiling execution engine: runs translated blocks for hot code and hands everything
// else to the interpreter (`Cpu.run`), with a code cache keyed by physical address and mode.
import {
  alignmentChecks,
  CpuException,
  decodedHandler,
  deliverInterrupt,
  ESP,
  EventKind,
  hasErrorCode,
  isContributory,
  jumpNear,
  PageBytes,
  runCompact,
  StopReason,
  testCondition,
  Vector,
  type Cpu,
  type CpuState,
  type FusedHandler,
  type Handler,
  type InterruptSource,
} from "@ringvm/cpu";
import { Decoder, Instruction } from "@ringvm/decoder";
import {
  appendSwept,
  buildBlocks,
  CodeBytes,
  discover,
  discoverRegion,
  enterAt,
  MAX_REGION_BLOCKS,
  forgetRegions,
  regionEntry,
  type Block,
  type FastMemoryView,
  type RegionCursor,
  type WasmTarget,
  type RegionSpec,
} from "./block";
import { DOUBLE_FIELD } from "./field-layout";
import { wasmLayout, WasmShared } from "./wasm/region";
import { WasmChain } from "./wasm/chain";
import { DENSE_JUMP, DENSE_TAKEN, DenseTier } from "./wasm/dense";
import { crossingForm, type CrossingForm } from "./crossing";
import {
  buildCold,
  COND_ALWAYS,
  K_EIP,
  K_ESP,
  K_FUSED,
  K_JCC,
  K_MEM,
  OP_ARG,
  OP_HANDLER,
  OP_KIND,
  OP_KIND_MASK,
  opEip,
  opLength,
  opNextEip,
  OP_STRIDE,
  OP_TARGET,
  OpsPool,
  type ColdBlock,
} from "./cold";

/** What the recompiler needs from the MMU (`Mmu` from @ringvm/memory satisfies it). */
export interface CodeTranslator {
  /**
   * Linear to physical for `kind` (2 = instruction fetch) at the current privilege; a fault
   * calls the CPU's page-fault sink, which throws.
   */
  translate(linear: number, kind: number): number;
  /**
   * The software TLB's fast path (`Mmu.fastPath()`), for inlined memory accesses; without it
   * translated code reaches memory through `CpuState.memory`.
   */
  fastPath?(): FastMemoryView;
}

/** Write-watch of code pages (`PhysicalSpace` from @ringvm/memory satisfies it). */
export interface CodePageWatch {
  /** The next write (CPU or DMA) to RAM page `page` calls the listener once. */
  watchPage(page: number): void;
  /** False for pages that cannot be watched (not RAM): their code is always interpreted. */
  isWatched(page: number): boolean;
  /**
   * The listener gets the written bytes' offset in the page and count where the watch knows
   * them; returning true keeps the page watched (the write missed every translated byte).
   */
  onCodeWrite(listener: (page: number, offset?: number, length?: number) => boolean | void): void;
}

export interface RecompilerOptions {
  cpu: Cpu;
  mmu: CodeTranslator;
  physical: CodePageWatch;
  /** The CPU's interrupt source (checked between blocks). */
  interrupts?: InterruptSource;
  /**
   * Entries of an address before it is translated. 1 translates everything on first sight
   * (`--engine recompiler`); the default suits `auto` (cold code stays in the interpreter).
   */
  hotThreshold?: number;
  /**
   * When set, heat counts instructions instead of entries: a cold block is translated once
   * it has run this many instructions (those it ran: a cold block may leave at a taken Jcc
   * inside it). `hotThreshold` is ignored.
   */
  hotInstructions?: number;
  /**
   * Slots per chunk of the pool holding cold blocks' decoded instructions (cold.ts `OpsPool`,
   * default OPS_CHUNK; at least OP_STRIDE * MAX_BLOCK_INSNS). Small values exercise its
   * compaction in tests.
   */
  coldChunk?: number;
  /** Basic blocks per translated region (default MAX_REGION_BLOCKS; 1 = one block each). */
  maxRegionBlocks?: number;
  /**
   * Regions translated together when a block gets hot (default BATCH_SIZE with the wasm back
   * end, else 1): the hot one and warm cold blocks (WARM_FRACTION of the threshold) of the same
   * mode and address space. 1: each hot block alone.
   */
  batchSize?: number;
  /**
   * Heat of a cold block's run right after a WebAssembly region ran (default
   * HEAT_AFTER_REGION; 1: every run counts alike).
   */
  heatAfterRegion?: number;
  /** Heat of a run of a cold block of CPL 3 code (default HEAT_USER; 1: as kernel code). */
  userHeat?: number;
  /**
   * Runs after which a cold block runs in the dense tier (WebAssembly over its slots, with the
   * wasm back end and registers in the shared memory; default DEFAULT_DENSE_RUNS), 0: never.
   */
  denseRuns?: number;
  /** Inline the MMU's TLB fast path when `mmu.fastPath` exists (default true). */
  fastMemory?: boolean;
  /**
   * Code generator for regions (default "js": `new Function`). "wasm" lowers each region whose
   * every form is in the wasm back end's subset to a WebAssembly function (src/wasm/), when the
   * fast-path view has a shared `wasm` memory; other regions stay JavaScript.
   */
  backend?: "js" | "wasm";
  /** WebAssembly regions alive at once before new ones are JavaScript (MAX_LIVE_WASM_REGIONS). */
  maxWasmRegions?: number;
  /**
   * WebAssembly modules with a region alive before new regions are JavaScript
   * (MAX_LIVE_WASM_MODULES).
   */
  maxWasmModules?: number;
  /**
   * WebAssembly modules V8 may hold at once, live or not yet collected, before new regions are
   * JavaScript (MAX_HELD_WASM_MODULES); at the bound the cache is dropped so that V8 can free them.
   */
  maxHeldWasmModules?: number;
  /**
   * With backend "wasm": a region exit linked to another WebAssembly region continues in it
   * inside WebAssembly (a shared function table and tail calls, src/wasm/chain.ts) instead of
   * returning to the dispatcher (default true; off, or a host without tail calls: every exit
   * returns).
   */
  wasmChain?: boolean;
  /**
   * With backend "wasm" and paging on: a memory operand outside the loops of its region tests
   * the TLB inline and, where the TLB refuses it (MMIO, a miss, a watched page, a page-crossing
   * access, a fault), leaves the region before its instruction for the interpreter, instead of
   * calling a slow path; operands in loops keep their memos (default true; false: memos
   * everywhere). A call splits the live ranges of every value crossing it, which makes most of
   * V8's optimizing compile of a region (bench/README.md, stop 55).
   */
  directMemory?: boolean;
}

/** Why instructions ran in the interpreter, counted in instructions (budget units). */
export interface InterpretReasons {
  /** Not yet hot. */
  cold: number;
  /** The first instruction cannot start a block (invalid, bad LOCK, crosses the page). */
  untranslatable: number;
  /** Code outside watchable RAM (ROM, the legacy 0xA0000-0xFFFFF window, MMIO). */
  nonRam: number;
  /** Instruction fetch faulted (the interpreter delivers the #PF). */
  fetchFault: number;
  /** An interrupt, NMI or interrupt shadow at the boundary. */
  event: number;
  /** EFLAGS.TF single-stepping. */
  trapFlag: number;
  /** Debug-register breakpoints armed, or EFLAGS.RF set (the interpreter checks them). */
  debug: number;
  /** HLT. */
  halted: number;
  /** The next block is longer than the rest of the budget. */
  budgetTail: number;
  /**
   * A translated block left without retiring an instruction (it could not run its first one):
   * the interpreter takes that one, so the dispatcher always moves on. Zero unless a region
   * cannot run one of its own entries.
   */
  stalled: number;
}

export interface RecompilerStats {
  /** Cold blocks decoded (cache misses that found code to run). */
  blocksDecoded: number;
  blocksTranslated: number;
  blocksInvalidated: number;
  blocksEvicted: number;
  /** Invalidated blocks found unchanged at their next lookup and reused. */
  blocksRevived: number;
  /**
   * Entries into a region at one of its inner basic blocks made for the dispatcher: for a cold
   * block cached there when the region was built, or for a cache miss there later (where an
   * interrupt returned, say). Each replaces a cold block with the region's code.
   */
  innerEntries: number;
  /** Writes to a page of translated code that missed its bytes (nothing invalidated). */
  codeWritesBeside: number;
  /** Block entries, and how many of them came through a chain link. */
  blocksExecuted: number;
  chained: number;
  instructionsInBlocks: number;
  instructionsInterpreted: number;
  interpreted: InterpretReasons;
  /** Translations (regions, or entries into them) that run as WebAssembly (backend "wasm"). */
  translatedWasm: number;
  /**
   * Region entries made inside WebAssembly through a linked exit (`wasmChain`), without the
   * dispatcher; also counted in `blocksExecuted` and `chained`.
   */
  chainedInWasm: number;
  /**
   * Entries into WebAssembly from JavaScript (a region's wrapper called by the dispatcher): each
   * costs the wrapper's state copies, where a chained entry costs a tail call.
   */
  wasmEntries: number;
  /** WebAssembly modules compiled for regions, and their bytes (V8 compiles each again when hot). */
  wasmModules: number;
  wasmBytes: number;
  /** Of those modules, the ones with a region still in the cache (see MAX_LIVE_WASM_MODULES). */
  wasmModulesLive: number;
  /**
   * Of those modules, the ones V8 has collected (its memory mappings freed); the others are held:
   * a block of theirs is in the cache (valid or stale), or they are dead and V8 has not yet
   * collected them (a unit's blocks let go of its module when the last leaves the cache).
   */
  wasmModulesCollected: number;
  /** Times the whole cache was dropped so that V8 could free dead modules (`MAX_HELD_WASM_MODULES`). */
  wasmFlushes: number;
  /** Times the cold blocks' slot pool moved the live blocks together (cold.ts `OpsPool`). */
  coldCompactions: number;
  /**
   * Page-crossing instructions run by the engine's handler (crossing.ts), their bytes compared
   * with those decoded; the wasm back end runs the others inline.
   */
  crossingChecked: number;
  /** Cold instructions run by the dense tier (wasm/dense.ts), of `interpreted.cold`. */
  denseInstructions: number;
}

/**
 * Size of the two-way set-associative code cache (a power of two). A third block of a set
 * evicts the older resident, which bounds memory: at most this many blocks of at most
 * MAX_BLOCK_INSNS (the direct-mapped 2^17 of before evicted 114 K blocks on the boot and
 * workload of bench/phases.mjs, from 69 K distinct ones; 2^18 two-way, 7 K). 2^19: the Debian
 * installer's start, whose processes map shared libraries at addresses of their own, evicted
 * 291 K blocks with 2^18 slots and 134 K with 2^19 (to its prompt 54.3 -> ~50.5 s); the
 * arrays of slots and heat take 9 MiB.
 */
const CACHE_BITS = 19;
const CACHE_SIZE = 1 << CACHE_BITS;
/**
 * Default hot threshold for `auto`, in runs of a cold block. Each new host function costs V8 a
 * parse, a slow start in its bytecode interpreter and an optimizing compile, which lukewarm
 * code never repays: on the busybox workload (CPU time, same booted guest) a threshold of
 * 20000 ran at parity with the interpreter (31.6 s vs 31.4 s) where 2000 took 39.3 s and
 * 2000 with 16-block regions 48.4 s (README, Benchmark).
 */
export const DEFAULT_HOT_THRESHOLD = 20000;
/**
 * The same with the wasm back end, whose regions cost less to make (batched modules, no JS
 * parse and tier-up). Measured on bench/phases.mjs --full-boot (boot, then workload), 2 cores:
 * first 2000 (20.7 / 4.1 s against 21.9 / 4.8 s at 20000, 23.2 / 4.1 s at 1000); since the
 * regions got cheaper to run and enter, 4000 boots faster than 2000 in each of 8 alternating
 * pairs (mean 9.9 against 10.5 s, workload 2.17 against 2.25 s), 3000 between them, 5000-8000
 * no faster to boot and slower on the workload (2.2-2.6 s), 16000 slower on both. Since user
 * code's runs count HEAT_USER times (2026-12-07), the threshold decides for kernel code, most of
 * whose boot runs a few hundred times: 6000 booted faster than 4000 in 2 of 3 alternating pairs
 * (mean 8.81 against 8.96 s; early init 1.39 against 1.49 s and the user-space phase 0.76
 * against 0.85 s in each pair), the workload even (1.75 against 1.77 s); 8000 slower than 6000
 * on both (8.59 against 8.37 s, 1.74 against 1.66 s).
 */
export const DEFAULT_HOT_THRESHOLD_WASM = 6000;
/**
 * Runs after which a cold block's instructions go to the dense tier (wasm/dense.ts) by default:
 * from its first. The dispatcher's work per block stays in JavaScript. At stop 56 (the tier
 * then ran ~47 % of a boot's cold instructions) 4 booted faster than 0 and 8 about as 4; since
 * stop 63 it runs ~96 % of them, and in paired boots (`bench/ab.mjs`, 8 pairs each) 2 booted
 * 2.7 ± 0.6 % faster than 4, and 1 1.7 ± 0.7 % faster than 2 (bench/README.md, stop 63).
 */
export const DEFAULT_DENSE_RUNS = 1;
/**
 * Default heat of `auto` when counted in instructions (`hotInstructions`): runs times the
 * block's length, so a short block must run longer than a long one before it pays for its
 * host function (whose cost, mostly V8's tier-up after the parse, does not shrink with it).
 */
export const DEFAULT_HOT_INSTRUCTIONS = 400_000;

/**
 * WebAssembly modules with a live region (`RecompilerStats.wasmModulesLive`). With `--engine
 * recompiler` every region is a module of its own. The bound on memory mappings (Linux's 65,530
 * per process, vm.max_map_count; V8 maps each module's code space apart) is MAX_HELD_WASM_MODULES,
 * which also counts dead modules V8 has not collected yet: every live module is held, so with
 * the defaults this bound never binds; it does when set lower (`maxWasmModules`).
 */
export const MAX_LIVE_WASM_MODULES = 16384;
/**
 * WebAssembly modules V8 holds, live or dead but not yet collected (`RecompilerStats.wasmModules`
 * less `wasmModulesCollected`). Each holds its memory mappings until V8 collects it, which needs
 * every block of its unit out of the cache (a stale one, kept for revival, keeps it) and then a
 * full collection (V8 runs few on a small heap). A module's code space is committed piece by
 * piece as its functions compile (Liftoff at a first call, TurboFan at tier-up), ~10 mappings
 * per module in the Debian installer's user space, where a few hundred processes each map libc
 * elsewhere: 4 minutes in, ~6,500 held modules took the process to Linux's 65,530 mappings and
 * V8 aborted it ("Commit wasm code space ... out of memory", or a segmentation fault). At this
 * bound the whole cache goes, once until V8 has collected some of them, and new regions are
 * JavaScript meanwhile (`belowHeldBound`).
 */
export const MAX_HELD_WASM_MODULES = 3072;
/**
 * WebAssembly regions alive at once (see `liveWasm`), in any number of modules: a bound on the
 * code the cache holds. The `auto` boot holds a few thousand; a guest that runs much more code
 * (the Debian installer's start: ~24 K translations of ~36 regions per module) outgrew 16,384,
 * the bound before modules were counted, and its newer regions ran as JavaScript.
 */
export const MAX_LIVE_WASM_REGIONS = 65536;
/**
 * Regions translated at once (the hot block and warm ones, see `warmBlocks`): with the wasm
 * back end they share one module. V8 gives each module its own code space, and its mapping and
 * protection changes cost ~0.5 ms per module on this 2-core VM (strace: mmap, mprotect, munmap),
 * 20x the compile of a region's code; a batch pays it once.
 */
export const BATCH_SIZE = 32;
/** Share of the hot threshold from which a cold block is warm (a batch may take it). */
export const WARM_FRACTION = 0.25;
/**
 * Heat of one run of a cold block entered from a WebAssembly region's exit (else 1): each such
 * run costs a round trip from WebAssembly through the dispatcher on top of the cold run, so
 * translating that block pays sooner. Per boot + workload (`--stats`): 4 gave 33 % fewer
 * interpreted instructions and entries into WebAssembly from JavaScript (55.9 M -> 37.6 M,
 * 1.69 M -> 1.12 M) for 5 % more WebAssembly; 10 gave little more for 31 % more.
 */
export const HEAT_AFTER_REGION = 4;
/**
 * Heat of one run of a cold block of user code (CPL 3): user programs are where a guest's long
 * loops run again and again (a compressor, a hash, a shell's interpreter loop), so their blocks
 * reach the hot threshold at 1/8 of the runs kernel code needs, most of whose boot-time code
 * runs a few hundred times and never again. Full boots alternating 8 and 1 (bench/README.md,
 * 2026-12-07): the busybox workload 1.74 s against 1.90 s mean (faster in 4 of 5 pairs, 1
 * even), the boot's user-space phase (busybox's start-up, run about once) 0.85 against 0.78 s;
 * 4 and 16 gained less on the workload.
 */
export const HEAT_USER = 8;
/** The CPL bits of a mode key (`modeKey`: CPL << 2), all set at CPL 3. */
const MODE_CPL3 = 3 << 2;
/** Warm blocks waiting at most (see `warmBatch`). */
const WARM_LIMIT = 256;

/** Whether `b` is a valid cold block for `phys`, `eip` and `mode`. */
function coldAt(b: Block | null, phys: number, eip: number, mode: number): boolean {
  return (
    b !== null && !b.compiled && b.valid && b.phys === phys && b.eip === eip && b.mode === mode
  );
}

/** The linear address of a block's entry (its linear page and its page offset). */
function linearOf(b: Block): number {
  return (b.linearPage << 12) | (b.phys & 0xfff);
}

/**
 * Heat values marking "never translatable here" and "not RAM" (checked before the threshold);
 * below them, the runs of an address whose first instruction crosses onto the next page (`miss`).
 */
const NEVER = 0xffff;
const NON_RAM = 0xfffe;

/**
 * TLB entry flags (the `Mmu` layout, @ringvm/memory mmu.ts) that the read mask leaves out but a
 * fetch must respect: no-execute (8) and a physical address above 4 GiB (256).
 */
const TLB_NO_FETCH_HIGH = 8 | 256;

const IF = 0x200;
const TF = 0x100;
const RF = 0x10000;
const VM = 0x20000;
const FETCH = 2;

/** modeKey's bit for a 4 GiB CS limit (bit 6 of the `flat` argument of buildBlocks). */
const CS_4G_MODE = 1 << 12;

/**
 * Segments (bit `1 << seg`, ES/SS/DS) whose checks translated code may skip: base 0, 4 GiB
 * limit, present, writable, expand-up (the interpreter's `CpuState.flatSegs` write bits), and
 * no alignment checking (#AC) in force.
 */
export function flatSegments(s: CpuState): number {
  return alignmentChecks(s) ? 0 : (s.flatSegs >>> 8) & 0b1101;
}

/**
 * Mode bits that change what translated code means: CS size, SS size, CPL, paging, v8086,
 * which of ES/SS/DS are flat (bits 6..9: `flatSegments << 6`), a 4 GiB CS limit (bit 12:
 * no near branch target can exceed it, so translated code skips jumpNear's limit check), and
 * CR0.WP (bit 13: with CPL 3 or not, it decides the MMU's TLB masks, which wasm regions hold
 * as constants, lower.ts TlbMasks).
 */
export function modeKey(s: CpuState): number {
  return (
    (s.cs32 ? 1 : 0) |
    (s.ss32 ? 2 : 0) |
    (s.cpl << 2) |
    ((s.cr0 >>> 31) << 4) |
    ((s.flags & VM) !== 0 ? 32 : 0) |
    (flatSegments(s) << 6) |
    (s.segLimit[1] === 0xffffffff ? CS_4G_MODE : 0) |
    (((s.cr0 >>> 16) & 1) << 13)
  );
}

/**
 * Cache slot of a block at physical address `phys` entered at `eip` (multiplicative hash). The
 * EIP takes part: one physical page runs at several linear addresses (a position-independent
 * program in several processes), and those entries must not evict each other.
 */
export function slotOf(phys: number, eip: number): number {
  return Math.imul(phys ^ Math.imul(eip, 0x85ebca6b), 0x9e3779b1) >>> (32 - CACHE_BITS);
}

function newReasons(): InterpretReasons {
  return {
    cold: 0,
    untranslatable: 0,
    nonRam: 0,
    fetchFault: 0,
    event: 0,
    trapFlag: 0,
    debug: 0,
    halted: 0,
    budgetTail: 0,
    stalled: 0,
  };
}

/** Whether `b` is valid (what a page's block list keeps, `onPage`). */
const isValid = (b: Block): boolean => b.valid;

/**
 * The recompiler as an execution engine: `run(n)` has the meaning of `Cpu.run(n)` (retires at
 * most `n` instructions, returns a `StopReason`). It is also a `GuestCpu` for the hypervisor
 * (`instructionCount`, `reset`), so it can be passed as both `cpu` and `engine`.
 */
export class Recompiler {
  readonly name = "recompiler";
  readonly stats: RecompilerStats = {
    blocksDecoded: 0,
    blocksTranslated: 0,
    blocksInvalidated: 0,
    blocksEvicted: 0,
    blocksRevived: 0,
    innerEntries: 0,
    codeWritesBeside: 0,
    blocksExecuted: 0,
    chained: 0,
    instructionsInBlocks: DOUBLE_FIELD, // set in the constructor
    instructionsInterpreted: DOUBLE_FIELD,
    interpreted: newReasons(),
    translatedWasm: 0,
    chainedInWasm: 0,
    wasmEntries: 0,
    wasmModules: 0,
    wasmBytes: 0,
    wasmModulesLive: 0,
    wasmModulesCollected: 0,
    wasmFlushes: 0,
    coldCompactions: 0,
    denseInstructions: 0,
    crossingChecked: 0,
  };
  readonly cpu: Cpu;
  private readonly s: CpuState;
  private readonly mmu: CodeTranslator;
  private readonly physical: CodePageWatch;
  private readonly irq: InterruptSource | undefined;
  private readonly threshold: number;
  /** Heat in instructions (`hotInstructions`) rather than entries. */
  private readonly byInstructions: boolean;
  private readonly maxRegionBlocks: number;
  /** RecompilerOptions.heatAfterRegion. */
  private readonly heatAfterRegion: number;
  /** RecompilerOptions.userHeat. */
  private readonly userHeat: number;
  /**
   * Heat from which a cold block waits in `warmBlocks` to be translated along with the next
   * block that gets hot (one WebAssembly module for the batch), and the batch's size.
   */
  private readonly warmAt: number;
  private readonly batchSize: number;
  private warmBlocks: Block[] = [];
  private readonly slots: (Block | null)[] = new Array<Block | null>(CACHE_SIZE).fill(null);
  /**
   * Per slot: NEVER or NON_RAM for the address in `heatPhys`/`heatEip`, the runs so far of a
   * page-crossing start there, else 0.
   */
  private readonly heat = new Uint16Array(CACHE_SIZE);
  private readonly heatPhys = new Int32Array(CACHE_SIZE);
  private readonly heatEip = new Int32Array(CACHE_SIZE);
  /** Blocks by physical page, for invalidation (touched only when translating/invalidating). */
  private readonly pageBlocks = new Map<number, Block[]>();
  /** Per physical page of `pageBlocks`, the bytes its blocks were built from (`codeMap`). */
  private readonly codeMaps = new Map<number, PageBytes>();
  private readonly decoder16 = new Decoder(16);
  private readonly decoder32 = new Decoder(32);
  /** Instructions a miss decodes into (a cold block keeps few of them; see buildCold). */
  private readonly decodePool: Instruction[] = [];
  /** Where cold blocks keep their instruction slots (cold.ts `OpsPool`). */
  private readonly opsPool: OpsPool;
  /** Where blocks record the code bytes they were built from (revive compares them). */
  private readonly codeBytes = new CodeBytes();
  private readonly fetch8: (linear: number) => number;
  private readonly view: FastMemoryView | null;
  /** The wasm back end's target (backend "wasm" with a shared memory), else null. */
  private readonly wasm: WasmTarget | null;
  /**
   * WebAssembly regions the cache still holds (created, not yet killed or dropped). A module (one
   * region, or a batch of them) has its own V8 code space; past MAX_LIVE_WASM_MODULES modules with
   * a live region, or MAX_HELD_WASM_MODULES that V8 has not collected, new regions are
   * JavaScript, so translating everything (`--engine recompiler`, a module per region) cannot
   * exhaust the process's memory mappings (V8 aborts the process then: "Commit wasm code space
   * ... out of memory").
   */
  private liveWasm = 0;
  private readonly maxWasmRegions: number;
  private readonly maxWasmModules: number;
  private readonly maxHeldWasmModules: number;
  /** The cache was dropped for V8 to free dead modules, which it has not done yet. */
  private heldFlushPending = false;
  /** The cache is to be dropped when `run` next starts (`belowHeldBound`). */
  private flushWanted = false;
  /** Its chaining table (option `wasmChain`), else null. */
  private readonly chain: WasmChain | null;
  /** The dense cold tier (wasm/dense.ts; option `denseRuns`), else null. */
  private readonly dense: DenseTier | null;
  /** Runs after which a cold block runs in the dense tier (RecompilerOptions.denseRuns). */
  private readonly denseRuns: number;
  private isShutdown = false;
  private stepping = false;
  /** Written by region functions at each basic block (read by the fault path). */
  private readonly cursor: RegionCursor = { base: 0, cur: 0, last: null };
  /** Whether an event must end a region at a block boundary (IF or TF set). */
  private readonly events: (s: CpuState) => boolean;

  constructor(options: RecompilerOptions) {
    // The instruction counters began as doubles (field-layout.ts).
    this.stats.instructionsInBlocks = 0;
    this.stats.instructionsInterpreted = 0;
    this.cpu = options.cpu;
    this.s = options.cpu.state;
    this.mmu = options.mmu;
    this.physical = options.physical;
    this.irq = options.interrupts;
    this.byInstructions = options.hotInstructions !== undefined;
    this.maxWasmRegions = options.maxWasmRegions ?? MAX_LIVE_WASM_REGIONS;
    this.maxWasmModules = options.maxWasmModules ?? MAX_LIVE_WASM_MODULES;
    this.maxHeldWasmModules = options.maxHeldWasmModules ?? MAX_HELD_WASM_MODULES;
    this.maxRegionBlocks = Math.max(1, options.maxRegionBlocks ?? MAX_REGION_BLOCKS);
    const memory = this.s.memory;
    this.fetch8 = (linear) => memory.fetch8(linear);
    this.physical.onCodeWrite((page, offset, length) => {
      if (offset !== undefined && length !== undefined && this.missesCode(page, offset, length)) {
        this.stats.codeWritesBeside++;
        return true;
      }
      this.invalidatePage(page);
      return false;
    });
    this.view =
      options.fastMemory === false || options.mmu.fastPath === undefined
        ? null
        : options.mmu.fastPath();
    const irq = this.irq;
    this.events = (s) =>
      (s.flags & (TF | RF)) !== 0 ||
      s.debugMode !== 0 ||
      s.interruptShadow ||
      s.nmiPending ||
      s.halted ||
      ((s.flags & IF) !== 0 && irq !== undefined && irq.hasInterrupt());
    const layout = options.backend === "wasm" ? wasmLayout(this.view, this.s) : null;
    const wmem = this.view?.wasm?.memory;
    if (layout === null || wmem === undefined) {
      this.wasm = null;
      this.chain = null;
    } else {
      this.chain = options.wasmChain === false ? null : WasmChain.create(layout, wmem);
      this.wasm = {
        layout,
        memory: wmem,
        shared: new WasmShared(layout, wmem, this.events, modeKey, this.stats),
        chain: this.chain,
        crossing: this.stepCrossing,
        directMemory: options.directMemory ?? true,
      };
    }
    this.denseRuns = options.denseRuns ?? DEFAULT_DENSE_RUNS;
    this.dense =
      layout !== null && wmem !== undefined && this.denseRuns > 0
        ? DenseTier.create(layout, wmem)
        : null;
    this.opsPool = new OpsPool(options.coldChunk);
    const fallback = this.wasm !== null ? DEFAULT_HOT_THRESHOLD_WASM : DEFAULT_HOT_THRESHOLD;
    this.threshold = Math.max(1, options.hotInstructions ?? options.hotThreshold ?? fallback);
    // Batches pay off where regions share a module: the JS back end translates one at a time
    // (batching it translated more lukewarm code: bench workload 6.8 -> 9.0 s).
    this.batchSize = Math.max(1, options.batchSize ?? (this.wasm !== null ? BATCH_SIZE : 1));
    this.heatAfterRegion = Math.max(1, options.heatAfterRegion ?? HEAT_AFTER_REGION);
    this.userHeat = Math.max(1, options.userHeat ?? HEAT_USER);
    this.warmAt = this.batchSize > 1 ? Math.ceil(this.threshold * WARM_FRACTION) : this.threshold;
  }

  /** Physical pages written while a region ran a crossing tail from them (`watchTails`). */
  private readonly tailWritten = new Set<number>();
  /** Where `stepCrossing` decodes. */
  private readonly crossInsn = new Instruction();
  /**
   * The handler of page-crossing instruction `i` in a region (crossing.ts), one per call
   * site: runs it as decoded when its bytes in memory are still those it was decoded from,
   * else decodes the instruction at startEip again, as the interpreter would, and runs that. When it is not the one the
   * region was built with, the region's page is invalidated, so the region leaves to the
   * dispatcher after it (a different form may be a branch or a barrier).
   */
  private readonly stepCrossing = (i: Instruction): ((s: CpuState) => void) => {
    // Looked up once per call site, not at each run.
    const form = crossingForm(i)!;
    return (s) => this.runCrossing(s, i, form);
  };
  private runCrossing(s: CpuState, i: Instruction, form: CrossingForm): void {
    this.stats.crossingChecked++;
    const eip = s.startEip >>> 0;
    const linear = (s.segBase[1]! + eip) | 0;
    // Fetched in order, so a fault on the next page is the one the decode would raise.
    const bytes = form.bytes;
    let k = 0;
    while (k < bytes.length && this.fetch8((linear + k) | 0) === bytes[k]) k++;
    if (k === bytes.length) {
      s.eip = i.nextIp >>> 0;
      form.handler(s, i);
      return;
    }
    const insn = this.crossInsn;
    (s.cs32 ? this.decoder32 : this.decoder16).decodeFetch(this.fetch8, linear, eip, insn);
    if (insn.code !== i.code || insn.length !== i.length)
      this.invalidatePage(Math.floor(this.mmu.translate(linear, FETCH) / 4096));
    s.eip = insn.nextIp >>> 0;
    decodedHandler(insn)(s, insn);
  }

  get instructionCount(): number {
    return this.cpu.instructionCount;
  }

  reset(): void {
    this.isShutdown = false;
    this.cpu.reset();
  }

  /**
   * Whether V8 holds fewer region modules (made, not yet collected) than MAX_HELD_WASM_MODULES;
   * at the bound, asks for the cache to be dropped (see there).
   */
  private belowHeldBound(): boolean {
    const st = this.stats;
    if (st.wasmModules - st.wasmModulesCollected < this.maxHeldWasmModules) {
      this.heldFlushPending = false;
      return true;
    }
    // At the bound: drop every reference the cache has to them, the stale blocks it keeps for
    // revival included (QEMU drops its whole translation buffer when it fills). Once, until V8
    // has collected enough of them: in between new regions are JavaScript.
    if (!this.heldFlushPending) {
      this.heldFlushPending = true;
      // Not here, in a translation: at the start of the next `run`, where no block is running.
      this.flushWanted = true;
    }
    return false;
  }

  /** The cache drop `belowHeldBound` asked for. */
  private dropForHeldBound(): void {
    this.flushWanted = false;
    this.stats.wasmFlushes++;
    this.flush();
  }

  /** Drops every translation (e.g. after restoring a snapshot). */
  flush(): void {
    for (const page of [...this.pageBlocks.keys()]) this.invalidatePage(page);
    // Every block left in the cache (stale now) is dead: its unit lets go of the code.
    const slots = this.slots;
    for (let k = 0; k < slots.length; k++) this.drop(slots[k]!);
    slots.fill(null);
    this.opsPool.compact([]);
    this.heat.fill(0);
    this.warmBlocks = [];
    this.tailWritten.clear();
    forgetRegions(this.cursor);
  }

  /**
   * Whether a write of `length` bytes at `offset` in physical page `page` misses the bytes
   * every valid block on the page was built from (a flag or a variable next to code, as
   * iPXE's real-mode interrupt handlers keep in their code segment). Then nothing needs
   * invalidating: those blocks' bytes are as when they were recorded. Tested on a bitmap of
   * the page's recorded bytes (`codeMap`), made at the first such write after the page's
   * blocks changed.
   */
  private missesCode(page: number, offset: number, length: number): boolean {
    const map = this.codeMaps.get(page) ?? this.codeMap(page);
    return map !== null && !map.any(offset, length);
  }

  /**
   * The bitmap of the bytes the valid blocks of `page` were built from, or null when one of
   * them has bytes there that are not recorded (a crossing instruction's tail, none yet).
   */
  private codeMap(page: number): PageBytes | null {
    const list = this.pageBlocks.get(page);
    if (list === undefined) return null;
    const map = new PageBytes();
    for (const b of list) {
      if (!b.valid) continue;
      if (b.codeLength === 0 || Math.floor(b.phys / 4096) !== page) return null;
      map.mark((b.phys & 0xfff) + b.codeLo, b.codeLength);
    }
    this.codeMaps.set(page, map);
    return map;
  }

  /** A write hit a page holding translated code: its blocks (and links to them) are dead. */
  invalidatePage(page: number): void {
    const list = this.pageBlocks.get(page);
    if (list === undefined) return;
    this.pageBlocks.delete(page);
    this.codeMaps.delete(page);
    for (const b of list) {
      // Code that writes the page a crossing tail is on: its crossing instructions take the
      // handler path from now on, rather than a new translation at each write.
      if (b.tailPage === page) this.tailWritten.add(page);
      if (!b.valid) continue;
      b.valid = false;
      // Stays in its slot: the next lookup revives it if its bytes did not change (not a region
      // running a crossing instruction inline: its bytes on the tail page are not recorded).
      b.stale = b.tailPage < 0;
      this.stats.blocksInvalidated++;
      if (b.chainId !== 0) this.unchain(b);
      // Dead for good now (`drop` counts only stale entries); unchained first (its inbound
      // links), as its unit may let go of it.
      if (!b.stale) this.died(b);
    }
  }

  /**
   * `b` stopped being valid: no exit slot may enter it any more, and (a region) the wrappers no
   * longer find it as the region a chain ended in (they return no link then).
   */
  private unchain(b: Block): void {
    const chain = this.chain;
    if (chain === null) return;
    chain.unlinkTo(b);
    if (b.home === b) chain.leave(b);
  }

  /** Records the bytes `b` was built from (see `Block.stale`). */
  private snapshotCode(b: Block, linear: number): void {
    // A cold block: its straight-line bytes from the entry; a region: the span of its blocks.
    const lo = b.compiled ? b.codeLo : 0;
    let hi = b.compiled ? b.codeHi : (b as ColdBlock).byteLength;
    // A page-crossing instruction's bytes on the next page are not the region's (crossing.ts).
    const pageEnd = 0x1000 - (linear & 0xfff);
    if (hi > pageEnd) hi = pageEnd;
    b.codeLo = lo;
    this.codeBytes.record(b, this.fetch8, (linear + lo) | 0, hi - lo);
  }

  /** A stale block whose bytes are unchanged becomes valid again (and watched). */
  private revive(b: Block, linear: number): boolean {
    if (!b.stale) return false;
    // A region whose slot another region took since (wasm/chain.ts `canEnter`) is built again.
    if (b.chainId !== 0 && this.chain !== null && !this.chain.canEnter(b.home)) return false;
    const code = b.code;
    const at = b.codeAt;
    const base = (linear + b.codeLo) | 0;
    for (let k = 0; k < b.codeLength; k++) {
      if (this.fetch8((base + k) | 0) !== code[at + k]) return false;
    }
    const page = Math.floor(b.phys / 4096);
    this.physical.watchPage(page);
    if (!this.physical.isWatched(page)) return false;
    b.stale = false;
    b.valid = true;
    // The home region registers (and takes its hash entries) only while itself valid.
    if (b.chainId !== 0 && b.home === b) this.chain?.enter(b);
    else if (b.chainId !== 0 && this.chain !== null) this.chain.regions[b.chainId] = b.home;
    let list = this.pageBlocks.get(page);
    if (list === undefined) {
      list = [];
      this.pageBlocks.set(page, list);
    }
    list.push(b);
    this.codeMaps.delete(page);
    this.stats.blocksRevived++;
    return true;
  }

  /** Runs up to `maxInstructions` instructions (the `Cpu.run` contract). */
  run(maxInstructions: number): number {
    if (this.isShutdown) return StopReason.Shutdown;
    const s = this.s;
    const st = this.stats;
    if (this.flushWanted) this.dropForHeldBound();
    const why = st.interpreted;
    const irq = this.irq;
    let remaining = maxInstructions;
    let prev: Block | null = null;
    let dispatched = false;
    while (remaining > 0) {
      if (this.stepping) {
        if (dispatched) break;
        dispatched = true;
      }
      // [debug] Breakpoints armed: the interpreter runs everything; EFLAGS.RF: one instruction.
      if (s.debugMode !== 0 || (s.flags & RF) !== 0) {
        const n = s.debugMode !== 0 ? remaining : 1;
        why.debug += n;
        prev = null;
        const stop = this.interpret(n);
        if (stop !== StopReason.Budget) return stop;
        remaining -= n;
        continue;
      }
      // Instruction-boundary events: the interpreter delivers them exactly.
      if ((s.flags & (IF | TF)) !== 0 || s.interruptShadow || s.nmiPending || s.halted) {
        let n = 0;
        if ((s.flags & TF) !== 0) {
          n = remaining;
          why.trapFlag += n;
        } else if (s.halted) {
          n = 1;
          why.halted++;
        } else if (s.interruptShadow || s.nmiPending || (irq !== undefined && irq.hasInterrupt())) {
          n = 1;
          why.event++;
        }
        if (n !== 0) {
          prev = null;
          const stop = this.interpret(n);
          if (stop !== StopReason.Budget) return stop;
          remaining -= n;
          continue;
        }
      }
      const eip = s.eip >>> 0;
      const linear = (s.segBase[1]! + eip) | 0;
      let phys: number;
      try {
        phys = this.mmu.translate(linear, FETCH);
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        // The interpreter fetches again, faults the same way and delivers the #PF.
        why.fetchFault++;
        prev = null;
        const stop = this.interpret(1);
        if (stop !== StopReason.Budget) return stop;
        remaining--;
        continue;
      }
      const mode = modeKey(s);
      const slot = slotOf(phys, eip);
      // The key as the blocks hold it (int32, see `Block.physKey`).
      const physKey = phys | 0;
      const eipKey = eip | 0;
      let b = this.slots[slot]!;
      if (b === null || b.physKey !== physKey || b.eipKey !== eipKey || b.mode !== mode) {
        // The other way of the set: found there, it becomes the most recent (slot `slot`).
        const other = this.slots[slot ^ 1]!;
        if (
          other !== null &&
          other.physKey === physKey &&
          other.eipKey === eipKey &&
          other.mode === mode
        ) {
          this.slots[slot ^ 1] = b;
          this.slots[slot] = other;
          b = other;
        }
      }
      if (
        b === null ||
        b.physKey !== physKey ||
        b.eipKey !== eipKey ||
        b.mode !== mode ||
        (!b.valid && !this.revive(b, linear))
      ) {
        const found = this.miss(slot, phys, eip, linear, mode);
        if (found === null) {
          prev = null;
          const n = 1;
          const h = this.heat[slot]!;
          if (h === NEVER) why.untranslatable += n;
          else if (h === NON_RAM) why.nonRam += n;
          else why.cold += n;
          const stop = this.interpret(n);
          if (stop !== StopReason.Budget) return stop;
          remaining -= n;
          continue;
        }
        b = found;
      }
      // Chain the previous block's exit to this one when the rules allow (see `link`).
      if (prev !== null) this.link(prev, b);
      // The block that ran just before `b` (null: the interpreter did), for a cold run's heat.
      let before = prev;
      // Run blocks, following chain links, until an exit needs the dispatcher.
      for (;;) {
        if (b.count > remaining) {
          why.budgetTail += remaining;
          return this.interpret(remaining);
        }
        const rb = s.retired;
        let next: Block | null;
        st.blocksExecuted++;
        if (!b.compiled) {
          // Counted in instructions: those it ran (below), a block may leave at a taken Jcc.
          // Right after a WebAssembly region, a run weighs HEAT_AFTER_REGION (see there).
          if (!this.byInstructions)
            b.runs +=
              (before !== null && before.wasm !== null ? this.heatAfterRegion : 1) *
              ((b.mode & MODE_CPL3) === MODE_CPL3 ? this.userHeat : 1);
          if (b.runs >= this.warmAt) {
            if (b.runs >= this.threshold) {
              const hot = this.compile(b);
              if (hot !== null) b = hot;
            } else if (!b.warm) {
              b.warm = true;
              this.warmBlocks.push(b);
            }
          }
        }
        if (b.compiled) {
          try {
            next = b.fn(s, this.stepping ? b.count : remaining);
          } catch (e) {
            if (!(e instanceof CpuException)) throw e;
            // A chain inside WebAssembly faulted in a later region (its cursor, its EIPs).
            if (b.wasm !== null && this.cursor.last != null) b = this.cursor.last;
            remaining -= this.fault(e, b, rb) | 0;
            st.instructionsInBlocks += (s.retired - rb) | 0;
            if (this.isShutdown) return StopReason.Shutdown;
            prev = null;
            break;
          }
          // A chain inside WebAssembly ended in another region: it is the one that exited.
          if (b.wasm !== null && this.cursor.last != null) b = this.cursor.last;
          // int32 (retired is a double field): `remaining` stays a small integer, so passing it
          // to a region function boxes no number.
          const used = (s.retired - rb) | 0;
          if (used === 0) {
            // No progress: the same dispatch would follow forever. The interpreter runs it.
            why.stalled++;
            prev = null;
            const stop = this.interpret(1);
            if (stop !== StopReason.Budget) return stop;
            remaining--;
            break;
          }
          st.instructionsInBlocks += used;
          remaining -= used;
        } else {
          this.coldEvent = false;
          const used = this.runCold(b as ColdBlock);
          const done = (s.retired - rb) | 0;
          st.instructionsInterpreted += done;
          why.cold += done;
          if (this.byInstructions) b.runs += done;
          remaining -= used;
          if (this.isShutdown) return StopReason.Shutdown;
          // Left before its end other than by a taken Jcc: a fault, an event or a code write.
          const jump = this.coldJump;
          if (used !== b.count && jump < 0) {
            prev = null;
            break;
          }
          // A cold block that ran (to its end or to a taken Jcc in it) without a code write or
          // event changed nothing the boundary test looks at (TF, RF, IF, debug registers,
          // shadow and HLT come only from barriers, which end a block without exits): follow
          // its link if it still holds.
          if (this.coldEvent || remaining <= 0 || this.stepping) {
            prev = b;
            break;
          }
          // Exits in the block's own fields (no array to load): the branch target and the
          // fall-through, or the last target of a near indirect branch (int32: no boxed number
          // to load for a kernel address; an exit never linked has a null block); a taken Jcc
          // inside the block has its link in its argument slot.
          const at = s.eip | 0;
          const cb = b as ColdBlock;
          next =
            jump >= 0
              ? (cb.ops[cb.opsAt + jump + OP_ARG] as Block | null)
              : at === cb.exit0
                ? cb.next0
                : at === cb.exit1
                  ? cb.next1
                  : null;
          if (
            next === null ||
            !next.valid ||
            (next.linearPage !== b.linearPage && !this.mapped(next, at))
          ) {
            prev = b;
            break;
          }
          st.chained++;
          before = b;
          b = next;
          continue;
        }
        if (
          next === null ||
          !next.valid ||
          remaining <= 0 ||
          (s.flags & (TF | RF)) !== 0 ||
          s.debugMode !== 0 ||
          s.interruptShadow ||
          s.nmiPending ||
          s.halted ||
          this.stepping ||
          ((s.flags & IF) !== 0 && irq !== undefined && irq.hasInterrupt()) ||
          (next.linearPage !== b.linearPage && !this.mapped(next, s.eip | 0))
        ) {
          prev = b;
          break;
        }
        st.chained++;
        before = b;
        b = next;
      }
    }
    this.budgetLeft = remaining;
    return StopReason.Budget;
  }

  /**
   * Runs a cold block through the interpreter's block-cache handlers as the interpreter's block
   * loop does (cold.ts kind bits): a register-only form is one call; a memory form first stores
   * the retired count (a device may read the clock) and is followed by a check for a write to
   * this block's page (self-modifying code), an NMI or a new interrupt; a branch or any
   * non-body form gets startEip/startEsp/EIP and leaves when it moved EIP. The closing Jcc is
   * tested here (fused with a register-only form before it when the interpreter has the pair).
   * A fault is delivered here as `Cpu.raise` does. Returns the budget used. From a block's
   * `denseRuns`th run, the instructions the dense tier runs go there (wasm/dense.ts): from the
   * block's start, and again after each one it lacks when the next two are its own.
   */
  private runCold(b: ColdBlock): number {
    const s = this.s;
    const regs = s.regs;
    const ops = b.ops;
    const n = b.count;
    const base = b.opsAt;
    // Instructions' EIPs are offsets from the block's (their kind words).
    const eip0 = b.eipKey;
    // Compact forms (a word in the handler slot) exist only where the view does.
    const view = this.view;
    this.coldJump = -1;
    // An interrupt raised by the block itself (an APIC EOI or other MMIO write unmasking a
    // pending request) is taken before the next instruction, as the interpreter takes it.
    const irq = (s.flags & IF) !== 0 ? this.irq : undefined;
    const retired = s.retired;
    let k = 0;
    // base + k * OP_STRIDE: instruction k's slots in `ops`.
    let o = base;
    let dense = this.dense;
    if (dense !== null && b.runs >= this.denseRuns) {
      if (b.denseGen !== dense.gen) dense.encode(b);
      if (b.denseCount === 0) dense = null;
    } else dense = null;
    try {
      while (k < n) {
        // The dense tier from the block's start, and again after the interpreter ran an
        // instruction it lacks, when at least two it runs follow (an entry costs about two).
        if (dense !== null && dense.runsFrom(b, k, k === 0 ? 1 : 2)) {
          const r = dense.enter(s, b, k);
          const ran = r & 0xff;
          k += ran;
          this.stats.denseInstructions += ran;
          if ((r & (DENSE_JUMP | DENSE_TAKEN)) !== 0) {
            if ((r & DENSE_JUMP) !== 0) {
              // The block's closing CALL or RET (k === n), done but for EIP.
              s.eip = dense.target();
            } else {
              // A taken Jcc, as below.
              const at = base + (k - 1) * OP_STRIDE;
              jumpNear(s, ops[at + OP_TARGET] as number);
              if (k !== n) this.coldJump = at - base;
            }
            s.retired = retired + k;
            return k;
          }
          if (k === n) {
            // The block's end: EIP is the next instruction's (after a body form or a Jcc).
            s.retired = retired + n;
            s.eip = opNextEip(eip0, ops[base + (n - 1) * OP_STRIDE + OP_KIND] as number) >>> 0;
            return n;
          }
          // Instruction k is the interpreter's (one the tier lacks, or a fast-path test failed).
          o = base + k * OP_STRIDE;
        }
        const kind = ops[o] as number;
        if ((kind & OP_KIND_MASK) === 0) {
          const h = ops[o + OP_HANDLER];
          if (typeof h === "number") runCompact(s, h, ops[o + OP_ARG] as number, view!);
          else (h as Handler)(s, ops[o + OP_ARG] as Instruction);
          k++;
          o += OP_STRIDE;
          continue;
        }
        const bits = kind & 0xff;
        if (bits === K_FUSED || bits === K_JCC) {
          let taken: boolean;
          if (bits === K_FUSED) {
            // The form and the Jcc after it (k + 1) in one call.
            taken = (ops[o + OP_HANDLER] as FusedHandler)(s);
            k++;
            o += OP_STRIDE;
          } else {
            const cc = (kind >>> 8) & 0xff;
            taken = cc === COND_ALWAYS || testCondition(s, cc);
          }
          if (taken) {
            jumpNear(s, ops[o + OP_TARGET] as number);
            // Inside the block: `run` follows the link in its slots.
            if (k !== n - 1) this.coldJump = o - base;
            k++;
            break;
          }
          k++;
          o += OP_STRIDE;
          if (k === n) {
            // The Jcc's kind word (not the fused form's).
            s.eip = opNextEip(eip0, ops[o - OP_STRIDE + OP_KIND] as number) >>> 0;
            break;
          }
          continue;
        }
        s.retired = retired + k;
        if ((kind & K_ESP) !== 0) s.startEsp = regs[ESP]!;
        // -1: the form cannot move EIP (no K_EIP), so nothing to compare after the handler.
        let next = -1;
        if ((kind & K_EIP) !== 0) {
          const eip = opEip(eip0, kind);
          next = ((eip + opLength(kind)) | 0) >>> 0;
          s.startEip = eip >>> 0;
          s.eip = next;
        }
        const h = ops[o + OP_HANDLER];
        if (typeof h === "number") runCompact(s, h, ops[o + OP_ARG] as number, view!);
        else (h as Handler)(s, ops[o + OP_ARG] as Instruction);
        k++;
        o += OP_STRIDE;
        if (
          (kind & K_MEM) !== 0 &&
          (!b.valid || s.nmiPending || (irq !== undefined && irq.hasInterrupt()))
        ) {
          this.coldEvent = true;
          break;
        }
        // A handler that moved EIP (a branch, a REP form stopped early to repeat).
        if (next !== -1 && s.eip !== next) break;
      }
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      const at = base + k * OP_STRIDE;
      // Forms without K_ESP leave ESP alone: it is still the faulting one's start ESP.
      if (((ops[at + OP_KIND] as number) & K_ESP) === 0) s.startEsp = regs[ESP]!;
      s.startEip = opEip(eip0, ops[at + OP_KIND] as number) >>> 0;
      s.retired = retired + k;
      if (!e.isTrap) {
        s.eip = s.startEip;
        regs[ESP] = s.startEsp;
        if (e.vector !== Vector.DB) s.flags |= RF; // [debug] faults push RF=1 (Cpu.raise)
      }
      this.deliver(e.vector, hasErrorCode(e.vector), e.errorCode, s.eip);
      return k + 1;
    }
    s.retired = retired + k;
    // Left after a body form (the block's end, a code write or an event): EIP is the next one's.
    const at = base + (k - 1) * OP_STRIDE;
    const last = ops[at + OP_KIND] as number;
    if ((last & (K_EIP | K_JCC)) === 0) s.eip = opNextEip(eip0, last) >>> 0;
    return k;
  }

  /**
   * Runs one dispatch: one block (without following chain links) or one interpreter slice.
   * For lock-step comparison with the interpreter; returns the budget used, or -1 with the
   * stop reason in `lastStop` when it stopped early (HLT, shutdown).
   */
  step(maxInstructions = 1 << 30): number {
    this.stepping = true;
    try {
      this.lastStop = this.run(maxInstructions) as StopReason;
    } finally {
      this.stepping = false;
    }
    return this.lastStop === StopReason.Budget ? maxInstructions - this.budgetLeft : -1;
  }
  lastStop: StopReason = StopReason.Budget;
  private budgetLeft = 0;
  /** Set by `runCold` when a code write, NMI or interrupt made it leave (or end) its block. */
  private coldEvent = false;
  /**
   * Set by `runCold` when a Jcc inside its block was taken: that Jcc's slots (offset from the
   * block's `opsAt`), else -1. Still the cold `prev`'s when `link` reads it: `run` links
   * before it runs another block.
   */
  private coldJump = -1;

  /** Runs `n` instructions in the interpreter, counted as interpreted. */
  private interpret(n: number): number {
    const before = this.s.retired;
    const stop = this.cpu.run(n);
    this.stats.instructionsInterpreted += this.s.retired - before;
    return stop;
  }

  /**
   * Stores a chain link from `prev` (which just exited to `b.eip`) to `b`, if allowed: same mode
   * (no barrier ran in between, so CS base, CS/SS size and CPL are unchanged), and either the
   * same linear page (so the same translation) or, with the TLB fast path, any page: following
   * a cross-page link first checks that the TLB still maps `b`'s linear page to its physical
   * page (`mapped`). The link stays right until either block is invalidated, which the
   * dispatcher checks (`valid`). A cold block ending in a near indirect branch remembers its
   * last target the same way (one entry).
   */
  private link(prev: Block, b: Block): void {
    if (!prev.valid || prev.mode !== b.mode) return;
    // A region that left to JavaScript for an entry of a chaining region: that entry goes
    // (back) into the dynamic-exit hash for the next RET or indirect jump there.
    if (prev.compiled && b.chainFn !== null) this.chain?.refresh(b);
    // `b` was found at the EIP `prev` left to (read here: an argument above 2^31 is boxed).
    const eip = b.eip;
    if (prev.linearPage !== b.linearPage && this.view === null) return;
    if (!prev.compiled) {
      const cb = prev as ColdBlock;
      const at = eip | 0;
      const jump = this.coldJump;
      if (jump >= 0) {
        // Left by a taken Jcc inside the block.
        const o = cb.opsAt + jump;
        if ((cb.ops[o + OP_TARGET] as number) === at) (cb.ops as unknown[])[o + OP_ARG] = b;
        return;
      }
      if (at === cb.exit0 && cb.exits > 0) cb.next0 = b;
      else if (at === cb.exit1 && cb.exits > 1) cb.next1 = b;
      else if (cb.indirect) {
        cb.exit0 = at;
        cb.next0 = b;
      }
      return;
    }
    const targets = prev.exitTargets;
    const chain = prev.chainId !== 0 && b.chainFn !== null ? this.chain : null;
    for (let e = 0; e < targets.length; e++) {
      if (targets[e] !== eip) continue;
      prev.links[e] = b;
      // Both WebAssembly: the exit's slot enters `b` without the dispatcher (wasm/chain.ts).
      // A dynamic exit goes through the trampoline instead when the chain has one.
      if (chain !== null && b.valid && !(chain.dynamic && prev.dynamicExits![e] === 1))
        chain.link(prev.home, e, b);
    }
  }

  /**
   * Whether `b` is what the code at `eip` (int32 or uint32) of the current CS is: its linear
   * page is where that EIP is now, and the TLB maps that page to `b`'s physical page for reads
   * (and fetches).
   */
  private mapped(b: Block, eip: number): boolean {
    const view = this.view;
    if (view === null) return false;
    const page = (this.s.segBase[1]! + eip) >>> 12;
    if (page !== b.linearPage) return false;
    const e = view.tlb[page]!;
    return (e & (view.masks[0]! | TLB_NO_FETCH_HIGH)) === 1 && e >>> 12 === b.phys >>> 12;
  }

  /** Cache miss: decodes a cold block at `phys` (null: interpret one instruction). */
  private miss(
    slot: number,
    phys: number,
    eip: number,
    linear: number,
    mode: number,
  ): Block | null {
    // An address known not to start a block: interpreted without another look.
    if (
      this.heat[slot] !== 0 &&
      this.heatPhys[slot] === (phys | 0) &&
      this.heatEip[slot] === (eip | 0)
    )
      return this.crossingStart(slot, phys, eip, linear, mode);
    this.heat[slot] = 0;
    this.heatPhys[slot] = phys | 0;
    this.heatEip[slot] = eip | 0;
    const page = Math.floor(phys / 4096);
    // Legacy window (VGA memory, option ROMs, BIOS shadow) and non-RAM: always interpreted.
    if (phys >= 0xa0000 && phys < 0x100000) {
      this.heat[slot] = NON_RAM;
      return null;
    }
    this.physical.watchPage(page);
    if (!this.physical.isWatched(page)) {
      this.heat[slot] = NON_RAM;
      return null;
    }
    // A basic block of a region built before: entered there rather than decoded cold.
    const inner = regionEntry(this.cursor, phys, eip, linear, mode);
    if (inner !== null) {
      this.installInner(slot, page, inner);
      return inner;
    }
    const s = this.s;
    const insns = discover(
      this.fetch8,
      s.cs32 ? this.decoder32 : this.decoder16,
      linear,
      eip,
      this.decodePool,
      false, // no page-crossing blocks (cold blocks leave those to the interpreter)
      true, // through Jccs
    );
    if (insns.length === 0) {
      // A first instruction that ends on the next page (a return address at a page's end):
      // interpreted while cold, a wasm region from there once hot (`crossingStart`).
      const crossing =
        this.wasm !== null &&
        discover(
          this.fetch8,
          s.cs32 ? this.decoder32 : this.decoder16,
          linear,
          eip,
          this.decodePool,
          true,
        ).length > 0;
      this.heat[slot] = crossing ? 1 : NEVER;
      return null;
    }
    const block =
      this.threshold <= 1
        ? this.translate(phys, eip, linear, mode)
        : buildCold(insns, phys, eip, linear, mode, this.view, this.opsPool, this.decodePool);
    if (block === null) {
      this.heat[slot] = NEVER;
      return null;
    }
    this.stats.blocksDecoded++;
    this.snapshotCode(block, linear);
    this.install(slot, page, block);
    if (this.opsPool.wasteful()) this.compactOps();
    return block;
  }

  /**
   * The address in `slot` was seen before and starts no cold block: null (interpret it) unless
   * it starts with a page-crossing instruction and has now run `threshold` times; then the
   * region from there (its first block that instruction alone, crossing.ts), or null and never
   * again if it does not translate. The cold tier has no page-crossing blocks (a block's bytes
   * are checked against one page), so until then the interpreter runs it.
   */
  private crossingStart(
    slot: number,
    phys: number,
    eip: number,
    linear: number,
    mode: number,
  ): Block | null {
    const h = this.heat[slot]!;
    if (h >= NON_RAM) return null;
    // (A threshold past the marks counts up to just below them.)
    if (h < Math.min(this.threshold, NON_RAM - 1)) {
      this.heat[slot] = h + 1;
      return null;
    }
    this.heat[slot] = NEVER;
    const block = this.translate(phys, eip, linear, mode);
    if (block === null) return null;
    this.heat[slot] = 0;
    this.snapshotCode(block, linear);
    this.install(slot, Math.floor(phys / 4096), block);
    return block;
  }

  /** Translates the region at `eip` into a region function. */
  private translate(phys: number, eip: number, linear: number, mode: number): Block | null {
    return this.translateAll([{ phys, eip, linear, mode }])[0] ?? null;
  }

  /**
   * Translates the regions at `entries` (all of the current mode and mapped now) together
   * (buildBlocks: one wasm module); an entry whose code does not decode is left out.
   */
  private translateAll(
    entries: readonly { phys: number; eip: number; linear: number; mode: number }[],
  ): Block[] {
    const s = this.s;
    const decoder = s.cs32 ? this.decoder32 : this.decoder16;
    const specs: RegionSpec[] = [];
    // WebAssembly while fewer than maxWasmRegions live in fewer than maxWasmModules modules
    // and V8 holds fewer than maxHeldWasmModules, else JavaScript regions.
    const wasm =
      this.liveWasm + entries.length <= this.maxWasmRegions &&
      this.stats.wasmModulesLive < this.maxWasmModules &&
      this.belowHeldBound()
        ? this.wasm
        : null;
    for (const { phys, eip, linear, mode } of entries) {
      // Page-crossing instructions in regions only where the wasm back end runs them: a
      // JavaScript region leaves to the dispatcher at one, so entered there it would not move.
      const blocks = discoverRegion(
        this.fetch8,
        decoder,
        linear,
        eip,
        this.maxRegionBlocks,
        wasm !== null,
      );
      if (blocks.length > 0) specs.push({ blocks, phys, eip, linear, mode });
      if (wasm !== null) for (const insns of blocks) this.watchTails(insns, (linear - eip) | 0);
    }
    if (specs.length === 0) return [];
    this.stats.blocksTranslated += specs.length;
    const mode = specs[0]!.mode;
    const built = buildBlocks(
      specs,
      s.ss32,
      this.cursor,
      this.events,
      this.view,
      // The flat segments, and bit 6 for a 4 GiB CS limit (lower.ts CS_4G).
      (mode >> 6) & 0x7f,
      wasm,
    );
    for (const block of built) {
      if (block.wasm !== null) this.stats.translatedWasm++;
      this.born(block);
    }
    return built;
  }

  /**
   * Page-crossing instructions among `insns` (code at `csBase` + EIP): each gets the physical
   * page its tail is fetched from now, when that page can be watched (crossing.ts `tail`; the
   * wasm back end then runs it inline), else none.
   */
  private watchTails(insns: readonly Instruction[], csBase: number): void {
    for (const i of insns) {
      const form = crossingForm(i);
      if (form === undefined) continue;
      form.tail = null;
      const last = (csBase + i.ip + i.length - 1) | 0;
      let phys: number;
      try {
        phys = this.mmu.translate(last, FETCH);
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        continue;
      }
      const page = Math.floor(phys / 4096);
      if (this.tailWritten.has(page)) continue;
      this.physical.watchPage(page);
      if (this.physical.isWatched(page)) form.tail = { linearPage: last >>> 12, physPage: page };
    }
  }

  /**
   * A cold block became hot: its region function (translated with the warm blocks that can go
   * along, see `warmBatch`) replaces it in the cache, as theirs replace them.
   */
  private compile(cold: Block): Block | null {
    const batch = this.warmBatch(cold);
    const built = this.translateAll(
      batch.map((b) => ({ phys: b.phys, eip: b.eip, linear: linearOf(b), mode: b.mode })),
    );
    let hot: Block | null = null;
    for (const b of built) {
      this.snapshotCode(b, linearOf(b));
      this.install(slotOf(b.phys, b.eip), Math.floor(b.phys / 4096), b);
      if (b.phys === cold.phys && b.eip === cold.eip) hot = b;
    }
    for (const b of built) if (b.home === b) this.adoptInner(b);
    return hot;
  }

  /**
   * Cold blocks cached at the starts of region `r`'s other basic blocks become entries into `r`
   * there: the same code, already translated. Otherwise each stayed cold until it earned its own
   * translation (a dispatcher entry there: after an interrupt returned, a dynamic exit, an
   * exit to JavaScript), which then only made the same entry.
   */
  private adoptInner(r: Block): void {
    const page = Math.floor(r.phys / 4096);
    const slots = this.slots;
    for (let k = 1; k < r.ips.length; k++) {
      const eip = r.ips[k]![0]!;
      const phys = r.phys + (eip - r.eip);
      if (Math.floor(phys / 4096) !== page) continue;
      const slot = slotOf(phys, eip);
      if (!coldAt(slots[slot]!, phys, eip, r.mode) && !coldAt(slots[slot ^ 1]!, phys, eip, r.mode))
        continue;
      this.installInner(slot, page, enterAt(r, k, phys, eip));
    }
  }

  /** Caches `entry`, an entry into a region at an inner block (counted as `translateAll` does). */
  private installInner(slot: number, page: number, entry: Block): void {
    this.stats.innerEntries++;
    if (entry.wasm !== null) this.stats.translatedWasm++;
    this.born(entry);
    this.snapshotCode(entry, linearOf(entry));
    this.install(slot, page, entry);
  }

  /**
   * `cold` and up to batchSize - 1 warm blocks that can be translated now: still valid, cold
   * and in the cache, of `cold`'s mode, and mapped by the TLB as when they were decoded (their
   * code is fetched through the current address space). The others stay warm while they are
   * valid and cold.
   */
  private warmBatch(cold: Block): Block[] {
    const batch = [cold];
    const keep: Block[] = [];
    for (const b of this.warmBlocks) {
      if (b === cold || !b.valid || b.compiled) continue;
      if (
        batch.length < this.batchSize &&
        b.mode === cold.mode &&
        this.resident(b) &&
        this.mapped(b, b.eip)
      )
        batch.push(b);
      else keep.push(b);
    }
    for (const b of batch) b.warm = false;
    // Bounded: the oldest warm blocks go first.
    this.warmBlocks = keep.length > WARM_LIMIT ? keep.slice(keep.length - WARM_LIMIT) : keep;
    return batch;
  }

  /** Moves the live cold blocks' slots (all in the cache: valid, or stale and revivable) together. */
  private compactOps(): void {
    const live: ColdBlock[] = [];
    for (const b of this.slots)
      if (b !== null && !b.compiled && (b.valid || b.stale)) live.push(b as ColdBlock);
    this.opsPool.compact(live);
    this.stats.coldCompactions++;
  }

  /** Whether `b` is the cache's entry for its address and mode. */
  private resident(b: Block): boolean {
    const slot = slotOf(b.phys, b.eip);
    return this.slots[slot] === b || this.slots[slot ^ 1] === b;
  }

  /**
   * Puts `block` in the cache and in its page's list. The cache is two-way set-associative
   * (slots `slot` and `slot ^ 1`, the most recently used in `slot`, where lookups look first):
   * an entry with the same key is replaced in place; otherwise the new block goes to `slot`.
   */
  private install(slot: number, page: number, block: Block): void {
    const slots = this.slots;
    const same = (b: Block | null): boolean =>
      b !== null && b.phys === block.phys && b.eip === block.eip && b.mode === block.mode;
    if (same(slots[slot ^ 1]!)) {
      this.kill(slots[slot ^ 1]!, false);
      slots[slot ^ 1] = block;
    } else if (same(slots[slot]!)) {
      this.kill(slots[slot]!, false);
      slots[slot] = block;
    } else {
      // The resident of `slot` moves to the other way (evicting a live entry there); a stale
      // resident only moves to a free or dead way (to keep its chance to be revived).
      const here = slots[slot]!;
      const there = slots[slot ^ 1]!;
      if (here !== null && here.valid) {
        this.kill(there, true);
        slots[slot ^ 1] = here;
      } else if (here !== null && (there === null || !there.valid)) {
        this.drop(there);
        slots[slot ^ 1] = here;
      } else {
        this.drop(here);
      }
      slots[slot] = block;
    }
    this.onPage(page, block);
    // A write to the tail page of a crossing instruction it runs inline invalidates it too.
    if (block.tailPage >= 0 && block.tailPage !== page) this.onPage(block.tailPage, block);
  }

  /**
   * Adds `block` to the blocks of physical page `page` (invalidated by a write there). As the
   * list grows it drops the blocks killed since (`kill` leaves them; `appendSwept`).
   */
  private onPage(page: number, block: Block): void {
    let list = this.pageBlocks.get(page);
    if (list === undefined) {
      list = [];
      this.pageBlocks.set(page, list);
    }
    appendSwept(list, block, isValid);
    this.codeMaps.delete(page);
  }

  /** A compiled block is cached (a region, or an entry into one). */
  private born(b: Block): void {
    const unit = b.unit;
    if (unit === null) return;
    unit.add(b);
    if (b.wasm !== null) {
      this.liveWasm++;
      if (unit.live === 0) this.stats.wasmModulesLive++;
    }
    unit.live++;
  }

  /**
   * A block left the cache for good (its links from the chain are gone: `unchain`). A cold
   * block lets go of its successors and slots; an entry into a region of its own function; the
   * last of a unit makes every block of the unit let go of its code (`Block.release`), so that
   * V8 can collect the module or function while dead blocks stay reachable.
   */
  private died(b: Block): void {
    if (!b.compiled) {
      this.opsPool.release(b as ColdBlock);
      b.release();
      return;
    }
    const unit = b.unit;
    if (unit === null) return;
    if (b.wasm !== null) this.liveWasm--;
    if (b.home !== b) b.release();
    if (--unit.live > 0) return;
    if (b.wasm !== null) this.stats.wasmModulesLive--;
    for (const x of unit.blocks) x.release();
    unit.blocks.length = 0;
    unit.module = null;
  }

  /** A stale entry leaves the cache for good (it can no longer be revived). */
  private drop(b: Block | null): void {
    if (b === null || b.valid || !b.stale) return;
    b.stale = false;
    this.died(b);
  }

  /** Drops a cache entry that is being replaced (`evicted`: by another address or mode). */
  private kill(old: Block | null, evicted: boolean): void {
    if (old === null) return;
    if (!old.valid) {
      this.drop(old);
      return;
    }
    old.valid = false;
    // Unchained first: the exit slots linked to it are found through its inbound list, which
    // `died` may release.
    if (old.chainId !== 0) this.unchain(old);
    this.died(old);
    if (evicted) this.stats.blocksEvicted++;
    // It stays in its page's list until `onPage` sweeps it out (every reader tests `valid`): a
    // search there cost ~2 % of a long boot's host time, with user pages of shared libraries
    // holding thousands of blocks (each process maps them at other addresses).
  }

  /**
   * A block raised `e`. Mirrors the interpreter's loop: instructions before the faulting one
   * retired, the faulting one used a budget unit; faults roll EIP and ESP back to its start.
   * Returns the budget used.
   */
  private fault(e: CpuException, b: Block, rb: number): number {
    const s = this.s;
    const ips = b.ips[this.cursor.cur]!;
    const base = this.cursor.base;
    const start = s.startEip >>> 0;
    let k = 0;
    while (k < ips.length && ips[k] !== start) k++;
    if (k === ips.length) k = 0;
    s.retired = base + k;
    if (!e.isTrap) {
      s.eip = s.startEip;
      s.regs[ESP] = s.startEsp;
      // Faults other than #DB push RF=1, as Cpu.raise does (SDM vol. 3, 17.3.1.1).
      if (e.vector !== Vector.DB) s.flags |= RF;
    }
    this.deliver(e.vector, hasErrorCode(e.vector), e.errorCode, s.eip);
    return base - rb + k + 1;
  }

  // Event delivery as Cpu.raise/deliver/escalate do it (SDM vol. 3, table 6-5).
  private deliver(vector: number, hasError: boolean, code: number, returnEip: number): void {
    const s = this.s;
    try {
      deliverInterrupt(s, vector, EventKind.Exception, hasError, code, returnEip);
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      s.eip = returnEip;
      this.escalate(vector, e);
    }
  }

  private escalate(first: number, second: CpuException): void {
    const s = this.s;
    if (first === Vector.DF) {
      this.isShutdown = true;
      return;
    }
    const v = second.vector;
    const isDouble =
      (isContributory(first) && isContributory(v)) ||
      (first === Vector.PF && (v === Vector.PF || isContributory(v)));
    const next = isDouble ? Vector.DF : v;
    try {
      deliverInterrupt(
        s,
        next,
        EventKind.Exception,
        isDouble || hasErrorCode(v),
        isDouble ? 0 : second.errorCode,
        s.eip,
      );
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      this.escalate(next, e);
    }
  }

  /** Translated blocks currently in the cache (for tests and tools). */
  *blocks(): IterableIterator<Block> {
    for (const list of this.pageBlocks.values()) for (const b of list) if (b.valid) yield b;
  }
}
