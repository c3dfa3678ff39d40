// Lowering of a region (the basic blocks `discoverRegion` found, laid out as `generate` takes
// them) to one WebAssembly function, for the forms emit.ts inlines and with the same semantics:
// registers r0..r7 and the lazy flag record (fk fa fb fr fc) in locals, loaded from / stored to
// the shared memory at entry and exit; memory operands through a translation memo (MEMO_SLOTS)
// or the software TLB in the same memory (`(tlb[l >>> 12] & mask) === 1` and no page crossing:
// a direct load/store at `(e & -4096) | (l & 4095)`, RAM being at byte 0), else an imported
// slow-path helper, before which registers, flag record, `ip` and the cursor are stored (the
// helper may throw: the JS wrapper's catch then does what generate()'s catch does). A region with any other form (or an
// operand the lowering does not take) is not lowered: `lowerRegion` returns null and the region
// keeps the JS back end. The module holds only opcodes and numbers chosen here: guest
// immediates and addresses appear as i32.const operands, never as code.
import {
  Code,
  FlowControl,
  OpKind,
  Register,
  RFLAGS_STATUS,
  type Instruction,
} from "@ringvm/decoder";
import { FLAT_READ_BASE } from "@ringvm/bus";
import { crossingForm, isCrossing, type CrossingTail } from "../crossing";
import {
  ALU_NAMES,
  codeOf,
  formCode,
  COND_NAMES,
  deadFlags,
  FlagOp,
  NOP_FORMS,
  observesAllFlags,
  OPERAND_SIZES,
  SLOW_RMW,
  type FlagState,
} from "../emit";
import {
  Asm,
  buildModule,
  FN_TYPE_INDEX,
  Op,
  Simd,
  type ImportedFunc,
  type Label,
  type LocalHelper,
  type ModulePart,
} from "./asm";

/**
 * Parameters of the region function: budget, entry block, CS limit, IF|TF set, and the retired
 * count at entry relative to the JS entry of the chain (0 from JS; wasm/chain.ts).
 */
const P_LEFT = 0;
const P_PC0 = 1;
const P_LIM = 2;
const P_EV = 3;
const P_RB0 = 4;
/** Locals. */
const R0 = 5; // r0..r7: 5..12
const FK = 13;
const FA = 14;
const FB = 15;
const FR = 16;
const FC = 17;
const X = 18;
const L = 19;
const E = 20;
const RB = 21;
const PC = 22;
const NE = 23;
const NR = 24;
const NG = 25;
/** REP STOS/MOVS: ECX where the chunk ends, the step, a slow write asked to leave. */
const T0 = 26;
const T1 = 27;
const T2 = 28;
/** 1 when the exit taken is a dynamic one (it continues through the `d` trampoline). */
const DY = 29;
/** The EIP of the instruction whose slow-path helper is called (the fault exit stores it). */
const IPF = 30;
/** INC/DEC with a deferred CF: the record it replaced (fk fa fb fr fc), see `deferCarry`. */
const OFK = 31;
/**
 * The lowest address of the state words a region reads and writes (masks, registers, chunk
 * bits, memos, scratch; `Lowering.stateBase`), set at entry: `local.get; i32.load offset=small`
 * is 3 bytes shorter than `i32.const 0; i32.load offset=address` (address > 2^21), three or four
 * times per memory access (~7 % of a boot's region code; main-thread time the same, see
 * bench/README.md 2026-12-04).
 */
const SB = 36;
/**
 * A load group's host base (`Lowering.planLoadGroups`), NO_GROUP where its test refused: the
 * loads of a block through one base register (a stack frame's `[ebp-x]`) test the TLB once.
 */
const GB = 37;
const NO_GROUP = -1;
const NUM_PARAMS = 5;
const NUM_LOCALS = 38 - NUM_PARAMS;
/**
 * Loads a group needs: with fewer, its test and branches (and code to compile) cost about what
 * they save (`planLoadGroups`; with 3, early init ran ~3 % slower, the crypto tests no faster).
 */
const GROUP_LOADS = 6;
/** The widest span of bytes a load group covers (so that its page test seldom refuses). */
const GROUP_SPAN = 256;
/** `Lowering.loadGroup` of a block without groups. */
const NO_LOAD_GROUPS: readonly number[] = [];

/** CALL rel32 (32-bit operand size): its next block is a return site (`returnInside`). */
const CALL_REL32 = codeOf("Call_rel32_32");

/**
 * Translation memos: for each slot, the pages around the last fast access through it (a span of
 * pages mapped alike, see `memoBody`), so the next access there skips the TLB lookup. A slot is
 * 24 bytes of the MMU's memo area (@ringvm/bus `LinearFastPath.memo`, a bank per pair of TLB
 * masks): a read window and a write window, each as words P (its linear base), D (host address
 * minus linear address) and its bound: an access at `l` hits when `(l - P) >>> 0` is below the
 * bound of its kind (the window's bytes less 3 while the memo holds for that kind, so a 4-byte
 * access stays in it; 0 when not), and is at `l + D`. The write window is a span; the read
 * window is a span too, or the whole 4 MiB chunk when the MMU's chunk bit says one translation
 * maps all of it onto RAM (a 4 MiB page: the kernel's direct map; paging off: the XZ
 * decompressor's dictionary, megabytes read at random distances). A miss calls one helper of
 * the region's own (`memoLoadHelper`, `memoStoreHelper`): `me` (`memoBody`), whose TLB hit sets
 * the memo (inline, that code made regions ~35 % larger), then the access through it, else the
 * slow path. One call site per access rather than `me` and the slow path each: V8's optimizing
 * compile of a boot's region modules took ~10 % less CPU (bench/README.md, stop 49). Memos are
 * for a region's loops (block.ts `blocksInLoops`): with paging on, an operand elsewhere tests the
 * TLB inline and leaves where it refuses, with no call (`Lowering.direct`). The MMU
 * zeroes the area whenever it drops or restricts an entry, so a memo never outlives the entry
 * it came from and region code invalidates nothing itself. Slots 0-7 are the base registers of
 * explicit operands (ESP for the stack, ESI/EDI for strings), 8 operands without one; 9-24
 * operands with an index register, by a hash of base and index (the
 * XZ decompressor's LZ copy reads [esi+ebx] and writes [esi+ecx] on two pages: one slot per base
 * register made every such access a miss, `me` calls 65.3 M -> 47.9 M per boot and workload;
 * spans of up to MEMO_SPAN pages each side then 47.9 M -> 34.9 M: the decompressor's stack and
 * heap cross page boundaries). Per boot (bench/phases.mjs's guest, in-guest decompressor), the
 * chunk windows, a write leaving the read window alone and 16 indexed slots instead of 8 took
 * `me` calls from 30.2 M to 13.3 M, the decompressor's from 13.45 M to 3.7 M (chunk windows
 * alone: 10.7 M; with separate windows 10.9 M, its LZ write and its probability updates taking
 * turns in one of 8 indexed slots).
 */
export const MEMO_SLOTS = 25;
/** Bytes of one memo slot, and of one bank of memos (one pair of TLB masks). */
const MEMO_SLOT_BYTES = 24;
export const MEMO_BANK_BYTES = MEMO_SLOT_BYTES * MEMO_SLOTS;
/** Byte offsets in a memo slot: the read window's P, D and bound, then the write window's. */
const MEMO_READ = 0;
const MEMO_WRITE = 12;
const MEMO_P = 0;
const MEMO_D = 4;
const MEMO_BOUND = 8;
/** A 4 MiB chunk (the MMU's chunk bits). */
const CHUNK_SHIFT = 22;
const SLOT_NONE = 8;
const SLOT_INDEXED = 9;
const SLOT_ESP = 4;
const SLOT_ESI = 6;
const SLOT_EDI = 7;
/** Pages a memo may span on each side of the page that set it (`memoBody`). */
const MEMO_SPAN = 3;

/**
 * The MMU's TLB masks (read, write) of the region's mode, constants in its code: they depend
 * only on CPL 3 or not and CR0.WP, both in the mode key (engine.ts `modeKey`), so two fewer
 * values stay live through the region (they were locals loaded at entry).
 */
export type TlbMasks = readonly [number, number];

/**
 * Bit of the `flat` argument (beyond the segments' bits `1 << seg`): CS has a 4 GiB limit, so
 * no near branch target exceeds it and the lowering leaves out jumpNear's limit check.
 */
export const CS_4G = 64;
/**
 * Bit of the `flat` argument: the region's mode has paging off, so its reads may take the MMU's
 * flat-read bound (`Lowering.flatLoad`).
 */
export const PAGING_OFF = 128;

/** Parameters of the out-of-line spill (`spillBody`): r0..r7, fk fa fb fr fc, ip, rb, pc. */
export const SPILL_PARAMS = 16;

/** Scratch words (byte offsets from `WasmLayout.scratch`) the JS wrapper reads. */
export const SCR_REGS = 0; // 8 words, when CpuState.regs is not in the memory
export const SCR_NE = 32;
export const SCR_NR = 36;
export const SCR_FK = 40; // fk fa fb fr fc
export const SCR_IP = 60;
export const SCR_RB = 64;
export const SCR_PC = 68;
/** Chaining (wasm/chain.ts): the id of the region that ran last. */
export const SCR_ID = 72;
/** Chaining: the exit index the last region left by (what a refused chain entry returns). */
export const SCR_G = 76;
/** Chaining: nonzero when an import saw an event (interrupt, NMI) the boundary must take. */
export const SCR_EVW = 80;
/** Chaining: the CS base (for the entry's linear-page check). */
export const SCR_CSB = 84;
/** Chaining: regions entered through the table since the JS entry (stats). */
export const SCR_CNT = 88;
/**
 * Set (1) by a slow-path helper (ld, st, ck, j) that caught a fault instead of throwing it
 * through the region: the code after the call leaves through the fault exit (region exit -2),
 * and the JS wrapper throws the fault it kept (region.ts).
 */
export const SCR_FAULT = 92;
/** What a region returns when it left through the fault exit. */
export const FAULT_EXIT = -2;
/**
 * EFLAGS.DF (0/1), written by the wrapper at each entry from JS and by every handler call
 * (only handlers change DF: CLD, STD, POPF, IRET are not lowered), read by string forms.
 */
export const SCR_DF = 96;
/**
 * 1 when SSE forms may run (CR0.EM and CR0.TS clear, CR4.OSFXSR set), else 0 and the inline
 * SSE2 forms call their handler (which raises #UD or #NM); written with SCR_DF (only handlers
 * and exception delivery change CR0 and CR4).
 */
export const SCR_SSE = 100;
/**
 * Per segment register (ES..GS), two words: its base and which accesses may skip
 * checkedLinear (bit 0 reads, bit 1 writes: present, 4 GiB limit, not expand-down, writable
 * for writes, no #AC), written by the wrapper at each entry from JS and after every handler
 * call (segment loads are handlers); region.ts `WasmShared.sync`.
 */
export const SCR_SEG = 104;
/**
 * RDTSC inline (`rdtsc`): an i64 (two words, low first) and a word written with the segments'
 * (`WasmShared.sync`): the TSC at the JS entry's retired count, and the whole TSC ticks per
 * retired instruction while the region runs, 0 when RDTSC must call the interpreter's handler
 * (host-time clock, or CR4.TSD outside ring 0).
 */
export const SCR_TSC = 152;
export const SCR_TSC_RATE = 160;
/** Bytes of scratch the back end needs at least (the dynamic-exit hash is optional). */
export const SCRATCH_BYTES = SCR_TSC_RATE + 4;
/**
 * The return-address stack (with the dynamic-exit hash only: the scratch is then large enough;
 * between the words above and DYN_OFFSET): its top (a byte offset into the entries, a multiple
 * of 8 up to RAS_MASK), then RAS_ENTRIES entries [EIP, mode << 16 | slot] as the hash's. A near CALL in a chaining region whose return
 * site is a block of that region pushes the return site and the region's slot (`pushReturn`);
 * the trampoline tries the top two entries before the hash (wasm/chain.ts). Only a hint: an
 * entry is checked as a hash entry is, and the entry function checks the rest.
 */
export const SCR_RAS_TOP = 512;
export const SCR_RAS = 520;
export const RAS_ENTRIES = 16;
export const RAS_MASK = RAS_ENTRIES * 8 - 1;

/**
 * The dynamic-exit hash (wasm/chain.ts): 2^DYN_BITS sets of two entries (ways) of two words,
 * [EIP, mode << 16 | slot], at DYN_OFFSET in the scratch: a dynamic exit (RET, indirect
 * JMP/CALL) whose next EIP and mode match an entry of its set continues in the region whose
 * entry function is in that slot of the chain's shared table.
 */
export const DYN_OFFSET = 1024;
/**
 * 2^15 sets of 2 ways (512 KiB): a boot holds ~48 K region entry EIPs. Direct-mapped, an entry
 * overwritten by a colliding one sent its RETs through the dispatcher (entries into WebAssembly
 * from JavaScript per boot + workload: 2.05 M with 2^14 entries, 1.69 M with 2^16, 1.64 M with
 * 2^17); two ways of the same size keep both of a colliding pair.
 */
export const DYN_BITS = 15;
/** Bytes of one set: two [EIP, mode << 16 | slot] entries. */
export const DYN_SET_BYTES = 16;
export const DYN_BYTES = DYN_SET_BYTES << DYN_BITS;
/** Scratch bytes the back end uses with its dynamic-exit hash (less: regions chain without it). */
export const WASM_CHAIN_SCRATCH_BYTES = DYN_OFFSET + DYN_BYTES;
/** The hash's multiplier (`dynSet` here, the trampoline in chain.ts). */
export const DYN_MUL = 0x9e3779b1 | 0;

/** The dynamic-exit hash set of `eip` (the index the trampoline computes). */
export function dynSet(eip: number): number {
  return Math.imul(eip, DYN_MUL) >>> (32 - DYN_BITS);
}

/** The region function's type (budget, entry, limit, ev, rb0) -> exit. */
export const REGION_TYPE = { params: NUM_PARAMS, results: 1 } as const;

/**
 * Chaining a region (wasm/chain.ts) needs where its code is: the entry functions check that the
 * CS-relative EIP still maps to this linear page and that the TLB maps it to this physical page.
 */
export interface ChainPlace {
  readonly linearPage: number;
  readonly physPage: number;
  /** The region's id (wasm/chain.ts `WasmChain.regions`). */
  readonly id: number;
  /** Its mode key (engine.ts `modeKey`): a dynamic exit looks up its target with it. */
  readonly mode: number;
  /**
   * Its slot in the chain's shared table (wasm/chain.ts `reserve`), -1 for none: the
   * return-address stack names the region by it.
   */
  readonly slot: number;
}

/** Imported helpers (module "e"), in index order. */
export const IMPORTS: readonly ImportedFunc[] = [
  { name: "fl", params: 5, results: 0 }, // materialize a flag record into CpuState
  { name: "tc", params: 1, results: 1 }, // testCondition(s, cc) on CpuState's flags
  { name: "cf", params: 0, results: 1 }, // s.getCF()
  { name: "ev", params: 0, results: 1 }, // an event must end the region
  { name: "ld", params: 3, results: 1 }, // slow load (l, code, retired since entry)
  { name: "st", params: 4, results: 1 }, // slow store (l, v, code, retired): 1 = leave
  { name: "j", params: 1, results: 0 }, // jumpNear beyond the CS limit (#GP)
  { name: "rf", params: 2, results: 0 }, // CF and OF of a rotate into CpuState (alu.ts rotFlags)
  { name: "ck", params: 4, results: 1 }, // checkedLinear(s, seg, offset, size, write) -> linear
  // RDTSC: the interpreter's handler (retired since entry set first), EAX/EDX into the registers
  { name: "ts", params: 1, results: 0 },
  // A dynamic exit's continuation (the region type, mode in the entry's place; wasm/chain.ts)
  { name: "d", params: NUM_PARAMS, results: 1 },
  // spillForFault's stores, out of line (`spillBody`): registers, flag record, ip, rb, pc
  { name: "sp", params: SPILL_PARAMS, results: 0 },
  // The arithmetic EFLAGS bits of a pending record (fk != 0), in wasm (`flagsBody`)
  { name: "ef", params: 5, results: 1 },
  // Condition cc (Jcc order) of a pending record (fk != 0), in wasm (`conditionBody`)
  { name: "cd", params: 6, results: 1 },
  // Tests the TLB for a fast access at l and sets a memo for its page (l, memoArg's word) -> 1
  // when fast, in wasm (`memoBody`)
  { name: "me", params: 2, results: 1 },
];
/**
 * Then one import per handler call site, `h0`, `h1`, ... (retired since entry) -> 1 = leave:
 * the interpreter's handler of that instruction, each import its own JS function (region.ts), so
 * the call to the handler inside it sees one target (one shared `h` indexing a table was a
 * megamorphic call).
 */
const HANDLER_SITE: ImportedFunc = { name: "h", params: 1, results: 1 };
const F_FL = 0;
const F_TC = 1;
const F_CF = 2;
const F_EV = 3;
const F_LD = 4;
const F_ST = 5;
const F_J = 6;
const F_RF = 7;
const F_CK = 8;
const F_TS = 9;
const F_D = 10;
const F_SP = 11;
const F_EF = 12;
const F_CD = 13;
const F_ME = 14;

/** Where things are in the shared memory (byte offsets). */
export interface WasmLayout {
  /** 64 KiB pages the memory has (the import's minimum). */
  readonly pages: number;
  readonly tlb: number;
  /** [read mask, write mask]. */
  readonly masks: number;
  /** The eight registers (CpuState.regs, or SCR_REGS of the scratch when not shared). */
  readonly regs: number;
  readonly scratch: number;
  /** The dynamic-exit hash (DYN_OFFSET in the scratch), or -1 when the scratch is too small. */
  readonly dyn: number;
  /**
   * The dense cold tier's area (wasm/dense.ts: the scratch after the dynamic-exit hash) and its
   * bytes, or -1 and 0 (no room, or registers not in the memory: the tier writes them there).
   */
  readonly dense: number;
  readonly denseBytes: number;
  /** The MMU's memo area (@ringvm/bus `LinearFastPath.memo`) and its size, or -1 and 0. */
  readonly memo: number;
  readonly memoBytes: number;
  /** The MMU's chunk bits (@ringvm/bus `LinearFastPath.chunks`), or -1. */
  readonly chunks: number;
  /** The MMU's flat-read bound (@ringvm/bus `LinearFastPath.flatRead`), or -1. */
  readonly flatRead: number;
  /** XMM0-7 (CpuState.sse.d, 128 bytes) when they are in the memory, else -1 (no inline SSE). */
  readonly xmm: number;
}

/** A region lowered to one function of a module that may hold other regions (`buildModule`). */
export interface LoweredPart {
  readonly part: ModulePart;
  /** As generate(): the EIP of each exit, -1 for a dynamic exit (RET). */
  readonly exitTargets: number[];
  /** The basic blocks lowered (the region's, without those the lowering left out). */
  readonly blocks: readonly (readonly Instruction[])[];
  /** The instruction each handler import `h<n>` runs, by n. */
  readonly handlerSites: readonly Instruction[];
  /** By handler site: a MODE_CHECKED barrier the region may go on after (`WasmShared.afterBarrier`). */
  readonly checkedSites: readonly boolean[];
  /** The region's chaining id (`ChainPlace.id`; 0: the module does not chain). */
  readonly id: number;
  /** The physical page the tails of crossing instructions run inline come from, -1 for none. */
  readonly tailPage: number;
}

/**
 * The body of the spill function regions import as `sp` (params: SPILL_PARAMS): what
 * `spillForFault` needs in memory before a helper that may throw.
 */
export function spillBody(layout: WasmLayout): Uint8Array {
  const a = new Asm();
  const sc = layout.scratch;
  const at = [
    ...Array.from({ length: 8 }, (_, r) => layout.regs + 4 * r),
    ...Array.from({ length: 5 }, (_, f) => sc + SCR_FK + 4 * f),
    sc + SCR_IP,
    sc + SCR_RB,
    sc + SCR_PC,
  ];
  at.forEach((offset, k) => a.i32(0).get(k).mem(Op.i32Store, offset));
  return a.out;
}

const CF_BIT = 0x1;
const PF_BIT = 0x4;
const AF_BIT = 0x10;
const ZF_BIT = 0x40;
const SF_BIT = 0x80;
const OF_BIT = 0x800;
const ARITH_BITS = CF_BIT | PF_BIT | AF_BIT | ZF_BIT | SF_BIT | OF_BIT;
/** `rf`'s second argument when it sets one flag, the others kept (else it is OF, 0 or 1). */
export const RF_ONLY_CF = -1;
export const RF_ONLY_ZF = -2;

/**
 * Pushes the arithmetic EFLAGS bits of the record in locals fk fa fb fr fc (0..4; fk != 0) as the
 * interpreter derives them (cpu-state.ts getCF/getOF/..., block.ts materializeFlags), with the
 * operand size from fk at run time; locals 5..7 are scratch.
 */
function emitRecordFlags(a: Asm): void {
  const [fk, fa, fb, fr, fc, top, op, b] = [0, 1, 2, 3, 4, 5, 6, 7];
  const msb = (v: () => void): void => {
    v();
    a.get(top).op(Op.i32ShrU).i32(1).op(Op.i32And);
  };
  const done = a.blockI32();
  a.get(fk).i32(31).op(Op.i32And).set(top);
  a.get(fk).i32(5).op(Op.i32ShrU).set(op);
  // Explicit: the bits themselves.
  a.get(fa).i32(ARITH_BITS).op(Op.i32And);
  a.get(op).i32(FlagOp.Explicit).op(Op.i32Eq).brIf(done);
  a.op(Op.drop);
  // ZF, SF, PF from the result.
  a.get(fr).i32(31).get(top).op(Op.i32Sub).op(Op.i32Shl).op(Op.i32Eqz).i32(6).op(Op.i32Shl);
  msb(() => a.get(fr));
  a.i32(7).op(Op.i32Shl).op(Op.i32Or);
  a.get(fr).i32(255).op(Op.i32And).op(Op.i32Popcnt).i32(1).op(Op.i32And).op(Op.i32Eqz);
  a.i32(2).op(Op.i32Shl).op(Op.i32Or);
  // Logic: CF, OF and AF as recorded.
  a.get(fc)
    .i32(CF_BIT | OF_BIT | AF_BIT)
    .op(Op.i32And)
    .op(Op.i32Or);
  a.get(op).i32(FlagOp.Logic).op(Op.i32Eq).brIf(done);
  a.get(fc)
    .i32(CF_BIT | OF_BIT | AF_BIT)
    .op(Op.i32And)
    .op(Op.i32Xor);
  // The second operand: 1 for INC/DEC.
  a.get(op).i32(FlagOp.Inc).op(Op.i32Eq).get(op).i32(FlagOp.Dec).op(Op.i32Eq).op(Op.i32Or);
  a.open(Op.if);
  a.i32(1).set(b);
  a.else();
  a.get(fb).set(b);
  a.end();
  // AF.
  a.get(fa).get(b).op(Op.i32Xor).get(fr).op(Op.i32Xor).i32(AF_BIT).op(Op.i32And).op(Op.i32Or);
  a.get(op).i32(FlagOp.Sub).op(Op.i32Eq);
  a.get(op).i32(FlagOp.Sbb).op(Op.i32Eq).op(Op.i32Or);
  a.get(op).i32(FlagOp.Dec).op(Op.i32Eq).op(Op.i32Or);
  a.ifI32();
  // Subtraction: OF = msb((a ^ b) & (a ^ r)), CF = msb((~a & b) | (~(a ^ b) & r)).
  msb(() => a.get(fa).get(b).op(Op.i32Xor).get(fa).get(fr).op(Op.i32Xor).op(Op.i32And));
  a.i32(11).op(Op.i32Shl);
  msb(() =>
    a
      .get(fa)
      .i32(-1)
      .op(Op.i32Xor)
      .get(b)
      .op(Op.i32And)
      .get(fa)
      .get(b)
      .op(Op.i32Xor)
      .i32(-1)
      .op(Op.i32Xor)
      .get(fr)
      .op(Op.i32And)
      .op(Op.i32Or),
  );
  a.op(Op.i32Or);
  a.else();
  // Addition: OF = msb((a ^ r) & (b ^ r)), CF = msb((a & b) | ((a | b) & ~r)).
  msb(() => a.get(fa).get(fr).op(Op.i32Xor).get(b).get(fr).op(Op.i32Xor).op(Op.i32And));
  a.i32(11).op(Op.i32Shl);
  msb(() =>
    a
      .get(fa)
      .get(b)
      .op(Op.i32And)
      .get(fa)
      .get(b)
      .op(Op.i32Or)
      .get(fr)
      .i32(-1)
      .op(Op.i32Xor)
      .op(Op.i32And)
      .op(Op.i32Or),
  );
  a.op(Op.i32Or);
  a.end();
  a.op(Op.i32Or);
  // INC/DEC keep CF: the record's fc (0/1) replaces the computed one.
  a.set(b);
  a.get(b).i32(~CF_BIT).op(Op.i32And).get(fc).op(Op.i32Or);
  a.get(b);
  a.get(op).i32(FlagOp.Inc).op(Op.i32Eq).get(op).i32(FlagOp.Dec).op(Op.i32Eq).op(Op.i32Or);
  a.op(Op.select);
  a.end(); // done
}

/**
 * Pushes 1 when the access at linear address local `l` may take the TLB fast path: its entry
 * (left in local `e`) has `(e & mask) === 1`, and, with a `limit`, its page offset plus `from`
 * is at most `limit`, unsigned (the access, or a load group's span starting `from` bytes off
 * it, stays in the page). Shared by the regions' inline test, load groups' and `me`.
 */
function tlbFast(
  a: Asm,
  tlb: number,
  l: number,
  e: number,
  mask: Push,
  limit: Push | null,
  from = 0,
): void {
  a.get(l).i32(12).op(Op.i32ShrU).i32(2).op(Op.i32Shl);
  a.mem(Op.i32Load, tlb);
  a.tee(e);
  mask(a);
  a.op(Op.i32And).i32(1).op(Op.i32Eq);
  if (limit === null) return;
  a.get(l).i32(4095).op(Op.i32And);
  if (from !== 0) a.i32(from).op(Op.i32Add);
  limit(a);
  a.op(Op.i32LeU).op(Op.i32And);
}

/** The bits of a slow load or store's code that `slowLoad`/`slowStore` read. */
export const SLOW_CODE_BITS = 0x7f;
/** A slow-path code with the place of its instruction (slowSite). */
export const SLOW_SITE = 0x80;

/**
 * A slow load or store's code (SLOW_CODE_BITS) with SLOW_SITE and its instruction's place: bits
 * 8-13 its index `k` in block `j`, from bit 14 the block. The fault exit's EIP and block locals
 * cost each slow path 11 bytes of sets (~5 % of a boot's region code); the helper that keeps a
 * fault has them from here instead (region.ts `WasmShared.keepAt`).
 */
export function slowSite(code: number, j: number, k: number): number {
  if ((code & ~SLOW_CODE_BITS) !== 0 || k >= 64 || j >= 1 << 16)
    throw new RangeError(`slow path code ${code} of instruction ${k} of block ${j}: no room`);
  return code | SLOW_SITE | (k << 8) | (j << 14);
}

/** The block of a site code (`slowSite`'s `j`). */
export function siteBlock(code: number): number {
  return code >>> 14;
}

/** The instruction's index in its block of a site code (`slowSite`'s `k`). */
export function siteIndex(code: number): number {
  return (code >>> 8) & 63;
}

/**
 * `me`'s second argument: the memo slot's address `m` (a multiple of 8) with the access's kind in
 * its low bits (bit 0: a write; bits 1-2: log2 of its bytes), so a call site pushes one constant
 * (with the masks and the offset limit as arguments, each miss path was 7 bytes longer: ~4 % of
 * a boot's region code).
 */
export function memoArg(m: number, write: boolean, bytes: number): number {
  if ((m & 7) !== 0) throw new RangeError(`memo slot at ${m}: not a multiple of 8`);
  return m | (write ? 1 : 0) | (Math.log2(bytes) << 1);
}

/** The i32 load and store of an access of `top` (31, 15 or 7: its bits less one). */
function loadOp(top: number): number {
  return top === 31 ? Op.i32Load : top === 15 ? Op.i32Load16U : Op.i32Load8U;
}
function storeOp(top: number): number {
  return top === 31 ? Op.i32Store : top === 15 ? Op.i32Store16 : Op.i32Store8;
}

/**
 * In a memo helper: branches to `slow` unless `me` (l, arg) accepts the access and sets the
 * memo at arg's slot, else pushes the host address of `l` through that slot's `window`
 * (MEMO_READ or MEMO_WRITE).
 */
function memoHostAddress(a: Asm, l: number, arg: number, window: number, slow: Label): void {
  a.get(l).get(arg).call(F_ME).op(Op.i32Eqz).brIf(slow);
  a.get(l);
  a.get(arg)
    .i32(-8)
    .op(Op.i32And)
    .mem(Op.i32Load, window + MEMO_D);
  a.op(Op.i32Add);
}

/**
 * A part's helper (l, memoArg word, slow code, retired since entry) -> the value, for a load
 * of `top` that missed its memo's window (`rmw`: the write window, a read-modify-write's
 * read): when `me` accepts the access (and sets the memo), the load through the memo's
 * window; else the imported slow load (`ld`, which may keep a fault: the caller checks).
 */
function memoLoadHelper(importBase: number, top: number, rmw: boolean): LocalHelper {
  const a = new Asm(importBase);
  const [l, arg, code, n] = [0, 1, 2, 3];
  const slow = a.open(Op.block);
  memoHostAddress(a, l, arg, rmw ? MEMO_WRITE : MEMO_READ, slow);
  a.mem(loadOp(top), 0).op(Op.return);
  a.end();
  a.get(l).get(code).get(n).call(F_LD);
  return { params: 4, results: 1, locals: 0, code: a.out.slice() };
}

/**
 * A part's helper (l, v, memoArg word, slow code, retired since entry) -> 1 to leave, for a
 * store of `top` that missed its memo's window: the store through the memo's write window
 * when `me` accepts it (0), else the imported slow store's result (`st`).
 */
function memoStoreHelper(importBase: number, top: number): LocalHelper {
  const a = new Asm(importBase);
  const [l, v, arg, code, n] = [0, 1, 2, 3, 4];
  const slow = a.open(Op.block);
  memoHostAddress(a, l, arg, MEMO_WRITE, slow);
  a.get(v).mem(storeOp(top), 0);
  a.i32(0).op(Op.return);
  a.end();
  a.get(l).get(v).get(code).get(n).call(F_ST);
  return { params: 5, results: 1, locals: 0, code: a.out.slice() };
}

/**
 * The body of `me` (l, memoArg(m, write, bytes)) -> 1 when the access at linear `l` may take the
 * fast path (`(e & mask) === 1` for its TLB entry `e`, the current read or write mask at `masks`,
 * and `l`'s page offset at most 4096 - bytes), after setting the memo at `m` to its page (see
 * MEMO_SLOTS); 0 otherwise. The masks in the memory are the region's: a region runs only in the
 * mode it was made for, whose CPL and CR0.WP make them (engine.ts modeKey). A read (mask !== wmask)
 * sets the read window, and the write window too when `(e & wmask) === 1` (the region's write
 * mask), so a store after a load there does not miss; a write (mask === wmask) sets only the
 * write window, so reads and writes far apart through one slot (an LZ copy) do not take each
 * other's window. A window spans up to MEMO_SPAN pages on
 * each side of `l`'s page whose TLB entries map the next host pages with the same rights (the
 * kernel's direct map, a stack or heap crossing a page boundary): one host offset serves them
 * all, and an access in the span's interior that crosses a page boundary stays in host memory
 * mapped alike. Reads get all of `l`'s 4 MiB chunk instead when its bit in the MMU's chunk bits
 * (at `chunks`, none when -1) is set: one translation maps the chunk onto RAM, so `e`'s offset
 * holds for every page of it, filled in the TLB or not. Locals: the entry, the span's first and
 * last page, the page, writable, a scan's entry.
 */
export function memoBody(tlb: number, masks: number, chunks: number): Uint8Array {
  const a = new Asm();
  const [l, m, e, lo, hi, p, w, e2, mask, limit, wmask] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // Unpack memoArg's word (m last: it is the same local).
  a.get(m).i32(1).op(Op.i32And).i32(2).op(Op.i32Shl).mem(Op.i32Load, masks).set(mask);
  a.i32(0)
    .mem(Op.i32Load, masks + 4)
    .set(wmask);
  a.i32(4096).i32(1).get(m).i32(1).op(Op.i32ShrU).i32(3).op(Op.i32And).op(Op.i32Shl);
  a.op(Op.i32Sub).set(limit);
  a.get(m).i32(-8).op(Op.i32And).set(m);
  tlbFast(a, tlb, l, e, local(mask), local(limit));
  a.op(Op.i32Eqz);
  a.open(Op.if);
  a.i32(0).op(Op.return);
  a.end();
  a.get(e).get(wmask).op(Op.i32And).i32(1).op(Op.i32Eq).set(w);
  a.get(l).i32(12).op(Op.i32ShrU).tee(p).tee(lo).set(hi);
  // Whether page `q` (pushed by `page`) maps host page `e`'s plus (q - p) with the same rights.
  const alike = (page: () => void): void => {
    page();
    a.i32(2).op(Op.i32Shl).mem(Op.i32Load, tlb).tee(e2);
    a.i32(-4096).op(Op.i32And);
    a.get(e).i32(-4096).op(Op.i32And);
    page();
    a.get(p).op(Op.i32Sub).i32(12).op(Op.i32Shl).op(Op.i32Add);
    a.op(Op.i32Eq);
    a.get(e2).get(mask).op(Op.i32And).i32(1).op(Op.i32Eq).op(Op.i32And);
    a.get(e2).get(wmask).op(Op.i32And).i32(1).op(Op.i32Eq).get(w).op(Op.i32Eq).op(Op.i32And);
  };
  // Forward: hi + 1 while below the span and the top of the address space, and alike.
  let done = a.open(Op.block);
  let scan = a.open(Op.loop);
  a.get(hi).get(p).op(Op.i32Sub).i32(MEMO_SPAN).op(Op.i32GeU).brIf(done);
  a.get(hi).i32(0xfffff).op(Op.i32GeU).brIf(done);
  alike(() => a.get(hi).i32(1).op(Op.i32Add));
  a.op(Op.i32Eqz).brIf(done);
  a.get(hi).i32(1).op(Op.i32Add).set(hi);
  a.br(scan);
  a.end();
  a.end();
  // Backward: lo - 1 likewise.
  done = a.open(Op.block);
  scan = a.open(Op.loop);
  a.get(p).get(lo).op(Op.i32Sub).i32(MEMO_SPAN).op(Op.i32GeU).brIf(done);
  a.get(lo).op(Op.i32Eqz).brIf(done);
  alike(() => a.get(lo).i32(1).op(Op.i32Sub));
  a.op(Op.i32Eqz).brIf(done);
  a.get(lo).i32(1).op(Op.i32Sub).set(lo);
  a.br(scan);
  a.end();
  a.end();
  // Reused: p = D (host minus linear), lo = the span's base, hi = its bytes less 3 (a 4-byte
  // access stays in it).
  a.get(e).i32(-4096).op(Op.i32And).get(l).i32(-4096).op(Op.i32And).op(Op.i32Sub).set(p);
  a.get(hi).get(lo).op(Op.i32Sub).i32(1).op(Op.i32Add).i32(12).op(Op.i32Shl).i32(3).op(Op.i32Sub);
  a.set(hi);
  a.get(lo).i32(12).op(Op.i32Shl).set(lo);
  const window = (at: number, base: Push, bound: Push): void => {
    a.get(m);
    base(a);
    a.mem(Op.i32Store, at + MEMO_P);
    a.get(m)
      .get(p)
      .mem(Op.i32Store, at + MEMO_D);
    a.get(m);
    bound(a);
    a.mem(Op.i32Store, at + MEMO_BOUND);
  };
  // Writable: the write window (a write always is: its mask is wmask).
  a.get(w);
  a.open(Op.if);
  window(MEMO_WRITE, local(lo), local(hi));
  a.end();
  // A read: the read window, the chunk when its bit is set (byte l >>> 25, bit (l >>> 22) & 7).
  a.get(mask).get(wmask).op(Op.i32Ne);
  a.open(Op.if);
  if (chunks >= 0) {
    a.get(l)
      .i32(CHUNK_SHIFT + 3)
      .op(Op.i32ShrU)
      .mem(Op.i32Load8U, chunks);
    a.get(l).i32(CHUNK_SHIFT).op(Op.i32ShrU).i32(7).op(Op.i32And).op(Op.i32ShrU);
    a.i32(1).op(Op.i32And);
    a.open(Op.if);
    window(
      MEMO_READ,
      (b) =>
        b
          .get(l)
          .i32(-1 << CHUNK_SHIFT)
          .op(Op.i32And),
      konst((1 << CHUNK_SHIFT) - 3),
    );
    a.else();
    window(MEMO_READ, local(lo), local(hi));
    a.end();
  } else {
    window(MEMO_READ, local(lo), local(hi));
  }
  a.end();
  a.i32(1);
  return a.out;
}

/** The body of `ef` (fk fa fb fr fc) -> the record's arithmetic EFLAGS bits; 3 locals. */
export function flagsBody(): Uint8Array {
  const a = new Asm();
  emitRecordFlags(a);
  return a.out;
}

/**
 * The body of `cd` (fk fa fb fr fc cc) -> condition cc (Jcc order) of the record, as the
 * interpreter's testCondition; 5 locals. emitRecordFlags uses locals 5..7 as scratch, so the
 * parameter cc (local 5) is moved to local 9 first; local 10 holds the flags.
 */
export function conditionBody(): Uint8Array {
  const a = new Asm();
  const cc = 9;
  const f = 10;
  a.get(5).set(cc);
  emitRecordFlags(a);
  a.set(f);
  emitCondition(a, local(cc), (bit) => {
    a.get(f).i32(bit).op(Op.i32And).i32(0).op(Op.i32Ne);
  });
  return a.out;
}

/**
 * Pushes whether Jcc condition `cc` (0-15, Jcc order, pushed by `cc`) holds, as the interpreter's
 * testCondition: a table on cc >>> 1 over `flag(bit)`, which pushes whether EFLAGS bit `bit` is
 * set, then cc's low bit negating. For the `cd` helper (`conditionBody`) and the dense cold tier.
 */
export function emitCondition(a: Asm, cc: Push, flag: (bit: number) => void): void {
  const done = a.blockI32();
  const cases: Label[] = [];
  for (let c = 0; c < 8; c++) cases.push(a.open(Op.block));
  cc(a);
  // cases[7] is innermost: its end is where case 0's code starts, so value v goes to
  // cases[7 - v].
  a.i32(1).op(Op.i32ShrU).brTable(cases.slice().reverse(), cases[0]!);
  const signOverflow = (): void => {
    flag(SF_BIT);
    flag(OF_BIT);
    a.op(Op.i32Ne);
  };
  const bodies: (() => void)[] = [
    () => flag(OF_BIT),
    () => flag(CF_BIT),
    () => flag(ZF_BIT),
    () => {
      flag(CF_BIT);
      flag(ZF_BIT);
      a.op(Op.i32Or);
    },
    () => flag(SF_BIT),
    () => flag(PF_BIT),
    signOverflow,
    () => {
      flag(ZF_BIT);
      signOverflow();
      a.op(Op.i32Or);
    },
  ];
  for (let c = 0; c < 8; c++) {
    a.end();
    bodies[c]!();
    a.br(done);
  }
  // Not reached (cc >>> 1 is 0-7; the table's default is case 7's code).
  a.i32(0);
  a.end();
  cc(a);
  a.i32(1).op(Op.i32And).op(Op.i32Xor);
}

/** A region lowered to a module of its own. */
export interface LoweredRegion extends LoweredPart {
  readonly bytes: Uint8Array;
}

const REG_AL = 1;
const REG_AH = 5;
const REG_AX = 21;
const REG_EAX = 37;
const REG_ES = 71;

type Push = (a: Asm) => void;
const local =
  (n: number): Push =>
  (a) =>
    a.get(n);
const konst =
  (v: number): Push =>
  (a) =>
    a.i32(v);

function isGpr(reg: number, top: number): boolean {
  if (top === 31) return reg >= REG_EAX && reg < REG_EAX + 8;
  if (top === 15) return reg >= REG_AX && reg < REG_AX + 8;
  return reg >= REG_AL && reg < REG_AL + 8;
}

/**
 * A memory operand's base or index register as a general register (0 EAX .. 7 EDI), 8 for none,
 * -1 for any other (16-bit addressing's).
 */
function memGpr(reg: number): number {
  if (reg === 0) return 8;
  return reg >= REG_EAX && reg < REG_EAX + 8 ? reg - REG_EAX : -1;
}

/** log2 of a SIB scale (1, 2, 4 or 8), by the scale. */
const SCALE_SHIFT = [0, 0, 1, 0, 2, 0, 0, 0, 3];

/** The general register (0 EAX .. 7 EDI) holding `reg` (8, 16 or 32 bits), else -1. */
function gprOf(reg: number): number {
  if (reg >= REG_EAX && reg < REG_EAX + 8) return reg - REG_EAX;
  if (reg >= REG_AX && reg < REG_AX + 8) return reg - REG_AX;
  if (reg >= REG_AL && reg < REG_AH) return reg - REG_AL;
  if (reg >= REG_AH && reg < REG_AH + 4) return reg - REG_AH;
  return -1;
}

function regRead(reg: number, top: number): Push {
  if (top === 31) return local(R0 + reg - REG_EAX);
  if (top === 15)
    return (a) =>
      a
        .get(R0 + reg - REG_AX)
        .i32(65535)
        .op(Op.i32And);
  if (reg < REG_AH)
    return (a) =>
      a
        .get(R0 + reg - REG_AL)
        .i32(255)
        .op(Op.i32And);
  return (a) =>
    a
      .get(R0 + reg - REG_AH)
      .i32(8)
      .op(Op.i32ShrU)
      .i32(255)
      .op(Op.i32And);
}

function regWrite(a: Asm, reg: number, top: number, v: Push): void {
  if (top === 31) {
    v(a);
    a.set(R0 + gprOf(reg));
    return;
  }
  const n = R0 + gprOf(reg);
  const keep = top === 15 ? -65536 : reg < REG_AH ? -256 : -65281;
  a.get(n).i32(keep).op(Op.i32And);
  v(a);
  if (top === 7 && reg >= REG_AH) a.i32(8).op(Op.i32Shl);
  a.op(Op.i32Or).set(n);
}

function wrap(a: Asm, top: number): void {
  if (top !== 31) a.i32(top === 15 ? 65535 : 255).op(Op.i32And);
}

function immValue(i: Instruction, top: number): number {
  return top === 31 ? i.immediate | 0 : top === 15 ? i.immediate & 0xffff : i.immediate & 0xff;
}

const SIZE = (top: number): number => (top + 1) >>> 3;

/** Pushes 1 when the value pushed by `v` is negative at size `top`. */
function isNeg(a: Asm, v: Push, top: number): void {
  v(a);
  if (top === 31) a.i32(31).op(Op.i32ShrU);
  else a.i32(top).op(Op.i32ShrU).i32(1).op(Op.i32And);
}

function sx(a: Asm, v: Push, top: number): void {
  v(a);
  if (top !== 31)
    a.i32(31 - top)
      .op(Op.i32Shl)
      .i32(31 - top)
      .op(Op.i32ShrS);
}

/**
 * The page memo slot of `i`'s explicit memory operand: with an index register, one of the 16
 * slots from SLOT_INDEXED by base and index; else its base register, or SLOT_NONE without one.
 */
function explicitSlot(i: Instruction): number {
  const b = i.memBase - REG_EAX;
  const x = i.memIndex - REG_EAX;
  const base = b >= 0 && b < 8 ? b : 0;
  if (x >= 0 && x < 8) return SLOT_INDEXED + (((base << 1) ^ (x * 5)) & 15);
  return b >= 0 && b < 8 ? b : SLOT_NONE;
}

/**
 * The blocks of a region (indices; `index`: block start EIP -> index) that follow a near CALL
 * rel32 of the region: where a RET in the region may go on inside it (`returnInside`), and the
 * edges block.ts `blocksInLoops` gives a RET.
 */
export function returnSiteBlocks(
  blocks: readonly (readonly Instruction[])[],
  index: ReadonlyMap<number, number>,
): number[] {
  const sites: number[] = [];
  for (const b of blocks) {
    const last = b[b.length - 1]!;
    const site = last.code === CALL_REL32 ? index.get(last.nextIp >>> 0) : undefined;
    if (site !== undefined && !sites.includes(site)) sites.push(site);
  }
  return sites;
}

/** The per-region lowering state. */
class Lowering {
  readonly a: Asm;
  fl: FlagState = { kind: 0, op: 0, top: 0, fcZero: false };
  dead = false;
  /** The current block's dead-flag analysis (deadFlags), for `deferCarry`'s look ahead. */
  deadInBlock: readonly boolean[] = [];
  /**
   * An INC/DEC left its CF (FC) uncomputed, the record it replaced kept in OFK..: until the flag
   * writer at `carryUntil` replaces the record, every way out (`faultAt`, `spillForFault`,
   * `flush`, `spillState`) computes FC first (`resolveCarry`). `carryKind` is that record's kind.
   */
  carryPending = false;
  carryUntil = -1;
  carryKind = 0;
  /** Index of the instruction in its block, and the block (and that block's instructions). */
  k = 0;
  j = 0;
  insns: readonly Instruction[] = [];
  /** Around everything: the fault exit follows its end. */
  fault!: Label;
  exit!: Label;
  /**
   * Leaves with the next EIP and retired count the slow store's helper wrote to the scratch
   * (region.ts `st`, for a site code): one branch instead of a site's 21 bytes of sets.
   */
  leaveStored!: Label;
  /** Whether the last `storeOpen` passed its instruction's place (slowSite). */
  storeSite = false;
  /** Whether the last `storeOpen`'s else branch left the region (no slow store result). */
  storeLeft = false;
  /** The place (block * 1024 + index) of the instruction of the last `storeOpen`. */
  private lastStore = -1;
  run!: Label;
  starts: Label[] = [];
  readonly exitTargets: number[] = [];
  /** The instruction of each handler call site (import IMPORTS.length + n). */
  readonly handlerSites: Instruction[] = [];
  /** By handler site: whether the region goes on after it when the import allows (MODE_CHECKED). */
  readonly checkedSites: boolean[] = [];
  /** The physical page of the tails of the crossing instructions run inline, -1 for none. */
  tailPage = -1;
  readonly index = new Map<number, number>();
  /** Whether each instruction of the current block calls its handler. */
  calls: readonly boolean[] = [];
  /**
   * Load groups of the current block (`planLoadGroups`): by instruction, its group or -1; by
   * group, its first load's index, the lowest displacement and the bytes from there its loads
   * span. `groupLive`: the group whose test ran at its first load (GB set on every path on from
   * there), -1 for none; `groupWrites`: `Asm.writes` then, to tell that the base and
   * index registers were not written since.
   */
  loadGroup: readonly number[] = NO_LOAD_GROUPS;
  groupFirst: number[] = [];
  groupMin: number[] = [];
  groupSpan: number[] = [];
  groupLive = -1;
  groupWrites = 0;
  /** Nesting level of the current block's own code (its instructions' top level). */
  blockLevel = 0;
  /** Exits may continue in a linked region (wasm/chain.ts); back edges test SCR_EVW. */
  chained = false;
  /** The return-address stack entry's second word for this region (`pushReturn`), -1: none. */
  rasWord = -1;
  /** Address of each slot's memo in the region's bank, -1 for none (see MEMO_SLOTS). */
  readonly memo: readonly number[];
  /** Blocks of the region a near CALL in it returns to (`returnInside`). */
  readonly returnSites: readonly number[];
  /** This part's module-local helpers (`slowHelper`), and their ordinals by kind. */
  readonly helpers: LocalHelper[] = [];
  private readonly helperAt = new Map<number, number>();
  /** Local SB's value (see there). */
  readonly stateBase: number;
  /**
   * Per block: whether its memory operands go through memos (`loops`, block.ts `blocksInLoops`:
   * the block lies on a cycle of the region; none given: every block), else the TLB inline with
   * no call (`direct`).
   */
  readonly memoized: readonly boolean[];
  /** The flat-read bound's address when the region's mode has paging off, else -1. */
  private readonly flatRead: number;

  constructor(
    readonly blocks: readonly (readonly Instruction[])[],
    readonly layout: WasmLayout,
    readonly ss32: boolean,
    readonly flat: number,
    importBase: number,
    readonly masks: TlbMasks,
    memo: number,
    loops: readonly boolean[] | undefined,
  ) {
    this.a = new Asm(importBase);
    blocks.forEach((b, j) => this.index.set(b[0]!.ip >>> 0, j));
    this.returnSites = returnSiteBlocks(blocks, this.index);
    this.memo = Array.from({ length: MEMO_SLOTS }, (_, k) =>
      memo < 0 ? -1 : memo + MEMO_SLOT_BYTES * k,
    );
    const words = [layout.masks, layout.regs, layout.scratch, memo, layout.chunks];
    this.stateBase = Math.min(...words.filter((w) => w >= 0));
    this.memoized = loops ?? blocks.map(() => true);
    this.flatRead = (flat & PAGING_OFF) !== 0 ? layout.flatRead : -1;
  }

  /** Pushes the base for an access at `address` (SB, else 0) and returns its offset from it. */
  private base(address: number): number {
    if (address < this.stateBase) {
      this.a.i32(0);
      return address;
    }
    this.a.get(SB);
    return address - this.stateBase;
  }

  /** Pushes the word at `address` (as `i32.const 0; i32.load offset=address`). */
  word(address: number, op: number = Op.i32Load): void {
    this.a.mem(op, this.base(address));
  }

  /** Pushes XMM register `r` (0-7) as a v128. */
  xmmLoad(r: number): void {
    this.a.simdMem(Simd.v128Load, this.base(this.layout.xmm + 16 * r));
  }

  /** XMM register `r` = the v128 `v` pushes. */
  xmmStore(r: number, v: () => void): void {
    const offset = this.base(this.layout.xmm + 16 * r);
    v();
    this.a.simdMem(Simd.v128Store, offset);
  }

  /**
   * Runs `i` through its handler and leaves after it (the region's way for what an inline form
   * does not take: DIV's #DE, SSE unavailable, a misaligned or slow m128). The static flag record is as
   * before: the code after this branch continues from the inline path.
   */
  handlerLeave(i: Instruction): void {
    const fl = this.fl;
    this.handlerCall(i, true);
    this.fl = fl;
  }

  /** Leaves through `i`'s handler unless SSE forms may run (SCR_SSE). */
  sseGuard(i: Instruction): void {
    const a = this.a;
    this.word(this.layout.scratch + SCR_SSE);
    a.op(Op.i32Eqz);
    a.hint(false).open(Op.if);
    this.handlerLeave(i);
    a.end();
  }

  // ---- state spills ----

  storeWord(address: number, v: Push): void {
    const offset = this.base(address);
    v(this.a);
    this.a.mem(Op.i32Store, offset);
  }

  /**
   * The registers in `regs` (bit r: register r) and, when `flags`, the flag record into memory
   * (at the region's exits: those its code wrote, see `attempt`).
   */
  spillState(regs: number, flags: boolean): void {
    const lay = this.layout;
    this.resolveCarry();
    for (let r = 0; r < 8; r++)
      if ((regs & (1 << r)) !== 0) this.storeWord(lay.regs + 4 * r, local(R0 + r));
    if (!flags) return;
    for (let f = 0; f < 5; f++) this.storeWord(lay.scratch + SCR_FK + 4 * f, local(FK + f));
  }

  /**
   * Before a slow-path helper that reports faults through SCR_FAULT: the instruction's EIP and
   * its block (the fault exit stores both; `pc` is set only here and for back edges, so it is
   * not a value live through the region's code).
   */
  faultAt(ip: number): void {
    this.resolveCarry();
    this.a.i32(ip | 0).set(IPF);
    this.a.i32(this.j).set(PC);
  }

  /** After that helper: to the fault exit when it reported a fault. */
  faultCheck(): void {
    this.word(this.layout.scratch + SCR_FAULT);
    this.a.hint(false).brIf(this.fault);
  }

  /**
   * Before a helper that may throw: state, the instruction's EIP and the cursor, through the
   * imported `sp` (`spillBody`): one call instead of sixteen stores keeps slow paths small.
   */
  spillForFault(ip: number): void {
    const a = this.a;
    this.resolveCarry();
    for (let r = 0; r < 8; r++) a.get(R0 + r);
    for (let f = 0; f < 5; f++) a.get(FK + f);
    a.i32(ip | 0)
      .get(RB)
      .i32(this.j)
      .call(F_SP);
  }

  // ---- flags ----

  setKnown(op: number, top: number, fcZero: boolean): void {
    this.fl = { kind: 2, op, top, fcZero };
    this.carryPending = false;
  }
  setClean(): void {
    this.fl = { kind: 1, op: 0, top: 0, fcZero: false };
    this.carryPending = false;
  }
  flush(): void {
    this.resolveCarry();
    if (this.fl.kind !== 1) {
      const a = this.a;
      a.get(FK);
      a.open(Op.if);
      a.get(FK).get(FA).get(FB).get(FR).get(FC).call(F_FL);
      a.i32(0).set(FK);
      a.end();
    }
    this.setClean();
  }

  /** Pushes the flag of the known record (0/1). */
  flag(which: "C" | "Z" | "S" | "O" | "P"): void {
    const a = this.a;
    const f = this.fl;
    const t = f.top;
    const op = f.op;
    const fa = local(FA);
    const fb = local(FB);
    const fr = local(FR);
    switch (which) {
      case "Z":
        a.get(FR).op(Op.i32Eqz);
        return;
      case "S":
        isNeg(a, fr, t);
        return;
      case "P":
        a.get(FR).i32(255).op(Op.i32And).op(Op.i32Popcnt).i32(1).op(Op.i32And).op(Op.i32Eqz);
        return;
      case "C":
        if (op === FlagOp.Add) a.get(FR).get(FA).op(Op.i32LtU);
        else if (op === FlagOp.Sub) a.get(FA).get(FB).op(Op.i32LtU);
        else if (op === FlagOp.Logic) {
          if (f.fcZero) a.i32(0);
          else a.get(FC).i32(1).op(Op.i32And);
        } else if (op === FlagOp.Adc)
          // (fa & fb) | ((fa | fb) & ~fr)
          isNeg(
            a,
            (b) =>
              b
                .get(FA)
                .get(FB)
                .op(Op.i32And)
                .get(FA)
                .get(FB)
                .op(Op.i32Or)
                .get(FR)
                .i32(-1)
                .op(Op.i32Xor)
                .op(Op.i32And)
                .op(Op.i32Or),
            t,
          );
        else if (op === FlagOp.Sbb)
          // (~fa & fb) | (~(fa ^ fb) & fr)
          isNeg(
            a,
            (b) =>
              b
                .get(FA)
                .i32(-1)
                .op(Op.i32Xor)
                .get(FB)
                .op(Op.i32And)
                .get(FA)
                .get(FB)
                .op(Op.i32Xor)
                .i32(-1)
                .op(Op.i32Xor)
                .get(FR)
                .op(Op.i32And)
                .op(Op.i32Or),
            t,
          );
        else a.get(FC).i32(0).op(Op.i32Ne);
        return;
      default: {
        const xorAnd = (p: Push, q: Push, r: Push, s: Push): Push => {
          return (b) => {
            p(b);
            q(b);
            b.op(Op.i32Xor);
            r(b);
            s(b);
            b.op(Op.i32Xor).op(Op.i32And);
          };
        };
        if (op === FlagOp.Add || op === FlagOp.Adc) isNeg(a, xorAnd(fa, fr, fb, fr), t);
        else if (op === FlagOp.Inc) isNeg(a, xorAnd(fa, fr, konst(1), fr), t);
        else if (op === FlagOp.Sub || op === FlagOp.Sbb) isNeg(a, xorAnd(fa, fb, fa, fr), t);
        else if (op === FlagOp.Dec) isNeg(a, xorAnd(fa, konst(1), fa, fr), t);
        else if (f.fcZero) a.i32(0);
        else a.get(FC).i32(11).op(Op.i32ShrU).i32(1).op(Op.i32And);
      }
    }
  }

  /**
   * Pushes condition `cc` (Jcc order) as 0/1. A record not known here is evaluated in wasm
   * (`cd`) when one is pending, else from CpuState (`tc`); it stays pending.
   */
  condition(cc: number): void {
    const a = this.a;
    if (this.fl.kind !== 2) {
      if (this.fl.kind === 1) {
        a.i32(cc).call(F_TC);
        return;
      }
      a.get(FK);
      a.ifI32();
      a.get(FK).get(FA).get(FB).get(FR).get(FC).i32(cc).call(F_CD);
      a.else();
      a.i32(cc).call(F_TC);
      a.end();
      return;
    }
    const f = this.fl;
    const kind = cc >> 1;
    if (f.op === FlagOp.Sub && (kind === 1 || kind === 3 || kind === 6 || kind === 7)) {
      if (kind === 1 || kind === 3) {
        a.get(FA)
          .get(FB)
          .op(kind === 1 ? Op.i32LtU : Op.i32LeU);
      } else {
        sx(a, local(FA), f.top);
        sx(a, local(FB), f.top);
        a.op(kind === 6 ? Op.i32LtS : Op.i32LeS);
      }
    } else {
      switch (kind) {
        case 0:
          this.flag("O");
          break;
        case 1:
          this.flag("C");
          break;
        case 2:
          this.flag("Z");
          break;
        case 3:
          this.flag("C");
          this.flag("Z");
          a.op(Op.i32Or);
          break;
        case 4:
          this.flag("S");
          break;
        case 5:
          this.flag("P");
          break;
        case 6:
          this.flag("S");
          this.flag("O");
          a.op(Op.i32Ne);
          break;
        default:
          this.flag("Z");
          this.flag("S");
          this.flag("O");
          a.op(Op.i32Ne).op(Op.i32Or);
      }
    }
    if ((cc & 1) !== 0) a.op(Op.i32Eqz);
  }

  /** Pushes the current CF as 0/1 (INC/DEC keep it, ADC/SBB read it). */
  carryNow(): void {
    const a = this.a;
    this.resolveCarry();
    if (this.fl.kind === 2) {
      const f = this.fl;
      if (f.op === FlagOp.Inc || f.op === FlagOp.Dec) a.get(FC);
      else if (f.op === FlagOp.Logic) {
        if (f.fcZero) a.i32(0);
        else a.get(FC).i32(1).op(Op.i32And);
      } else this.flag("C");
      return;
    }
    if (this.fl.kind === 1) {
      a.call(F_CF);
      return;
    }
    this.dynamicCarry(FK);
  }

  /**
   * Pushes CF of the record in locals `fk`.. (`fk`, fa, fb, fr, fc), known only at run time:
   * CpuState's without one (fk 0); inline for SUB/CMP, ADD, logic, shifts and INC/DEC (the
   * records before the kernel's `dec ecx; jnz` and ADC forms), else in wasm (`ef`).
   */
  dynamicCarry(fk: number): void {
    const a = this.a;
    const opIs = (op: number): void => {
      a.get(fk).i32(5).op(Op.i32ShrU).i32(op).op(Op.i32Eq);
    };
    // [test, CF when it holds], tried in order; the last case calls `ef`.
    const cases: [() => void, () => void][] = [
      [() => a.get(fk).op(Op.i32Eqz), () => a.call(F_CF)],
      [
        () => opIs(FlagOp.Sub),
        () =>
          a
            .get(fk + 1)
            .get(fk + 2)
            .op(Op.i32LtU),
      ],
      [
        () => opIs(FlagOp.Add),
        () =>
          a
            .get(fk + 3)
            .get(fk + 1)
            .op(Op.i32LtU),
      ],
      // Logic (CF recorded in fc bit 0), INC and DEC (fc = CF): ops 3 to 5.
      [
        () => {
          a.get(fk).i32(5).op(Op.i32ShrU).i32(FlagOp.Logic).op(Op.i32Sub);
          a.i32(FlagOp.Dec - FlagOp.Logic).op(Op.i32LeU);
        },
        () =>
          a
            .get(fk + 4)
            .i32(1)
            .op(Op.i32And),
      ],
    ];
    for (const [test, carry] of cases) {
      test();
      a.ifI32();
      carry();
      a.else();
    }
    for (let f = 0; f < 5; f++) a.get(fk + f);
    a.call(F_EF).i32(1).op(Op.i32And);
    for (let k = 0; k < cases.length; k++) a.end();
  }

  /**
   * Whether INC/DEC at `k` (whose record before it is not known here, so its CF would take a
   * call) may leave CF uncomputed: a later form of the block writes every status flag without
   * reading any (ADD, SUB, CMP, AND, OR, XOR, TEST, lowered, its flags not dead), with only
   * MOV/MOVZX/MOVSX/LEA forms or such writers whose flags are dead in between, whose only ways
   * out are slow paths (`faultAt`). The kernel's XZ decompressor has such INC/DEC in its CRC
   * loop (`inc; mov; xor`) and its bit reader (`dec; mov; mov; test`).
   */
  deferCarry(): boolean {
    const insns = this.blocks[this.j]!;
    for (let m = this.k + 1; m < insns.length; m++) {
      if (this.calls[m]) return false;
      const code = insns[m]!.code;
      if (CARRY_WRITERS.has(code)) {
        // A writer whose flags are dead leaves the record alone (alu's dead path): look on.
        if (this.deadInBlock[m]) continue;
        this.carryUntil = m;
        return true;
      }
      if (!NO_FLAGS.has(code)) return false;
    }
    return false;
  }

  /** Keeps the record in OFK.. and leaves FC to `resolveCarry` (see `deferCarry`). */
  deferCarryNow(): void {
    const a = this.a;
    for (let f = 0; f < 5; f++) a.get(FK + f).set(OFK + f);
    this.carryKind = this.fl.kind;
  }

  /** FC of the pending INC/DEC record: the CF of the record it replaced (carryNow's way). */
  resolveCarry(): void {
    if (!this.carryPending) return;
    const a = this.a;
    if (this.carryKind === 1) a.call(F_CF);
    else this.dynamicCarry(OFK);
    a.set(FC);
  }

  /**
   * The known record (any op but Explicit) as an explicit one, inline: its ZF, SF, PF and AF
   * (emitRecordFlags' way), CF and OF from locals `cf` and `of`.
   */
  explicitKnown(cf: number, of: number): void {
    const a = this.a;
    const op = this.fl.op;
    this.flag("Z");
    a.i32(6).op(Op.i32Shl);
    this.flag("S");
    a.i32(7).op(Op.i32Shl).op(Op.i32Or);
    this.flag("P");
    a.i32(2).op(Op.i32Shl).op(Op.i32Or);
    if (op === FlagOp.Logic) a.get(FC);
    else {
      a.get(FA);
      if (op === FlagOp.Inc || op === FlagOp.Dec) a.i32(1);
      else a.get(FB);
      a.op(Op.i32Xor).get(FR).op(Op.i32Xor);
    }
    a.i32(AF_BIT).op(Op.i32And).op(Op.i32Or);
    this.orCfOf(cf, of);
    a.i32((FlagOp.Explicit << 5) | 31).set(FK);
  }

  /** FA = the flags on the stack (CF and OF clear) with CF, OF from locals `cf`, `of` (0/1). */
  orCfOf(cf: number, of: number): void {
    this.a.get(cf).op(Op.i32Or);
    this.a.get(of).i32(11).op(Op.i32Shl).op(Op.i32Or).set(FA);
  }

  /**
   * One status flag (`bit`: CF_BIT or ZF_BIT) becomes the 0/1 value in local `v`, every other
   * flag kept (BT/BTS/BTR/BTC's CF, CMPXCHG8B's ZF: the interpreter's writeFlagBits); without a
   * record, `rf` with its second argument RF_ONLY_CF or RF_ONLY_ZF. A known record's CF and OF
   * go through T2 and X (`replaceFlags`).
   */
  setFlagBit(bit: number, v: number): void {
    const a = this.a;
    const only = bit === ZF_BIT ? RF_ONLY_ZF : RF_ONLY_CF;
    this.replaceFlags(
      bit,
      (b) => {
        b.get(v);
        if (bit === ZF_BIT) b.i32(6).op(Op.i32Shl);
      },
      (b) => b.get(v).i32(only),
      (replace) => {
        // The record's own CF and OF into an explicit record, then the bit replaced.
        this.flag("O");
        a.set(T2);
        this.flag("C");
        a.set(X);
        this.explicitKnown(X, T2);
        a.get(FA);
        replace();
      },
    );
  }

  /**
   * CF and OF become the 0/1 values in locals `cf` and `of`, the other flags kept (rotates,
   * MUL/IMUL: alu.ts rotFlags, mulFlags). An explicit record (an earlier form here made it) is
   * updated in place, as in the kernel's runs of IMULs (mpihelp's 16-bit partial products).
   */
  setCfOf(cf: number, of: number): void {
    this.replaceFlags(
      CF_BIT | OF_BIT,
      (b) => b.get(cf).get(of).i32(11).op(Op.i32Shl).op(Op.i32Or),
      (b) => b.get(cf).get(of),
      () => this.explicitKnown(cf, of),
    );
  }

  /**
   * The status flags in `mask` become `bits` (pushed in place), the others kept: a pending record
   * turns into an explicit one in wasm (`ef`, FlagOp.Explicit), an explicit one is updated in
   * place, a record known here is made explicit inline by `known` (given the update to apply to
   * FA on the stack); without a record, CpuState's flags are set through `rf` (`rf`: its two
   * arguments). The record is then explicit: kind 0 with the op as a hint (no form reads an
   * explicit record inline).
   */
  private replaceFlags(
    mask: number,
    bits: Push,
    rf: Push,
    known: (replace: () => void) => void,
  ): void {
    const a = this.a;
    this.resolveCarry();
    const replace = (): void => {
      a.i32(~mask).op(Op.i32And);
      bits(a);
      a.op(Op.i32Or).set(FA);
    };
    if (this.fl.kind === 1) {
      rf(a);
      a.call(F_RF);
      return;
    }
    if (this.fl.kind === 0 && this.fl.op === FlagOp.Explicit) {
      a.get(FA);
      replace();
      return;
    }
    if (this.fl.kind === 2) {
      known(replace);
      this.fl = { kind: 0, op: FlagOp.Explicit, top: 31, fcZero: false };
      return;
    }
    a.get(FK);
    a.open(Op.if);
    a.get(FK).get(FA).get(FB).get(FR).get(FC).call(F_EF);
    replace();
    a.i32((FlagOp.Explicit << 5) | 31).set(FK);
    a.else();
    rf(a);
    a.call(F_RF);
    a.end();
  }

  // ---- exits ----

  leave(eip: Push, retiredExtra: number, link: number): void {
    const a = this.a;
    eip(a);
    a.set(NE);
    a.get(RB);
    if (retiredExtra !== 0) a.i32(retiredExtra).op(Op.i32Add);
    a.set(NR);
    a.i32(link).set(NG);
    a.br(this.exit);
  }

  /** Leaves after the current instruction (no link). */
  leaveAfter(i: Instruction): void {
    this.leave(konst(i.nextIp | 0), this.k + 1, -1);
  }

  /**
   * Pushes whether the TLB entry of `tail`'s linear page allows a fetch (valid, under the
   * region's read mask, no NX, below 4 GiB) from the physical page the tail was fetched from.
   */
  crossingGuard(tail: CrossingTail): void {
    this.a
      .i32(0)
      .mem(Op.i32Load, this.layout.tlb + 4 * tail.linearPage)
      .i32(~0xfff | this.masks[0] | TLB_NO_FETCH_HIGH)
      .op(Op.i32And)
      .i32((tail.physPage << 12) | 1)
      .op(Op.i32Eq);
  }

  /** The end of the current block to `target` (in-region: continue while budget allows). */
  exitTo(target: number): void {
    const a = this.a;
    const n = this.blocks[this.j]!.length;
    const inner = this.index.get(target);
    const g = this.exitTargets.length;
    this.exitTargets.push(target);
    if (inner === undefined) {
      this.leave(konst(target | 0), n, g);
      return;
    }
    a.get(RB).i32(n).op(Op.i32Add).set(RB);
    this.branchInner(inner);
    this.leave(konst(target | 0), 0, g);
  }

  /**
   * Goes on at block `inner` of this region when the budget allows (the current block's
   * instructions already in RB) and, for a back edge, no event waits; else falls through.
   */
  private branchInner(inner: number): void {
    const a = this.a;
    const need = this.blocks[inner]!.length;
    // The budget left is `left` (the end, see attempt) minus the retired count.
    a.get(P_LEFT).get(RB).op(Op.i32Sub).i32(need).op(Op.i32GeS);
    if (inner > this.j) {
      a.hint(true).brIf(this.starts[inner]!);
      return;
    }
    a.hint(true).open(Op.if);
    this.eventPending();
    a.op(Op.i32Eqz);
    a.hint(true).open(Op.if);
    a.i32(inner).set(PC);
    a.br(this.run);
    a.end();
    a.end();
  }

  /**
   * Runs instruction `k` of block `j` through the interpreter's handler (its own import `h<n>`, which
   * sets startEip/startEsp/EIP/retired as generate() does, and says whether to leave): flags
   * flushed and registers stored first, registers reloaded after. The last instruction of a
   * block leaves to the EIP the handler left (a dynamic exit for near indirect transfers).
   */
  handlerCall(i: Instruction, last: boolean): void {
    const a = this.a;
    const lay = this.layout;
    if (!keepsFlagRecord(i)) this.flush();
    this.spillForFault(-1);
    const site = this.handlerSites.push(i) - 1;
    a.get(RB)
      .i32(this.k)
      .op(Op.i32Add)
      .call(IMPORTS.length + site);
    for (let r = 0; r < 8; r++) {
      this.word(lay.regs + 4 * r);
      a.set(R0 + r);
    }
    const next: Push = () => this.word(lay.scratch + SCR_NE);
    const checked = last && this.chained && MODE_CHECKED.has(i.code);
    this.checkedSites.push(checked);
    if (last && (isCrossing(i) || MODE_KEEPING.has(i.code) || checked)) {
      // A page-crossing instruction (crossing.ts), run by the engine's handler from memory,
      // or a barrier that keeps the mode (MODE_KEEPING): on to where it went in wasm, unless
      // it moved EIP elsewhere, the region is no longer valid (a crossing instruction that
      // was not the one decoded here invalidates it) or an event came (the import tests).
      a.hint(false).open(Op.if);
      this.leave(next, this.k + 1, -1);
      a.end();
      this.dynamicExit(next);
      return;
    }
    if (last) {
      a.op(Op.drop);
      if (NEAR_INDIRECT.has(i.code)) this.dynamicExit(next);
      else this.leave(next, this.k + 1, -1);
      return;
    }
    a.hint(false).open(Op.if);
    this.leave(next, this.k + 1, -1);
    a.end();
  }

  /**
   * A RET at the end of block `j` whose target (in `x`) is a return site of this region (a
   * block after one of its CALLs) goes on there inside the function, as `exitTo`'s inner
   * branches do: a call and its return in one region (a loop calling a function on its page)
   * leave the region neither way. Else falls through (to the dynamic exit). Returns the
   * instructions it added to RB (the block's, when it tested any site).
   */
  returnInside(x: number): number {
    if (this.returnSites.length === 0) return 0;
    const a = this.a;
    const n = this.blocks[this.j]!.length;
    a.get(RB).i32(n).op(Op.i32Add).set(RB);
    for (const inner of this.returnSites) {
      a.get(x)
        .i32(this.blocks[inner]![0]!.ip | 0)
        .op(Op.i32Eq);
      a.open(Op.if);
      this.branchInner(inner);
      a.end();
    }
    return n;
  }

  /**
   * After near CALL `i` (its push done) that leaves this region: when its return site is a block
   * of the region, pushes [return EIP, rasWord] on the return-address stack, so the callee's RET
   * comes back here through the trampoline without the hash (SCR_RAS). A CALL to a block of the
   * region pushes nothing: its RET may go on inside (`returnInside`), popping nothing.
   */
  pushReturn(i: Instruction, target: number): void {
    if (this.rasWord < 0 || !this.index.has(i.nextIp >>> 0)) return;
    if (target >= 0 && this.index.has(target >>> 0)) return;
    const a = this.a;
    const sc = this.layout.scratch;
    // top = (top + 8) & RAS_MASK, then the entry's two words at SCR_RAS + top.
    this.word(sc + SCR_RAS_TOP);
    a.i32(8).op(Op.i32Add).i32(RAS_MASK).op(Op.i32And).set(T0);
    this.storeWord(sc + SCR_RAS_TOP, local(T0));
    a.get(T0)
      .i32(i.nextIp | 0)
      .mem(Op.i32Store, sc + SCR_RAS);
    a.get(T0)
      .i32(this.rasWord)
      .mem(Op.i32Store, sc + SCR_RAS + 4);
  }

  /** Pushes whether an event waits (a back edge's test: the scratch word, else the import). */
  private eventPending(): void {
    const a = this.a;
    if (this.chained) {
      // An import that saw an event set the word (region.ts): the same test, no call.
      this.word(this.layout.scratch + SCR_EVW);
    } else {
      a.get(P_EV);
      a.ifI32();
      a.call(F_EV);
      a.else();
      a.i32(0);
      a.end();
    }
  }

  /**
   * Leaves to the EIP in `eip` through a dynamic exit slot (the wrapper caches the target);
   * `counted` of the instructions up to this one are in RB already.
   */
  dynamicExit(eip: Push, counted = 0): void {
    const g = this.exitTargets.length;
    this.exitTargets.push(-1);
    if (this.chained && this.layout.dyn >= 0) this.a.i32(1).set(DY);
    this.leave(eip, this.k + 1 - counted, g);
  }

  // ---- memory ----

  /** Pushes `l` = the effective address; false if not lowerable (16-bit addressing, ...). */
  ea(i: Instruction): Push | null {
    if (i.addrSize !== 32) return null;
    const base = memGpr(i.memBase);
    const index = memGpr(i.memIndex);
    if (base < 0 || index < 0) return null;
    const sh = SCALE_SHIFT[i.memScale]!;
    const disp = i.memDisplacement | 0;
    return (a) => {
      a.i32(disp);
      if (base !== 8) a.get(R0 + base).op(Op.i32Add);
      if (index !== 8) {
        a.get(R0 + index);
        if (sh !== 0) a.i32(sh).op(Op.i32Shl);
        a.op(Op.i32Add);
      }
    };
  }

  /** Segment (ES 0 .. GS 5) of the memory operand, or -1. */
  seg(i: Instruction): number {
    const seg = i.memSegment - REG_ES;
    return seg < 0 || seg > 5 ? -1 : seg;
  }

  /**
   * The linear address of the memory operand of `i` (an access of size `top`, a write when
   * `write`: the interpreter's memLinear) into `l`; returns its segment, -1 if not lowerable.
   * A flat segment (the mode key says so) needs only the offset (the slow path checks it); any
   * other (FS/GS with a per-CPU base, a limit below 4 GiB) goes through `ck`, the interpreter's
   * checkedLinear (limit, rights and base from CpuState at run time), as emit.ts's CK does.
   */
  linear(i: Instruction, top: number, write: boolean): number {
    const seg = this.seg(i);
    const ea = this.ea(i);
    if (seg < 0 || ea === null) return -1;
    this.offsetLinear(i.ip, seg, ea, top, write);
    return seg;
  }

  /** `l` = the linear address of offset `off` in segment `seg` (see `linear`). */
  offsetLinear(ip: number, seg: number, off: Push, top: number, write: boolean): void {
    const a = this.a;
    if ((this.flat & (1 << seg)) !== 0) {
      off(a);
      a.set(L);
      return;
    }
    // A segment the wrapper marked fast (Linux's per-CPU FS, a TLS GS): base + offset, when
    // the access does not run past 4 GiB; else checkedLinear through `ck`.
    const at = this.layout.scratch + SCR_SEG + 8 * seg;
    const size = SIZE(top);
    off(a);
    a.set(L);
    this.word(at + 4);
    a.i32(write ? 2 : 1)
      .op(Op.i32And)
      .i32(0)
      .op(Op.i32Ne);
    if (size > 1)
      a.get(L)
        .i32(1 - size)
        .op(Op.i32LeU)
        .op(Op.i32And);
    a.hint(true).ifI32();
    a.get(L);
    this.word(at);
    a.op(Op.i32Add);
    a.else();
    this.faultAt(ip);
    a.i32(seg)
      .get(L)
      .i32(size)
      .i32(write ? 1 : 0)
      .call(F_CK);
    this.faultCheck();
    a.end();
    a.set(L);
  }

  /** The slow-path code: size, plus the segment to check when it was taken as flat. */
  slowCode(seg: number, top: number): number {
    return SIZE(top) | ((this.flat & (1 << seg)) !== 0 ? (seg + 1) << 4 : 0);
  }

  /**
   * Before the slow load or store of instruction `i`, the code it passes (`slowCode`'s): with
   * SLOW_SITE and the instruction's place (slowSite), from which the helper that keeps a fault
   * finds its EIP and block (region.ts), so the site sets no locals for the fault exit; else
   * (not the instruction at k, which no lowering emits today) as `faultAt` does.
   */
  slowPath(i: Instruction, code: number): number {
    if (this.insns[this.k] !== i) {
      this.faultAt(i.ip);
      return code;
    }
    this.resolveCarry();
    return slowSite(code, this.j, this.k);
  }

  /**
   * Pushes a slow load's or store's code and retired count (`ld`, `st`): a site code holds the
   * instruction's index in its block, which region.ts adds to the block's count (RB), so the
   * site pushes RB alone (3 bytes less at each of a boot's ~40 K slow paths).
   */
  private retiredArg(code: number): void {
    this.a.i32(code).get(RB);
    if ((code & SLOW_SITE) === 0) this.a.i32(this.k).op(Op.i32Add);
  }

  /** Pushes the TLB test for `l` against `mask` (TlbMasks; 1 = direct access). */
  tlbTest(mask: number, top: number): void {
    const limit = top === 7 ? null : konst(4096 - SIZE(top));
    tlbFast(this.a, this.layout.tlb, L, E, konst(mask), limit);
  }

  physAddr(): void {
    this.a.get(E).i32(-4096).op(Op.i32And).get(L).i32(4095).op(Op.i32And).op(Op.i32Or);
  }

  /**
   * With a memo for `slot`: goes on to the fast access when the access at `l` (a write when
   * `write`) hits it, or when the TLB accepts it (`me`, which sets the memo to its page); else
   * branches to `slow`. Blocks and branches rather than an i32 condition: V8 does not thread a
   * branch through a phi (that form was slower).
   */
  memoTest(slot: number, write: boolean, top: number, slow: Label): void {
    const m = this.memo[slot]!;
    const a = this.a;
    const fast = a.open(Op.block);
    this.windowOffset(m, write);
    a.op(Op.i32LtU).hint(true).brIf(fast);
    a.get(L)
      .i32(memoArg(m, write, SIZE(top)))
      .call(F_ME);
    a.op(Op.i32Eqz).hint(false).brIf(slow);
    a.end();
  }

  /**
   * Branches to `miss` unless the access at `l` (a write when `write`) is inside the window of
   * the memo at `m` (then the fast access follows).
   */
  windowTest(m: number, write: boolean, miss: Label): void {
    this.windowOffset(m, write);
    this.a.op(Op.i32GeU).hint(false).brIf(miss);
  }

  /**
   * Pushes `l`'s offset in the read or write window of the memo at `m` and the window's bound
   * (`l` is inside when the offset is below the bound, unsigned).
   */
  private windowOffset(m: number, write: boolean): void {
    const w = m + (write ? MEMO_WRITE : MEMO_READ);
    this.a.get(L);
    this.word(w + MEMO_P);
    this.a.op(Op.i32Sub);
    this.word(w + MEMO_BOUND);
  }

  /**
   * The ordinal of this part's helper for the slow path of a load (`store` false: `rmw`, a
   * read-modify-write's read) or store of `top` through a memo (`memoLoadHelper`,
   * `memoStoreHelper`), made at its first use.
   */
  private slowHelper(store: boolean, top: number, rmw: boolean): number {
    const key = (store ? 1 : 0) | (rmw ? 2 : 0) | (top << 2);
    let k = this.helperAt.get(key);
    if (k === undefined) {
      const base = this.a.importBase;
      k =
        this.helpers.push(store ? memoStoreHelper(base, top) : memoLoadHelper(base, top, rmw)) - 1;
      this.helperAt.set(key, k);
    }
    return k;
  }

  /** Pushes the host address of `l` through the memo at `m` (its read or write window's D). */
  memoAddr(m: number, write: boolean): void {
    this.a.get(L);
    this.word(m + (write ? MEMO_WRITE : MEMO_READ) + MEMO_D);
    this.a.op(Op.i32Add);
  }

  /**
   * Whether instruction `i`'s memory operand takes the TLB inline and, where the TLB refuses the
   * access, leaves the region before `i` (`leaveBefore`) instead of calling a slow path: off the
   * region's loops (`memoized`). Such an operand has no call, so V8's optimizing compile has no
   * live range to split around one (bench/README.md, stop 55).
   */
  private direct(i: Instruction): boolean {
    return !this.memoized[this.j]! && this.insns[this.k] === i;
  }

  /**
   * Leaves before instruction `i`, nothing of it done (as for a fault: the forms change no state
   * before their last memory access can fail), for the dispatcher to run it in the interpreter:
   * MMIO, a TLB miss, a watched or read-only page, a page-crossing access, a fault.
   */
  private leaveBefore(i: Instruction): void {
    this.resolveCarry();
    this.leave(konst(i.ip | 0), this.k, -1);
  }

  /**
   * Groups the loads of the block `insns` through the same base and index registers in a flat
   * segment, those registers unchanged in between (no handler call either), spanning at most
   * GROUP_SPAN bytes: a stack frame's `[ebp-x]` or a structure's fields. The first load of a
   * group tests the TLB once for the whole span (`groupTest`); the others load at GB plus their
   * offset without a test of their own while it passed (each keeps its own path for when not).
   */
  planLoadGroups(insns: readonly Instruction[], calls: readonly boolean[]): void {
    this.groupLive = -1;
    this.loadGroup = NO_LOAD_GROUPS;
    // Not where loads test the MMU's flat-read bound, one word (`flatLoad`: paging off, memos).
    if (this.flatRead >= 0 && this.memoized[this.j]!) return;
    // Most blocks have too few loads for a group: nothing to allocate for them.
    let loads = 0;
    for (let k = 0; k < insns.length; k++) if (this.loadKey(insns[k]!) >= 0) loads++;
    if (loads < GROUP_LOADS) return;
    const group = insns.map(() => -1);
    const first: number[] = [];
    const min: number[] = [];
    const max: number[] = [];
    const open = new Map<number, number>();
    for (let k = 0; k < insns.length; k++) {
      const i = insns[k]!;
      if (calls[k]) {
        open.clear();
        continue;
      }
      const key = this.loadKey(i);
      if (key >= 0) {
        const d = i.memDisplacement | 0;
        const end = d + MEM_BYTES[i.memSize]!;
        let g = open.get(key);
        if (g !== undefined && Math.max(max[g]!, end) - Math.min(min[g]!, d) > GROUP_SPAN)
          g = undefined;
        if (g === undefined) {
          g = first.push(k) - 1;
          min.push(d);
          max.push(end);
          open.set(key, g);
        } else {
          min[g] = Math.min(min[g]!, d);
          max[g] = Math.max(max[g]!, end);
        }
        group[k] = g;
      }
      // A register the instruction may write ends the groups over it (any, when not known).
      const w = GROUP_KEEPS.has(i.code)
        ? i.op0Kind === OpKind.Register
          ? gprOf(i.op0Register)
          : -2
        : -1;
      if (w === -1) open.clear();
      else if (w >= 0)
        for (const key of [...open.keys()])
          if ((key & 15) === w || ((key >>> 4) & 15) === w) open.delete(key);
    }
    // A group of few loads costs about what their own tests (or memos) cost.
    const members = first.map(() => 0);
    for (const g of group) if (g >= 0) members[g]!++;
    this.loadGroup = group.map((g) => (g >= 0 && members[g]! >= GROUP_LOADS ? g : -1));
    this.groupFirst = first;
    this.groupMin = min;
    this.groupSpan = max.map((m, g) => m - min[g]!);
  }

  /**
   * A load group's key for instruction `i` (base | index << 4 | scale << 8 | segment << 10,
   * 8 for no register), or -1 when it is not a plain load of 1, 2 or 4 bytes through a flat
   * segment.
   */
  private loadKey(i: Instruction): number {
    const bytes = MEM_BYTES[i.memSize] ?? 0;
    if (bytes === 0 || i.addrSize !== 32 || i.hasLock) return -1;
    const load =
      (i.op1Kind === OpKind.Memory && i.op0Kind === OpKind.Register && !NOT_LOADS.has(i.code)) ||
      (i.op0Kind === OpKind.Memory && COMPARES.has(i.code));
    if (!load) return -1;
    const seg = this.seg(i);
    if (seg < 0 || (this.flat & (1 << seg)) === 0) return -1;
    const base = memGpr(i.memBase);
    const index = memGpr(i.memIndex);
    if (base < 0 || index < 0) return -1;
    return base | (index << 4) | (SCALE_SHIFT[i.memScale]! << 8) | (seg << 10);
  }

  /**
   * At the first load of group `g` (`l` its address), at the block's top level: GB = the host
   * address of its lowest displacement when the TLB maps the group's whole span on one page of
   * plain RAM for reading, else NO_GROUP.
   */
  private groupTest(i: Instruction, g: number): void {
    const a = this.a;
    const lo = this.groupMin[g]! - (i.memDisplacement | 0);
    tlbFast(a, this.layout.tlb, L, E, konst(this.masks[0]), konst(4096 - this.groupSpan[g]!), lo);
    a.hint(true).ifI32();
    this.physAddr();
    if (lo !== 0) a.i32(lo).op(Op.i32Add);
    a.else();
    a.i32(NO_GROUP);
    a.end();
    a.set(GB);
    this.groupLive = g;
    this.groupWrites = a.writes;
  }

  /** The group of load `i` whose test ran, its base and index not written since; else -1. */
  private liveGroup(i: Instruction, top: number, rmw: boolean): number {
    if (rmw || SIZE(top) !== MEM_BYTES[i.memSize] || this.insns[this.k] !== i) return -1;
    const g = this.loadGroup[this.k] ?? -1;
    if (g < 0) return -1;
    if (this.groupFirst[g] === this.k && this.groupLive !== g && this.a.level === this.blockLevel)
      this.groupTest(i, g);
    if (this.groupLive !== g) return -1;
    const last = this.a.lastWrite;
    // (The key's registers: both general registers or none, see loadKey.)
    const written = (reg: number): boolean => reg !== 8 && last[R0 + reg]! > this.groupWrites;
    return written(memGpr(i.memBase)) || written(memGpr(i.memIndex)) ? -1 : g;
  }

  /**
   * `x` = the operand at `l` (`slot`: its page memo, by default the operand's base register).
   * The read of a read-modify-write form (`rmw`) goes fast only where a write would, and its
   * slow path probes the write (emit.ts SLOW_RMW): a write-protection fault comes before the
   * form changes any state, as in the interpreter.
   */
  loadAt(i: Instruction, seg: number, top: number, slot = explicitSlot(i), rmw = false): void {
    const a = this.a;
    const g = this.liveGroup(i, top, rmw);
    if (g < 0) {
      this.loadValue(i, seg, top, slot, rmw);
      a.set(X);
      return;
    }
    a.get(GB).i32(NO_GROUP).op(Op.i32Ne).hint(true).ifI32();
    a.get(GB).mem(loadOp(top), (i.memDisplacement | 0) - this.groupMin[g]!);
    a.else();
    this.loadValue(i, seg, top, slot, rmw);
    a.end();
    a.set(X);
  }

  /** Pushes the operand at `l` (`loadAt` without its group). */
  private loadValue(i: Instruction, seg: number, top: number, slot: number, rmw: boolean): void {
    const a = this.a;
    const load = loadOp(top);
    const direct = this.direct(i);
    const m = direct ? -1 : this.memo[slot]!;
    if (m >= 0) {
      // A window miss calls one helper: it sets the memo and loads, or takes the slow load
      // (one call site instead of two: V8's optimizing compile of a region costs less).
      const done = a.blockI32();
      const miss = a.open(Op.block);
      if (!rmw && this.flatRead >= 0 && SIZE(top) <= 4) this.flatLoad(load, done);
      this.windowTest(m, rmw, miss);
      this.memoAddr(m, rmw);
      a.mem(load, 0).br(done);
      a.end();
    } else {
      this.tlbTest(this.masks[rmw ? 1 : 0], top);
      a.hint(true).ifI32();
      this.physAddr();
      a.mem(load, 0);
      a.else();
    }
    if (direct) {
      this.leaveBefore(i);
      a.end();
      return;
    }
    const code = this.slowPath(i, this.slowCode(seg, top) | (rmw ? SLOW_RMW : 0));
    a.get(L);
    if (m >= 0) a.i32(memoArg(m, rmw, SIZE(top)));
    this.retiredArg(code);
    if (m >= 0) a.callLocal(this.slowHelper(false, top, rmw));
    else a.call(F_LD);
    this.faultCheck();
    a.end();
  }

  /**
   * Paging off: a read inside the MMU's flat-read bound loads RAM at `l` and branches to `done`
   * with the value; any other goes on after this code. One word to load, where a memo's window
   * test loads two and its address a third (the XZ decompressor's loads, ~5 % of its phase).
   */
  private flatLoad(load: number, done: Label): void {
    const a = this.a;
    const other = a.open(Op.block);
    a.get(L).i32(FLAT_READ_BASE).op(Op.i32Sub);
    this.word(this.flatRead);
    a.op(Op.i32GeU).hint(false).brIf(other);
    a.get(L).mem(load, 0).br(done);
    a.end();
  }

  /** Writes `v` to the operand at `l`; a slow write that hit this region or raised an event leaves. */
  storeAt(i: Instruction, seg: number, top: number, v: Push): void {
    storeThen(this, i, seg, top, v, () => undefined);
  }

  /**
   * The write of `v` to the operand at `l`: the TLB fast path, else the imported slow store,
   * whose result (1: it hit this region or raised an event) stays on the stack in the else
   * branch left open; `after` (the form's register updates) runs on both paths after the write.
   * The caller consumes the result and closes the branch.
   */
  storeOpen(
    i: Instruction,
    seg: number,
    top: number,
    v: Push,
    after: () => void,
    slot = explicitSlot(i),
  ): void {
    const a = this.a;
    const store = storeOp(top);
    // Only an instruction's first store may leave before it: after a store, the instruction
    // is no longer undone by leaving (CMPXCHG8B's second dword).
    const at = this.j * 1024 + this.k;
    const direct = this.direct(i) && this.lastStore !== at;
    this.lastStore = at;
    const m = direct ? -1 : this.memo[slot]!;
    if (m >= 0) {
      // As in `loadAt`: a window miss calls one helper (memo and store, or the slow store).
      const done = a.open(Op.block);
      const miss = a.open(Op.block);
      this.windowTest(m, true, miss);
      this.memoAddr(m, true);
      v(a);
      a.mem(store, 0);
      after();
      a.br(done);
      a.end();
    } else {
      this.tlbTest(this.masks[1], top);
      a.hint(true).open(Op.if);
      this.physAddr();
      v(a);
      a.mem(store, 0);
      after();
      a.else();
    }
    this.storeLeft = direct;
    if (direct) {
      // A caller's test of the slow store's result would follow a branch: unreachable
      // (`storeThen` leaves it out).
      this.storeSite = false;
      this.leaveBefore(i);
      return;
    }
    const code = this.slowPath(i, this.slowCode(seg, top));
    this.storeSite = (code & SLOW_SITE) !== 0;
    a.get(L);
    v(a);
    if (m >= 0) a.i32(memoArg(m, true, SIZE(top)));
    this.retiredArg(code);
    if (m >= 0) a.callLocal(this.slowHelper(true, top, true));
    else a.call(F_ST);
    this.faultCheck();
    after();
  }

  directJump(i: Instruction): void {
    if ((this.flat & CS_4G) !== 0) return;
    const a = this.a;
    const t = i.nearBranchTarget | 0;
    a.i32(t).get(P_LIM).op(Op.i32GtU);
    a.hint(false).open(Op.if);
    this.faultAt(i.ip);
    a.i32(t).call(F_J);
    this.faultCheck();
    a.end();
  }
}

// ---- the forms ----

type Lower = (c: Lowering, i: Instruction) => boolean;

type AluName = (typeof ALU_NAMES)[number];

/** `x` = a op b with the flag record (as emit.ts aluText / aluDeadText). */
function alu(c: Lowering, op: AluName, top: number, pa: Push, pb: Push): void {
  const a = c.a;
  const logic = op === "And" || op === "Test" ? Op.i32And : op === "Or" ? Op.i32Or : Op.i32Xor;
  if (c.dead) {
    if (op === "Adc" || op === "Sbb") {
      c.carryNow();
      a.set(E);
    }
    pa(a);
    pb(a);
    if (op === "Add" || op === "Adc") a.op(Op.i32Add);
    else if (op === "Sub" || op === "Cmp" || op === "Sbb") a.op(Op.i32Sub);
    else a.op(logic);
    if (op === "Adc") a.get(E).op(Op.i32Add);
    if (op === "Sbb") a.get(E).op(Op.i32Sub);
    wrap(a, top);
    a.set(X);
    return;
  }
  switch (op) {
    case "Add":
    case "Sub":
    case "Cmp": {
      const fop = op === "Add" ? FlagOp.Add : FlagOp.Sub;
      c.setKnown(fop, top, false);
      pa(a);
      a.set(FA);
      pb(a);
      a.set(FB);
      a.get(FA)
        .get(FB)
        .op(op === "Add" ? Op.i32Add : Op.i32Sub);
      wrap(a, top);
      a.tee(FR).set(X);
      a.i32((fop << 5) | top).set(FK);
      return;
    }
    case "Adc":
    case "Sbb": {
      const fop = op === "Adc" ? FlagOp.Adc : FlagOp.Sbb;
      c.carryNow();
      a.set(E);
      c.setKnown(fop, top, false);
      pa(a);
      a.set(FA);
      pb(a);
      a.set(FB);
      const o = op === "Adc" ? Op.i32Add : Op.i32Sub;
      a.get(FA).get(FB).op(o).get(E).op(o);
      wrap(a, top);
      a.tee(FR).set(X);
      a.i32((fop << 5) | top).set(FK);
      return;
    }
    default:
      c.setKnown(FlagOp.Logic, top, true);
      pa(a);
      pb(a);
      a.op(logic).tee(FR).set(X);
      a.i32(0).set(FC);
      a.i32((FlagOp.Logic << 5) | top).set(FK);
  }
}

function aluRm(op: AluName, top: number, fromImm: boolean): Lower {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    let src: Push;
    if (fromImm) src = konst(immValue(i, top));
    else if (isGpr(i.op1Register, top)) src = regRead(i.op1Register, top);
    else return false;
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      alu(c, op, top, regRead(i.op0Register, top), src);
      if (store) regWrite(c.a, i.op0Register, top, local(X));
      return true;
    }
    const seg = c.linear(i, top, store);
    if (seg < 0) return false;
    c.loadAt(i, seg, top, undefined, store);
    alu(c, op, top, local(X), src);
    if (store) c.storeAt(i, seg, top, local(X));
    return true;
  };
}

function aluRegRm(op: AluName, top: number): Lower {
  const store = op !== "Cmp";
  return (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    let src: Push;
    if (i.op1Kind === OpKind.Register) {
      if (!isGpr(i.op1Register, top)) return false;
      src = regRead(i.op1Register, top);
    } else {
      const seg = c.linear(i, top, false);
      if (seg < 0) return false;
      c.loadAt(i, seg, top);
      src = local(X);
    }
    alu(c, op, top, regRead(i.op0Register, top), src);
    if (store) regWrite(c.a, i.op0Register, top, local(X));
    return true;
  };
}

function aluAcc(op: AluName, top: number): Lower {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    const d = top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL;
    alu(c, op, top, regRead(d, top), konst(immValue(i, top)));
    if (store) regWrite(c.a, d, top, local(X));
    return true;
  };
}

/** Writes `v` to operand 0 (register or memory). */
function writeRm(c: Lowering, i: Instruction, v: Push, top: number): boolean {
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, top)) return false;
    regWrite(c.a, i.op0Register, top, v);
    return true;
  }
  if (c.seg(i) < 0 || c.ea(i) === null) return false;
  v(c.a);
  c.a.set(X);
  const seg = c.linear(i, top, true);
  c.storeAt(i, seg, top, local(X));
  return true;
}

/** Reads operand `n` (0 or 1: a register or the memory operand, a read only) into `x`. */
function readRm(c: Lowering, i: Instruction, n: 0 | 1, top: number): boolean {
  if ((n === 0 ? i.op0Kind : i.op1Kind) === OpKind.Register) {
    const reg = n === 0 ? i.op0Register : i.op1Register;
    if (!isGpr(reg, top)) return false;
    regRead(reg, top)(c.a);
    c.a.set(X);
    return true;
  }
  const seg = c.linear(i, top, false);
  if (seg < 0) return false;
  c.loadAt(i, seg, top);
  return true;
}

const movRmReg =
  (top: number): Lower =>
  (c, i) =>
    isGpr(i.op1Register, top) && writeRm(c, i, regRead(i.op1Register, top), top);
const movRmImm =
  (top: number): Lower =>
  (c, i) =>
    writeRm(c, i, konst(immValue(i, top)), top);
const movRegRm =
  (top: number): Lower =>
  (c, i) => {
    if (!isGpr(i.op0Register, top) || !readRm(c, i, 1, top)) return false;
    regWrite(c.a, i.op0Register, top, local(X));
    return true;
  };
const movRegImm =
  (top: number): Lower =>
  (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    regWrite(c.a, i.op0Register, top, konst(immValue(i, top)));
    return true;
  };

function movExtend(srcTop: number, signed: boolean): Lower {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm(c, i, 1, srcTop)) return false;
    regWrite(c.a, i.op0Register, 31, signed ? (a) => sx(a, local(X), srcTop) : local(X));
    return true;
  };
}

const lea32: Lower = (c, i) => {
  const ea = c.ea(i);
  if (ea === null || !isGpr(i.op0Register, 31)) return false;
  regWrite(c.a, i.op0Register, 31, ea);
  return true;
};

function cmov(cc: number): Lower {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm(c, i, 1, 31)) return false;
    c.condition(cc);
    c.a.open(Op.if);
    regWrite(c.a, i.op0Register, 31, local(X));
    c.a.end();
    return true;
  };
}

function setcc(cc: number): Lower {
  return (c, i) => {
    if (i.op0Kind === OpKind.Register && !isGpr(i.op0Register, 7)) return false;
    if (i.op0Kind !== OpKind.Register && (c.seg(i) < 0 || c.ea(i) === null)) return false;
    c.condition(cc);
    c.a.set(E);
    return writeRm(c, i, local(E), 7);
  };
}

function incDec(dec: boolean, top: number): Lower {
  const fop = dec ? FlagOp.Dec : FlagOp.Inc;
  const calc = (c: Lowering, pa: Push): void => {
    const a = c.a;
    const o = dec ? Op.i32Sub : Op.i32Add;
    if (c.dead) {
      pa(a);
      a.i32(1).op(o);
      wrap(a, top);
      a.set(X);
      return;
    }
    const defer = c.fl.kind !== 2 && c.deferCarry();
    if (defer) c.deferCarryNow();
    else {
      c.carryNow();
      a.set(FC);
    }
    c.setKnown(fop, top, false);
    c.carryPending = defer;
    pa(a);
    a.tee(FA).i32(1).op(o);
    wrap(a, top);
    a.tee(FR).set(X);
    a.i32((fop << 5) | top).set(FK);
  };
  return (c, i) => {
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      calc(c, regRead(i.op0Register, top));
      regWrite(c.a, i.op0Register, top, local(X));
      return true;
    }
    const seg = c.linear(i, top, true);
    if (seg < 0) return false;
    c.loadAt(i, seg, top, undefined, true);
    calc(c, local(X));
    c.storeAt(i, seg, top, local(X));
    return true;
  };
}

const neg32: Lower = (c, i) => {
  const calc = (pa: Push): void => {
    const a = c.a;
    if (c.dead) {
      a.i32(0);
      pa(a);
      a.op(Op.i32Sub).set(X);
      return;
    }
    c.setKnown(FlagOp.Sub, 31, false);
    a.i32(0).set(FA);
    pa(a);
    a.set(FB);
    a.i32(0).get(FB).op(Op.i32Sub).tee(FR).set(X);
    a.i32((FlagOp.Sub << 5) | 31).set(FK);
  };
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, 31)) return false;
    calc(regRead(i.op0Register, 31));
    regWrite(c.a, i.op0Register, 31, local(X));
    return true;
  }
  const seg = c.linear(i, 31, true);
  if (seg < 0) return false;
  c.loadAt(i, seg, 31, undefined, true);
  calc(local(X));
  c.storeAt(i, seg, 31, local(X));
  return true;
};

const not32: Lower = (c, i) => {
  if (i.op0Kind !== OpKind.Register || !isGpr(i.op0Register, 31)) return false;
  const r = regRead(i.op0Register, 31);
  regWrite(c.a, i.op0Register, 31, (a) => {
    r(a);
    a.i32(-1).op(Op.i32Xor);
  });
  return true;
};

/** 32-bit SHL/SHR/SAR by a constant 1..31 (emit.ts shiftConst32). */
function shiftConst32(c: Lowering, fn: "SHL" | "SHR" | "SAR", n: number, pa: Push): void {
  const a = c.a;
  const o = fn === "SHL" ? Op.i32Shl : fn === "SHR" ? Op.i32ShrU : Op.i32ShrS;
  if (c.dead) {
    pa(a);
    a.i32(n).op(o).set(X);
    return;
  }
  c.setKnown(FlagOp.Logic, 31, false);
  pa(a);
  a.tee(FA).i32(n).op(o).tee(FR).set(X);
  if (fn === "SHL") {
    // e = (fa >>> (32 - n)) & 1; fc = e | (((fr >>> 31) ^ e) << 11) | 16
    a.get(FA)
      .i32(32 - n)
      .op(Op.i32ShrU)
      .i32(1)
      .op(Op.i32And)
      .tee(E);
    a.get(FR).i32(31).op(Op.i32ShrU).get(E).op(Op.i32Xor).i32(11).op(Op.i32Shl);
    a.op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
  } else if (fn === "SHR") {
    a.get(FA)
      .i32(n - 1)
      .op(Op.i32ShrU)
      .i32(1)
      .op(Op.i32And);
    a.get(FR).i32(31).op(Op.i32ShrU);
    a.get(FR).i32(30).op(Op.i32ShrU).i32(1).op(Op.i32And);
    a.op(Op.i32Xor).i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
  } else {
    a.get(FA)
      .i32(n - 1)
      .op(Op.i32ShrS)
      .i32(1)
      .op(Op.i32And)
      .i32(16)
      .op(Op.i32Or)
      .set(FC);
  }
  a.i32((FlagOp.Logic << 5) | 31).set(FK);
}

/**
 * The Logic record of SHL/SHR/SAR of `fa` (zero-extended for 8/16 bits) by `n` (1..31, a
 * constant or a local) at size `top`, as alu.ts shl/shr/sar compute it: `fr` = `x` = the result,
 * `fc` = CF | OF << 11 | AF (set, as the host sets it for a nonzero count), `fk` Logic. CF of an
 * 8/16-bit SHL is bit `top + 1` of the unmasked `fa << n` (0 once n exceeds the width).
 */
function shiftRecord(c: Lowering, fn: "SHL" | "SHR" | "SAR", top: number, n: Push): void {
  const a = c.a;
  const bits = top + 1;
  if (fn === "SHL") {
    a.get(FA);
    n(a);
    a.op(Op.i32Shl).set(FR);
    if (top === 31) {
      a.get(FA).i32(32);
      n(a);
      a.op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(FC);
    } else {
      a.get(FR).i32(bits).op(Op.i32ShrU).i32(1).op(Op.i32And).set(FC);
      a.get(FR)
        .i32(top === 15 ? 65535 : 255)
        .op(Op.i32And)
        .set(FR);
    }
    // fc |= ((msb(fr) ^ cf) << 11) | 16
    a.get(FC).get(FR).i32(top).op(Op.i32ShrU).i32(1).op(Op.i32And).get(FC).op(Op.i32Xor);
    a.i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
  } else if (fn === "SHR") {
    a.get(FA);
    n(a);
    a.op(Op.i32ShrU).set(FR);
    a.get(FA);
    n(a);
    a.i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And);
    // OF: msb(fr) ^ the bit below it
    a.get(FR)
      .i32(top)
      .op(Op.i32ShrU)
      .get(FR)
      .i32(top - 1)
      .op(Op.i32ShrU)
      .op(Op.i32Xor);
    a.i32(1).op(Op.i32And).i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
  } else {
    sx(a, local(FA), top);
    n(a);
    a.op(Op.i32ShrS);
    if (top !== 31) a.i32(top === 15 ? 65535 : 255).op(Op.i32And);
    a.set(FR);
    sx(a, local(FA), top);
    n(a);
    a.i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And).i32(16).op(Op.i32Or).set(FC);
  }
  a.get(FR).set(X);
  a.i32((FlagOp.Logic << 5) | top).set(FK);
}

/**
 * SHL/SAL/SHR/SAR r/m8/16/32 by imm8, 1 or CL (integer-logic.ts shiftForm): the count is masked
 * to 5 bits; a zero count changes neither the register nor the flags, while the memory form
 * still reads and writes the operand back. 32-bit register forms by a constant keep
 * shiftConst32 (dead-flag aware); a CL count leaves the record known only at run time (kind 0).
 */
function shift(fn: "SHL" | "SHR" | "SAR", top: number, from: "imm" | "one" | "cl"): Lower {
  return (c, i) => {
    const a = c.a;
    const n = from === "imm" ? i.immediate & 31 : from === "one" ? 1 : -1;
    const reg = i.op0Kind === OpKind.Register;
    if (reg && !isGpr(i.op0Register, top)) return false;
    if (reg && n === 0) return true;
    let seg = -1;
    if (!reg) {
      seg = c.linear(i, top, true);
      if (seg < 0) return false;
      c.loadAt(i, seg, top, undefined, true);
    }
    const pa = reg ? regRead(i.op0Register, top) : local(X);
    if (n > 0) {
      if (top === 31) shiftConst32(c, fn, n, pa);
      else {
        c.setKnown(FlagOp.Logic, top, false);
        pa(a);
        a.set(FA);
        shiftRecord(c, fn, top, konst(n));
      }
      if (reg) regWrite(a, i.op0Register, top, local(X));
    } else if (n < 0) {
      a.get(R0 + 1)
        .i32(31)
        .op(Op.i32And)
        .tee(E);
      a.open(Op.if);
      pa(a);
      a.set(FA);
      shiftRecord(c, fn, top, local(E));
      if (reg) regWrite(a, i.op0Register, top, local(X));
      a.end();
      c.fl = { kind: 0, op: 0, top: 0, fcZero: false };
    }
    if (!reg) c.storeAt(i, seg, top, local(X));
    return true;
  };
}

/**
 * SHL/SHR/SAR r32, CL (alu.ts shl/shr/sar): the count is ECX & 31; a zero count changes neither
 * the register nor the flags, else the flags are shiftConst32's Logic record with the count in a
 * local. The record after it is one or the other, known only at run time (kind 0).
 */
function shiftCl32(fn: "SHL" | "SHR" | "SAR"): Lower {
  return (c, i) => {
    if (i.op0Kind !== OpKind.Register || !isGpr(i.op0Register, 31)) return false;
    const a = c.a;
    const o = fn === "SHL" ? Op.i32Shl : fn === "SHR" ? Op.i32ShrU : Op.i32ShrS;
    a.get(R0 + 1)
      .i32(31)
      .op(Op.i32And)
      .tee(L);
    a.open(Op.if);
    regRead(i.op0Register, 31)(a);
    a.tee(FA).get(L).op(o).tee(FR).set(X);
    if (fn === "SHL") {
      // e = (fa >>> (32 - n)) & 1; fc = e | (((fr >>> 31) ^ e) << 11) | 16
      a.get(FA).i32(32).get(L).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).tee(E);
      a.get(FR).i32(31).op(Op.i32ShrU).get(E).op(Op.i32Xor).i32(11).op(Op.i32Shl);
      a.op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
    } else if (fn === "SHR") {
      a.get(FA).get(L).i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And);
      a.get(FR).i32(31).op(Op.i32ShrU);
      a.get(FR).i32(30).op(Op.i32ShrU).i32(1).op(Op.i32And);
      a.op(Op.i32Xor).i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
    } else {
      a.get(FA).get(L).i32(1).op(Op.i32Sub).op(Op.i32ShrS).i32(1).op(Op.i32And);
      a.i32(16).op(Op.i32Or).set(FC);
    }
    a.i32((FlagOp.Logic << 5) | 31).set(FK);
    regWrite(a, i.op0Register, 31, local(X));
    a.end();
    c.fl = { kind: 0, op: 0, top: 0, fcZero: false };
    return true;
  };
}

/**
 * IMUL r32, r/m32 [, imm] (alu.ts imul32 + mulFlags): the low half by i32.mul; CF = OF = the
 * signed 64-bit product differs from the sign-extended low half, set into CpuState through `rf`
 * after a flush (mulFlags materializes the other flags and keeps them); with CF/OF dead, the
 * product only (emit.ts imul32).
 */
function imul32(withImm: boolean): Lower {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm(c, i, 1, 31)) return false;
    const a = c.a;
    const pa = withImm ? local(X) : regRead(i.op0Register, 31);
    const pb = withImm ? konst(i.immediate | 0) : local(X);
    if (c.dead) {
      regWrite(a, i.op0Register, 31, (b) => {
        pa(b);
        pb(b);
        b.op(Op.i32Mul);
      });
      return true;
    }
    pa(a);
    a.op(Op.i64ExtendI32S);
    pb(a);
    a.op(Op.i64ExtendI32S).op(Op.i64Mul);
    pa(a);
    pb(a);
    a.op(Op.i32Mul).tee(E).op(Op.i64ExtendI32S).op(Op.i64Ne).set(T0);
    c.setCfOf(T0, T0);
    regWrite(a, i.op0Register, 31, local(E));
    return true;
  };
}

/** What a BT-family form does to the selected bit (integer-logic.ts BitOp). */
type BitName = "Bt" | "Bts" | "Btr" | "Btc";

/** `x` op= the single-bit mask in `mask` (BTS sets, BTR clears, BTC complements). */
function applyBit(a: Asm, op: BitName, x: Push, mask: Push): void {
  x(a);
  mask(a);
  if (op === "Btr") a.i32(-1).op(Op.i32Xor).op(Op.i32And);
  else a.op(op === "Bts" ? Op.i32Or : Op.i32Xor);
}

/**
 * BT/BTS/BTR/BTC r/m32, r32 or imm8 (the interpreter's bitForm): CF = the selected bit, the
 * other flags kept (`setFlagBit`, after the store, as the handler sets CF after its write). A
 * register offset with a memory operand is signed and addresses the dword at
 * EA + (offset >> 5) * 4; an immediate (and any register destination) is taken modulo 32.
 * Locals: T1 the bit (then CF), T2 the bit index.
 */
function bitOp(op: BitName, fromReg: boolean): Lower {
  return (c, i) => {
    const a = c.a;
    if (fromReg && !isGpr(i.op1Register, 31)) return false;
    const mask: Push = (b) => b.i32(1).get(T2).op(Op.i32Shl);
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, 31)) return false;
      const v = regRead(i.op0Register, 31);
      if (fromReg) regRead(i.op1Register, 31)(a);
      else a.i32(i.immediate);
      a.i32(31).op(Op.i32And).set(T2);
      v(a);
      a.get(T2).op(Op.i32ShrU).i32(1).op(Op.i32And).set(T1);
      if (op !== "Bt") regWrite(a, i.op0Register, 31, (b) => applyBit(b, op, v, mask));
      c.setFlagBit(CF_BIT, T1);
      return true;
    }
    const seg = c.seg(i);
    const ea = c.ea(i);
    if (seg < 0 || ea === null) return false;
    const write = op !== "Bt";
    if (fromReg) {
      const r = regRead(i.op1Register, 31);
      c.offsetLinear(
        i.ip,
        seg,
        (b) => {
          ea(b);
          r(b);
          b.i32(5).op(Op.i32ShrS).i32(2).op(Op.i32Shl).op(Op.i32Add);
        },
        31,
        write,
      );
      r(a);
    } else {
      c.offsetLinear(i.ip, seg, ea, 31, write);
      a.i32(i.immediate);
    }
    a.i32(31).op(Op.i32And).set(T2);
    c.loadAt(i, seg, 31);
    a.get(X).get(T2).op(Op.i32ShrU).i32(1).op(Op.i32And).set(T1);
    if (write) {
      applyBit(a, op, local(X), mask);
      a.set(X);
      c.storeAt(i, seg, 31, local(X));
    }
    c.setFlagBit(CF_BIT, T1);
    return true;
  };
}

/**
 * XADD r/m32, r32 (integer-move.ts xadd): the sum's flags as ADD's; the source register gets
 * the old destination (a register destination then the sum, so XADD r, r with one register
 * leaves the sum). The memory form sets the flags before its store, as the handler does.
 */
function xadd32(c: Lowering, i: Instruction): boolean {
  const a = c.a;
  if (!isGpr(i.op1Register, 31)) return false;
  const src = regRead(i.op1Register, 31);
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, 31)) return false;
    regRead(i.op0Register, 31)(a);
    a.set(T1);
    alu(c, "Add", 31, local(T1), src);
    regWrite(a, i.op1Register, 31, local(T1));
    regWrite(a, i.op0Register, 31, local(X));
    return true;
  }
  const seg = c.linear(i, 31, true);
  if (seg < 0) return false;
  c.loadAt(i, seg, 31, undefined, true);
  a.get(X).set(T1);
  alu(c, "Add", 31, local(T1), src);
  c.storeAt(i, seg, 31, local(X));
  regWrite(a, i.op1Register, 31, local(T1));
  return true;
}

/** Bytes of a memory operand by `Instruction.memSize` (1, 2, 4; others 0: not grouped). */
const MEM_BYTES = [0, 1, 2, 4];
/** Forms with a register and a memory operand that do not load it (alone): not grouped. */
const NOT_LOADS = new Set<number>();
/** Forms whose first operand is memory that only read it (CMP, TEST): grouped loads. */
const COMPARES = new Set<number>();
/**
 * Forms whose only register write is their first operand (when a register): a load group over
 * other registers goes on past them (`planLoadGroups`); any other form ends every group.
 */
const GROUP_KEEPS = new Set<number>();
/** Fills NOT_LOADS, COMPARES and GROUP_KEEPS (after NO_FLAGS and CARRY_WRITERS). */
function groupForms(): void {
  // (Some names of the patterns below are no form: skipped.)
  const add = (set: Set<number>, name: string): void => {
    const code = formCode(name);
    if (code !== undefined) set.add(code);
  };
  add(NOT_LOADS, "Lea_r32_m");
  add(NOT_LOADS, "Lea_r16_m");
  for (const [size] of OPERAND_SIZES) {
    for (const form of [`rm${size}_r${size}`, `rm${size}_imm${size}`, `rm${size}_imm8`]) {
      add(COMPARES, `Cmp_${form}`);
      add(COMPARES, `Test_${form}`);
    }
    for (const op of ALU_NAMES)
      for (const form of [`r${size}_rm${size}`, `rm${size}_r${size}`, `rm${size}_imm${size}`])
        add(GROUP_KEEPS, `${op}_${form}`);
    for (const op of ["Inc", "Dec", "Not", "Neg"]) add(GROUP_KEEPS, `${op}_rm${size}`);
    for (const op of ["Rol", "Ror", "Shl", "Shr", "Sar"])
      for (const form of ["imm8", "1"]) add(GROUP_KEEPS, `${op}_rm${size}_${form}`);
  }
  for (const code of [...NO_FLAGS, ...CARRY_WRITERS, ...COMPARES]) GROUP_KEEPS.add(code);
  for (const name of ["Imul_r32_rm32", "Imul_r32_rm32_imm8", "Imul_r32_rm32_imm32"])
    add(GROUP_KEEPS, name);
  for (const cc of COND_NAMES) {
    add(GROUP_KEEPS, `Cmov${cc}_r32_rm32`);
    add(GROUP_KEEPS, `Set${cc}_rm8`);
  }
}

/** Register-only forms that neither read nor write flags (MOV, LEA, MOVZX/MOVSX). */
const NO_FLAGS = new Set<number>();
/** Forms writing every status flag without reading any, registers or memory (deferCarry). */
const CARRY_WRITERS = new Set<number>();
/** Register forms writing all six status flags without reading any. */
const ALL_FLAGS = new Set<number>();
/** ROL/ROR r32 by a constant (write CF/OF only). */
const ROTATES = new Set<number>();

/**
 * Whether the CF/OF a rotate at `k` writes are dead: a later instruction of the block overwrites
 * them (a register ALU form writing all flags, or another rotate) with only register forms that
 * do not touch flags in between (a memory access may fault, a handler observes all flags).
 */
function rotateFlagsDead(c: Lowering, k: number): boolean {
  const insns = c.blocks[c.j]!;
  for (let m = k + 1; m < insns.length; m++) {
    const i = insns[m]!;
    if (c.calls[m] || i.op0Kind === OpKind.Memory || i.op1Kind === OpKind.Memory) {
      if (!(i.code === Code.Lea_r32_m && !c.calls[m])) return false;
    }
    if (ALL_FLAGS.has(i.code) || (ROTATES.has(i.code) && (i.immediate & 31) !== 0)) return true;
    if (!NO_FLAGS.has(i.code)) return false;
  }
  return false;
}

/** ROL/ROR r32 by a constant (alu.ts rol/ror: CF/OF from the result, other flags kept). */
function rotate(left: boolean, one: boolean): Lower {
  return (c, i) => {
    if (i.op0Kind !== OpKind.Register || !isGpr(i.op0Register, 31)) return false;
    const n = one ? 1 : i.immediate & 31;
    if (n === 0) return true;
    const a = c.a;
    const dead = rotateFlagsDead(c, c.k);
    regRead(i.op0Register, 31)(a);
    a.i32(n)
      .op(left ? Op.i32Rotl : Op.i32Rotr)
      .set(X);
    if (!dead) {
      if (left) {
        // cf = r & 1; of = msb(r) ^ cf
        a.get(X).i32(1).op(Op.i32And).tee(E);
        a.get(X).i32(31).op(Op.i32ShrU).get(E).op(Op.i32Xor);
      } else {
        // cf = msb(r); of = cf ^ bit 30
        a.get(X).i32(31).op(Op.i32ShrU).tee(E);
        a.get(E).get(X).i32(30).op(Op.i32ShrU).i32(1).op(Op.i32And).op(Op.i32Xor);
      }
      a.set(T0);
      c.setCfOf(E, T0);
    }
    regWrite(a, i.op0Register, 31, local(X));
    return true;
  };
}

/** Stack forms: a flat 32-bit stack only (ESP is the linear address). */
function flatStack(c: Lowering): boolean {
  return c.ss32 && (c.flat & 4) !== 0;
}

/**
 * `storeAt`, then `after` (the form's register updates after its write), then, when a slow write
 * hit this region's code or raised an event, `leave` (default: leave after the instruction): the
 * state the region leaves with includes those updates.
 */
function storeThen(
  c: Lowering,
  i: Instruction,
  seg: number,
  top: number,
  v: Push,
  after: () => void,
  leave?: () => void,
  slot = explicitSlot(i),
): void {
  const a = c.a;
  c.storeOpen(i, seg, top, v, after, slot);
  // A direct store's else branch left the region before the instruction: no result to test.
  if (c.storeLeft) {
    a.end();
    return;
  }
  if (leave === undefined && c.storeSite) {
    // After this instruction: the helper wrote where to (region.ts `st`).
    a.hint(false).brIf(c.leaveStored);
  } else {
    a.hint(false).open(Op.if);
    (leave ?? (() => c.leaveAfter(i)))();
    a.end();
  }
  a.end();
}

/** Pushes `v` (ESP - 4 into `l`, the write, then ESP = `l` and `after`). */
function pushValue(
  c: Lowering,
  i: Instruction,
  v: Push,
  after: () => void = () => undefined,
  leave?: () => void,
): void {
  c.a
    .get(R0 + 4)
    .i32(4)
    .op(Op.i32Sub)
    .set(L);
  storeThen(
    c,
    i,
    2,
    31,
    v,
    () => {
      after();
      c.a.get(L).set(R0 + 4);
    },
    leave,
    SLOT_ESP,
  );
}

const pushReg32: Lower = (c, i) => {
  if (!flatStack(c) || !isGpr(i.op0Register, 31)) return false;
  regRead(i.op0Register, 31)(c.a);
  c.a.set(X);
  pushValue(c, i, local(X));
  return true;
};

const pushImm32: Lower = (c, i) => {
  if (!flatStack(c)) return false;
  pushValue(c, i, konst(i.immediate | 0));
  return true;
};

const popReg32: Lower = (c, i) => {
  if (!flatStack(c) || !isGpr(i.op0Register, 31)) return false;
  c.a.get(R0 + 4).set(L);
  c.loadAt(i, 2, 31, SLOT_ESP);
  c.a
    .get(R0 + 4)
    .i32(4)
    .op(Op.i32Add)
    .set(R0 + 4);
  regWrite(c.a, i.op0Register, 31, local(X));
  return true;
};

function usesEsp(i: Instruction): boolean {
  return i.memBase === REG_EAX + 4 || i.memIndex === REG_EAX + 4;
}

/** PUSH r/m32 (integer-flow.ts pushRm: the operand is read first, then pushed). */
const pushRm32: Lower = (c, i) => {
  if (!flatStack(c) || !readRm(c, i, 0, 31)) return false;
  pushValue(c, i, local(X));
  return true;
};

/**
 * POP r/m32 (popRm): the stack is read, then the operand (its address computed with ESP already
 * incremented) written. ESP is updated after the write so a faulting write spills the ESP the
 * fault must restore; an address using ESP is left to the handler.
 */
const popRm32: Lower = (c, i) => {
  if (!flatStack(c)) return false;
  if (i.op0Kind === OpKind.Register) return popReg32(c, i);
  if (usesEsp(i) || c.seg(i) < 0 || c.ea(i) === null) return false;
  const a = c.a;
  a.get(R0 + 4).set(L);
  c.loadAt(i, 2, 31, SLOT_ESP);
  const seg = c.linear(i, 31, true);
  storeThen(c, i, seg, 31, local(X), () => {
    a.get(R0 + 4)
      .i32(4)
      .op(Op.i32Add)
      .set(R0 + 4);
  });
  return true;
};

/** LEAVE (32-bit operand, flat 32-bit stack): ESP = EBP, then EBP = pop. */
const leave32: Lower = (c, i) => {
  if (!flatStack(c) || i.opSize !== 32) return false;
  const a = c.a;
  a.get(R0 + 5).set(L);
  c.loadAt(i, 2, 31, SLOT_ESP);
  a.get(R0 + 5)
    .i32(4)
    .op(Op.i32Add)
    .set(R0 + 4);
  a.get(X).set(R0 + 5);
  return true;
};

/** BSWAP r32 (bytes reversed: two masked rotates); BSWAP r16 clears the register (P6). */
const bswap: Lower = (c, i) => {
  const a = c.a;
  if (isGpr(i.op0Register, 15)) {
    regWrite(a, i.op0Register, 15, konst(0));
    return true;
  }
  if (!isGpr(i.op0Register, 31)) return false;
  const r = regRead(i.op0Register, 31);
  regWrite(a, i.op0Register, 31, (b) => {
    r(b);
    b.i32(0x00ff00ff).op(Op.i32And).i32(8).op(Op.i32Rotr);
    r(b);
    b.i32(-16711936).op(Op.i32And).i32(8).op(Op.i32Rotl).op(Op.i32Or);
  });
  return true;
};

/** XCHG r/m, r and XCHG r, eAX (integer-move.ts xchgRm / xchgAcc). */
function xchg(top: number): Lower {
  return (c, i) => {
    const a = c.a;
    if (!isGpr(i.op1Register, top)) return false;
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      regRead(i.op0Register, top)(a);
      a.set(X);
      regWrite(a, i.op0Register, top, regRead(i.op1Register, top));
      regWrite(a, i.op1Register, top, local(X));
      return true;
    }
    const seg = c.linear(i, top, true);
    if (seg < 0) return false;
    c.loadAt(i, seg, top);
    storeThen(c, i, seg, top, regRead(i.op1Register, top), () =>
      regWrite(a, i.op1Register, top, local(X)),
    );
    return true;
  };
}

/**
 * CMPXCHG r/m, r (integer-move.ts cmpxchg): flags of CMP acc, dest (a Sub record); equal: dest
 * = src, else acc = dest, and the memory form writes the old value back (as the processor does).
 */
function cmpxchg(top: number): Lower {
  return (c, i) => {
    const a = c.a;
    if (!isGpr(i.op1Register, top)) return false;
    const acc = top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL;
    const reg = i.op0Kind === OpKind.Register;
    let seg = -1;
    if (reg) {
      if (!isGpr(i.op0Register, top)) return false;
      regRead(i.op0Register, top)(a);
      a.set(X);
    } else {
      seg = c.linear(i, top, true);
      if (seg < 0) return false;
      c.loadAt(i, seg, top, undefined, true);
    }
    c.setKnown(FlagOp.Sub, top, false);
    regRead(acc, top)(a);
    a.tee(FA).get(X).tee(FB).op(Op.i32Sub);
    wrap(a, top);
    a.set(FR);
    a.i32((FlagOp.Sub << 5) | top).set(FK);
    if (reg) {
      a.get(FA).get(FB).op(Op.i32Eq);
      a.open(Op.if);
      regWrite(a, i.op0Register, top, regRead(i.op1Register, top));
      a.else();
      regWrite(a, acc, top, local(FB));
      a.end();
      return true;
    }
    // x = equal ? src : old value
    regRead(i.op1Register, top)(a);
    a.get(FB).get(FA).get(FB).op(Op.i32Eq).op(Op.select).set(X);
    storeThen(c, i, seg, top, local(X), () => {
      a.get(FA).get(FB).op(Op.i32Ne);
      a.open(Op.if);
      regWrite(a, acc, top, local(FB));
      a.end();
    });
    return true;
  };
}

/**
 * CMPXCHG8B m64 (integer-move.ts cmpxchg8b): reads the low then the high dword; equal to
 * EDX:EAX: writes ECX:EBX, else writes the old value back and loads it into EDX:EAX; then ZF
 * alone (`setFlagBit`), as the handler orders it (a fault in a later access leaves the earlier
 * state). Two dword accesses (each through the memo or its slow path, which handles a dword
 * crossing a page); the segment check is for 8 bytes (`offsetLinear`; a flat segment's offset
 * past 0xFFFFFFF8 goes through `ck`, which raises the fault). A slow store that hit the region
 * or raised an event leaves after the instruction. Locals: T1 the address (then the stores'
 * results), T0 the low dword, X the high, T2 the stores' results, OFK whether they matched (free:
 * no INC/DEC carry is deferred past this form, see `deferCarry`).
 */
const cmpxchg8b: Lower = (c, i) => {
  const a = c.a;
  const seg = c.seg(i);
  const ea = c.ea(i);
  if (seg < 0 || ea === null) return false;
  c.resolveCarry();
  c.offsetLinear(i.ip, seg, ea, 63, true);
  if ((c.flat & (1 << seg)) !== 0) {
    a.get(L).i32(-8).op(Op.i32GtU);
    a.hint(false).open(Op.if);
    c.faultAt(i.ip);
    a.i32(seg).get(L).i32(8).i32(1).call(F_CK);
    c.faultCheck();
    a.op(Op.drop);
    a.end();
  }
  a.get(L).set(T1);
  c.loadAt(i, seg, 31);
  a.get(X).set(T0);
  a.get(T1).i32(4).op(Op.i32Add).set(L);
  c.loadAt(i, seg, 31);
  a.get(T0)
    .get(R0)
    .op(Op.i32Eq)
    .get(X)
    .get(R0 + 2)
    .op(Op.i32Eq)
    .op(Op.i32And)
    .set(OFK);
  a.i32(0).set(T2);
  a.get(T1).set(L);
  c.storeOpen(
    i,
    seg,
    31,
    (b) =>
      b
        .get(R0 + 3)
        .get(T0)
        .get(OFK)
        .op(Op.select),
    () => undefined,
  );
  a.set(T2);
  a.end();
  a.get(T1).i32(4).op(Op.i32Add).set(L);
  c.storeOpen(
    i,
    seg,
    31,
    (b) =>
      b
        .get(R0 + 1)
        .get(X)
        .get(OFK)
        .op(Op.select),
    () => undefined,
  );
  a.get(T2).op(Op.i32Or).set(T2);
  a.end();
  a.get(OFK).op(Op.i32Eqz);
  a.open(Op.if);
  a.get(T0).set(R0);
  a.get(X).set(R0 + 2);
  a.end();
  a.get(T2).set(T1);
  c.setFlagBit(ZF_BIT, OFK);
  a.get(T1);
  a.hint(false).open(Op.if);
  c.leaveAfter(i);
  a.end();
  return true;
};

/** Pushes the unsigned 64-bit EDX:EAX. */
function edxEax(a: Asm): void {
  a.get(R0 + 2)
    .op(Op.i64ExtendI32U)
    .i32(32)
    .op(Op.i64ExtendI32U)
    .op(Op.i64Shl)
    .get(R0)
    .op(Op.i64ExtendI32U)
    .op(Op.i64Or);
}

/**
 * MUL r/m32 (alu.ts mul32 + mulFlags): EDX:EAX = EAX * src unsigned; CF = OF = high half
 * nonzero, set into CpuState through `rf` after a flush (the other flags materialized, kept);
 * with CF/OF dead, the product only.
 */
const mul32: Lower = (c, i) => {
  if (!readRm(c, i, 0, 31)) return false;
  const a = c.a;
  const product = (b: Asm): void => {
    b.get(R0).op(Op.i64ExtendI32U).get(X).op(Op.i64ExtendI32U).op(Op.i64Mul);
  };
  product(a);
  a.i32(32).op(Op.i64ExtendI32U).op(Op.i64ShrU).op(Op.i32WrapI64).set(E);
  // CF and OF dead (written again before a read): the record before stays as it is.
  if (!c.dead) {
    a.get(E).i32(0).op(Op.i32Ne).set(T0);
    c.setCfOf(T0, T0);
  }
  product(a);
  a.op(Op.i32WrapI64).set(R0);
  a.get(E).set(R0 + 2);
  return true;
};

/**
 * DIV r/m32 (alu.ts div32): EDX >= divisor (unsigned; a zero divisor included) is #DE, raised by
 * the interpreter's handler (which reads the operand again and throws at this EIP; the region
 * leaves should it not). Else EAX = quotient, EDX = remainder, and the flags as divFlags leaves
 * them: SF/ZF/PF clear, AF set, CF/OF kept, i.e. a Logic record of result 1 with fc = CF | OF | AF.
 */
const div32: Lower = (c, i) => {
  if (!readRm(c, i, 0, 31)) return false;
  const a = c.a;
  a.get(R0 + 2)
    .get(X)
    .op(Op.i32GeU);
  a.hint(false).open(Op.if);
  c.handlerLeave(i);
  a.end();
  // CF and OF as they are now, before the record is replaced.
  c.carryNow();
  if (c.fl.kind === 2) c.flag("O");
  else c.condition(0);
  a.i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
  a.i32(1).set(FR);
  a.i32((FlagOp.Logic << 5) | 31).set(FK);
  c.setKnown(FlagOp.Logic, 31, false);
  edxEax(a);
  a.get(X).op(Op.i64ExtendI32U).op(Op.i64RemU).op(Op.i32WrapI64).set(E);
  edxEax(a);
  a.get(X).op(Op.i64ExtendI32U).op(Op.i64DivU).op(Op.i32WrapI64).set(R0);
  a.get(E).set(R0 + 2);
  return true;
};

/** Pushes the string step for an element of `size` bytes: -size when EFLAGS.DF is set. */
function stringStep(c: Lowering, size: number): void {
  c.a
    .i32(size)
    .i32(0)
    .mem(Op.i32Load, c.layout.scratch + SCR_DF)
    .i32(2 * size)
    .op(Op.i32Mul)
    .op(Op.i32Sub);
}

/** Adds the step (in local `e`) to ESI (6) or EDI (7). */
function advance(a: Asm, r: number): void {
  a.get(R0 + r)
    .get(E)
    .op(Op.i32Add)
    .set(R0 + r);
}

/** Source segment of a string form: DS or the override (integer-string.ts sourceSeg). */
function sourceSeg(i: Instruction): number {
  return i.segmentPrefix !== 0 ? i.segmentPrefix - REG_ES : 3;
}

/**
 * LODS/STOS/SCAS/MOVS without a repeat prefix and with 32-bit addressing (integer-string.ts
 * stringForm, one iteration): the access(es) first (a fault leaves ESI/EDI unchanged), then
 * ESI/EDI step by the element size, backwards when DF is set (read through `df`).
 */
function stringOp(op: "LODS" | "STOS" | "SCAS" | "MOVS", top: number): Lower {
  return (c, i) => {
    if (i.addrSize !== 32) return false;
    if (i.hasRep || i.hasRepne) {
      if (op === "STOS" || op === "MOVS") return repString(op, top)(c, i);
      return false;
    }
    const a = c.a;
    const size = SIZE(top);
    const acc = top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL;
    const src = sourceSeg(i);
    if (src < 0 || src > 5) return false;
    if (op === "LODS" || op === "MOVS") {
      c.offsetLinear(i.ip, src, local(R0 + 6), top, false);
      c.loadAt(i, src, top, SLOT_ESI);
    }
    const step = (): void => {
      stringStep(c, size);
      a.set(E);
      if (op !== "STOS" && op !== "SCAS") advance(a, 6);
      if (op !== "LODS") advance(a, 7);
    };
    if (op === "LODS") regWrite(a, acc, top, local(X));
    else if (op === "MOVS" || op === "STOS") {
      c.offsetLinear(i.ip, 0, local(R0 + 7), top, true);
      storeThen(
        c,
        i,
        0,
        top,
        op === "MOVS" ? local(X) : regRead(acc, top),
        step,
        undefined,
        SLOT_EDI,
      );
      return true;
    } else {
      c.offsetLinear(i.ip, 0, local(R0 + 7), top, false);
      c.loadAt(i, 0, top, SLOT_EDI);
      c.setKnown(FlagOp.Sub, top, false);
      regRead(acc, top)(a);
      a.tee(FA).get(X).tee(FB).op(Op.i32Sub);
      wrap(a, top);
      a.set(FR);
      a.i32((FlagOp.Sub << 5) | top).set(FK);
    }
    step();
    return true;
  };
}

/**
 * SHLD/SHRD r/m32, r32, imm8|CL (alu.ts shld/shrd, integer-logic.ts doubleShift): the register
 * is read first, then the operand; count masked to 5 bits, a zero count changes nothing (the
 * memory form writes the value back). The flags: a Logic record with CF, OF (MSB(r) ^ CF for
 * SHLD, the result's top two bits XOR for SHRD, as the host gives them) and AF set.
 */
function doubleShift32(left: boolean, fromCl: boolean): Lower {
  return (c, i) => {
    const a = c.a;
    if (!isGpr(i.op1Register, 31)) return false;
    const reg = i.op0Kind === OpKind.Register;
    if (reg && !isGpr(i.op0Register, 31)) return false;
    const n = fromCl ? -1 : i.immediate & 31;
    if (reg && n === 0) return true;
    let seg = -1;
    if (!reg) {
      seg = c.linear(i, 31, true);
      if (seg < 0) return false;
      c.loadAt(i, seg, 31, undefined, true);
    }
    const pa = reg ? regRead(i.op0Register, 31) : local(X);
    const pb = regRead(i.op1Register, 31);
    const count: Push = n < 0 ? local(E) : konst(n);
    const calc = (): void => {
      pa(a);
      a.set(FA);
      // fr = fa << n | fb >>> (32 - n)  (SHLD), fa >>> n | fb << (32 - n)  (SHRD)
      a.get(FA);
      count(a);
      a.op(left ? Op.i32Shl : Op.i32ShrU);
      pb(a);
      a.i32(32);
      count(a);
      a.op(Op.i32Sub)
        .op(left ? Op.i32ShrU : Op.i32Shl)
        .op(Op.i32Or)
        .tee(FR)
        .set(X);
      a.get(FA);
      if (left) {
        a.i32(32);
        count(a);
        a.op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(FC);
        a.get(FC).get(FR).i32(31).op(Op.i32ShrU).get(FC).op(Op.i32Xor);
      } else {
        count(a);
        a.i32(1).op(Op.i32Sub).op(Op.i32ShrU).i32(1).op(Op.i32And).set(FC);
        a.get(FC).get(FR).i32(31).op(Op.i32ShrU).get(FR).i32(30).op(Op.i32ShrU);
        a.op(Op.i32Xor).i32(1).op(Op.i32And);
      }
      a.i32(11).op(Op.i32Shl).op(Op.i32Or).i32(16).op(Op.i32Or).set(FC);
      a.i32((FlagOp.Logic << 5) | 31).set(FK);
      if (reg) regWrite(a, i.op0Register, 31, local(X));
    };
    if (n > 0) {
      c.setKnown(FlagOp.Logic, 31, false);
      calc();
    } else if (n < 0) {
      a.get(R0 + 1)
        .i32(31)
        .op(Op.i32And)
        .tee(E);
      a.open(Op.if);
      calc();
      a.end();
      c.fl = { kind: 0, op: 0, top: 0, fcZero: false };
    }
    if (!reg) c.storeAt(i, seg, 31, local(X));
    return true;
  };
}

/** CDQ, CWDE, CWD, CBW (arith.ts): sign extension of the accumulator. */
const signExtendAcc: Lower = (c, i) => {
  const a = c.a;
  if (i.code === Code.Cdq)
    regWrite(a, REG_EAX + 2, 31, (b) => {
      b.get(R0).i32(31).op(Op.i32ShrS);
    });
  else if (i.code === Code.Cwde) regWrite(a, REG_EAX, 31, (b) => sx(b, regRead(REG_AX, 15), 15));
  else if (i.code === Code.Cbw)
    regWrite(a, REG_AX, 15, (b) => {
      sx(b, regRead(REG_AL, 7), 7);
      b.i32(65535).op(Op.i32And);
    });
  else
    regWrite(a, REG_AX + 2, 15, (b) => {
      sx(b, regRead(REG_AX, 15), 15);
      b.i32(16).op(Op.i32ShrS).i32(65535).op(Op.i32And);
    });
  return true;
};

// ---- SSE2 integer forms: WebAssembly SIMD over XMM0-7 in the memory ----

/** XMM register number (0-7) of decoder register `reg`, or -1. */
function xmmIndex(reg: number): number {
  const r = reg - Register.XMM0;
  return r >= 0 && r < 8 ? r : -1;
}

/**
 * The access to `i`'s m128 operand (a write when `write`) for `use`, which gets a pusher of its
 * host address: in a flat segment, 16-byte aligned (`aligned`; else within one page) and in its
 * memo's window (or the TLB's, through `me`). Any other access (misaligned: #GP; a TLB miss,
 * MMIO, a code page) runs the instruction through its handler and leaves. False when the
 * operand cannot be lowered (16-bit addressing, a segment with a base or a limit, no memos).
 */
function m128(
  c: Lowering,
  i: Instruction,
  write: boolean,
  aligned: boolean,
  use: (host: () => void) => void,
): boolean {
  const seg = c.seg(i);
  const slot = explicitSlot(i);
  const m = c.memo[slot]!;
  if (seg < 0 || (c.flat & (1 << seg)) === 0 || c.ea(i) === null || m < 0) return false;
  const a = c.a;
  c.sseGuard(i);
  c.linear(i, 31, write);
  const done = a.open(Op.block);
  const slow = a.open(Op.block);
  if (aligned) a.get(L).i32(15).op(Op.i32And).hint(false).brIf(slow);
  else
    a.get(L)
      .i32(4095)
      .op(Op.i32And)
      .i32(4096 - 16)
      .op(Op.i32GtU)
      .hint(false)
      .brIf(slow);
  // A 16-byte access at an aligned (or page-interior) `l` inside a window of whole pages.
  c.memoTest(slot, write, 31, slow);
  use(() => c.memoAddr(m, write));
  a.br(done);
  a.end();
  c.handlerLeave(i);
  a.end();
  return true;
}

/**
 * `op` xmm, xmm/m128 (the interpreter's intX: an aligned m128): xmm = op(xmm, source), or
 * op(source, xmm) when `swap` (PANDN's v128.andnot(a, b) = a & ~b).
 */
function sseBinary(op: (a: Asm) => void, swap = false): Lower {
  return (c, i) => {
    const d = xmmIndex(i.op0Register);
    if (c.layout.xmm < 0 || d < 0) return false;
    const a = c.a;
    const apply = (source: () => void): void =>
      c.xmmStore(d, () => {
        if (swap) source();
        c.xmmLoad(d);
        if (!swap) source();
        op(a);
      });
    if (i.op1Kind !== OpKind.Register)
      return m128(c, i, false, true, (host) =>
        apply(() => {
          host();
          a.simdMem(Simd.v128Load, 0);
        }),
      );
    const r = xmmIndex(i.op1Register);
    if (r < 0) return false;
    c.sseGuard(i);
    apply(() => c.xmmLoad(r));
    return true;
  };
}

/** The bytes of PUNPCKL* / PUNPCKH* (`high`) of `size`-byte elements as i8x16.shuffle lanes. */
function unpackLanes(size: number, high: boolean): number[] {
  const lanes: number[] = [];
  const from = high ? 8 : 0;
  for (let e = 0; e < 8 / size; e++)
    for (const src of [0, 16]) for (let b = 0; b < size; b++) lanes.push(src + from + e * size + b);
  return lanes;
}

/** PUNPCKL* / PUNPCKH* (`high`) and UNPCKL/H PS/PD of `size`-byte elements. */
function unpack(size: number, high: boolean): Lower {
  const lanes = unpackLanes(size, high);
  return sseBinary((a) => void a.shuffle(lanes));
}

/** MOVDQA / MOVDQU xmm, xmm/m128 and xmm/m128, xmm (`aligned`: MOVDQA's #GP on a misaligned m128). */
function movdq(aligned: boolean): Lower {
  return (c, i) => {
    if (c.layout.xmm < 0) return false;
    const a = c.a;
    if (i.op0Kind === OpKind.Register && i.op1Kind === OpKind.Register) {
      const d = xmmIndex(i.op0Register);
      const r = xmmIndex(i.op1Register);
      if (d < 0 || r < 0) return false;
      c.sseGuard(i);
      c.xmmStore(d, () => c.xmmLoad(r));
      return true;
    }
    if (i.op0Kind === OpKind.Register) {
      const d = xmmIndex(i.op0Register);
      if (d < 0) return false;
      return m128(c, i, false, aligned, (host) =>
        c.xmmStore(d, () => {
          host();
          a.simdMem(Simd.v128Load, 0);
        }),
      );
    }
    const r = xmmIndex(i.op1Register);
    if (r < 0) return false;
    return m128(c, i, true, aligned, (host) => {
      host();
      c.xmmLoad(r);
      a.simdMem(Simd.v128Store, 0);
    });
  };
}

/** PSHUFD xmm, xmm/m128, imm8: dword k of the result = source dword (imm >> 2k) & 3. */
const pshufd: Lower = (c, i) => {
  const d = xmmIndex(i.op0Register);
  if (c.layout.xmm < 0 || d < 0) return false;
  const a = c.a;
  const imm = i.immediate & 0xff;
  const lanes: number[] = [];
  for (let k = 0; k < 4; k++)
    for (let b = 0; b < 4; b++) lanes.push(4 * ((imm >>> (2 * k)) & 3) + b);
  if (i.op1Kind !== OpKind.Register)
    return m128(c, i, false, true, (host) =>
      c.xmmStore(d, () => {
        host();
        a.simdMem(Simd.v128Load, 0);
        host();
        a.simdMem(Simd.v128Load, 0);
        a.shuffle(lanes);
      }),
    );
  const r = xmmIndex(i.op1Register);
  if (r < 0) return false;
  c.sseGuard(i);
  c.xmmStore(d, () => {
    c.xmmLoad(r);
    c.xmmLoad(r);
    a.shuffle(lanes);
  });
  return true;
};

/** PMOVMSKB r32, xmm: the sign bits of the 16 bytes. */
const pmovmskb: Lower = (c, i) => {
  const r = xmmIndex(i.op1Register);
  if (c.layout.xmm < 0 || r < 0 || !isGpr(i.op0Register, 31)) return false;
  c.sseGuard(i);
  regWrite(c.a, i.op0Register, 31, (b) => {
    c.xmmLoad(r);
    b.simd(Simd.i8x16Bitmask);
  });
  return true;
};

/**
 * MOVD xmm, r/m32: the dword, zero-extended to 128 bits. (An operand readRm or writeRm cannot
 * lower returns false after the guard's code: `attempt` drops the whole try and lowers again
 * with this instruction through its handler.)
 */
const movdToXmm: Lower = (c, i) => {
  const d = xmmIndex(i.op0Register);
  if (c.layout.xmm < 0 || d < 0) return false;
  c.sseGuard(i);
  if (!readRm(c, i, 1, 31)) return false;
  const at = c.layout.xmm + 16 * d;
  c.storeWord(at, local(X));
  for (const k of [4, 8, 12]) c.storeWord(at + k, konst(0));
  return true;
};

/** MOVD r/m32, xmm: dword 0. */
const movdFromXmm: Lower = (c, i) => {
  const r = xmmIndex(i.op1Register);
  if (c.layout.xmm < 0 || r < 0) return false;
  c.sseGuard(i);
  return writeRm(c, i, () => c.word(c.layout.xmm + 16 * r), 31);
};

/**
 * RDTSC: with a TSC that counts retired instructions (SCR_TSC_RATE > 0: set by the entry's first
 * RDTSC, region.ts `armTsc`), inline: the TSC at the JS entry plus the instructions retired since
 * times the rate; else the interpreter's handler through `ts` (no flag flush, no full register
 * reload: it writes EAX/EDX only, reloaded after; it may raise #GP (CR4.TSD), hence the spill).
 */
const rdtsc: Lower = (c, i) => {
  const a = c.a;
  const sc = c.layout.scratch;
  const tsc = (): void => {
    a.i32(0).mem(Op.i64Load, sc + SCR_TSC);
    a.get(RB).i32(c.k).op(Op.i32Add).op(Op.i64ExtendI32U);
    a.i32(0)
      .mem(Op.i32Load, sc + SCR_TSC_RATE)
      .op(Op.i64ExtendI32U);
    a.op(Op.i64Mul).op(Op.i64Add);
  };
  a.i32(0).mem(Op.i32Load, sc + SCR_TSC_RATE);
  a.open(Op.if);
  tsc();
  a.op(Op.i32WrapI64).set(R0);
  tsc();
  a.i32(32)
    .op(Op.i64ExtendI32U)
    .op(Op.i64ShrU)
    .op(Op.i32WrapI64)
    .set(R0 + 2);
  a.else();
  c.spillForFault(i.ip);
  a.get(RB).i32(c.k).op(Op.i32Add).call(F_TS);
  a.i32(0).mem(Op.i32Load, c.layout.regs).set(R0);
  a.i32(0)
    .mem(Op.i32Load, c.layout.regs + 8)
    .set(R0 + 2);
  a.end();
  return true;
};

/** Iterations of a repeated string form per execution (integer-string.ts STRING_CHUNK). */
const STRING_CHUNK = 4096;

/**
 * REP STOS / REP MOVS with 32-bit addressing and flat segments, the ECX loop inside the region
 * (integer-string.ts stringForm / fastRep): ECX = 0 does nothing; else at most STRING_CHUNK
 * elements, each a load (MOVS) and a store through the TLB (the slow paths per element), then
 * ESI/EDI step and ECX counts down, so a fault leaves exactly the registers of the elements
 * done. After a chunk with ECX left, the region leaves to the instruction itself (the next
 * execution, one more retired instruction, as the interpreter's EIP = startEip); a slow write
 * that hit this region or raised an event makes it leave after the chunk (the handler does not
 * stop mid-chunk either).
 */
function repString(op: "STOS" | "MOVS", top: number): Lower {
  return (c, i) => {
    if (i.addrSize !== 32) return false;
    const src = sourceSeg(i);
    if ((c.flat & 1) === 0 || (op === "MOVS" && (c.flat & (1 << src)) === 0)) return false;
    const a = c.a;
    const acc = top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL;
    const v = op === "MOVS" ? local(X) : regRead(acc, top);
    a.get(R0 + 1);
    a.open(Op.if);
    stringStep(c, SIZE(top));
    a.set(T1);
    a.get(R0 + 1)
      .i32(STRING_CHUNK)
      .op(Op.i32Sub)
      .set(T0);
    a.i32(0).set(T2);
    const next = a.open(Op.loop);
    if (op === "MOVS") {
      a.get(R0 + 6).set(L);
      c.loadAt(i, src, top, SLOT_ESI);
    }
    a.get(R0 + 7).set(L);
    c.storeOpen(i, 0, top, v, () => undefined, SLOT_EDI);
    a.get(T2).op(Op.i32Or).set(T2);
    a.end();
    if (op === "MOVS") {
      a.get(R0 + 6)
        .get(T1)
        .op(Op.i32Add)
        .set(R0 + 6);
    }
    a.get(R0 + 7)
      .get(T1)
      .op(Op.i32Add)
      .set(R0 + 7);
    a.get(R0 + 1)
      .i32(1)
      .op(Op.i32Sub)
      .tee(R0 + 1)
      .i32(0)
      .op(Op.i32Ne);
    a.get(R0 + 1)
      .get(T0)
      .op(Op.i32Ne)
      .op(Op.i32And);
    a.hint(true).brIf(next);
    a.end();
    a.get(R0 + 1);
    a.hint(false).open(Op.if);
    c.leave(konst(i.ip | 0), c.k + 1, -1);
    a.end();
    a.get(T2);
    a.hint(false).open(Op.if);
    c.leaveAfter(i);
    a.end();
    a.end();
    return true;
  };
}

const nop: Lower = () => true;

const jmpRel: Lower = (c, i) => {
  c.directJump(i);
  c.exitTo(i.nearBranchTarget >>> 0);
  return true;
};

const callRel32: Lower = (c, i) => {
  if (!flatStack(c) || i.opSize !== 32) return false;
  // The push, the jump's limit check (a #GP restores ESP), ESP; a slow write that must leave
  // leaves to the target.
  pushValue(
    c,
    i,
    konst(i.nextIp | 0),
    () => c.directJump(i),
    () => c.leave(konst(i.nearBranchTarget | 0), c.k + 1, -1),
  );
  c.pushReturn(i, i.nearBranchTarget | 0);
  c.exitTo(i.nearBranchTarget >>> 0);
  return true;
};

const retNear32: Lower = (c, i) => {
  if (!flatStack(c)) return false;
  const a = c.a;
  a.get(R0 + 4).set(L);
  c.loadAt(i, 2, 31, SLOT_ESP);
  limitCheckX(c, i);
  a.get(R0 + 4)
    .i32(4)
    .op(Op.i32Add)
    .set(R0 + 4);
  c.dynamicExit(local(X), c.returnInside(X));
  return true;
};

/** jumpNear's CS-limit check of the target in `x` (#GP(0) beyond it, through `j`). */
function limitCheckX(c: Lowering, i: Instruction): void {
  if ((c.flat & CS_4G) !== 0) return;
  const a = c.a;
  a.get(X).get(P_LIM).op(Op.i32GtU);
  a.hint(false).open(Op.if);
  c.faultAt(i.ip);
  a.get(X).call(F_J);
  c.faultCheck();
  a.end();
}

/** JMP r/m32 (integer-flow.ts jmpRm): the target read, checked, left to by a dynamic exit. */
const jmpRm32: Lower = (c, i) => {
  if (!readRm(c, i, 0, 31)) return false;
  limitCheckX(c, i);
  c.dynamicExit(local(X));
  return true;
};

/**
 * CALL r/m32 (callRm): the target read first, the return address pushed, the limit check (a
 * #GP restores ESP), ESP, then a dynamic exit to the target.
 */
const callRm32: Lower = (c, i) => {
  if (!flatStack(c) || i.opSize !== 32 || !readRm(c, i, 0, 31)) return false;
  pushValue(
    c,
    i,
    konst(i.nextIp | 0),
    () => limitCheckX(c, i),
    () => c.leave(local(X), c.k + 1, -1),
  );
  c.pushReturn(i, -1);
  c.dynamicExit(local(X));
  return true;
};

function jcc(cc: number): Lower {
  return (c, i) => {
    c.condition(cc);
    c.a.open(Op.if);
    c.directJump(i);
    c.exitTo(i.nearBranchTarget >>> 0);
    c.a.end();
    c.exitTo(i.nextIp >>> 0);
    return true;
  };
}

/**
 * Whether a handler call may leave the flag record pending in the region's locals instead of
 * writing it into CpuState first (`flush`, a call to JavaScript): the form neither reads nor
 * writes a status flag (the decoder's table: SSE integer forms, CLI/STI, port I/O, INVLPG,
 * segment loads) and goes on to the next instruction (no IRET, far transfer or task switch,
 * whose EFLAGS the record must not overwrite). If the handler throws, `spillForFault` has stored
 * the record and the wrapper materializes it before the exception is delivered; the region's
 * exits store it as after any instruction.
 */
function keepsFlagRecord(i: Instruction): boolean {
  return (
    ((i.flagsRead | i.flagsWritten | i.flagsUndefined) & RFLAGS_STATUS) === 0 &&
    i.flow === FlowControl.Next &&
    !isCrossing(i)
  );
}

/** Near indirect transfers run by their handler leave through a dynamic exit (block.ts). */
const NEAR_INDIRECT = new Set(
  ["Jmp_rm32", "Call_rm32", "Retnd", "Retnd_imm16", "Call_rel32_32"].map(codeOf),
);

/**
 * Barriers (they end a block) that leave the mode key, the segments and EFLAGS.IF set as they
 * were or clear IF: after one, a region goes on through a dynamic exit (which checks the
 * mode) instead of the dispatcher when its handler call saw no event. Port I/O (a device may
 * raise an interrupt: the import's event test catches it when IF is set), CLI, INVLPG (the
 * chain entries check the TLB). MOV CR, MOV/POP Sreg, IRET, POPF and STI: MODE_CHECKED.
 */
const MODE_KEEPING = new Set(
  [
    "In_AL_imm8",
    "In_AX_imm8",
    "In_EAX_imm8",
    "Out_imm8_AL",
    "Out_imm8_AX",
    "Out_imm8_EAX",
    "In_AL_DX",
    "In_AX_DX",
    "In_EAX_DX",
    "Out_DX_AL",
    "Out_DX_AX",
    "Out_DX_EAX",
    "Cli",
    "Invlpg_m",
  ].map(codeOf),
);

/**
 * Barriers that may change the mode key, the segments or EFLAGS.IF (segment loads, IRET,
 * POPF, MOV CR, LMSW, CLTS, STI): after one, a chaining region goes on through a dynamic exit
 * to the EIP the handler left when the import finds the mode key, CS and the event test as the
 * dispatcher would find them (region.ts `WasmShared.afterBarrier`), else it leaves. Linux runs
 * ~230 K of them per boot + workload (POP DS/ES/FS and MOV Sreg on every kernel exit, IRET to
 * itself as its serializing instruction, CR0.TS for lazy FPU, STI), each a return to the
 * dispatcher before.
 */
export const MODE_CHECKED = new Set(
  [
    "Mov_Sreg_rm16",
    "Mov_Sreg_r32m16",
    "Popw_ES",
    "Popd_ES",
    "Popw_DS",
    "Popd_DS",
    "Popw_FS",
    "Popd_FS",
    "Popw_GS",
    "Popd_GS",
    "Popfw",
    "Popfd",
    "Iretw",
    "Iretd",
    "Mov_cr_r32",
    "Mov_r32_cr",
    "Lmsw_rm16",
    "Lmsw_r32m16",
    "Clts",
    "Sti",
  ].map(codeOf),
);

/** Forms that end a block through an exit the lowering writes (control flow). */
const ENDS = new Set<number>();

function buildLowerings(): (Lower | undefined)[] {
  const t: (Lower | undefined)[] = [];
  const set = (name: string, e: Lower): void => {
    t[codeOf(name)] = e;
  };
  for (const op of ALU_NAMES) {
    for (const [size, top] of OPERAND_SIZES) {
      set(`${op}_rm${size}_r${size}`, aluRm(op, top, false));
      set(`${op}_${top === 7 ? "AL" : top === 15 ? "AX" : "EAX"}_imm${size}`, aluAcc(op, top));
      set(`${op}_rm${size}_imm${size}`, aluRm(op, top, true));
      if (op !== "Test") set(`${op}_r${size}_rm${size}`, aluRegRm(op, top));
    }
    if (op !== "Test") {
      set(`${op}_rm16_imm8`, aluRm(op, 15, true));
      set(`${op}_rm32_imm8`, aluRm(op, 31, true));
      set(`${op}_rm8_imm8_82`, aluRm(op, 7, true));
    }
  }
  set("Test_rm8_imm8_F6r1", aluRm("Test", 7, true));
  set("Test_rm16_imm16_F7r1", aluRm("Test", 15, true));
  set("Test_rm32_imm32_F7r1", aluRm("Test", 31, true));
  for (const [size, top] of OPERAND_SIZES) {
    set(`Mov_rm${size}_r${size}`, movRmReg(top));
    set(`Mov_r${size}_rm${size}`, movRegRm(top));
    set(`Mov_r${size}_imm${size}`, movRegImm(top));
    set(`Mov_rm${size}_imm${size}`, movRmImm(top));
    set(`Inc_rm${size}`, incDec(false, top));
    set(`Dec_rm${size}`, incDec(true, top));
    for (const [name, fn] of [
      ["Shl", "SHL"],
      ["Sal", "SHL"],
      ["Shr", "SHR"],
      ["Sar", "SAR"],
    ] as const) {
      set(`${name}_rm${size}_imm8`, shift(fn, top, "imm"));
      set(`${name}_rm${size}_1`, shift(fn, top, "one"));
      set(`${name}_rm${size}_CL`, shift(fn, top, "cl"));
    }
  }
  set("Inc_r16", incDec(false, 15));
  set("Inc_r32", incDec(false, 31));
  set("Dec_r16", incDec(true, 15));
  set("Dec_r32", incDec(true, 31));
  set("Rol_rm32_imm8", rotate(true, false));
  set("Ror_rm32_imm8", rotate(false, false));
  set("Rol_rm32_1", rotate(true, true));
  set("Ror_rm32_1", rotate(false, true));
  for (const name of ["Rol_rm32_imm8", "Ror_rm32_imm8", "Rol_rm32_1", "Ror_rm32_1"])
    ROTATES.add(codeOf(name));
  for (const [size] of OPERAND_SIZES) {
    NO_FLAGS.add(codeOf(`Mov_rm${size}_r${size}`));
    NO_FLAGS.add(codeOf(`Mov_r${size}_rm${size}`));
    NO_FLAGS.add(codeOf(`Mov_r${size}_imm${size}`));
    NO_FLAGS.add(codeOf(`Mov_rm${size}_imm${size}`));
  }
  for (const name of ["Lea_r32_m", "Movzx_r32_rm8", "Movzx_r32_rm16", "Movsx_r32_rm8"])
    NO_FLAGS.add(codeOf(name));
  NO_FLAGS.add(codeOf("Movsx_r32_rm16"));
  for (const op of ["Add", "Or", "And", "Sub", "Xor", "Cmp"]) {
    for (const [size, top] of OPERAND_SIZES) {
      ALL_FLAGS.add(codeOf(`${op}_rm${size}_r${size}`));
      ALL_FLAGS.add(codeOf(`${op}_r${size}_rm${size}`));
      ALL_FLAGS.add(codeOf(`${op}_rm${size}_imm${size}`));
      ALL_FLAGS.add(codeOf(`${op}_${top === 7 ? "AL" : top === 15 ? "AX" : "EAX"}_imm${size}`));
    }
    ALL_FLAGS.add(codeOf(`${op}_rm32_imm8`));
  }
  // The same forms and TEST's, registers or memory.
  for (const code of ALL_FLAGS) CARRY_WRITERS.add(code);
  for (const [size, top] of OPERAND_SIZES) {
    CARRY_WRITERS.add(codeOf(`Test_rm${size}_r${size}`));
    CARRY_WRITERS.add(codeOf(`Test_rm${size}_imm${size}`));
    CARRY_WRITERS.add(codeOf(`Test_${top === 7 ? "AL" : top === 15 ? "AX" : "EAX"}_imm${size}`));
  }
  groupForms();
  set("Neg_rm32", neg32);
  set("Not_rm32", not32);
  for (const op of ["Bt", "Bts", "Btr", "Btc"] as const) {
    set(`${op}_rm32_r32`, bitOp(op, true));
    set(`${op}_rm32_imm8`, bitOp(op, false));
  }
  set("Xadd_rm32_r32", xadd32);
  set("Cmpxchg8b_m64", cmpxchg8b);
  set("Imul_r32_rm32", imul32(false));
  set("Imul_r32_rm32_imm32", imul32(true));
  set("Imul_r32_rm32_imm8", imul32(true));
  // 32-bit register by CL: shiftCl32 (the memory form: shift above).
  for (const [name, fn] of [
    ["Shl", "SHL"],
    ["Sal", "SHL"],
    ["Shr", "SHR"],
    ["Sar", "SAR"],
  ] as const) {
    const mem = shift(fn, 31, "cl");
    const reg = shiftCl32(fn);
    set(`${name}_rm32_CL`, (c, i) => (i.op0Kind === OpKind.Register ? reg(c, i) : mem(c, i)));
  }
  set("Movzx_r32_rm8", movExtend(7, false));
  set("Movzx_r32_rm16", movExtend(15, false));
  set("Movsx_r32_rm8", movExtend(7, true));
  set("Movsx_r32_rm16", movExtend(15, true));
  set("Lea_r32_m", lea32);
  set("Push_r32", pushReg32);
  set("Push_rm32", pushRm32);
  set("Pop_rm32", popRm32);
  set("Leaved", leave32);
  set("Bswap_r16", bswap);
  set("Bswap_r32", bswap);
  for (const [size, top] of OPERAND_SIZES) {
    const acc = top === 7 ? "AL" : top === 15 ? "AX" : "EAX";
    set(`Mov_${acc}_moffs${size}`, movRegRm(top));
    set(`Mov_moffs${size}_${acc}`, movRmReg(top));
    set(`Xchg_rm${size}_r${size}`, xchg(top));
    set(`Cmpxchg_rm${size}_r${size}`, cmpxchg(top));
    const w = top === 7 ? "b" : top === 15 ? "w" : "d";
    set(`Lods${w}_${acc}_m${size}`, stringOp("LODS", top));
    set(`Stos${w}_m${size}_${acc}`, stringOp("STOS", top));
    set(`Scas${w}_${acc}_m${size}`, stringOp("SCAS", top));
    set(`Movs${w}_m${size}_m${size}`, stringOp("MOVS", top));
  }
  set("Xchg_r16_AX", xchg(15));
  set("Xchg_r32_EAX", xchg(31));
  set("Mul_rm32", mul32);
  set("Rdtsc", rdtsc);
  set("Shld_rm32_r32_imm8", doubleShift32(true, false));
  set("Shld_rm32_r32_CL", doubleShift32(true, true));
  set("Shrd_rm32_r32_imm8", doubleShift32(false, false));
  set("Shrd_rm32_r32_CL", doubleShift32(false, true));
  for (const name of ["Cdq", "Cwde", "Cwd", "Cbw"]) set(name, signExtendAcc);
  set("Div_rm32", div32);
  // SSE2 integer forms (WebAssembly SIMD; the handlers in @ringvm/cpu simd.ts as reference).
  const simd = (code: number) => (a: Asm) => void a.simd(code);
  set("Pxor_xmm_xmmm128", sseBinary(simd(Simd.v128Xor)));
  set("Por_xmm_xmmm128", sseBinary(simd(Simd.v128Or)));
  set("Pand_xmm_xmmm128", sseBinary(simd(Simd.v128And)));
  set("Pandn_xmm_xmmm128", sseBinary(simd(Simd.v128AndNot), true));
  set("Pcmpeqb_xmm_xmmm128", sseBinary(simd(Simd.i8x16Eq)));
  set("Pcmpeqw_xmm_xmmm128", sseBinary(simd(Simd.i16x8Eq)));
  set("Pcmpeqd_xmm_xmmm128", sseBinary(simd(Simd.i32x4Eq)));
  set("Paddb_xmm_xmmm128", sseBinary(simd(Simd.i8x16Add)));
  set("Psubb_xmm_xmmm128", sseBinary(simd(Simd.i8x16Sub)));
  for (const [name, op] of [
    ["Pcmpgtb", Simd.i8x16GtS],
    ["Pcmpgtw", Simd.i16x8GtS],
    ["Pcmpgtd", Simd.i32x4GtS],
    ["Paddsb", Simd.i8x16AddSatS],
    ["Paddusb", Simd.i8x16AddSatU],
    ["Psubsb", Simd.i8x16SubSatS],
    ["Psubusb", Simd.i8x16SubSatU],
    ["Pminub", Simd.i8x16MinU],
    ["Pmaxub", Simd.i8x16MaxU],
    ["Pavgb", Simd.i8x16AvgrU],
    ["Paddw", Simd.i16x8Add],
    ["Paddsw", Simd.i16x8AddSatS],
    ["Paddusw", Simd.i16x8AddSatU],
    ["Psubw", Simd.i16x8Sub],
    ["Psubsw", Simd.i16x8SubSatS],
    ["Psubusw", Simd.i16x8SubSatU],
    ["Pmullw", Simd.i16x8Mul],
    ["Pminsw", Simd.i16x8MinS],
    ["Pmaxsw", Simd.i16x8MaxS],
    ["Pavgw", Simd.i16x8AvgrU],
    ["Paddd", Simd.i32x4Add],
    ["Psubd", Simd.i32x4Sub],
    ["Paddq", Simd.i64x2Add],
    ["Psubq", Simd.i64x2Sub],
  ] as const)
    set(`${name}_xmm_xmmm128`, sseBinary(simd(op)));
  for (const [name, size] of [
    ["bw", 1],
    ["wd", 2],
    ["dq", 4],
    ["qdq", 8],
  ] as const) {
    set(`Punpckl${name}_xmm_xmmm128`, unpack(size, false));
    set(`Punpckh${name}_xmm_xmmm128`, unpack(size, true));
  }
  // The SSE/SSE2 bitwise and move forms on packed floats are the same bit operations (the
  // interpreter's `logic` and `movX`: no FP flags, the same alignment checks).
  for (const [t, size] of [
    ["ps", 4],
    ["pd", 8],
  ] as const) {
    set(`Unpckl${t}_xmm_xmmm128`, unpack(size, false));
    set(`Unpckh${t}_xmm_xmmm128`, unpack(size, true));
    set(`And${t}_xmm_xmmm128`, sseBinary(simd(Simd.v128And)));
    set(`Andn${t}_xmm_xmmm128`, sseBinary(simd(Simd.v128AndNot), true));
    set(`Or${t}_xmm_xmmm128`, sseBinary(simd(Simd.v128Or)));
    set(`Xor${t}_xmm_xmmm128`, sseBinary(simd(Simd.v128Xor)));
    set(`Mova${t}_xmm_xmmm128`, movdq(true));
    set(`Mova${t}_xmmm128_xmm`, movdq(true));
    set(`Movu${t}_xmm_xmmm128`, movdq(false));
    set(`Movu${t}_xmmm128_xmm`, movdq(false));
  }
  set("Movntps_m128_xmm", movdq(true));
  set("Movntdq_m128_xmm", movdq(true));
  set("Movdqa_xmm_xmmm128", movdq(true));
  set("Movdqa_xmmm128_xmm", movdq(true));
  set("Movdqu_xmm_xmmm128", movdq(false));
  set("Movdqu_xmmm128_xmm", movdq(false));
  set("Pshufd_xmm_xmmm128_imm8", pshufd);
  set("Pmovmskb_r32_xmm", pmovmskb);
  set("Movd_xmm_rm32", movdToXmm);
  set("Movd_rm32_xmm", movdFromXmm);
  // PAUSE and the fences are no-ops in the interpreter (integer-move.ts, simd.ts fence).
  for (const [name, value] of Object.entries(Code))
    if (typeof value === "number" && /^(Pause$|[LMS]fence($|_))/.test(name)) t[value] = nop;
  set("Pop_r32", popReg32);
  set("Pushd_imm32", pushImm32);
  set("Pushd_imm8", pushImm32);
  for (const name of NOP_FORMS) set(name, nop);
  for (const name of ["Jmp_rel8_16", "Jmp_rel8_32", "Jmp_rel16", "Jmp_rel32_32"]) {
    set(name, jmpRel);
    ENDS.add(codeOf(name));
  }
  set("Call_rel32_32", callRel32);
  set("Retnd", retNear32);
  ENDS.add(codeOf("Call_rel32_32"));
  ENDS.add(codeOf("Retnd"));
  set("Jmp_rm32", jmpRm32);
  set("Call_rm32", callRm32);
  ENDS.add(codeOf("Jmp_rm32"));
  ENDS.add(codeOf("Call_rm32"));
  COND_NAMES.forEach((cn, cc) => {
    for (const form of ["rel8_16", "rel8_32", "rel16", "rel32_32"]) {
      set(`J${cn}_${form}`, jcc(cc));
      ENDS.add(codeOf(`J${cn}_${form}`));
    }
    set(`Set${cn}_rm8`, setcc(cc));
    set(`Cmov${cn}_r32_rm32`, cmov(cc));
  });
  return t;
}

/** Lowering of each form, indexed by `Code` (undefined: the region stays JavaScript). */
const LOWERINGS: readonly (Lower | undefined)[] = buildLowerings();

/** Where a lowering attempt stopped: block `j` cannot lower its instruction `k`. */
interface Cut {
  j: number;
  k: number;
}

/**
 * Lowers a region to a module of its own exporting `f0(left, pc0, lim, ev, rb0) -> exit` (the
 * exit index, -1: no link), with `c0` and `t0` when it chains (`place`).
 */
export function lowerRegion(
  blocks: readonly (readonly Instruction[])[],
  ss32: boolean,
  flat: number,
  layout: WasmLayout,
  masks: TlbMasks,
  place?: ChainPlace,
  memo = -1,
  loops?: readonly boolean[],
): LoweredRegion | null {
  const p = lowerPart(blocks, ss32, flat, layout, masks, place, 0, 0, memo, loops);
  return p === null ? null : { ...p, bytes: buildModule([p.part], layout.pages, REGION_TYPE) };
}

/**
 * Lowers a region to part `table` of a module whose earlier parts have `importBase` imports
 * (`buildModule`). Forms outside the subset (and operands a lowering declines) call the
 * interpreter's handler through the region's own import `h<n>`, as generate() does.
 */
export function lowerPart(
  blocks: readonly (readonly Instruction[])[],
  ss32: boolean,
  flat: number,
  layout: WasmLayout,
  masks: TlbMasks,
  place: ChainPlace | undefined,
  importBase: number,
  table: number,
  memo = -1,
  loops?: readonly boolean[],
): LoweredPart | null {
  if (blocks.length === 0) return null;
  const handled = blocks.map((insns) =>
    insns.map(
      (i) => LOWERINGS[i.code] === undefined || (isCrossing(i) && crossingForm(i)!.tail === null),
    ),
  );
  for (;;) {
    const r = attempt(
      blocks,
      ss32,
      flat,
      layout,
      masks,
      handled,
      place,
      importBase,
      table,
      memo,
      loops,
    );
    if ("part" in r) return r;
    // A lowering declined its operands: that instruction calls its handler; lower again (the
    // dead-flag analysis of the block must see the handler call).
    handled[r.j]![r.k] = true;
  }
}

function attempt(
  blocks: readonly (readonly Instruction[])[],
  ss32: boolean,
  flat: number,
  layout: WasmLayout,
  masks: TlbMasks,
  handled: readonly (readonly boolean[])[],
  place: ChainPlace | undefined,
  importBase: number,
  table: number,
  memo: number,
  loops: readonly boolean[] | undefined,
): LoweredPart | Cut {
  const c = new Lowering(blocks, layout, ss32, flat, importBase, masks, memo, loops);
  c.chained = place !== undefined;
  if (place !== undefined && place.slot >= 0 && layout.dyn >= 0)
    c.rasWord = (place.mode << 16) | place.slot;
  const a = c.a;
  const nb = blocks.length;
  const sc = layout.scratch;
  // Entry: registers from memory, no pending flag record, pc = pc0. Each register's load is
  // cut below if the region's code never uses that register.
  a.i32(c.stateBase).set(SB);
  const regLoads: number[] = [];
  for (let r = 0; r < 8; r++) {
    regLoads.push(a.out.length);
    c.word(layout.regs + 4 * r);
    a.set(R0 + r);
  }
  regLoads.push(a.out.length);
  // Where a chaining region loads the pending flag record (cut like the registers' loads).
  let flagsFrom = 0;
  let flagsTo = 0;
  a.get(P_PC0).set(PC);
  a.get(P_RB0).set(RB);
  // From here `left` holds where the budget ends in retired-count terms (left + rb0: the budget
  // at the JS entry of the chain, at most 2^31 - 1), so a block transition only advances `rb`.
  a.get(P_LEFT).get(P_RB0).op(Op.i32Add).set(P_LEFT);
  a.i32(-1).set(NG);
  if (c.chained) {
    // This region is the one running (the JS wrapper reads which one exited), and the flag
    // record a chaining region left pending is its own (the wrapper zeroes fk after each exit).
    c.storeWord(sc + SCR_ID, konst(place!.id));
    flagsFrom = a.out.length;
    for (let f = 0; f < 5; f++) {
      c.word(sc + SCR_FK + 4 * f);
      a.set(FK + f);
    }
    flagsTo = a.out.length;
  }
  // From here the code's use of the register locals is tracked (`Asm.readLocals`).
  a.readLocals = a.writtenLocals = 0;
  c.fault = a.open(Op.block);
  c.exit = a.open(Op.block);
  c.leaveStored = a.open(Op.block);
  c.run = a.open(Op.loop);
  // Block k's code follows the end of label starts[k]; starts[0] holds only the dispatch.
  const starts = new Array<Label>(nb);
  for (let k = nb - 1; k >= 0; k--) starts[k] = a.open(Op.block);
  c.starts = starts;
  if (nb > 1) a.get(PC).brTable(starts, starts[0]!);
  for (let j = 0; j < nb; j++) {
    a.end(); // closes starts[j]
    const insns = blocks[j]!;
    const calls = handled[j]!;
    c.calls = calls;
    c.j = j;
    c.blockLevel = a.level;
    c.planLoadGroups(insns, calls);
    c.insns = insns;
    c.fl = { kind: 0, op: 0, top: 0, fcZero: false };
    // A handler observes every flag: with a handler call of a form the dead-flag analysis takes
    // as inlined (fixed flag use), no flags are dead (as generate() retries).
    const dead = insns.some((i, k) => calls[k] && !observesAllFlags(i))
      ? insns.map(() => false)
      : deadFlags(insns);
    c.deadInBlock = dead;
    c.carryPending = false;
    for (let k = 0; k < insns.length; k++) {
      const i = insns[k]!;
      const last = k === insns.length - 1;
      c.k = k;
      c.dead = dead[k]!;
      if (calls[k]) {
        c.handlerCall(i, last);
        continue;
      }
      const tail = isCrossing(i) ? crossingForm(i)!.tail : null;
      if (tail !== null && c.tailPage >= 0 && tail.physPage !== c.tailPage) {
        // One tail page per region (the engine watches it for the region): this one (another
        // mapping since) takes the handler path.
        c.handlerCall(i, last);
        continue;
      }
      if (tail !== null) {
        // A page-crossing instruction alone in its block (crossing.ts): inline while the TLB
        // maps its tail's page to the watched page it was fetched from, else the handler path.
        c.tailPage = tail.physPage;
        c.crossingGuard(tail);
        a.open(Op.if);
        if (!LOWERINGS[i.code]!(c, i)) return { j, k };
        if (c.carryPending) c.resolveCarry();
        c.exitTo(i.nextIp >>> 0);
        a.else();
        c.fl = { kind: 0, op: 0, top: 0, fcZero: false };
        c.carryPending = false;
        c.handlerCall(i, true);
        a.end();
        continue;
      }
      if (!LOWERINGS[i.code]!(c, i)) return { j, k };
      // The writer deferCarry chose ended the deferral (its record); if it kept the INC/DEC
      // record after all, FC is computed here.
      if (c.carryPending && k >= c.carryUntil) {
        c.resolveCarry();
        c.carryPending = false;
      }
      if (last && !ENDS.has(i.code)) {
        // Size limit or page end after a straight-line form: fall through.
        if (i.flow !== FlowControl.Next) return { j, k };
        c.exitTo(i.nextIp >>> 0);
      }
    }
  }
  a.end(); // loop
  a.br(c.exit);
  a.end(); // leaveStored
  c.word(sc + SCR_NE);
  a.set(NE);
  c.word(sc + SCR_NR);
  a.set(NR);
  a.i32(-1).set(NG);
  a.end(); // exit block
  // Guest registers the code reads or writes (a handler call's spill and reload count as both):
  // the others are not loaded at entry, and only written ones are stored at the exits (the
  // rest still hold what memory holds). Fewer values live through the region: V8's register
  // allocation (most of its compile time here) and every region transition do less.
  const regsUsed = ((a.readLocals | a.writtenLocals) >>> R0) & 0xff;
  const regsWritten = (a.writtenLocals >>> R0) & 0xff;
  // The same for the pending flag record, as a whole: code that neither reads nor writes it
  // leaves in the scratch what the previous region left there (the wrapper zeroes it after
  // each exit to JavaScript, which is what an unloaded record's locals hold).
  const flagsUsed = ((a.readLocals | a.writtenLocals) >>> FK) & 0x1f;
  const flagsWritten = ((a.writtenLocals >>> FK) & 0x1f) !== 0;
  // The shared exit: registers, flag record, next EIP and retired count into memory.
  c.spillState(regsWritten, flagsWritten);
  c.storeWord(layout.scratch + SCR_NE, local(NE));
  c.storeWord(layout.scratch + SCR_NR, local(NR));
  const imports = IMPORTS.concat(
    c.handlerSites.map((_, n) => ({ ...HANDLER_SITE, name: `h${n}` })),
  );
  if (c.chained) {
    // Exit g continues in slot g of the module's table: a linked region's entry function
    // (which checks what the dispatcher's chaining test checks) or the refusal stub, which
    // returns the exit index stored here (wasm/chain.ts). The budget and retired count go along.
    // A dynamic exit continues in the trampoline `d` instead (the entry's place holds the mode).
    c.storeWord(sc + SCR_G, local(NG));
    a.get(NG).i32(0).op(Op.i32GeS);
    a.open(Op.if);
    if (layout.dyn >= 0) {
      a.get(DY);
      a.open(Op.if);
      a.get(P_LEFT).get(NR).op(Op.i32Sub);
      a.i32(place!.mode).get(P_LIM).get(P_EV).get(NR);
      a.returnCall(F_D + importBase);
      a.end();
    }
    a.get(P_LEFT).get(NR).op(Op.i32Sub);
    a.i32(place!.mode).get(P_LIM).get(P_EV).get(NR);
    a.get(NG);
    a.returnCallIndirect(FN_TYPE_INDEX, table);
    a.end();
  }
  a.get(NG).op(Op.return);
  a.end(); // fault block
  // The fault exit: a slow-path helper kept a fault; state, its instruction's EIP and the cursor
  // into memory, as spillForFault stores them before a helper that throws.
  c.spillState(regsWritten, flagsWritten);
  c.storeWord(sc + SCR_IP, local(IPF));
  c.storeWord(sc + SCR_RB, local(RB));
  c.storeWord(sc + SCR_PC, local(PC));
  a.i32(FAULT_EXIT);
  // Unused loads go from the last to the first (the flag record's come after the registers').
  if (flagsUsed === 0) a.cut(flagsFrom, flagsTo);
  for (let r = 7; r >= 0; r--)
    if ((regsUsed & (1 << r)) === 0) a.cut(regLoads[r]!, regLoads[r + 1]!);
  const part: ModulePart = {
    imports,
    locals: NUM_LOCALS,
    code: a.out,
    hints: a.hints,
    helpers: c.helpers,
    localCalls: a.localCalls,
    ...(place === undefined
      ? {}
      : {
          chain: {
            slots: Math.max(1, c.exitTargets.length),
            entry: (f: number) => chainEntry(layout, place, blocks, f),
            locals: ENTRY_LOCALS,
          },
        }),
  };
  const id = place?.id ?? 0;
  return {
    part,
    exitTargets: c.exitTargets,
    blocks,
    handlerSites: c.handlerSites,
    checkedSites: c.checkedSites,
    id,
    tailPage: c.tailPage,
  };
}

/** TLB entry bits a fetch must see clear besides the read mask (engine.ts TLB_NO_FETCH_HIGH). */
const TLB_NO_FETCH_HIGH = 8 | 256;

/** Extra i32 locals of the entry function `c` (`chainEntry`): next EIP, block, its length. */
const ENTRY_LOCALS = 3;

/**
 * The body of the entry function `c` (params as f's, ENTRY_LOCALS locals): entered from
 * another region's exit slot, it runs f at the block whose first EIP is the exit's next EIP
 * only when the dispatcher would chain there: no event seen by an import, the CS-relative EIP on this linear
 * page, mapped by the TLB (for fetches) to this physical page, a block starting there (a
 * dynamic exit's slot keeps its last target) and budget for it. Otherwise it returns the exit
 * index the caller stored: the JS wrapper then sees the caller's exit (its state is in memory).
 */
function chainEntry(
  layout: WasmLayout,
  place: ChainPlace,
  blocks: readonly (readonly Instruction[])[],
  f: number,
): Uint8Array {
  const a = new Asm();
  const sc = layout.scratch;
  const lp = place.linearPage;
  const slot = layout.tlb + 4 * lp;
  const ne = NUM_PARAMS;
  const refuse = a.open(Op.block);
  a.i32(0)
    .mem(Op.i32Load, sc + SCR_EVW)
    .brIf(refuse);
  a.i32(0)
    .mem(Op.i32Load, sc + SCR_NE)
    .set(ne);
  a.i32(0)
    .mem(Op.i32Load, sc + SCR_CSB)
    .get(ne)
    .op(Op.i32Add)
    .i32(12)
    .op(Op.i32ShrU);
  a.i32(lp).op(Op.i32Ne).brIf(refuse);
  a.i32(0).mem(Op.i32Load, slot);
  a.i32(0).mem(Op.i32Load, layout.masks).i32(TLB_NO_FETCH_HIGH).op(Op.i32Or).op(Op.i32And);
  a.i32(1).op(Op.i32Ne).brIf(refuse);
  a.i32(0).mem(Op.i32Load, slot).i32(12).op(Op.i32ShrU).i32(place.physPage).op(Op.i32Ne);
  a.brIf(refuse);
  // The block starting at the next EIP: its index and instruction count into two locals, then
  // one budget test and one tail call for all (a call per block made the entry functions
  // about a tenth of a boot's WebAssembly).
  const [entry, need] = [ne + 1, ne + 2];
  const found = a.open(Op.block);
  blocks.forEach((insns, k) => {
    a.get(ne)
      .i32(insns[0]!.ip | 0)
      .op(Op.i32Eq);
    a.open(Op.if);
    a.i32(k).set(entry).i32(insns.length).set(need).br(found);
    a.end();
  });
  a.br(refuse);
  a.end();
  a.get(P_LEFT).get(need).op(Op.i32LtS).brIf(refuse);
  // Entered in another mode (a slot or stack entry that names a region made since; every
  // caller passes its mode key in the entry's place): refused.
  a.get(P_PC0).i32(place.mode).op(Op.i32Ne).brIf(refuse);
  a.i32(0)
    .i32(0)
    .mem(Op.i32Load, sc + SCR_CNT)
    .i32(1)
    .op(Op.i32Add);
  a.mem(Op.i32Store, sc + SCR_CNT);
  a.get(P_LEFT).get(entry).get(P_LIM).get(P_EV).get(P_RB0).returnCall(f);
  a.end();
  a.i32(0).mem(Op.i32Load, sc + SCR_G);
  return a.out;
}
