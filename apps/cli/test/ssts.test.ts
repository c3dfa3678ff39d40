// `ringvm ssts` on three hardware-recorded SingleStepTests 80286 vectors (MIT, see
// fixtures/ssts/LICENSE.upstream), and on a copy whose recorded result was altered.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/program";

const FIXTURES = join(import.meta.dirname, "fixtures", "ssts");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
}

describe("ringvm ssts", () => {
  it("replays recorded vectors and ends with the pass/fail line", async () => {
    const c = capture();
    expect(await runCli(["ssts", join(FIXTURES, "v1_real_mode")], c.io)).toBe(0);
    expect(c.out.join("")).toMatch(/^3 passed, 0 failed/m);
  });

  it("names the file, index and field of a vector whose result differs, and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-ssts-"));
    cpSync(FIXTURES, dir, { recursive: true });
    const file = join(dir, "v1_real_mode", "00.json");
    const tests = JSON.parse(readFileSync(file, "utf8")) as {
      idx: number;
      final: { regs: { ip: number } };
    }[];
    const want = tests[1]!.final.regs.ip ^ 1;
    tests[1]!.final.regs.ip = want;
    writeFileSync(file, JSON.stringify(tests));
    const c = capture();
    expect(await runCli(["ssts", file], c.io)).toBe(1);
    const out = c.out.join("");
    expect(out).toContain(`00#${tests[1]!.idx} `);
    expect(out).toMatch(new RegExp(`: ip: got [0-9a-f]+, want ${want.toString(16)}\n`));
    expect(out).toMatch(/^2 passed, 1 failed/m);
  });

  it("refuses a JSON file that is not a list of vectors in one line (a suite's manifest)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-ssts-"));
    cpSync(FIXTURES, dir, { recursive: true });
    const manifest = join(dir, "subset-manifest.json");
    writeFileSync(manifest, JSON.stringify({ files: ["v1_real_mode/00.json"] }));
    const c = capture();
    expect(await runCli(["ssts", dir], c.io)).toBe(1);
    expect(c.err.join("")).toBe(
      `ringvm: ssts: ${manifest} is not a vector file (expected a JSON array of tests)\n`,
    );
  });

  it("reports a missing path in one line", async () => {
    const c = capture();
    expect(await runCli(["ssts", "/no/such/vectors"], c.io)).toBe(1);
    expect(c.err.join("")).toBe("ringvm: ssts: cannot read /no/such/vectors\n");
  });
});
