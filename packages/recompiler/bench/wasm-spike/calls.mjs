// Call overhead, same run, ns per call (median of 5 passes of 5 M calls):
//  - the dispatcher (a JS loop) entering a minimal region: load the 8 guest registers from
//    CPU-state memory, one add, store them back, return an exit number; JS vs wasm;
//  - a wasm loop calling an imported JS helper (a slow path: interpreter handler, MMIO) vs a
//    JS loop calling the same helper.
// Run: node calls.mjs
import { buildModule, code } from "./wasm.mjs";

const N = 5_000_000;
const ST = 4096;
const mem = new WebAssembly.Memory({ initial: 1 });
const S = new Int32Array(mem.buffer, ST, 16);
let helperCalls = 0;
const helper = (x) => {
  helperCalls++;
  return (x + 1) | 0;
};

const loadRegs = [0, 1, 2, 3, 4, 5, 6, 7].map(
  (k) => `i32.const 0 i32.load ${ST + 4 * k} local.set ${1 + k}`,
);
const storeRegs = [0, 1, 2, 3, 4, 5, 6, 7].map(
  (k) => `i32.const 0 local.get ${1 + k} i32.store ${ST + 4 * k}`,
);
const region = {
  name: "region",
  params: [0],
  results: [0],
  locals: 8,
  body: code(
    ...loadRegs,
    "local.get 1 local.get 0 i32.add local.set 1",
    ...storeRegs,
    "i32.const 1",
  ),
};
const callLoop = {
  name: "callLoop",
  params: [0],
  results: [0],
  locals: 1,
  body: code(
    "block 0 loop 0 local.get 0 i32.eqz br_if 1",
    "local.get 1 call 0 local.set 1 local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end",
    "local.get 1",
  ),
};
// The dispatcher inside wasm: entry k of N calls region (k & 7) through a funcref table.
const regions8 = Array.from({ length: 8 }, (_, k) => ({ ...region, name: `r${k}` }));
const wasmDispatch = {
  name: "dispatch",
  params: [0],
  results: [0],
  locals: 1,
  body: code(
    "block 0 loop 0 local.get 0 i32.eqz br_if 1 local.get 1 i32.const 1",
    "local.get 0 i32.const 7 i32.and call_indirect 0 i32.add local.set 1",
    "local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1",
  ),
};
const helperType = { name: "h", params: [0], results: [0] };
const bytes = buildModule([helperType], [region, callLoop], 1);
const tableBytes = buildModule([helperType], [...regions8, wasmDispatch], 1, true);
const inWasm = new WebAssembly.Instance(new WebAssembly.Module(tableBytes), {
  env: { mem, h: helper },
}).exports.dispatch;
const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem, h: helper } })
  .exports;

const jsRegion = new Function(
  "S",
  `return function region(left) {
  let r0 = S[0], r1 = S[1], r2 = S[2], r3 = S[3], r4 = S[4], r5 = S[5], r6 = S[6], r7 = S[7];
  r0 = (r0 + left) | 0;
  S[0] = r0; S[1] = r1; S[2] = r2; S[3] = r3; S[4] = r4; S[5] = r5; S[6] = r6; S[7] = r7;
  return 1; };`,
)(S);

// Megamorphic: 8 distinct regions entered round-robin (the real dispatcher sees thousands).
const jsMany = Array.from({ length: 8 }, (_, k) =>
  new Function(
    "S",
    `return function region(left) { let r0 = S[0], r1 = S[1], r2 = S[2], r3 = S[3], r4 = S[4], r5 = S[5], r6 = S[6], r7 = S[7]; r0 = (r0 + left + ${k}) | 0; S[0] = r0; S[1] = r1; S[2] = r2; S[3] = r3; S[4] = r4; S[5] = r5; S[6] = r6; S[7] = r7; return 1; };`,
  )(S),
);
const wasmMany = Array.from(
  { length: 8 },
  () =>
    new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem, h: helper } }).exports
      .region,
);
function dispatchMany(fs) {
  let n = 0;
  for (let k = 0; k < N; k++) n += fs[k & 7](1);
  return n;
}

function dispatch(f) {
  let n = 0;
  for (let k = 0; k < N; k++) n += f(1);
  return n;
}
function jsCallLoop(n) {
  let x = 0;
  for (; n !== 0; n--) x = helper(x);
  return x;
}

const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
function ns(run) {
  const out = [];
  for (let p = 0; p < 5; p++) {
    const t0 = performance.now();
    run();
    out.push(((performance.now() - t0) * 1e6) / N);
  }
  return med(out);
}

const rows = [
  ["dispatcher -> JS region (8 regs in/out)", ns(() => dispatch(jsRegion))],
  ["dispatcher -> wasm region (8 regs in/out)", ns(() => dispatch(ex.region))],
  ["dispatcher -> 8 JS regions round-robin", ns(() => dispatchMany(jsMany))],
  ["dispatcher -> 8 wasm regions round-robin", ns(() => dispatchMany(wasmMany))],
  ["wasm dispatcher -> 8 wasm regions (call_indirect)", ns(() => inWasm(N))],
  ["JS loop -> JS helper", ns(() => jsCallLoop(N))],
  ["wasm loop -> imported JS helper", ns(() => ex.callLoop(N))],
];
for (const [name, v] of rows) console.log(`${name}: ${v.toFixed(2)} ns/call`);
console.log(
  `wasm/JS: region entry ${(rows[1][1] / rows[0][1]).toFixed(2)}x, 8 regions ${(rows[3][1] / rows[2][1]).toFixed(2)}x, in-wasm dispatch ${(rows[4][1] / rows[2][1]).toFixed(2)}x, helper call ${(rows[6][1] / rows[5][1]).toFixed(2)}x (${helperCalls} helper calls, S[0]=${S[0]})`,
);
