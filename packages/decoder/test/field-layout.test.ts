// V8 lays out a number field by the first value stored in it: a field that began as a small
// integer changes layout (and the object its hidden class) the first time it holds 2^31 or
// more, and every compiled function that has seen such an object deoptimizes. Decoding a
// kernel's code (addresses from 0xC0000000) does that to an Instruction's address and value
// fields, which therefore begin as doubles (instruction.ts DOUBLE_FIELD). %HaveSameMap compares
// hidden classes: a fresh Instruction still has the first layout.
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { Decoder, Instruction } from "../src/index";

setFlagsFromString("--allow-natives-syntax");
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;

const bytesOf = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));

describe("Instruction field layout", () => {
  // Each at EIP 0xC1000000; the expected fields follow the SDM's encodings (rel32 from the next
  // instruction, disp32, imm32, ptr16:32 as offset then selector).
  const cases: [string, string, (i: Instruction) => number[], number[]][] = [
    [
      "jmp rel32",
      "e9fbffffff",
      (i) => [i.ip, i.nextIp, i.nearBranchTarget],
      [0xc1000000, 0xc1000005, 0xc1000000],
    ],
    ["mov eax, [disp32]", "8b0567452381", (i) => [i.memDisplacement], [0x81234567]],
    ["mov eax, imm32", "b8efbeadde", (i) => [i.immediate], [0xdeadbeef]],
    ["jmp ptr16:32", "ea000000c11000", (i) => [i.farOffset, i.farSelector], [0xc1000000, 0x10]],
  ];
  for (const [name, hex, fields, expected] of cases) {
    it(`keeps its hidden class after decoding ${name} at a kernel address`, () => {
      const insn = new Instruction();
      const fresh = new Instruction();
      new Decoder(32).decode(bytesOf(hex), 0, 0xc1000000, insn);
      expect(fields(insn)).toEqual(expected);
      expect(sameMap(insn, fresh)).toBe(true);
    });
  }

  it("starts with the address and value fields at 0", () => {
    const i = new Instruction();
    expect([
      i.ip,
      i.nextIp,
      i.memDisplacement,
      i.immediate,
      i.nearBranchTarget,
      i.farOffset,
    ]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
