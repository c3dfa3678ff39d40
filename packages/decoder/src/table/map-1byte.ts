// One-byte opcode map (SDM Vol. 2, Appendix A, Table A-2), except the group opcodes
// (groups.ts) and the x87 escapes D8-DF (x87.ts). See form.ts for the legend and notation.
import { freezeForms, type OpcodeForm, SIZES } from "./form";

const ALU = ["Add", "Or", "Adc", "Sbb", "And", "Sub", "Xor", "Cmp"] as const;
const ARITH = { written: "oszacp" } as const;
const LOGIC = { written: "oszacp", undef: "a" } as const;
const CARRY_IN = { read: "c", written: "oszacp" } as const;
const aluFlags = (op: string) =>
  op === "Adc" || op === "Sbb"
    ? CARRY_IN
    : op === "And" || op === "Or" || op === "Xor"
      ? LOGIC
      : ARITH;
const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** 00-3D: the eight ALU operations, six encodings each. */
function aluRows(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  ALU.forEach((op, i) => {
    const b = i * 8;
    const flags = aluFlags(op);
    const attrs = op === "Cmp" ? [] : (["lock"] as const);
    rows.push({
      code: `${op}_rm8_r8`,
      opcode: `${hex(b)} /r`,
      mnemonic: op,
      ops: ["Eb", "Gb"],
      flags,
      attrs,
    });
    for (const z of SIZES)
      rows.push({
        code: `${op}_rm${z.s}_r${z.s}`,
        opcode: `${z.o} ${hex(b + 1)} /r`,
        mnemonic: op,
        ops: [`E${z.l}`, `G${z.l}`],
        flags,
        attrs,
        ...(z.bits === 64 ? { cpuid: "X64" } : {}),
      });
    rows.push({
      code: `${op}_r8_rm8`,
      opcode: `${hex(b + 2)} /r`,
      mnemonic: op,
      ops: ["Gb", "Eb"],
      flags,
    });
    for (const z of SIZES)
      rows.push({
        code: `${op}_r${z.s}_rm${z.s}`,
        opcode: `${z.o} ${hex(b + 3)} /r`,
        mnemonic: op,
        ops: [`G${z.l}`, `E${z.l}`],
        flags,
      });
    rows.push({
      code: `${op}_AL_imm8`,
      opcode: `${hex(b + 4)}`,
      mnemonic: op,
      ops: ["AL", "Ib"],
      flags,
    });
    for (const z of SIZES)
      rows.push({
        code: `${op}_${z.acc}_${z.immName}`,
        opcode: `${z.o} ${hex(b + 5)}`,
        mnemonic: op,
        ops: [z.acc, z.imm],
        flags,
      });
  });
  return rows;
}

/** PUSH/POP of segment registers: 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS (invalid in 64-bit). */
function segPushPop(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const segs = [
    ["ES", 0x06],
    ["CS", 0x0e],
    ["SS", 0x16],
    ["DS", 0x1e],
  ] as const;
  for (const [s, b] of segs) {
    rows.push({ code: `Pushw_${s}`, opcode: `o16 i64 ${hex(b)}`, mnemonic: "Push", ops: [s] });
    rows.push({
      code: `Pushd_${s}`,
      opcode: `o32 i64 ${hex(b)}`,
      mnemonic: "Push",
      ops: [s],
      cpuid: "INTEL386",
    });
    if (s === "CS") continue; // 0F is the two-byte escape, not POP CS
    rows.push({ code: `Popw_${s}`, opcode: `o16 i64 ${hex(b + 1)}`, mnemonic: "Pop", ops: [s] });
    rows.push({
      code: `Popd_${s}`,
      opcode: `o32 i64 ${hex(b + 1)}`,
      mnemonic: "Pop",
      ops: [s],
      cpuid: "INTEL386",
    });
  }
  return rows;
}

const CC = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
] as const;
/** Flags each condition code reads (SDM Vol. 2, Jcc table). */
export const CC_FLAGS = [
  "o",
  "o",
  "c",
  "c",
  "z",
  "z",
  "cz",
  "cz",
  "s",
  "s",
  "p",
  "p",
  "so",
  "so",
  "szo",
  "szo",
] as const;
export const CONDITION_CODES = CC;
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function jccShort(): OpcodeForm[] {
  return CC.flatMap((cc, i): OpcodeForm[] => {
    const m = `J${cc}`;
    const base = {
      mnemonic: cap(m),
      ops: ["Jb"],
      flags: { read: CC_FLAGS[i] },
      flow: "ConditionalBranch",
    } as const;
    return [
      { code: `${cap(m)}_rel8_16`, opcode: `o16 f64 ${hex(0x70 + i)}`, ...base },
      { code: `${cap(m)}_rel8_32`, opcode: `o32 f64 ${hex(0x70 + i)}`, ...base },
      { code: `${cap(m)}_rel8_64`, opcode: `o64 x64 f64 ${hex(0x70 + i)}`, ...base },
    ];
  });
}

function byRegRows(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  rows.push({
    code: "Inc_r16",
    opcode: "o16 i64 40 +r",
    mnemonic: "Inc",
    ops: ["Zw"],
    flags: { written: "oszap" },
  });
  rows.push({
    code: "Inc_r32",
    opcode: "o32 i64 40 +r",
    mnemonic: "Inc",
    ops: ["Zd"],
    flags: { written: "oszap" },
  });
  rows.push({
    code: "Dec_r16",
    opcode: "o16 i64 48 +r",
    mnemonic: "Dec",
    ops: ["Zw"],
    flags: { written: "oszap" },
  });
  rows.push({
    code: "Dec_r32",
    opcode: "o32 i64 48 +r",
    mnemonic: "Dec",
    ops: ["Zd"],
    flags: { written: "oszap" },
  });
  rows.push({ code: "Push_r16", opcode: "o16 d64 50 +r", mnemonic: "Push", ops: ["Zw"] });
  rows.push({ code: "Push_r32", opcode: "o32 i64 50 +r", mnemonic: "Push", ops: ["Zd"] });
  rows.push({ code: "Push_r64", opcode: "o64 x64 d64 50 +r", mnemonic: "Push", ops: ["Zq"] });
  rows.push({ code: "Pop_r16", opcode: "o16 d64 58 +r", mnemonic: "Pop", ops: ["Zw"] });
  rows.push({ code: "Pop_r32", opcode: "o32 i64 58 +r", mnemonic: "Pop", ops: ["Zd"] });
  rows.push({ code: "Pop_r64", opcode: "o64 x64 d64 58 +r", mnemonic: "Pop", ops: ["Zq"] });
  // 90: NOP (F3 90 is PAUSE) unless REX.B turns it into XCHG r8, rAX.
  rows.push({ code: "Pause", opcode: "F3 90", mnemonic: "Pause", cpuid: "PAUSE" });
  rows.push({ code: "Nopw", opcode: "o16 rexB0 90", mnemonic: "Nop" });
  rows.push({ code: "Nopd", opcode: "o32 rexB0 90", mnemonic: "Nop" });
  rows.push({ code: "Nopq", opcode: "o64 rexB0 90", mnemonic: "Nop" });
  rows.push({ code: "Xchg_r16_AX", opcode: "o16 90 +r", mnemonic: "Xchg", ops: ["Zw", "AX"] });
  rows.push({ code: "Xchg_r32_EAX", opcode: "o32 90 +r", mnemonic: "Xchg", ops: ["Zd", "EAX"] });
  rows.push({ code: "Xchg_r64_RAX", opcode: "o64 90 +r", mnemonic: "Xchg", ops: ["Zq", "RAX"] });
  rows.push({ code: "Mov_r8_imm8", opcode: "B0 +r", mnemonic: "Mov", ops: ["Zb", "Ib"] });
  rows.push({ code: "Mov_r16_imm16", opcode: "o16 B8 +r", mnemonic: "Mov", ops: ["Zw", "Iw"] });
  rows.push({ code: "Mov_r32_imm32", opcode: "o32 B8 +r", mnemonic: "Mov", ops: ["Zd", "Id"] });
  rows.push({ code: "Mov_r64_imm64", opcode: "o64 B8 +r", mnemonic: "Mov", ops: ["Zq", "Iq"] });
  return rows;
}

/** One row per operand size: [code16, code32, code64 | null], shared opcode tail and fields. */
function sized(
  names: readonly [string, string, string | null],
  opcode: string,
  rest: Omit<OpcodeForm, "code" | "opcode"> & { opsBySize?: readonly (readonly string[])[] },
): OpcodeForm[] {
  const out: OpcodeForm[] = [];
  names.forEach((n, i) => {
    if (n === null) return;
    const { opsBySize, ...r } = rest;
    const o = SIZES[i]!.o;
    out.push({
      ...r,
      code: n,
      opcode: `${o} ${opcode}`,
      ...(opsBySize ? { ops: opsBySize[i]! } : {}),
    });
  });
  return out;
}

const STRING = ["string"] as const;

export const MAP_1BYTE = freezeForms([
  ...aluRows(),
  ...segPushPop(),
  {
    code: "Daa",
    opcode: "i64 27",
    mnemonic: "Daa",
    flags: { read: "ac", written: "oszacp", undef: "o" },
  },
  {
    code: "Das",
    opcode: "i64 2F",
    mnemonic: "Das",
    flags: { read: "ac", written: "oszacp", undef: "o" },
  },
  {
    code: "Aaa",
    opcode: "i64 37",
    mnemonic: "Aaa",
    flags: { read: "a", written: "oszacp", undef: "oszp" },
  },
  {
    code: "Aas",
    opcode: "i64 3F",
    mnemonic: "Aas",
    flags: { read: "a", written: "oszacp", undef: "oszp" },
  },
  ...byRegRows(),
  { code: "Pushaw", opcode: "o16 i64 60", mnemonic: "Pusha", cpuid: "INTEL186" },
  { code: "Pushad", opcode: "o32 i64 60", mnemonic: "Pushad", cpuid: "INTEL386" },
  { code: "Popaw", opcode: "o16 i64 61", mnemonic: "Popa", cpuid: "INTEL186" },
  { code: "Popad", opcode: "o32 i64 61", mnemonic: "Popad", cpuid: "INTEL386" },
  {
    code: "Bound_r16_m1616",
    opcode: "o16 i64 62 /r mem",
    mnemonic: "Bound",
    ops: ["Gw", "M"],
    mem: "bound1616",
    cpuid: "INTEL186",
  },
  {
    code: "Bound_r32_m3232",
    opcode: "o32 i64 62 /r mem",
    mnemonic: "Bound",
    ops: ["Gd", "M"],
    mem: "bound3232",
    cpuid: "INTEL386",
  },
  {
    code: "Arpl_rm16_r16",
    opcode: "o16 i64 63 /r",
    mnemonic: "Arpl",
    ops: ["Ew", "Gw"],
    cpuid: "INTEL286",
    flags: { written: "z" },
  },
  {
    code: "Arpl_r32m16_r32",
    opcode: "o32 i64 63 /r",
    mnemonic: "Arpl",
    ops: ["Edw", "Gd"],
    mem: "word",
    cpuid: "INTEL386",
    flags: { written: "z" },
  },
  {
    code: "Movsxd_r16_rm16",
    opcode: "o16 x64 63 /r",
    mnemonic: "Movsxd",
    ops: ["Gw", "Ew"],
    cpuid: "X64",
  },
  {
    code: "Movsxd_r32_rm32",
    opcode: "o32 x64 63 /r",
    mnemonic: "Movsxd",
    ops: ["Gd", "Ed"],
    cpuid: "X64",
  },
  {
    code: "Movsxd_r64_rm32",
    opcode: "o64 x64 63 /r",
    mnemonic: "Movsxd",
    ops: ["Gq", "Ed"],
    mem: "dword",
    cpuid: "X64",
  },
  { code: "Push_imm16", opcode: "o16 d64 68", mnemonic: "Push", ops: ["Iw"], cpuid: "INTEL186" },
  { code: "Pushd_imm32", opcode: "o32 i64 68", mnemonic: "Push", ops: ["Id"], cpuid: "INTEL386" },
  { code: "Pushq_imm32", opcode: "o64 x64 d64 68", mnemonic: "Push", ops: ["Idq"], cpuid: "X64" },
  ...sized(["Imul_r16_rm16_imm16", "Imul_r32_rm32_imm32", "Imul_r64_rm64_imm32"], "69 /r", {
    mnemonic: "Imul",
    opsBySize: [
      ["Gw", "Ew", "Iw"],
      ["Gd", "Ed", "Id"],
      ["Gq", "Eq", "Idq"],
    ],
    flags: { written: "oszacp", undef: "szap" },
    cpuid: "INTEL186",
  }),
  { code: "Pushw_imm8", opcode: "o16 d64 6A", mnemonic: "Push", ops: ["Ibw"], cpuid: "INTEL186" },
  { code: "Pushd_imm8", opcode: "o32 i64 6A", mnemonic: "Push", ops: ["Ibd"], cpuid: "INTEL386" },
  { code: "Pushq_imm8", opcode: "o64 x64 d64 6A", mnemonic: "Push", ops: ["Ibq"], cpuid: "X64" },
  ...sized(["Imul_r16_rm16_imm8", "Imul_r32_rm32_imm8", "Imul_r64_rm64_imm8"], "6B /r", {
    mnemonic: "Imul",
    opsBySize: [
      ["Gw", "Ew", "Ibw"],
      ["Gd", "Ed", "Ibd"],
      ["Gq", "Eq", "Ibq"],
    ],
    flags: { written: "oszacp", undef: "szap" },
    cpuid: "INTEL186",
  }),
  {
    code: "Insb_m8_DX",
    opcode: "6C",
    mnemonic: "Insb",
    ops: ["Ys", "DX"],
    mem: "byte",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL186",
  },
  {
    code: "Insw_m16_DX",
    opcode: "o16 6D",
    mnemonic: "Insw",
    ops: ["Ys", "DX"],
    mem: "word",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL186",
  },
  {
    code: "Insd_m32_DX",
    opcode: "o32 6D",
    mnemonic: "Insd",
    ops: ["Ys", "DX"],
    mem: "dword",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL386",
  },
  {
    code: "Outsb_DX_m8",
    opcode: "6E",
    mnemonic: "Outsb",
    ops: ["DX", "Xs"],
    mem: "byte",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL186",
  },
  {
    code: "Outsw_DX_m16",
    opcode: "o16 6F",
    mnemonic: "Outsw",
    ops: ["DX", "Xs"],
    mem: "word",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL186",
  },
  {
    code: "Outsd_DX_m32",
    opcode: "o32 6F",
    mnemonic: "Outsd",
    ops: ["DX", "Xs"],
    mem: "dword",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL386",
  },
  ...jccShort(),
  { code: "Test_rm8_r8", opcode: "84 /r", mnemonic: "Test", ops: ["Eb", "Gb"], flags: LOGIC },
  ...sized(["Test_rm16_r16", "Test_rm32_r32", "Test_rm64_r64"], "85 /r", {
    mnemonic: "Test",
    opsBySize: [
      ["Ew", "Gw"],
      ["Ed", "Gd"],
      ["Eq", "Gq"],
    ],
    flags: LOGIC,
  }),
  { code: "Xchg_rm8_r8", opcode: "86 /r", mnemonic: "Xchg", ops: ["Eb", "Gb"], attrs: ["lock"] },
  ...sized(["Xchg_rm16_r16", "Xchg_rm32_r32", "Xchg_rm64_r64"], "87 /r", {
    mnemonic: "Xchg",
    opsBySize: [
      ["Ew", "Gw"],
      ["Ed", "Gd"],
      ["Eq", "Gq"],
    ],
    attrs: ["lock"],
  }),
  { code: "Mov_rm8_r8", opcode: "88 /r", mnemonic: "Mov", ops: ["Eb", "Gb"] },
  ...sized(["Mov_rm16_r16", "Mov_rm32_r32", "Mov_rm64_r64"], "89 /r", {
    mnemonic: "Mov",
    opsBySize: [
      ["Ew", "Gw"],
      ["Ed", "Gd"],
      ["Eq", "Gq"],
    ],
  }),
  { code: "Mov_r8_rm8", opcode: "8A /r", mnemonic: "Mov", ops: ["Gb", "Eb"] },
  ...sized(["Mov_r16_rm16", "Mov_r32_rm32", "Mov_r64_rm64"], "8B /r", {
    mnemonic: "Mov",
    opsBySize: [
      ["Gw", "Ew"],
      ["Gd", "Ed"],
      ["Gq", "Eq"],
    ],
  }),
  ...sized(["Mov_rm16_Sreg", "Mov_r32m16_Sreg", "Mov_r64m16_Sreg"], "8C /r", {
    mnemonic: "Mov",
    opsBySize: [
      ["Ew", "Sw"],
      ["Edw", "Sw"],
      ["Eqw", "Sw"],
    ],
    mem: "word",
  }),
  ...sized(["Lea_r16_m", "Lea_r32_m", "Lea_r64_m"], "8D /r mem", {
    mnemonic: "Lea",
    opsBySize: [
      ["Gw", "M"],
      ["Gd", "M"],
      ["Gq", "M"],
    ],
    mem: "unsized",
  }),
  ...sized(["Mov_Sreg_rm16", "Mov_Sreg_r32m16", "Mov_Sreg_r64m16"], "8E /r", {
    mnemonic: "Mov",
    opsBySize: [
      ["Sw", "Ew"],
      ["Sw", "Edw"],
      ["Sw", "Eqw"],
    ],
    mem: "word",
  }),
  ...sized(["Cbw", "Cwde", "Cdqe"], "98", { mnemonic: "Cbw" }).map((r, i) => ({
    ...r,
    mnemonic: ["Cbw", "Cwde", "Cdqe"][i]!,
  })),
  ...sized(["Cwd", "Cdq", "Cqo"], "99", { mnemonic: "Cwd" }).map((r, i) => ({
    ...r,
    mnemonic: ["Cwd", "Cdq", "Cqo"][i]!,
  })),
  { code: "Call_ptr1616", opcode: "o16 i64 9A", mnemonic: "Call", ops: ["Aw"], flow: "Call" },
  {
    code: "Call_ptr1632",
    opcode: "o32 i64 9A",
    mnemonic: "Call",
    ops: ["Ad"],
    flow: "Call",
    cpuid: "INTEL386",
  },
  { code: "Wait", opcode: "9B", mnemonic: "Wait" },
  { code: "Pushfw", opcode: "o16 d64 9C", mnemonic: "Pushf", flags: { read: "oszacpdit" } },
  {
    code: "Pushfd",
    opcode: "o32 i64 9C",
    mnemonic: "Pushfd",
    flags: { read: "oszacpdit" },
    cpuid: "INTEL386",
  },
  {
    code: "Pushfq",
    opcode: "o64 x64 d64 9C",
    mnemonic: "Pushfq",
    flags: { read: "oszacpdit" },
    cpuid: "X64",
  },
  { code: "Popfw", opcode: "o16 d64 9D", mnemonic: "Popf", flags: { written: "oszacpditA" } },
  {
    code: "Popfd",
    opcode: "o32 i64 9D",
    mnemonic: "Popfd",
    flags: { written: "oszacpditA" },
    cpuid: "INTEL386",
  },
  {
    code: "Popfq",
    opcode: "o64 x64 d64 9D",
    mnemonic: "Popfq",
    flags: { written: "oszacpditA" },
    cpuid: "X64",
  },
  { code: "Sahf", opcode: "9E", mnemonic: "Sahf", flags: { written: "szacp" } },
  { code: "Lahf", opcode: "9F", mnemonic: "Lahf", flags: { read: "szacp" } },
  { code: "Mov_AL_moffs8", opcode: "A0", mnemonic: "Mov", ops: ["AL", "Ob"], mem: "byte" },
  ...sized(["Mov_AX_moffs16", "Mov_EAX_moffs32", "Mov_RAX_moffs64"], "A1", {
    mnemonic: "Mov",
    opsBySize: [
      ["AX", "Ob"],
      ["EAX", "Ob"],
      ["RAX", "Ob"],
    ],
  }).map((r, i) => ({ ...r, mem: (["word", "dword", "qword"] as const)[i]! })),
  { code: "Mov_moffs8_AL", opcode: "A2", mnemonic: "Mov", ops: ["Ob", "AL"], mem: "byte" },
  ...sized(["Mov_moffs16_AX", "Mov_moffs32_EAX", "Mov_moffs64_RAX"], "A3", {
    mnemonic: "Mov",
    opsBySize: [
      ["Ob", "AX"],
      ["Ob", "EAX"],
      ["Ob", "RAX"],
    ],
  }).map((r, i) => ({ ...r, mem: (["word", "dword", "qword"] as const)[i]! })),
  {
    code: "Movsb_m8_m8",
    opcode: "A4",
    mnemonic: "Movsb",
    ops: ["Ys", "Xs"],
    mem: "byte",
    attrs: STRING,
    flags: { read: "d" },
  },
  ...stringSized("Movs", "A5", ["Ys", "Xs"], "m", "m", { read: "d" }),
  {
    code: "Cmpsb_m8_m8",
    opcode: "A6",
    mnemonic: "Cmpsb",
    ops: ["Xs", "Ys"],
    mem: "byte",
    attrs: STRING,
    flags: { read: "d", written: "oszacp" },
  },
  ...stringSized("Cmps", "A7", ["Xs", "Ys"], "m", "m", { read: "d", written: "oszacp" }),
  { code: "Test_AL_imm8", opcode: "A8", mnemonic: "Test", ops: ["AL", "Ib"], flags: LOGIC },
  ...sized(["Test_AX_imm16", "Test_EAX_imm32", "Test_RAX_imm32"], "A9", {
    mnemonic: "Test",
    opsBySize: [
      ["AX", "Iw"],
      ["EAX", "Id"],
      ["RAX", "Idq"],
    ],
    flags: LOGIC,
  }),
  {
    code: "Stosb_m8_AL",
    opcode: "AA",
    mnemonic: "Stosb",
    ops: ["Ys", "AL"],
    mem: "byte",
    attrs: STRING,
    flags: { read: "d" },
  },
  ...stringSized("Stos", "AB", ["Ys", "acc"], "m", "acc", { read: "d" }),
  {
    code: "Lodsb_AL_m8",
    opcode: "AC",
    mnemonic: "Lodsb",
    ops: ["AL", "Xs"],
    mem: "byte",
    attrs: STRING,
    flags: { read: "d" },
  },
  ...stringSized("Lods", "AD", ["acc", "Xs"], "acc", "m", { read: "d" }),
  {
    code: "Scasb_AL_m8",
    opcode: "AE",
    mnemonic: "Scasb",
    ops: ["AL", "Ys"],
    mem: "byte",
    attrs: STRING,
    flags: { read: "d", written: "oszacp" },
  },
  ...stringSized("Scas", "AF", ["acc", "Ys"], "acc", "m", { read: "d", written: "oszacp" }),
  ...sized(["Retnw_imm16", "Retnd_imm16", "Retnq_imm16"], "C2", {
    mnemonic: "Ret",
    ops: ["Iw"],
    flow: "Return",
  }).map(f64Rows),
  ...sized(["Retnw", "Retnd", "Retnq"], "C3", { mnemonic: "Ret", flow: "Return" }).map(f64Rows),
  {
    code: "Les_r16_m1616",
    opcode: "o16 i64 C4 /r mem",
    mnemonic: "Les",
    ops: ["Gw", "M"],
    mem: "far1616",
  },
  {
    code: "Les_r32_m1632",
    opcode: "o32 i64 C4 /r mem",
    mnemonic: "Les",
    ops: ["Gd", "M"],
    mem: "fword",
    cpuid: "INTEL386",
  },
  {
    code: "Lds_r16_m1616",
    opcode: "o16 i64 C5 /r mem",
    mnemonic: "Lds",
    ops: ["Gw", "M"],
    mem: "far1616",
  },
  {
    code: "Lds_r32_m1632",
    opcode: "o32 i64 C5 /r mem",
    mnemonic: "Lds",
    ops: ["Gd", "M"],
    mem: "fword",
    cpuid: "INTEL386",
  },
  {
    code: "Enterw_imm16_imm8",
    opcode: "o16 d64 C8",
    mnemonic: "Enter",
    ops: ["Iw", "Ib2"],
    cpuid: "INTEL186",
  },
  {
    code: "Enterd_imm16_imm8",
    opcode: "o32 i64 C8",
    mnemonic: "Enter",
    ops: ["Iw", "Ib2"],
    cpuid: "INTEL386",
  },
  {
    code: "Enterq_imm16_imm8",
    opcode: "o64 x64 d64 C8",
    mnemonic: "Enter",
    ops: ["Iw", "Ib2"],
    cpuid: "X64",
  },
  { code: "Leavew", opcode: "o16 d64 C9", mnemonic: "Leave", cpuid: "INTEL186" },
  { code: "Leaved", opcode: "o32 i64 C9", mnemonic: "Leave", cpuid: "INTEL386" },
  { code: "Leaveq", opcode: "o64 x64 d64 C9", mnemonic: "Leave", cpuid: "X64" },
  ...sized(["Retfw_imm16", "Retfd_imm16", "Retfq_imm16"], "CA", {
    mnemonic: "Retf",
    ops: ["Iw"],
    flow: "Return",
  }),
  ...sized(["Retfw", "Retfd", "Retfq"], "CB", { mnemonic: "Retf", flow: "Return" }),
  { code: "Int3", opcode: "CC", mnemonic: "Int3", flow: "Interrupt", flags: { written: "it" } },
  {
    code: "Int_imm8",
    opcode: "CD",
    mnemonic: "Int",
    ops: ["Ib"],
    flow: "Interrupt",
    flags: { written: "it" },
  },
  {
    code: "Into",
    opcode: "i64 CE",
    mnemonic: "Into",
    flow: "Interrupt",
    flags: { read: "o", written: "it" },
  },
  ...sized(["Iretw", "Iretd", "Iretq"], "CF", {
    mnemonic: "Iret",
    flow: "Return",
    flags: { written: "oszacpditA" },
  }).map((r, i) => ({ ...r, mnemonic: ["Iret", "Iretd", "Iretq"][i]! })),
  {
    code: "Aam_imm8",
    opcode: "i64 D4",
    mnemonic: "Aam",
    ops: ["Ib"],
    flags: { written: "oszacp", undef: "oac" },
    flow: "Exception",
  },
  {
    code: "Aad_imm8",
    opcode: "i64 D5",
    mnemonic: "Aad",
    ops: ["Ib"],
    flags: { written: "oszacp", undef: "oac" },
  },
  { code: "Salc", opcode: "i64 D6", mnemonic: "Salc", flags: { read: "c" } },
  { code: "Xlat_m8", opcode: "D7", mnemonic: "Xlatb", ops: ["Xlat"], mem: "byte" },
  ...loopRows(),
  { code: "In_AL_imm8", opcode: "E4", mnemonic: "In", ops: ["AL", "Ib"], attrs: ["iopl"] },
  { code: "In_AX_imm8", opcode: "o16 E5", mnemonic: "In", ops: ["AX", "Ib"], attrs: ["iopl"] },
  { code: "In_EAX_imm8", opcode: "o32 E5", mnemonic: "In", ops: ["EAX", "Ib"], attrs: ["iopl"] },
  { code: "Out_imm8_AL", opcode: "E6", mnemonic: "Out", ops: ["Ib", "AL"], attrs: ["iopl"] },
  { code: "Out_imm8_AX", opcode: "o16 E7", mnemonic: "Out", ops: ["Ib", "AX"], attrs: ["iopl"] },
  { code: "Out_imm8_EAX", opcode: "o32 E7", mnemonic: "Out", ops: ["Ib", "EAX"], attrs: ["iopl"] },
  { code: "Call_rel16", opcode: "o16 f64 E8", mnemonic: "Call", ops: ["Jw"], flow: "Call" },
  { code: "Call_rel32_32", opcode: "o32 f64 E8", mnemonic: "Call", ops: ["Jd"], flow: "Call" },
  { code: "Call_rel32_64", opcode: "o64 x64 f64 E8", mnemonic: "Call", ops: ["Jd"], flow: "Call" },
  {
    code: "Jmp_rel16",
    opcode: "o16 f64 E9",
    mnemonic: "Jmp",
    ops: ["Jw"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_rel32_32",
    opcode: "o32 f64 E9",
    mnemonic: "Jmp",
    ops: ["Jd"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_rel32_64",
    opcode: "o64 x64 f64 E9",
    mnemonic: "Jmp",
    ops: ["Jd"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_ptr1616",
    opcode: "o16 i64 EA",
    mnemonic: "Jmp",
    ops: ["Aw"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_ptr1632",
    opcode: "o32 i64 EA",
    mnemonic: "Jmp",
    ops: ["Ad"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_rel8_16",
    opcode: "o16 f64 EB",
    mnemonic: "Jmp",
    ops: ["Jb"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_rel8_32",
    opcode: "o32 f64 EB",
    mnemonic: "Jmp",
    ops: ["Jb"],
    flow: "UnconditionalBranch",
  },
  {
    code: "Jmp_rel8_64",
    opcode: "o64 x64 f64 EB",
    mnemonic: "Jmp",
    ops: ["Jb"],
    flow: "UnconditionalBranch",
  },
  { code: "In_AL_DX", opcode: "EC", mnemonic: "In", ops: ["AL", "DX"], attrs: ["iopl"] },
  { code: "In_AX_DX", opcode: "o16 ED", mnemonic: "In", ops: ["AX", "DX"], attrs: ["iopl"] },
  { code: "In_EAX_DX", opcode: "o32 ED", mnemonic: "In", ops: ["EAX", "DX"], attrs: ["iopl"] },
  { code: "Out_DX_AL", opcode: "EE", mnemonic: "Out", ops: ["DX", "AL"], attrs: ["iopl"] },
  { code: "Out_DX_AX", opcode: "o16 EF", mnemonic: "Out", ops: ["DX", "AX"], attrs: ["iopl"] },
  { code: "Out_DX_EAX", opcode: "o32 EF", mnemonic: "Out", ops: ["DX", "EAX"], attrs: ["iopl"] },
  { code: "Int1", opcode: "F1", mnemonic: "Int1", flow: "Interrupt", flags: { written: "it" } },
  { code: "Hlt", opcode: "F4", mnemonic: "Hlt", attrs: ["priv"] },
  { code: "Cmc", opcode: "F5", mnemonic: "Cmc", flags: { read: "c", written: "c" } },
  { code: "Clc", opcode: "F8", mnemonic: "Clc", flags: { written: "c" } },
  { code: "Stc", opcode: "F9", mnemonic: "Stc", flags: { written: "c" } },
  { code: "Cli", opcode: "FA", mnemonic: "Cli", flags: { written: "i" }, attrs: ["iopl"] },
  { code: "Sti", opcode: "FB", mnemonic: "Sti", flags: { written: "i" }, attrs: ["iopl"] },
  { code: "Cld", opcode: "FC", mnemonic: "Cld", flags: { written: "d" } },
  { code: "Std", opcode: "FD", mnemonic: "Std", flags: { written: "d" } },
  // REX.W does not widen port I/O: these stay 32-bit forms (SDM Vol. 2, IN/OUT/INS/OUTS).
  {
    code: "Insd_m32_DX",
    opcode: "o64 6D",
    mnemonic: "Insd",
    ops: ["Ys", "DX"],
    mem: "dword",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL386",
  },
  {
    code: "Outsd_DX_m32",
    opcode: "o64 6F",
    mnemonic: "Outsd",
    ops: ["DX", "Xs"],
    mem: "dword",
    attrs: ["string", "iopl"],
    flags: { read: "d" },
    cpuid: "INTEL386",
  },
  { code: "In_EAX_imm8", opcode: "o64 E5", mnemonic: "In", ops: ["EAX", "Ib"], attrs: ["iopl"] },
  { code: "Out_imm8_EAX", opcode: "o64 E7", mnemonic: "Out", ops: ["Ib", "EAX"], attrs: ["iopl"] },
  { code: "In_EAX_DX", opcode: "o64 ED", mnemonic: "In", ops: ["EAX", "DX"], attrs: ["iopl"] },
  { code: "Out_DX_EAX", opcode: "o64 EF", mnemonic: "Out", ops: ["DX", "EAX"], attrs: ["iopl"] },
] as const satisfies readonly OpcodeForm[]);

/** RET near in 64-bit mode is always 64-bit (Intel ignores 66); outside 64-bit it is sized. */
function f64Rows(r: OpcodeForm): OpcodeForm {
  return r.code.startsWith("Retnq")
    ? { ...r, opcode: `x64 f64 ${r.opcode}` }
    : { ...r, opcode: `i64 ${r.opcode}` };
}

/** MOVS/CMPS/STOS/LODS/SCAS in w/d/q sizes, e.g. Movsw_m16_m16, Stosd_m32_EAX, Lodsq_RAX_m64. */
function stringSized(
  m: string,
  opcode: string,
  ops: readonly [string, string],
  a: "m" | "acc",
  b: "m" | "acc",
  flags: OpcodeForm["flags"],
): OpcodeForm[] {
  const suffix = ["w", "d", "q"] as const;
  return SIZES.map((z, i) => {
    const part = (k: "m" | "acc") => (k === "m" ? `m${z.s}` : z.acc);
    return {
      code: `${m}${suffix[i]}_${part(a)}_${part(b)}`,
      opcode: `${z.o} ${opcode}`,
      mnemonic: `${m}${suffix[i]}`,
      ops: ops.map((o) => (o === "acc" ? z.acc : o)),
      mem: (["word", "dword", "qword"] as const)[i]!,
      attrs: STRING,
      ...(flags ? { flags } : {}),
    };
  });
}

/** E0-E3: LOOPNE/LOOPE/LOOP/JrCXZ, by operand size (target width) and address size (counter). */
function loopRows(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const ops = [
    ["Loopne", 0xe0, "z"],
    ["Loope", 0xe1, "z"],
    ["Loop", 0xe2, ""],
  ] as const;
  for (const [m, b, read] of ops) {
    const base = {
      mnemonic: m,
      ops: ["Jb"],
      flow: "ConditionalBranch",
      ...(read ? { flags: { read } } : {}),
    } as const;
    rows.push({ code: `${m}_rel8_16_CX`, opcode: `o16 a16 i64 ${hex(b)}`, ...base });
    rows.push({ code: `${m}_rel8_32_CX`, opcode: `o32 a16 i64 ${hex(b)}`, ...base });
    rows.push({ code: `${m}_rel8_16_ECX`, opcode: `o16 a32 i64 ${hex(b)}`, ...base });
    rows.push({ code: `${m}_rel8_32_ECX`, opcode: `o32 a32 i64 ${hex(b)}`, ...base });
    rows.push({ code: `${m}_rel8_64_ECX`, opcode: `a32 x64 f64 ${hex(b)}`, ...base });
    rows.push({ code: `${m}_rel8_64_RCX`, opcode: `a64 x64 f64 ${hex(b)}`, ...base });
  }
  const j = { ops: ["Jb"], flow: "ConditionalBranch" } as const;
  rows.push({ code: "Jcxz_rel8_16", opcode: "o16 a16 i64 E3", mnemonic: "Jcxz", ...j });
  rows.push({ code: "Jcxz_rel8_32", opcode: "o32 a16 i64 E3", mnemonic: "Jcxz", ...j });
  rows.push({ code: "Jecxz_rel8_16", opcode: "o16 a32 i64 E3", mnemonic: "Jecxz", ...j });
  rows.push({ code: "Jecxz_rel8_32", opcode: "o32 a32 i64 E3", mnemonic: "Jecxz", ...j });
  rows.push({ code: "Jecxz_rel8_64", opcode: "a32 x64 f64 E3", mnemonic: "Jecxz", ...j });
  rows.push({ code: "Jrcxz_rel8_64", opcode: "a64 x64 f64 E3", mnemonic: "Jrcxz", ...j });
  return rows;
}
