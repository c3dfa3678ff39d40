// gcc -m32 output using SSE/SSE2/SSE3/SSSE3, MMX and x87 (test/simd/guest: float/double loops,
// long double, FISTTP, intrinsics) run through the dispatch table in flat protected mode from
// its entry to HLT; the result buffer must equal the same kernels run natively (build.sh).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Decoder, Instruction } from "@ringvm/decoder";
import { expect, test } from "vitest";
import { HANDLERS } from "../../src/dispatch";
import { makeState } from "./harness";

const dir = join(import.meta.dirname, "guest");

test("compiled FP/SIMD kernels give the host's bytes", () => {
  const { s, mem } = makeState(1 << 22);
  const image = readFileSync(join(dir, "kernels.bin"));
  const out = parseInt(readFileSync(join(dir, "kernels.out-address"), "utf8"), 16);
  const expected = readFileSync(join(dir, "kernels.expected"), "utf8").trim();
  mem.bytes.set(image, 0x100000);
  s.eip = 0x100000;
  const decoder = new Decoder(32);
  const insn = new Instruction();
  const used = new Set<string>();
  let steps = 0;
  while (!s.halted && steps < 2_000_000) {
    s.startEip = s.eip;
    s.startEsp = s.regs[4]!;
    decoder.decode(mem.bytes, s.eip, s.eip, insn);
    s.eip = insn.nextIp;
    HANDLERS[insn.code]!(s, insn);
    if (insn.mnemonic !== 0) used.add(String(insn.code));
    steps++;
  }
  expect(s.halted).toBe(true);
  const got = Array.from(mem.bytes.subarray(out, out + 256), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  expect(got).toBe(expected);
  expect(used.size).toBeGreaterThan(60);
});
