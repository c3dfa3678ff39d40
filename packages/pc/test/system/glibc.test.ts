// Real glibc code in the default guest against the same binary on the host CPU
// (guests/glibc-check: Debian's static i386 glibc, ENDBR32 at every function entry).
// libm: exp/log/pow/trig/gamma/... over fixed operands in all four rounding modes, every result
// and its exception flags compared with the record the host made. Functions built from IEEE
// operations alone (sqrt, rint, fmod, hypot, ...) must be bit-exact. Those built on the x87
// transcendentals (FSIN, FPATAN, F2XM1, FYL2X, ...) may differ in the last bit where the
// hardware's result is not the correctly rounded one (SDM vol. 1 8.3.10: Intel and AMD differ
// there too): each within one ulp, flags identical, and at least 99% bit-identical.
// threads: x87/SSE work in four preempted threads under a SIGALRM timer, atomics and a mutex,
// fork, and SIGSEGV handling; traps: CPU exceptions in user mode (#UD #BP #GP #DE #OF #BR #PF #MF
// #XM #DB) as the signal, si_code, trap number and error code the process sees; smc: code
// written and rewritten as a JIT does (in the block about to run, through an alias mapping,
// across mprotect and fork); ldt: LDT segments, limits, far calls into 16-bit code, LAR/LSL.
// Each output must equal the host's (*-expected.txt).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { PROMPT, startLinuxMachine } from "../linux-machine";

interface Line {
  name: string;
  ieee: boolean;
  exact: number;
  total: number;
  near: number;
  flags: number;
  text: string;
}

function parse(output: string): Line[] {
  const re = /^(\S+)\s+(ieee|x87t) (\d+)\/(\d+) exact, (\d+) within 1 ulp, flags (\d+)\/\d+/;
  const lines: Line[] = [];
  for (const text of output.split(/\r?\n/)) {
    const m = re.exec(text);
    if (m === null) continue;
    lines.push({
      name: m[1]!,
      ieee: m[2] === "ieee",
      exact: Number(m[3]),
      total: Number(m[4]),
      near: Number(m[5]),
      flags: Number(m[6]),
      text,
    });
  }
  return lines;
}

/**
 * The program's own lines in `run`'s transcript: without the echoed command, the prompt and
 * kernel messages the console printed meanwhile (`[    6.939670] clocksource: ...`).
 */
function outputLines(transcript: string): string[] {
  const lines = transcript.replace(/\r/g, "").split("\n").slice(1);
  return lines.filter((l) => l !== "" && !l.startsWith(PROMPT) && !/^\[ *\d+\.\d+\] /.test(l));
}

function expected(name: string): string[] {
  const url = new URL(`../../../../guests/glibc-check/${name}`, import.meta.url);
  return readFileSync(url, "utf8").trimEnd().split("\n");
}

describe("glibc programs in the guest", () => {
  it("libm, threads, traps, smc and ldt match the host CPU", { timeout: 600_000 }, async () => {
    const m = startLinuxMachine({
      cmdline: "console=ttyS0 cryptomgr.notests",
      extraInitrd: "glibc-check/glibc-check.cpio.gz",
    });
    await m.waitFor(PROMPT, 0);
    const output = await m.run("/glibc-check libm check /libm-expected.bin");
    const threads = await m.run("/glibc-check threads");
    const traps = await m.run("/glibc-check traps");
    const smc = await m.run("/glibc-check smc");
    const ldt = await m.run("/glibc-check ldt");
    m.pc.stop();
    expect(output).toContain("libm done");
    const lines = parse(output);
    // 40 functions in round-to-nearest and exp/log/sqrt/rint in the three directed modes.
    expect(lines.length).toBe(52);
    for (const l of lines) {
      expect.soft(l.total, l.text).toBe(1000);
      expect.soft(l.flags, l.text).toBe(l.total);
      expect.soft(l.near, l.text).toBe(l.total);
      if (l.ieee) expect.soft(l.exact, l.text).toBe(l.total);
      else expect.soft(l.exact / l.total, l.text).toBeGreaterThanOrEqual(0.99);
    }
    const exact = lines.reduce((n, l) => n + l.exact, 0);
    console.log(`libm: ${exact}/${lines.length * 1000} results bit-identical to the host`);
    expect(outputLines(threads)).toEqual(expected("threads-expected.txt"));
    expect(outputLines(traps)).toEqual(expected("traps-expected.txt"));
    expect(outputLines(smc)).toEqual(expected("smc-expected.txt"));
    expect(outputLines(ldt)).toEqual(expected("ldt-expected.txt"));
  });
});
