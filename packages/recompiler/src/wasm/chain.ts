// Region-to-region chaining inside WebAssembly. Every chaining region defines and exports (in its
// module, which may hold other regions) a small funcref table, one slot per exit. A slot holds
// either the refusal stub (nothing linked) or the entry function `c` of the region entry the
// dispatcher linked that exit to (engine.ts `link`); the region's shared exit stores its state and
// tail-calls the slot (`return_call_indirect`), so a chain of linked regions runs without returning
// to JavaScript. The entry function re-checks what the dispatcher's chaining test checks (budget,
// EIP, events, TLB mapping: lower.ts `chainEntry`); validity is kept by the slots themselves: when
// a block stops being valid (page write, eviction, flush), every slot linked to it gets the stub
// back (`unlinkTo`). One table per region, not one shared table: V8 (11.3) updates, on each
// `Table.set`, the dispatch table of every instance importing the table, so with thousands of
// region modules relinking a dynamic exit (RET to another caller) cost more than it saved.
import { wasmApi, type WasmMemoryLike } from "./api";
import { Asm, buildModule, Op } from "./asm";
import { REGION_TYPE, SCR_G, type WasmLayout } from "./lower";
import type { Block } from "../block";

/** The WebAssembly.Table members used here. */
export interface FuncTable {
  readonly length: number;
  set(index: number, value: unknown): void;
}

/** Relinks of one exit after which it stops chaining inside WebAssembly (see `link`). */
const RELINKS = 8;

export class WasmChain {
  /** The refusal stub: returns the exit index the caller stored (SCR_G). */
  readonly stub: unknown;
  /** Next region id (0 is never handed out). */
  private next = 1;
  /** Regions by id, for the wrapper to find the region a chain exited from. */
  readonly regions = new Map<number, Block>();

  private constructor(stub: unknown) {
    this.stub = stub;
  }

  /** The chaining support over `memory`, or null when the host lacks tail calls. */
  static create(layout: WasmLayout, memory: WasmMemoryLike): WasmChain | null {
    const api = wasmApi();
    if (api === undefined) return null;
    try {
      const a = new Asm().i32(0).mem(Op.i32Load, layout.scratch + SCR_G);
      const bytes = buildModule(
        [{ imports: [], locals: 0, code: a.out }],
        layout.pages,
        REGION_TYPE,
      );
      const stub = new api.Instance(new api.Module(bytes), { e: { m: memory } }).exports.f0;
      // A probe: a module with a table and a `return_call_indirect` must compile and link.
      const body = new Asm();
      for (let k = 0; k < REGION_TYPE.params; k++) body.get(k);
      body.i32(0).returnCallIndirect(0);
      const probe = buildModule(
        [{ imports: [], locals: 0, code: body.out, chain: { slots: 1, entry: () => body.out } }],
        layout.pages,
        REGION_TYPE,
      );
      const t = new api.Instance(new api.Module(probe), { e: { m: memory } }).exports
        .t0 as FuncTable;
      t.set(0, stub);
      return new WasmChain(stub);
    } catch {
      return null;
    }
  }

  /** A fresh region id (never reused). */
  alloc(): number {
    return this.next++;
  }

  /**
   * Exit `g` of region `r` (a home region block) now enters `b` (valid, with an entry function).
   * An exit relinked RELINKS times (a RET returning to many callers) keeps the stub from then on:
   * each relink is a `Table.set` plus a refused entry, more than the dispatcher costs.
   * The target's `inbound` list is cleaned lazily (`unlinkTo` checks `chainTargets`).
   */
  link(r: Block, g: number, b: Block): void {
    const targets = r.chainTargets!;
    const old = targets[g];
    if (old === b) return;
    const relinks = r.chainRelinks!;
    if (old !== undefined || relinks[g]! !== 0) {
      if (relinks[g]! >= RELINKS) {
        if (old !== undefined) {
          r.chainTable!.set(g, this.stub);
          targets[g] = undefined;
        }
        return;
      }
      relinks[g]!++;
    }
    r.chainTable!.set(g, b.chainFn);
    targets[g] = b;
    (b.inbound ??= []).push(r, g);
  }

  /** `b` is no longer valid: every slot linked to it gets the stub back. */
  unlinkTo(b: Block): void {
    const list = b.inbound;
    if (list === null) return;
    b.inbound = null;
    for (let k = 0; k < list.length; k += 2) {
      const r = list[k] as Block;
      const g = list[k + 1] as number;
      if (r.chainTargets![g] !== b) continue;
      r.chainTable!.set(g, this.stub);
      r.chainTargets![g] = undefined;
    }
  }
}
