import { describe, expect, it } from "vitest";
import {
  bootSourceFor,
  formatStatus,
  guessFileRole,
  integerScale,
  statusFigures,
  type StatsSample,
} from "./protocol";

const base: StatsSample = {
  at: 10_000,
  instructions: 0,
  exits: 0,
  guestMs: 0,
  idleMs: 0,
  wallMs: 0,
  pausedMs: 0,
  engine: "interpreter",
  translated: 0,
  interpreted: 0,
};

describe("statusFigures", () => {
  it("computes MIPS, time shares and exits/s over the interval between two samples", () => {
    const a: StatsSample = {
      ...base,
      at: 1000,
      instructions: 5e6,
      exits: 100,
      guestMs: 500,
      wallMs: 1000,
    };
    // One second later: 20 M instructions, 600 ms guest, 100 ms idle, 300 ms host, 2000 exits.
    const b: StatsSample = {
      ...a,
      at: 2000,
      instructions: 25e6,
      exits: 2100,
      guestMs: 1100,
      idleMs: 100,
      wallMs: 2000,
    };
    const f = statusFigures(a, b);
    expect(f.mips).toBeCloseTo(20, 10);
    expect(f.guestShare).toBeCloseTo(0.6, 10);
    expect(f.idleShare).toBeCloseTo(0.1, 10);
    expect(f.hostShare).toBeCloseTo(0.3, 10);
    expect(f.exitsPerSecond).toBeCloseTo(2000, 10);
    expect(formatStatus(f)).toBe(
      "20.0 MIPS · interpreter 100% · guest 60% host 30% idle 10% · 2,000 exits/s",
    );
  });

  it("leaves paused time out of the shares and reports the translated share", () => {
    const a: StatsSample = { ...base, at: 0, engine: "auto" };
    const b: StatsSample = {
      ...a,
      at: 2000,
      instructions: 4e6,
      guestMs: 500,
      wallMs: 2000,
      pausedMs: 1000,
      translated: 3e6,
      interpreted: 1e6,
    };
    const f = statusFigures(a, b);
    expect(f.guestShare).toBeCloseTo(0.5, 10);
    expect(f.hostShare).toBeCloseTo(0.5, 10);
    expect(f.mips).toBeCloseTo(2, 10);
    expect(f.translatedShare).toBeCloseTo(0.75, 10);
    expect(formatStatus(f)).toContain("translated 75% / interpreted 25%");
  });

  it("uses the counters since power-on for the first sample", () => {
    const first: StatsSample = { ...base, at: 5000, instructions: 3e6, guestMs: 900, wallMs: 1000 };
    const f = statusFigures(undefined, first);
    expect(f.mips).toBeCloseTo(3, 10);
    expect(f.guestShare).toBeCloseTo(0.9, 10);
  });
});

describe("guessFileRole", () => {
  it("sorts dropped files by name and size", () => {
    expect(guessFileRole("debian-12.iso", 600 << 20)).toBe("cdrom");
    expect(guessFileRole("vmlinuz-6.1.0-50-686", 5 << 20)).toBe("kernel");
    expect(guessFileRole("bzImage", 5 << 20)).toBe("kernel");
    expect(guessFileRole("initrd.img-6.1.0", 30 << 20)).toBe("initrd");
    expect(guessFileRole("rootfs.cpio.gz", 1 << 20)).toBe("initrd");
    expect(guessFileRole("freedos.img", 1440 * 1024)).toBe("fda");
    expect(guessFileRole("boot.ima", 99)).toBe("fda");
    expect(guessFileRole("disk.qcow2", 10 << 20)).toBe("hda");
    expect(guessFileRole("hd.img", 64 << 20)).toBe("hda");
  });

  it("picks the boot source that goes with a file", () => {
    expect(bootSourceFor("initrd")).toBe("kernel");
    expect(bootSourceFor("hda")).toBe("disk");
    expect(bootSourceFor("cdrom")).toBe("cdrom");
    expect(bootSourceFor("fda")).toBe("floppy");
  });
});

describe("integerScale", () => {
  it("is the largest whole factor that fits, at least 1", () => {
    expect(integerScale(720, 400, 1500, 900)).toBe(2);
    expect(integerScale(640, 480, 1920, 1440)).toBe(3);
    expect(integerScale(1024, 768, 800, 600)).toBe(1);
  });
});
