// Compact forms (baked.ts compactForm / runCompact: the commonest forms as a word and an
// argument, for the recompiler's cold blocks) against each instruction's own handler
// (pickHandler: the decode cache's generic or specialized handler, checked against the host CPU
// by test/native): every variant must leave the same registers, EIP, flags and memory, through
// the memory's fast path and through its slow path.
import { Code } from "@ringvm/decoder";
import { describe, expect, it } from "vitest";
import {
  compactArg,
  compactForm,
  pickHandler,
  runCompact,
  SegReg,
  CpuException,
} from "../../src/index";
import {
  b,
  decode,
  fastPathOver,
  imm32,
  machine,
  mem,
  MEMS,
  modrm,
  REG_PAIRS,
  reset,
  snapshot,
  variants,
} from "./forms";

/** The baked forms' variants and forms only the compact ones have (8-bit CMP/TEST, MOV moffs). */
function compactVariants(): string[] {
  const out = variants();
  for (const [d, r] of REG_PAIRS) {
    // TEST/CMP r/m8, r8 and r/m8, imm8 on registers (AH..BH included), CMP/TEST AL, imm8.
    out.push("84" + modrm(3, r, d), "38" + modrm(3, r, d + 4), "3a" + modrm(3, d, r));
    out.push("80" + modrm(3, 7, d) + "80", "f6" + modrm(3, 0, d + 4) + "81", "3c" + b(r * 0x31));
    out.push("a8" + b(0x80 | d));
    // ROL/ROR by 1 and by constants (masked to 5 bits, 0 and 32 change nothing), SAL.
    for (const ext of [0, 1])
      for (const count of ["01", "1f", "20", "00", b(r + 3)])
        out.push("d1" + modrm(3, ext, d), "c1" + modrm(3, ext, d) + count);
    out.push("d1" + modrm(3, 6, d), "c1" + modrm(3, 6, d) + "21");
  }
  for (const m of MEMS) {
    // Displacements in the word (10 bits) and past it, immediates 8 and 32 bits.
    for (const disp of [m.disp, -0x200, 0x1ff, 0x200]) {
      const at = { ...m, disp };
      out.push(m.prefix + "c7" + mem(0, at) + imm32(-0x1234));
      out.push(m.prefix + "81" + mem(7, at) + imm32(0x55aa), m.prefix + "83" + mem(7, at) + "f0");
      out.push(m.prefix + "f7" + mem(0, at) + imm32(0x8001), m.prefix + "f6" + mem(0, at) + "c3");
      out.push(m.prefix + "80" + mem(7, at) + "7f");
    }
    out.push(m.prefix + "a1" + imm32(0x40 + m.disp), m.prefix + "a3" + imm32(0x80 + m.disp));
    out.push(m.prefix + "0fbf" + mem(3, m)); // movsx ebx, word [m]
  }
  return out.concat(extendedVariants());
}

/**
 * The forms added to the first ones: ADC/SBB, IMUL r32, r/m32 and r32, r32, imm, shifts by CL,
 * MOVZX/MOVSX of registers, CMOVcc and SETcc, NOT, NEG, BSWAP, PUSH imm, LEAVE, NOPs; and of
 * memory: read-modify-writes by a register, an immediate byte (CMP too), INC/DEC/NOT/NEG, 8- and
 * 16-bit stores, PUSH r/m32.
 */
function extendedVariants(): string[] {
  const out: string[] = [];
  for (const [d, r] of REG_PAIRS) {
    out.push("11" + modrm(3, r, d), "19" + modrm(3, r, d), "13" + modrm(3, d, r));
    out.push("83" + modrm(3, 2, d) + "05", "83" + modrm(3, 3, d) + "fb");
    out.push("0faf" + modrm(3, d, r));
    for (const ext of [0, 1, 4, 5, 7]) out.push("d3" + modrm(3, ext, d));
    for (const op of ["0fb6", "0fbe", "0fb7", "0fbf"])
      out.push(op + modrm(3, d, r), op + modrm(3, r, d));
    out.push("f7" + modrm(3, 2, d), "f7" + modrm(3, 3, d), "0f" + b(0xc8 + d));
    out.push("6b" + modrm(3, d, r) + "f9", "69" + modrm(3, d, r) + imm32(0x12345 + r));
    out.push("69" + modrm(3, d, r) + imm32(0x7fff0000), "6b" + modrm(3, d, d) + "40");
    for (let cc = 0; cc < 16; cc++)
      out.push("0f" + b(0x40 + cc) + modrm(3, d, r), "0f" + b(0x90 + cc) + modrm(3, 0, r));
  }
  out.push("6a05", "6afd", "68" + imm32(0x12345), "c9", "90", "6690", "0f1f4000", "0f1f440000");
  // Each memory operand also one byte off (unaligned: the fast path refuses it).
  for (const m of MEMS.flatMap((at) => [at, { ...at, disp: at.disp + 1 }])) {
    const p = m.prefix;
    for (const op of [0x01, 0x11, 0x29, 0x19, 0x21, 0x09, 0x31]) out.push(p + b(op) + mem(3, m));
    for (let ext = 0; ext < 8; ext++) out.push(p + "83" + mem(ext, m) + (ext & 1 ? "80" : "7f"));
    out.push(
      p + "ff" + mem(0, m),
      p + "ff" + mem(1, m),
      p + "f7" + mem(2, m),
      p + "f7" + mem(3, m),
    );
    out.push(p + "0f45" + mem(2, m), p + "0f44" + mem(3, m), p + "0faf" + mem(6, m));
    out.push(p + "6689" + mem(1, m), p + "66c7" + mem(0, m) + "efbe", p + "88" + mem(5, m));
    out.push(p + "ff" + mem(6, m), p + "8a" + mem(7, m));
  }
  return out;
}

/** EFLAGS the variants start from: none of the status flags, all of them, CF and ZF, SF. */
const START_FLAGS = [0x2, 0x8d7, 0x43, 0x82];

/** The vector of the CPU exception `run` throws, or -1. */
function vectorOf(run: () => void): number {
  try {
    run();
    return -1;
  } catch (e) {
    if (!(e instanceof CpuException)) throw e;
    return e.vector;
  }
}

/** A machine for the handlers, one for the compact forms and its fast path (`mask`: its masks). */
function machines(mask: number): {
  own: ReturnType<typeof machine>;
  compact: ReturnType<typeof machine>;
  fast: ReturnType<typeof fastPathOver>;
} {
  const own = machine();
  const compact = machine();
  return { own, compact, fast: fastPathOver(compact.memory, mask) };
}

describe("compact forms", () => {
  const codes = compactVariants();

  it.each([
    ["fast path", 0x3],
    ["slow path", 0],
  ])("leave what each instruction's own handler leaves (%s)", (_, mask) => {
    const { own, compact, fast } = machines(mask);
    let n = 0;
    for (const code of codes) {
      const insn = decode(code);
      const word = compactForm(insn, true);
      if (word < 0) continue;
      n++;
      for (const flags of START_FLAGS) {
        // The block loops' contract: EIP is the next instruction's when a form runs.
        for (const m of [own, compact]) {
          reset(m).cpu.eip = insn.nextIp;
          m.cpu.eflags = flags;
        }
        pickHandler(insn)(own.cpu.state, insn);
        runCompact(compact.cpu.state, word, compactArg(insn, word), fast);
        expect(snapshot(compact), `${code} flags ${flags}`).toEqual(snapshot(own));
      }
    }
    expect(n).toBeGreaterThan(codes.length / 2);
  });

  it.each([
    ["fast path", 0x3],
    ["slow path", 0],
  ])("push, pop and return on a 16-bit stack as their own handlers do (%s)", (_, mask) => {
    const { own, compact, fast } = machines(mask);
    // SS with B = 0: SP wraps within 64 KiB (SP 0x0002 pushes to 0xfffe).
    const DATA16 = 0x80 | 0x10 | 0x02 | 0x8000;
    for (const m of [own, compact]) m.cpu.loadSegmentCache(SegReg.SS, 0x10, 0x3000, 0xffff, DATA16);
    for (const code of ["50", "54", "5b", "5c", "c3", "6a05", "68" + imm32(0x12345), "c9"]) {
      for (const sp of [0x8000, 0x0004, 0x0002, 0xfffc, 0xfffe]) {
        const insn = decode(code);
        const word = compactForm(insn, true);
        expect(word, code).toBeGreaterThanOrEqual(0);
        for (const m of [own, compact]) {
          reset(m).cpu.eip = insn.nextIp;
          m.cpu.setReg32(4, 0x7fff0000 | sp);
        }
        // A 4-byte access past SS's 64 KiB limit faults (#SS) in both.
        const ownFault = vectorOf(() => pickHandler(insn)(own.cpu.state, insn));
        const fault = vectorOf(() =>
          runCompact(compact.cpu.state, word, compactArg(insn, word), fast),
        );
        expect(fault, `${code} sp ${sp}`).toBe(ownFault);
        expect(snapshot(compact), `${code} sp ${sp}`).toEqual(snapshot(own));
      }
    }
  });

  it("covers the forms cold kernel code runs most, and leaves out what it cannot hold", () => {
    const form = (code: string, memory = true): number => compactForm(decode(code), memory);
    for (const code of [
      "89c8", // mov eax, ecx
      "b878563412", // mov eax, 0x12345678
      "31c0", // xor eax, eax
      "83c004", // add eax, 4
      "8b4508", // mov eax, [ebp+8]
      "8945f8", // mov [ebp-8], eax
      "c745f800000000", // mov dword [ebp-8], 0
      "8d4404fc", // lea eax, [esp+eax-4]
      "2b4308", // sub eax, [ebx+8]
      "394308", // cmp [ebx+8], eax
      "837b0800", // cmp dword [ebx+8], 0
      "807b0800", // cmp byte [ebx+8], 0
      "0fb64308", // movzx eax, byte [ebx+8]
      "a100100000", // mov eax, [0x1000]
      "84c0", // test al, al
      "3c0a", // cmp al, 10
      "e800010000", // call rel32
      "53", // push ebx
      "5e", // pop esi
      "c3", // ret
      "47", // inc edi
      "c1c807", // ror eax, 7
      "d1e8", // shr eax, 1
    ])
      expect(form(code), code).toBeGreaterThanOrEqual(0);
    expect(form("f0014308")).toBe(-1); // lock add [ebx+8], eax
    // A displacement beside an immediate sits in the word (10 bits); alone, in the argument.
    expect(form("8b8000040000")).toBeGreaterThanOrEqual(0); // mov eax, [eax+0x400]
    expect(form("c7800004000001000000")).toBe(-1); // mov dword [eax+0x400], 1
    expect(form("b800000080")).toBe(-1); // mov eax, 0x80000000: not a small integer
    expect(form("8b4508", false)).toBe(-1); // memory forms need the fast path
    expect(form("89c8", false)).toBeGreaterThanOrEqual(0);
    expect(form("53", false)).toBe(-1); // the stack forms need the fast path too
    expect(form("47", false)).toBeGreaterThanOrEqual(0);
    expect(form("ff4308")).toBeGreaterThanOrEqual(0); // inc dword [ebx+8]
    expect(form("ff4308", false)).toBe(-1);
    expect(form("81430800010000")).toBe(-1); // add dword [ebx+8], 0x100: not a byte
    expect(form("f7d0")).toBeGreaterThanOrEqual(0); // not eax
    expect(form("6bc6f9", false)).toBeGreaterThanOrEqual(0); // imul eax, esi, -7
    expect(form("6b0607")).toBe(-1); // imul eax, [esi], 7: not from memory
    // Every word is a small integer on every V8 (30 bits), never a heap number.
    for (const code of codes) {
      const w = form(code);
      expect(w >= -1 && w < 0x40000000, code).toBe(true);
    }
    expect(decode("e800010000").code).toBe(Code.Call_rel32_32);
  });
});
