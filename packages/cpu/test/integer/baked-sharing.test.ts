// Baked handlers are shared between instructions with the same operand set (baked.ts
// HandlerCache): every instruction must still get a handler for its own operands. Each variant
// below (forms, registers, addressing, displacement, immediate, segment) is baked once to fill
// the cache, then decoded again and baked: the handler it gets (the shared one) must leave
// exactly the state the instruction's own handler (pickHandler: the decode cache's generic or
// specialized handler, checked against the host CPU by test/native) leaves.
import type { LinearFastPath } from "@ringvm/bus";
import { Code, Decoder, Instruction, OpKind, Register } from "@ringvm/decoder";
import { describe, expect, it } from "vitest";
import { bake, bakeFused, pickHandler, SegReg, testCondition } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

const b = (v: number): string => (v & 0xff).toString(16).padStart(2, "0");
const imm32 = (v: number): string => [0, 8, 16, 24].map((s) => b(v >>> s)).join("");
const modrm = (mod: number, reg: number, rm: number): string => b((mod << 6) | (reg << 3) | rm);

/** [base + index*2^scale + disp32] (index 4: none); segment prefix (or ""). */
interface Mem {
  prefix: string;
  base: number;
  index: number;
  scale: number;
  disp: number;
}
const mem = (reg: number, m: Mem): string =>
  modrm(2, reg, 4) + b((m.scale << 6) | (m.index << 3) | m.base) + imm32(m.disp);

const MEMS: Mem[] = [];
for (const prefix of ["", "26", "36"]) {
  for (const [base, index] of [
    [0, 4],
    [3, 6],
    [3, 7],
    [6, 3],
    [5, 7],
  ] as const) {
    for (const scale of [0, 2]) {
      for (const disp of [0x40, 0x44, -0x20]) MEMS.push({ prefix, base, index, scale, disp });
    }
  }
}
const REG_PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 0],
  [3, 6],
  [7, 2],
];
const IMMS = [0, 1, 0x7f, -0x80, 0x12345678];

/** Machine code of every variant (one instruction each). */
function variants(): string[] {
  const out: string[] = [];
  for (const [d, r] of REG_PAIRS) {
    for (const op of [0x01, 0x03, 0x09, 0x21, 0x29, 0x31, 0x39, 0x85])
      out.push(b(op) + modrm(3, r, d));
    for (const ext of [0, 4, 5, 7]) {
      for (const v of IMMS) {
        out.push("81" + modrm(3, ext, d) + imm32(v));
        if (v >= -0x80 && v <= 0x7f) out.push("83" + modrm(3, ext, d) + b(v));
      }
    }
    out.push("8b" + modrm(3, d, r), b(0xb8 + d) + imm32(0x1234 + r), b(0x40 + d), b(0x48 + d));
    // CALL rel32 (its own closure per site: the target and return address are baked in), RET.
    out.push("e8" + imm32(d * 0x100 - r * 0x10), "c3");
    out.push(b(0x50 + d), b(0x58 + r));
    for (const ext of [4, 5, 7])
      out.push("d1" + modrm(3, ext, d), "c1" + modrm(3, ext, d) + b(r + 1));
  }
  for (const m of MEMS) {
    const p = m.prefix;
    out.push(
      p + "8b" + mem(2, m),
      p + "89" + mem(1, m),
      p + "c7" + mem(0, m) + imm32(0x55aa + m.disp),
    );
    out.push(p + "03" + mem(2, m), p + "3b" + mem(1, m), p + "39" + mem(2, m));
    out.push(p + "83" + mem(7, m) + "05", p + "80" + mem(7, m) + "40", p + "84" + mem(1, m));
    out.push(p + "0fb6" + mem(2, m), p + "0fbe" + mem(1, m), p + "0fb7" + mem(2, m));
    out.push(p + "8a" + mem(4, m), p + "88" + mem(1, m), p + "c6" + mem(0, m) + "9c");
    out.push(p + "8d" + mem(2, m));
  }
  return out;
}

function decode(code: string): Instruction {
  const insn = new Instruction();
  new Decoder(32).decode(hex(code), 0, 0x1000, insn);
  return insn;
}

/** A flat CPU whose ES and SS have bases of their own, registers and memory patterned. */
const PATTERN = Uint8Array.from({ length: 1 << 16 }, (_, i) => (i * 7 + (i >>> 8)) & 0xff);
interface Machine {
  cpu: ReturnType<typeof flatCpu>;
  memory: FlatMemory;
}
function machine(): Machine {
  const memory = new FlatMemory(PATTERN.length);
  const cpu = flatCpu(memory);
  const DATA32 = 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000;
  cpu.loadSegmentCache(SegReg.ES, 0x10, 0x2000, 0xffffffff, DATA32);
  cpu.loadSegmentCache(SegReg.SS, 0x10, 0x3000, 0xffffffff, DATA32);
  return { cpu, memory };
}
/** The same registers, EIP, flags and memory before every variant (no form here loads a segment). */
function reset({ cpu, memory }: Machine): Machine {
  memory.bytes.set(PATTERN);
  for (let r = 0; r < 8; r++) cpu.setReg32(r, r === 4 ? 0x8000 : 0x1000 + r * 0x340);
  cpu.eflags = 0x2;
  cpu.eip = 0x1000;
  return { cpu, memory };
}

/** Registers, EFLAGS and the bytes of memory that differ from the initial pattern. */
function snapshot({ cpu, memory }: Machine): unknown {
  const regs = Array.from({ length: 8 }, (_, r) => cpu.getReg32(r));
  const written: [number, number][] = [];
  for (let i = 0; i < PATTERN.length; i++) {
    if (memory.bytes[i] !== PATTERN[i]) written.push([i, memory.bytes[i]!]);
  }
  return { regs, eip: cpu.eip, flags: cpu.eflags, written };
}

describe("baked handlers shared by operand set", () => {
  const codes = variants();
  const ownMachine = machine();
  const sharedMachine = machine();

  it("gives an instruction with the same operands the same closure", () => {
    for (const code of codes) {
      const first = bake(decode(code));
      if (first === undefined) continue;
      // CALL rel32 keeps a closure of its own (its operands are addresses).
      if (code.startsWith("e8")) expect(bake(decode(code))).not.toBe(first);
      else expect(bake(decode(code))).toBe(first);
    }
  });

  it("gives every variant a handler that does what its own handler does", () => {
    for (const code of codes) bake(decode(code));
    let baked = 0;
    for (const code of codes) {
      const insn = decode(code);
      const shared = bake(insn);
      if (shared === undefined) continue;
      baked++;
      const own = reset(ownMachine);
      pickHandler(insn)(own.cpu.state, insn);
      const viaShared = reset(sharedMachine);
      shared(viaShared.cpu.state, insn);
      expect(snapshot(viaShared), code).toEqual(snapshot(own));
    }
    // Every variant is a baked form (the list follows baked.ts).
    expect(baked).toBe(codes.length);
  });

  it("gives a fused pair the closure of its own condition", () => {
    for (let cc = 0; cc < 16; cc++) bakeFused(decode("29c8"), cc); // sub eax, ecx
    for (let cc = 0; cc < 16; cc++) {
      const insn = decode("29c8");
      const own = reset(ownMachine);
      pickHandler(insn)(own.cpu.state, insn);
      const expected = testCondition(own.cpu.state, cc);
      const viaShared = reset(sharedMachine);
      expect(bakeFused(insn, cc)!(viaShared.cpu.state), `cc ${cc}`).toBe(expected);
      expect(snapshot(viaShared)).toEqual(snapshot(own));
    }
  });

  it("keeps one cache per memory fast path: a closure reads the arrays it was made with", () => {
    // An identity TLB over a FlatMemory, every page plain RAM (the Mmu's fast-path contract).
    const withFastPath = (fill: number): { m: Machine; path: LinearFastPath } => {
      const m = machine();
      const tlb = new Int32Array(16);
      for (let p = 0; p < 16; p++) tlb[p] = (p << 12) | 1;
      const b = m.memory.bytes;
      const path: LinearFastPath = {
        tlb,
        u8: b,
        u16: new Uint16Array(b.buffer),
        i32: new Int32Array(b.buffer),
        masks: Int32Array.of(0x3, 0x3),
      };
      reset(m);
      m.memory.bytes.fill(fill);
      return { m, path };
    };
    const a = withFastPath(0x11);
    const b = withFastPath(0x22);
    for (const code of ["8b4340", "894b40", "8a4b40", "3b4340"]) {
      const insn = decode(code); // mov eax,[ebx+40h] / mov [ebx+40h],ecx / mov cl,[..] / cmp
      const onA = bake(insn, a.path, a.path)!;
      const onB = bake(insn, b.path, b.path)!;
      expect(onB).not.toBe(onA);
      expect(bake(decode(code), a.path, a.path)).toBe(onA);
      expect(bake(insn)).not.toBe(onA);
      for (const [{ m }, handler, fill] of [
        [a, onA, 0x11],
        [b, onB, 0x22],
      ] as const) {
        const own = reset(ownMachine);
        own.memory.bytes.fill(fill);
        pickHandler(insn)(own.cpu.state, insn);
        const before = snapshot(own);
        reset(m);
        m.memory.bytes.fill(fill);
        handler(m.cpu.state, insn);
        expect(snapshot(m), code).toEqual(before);
      }
    }
  });

  it("packs signature fields that fit their widths", () => {
    const max = (e: object): number =>
      Math.max(...Object.values(e).filter((v): v is number => typeof v === "number"));
    expect(max(Code)).toBeLessThan(1 << 16);
    expect(max(Register)).toBeLessThan(1 << 8);
    expect(max(OpKind)).toBeLessThan(1 << 8);
  });
});
