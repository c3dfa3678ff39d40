// FLD constants under each rounding control, as loaded by the host x87 (one-off inline-asm run of
// FNINIT; FLDCW; FLDxx; FNSTSW; FSTP m80 for RC 0-3). SW was 3800 each time: TOP=7, no PE
// (SDM vol. 1 8.3.8).
import { describe, expect, it } from "vitest";
import { f80Constant } from "../../src/x87/softfloat/constants";
import { F80 } from "../../src/x87/softfloat/types";
import { fmt } from "./model";

// [RC nearest, down, up, zero] per constant in D9 E8..EE order.
const HOST: string[][] = [
  ["3fff8000000000000000", "3fff8000000000000000", "3fff8000000000000000", "3fff8000000000000000"],
  ["4000d49a784bcd1b8afe", "4000d49a784bcd1b8afe", "4000d49a784bcd1b8aff", "4000d49a784bcd1b8afe"],
  ["3fffb8aa3b295c17f0bc", "3fffb8aa3b295c17f0bb", "3fffb8aa3b295c17f0bc", "3fffb8aa3b295c17f0bb"],
  ["4000c90fdaa22168c235", "4000c90fdaa22168c234", "4000c90fdaa22168c235", "4000c90fdaa22168c234"],
  ["3ffd9a209a84fbcff799", "3ffd9a209a84fbcff798", "3ffd9a209a84fbcff799", "3ffd9a209a84fbcff798"],
  ["3ffeb17217f7d1cf79ac", "3ffeb17217f7d1cf79ab", "3ffeb17217f7d1cf79ac", "3ffeb17217f7d1cf79ab"],
  ["00000000000000000000", "00000000000000000000", "00000000000000000000", "00000000000000000000"],
];

describe("x87 FLD constants", () => {
  it("match the host for every rounding control", () => {
    const v = new F80();
    const got = HOST.map((_, which) => [0, 1, 2, 3].map((rc) => fmt(f80Constant(v, which, rc))));
    expect(got).toEqual(HOST);
  });
});
