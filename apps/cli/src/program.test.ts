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

describe("ringvm CLI", () => {
  it("prints help and exits 0", async () => {
    const c = capture();
    expect(await runCli(["--help"], c.io)).toBe(0);
    expect(c.out.join("")).toContain("Usage: ringvm");
  });

  it("rejects an unknown option with one clear line and a non-zero code", async () => {
    const c = capture();
    const code = await runCli(["--no-such-flag"], c.io);
    expect(code).not.toBe(0);
    expect(c.err.join("")).toMatch(/unknown option '--no-such-flag'/);
  });
});
