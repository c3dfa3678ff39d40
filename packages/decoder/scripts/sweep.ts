// Developer tool: systematic sweep against iced, printing mismatch counts grouped by kind and
// a few examples. The quick-lane tests run the same cases (test/systematic.test.ts).
import { buildSweepCases } from "../test/sweep-cases";
import { IcedOracle, type Mismatch } from "../test/iced-oracle";

const bits = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
const filter = process.argv[3];
const { buf, offsets } = buildSweepCases(bits, process.env.FULL === "1");
const oracle = new IcedOracle(bits, buf);
const groups = new Map<string, Mismatch[]>();
let bad = 0;
for (const off of offsets) {
  const m = oracle.compare(off, off + 16, 0x1000);
  if (!m || m.unclaimed) continue;
  bad++;
  const key = `${m.what}: ${m.ours} vs ${m.iced}`;
  if (filter && !key.includes(filter)) continue;
  const g = groups.get(key) ?? [];
  g.push(m);
  groups.set(key, g);
}
const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
for (const [k, g] of sorted.slice(0, 60))
  console.log(String(g.length).padStart(6), k, "|", g[0]!.bytes);
console.log(
  `bits ${bits}: ${offsets.length} cases, ${bad} mismatches (${((100 * (offsets.length - bad)) / offsets.length).toFixed(3)}% agree)`,
);
