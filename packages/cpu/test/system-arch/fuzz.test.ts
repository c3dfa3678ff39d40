// Robustness: random code over random descriptor tables, TSSs and IDT entries (fixed seeds) in
// protected, v8086 and real mode must only ever raise guest exceptions or shut down: the run
// loop may never throw to the host. The oracle here is that property, not a value.
import { describe, expect, it } from "vitest";
import { Cpu, SegReg } from "../../src/index";
import { setSegmentCache } from "../../src/segments";
import { SEG_TR } from "../../src/state/cpu-state";
import { FlatMemory, NullPorts } from "../../src/testing/index";

/** xorshift32: deterministic bytes. */
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Random descriptors, but mostly plausible ones (present code/data, gates, TSSs). */
function randomDescriptor(next: () => number): [number, number] {
  const kind = next() % 6;
  const base = next() % 4 === 0 ? next() & 0xfff000 : 0;
  const dpl = next() & 3;
  const present = next() % 8 !== 0 ? 0x80 : 0;
  if (kind === 0) return [next() | 0, next() | 0];
  if (kind <= 2) {
    const type = 0x10 | (next() & 0xf);
    const lo = 0xffff | ((base & 0xffff) << 16);
    const hi =
      ((base >>> 16) & 0xff) |
      ((present | (dpl << 5) | type) << 8) |
      (next() & 1 ? 0xcf0000 : 0x0f0000);
    return [lo | 0, hi | 0];
  }
  if (kind === 3)
    return [0x67 | (0x3000 << 16), ((present | (dpl << 5) | (next() & 1 ? 9 : 1)) << 8) | 0];
  const sel = (next() % 12) * 8 + (next() & 3);
  const type = [4, 5, 6, 7, 0xc, 0xe, 0xf][next() % 7]!;
  return [
    (0x1000 + (next() & 0xff)) | (sel << 16),
    ((present | (dpl << 5) | type) << 8) | (next() & 3),
  ];
}

describe("robustness under random system state", () => {
  it("random code and tables never throw to the host (60 seeds x 2,000 instructions)", () => {
    const mem = new FlatMemory(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    const s = cpu.state;
    let total = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed * 2654435761);
      mem.bytes.fill(0);
      for (let i = 0; i < 0x4000; i += 4) {
        const v = next();
        mem.bytes[i] = v;
        mem.bytes[i + 1] = v >>> 8;
        mem.bytes[i + 2] = v >>> 16;
        mem.bytes[i + 3] = v >>> 24;
      }
      cpu.reset();
      for (let d = 1; d < 16; d++) {
        const [lo, hi] = randomDescriptor(next);
        mem.write32(0x800 + d * 8, lo);
        mem.write32(0x800 + d * 8 + 4, hi);
      }
      for (let v = 0; v < 64; v++) {
        const [lo, hi] = randomDescriptor(next);
        mem.write32(0x2000 + v * 8, lo);
        mem.write32(0x2000 + v * 8 + 4, hi);
      }
      s.gdtrBase = 0x800;
      s.gdtrLimit = 0x7f;
      s.idtrBase = 0x2000;
      s.idtrLimit = 0x1ff;
      const mode = seed % 3; // 0 real, 1 protected ring 0..3, 2 v8086
      if (mode !== 0) {
        cpu.setControlRegister(0, s.cr0 | 1);
        setSegmentCache(s, SEG_TR, 0x18, 0x3000, 0x67, 0x8b);
        const cpl = next() & 3;
        cpu.loadSegmentCache(SegReg.CS, 0x08 | cpl, 0, 0xffffffff, 0xcf9b | (cpl << 5));
        for (const seg of [SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS]) {
          cpu.loadSegmentCache(seg, 0x10 | cpl, 0, 0xffffffff, 0xcf93 | (cpl << 5));
        }
        if (mode === 2) {
          cpu.eflags = 0x20002 | ((next() & 3) << 12);
          for (let seg = 0; seg < 6; seg++) cpu.loadSegmentReal(seg, 0);
          s.cpl = 3;
        } else {
          cpu.eflags = 0x2 | ((next() & 3) << 12);
        }
      }
      cpu.eip = 0x1000;
      for (let r = 0; r < 8; r++) cpu.setReg32(r, r === 4 ? 0x3800 : next());
      const before = cpu.instructionCount;
      expect(() => {
        for (let n = 0; n < 2000; n += 100) {
          s.halted = false;
          cpu.run(100);
        }
      }, `seed ${seed}`).not.toThrow();
      total += cpu.instructionCount - before;
    }
    // Most seeds run for a while before a shutdown (random IDTs make triple faults common).
    expect(total).toBeGreaterThan(30_000);
  }, 30_000);
});
