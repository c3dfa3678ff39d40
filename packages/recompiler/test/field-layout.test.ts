// V8 lays out a number field by the first value stored in it: a field that began as a small
// integer changes layout (and the object its hidden class) the first time it holds a double,
// and every compiled function that has seen such an object deoptimizes (the dispatcher among
// them). Counts of retired instructions pass 2^31 in a boot, so the fields that hold them begin
// as doubles; code offsets are kept small integers (TurboFan's code boxed them when they came
// back in an object). %HaveSameMap compares hidden classes: a fresh object keeps the first one.
import { setFlagsFromString } from "node:v8";
import { Decoder, Instruction } from "@ringvm/decoder";
import { describe, expect, it } from "vitest";
import { Block, setCodeSpan } from "../src/block";
import { hex } from "./support/lockstep";
import { makeMachine } from "./support/machine";

setFlagsFromString("--allow-natives-syntax");
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;
const prepare = new Function("f", "%PrepareFunctionForOptimization(f)") as (f: unknown) => void;
const optimizeNext = new Function("f", "%OptimizeFunctionOnNextCall(f)") as (f: unknown) => void;

/** Decodes `bytes` as consecutive 32-bit instructions from `ip`. */
function decodeAt(bytes: Uint8Array, ip: number): Instruction[] {
  const d = new Decoder(32);
  const out: Instruction[] = [];
  for (let at = 0; at < bytes.length;) {
    const i = new Instruction();
    d.decode(bytes, at, (ip + at) >>> 0, i);
    out.push(i);
    at += i.length;
  }
  return out;
}

const newBlock = (insns: Instruction[]): Block =>
  new Block(0x1000, 0x1000, 1, 0, [], [insns], [], "");

describe("field layout", () => {
  it("setCodeSpan stores a kernel region's span as small integers, also once optimized", () => {
    // nop; inc eax; jmp $-3 at 0xC1000000, with the entry at the second instruction.
    const insns = decodeAt(hex("9040ebfd"), 0xc1000000);
    const fresh = newBlock(insns);
    const span = (): Block => {
      const b = newBlock(insns);
      setCodeSpan(b, [insns], 0xc1000001);
      return b;
    };
    prepare(setCodeSpan);
    span();
    span();
    optimizeNext(setCodeSpan);
    const b = span();
    expect([b.codeLo, b.codeHi]).toEqual([-1, 3]);
    expect(sameMap(b, fresh)).toBe(true);
  });

  it("a block at a kernel address keeps the hidden class of one at a low address", () => {
    // Block keys are int32 (physKey, eipKey): a field that held 0xC1000000 as a number would
    // turn double, a heap number of its own per block, and a new hidden class for all of them.
    const low = newBlock([]);
    const high = new Block(0x8000_1000, 0xc100_0000, 0xc1000, 0, [], [[]], [], "");
    expect(sameMap(high, low)).toBe(true);
    expect([high.phys, high.eip]).toEqual([0x8000_1000, 0xc100_0000]);
    expect([high.physKey, high.eipKey]).toEqual([0x8000_1000 | 0, 0xc100_0000 | 0]);
  });

  it("the instruction counters and a wrapper's retired base keep their hidden classes", () => {
    const program = hex("f4"); // hlt
    const m = makeMachine(program, true, 1, true, "wasm");
    const fresh = makeMachine(program, true, 1, true, "wasm");
    const st = m.engine!.stats;
    expect([st.instructionsInBlocks, st.instructionsInterpreted]).toEqual([0, 0]);
    st.instructionsInBlocks = 2 ** 32 + 5;
    st.instructionsInterpreted = 2 ** 31;
    expect(sameMap(st, fresh.engine!.stats)).toBe(true);
    type WithShared = { wasm: { shared: { base: number } } };
    const shared = (m.engine as unknown as WithShared).wasm.shared;
    expect(shared.base).toBe(0);
    shared.base = 2 ** 31 + 7;
    expect(sameMap(shared, (fresh.engine as unknown as WithShared).wasm.shared)).toBe(true);
  });
});
