// Cold blocks: one basic block kept decoded and run through the interpreter's own block-cache
// handlers (the closure-threaded baked forms of @ringvm/cpu, else its specialized or generic
// handler), with the same per-instruction kind bits as the interpreter's block loop, so a
// register-only form costs one call and nothing else. No code generation: a block reaches the
// recompiler's code generator only once it has run `hotThreshold` times.
//
// Memory: a boot decodes ~75 K cold blocks and keeps most of them (the code cache), so a cold
// block holds as few heap objects as it can (each one is copied by the young-generation GC
// before it is promoted): no decoded `Instruction` for a form whose handler is baked (the
// closure reads nothing from it) or that the loop runs itself (Jcc, fused pairs), its EIPs and
// code bytes in its one `data` array, shared empty arrays for what only regions use.
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
  pickHandler,
  type FusedHandler,
  type Handler,
} from "@ringvm/cpu";
import { Code, Instruction } from "@ringvm/decoder";
import { Block, coldExits, type FastMemoryView } from "./block";

/** Kind bits of `ColdBlock.data` (the interpreter's block-cache K_* values). */
export const K_EIP = BLOCK_K_EIP | 0;
export const K_ESP = BLOCK_K_ESP | 0;
export const K_MEM = BLOCK_K_MEM | 0;
/** A Jcc or JMP rel ending the block: tested and taken by the cold loop itself. */
export const K_JCC = BLOCK_K_JCC | 0;
/** A register-only form and the Jcc after it, run as one call (`ColdBlock.fused`). */
export const K_FUSED = BLOCK_K_FUSED | 0;
/** The condition of JMP rel (always taken). */
export const COND_ALWAYS = BLOCK_COND_ALWAYS | 0;

const noFused: FusedHandler = () => false;
/** What a cold block passes for an instruction whose handler does not read it. */
const NO_INSN = new Instruction();
/** A cold block has no per-block EIP list (they are in `data`) and no exit array. */
const NO_IPS: readonly Float64Array[] = [];
const NO_EXITS: readonly number[] = [];
const NO_LINKS: (Block | null)[] = [];

export class ColdBlock extends Block {
  /**
   * Per instruction, four int32: kind bits (K_*) | condition code << 8 (K_JCC), EIP, next EIP,
   * near-branch target (the layout of the interpreter's block cache); then the `byteLength`
   * code bytes the block was decoded from, four to an int32 (see `sameCode`).
   */
  data: Int32Array;
  /** The second argument of each handler: the decoded form, or NO_INSN where it is not read. */
  readonly args: Instruction[];
  /** The form fused with the closing Jcc (at `count - 2`, kind K_FUSED). */
  fused: FusedHandler = noFused;
  /** The block ends in a near RET, or a near JMP/CALL through a register or memory. */
  indirect = false;
  /** Bytes from the first instruction's first byte to the last one's last byte. */
  byteLength = 0;
  /**
   * Exits and their chained blocks in fields (the run loop loads no array): the branch target
   * and the fall-through (`exits` of them; EIPs as int32, so no heap number), or for an
   * indirect branch, where it went last time (exit0, one entry).
   */
  exits = 0;
  exit0 = -1;
  exit1 = -1;
  next0: Block | null = null;
  next1: Block | null = null;

  constructor(
    phys: number,
    eip: number,
    linearPage: number,
    mode: number,
    args: Instruction[],
    data: Int32Array,
  ) {
    super(phys, eip, linearPage, mode, NO_IPS, [args], NO_EXITS, "", 0, NO_LINKS);
    this.args = args;
    this.data = data;
    this.compiled = false;
  }

  /** Records the code bytes at `linear` (the block's entry) in `data` (revival, see Block.stale). */
  snapshot(fetch8: (linear: number) => number, linear: number): void {
    const data = this.data;
    const at = this.count * 4;
    for (let k = 0; k < this.byteLength; k++) {
      const w = at + (k >> 2);
      data[w] = data[w]! | (fetch8((linear + k) | 0) << ((k & 3) << 3));
    }
  }

  /** Whether the code bytes at `linear` are still the ones recorded by `snapshot`. */
  sameCode(fetch8: (linear: number) => number, linear: number): boolean {
    const data = this.data;
    const at = this.count * 4;
    for (let k = 0; k < this.byteLength; k++) {
      if (((data[at + (k >> 2)]! >>> ((k & 3) << 3)) & 0xff) !== fetch8((linear + k) | 0))
        return false;
    }
    return true;
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
 * Its code bytes are recorded by `snapshot` (the caller's fetch). `pool`: the objects `insns`
 * were decoded into (discover's `pool`), to be reused by the next decode except those kept here.
 */
export function buildCold(
  insns: Instruction[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
  view: FastMemoryView | null,
  pool?: Instruction[],
): ColdBlock {
  const n = insns.length;
  const last = insns[n - 1]!;
  // Straight-line code from `eip` (discover stops at an IP wrap), so the bytes are contiguous.
  let byteLength = 0;
  for (let k = 0; k < n; k++) byteLength += insns[k]!.length;
  const data = new Int32Array(n * 4 + ((byteLength + 3) >> 2));
  // Exactly sized (an array grown by push gets room for 17 more).
  const args = new Array<Instruction>(n);
  const handlers = new Array<Handler>(n);
  for (let k = 0; k < n; k++) {
    const i = insns[k]!;
    const cc = BLOCK_BRANCH[i.code]!;
    let kind: number;
    if (cc !== 0 && k === n - 1) kind = K_JCC | ((cc - 1) << 8);
    else if (BLOCK_BODY[i.code] === 1) kind = blockKind(i);
    else kind = K_EIP | K_ESP | K_MEM;
    data[k * 4] = kind;
    data[k * 4 + 1] = i.ip;
    data[k * 4 + 2] = i.nextIp;
    data[k * 4 + 3] = i.nearBranchTarget;
    // The interpreter's handler choice (as its block cache makes it); a baked closure reads
    // nothing from the instruction, and the loop runs a closing Jcc itself.
    const baked = view === null ? bake(i) : bake(i, view, view);
    handlers[k] = baked ?? pickHandler(i);
    args[k] = baked !== undefined || (kind & 0xff) === K_JCC ? NO_INSN : i;
  }
  // The block keeps what it passes to handlers: the pool gets new objects in their place (the
  // fused form below takes only the instruction's operands).
  if (pool !== undefined)
    for (let k = 0; k < n; k++)
      if (args[k] !== NO_INSN && pool[k] === args[k]) pool[k] = new Instruction();
  const b = new ColdBlock(phys, eip, linear >>> 12, mode, args, data);
  b.handlers = handlers;
  b.byteLength = byteLength;
  // A register-only form before the closing Jcc: one fused call when baked.ts has the pair.
  if (n >= 2 && data[(n - 2) * 4] === 0 && (data[(n - 1) * 4]! & 0xff) === K_JCC) {
    const cc = data[(n - 1) * 4]! >>> 8;
    const fused = cc === COND_ALWAYS ? undefined : bakeFused(insns[n - 2]!, cc);
    if (fused !== undefined) {
      b.fused = fused;
      data[(n - 2) * 4] = K_FUSED;
      args[n - 2] = NO_INSN;
    }
  }
  b.indirect = NEAR_INDIRECT.has(last.code);
  const exits = coldExits(last);
  b.exits = exits.length;
  b.exit0 = (exits[0] ?? -1) | 0;
  b.exit1 = (exits[1] ?? -1) | 0;
  return b;
}
