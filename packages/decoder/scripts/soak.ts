// Soak: seeded random 16-byte windows against iced-x86, default 1,000,000 per mode.
// Usage: pnpm --filter @ringvm/decoder soak [count] [seed]
// Exit code 1 on any disagreement on a form we claim (unclaimed = iced Code not in our table).
import { IcedOracle } from "../test/iced-oracle";
import { randomWindows } from "../test/random-windows";

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 0x50a6);
const CHUNK = 100_000;
let failed = false;
for (const bits of [16, 32, 64] as const) {
  let done = 0;
  let unclaimed = 0;
  let bad = 0;
  const examples: string[] = [];
  for (let c = 0; done < count; c++) {
    const n = Math.min(CHUNK, count - done);
    const { buf, offsets } = randomWindows(seed * 1000 + bits * 100 + c, n);
    const o = new IcedOracle(bits, buf);
    for (const off of offsets) {
      const m = o.compare(off, off + 16, 0x401000 + off);
      if (!m) continue;
      if (m.unclaimed) unclaimed++;
      else {
        bad++;
        if (examples.length < 10) examples.push(`${m.bytes}: ${m.what} ${m.ours} vs ${m.iced}`);
      }
    }
    o.free();
    done += n;
  }
  console.log(
    `${bits}-bit: ${done} windows, ${done - unclaimed - bad} agree, ${unclaimed} unclaimed, ${bad} disagree`,
  );
  for (const e of examples) console.log("  ", e);
  if (bad > 0) failed = true;
}
process.exit(failed ? 1 : 0);
