// Paired A/B comparison of two RingVM builds, or of two sets of Node/V8 flags, on full boots
// and the busybox workload (bench/phases.mjs --full-boot), for changes smaller than this host's
// run-to-run spread (the same build boots in 7.4-8.9 s from one hour to the next, the phases
// move by 2-7 %). Each pair runs A and B back to back, alternating which goes first, so a drift
// of the host's speed falls on both; per phase it prints both means and the mean of the pairs'
// differences with its standard error, and calls B faster or slower only when that mean is at
// least twice its standard error.
//
//   node bench/ab.mjs --pairs 6 --b /tmp/other-checkout
//   node bench/ab.mjs --pairs 6 --b-node "--max-semi-space-size=64"
//   node bench/ab.mjs --pairs 6 --b-args "--hot 8000"
//
// --a DIR, --b DIR: the root of a built checkout to run bench/phases.mjs from (default: this
// one; `git worktree add DIR REF`, then `pnpm install` and `pnpm build` there). --a-node,
// --b-node: flags for node (quoted, split at spaces). --a-args, --b-args: arguments for that
// side's phases.mjs (quoted, split at spaces). Other arguments go to both sides' phases.mjs.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PHASES } from "./boot-phases.mjs";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const taken = new Set();
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= args.length) return fallback;
  taken.add(i).add(i + 1);
  return args[i + 1];
};
const pairs = Number(option("pairs", "4"));
const sides = [
  {
    name: "A",
    root: resolve(option("a", here)),
    node: option("a-node", ""),
    args: option("a-args", ""),
  },
  {
    name: "B",
    root: resolve(option("b", here)),
    node: option("b-node", ""),
    args: option("b-args", ""),
  },
];
const passOn = args.filter((_, i) => !taken.has(i));
if (!Number.isInteger(pairs) || pairs < 2) {
  process.stderr.write("ab: --pairs needs a whole number of at least 2\n");
  process.exit(2);
}

/** The rows of phases.mjs's output compared (its labels, trimmed). */
const METRICS = ["boot", ...PHASES.map(([name]) => name), "workload"];

/** Seconds per metric from one phases.mjs run's output (a metric it did not print: missing). */
function parsePhases(text) {
  const seconds = new Map();
  for (const line of text.split("\n")) {
    const m = /^\s*(\S.*?)\s{2,}(\d+\.\d+) s\s/.exec(line);
    if (m !== null && METRICS.includes(m[1]) && !seconds.has(m[1])) seconds.set(m[1], +m[2]);
  }
  return seconds;
}

/** Runs one full boot and workload for `side`; exits on a failed run (its error shown). */
function runOnce(side) {
  const words = (text) => text.split(" ").filter((f) => f !== "");
  const script = join(side.root, "bench", "phases.mjs");
  const argv = [...words(side.node), script, "--full-boot", ...passOn, ...words(side.args)];
  const r = spawnSync(process.execPath, argv, {
    cwd: side.root,
    encoding: "utf8",
    timeout: 600_000,
  });
  const seconds = parsePhases(r.stdout ?? "");
  if (r.status !== 0 || !METRICS.every((m) => seconds.has(m))) {
    process.stderr.write(`ab: run of ${side.name} failed\n${r.stderr ?? ""}${r.stdout ?? ""}\n`);
    process.exit(1);
  }
  return seconds;
}

const results = { A: [], B: [] };
for (let p = 0; p < pairs; p++) {
  const order = p % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) {
    const s = runOnce(side);
    results[side.name].push(s);
    process.stdout.write(
      `pair ${p + 1} ${side.name}: ${METRICS.map((m) => s.get(m).toFixed(2)).join(" ")}\n`,
    );
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(`\n${"".padEnd(14)}${"A".padStart(8)}${"B".padStart(8)}   B - A (± SE)\n`);
for (const m of METRICS) {
  const a = results.A.map((s) => s.get(m));
  const b = results.B.map((s) => s.get(m));
  const d = b.map((x, i) => x - a[i]);
  const dm = mean(d);
  const se = Math.sqrt(d.reduce((sum, x) => sum + (x - dm) ** 2, 0) / (d.length - 1) / d.length);
  const verdict =
    Math.abs(dm) >= 2 * se && se > 0 ? (dm < 0 ? "B faster" : "B slower") : "within the noise";
  process.stdout.write(
    `${m.padEnd(14)}${mean(a).toFixed(3).padStart(8)}${mean(b).toFixed(3).padStart(8)}   ` +
      `${dm >= 0 ? "+" : ""}${dm.toFixed(3)} ± ${se.toFixed(3)} s (${((100 * dm) / mean(a)).toFixed(1)} %)  ${verdict}\n`,
  );
}
