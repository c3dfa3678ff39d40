// Device-not-available and SIMD availability rules (SDM vol. 3 2.5 table 2-2, 13.1/13.2; vol. 2
// exception tables of FADD, PADDB, ADDPS, WAIT, FXSAVE, LDMXCSR), x87 error reporting through #MF
// or FERR# (SDM vol. 1 8.7), MMX state transitions (vol. 1 9.5) and the x87 pointer registers.
import { describe, expect, it } from "vitest";
import { CpuException } from "../../src/exceptions";
import { CODE, DATA, exec, makeState } from "./harness";

const FADD = [0xd8, 0xc1]; // fadd st0, st1
const PADDB_MM = [0x0f, 0xfc, 0xc1];
const PADDB_XMM = [0x66, 0x0f, 0xfc, 0xc1];
const ADDPS = [0x0f, 0x58, 0xc1];
const WAIT = [0x9b];

function vectorOf(f: () => unknown): number | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof CpuException) return e.vector;
    throw e;
  }
}

describe("availability", () => {
  it("CR0.EM: x87 #NM, MMX and SSE #UD", () => {
    const { s, mem } = makeState();
    s.cr0 |= 4;
    expect(vectorOf(() => exec(s, mem, FADD))).toBe(7);
    expect(vectorOf(() => exec(s, mem, PADDB_MM))).toBe(6);
    expect(vectorOf(() => exec(s, mem, ADDPS))).toBe(6);
  });

  it("CR0.TS: #NM for x87, MMX and SSE; WAIT only with MP", () => {
    const { s, mem } = makeState();
    s.cr0 |= 8;
    expect(vectorOf(() => exec(s, mem, FADD))).toBe(7);
    expect(vectorOf(() => exec(s, mem, PADDB_MM))).toBe(7);
    expect(vectorOf(() => exec(s, mem, ADDPS))).toBe(7);
    expect(vectorOf(() => exec(s, mem, WAIT))).toBe(null);
    s.cr0 |= 2;
    expect(vectorOf(() => exec(s, mem, WAIT))).toBe(7);
  });

  it("CR4.OSFXSR clear: XMM forms #UD, MMX forms run", () => {
    const { s, mem } = makeState();
    s.cr4 = 0;
    expect(vectorOf(() => exec(s, mem, ADDPS))).toBe(6);
    expect(vectorOf(() => exec(s, mem, PADDB_XMM))).toBe(6);
    expect(vectorOf(() => exec(s, mem, PADDB_MM))).toBe(null);
  });

  it("unmasked SIMD exception: #XM with OSXMMEXCPT, #UD without; flag set, destination kept", () => {
    const { s, mem } = makeState();
    s.sse.mxcsr = 0x1f80 & ~0x200; // ZE unmasked
    const f = new Float32Array(s.sse.d.buffer);
    f.set([1, 2, 3, 4], 0);
    f.set([1, 0, 1, 1], 4);
    expect(vectorOf(() => exec(s, mem, [0x0f, 0x5e, 0xc1]))).toBe(19); // divps xmm0, xmm1
    expect(Array.from(f.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(s.sse.mxcsr).toBe(0x1d84);
    s.cr4 &= ~0x400;
    expect(vectorOf(() => exec(s, mem, [0x0f, 0x5e, 0xc1]))).toBe(6);
  });

  it("misaligned FXSAVE and MOVAPS, reserved MXCSR bits: #GP", () => {
    const { s, mem } = makeState();
    s.regs[0] = DATA + 8;
    expect(vectorOf(() => exec(s, mem, [0x0f, 0xae, 0x00]))).toBe(13); // fxsave [eax]
    expect(vectorOf(() => exec(s, mem, [0x0f, 0x28, 0x00]))).toBe(13); // movaps xmm0, [eax]
    expect(vectorOf(() => exec(s, mem, [0x0f, 0x10, 0x00]))).toBe(null); // movups is fine
    s.regs[0] = DATA;
    mem.bytes.set([0, 0, 1, 0], DATA); // MXCSR = 0x10000
    expect(vectorOf(() => exec(s, mem, [0x0f, 0xae, 0x10]))).toBe(13); // ldmxcsr [eax]
  });
});

describe("x87 error reporting", () => {
  function pendingZe(): ReturnType<typeof makeState> {
    const st = makeState();
    const { s, mem } = st;
    exec(s, mem, [0xdb, 0xe3]); // fninit
    s.regs[0] = DATA;
    mem.bytes.set([0x7b, 0x03], DATA); // CW 037B: ZE unmasked
    exec(s, mem, [0xd9, 0x28]); // fldcw [eax]
    exec(s, mem, [0xd9, 0xee]); // fldz
    exec(s, mem, [0xd9, 0xe8]); // fld1
    exec(s, mem, [0xd8, 0xf1]); // fdiv st0, st1 -> ZE pending
    return st;
  }

  it("CR0.NE=1: the next waiting instruction raises #MF; FNSTSW does not", () => {
    const { s, mem } = pendingZe();
    expect(s.fpu.getSw() & 0x8084).toBe(0x8084); // B, ES, ZE
    expect(vectorOf(() => exec(s, mem, [0xdf, 0xe0]))).toBe(null); // fnstsw ax
    expect(s.regs[0]! & 0xffff).toBe(s.fpu.getSw());
    expect(vectorOf(() => exec(s, mem, FADD))).toBe(16);
    expect(vectorOf(() => exec(s, mem, WAIT))).toBe(16);
    expect(vectorOf(() => exec(s, mem, PADDB_MM))).toBe(16);
    exec(s, mem, [0xdb, 0xe2]); // fnclex
    expect(vectorOf(() => exec(s, mem, WAIT))).toBe(null);
  });

  it("CR0.NE=0: FERR# is asserted (IRQ 13 route) and FNCLEX deasserts it", () => {
    const { s, mem } = pendingZe();
    s.cr0 &= ~0x20;
    const events: boolean[] = [];
    s.fpu.onFerr = (level) => events.push(level);
    expect(vectorOf(() => exec(s, mem, WAIT))).toBe(null);
    expect(s.fpu.ferr).toBe(true);
    exec(s, mem, WAIT);
    exec(s, mem, [0xdb, 0xe2]); // fnclex
    expect(events).toEqual([true, false]);
  });

  it("FIP/FCS/FOP/FDP/FDS of the last non-control instruction", () => {
    const { s, mem } = makeState();
    s.segSel[1] = 0x1b;
    s.segSel[3] = 0x23;
    s.regs[0] = DATA + 4;
    exec(s, mem, [0xdd, 0x40, 0x08]); // fld qword [eax+8]
    expect([s.fpu.fip, s.fpu.fcs, s.fpu.fop, s.fpu.fdp, s.fpu.fds]).toEqual([
      CODE,
      0x1b,
      0x540,
      DATA + 12,
      0x23,
    ]);
    exec(s, mem, [0xd9, 0x38]); // fnstcw [eax]: control instruction, pointers kept
    expect(s.fpu.fop).toBe(0x540);
  });
});

describe("MMX state", () => {
  it("an MMX instruction sets TOP=0 and all tags valid, writes exponent 0xFFFF; EMMS empties", () => {
    const { s, mem } = makeState();
    exec(s, mem, [0xd9, 0xe8]); // fld1: TOP=7
    exec(s, mem, PADDB_MM);
    expect(s.fpu.top).toBe(0);
    expect(s.fpu.abridgedTag()).toBe(0xff);
    expect(s.fpu.se[0]).toBe(0xffff);
    exec(s, mem, [0x0f, 0x77]);
    expect(s.fpu.abridgedTag()).toBe(0);
  });
});

describe("x87 transcendentals through the dispatch table", () => {
  it("FSIN, FCOS, F2XM1, FPATAN, FYL2X, FPTAN (within 1e-15 of Math)", () => {
    const { s, mem } = makeState();
    s.regs[0] = DATA;
    const FLD1 = [0xd9, 0xe8];
    const run = (...ops: number[][]): number => {
      exec(s, mem, [0xdb, 0xe3]); // fninit
      for (const b of ops) exec(s, mem, b);
      exec(s, mem, [0xdd, 0x18]); // fstp qword [eax]
      return new Float64Array(mem.bytes.slice(DATA, DATA + 8).buffer)[0]!;
    };
    const close = (a: number, b: number): boolean =>
      Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b));
    expect(close(run(FLD1, [0xd9, 0xfe]), Math.sin(1))).toBe(true);
    expect(close(run(FLD1, [0xd9, 0xff]), Math.cos(1))).toBe(true);
    expect(close(run(FLD1, [0xd9, 0xf0]), 1)).toBe(true); // F2XM1(1) = 2 - 1
    expect(close(run(FLD1, FLD1, [0xd9, 0xf3]), Math.PI / 4)).toBe(true); // FPATAN atan(1/1)
    expect(close(run(FLD1, FLD1, [0xd8, 0xc0], [0xd9, 0xf1]), 1)).toBe(true); // 1 * log2(2)
    expect(close(run(FLD1, [0xd9, 0xf2], [0xdd, 0xd8]), Math.tan(1))).toBe(true); // FPTAN, drop 1.0
  });
});
