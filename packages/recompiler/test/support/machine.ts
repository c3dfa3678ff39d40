// Test machines: a flat RAM with write-watch and optional not-present pages, and a CPU in flat
// 32-bit protected mode (ring 0, GDT code 0x08/data 0x10, an IDT whose every gate runs HLT).
import type { LinearMemory, PageFaultSink, PagingState, PortIo } from "@ringvm/bus";
import { Cpu, SegReg, type CpuState, type InterruptSource } from "@ringvm/cpu";
import { NullPorts } from "@ringvm/cpu/testing";
import { Recompiler, type FastMemoryView } from "../../src/index";
import { WASM_CHAIN_SCRATCH_BYTES } from "../../src/wasm/lower";
import { WASM_DENSE_SCRATCH_BYTES } from "../../src/wasm/dense";

export const RAM_SIZE = 1 << 22;
const MASK = RAM_SIZE - 1;
export const GDT = 0x500;
export const IDT = 0x800;
/** Exception handlers: vector v at HANDLERS_AT + 16 * v holds `hlt; jmp $-1`. */
export const HANDLERS_AT = 0x2000;
export const CODE_AT = 0x10000;
export const DATA_AT = 0x40000;
export const STACK_TOP = 0x80000;
/** A page that is never present: any access raises #PF. */
export const HOLE = 0x300000;
/** A read-only page (RAM's last): reads work, a write raises #PF with error code 3 (present, write). */
export const RO_PAGE = 0x3ff000;

/** Layout of the test machine's WebAssembly memory (RAM at 0, as @ringvm/memory lays it out). */
const WASM_TLB = RAM_SIZE;
const WASM_STATE = WASM_TLB + (4 << 20);
/**
 * Masks, registers, the chunk bits and the memo area in the first 4 KiB after the TLB, then the
 * scratch, large enough for the dynamic-exit hash (as @ringvm/memory's createWasmGuestMemory).
 */
const WASM_CHUNKS = WASM_STATE + 256;
const WASM_MEMO = WASM_STATE + 1024;
const WASM_SCRATCH = WASM_STATE + 4096;
const WASM_PAGES = Math.ceil(
  (WASM_SCRATCH + WASM_CHAIN_SCRATCH_BYTES + WASM_DENSE_SCRATCH_BYTES) / 0x10000,
);

type WasmMemoryCtor = new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };

export class TestMemory implements LinearMemory {
  readonly bytes: Uint8Array;
  private readonly watched = new Uint8Array(RAM_SIZE >>> 12);
  private listener: ((page: number, offset: number, length: number) => boolean | void) | null =
    null;
  /**
   * A software TLB in the layout of @ringvm/memory's Mmu (physical page | flags, 1 = valid,
   * 64 = writes take the slow path): identity for RAM pages, 0 (slow path) for the hole and
   * everything past RAM_SIZE; watched pages get 64, as the Mmu routes watched pages.
   */
  readonly tlb: Int32Array;
  private readonly masks: Int32Array;
  /**
   * The memo area the Mmu zeroes when it drops or restricts a TLB entry (@ringvm/bus
   * `LinearFastPath.memo`): here when a page is remapped or watched.
   */
  private readonly memo: Int32Array;
  /**
   * The MMU's chunk bits (@ringvm/bus `LinearFastPath.chunks`), all clear: a test sets one to
   * say a 4 MiB chunk is one translation onto readable RAM (and keeps its reads there).
   */
  readonly chunks: Uint8Array;
  /**
   * The MMU's flat-read bound (@ringvm/bus `LinearFastPath.flatRead`), 0 (no flat reads) until
   * a test sets it: paging is off here, so it may say RAM from 1 MiB up to the hole.
   */
  readonly flatRead: Int32Array;
  /** Reads that came through `read8` (the slow path), for tests of what stays fast. */
  slowReads = 0;
  /** The shared memory (`wasm` machines): RAM, TLB, masks, registers and scratch in one. */
  readonly wasm: FastMemoryView["wasm"];
  private sink: PageFaultSink | null = null;
  writesToWatched = 0;

  /** Linear page -> physical page for remapped pages (`remap`); identity elsewhere. */
  private readonly remapped = new Map<number, number>();
  private check(linear: number, write: boolean): number {
    const a = linear >>> 0;
    if (a >>> 12 === HOLE >>> 12 && this.sink !== null) this.sink(a, write ? 2 : 0);
    if (write && a >>> 12 === RO_PAGE >>> 12 && this.sink !== null) this.sink(a, 3);
    const page = this.remapped.get(a >>> 12);
    return page === undefined ? a & MASK : ((page << 12) | (a & 0xfff)) & MASK;
  }
  /**
   * Maps linear page `linearPage` to physical page `physPage` (what a page-table edit plus
   * TLB flush does), TLB entry included (kept on the write slow path when that page is watched).
   */
  remap(linearPage: number, physPage: number): void {
    this.remapped.set(linearPage, physPage);
    this.memo.fill(0);
    this.tlb[linearPage] = (physPage << 12) | 1 | (this.watched[physPage] === 1 ? 64 : 0);
  }
  constructor(wasm = false) {
    if (wasm) {
      const api = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } })
        .WebAssembly;
      const memory = new api.Memory({ initial: WASM_PAGES, maximum: WASM_PAGES });
      const buf = memory.buffer;
      this.bytes = new Uint8Array(buf, 0, RAM_SIZE);
      this.tlb = new Int32Array(buf, WASM_TLB, 1 << 20);
      this.masks = new Int32Array(buf, WASM_STATE, 2);
      this.memo = new Int32Array(buf, WASM_MEMO, 3072 >> 2);
      this.chunks = new Uint8Array(buf, WASM_CHUNKS, 128);
      this.flatRead = new Int32Array(buf, WASM_STATE + 8, 1);
      this.wasm = {
        memory,
        ramSize: RAM_SIZE,
        registersOffset: WASM_STATE + 64,
        xmmOffset: WASM_STATE + 128,
        scratchOffset: WASM_SCRATCH,
        scratchSize: WASM_PAGES * 0x10000 - WASM_SCRATCH,
      };
    } else {
      this.bytes = new Uint8Array(RAM_SIZE);
      this.tlb = new Int32Array(1 << 20);
      this.masks = new Int32Array(2);
      this.memo = new Int32Array(3072 >> 2);
      this.chunks = new Uint8Array(128);
      this.flatRead = new Int32Array(1);
      this.wasm = undefined;
    }
    this.masks.set([1 | 32, 1 | 32 | 64]);
    for (let p = 0; p < RAM_SIZE >>> 12; p++) this.tlb[p] = p === HOLE >>> 12 ? 0 : (p << 12) | 1;
    // Writes to the read-only page take the slow path, which faults.
    this.tlb[RO_PAGE >>> 12] = RO_PAGE | 1 | 64;
  }
  /** The Mmu's fast-path view (see `tlb`): translated code reads and writes `bytes` directly. */
  fastPath(): FastMemoryView {
    const buf = this.bytes.buffer;
    return {
      tlb: this.tlb,
      u8: this.bytes,
      u16: new Uint16Array(buf, 0, RAM_SIZE >>> 1),
      i32: new Int32Array(buf, 0, RAM_SIZE >>> 2),
      masks: this.masks,
      memo: this.memo,
      chunks: this.chunks,
      flatRead: this.flatRead,
      ...(this.wasm === undefined ? {} : { wasm: this.wasm }),
    };
  }
  private wrote(a: number): void {
    const page = a >>> 12;
    if (this.watched[page] === 1) {
      this.watched[page] = 0;
      this.writesToWatched++;
      // As PhysicalSpace: a listener the write missed (true) keeps the watch.
      if (this.listener?.(page, a & 0xfff, 1) === true) this.watched[page] = 1;
      else if (page !== HOLE >>> 12) this.tlb[page] = (page << 12) | 1;
    }
  }
  /** Called with the physical address of every read (a device register's side effect). */
  onRead: ((phys: number) => void) | null = null;
  read8(linear: number): number {
    this.slowReads++;
    const a = this.check(linear, false);
    this.onRead?.(a);
    return this.bytes[a]!;
  }
  read16(linear: number): number {
    return this.read8(linear) | (this.read8(linear + 1) << 8);
  }
  read32(linear: number): number {
    return (this.read16(linear) | (this.read16(linear + 2) << 16)) >>> 0;
  }
  write8(linear: number, value: number): void {
    const a = this.check(linear, true);
    this.wrote(a);
    this.bytes[a] = value;
  }
  write16(linear: number, value: number): void {
    this.check(linear + 1, true);
    this.write8(linear, value & 0xff);
    this.write8(linear + 1, (value >>> 8) & 0xff);
  }
  write32(linear: number, value: number): void {
    this.check(linear + 3, true);
    this.write16(linear, value & 0xffff);
    this.write16(linear + 2, (value >>> 16) & 0xffff);
  }
  /** LinearMemory.probeWrite: a write's fault without the write (last byte first, as write32). */
  probeWrite(linear: number, width: number): void {
    this.check(linear + width - 1, true);
    this.check(linear, true);
  }
  fetch8(linear: number): number {
    return this.bytes[this.check(linear, false)]!;
  }
  setPaging(_state: PagingState): void {}
  setUserMode(_isUser: boolean): void {}
  invalidatePage(_linear: number): void {}
  flushTlb(_global: boolean): void {}
  setFaultSink(sink: PageFaultSink): void {
    this.sink = sink;
  }
  // CodeTranslator / CodePageWatch
  translate(linear: number, kind: number): number {
    return this.check(linear, kind === 1);
  }
  watchPage(page: number): void {
    if (page >= 0 && page < this.watched.length) {
      this.watched[page] = 1;
      this.memo.fill(0);
      if (page !== HOLE >>> 12) this.tlb[page] = (page << 12) | 1 | 64;
    }
  }
  isWatched(page: number): boolean {
    return this.watched[page] === 1;
  }
  onCodeWrite(listener: (page: number, offset: number, length: number) => boolean | void): void {
    this.listener = listener;
  }
}

export interface Machine {
  cpu: Cpu;
  mem: TestMemory;
  engine: Recompiler | null;
}

/**
 * Back end of the recompiler: "js", "wasm" (RAM/TLB in one WebAssembly.Memory, registers copied
 * in and out of it by the region wrapper) or "wasm-shared" (CpuState.regs in that memory too).
 */
export type TestBackend = "js" | "wasm" | "wasm-shared";

/** Optional parts of a test machine (defaults: NullPorts, no interrupts, engine defaults). */
export interface MachineExtras {
  io?: PortIo;
  interrupts?: InterruptSource;
  maxRegionBlocks?: number;
  wasmChain?: boolean;
  /** Regions translated together when a block gets hot (RecompilerOptions.batchSize). */
  batchSize?: number;
  maxWasmRegions?: number;
  /** RecompilerOptions.maxWasmModules. */
  maxWasmModules?: number;
  /** RecompilerOptions.maxHeldWasmModules. */
  maxHeldWasmModules?: number;
  /** Slots per chunk of the cold blocks' pool (RecompilerOptions.coldChunk). */
  coldChunk?: number;
  /** RecompilerOptions.heatAfterRegion. */
  heatAfterRegion?: number;
  /** RecompilerOptions.userHeat. */
  userHeat?: number;
  /** RecompilerOptions.denseRuns. */
  denseRuns?: number;
  /** RecompilerOptions.directMemory. */
  directMemory?: boolean;
}

/** A flat protected-mode machine with `code` at CODE_AT; `engine` null = interpreter only. */
export function makeMachine(
  code: Uint8Array,
  useRecompiler: boolean,
  hotThreshold = 1,
  fastMemory = true,
  backend: TestBackend = "js",
  extras: MachineExtras = {},
): Machine {
  const mem = new TestMemory(backend !== "js");
  const w = mem.wasm;
  const registers =
    backend === "wasm-shared" && w !== undefined
      ? new Int32Array(w.memory.buffer, w.registersOffset, 8)
      : undefined;
  const xmm =
    backend === "wasm-shared" && w !== undefined
      ? new Uint32Array(w.memory.buffer, w.xmmOffset, 32)
      : undefined;
  const cpu = new Cpu({
    memory: mem,
    io: extras.io ?? new NullPorts(),
    ...(registers ? { registers } : {}),
    ...(xmm ? { xmm } : {}),
    ...(extras.interrupts ? { interrupts: extras.interrupts } : {}),
  });
  const b = mem.bytes;
  // GDT: null, flat code, flat data.
  b.set([0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0], GDT + 8);
  b.set([0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0], GDT + 16);
  for (let v = 0; v < 32; v++) {
    const h = HANDLERS_AT + 16 * v;
    b.set([0xf4, 0xeb, 0xfd], h); // hlt; jmp $-1
    b.set([h & 0xff, (h >>> 8) & 0xff, 0x08, 0, 0, 0x8e, (h >>> 16) & 0xff, h >>> 24], IDT + 8 * v);
  }
  b.set(code, CODE_AT);
  cpu.setControlRegister(0, 0x60000011);
  const s: CpuState = cpu.state;
  s.gdtrBase = GDT;
  s.gdtrLimit = 23;
  s.idtrBase = IDT;
  s.idtrLimit = 32 * 8 - 1;
  cpu.loadSegmentCache(
    SegReg.CS,
    0x08,
    0,
    0xffffffff,
    0x80 | 0x10 | 0x08 | 0x02 | 0x01 | 0x4000 | 0x8000,
  );
  for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS]) {
    cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, 0x80 | 0x10 | 0x02 | 0x01 | 0x4000 | 0x8000);
  }
  cpu.eip = CODE_AT;
  cpu.setReg32(4, STACK_TOP);
  const engine = useRecompiler
    ? new Recompiler({
        cpu,
        mmu: mem,
        physical: mem,
        hotThreshold,
        fastMemory,
        backend: backend === "js" ? "js" : "wasm",
        ...(extras.interrupts ? { interrupts: extras.interrupts } : {}),
        ...(extras.maxRegionBlocks !== undefined
          ? { maxRegionBlocks: extras.maxRegionBlocks }
          : {}),
        ...(extras.heatAfterRegion !== undefined
          ? { heatAfterRegion: extras.heatAfterRegion }
          : {}),
        ...(extras.userHeat !== undefined ? { userHeat: extras.userHeat } : {}),
        ...(extras.wasmChain !== undefined ? { wasmChain: extras.wasmChain } : {}),
        ...(extras.maxWasmRegions !== undefined ? { maxWasmRegions: extras.maxWasmRegions } : {}),
        ...(extras.maxWasmModules !== undefined ? { maxWasmModules: extras.maxWasmModules } : {}),
        ...(extras.maxHeldWasmModules !== undefined
          ? { maxHeldWasmModules: extras.maxHeldWasmModules }
          : {}),
        ...(extras.batchSize !== undefined ? { batchSize: extras.batchSize } : {}),
        ...(extras.coldChunk !== undefined ? { coldChunk: extras.coldChunk } : {}),
        ...(extras.denseRuns !== undefined ? { denseRuns: extras.denseRuns } : {}),
        ...(extras.directMemory !== undefined ? { directMemory: extras.directMemory } : {}),
      })
    : null;
  return { cpu, mem, engine };
}

/** Architectural state as a printable record (what the differential tests compare). */
export function snapshot(cpu: Cpu): Record<string, number | boolean> {
  const s = cpu.state;
  const out: Record<string, number | boolean> = {};
  const names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
  names.forEach((n, i) => (out[n] = s.regs[i]! >>> 0));
  out.eip = s.eip >>> 0;
  out.eflags = s.getEflags();
  for (let i = 0; i < 6; i++) {
    out[`sel${i}`] = s.segSel[i]!;
    out[`base${i}`] = s.segBase[i]! >>> 0;
  }
  out.cr0 = s.cr0 >>> 0;
  out.cr2 = s.cr2 >>> 0;
  out.cpl = s.cpl;
  out.halted = s.halted;
  out.retired = s.retired;
  out.shadow = s.interruptShadow;
  out.cr4 = s.cr4 >>> 0;
  for (let k = 0; k < 32; k++) out[`xmm${k >> 2}.${k & 3}`] = s.sse.d[k]!;
  return out;
}
