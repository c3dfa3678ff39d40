// Compile latency of one region (N guest forms) in each back end, same run:
//  - wasm: sync `new WebAssembly.Module` + `new WebAssembly.Instance` + first call; and, in a
//    child with --no-liftoff, the same with TurboFan as the first tier (its optimizing compile);
//  - JS: `new Function` + factory + first call (parse, Ignition), then calls of a small budget
//    until %GetOptimizationStatus reports TurboFan: wall time, CPU (all threads), calls;
//  - batching: one module of 16 regions vs 16 modules of one.
// Run: node latency.mjs   (spawns itself with --allow-natives-syntax [--no-liftoff])
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { genJs, instantiate, makeEnv, makeJsRegion, wasmBytes } from "./region.mjs";
import { randomOps } from "./guest.mjs";

const SIZES = [50, 120, 250];
const REPS = 5;
const me = fileURLToPath(import.meta.url);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const cpuMs = (t0) => {
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000;
};

if (process.argv[2] !== "child") {
  for (const flags of [[], ["--no-liftoff"]]) {
    const args = ["--allow-natives-syntax", ...flags, me, "child", flags.join(" ") || "default"];
    process.stdout.write(execFileSync(process.execPath, args, { encoding: "utf8" }));
  }
  process.exit(0);
}

const env = makeEnv();
const status = new Function("f", "return %GetOptimizationStatus(f)");
const wasmTf = new Function("f", "return %IsTurboFanFunction(f)");
let seed = 1 + process.pid;
const fresh = (n) => randomOps(n, seed++); // fresh bytes/source: no compilation cache hits
const tier = process.argv[3];
console.log(`## wasm tiers: ${tier}`);

function wasmOnce(opsList) {
  const bytes = wasmBytes(opsList);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const ex = instantiate(bytes, env);
  const t1 = performance.now();
  ex.region0(0);
  const first = performance.now() - t0;
  const cpu = cpuMs(c0);
  let calls = 1;
  const budget = opsList[0].length * 4;
  while (!wasmTf(ex.region0) && calls < 2e6) {
    env.S[1] = 1000;
    ex.region0(budget);
    calls++;
  }
  const tf = performance.now() - t0;
  return { ms: t1 - t0, first, cpu, bytes: bytes.length, tf, calls, tfcpu: cpuMs(c0) };
}

function jsOnce(ops) {
  const src = genJs(ops);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const f = makeJsRegion(src, env);
  f(0);
  const first = performance.now() - t0;
  let calls = 1;
  // The dispatcher's pattern: a region entered over and over with a small budget.
  while ((status(f) & 64) === 0 && calls < 2e6) {
    env.S[1] = 1000;
    f(ops.length * 4);
    calls++;
  }
  return { first, tf: performance.now() - t0, cpu: cpuMs(c0), calls, chars: src.length };
}

wasmOnce([fresh(50)]); // one-time engine start-up off the books
jsOnce(fresh(50));
for (const n of SIZES) {
  const w = [];
  const j = [];
  for (let r = 0; r < REPS; r++) w.push(wasmOnce([fresh(n)]));
  if (tier === "default") for (let r = 0; r < REPS; r++) j.push(jsOnce(fresh(n)));
  const m = (a, k) => med(a.map((x) => x[k])).toFixed(2);
  let line = `N=${n}: wasm ${w[0].bytes} B: Module+Instance ${m(w, "ms")} ms +first call ${m(w, "first")} ms (cpu ${m(w, "cpu")})`;
  if (tier === "default")
    line += `, until TurboFan ${m(w, "tf")} ms (cpu ${m(w, "tfcpu")}), ${m(w, "calls")} calls`;
  if (j.length > 0) {
    line += ` | JS ${j[0].chars} chars: new Function+first call ${m(j, "first")} ms,`;
    line += ` until TurboFan ${m(j, "tf")} ms wall, ${m(j, "cpu")} ms cpu, ${m(j, "calls")} calls`;
  }
  console.log(line);
}

// Lukewarm: a fresh 120-form region entered with budget 480 until it has run 1e4..1e7 guest
// instructions; ms from the start of code generation (compile included) to each mark.
const MARKS = [1e4, 1e5, 1e6, 1e7];
function curve([prep, make]) {
  const code = prep(fresh(120));
  const t0 = performance.now();
  const f = make(code);
  const at = [];
  for (let n = 0, m = 0; m < MARKS.length;) {
    env.S[5] = 0x20000;
    env.S[1] = 1 << 30;
    f(480);
    n += env.S[12];
    if (n >= MARKS[m]) at[m++] = performance.now() - t0;
  }
  return at;
}
const makers = {
  JS: [genJs, (src) => makeJsRegion(src, env)],
  wasm: [(ops) => wasmBytes([ops]), (bytes) => instantiate(bytes, env).region0],
};
for (const [name, make] of Object.entries(makers)) {
  const runs = Array.from({ length: REPS }, () => curve(make));
  const cols = MARKS.map(
    (mk, k) => `${mk.toExponential(0)}: ${med(runs.map((r) => r[k])).toFixed(2)} ms`,
  );
  console.log(`lukewarm ${name}: ${cols.join(", ")}`);
}

// Batching: 16 regions of 120 forms in one module vs 16 modules (each region called once).
const one = [];
const many = [];
for (let r = 0; r < REPS; r++) {
  const mods = Array.from({ length: 16 }, () => wasmBytes([fresh(120)]));
  const t0 = performance.now();
  for (const bytes of mods) instantiate(bytes, env).region0(0);
  many.push(performance.now() - t0);
  const big = wasmBytes(Array.from({ length: 16 }, () => fresh(120)));
  const t1 = performance.now();
  const ex = instantiate(big, env);
  for (let k = 0; k < 16; k++) ex[`region${k}`](0);
  one.push(performance.now() - t1);
}
console.log(
  `batch of 16 x 120 forms: 16 modules ${med(many).toFixed(2)} ms, 1 module ${med(one).toFixed(2)} ms`,
);
