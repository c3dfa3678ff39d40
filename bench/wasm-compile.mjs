#!/usr/bin/env node
// What V8 spends compiling region code, away from the emulator: compiles the modules a run saved
// (`RINGVM_WASM_DIR`, see wasm-names.mjs) again in this process and prints the wall time and
// bytes. Run it under V8's flags to choose the tier and read its statistics, e.g. TurboFan only,
// on one thread, per phase:
//
//   node --experimental-wasm-branch-hinting --no-liftoff --no-wasm-lazy-compilation \
//     --single-threaded --turbo-stats-wasm bench/wasm-compile.mjs /tmp/wasm [--from N] [--to N]
//
// (`--experimental-wasm-branch-hinting`: read the region code's hints, as `ringvm` does; without
// it V8 skips them and compiles other code.) The first modules of a run are the back end's
// helpers, so by default it starts at module 7. A module edited by hand (wasm2wat, wat2wasm)
// can be compared with the original this way: the compile-time effect of a change of the
// lowering, before the change is written.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const dir = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (dir === undefined) {
  process.stderr.write("usage: node [V8 flags] bench/wasm-compile.mjs DIR [--from N] [--to N]\n");
  process.exit(2);
}
const from = option("from", 7);
const to = option("to", Infinity);
const files = readdirSync(dir)
  .map((name) => /^(\d+)\.wasm$/.exec(name))
  .filter((m) => m !== null && Number(m[1]) >= from && Number(m[1]) <= to)
  .map((m) => [Number(m[1]), join(dir, m[0])])
  .sort((a, b) => a[0] - b[0]);
let bytes = 0;
let failed = 0;
const t0 = performance.now();
for (const [n, file] of files) {
  const code = readFileSync(file);
  bytes += code.length;
  try {
    new WebAssembly.Module(code);
  } catch (error) {
    failed++;
    process.stderr.write(
      `module ${n}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
const ms = performance.now() - t0;
process.stdout.write(
  `${files.length} modules, ${(bytes / 1e6).toFixed(2)} MB, compiled in ${ms.toFixed(0)} ms` +
    (failed > 0 ? `, ${failed} failed` : "") +
    "\n",
);
if (failed > 0) process.exitCode = 1;
