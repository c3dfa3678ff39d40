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
export type BlockFn = (s: CpuState) => Block | null;

/**
 * Longest block in instructions. Bounds compile time and the latency of interrupt delivery
 * (events are checked between blocks); 64 is long enough that loop bodies fit whole.
 */
export const MAX_BLOCK_INSNS = 64;

const noBlock: BlockFn = () => null;

export class Block {
  /** Cleared when the page is written, the entry is evicted or the cache is flushed. */
  valid = true;
  /** Chained successor for exit 0 (branch taken / jump / fall-through) and exit 1 (not taken). */
  link0: Block | null = null;
  link1: Block | null = null;
  fn: BlockFn = noBlock;
  /** Times entered (statistics). */
  runs = 0;

  constructor(
    /** Physical address of the first byte. */
    readonly phys: number,
    /** EIP of the first instruction (CS-relative). */
    readonly eip: number,
    /** Linear page (linear >>> 12), for the same-page chaining rule. */
    readonly linearPage: number,
    /** Mode key (see `modeKey`). */
    readonly mode: number,
    /** EIP of each instruction (a fault's `startEip` tells how many completed). */
    readonly ips: Float64Array,
    readonly insns: readonly Instruction[],
    /** EIPs reached by exits 0 and 1 (-1: none). */
    readonly target0: number,
    readonly target1: number,
    /** Whether exits may chain (the block ends in a direct branch or the size limit). */
    readonly chainable: boolean,
    /** The generated source (for snapshot tests and the source-safety scan). */
    readonly source: string,
  ) {}

  get count(): number {
    return this.ips.length;
  }
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

/** Generates the body of the block function for `insns` (exported for snapshot tests). */
export function generate(
  insns: readonly Instruction[],
  ss32: boolean,
): {
  source: string;
  chainable: boolean;
  target0: number;
  target1: number;
} {
  const out: string[] = [];
  const n = insns.length;
  let target0 = -1;
  let target1 = -1;
  let chainable = false;
  let ended = false;
  let prev: Fuse = Fuse.None;
  out.push("return function (s) {");
  out.push("const r = s.regs, r16 = s.regs16, r8 = s.regs8, m = s.memory, rb = s.retired;");
  out.push("let a = 0, b = 0, x = 0, l = 0;");
  for (let k = 0; k < n; k++) {
    const i = insns[k]!;
    const emitter = EMITTERS[i.code];
    const last = k === n - 1;
    const c: EmitContext = { out: [], k, ss32, prev, fuse: Fuse.None, ended: false };
    const inlined = emitter !== undefined && emitter(c, i);
    prev = inlined ? c.fuse : Fuse.None;
    if (inlined) {
      out.push(...c.out);
      ended = c.ended;
    }
    if (!inlined) {
      const next = num(i.nextIp >>> 0);
      out.push(
        `s.startEip = ${num(i.ip >>> 0)}; s.startEsp = r[4]; s.eip = ${next}; s.retired = rb + ${num(k)};`,
      );
      out.push(`H[${num(i.code)}](s, I[${num(k)}]);`);
      if (last) {
        out.push(`s.retired = rb + ${num(k + 1)}; return null;`);
        ended = true;
      } else {
        out.push(
          `if (s.eip !== ${next} || B.valid === false) { s.retired = rb + ${num(k + 1)}; return null; }`,
        );
      }
    } else if (ended) {
      // A direct branch emitted its exits.
      if (i.code !== Code.Retnd) {
        chainable = true;
        target0 = i.nearBranchTarget >>> 0;
        if (i.flow === FlowControl.ConditionalBranch) target1 = i.nextIp >>> 0;
      }
    }
    if (last && !ended) {
      // Size limit or page end after an inlined instruction: fall through to the next block.
      out.push(`s.eip = ${num(i.nextIp >>> 0)}; s.retired = rb + ${num(n)}; return B.link0;`);
      chainable = true;
      target0 = i.nextIp >>> 0;
    }
  }
  out.push("};");
  return { source: out.join("\n"), chainable, target0, target1 };
}

/** Builds a block from discovered instructions. */
export function buildBlock(
  insns: Instruction[],
  phys: number,
  eip: number,
  linear: number,
  mode: number,
  ss32: boolean,
): Block {
  const g = generate(insns, ss32);
  const ips = Float64Array.from(insns, (i) => i.ip >>> 0);
  const block = new Block(
    phys,
    eip,
    linear >>> 12,
    mode,
    ips,
    insns,
    g.target0,
    g.target1,
    g.chainable,
    g.source,
  );
  // The source holds only recompiler-chosen names and numbers (see emit.ts, RUNTIME_NAMES).
  const factory = new Function(...FACTORY_PARAMS, g.source) as (...args: unknown[]) => BlockFn;
  block.fn = factory(
    HANDLERS,
    insns,
    block,
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
