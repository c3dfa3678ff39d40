// Agreement of the transcendentals with the host x87 (vectors recorded by native/gen-vectors.ts
// on random operands in each instruction's intended domain, all four rounding controls for the
// trigonometric ones). Ours are correctly rounded from ~104 bits; the hardware's are within one
// 64-bit ulp but not always correctly rounded (SDM vol. 1 8.3.10), so results may differ in the
// last bit where the exact value lies near a rounding boundary. Asserted: every result within one
// unit of the 64-bit significand, the non-PE status bits (IE, DE, ZE, SF, C2) exact, and a
// bit-exact rate at least the measured one rounded down (README.md records the numbers).
import { describe, expect, it } from "vitest";
import { FpContext } from "../../src/x87/softfloat/types";
import { runCase } from "./model";
import { loadVectors } from "./vectors";

function ulpDistance(x: string, y: string): bigint {
  const ex = parseInt(x.slice(0, 4), 16);
  const ey = parseInt(y.slice(0, 4), 16);
  if ((ex ^ ey) & 0x8000) return x === y ? 0n : 1n << 64n;
  const e = Math.max(ex & 0x7fff, ey & 0x7fff);
  const sx = BigInt("0x" + x.slice(4)) >> BigInt(e - (ex & 0x7fff));
  const sy = BigInt("0x" + y.slice(4)) >> BigInt(e - (ey & 0x7fff));
  return sx > sy ? sx - sy : sy - sx;
}

// Bit-exact rates measured on the committed vectors (see README.md), rounded down.
const FLOORS: Record<string, number> = {
  sin: 0.99,
  cos: 0.99,
  ptan: 0.97,
  sincos: 0.99,
  patan: 0.98,
  f2xm1: 0.96,
  yl2x: 0.97,
  yl2xp1: 0.97,
};

describe("x87 transcendentals vs host (last-bit agreement)", () => {
  const cases = loadVectors("transcendental");
  const ops = [...new Set(cases.map((c) => c.op))];
  for (const op of ops) {
    it(`${op}: measured agreement`, () => {
      const ctx = new FpContext();
      let exact = 0;
      let lastBit = 0;
      let status = 0;
      const mine = cases.filter((c) => c.op === op);
      for (const c of mine) {
        const o = runCase(c, ctx);
        if (!o) throw new Error(op);
        if (o.r1 === c.r1 && o.r2 === c.r2) exact++;
        if (ulpDistance(o.r1, c.r1) <= 1n && ulpDistance(o.r2, c.r2) <= 1n) lastBit++;
        // IE, DE, ZE, SF and C2 must match; PE, UE and C1 depend on the last bits.
        if ((o.sw & 0x0447) === (c.sw & 0x0447)) status++;
      }
      const n = mine.length;
      console.log(
        `${op}: bit-exact ${exact}/${n}, within one 64-bit ulp ${lastBit}/${n}, status ${status}/${n}`,
      );
      expect(status).toBe(n);
      expect(lastBit).toBe(n);
      expect(exact / n).toBeGreaterThanOrEqual(FLOORS[op] ?? 1);
    });
  }
});
