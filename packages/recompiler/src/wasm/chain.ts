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
//
// A dynamic exit (RET, indirect JMP/CALL) instead tail-calls the trampoline `d`, one function of
// a module of its own: it looks the next EIP up in the dynamic-exit hash in the shared memory
// (lower.ts DYN_*: sets of two [EIP, mode << 16 | slot]) and tail-calls the entry function in
// that slot of the shared table, else returns the caller's exit index as the stub does. Only the trampoline
// imports the shared table, so a `Table.set` there updates one instance, and the region modules
// (which import `d` as a function) stay collectable. A region holds a slot and its blocks' hash
// entries while it is valid (`enter`, `leave`).
import { wasmApi, type WasmMemoryLike } from "./api";
import { Asm, buildModule, FN_TYPE_INDEX, Op } from "./asm";
import {
  DYN_BITS,
  DYN_BYTES,
  DYN_MUL,
  DYN_SET_BYTES,
  dynSet,
  RAS_ENTRIES,
  RAS_MASK,
  REGION_TYPE,
  SCR_G,
  SCR_NE,
  SCR_RAS,
  SCR_RAS_TOP,
  type WasmLayout,
} from "./lower";
import type { Block } from "../block";

/** The WebAssembly.Table members used here. */
export interface FuncTable {
  readonly length: number;
  set(index: number, value: unknown): void;
}

/** Relinks of one exit after which it stops chaining inside WebAssembly (see `link`). */
const RELINKS = 8;

/** Slots of the shared table: regions that hold one at a time (more go without). */
const DYN_SLOTS = 1 << 15;

/** The trampoline and what it reads: the shared table, the hash (word index) over `M`. */
interface Dyn {
  readonly fn: unknown;
  readonly table: FuncTable;
  readonly M: Int32Array;
  readonly hash: number;
  /** The return-address stack's entries (word index; lower.ts SCR_RAS). */
  readonly ras: number;
  /** By slot: the region holding it, null while reserved for one being made (`reserve`). */
  readonly owner: (Block | null | undefined)[];
  readonly free: number[];
  next: number;
}

/**
 * The trampoline's body (params as the region type's, the mode in the entry's place; two
 * locals): the set of the next EIP; an entry of it whose EIP and mode match: a tail call of its
 * slot (entry 0), else the caller's exit index (SCR_G).
 */
function trampoline(layout: WasmLayout): Uint8Array {
  const sc = layout.scratch;
  const ne = REGION_TYPE.params;
  const at = ne + 1;
  const a = new Asm();
  a.i32(0)
    .mem(Op.i32Load, sc + SCR_NE)
    .set(ne);
  // The return-address stack's top two entries first (a RET to the region that called): each
  // written by a CALL lately, so in the cache where the hash's set most often is not.
  a.i32(0)
    .mem(Op.i32Load, sc + SCR_RAS_TOP)
    .set(at);
  for (const second of [false, true]) {
    if (second) a.get(at).i32(8).op(Op.i32Sub).i32(RAS_MASK).op(Op.i32And).set(at);
    a.get(at)
      .mem(Op.i32Load, sc + SCR_RAS)
      .get(ne)
      .op(Op.i32Eq);
    a.open(Op.if);
    a.get(at)
      .mem(Op.i32Load, sc + SCR_RAS + 4)
      .i32(16)
      .op(Op.i32ShrU)
      .get(1)
      .op(Op.i32Eq);
    a.open(Op.if);
    // Popped (with the one above it when it was the second).
    a.i32(0).get(at).i32(8).op(Op.i32Sub).i32(RAS_MASK).op(Op.i32And);
    a.mem(Op.i32Store, sc + SCR_RAS_TOP);
    a.get(0).get(1).get(2).get(3).get(4);
    a.get(at)
      .mem(Op.i32Load, sc + SCR_RAS + 4)
      .i32(0xffff)
      .op(Op.i32And);
    a.returnCallIndirect(FN_TYPE_INDEX, 0);
    a.end();
    a.end();
  }
  a.get(ne);
  a.i32(DYN_MUL)
    .op(Op.i32Mul)
    .i32(32 - DYN_BITS)
    .op(Op.i32ShrU)
    .i32(Math.log2(DYN_SET_BYTES))
    .op(Op.i32Shl)
    .set(at);
  for (const way of [0, 8]) {
    a.get(at)
      .mem(Op.i32Load, layout.dyn + way)
      .get(ne)
      .op(Op.i32Eq);
    a.open(Op.if);
    a.get(at)
      .mem(Op.i32Load, layout.dyn + way + 4)
      .i32(16)
      .op(Op.i32ShrU)
      .get(1)
      .op(Op.i32Eq);
    a.open(Op.if);
    a.get(0).get(1).get(2).get(3).get(4);
    a.get(at)
      .mem(Op.i32Load, layout.dyn + way + 4)
      .i32(0xffff)
      .op(Op.i32And);
    a.returnCallIndirect(FN_TYPE_INDEX, 0);
    a.end();
    a.end();
  }
  a.i32(0).mem(Op.i32Load, sc + SCR_G);
  return a.out;
}

/**
 * Enters [eip, mode << 16 | slot] into the dynamic-exit hash: into the way of its set that is
 * free (second word -1) or already holds `eip` in `mode`, else into the first way, whose entry
 * moves to the second (whose entry goes).
 */
function hashIn(d: Dyn, eip: number, mode: number, slot: number): void {
  const M = d.M;
  const at = d.hash + (DYN_SET_BYTES / 4) * dynSet(eip);
  const usable = (k: number): boolean =>
    M[k + 1] === -1 || (M[k] === eip && M[k + 1]! >>> 16 === mode);
  let k: number;
  if (usable(at)) k = at;
  else if (usable(at + 2)) k = at + 2;
  else {
    M[at + 2] = M[at]!;
    M[at + 3] = M[at + 1]!;
    k = at;
  }
  M[k] = eip;
  M[k + 1] = (mode << 16) | slot;
}

export class WasmChain {
  /** The refusal stub: returns the exit index the caller stored (SCR_G). */
  readonly stub: unknown;
  /** Next region id (0 is never handed out). */
  private next = 1;
  /**
   * Regions by id, for the wrapper to find the region a chain exited from (at each entry that
   * ended elsewhere: an array, not a Map, whose lookup cost more cache misses; ids are never
   * reused, so it grows by 8 bytes per region ever made).
   */
  readonly regions: (Block | undefined)[] = [];
  /** The dynamic-exit trampoline (lower.ts import `d`), or the stub without the hash. */
  readonly dynFn: unknown;

  private constructor(
    stub: unknown,
    private readonly dyn: Dyn | null,
  ) {
    this.stub = stub;
    this.dynFn = dyn?.fn ?? stub;
    this.dynamic = dyn !== null;
  }

  /** Dynamic exits continue through the trampoline (their own slots are not linked). */
  readonly dynamic: boolean;

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
        [
          {
            imports: [],
            locals: 0,
            code: body.out,
            chain: { slots: 1, entry: () => body.out, locals: 0 },
          },
        ],
        layout.pages,
        REGION_TYPE,
      );
      const t = new api.Instance(new api.Module(probe), { e: { m: memory } }).exports
        .t0 as FuncTable;
      t.set(0, stub);
      return new WasmChain(stub, WasmChain.trampoline(layout, memory, stub));
    } catch {
      return null;
    }
  }

  /** The trampoline over a fresh hash and shared table (null: no room for the hash). */
  private static trampoline(layout: WasmLayout, memory: WasmMemoryLike, stub: unknown): Dyn | null {
    if (layout.dyn < 0) return null;
    const api = wasmApi()!;
    const table = new api.Table({ element: "anyfunc", initial: DYN_SLOTS });
    // A slot nobody holds refuses (the stub), as one whose region left (`leave`).
    for (let k = 0; k < DYN_SLOTS; k++) table.set(k, stub);
    const bytes = buildModule(
      [{ imports: [], locals: 2, code: trampoline(layout) }],
      layout.pages,
      REGION_TYPE,
      DYN_SLOTS,
    );
    const fn = new api.Instance(new api.Module(bytes), { e: { m: memory, T: table } }).exports.f0;
    const M = new Int32Array(memory.buffer);
    const hash = layout.dyn >>> 2;
    // No entry matches: mode 0xffff is no mode key.
    M.fill(-1, hash, hash + DYN_BYTES / 4);
    const ras = (layout.scratch + SCR_RAS) >>> 2;
    M.fill(-1, ras, ras + 2 * RAS_ENTRIES);
    M[(layout.scratch + SCR_RAS_TOP) >>> 2] = 0;
    return { fn, table, M, hash, ras, owner: [], free: [], next: 0 };
  }

  /**
   * Region `r` (valid, chaining) can be found: by id (the wrappers), and by the EIP of each of
   * its blocks through the dynamic-exit hash: into a free way of the EIP's set (the second word
   * -1) or the one that held the same EIP and mode, else into the first way, its entry moving to
   * the second (whose entry goes).
   */
  enter(r: Block): void {
    this.regions[r.chainId] = r;
    const d = this.dyn;
    const slot = r.dynSlot;
    if (d === null || slot < 0 || !this.canEnter(r)) return;
    d.owner[slot] = r;
    d.table.set(slot, r.chainFn);
    for (const ips of r.ips) hashIn(d, ips[0]! | 0, r.mode, slot);
  }

  /**
   * A dynamic exit came back to the dispatcher for `b`, an entry into a chaining region: its
   * EIP goes back into the hash. Regions made later may have pushed it out of its set (the
   * kernel's entries out of a user program's), and `enter` runs once per region: without this
   * every RET there (a PIC thunk's, to its callers) would leave WebAssembly from then on.
   */
  refresh(b: Block): void {
    const d = this.dyn;
    const r = b.home;
    if (d === null || r.dynSlot < 0 || d.owner[r.dynSlot] !== r || !r.valid) return;
    hashIn(d, b.eip | 0, r.mode, r.dynSlot);
  }

  /**
   * A slot in the shared table for a region about to be lowered (lower.ts ChainPlace: its CALLs
   * push it on the return-address stack), -1 for none; the region takes it at `enter`, and
   * gives it back at `leave` (or `release`, if it is never made).
   */
  reserve(): number {
    const d = this.dyn;
    if (d === null) return -1;
    // The free list may hold slots their old region took back when revived (`enter`), and a
    // slot twice (left, taken back, left again).
    let slot = -1;
    while (d.free.length > 0 && slot < 0) {
      const k = d.free.pop()!;
      if (d.owner[k] === undefined) slot = k;
    }
    if (slot < 0 && d.next < DYN_SLOTS) slot = d.next++;
    if (slot >= 0) d.owner[slot] = null;
    return slot;
  }

  /**
   * Whether region `r` may take its slot (`enter`): it is free, reserved (for `r`, made just
   * now: nothing else is made between a reservation and its `enter`) or its own. A region revived
   * after another took its slot must not run (its CALLs would push the other's slot): the
   * engine builds that code again instead.
   */
  canEnter(r: Block): boolean {
    const d = this.dyn;
    if (d === null || r.dynSlot < 0) return true;
    const owner = d.owner[r.dynSlot];
    return owner === undefined || owner === null || owner === r;
  }

  /** A slot from `reserve` whose region was not made. */
  release(slot: number): void {
    const d = this.dyn;
    if (d === null || slot < 0) return;
    d.owner[slot] = undefined;
    d.free.push(slot);
  }

  /** Region `r` stopped being valid: its id, slot, hash and return-address stack entries go. */
  leave(r: Block): void {
    this.regions[r.chainId] = undefined;
    const d = this.dyn;
    const slot = r.dynSlot;
    // A region that never held its slot (revived after another took it) has nothing to give.
    if (d === null || slot < 0 || d.owner[slot] !== r) return;
    const w = (r.mode << 16) | slot;
    const M = d.M;
    for (const ips of r.ips) {
      const eip = ips[0]! | 0;
      const at = d.hash + (DYN_SET_BYTES / 4) * dynSet(eip);
      for (let k = at; k < at + 4; k += 2) if (M[k] === eip && M[k + 1] === w) M[k + 1] = -1;
    }
    // The slot goes to another region: no stack entry may name it.
    for (let k = d.ras + 1; k < d.ras + 2 * RAS_ENTRIES; k += 2)
      if ((M[k]! & 0xffff) === slot) M[k] = -1;
    // The stub, not null: a tail call of a slot nobody holds returns as a refused entry.
    d.table.set(slot, this.stub);
    d.owner[slot] = undefined;
    d.free.push(slot);
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

  /**
   * `b` is no longer valid: every slot linked to it gets the stub back, and the exit its link
   * (the dispatcher's), so that if `b` is revived unchanged the next exit there goes through
   * the dispatcher, which links both again (a JavaScript link left in place would be followed
   * by the engine's loop without the dispatcher, leaving the slot at the stub for good).
   */
  unlinkTo(b: Block): void {
    const list = b.inbound;
    if (list === null) return;
    b.inbound = null;
    for (let k = 0; k < list.length; k += 2) {
      const r = list[k] as Block;
      const g = list[k + 1] as number;
      // A region whose unit is dead has let go of its table (`Block.release`).
      const targets = r.chainTargets;
      if (targets === null || targets[g] !== b) continue;
      r.chainTable!.set(g, this.stub);
      targets[g] = undefined;
      if (r.links[g] === b) r.links[g] = null;
    }
  }
}
