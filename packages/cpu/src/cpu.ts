// The Cpu: owns the state, the reused decoded instruction and the run loop.
import type { Clock, LinearFastPath, LinearMemory, PortIo } from "@ringvm/bus";
import { ATTR_LOCKABLE, Decoder, Instruction, OpKind } from "@ringvm/decoder";
import { syncPaging, writeControlRegister } from "./control-regs";
import { PageBytes } from "./page-bytes";
import { FAST_ANY, FAST_MEMORY, FAST_REGISTER, HANDLERS } from "./dispatch";
import { bake, bakeFused, type FusedHandler } from "./handlers/baked";
import { hasNoMemoryOperand } from "./handlers/fast";
import { jumpNear, testCondition } from "./handlers/integer-cond";
import type { Handler } from "./handlers/operands";
import {
  Block,
  BLOCK_BODY,
  BLOCK_BRANCH,
  BLOCK_MAX,
  blockKind,
  COND_ALWAYS as BLOCK_COND_ALWAYS,
  EMPTY_BLOCK,
  K_EIP as BLOCK_K_EIP,
  K_ESP as BLOCK_K_ESP,
  K_FUSED as BLOCK_K_FUSED,
  K_JCC as BLOCK_K_JCC,
  K_MEM as BLOCK_K_MEM,
  K_OP as BLOCK_K_OP,
  K_OPJ as BLOCK_K_OPJ,
  inlineImmediate,
  inlineOp,
} from "./block-cache";
import { debugBefore, debugTrap, recomputeDebug } from "./debug";
import { CpuException, hasErrorCode, isContributory, Vector } from "./exceptions";
import { deliverInterrupt, EventKind } from "./interrupts";
import {
  AR_PRESENT,
  AR_REAL_CODE,
  AR_REAL_DATA,
  loadSegmentReal,
  setSegmentCache,
} from "./segments";
import { EpochMemory, EpochPorts, WriteCountingMemory } from "./state/code-epoch";
import { CpuState, SEG_LDTR, SEG_TR } from "./state/cpu-state";
import { AF, CF, FLAGS_FIXED_ONE, IF, LazyOp, OF, PF, RF, SF, TF, ZF } from "./state/flags";
import { ESP, EDX, SegReg } from "./state/registers";
import { CPU_SIGNATURE } from "./cpuid";

/** Why `run` returned. */
export const StopReason = {
  /** The instruction budget ran out. */
  Budget: 0,
  /** HLT with no interrupt deliverable; call `run` again once one is pending. */
  Halt: 1,
  /** Triple fault (or a shutdown cycle): the board should reset. */
  Shutdown: 2,
  /** A debugger breakpoint (reserved for the hypervisor's debugger). */
  Breakpoint: 3,
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** The interrupt controller's side of the INTR line (PIC/APIC INTA cycle). */
export interface InterruptSource {
  hasInterrupt(): boolean;
  /** Acknowledges the highest-priority request and returns its vector. */
  acknowledge(): number;
}

/** Linear-to-physical translation of instruction fetches (`Mmu` from @ringvm/memory). */
export interface CodeTranslator {
  /** Physical address for `kind` (2 = instruction fetch); a fault calls the page-fault sink. */
  translate(linear: number, kind: number): number;
}

/** Write-watch of physical code pages (`PhysicalSpace` from @ringvm/memory). */
export interface CodePageWatch {
  /** The next write (CPU or DMA, through any alias) to RAM page `page` calls the listeners. */
  watchPage(page: number): void;
  /** False for pages that cannot be watched (not RAM). */
  isWatched(page: number): boolean;
  /**
   * Adds a listener (other engines may have their own). It gets the written bytes' offset in
   * the page and count where the watch knows them; returning true keeps the page watched.
   */
  onCodeWrite(listener: (page: number, offset?: number, length?: number) => boolean | void): void;
  /**
   * Optional: reports physical memory map changes (`PhysicalSpace` reports "map"), so port
   * writes need not count as possible remaps of code (EpochMemory.routeEpoch).
   */
  onRouteChange?(listener: (change: string) => void): void;
}

export interface CpuOptions {
  memory: LinearMemory;
  io: PortIo;
  interrupts?: InterruptSource;
  clock?: Clock;
  /**
   * With both: the decode cache watches the physical pages it holds code from, so ordinary
   * stores cost it nothing (state/code-epoch.ts). Without: every CPU write counts as a
   * possible code change.
   */
  codeTranslator?: CodeTranslator;
  codePages?: CodePageWatch;
  /**
   * Eight int32 to keep EAX..EDI in (`CpuState.regs`), e.g. a view of the WebAssembly memory
   * generated code shares (`WasmGuestMemory.registersOffset`); a fresh array by default.
   */
  registers?: Int32Array;
  /** 32 uint32 to keep XMM0-7 in (`SseState.d`), as `registers`; a fresh array by default. */
  xmm?: Uint32Array;
}

/** LinearMemory access kind of an instruction fetch (the MMU's translate `kind`). */
const KIND_FETCH = 2;

/**
 * Decoded-instruction cache: direct-mapped on the linear address of the first byte. An entry
 * is reused when the CPU mode and EIP match and its bytes are known to be unchanged: either no
 * memory epoch event (any CPU write, port access, paging change or new `run` slice; see
 * state/code-epoch.ts) happened since they were last checked, or every byte of the instruction,
 * fetched again through the MMU, is unchanged. So self-modifying code, DMA into code pages,
 * paging changes and fetch faults all behave exactly as without the cache (the re-fetch raises
 * the same #PF the decoder's fetch would).
 */
const DECODE_CACHE_BITS = 17;
const DECODE_CACHE_SIZE = 1 << DECODE_CACHE_BITS;
const DECODE_CACHE_MASK = DECODE_CACHE_SIZE - 1;
// block-cache.ts's kind bits as module-local constants: V8 folds these into the hot loop, while
// an imported binding costs a check per use (measured: under tsx, whose per-module transform
// keeps imports live, the CRC32 bench ran at either ~58 or ~93 MIPS from one process to the next).
const K_EIP = BLOCK_K_EIP | 0;
const K_ESP = BLOCK_K_ESP | 0;
const K_JCC = BLOCK_K_JCC | 0;
const K_FUSED = BLOCK_K_FUSED | 0;
/** Block.fused entries of forms that are not fused (never called). */
const noFused: FusedHandler = () => false;
const K_MEM = BLOCK_K_MEM | 0;
const K_OP = BLOCK_K_OP | 0;
const K_OPJ = BLOCK_K_OPJ | 0;
// block-cache.ts's inline ops (U_*; anything else is MOV), as literals for the same reason (a
// mismatch fails test/integer/inline-ops.test.ts).
const U_ADD = 1;
const U_SUB = 2;
const U_CMP = 3;
const U_AND = 4;
const U_OR = 5;
const U_XOR = 6;
const U_TEST = 7;
const U_INC = 8;
const U_DEC = 9;
const U_SHL = 11;
const U_SHR = 12;
const U_SAR = 13;
const U_ROL = 14;
const U_ROR = 15;
const U_CL = 1 << 15;
const U_IMM = 1 << 14;
const LAZY_ADD: LazyOp = LazyOp.Add;
const LAZY_SUB: LazyOp = LazyOp.Sub;
const LAZY_LOGIC: LazyOp = LazyOp.Logic;
const ARITH = CF | PF | AF | ZF | SF | OF | 0;
const SZP = SF | ZF | PF | 0;
const NOT_COA = ~(CF | OF | AF);
const COND_ALWAYS = BLOCK_COND_ALWAYS | 0;
/** Block cache entries (direct-mapped on the block's first linear address). */
const BLOCK_BITS = 15;
const BLOCK_CACHE_SIZE = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_CACHE_SIZE - 1;
/** The handler of a form used with a LOCK prefix it does not allow. */
const lockUd: Handler = () => {
  throw new CpuException(Vector.UD);
};

/** Placeholder of a never-used entry (its tag is NaN, so it never hits). */
const EMPTY_ENTRY = new Instruction();

const META_STRIDE = 4;
const META_LINEAR = 0;
const META_MODE = 1;
const META_IP = 2;
const META_NEXT = 3;

/** Whether the `length` bytes at `linear` still equal the entry's recorded bytes. */
function sameBytes(
  memory: LinearMemory,
  linear: number,
  bytes: Uint8Array,
  base: number,
  length: number,
): boolean {
  for (let k = 0; k < length; k++) {
    if (memory.fetch8((linear + k) | 0) !== bytes[base + k]) return false;
  }
  return true;
}

/** LOCK is valid only on the lockable forms with a memory destination (SDM vol. 2, LOCK). */
export function hasBadLock(insn: Instruction): boolean {
  return insn.hasLock && ((insn.attrs & ATTR_LOCKABLE) === 0 || insn.op0Kind !== OpKind.Memory);
}

/** What the interpreter runs for a decoded instruction: #UD for a bad LOCK, else `pickHandler`. */
export function decodedHandler(insn: Instruction): Handler {
  return hasBadLock(insn) ? lockUd : pickHandler(insn);
}

/** The handler for a decoded instruction: a specialized form when one applies. */
export function pickHandler(insn: Instruction): Handler {
  const code = insn.code;
  const any = FAST_ANY[code];
  if (any !== undefined) return any;
  const fast = hasNoMemoryOperand(insn) ? FAST_REGISTER[code] : FAST_MEMORY[code];
  return fast ?? HANDLERS[code]!;
}

export class Cpu {
  readonly state: CpuState;
  /** Entries are allocated on their first miss (a Cpu stays cheap to construct in tests). */
  private readonly cacheInsn: Instruction[] = new Array<Instruction>(DECODE_CACHE_SIZE).fill(
    EMPTY_ENTRY,
  );
  /**
   * What the hit path reads, side by side as int32 (one host cache line per lookup, and no
   * boxed number: an Instruction's `ip`/`nextIp` above 2^31, as in every kernel, are heap
   * numbers the host would fetch from elsewhere). Per entry, at `slot * META_STRIDE`:
   * META_LINEAR the linear address, META_MODE 2 for 32-bit code, 1 for 16-bit, plus 4 for user-mode
   * fetch rights (the MMU's user mode, see EpochMemory.isUser), 0 when empty
   * (the zero-filled start), META_IP the EIP it was decoded at, META_NEXT its next EIP.
   */
  private readonly cacheMeta = new Int32Array(DECODE_CACHE_SIZE * META_STRIDE);
  /** Memory epoch at which each entry's bytes were last known to match memory. */
  private readonly cacheEpoch = new Float64Array(DECODE_CACHE_SIZE).fill(-1);
  private readonly cacheBytes = new Uint8Array(DECODE_CACHE_SIZE * 16);
  /** Handler of each entry, with the LOCK validity check folded in at decode time. */
  private readonly cacheHandler: Handler[] = new Array<Handler>(DECODE_CACHE_SIZE).fill(lockUd);
  /** Block cache (block-cache.ts): direct-mapped like the decode cache, same record layout. */
  private readonly blocks: Block[] = new Array<Block>(BLOCK_CACHE_SIZE).fill(EMPTY_BLOCK);
  private readonly blockMeta = new Int32Array(BLOCK_CACHE_SIZE * META_STRIDE);
  /** A block's `data` while it is decoded. */
  private readonly blockScratch = new Int32Array(BLOCK_MAX * 4);
  private readonly memory: EpochMemory;
  /** The code-page watch, when the board provides one (see CpuOptions). */
  private readonly translator: CodeTranslator | undefined;
  private readonly codePages: CodePageWatch | undefined;
  /** Per physical page: 1 while the decode cache relies on its watch. */
  private readonly watchedPages: Uint8Array | undefined;
  /**
   * Per watched physical page, a bitmap of every byte decoded there (set by `watchCode`, never
   * cleared: a byte once code stays covered), for writes beside code (see the watch listener).
   */
  private readonly codeMaps = new Map<number, PageBytes>();
  /** Per physical page: write notifications so far (a block re-check by page compares it). */
  private readonly pageGen: Int32Array | undefined;
  private readonly decoder16 = new Decoder(16);
  private readonly decoder32 = new Decoder(32);
  private readonly fetch: (address: number) => number;
  private readonly interrupts: InterruptSource | undefined;
  private isShutdown = false;
  private readonly fastRead: LinearFastPath | undefined;

  constructor(options: CpuOptions) {
    const watching = options.codeTranslator !== undefined && options.codePages !== undefined;
    const memory = watching
      ? new EpochMemory(options.memory)
      : new WriteCountingMemory(options.memory);
    this.memory = memory;
    // The baked memory forms inline the memory's TLB fast path (reads always; writes only with
    // the watch, `state.ramFast` below: without it every CPU write moves the epoch through
    // WriteCountingMemory).
    this.fastRead = options.memory.fastPath?.();
    if (watching) {
      this.translator = options.codeTranslator;
      this.codePages = options.codePages;
      const watched = new Uint8Array(1 << 20);
      const pageGen = new Int32Array(1 << 20);
      this.watchedPages = watched;
      this.pageGen = pageGen;
      const codeMaps = this.codeMaps;
      options.codePages!.onCodeWrite((page, offset, length) => {
        if (watched[page] !== 1) return false;
        // A write beside every byte ever decoded on the page (a flag next to real-mode code)
        // leaves the cached blocks valid and the page watched.
        const map = codeMaps.get(page);
        if (map !== undefined && offset !== undefined && length !== undefined) {
          if (!map.any(offset, length)) return true;
        }
        watched[page] = 0;
        pageGen[page]!++;
        memory.epoch++;
        return false;
      });
      options.codePages!.onRouteChange?.((change) => {
        if (change !== "map") return;
        memory.routeEpoch++;
        memory.epoch++;
      });
    }
    const routeReports = watching && options.codePages!.onRouteChange !== undefined;
    this.state = new CpuState(
      memory,
      new EpochPorts(options.io, memory, !watching, !routeReports),
      options.registers,
      options.xmm,
    );
    this.state.clock = options.clock ?? null;
    this.state.ramFast = watching ? this.fastRead : undefined;
    this.interrupts = options.interrupts;
    this.fetch = (address) => memory.fetch8(address);
    const s = this.state;
    memory.setFaultSink((linear, errorCode) => {
      s.cr2 = linear >>> 0;
      throw new CpuException(Vector.PF, errorCode);
    });
    this.reset();
  }

  /** Power-on reset (SDM vol. 3, 9.1.1, table 9-1). */
  reset(): void {
    const s = this.state;
    s.regs.fill(0);
    s.regs[EDX] = CPU_SIGNATURE;
    s.eip = 0xfff0;
    s.flags = FLAGS_FIXED_ONE;
    s.lazyMask = 0;
    for (let seg = 0; seg < 6; seg++) setSegmentCache(s, seg, 0, 0, 0xffff, AR_REAL_DATA);
    setSegmentCache(s, SegReg.CS, 0xf000, 0xffff0000, 0xffff, AR_REAL_CODE);
    setSegmentCache(s, SEG_LDTR, 0, 0, 0xffff, AR_PRESENT | 0x2);
    setSegmentCache(s, SEG_TR, 0, 0, 0xffff, AR_PRESENT | 0xb);
    s.gdtrBase = 0;
    s.gdtrLimit = 0xffff;
    s.idtrBase = 0;
    s.idtrLimit = 0xffff;
    s.cr0 = 0x60000010;
    s.cr2 = 0;
    s.cr3 = 0;
    s.cr4 = 0;
    s.dr.fill(0);
    s.dr[6] = 0xffff0ff0;
    s.dr[7] = 0x400;
    s.debugHits = 0; // [debug]
    recomputeDebug(s); // [debug]
    s.cpl = 0;
    s.halted = false;
    s.nmiPending = false;
    s.nmiBlocked = false;
    s.interruptShadow = false;
    s.tscOffset = 0;
    this.isShutdown = false;
    s.memory.setUserMode(false);
    syncPaging(s);
  }

  /** Requests a non-maskable interrupt (delivered at the next instruction boundary). */
  nmi(): void {
    this.state.nmiPending = true;
  }

  /** Retired instructions since construction (deterministic time base; kept across reset). */
  get instructionCount(): number {
    return this.state.retired;
  }
  set instructionCount(value: number) {
    this.state.retired = value;
  }

  getReg32(index: number): number {
    return this.state.regs[index & 7]! >>> 0;
  }
  setReg32(index: number, value: number): void {
    this.state.regs[index & 7] = value;
  }
  get eip(): number {
    return this.state.eip >>> 0;
  }
  set eip(value: number) {
    this.state.eip = value >>> 0;
  }
  get eflags(): number {
    return this.state.getEflags();
  }
  set eflags(value: number) {
    const s = this.state;
    s.lazyMask = 0;
    s.flags = ((value & 0x003f7fd5) | FLAGS_FIXED_ONE) >>> 0;
  }
  /** Real-mode style load: base = selector * 16. */
  loadSegmentReal(seg: number, selector: number): void {
    loadSegmentReal(this.state, seg, selector);
  }
  /** Loads a segment cache directly; `accessRights` is descriptor dword 1 bits 8-23. */
  loadSegmentCache(
    seg: number,
    selector: number,
    base: number,
    limit: number,
    accessRights: number,
  ): void {
    setSegmentCache(this.state, seg, selector, base, limit, accessRights);
    if (seg === SegReg.CS) this.state.cpl = (this.state.cr0 & 1) !== 0 ? selector & 3 : 0;
  }
  setControlRegister(n: number, value: number): void {
    writeControlRegister(this.state, n, value);
  }

  /** Runs up to `maxInstructions` instructions. */
  run(maxInstructions: number): StopReason {
    if (this.isShutdown) return StopReason.Shutdown;
    const s = this.state;
    const memory = this.memory;
    // Re-checks fetch through the wrapped memory directly (fetches do not move the epoch).
    const raw = memory.inner;
    const blocks = this.blocks;
    const blockMeta = this.blockMeta;
    const segBase = s.segBase;
    const regs = s.regs;
    const irq = this.interrupts;
    let remaining = maxInstructions;
    // A block left by a taken Jcc whose link (Block.links) to the next block is to be filled.
    let linkFrom = EMPTY_BLOCK;
    let linkAt = 0;
    // Devices, DMA and other engines may have written memory since the last slice (a code-page
    // watch sees those writes itself).
    if (this.watchedPages === undefined) memory.epoch++;
    if (s.halted) {
      if (!this.wakeFromHalt()) return StopReason.Halt;
    }
    while (remaining > 0) {
      try {
        while (remaining > 0) {
          // Instruction boundary: NMI, then INTR (unless shadowed by MOV SS/POP SS/STI), and
          // TF sampled before the instruction. One test covers the common case of none of them
          // (and of no armed debug register and EFLAGS.RF clear).
          let trapAfter = 0;
          let single = false;
          if (
            (s.flags & (IF | TF | RF)) !== 0 ||
            s.interruptShadow ||
            s.nmiPending ||
            s.debugMode !== 0
          ) {
            if (s.interruptShadow) {
              s.interruptShadow = false;
              single = true;
              linkFrom = EMPTY_BLOCK;
            } else if (
              s.nmiPending ||
              ((s.flags & IF) !== 0 && irq !== undefined && irq.hasInterrupt())
            ) {
              // (With IF set and nothing pending, only the INTR line is sampled, inline.)
              this.checkEvents();
              if (this.isShutdown) return StopReason.Shutdown;
              single = true;
              linkFrom = EMPTY_BLOCK;
            }
            trapAfter = s.flags & TF;
            if (trapAfter !== 0 || s.debugMode !== 0 || (s.flags & RF) !== 0) {
              single = true;
              linkFrom = EMPTY_BLOCK;
            }
          }
          const eip = s.eip;
          const linear = (segBase[SegReg.CS]! + eip) | 0;
          if (!single) {
            // Block path (block-cache.ts): look the block up, check its bytes like a decode-cache
            // entry, run up to `remaining` of its instructions. startEip/startEsp are set where
            // a fault may come from (the fetches below, or an instruction).
            const bslot = (linear ^ (linear >>> BLOCK_BITS)) & BLOCK_MASK;
            const bm = bslot * META_STRIDE;
            const mode = (s.cs32 ? 2 : 1) | (memory.isUser ? 4 : 0);
            let block: Block;
            if (
              blockMeta[bm + META_LINEAR] !== linear ||
              blockMeta[bm + META_MODE] !== mode ||
              blockMeta[bm + META_IP] !== (eip | 0)
            ) {
              s.startEip = eip;
              s.startEsp = regs[ESP]!;
              block = this.buildBlock(linear, eip, mode, bslot);
            } else {
              block = blocks[bslot]!;
              if (block.epoch !== memory.epoch) {
                s.startEip = eip;
                s.startEsp = regs[ESP]!;
                if (block.routeEpoch === memory.routeEpoch && this.samePages(block, linear)) {
                  block.epoch = memory.epoch;
                } else if (sameBytes(raw, linear, block.bytes, 0, block.byteLength)) {
                  if (this.watchedPages !== undefined) this.watchBlock(block, linear);
                  block.epoch = memory.epoch;
                } else {
                  block = this.buildBlock(linear, eip, mode, bslot);
                }
              }
            }
            // Reached by a taken Jcc of `linkFrom` with no event in between: link the two.
            if (linkFrom !== EMPTY_BLOCK && linkFrom.data[linkAt * 4 + 3] === (eip | 0)) {
              linkFrom.links[linkAt] = block;
            }
            linkFrom = EMPTY_BLOCK;
            for (;;) {
              const n = block.count < remaining ? block.count : remaining;
              const epoch = memory.epoch;
              const sampleIntr = (s.flags & IF) !== 0 && irq !== undefined;
              const insns = block.insns;
              const handlers = block.handlers;
              const data = block.data;
              // The retired count is stored before each instruction that may read it (through a
              // device's clock: memory, ports, RDTSC) and when the block is left.
              const retired = s.retired;
              let k = 0;
              let jumped = false;
              try {
                while (k < n) {
                  const w = data[k * 4]!;
                  const kind = w & 0xff;
                  if (kind === 0) {
                    // A register-only body form: no EIP, startEip/startEsp use (set on a fault).
                    handlers[k]!(s, insns[k]!);
                    k++;
                    continue;
                  }
                  if (kind === K_OP || kind === K_OPJ) {
                    // An inline op (block-cache.ts K_OP): the same results and lazy flag record
                    // as alu.ts's add/sub/logic/inc/dec/shl/shr/sar.
                    const d = (w >>> 16) & 7;
                    const a = regs[d]!;
                    const b = (w & U_IMM) !== 0 ? data[k * 4 + 3]! : regs[(w >>> 19) & 7]!;
                    let r = 0;
                    // CF when the op sets it from its operands (for a Jcc on it), else -1.
                    let cf = -1;
                    // ZF is (r === 0) (every op but MOV, rotates and shifts by a CL of 0).
                    let zfOfR = true;
                    switch ((w >>> 8) & 63) {
                      case U_ADD:
                        r = (a + b) | 0;
                        cf = r >>> 0 < a >>> 0 ? 1 : 0;
                        regs[d] = r;
                        s.lazyOp = LAZY_ADD;
                        s.lazyDst = a;
                        s.lazySrc = b;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.lazyMask = ARITH;
                        break;
                      case U_SUB:
                        r = (a - b) | 0;
                        cf = a >>> 0 < b >>> 0 ? 1 : 0;
                        regs[d] = r;
                        s.lazyOp = LAZY_SUB;
                        s.lazyDst = a;
                        s.lazySrc = b;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.lazyMask = ARITH;
                        break;
                      case U_CMP:
                        r = (a - b) | 0;
                        cf = a >>> 0 < b >>> 0 ? 1 : 0;
                        s.lazyOp = LAZY_SUB;
                        s.lazyDst = a;
                        s.lazySrc = b;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.lazyMask = ARITH;
                        break;
                      case U_AND:
                      case U_TEST:
                      case U_OR:
                      case U_XOR: {
                        const op = (w >>> 8) & 63;
                        r = op === U_OR ? a | b : op === U_XOR ? a ^ b : a & b;
                        if (op !== U_TEST) regs[d] = r;
                        cf = 0;
                        s.lazyOp = LAZY_LOGIC;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.lazyMask = SZP;
                        s.flags = s.flags & NOT_COA;
                        break;
                      }
                      case U_INC:
                      case U_DEC: {
                        const cf = s.getCF();
                        const inc = ((w >>> 8) & 63) === U_INC;
                        r = inc ? (a + 1) | 0 : (a - 1) | 0;
                        regs[d] = r;
                        s.lazyOp = inc ? LAZY_ADD : LAZY_SUB;
                        s.lazyDst = a;
                        s.lazySrc = 1;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.flags = (s.flags & ~CF) | cf;
                        s.lazyMask = ARITH & ~CF;
                        break;
                      }
                      case U_SHL:
                      case U_SHR:
                      case U_SAR:
                      case U_ROL:
                      case U_ROR: {
                        // Counts 1-31 (an immediate 0 is left to the handler, block-cache.ts
                        // inlineOp); by CL, a count of 0 changes nothing, not even the flags.
                        const c = (w & U_CL) !== 0 ? b & 31 : b;
                        if (c === 0) {
                          r = a;
                          zfOfR = false;
                          break;
                        }
                        const op = (w >>> 8) & 63;
                        let of = 0;
                        if (op === U_SHL) {
                          r = a << c;
                          cf = (a >>> (32 - c)) & 1;
                          of = (r >>> 31) ^ cf;
                        } else if (op === U_SHR) {
                          r = (a >>> c) | 0;
                          cf = (a >>> (c - 1)) & 1;
                          of = (r >>> 31) ^ ((r >>> 30) & 1);
                        } else if (op === U_SAR) {
                          r = a >> c;
                          cf = (a >> (c - 1)) & 1;
                        } else {
                          // alu.ts rol/ror: only CF and OF change (rotFlags).
                          if (op === U_ROL) {
                            r = (a << c) | (a >>> (32 - c));
                            cf = r & 1;
                            of = (r >>> 31) ^ cf;
                          } else {
                            r = (a >>> c) | (a << (32 - c));
                            cf = r >>> 31;
                            of = cf ^ ((r >>> 30) & 1);
                          }
                          regs[d] = r;
                          s.materialize(CF | OF);
                          s.flags = (s.flags & ~(CF | OF)) | cf | (of !== 0 ? OF : 0);
                          zfOfR = false;
                          break;
                        }
                        regs[d] = r;
                        s.lazyOp = LAZY_LOGIC;
                        s.lazyRes = r;
                        s.lazyTop = 31;
                        s.lazyMask = SZP;
                        s.flags = (s.flags & NOT_COA) | cf | (of !== 0 ? OF : 0) | AF;
                        break;
                      }
                      default:
                        regs[d] = b;
                        zfOfR = false;
                        break;
                    }
                    k++;
                    if (kind === K_OP || k >= n) continue;
                    // K_OPJ: the Jcc after it, on ZF and CF as computed above when known (inc/dec
                    // keep CF, MOV sets nothing, rotates keep ZF), else the lazy flags.
                    const cc = data[k * 4]! >>> 8;
                    const cond = cc >> 1;
                    let taken: boolean;
                    if (cond === 2 && zfOfR) taken = (r === 0) !== ((cc & 1) !== 0);
                    else if (cond === 1 && cf >= 0) taken = (cf !== 0) !== ((cc & 1) !== 0);
                    else taken = testCondition(s, cc);
                    if (taken) {
                      jumpNear(s, data[k * 4 + 3]!);
                      k++;
                      jumped = true;
                      break;
                    }
                    k++;
                    continue;
                  }
                  if (kind === K_FUSED) {
                    // A register-only form and the Jcc after it (block-cache.ts K_FUSED); the
                    // form alone when the Jcc is past the budget.
                    if (k + 1 < n) {
                      const taken = block.fused[k]!(s);
                      k++;
                      if (taken) {
                        jumpNear(s, data[k * 4 + 3]!);
                        k++;
                        jumped = true;
                        break;
                      }
                      k++;
                      continue;
                    }
                    handlers[k]!(s, insns[k]!);
                    k++;
                    continue;
                  }
                  if (kind === K_JCC) {
                    // A Jcc inside the block: not taken, go on (EIP is set when the block is left).
                    const cc = data[k * 4]! >>> 8;
                    if (cc === COND_ALWAYS || testCondition(s, cc)) {
                      jumpNear(s, data[k * 4 + 3]!);
                      k++;
                      jumped = true;
                      break;
                    }
                    k++;
                    continue;
                  }
                  s.retired = retired + k;
                  if ((kind & K_ESP) !== 0) s.startEsp = regs[ESP]!;
                  if ((kind & K_EIP) !== 0) {
                    // A branch that may leave the block, or the block's last instruction.
                    const next = data[k * 4 + 2]! >>> 0;
                    s.startEip = data[k * 4 + 1]! >>> 0;
                    s.eip = next;
                    handlers[k]!(s, insns[k]!);
                    k++;
                    if (s.eip !== next) break;
                  } else {
                    handlers[k]!(s, insns[k]!);
                    k++;
                  }
                  // An event raised by this instruction's own memory access, or changed code.
                  if (
                    (kind & K_MEM) !== 0 &&
                    (memory.epoch !== epoch || s.nmiPending || (sampleIntr && irq.hasInterrupt()))
                  )
                    break;
                }
              } catch (e) {
                // Forms without K_ESP leave ESP alone: it is still the faulting one's start ESP.
                if ((data[k * 4]! & K_ESP) === 0) s.startEsp = regs[ESP]!;
                s.startEip = data[k * 4 + 1]! >>> 0;
                s.retired = retired + k;
                remaining -= k;
                throw e;
              }
              s.retired = retired + k;
              remaining -= k;
              if (!jumped) {
                // Left after a body form (an event, or the budget): EIP is the next one's.
                if ((data[k * 4 - 4]! & K_EIP) === 0) s.eip = data[k * 4 - 2]! >>> 0;
                break;
              }
              // Left by a taken Jcc: nothing but EIP changed (no memory access, so no event and
              // no code change since the last check), so the next block needs no boundary test;
              // follow the link when it is still current.
              if (remaining <= 0) break;
              const next = block.links[k - 1]!;
              if (next.epoch !== memory.epoch) {
                linkFrom = block;
                linkAt = k - 1;
                break;
              }
              block = next;
            }
            if (s.halted) {
              if (!this.wakeFromHalt()) return StopReason.Halt;
              if (this.isShutdown) return StopReason.Shutdown;
            }
            continue;
          }
          // One instruction through the decode cache (TF, debug, shadow, event just delivered).
          const stop = this.step(eip, linear, trapAfter);
          remaining--;
          if (stop >= 0) return stop as StopReason;
        }
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        // A faulting instruction uses one unit of the budget (so `run(1)` always returns).
        remaining--;
        this.raise(e);
        if (this.isShutdown) return StopReason.Shutdown;
      }
    }
    return StopReason.Budget;
  }

  /**
   * Runs the single instruction at `eip` (`linear`) through the decoded-instruction cache, for
   * the boundaries where blocks do not apply; returns a StopReason, or -1 to go on.
   */
  private step(eip: number, linear: number, trapAfter: number): number {
    const s = this.state;
    const memory = this.memory;
    const raw = memory.inner;
    const meta = this.cacheMeta;
    const cacheInsn = this.cacheInsn;
    const cacheEpoch = this.cacheEpoch;
    const cacheBytes = this.cacheBytes;
    const cacheHandler = this.cacheHandler;
    const regs = s.regs;
    s.startEip = eip;
    s.startEsp = regs[ESP]!;
    // [debug] Breakpoints armed or EFLAGS.RF set: instruction breakpoints (debug.ts).
    if (s.debugMode !== 0 || (s.flags & RF) !== 0) trapAfter |= debugBefore(s);
    // Decoded-instruction cache hit path (rules at DECODE_CACHE_BITS).
    const mode = (s.cs32 ? 2 : 1) | (memory.isUser ? 4 : 0);
    const slot = (linear ^ (linear >>> DECODE_CACHE_BITS)) & DECODE_CACHE_MASK;
    const m = slot * META_STRIDE;
    let insn: Instruction;
    if (
      meta[m + META_LINEAR] !== linear ||
      meta[m + META_MODE] !== mode ||
      meta[m + META_IP] !== (eip | 0)
    ) {
      insn = this.decodeMiss(linear, eip, mode, slot);
    } else {
      insn = cacheInsn[slot]!;
      if (cacheEpoch[slot] !== memory.epoch) {
        // Something may have changed since the entry was last checked: re-fetch its bytes.
        if (sameBytes(raw, linear, cacheBytes, slot << 4, insn.length)) {
          if (this.watchedPages !== undefined) this.watchCode(linear, insn.length);
          cacheEpoch[slot] = memory.epoch;
        } else {
          insn = this.decodeMiss(linear, eip, mode, slot);
        }
      }
    }
    s.eip = meta[m + META_NEXT]! >>> 0;
    cacheHandler[slot]!(s, insn);
    s.retired++;
    // [debug] #DB trap: DR6.BS for TF, B0-B3 for data/I-O breakpoint hits (debug.ts).
    if (trapAfter !== 0 && debugTrap(s, trapAfter)) {
      this.deliver(Vector.DB, EventKind.Exception, false, 0, s.eip);
      // (Only event delivery can shut down; handlers report faults by throwing.)
      if (this.isShutdown) return StopReason.Shutdown;
    }
    if (s.halted) {
      if (!this.wakeFromHalt()) return StopReason.Halt;
      if (this.isShutdown) return StopReason.Shutdown;
    }
    return -1;
  }

  /** Cache miss: decodes at `linear` into the entry `slot` and records its bytes. */
  private decodeMiss(linear: number, eip: number, mode: number, slot: number): Instruction {
    let entry = this.cacheInsn[slot]!;
    if (entry === EMPTY_ENTRY) {
      entry = new Instruction();
      this.cacheInsn[slot] = entry;
    }
    // Marked empty first, in case the fetch faults midway.
    const meta = this.cacheMeta;
    const m = slot * META_STRIDE;
    meta[m + META_MODE] = 0;
    ((mode & 2) !== 0 ? this.decoder32 : this.decoder16).decodeFetch(
      this.fetch,
      linear,
      eip,
      entry,
    );
    this.cacheHandler[slot] = decodedHandler(entry);
    meta[m + META_IP] = entry.ip;
    meta[m + META_NEXT] = entry.nextIp;
    if (entry.code !== 0) {
      const memory = this.memory;
      const base = slot << 4;
      for (let k = 0; k < entry.length; k++)
        this.cacheBytes[base + k] = memory.fetch8((linear + k) | 0);
      if (this.watchedPages !== undefined) this.watchCode(linear, entry.length);
      meta[m + META_LINEAR] = linear;
      meta[m + META_MODE] = mode;
      this.cacheEpoch[slot] = memory.epoch;
    }
    return entry;
  }

  /** Block miss: decodes the block at `linear` (rules in block-cache.ts) into `slot`. */
  private buildBlock(linear: number, eip: number, mode: number, slot: number): Block {
    const block = new Block();
    const meta = this.blockMeta;
    const m = slot * META_STRIDE;
    // Marked empty first, in case the first fetch faults.
    meta[m + META_MODE] = 0;
    const decoder = (mode & 2) !== 0 ? this.decoder32 : this.decoder16;
    const memory = this.memory;
    let lin = linear;
    let ip = eip;
    for (;;) {
      // Only the first instruction may fetch outside the block's first page.
      if (block.count !== 0 && (lin & 0xfff) > 0x1000 - 15) break;
      const insn = new Instruction();
      decoder.decodeFetch(this.fetch, lin, ip, insn);
      if (block.count !== 0 && insn.code === 0) break;
      const badLock = hasBadLock(insn);
      const k = block.count++;
      const cc = badLock ? 0 : BLOCK_BRANCH[insn.code]!;
      const kind = blockKind(insn);
      block.insns.push(insn);
      // Inline ops (K_OP below) need no baked closure: only a block's last instruction runs
      // their handler.
      block.handlers.push(
        badLock
          ? lockUd
          : inlineOp(insn) >= 0
            ? pickHandler(insn)
            : (bake(insn, this.fastRead, this.state.ramFast) ?? pickHandler(insn)),
      );
      const scratch = this.blockScratch;
      scratch[k * 4 + 1] = ip;
      scratch[k * 4 + 2] = insn.nextIp;
      scratch[k * 4 + 3] = insn.nearBranchTarget;
      const next = (ip + insn.length) >>> 0;
      lin = (lin + insn.length) | 0;
      if (
        (BLOCK_BODY[insn.code] !== 1 && cc === 0) ||
        badLock ||
        block.count === BLOCK_MAX ||
        insn.nextIp >>> 0 !== next ||
        lin >>> 12 !== linear >>> 12
      ) {
        scratch[k * 4] = K_EIP | K_ESP | K_MEM;
        break;
      }
      scratch[k * 4] = cc !== 0 ? K_JCC | ((cc - 1) << 8) : kind;
      // JMP rel ends its block (what follows it is not its successor).
      if (cc - 1 === COND_ALWAYS) break;
      ip = next;
    }
    const length = (lin - linear) | 0;
    block.data = this.blockScratch.slice(0, block.count * 4);
    block.byteLength = length;
    block.bytes = new Uint8Array(length);
    for (let k = 0; k < length; k++) block.bytes[k] = memory.fetch8((linear + k) | 0);
    block.links = new Array<Block>(block.count).fill(EMPTY_BLOCK);
    const data = block.data;
    // 32-bit register forms the loop runs inline (K_OP), K_OPJ when a Jcc follows.
    for (let k = 0; k < block.count; k++) {
      const kind = data[k * 4]!;
      if ((kind & ~K_ESP) !== 0) continue;
      const insn = block.insns[k]!;
      const op = inlineOp(insn);
      if (op < 0) continue;
      const next = k + 1 < block.count ? data[k * 4 + 4]! : 0;
      const fuse = (next & 0xff) === K_JCC && next >>> 8 !== COND_ALWAYS;
      data[k * 4] = op | (fuse ? K_OPJ : K_OP);
      data[k * 4 + 3] = inlineImmediate(insn);
    }
    // Register-only forms followed by a Jcc: fused (K_FUSED) when baked.ts has the pair.
    for (let k = 0; k + 1 < block.count; k++) {
      const next = data[k * 4 + 4]!;
      if (data[k * 4] !== 0 || (next & 0xff) !== K_JCC || next >>> 8 === COND_ALWAYS) continue;
      const fused = bakeFused(block.insns[k]!, next >>> 8);
      if (fused === undefined) continue;
      if (block.fused.length === 0)
        block.fused = new Array<FusedHandler>(block.count).fill(noFused);
      block.fused[k] = fused;
      data[k * 4] = K_FUSED;
    }
    // The block it replaces may still be linked to: its epoch -1 makes every link to it stale.
    this.blocks[slot]!.epoch = -1;
    this.blocks[slot] = block;
    if (block.insns[0]!.code !== 0) {
      if (this.watchedPages !== undefined) this.watchBlock(block, linear);
      meta[m + META_LINEAR] = linear;
      meta[m + META_MODE] = mode;
      meta[m + META_IP] = eip | 0;
      block.epoch = memory.epoch;
    }
    return block;
  }

  /**
   * Whether a cached block's bytes are known unchanged without re-fetching them (with a code-page
   * watch): its linear page(s) still translate to the physical page(s) it was checked on, and no
   * write reached them since (the watch was armed then and has not fired: same `pageGen`), and no
   * route change happened (the caller compares `routeEpoch`). The translation faults as the
   * fetch of the block's first byte on each page would.
   */
  private samePages(block: Block, linear: number): boolean {
    const gen0 = block.gen0;
    if (gen0 < 0) return false;
    const gen = this.pageGen!;
    const t = this.translator!;
    const p0 = Math.floor(t.translate(linear >>> 0, KIND_FETCH) / 4096);
    if (p0 !== block.page0 || gen[p0] !== gen0 || this.watchedPages![p0] !== 1) return false;
    if (block.page1 < 0) return true;
    const p1 = Math.floor(t.translate(((linear | 0xfff) + 1) >>> 0, KIND_FETCH) / 4096);
    return p1 === block.page1 && gen[p1] === block.gen1 && this.watchedPages![p1] === 1;
  }

  /**
   * Watches a block's code pages (watchCode) and records them for `samePages`: its physical
   * page(s) and their write generation, -1 when a page cannot be watched (not RAM).
   */
  private watchBlock(block: Block, linear: number): void {
    const length = block.byteLength;
    this.watchCode(linear, length);
    const t = this.translator!;
    const watched = this.watchedPages!;
    const gen = this.pageGen!;
    const p0 = Math.floor(t.translate(linear >>> 0, KIND_FETCH) / 4096);
    block.page0 = p0;
    block.gen0 = p0 < watched.length && watched[p0] === 1 ? gen[p0]! : -1;
    block.page1 = -1;
    const last = (linear + length - 1) >>> 0;
    if (last >>> 12 !== linear >>> 12) {
      const p1 = Math.floor(t.translate(last, KIND_FETCH) / 4096);
      block.page1 = p1;
      if (!(p1 < watched.length && watched[p1] === 1)) block.gen0 = -1;
      else block.gen1 = gen[p1]!;
    }
    block.routeEpoch = this.memory.routeEpoch;
  }

  /**
   * Watches the physical page(s) of the `length` instruction bytes at `linear` (just fetched,
   * so the translation cannot fault). Pages that cannot be watched are not RAM: their bytes
   * change only with a route change, which comes from a port access (it moves the epoch).
   */
  private watchCode(linear: number, length: number): void {
    const first = this.translator!.translate(linear >>> 0, KIND_FETCH);
    this.watchPhysicalPage(Math.floor(first / 4096));
    const last = (linear + length - 1) >>> 0;
    if (last >>> 12 !== linear >>> 12) {
      const tail = this.translator!.translate(last, KIND_FETCH);
      this.watchPhysicalPage(Math.floor(tail / 4096));
      this.markCode(first, 0x1000 - (first & 0xfff));
      this.markCode(tail - (tail & 0xfff), (tail & 0xfff) + 1);
    } else this.markCode(first, length);
  }

  /** Marks `length` bytes at physical `address` (within one page) in `codeMaps`. */
  private markCode(address: number, length: number): void {
    const page = Math.floor(address / 4096);
    let map = this.codeMaps.get(page);
    if (map === undefined) {
      map = new PageBytes();
      this.codeMaps.set(page, map);
    }
    map.mark(address & 0xfff, length);
  }

  private watchPhysicalPage(page: number): void {
    const watched = this.watchedPages!;
    if (page >= watched.length || watched[page] === 1) return;
    this.codePages!.watchPage(page);
    if (this.codePages!.isWatched(page)) watched[page] = 1;
  }

  /** In HLT: returns true (and delivers) if an NMI or enabled interrupt is pending. */
  private wakeFromHalt(): boolean {
    const s = this.state;
    if (s.nmiPending || ((s.flags & IF) !== 0 && this.interrupts?.hasInterrupt() === true)) {
      s.halted = false;
      this.checkEvents();
      return true;
    }
    return false;
  }

  private checkEvents(): void {
    const s = this.state;
    if (s.nmiPending && !s.nmiBlocked) {
      s.nmiPending = false;
      s.nmiBlocked = true;
      this.deliver(Vector.NMI, EventKind.External, false, 0, s.eip);
      return;
    }
    const irq = this.interrupts;
    if ((s.flags & IF) !== 0 && irq !== undefined && irq.hasInterrupt()) {
      const vector = irq.acknowledge() & 0xff;
      this.deliver(vector, EventKind.External, false, 0, s.eip);
    }
  }

  /** Delivers an event; faults during delivery escalate to #DF, then to shutdown. */
  private deliver(
    vector: number,
    kind: EventKind,
    hasError: boolean,
    code: number,
    returnEip: number,
  ): void {
    const s = this.state;
    try {
      deliverInterrupt(s, vector, kind, hasError, code, returnEip);
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      s.eip = returnEip;
      this.escalate(vector, e);
    }
  }

  /** A fault raised while delivering `first` (SDM vol. 3, table 6-5). */
  private escalate(first: number, second: CpuException): void {
    const s = this.state;
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

  /** An instruction raised `e`: roll back (faults) and deliver. */
  private raise(e: CpuException): void {
    const s = this.state;
    if (!e.isTrap) {
      s.eip = s.startEip;
      s.regs[ESP] = s.startEsp;
    }
    // [debug] Faults other than #DB push EFLAGS with RF set, so the restarted instruction's
    // instruction breakpoint does not fire again (SDM vol. 3, 17.3.1.1); delivery clears RF.
    if (!e.isTrap && e.vector !== Vector.DB) s.flags |= RF;
    this.deliver(e.vector, EventKind.Exception, hasErrorCode(e.vector), e.errorCode, s.eip);
  }
}
