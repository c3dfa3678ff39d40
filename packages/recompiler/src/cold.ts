// Cold blocks: one basic block kept decoded and run through the interpreter's own block-cache
// handlers (the closure-threaded baked forms of @ringvm/cpu, else its specialized or generic
// handler), with the same per-instruction kind bits as the interpreter's block loop, so a
// register-only form costs one call and nothing else. No code generation: a block reaches the
// recompiler's code generator only once it has run `hotThreshold` times.
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
import { Code, type Instruction } from "@ringvm/decoder";
import { Block, buildColdBlock, type FastMemoryView } from "./block";

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

export class ColdBlock extends Block {
  /**
   * Per instruction, four int32: kind bits (K_*) | condition code << 8 (K_JCC), EIP, next EIP,
   * near-branch target (the layout of the interpreter's block cache).
   */
  data: Int32Array = new Int32Array(0);
  /** Per instruction: for a K_FUSED form, the form fused with the Jcc after it. */
  fused: FusedHandler[] = [];
  /** The block ends in a near RET, or a near JMP/CALL through a register or memory. */
  indirect = false;
  /**
   * Exits and their chained blocks in fields (the run loop loads no array): the branch target
   * and the fall-through (`exitTargets`; -1 when absent), or for an indirect branch, where it
   * went last time (exit0, one entry).
   */
  exit0 = -1;
  exit1 = -1;
  next0: Block | null = null;
  next1: Block | null = null;
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

/** The interpreter's handler choice for a decoded form (as its block cache makes it). */
function handlerOf(insn: Instruction, view: FastMemoryView | null): Handler {
  return (view === null ? bake(insn) : bake(insn, view, view)) ?? pickHandler(insn);
}

/**
 * A cold block for the discovered instructions `insns` (one basic block: only its last
 * instruction may transfer control or be a barrier). Memory forms use the MMU's TLB fast path
 * when `view` is given (writes to watched code pages take the slow path, which invalidates).
 */
export function buildCold(
  insns: Instruction[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
  view: FastMemoryView | null,
): ColdBlock {
  const plain = buildColdBlock(insns, phys, eip, linear, mode);
  const b = new ColdBlock(
    phys,
    eip,
    linear >>> 12,
    mode,
    plain.ips,
    plain.insns,
    plain.exitTargets,
    "",
  );
  b.compiled = false;
  const n = insns.length;
  const data = new Int32Array(n * 4);
  b.handlers = insns.map((i) => handlerOf(i, view));
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
  }
  // A register-only form before the closing Jcc: one fused call when baked.ts has the pair.
  if (n >= 2 && data[(n - 2) * 4] === 0 && (data[(n - 1) * 4]! & 0xff) === K_JCC) {
    const cc = data[(n - 1) * 4]! >>> 8;
    const fused = cc === COND_ALWAYS ? undefined : bakeFused(insns[n - 2]!, cc);
    if (fused !== undefined) {
      b.fused = new Array<FusedHandler>(n).fill(noFused);
      b.fused[n - 2] = fused;
      data[(n - 2) * 4] = K_FUSED;
    }
  }
  b.data = data;
  b.indirect = NEAR_INDIRECT.has(insns[n - 1]!.code);
  b.exit0 = plain.exitTargets[0] ?? -1;
  b.exit1 = plain.exitTargets[1] ?? -1;
  return b;
}
