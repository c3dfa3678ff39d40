// A tiny WebAssembly binary emitter for the spike (no dependencies): i32 only, one imported
// memory, imported and defined functions, exports. `code(...)` encodes a flat list of opcode
// names and immediates, e.g. code("local.get", 0, "i32.const", 5, "i32.add").
const OPS = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  call_indirect: 0x11,
  drop: 0x1a,
  "local.get": 0x20,
  "local.set": 0x21,
  "local.tee": 0x22,
  "i32.load": 0x28,
  "i32.load8_u": 0x2d,
  "i32.load16_u": 0x2f,
  "i32.store": 0x36,
  "i32.store8": 0x3a,
  "i32.store16": 0x3b,
  "i32.const": 0x41,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
};
const ONE_U = new Set(["br", "br_if", "call", "local.get", "local.set", "local.tee"]);
const BLOCKS = new Set(["block", "loop", "if"]);

export function uleb(v, out = []) {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(v, out = []) {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * Encodes opcodes given as arrays or whitespace-separated text ("local.get 3 i32.const -1");
 * blocks take a result count (0 or 1), memory ops an offset.
 */
export function code(...parts) {
  const items = parts
    .flatMap((p) => (typeof p === "string" ? p.trim().split(/\s+/) : p))
    .map((t) => (typeof t === "string" && /^-?\d+$/.test(t) ? Number(t) : t));
  const out = [];
  for (let k = 0; k < items.length; k++) {
    const name = items[k];
    const op = OPS[name];
    if (op === undefined) throw new Error(`wasm: unknown op ${name}`);
    out.push(op);
    if (ONE_U.has(name)) uleb(items[++k], out);
    else if (name === "br_table") {
      // br_table N t1 .. tN default
      const n = items[++k];
      uleb(n, out);
      for (let t = 0; t <= n; t++) uleb(items[++k], out);
    } else if (name === "call_indirect")
      out.push(...uleb(items[++k]), 0x00); // type, table 0
    else if (name === "i32.const") sleb(items[++k], out);
    else if (BLOCKS.has(name)) out.push(items[++k] === 1 ? 0x7f : 0x40);
    else if (name.includes("load") || name.includes("store")) {
      const align = name.endsWith("8_u") || name.endsWith("8") ? 0 : name.includes("16") ? 1 : 2;
      out.push(align);
      uleb(items[++k], out);
    }
  }
  return out;
}

const str = (s) => [...uleb(s.length), ...Buffer.from(s, "latin1")];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => (body.length === 0 ? [] : [id, ...uleb(body.length), ...body]);
const I32 = 0x7f;

/**
 * Builds a module. imports: [{ name, params, results }] (module "env"); the memory is imported
 * as env.mem. funcs: [{ name, params, results, locals, body }] (body from `code`, without end).
 * Returns the bytes; function index = imports first, then funcs. `table`: a funcref table
 * holding the defined functions in order (for call_indirect; type index 0 = the first func's).
 */
export function buildModule(imports, funcs, memPages = 1, table = false) {
  const types = [];
  const typeOf = (f) => {
    const t = [0x60, ...vec(f.params.map(() => [I32])), ...vec(f.results.map(() => [I32]))];
    const key = t.join(",");
    let i = types.findIndex((x) => x.join(",") === key);
    if (i < 0) i = types.push(t) - 1;
    return i;
  };
  const imp = imports.map((f) => [...str("env"), ...str(f.name), 0x00, ...uleb(typeOf(f))]);
  imp.push([...str("env"), ...str("mem"), 0x02, 0x00, ...uleb(memPages)]);
  const fsec = funcs.map((f) => uleb(typeOf(f)));
  const exp = funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(imports.length + i)]);
  const bodies = funcs.map((f) => {
    const locals = f.locals > 0 ? [1, ...uleb(f.locals), I32] : [0];
    const b = [...locals, ...f.body, 0x0b];
    return [...uleb(b.length), ...b];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(imp)),
    ...section(3, vec(fsec)),
    ...(table ? section(4, vec([[0x70, 0x00, ...uleb(funcs.length)]])) : []),
    ...section(7, vec(exp)),
    ...(table
      ? section(9, [1, 0, 0x41, 0, 0x0b, ...vec(funcs.map((_, i) => uleb(imports.length + i)))])
      : []),
    ...section(10, vec(bodies)),
  ]);
}
