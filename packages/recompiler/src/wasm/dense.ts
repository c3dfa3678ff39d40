// The dense cold tier: a cold block's instructions copied as three words each (kind, compact
// word, argument: the very slots `runCold` reads, cold.ts) into the shared memory, and run there
// by one precompiled WebAssembly function instead of the interpreter's JavaScript handlers
// (bench/dense-spike: 2-7 ns per instruction against 18-66 ns). It runs every compact form, all
// of which only compute or touch plain RAM through the TLB's fast path (MOV, the ALU operations
// with ADC/SBB, IMUL r32, r/m32, LEA, loads and stores of 8, 16 and 32 bits, MOVZX/MOVSX,
// PUSH/POP, PUSH imm and r/m32, LEAVE, INC/DEC, shifts and rotates by a constant or CL, CMOVcc,
// SETcc, read-modify-writes of memory, NOP; FS and GS with a base and a 4 GiB limit),
// Jcc/JMP rel, and a CALL or RET closing the block,
// keeping CpuState's own lazy flag record (`setLazy`/`setLogic`), so a call copies seven fields
// in and six out. It leaves at an instruction it does not run (another form, a fast-path test
// that fails: TLB rights, a segment it cannot use or an unaligned access, a 16-bit stack) before
// that instruction has any effect; `runCold` runs that one in JavaScript and may enter the tier
// again after it: faults, slow paths, events and self-modifying code stay the interpreter's (a
// fast-path access reaches no device and no watched code page).
import {
  AF,
  alignmentChecks,
  ARITH_FLAGS,
  BLOCK_COND_ALWAYS,
  BLOCK_K_EIP,
  BLOCK_K_FUSED,
  BLOCK_K_JCC,
  CF,
  COMPACT_LAYOUT as L,
  LazyOp,
  OF,
  PF,
  SF,
  ZF,
  type CpuState,
} from "@ringvm/cpu";
import {
  OP_ARG,
  OP_HANDLER,
  OP_KIND,
  OP_LEN_SHIFT,
  OP_OFF_SHIFT,
  OP_STRIDE,
  type ColdBlock,
} from "../cold";
import { wasmApi, type WasmMemoryLike } from "./api";
import { Asm, buildModule, Op, type Label } from "./asm";
import { emitCondition, type WasmLayout } from "./lower";

/** Bytes per instruction in the pool: kind, compact word (a Jcc: 0), argument. */
const INSN_BYTES = 12;
/** A kind word the tier never runs: the words end there. */
const STOP = -1;
/** Bit of the result: the last instruction run was a taken Jcc (its target is the caller's). */
export const DENSE_TAKEN = 0x100;
/**
 * Bit of the result: the last instruction run was the block's closing CALL or RET, done (the
 * stack written or read); the caller sets EIP to `DenseTier.target`.
 */
export const DENSE_JUMP = 0x200;
/** Words of the flag record and mode (byte offsets from the tier's area). */
const LOP = 0;
const LDST = 4;
const LSRC = 8;
const LRES = 12;
const LTOP = 16;
const LMASK = 20;
const FLAGS = 24;
const FLAT = 28;
const SS32 = 32;
/**
 * The six segments' bases (a word each, by segment number): FS and GS's when the caller lets
 * the tier use them (a 4 GiB limit, `segmentBits`), 0 for the others, which it uses only flat.
 */
const SEG_BASE = 36;
/**
 * In: the block's first EIP (a CALL's return address is an offset from it); out, with
 * DENSE_JUMP: where the CALL or RET went (`DenseTier.target`).
 */
const EIP0 = 60;
/** Where the pool starts in the tier's area. */
const POOL = 64;
/** The pool at least (else no tier). */
const MIN_POOL_BYTES = 64 << 10;
/**
 * Scratch bytes the tier wants after the dynamic-exit hash (WASM_CHAIN_SCRATCH_BYTES): its words
 * and a pool for ~87 K instructions, about what a boot's warm cold blocks hold at once (a full
 * pool starts over, and blocks encode again as they run).
 */
export const WASM_DENSE_SCRATCH_BYTES = 1 << 20;
const ESP = 4;
const EBP = 5;

type DenseFn = (at: number, n: number) => number;

export class DenseTier {
  /** Bumped when the pool is reused from its start: blocks encoded before encode again. */
  gen = 1;
  private readonly M: Int32Array;
  private readonly f: number;
  private readonly poolStart: number;
  private readonly poolEnd: number;
  private next: number;
  private readonly run: DenseFn;

  private constructor(layout: WasmLayout, memory: WasmMemoryLike, run: DenseFn) {
    this.M = new Int32Array(memory.buffer);
    this.f = layout.dense >>> 2;
    this.poolStart = layout.dense + POOL;
    this.next = this.poolStart;
    this.poolEnd = layout.dense + layout.denseBytes;
    this.run = run;
    // The bases of ES, CS, SS and DS stay 0: the tier uses those segments only flat.
    this.M.fill(0, this.f + SEG_BASE / 4, this.f + SEG_BASE / 4 + 4);
  }

  /** The tier in `layout.dense`, or null (no WebAssembly, or no room there for a pool). */
  static create(layout: WasmLayout, memory: WasmMemoryLike): DenseTier | null {
    const api = wasmApi();
    if (api === undefined || layout.dense < 0 || layout.denseBytes < POOL + MIN_POOL_BYTES)
      return null;
    const code = denseBody(layout);
    const bytes = buildModule([{ imports: [], locals: LOCALS - 2, code }], layout.pages, {
      params: 2,
      results: 1,
    });
    const run = new api.Instance(new api.Module(bytes), { e: { m: memory } }).exports.f0 as DenseFn;
    return new DenseTier(layout, memory, run);
  }

  /**
   * Copies block `b`'s slots into the pool, a STOP word for each instruction the tier does not
   * run; `b.denseCount`: 0 when it runs none of them (nothing written), else the block's count.
   * The pool starts over (a new generation) when full.
   */
  encode(b: ColdBlock): void {
    const n = b.count;
    const room = n * INSN_BYTES;
    if (this.next + room > this.poolEnd) {
      this.gen++;
      this.next = this.poolStart;
    }
    b.denseGen = this.gen;
    b.denseCount = 0;
    const M = this.M;
    const ops = b.ops;
    let w = this.next >>> 2;
    let any = false;
    for (let k = 0; k < n; k++, w += 3) {
      const o = b.opsAt + k * OP_STRIDE;
      const kind = ops[o + OP_KIND] as number;
      const bits = kind & 0xff;
      M[w] = STOP;
      if (bits === BLOCK_K_JCC) {
        M[w] = kind;
        M[w + 1] = 0;
        M[w + 2] = 0;
      } else if (bits === BLOCK_K_FUSED) {
        // The form fused with the Jcc after it: its own word and argument (cold.ts), run apart.
        const pair = ops[o + OP_ARG];
        if (!Array.isArray(pair) || !runs(pair[0] as number)) continue;
        M[w] = kind & ~0xff;
        M[w + 1] = pair[0] as number;
        M[w + 2] = pair[1] as number;
      } else {
        const h = ops[o + OP_HANDLER];
        if (typeof h !== "number" || !runs(h)) continue;
        // Of the forms that move EIP, only a CALL or RET closing the block (DENSE_JUMP).
        if (closes(h) ? k !== n - 1 : (kind & BLOCK_K_EIP) !== 0) continue;
        M[w] = kind;
        M[w + 1] = h;
        M[w + 2] = ops[o + OP_ARG] as number;
      }
      any = true;
    }
    if (!any) return;
    b.denseAt = this.next;
    b.denseCount = n;
    this.next += room;
  }

  /**
   * Whether the instructions of `b` from `k` start with `min` the tier runs (all of them
   * when fewer are left): worth an entry after the interpreter ran the one before.
   */
  runsFrom(b: ColdBlock, k: number, min: number): boolean {
    const M = this.M;
    const w = (b.denseAt >>> 2) + k * 3;
    for (let j = 0; j < min && k + j < b.count; j++) if (M[w + 3 * j] === STOP) return false;
    return true;
  }

  /**
   * Runs block `b`'s words from instruction `k` on: the instructions run (they are done:
   * registers, flags, memory), with DENSE_TAKEN when the last one was a taken Jcc, DENSE_JUMP
   * when it was a closing CALL or RET. EIP and the retired count are the caller's.
   */
  enter(s: CpuState, b: ColdBlock, k: number): number {
    const M = this.M;
    const f = this.f;
    M[f] = s.lazyOp;
    M[f + 1] = s.lazyDst | 0;
    M[f + 2] = s.lazySrc | 0;
    M[f + 3] = s.lazyRes | 0;
    M[f + 4] = s.lazyTop;
    M[f + 5] = s.lazyMask;
    M[f + 6] = s.flags | 0;
    M[f + 7] = segmentBits(s, M, f);
    M[f + 8] = s.ss32 ? 1 : 0;
    M[f + EIP0 / 4] = b.eipKey;
    const r = this.run(b.denseAt + k * INSN_BYTES, b.count - k);
    if ((r & 0xff) !== 0) {
      s.lazyOp = M[f]! as LazyOp;
      s.lazyDst = M[f + 1]!;
      s.lazySrc = M[f + 2]!;
      s.lazyRes = M[f + 3]!;
      s.lazyTop = M[f + 4]!;
      s.lazyMask = M[f + 5]!;
      s.flags = M[f + 6]! >>> 0;
    }
    return r;
  }

  /** After a result with DENSE_JUMP: the EIP the CALL or RET went to. */
  target(): number {
    return this.M[this.f + EIP0 / 4]! >>> 0;
  }
}

/** FS and GS: the segments with a base the tier adds (Linux's per-CPU data is at FS:). */
const BASED = (1 << 4) | (1 << 5);
const BASED_BITS = BASED | (BASED << 8);

/**
 * The FLAT word: the flat segments' bits (`CpuState.flatSegs`), and those of FS and GS when they
 * are not flat but have a 4 GiB limit (segments.ts `wideSegs`: no limit to test for the aligned
 * accesses the tier makes, so linear = base + offset); not under alignment checks, nor for a
 * base that is not 4-aligned (an aligned offset must give an aligned linear address: the fast
 * path's test). Writes FS's and GS's bases to SEG_BASE (0 when flat).
 */
function segmentBits(s: CpuState, M: Int32Array, f: number): number {
  const bases = s.segBase;
  M[f + SEG_BASE / 4 + 4] = bases[4]!;
  M[f + SEG_BASE / 4 + 5] = bases[5]!;
  const flat = s.flatSegs;
  const extra = s.wideSegs & ~flat & BASED_BITS;
  if (extra === 0 || alignmentChecks(s)) return flat;
  let bits = flat;
  if ((bases[4]! & 3) === 0) bits |= extra & (0x101 << 4);
  if ((bases[5]! & 3) === 0) bits |= extra & (0x101 << 5);
  return bits;
}

/** Whether compact word `w` is a CALL or RET (the tier runs them only closing a block). */
function closes(w: number): boolean {
  return (w & 15) === L.C_CALL || ((w & 15) === L.C_REG && ((w >>> L.W_SUB) & 15) === L.R_RET);
}

/**
 * Whether the tier runs compact word `w`: every form (the function below leaves at a fast-path
 * test that fails), but RCL and RCR, which read CF (compactForm makes none of them).
 */
function runs(w: number): boolean {
  const sub = (w >>> L.W_SUB) & 15;
  return (w & 15) !== L.C_REG || (sub !== L.R_RCL && sub !== L.R_RCR);
}

// Locals of the function: parameters at (the words' address) and n (their count), then these.
const AT = 0;
const N = 1;
const K = 2;
const KIND = 3;
const W = 4;
const ARG = 5;
const EA = 6;
const E = 7;
const A = 8;
const B = 9;
const R = 10;
const OP = 11;
const T = 12;
const TA = 13;
const TB = 14;
const TR = 15;
const TT = 16;
/** C_X's kind. */
const XK = 17;
const LOCALS = 18;

/** The function `(at, n) -> k | DENSE_TAKEN?` over `layout` (see `DenseTier.enter`). */
function denseBody(layout: WasmLayout): Uint8Array {
  const a = new Asm();
  const F = layout.dense;
  const REGS = layout.regs;
  const ld = (off: number): void => void a.i32(0).mem(Op.i32Load, off);
  const st = (off: number, push: () => void): void => {
    a.i32(0);
    push();
    a.mem(Op.i32Store, off);
  };
  /** Pushes the byte offset of register field `shift` of w (3 bits) from the registers. */
  const regField = (shift: number): void =>
    void a.get(W).i32(shift).op(Op.i32ShrU).i32(7).op(Op.i32And).i32(2).op(Op.i32Shl);
  const getReg = (shift: number): void => {
    regField(shift);
    a.mem(Op.i32Load, REGS);
  };
  const setReg = (shift: number, push: () => void): void => {
    regField(shift);
    push();
    a.mem(Op.i32Store, REGS);
  };

  // Flag record writes, as CpuState.setLazy / setLogic with top 31.
  const record = (op: number, x: number, y: number, res: number, top = 31): void => {
    st(F + LOP, () => a.i32(op));
    st(F + LDST, () => a.get(x));
    st(F + LSRC, () => a.get(y));
    st(F + LRES, () => a.get(res));
    st(F + LTOP, () => a.i32(top));
    st(F + LMASK, () => a.i32(ARITH_FLAGS));
  };
  const logic = (res: number, top = 31): void => {
    st(F + LOP, () => a.i32(LazyOp.Logic));
    st(F + LRES, () => a.get(res));
    st(F + LTOP, () => a.i32(top));
    st(F + LMASK, () => a.i32(SF | ZF | PF));
    st(F + FLAGS, () => {
      ld(F + FLAGS);
      a.i32(~(CF | OF | AF)).op(Op.i32And);
    });
  };
  /**
   * R = op(A, B) with its flags (an AluOp: ADD, ADC, SUB, SBB, AND, OR, XOR; or, 32-bit only,
   * ALU_IMUL), 32-bit or (top 7) on bytes (alu.ts: the sum or difference, with ADC/SBB's carry
   * in, wrapped to the operand size, and the record of ADD or SUB).
   */
  const alu = (top = 31): void => {
    const wrap = (): void => void (top === 7 && a.i32(0xff).op(Op.i32And));
    a.get(OP).i32(4).op(Op.i32LtU);
    a.open(Op.if);
    // ADD 0, ADC 1, SUB 2, SBB 3: the carry in (T) read before the record is replaced.
    a.get(OP).i32(1).op(Op.i32And);
    a.ifI32();
    flag(CF);
    a.else();
    a.i32(0);
    a.end();
    a.set(T);
    a.get(OP).i32(2).op(Op.i32And);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32Sub).get(T).op(Op.i32Sub);
    wrap();
    a.set(R);
    record(LazyOp.Sub, A, B, R, top);
    a.else();
    a.get(A).get(B).op(Op.i32Add).get(T).op(Op.i32Add);
    wrap();
    a.set(R);
    record(LazyOp.Add, A, B, R, top);
    a.end();
    a.else();
    a.get(OP).i32(L.ALU_IMUL).op(Op.i32Eq);
    a.open(Op.if);
    // alu.ts imul32: CF = OF = the signed product does not fit; the others kept (mulFlags).
    a.get(A).get(B).op(Op.i32Mul).set(R);
    a.get(A).op(Op.i64ExtendI32S).get(B).op(Op.i64ExtendI32S).op(Op.i64Mul);
    a.get(R).op(Op.i64ExtendI32S).op(Op.i64Ne).tee(T).set(TT);
    rotateFlags();
    a.else();
    a.get(OP).i32(4).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32And).set(R);
    a.else();
    a.get(OP).i32(5).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32Or).set(R);
    a.else();
    a.get(A).get(B).op(Op.i32Xor).set(R);
    a.end();
    a.end();
    logic(R, top);
    a.end();
    a.end();
  };

  /** Loads the record's operands into TA TB TR TT. */
  const operands = (): void => {
    ld(F + LDST);
    a.set(TA);
    ld(F + LSRC);
    a.set(TB);
    ld(F + LRES);
    a.set(TR);
    ld(F + LTOP);
    a.set(TT);
  };
  /** Pushes flag `bit` (0/1) as CpuState.getCF/getOF/... derive it. */
  const flag = (bit: number): void => {
    ld(F + LMASK);
    a.i32(bit).op(Op.i32And).op(Op.i32Eqz);
    a.ifI32();
    ld(F + FLAGS);
    a.i32(bit).op(Op.i32And).i32(0).op(Op.i32Ne);
    a.else();
    operands();
    if (bit === ZF) {
      a.get(TR).i32(31).get(TT).op(Op.i32Sub).op(Op.i32Shl).op(Op.i32Eqz);
    } else if (bit === SF) {
      a.get(TR).get(TT).op(Op.i32ShrU).i32(1).op(Op.i32And);
    } else if (bit === PF) {
      a.get(TR).i32(255).op(Op.i32And).op(Op.i32Popcnt).i32(1).op(Op.i32And).op(Op.i32Eqz);
    } else {
      // CF or OF: from Add or Sub records, else 0.
      ld(F + LOP);
      a.i32(LazyOp.Add).op(Op.i32Eq);
      a.ifI32();
      if (bit === CF) {
        // ((a & b) | ((a | b) & ~r)) >>> top
        a.get(TA).get(TB).op(Op.i32And);
        a.get(TA).get(TB).op(Op.i32Or).get(TR).i32(-1).op(Op.i32Xor).op(Op.i32And);
        a.op(Op.i32Or);
      } else {
        // ((a ^ r) & (b ^ r)) >>> top
        a.get(TA).get(TR).op(Op.i32Xor).get(TB).get(TR).op(Op.i32Xor).op(Op.i32And);
      }
      a.get(TT).op(Op.i32ShrU).i32(1).op(Op.i32And);
      a.else();
      ld(F + LOP);
      a.i32(LazyOp.Sub).op(Op.i32Eq);
      a.ifI32();
      if (bit === CF) {
        // ((~a & b) | (~(a ^ b) & r)) >>> top
        a.get(TA).i32(-1).op(Op.i32Xor).get(TB).op(Op.i32And);
        a.get(TA).get(TB).op(Op.i32Xor).i32(-1).op(Op.i32Xor).get(TR).op(Op.i32And);
        a.op(Op.i32Or);
      } else {
        // ((a ^ b) & (a ^ r)) >>> top
        a.get(TA).get(TB).op(Op.i32Xor).get(TA).get(TR).op(Op.i32Xor).op(Op.i32And);
      }
      a.get(TT).op(Op.i32ShrU).i32(1).op(Op.i32And);
      a.else();
      a.i32(0);
      a.end();
      a.end();
    }
    a.end();
  };
  /** Pushes whether condition T (0-15) holds (integer-cond.ts testCondition). */
  const condition = (): void => emitCondition(a, (b) => void b.get(T), flag);

  const out = a.open(Op.block);
  /** Leaves (the current instruction not run) when the i32 on the stack is nonzero. */
  const bailIf = (): void => void a.hint(false).brIf(out);
  /** EA from the word's base, index and scale fields plus displacement `disp`. */
  const effective = (disp: () => void): void => {
    disp();
    a.set(EA);
    a.get(W).i32(L.W_BASE).op(Op.i32ShrU).i32(15).op(Op.i32And).tee(T);
    a.open(Op.if);
    a.get(EA)
      .get(T)
      .i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, REGS - 4)
      .op(Op.i32Add)
      .set(EA);
    a.end();
    a.get(W).i32(L.W_INDEX).op(Op.i32ShrU).i32(15).op(Op.i32And).tee(T);
    a.open(Op.if);
    a.get(T)
      .i32(2)
      .op(Op.i32Shl)
      .mem(Op.i32Load, REGS - 4);
    a.get(W).i32(L.W_SCALE).op(Op.i32ShrU).i32(3).op(Op.i32And).op(Op.i32Shl);
    a.get(EA).op(Op.i32Add).set(EA);
    a.end();
  };
  const argDisp = (): void => void a.get(ARG);
  const wordDisp = (): void =>
    void a
      .get(W)
      .i32(2)
      .op(Op.i32Shl)
      .i32(L.W_DISP + 2)
      .op(Op.i32ShrS);
  /** The segment of the word (`seg`: a constant instead, e.g. SS). */
  const segBit = (base: number, seg?: number): void => {
    if (seg !== undefined) a.i32(base << seg);
    else a.i32(base).get(W).i32(L.W_SEG).op(Op.i32ShrU).i32(7).op(Op.i32And).op(Op.i32Shl);
  };
  /**
   * Tests that linear address EA is fast for a read (or write) of `size` bytes (flat segment,
   * aligned, plain RAM as baked.ts segLinear and its reads and writes test) and leaves its TLB
   * entry in E.
   */
  const fast = (write: boolean, seg?: number, size = 4): void => {
    ld(F + FLAT);
    segBit(write ? 0x100 : 1, seg);
    a.op(Op.i32And).op(Op.i32Eqz);
    if (size > 1)
      a.get(EA)
        .i32(size - 1)
        .op(Op.i32And)
        .op(Op.i32Or);
    bailIf();
    // The word's segment: its base (0 but for FS or GS with a 4 GiB limit, `segmentBits`).
    // The stack's (a constant segment) is flat.
    if (seg === undefined) {
      a.get(EA);
      a.get(W).i32(L.W_SEG).op(Op.i32ShrU).i32(7).op(Op.i32And).i32(2).op(Op.i32Shl);
      a.mem(Op.i32Load, F + SEG_BASE);
      a.op(Op.i32Add).set(EA);
    }
    a.get(EA).i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl).mem(Op.i32Load, layout.tlb).tee(E);
    ld(layout.masks + (write ? 4 : 0));
    a.op(Op.i32And).i32(1).op(Op.i32Ne);
    bailIf();
  };
  const hostAddress = (): void =>
    void a.get(E).i32(-4096).op(Op.i32And).get(EA).i32(4095).op(Op.i32And).op(Op.i32Or);
  const read = (seg?: number): void => {
    fast(false, seg);
    hostAddress();
    a.mem(Op.i32Load, 0);
  };
  /** A byte read of EA (baked.ts read8). */
  const read8 = (): void => {
    fast(false, undefined, 1);
    hostAddress();
    a.mem(Op.i32Load8U, 0);
  };
  /** A word read of EA (aligned, as baked.ts segLinear's fast test for the interpreter's read16). */
  const read16 = (): void => {
    fast(false, undefined, 2);
    hostAddress();
    a.mem(Op.i32Load16U, 0);
  };
  /** A byte register (`regs8` index field `shift` of w, 4 bits). */
  const getReg8 = (shift: number): void =>
    void a.get(W).i32(shift).op(Op.i32ShrU).i32(15).op(Op.i32And).mem(Op.i32Load8U, REGS);

  a.i32(0).set(K);
  const top = a.open(Op.loop);
  a.get(K).get(N).op(Op.i32GeU).brIf(out);
  a.get(AT).mem(Op.i32Load, 0).tee(KIND).i32(STOP).op(Op.i32Eq).brIf(out);
  // Jcc / JMP rel: the caller jumps (it has the target).
  a.get(KIND).i32(0xff).op(Op.i32And).i32(BLOCK_K_JCC).op(Op.i32Eq);
  a.open(Op.if);
  a.get(KIND).i32(8).op(Op.i32ShrU).i32(0xff).op(Op.i32And).tee(T);
  a.i32(BLOCK_COND_ALWAYS).op(Op.i32Eq);
  a.ifI32();
  a.i32(1);
  a.else();
  condition();
  a.end();
  a.get(K).i32(1).op(Op.i32Add).set(K);
  a.open(Op.if);
  a.get(K).i32(DENSE_TAKEN).op(Op.i32Or).op(Op.return);
  a.end();
  a.get(AT).i32(INSN_BYTES).op(Op.i32Add).set(AT);
  a.br(top);
  a.end();
  a.get(AT).mem(Op.i32Load, 4).set(W);
  a.get(AT).mem(Op.i32Load, 8).set(ARG);

  /**
   * An ALU form on register d: the operation from the word's field at `opShift`, the source
   * from `source` (a memory read may leave there: nothing is written before it), the result
   * stored into d when the word's `store` bit is set.
   */
  const aluForm = (opShift: number, store: number, source: () => void): void => {
    a.get(W).i32(opShift).op(Op.i32ShrU).i32(15).op(Op.i32And).set(OP);
    getReg(L.W_D);
    a.set(A);
    source();
    a.set(B);
    alu();
    a.get(W).i32(store).op(Op.i32And);
    a.open(Op.if);
    setReg(L.W_D, () => a.get(R));
    a.end();
  };

  /** C_REG's operation: pushes it. */
  const sub = (): void => void a.get(W).i32(L.W_SUB).op(Op.i32ShrU).i32(15).op(Op.i32And);

  /** The stack forms: a 32-bit stack only (the interpreter's pushFast/popFast); ESP into EA. */
  const stack = (): void => {
    ld(F + SS32);
    a.op(Op.i32Eqz);
    bailIf();
    a.i32(0)
      .mem(Op.i32Load, REGS + 4 * ESP)
      .set(EA);
  };
  /** Pushes R (`stack` first). */
  const push = (): void => {
    a.get(EA).i32(4).op(Op.i32Sub).set(EA);
    fast(true, 2);
    hostAddress();
    a.get(R).mem(Op.i32Store, 0);
    a.i32(0)
      .get(EA)
      .mem(Op.i32Store, REGS + 4 * ESP);
  };
  /** Pops into R (`stack` first). */
  const pop = (): void => {
    read(2);
    a.set(R);
    a.i32(0)
      .get(EA)
      .i32(4)
      .op(Op.i32Add)
      .mem(Op.i32Store, REGS + 4 * ESP);
  };
  /**
   * A CALL or RET may run here when CS has a 4 GiB limit (flat), so that its jump cannot fault
   * (jumpNear's limit test), and the stack is 32-bit.
   */
  const jumpable = (): void => {
    ld(F + FLAT);
    a.i32(1 << 1)
      .op(Op.i32And)
      .op(Op.i32Eqz);
    bailIf();
    stack();
  };
  /** The CALL or RET closing the block is done: its target is in EIP0's word. */
  const jumped = (): void => {
    a.get(K)
      .i32(1 + DENSE_JUMP)
      .op(Op.i32Add)
      .op(Op.return);
  };

  /** The result's flags of a shift (alu.ts shiftFlags: CF, OF and AF set, SF/ZF/PF lazy). */
  const shiftFlags = (): void => {
    st(F + LOP, () => a.i32(LazyOp.Logic));
    st(F + LRES, () => a.get(R));
    st(F + LTOP, () => a.i32(31));
    st(F + LMASK, () => a.i32(SF | ZF | PF));
    st(F + FLAGS, () => {
      ld(F + FLAGS);
      a.i32(~(CF | OF | AF)).op(Op.i32And);
      a.get(T).op(Op.i32Or);
      a.get(TT).i32(11).op(Op.i32Shl).op(Op.i32Or);
      a.i32(AF).op(Op.i32Or);
    });
  };
  /** The flags of a rotate (alu.ts rotFlags: CF and OF set, the others unchanged). */
  const rotateFlags = (): void => {
    st(F + FLAGS, () => {
      ld(F + FLAGS);
      a.i32(~(CF | OF)).op(Op.i32And);
      a.get(T).op(Op.i32Or);
      a.get(TT).i32(11).op(Op.i32Shl).op(Op.i32Or);
    });
    st(F + LMASK, () => {
      ld(F + LMASK);
      a.i32(~(CF | OF)).op(Op.i32And);
    });
  };
  /**
   * A shift or rotate of register d by the argument (alu.ts shl, shr, sar, rol, ror on 32 bits:
   * a count of 0 after masking changes nothing): R the result, T the CF bit, TT the OF bit.
   */
  const shift = (): void => {
    // The count: CL's (W_CL) or the argument.
    a.i32(0).mem(Op.i32Load8U, REGS + 4);
    a.get(ARG);
    a.get(W).i32(L.W_CL).op(Op.i32And);
    a.op(Op.select);
    a.i32(31).op(Op.i32And).tee(B);
    a.open(Op.if);
    getReg(L.W_D);
    a.set(A);
    sub();
    a.set(OP);
    a.get(OP).i32(L.R_ROL).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32Rotl).set(R);
    a.get(R).i32(1).op(Op.i32And).set(T);
    a.get(R).i32(31).op(Op.i32ShrU).get(T).op(Op.i32Xor).set(TT);
    rotateFlags();
    a.else();
    a.get(OP).i32(L.R_ROR).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32Rotr).set(R);
    a.get(R).i32(31).op(Op.i32ShrU).set(T);
    a.get(R).i32(30).op(Op.i32ShrU).i32(1).op(Op.i32And).get(T).op(Op.i32Xor).set(TT);
    rotateFlags();
    a.else();
    a.get(OP).i32(L.R_SHL).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32Shl).set(R);
    a.get(A).i32(32).get(B).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(T);
    a.get(R).i32(31).op(Op.i32ShrU).get(T).op(Op.i32Xor).set(TT);
    a.else();
    a.get(OP).i32(L.R_SHR).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A).get(B).op(Op.i32ShrU).set(R);
    a.get(A).get(B).i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(T);
    a.get(R).get(R).i32(1).op(Op.i32Shl).op(Op.i32Xor).i32(31).op(Op.i32ShrU).set(TT);
    a.else();
    // SAR: OF 0.
    a.get(A).get(B).op(Op.i32ShrS).set(R);
    a.get(A).get(B).i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And).set(T);
    a.i32(0).set(TT);
    a.end();
    a.end();
    shiftFlags();
    a.end();
    a.end();
    setReg(L.W_D, () => a.get(R));
    a.end();
  };
  /**
   * R = INC or DEC of A (`isInc` pushes which): CF kept (alu.ts inc/dec), the rest from the
   * result.
   */
  const incDecOf = (isInc: () => void): void => {
    flag(CF);
    a.set(T);
    a.i32(1).set(B);
    isInc();
    a.open(Op.if);
    a.get(A).i32(1).op(Op.i32Add).set(R);
    record(LazyOp.Add, A, B, R);
    a.else();
    a.get(A).i32(1).op(Op.i32Sub).set(R);
    record(LazyOp.Sub, A, B, R);
    a.end();
    st(F + FLAGS, () => {
      ld(F + FLAGS);
      a.i32(~CF).op(Op.i32And).get(T).op(Op.i32Or);
    });
    st(F + LMASK, () => a.i32(ARITH_FLAGS & ~CF));
  };
  /** INC/DEC of register d. */
  const incDec = (): void => {
    getReg(L.W_D);
    a.set(A);
    incDecOf(() => {
      sub();
      a.i32(L.R_INC).op(Op.i32Eq);
    });
    setReg(L.W_D, () => a.get(R));
  };
  /** R sign-extended from its low 32 - T bits where `signed` pushes nonzero (MOVSX). */
  const signExtend = (signed: () => void): void => {
    signed();
    a.open(Op.if);
    a.get(R).get(T).op(Op.i32Shl).get(T).op(Op.i32ShrS).set(R);
    a.end();
  };
  /** MOVZX/MOVSX r32 from a register (R_MOVX: the source and sign in the argument). */
  const movx = (): void => {
    a.get(ARG).i32(L.MOVX_WORD).op(Op.i32And);
    a.open(Op.if);
    a.get(ARG).i32(7).op(Op.i32And).i32(2).op(Op.i32Shl).mem(Op.i32Load16U, REGS).set(R);
    a.i32(16).set(T);
    a.else();
    a.get(ARG).i32(15).op(Op.i32And).mem(Op.i32Load8U, REGS).set(R);
    a.i32(24).set(T);
    a.end();
    signExtend(() => void a.get(ARG).i32(L.MOVX_SIGNED).op(Op.i32And));
    setReg(L.W_D, () => a.get(R));
  };
  /** C_REG's operations past the shifts: PUSH imm, LEAVE, MOVZX/MOVSX from a register. */
  const regPastShifts = (): void => {
    sub();
    a.i32(L.R_MOVX).op(Op.i32Eq);
    a.open(Op.if);
    movx();
    a.else();
    stack();
    sub();
    a.i32(L.R_PUSH_I).op(Op.i32Eq);
    a.open(Op.if);
    a.get(ARG).set(R);
    push();
    a.else();
    // LEAVE: ESP = EBP, then POP EBP (the read first: a refused one leaves nothing done).
    a.i32(0)
      .mem(Op.i32Load, REGS + 4 * EBP)
      .set(EA);
    pop();
    a.i32(0)
      .get(R)
      .mem(Op.i32Store, REGS + 4 * EBP);
    a.end();
    a.end();
  };
  /**
   * C_REG: shifts and rotates (by a constant or CL), INC/DEC, PUSH/POP, RET closing the block,
   * PUSH imm, LEAVE, MOVZX/MOVSX from a register.
   */
  const regForm = (): void => {
    sub();
    a.i32(L.R_PUSH_I).op(Op.i32GeU);
    a.open(Op.if);
    regPastShifts();
    a.else();
    sub();
    a.i32(L.R_SHIFT).op(Op.i32GeU);
    a.open(Op.if);
    shift();
    a.else();
    sub();
    a.i32(L.R_INC).op(Op.i32GeU);
    a.open(Op.if);
    incDec();
    a.else();
    sub();
    a.i32(L.R_RET).op(Op.i32Eq);
    a.open(Op.if);
    jumpable();
    pop();
    st(F + EIP0, () => a.get(R));
    jumped();
    a.end();
    stack();
    sub();
    a.i32(L.R_PUSH).op(Op.i32Eq);
    a.open(Op.if);
    getReg(L.W_D);
    a.set(R);
    push();
    a.else();
    pop();
    // ESP first (pop): POP ESP loads the value.
    setReg(L.W_D, () => a.get(R));
    a.end();
    a.end();
    a.end();
    a.end();
  };

  /** R = NOT A where `isNot` pushes 1, else NEG A (SUB from 0: alu.ts neg's record). */
  const notOrNeg = (isNot: () => void): void => {
    isNot();
    a.open(Op.if);
    a.get(A).i32(-1).op(Op.i32Xor).set(R);
    a.else();
    a.get(A).set(B);
    a.i32(0).set(A);
    a.i32(2).set(OP);
    alu();
    a.end();
  };

  /** X_REG's NOT, NEG, BSWAP and IMUL r32, r32, imm (SETcc is `extended`'s, with CMOVcc). */
  const xRegForm = (): void => {
    a.get(W).i32(L.W_XSUB).op(Op.i32ShrU).i32(15).op(Op.i32And).set(OP);
    getReg(L.W_D);
    a.set(A);
    a.get(OP).i32(L.XR_NEG).op(Op.i32LeU);
    a.open(Op.if);
    notOrNeg(() => void a.get(OP).i32(L.XR_NOT).op(Op.i32Eq));
    a.else();
    a.get(OP).i32(L.XR_BSWAP).op(Op.i32Eq);
    a.open(Op.if);
    a.get(A)
      .i32(8)
      .op(Op.i32Rotr)
      .i32(0xff00ff00 | 0)
      .op(Op.i32And);
    a.get(A).i32(8).op(Op.i32Rotl).i32(0x00ff00ff).op(Op.i32And);
    a.op(Op.i32Or).set(R);
    a.else();
    // IMUL r32, r32, imm: register W_R by the argument.
    getReg(L.W_R);
    a.set(A);
    a.get(ARG).set(B);
    a.i32(L.ALU_IMUL).set(OP);
    alu();
    a.end();
    a.end();
    setReg(L.W_D, () => a.get(R));
  };

  /**
   * C_X: CMOVcc and SETcc (one condition test for both), X_REG's other register forms,
   * read-modify-write of memory.
   */
  const extended = (): void => {
    a.get(W).i32(L.W_KIND).op(Op.i32ShrU).i32(3).op(Op.i32And).set(XK);
    a.get(XK).i32(L.X_REG).op(Op.i32Eq);
    a.get(W).i32(L.W_XSUB).op(Op.i32ShrU).i32(15).op(Op.i32And).i32(L.XR_SETCC).op(Op.i32Ne);
    a.op(Op.i32And);
    a.open(Op.if);
    xRegForm();
    a.else();
    a.get(XK).i32(L.X_RMW).op(Op.i32LtU);
    a.open(Op.if);
    // X_CMOV's source in B, read whatever the condition (a refused read leaves first).
    a.get(XK).i32(L.X_CMOV).op(Op.i32Eq);
    a.open(Op.if);
    a.get(W).i32(L.W_XMEM).op(Op.i32And);
    a.open(Op.if);
    effective(argDisp);
    read();
    a.set(B);
    a.else();
    getReg(L.W_R);
    a.set(B);
    a.end();
    a.end();
    a.get(W).i32(L.W_XOP).op(Op.i32ShrU).i32(15).op(Op.i32And).set(T);
    condition();
    a.set(OP);
    a.get(XK).i32(L.X_CMOV).op(Op.i32Eq);
    a.open(Op.if);
    a.get(OP);
    a.open(Op.if);
    setReg(L.W_D, () => a.get(B));
    a.end();
    a.else();
    a.get(W).i32(L.W_X8).op(Op.i32ShrU).i32(15).op(Op.i32And);
    a.get(OP);
    a.mem(Op.i32Store8, REGS);
    a.end();
    a.else();
    // X_RMW (op and source register) or X_RMW_I (op and immediate in the word).
    effective(argDisp);
    a.get(XK).i32(L.X_RMW).op(Op.i32Eq);
    a.open(Op.if);
    a.get(W).i32(L.W_XOP).op(Op.i32ShrU).i32(15).op(Op.i32And).set(OP);
    getReg(L.W_D);
    a.set(B);
    a.else();
    a.get(W).i32(L.W_IOP).op(Op.i32ShrU).i32(7).op(Op.i32And).set(OP);
    a.get(W)
      .i32(24 - L.W_XIMM)
      .op(Op.i32Shl)
      .i32(24)
      .op(Op.i32ShrS)
      .set(B);
    a.end();
    a.get(OP).i32(L.RMW_CMP).op(Op.i32Eq);
    a.open(Op.if);
    read();
    a.set(A);
    a.i32(2).set(OP);
    alu();
    a.else();
    // The write's test (it implies the read's: the write mask holds the read mask's bits),
    // then the dword at its host address (EA from here on).
    fast(true);
    hostAddress();
    a.set(EA);
    a.get(EA).mem(Op.i32Load, 0).set(A);
    a.get(OP).i32(L.RMW_NOT).op(Op.i32LtU);
    a.open(Op.if);
    alu();
    a.else();
    a.get(OP).i32(L.RMW_NEG).op(Op.i32LeU);
    a.open(Op.if);
    notOrNeg(() => void a.get(OP).i32(L.RMW_NOT).op(Op.i32Eq));
    a.else();
    incDecOf(() => void a.get(OP).i32(L.RMW_INC).op(Op.i32Eq));
    a.end();
    a.end();
    a.get(EA).get(R).mem(Op.i32Store, 0);
    a.end();
    a.end();
    a.end();
  };

  /**
   * A store to EA of a byte where the word has `byteBit` (the value from `byteValue`), of 16 bits
   * where it has `halfBit`, else of 32 (the value from `value`), each behind its own fast test.
   */
  const store = (
    byteBit: number,
    halfBit: number,
    byteValue: () => void,
    value: () => void,
  ): void => {
    const sized = (size: number, push: () => void, op: number): void => {
      fast(true, undefined, size);
      hostAddress();
      push();
      a.mem(op, 0);
    };
    a.get(W).i32(byteBit).op(Op.i32And);
    a.open(Op.if);
    sized(1, byteValue, Op.i32Store8);
    a.else();
    a.get(W).i32(halfBit).op(Op.i32And);
    a.open(Op.if);
    sized(2, value, Op.i32Store16);
    a.else();
    sized(4, value, Op.i32Store);
    a.end();
    a.end();
  };

  type Form = [form: number, emit: () => void];
  const forms: Form[] = [
    [L.C_X, () => extended()],
    [L.C_MOV_RR, () => setReg(L.W_D, () => getReg(L.W_R))],
    [L.C_MOV_RI, () => setReg(L.W_D, () => a.get(ARG))],
    [L.C_ALU_RR, () => aluForm(L.W_OP, L.W_STORE, () => getReg(L.W_R))],
    [L.C_ALU_RI, () => aluForm(L.W_OP, L.W_STORE, () => a.get(ARG))],
    [L.C_LEA, () => (effective(argDisp), setReg(L.W_D, () => a.get(EA)))],
    [
      L.C_LOAD,
      () => {
        effective(argDisp);
        read();
        a.set(R);
        // W_PUSH: PUSH r/m32 (the read, then the push; ESP is the address's before it).
        a.get(W).i32(L.W_PUSH).op(Op.i32And);
        a.open(Op.if);
        stack();
        push();
        a.else();
        setReg(L.W_D, () => a.get(R));
        a.end();
      },
    ],
    [
      L.C_ALU_RM,
      () =>
        aluForm(L.W_MOP, L.W_MSTORE, () => {
          effective(argDisp);
          read();
        }),
    ],
    [
      L.C_CMP_MR,
      () => {
        effective(argDisp);
        read();
        a.set(A);
        a.get(W).i32(L.W_MOP).op(Op.i32ShrU).i32(15).op(Op.i32And).set(OP);
        getReg(L.W_D);
        a.set(B);
        alu();
      },
    ],
    [
      L.C_STORE,
      () => {
        effective(argDisp);
        store(
          L.W_STORE8,
          L.W_WORD,
          () => getReg8(L.W_S8),
          () => getReg(L.W_D),
        );
      },
    ],
    [
      L.C_STORE_I,
      () => {
        effective(wordDisp);
        const arg = (): void => void a.get(ARG);
        store(L.W_BYTE, L.W_HALF, arg, arg);
      },
    ],
    [
      L.C_CMP_MI,
      () => {
        effective(wordDisp);
        // TEST is AND, CMP is SUB (AluOp).
        a.get(W).i32(L.W_TEST).op(Op.i32And);
        a.ifI32();
        a.i32(4);
        a.else();
        a.i32(2);
        a.end();
        a.set(OP);
        a.get(ARG).set(B);
        a.get(W).i32(L.W_BYTE).op(Op.i32And);
        a.open(Op.if);
        read8();
        a.set(A);
        alu(7);
        a.else();
        read();
        a.set(A);
        alu();
        a.end();
      },
    ],
    [
      L.C_LOAD_X,
      () => {
        effective(argDisp);
        // The top bit's place: 7 for a byte, 15 for a word (sign extension by 24 or 16).
        a.get(W).i32(L.W_WORD).op(Op.i32And);
        a.open(Op.if);
        read16();
        a.set(R);
        a.i32(16).set(T);
        a.else();
        read8();
        a.set(R);
        a.i32(24).set(T);
        a.end();
        a.get(W).i32(L.W_TO8).op(Op.i32And);
        a.open(Op.if);
        // MOV r8, m8.
        a.get(W).i32(L.W_T8).op(Op.i32ShrU).i32(15).op(Op.i32And);
        a.get(R);
        a.mem(Op.i32Store8, REGS);
        a.else();
        signExtend(() => void a.get(W).i32(L.W_SIGNED).op(Op.i32And));
        setReg(L.W_D, () => a.get(R));
        a.end();
      },
    ],
    [
      L.C_ALU8,
      () => {
        a.get(W).i32(L.W_OP8).op(Op.i32ShrU).i32(15).op(Op.i32And).set(OP);
        getReg8(L.W_A8);
        a.set(A);
        a.get(W).i32(L.W_IMM8).op(Op.i32And);
        a.ifI32();
        a.get(ARG);
        a.else();
        getReg8(L.W_B8);
        a.end();
        a.set(B);
        alu(7);
      },
    ],
    [L.C_REG, () => regForm()],
    [
      L.C_CALL,
      () => {
        // The return address, EIP0 + the CALL's offset and length (its kind word), pushed.
        jumpable();
        ld(F + EIP0);
        a.get(KIND).i32(OP_OFF_SHIFT).op(Op.i32ShrU).op(Op.i32Add);
        a.get(KIND).i32(OP_LEN_SHIFT).op(Op.i32ShrU).i32(15).op(Op.i32And).op(Op.i32Add);
        a.set(R);
        push();
        st(F + EIP0, () => a.get(ARG));
        jumped();
      },
    ],
  ];

  const next = a.open(Op.block);
  const labels: Label[] = [];
  for (let i = forms.length - 1; i >= 0; i--) labels[i] = a.open(Op.block);
  const table: Label[] = [];
  for (let f = 0; f < 16; f++) {
    const i = forms.findIndex(([form]) => form === f);
    table.push(i < 0 ? out : labels[i]!);
  }
  a.get(W).i32(15).op(Op.i32And).brTable(table, out);
  for (const [, emit] of forms) {
    a.end();
    emit();
    a.br(next);
  }
  a.end();
  a.get(K).i32(1).op(Op.i32Add).set(K);
  a.get(AT).i32(INSN_BYTES).op(Op.i32Add).set(AT);
  a.br(top);
  a.end();
  a.end();
  a.get(K);
  return a.out.slice();
}
