// Block discovery and code generation: decode straight-line guest code from one address up to a
// control-flow instruction, a block barrier, the end of the page or a size limit, and turn it
// into one host function through `new Function`.
import {
  aluAdc,
  ARITH_FLAGS,
  BLOCK_BRANCH,
  BLOCK_COND_ALWAYS,
  aluAdd,
  aluSar,
  aluSbb,
  aluShl,
  aluShr,
  aluSub,
  CF,
  checkedLinear,
  LazyOp,
  OF,
  HANDLERS,
  hasBadLock,
  jumpNear,
  testCondition,
  type CpuState,
} from "@ringvm/cpu";
import {
  ATTR_IOPL,
  ATTR_PRIVILEGED,
  Code,
  type Decoder,
  FlowControl,
  Instruction,
  OpKind,
} from "@ringvm/decoder";
import {
  deadFlags,
  EMITTERS,
  FLUSH_FLAGS,
  FlagOp,
  formCode,
  leaveText,
  LOAD_REGS,
  num,
  observesAllFlags,
  SAVE_REGS,
  SLOW_RMW,
  type EmitContext,
} from "./emit";
import { isCrossing, markCrossing } from "./crossing";
import { buildModule } from "./wasm/asm";
import {
  lowerPart,
  PAGING_OFF,
  REGION_TYPE,
  returnSiteBlocks,
  type LoweredPart,
  type WasmLayout,
} from "./wasm/lower";
import type { WasmMemoryLike } from "./wasm/api";
import { wasmRegionFns, type WasmMemoryInfo, type WasmShared } from "./wasm/region";
import type { FuncTable, WasmChain } from "./wasm/chain";

/**
 * A translated block returns the next block when it can chain to it, else null. A region
 * function takes the basic block to start at as a third argument (default 0).
 */
export type BlockFn = (s: CpuState, budget: number, entry?: number) => Block | null;

/**
 * Longest block in instructions. Bounds compile time and the latency of interrupt delivery
 * (events are checked between blocks); 64 is long enough that loop bodies fit whole.
 */
export const MAX_BLOCK_INSNS = 64;

const noBlock: BlockFn = () => null;

/**
 * The blocks that share one compiled function: a WebAssembly module's regions with their entries
 * (`enterAt`), or a JavaScript region with its entries. The engine counts those in its cache,
 * valid or stale (`live`), and when none is left it drops what each of them holds of the code
 * (`Block.release`): a dead block may stay reachable (a live block's link to it, a page list
 * not swept yet) and, through its function, exit table and links, would keep its module or
 * function, and through them other dead blocks and theirs, from the garbage collector.
 */
export class CodeUnit {
  /** Its blocks in the engine's cache (valid or stale). */
  live = 0;
  /** Its blocks made so far (dead entries are swept out as the list grows, `add`). */
  readonly blocks: Block[] = [];
  constructor(
    /**
     * A WebAssembly module's: the module (its blocks' functions hold it anyway) until the unit
     * is dead, and its size in bytes; null for a JavaScript region's.
     */
    public module: object | null,
    readonly bytes = 0,
  ) {}

  /**
   * Adds `b`, cached just now. Dead entries (already released, see `Recompiler.died`) are swept
   * out as the list grows: a long-lived region's entries come and go.
   */
  add(b: Block): void {
    appendSwept(this.blocks, b, inUnit);
  }
}

/** Whether `x` must stay in its unit's list: in the cache, or a region (released with its unit). */
const inUnit = (x: Block): boolean => x.valid || x.stale || x.home === x;

/**
 * Appends `b` to `list`; at each power of two of the list's length from 32, only the entries
 * `keep` accepts stay (so a sweep costs O(1) per append on average).
 */
export function appendSwept(list: Block[], b: Block, keep: (x: Block) => boolean): void {
  list.push(b);
  const n = list.length;
  if (n < 32 || (n & (n - 1)) !== 0) return;
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const x = list[k]!;
    if (keep(x)) list[kept++] = x;
  }
  list.length = kept;
}
/** Shared initial values (a field initializer allocating per block costs a heap object each). */
const NO_BYTES = new Uint8Array(0);
const NO_OPS: readonly unknown[] = [];
const NO_SITES: readonly Instruction[] = [];
/** Bytes per chunk of `CodeBytes`. */
const CODE_CHUNK = 1 << 16;

/**
 * Where blocks keep the code bytes they were built from (`Block.code`): handed out in build
 * order from shared chunks, as `OpsPool` does for cold blocks' slots. A typed array of its own
 * per block was two heap objects (~190 bytes) for ~30 bytes of code: ~12 MB per boot. A chunk
 * lives while a block recorded in it does; the bytes of dead blocks are not reclaimed (a boot
 * records ~3 MB).
 */
export class CodeBytes {
  private chunk = new Uint8Array(CODE_CHUNK);
  private next = 0;

  /** Records into `b` the `length` bytes (at most 4096: one page) `fetch8` reads from `linear`. */
  record(b: Block, fetch8: (linear: number) => number, linear: number, length: number): void {
    if (this.next + length > this.chunk.length) {
      this.chunk = new Uint8Array(CODE_CHUNK);
      this.next = 0;
    }
    const chunk = this.chunk;
    const at = this.next;
    for (let k = 0; k < length; k++) chunk[at + k] = fetch8((linear + k) | 0);
    this.next = at + length;
    b.code = chunk;
    b.codeAt = at;
    b.codeLength = length;
  }
}

/** `Block.insns` of a WebAssembly region. */
const NO_INSNS: readonly (readonly Instruction[])[] = [];

/**
 * Sets `block.codeLo`/`codeHi` to the span of a region's code bytes as offsets from `eip`: from
 * the lowest instruction's first byte to the end of the highest one (`[lo, hi)`), which the
 * engine records (`Block.code`). Stored straight into the block as small integers: returned in
 * an object, the boot's optimized code handed them over boxed as doubles, and a double stored
 * into those fields changes the blocks' layout (deoptimizing the code that reads blocks).
 */
export function setCodeSpan(
  block: Block,
  blocks: readonly (readonly Instruction[])[],
  eip: number,
): void {
  let lo = 0x7fffffff;
  let hi = -0x80000000;
  for (const insns of blocks) {
    for (const i of insns) {
      const off = (i.ip - eip) | 0;
      if (off < lo) lo = off;
      if (off + i.length > hi) hi = (off + i.length) | 0;
    }
  }
  const empty = lo > hi;
  block.codeLo = empty ? 0 : lo;
  block.codeHi = empty ? 0 : hi;
}

export class Block {
  // Field order is memory layout: V8 places an object's fields in the order they are defined,
  // 8 bytes each in Node 20 (no pointer compression), so a block is ~45 fields = 6 cache lines.
  // The dispatcher and the cold tier (engine.ts `run`, `runCold`) run ~9 M cold blocks per boot
  // over a working set far larger than the CPU caches: what they read per block comes first,
  // the cache key before all (the lookup reads it for every block it meets in a set).
  /**
   * Physical address of the first byte and EIP of the first instruction (CS-relative), as
   * int32: a field that once held a number past 2^31 (a kernel EIP) keeps every value in a heap
   * number of its own, one more cache miss per lookup. `phys` and `eip` give them unsigned.
   */
  readonly physKey: number;
  readonly eipKey: number;
  /** Mode key (see `modeKey`). */
  readonly mode: number;
  /** Cleared when the page is written, the entry is evicted or the cache is flushed. */
  valid = true;
  /**
   * False for a cold block: its one basic block runs decoded through the interpreter's
   * handlers (`handlers`) until it has run `hotThreshold` times, then a region function
   * replaces it.
   */
  compiled = true;
  /** Instructions of the entry block (the budget a call needs at least). */
  readonly count: number;
  /**
   * Heat so far (cold blocks only): entries, those right after a WebAssembly region counting
   * `HEAT_AFTER_REGION` (engine.ts), or instructions run with `hotInstructions`.
   */
  runs = 0;
  /** Linear page (linear >>> 12), for the same-page chaining rule. */
  readonly linearPage: number;
  /**
   * A cold block's exits and their chained blocks (cold.ts; the run loop loads no array): the
   * branch target and the fall-through (EIPs as int32, so no heap number), or for an indirect
   * branch, where it went last time (exit0, one entry).
   */
  exit0 = -1;
  exit1 = -1;
  next0: Block | null = null;
  next1: Block | null = null;
  /**
   * A cold block's instructions, OP_STRIDE slots each (cold.ts `ColdBlock`): kind bits and
   * length, EIP, the interpreter's handler (a Jcc: its target) and its argument, in a chunk
   * shared with other blocks (cold.ts `OpsPool`).
   */
  ops: readonly unknown[] = NO_OPS;
  /** Where they start in `ops` (a chunk of cold.ts `OpsPool`, shared by many blocks). */
  opsAt = 0;
  fn: BlockFn = noBlock;
  /**
   * The function this block runs with other blocks (null: a cold block); `wasm` is the same
   * unit for a region lowered by the wasm back end, else null (JavaScript or cold).
   */
  unit: CodeUnit | null = null;
  wasm: CodeUnit | null = null;
  /** In the engine's list of warm blocks (engine.ts `warmBlocks`). */
  warm = false;
  /**
   * A cold block's words in the dense tier's pool (wasm/dense.ts): their address, the block's
   * count (0: the tier runs none of its instructions, nothing written) and the pool's
   * generation they were written in.
   */
  denseAt = -1;
  denseCount = 0;
  denseGen = 0;
  /** Chained successor of each exit (null until the dispatcher links it). */
  readonly links: (Block | null)[];
  /**
   * Invalidated by a write to its page but kept in the cache: the next lookup compares the
   * bytes it was built from (`code`, from page offset `codeLo` relative to the entry) with
   * memory and revives it when they are unchanged (a data write next to code).
   */
  stale = false;
  codeLo = 0;
  /** A region's code span end (`setCodeSpan`); a cold block's is `ColdBlock.byteLength`. */
  codeHi = 0;
  /** The recorded bytes: `codeLength` of them from `codeAt` in a `CodeBytes` chunk. */
  code: Uint8Array = NO_BYTES;
  codeAt = 0;
  codeLength = 0;
  /**
   * Chaining inside WebAssembly (wasm/chain.ts): the region's id (0: the region does not
   * chain), the entry function that enters this block from a linked exit slot, the exit slots
   * linked to this block (pairs: region block, exit index), the region block whose function
   * this entry runs (itself, or the region of `enterAt`), and which exits are dynamic (1).
   */
  chainId = 0;
  chainFn: unknown = null;
  inbound: (Block | number)[] | null = null;
  home: Block = this;
  dynamicExits: Uint8Array | null = null;
  /** A chaining region's exit table and what its exits link to. */
  chainTable: FuncTable | null = null;
  chainTargets: (Block | undefined)[] | null = null;
  /** Per exit: how often its slot was relinked to another target (wasm/chain.ts `link`). */
  chainRelinks: Uint8Array | null = null;
  /**
   * The region's slot in the chain's shared table, reserved when it was lowered (wasm/chain.ts
   * `reserve`; its CALLs push it on the return-address stack), -1 for none. The region holds it
   * (`WasmChain.enter`) while valid, unless another region took it while this one was stale.
   */
  dynSlot = -1;
  /**
   * The physical page of the tail of a page-crossing instruction the region runs inline
   * (crossing.ts), or -1: a write there invalidates the region, which is then not revived.
   */
  tailPage = -1;
  /**
   * EIP of each instruction of each basic block of the region (block 0 is the entry): a
   * fault's `startEip` in the current block tells how many instructions completed. Empty for
   * a cold block (cold.ts: its EIPs are in `data`).
   */
  readonly ips: readonly Float64Array[];
  /**
   * The instructions of each basic block: a JavaScript region's function reads them (handler
   * calls); a WebAssembly region keeps none (empty: its handler imports hold the few they run,
   * `handlerSites`), ~300 bytes each would stay on the heap for the region's life.
   */
  readonly insns: readonly (readonly Instruction[])[];
  /** A WebAssembly region's handler call sites (the instruction of import `h<n>`, by n). */
  handlerSites: readonly Instruction[] = NO_SITES;
  /**
   * EIP each exit leaves to (exits that may chain). A dynamic exit's entry (RET, indirect
   * JMP/CALL: `EmitContext.dynamicExit`) is rewritten by the region function to the last
   * EIP it left to, its link cleared when that changes (-1: none yet).
   */
  readonly exitTargets: readonly number[];
  /** The generated source (for snapshot tests and the source-safety scan). */
  readonly source: string;
  /**
   * The basic block this entry starts at: 0 for a region's own entry, k > 0 for an entry
   * into another block of an existing region function (same function, links and exits).
   */
  readonly entry: number;

  constructor(
    phys: number,
    eip: number,
    linearPage: number,
    mode: number,
    ips: readonly Float64Array[],
    insns: readonly (readonly Instruction[])[],
    exitTargets: readonly number[],
    source: string,
    entry = 0,
    links?: (Block | null)[],
  ) {
    this.physKey = phys | 0;
    this.eipKey = eip | 0;
    this.linearPage = linearPage;
    this.mode = mode;
    this.ips = ips;
    this.insns = insns;
    this.exitTargets = exitTargets;
    this.source = source;
    this.entry = entry;
    this.links = links ?? exitTargets.map(() => null);
    // A cold block has no `ips` (its EIPs are in `ops`) and a region may keep no `insns`.
    this.count = ips.length > 0 ? ips[entry]!.length : insns[entry]!.length;
  }

  /**
   * The block left the cache for good: it lets go of its code, of the blocks it links to and of
   * its recorded bytes.
   * An entry into a region (`enterAt`) may do so at once; a region itself only when the whole
   * unit is dead (its entries run its function, link through its exit table and share its
   * links). What a region's wrapper reads after a region that killed itself returns (exit
   * targets, dynamic exits, the links array, emptied) stays.
   */
  release(): void {
    this.fn = noBlock;
    this.chainFn = null;
    this.chainTable = null;
    this.chainTargets = null;
    this.inbound = null;
    this.handlerSites = NO_SITES;
    if (this.home === this) this.links.fill(null);
    this.next0 = null;
    this.next1 = null;
    // Its recorded bytes' chunk (64 KB, shared with blocks made about when it was): a dead
    // block is never revived.
    this.code = NO_BYTES;
  }

  /** Physical address of the first byte. */
  get phys(): number {
    return this.physKey >>> 0;
  }

  /** EIP of the first instruction (CS-relative). */
  get eip(): number {
    return this.eipKey >>> 0;
  }
}

/** Where the running region function is: the engine's fault path reads it. */
export interface RegionCursor {
  /** Retired count at the start of the current basic block. */
  base: number;
  /** Index of the current basic block. */
  cur: number;
  /**
   * Set by a WebAssembly region's wrapper after each entry (wasm/region.ts): the region a chain
   * inside WebAssembly ended in (exited or faulted in), when not the one entered; else null.
   */
  last?: Block | null;
}

/**
 * Forms after which a block ends and does not chain: anything privileged or IOPL-sensitive, and
 * the unprivileged forms that change IF/TF, the interrupt shadow, segment registers (and so CS
 * size, SS size or CPL) or paging. Control-flow forms end blocks anyway (`flow`).
 */
const BARRIER_PREFIXES = [
  "Popf",
  "Mov_Sreg",
  "Pop_ES",
  "Pop_SS",
  "Pop_DS",
  "Pop_FS",
  "Pop_GS",
  "Popw_",
  "Popd_",
  "Lds_",
  "Les_",
  "Lss_",
  "Lfs_",
  "Lgs_",
  "Sahf",
];

const IS_BARRIER: Uint8Array = (() => {
  const t = new Uint8Array(HANDLERS.length);
  for (const [name, value] of Object.entries(Code)) {
    if (typeof value !== "number") continue;
    if (BARRIER_PREFIXES.some((p) => name.startsWith(p))) t[value] = 1;
  }
  // SAHF only writes arithmetic flags: not a barrier after all.
  t[Code.Sahf] = 0;
  return t;
})();

/**
 * Near indirect transfers run by their handler (they keep the mode): a region leaves after them
 * through a dynamic exit, which the dispatcher may chain while the target repeats.
 */
const NEAR_INDIRECT: Uint8Array = (() => {
  const t = new Uint8Array(HANDLERS.length);
  for (const name of ["Jmp_rm32", "Call_rm32", "Retnd", "Retnd_imm16", "Call_rel32_32"]) {
    const v = formCode(name);
    if (v !== undefined) t[v] = 1;
  }
  return t;
})();

function endsBlock(i: Instruction): boolean {
  return (
    i.flow !== FlowControl.Next ||
    (i.attrs & (ATTR_PRIVILEGED | ATTR_IOPL)) !== 0 ||
    IS_BARRIER[i.code] === 1
  );
}

/** A conditional near branch the interpreter's block loop tests itself (Jcc rel, not JMP). */
function isJcc(i: Instruction): boolean {
  const cc = BLOCK_BRANCH[i.code]!;
  return cc !== 0 && cc - 1 !== BLOCK_COND_ALWAYS;
}

/** Thrown by the page-bounded fetch to stop discovery at the end of the page. */
const PAGE_END = { pageEnd: true };

/**
 * The instruction at `linear` that starts on its page and ends on the next (a fresh object, see
 * crossing.ts), or null when it is not a straight-line form (a branch or a barrier: those are left
 * to the dispatcher) or does not decode or fetch.
 */
function crossingAt(
  fetch8: (linear: number) => number,
  decoder: Decoder,
  linear: number,
  eip: number,
): Instruction | null {
  const insn = new Instruction();
  try {
    decoder.decodeFetch(fetch8, linear, eip, insn);
  } catch {
    return null; // a fault on the next page: the interpreter delivers it
  }
  if (insn.code === 0 || insn.hasLock || endsBlock(insn)) return null;
  if (insn.nextIp >>> 0 !== (eip + insn.length) >>> 0) return null;
  const bytes = new Uint8Array(insn.length);
  for (let k = 0; k < bytes.length; k++) bytes[k] = fetch8((linear + k) | 0);
  markCrossing(insn, bytes);
  return insn;
}

/**
 * Discovers the instructions of a block. Reads only bytes of the page holding `linear`, except
 * with `crossing`, where a block whose first instruction ends on the next page is that one
 * instruction (see crossing.ts).
 */
export function discover(
  fetch8: (linear: number) => number,
  decoder: Decoder,
  linear: number,
  eip: number,
  /** Decode into these objects (created as needed) instead of new ones: the next call reuses them. */
  pool?: Instruction[],
  crossing = false,
  /** Go on after a conditional near branch (a cold block: it leaves only when one is taken). */
  throughJcc = false,
): Instruction[] {
  const page = linear & ~0xfff;
  const fetch = (address: number): number => {
    if ((address & ~0xfff) !== page) throw PAGE_END;
    return fetch8(address);
  };
  const out: Instruction[] = [];
  let lin = linear;
  let ip = eip;
  while (out.length < MAX_BLOCK_INSNS) {
    const insn = pool === undefined ? new Instruction() : (pool[out.length] ??= new Instruction());
    try {
      decoder.decodeFetch(fetch, lin, ip, insn);
    } catch (e) {
      if (e === PAGE_END) {
        const c = crossing && out.length === 0 ? crossingAt(fetch8, decoder, lin, ip) : null;
        if (c !== null) out.push(c);
        break;
      }
      throw e;
    }
    if (insn.code === 0) break; // #UD: the interpreter raises it
    if (hasBadLock(insn)) break;
    out.push(insn);
    if (endsBlock(insn) && !(throughJcc && isJcc(insn))) break;
    const next = insn.nextIp >>> 0;
    if (next !== (ip + insn.length) >>> 0) break; // IP wrapped (16-bit code at 0xFFFF)
    lin = (lin + insn.length) | 0;
    ip = next;
  }
  return out;
}

/** Binds the names the generated source uses (see RUNTIME_NAMES). */
const FACTORY_PARAMS = [
  "H",
  "I",
  "B",
  "X",
  "EV",
  "CK",
  "J",
  "TC",
  "ADC",
  "SBB",
  "SHL",
  "SHR",
  "SAR",
  "MF",
  "FL",
  "PAR",
  "V",
  "XT",
  "LD",
  "ST",
] as const;

/**
 * The MMU's software-TLB fast path, read-only (`Mmu.fastPath()` of @ringvm/memory): one entry
 * per 4 KiB linear page (physical page in bits 31:12, flags in 11:0), the RAM views, and the
 * current read/write masks (`(entry & mask) === 1` is a plain-RAM hit).
 */
export interface FastMemoryView {
  readonly tlb: Int32Array;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** [read mask, write mask], kept current by the MMU. */
  readonly masks: Int32Array;
  /** The MMU's memo area (@ringvm/bus `LinearFastPath.memo`): wasm regions keep translations there. */
  readonly memo?: Int32Array;
  /** The MMU's chunk bits (@ringvm/bus `LinearFastPath.chunks`): 4 MiB read windows for memos. */
  readonly chunks?: Uint8Array;
  /** The MMU's flat-read bound (@ringvm/bus `LinearFastPath.flatRead`): paging-off reads. */
  readonly flatRead?: Int32Array;
  /**
   * Present when RAM (at byte 0), `tlb` and `masks` lie in one WebAssembly.Memory (@ringvm/bus
   * `WasmGuestMemory`): the wasm back end imports it.
   */
  readonly wasm?: WasmMemoryInfo;
}

/** What the wasm back end needs to lower regions (see RecompilerOptions.backend). */
export interface WasmTarget {
  readonly layout: WasmLayout;
  readonly memory: WasmMemoryLike;
  /** Per-engine state the region wrappers and their imports share (wasm/region.ts). */
  readonly shared: WasmShared;
  /** The shared table of chaining regions, or null: every exit returns to the dispatcher. */
  readonly chain: WasmChain | null;
  /**
   * The handler of page-crossing instruction `i` (crossing.ts), made once per call site: checks
   * its bytes and runs it.
   */
  readonly crossing: (i: Instruction) => (s: CpuState, i: Instruction) => void;
  /**
   * With paging on, memory operands off a region's loops take the TLB inline and leave where it
   * refuses, without a call (wasm/lower.ts `Lowering.direct`; RecompilerOptions.directMemory).
   */
  readonly directMemory: boolean;
}

/** 1 for bytes with even parity (PF set), for conditions on PF. */
const PARITY = Uint8Array.from({ length: 256 }, (_, v) => {
  let bits = 0;
  for (let b = v; b !== 0; b >>= 1) bits += b & 1;
  return (bits & 1) === 0 ? 1 : 0;
});

/** CF and OF of a multiply (alu.ts mulFlags): every flag made concrete, then CF = OF = `ov`. */
function mulFlags(s: CpuState, ov: boolean): void {
  s.materialize(CF | OF);
  s.flags = (s.flags & ~(CF | OF)) | (ov ? CF | OF : 0);
}

/**
 * Writes a pending flag record (kind `fk = op << 5 | top`, see emit.ts FlagOp) into CpuState
 * through the interpreter's own routines, so EFLAGS end up as the interpreter leaves them.
 */
function materializeFlags(
  s: CpuState,
  fk: number,
  a: number,
  b: number,
  r: number,
  c: number,
): void {
  const top = fk & 31;
  switch (fk >> 5) {
    case FlagOp.Add:
      aluAdd(s, a, b, top);
      break;
    case FlagOp.Sub:
      aluSub(s, a, b, top);
      break;
    case FlagOp.Logic:
      s.setLogic(r, top, c);
      break;
    case FlagOp.Adc:
      s.setLazy(LazyOp.Add, a, b, r, top);
      break;
    case FlagOp.Sbb:
      s.setLazy(LazyOp.Sub, a, b, r, top);
      break;
    case FlagOp.Explicit:
      // The wasm back end's explicit record: the arithmetic flags themselves.
      s.lazyMask = 0;
      s.flags = (s.flags & ~ARITH_FLAGS) | (a & ARITH_FLAGS);
      break;
    default:
      // INC/DEC: ADD/SUB of 1 with CF kept (alu.ts inc/dec).
      if (fk >> 5 === FlagOp.Inc) aluAdd(s, a, 1, top);
      else aluSub(s, a, 1, top);
      s.flags = (s.flags & ~CF) | c;
      s.lazyMask &= ~CF;
  }
}

/**
 * The inlined accesses' slow path (a TLB miss, MMIO, a watched page, a misaligned access), as
 * `CpuState.memory` does it: the retired count synced first (a device may read the clock), the
 * segment limit checked here when the region took the segment as flat (`code` bits 4+: seg + 1;
 * bits 0-2: the size). Loads return int32 for 4 bytes, zero-extended otherwise.
 */
function slowLoad(s: CpuState, l: number, code: number, retired: number): number {
  s.retired = retired;
  const size = code & 7;
  const lin = code >> 4 !== 0 ? checkedLinear(s, (code >> 4) - 1, l >>> 0, size, false) : l;
  const v =
    size === 4 ? s.memory.read32(lin) | 0 : size === 2 ? s.memory.read16(lin) : s.memory.read8(lin);
  // A read-modify-write form's read: the write's fault now, before the form changes any state.
  if ((code & SLOW_RMW) !== 0) s.memory.probeWrite?.(lin, size);
  return v;
}

function slowStore(s: CpuState, l: number, v: number, code: number, retired: number): void {
  s.retired = retired;
  const size = code & 7;
  const lin = code >> 4 !== 0 ? checkedLinear(s, (code >> 4) - 1, l >>> 0, size, true) : l;
  if (size === 4) s.memory.write32(lin, v);
  else if (size === 2) s.memory.write16(lin, v);
  else s.memory.write8(lin, v);
}

/** Most basic blocks in one region function, and most instructions in all of them. */
export const MAX_REGION_BLOCKS = 16;
const MAX_REGION_INSNS = 256;

/** Direct-branch targets and fall-through a region may follow from a basic block's end. */
export function successors(insns: readonly Instruction[], calls = false): number[] {
  const last = insns[insns.length - 1]!;
  if (last.flow === FlowControl.Next) return endsBlock(last) ? [] : [last.nextIp >>> 0];
  if (EMITTERS[last.code] === undefined) return [];
  if (last.flow === FlowControl.UnconditionalBranch) return [last.nearBranchTarget >>> 0];
  if (last.flow === FlowControl.ConditionalBranch)
    return [last.nearBranchTarget >>> 0, last.nextIp >>> 0];
  // A near direct CALL (`calls`: the wasm back end, whose RET branches to a return site in
  // its region, lower.ts `returnInside`): the callee, then where it returns to.
  if (calls && last.flow === FlowControl.Call && last.op0Kind === OpKind.NearBranch32)
    return [last.nearBranchTarget >>> 0, last.nextIp >>> 0];
  return [];
}

/**
 * Discovers a region: the basic block at `eip` and those reachable from it through direct
 * branches and fall-through inside the same page, breadth first, within the limits.
 */
export function discoverRegion(
  fetch8: (linear: number) => number,
  decoder: Decoder,
  linear: number,
  eip: number,
  maxBlocks = MAX_REGION_BLOCKS,
  /**
   * For the wasm back end: page-crossing instructions become blocks of their own (it runs
   * them), and near CALLs are followed (its RETs branch to return sites in the region).
   */
  wasm = false,
): Instruction[][] {
  const blocks: Instruction[][] = [];
  const seen = new Set<number>();
  const queue = [eip];
  let total = 0;
  const most = Math.min(maxBlocks, 255); // labels L1..L255 (emit.ts RUNTIME_NAMES)
  while (queue.length > 0 && blocks.length < most && total < MAX_REGION_INSNS) {
    const at = queue.shift()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const lin = (linear + (at - eip)) | 0;
    if ((lin & ~0xfff) !== (linear & ~0xfff)) continue;
    const insns = discover(fetch8, decoder, lin, at, undefined, wasm);
    if (insns.length === 0) {
      if (blocks.length === 0) return blocks;
      continue;
    }
    blocks.push(insns);
    total += insns.length;
    queue.push(...successors(insns, wasm));
  }
  return layout(blocks);
}

/**
 * Orders a region's basic blocks in reverse postorder from the entry (block 0 stays first), the
 * fall-through successor of a block right after it where possible: `generate` turns edges to a
 * later block into forward jumps and only edges to an earlier one (loop back edges) into a
 * dispatch through the region's switch.
 */
export function layout(blocks: Instruction[][]): Instruction[][] {
  const index = new Map<number, number>();
  blocks.forEach((b, j) => index.set(b[0]!.ip >>> 0, j));
  const seen = new Uint8Array(blocks.length);
  const post: number[] = [];
  // Iterative DFS; successors are visited in `successors` order ([taken, fall-through]), so the
  // fall-through, finished first, comes right after its block in reverse postorder.
  const stack: [number, number[]][] = [];
  const push = (j: number): void => {
    seen[j] = 1;
    const next: number[] = [];
    // Call edges too: they only order blocks that are in the region already.
    for (const t of successors(blocks[j]!, true)) {
      const k = index.get(t);
      if (k !== undefined) next.push(k);
    }
    stack.push([j, next]);
  };
  if (blocks.length > 0) push(0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const k = top[1].shift();
    if (k === undefined) {
      post.push(top[0]);
      stack.pop();
    } else if (seen[k] === 0) push(k);
  }
  // Blocks not reachable through in-region edges (none, by construction) keep their place.
  for (let j = 0; j < blocks.length; j++) if (seen[j] === 0) post.unshift(j);
  return post.reverse().map((j) => blocks[j]!);
}

/**
 * Whether each block of a region lies on a cycle of the region's own control flow: its edges as
 * `layout` follows them (`successors`, CALLs included), and a RET's to every return site (the
 * block after a CALL of the region, where lower.ts `returnInside` branches). The wasm back end
 * keeps translation memos for the memory operands of these blocks (lower.ts `Lowering.direct`).
 */
export function blocksInLoops(blocks: readonly (readonly Instruction[])[]): boolean[] {
  const index = new Map<number, number>();
  blocks.forEach((b, j) => index.set(b[0]!.ip >>> 0, j));
  const inRegion = (eips: readonly number[]): number[] =>
    eips.map((t) => index.get(t)).filter((k): k is number => k !== undefined);
  const returnSites = returnSiteBlocks(blocks, index);
  const next = blocks.map((b) =>
    b[b.length - 1]!.flow === FlowControl.Return ? returnSites : inRegion(successors(b, true)),
  );
  return blocks.map((_, j) => {
    const seen = new Uint8Array(blocks.length);
    const stack = [...next[j]!];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t === j) return true;
      if (seen[t] === 1) continue;
      seen[t] = 1;
      stack.push(...next[t]!);
    }
    return false;
  });
}

/** What the generated code may assume beyond the instructions (part of the mode key). */
export interface GenerateOptions {
  /** Bit `1 << seg` (ES 0 .. GS 5): the segment is flat while the region runs. */
  flat?: number;
  /** The MMU fast path (`V`) is bound: inline TLB lookups. */
  fast?: boolean;
}

/**
 * Generates the region function: a loop over a switch on the current basic block; a branch to
 * a block of the region continues the loop while budget and events allow, any other exit
 * writes registers and flags back and returns (exported for snapshot tests).
 */
export function generate(
  blocks: readonly (readonly Instruction[])[],
  ss32: boolean,
  options: GenerateOptions = {},
): { source: string; exitTargets: number[] } {
  const flat = options.flat ?? 0;
  const fast = options.fast ?? false;
  const out: string[] = [];
  const exitTargets: number[] = [];
  const index = new Map<number, number>();
  blocks.forEach((b, j) => index.set(b[0]!.ip >>> 0, j));
  out.push("return function region(s, left, pc0) {");
  // CS limit and IF/TF change only at barriers and far transfers, which end the region.
  out.push("const r = s.regs, m = s.memory, lim = s.segLimit[1], ev = (s.flags & 768) !== 0;");
  if (fast)
    out.push(
      "const T = V.tlb, U8 = V.u8, U16 = V.u16, I32 = V.i32, RM = V.masks[0], WM = V.masks[1];",
    );
  out.push(`let ${[0, 1, 2, 3, 4, 5, 6, 7].map((n) => `r${n} = r[${n}]`).join(", ")};`);
  out.push(
    "let rb = s.retired, x = 0, l = 0, e = 0, p = 0, pc = 0, ip = -1, fk = 0, fa = 0, fb = 0, fr = 0, fc = 0;",
  );
  out.push("let ne = 0, nr = 0, ng = -1;");
  out.push("pc = pc0 | 0;");
  // Layout: block j's code follows the close of the labeled statement `Lj` (j >= 1), the labels
  // nested with L(n-1) outermost, so an edge to a later block is `break Lk` and falling off a
  // block's end reaches the next one; an edge to an earlier block sets `pc` and continues the
  // loop, whose switch breaks to that block's label. A block that branches to itself runs in its
  // own loop (`S`). Every path through a block ends in an explicit jump or exit.
  const nb = blocks.length;
  out.push("try { run: for (;;) {");
  for (let j = nb - 1; j >= 1; j--) out.push(`L${num(j)}: {`);
  if (nb > 1) {
    const cases: string[] = [];
    for (let j = 1; j < nb; j++) cases.push(`case ${num(j)}: break L${num(j)};`);
    out.push(`switch (pc) { ${cases.join(" ")} }`);
  }
  blocks.forEach((insns, j) => {
    const n = insns.length;
    if (j > 0) out.push(`} pc = ${num(j)};`);
    let ended = false;
    let selfLoop = false;
    const leave = (target: number, retired: string, g: number): string =>
      leaveText(num(target), retired, g);
    const exitTo = (target: number): string => {
      const inner = index.get(target);
      const g = exitTargets.length;
      exitTargets.push(target);
      if (inner !== undefined) {
        const need = num(blocks[inner]!.length);
        const count = `rb += ${num(n)}; left -= ${num(n)}; `;
        const out1 = leave(target, "rb", g);
        // Forward: no event check (only a handler call or a slow write can raise one, and
        // those check right after); backward: once per loop iteration.
        if (inner > j) return `${count}if (left >= ${need}) break L${num(inner)}; ${out1}`;
        const go = inner === j ? "continue S;" : `{ pc = ${num(inner)}; continue run; }`;
        if (inner === j) selfLoop = true;
        return `${count}if (left >= ${need} && (ev === false || EV(s) === false)) ${go} ${out1}`;
      }
      return leave(target, `rb + ${num(n)}`, g);
    };
    /** An exit to a run-time EIP through a slot caching the last one (see dynamicExit). */
    const dynamicExit = (eip: string, retired: string): string => {
      const g = exitTargets.length;
      exitTargets.push(-1);
      return (
        `ne = ${eip}; if (ne !== XT[${num(g)}]) { XT[${num(g)}] = ne; B.links[${num(g)}] = null; } ` +
        `nr = ${retired}; ng = ${num(g)}; break run;`
      );
    };
    const firstExit = exitTargets.length;
    const emitBlock = (dead: readonly boolean[]): EmitContext | null => {
      exitTargets.length = firstExit;
      ended = false;
      selfLoop = false;
      const c: EmitContext = {
        out: [],
        k: 0,
        ss32,
        flat,
        fast,
        fl: { kind: 0, op: 0, top: 0, fcZero: false },
        dead: false,
        ended: false,
        exit: () => "",
        dynamicExit: () => "",
      };
      for (let k = 0; k < n; k++) {
        const i = insns[k]!;
        const emitter = EMITTERS[i.code];
        const last = k === n - 1;
        const targets = [i.nearBranchTarget >>> 0, i.nextIp >>> 0];
        const mark = c.out.length;
        const fl = c.fl;
        c.k = k;
        c.ended = false;
        c.exit = (e) => exitTo(targets[e]!);
        c.dynamicExit = (eip) => dynamicExit(eip, `rb + ${num(k + 1)}`);
        c.dead = dead[k]!;
        if (isCrossing(i)) {
          // Its bytes on the next page are not the region's (crossing.ts): the dispatcher runs it.
          c.out.push(leaveText(num(i.ip >>> 0), `rb + ${num(k)}`, -1));
          ended = true;
          continue;
        }
        const inlined = emitter !== undefined && emitter(c, i);
        if (inlined) {
          ended = c.ended;
        } else {
          // The dead-flag analysis took this form as inlined (it reads and writes fixed flags);
          // a handler call observes every flag: emit the block again without dead flags.
          if (!observesAllFlags(i) && dead.includes(true)) return null;
          // Not inlined (or the emitter declined): drop what it wrote, call the handler.
          c.out.length = mark;
          c.fl = fl;
          const next = num(i.nextIp >>> 0);
          if (c.fl.kind !== 1) c.out.push(FLUSH_FLAGS);
          c.fl = { kind: 1, op: 0, top: 0, fcZero: false };
          c.out.push(
            `${SAVE_REGS} s.startEip = ${num(i.ip >>> 0)}; s.startEsp = r4; s.eip = ${next}; s.retired = rb + ${num(k)}; ip = -1;`,
          );
          c.out.push(`H[${num(i.code)}](s, I[${num(j)}][${num(k)}]); ${LOAD_REGS}`);
          const out1 = leaveText("s.eip", `rb + ${num(k + 1)}`, -1);
          if (last) {
            c.out.push(
              NEAR_INDIRECT[i.code] === 1 ? dynamicExit("s.eip", `rb + ${num(k + 1)}`) : out1,
            );
            ended = true;
          } else {
            c.out.push(
              `if (s.eip !== ${next} || B.valid === false || (ev === true && EV(s) === true)) { ${out1} }`,
            );
          }
        }
        if (last && !ended) {
          // Size limit or page end after an inlined instruction: fall through.
          c.out.push(exitTo(i.nextIp >>> 0));
        }
      }
      return c;
    };
    const c = emitBlock(deadFlags(insns)) ?? emitBlock(new Array<boolean>(n).fill(false))!;
    if (selfLoop) out.push("S: for (;;) {", ...c.out, "}");
    else out.push(...c.out);
  });
  out.push("} } catch (err) {");
  // A fault in inlined code (ip >= 0): registers and flags as they were at that instruction.
  out.push(`if (ip >= 0) { ${SAVE_REGS} s.startEip = ip; s.startEsp = r4; }`);
  out.push(`${FLUSH_FLAGS} X.base = rb; X.cur = pc; throw err; }`);
  // The shared exit: registers and the flag record back into CpuState.
  out.push(`${SAVE_REGS} ${FLUSH_FLAGS} s.eip = ne; s.retired = nr;`);
  out.push("return ng < 0 ? null : B.links[ng];");
  out.push("};");
  return { source: out.join("\n"), exitTargets };
}

/**
 * Region functions by physical page and then linear page, per engine (its cursor): a block that
 * becomes hot inside a valid region of the same page, placement and mode enters that region's
 * function at its basic block instead of compiling another overlapping one (V8's optimizing
 * compile of a region costs tens of milliseconds). By placement too: a shared library's page is
 * mapped at another linear address in each process, and its regions are per placement (they hold
 * EIPs), so a page of libc held thousands of regions that every lookup scanned.
 */
const REGIONS = new WeakMap<RegionCursor, Map<number, Placements>>();

/** A physical page's regions by linear page. */
type Placements = Map<number, Block[]>;

/** `physPage`'s regions by linear page (made empty the first time). */
function placementsOf(byPage: Map<number, Placements>, physPage: number): Placements {
  let placements = byPage.get(physPage);
  if (placements === undefined) {
    placements = new Map();
    byPage.set(physPage, placements);
  }
  return placements;
}

/** The valid regions placed at `linearPage` on `physPage` (dead ones dropped), as a list to add to. */
function placedRegions(
  byPage: Map<number, Placements>,
  physPage: number,
  linearPage: number,
): Block[] {
  const placements = placementsOf(byPage, physPage);
  const known = (placements.get(linearPage) ?? []).filter((r) => r.valid);
  if (!placements.has(linearPage)) {
    // A new placement: at each power of two of their number from 16, the placements left with
    // no valid region go (their processes ended, or their code was evicted or written), so
    // neither the lists nor the dead regions (and their modules) they hold pile up.
    const n = placements.size + 1;
    if (n >= 16 && (n & (n - 1)) === 0) {
      for (const [lp, list] of placements) if (!list.some((r) => r.valid)) placements.delete(lp);
    }
  }
  placements.set(linearPage, known);
  return known;
}

/** Forgets `cursor`'s regions (its engine dropped its whole cache). */
export function forgetRegions(cursor: RegionCursor): void {
  REGIONS.delete(cursor);
}

/** An entry into region `r` at its basic block `k` (shares its function, exits and links). */
export function enterAt(r: Block, k: number, phys: number, eip: number): Block {
  const fn = r.fn;
  const b = new Block(
    phys,
    eip,
    r.linearPage,
    r.mode,
    r.ips,
    r.insns,
    r.exitTargets,
    r.source,
    k,
    r.links,
  );
  b.fn = (s, left) => fn(s, left, k);
  b.unit = r.unit;
  b.wasm = r.wasm;
  b.handlerSites = r.handlerSites;
  // The same bytes as the region's, as offsets from this entry.
  b.codeLo = r.codeLo - ((eip - r.eip) | 0);
  b.codeHi = r.codeHi - ((eip - r.eip) | 0);
  b.home = r;
  b.chainId = r.chainId;
  b.dynamicExits = r.dynamicExits;
  b.chainFn = r.chainFn;
  b.tailPage = r.tailPage;
  return b;
}

/** A region to build (`buildBlocks`): its basic blocks (block 0 is the entry) and where it is. */
export interface RegionSpec {
  readonly blocks: Instruction[][];
  readonly phys: number;
  readonly eip: number;
  readonly linear: number;
  readonly mode: number;
}

/**
 * Builds the region functions of `specs` (all of one mode: `ss32`, `flat`). With the wasm back
 * end, the regions it lowers share one module (one compile and one code space in V8 for all).
 * A region entry inside a region built before becomes an entry into that region's function.
 */
export function buildBlocks(
  specs: readonly RegionSpec[],
  ss32: boolean,
  cursor: RegionCursor,
  events: (s: CpuState) => boolean,
  view: FastMemoryView | null,
  flat: number,
  wasm: WasmTarget | null,
): Block[] {
  let byPage = REGIONS.get(cursor);
  if (byPage === undefined) {
    byPage = new Map();
    REGIONS.set(cursor, byPage);
  }
  const out: Block[] = [];
  const parts: LoweredPart[] = [];
  const lowered: Block[] = [];
  /** Entries into regions lowered earlier in this batch: made once their module is built. */
  const later: { at: number; r: Block; k: number; phys: number; eip: number }[] = [];
  let imports = 0;
  // Lowest address first: a region from a function's start takes in a loop head that is hot
  // too, which then enters it rather than being translated again.
  const ordered = [...specs].sort((x, y) => x.phys - y.phys);
  for (const spec of ordered) {
    const { blocks, phys, eip, linear, mode } = spec;
    const known = placedRegions(byPage, Math.floor(phys / 4096), linear >>> 12);
    const inner = entryInto(known, phys, eip, linear, mode);
    if (inner !== null) {
      out.push(inner);
      continue;
    }
    const into = blockIn(lowered, phys, eip, linear, mode);
    if (into !== null) {
      later.push({ at: out.length, r: into.r, k: into.k, phys, eip });
      out.push(into.r);
      continue;
    }
    if (wasm !== null && view !== null) {
      // The wasm back end takes regions whose every form it lowers; the others stay JavaScript.
      const place =
        wasm.chain === null
          ? undefined
          : {
              linearPage: linear >>> 12,
              physPage: phys >>> 12,
              id: wasm.chain.alloc(),
              mode,
              slot: wasm.chain.reserve(),
            };
      // The current masks are the region's mode's (modeKey has CPL 3 and CR0.WP).
      const masks = [view.masks[0]!, view.masks[1]!] as const;
      const memo = wasm.shared.memoBank(masks);
      const pagingOff = ((mode >>> 4) & 1) === 0;
      const part = lowerPart(
        blocks,
        ss32,
        pagingOff ? flat | PAGING_OFF : flat,
        wasm.layout,
        masks,
        place,
        imports,
        parts.length,
        memo,
        // Paging off (a boot loader, the kernel's decompressor): no per-page TLB entries to take
        // inline, while a memo's window spans a whole 4 MiB chunk.
        wasm.directMemory && !pagingOff ? blocksInLoops(blocks) : undefined,
      );
      if (part !== null) {
        imports += part.part.imports.length;
        parts.push(part);
        const lb = part.blocks as Instruction[][];
        const lips = lb.map((insns) => Float64Array.from(insns, (i) => i.ip >>> 0));
        const block = new Block(
          phys,
          eip,
          linear >>> 12,
          mode,
          lips,
          NO_INSNS,
          part.exitTargets,
          "",
        );
        setCodeSpan(block, lb, eip);
        block.handlerSites = part.handlerSites;
        block.tailPage = part.tailPage;
        block.dynSlot = place?.slot ?? -1;
        lowered.push(block);
        out.push(block);
        continue;
      }
      if (place !== undefined) wasm.chain!.release(place.slot);
    }
    const block = jsRegion(spec, ss32, cursor, events, view, flat);
    known.push(block);
    out.push(block);
  }
  if (parts.length > 0) {
    const bytes = buildModule(
      parts.map((p) => p.part),
      wasm!.layout.pages,
      REGION_TYPE,
    );
    const { module, fns } = wasmRegionFns(bytes, parts, wasm!, lowered, cursor, events, {
      materializeFlags,
      slowLoad,
      slowStore,
    });
    const unit = new CodeUnit(module, bytes.length);
    lowered.forEach((b, k) => {
      b.unit = unit;
      b.wasm = unit;
      b.fn = fns[k]!;
      // Known only now (an entry into it needs its function).
      const placements = placementsOf(byPage, Math.floor(b.phys / 4096));
      const list = placements.get(b.linearPage);
      if (list === undefined) placements.set(b.linearPage, [b]);
      else list.push(b);
    });
  }
  for (const { at, r, k, phys, eip } of later) out[at] = enterAt(r, k, phys, eip);
  return out;
}

/**
 * An entry into a valid region of `cursor`'s, built before, whose basic block `k` >= 1 starts at
 * `eip` on this physical page in `mode` and at this linear placement (`enterAt`), or null. For
 * the dispatcher's cache misses: an interrupt or exception handler returns to wherever the guest
 * was, most often a block boundary inside a region, which only the region's entry block was
 * cached for; without this, the code from there ran as fresh cold blocks until it reached a
 * region's first block again.
 */
export function regionEntry(
  cursor: RegionCursor,
  phys: number,
  eip: number,
  linear: number,
  mode: number,
): Block | null {
  const known = REGIONS.get(cursor)
    ?.get(Math.floor(phys / 4096))
    ?.get(linear >>> 12);
  return known === undefined ? null : entryInto(known, phys, eip, linear, mode);
}

/**
 * The valid region among `regions` with a basic block `k` >= 1 at `eip` (as `entryInto`), or
 * null.
 */
function blockIn(
  regions: readonly Block[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
): { r: Block; k: number } | null {
  for (const r of regions) {
    if (
      !r.valid ||
      r.mode !== mode ||
      r.linearPage !== linear >>> 12 ||
      r.phys - r.eip !== phys - eip
    )
      continue;
    for (let k = 1; k < r.ips.length; k++) if (r.ips[k]![0] === eip) return { r, k };
  }
  return null;
}

/** An entry at `eip` into a known region of the same mode, page and EIP-to-physical offset. */
function entryInto(
  known: readonly Block[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
): Block | null {
  const into = blockIn(known, phys, eip, linear, mode);
  return into === null ? null : enterAt(into.r, into.k, phys, eip);
}

/** A region compiled to JavaScript (generate() source through `new Function`). */
function jsRegion(
  { blocks, phys, eip, linear, mode }: RegionSpec,
  ss32: boolean,
  cursor: RegionCursor,
  events: (s: CpuState) => boolean,
  view: FastMemoryView | null,
  flat: number,
): Block {
  const ips = blocks.map((insns) => Float64Array.from(insns, (i) => i.ip >>> 0));
  const g = generate(blocks, ss32, { flat, fast: view !== null });
  const block = new Block(phys, eip, linear >>> 12, mode, ips, blocks, g.exitTargets, g.source);
  setCodeSpan(block, blocks, eip);
  block.unit = new CodeUnit(null);
  // The source holds only recompiler-chosen names and numbers (see emit.ts, RUNTIME_NAMES).
  const factory = new Function(...FACTORY_PARAMS, g.source) as (...args: unknown[]) => BlockFn;
  block.fn = factory(
    HANDLERS,
    blocks,
    block,
    cursor,
    events,
    checkedLinear,
    jumpNear,
    testCondition,
    aluAdc,
    aluSbb,
    aluShl,
    aluShr,
    aluSar,
    mulFlags,
    materializeFlags,
    PARITY,
    view,
    block.exitTargets,
    slowLoad,
    slowStore,
  );
  return block;
}

/**
 * Exits of a cold block ending in `last`, for chaining: `[branch target, fall-through]` of a
 * near direct branch or call, the fall-through out of a size- or page-limited block, else none.
 */
export function coldExits(last: Instruction): number[] {
  const near = last.op0Kind === OpKind.NearBranch16 || last.op0Kind === OpKind.NearBranch32;
  return last.flow === FlowControl.Next
    ? endsBlock(last)
      ? []
      : [last.nextIp >>> 0]
    : near &&
        (last.flow === FlowControl.UnconditionalBranch ||
          last.flow === FlowControl.ConditionalBranch ||
          last.flow === FlowControl.Call)
      ? [last.nearBranchTarget >>> 0, last.nextIp >>> 0]
      : [];
}
