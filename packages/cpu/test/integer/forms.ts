// Instruction variants and a patterned flat machine shared by the baked-form tests: forms,
// registers, addressing, displacements, immediates and segments of the forms baked.ts makes, each
// run from the same registers and memory, compared by the state they leave.
import type { LinearFastPath } from "@ringvm/bus";
import { Decoder, Instruction } from "@ringvm/decoder";
import { SegReg } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

export const b = (v: number): string => (v & 0xff).toString(16).padStart(2, "0");
export const imm32 = (v: number): string => [0, 8, 16, 24].map((s) => b(v >>> s)).join("");
export const modrm = (mod: number, reg: number, rm: number): string =>
  b((mod << 6) | (reg << 3) | rm);

/** [base + index*2^scale + disp32] (index 4: none); segment prefix (or ""). */
export interface Mem {
  prefix: string;
  base: number;
  index: number;
  scale: number;
  disp: number;
}
export const mem = (reg: number, m: Mem): string =>
  modrm(2, reg, 4) + b((m.scale << 6) | (m.index << 3) | m.base) + imm32(m.disp);

export const MEMS: Mem[] = [];
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
export const REG_PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 0],
  [3, 6],
  [7, 2],
];
export const IMMS = [0, 1, 0x7f, -0x80, 0x12345678];

/** Machine code of every variant (one instruction each). */
export function variants(): string[] {
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

export function decode(code: string): Instruction {
  const insn = new Instruction();
  new Decoder(32).decode(hex(code), 0, 0x1000, insn);
  return insn;
}

/** A flat CPU whose ES and SS have bases of their own, registers and memory patterned. */
export const PATTERN = Uint8Array.from({ length: 1 << 16 }, (_, i) => (i * 7 + (i >>> 8)) & 0xff);
export interface Machine {
  cpu: ReturnType<typeof flatCpu>;
  memory: FlatMemory;
}
export function machine(): Machine {
  const memory = new FlatMemory(PATTERN.length);
  const cpu = flatCpu(memory);
  const DATA32 = 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000;
  cpu.loadSegmentCache(SegReg.ES, 0x10, 0x2000, 0xffffffff, DATA32);
  cpu.loadSegmentCache(SegReg.SS, 0x10, 0x3000, 0xffffffff, DATA32);
  return { cpu, memory };
}
/** The same registers, EIP, flags and memory before every variant (no form here loads a segment). */
export function reset({ cpu, memory }: Machine): Machine {
  memory.bytes.set(PATTERN);
  for (let r = 0; r < 8; r++) cpu.setReg32(r, r === 4 ? 0x8000 : 0x1000 + r * 0x340);
  cpu.eflags = 0x2;
  cpu.eip = 0x1000;
  return { cpu, memory };
}

/** Registers, EFLAGS and the bytes of memory that differ from the initial pattern. */
export function snapshot({ cpu, memory }: Machine): unknown {
  const regs = Array.from({ length: 8 }, (_, r) => cpu.getReg32(r));
  const written: [number, number][] = [];
  for (let i = 0; i < PATTERN.length; i++) {
    if (memory.bytes[i] !== PATTERN[i]) written.push([i, memory.bytes[i]!]);
  }
  return { regs, eip: cpu.eip, flags: cpu.eflags, written };
}

/**
 * An identity software TLB over `memory` (the Mmu's fast-path contract), every page plain RAM;
 * `masks` [read, write] 0x3 lets accesses take the fast path, 0 sends them all to the memory.
 */
export function fastPathOver(memory: FlatMemory, mask = 0x3): LinearFastPath {
  const tlb = new Int32Array(16);
  for (let p = 0; p < 16; p++) tlb[p] = (p << 12) | 1;
  const bytes = memory.bytes;
  return {
    tlb,
    u8: bytes,
    u16: new Uint16Array(bytes.buffer),
    i32: new Int32Array(bytes.buffer),
    masks: Int32Array.of(mask, mask),
  };
}
