// Deterministic mode: the default guest (Debian's 686 kernel + busybox initramfs from guests/)
// booted twice with `deterministic: true` gives byte-identical serial output, including the
// kernel's timestamps, `date`, /proc/uptime, and bytes from /dev/urandom (whose pool Linux seeds
// from RDTSC, interrupt timing and the RTC: all derived from the instruction count here). Input
// is typed in reaction to the prompt, so it reaches the guest at the same instruction each time.
import { describe, expect, it } from "vitest";
import type { PcConfig } from "../../src/index";
import { PROMPT, startLinuxMachine } from "../linux-machine";

/** Engine for both runs (RINGVM_DET_ENGINE=interpreter|recompiler|auto); auto is the fastest. */
const engine = (process.env["RINGVM_DET_ENGINE"] ?? "auto") as NonNullable<PcConfig["engine"]>;

/** Time-dependent commands (and a little work between them), one per prompt. */
const COMMANDS = [
  "date",
  "cat /proc/uptime",
  "head -c 32 /dev/urandom | od -A n -t x1",
  "i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo loop=$i",
  "sleep 1; cat /proc/uptime; date",
  "cat /proc/interrupts | head -4",
];

interface Run {
  /** Every byte the guest wrote to COM1, power-on to power-off. */
  serial: Buffer;
  instructions: number;
  guestNs: number;
}

async function bootAndRun(): Promise<Run> {
  const m = startLinuxMachine({ cmdline: "console=ttyS0 cryptomgr.notests", engine });
  await m.waitFor(PROMPT, 0);
  for (const command of COMMANDS) await m.run(command);
  m.pc.sendSerial("poweroff\n");
  const end = await m.ended;
  expect(end.reason).toBe("poweroff");
  return {
    serial: m.serialBytes(),
    instructions: m.pc.cpu.instructionCount,
    guestNs: m.pc.clock.now(),
  };
}

describe("deterministic mode", () => {
  // Two boots of about 4e8 guest instructions each (the kernel is unpacked on the host).
  it(
    "gives byte-identical serial output on two runs of the default guest",
    { timeout: 3_600_000 },
    async () => {
      const first = await bootAndRun();
      const second = await bootAndRun();

      const text = first.serial.toString("latin1");
      // The commands really ran and printed time-dependent values (oracles independent of
      // RingVM: the board's deterministic RTC starts at 2000-01-01 00:00:00 UTC, a Saturday).
      expect(text).toContain("RingVM guest: Linux 6.1.0-50-686");
      expect(text).toMatch(/\nSat Jan {2}1 00:00:0\d UTC 2000\r?\n/);
      expect(text).toMatch(/\n\d+\.\d\d \d+\.\d\d\r?\n/); // /proc/uptime
      expect(text).toMatch(/(\s[0-9a-f]{2}){16}\r?\n/); // urandom bytes
      expect(text).toContain("loop=300");
      expect(text).toMatch(/\[\s+\d+\.\d{6}\] /); // kernel timestamps (from the TSC)

      expect(second.instructions).toBe(first.instructions);
      expect(second.guestNs).toBe(first.guestNs);
      if (!second.serial.equals(first.serial)) {
        // Show where the transcripts part, not 100 KB of text.
        let at = 0;
        while (at < first.serial.length && first.serial[at] === second.serial[at]) at++;
        const around = (b: Buffer): string =>
          b.subarray(Math.max(0, at - 200), at + 200).toString("latin1");
        expect({ offset: at, second: around(second.serial) }).toEqual({
          offset: at,
          second: around(first.serial),
        });
      }
      expect(second.serial.equals(first.serial)).toBe(true);
      console.log(
        `deterministic (${engine}): ${first.serial.length} serial bytes, ${first.instructions} instructions, guest ${(first.guestNs / 1e9).toFixed(3)} s, identical twice`,
      );
    },
  );
});
