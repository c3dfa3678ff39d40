// Cold blocks: one basic block kept decoded and run through the interpreter's own block-cache
// handlers (the closure-threaded baked forms of @ringvm/cpu, else its specialized or generic
// handler), with the same per-instruction kind bits as the interpreter's block loop, so a
// register-only form costs one call and nothing else. No code generation: a block reaches the
// recompiler's code generator only once it has run `hotThreshold` times.
//
// Memory: a boot + workload decodes ~55 K cold blocks and keeps most of them (the code cache), so a cold
// block holds as few heap objects as it can (each one is copied by the young-generation GC
// before it is promoted): no decoded `Instruction` for a form whose handler is baked (the
// closure reads nothing from it) or that the loop runs itself (Jcc, fused pairs), its EIPs,
// kinds and handlers in slots of a chunk shared with other blocks (`OpsPool`), shared empty
// arrays for what only regions use.
import {
  bake,
  bakeFused,
  BLOCK_BODY,
  BLOCK_BRANCH,
  BLOCK_COND_ALWAYS,
  BLOCK_K_EIP,
  BLOCK_K_ESP,
  BLOCK_K_FUSED,
  BLOCK_K_JCC,
  BLOCK_K_MEM,
  blockKind,
  compactArg,
  compactForm,
  pickHandler,
} from "@ringvm/cpu";
import { Code, Instruction } from "@ringvm/decoder";
import { Block, coldExits, MAX_BLOCK_INSNS, type FastMemoryView } from "./block";

/** Kind bits of `ColdBlock.data` (the interpreter's block-cache K_* values). */
export const K_EIP = BLOCK_K_EIP | 0;
export const K_ESP = BLOCK_K_ESP | 0;
export const K_MEM = BLOCK_K_MEM | 0;
/** A Jcc or JMP rel ending the block: tested and taken by the cold loop itself. */
export const K_JCC = BLOCK_K_JCC | 0;
/** A register-only form and the Jcc after it, run as one call (its handler slot). */
export const K_FUSED = BLOCK_K_FUSED | 0;
/** The condition of JMP rel (always taken). */
export const COND_ALWAYS = BLOCK_COND_ALWAYS | 0;

/** What a cold block passes for an instruction whose handler does not read it. */
const NO_INSN = new Instruction();
/** A cold block has no per-block EIP list (they are in `ops`) and no exit array. */
const NO_IPS: readonly Float64Array[] = [];
const NO_EXITS: readonly number[] = [];
const NO_LINKS: (Block | null)[] = [];
/**
 * `Block.insns` of a cold block of n instructions (it only gives `count`; shared, so a block
 * holds no array for it).
 */
const COLD_INSNS: (readonly (readonly Instruction[])[])[] = [];
for (let n = 0; n <= MAX_BLOCK_INSNS; n++)
  COLD_INSNS.push([new Array<Instruction>(n).fill(NO_INSN)]);

/**
 * Slots per instruction in `ColdBlock.ops`: a block run loads its slots from memory nobody else
 * touches lately (a boot's lukewarm code), so each slot less is fewer cache lines per run.
 */
export const OP_STRIDE = 3;
/**
 * Offsets in an instruction's slots: its kind word (OP_KIND): the kind bits (K_*), a Jcc's
 * condition code << 8, the instruction's length << OP_LEN_SHIFT and its offset from the block's
 * first EIP << OP_OFF_SHIFT, so neither its EIP nor the next one needs a slot of its own (a
 * block's instructions are contiguous; one whose IP wraps is not in a cold block: `buildCold`).
 */
export const OP_KIND = 0;
/**
 * The interpreter's handler; for a Jcc (run by the loop, never called) its near-branch target
 * (int32) instead.
 */
export const OP_HANDLER = 1;
export const OP_TARGET = OP_HANDLER;
/** The handler's second argument (the form, or NO_INSN if not read); a Jcc's taken link. */
export const OP_ARG = 2;
/** Where the length sits in the kind word (4 bits), and the kind bits with the condition below it. */
export const OP_LEN_SHIFT = 16;
export const OP_KIND_MASK = 0xffff;
/** Where the offset from the block's EIP sits (10 bits: 64 instructions of at most 15 bytes). */
export const OP_OFF_SHIFT = 20;

/** The length of the instruction whose kind word is `kind`. */
export function opLength(kind: number): number {
  return (kind >>> OP_LEN_SHIFT) & 15;
}

/** The EIP (int32) of the instruction whose kind word is `kind`, in a block starting at `eip0`. */
export function opEip(eip0: number, kind: number): number {
  return (eip0 + (kind >>> OP_OFF_SHIFT)) | 0;
}

/** The EIP (int32) after the instruction whose kind word is `kind` (see `opEip`). */
export function opNextEip(eip0: number, kind: number): number {
  return (eip0 + (kind >>> OP_OFF_SHIFT) + ((kind >>> OP_LEN_SHIFT) & 15)) | 0;
}

/** The `ops` of a dead cold block. */
const RELEASED: readonly unknown[] = [];

/** Elements per chunk of an `OpsPool` (8 bytes each: 512 KB, V8's large-object space). */
export const OPS_CHUNK = 1 << 16;

/**
 * Where cold blocks' `ops` live: slots handed out in build order from large shared arrays. A
 * cold block run reads its block and its slots; in an array of its own, the array object and
 * its elements are two more objects, each a cache miss on a boot-sized code footprint (perf
 * annotate: most of `runCold`'s own time was on those two loads). Here the chunk's array
 * object is shared (cached), and blocks built one after the other (the order the guest first
 * ran them) sit next to each other. Slots are never reused in place: dead blocks' slots are
 * reclaimed by `compact` copying the live ones into fresh chunks.
 */
export class OpsPool {
  /** The chunk `reserve` hands out from. */
  chunk: unknown[];
  private next = 0;
  /** Slots handed out since the pool was made, and those of blocks still alive. */
  used = 0;
  live = 0;

  constructor(private readonly chunkSize = OPS_CHUNK) {
    if (chunkSize < OP_STRIDE * MAX_BLOCK_INSNS)
      throw new RangeError(
        `cold chunk of ${chunkSize} slots: a block needs up to ${OP_STRIDE * MAX_BLOCK_INSNS}`,
      );
    this.chunk = this.newChunk();
  }

  private newChunk(): unknown[] {
    // Packed (not new Array(n), which is holey: loads would check for holes), and copied from
    // a template: Array.from's callback per element took ~4 ms per chunk.
    this.template ??= Array.from({ length: this.chunkSize }, () => 0);
    return this.template.slice();
  }
  private template: unknown[] | undefined;

  /** Reserves `n` slots (n <= the chunk size) in `chunk`, from the returned offset. */
  reserve(n: number): number {
    if (this.next + n > this.chunkSize) {
      this.chunk = this.newChunk();
      this.next = 0;
    }
    const at = this.next;
    this.next += n;
    this.used += n;
    this.live += n;
    return at;
  }

  /** Cold block `b` left the cache for good (its slots are garbage until `compact`). */
  release(b: ColdBlock): void {
    this.live -= b.count * OP_STRIDE;
    // A dead block may stay reachable (another block's link to it): it must not keep a chunk
    // alive after `compact` (it never runs again: not valid, not stale).
    b.ops = RELEASED;
    b.opsAt = 0;
  }

  /** Whether most handed-out slots belong to dead blocks (time to `compact`). */
  wasteful(): boolean {
    return this.used > 2 * this.live + 4 * this.chunkSize;
  }

  /** Moves the slots of `blocks` (every live block) into fresh chunks; the old ones are dropped. */
  compact(blocks: Iterable<ColdBlock>): void {
    this.chunk = this.newChunk();
    this.next = 0;
    this.used = 0;
    this.live = 0;
    for (const b of blocks) {
      const n = b.count * OP_STRIDE;
      const at = this.reserve(n);
      const from = b.ops;
      const to = this.chunk;
      for (let k = 0; k < n; k++) to[at + k] = from[b.opsAt + k];
      b.ops = to;
      b.opsAt = at;
    }
  }
}

export class ColdBlock extends Block {
  // Straight-line code through conditional branches: it is left at its end or where a Jcc in
  // it is taken (discover's throughJcc), so a not-taken Jcc costs no block transition. Its
  // per-run fields (`ops`, `opsAt`, `exit0`/`exit1`, `next0`/`next1`) are declared in Block,
  // among the first fields of the object (see there). `ops`: per instruction, OP_STRIDE slots
  // (OP_*): the kind word (kind bits, condition, length and offset from the block's EIP, as a
  // small integer), the handler (a Jcc: its target) and its argument, from `opsAt` in a chunk of the engine's
  // `OpsPool`, so a run reads the block, its slots and the handlers (before: an array of its
  // own, two more objects; before that three arrays). A form fused with the Jcc after it
  // (K_FUSED) has the fused handler in its handler slot, and in its argument slot the form's own
  // compact word and argument as a pair (the dense tier runs the two apart) or NO_INSN; a Jcc's
  // argument slot holds the block
  // its taken branch is linked to (a Jcc inside the block). The end's exits: the branch target
  // and the fall-through (`exits` of them), or for an indirect branch, where it went last time
  // (exit0, one entry).
  /** The block ends in a near RET, or a near JMP/CALL through a register or memory. */
  indirect = false;
  /** Bytes from the first instruction's first byte to the last one's last byte. */
  byteLength = 0;
  /** Exits that chain (0 to 2). */
  exits = 0;

  /** `n` instructions whose slots are `ops[opsAt ..]` (an `OpsPool` chunk). */
  constructor(
    phys: number,
    eip: number,
    linearPage: number,
    mode: number,
    n: number,
    ops: unknown[],
    opsAt: number,
  ) {
    super(phys, eip, linearPage, mode, NO_IPS, COLD_INSNS[n]!, NO_EXITS, "", 0, NO_LINKS);
    this.ops = ops;
    this.opsAt = opsAt;
    this.compiled = false;
  }
}

/** Near indirect branches (RET, RET imm16, JMP/CALL r/m): they stay in the same mode. */
const NEAR_INDIRECT: ReadonlySet<number> = new Set(
  [
    "Retnw",
    "Retnd",
    "Retnw_imm16",
    "Retnd_imm16",
    "Call_rm16",
    "Call_rm32",
    "Jmp_rm16",
    "Jmp_rm32",
  ].map((name) => (Code as unknown as Record<string, number>)[name]!),
);

/**
 * A cold block for the discovered instructions `insns` (one basic block: only its last
 * instruction may transfer control or be a barrier). Memory forms use the MMU's TLB fast path
 * when `view` is given (writes to watched code pages take the slow path, which invalidates).
 * Its code bytes are recorded by the engine (`snapshotCode`). `pool`: the objects `insns`
 * were decoded into (discover's `pool`), to be reused by the next decode except those kept here.
 */
export function buildCold(
  insns: Instruction[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
  view: FastMemoryView | null,
  opsPool: OpsPool,
  pool?: Instruction[],
): ColdBlock | null {
  // A cold block's next EIPs are EIP + length (OP_KIND), so an instruction whose next IP wraps
  // (16-bit code at 0xFFFF) is left to the interpreter: discover stops right after it, so only
  // the last one can. Only the first n of `insns` are the block's.
  const end = insns[insns.length - 1]!;
  const wraps = end.nextIp >>> 0 !== (end.ip + end.length) >>> 0;
  const n = wraps ? insns.length - 1 : insns.length;
  if (n === 0) return null;
  const last = insns[n - 1]!;
  // Straight-line code from `eip`, so the bytes are contiguous.
  let byteLength = 0;
  for (let k = 0; k < n; k++) byteLength += insns[k]!.length;
  const base = opsPool.reserve(n * OP_STRIDE);
  const ops = opsPool.chunk;
  // Instruction k's offset from `eip` (the bytes are contiguous).
  let offset = 0;
  for (let k = 0; k < n; k++) {
    const i = insns[k]!;
    const cc = BLOCK_BRANCH[i.code]!;
    let kind: number;
    // A Jcc inside the block (discover's throughJcc) or ending it; JMP rel only ends it.
    if (cc !== 0) kind = K_JCC | ((cc - 1) << 8);
    else if (BLOCK_BODY[i.code] === 1) kind = blockKind(i);
    else kind = K_EIP | K_ESP | K_MEM;
    const o = base + k * OP_STRIDE;
    ops[o + OP_KIND] = kind | (i.length << OP_LEN_SHIFT) | (offset << OP_OFF_SHIFT);
    offset += i.length;
    // The interpreter's handler choice (as its block cache makes it); a baked closure reads
    // nothing from the instruction, and the loop runs a closing Jcc itself.
    if ((kind & 0xff) === K_JCC) {
      // The loop runs it: its target in the handler slot, its argument slot links a taken Jcc
      // inside the block (`run`).
      ops[o + OP_TARGET] = i.nearBranchTarget | 0;
      ops[o + OP_ARG] = null;
      continue;
    }
    // The commonest forms as a compact word and argument in the slots (no closure to load).
    const word = compactForm(i, view !== null);
    if (word >= 0) {
      ops[o + OP_HANDLER] = word;
      ops[o + OP_ARG] = compactArg(i, word);
      continue;
    }
    const baked = view === null ? bake(i) : bake(i, view, view);
    ops[o + OP_HANDLER] = baked ?? pickHandler(i);
    const arg = baked !== undefined ? NO_INSN : i;
    ops[o + OP_ARG] = arg;
    // The block keeps what it passes to handlers: the pool gets a new object in its place
    // (the fused form below takes only the instruction's operands).
    if (arg !== NO_INSN && pool !== undefined && pool[k] === arg) pool[k] = new Instruction();
  }
  const b = new ColdBlock(phys, eip, linear >>> 12, mode, n, ops, base);
  b.byteLength = byteLength;
  // A register-only form before a Jcc: one fused call (in its handler slot) when baked.ts has
  // the pair.
  for (let k = 0; k + 1 < n; k++) {
    const f = base + k * OP_STRIDE;
    const j = f + OP_STRIDE;
    const kf = ops[f + OP_KIND] as number;
    if ((kf & OP_KIND_MASK) !== 0 || ((ops[j + OP_KIND] as number) & 0xff) !== K_JCC) continue;
    const cc = ((ops[j + OP_KIND] as number) >>> 8) & 0xff;
    const fused = cc === COND_ALWAYS ? undefined : bakeFused(insns[k]!, cc);
    if (fused === undefined) continue;
    const h = ops[f + OP_HANDLER];
    ops[f + OP_ARG] = typeof h === "number" ? [h, ops[f + OP_ARG] as number] : NO_INSN;
    ops[f + OP_KIND] = K_FUSED | (kf & ~OP_KIND_MASK);
    ops[f + OP_HANDLER] = fused;
  }
  b.indirect = NEAR_INDIRECT.has(last.code);
  const exits = coldExits(last);
  b.exits = exits.length;
  b.exit0 = (exits[0] ?? -1) | 0;
  b.exit1 = (exits[1] ?? -1) | 0;
  return b;
}
