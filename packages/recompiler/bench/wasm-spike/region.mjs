// A region function in both back ends, from one tiny guest IR, shaped like emit.ts/block.ts
// output: registers r0..r7 in locals (loaded at entry, stored at exit), the last flag record
// in locals (fk/fa/fb/fr), loads/stores through an inline software-TLB test into guest RAM with
// a slow-path helper call on a miss, budget and an event word checked on the loop back edge,
// and exits that leave an exit number. Both read the same WebAssembly.Memory: RAM at 0, the TLB
// (one i32 per 4 KiB linear page: phys page | 1) at TLB, the CPU state words at ST.
import { buildModule, code } from "./wasm.mjs";

export const RAM = 4 << 20;
export const TLB = RAM;
export const ST = TLB + 4096; // regs 0..7, flags record 8..11, retired 12, event word 16
const EVW = 16;
const ALU = { add: "i32.add", sub: "i32.sub", xor: "i32.xor", and: "i32.and", or: "i32.or" };
const JSOP = { add: "+", sub: "-", xor: "^", and: "&", or: "|" };

export function makeEnv() {
  const mem = new WebAssembly.Memory({ initial: (RAM >>> 16) + 1, maximum: 200 });
  const i32 = new Int32Array(mem.buffer);
  for (let p = 0; p < 1024; p++) i32[(TLB >> 2) + p] = (p << 12) | 1;
  const u8 = new Uint8Array(mem.buffer);
  const env = { mem, i32, u8, S: new Int32Array(mem.buffer, ST, 32), slow: 0 };
  env.LD = (l, size) => (env.slow++, size === 4 ? i32[l >> 2] : u8[l]);
  env.STR = (l, v, size) => {
    env.slow++;
    if (size === 4) i32[l >> 2] = v;
    else u8[l] = v;
  };
  return env;
}

// ---- JavaScript back end (the shape of emit.ts output) ----
function jsLoad(base, disp, size) {
  const arr = size === 4 ? "I32" : "U8";
  const idx = size === 4 ? "((e & -4096) | (l & 4095)) >> 2" : "(e & -4096) | (l & 4095)";
  const al = size === 4 ? " && (l & 3) === 0" : "";
  return `l = (${base} + ${disp}) | 0; e = T[l >>> 12]; if ((e & 7) === 1${al}) x = ${arr}[${idx}]; else x = LD(l, ${size});`;
}

export function genJs(ops) {
  const n = ops.length;
  const o = ["return function region(left) {"];
  o.push(`let ${[0, 1, 2, 3, 4, 5, 6, 7].map((k) => `r${k} = S[${k}]`).join(", ")};`);
  o.push("let fa = 0, fb = 0, fr = 0, fk = 0, e = 0, l = 0, x = 0, rb = 0, ne = 0;");
  o.push("S: for (;;) {");
  ops.forEach(([op, d, a, b], k) => {
    if (op === "load" || op === "load8")
      o.push(jsLoad(`r${a}`, b, op === "load" ? 4 : 1), `r${d} = x;`);
    else if (op === "xormem")
      o.push(jsLoad(`(r${a} << 2)`, b, 4), `fr = r${d} = r${d} ^ x; fk = 3;`);
    else if (op === "store")
      o.push(
        `l = (r${a} + ${b}) | 0; e = T[l >>> 12]; if ((e & 7) === 1 && (l & 3) === 0) I32[((e & -4096) | (l & 4095)) >> 2] = r${d}; else STR(l, r${d}, 4);`,
      );
    else if (op === "shr") o.push(`fa = r${d}; fr = r${d} = r${d} >>> ${a}; fk = 5;`);
    else if (op === "inc" || op === "dec")
      o.push(`fa = r${d}; fr = r${d} = (r${d} ${op === "inc" ? "+" : "-"} 1) | 0; fk = 6;`);
    else if (op === "exit") o.push(`if (left < ${k}) { ne = 3; break S; }`);
    else if (typeof a === "number" && op.endsWith("i"))
      o.push(`fa = r${d}; fb = ${a}; fr = r${d} = (fa ${JSOP[op.slice(0, -1)]} fb) | 0; fk = 1;`);
    else o.push(`fa = r${d}; fb = r${a}; fr = r${d} = (fa ${JSOP[op]} fb) | 0; fk = 1;`);
  });
  o.push(`rb += ${n}; left -= ${n};`);
  o.push(
    `if (fr === 0) { ne = 2; break; } if (left >= ${n} && S[${EVW}] === 0) continue S; ne = 1; break; }`,
  );
  o.push(`${[0, 1, 2, 3, 4, 5, 6, 7].map((k) => `S[${k}] = r${k};`).join(" ")}`);
  o.push("S[8] = fk; S[9] = fa; S[10] = fb; S[11] = fr; S[12] = rb; return ne; };");
  return o.join("\n");
}

/** `ops`: guest IR, or the source genJs made (to time the compile without the generation). */
export function makeJsRegion(ops, env) {
  const src = typeof ops === "string" ? ops : genJs(ops);
  const f = new Function("S", "T", "U8", "I32", "LD", "STR", src);
  return f(env.S, new Int32Array(env.mem.buffer, TLB, 1024), env.u8, env.i32, env.LD, env.STR);
}

// ---- WebAssembly back end (same locals, same tests) ----
// locals: 0 left, 1..8 r0..r7, 9 fa, 10 fb, 11 fr, 12 fk, 13 e, 14 l, 15 x, 16 rb, 17 ne
const R = (k) => 1 + k;
const PHYS = "local.get 13 i32.const -4096 i32.and local.get 14 i32.const 4095 i32.and i32.or";
const TLBE = `local.get 14 i32.const 12 i32.shr_u i32.const 2 i32.shl i32.load ${TLB} local.set 13`;
const HIT = "local.get 13 i32.const 7 i32.and i32.const 1 i32.eq";
const ALIGNED = `${HIT} local.get 14 i32.const 3 i32.and i32.eqz i32.and`;

function wLoad(addr, disp, size) {
  const test = size === 4 ? ALIGNED : HIT;
  const fast = `${PHYS} ${size === 4 ? "i32.load" : "i32.load8_u"} 0`;
  const slow = `local.get 14 i32.const ${size} call 0`;
  return `${addr} i32.const ${disp} i32.add local.set 14 ${TLBE} ${test} if 1 ${fast} else ${slow} end local.set 15`;
}

/** The flag record of `d op= rhs`: fa = old value, fr = d = result, fk = kind. */
const rec = (d, rhs, fk) =>
  `local.get ${R(d)} local.set 9 ${rhs} local.tee ${R(d)} local.set 11 i32.const ${fk} local.set 12`;

function wOp([op, d, a, c], k) {
  const rd = `local.get ${R(d)}`;
  if (op === "load" || op === "load8")
    return `${wLoad(`local.get ${R(a)}`, c, op === "load" ? 4 : 1)} local.get 15 local.set ${R(d)}`;
  if (op === "xormem")
    return `${wLoad(`local.get ${R(a)} i32.const 2 i32.shl`, c, 4)} ${rec(d, `${rd} local.get 15 i32.xor`, 3)}`;
  if (op === "store") {
    const pre = `local.get ${R(a)} i32.const ${c} i32.add local.set 14 ${TLBE} ${ALIGNED}`;
    return `${pre} if 0 ${PHYS} ${rd} i32.store 0 else local.get 14 ${rd} i32.const 4 call 1 end`;
  }
  if (op === "shr") return rec(d, `${rd} i32.const ${a} i32.shr_u`, 5);
  if (op === "inc" || op === "dec")
    return rec(d, `${rd} i32.const 1 ${op === "inc" ? "i32.add" : "i32.sub"}`, 6);
  if (op === "exit")
    return `local.get 0 i32.const ${k} i32.lt_s if 0 i32.const 3 local.set 17 br 2 end`;
  if (typeof a === "number" && op.endsWith("i"))
    return `i32.const ${a} local.set 10 ${rec(d, `${rd} local.get 10 ${ALU[op.slice(0, -1)]}`, 1)}`;
  return `local.get ${R(a)} local.set 10 ${rec(d, `${rd} local.get 10 ${ALU[op]}`, 1)}`;
}

export function genWasm(ops) {
  const n = ops.length;
  const b = [];
  for (let k = 0; k < 8; k++) b.push(`i32.const 0 i32.load ${ST + 4 * k} local.set ${R(k)}`);
  b.push("block 0 loop 0", ...ops.map(wOp));
  b.push(`local.get 16 i32.const ${n} i32.add local.set 16`);
  b.push(`local.get 0 i32.const ${n} i32.sub local.set 0`);
  b.push("i32.const 2 local.set 17 local.get 11 i32.eqz br_if 1 i32.const 1 local.set 17");
  b.push(
    `local.get 0 i32.const ${n} i32.ge_s i32.const 0 i32.load ${ST + 4 * EVW} i32.eqz i32.and`,
  );
  b.push("br_if 0 end end");
  for (let k = 0; k < 8; k++) b.push(`i32.const 0 local.get ${R(k)} i32.store ${ST + 4 * k}`);
  [12, 9, 10, 11, 16].forEach((v, k) =>
    b.push(`i32.const 0 local.get ${v} i32.store ${ST + 32 + 4 * k}`),
  );
  b.push("local.get 17");
  return { name: "region", params: [0], results: [0], locals: 17, body: code(...b) };
}

export const IMPORTS = [
  { name: "ld", params: [0, 0], results: [0] },
  { name: "st", params: [0, 0, 0], results: [] },
];

export function wasmBytes(opsList) {
  const fs = opsList.map((ops, k) => ({ ...genWasm(ops), name: `region${k}` }));
  return buildModule(IMPORTS, fs, (RAM >>> 16) + 1);
}

export function instantiate(bytes, env) {
  const m = new WebAssembly.Module(bytes);
  return new WebAssembly.Instance(m, { env: { mem: env.mem, ld: env.LD, st: env.STR } }).exports;
}
