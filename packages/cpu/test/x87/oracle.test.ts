// Bit-exact agreement with the host x87 (x86-64, recorded by native/x87run.c; see
// native/gen-vectors.ts). Each recorded case gives the 80-bit result(s) or memory image and the
// status word: exception flags, SF and C0-C3 must match exactly. Semantics: SDM vol. 1 ch. 4.8,
// 4.9, 8; vol. 2 instruction pages for each op.
import { describe, expect, it } from "vitest";
import { FpContext } from "../../src/x87/softfloat/types";
import { runCase } from "./model";
import { SW_COMPARED, loadVectors, type Case } from "./vectors";

function mismatches(cases: Case[]): string[] {
  const ctx = new FpContext();
  const bad: string[] = [];
  for (const c of cases) {
    const o = runCase(c, ctx);
    if (!o) throw new Error(`no model for ${c.op}`);
    const swOk = (o.sw & SW_COMPARED) === (c.sw & SW_COMPARED);
    if (o.r1 !== c.r1 || o.r2 !== c.r2 || !swOk) {
      bad.push(`${c.line} / got ${o.r1} ${o.r2} ${o.sw.toString(16).padStart(4, "0")}`);
    }
  }
  return bad;
}

const EXACT_GROUPS = ["arith", "compare", "convert", "special"];
for (const group of EXACT_GROUPS) {
  describe(`x87 ${group} vs host`, () => {
    const cases = loadVectors(group);
    const ops = [...new Set(cases.map((c) => c.op))];
    for (const op of ops) {
      const mine = cases.filter((c) => c.op === op);
      it(`${op}: ${mine.length} cases bit-exact`, () => {
        expect(mine.length).toBeGreaterThan(100);
        expect(mismatches(mine).slice(0, 5)).toEqual([]);
      });
    }
  });
}
