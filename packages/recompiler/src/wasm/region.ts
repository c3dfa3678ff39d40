// The JavaScript side of WebAssembly regions: compiles a module of lowered regions, binds each
// region's helpers (the same slow paths generate()'s source calls) and wraps its function as a
// `BlockFn` that does what generate()'s prologue, shared exit and catch do: registers in (unless
// CpuState.regs already lies in the shared memory), then the pending flag record materialized
// through the interpreter's own routines, next EIP and retired count, the dynamic-exit cache, the
// chain link; on a fault thrown by a helper, startEip/startEsp of the faulting instruction and the
// cursor.
import {
  alignmentChecks,
  CF,
  checkedLinear,
  EAX,
  EDX,
  sseUsable,
  HANDLERS,
  jumpNear,
  OF,
  testCondition,
  ZF,
  type CpuState,
} from "@ringvm/cpu";
import { wasmApi, wasmSimd, type WasmMemoryLike } from "./api";
import { buildModule } from "./asm";
import type { FuncTable, WasmChain } from "./chain";
import { Code, Instruction } from "@ringvm/decoder";
import type { Block, BlockFn, FastMemoryView, RegionCursor } from "../block";
import { DOUBLE_FIELD } from "../field-layout";
import type { WasmTarget } from "../block";
import type { RecompilerStats } from "../engine";
import { isCrossing } from "../crossing";
import {
  SCR_CNT,
  SCR_CSB,
  SCR_EVW,
  SCR_FAULT,
  SCR_DF,
  SCR_SSE,
  SCR_SEG,
  SCR_TSC,
  SCR_TSC_RATE,
  FAULT_EXIT,
  SCR_FK,
  SCR_ID,
  SCR_IP,
  SCR_NE,
  SCR_NR,
  SCR_PC,
  SCR_RB,
  SCR_REGS,
  SCRATCH_BYTES,
  SLOW_CODE_BITS,
  SLOW_SITE,
  siteBlock,
  siteIndex,
  SPILL_PARAMS,
  spillBody,
  flagsBody,
  conditionBody,
  memoBody,
  DYN_BYTES,
  DYN_OFFSET,
  WASM_CHAIN_SCRATCH_BYTES,
  MEMO_BANK_BYTES,
  RF_ONLY_ZF,
  type LoweredPart,
  type TlbMasks,
  type WasmLayout,
} from "./lower";

/**
 * The shared memory the back end needs (as @ringvm/bus `WasmGuestMemory`): guest RAM at byte 0,
 * and the fast-path view's `tlb`/`masks` views over the same buffer.
 */
export interface WasmMemoryInfo {
  readonly memory: WasmMemoryLike;
  readonly ramSize: number;
  readonly registersOffset: number;
  readonly xmmOffset: number;
  readonly scratchOffset: number;
  readonly scratchSize: number;
}

/** The interpreter-side routines block.ts binds into generated JS too. */
export interface WasmRuntime {
  materializeFlags(s: CpuState, fk: number, a: number, b: number, r: number, c: number): void;
  slowLoad(s: CpuState, l: number, code: number, retired: number): number;
  slowStore(s: CpuState, l: number, v: number, code: number, retired: number): void;
}

/** Where the back end's words are, or null when the view and registers do not allow wasm. */
export function wasmLayout(view: FastMemoryView | null, s: CpuState): WasmLayout | null {
  const w = view?.wasm;
  if (view === null || w === undefined || wasmApi() === undefined) return null;
  const buf = w.memory.buffer;
  if (view.tlb.buffer !== buf || view.masks.buffer !== buf || view.u8.buffer !== buf) return null;
  if (view.u8.byteOffset !== 0 || w.scratchSize < SCRATCH_BYTES) return null;
  const shared = s.regs.buffer === buf;
  const denseBytes = w.scratchSize - WASM_CHAIN_SCRATCH_BYTES;
  return {
    pages: Math.floor(buf.byteLength / 0x10000),
    tlb: view.tlb.byteOffset,
    masks: view.masks.byteOffset,
    regs: shared ? s.regs.byteOffset : w.scratchOffset + SCR_REGS,
    scratch: w.scratchOffset,
    memo: view.memo?.buffer === buf ? view.memo.byteOffset : -1,
    memoBytes: view.memo?.buffer === buf ? view.memo.byteLength : 0,
    chunks: view.chunks?.buffer === buf ? view.chunks.byteOffset : -1,
    flatRead: view.flatRead?.buffer === buf ? view.flatRead.byteOffset : -1,
    dyn: w.scratchSize >= DYN_OFFSET + DYN_BYTES ? w.scratchOffset + DYN_OFFSET : -1,
    dense: shared && denseBytes > 0 ? w.scratchOffset + WASM_CHAIN_SCRATCH_BYTES : -1,
    denseBytes: shared && denseBytes > 0 ? denseBytes : 0,
    xmm: s.sse.d.buffer === buf && wasmSimd() ? s.sse.d.byteOffset : -1,
  };
}

const noDynamicChain = (): number => -1;

/** RDTSC's handler (it reads no operand: any instruction will do as its argument). */
const RDTSC = HANDLERS[Code.Rdtsc]!;
const NO_OPERANDS = new Instruction();

type RegionExport = (left: number, pc0: number, lim: number, ev: number, rb0: number) => number;

/**
 * What every region wrapper and import of one engine shares: the entry's CPU state, retired
 * count at the JS entry (a chain's regions count from it: their `n` arguments are relative to
 * it), whether IF/TF were set, and the region whose import ran last (a fault's region).
 */
export class WasmShared {
  s: CpuState | null = null;
  /** A retired count: laid out as a double from the start (field-layout.ts). */
  base = DOUBLE_FIELD;
  ev = false;
  cur: Block | null = null;
  readonly M: Int32Array;
  /** Word index of the registers, of the scratch's next-EIP word. */
  readonly rg: number;
  readonly ne: number;
  /**
   * Word indices of the scratch's SCR_NR, SCR_EVW, SCR_CSB, SCR_FK (five words), SCR_CNT,
   * SCR_ID, SCR_IP, SCR_PC and SCR_RB.
   */
  readonly nr: number;
  readonly evw: number;
  readonly csb: number;
  readonly fk: number;
  readonly cnt: number;
  readonly id: number;
  readonly ip: number;
  readonly pc: number;
  readonly rb: number;
  /**
   * The engine's chain, region cursor and runtime routines, for the wrappers (set by
   * `wasmRegionFns`: the same for every module of the engine).
   */
  chain: WasmChain | null = null;
  cursor: RegionCursor | null = null;
  rt: WasmRuntime | null = null;
  /** Registers are a scratch copy (CpuState.regs is not in the memory). */
  readonly copy: boolean;
  /** The spill function regions import as `sp` (lower.ts `spillBody`). */
  readonly spill: unknown;
  /** A record's flags and conditions in wasm: regions import them as `ef`, `cd`. */
  readonly recordFlags: unknown;
  readonly recordCondition: unknown;
  /** Tests the TLB and sets a translation memo: regions import it as `me` (lower.ts `memoBody`). */
  readonly memoSet: unknown;
  /** A fault a slow-path helper kept for the wrapper to throw (lower.ts SCR_FAULT). */
  fault: unknown = null;
  /** Word index of SCR_FAULT. */
  private readonly fw: number;
  /** Word index of SCR_DF (the wrapper and the handler calls keep EFLAGS.DF there). */
  readonly df: number;
  readonly sse: number;
  /** Word index of SCR_SEG. */
  private readonly sg: number;
  /** Word index of SCR_TSC (two words) and of SCR_TSC_RATE. */
  private readonly tsc: number;
  private readonly tscRate: number;
  /** The TLB mask pairs seen, one memo bank each (lower.ts MEMO_SLOTS), in order. */
  private readonly banks: number[] = [];
  private readonly memo: number;
  private readonly memoBanks: number;

  constructor(
    layout: WasmLayout,
    memory: WasmMemoryLike,
    readonly events: (s: CpuState) => boolean,
    /** The engine's mode key (engine.ts `modeKey`). */
    readonly modeOf: (s: CpuState) => number,
    /** Counters the wrappers add chains to (RecompilerStats). */
    readonly stats: Pick<
      RecompilerStats,
      | "blocksExecuted"
      | "chained"
      | "chainedInWasm"
      | "wasmEntries"
      | "wasmModules"
      | "wasmBytes"
      | "wasmModulesCollected"
    >,
  ) {
    this.base = 0;
    this.M = new Int32Array(memory.buffer);
    const sc = layout.scratch >>> 2;
    // Word index in M of the scratch field at byte offset `at`.
    const word = (at: number): number => sc + (at >> 2);
    this.rg = layout.regs >>> 2;
    this.ne = word(SCR_NE);
    this.nr = word(SCR_NR);
    this.evw = word(SCR_EVW);
    this.csb = word(SCR_CSB);
    this.fk = word(SCR_FK);
    this.cnt = word(SCR_CNT);
    this.id = word(SCR_ID);
    this.ip = word(SCR_IP);
    this.pc = word(SCR_PC);
    this.rb = word(SCR_RB);
    this.copy = this.rg === word(SCR_REGS);
    this.fw = word(SCR_FAULT);
    this.df = word(SCR_DF);
    this.sse = word(SCR_SSE);
    this.sg = word(SCR_SEG);
    this.tsc = word(SCR_TSC);
    this.tscRate = word(SCR_TSC_RATE);
    this.memo = layout.memo;
    this.memoBanks = layout.memo < 0 ? 0 : Math.floor(layout.memoBytes / MEMO_BANK_BYTES);
    const fn = (code: Uint8Array, locals: number, params: number, results: number): unknown => {
      const api = wasmApi()!;
      const bytes = buildModule([{ imports: [], locals, code }], layout.pages, { params, results });
      return new api.Instance(new api.Module(bytes), { e: { m: memory } }).exports.f0;
    };
    this.spill = fn(spillBody(layout), 0, SPILL_PARAMS, 0);
    this.recordFlags = fn(flagsBody(), 3, 5, 1);
    this.recordCondition = fn(conditionBody(), 5, 6, 1);
    this.memoSet = fn(memoBody(layout.tlb, layout.masks, layout.chunks), 9, 2, 1);
  }

  /**
   * EFLAGS.DF, whether SSE forms may run (SCR_SSE) and the segments' fast words (lower.ts SCR_DF,
   * SCR_SEG) from CpuState, and the inline RDTSC's rate word cleared (SCR_TSC_RATE: the next
   * RDTSC goes through `ts`, which sets the words, `armTsc`): at each entry from JS and after
   * each handler call (the only code that changes them, CR4.TSD and the TSC offset among them,
   * in a chain).
   */
  sync(s: CpuState): void {
    const M = this.M;
    M[this.df] = (s.flags >>> 10) & 1;
    M[this.sse] = sseUsable(s) ? 1 : 0;
    // The interpreter's own per-segment bits (segments.ts updateFlat), none under #AC.
    const wide = alignmentChecks(s) ? 0 : s.wideSegs;
    for (let seg = 0; seg < 6; seg++) {
      M[this.sg + 2 * seg] = s.segBase[seg]! | 0;
      M[this.sg + 2 * seg + 1] = ((wide >>> seg) & 1) | ((wide >>> (seg + 7)) & 2);
    }
    M[this.tscRate] = 0;
  }

  /**
   * After `ts` ran RDTSC (EDX:EAX the TSC at retired count `s.retired`): the inline RDTSC's words
   * for the rest of this entry, when the TSC counts retired instructions: the TSC at retired
   * count `base` (that value less what the instructions since added) to SCR_TSC and the ticks
   * per instruction to SCR_TSC_RATE; else the rate stays 0 (each RDTSC calls the handler), as
   * for a value outside 0..2^53 (an odd TSC offset). Set here, from the handler's reading,
   * rather than at each entry from JavaScript (1.2 M per boot, few of which run RDTSC), where
   * the clock's reading was ~1 % of a boot's main thread.
   */
  armTsc(s: CpuState): void {
    const rate = s.clock?.instructionNs ?? 0;
    if (rate === 0) return;
    const at = s.regs[EDX]! * 0x1_0000_0000 + (s.regs[EAX]! >>> 0);
    const t = at - (s.retired - this.base) * rate;
    if (!(t >= 0 && t <= Number.MAX_SAFE_INTEGER)) return;
    this.M[this.tsc] = (t % 0x1_0000_0000) | 0;
    this.M[this.tsc + 1] = Math.floor(t / 0x1_0000_0000) | 0;
    this.M[this.tscRate] = rate;
  }

  /**
   * The address of the memo bank for regions of TLB masks `masks`, or -1 (no memo area, or no
   * bank left): one bank per pair, since what a memo allows depends on the masks it was made with.
   */
  memoBank(masks: TlbMasks): number {
    const key = masks[0] * 0x1_0000 + (masks[1] & 0xffff);
    let k = this.banks.indexOf(key);
    if (k < 0 && this.banks.length < this.memoBanks) k = this.banks.push(key) - 1;
    return k < 0 ? -1 : this.memo + k * MEMO_BANK_BYTES;
  }

  /** Keeps `err` (thrown by a slow path) for the wrapper, and says so to the region: 0. */
  keep(err: unknown): number {
    this.fault = err;
    this.M[this.fw] = 1;
    return 0;
  }

  /**
   * The EIP and block of the instruction whose slow path kept the fault, when its code had the
   * place (lower.ts `slowSite`; the fault exit's words are not set then), else -1 and -1.
   */
  faultIp = -1;
  faultPc = -1;

  /** `keep` for a slow load or store of region `block` whose code is `code`. */
  keepAt(err: unknown, block: Block, code: number): number {
    if ((code & SLOW_SITE) !== 0) {
      const pc = siteBlock(code);
      this.faultPc = pc;
      this.faultIp = block.ips[pc]![siteIndex(code)]! | 0;
    }
    return this.keep(err);
  }

  /** The kept fault, cleared. */
  take(): unknown {
    const err = this.fault;
    this.fault = null;
    this.M[this.fw] = 0;
    return err;
  }

  /**
   * After the handler of a MODE_CHECKED barrier (lower.ts) in region `B` (a chaining one): 0
   * (go on, through a dynamic exit to the EIP the handler left) when the dispatcher would run
   * the next region as well: `B` still valid, the mode key still `B`'s, CS still what the
   * chain's entries check (SCR_CSB) and its limit what the regions were passed (`csLimit`), and
   * no event to take; else 1 (leave). An IRET or POPF that set IF makes the imports after it
   * test for interrupts, as a new entry from the dispatcher would.
   */
  afterBarrier(s: CpuState, B: Block): number {
    this.ev = (s.flags & 768) !== 0;
    if (
      !B.valid ||
      this.modeOf(s) !== B.mode ||
      (s.segBase[1]! | 0) !== this.M[this.csb] ||
      (s.segLimit[1]! | 0) !== this.csLimit
    )
      return 1;
    // An interrupt shadow (STI, MOV SS) holds events back until the next instruction is done,
    // and the region runs that instruction before it tests for any: with no other event
    // waiting now, the shadow has done its work there.
    const shadow = s.interruptShadow;
    s.interruptShadow = false;
    if (!this.events(s)) return 0;
    s.interruptShadow = shadow;
    return 1;
  }

  /** The CS limit the regions of the running chain were passed (the wrapper's, `P_LIM`). */
  csLimit = 0;

  /** Whether an event must end the chain (IF/TF set at entry: any; else an NMI). */
  pending(s: CpuState): boolean {
    // HLT state set by a device (the board's reset request parks the CPU in HLT with IF clear).
    return this.ev ? this.events(s) : s.nmiPending || s.halted;
  }
}

/**
 * Compiles and instantiates `bytes`, the module of the regions `parts` (part k for `blocks[k]`),
 * and returns the module and each region's BlockFn.
 */
export function wasmRegionFns(
  bytes: Uint8Array,
  parts: readonly LoweredPart[],
  target: WasmTarget,
  blocks: readonly Block[],
  cursor: RegionCursor,
  events: (s: CpuState) => boolean,
  rt: WasmRuntime,
): { module: object; fns: BlockFn[] } {
  const imports: Record<string, Record<string, unknown>> = { e: { m: target.memory } };
  parts.forEach((p, k) => {
    imports[`r${k}`] = regionImports(p, target, blocks[k]!, events, rt);
  });
  const api = wasmApi()!;
  const module = new api.Module(bytes);
  const exports = new api.Instance(module, imports).exports;
  const X = target.shared;
  COLLECTED?.register(module, X.stats);
  X.chain = target.chain;
  X.cursor = cursor;
  X.rt = rt;
  target.shared.stats.wasmModules++;
  target.shared.stats.wasmBytes += bytes.length;
  const fns = parts.map((p, k) =>
    regionFn(p, target, blocks[k]!, {
      f: exports[`f${k}`] as RegionExport,
      c: exports[`c${k}`],
      t: exports[`t${k}`] as FuncTable | undefined,
    }),
  );
  return { module, fns };
}

/** The helpers region `block` imports (lower.ts IMPORTS, then one per handler call site). */
function regionImports(
  lowered: LoweredPart,
  target: WasmTarget,
  block: Block,
  events: (s: CpuState) => boolean,
  rt: WasmRuntime,
): Record<string, unknown> {
  const X = target.shared;
  const M = X.M;
  const copy = X.copy;
  const rg = X.rg;
  const evw = X.evw;
  const ne = X.ne;
  const nr = X.nr;
  // The EIP after each block's last instruction (`st`: a slow store there that leaves).
  const ends = Int32Array.from(lowered.blocks, (insns) => insns[insns.length - 1]!.nextIp | 0);
  const e: Record<string, unknown> = {
    fl: (fk: number, a: number, b: number, r: number, c: number): void =>
      rt.materializeFlags(X.s!, fk, a, b, r, c),
    tc: (cc: number): number => (testCondition(X.s!, cc) ? 1 : 0),
    cf: (): number => X.s!.getCF(),
    ev: (): number => (events(X.s!) ? 1 : 0),
    // ld, st, ck and j keep a fault (`WasmShared.keep`): the region leaves by its fault exit.
    // n: the retired count since entry at the block's start, plus the instruction's index in
    // it (a site code's, lower.ts `retiredArg`; the site added it itself otherwise).
    ld: (l: number, code: number, n: number): number => {
      const s = X.s!;
      n += siteIndex(code);
      X.cur = block;
      try {
        const v = rt.slowLoad(s, l, code & SLOW_CODE_BITS, X.base + n);
        // A device read may raise an interrupt: the next block boundary must see it.
        if (X.pending(s)) M[evw] = 1;
        return v;
      } catch (err) {
        return X.keepAt(err, block, code);
      }
    },
    st: (l: number, v: number, code: number, n: number): number => {
      const s = X.s!;
      n += siteIndex(code);
      X.cur = block;
      try {
        rt.slowStore(s, l, v, code & SLOW_CODE_BITS, X.base + n);
      } catch (err) {
        return X.keepAt(err, block, code);
      }
      if (block.valid && !X.pending(s)) return 0;
      // Leaving after this instruction: a site code's region takes its next EIP and retired
      // count from the scratch (lower.ts `leaveStored`).
      if ((code & SLOW_SITE) !== 0) {
        const j = siteBlock(code);
        const k = siteIndex(code);
        const ips = block.ips[j]!;
        M[ne] = k + 1 < ips.length ? ips[k + 1]! | 0 : ends[j]!;
        M[nr] = n + 1;
      }
      return 1;
    },
    j: (t: number): void => {
      X.cur = block;
      try {
        jumpNear(X.s!, t);
      } catch (err) {
        X.keep(err);
      }
    },
    // `of` RF_ONLY_CF / RF_ONLY_ZF: that one flag = `cf`, the others kept (BT, CMPXCHG8B).
    rf: (cf: number, of: number): void => {
      const s = X.s!;
      if (of < 0) {
        const bit = of === RF_ONLY_ZF ? ZF : CF;
        s.materialize(bit);
        s.flags = (s.flags & ~bit) | (cf !== 0 ? bit : 0);
        return;
      }
      s.materialize(CF | OF);
      s.flags = (s.flags & ~(CF | OF)) | cf | (of !== 0 ? OF : 0);
    },
    ck: (seg: number, off: number, size: number, w: number): number => {
      X.cur = block;
      try {
        return checkedLinear(X.s!, seg, off >>> 0, size, w !== 0);
      } catch (err) {
        return X.keep(err);
      }
    },
    sp: X.spill,
    ef: X.recordFlags,
    cd: X.recordCondition,
    me: X.memoSet,
    // Called only by a chaining region (which has the chain's trampoline).
    d: target.chain?.dynFn ?? noDynamicChain,
    ts: (n: number): void => {
      const s = X.s!;
      X.cur = block;
      s.retired = X.base + n;
      RDTSC(s, NO_OPERANDS);
      X.armTsc(s);
      if (copy) {
        M[rg + EAX] = s.regs[EAX]!;
        M[rg + EDX] = s.regs[EDX]!;
      }
    },
  };
  // A loop, not a callback: a closure naming `lowered` would put it in the context every import
  // above shares, and the instance would keep the region's decoded instructions alive.
  const sites = lowered.handlerSites;
  const checked = lowered.checkedSites;
  for (let n = 0; n < sites.length; n++) {
    const i = sites[n]!;
    e[`h${n}`] = isCrossing(i)
      ? plainCaller(target.crossing(i), X, i, block, false)
      : handlerCaller(i.code)(HANDLERS[i.code]!, X, i, block, checked[n]!);
  }
  return e;
}

/** A pending flag record left in the scratch goes into CpuState (the next entry starts without). */
function flushFlags(X: WasmShared, s: CpuState): void {
  const M = X.M;
  const fk = X.fk;
  if (M[fk] !== 0) {
    X.rt!.materializeFlags(s, M[fk]!, M[fk + 1]!, M[fk + 2]!, M[fk + 3]!, M[fk + 4]!);
    M[fk] = 0;
  }
}

/** The region runs a chain inside WebAssembly counted in the scratch: into the stats. */
function countChained(X: WasmShared): void {
  const M = X.M;
  const c = M[X.cnt]!;
  if (c !== 0) {
    M[X.cnt] = 0;
    const st = X.stats;
    st.chainedInWasm += c;
    st.chained += c;
    st.blocksExecuted += c;
  }
}

/** The BlockFn of region `block` over its exports (`c`, `t`: when it chains). */
function regionFn(
  lowered: LoweredPart,
  target: WasmTarget,
  block: Block,
  ex: { f: RegionExport; c: unknown; t: FuncTable | undefined },
): BlockFn {
  const chain = target.chain;
  block.dynamicExits = Uint8Array.from(lowered.exitTargets, (t) => (t === -1 ? 1 : 0));
  const sb = lowered.id;
  if (chain !== null && sb !== 0) {
    const t = ex.t!;
    for (let g = 0; g < t.length; g++) t.set(g, chain.stub);
    block.chainId = sb;
    block.chainTable = t;
    block.chainTargets = [];
    block.chainRelinks = new Uint8Array(t.length);
    block.chainFn = ex.c;
    chain.enter(block);
  }
  return wrapper(target.shared, block, ex.f, sb);
}

/**
 * The wrapper of region `block` (export `f`, chain id `sb`). Its closure holds only these and
 * the engine's `WasmShared`: an entry from JavaScript into a region not run lately then misses
 * on one cache line of closure context (with the ~18 values it once held, on three).
 */
function wrapper(X: WasmShared, block: Block, f: RegionExport, sb: number): BlockFn {
  return (s, left, pc0 = 0) => {
    const M = X.M;
    const copy = X.copy;
    const rg = X.rg;
    const chain = X.chain;
    X.stats.wasmEntries++;
    const r = s.regs;
    if (copy) for (let k = 0; k < 8; k++) M[rg + k] = r[k]!;
    const base = s.retired;
    const ev = (s.flags & 768) !== 0;
    X.s = s;
    X.base = base;
    X.ev = ev;
    X.cur = block;
    X.sync(s);
    if (chain !== null) {
      M[X.evw] = 0;
      M[X.csb] = s.segBase[1]! | 0;
    }
    const limit = s.segLimit[1]! | 0;
    X.csLimit = limit;
    let g: number;
    try {
      g = f(left > 0x7fffffff ? 0x7fffffff : left, pc0, limit, ev ? 1 : 0, 0);
      // A slow-path helper kept its fault and the region left by its fault exit.
      if (g === FAULT_EXIT) throw X.take();
    } catch (err) {
      // A helper threw (registers, flag record, ip and cursor were stored before the call), or
      // the fault exit stored them, in this region or in one the chain went on to (the import
      // said which: X.cur).
      if (copy) for (let k = 0; k < 8; k++) r[k] = M[rg + k]!;
      // ip -1: a handler threw (it set startEip/startEsp itself). A slow load or store with
      // its place in the code (lower.ts `slowSite`) left them in X instead.
      let ip = M[X.ip]!;
      let pc = M[X.pc]!;
      if (X.faultPc >= 0) {
        ip = X.faultIp;
        pc = X.faultPc;
        X.faultPc = -1;
      }
      if (ip !== -1) {
        s.startEip = ip >>> 0;
        s.startEsp = r[4]!;
      }
      flushFlags(X, s);
      const cursor = X.cursor!;
      cursor.base = base + M[X.rb]!;
      cursor.cur = pc;
      cursor.last = X.cur === block ? null : X.cur;
      if (chain !== null) countChained(X);
      throw err;
    }
    if (copy) for (let k = 0; k < 8; k++) r[k] = M[rg + k]!;
    flushFlags(X, s);
    const ne = M[X.ne]! >>> 0;
    s.eip = ne;
    s.retired = base + M[X.nr]!;
    let B = block;
    X.cursor!.last = null;
    if (chain !== null) {
      countChained(X);
      const last = M[X.id]!;
      if (last !== sb) {
        // The chain ended in another region: its exit, links and dynamic-exit cache.
        const other = chain.regions[last];
        if (other === undefined) return null;
        B = other;
        X.cursor!.last = B;
      }
    }
    if (g < 0) return null;
    const XT = B.exitTargets as number[];
    // A static exit always leaves to its target: its flag (another object) is not read.
    if (ne !== XT[g] && B.dynamicExits![g] === 1) {
      XT[g] = ne;
      B.links[g] = null;
    }
    return B.links[g]!;
  };
}

type Handler = (s: CpuState, i: Instruction) => void;
type CallerFactory = (
  h: Handler,
  R: WasmShared,
  i: Instruction,
  B: Block,
  /** A MODE_CHECKED site the region goes on after (`WasmShared.afterBarrier`). */
  k: boolean,
) => (n: number) => number;

/**
 * The import body of one handler call site: sets startEip/startEsp/EIP/retired as generate()
 * does, runs the handler, stores the EIP it left and says whether to leave (EIP moved, region
 * invalidated, event). Its source is fixed text (no guest data); one copy is compiled per
 * handler code so that the call `h(s, i)` in each copy sees a single target (closures of one
 * function literal share their call feedback). Without `Function` (a page's policy), all codes
 * share the plain one.
 */
const CALLER_SOURCE = `return function (h, R, i, B, k) {
  const ip = i.ip >>> 0;
  const next = i.nextIp >>> 0;
  return function (n) {
    const s = R.s;
    const r = s.regs;
    const M = R.M;
    if (R.copy) for (let q = 0; q < 8; q++) r[q] = M[R.rg + q];
    s.startEip = ip;
    s.startEsp = r[4];
    s.eip = next;
    s.retired = R.base + n;
    R.cur = B;
    try {
      h(s, i);
    } finally {
      if (R.copy) for (let q = 0; q < 8; q++) M[R.rg + q] = r[q];
    }
    M[R.ne] = s.eip;
    R.sync(s);
    if (k) return R.afterBarrier(s, B);
    return s.eip !== next || !B.valid || R.pending(s) ? 1 : 0;
  };
};`;

const plainCaller: CallerFactory = (h, R, i, B, k) => {
  const ip = i.ip >>> 0;
  const next = i.nextIp >>> 0;
  return (n) => {
    const s = R.s!;
    const r = s.regs;
    const M = R.M;
    if (R.copy) for (let q = 0; q < 8; q++) r[q] = M[R.rg + q]!;
    s.startEip = ip;
    s.startEsp = r[4]!;
    s.eip = next;
    s.retired = R.base + n;
    R.cur = B;
    try {
      h(s, i);
    } finally {
      if (R.copy) for (let q = 0; q < 8; q++) M[R.rg + q] = r[q]!;
    }
    M[R.ne] = s.eip;
    R.sync(s);
    if (k) return R.afterBarrier(s, B);
    return s.eip !== next || !B.valid || R.pending(s) ? 1 : 0;
  };
};

/**
 * Counts the region modules V8 has collected (`RecompilerStats.wasmModulesCollected`): a
 * module's code space (its memory mappings) is freed only then, not when its regions die. Where
 * the host has no FinalizationRegistry (every current browser and Node has one), none is
 * counted: past MAX_HELD_WASM_MODULES modules made, new regions stay JavaScript.
 */
const COLLECTED =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry<{ wasmModulesCollected: number }>((stats) => {
        stats.wasmModulesCollected++;
      })
    : null;

const callers: (CallerFactory | undefined)[] = [];
let noEval = false;

function handlerCaller(code: number): CallerFactory {
  let f = callers[code];
  if (f === undefined) {
    f = plainCaller;
    if (!noEval)
      try {
        f = new Function(CALLER_SOURCE)() as CallerFactory;
      } catch {
        noEval = true;
      }
    callers[code] = f;
  }
  return f;
}
