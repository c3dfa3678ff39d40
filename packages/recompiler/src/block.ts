// Block discovery and code generation: decode straight-line guest code from one address up to a
// control-flow instruction, a block barrier, the end of the page or a size limit, and turn it
// into one host function through `new Function`.
import {
  aluAdc,
  aluAdd,
  aluDec,
  aluInc,
  aluLogic,
  aluSar,
  aluSbb,
  aluShl,
  aluShr,
  aluSub,
  checkedLinear,
  HANDLERS,
  jumpNear,
  testCondition,
  type CpuState,
  type Handler,
} from "@ringvm/cpu";
import {
  ATTR_IOPL,
  ATTR_LOCKABLE,
  ATTR_PRIVILEGED,
  Code,
  type Decoder,
  FlowControl,
  Instruction,
  OpKind,
} from "@ringvm/decoder";
import { EMITTERS, Fuse, num, type EmitContext } from "./emit";

/** A translated block returns the next block when it can chain to it, else null. */
export type BlockFn = (s: CpuState, budget: number) => Block | null;

/**
 * Longest block in instructions. Bounds compile time and the latency of interrupt delivery
 * (events are checked between blocks); 64 is long enough that loop bodies fit whole.
 */
export const MAX_BLOCK_INSNS = 64;

const noBlock: BlockFn = () => null;

export class Block {
  /** Cleared when the page is written, the entry is evicted or the cache is flushed. */
  valid = true;
  /** Chained successor of each exit (null until the dispatcher links it). */
  readonly links: (Block | null)[];
  fn: BlockFn = noBlock;
  /**
   * False for a cold block: its one basic block runs decoded through the interpreter's
   * handlers (`handlers`) until it has run `hotThreshold` times, then a region function
   * replaces it.
   */
  compiled = true;
  /** Entries so far (cold blocks only). */
  runs = 0;
  /**
   * Invalidated by a write to its page but kept in the cache: the next lookup compares the
   * bytes it was built from (`code`, from page offset `codeLo` relative to the entry) with
   * memory and revives it when they are unchanged (a data write next to code).
   */
  stale = false;
  codeLo = 0;
  code: Uint8Array = new Uint8Array(0);
  /** The interpreter's handler of each instruction of a cold block. */
  handlers: readonly Handler[] = [];

  constructor(
    /** Physical address of the first byte. */
    readonly phys: number,
    /** EIP of the first instruction (CS-relative). */
    readonly eip: number,
    /** Linear page (linear >>> 12), for the same-page chaining rule. */
    readonly linearPage: number,
    /** Mode key (see `modeKey`). */
    readonly mode: number,
    /**
     * EIP of each instruction of each basic block of the region (block 0 is the entry): a
     * fault's `startEip` in the current block tells how many instructions completed.
     */
    readonly ips: readonly Float64Array[],
    readonly insns: readonly (readonly Instruction[])[],
    /** EIP each exit leaves to (exits that may chain). */
    readonly exitTargets: readonly number[],
    /** The generated source (for snapshot tests and the source-safety scan). */
    readonly source: string,
  ) {
    this.links = exitTargets.map(() => null);
    this.count = ips[0]!.length;
  }

  /** Instructions of the entry block (the budget a call needs at least). */
  readonly count: number;
}

/** Where the running region function is: the engine's fault path reads it. */
export interface RegionCursor {
  /** Retired count at the start of the current basic block. */
  base: number;
  /** Index of the current basic block. */
  cur: number;
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

function endsBlock(i: Instruction): boolean {
  return (
    i.flow !== FlowControl.Next ||
    (i.attrs & (ATTR_PRIVILEGED | ATTR_IOPL)) !== 0 ||
    IS_BARRIER[i.code] === 1
  );
}

/** Thrown by the page-bounded fetch to stop discovery at the end of the page. */
const PAGE_END = { pageEnd: true };

/** Discovers the instructions of a block. Reads only bytes of the page holding `linear`. */
export function discover(
  fetch8: (linear: number) => number,
  decoder: Decoder,
  linear: number,
  eip: number,
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
    const insn = new Instruction();
    try {
      decoder.decodeFetch(fetch, lin, ip, insn);
    } catch (e) {
      if (e === PAGE_END) break;
      throw e;
    }
    if (insn.code === 0) break; // #UD: the interpreter raises it
    if (insn.hasLock && ((insn.attrs & ATTR_LOCKABLE) === 0 || insn.op0Kind !== OpKind.Memory))
      break;
    out.push(insn);
    if (endsBlock(insn)) break;
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
  "ADD",
  "ADC",
  "SUB",
  "SBB",
  "LOGIC",
  "INC",
  "DEC",
  "SHL",
  "SHR",
  "SAR",
] as const;

/** Most basic blocks in one region function, and most instructions in all of them. */
export const MAX_REGION_BLOCKS = 16;
const MAX_REGION_INSNS = 256;

/** Direct-branch targets and fall-through a region may follow from a basic block's end. */
export function successors(insns: readonly Instruction[]): number[] {
  const last = insns[insns.length - 1]!;
  if (last.flow === FlowControl.Next) return endsBlock(last) ? [] : [last.nextIp >>> 0];
  if (EMITTERS[last.code] === undefined) return [];
  if (last.flow === FlowControl.UnconditionalBranch) return [last.nearBranchTarget >>> 0];
  if (last.flow === FlowControl.ConditionalBranch)
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
): Instruction[][] {
  const blocks: Instruction[][] = [];
  const seen = new Set<number>();
  const queue = [eip];
  let total = 0;
  while (queue.length > 0 && blocks.length < maxBlocks && total < MAX_REGION_INSNS) {
    const at = queue.shift()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const lin = (linear + (at - eip)) | 0;
    if ((lin & ~0xfff) !== (linear & ~0xfff)) continue;
    const insns = discover(fetch8, decoder, lin, at);
    if (insns.length === 0) {
      if (blocks.length === 0) return blocks;
      continue;
    }
    blocks.push(insns);
    total += insns.length;
    queue.push(...successors(insns));
  }
  return blocks;
}

/**
 * Generates the region function: a loop over a switch on the current basic block; a branch to
 * a block of the region continues the loop while budget and events allow, any other exit
 * returns (exported for snapshot tests).
 */
export function generate(
  blocks: readonly (readonly Instruction[])[],
  ss32: boolean,
): { source: string; exitTargets: number[] } {
  const out: string[] = [];
  const exitTargets: number[] = [];
  const index = new Map<number, number>();
  blocks.forEach((b, j) => index.set(b[0]!.ip >>> 0, j));
  // Always the loop form: a one-block region may still branch to itself.
  const single = false;
  out.push("return function (s, left) {");
  // CS limit and IF/TF change only at barriers and far transfers, which end the region.
  out.push("const r = s.regs, r16 = s.regs16, r8 = s.regs8, m = s.memory, lim = s.segLimit[1];");
  out.push("const ev = (s.flags & 768) !== 0;");
  out.push("let rb = s.retired, a = 0, b = 0, x = 0, l = 0, pc = 0;");
  // A fault tells the engine where it happened (the basic block and its retired base).
  out.push("try {");
  if (!single) out.push("for (;;) { switch (pc) {");
  blocks.forEach((insns, j) => {
    const n = insns.length;
    if (!single) out.push(`case ${num(j)}: {`);
    let prev: Fuse = Fuse.None;
    let ended = false;
    const exitTo = (target: number): string => {
      const inner = index.get(target);
      if (inner !== undefined && !single) {
        const need = blocks[inner]!.length;
        const g = exitTargets.length;
        exitTargets.push(target);
        return (
          `rb += ${num(n)}; left -= ${num(n)}; ` +
          `if (left >= ${num(need)} && (ev === false || EV(s) === false)) ` +
          `{ pc = ${num(inner)}; continue; } ` +
          `s.eip = ${num(target)}; s.retired = rb; return B.links[${num(g)}];`
        );
      }
      const g = exitTargets.length;
      exitTargets.push(target);
      return `s.eip = ${num(target)}; s.retired = rb + ${num(n)}; return B.links[${num(g)}];`;
    };
    for (let k = 0; k < n; k++) {
      const i = insns[k]!;
      const emitter = EMITTERS[i.code];
      const last = k === n - 1;
      const targets = [i.nearBranchTarget >>> 0, i.nextIp >>> 0];
      const c: EmitContext = {
        out: [],
        k,
        ss32,
        prev,
        fuse: Fuse.None,
        ended: false,
        exit: (e) => exitTo(targets[e]!),
      };
      const inlined = emitter !== undefined && emitter(c, i);
      prev = inlined ? c.fuse : Fuse.None;
      if (inlined) {
        out.push(...c.out);
        ended = c.ended;
      } else {
        const next = num(i.nextIp >>> 0);
        out.push(
          `s.startEip = ${num(i.ip >>> 0)}; s.startEsp = r[4]; s.eip = ${next}; s.retired = rb + ${num(k)};`,
        );
        out.push(`H[${num(i.code)}](s, I[${num(j)}][${num(k)}]);`);
        if (last) {
          out.push(`s.retired = rb + ${num(k + 1)}; return null;`);
          ended = true;
        } else {
          out.push(
            `if (s.eip !== ${next} || B.valid === false || (ev === true && EV(s) === true)) { s.retired = rb + ${num(k + 1)}; return null; }`,
          );
        }
      }
      if (last && !ended) {
        // Size limit or page end after an inlined instruction: fall through.
        out.push(`s.eip = ${num(i.nextIp >>> 0)}; ${exitTo(i.nextIp >>> 0)}`);
      }
    }
    if (!single) out.push("}");
  });
  if (!single) out.push("default: return null; } }");
  out.push("} catch (e) { X.base = rb; X.cur = pc; throw e; }");
  out.push("};");
  return { source: out.join("\n"), exitTargets };
}

/** Builds a region function from discovered basic blocks (block 0 is the entry). */
export function buildBlock(
  blocks: Instruction[][],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
  ss32: boolean,
  cursor: RegionCursor,
  events: (s: CpuState) => boolean,
): Block {
  const g = generate(blocks, ss32);
  const ips = blocks.map((insns) => Float64Array.from(insns, (i) => i.ip >>> 0));
  const block = new Block(phys, eip, linear >>> 12, mode, ips, blocks, g.exitTargets, g.source);
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
    aluAdd,
    aluAdc,
    aluSub,
    aluSbb,
    aluLogic,
    aluInc,
    aluDec,
    aluShl,
    aluShr,
    aluSar,
  );
  return block;
}

/**
 * A cold block: one basic block kept decoded, run instruction by instruction through the
 * interpreter's handlers (no code generation), exits `[branch target, fall-through]` of its
 * last instruction for chaining.
 */
export function buildColdBlock(
  insns: Instruction[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
): Block {
  const last = insns[insns.length - 1]!;
  // Near direct branches and calls, and fall-through out of a size- or page-limited block.
  const near = last.op0Kind === OpKind.NearBranch16 || last.op0Kind === OpKind.NearBranch32;
  const exits: number[] =
    last.flow === FlowControl.Next
      ? endsBlock(last)
        ? []
        : [last.nextIp >>> 0]
      : near &&
          (last.flow === FlowControl.UnconditionalBranch ||
            last.flow === FlowControl.ConditionalBranch ||
            last.flow === FlowControl.Call)
        ? [last.nearBranchTarget >>> 0, last.nextIp >>> 0]
        : [];
  const ips = [Float64Array.from(insns, (i) => i.ip >>> 0)];
  const block = new Block(phys, eip, linear >>> 12, mode, ips, [insns], exits, "");
  block.compiled = false;
  block.handlers = insns.map((i) => HANDLERS[i.code]!);
  return block;
}
