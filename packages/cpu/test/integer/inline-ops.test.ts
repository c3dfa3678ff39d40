// The block loop's inline ops (block-cache.ts K_OP/K_OPJ: 32-bit register ALU/MOV/INC/DEC/shift/
// rotate forms the run loop executes itself, and the Jcc after one, tested on flags the loop
// computes directly) and the baked LEA must leave exactly the state the instruction's own
// handler leaves. The reference is
// the same program run one instruction at a time through the decode cache and the generic
// handlers (an armed DR7 instruction breakpoint elsewhere makes the loop single-step; those
// handlers are checked against the host CPU by test/native). Every form is run on edge operands
// (0, 1, -1, sign boundaries), both initial flag states, and followed by each of the 16 Jcc,
// by none, and with a budget of 1 (the op without its Jcc).
import { describe, expect, it } from "vitest";
import { type Cpu, StopReason } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

const VALUES = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, -2, -0x7fffffff, 0x80, 31];
/** Source operands (register or immediate). */
const SOURCES = [0, 1, -1, 0x7fffffff, -0x80000000, 31, 33, 16];
const FLAGS = [0x2, 0x8d7];
const EAX = 0;
const ECX = 1;
const EBX = 3;
const ESP = 4;
const EBP = 5;
const ESI = 6;

const imm32 = (v: number): string =>
  [0, 8, 16, 24].map((s) => ((v >>> s) & 0xff).toString(16).padStart(2, "0")).join("");
const b = (v: number): string => (v & 0xff).toString(16).padStart(2, "0");
const modrm = (reg: number, rm: number): string => b(0xc0 | (reg << 3) | rm);

interface Form {
  name: string;
  /** Machine code for destination `d`, source register `r`, immediate `v`. */
  code(d: number, r: number, v: number): string;
  /** Uses the immediate (else the source register). */
  imm?: boolean;
}

const ALU: [string, number, number, number][] = [
  // name, "op rm32,r32" opcode, /n of 81/83, "op EAX,imm32" opcode
  ["add", 0x01, 0, 0x05],
  ["or", 0x09, 1, 0x0d],
  ["and", 0x21, 4, 0x25],
  ["sub", 0x29, 5, 0x2d],
  ["xor", 0x31, 6, 0x35],
  ["cmp", 0x39, 7, 0x3d],
];

const FORMS: Form[] = [
  ...ALU.flatMap(([name, op, n, eaxOp]): Form[] => [
    { name: `${name} rm32,r32`, code: (d, r) => b(op) + modrm(r, d) },
    { name: `${name} r32,rm32`, code: (d, r) => b(op + 2) + modrm(d, r) },
    { name: `${name} rm32,imm32`, imm: true, code: (d, _r, v) => "81" + modrm(n, d) + imm32(v) },
    { name: `${name} rm32,imm8`, imm: true, code: (d, _r, v) => "83" + modrm(n, d) + b(v) },
    { name: `${name} eax,imm32`, imm: true, code: (_d, _r, v) => b(eaxOp) + imm32(v) },
  ]),
  { name: "test rm32,r32", code: (d, r) => "85" + modrm(r, d) },
  { name: "test rm32,imm32", imm: true, code: (d, _r, v) => "f7" + modrm(0, d) + imm32(v) },
  { name: "test rm32,imm32 (F7 /1)", imm: true, code: (d, _r, v) => "f7" + modrm(1, d) + imm32(v) },
  { name: "test eax,imm32", imm: true, code: (_d, _r, v) => "a9" + imm32(v) },
  { name: "inc r32", code: (d) => b(0x40 + d) },
  { name: "dec r32", code: (d) => b(0x48 + d) },
  { name: "inc rm32", code: (d) => "ff" + modrm(0, d) },
  { name: "dec rm32", code: (d) => "ff" + modrm(1, d) },
  { name: "mov rm32,r32", code: (d, r) => "89" + modrm(r, d) },
  { name: "mov r32,rm32", code: (d, r) => "8b" + modrm(d, r) },
  { name: "mov r32,imm32", imm: true, code: (d, _r, v) => b(0xb8 + d) + imm32(v) },
  { name: "mov rm32,imm32", imm: true, code: (d, _r, v) => "c7" + modrm(0, d) + imm32(v) },
  // LEA (baked, not inline): [d + r*2 + disp32] and [disp32].
  {
    name: "lea r32,[base+index*2+disp32]",
    code: (d, r, v) => "8d" + b(0x84 | (d << 3)) + b(0x40 | (r << 3) | d) + imm32(v),
  },
  { name: "lea r32,[disp32]", imm: true, code: (d, _r, v) => "8d" + b(0x05 | (d << 3)) + imm32(v) },
  ...(
    [
      ["shl", 4],
      ["sal", 6],
      ["shr", 5],
      ["sar", 7],
      ["rol", 0],
      ["ror", 1],
    ] as const
  ).flatMap(([name, n]): Form[] => [
    { name: `${name} rm32,1`, code: (d) => "d1" + modrm(n, d) },
    // After an ADD (lazy flags): a rotate changes only CF and OF of the materialized flags.
    { name: `add, ${name} rm32,5`, code: (d, r) => "03" + modrm(d, r) + "c1" + modrm(n, d) + "05" },
    // By CL: the source operand goes to ECX first (mov ecx, y: counts 0, 1, 31, 0x80000000...).
    {
      name: `${name} rm32,cl`,
      imm: true,
      code: (d, _r, v) => "b9" + imm32(v) + "d3" + modrm(n, d),
    },
    ...[1, 5, 31, 32, 33, 0].map((count): Form => ({
      name: `${name} rm32,${count}`,
      code: (d) => "c1" + modrm(n, d) + b(count),
    })),
  ]),
];

/** Destination/source register pairs (ESP included: inline ops need no startEsp). */
const REGS: [number, number][] = [
  [EAX, EBX],
  [ECX, ECX],
  [ESP, EBP],
];

interface Snapshot {
  regs: number[];
  eflags: number;
  eip: number;
}

function snapshot(cpu: Cpu): Snapshot {
  return {
    regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => cpu.getReg32(r)),
    eflags: cpu.eflags,
    eip: cpu.eip,
  };
}

/** Runs `code` at 0x1000 from the given registers/flags with run(budget) until HLT. */
function runProgram(
  cpu: Cpu,
  mem: FlatMemory,
  code: Uint8Array,
  regs: number[],
  flags: number,
  budget: number,
): Snapshot {
  mem.bytes.fill(0xf4, 0x1000, 0x1040);
  mem.bytes.set(code, 0x1000);
  for (let r = 0; r < 8; r++) cpu.setReg32(r, regs[r]!);
  cpu.eflags = flags;
  cpu.eip = 0x1000;
  cpu.state.halted = false;
  for (let n = 0; n < 10; n++) if (cpu.run(budget) !== StopReason.Budget) break;
  return snapshot(cpu);
}

describe("inline ops in blocks", () => {
  it("leave the state their handlers leave, with every Jcc after them", () => {
    const mem = new FlatMemory(1 << 20);
    const cpu = flatCpu(mem);
    const refMem = new FlatMemory(1 << 20);
    const ref = flatCpu(refMem);
    // The reference single-steps: DR0 = 0xff000 (never executed), DR7.L0 (instruction).
    refMem.bytes.set(hex("b800f00f00" + "0f23c0" + "b801040000" + "0f23f8" + "f4"), 0x1000);
    ref.run(100);
    expect(ref.state.debugMode).not.toBe(0);
    let checked = 0;
    const taken = [0, 0];
    const failures: string[] = [];
    for (const form of FORMS) {
      for (const [d, r] of REGS) {
        for (const x of VALUES) {
          for (const y of SOURCES) {
            for (const flags of FLAGS) {
              const op = form.code(d, r, y);
              // No Jcc, and two of the 16 (all 16 over the operand pairs).
              for (const cc of [-1, checked % 16, (checked + 7) % 16]) {
                // op / Jcc +5 / mov esi,1 / hlt: ESI tells whether the Jcc was taken.
                const code = hex(op + (cc < 0 ? "" : b(0x70 + cc) + "05") + "be01000000f4");
                const regs = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0x88];
                regs[d] = x;
                if (form.imm !== true && r !== d) regs[r] = y;
                const want = runProgram(ref, refMem, code, regs, flags, 1000);
                for (const budget of (checked & 7) === 0 ? [1000, 1] : [1000]) {
                  const got = runProgram(cpu, mem, code, regs, flags, budget);
                  if (JSON.stringify(got) !== JSON.stringify(want) && failures.length < 10) {
                    failures.push(
                      `${form.name} d${d} r${r} x=${x} y=${y} f=${flags} cc=${cc} budget ${budget}: ` +
                        `${JSON.stringify(got)} != ${JSON.stringify(want)}`,
                    );
                  }
                }
                if (cc >= 0) taken[ref.getReg32(ESI)]!++;
                checked++;
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(50_000);
    // Both outcomes of the Jcc happened many times (ESI 0: taken, 1: not taken).
    expect(Math.min(taken[0]!, taken[1]!)).toBeGreaterThan(10_000);
  });
});
