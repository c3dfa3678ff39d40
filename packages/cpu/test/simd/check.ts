// Prints per-instruction agreement of a vector group and the first mismatches:
//   pnpm exec tsx test/simd/check.ts <group> [max-shown]     (SIMD_VECTORS=dir for soak runs)
import { diff, GROUPS, loadGroup, runCase } from "./replay";

const groups = process.argv[2] ? [process.argv[2]] : [...GROUPS];
const show = Number(process.argv[3] ?? "5");
for (const g of groups) {
  const cases = loadGroup(g, process.env.SIMD_VECTORS);
  const per = new Map<string, [number, number]>();
  let shown = 0;
  for (const c of cases) {
    const got = runCase(c);
    const d = diff(got, c.expected, c.label);
    const p = per.get(c.label) ?? [0, 0];
    p[1]++;
    if (d.length === 0) p[0]++;
    else if (shown++ < show) {
      console.log(`${g} ${c.label} ${c.code.map((b) => b.toString(16)).join(" ")}`);
      for (const k of d)
        console.log(`   ${k}: in ${c.input[k]} want ${c.expected[k]} got ${got[k]}`);
    }
    per.set(c.label, p);
  }
  let ok = 0;
  let all = 0;
  const bad: string[] = [];
  for (const [label, [a, n]] of per) {
    ok += a;
    all += n;
    if (a !== n) bad.push(`${label} ${a}/${n}`);
  }
  console.log(`${g}: ${ok}/${all}${bad.length ? "  failing: " + bad.join(", ") : ""}`);
}
