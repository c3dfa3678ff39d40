// Region-to-region chaining inside WebAssembly. Every chaining region module imports one shared
// funcref table and owns a range of its slots, one per exit (`Block.chainSlots` + exit index).
// A slot holds either the refusal stub (nothing linked) or the entry function `c<k>` of the
// region entry the dispatcher linked that exit to (engine.ts `link`); the region's shared exit
// stores its state and tail-calls the slot (`return_call_indirect`), so a chain of linked regions
// runs without returning to JavaScript. The entry function re-checks what the dispatcher's
// chaining test checks (budget, EIP, events, TLB mapping: lower.ts `chainEntry`); validity is
// kept by the slots themselves: when a block stops being valid (page write, eviction, flush),
// every slot linked to it gets the stub back (`unlinkTo`). Slot indexes are never reused.
import { wasmApi, type WasmMemoryLike } from "./api";
import { Asm, buildModule, Op } from "./asm";
import { REGION_TYPE, SCR_G, type WasmLayout } from "./lower";
import type { Block } from "../block";

/** The WebAssembly.Table members used here. */
interface FuncTable {
  readonly length: number;
  get(index: number): unknown;
  set(index: number, value: unknown): void;
  grow(delta: number): number;
}

interface TableApi {
  Table: new (descriptor: { element: string; initial: number }) => FuncTable;
}

const INITIAL_SLOTS = 4096;

export class WasmChain {
  readonly table: FuncTable;
  /** The refusal stub: returns the exit index the caller stored (SCR_G). */
  private readonly stub: unknown;
  /** Next free slot (slot 0 is never handed out). */
  private next = 1;
  /** The block each linked slot enters (undefined: the stub). */
  private readonly targets: (Block | undefined)[] = [];
  /** Region blocks by id (their slot base), for the wrapper to find the region that exited. */
  readonly regions = new Map<number, Block>();

  private constructor(table: FuncTable, stub: unknown) {
    this.table = table;
    this.stub = stub;
    for (let k = 0; k < table.length; k++) table.set(k, stub);
  }

  /** A chain table over `memory`, or null when the host lacks tables or tail calls. */
  static create(layout: WasmLayout, memory: WasmMemoryLike): WasmChain | null {
    const api = wasmApi();
    const tables = api as unknown as TableApi | undefined;
    if (api === undefined || typeof tables?.Table !== "function") return null;
    try {
      const a = new Asm().i32(0).mem(Op.i32Load, layout.scratch + SCR_G);
      const bytes = buildModule([], layout.pages, REGION_TYPE, 0, a.out);
      const stub = new api.Instance(new api.Module(bytes), { e: { m: memory } }).exports.f;
      const table = new tables.Table({ element: "anyfunc", initial: INITIAL_SLOTS });
      const chain = new WasmChain(table, stub);
      if (!chain.tailCallsWork(layout, memory)) return null;
      return chain;
    } catch {
      return null;
    }
  }

  /** Whether this host compiles a `return_call_indirect` (the tail-call proposal). */
  private tailCallsWork(layout: WasmLayout, memory: WasmMemoryLike): boolean {
    const api = wasmApi()!;
    const body = [Op.i32Const, 0, Op.i32Const, 0, Op.i32Const, 0, Op.i32Const, 0, Op.i32Const, 0];
    body.push(Op.i32Const, 0, Op.returnCallIndirect, 0, 0);
    try {
      const bytes = buildModule([], layout.pages, REGION_TYPE, 0, body, { entries: [] });
      new api.Instance(new api.Module(bytes), { e: { m: memory, t: this.table, sb: 0 } });
      return true;
    } catch {
      return false;
    }
  }

  /** Hands out `n` fresh slots (each the stub) and returns the first. */
  alloc(n: number): number {
    const first = this.next;
    this.next += n;
    const t = this.table;
    if (this.next > t.length) {
      const old = t.length;
      t.grow(Math.max(this.next - old, old));
      for (let k = old; k < t.length; k++) t.set(k, this.stub);
    }
    return first;
  }

  /** Exit slot `slot` now enters `b` (which must be valid, with an entry function). */
  link(slot: number, b: Block): void {
    const old = this.targets[slot];
    if (old === b) return;
    if (old !== undefined) {
      const at = old.inbound?.indexOf(slot) ?? -1;
      if (at >= 0) old.inbound!.splice(at, 1);
    }
    this.table.set(slot, b.chainFn);
    this.targets[slot] = b;
    (b.inbound ??= []).push(slot);
  }

  /** `b` is no longer valid: every slot linked to it gets the stub back. */
  unlinkTo(b: Block): void {
    const inbound = b.inbound;
    if (inbound === null) return;
    b.inbound = null;
    for (const slot of inbound) {
      if (this.targets[slot] !== b) continue;
      this.table.set(slot, this.stub);
      this.targets[slot] = undefined;
    }
  }
}
