// Developer tool: formatter differences vs iced on the sweep cases, grouped by iced Code.
import * as iced from "iced-x86";
import { formatInstruction } from "../src/formatter";
import { IcedOracle, makeIcedFormatter } from "../test/iced-oracle";
import { buildSweepCases } from "../test/sweep-cases";

const bits = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
const { buf, offsets } = buildSweepCases(bits, false);
const oracle = new IcedOracle(bits, buf);
const fmt = makeIcedFormatter();
const groups = new Map<string, { n: number; ex: string }>();
let n = 0;
for (let k = 0; k < offsets.length; k += 7) {
  const off = offsets[k]!;
  if (oracle.compare(off, off + 16, 0x7ff0) !== null || oracle.insn.isInvalid) continue;
  const a = formatInstruction(oracle.insn);
  const b = fmt.format(oracle.icedInsn);
  if (a === b) continue;
  n++;
  const key = iced.Code[oracle.icedInsn.code]!.replace(/_.*/, "");
  const g = groups.get(key) ?? { n: 0, ex: `${a} | ${b}` };
  g.n++;
  groups.set(key, g);
}
for (const [k, g] of [...groups.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 70))
  console.log(String(g.n).padStart(6), k, "::", g.ex);
console.log(n);
