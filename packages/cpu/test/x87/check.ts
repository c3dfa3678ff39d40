// Developer tool: prints per-op agreement and the first mismatches of a vector group.
//   pnpm exec tsx test/x87/check.ts arith [op] [maxShown]
import { FpContext } from "../../src/x87/softfloat/types";
import { runCase } from "./model";
import { SW_COMPARED, loadVectors } from "./vectors";

const [group = "arith", only, maxShown = "10"] = process.argv.slice(2);
const ctx = new FpContext();
const stats = new Map<string, [number, number]>();
let shown = 0;
for (const c of loadVectors(group)) {
  if (only && c.op !== only) continue;
  const o = runCase(c, ctx);
  if (!o) continue;
  const ok = o.r1 === c.r1 && o.r2 === c.r2 && (o.sw & SW_COMPARED) === (c.sw & SW_COMPARED);
  const s = stats.get(c.op) ?? [0, 0];
  s[0] += ok ? 1 : 0;
  s[1] += 1;
  stats.set(c.op, s);
  if (!ok && shown++ < Number(maxShown)) {
    console.log(`want ${c.line}\n got ${o.r1} ${o.r2} ${o.sw.toString(16).padStart(4, "0")}`);
  }
}
for (const [op, [p, n]] of stats) console.log(`${op}: ${p}/${n}`);
