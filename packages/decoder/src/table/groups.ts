// One-byte opcode groups selected by ModRM.reg (SDM Vol. 2, Appendix A.4, Table A-6): groups 1
// (80-83), 1A (8F), 2 (C0/C1/D0-D3), 11 (C6/C7), 3 (F6/F7), 4 (FE) and 5 (FF).
import { freezeForms, type OpcodeForm, SIZES } from "./form";

const ALU = ["Add", "Or", "Adc", "Sbb", "And", "Sub", "Xor", "Cmp"] as const;
const SHIFT = ["Rol", "Ror", "Rcl", "Rcr", "Shl", "Shr", "Sal", "Sar"] as const;
const ROTATE_FLAGS = { written: "oc", undef: "o" } as const;
const SHIFT_FLAGS = { written: "oszacp", undef: "oa" } as const;
// By-1 forms define OF (SDM Vol. 2, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR: "OF is affected only
// for 1-bit shifts"); only AF stays undefined for the shifts.
const shiftFlags1 = (i: number) =>
  i === 2 || i === 3
    ? { read: "c", written: "oc" }
    : i < 2
      ? { written: "oc" }
      : { written: "oszacp", undef: "a" };
const shiftFlags = (i: number) =>
  i === 2 || i === 3 ? { read: "c", ...ROTATE_FLAGS } : i < 2 ? ROTATE_FLAGS : SHIFT_FLAGS;
const aluFlags = (op: string) =>
  op === "Adc" || op === "Sbb"
    ? { read: "c", written: "oszacp" }
    : op === "And" || op === "Or" || op === "Xor"
      ? { written: "oszacp", undef: "a" }
      : { written: "oszacp" };

function group1(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  ALU.forEach((op, r) => {
    const attrs = op === "Cmp" ? [] : (["lock"] as const);
    const flags = aluFlags(op);
    rows.push({
      code: `${op}_rm8_imm8`,
      opcode: `80 /${r}`,
      mnemonic: op,
      ops: ["Eb", "Ib"],
      flags,
      attrs,
    });
    for (const z of SIZES)
      rows.push({
        code: `${op}_rm${z.s}_${z.immName}`,
        opcode: `${z.o} 81 /${r}`,
        mnemonic: op,
        ops: [`E${z.l}`, z.imm],
        flags,
        attrs,
      });
    rows.push({
      code: `${op}_rm8_imm8_82`,
      opcode: `i64 82 /${r}`,
      mnemonic: op,
      ops: ["Eb", "Ib"],
      flags,
      attrs,
    });
    for (const z of SIZES)
      rows.push({
        code: `${op}_rm${z.s}_imm8`,
        opcode: `${z.o} 83 /${r}`,
        mnemonic: op,
        ops: [`E${z.l}`, `Ib${z.l}`],
        flags,
        attrs,
      });
  });
  return rows;
}

function group2(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  SHIFT.forEach((op, r) => {
    const forms = [
      ["C0", "C1", "imm8", "Ib", "INTEL186"],
      ["D0", "D1", "1", "1", "INTEL8086"],
      ["D2", "D3", "CL", "CL", "INTEL8086"],
    ] as const;
    for (const [b8, bv, name, spec, cpuid] of forms) {
      const flags = spec === "1" ? shiftFlags1(r) : shiftFlags(r);
      rows.push({
        code: `${op}_rm8_${name}`,
        opcode: `${b8} /${r}`,
        mnemonic: op,
        ops: ["Eb", spec],
        flags,
        cpuid,
      });
      for (const z of SIZES)
        rows.push({
          code: `${op}_rm${z.s}_${name}`,
          opcode: `${z.o} ${bv} /${r}`,
          mnemonic: op,
          ops: [`E${z.l}`, spec],
          flags,
          cpuid,
        });
    }
  });
  return rows;
}

function group3(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const test = { written: "oszacp", undef: "a" } as const;
  const mul = { written: "oszacp", undef: "szap" } as const;
  const div = { written: "oszacp", undef: "oszacp" } as const;
  const ops = [
    ["Test", "imm", test, []],
    ["Test", "immF", test, []],
    ["Not", "", {}, ["lock"]],
    ["Neg", "", { written: "oszacp" }, ["lock"]],
    ["Mul", "", mul, []],
    ["Imul", "", mul, []],
    ["Div", "", div, []],
    ["Idiv", "", div, []],
  ] as const;
  ops.forEach(([op, imm, flags, attrs], r) => {
    const flow = op === "Div" || op === "Idiv" ? ({ flow: "Next" } as const) : {};
    const suffix8 = imm === "imm" ? "_imm8" : imm === "immF" ? "_imm8_F6r1" : "";
    rows.push({
      code: `${op}_rm8${suffix8}`,
      opcode: `F6 /${r}`,
      mnemonic: op,
      ops: imm ? ["Eb", "Ib"] : ["Eb"],
      flags,
      attrs,
      ...flow,
    });
    for (const z of SIZES) {
      const sfx = imm === "imm" ? `_${z.immName}` : imm === "immF" ? `_${z.immName}_F7r1` : "";
      rows.push({
        code: `${op}_rm${z.s}${sfx}`,
        opcode: `${z.o} F7 /${r}`,
        mnemonic: op,
        ops: imm ? [`E${z.l}`, z.imm] : [`E${z.l}`],
        flags,
        attrs,
        ...flow,
      });
    }
  });
  return rows;
}

function group5(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const incdec = { written: "oszap" } as const;
  rows.push({
    code: "Inc_rm8",
    opcode: "FE /0",
    mnemonic: "Inc",
    ops: ["Eb"],
    flags: incdec,
    attrs: ["lock"],
  });
  rows.push({
    code: "Dec_rm8",
    opcode: "FE /1",
    mnemonic: "Dec",
    ops: ["Eb"],
    flags: incdec,
    attrs: ["lock"],
  });
  for (const z of SIZES) {
    rows.push({
      code: `Inc_rm${z.s}`,
      opcode: `${z.o} FF /0`,
      mnemonic: "Inc",
      ops: [`E${z.l}`],
      flags: incdec,
      attrs: ["lock"],
    });
    rows.push({
      code: `Dec_rm${z.s}`,
      opcode: `${z.o} FF /1`,
      mnemonic: "Dec",
      ops: [`E${z.l}`],
      flags: incdec,
      attrs: ["lock"],
    });
  }
  // Near indirect CALL/JMP: 16/32 outside 64-bit mode, always 64 inside (Intel ignores 66).
  for (const [m, r, flow] of [
    ["Call", 2, "IndirectCall"],
    ["Jmp", 4, "IndirectBranch"],
  ] as const) {
    rows.push({ code: `${m}_rm16`, opcode: `o16 i64 FF /${r}`, mnemonic: m, ops: ["Ew"], flow });
    rows.push({ code: `${m}_rm32`, opcode: `o32 i64 FF /${r}`, mnemonic: m, ops: ["Ed"], flow });
    rows.push({ code: `${m}_rm64`, opcode: `x64 f64 FF /${r}`, mnemonic: m, ops: ["Eq"], flow });
    rows.push({
      code: `${m}_m1616`,
      opcode: `o16 FF /${r + 1} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "far1616",
      flow,
    });
    rows.push({
      code: `${m}_m1632`,
      opcode: `o32 FF /${r + 1} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "fword",
      flow,
    });
    rows.push({
      code: `${m}_m1664`,
      opcode: `o64 FF /${r + 1} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "far1664",
      flow,
    });
  }
  rows.push({ code: "Push_rm16", opcode: "o16 d64 FF /6", mnemonic: "Push", ops: ["Ew"] });
  rows.push({ code: "Push_rm32", opcode: "o32 i64 FF /6", mnemonic: "Push", ops: ["Ed"] });
  rows.push({ code: "Push_rm64", opcode: "o64 x64 d64 FF /6", mnemonic: "Push", ops: ["Eq"] });
  rows.push({ code: "Pop_rm16", opcode: "o16 d64 8F /0", mnemonic: "Pop", ops: ["Ew"] });
  rows.push({ code: "Pop_rm32", opcode: "o32 i64 8F /0", mnemonic: "Pop", ops: ["Ed"] });
  rows.push({ code: "Pop_rm64", opcode: "o64 x64 d64 8F /0", mnemonic: "Pop", ops: ["Eq"] });
  return rows;
}

export const GROUPS = freezeForms([
  ...group1(),
  ...group2(),
  ...group3(),
  ...group5(),
  { code: "Mov_rm8_imm8", opcode: "C6 /0", mnemonic: "Mov", ops: ["Eb", "Ib"] },
  {
    code: "Xabort_imm8",
    opcode: "C6 /F8",
    mnemonic: "Xabort",
    ops: ["Ib"],
    cpuid: "RTM",
    flow: "XbeginXabortXend",
  },
  { code: "Mov_rm16_imm16", opcode: "o16 C7 /0", mnemonic: "Mov", ops: ["Ew", "Iw"] },
  { code: "Mov_rm32_imm32", opcode: "o32 C7 /0", mnemonic: "Mov", ops: ["Ed", "Id"] },
  { code: "Mov_rm64_imm32", opcode: "o64 C7 /0", mnemonic: "Mov", ops: ["Eq", "Idq"] },
  {
    code: "Xbegin_rel16",
    opcode: "o16 C7 /F8",
    mnemonic: "Xbegin",
    ops: ["Jw"],
    cpuid: "RTM",
    flow: "XbeginXabortXend",
  },
  {
    code: "Xbegin_rel32",
    opcode: "o32 C7 /F8",
    mnemonic: "Xbegin",
    ops: ["Jd"],
    cpuid: "RTM",
    flow: "XbeginXabortXend",
  },
  // REX.W XBEGIN is still rel32 (the operand is the IP-relative offset).
  {
    code: "Xbegin_rel32",
    opcode: "o64 C7 /F8",
    mnemonic: "Xbegin",
    ops: ["Jd"],
    cpuid: "RTM",
    flow: "XbeginXabortXend",
  },
] as const satisfies readonly OpcodeForm[]);
