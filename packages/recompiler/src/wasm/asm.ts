// A small WebAssembly binary writer for the wasm back end: one function body at a time into a
// growable byte buffer (i32 only, plus the few i64 ops IMUL, MUL and DIV need), structured-control
// labels tracked by nesting level, and a module builder (one imported memory, optionally the
// chain's shared table, each part's imported helpers, its function, entry function and table).
// Every byte written is an opcode, a LEB128 number or a name chosen here.

/** Opcodes used by the lowering. */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  returnCall: 0x12,
  returnCallIndirect: 0x13,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Ne: 0x52,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64Add: 0x7c,
  i64Mul: 0x7e,
  i64DivU: 0x80,
  i64RemU: 0x82,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
} as const;

const I32 = 0x7f;
const VOID = 0x40;

/**
 * 128-bit SIMD opcodes (WebAssembly's fixed-width SIMD; each follows the 0xfd prefix as a
 * LEB128): the SSE2 integer forms the lowering runs inline.
 */
export const Simd = {
  v128Load: 0x00,
  v128Store: 0x0b,
  i8x16Shuffle: 0x0d,
  i8x16Eq: 0x23,
  i8x16GtS: 0x27,
  i16x8Eq: 0x2d,
  i16x8GtS: 0x31,
  i32x4Eq: 0x37,
  i32x4GtS: 0x3b,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Xor: 0x51,
  i8x16Bitmask: 0x64,
  i8x16Add: 0x6e,
  i8x16AddSatS: 0x6f,
  i8x16AddSatU: 0x70,
  i8x16Sub: 0x71,
  i8x16SubSatS: 0x72,
  i8x16SubSatU: 0x73,
  i8x16MinU: 0x77,
  i8x16MaxU: 0x79,
  i8x16AvgrU: 0x7b,
  i16x8Add: 0x8e,
  i16x8AddSatS: 0x8f,
  i16x8AddSatU: 0x90,
  i16x8Sub: 0x91,
  i16x8SubSatS: 0x92,
  i16x8SubSatU: 0x93,
  i16x8Mul: 0x95,
  i16x8MinS: 0x96,
  i16x8MaxS: 0x98,
  i16x8AvgrU: 0x9b,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i64x2Add: 0xce,
  i64x2Sub: 0xd1,
} as const;
const SIMD_PREFIX = 0xfd;

export function uleb(v: number, out: number[]): void {
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
}

/** A structured-control label: the nesting level of the block/loop it names. */
export interface Label {
  readonly level: number;
}

/**
 * Writes one function body into a growable byte buffer (a region's body is thousands of bytes;
 * pushing each onto a JS array cost more than writing it, and left garbage for the GC).
 */
export class Asm {
  private buf = new Uint8Array(512);
  private n = 0;

  /**
   * `importBase`: where this code's imports start among the module's functions (a module of
   * several regions gives each its own imports, `call(k)` meaning the code's import k).
   */
  constructor(readonly importBase = 0) {}
  /** Current nesting depth of block/loop/if. */
  level = 0;
  /**
   * Branch hints (WebAssembly branch hinting): pairs of a `br_if`/`if`'s offset in the code and
   * its hint (0 unlikely, 1 likely), in code order (see `hint`).
   */
  readonly hints: number[] = [];
  private pending = -1;

  /**
   * Hints the next `br_if` or `if` as taken (`likely`) or not: V8 then lays the unlikely side
   * out of line (deferred) and spills around the calls there only, not on the hot path.
   */
  hint(likely: boolean): this {
    this.pending = likely ? 1 : 0;
    return this;
  }
  private hinted(): void {
    if (this.pending < 0) return;
    this.hints.push(this.n, this.pending);
    this.pending = -1;
  }

  /** The bytes written so far (a view: valid until the next write). */
  get out(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  private byte(b: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Uint8Array(this.n * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = b;
  }
  private u(v: number): void {
    let x = v >>> 0;
    while (x >= 0x80) {
      this.byte((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    this.byte(x);
  }
  private s(v: number): void {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  op(code: number): this {
    this.byte(code);
    return this;
  }
  /**
   * Locals 0-31 read (`get`) and written (`set`, `tee`) since the caller last cleared these
   * masks (bit n: local n): which of a region's guest registers its code uses.
   */
  readLocals = 0;
  writtenLocals = 0;
  /** Writes of locals so far (`set`, `tee`), and by local the count when it was last written. */
  writes = 0;
  readonly lastWrite = new Int32Array(64);
  get(local: number): this {
    if (local < 32) this.readLocals |= 1 << local;
    this.byte(Op.localGet);
    this.u(local);
    return this;
  }
  set(local: number): this {
    if (local < 32) this.writtenLocals |= 1 << local;
    if (local < 64) this.lastWrite[local] = ++this.writes;
    this.byte(Op.localSet);
    this.u(local);
    return this;
  }
  tee(local: number): this {
    if (local < 32) this.writtenLocals |= 1 << local;
    if (local < 64) this.lastWrite[local] = ++this.writes;
    this.byte(Op.localTee);
    this.u(local);
    return this;
  }

  /**
   * Removes the code bytes from `from` to `to`, which hold no hinted branch and no `callLocal`:
   * the offsets recorded after them move back.
   */
  cut(from: number, to: number): void {
    const gone = to - from;
    if (gone <= 0) return;
    this.buf.copyWithin(from, to, this.n);
    this.n -= gone;
    for (const list of [this.hints, this.localCalls]) {
      for (let k = 0; k < list.length; k += 2) {
        const at = list[k]!;
        if (at >= from && at < to) throw new RangeError(`cut over a recorded offset (${at})`);
        if (at >= to) list[k] = at - gone;
      }
    }
  }
  i32(v: number): this {
    this.byte(Op.i32Const);
    this.s(v);
    return this;
  }
  /** Call of this code's import `fn` (see `importBase`). */
  call(fn: number): this {
    this.byte(Op.call);
    this.u(fn + this.importBase);
    return this;
  }
  /**
   * Offsets in the code of the index of each `callLocal`, with its helper's ordinal (pairs),
   * for `buildModule` to fill in.
   */
  readonly localCalls: number[] = [];
  /**
   * Call of this part's module-local helper `k` (`ModulePart.helpers`), whose function index is
   * known only when the module is built: a 5-byte LEB128 placeholder that `buildModule` fills.
   */
  callLocal(k: number): this {
    this.byte(Op.call);
    this.localCalls.push(this.n, k);
    for (const b of paddedUleb(0)) this.byte(b);
    return this;
  }
  /** Tail call of function `fn` (the tail-call proposal: the caller's frame is replaced). */
  returnCall(fn: number): this {
    this.byte(Op.returnCall);
    this.u(fn);
    return this;
  }
  /** Tail call through table `table` with signature `type` (the slot index is on top). */
  returnCallIndirect(type: number, table = 0): this {
    this.byte(Op.returnCallIndirect);
    this.u(type);
    this.u(table);
    return this;
  }
  /** A SIMD operation (`Simd`) without immediates. */
  simd(code: number): this {
    this.byte(SIMD_PREFIX);
    this.u(code);
    return this;
  }
  /** v128.load / v128.store at `offset` (alignment hint 16 bytes). */
  simdMem(code: number, offset: number): this {
    this.simd(code);
    this.byte(4);
    this.u(offset);
    return this;
  }
  /** i8x16.shuffle of the two vectors on the stack: result byte k = byte lanes[k] of a ++ b. */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => l < 0 || l > 31))
      throw new RangeError(`i8x16.shuffle lanes ${lanes.join(",")}`);
    this.simd(Simd.i8x16Shuffle);
    for (const l of lanes) this.byte(l);
    return this;
  }

  /** A memory access at constant `offset` (alignment hint: the natural one). */
  mem(code: number, offset: number): this {
    const align =
      code === Op.i32Load8U || code === Op.i32Store8
        ? 0
        : code === Op.i32Load16U || code === Op.i32Store16
          ? 1
          : code === Op.i64Load
            ? 3
            : 2;
    this.byte(code);
    this.byte(align);
    this.u(offset);
    return this;
  }
  /** Opens a block/loop/if (no result); returns its label. */
  open(code: number): Label {
    if (code === Op.if) this.hinted();
    else if (this.pending >= 0) throw new Error("recompiler wasm: a branch hint before a block");
    this.byte(code);
    this.byte(VOID);
    this.level++;
    return { level: this.level };
  }
  /** A `block` with an i32 result. */
  blockI32(): Label {
    this.byte(Op.block);
    this.byte(I32);
    this.level++;
    return { level: this.level };
  }
  /** An `if` with an i32 result. */
  ifI32(): Label {
    this.hinted();
    this.byte(Op.if);
    this.byte(I32);
    this.level++;
    return { level: this.level };
  }
  else(): this {
    this.byte(Op.else);
    return this;
  }
  end(): this {
    this.byte(Op.end);
    this.level--;
    return this;
  }
  private depth(l: Label): number {
    const d = this.level - l.level;
    if (d < 0) throw new Error("recompiler wasm: branch to a closed label");
    return d;
  }
  br(l: Label): this {
    this.byte(Op.br);
    this.u(this.depth(l));
    return this;
  }
  brIf(l: Label): this {
    this.hinted();
    this.byte(Op.brIf);
    this.u(this.depth(l));
    return this;
  }
  brTable(targets: readonly Label[], fallback: Label): this {
    this.byte(Op.brTable);
    this.u(targets.length);
    for (const t of targets) this.u(this.depth(t));
    this.u(this.depth(fallback));
    return this;
  }
}

/** A function type: parameter and result counts (all i32). */
export interface FuncType {
  readonly params: number;
  readonly results: number;
}

export interface ImportedFunc extends FuncType {
  readonly name: string;
}

function name(s: string, out: number[]): void {
  uleb(s.length, out);
  for (let k = 0; k < s.length; k++) out.push(s.charCodeAt(k) & 0x7f);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

const END: ArrayLike<number> = [Op.end];

/**
 * One function of a module built by `buildModule`, exported as `f<k>` (k: its index among the
 * parts), with its own imports (import module `r<k>`: the code's `call(n)` is its import n,
 * `Asm.importBase` being where they start) and, for a chaining region (wasm/chain.ts), its own
 * funcref table of `slots` entries (table k, exported as `t<k>`) and an entry function
 * (exported as `c<k>`, of `fn`'s type with `locals` extra i32 locals) whose body `entry` builds
 * from the index of `f<k>`.
 */
export interface ModulePart {
  readonly imports: readonly ImportedFunc[];
  readonly locals: number;
  readonly code: ArrayLike<number>;
  /** Branch hints in `code` (`Asm.hints`). */
  readonly hints?: readonly number[];
  readonly chain?: {
    readonly slots: number;
    readonly entry: (f: number) => ArrayLike<number>;
    readonly locals: number;
  };
  /**
   * Functions of this part only (not exported), after `f<k>` and `c<k>`: the code calls helper
   * j with `Asm.callLocal(j)`, at the offsets in `localCalls`.
   */
  readonly helpers?: readonly LocalHelper[];
  /** `Asm.localCalls` of `code`. */
  readonly localCalls?: readonly number[];
}

/** A module-local function of a part (`ModulePart.helpers`), with `locals` extra i32 locals. */
export interface LocalHelper extends FuncType {
  readonly locals: number;
  readonly code: ArrayLike<number>;
}

/** Index of the parts' function type in a module built by `buildModule` (always the first). */
export const FN_TYPE_INDEX = 0;

function collectTypes(
  parts: readonly ModulePart[],
  fn: FuncType,
): { types: FuncType[]; importTypes: number[][]; helperTypes: number[][] } {
  const types: FuncType[] = [{ params: fn.params, results: fn.results }];
  const typeOf = (t: FuncType): number => {
    let i = types.findIndex((x) => x.params === t.params && x.results === t.results);
    if (i < 0) i = types.push({ params: t.params, results: t.results }) - 1;
    return i;
  };
  const importTypes = parts.map((p) => p.imports.map(typeOf));
  const helperTypes = parts.map((p) => (p.helpers ?? []).map(typeOf));
  return { types, importTypes, helperTypes };
}

/**
 * `code` with the index of each `callLocal` filled in (`calls`: pairs of offset and helper
 * ordinal; helper j is function `first` + j): a copy, the part's own bytes stay as they were.
 */
function withLocalCalls(
  code: ArrayLike<number>,
  calls: readonly number[] | undefined,
  first: number,
): ArrayLike<number> {
  if (calls === undefined || calls.length === 0) return code;
  const out = Uint8Array.from(code);
  for (let k = 0; k < calls.length; k += 2) out.set(paddedUleb(first + calls[k + 1]!), calls[k]!);
  return out;
}

/** `v` (uint32) as LEB128 of five bytes whatever its value: `callLocal`'s placeholder width. */
function paddedUleb(v: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 5; b++, v >>>= 7) out.push((v & 0x7f) | (b < 4 ? 0x80 : 0));
  return out;
}

/**
 * A function body's head: its size (of head rest, code and the final `end`) and its locals
 * (`locals` extra i32). The code itself is not copied (see `buildModule`).
 */
function bodyHead(locals: number, codeLength: number): number[] {
  const decl = localsDecl(locals);
  const head: number[] = [];
  uleb(decl.length + codeLength + 1, head);
  return head.concat(decl);
}

function localsDecl(locals: number): number[] {
  const decl: number[] = [];
  if (locals > 0) {
    decl.push(1);
    uleb(locals, decl);
    decl.push(I32);
  } else decl.push(0);
  return decl;
}

/**
 * The branch-hint custom section (`metadata.code.branch_hint`): per function with hints, each
 * hinted instruction's offset from the start of its body (the locals declaration) and its hint.
 * Hosts without branch hinting skip it as an unknown custom section.
 */
function branchHints(parts: readonly ModulePart[], fIndex: readonly number[], out: number[]): void {
  const hinted = parts.flatMap((p, k) =>
    p.hints !== undefined && p.hints.length > 0 ? [{ f: fIndex[k]!, p }] : [],
  );
  if (hinted.length === 0) return;
  const body: number[] = [];
  name("metadata.code.branch_hint", body);
  uleb(hinted.length, body);
  for (const { f, p } of hinted) {
    const hints = p.hints!;
    const base = localsDecl(p.locals).length;
    uleb(f, body);
    uleb(hints.length / 2, body);
    for (let k = 0; k < hints.length; k += 2) {
      uleb(base + hints[k]!, body);
      body.push(1, hints[k + 1]!);
    }
  }
  section(0, body, out);
}

/**
 * Builds a module of `parts` (functions of type `fn`): imports of each part from module
 * `r<k>`, then memory "m" from module "e" with `pages` minimum; functions `f<k>` (and `c<k>`,
 * table `t<k>` of a chaining part). One module for many regions costs V8 one code space (a
 * mapping and its protection changes), which a module per region paid each time.
 * `sharedTable` > 0: the module also imports funcref table "T" from "e" (that minimum size) as
 * table 0, for parts without tables of their own (wasm/chain.ts's trampoline).
 */
export function buildModule(
  parts: readonly ModulePart[],
  pages: number,
  fn: FuncType,
  sharedTable = 0,
): Uint8Array {
  if (sharedTable > 0 && parts.some((p) => p.chain !== undefined))
    throw new Error("a module importing the shared table has no tables of its own");
  const { types, importTypes, helperTypes } = collectTypes(parts, fn);
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const ts: number[] = [];
  uleb(types.length, ts);
  for (const t of types) {
    ts.push(0x60);
    uleb(t.params, ts);
    for (let k = 0; k < t.params; k++) ts.push(I32);
    uleb(t.results, ts);
    for (let k = 0; k < t.results; k++) ts.push(I32);
  }
  section(1, ts, out);
  const im: number[] = [];
  const nImports = parts.reduce((n, p) => n + p.imports.length, 0);
  uleb(nImports + (sharedTable > 0 ? 2 : 1), im);
  parts.forEach((p, k) => {
    p.imports.forEach((f, j) => {
      name(`r${k}`, im);
      name(f.name, im);
      im.push(0x00);
      uleb(importTypes[k]![j]!, im);
    });
  });
  name("e", im);
  name("m", im);
  im.push(0x02, 0x00);
  uleb(pages, im);
  if (sharedTable > 0) {
    name("e", im);
    name("T", im);
    im.push(0x01, 0x70, 0x00); // a funcref table, minimum only
    uleb(sharedTable, im);
  }
  section(2, im, out);
  // Function indices: f<k>, then c<k> of a chaining part, then its helpers, in part order after
  // the imports.
  const fIndex: number[] = [];
  const helperIndex: number[] = [];
  const fs: number[] = [];
  parts.forEach((p, k) => {
    fIndex.push(nImports + fs.length);
    fs.push(FN_TYPE_INDEX);
    if (p.chain !== undefined) fs.push(FN_TYPE_INDEX);
    helperIndex.push(nImports + fs.length);
    fs.push(...helperTypes[k]!);
  });
  const nf = fs.length;
  const fsec: number[] = [];
  uleb(nf, fsec);
  for (const t of fs) uleb(t, fsec);
  section(3, fsec, out);
  const chained = parts.filter((p) => p.chain !== undefined);
  if (chained.length > 0) {
    const tb: number[] = [];
    uleb(parts.length, tb);
    // Table k belongs to part k (a part without chaining gets an empty one).
    for (const p of parts) {
      tb.push(0x70, 0x00); // funcref, minimum only
      uleb(p.chain?.slots ?? 0, tb);
    }
    section(4, tb, out);
  }
  const ex: number[] = [];
  uleb(parts.length + chained.length + (chained.length > 0 ? parts.length : 0), ex);
  parts.forEach((p, k) => {
    name(`f${k}`, ex);
    ex.push(0x00);
    uleb(fIndex[k]!, ex);
    if (p.chain !== undefined) {
      name(`c${k}`, ex);
      ex.push(0x00);
      uleb(fIndex[k]! + 1, ex);
    }
    if (chained.length > 0) {
      name(`t${k}`, ex);
      ex.push(0x01);
      uleb(k, ex);
    }
  });
  section(7, ex, out);
  branchHints(parts, fIndex, out);
  // The code section: bodies of many regions are most of the module; they are copied once,
  // into the result, not pushed byte by byte through intermediate arrays.
  const chunks: ArrayLike<number>[] = [];
  const add = (head: number[], code: ArrayLike<number>): void => {
    chunks.push(head, code, END);
  };
  parts.forEach((p, k) => {
    add(bodyHead(p.locals, p.code.length), withLocalCalls(p.code, p.localCalls, helperIndex[k]!));
    if (p.chain !== undefined) {
      const entry = p.chain.entry(fIndex[k]!);
      add(bodyHead(p.chain.locals, entry.length), entry);
    }
    for (const h of p.helpers ?? []) add(bodyHead(h.locals, h.code.length), h.code);
  });
  const count: number[] = [];
  uleb(nf, count);
  const codeSize = chunks.reduce((n, c) => n + c.length, count.length);
  out.push(10);
  uleb(codeSize, out);
  for (const b of count) out.push(b);
  const bytes = new Uint8Array(out.length + codeSize - count.length);
  bytes.set(out);
  let at = out.length;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}
