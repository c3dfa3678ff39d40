import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./program";
import {
  parseBootOrder,
  parseHotThreshold,
  parseMemory,
  parseNsPerInstruction,
  parsePortAccessNs,
} from "./run";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      console: { writeOut: () => undefined },
    },
    out,
    err,
  };
}

describe("ringvm run", () => {
  it("reports a missing kernel in one line with exit code 1", async () => {
    const c = capture();
    expect(await runCli(["run", "--kernel", "/no/such/vmlinuz"], c.io)).toBe(1);
    expect(c.err.join("")).toBe("ringvm: cannot read kernel /no/such/vmlinuz: no such file\n");
  });

  it("boots the default guest when given nothing to boot, with the options given", async () => {
    const c = capture();
    const shown: string[] = [];
    const io = {
      ...c.io,
      console: { writeOut: (data: Uint8Array) => shown.push(new TextDecoder().decode(data)) },
    };
    const args = ["run", "-m", "96", "--exit-on", "Linux version", "--timeout", "300"];
    expect(await runCli(args, io)).toBe(0);
    expect(shown.join("")).toContain("Linux version 6.1.0-50-686 ");
  }, 300_000);

  it("reports a file that is not a kernel", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-run-"));
    try {
      const tiny = join(dir, "tiny.bin");
      writeFileSync(tiny, new Uint8Array(100));
      const c = capture();
      expect(await runCli(["run", "--kernel", tiny], c.io)).toBe(1);
      expect(c.err.join("")).toBe("ringvm: kernel image is 100 bytes: too small to be a bzImage\n");
      // Long enough, but no Linux setup header.
      const zeros = join(dir, "zeros.bin");
      writeFileSync(zeros, new Uint8Array(8192));
      const d = capture();
      expect(await runCli(["run", "--kernel", zeros], d.io)).toBe(1);
      expect(d.err.join("")).toBe(
        'ringvm: kernel image has no "HdrS" setup header at 0x202: not a Linux bzImage\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects bad -m, --serial and --boot values", async () => {
    for (const args of [
      ["-m", "lots"],
      ["--serial", "tcp:1234"],
      ["--boot", "z"],
      ["--hot-threshold", "0"],
      ["--hot-threshold", "1e3"],
    ]) {
      const c = capture();
      expect(await runCli(["run", "--kernel", "x", ...args], c.io)).toBe(1);
      expect(c.err).toHaveLength(1);
    }
  });

  it("rejects an unknown --backend, naming the choices", async () => {
    const c = capture();
    expect(await runCli(["run", "--kernel", "x", "--backend", "llvm"], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/'llvm' is invalid\. Allowed choices are js, wasm\./);
  });

  it("parses sizes and boot letters", () => {
    expect(parseMemory("128")).toBe(128 << 20);
    expect(parseMemory("1G")).toBe(1 << 30);
    expect(parseMemory("65536K")).toBe(64 << 20);
    expect(() => parseMemory("0")).toThrow(/1 MiB to 3.5 GiB/);
    expect(parseHotThreshold("500")).toBe(500);
    expect(() => parseHotThreshold("-5")).toThrow(/--hot-threshold -5: expected a whole number/);
    expect(parseNsPerInstruction("3")).toBe(3);
    for (const bad of ["0", "2.5", "1001", "x"])
      expect(() => parseNsPerInstruction(bad)).toThrow(
        new RegExp(`--ns-per-instruction ${bad.replace(".", "\\.")}: expected a whole number`),
      );
    expect(parsePortAccessNs("0")).toBe(0);
    expect(parsePortAccessNs("250")).toBe(250);
    for (const bad of ["-1", "0.5", "100001", ""])
      expect(() => parsePortAccessNs(bad)).toThrow(
        new RegExp(`--port-access-ns ${bad.replace(".", "\\.")}: expected a whole number`),
      );
    expect(parseBootOrder("dca")).toEqual(["cdrom", "disk", "floppy"]);
  });
});
