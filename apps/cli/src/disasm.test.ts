// `ringvm disasm`: expected texts are the SDM encodings (Vol. 2 opcode tables): 31 C0 is
// XOR r/m32, r32 (eax, eax); 8B 44 24 08 is MOV r32, r/m32 with SIB [esp+8]; C3 is RET.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./program";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
}
const dir = mkdtempSync(join(tmpdir(), "ringvm-disasm-"));
const raw = join(dir, "code.bin");
writeFileSync(raw, Uint8Array.from([0x31, 0xc0, 0x8b, 0x44, 0x24, 0x08, 0xc3, 0x8b]));

describe("ringvm disasm", () => {
  it("prints raw 32-bit code with addresses from --base", async () => {
    const c = capture();
    expect(await runCli(["disasm", raw, "--base", "0x1000", "--length", "7"], c.io)).toBe(0);
    const lines = c.out.join("").trim().split("\n");
    expect(lines).toEqual([
      "00001000  31c0                           xor eax, eax",
      "00001002  8b442408                       mov eax, dword ptr [esp+8]",
      "00001006  c3                             ret",
    ]);
  });

  it("--json gives one object a line and reports a cut-off last instruction", async () => {
    const c = capture();
    expect(await runCli(["disasm", raw, "--json", "--offset", "6"], c.io)).toBe(0);
    const objs = c.out
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objs[0]).toEqual({
      offset: 6,
      address: 0,
      length: 1,
      bytes: "c3",
      mnemonic: "ret",
      text: "ret",
    });
    expect(objs[1]).toMatchObject({ offset: 7, bytes: "8b", text: "(bad)" });
    expect(c.err.join("")).toMatch(/cut off/);
  });

  it("walks past an EVEX instruction with its whole length", async () => {
    // 62 F1 7D 48 6F 04 24 is VMOVDQA32 zmm0, [rsp] (SDM Vol. 2, EVEX.512.66.0F.W0 6F /r):
    // 7 bytes, as iced-x86 decodes it; 90 is NOP.
    const evex = join(dir, "evex.bin");
    writeFileSync(evex, Uint8Array.from([0x62, 0xf1, 0x7d, 0x48, 0x6f, 0x04, 0x24, 0x90]));
    const c = capture();
    expect(await runCli(["disasm", evex, "--bits", "64"], c.io)).toBe(0);
    expect(c.out.join("").trim().split("\n")).toEqual([
      "00000000  62f17d486f0424                 (evex)",
      "00000007  90                             nop",
    ]);
  });

  it("a missing file is one clear error and a non-zero exit", async () => {
    const c = capture();
    expect(await runCli(["disasm", join(dir, "nope.bin")], c.io)).not.toBe(0);
    expect(c.err.join("")).toMatch(/cannot read .*nope\.bin/);
  });

  it("rejects a bad --bits", async () => {
    const c = capture();
    expect(await runCli(["disasm", raw, "--bits", "8"], c.io)).not.toBe(0);
    expect(c.err.join("")).toMatch(/--bits must be 16, 32 or 64/);
  });
});
