// Steady-state speed of the same region in both back ends (same run), per wasm tier:
//  crc32: the table-driven CRC32 loop (8 guest instructions, 2 TLB loads), 64 KiB per pass,
//         entered by a dispatcher loop with a 200 K budget (as Recompiler.run does);
//  mix:   a 120-form pseudo-random region (loads, stores, ALU), budget 480 per entry.
// Guest instructions per second (millions) per pass after warm-up, median of the passes.
// Children: default (Liftoff, then dynamic tier-up), --no-wasm-tier-up (Liftoff only),
// --no-liftoff (TurboFan only); the JS numbers come from each child too (same process).
// Run: node speed.mjs   (about 6 s)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { instantiate, makeEnv, makeJsRegion, wasmBytes } from "./region.mjs";
import { CRC, randomOps } from "./guest.mjs";

const me = fileURLToPath(import.meta.url);
if (process.argv[2] !== "child") {
  for (const flags of [[], ["--no-wasm-tier-up"], ["--no-liftoff"]]) {
    const args = [...flags, me, "child", flags.join(" ") || "default (dynamic tiering)"];
    process.stdout.write(execFileSync(process.execPath, args, { encoding: "utf8" }));
  }
  process.exit(0);
}

const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const env = makeEnv();
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  env.i32[(0x1000 >> 2) + i] = c;
}
for (let i = 0; i < 0x10000; i++) env.u8[0x10000 + i] = (i * 2654435761) >>> 24;
const MIX = randomOps(120, 42);
const wasm = instantiate(wasmBytes([CRC, MIX]), env);
const js = { crc: makeJsRegion(CRC, env), mix: makeJsRegion(MIX, env) };

function crcPass(f) {
  env.S[0] = -1;
  env.S[6] = 0x10000;
  env.S[1] = 0x10000;
  const t0 = performance.now();
  while (f(200_000) !== 2);
  return (0x10000 * 8) / (performance.now() - t0) / 1000;
}

function mixPass(f) {
  let n = 0;
  const t0 = performance.now();
  for (let k = 0; k < 2000; k++) {
    env.S[5] = 0x20000;
    env.S[1] = 1 << 30;
    f(480);
    n += env.S[12];
  }
  return n / (performance.now() - t0) / 1000;
}

function measure(pass, f, passes) {
  const out = [];
  for (let p = 0; p < passes; p++) out.push(pass(f));
  return { first: out[0], steady: med(out.slice(passes >> 1)) };
}

const rows = [
  ["crc32 JS", measure(crcPass, js.crc, 12)],
  ["crc32 wasm", measure(crcPass, wasm.region0, 12)],
  ["mix JS", measure(mixPass, js.mix, 12)],
  ["mix wasm", measure(mixPass, wasm.region1, 12)],
];
console.log(`## ${process.argv[3]}`);
for (const [name, r] of rows)
  console.log(`${name}: first pass ${r.first.toFixed(0)} MIPS, steady ${r.steady.toFixed(0)} MIPS`);
console.log(
  `wasm/JS steady: crc32 ${(rows[1][1].steady / rows[0][1].steady).toFixed(2)}x, mix ${(rows[3][1].steady / rows[2][1].steady).toFixed(2)}x`,
);
