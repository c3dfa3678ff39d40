// Instruction-level behaviour of the x87 helpers: stack faults, unmasked-exception suppression,
// FCOMI flags, FXCH with an empty register. Expected values were observed on the host x87
// (x86-64, one-off inline-asm runs of the same instruction sequences) and agree with SDM vol. 1
// 8.5.1.1 (stack fault: IE+SF, C1 = 1 on overflow / 0 on underflow, masked response = real
// indefinite) and 8.5 (unmasked ZE leaves the destination unchanged).
import { describe, expect, it } from "vitest";
import {
  OP_ADD,
  OP_DIV,
  STORE,
  STORE_F32,
  STORE_F64,
  STORE_I32,
  MEM_F32,
  fpuLoadMem,
  fpuUnary,
  fpuArithSt,
  fpuComi,
  fpuExchange,
  fpuExamine,
  fpuPush,
  fpuStoreMem,
} from "../../src/x87/exec";
import { X87State } from "../../src/x87/state";
import { f80Sqrt } from "../../src/x87/softfloat/sqrt";
import { F80 } from "../../src/x87/softfloat/types";
import { fmt } from "./model";

const ONE = new F80().set(0x3fff, 0x80000000, 0);
const ZERO = new F80().set(0, 0, 0);
const st0 = (s: X87State): string => fmt(s.readSt(0, new F80()));

function fresh(): X87State {
  const s = new X87State();
  s.reset();
  return s;
}

describe("x87 instruction helpers (host-observed)", () => {
  it("FADD ST0,ST1 on an empty stack: IE+SF, real indefinite in ST0, SW 0041", () => {
    const s = fresh();
    expect(fpuArithSt(s, OP_ADD, 0, 1, false)).toBe(false);
    expect(st0(s)).toBe("ffffc000000000000000");
    expect(s.getSw()).toBe(0x0041);
  });

  it("nine FLD1: stack overflow pushes the indefinite, C1=1, SW 3A41", () => {
    const s = fresh();
    for (let i = 0; i < 9; i++) fpuPush(s, ONE);
    expect(st0(s)).toBe("ffffc000000000000000");
    expect(s.getSw()).toBe(0x3a41);
  });

  it("unmasked ZE (CW 037B): 1/0 leaves ST0 = 1.0, SW B084, exception pending", () => {
    const s = fresh();
    s.setCw(0x037b);
    fpuPush(s, ZERO);
    fpuPush(s, ONE);
    expect(fpuArithSt(s, OP_DIV, 0, 1, false)).toBe(true);
    expect(st0(s)).toBe("3fff8000000000000000");
    expect(s.getSw()).toBe(0xb084);
  });

  it("FIST m32 of an empty ST0 stores the integer indefinite, SW 0041", () => {
    const s = fresh();
    fpuStoreMem(s, STORE_I32, false);
    expect([STORE.store, STORE.lo >>> 0]).toEqual([true, 0x80000000]);
    expect(s.getSw()).toBe(0x0041);
  });

  it("FST m32/m64 with OE or UE unmasked: no store, only OE (B888) or UE (B890), even when exact", () => {
    const cases: [number, number, F80, number][] = [
      [0x0377, STORE_F32, new F80().set(0x7000, 0x80000000, 0), 0xb888],
      [0x036f, STORE_F32, new F80().set(0x1000, 0xc0000000, 1), 0xb890],
      [0x036f, STORE_F32, new F80().set(0x3f70, 0x80000000, 0), 0xb890],
      [0x036f, STORE_F64, new F80().set(0x1000, 0xc0000000, 1), 0xb890],
    ];
    for (const [cw, type, v, sw] of cases) {
      const s = fresh();
      s.setCw(cw);
      fpuPush(s, v);
      expect(fpuStoreMem(s, type, false)).toBe(true);
      expect(STORE.store).toBe(false);
      expect(s.getSw()).toBe(sw);
    }
  });

  it("unmasked IE (CW 037E): FSQRT(-1) keeps ST0, FLD m32 SNaN does not push; SW B881", () => {
    let s = fresh();
    s.setCw(0x037e);
    fpuPush(s, new F80().set(0xbfff, 0x80000000, 0));
    expect(fpuUnary(s, f80Sqrt)).toBe(true);
    expect(st0(s)).toBe("bfff8000000000000000");
    expect(s.getSw()).toBe(0xb881);
    s = fresh();
    s.setCw(0x037e);
    fpuPush(s, ONE);
    expect(fpuLoadMem(s, MEM_F32, 0x7f800001, 0)).toBe(true);
    expect(st0(s)).toBe("3fff8000000000000000");
    expect(s.getSw()).toBe(0xb881);
  });

  it("FCOMI: greater -> no flags, less -> CF, empty -> ZF PF CF with IE+SF", () => {
    let s = fresh();
    fpuPush(s, ZERO);
    fpuPush(s, ONE);
    expect(fpuComi(s, 1, false, false)).toBe(0);
    s = fresh();
    fpuPush(s, ONE);
    fpuPush(s, ZERO);
    expect(fpuComi(s, 1, false, false)).toBe(0x01);
    expect(s.getSw()).toBe(0x3000);
    s = fresh();
    fpuPush(s, ONE);
    expect(fpuComi(s, 1, false, false)).toBe(0x45);
    expect(s.getSw()).toBe(0x3841);
  });

  it("FXCH with an empty ST(2): masked IE+SF, ST0 becomes the indefinite", () => {
    const s = fresh();
    fpuPush(s, ONE);
    fpuExchange(s, 2);
    expect(st0(s)).toBe("ffffc000000000000000");
    expect(s.getSw()).toBe(0x3841);
  });

  it("FXAM of an empty register after FNINIT: C3 and C0 (SDM vol. 2 FXAM table)", () => {
    const s = fresh();
    fpuExamine(s);
    expect(s.getSw() & 0x4700).toBe(0x4100);
  });

  it("MMX aliasing: a write sets TOP=0, all tags valid, exponent FFFF; EMMS empties (SDM vol. 1 9.5)", () => {
    const s = fresh();
    fpuPush(s, ONE);
    s.mmxEnter();
    s.mmxWrite(3, 0x12345678, 0x9abcdef0);
    expect(s.top).toBe(0);
    expect(s.abridgedTag()).toBe(0xff);
    expect(fmt(s.readSt(3, new F80()))).toBe("ffff123456789abcdef0");
    expect([s.mmxHi(3), s.mmxLo(3)]).toEqual([0x12345678, 0x9abcdef0]);
    s.emms();
    expect(s.tagWord()).toBe(0xffff);
  });
});
