// The architectural state the interpreter works on. Plain fields and typed arrays only: the
// hot path reads them directly, nothing is allocated per instruction.
import type { Clock, DataWatchHook, LinearFastPath, LinearMemory, PortIo } from "@ringvm/bus";
import { ARITH_FLAGS, CF, FLAGS_FIXED_ONE, LazyOp, PF, AF, ZF, SF, OF } from "./flags";
import { SseState } from "../simd/state";
import { X87State } from "../x87/state";

/** Segment-cache slots: the six segment registers, then LDTR and TR. */
export const SEG_LDTR = 6;
export const SEG_TR = 7;

/** Parity flag of each byte value: PF=1 when the number of set bits is even. */
const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let b = i; b !== 0; b >>= 1) bits += b & 1;
  PARITY[i] = (bits & 1) === 0 ? PF : 0;
}

/**
 * First value of a field that holds unsigned 32-bit values (EIP, CR0, CR2, CR3): not a small
 * integer, so V8 lays the field out as a double from the start, and the constructor then sets
 * the architectural value. A field that began as a small integer changes representation the
 * first time it holds 2^31 or more (a kernel's EIP, CR0.PG), and every compiled function that
 * has seen a `CpuState` deoptimizes at once.
 */
const DOUBLE_FIELD = 2 ** 31;

/**
 * The TSC-deadline mode of a local APIC's timer (SDM vol. 3, 10.5.4.1), as IA32_TSC_DEADLINE
 * reaches it: the MSR's value (0 when disarmed, when it fired, or outside TSC-deadline mode), and
 * a write of `value` (0 disarms) whose target is guest time `atNs` (the TSC less its offset).
 */
export interface TscDeadlineTimer {
  readTscDeadline(): number;
  writeTscDeadline(value: number, atNs: number): void;
}

export class CpuState {
  /** General-purpose registers EAX..EDI, with 16- and 8-bit views (host is little-endian). */
  readonly regs: Int32Array;
  readonly regs16: Uint16Array;
  readonly regs8: Uint8Array;
  eip = DOUBLE_FIELD;
  /** EIP of the instruction being executed: faults report it and restart from it. */
  startEip = DOUBLE_FIELD;
  /** ESP at instruction start, restored when the instruction faults. */
  startEsp = 0;

  /** Concrete EFLAGS bits; the bits in `lazyMask` are computed from the lazy record instead. */
  flags = FLAGS_FIXED_ONE;
  lazyMask = 0;
  lazyOp: LazyOp = LazyOp.Logic;
  lazyDst = 0;
  lazySrc = 0;
  lazyRes = 0;
  /** Bit number of the sign bit of the last lazy operation (7, 15 or 31). */
  lazyTop = 7;

  /** Segment caches: selector, base, byte limit, access rights (descriptor dword 1 bits 8-23). */
  readonly segSel = new Uint16Array(8);
  readonly segBase = new Int32Array(8);
  readonly segLimit = new Uint32Array(8);
  readonly segAr = new Uint32Array(8);
  /**
   * Flat data segments, kept by segments.ts (`updateFlat`) whenever a segment cache changes:
   * bit `seg` when segment `seg` (ES..GS) is present, not expand-down, with base 0 and limit
   * 0xFFFFFFFF (so an aligned access of any size passes every check of `checkedLinear`, the
   * alignment check included); bit `8 + seg` when it is also a writable data segment.
   */
  flatSegs = 0;
  /**
   * The same bits without the base-0 condition (any base, limit 0xFFFFFFFF): base + offset is
   * the linear address when the access does not run past 4 GiB (the recompiler's FS/GS path).
   */
  wideSegs = 0;

  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;

  cr0 = DOUBLE_FIELD;
  cr2 = DOUBLE_FIELD;
  cr3 = DOUBLE_FIELD;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  efer = 0;

  /** Current privilege level (CS.RPL in protected mode, 3 in v8086, 0 in real mode). */
  cpl = 0;
  /** Default operand/address size of CS is 32-bit (D bit). */
  cs32 = false;
  /** Stack size of SS is 32-bit (B bit). */
  ss32 = false;

  /** Instruction boundaries until which interrupts stay inhibited (MOV SS, POP SS, STI). */
  interruptShadow = false;
  halted = false;
  nmiPending = false;
  /** NMIs are blocked from delivery until the next IRET. */
  nmiBlocked = false;

  // [debug] debug.ts: the armed breakpoint kinds (0: the run loop never enters debug.ts unless
  // EFLAGS.RF is set), the #DB trap bits of the current instruction, the MMU watch hook.
  debugMode = 0;
  debugHits = 0;
  debugHook: DataWatchHook | null = null;

  // Model-specific registers we implement (SDM vol. 4, table 2-2 "IA-32 architectural MSRs").
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  apicBase = 0xfee00900; // APIC at its default base, enabled, bootstrap processor
  patHigh = 0x00070406;
  patLow = 0x00070406;
  tscOffset = 0;
  /** MTRR and other harmless MSRs kept as written: index -> [low, high]. Not on the hot path. */
  readonly msrStore = new Map<number, [number, number]>();

  /** x87 FPU (and the MMX registers aliased on it) and the SSE registers/MXCSR (handlers/x87.ts,
   *  handlers/simd.ts). */
  readonly fpu = new X87State();
  readonly sse: SseState;

  /** Guest time source for RDTSC; without one the TSC counts retired instructions. */
  clock: Clock | null = null;
  /**
   * The local APIC's TSC-deadline timer behind IA32_TSC_DEADLINE (SDM vol. 3, 10.5.4.1), wired by
   * the board; null: none, so CPUID does not report it and the MSR raises #GP.
   */
  tscDeadline: TscDeadlineTimer | null = null;
  /**
   * The memory's TLB fast path when CPU writes may use it directly (a code-page watch keeps
   * translated code off fast-writable pages), else undefined: REP MOVS/STOS copy and fill
   * plain-RAM pages through it a page at a time (integer-string.ts `bulkRun`).
   */
  ramFast: LinearFastPath | undefined = undefined;
  /**
   * Instructions retired, kept here so RDTSC can use it without a clock (a double field: a boot
   * passes 2^31 instructions).
   */
  retired = DOUBLE_FIELD;

  /**
   * `registers`: eight int32 where the general registers live (e.g. in a WebAssembly memory
   * shared with generated code); a fresh array by default.
   */
  constructor(
    readonly memory: LinearMemory,
    readonly io: PortIo,
    registers?: Int32Array,
    xmm?: Uint32Array,
  ) {
    this.sse = new SseState(xmm);
    if (registers !== undefined && registers.length !== 8)
      throw new RangeError(`registers must be 8 int32, got ${registers.length}`);
    const regs = registers ?? new Int32Array(8);
    this.regs = regs;
    this.regs16 = new Uint16Array(regs.buffer, regs.byteOffset, 16);
    this.regs8 = new Uint8Array(regs.buffer, regs.byteOffset, 32);
    this.eip = 0;
    this.startEip = 0;
    this.cr0 = 0x60000010;
    this.cr2 = 0;
    this.cr3 = 0;
    this.retired = 0;
  }

  // ---- lazy flags ----

  /** Records an arithmetic result whose six status flags are derived lazily. */
  setLazy(op: LazyOp, dst: number, src: number, res: number, top: number): void {
    this.lazyOp = op;
    this.lazyDst = dst;
    this.lazySrc = src;
    this.lazyRes = res;
    this.lazyTop = top;
    this.lazyMask = ARITH_FLAGS;
  }

  /** Records a result whose SF/ZF/PF are derived lazily; CF, OF and AF are set to `cfOfAf`. */
  setLogic(res: number, top: number, cfOfAf: number): void {
    this.lazyOp = LazyOp.Logic;
    this.lazyRes = res;
    this.lazyTop = top;
    this.lazyMask = SF | ZF | PF;
    this.flags = (this.flags & ~(CF | OF | AF)) | cfOfAf;
  }

  getCF(): number {
    if ((this.lazyMask & CF) === 0) return this.flags & CF;
    const a = this.lazyDst;
    const b = this.lazySrc;
    const r = this.lazyRes;
    if (this.lazyOp === LazyOp.Add) return (((a & b) | ((a | b) & ~r)) >>> this.lazyTop) & 1;
    if (this.lazyOp === LazyOp.Sub) return (((~a & b) | (~(a ^ b) & r)) >>> this.lazyTop) & 1;
    return 0;
  }

  getOF(): boolean {
    if ((this.lazyMask & OF) === 0) return (this.flags & OF) !== 0;
    const a = this.lazyDst;
    const b = this.lazySrc;
    const r = this.lazyRes;
    if (this.lazyOp === LazyOp.Add)
      return (((a ^ r) & (b ^ r)) >>> this.lazyTop) & 1 ? true : false;
    if (this.lazyOp === LazyOp.Sub)
      return (((a ^ b) & (a ^ r)) >>> this.lazyTop) & 1 ? true : false;
    return false;
  }

  getZF(): boolean {
    if ((this.lazyMask & ZF) === 0) return (this.flags & ZF) !== 0;
    return ((this.lazyRes << (31 - this.lazyTop)) | 0) === 0;
  }

  getSF(): boolean {
    if ((this.lazyMask & SF) === 0) return (this.flags & SF) !== 0;
    return ((this.lazyRes >>> this.lazyTop) & 1) !== 0;
  }

  getPF(): boolean {
    if ((this.lazyMask & PF) === 0) return (this.flags & PF) !== 0;
    return PARITY[this.lazyRes & 0xff] !== 0;
  }

  getAF(): boolean {
    if ((this.lazyMask & AF) === 0) return (this.flags & AF) !== 0;
    if (this.lazyOp === LazyOp.Logic) return false;
    return ((this.lazyDst ^ this.lazySrc ^ this.lazyRes) & 0x10) !== 0;
  }

  /** The full EFLAGS value with every lazy flag materialized. */
  getEflags(): number {
    const m = this.lazyMask;
    if (m === 0) return this.flags >>> 0;
    let f = this.flags & ~m;
    if (m & CF) f |= this.getCF();
    if (m & PF && this.getPF()) f |= PF;
    if (m & AF && this.getAF()) f |= AF;
    if (m & ZF && this.getZF()) f |= ZF;
    if (m & SF && this.getSF()) f |= SF;
    if (m & OF && this.getOF()) f |= OF;
    return f >>> 0;
  }

  /** Materializes the flags in `mask` into `flags` so they can be edited concretely. */
  materialize(mask: number): void {
    if ((this.lazyMask & mask) === 0) return;
    const f = this.getEflags();
    this.flags = f;
    this.lazyMask = 0;
  }

  /** Replaces EFLAGS bits in `mask` with `value` (no privilege rules: callers apply them). */
  writeFlagBits(mask: number, value: number): void {
    this.materialize(mask);
    this.flags = ((this.flags & ~mask) | (value & mask) | FLAGS_FIXED_ONE) >>> 0;
  }
}
