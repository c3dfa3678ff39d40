// Developer tool: linear decode of an ELF's executable sections with iced and RingVM; prints
// decode and formatter mismatch counts grouped, plus examples.
// Usage: tsx scripts/corpus-diff.ts FILE [decode|format]
import { readFileSync } from "node:fs";
import * as iced from "iced-x86";
import { elfExecutableSections } from "../src/elf";
import { formatInstruction } from "../src/formatter";
import { IcedOracle, makeIcedFormatter } from "../test/iced-oracle";

const file = process.argv[2]!;
const bytes = new Uint8Array(readFileSync(file));
const sections = elfExecutableSections(bytes) ?? [];
const groups = new Map<string, { n: number; ex: string }>();
let total = 0;
let decodeBad = 0;
let textBad = 0;
for (const s of sections) {
  const buf = bytes.subarray(s.offset, s.offset + s.size);
  const o = new IcedOracle(s.bits, buf);
  const fmt = makeIcedFormatter();
  let off = 0;
  while (off < buf.length) {
    const ip = s.address + off;
    const m = o.compare(off, buf.length, ip);
    total++;
    const len = o.icedInsn.code === iced.Code.INVALID ? 1 : o.icedInsn.length;
    if (m) {
      decodeBad++;
      const k = `decode ${m.what}: ${m.ours} vs ${m.iced}`;
      const g = groups.get(k) ?? { n: 0, ex: m.bytes };
      g.n++;
      groups.set(k, g);
    } else if (o.icedInsn.code !== iced.Code.INVALID) {
      const a = formatInstruction(o.insn);
      const b = fmt.format(o.icedInsn);
      if (a !== b) {
        textBad++;
        const k = `text ${iced.Code[o.icedInsn.code]}`;
        const g = groups.get(k) ?? {
          n: 0,
          ex: `${a}  |  ${b}  @${(s.address + off).toString(16)} ${Array.from(buf.subarray(off, off + o.insn.length), (x) => x.toString(16).padStart(2, "0")).join(" ")}`,
        };
        g.n++;
        groups.set(k, g);
      }
    }
    off += len;
  }
}
for (const [k, g] of [...groups.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 50))
  console.log(String(g.n).padStart(7), k, "::", g.ex);
console.log(
  `${file}: ${total} instructions, decode mismatches ${decodeBad}, text mismatches ${textBad} (${((100 * (total - decodeBad - textBad)) / total).toFixed(4)}% identical)`,
);
