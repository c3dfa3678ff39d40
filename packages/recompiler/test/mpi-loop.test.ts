// The Linux boot's hottest loop (mpihelp_submul_1 of the kernel's crypto self-test, the
// kernel's own bytes: test/guests/mpi-loop.asm): lock-step with the interpreter, the result
// against an independent BigInt computation, and the shape of the generated region (every form
// inlined, no flag materialization in the loop, one budget/event check per iteration).
import { readFileSync } from "node:fs";
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { runLockstep } from "../src/index";
import { makeMachine, type Machine } from "./support/machine";

const PARAMS = 0x40000;
const SUM = 0x40010;
const S1 = 0x41000;
const RES = 0x42000;
const LOOP = 0x102f0;
const code = new Uint8Array(readFileSync(new URL("guests/mpi-loop.bin", import.meta.url)));

const u32 = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
function put32(b: Uint8Array, at: number, v: number): void {
  for (let k = 0; k < 4; k++) b[at + k] = (v >>> (8 * k)) & 0xff;
}

const LIMB = 0x9e3779b9;
const s1Of = (k: number): number => Math.imul(k + 1, 0x85ebca6b) >>> 0;
const resOf = (k: number): number => Math.imul(k + 7, 0xc2b2ae35) >>> 0;

function load(m: Machine, calls: number, limbs: number): void {
  const b = m.mem.bytes;
  put32(b, PARAMS, calls);
  put32(b, PARAMS + 4, limbs);
  put32(b, PARAMS + 8, LIMB);
  for (let k = 0; k < limbs; k++) {
    put32(b, S1 + 4 * k, s1Of(k));
    put32(b, RES + 4 * k, resOf(k));
  }
}

/** The oracle: res -= s1 * limb per limb with the borrow carried (mpihelp_submul_1 in C). */
function expected(calls: number, limbs: number): { res: number[]; sum: number } {
  const res = Array.from({ length: limbs }, (_, k) => BigInt(resOf(k)));
  let sum = 0n;
  for (let c = 0; c < calls; c++) {
    let borrow = 0n;
    for (let k = 0; k < limbs; k++) {
      const p = BigInt(s1Of(k)) * BigInt(LIMB) + borrow;
      const lo = p & 0xffffffffn;
      borrow = (p >> 32n) + (lo > res[k]! ? 1n : 0n);
      res[k] = (res[k]! - lo) & 0xffffffffn;
    }
    sum = (sum + borrow) & 0xffffffffn;
  }
  return { res: res.map(Number), sum: Number(sum) };
}

describe("mpihelp_submul_1 (the boot's crypto self-test loop)", () => {
  it.each([1, 8])(
    "agrees with the interpreter in lock-step and with BigInt (hot threshold %i)",
    { timeout: 60_000 },
    (threshold) => {
      const calls = 12;
      const limbs = 40;
      const a = makeMachine(code, false);
      const b = makeMachine(code, true, threshold);
      load(a, calls, limbs);
      load(b, calls, limbs);
      const r = runLockstep(a.cpu, b.engine!, { budget: 3000 });
      expect(r.divergence).toBeNull();
      expect(b.cpu.state.halted).toBe(true);
      expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
      const want = expected(calls, limbs);
      const got = Array.from({ length: limbs }, (_, k) => u32(b.mem.bytes, RES + 4 * k));
      expect(got).toEqual(want.res);
      expect(u32(b.mem.bytes, SUM)).toBe(want.sum);
      expect(b.engine!.stats.instructionsInBlocks).toBeGreaterThan(calls * limbs * 40);
    },
  );

  it("translates the loop with every form inlined and no flag materialization", () => {
    const m = makeMachine(code, true, 1);
    load(m, 3, 8);
    let stop: number = StopReason.Budget;
    while (stop === StopReason.Budget) stop = m.engine!.run(100_000);
    expect(stop).toBe(StopReason.Halt);
    const region = [...m.engine!.blocks()].find((b) => b.compiled && b.eip === 0x102b5);
    expect(region).toBeDefined();
    const src = region!.source;
    // The loop body is the basic block at LOOP (from the statement opening it, `} pc = at;`, to
    // the next block's or the function's end).
    const at = region!.insns.findIndex((insns) => insns[0]!.ip >>> 0 === LOOP);
    expect(at).toBeGreaterThan(0);
    const from = src.indexOf(`} pc = ${at};`);
    const next = src.indexOf(`} pc = ${at + 1};`);
    const body = src.slice(from, next > from ? next : src.indexOf("} } catch"));
    // A block that branches to itself loops in place (no dispatch through the switch).
    expect(body).toContain("S: for (;;) {");
    expect(body).toContain("continue S;");
    expect(body.length).toBeGreaterThan(1000);
    expect(body).not.toContain("H["); // no interpreter handler call (CMOVcc m32 included)
    expect(body).not.toContain("MF("); // IMUL's CF/OF are dead (overwritten before any use)
    expect(body).not.toContain("FL("); // no flag record written back inside the loop
    expect(body).not.toContain("TC("); // conditions tested on the flag locals
    expect(body).toContain("Math.imul(");
    // One budget and event check per iteration, at the back edge; the fall-through exit to a
    // later block checks the budget only.
    expect(body.match(/EV\(s\) === false/g)).toHaveLength(1);
    expect(body.match(/left -= /g)).toHaveLength(2);
    expect(body).toMatchSnapshot();
  });
});
