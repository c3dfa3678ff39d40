// The JavaScript side of a WebAssembly region: compiles the lowered module, binds its helpers
// (the same slow paths generate()'s source calls) and wraps its function as a `BlockFn` that
// does what generate()'s prologue, shared exit and catch do: registers in (unless CpuState.regs
// already lies in the shared memory), then the pending flag record materialized through the
// interpreter's own routines, next EIP and retired count, the dynamic-exit cache, the chain link;
// on a fault thrown by a helper, startEip/startEsp of the faulting instruction and the cursor.
import {
  CF,
  checkedLinear,
  HANDLERS,
  jumpNear,
  OF,
  testCondition,
  type CpuState,
} from "@ringvm/cpu";
import { wasmApi, type WasmMemoryLike } from "./api";
import { Code, Instruction } from "@ringvm/decoder";
import type { Block, BlockFn, FastMemoryView, RegionCursor } from "../block";
import {
  SCR_FK,
  SCR_IP,
  SCR_NE,
  SCR_NR,
  SCR_PC,
  SCR_RB,
  SCR_REGS,
  SCRATCH_BYTES,
  type LoweredRegion,
  type WasmLayout,
} from "./lower";

/**
 * The shared memory the back end needs (as @ringvm/bus `WasmGuestMemory`): guest RAM at byte 0,
 * and the fast-path view's `tlb`/`masks` views over the same buffer.
 */
export interface WasmMemoryInfo {
  readonly memory: WasmMemoryLike;
  readonly ramSize: number;
  readonly registersOffset: number;
  readonly scratchOffset: number;
  readonly scratchSize: number;
}

/** The interpreter-side routines block.ts binds into generated JS too. */
export interface WasmRuntime {
  materializeFlags(s: CpuState, fk: number, a: number, b: number, r: number, c: number): void;
  slowLoad(s: CpuState, l: number, code: number, retired: number): number;
  slowStore(s: CpuState, l: number, v: number, code: number, retired: number): void;
}

/** Where the back end's words are, or null when the view and registers do not allow wasm. */
export function wasmLayout(view: FastMemoryView | null, s: CpuState): WasmLayout | null {
  const w = view?.wasm;
  if (view === null || w === undefined || wasmApi() === undefined) return null;
  const buf = w.memory.buffer;
  if (view.tlb.buffer !== buf || view.masks.buffer !== buf || view.u8.buffer !== buf) return null;
  if (view.u8.byteOffset !== 0 || w.scratchSize < SCRATCH_BYTES) return null;
  const shared = s.regs.buffer === buf;
  return {
    pages: Math.floor(buf.byteLength / 0x10000),
    tlb: view.tlb.byteOffset,
    masks: view.masks.byteOffset,
    regs: shared ? s.regs.byteOffset : w.scratchOffset + SCR_REGS,
    scratch: w.scratchOffset,
  };
}

/** RDTSC's handler (it reads no operand: any instruction will do as its argument). */
const RDTSC = HANDLERS[Code.Rdtsc]!;
const NO_OPERANDS = new Instruction();

type RegionExport = (left: number, pc0: number, lim: number, ev: number) => number;

/** Instantiates `lowered` and returns the region's BlockFn for `block`. */
export function wasmRegionFn(
  lowered: LoweredRegion,
  layout: WasmLayout,
  memory: WasmMemoryLike,
  block: Block,
  cursor: RegionCursor,
  events: (s: CpuState) => boolean,
  rt: WasmRuntime,
): BlockFn {
  const M = new Int32Array(memory.buffer);
  const sc = layout.scratch >>> 2;
  const rg = layout.regs >>> 2;
  // Per entry: the CPU state, retired count at entry, whether IF/TF were set.
  let S: CpuState | null = null;
  let base = 0;
  let ev = false;
  const copy = rg === sc + (SCR_REGS >> 2);
  const R: CallerContext = {
    s: null,
    base: 0,
    ev: false,
    M,
    rg,
    ne: sc + (SCR_NE >> 2),
    copy,
    block,
    events,
  };
  const imports = {
    e: {
      m: memory,
      fl: (fk: number, a: number, b: number, r: number, c: number): void =>
        rt.materializeFlags(S!, fk, a, b, r, c),
      tc: (cc: number): number => (testCondition(S!, cc) ? 1 : 0),
      cf: (): number => S!.getCF(),
      ev: (): number => (events(S!) ? 1 : 0),
      ld: (l: number, code: number, n: number): number => rt.slowLoad(S!, l, code, base + n),
      st: (l: number, v: number, code: number, n: number): number => {
        rt.slowStore(S!, l, v, code, base + n);
        return !block.valid || (ev && events(S!)) ? 1 : 0;
      },
      j: (t: number): void => jumpNear(S!, t),
      rf: (cf: number, of: number): void => {
        const s = S!;
        s.materialize(CF | OF);
        s.flags = (s.flags & ~(CF | OF)) | cf | (of !== 0 ? OF : 0);
      },
      ck: (seg: number, off: number, size: number, w: number): number =>
        checkedLinear(S!, seg, off >>> 0, size, w !== 0),
      df: (): number => (S!.flags >>> 10) & 1,
      ts: (n: number): void => {
        const s = S!;
        s.retired = base + n;
        RDTSC(s, NO_OPERANDS);
        if (copy) {
          M[rg] = s.regs[0]!;
          M[rg + 2] = s.regs[2]!;
        }
      },
    },
  };
  const e = imports.e as Record<string, unknown>;
  lowered.handlerSites.forEach((i, n) => {
    e[`h${n}`] = handlerCaller(i.code)(HANDLERS[i.code]!, R, i);
  });
  const api = wasmApi()!;
  const instance = new api.Instance(new api.Module(lowered.bytes), imports);
  const f = instance.exports.f as RegionExport;
  const XT = block.exitTargets as number[];
  const dynamic = Uint8Array.from(lowered.exitTargets, (t) => (t === -1 ? 1 : 0));
  const links = block.links;
  const flags = (s: CpuState): void => {
    const fk = M[sc + (SCR_FK >> 2)]!;
    if (fk !== 0)
      rt.materializeFlags(
        s,
        fk,
        M[sc + (SCR_FK >> 2) + 1]!,
        M[sc + (SCR_FK >> 2) + 2]!,
        M[sc + (SCR_FK >> 2) + 3]!,
        M[sc + (SCR_FK >> 2) + 4]!,
      );
  };
  return (s, left, pc0 = 0) => {
    const r = s.regs;
    if (copy) for (let k = 0; k < 8; k++) M[rg + k] = r[k]!;
    S = s;
    base = s.retired;
    ev = (s.flags & 768) !== 0;
    R.s = s;
    R.base = base;
    R.ev = ev;
    let g: number;
    try {
      g = f(left > 0x7fffffff ? 0x7fffffff : left, pc0, s.segLimit[1]! | 0, ev ? 1 : 0);
    } catch (err) {
      // A helper threw (registers, flag record, ip and cursor were stored before the call).
      if (copy) for (let k = 0; k < 8; k++) r[k] = M[rg + k]!;
      // ip -1: a handler threw (it set startEip/startEsp itself).
      const ip = M[sc + (SCR_IP >> 2)]!;
      if (ip !== -1) {
        s.startEip = ip >>> 0;
        s.startEsp = r[4]!;
      }
      flags(s);
      cursor.base = base + M[sc + (SCR_RB >> 2)]!;
      cursor.cur = M[sc + (SCR_PC >> 2)]!;
      throw err;
    }
    if (copy) for (let k = 0; k < 8; k++) r[k] = M[rg + k]!;
    flags(s);
    const ne = M[sc + (SCR_NE >> 2)]! >>> 0;
    s.eip = ne;
    s.retired = base + M[sc + (SCR_NR >> 2)]!;
    if (g < 0) return null;
    if (dynamic[g] === 1 && ne !== XT[g]) {
      XT[g] = ne;
      links[g] = null;
    }
    return links[g]!;
  };
}

/** What a handler import reads of its region's entry (region.ts's per-entry state). */
interface CallerContext {
  s: CpuState | null;
  base: number;
  ev: boolean;
  readonly M: Int32Array;
  /** Word index of the registers, of the scratch's next-EIP word. */
  readonly rg: number;
  readonly ne: number;
  /** Registers are a scratch copy (CpuState.regs is not in the memory). */
  readonly copy: boolean;
  readonly block: Block;
  readonly events: (s: CpuState) => boolean;
}

type Handler = (s: CpuState, i: Instruction) => void;
type CallerFactory = (h: Handler, R: CallerContext, i: Instruction) => (n: number) => number;

/**
 * The import body of one handler call site: sets startEip/startEsp/EIP/retired as generate()
 * does, runs the handler, stores the EIP it left and says whether to leave (EIP moved, region
 * invalidated, event). Its source is fixed text (no guest data); one copy is compiled per
 * handler code so that the call `h(s, i)` in each copy sees a single target (closures of one
 * function literal share their call feedback). Without `Function` (a page's policy), all codes
 * share the plain one.
 */
const CALLER_SOURCE = `return function (h, R, i) {
  const ip = i.ip >>> 0;
  const next = i.nextIp >>> 0;
  return function (n) {
    const s = R.s;
    const r = s.regs;
    const M = R.M;
    if (R.copy) for (let q = 0; q < 8; q++) r[q] = M[R.rg + q];
    s.startEip = ip;
    s.startEsp = r[4];
    s.eip = next;
    s.retired = R.base + n;
    try {
      h(s, i);
    } finally {
      if (R.copy) for (let q = 0; q < 8; q++) M[R.rg + q] = r[q];
    }
    M[R.ne] = s.eip;
    return s.eip !== next || !R.block.valid || (R.ev && R.events(s)) ? 1 : 0;
  };
};`;

const plainCaller: CallerFactory = (h, R, i) => {
  const ip = i.ip >>> 0;
  const next = i.nextIp >>> 0;
  return (n) => {
    const s = R.s!;
    const r = s.regs;
    const M = R.M;
    if (R.copy) for (let q = 0; q < 8; q++) r[q] = M[R.rg + q]!;
    s.startEip = ip;
    s.startEsp = r[4]!;
    s.eip = next;
    s.retired = R.base + n;
    try {
      h(s, i);
    } finally {
      if (R.copy) for (let q = 0; q < 8; q++) M[R.rg + q] = r[q]!;
    }
    M[R.ne] = s.eip;
    return s.eip !== next || !R.block.valid || (R.ev && R.events(s)) ? 1 : 0;
  };
};

const callers: (CallerFactory | undefined)[] = [];
let noEval = false;

function handlerCaller(code: number): CallerFactory {
  let f = callers[code];
  if (f === undefined) {
    f = plainCaller;
    if (!noEval)
      try {
        f = new Function(CALLER_SOURCE)() as CallerFactory;
      } catch {
        noEval = true;
      }
    callers[code] = f;
  }
  return f;
}
