// VEX-encoded forms (SDM Vol. 2, 2.3): BMI1/BMI2 general-purpose forms and the AVX/AVX2 integer
// forms common in real code (glibc's string functions). Notation as in form.ts, plus `VEX`
// (the form is VEX-encoded; the map bytes name VEX.mmmmm), `L0`/`L1` (VEX.L: 128/256; "LZ"
// forms are L0), `nov` (VEX.vvvv must be 1111b: the form has no vvvv operand) and the VEX.pp
// prefix written as NP/66/F3/F2. VEX.W is `W0`/`W1` where it matters (WIG rows omit it).
// Operand letters: H = register in VEX.vvvv (Hx xmm, Hy ymm), B = GPR in VEX.vvvv (Bd, Bq),
// Vy/Wy/Uy = ymm forms of V/W/U.
import { freezeForms, type OpcodeForm } from "./form";

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** BMI forms, r32 in every mode (W ignored outside 64-bit mode) and r64 with W1 in 64-bit. */
function bmi(
  name: string,
  pp: string,
  map: string,
  op: number,
  modrm: string,
  ops32: readonly string[],
  cpuid: string,
  flags: OpcodeForm["flags"],
  imm = false,
): OpcodeForm[] {
  const tail = `${map} ${hex(op)} ${modrm}`;
  const ops64 = ops32.map((o) => o.replace(/d$/, "q"));
  const sig32 = ops32
    .map((o) => (o.startsWith("E") ? "rm32" : o === "Ib" ? "imm8" : "r32"))
    .join("_");
  const sig64 = sig32.replace(/32/g, "64");
  const f = { mnemonic: name, cpuid, ...(flags ? { flags } : {}) };
  void imm;
  return [
    { code: `VEX_${name}_${sig32}`, opcode: `VEX L0 i64 ${pp} ${tail}`, ops: ops32, ...f },
    { code: `VEX_${name}_${sig32}`, opcode: `VEX L0 x64 W0 ${pp} ${tail}`, ops: ops32, ...f },
    { code: `VEX_${name}_${sig64}`, opcode: `VEX L0 x64 W1 ${pp} ${tail}`, ops: ops64, ...f },
  ];
}

/** AVX (L0, xmm) and AVX2 (L1, ymm) three-operand integer forms: V, H, W. */
function avx3(name: string, map: string, op: number, imm = false): OpcodeForm[] {
  const i = imm ? ["Ib"] : [];
  const s = imm ? "_imm8" : "";
  return [
    {
      code: `VEX_${name}_xmm_xmm_xmmm128${s}`,
      opcode: `VEX L0 66 ${map} ${hex(op)} /r`,
      mnemonic: name,
      ops: ["Vx", "Hx", "Wx", ...i],
      cpuid: "AVX",
    },
    {
      code: `VEX_${name}_ymm_ymm_ymmm256${s}`,
      opcode: `VEX L1 66 ${map} ${hex(op)} /r`,
      mnemonic: name,
      ops: ["Vy", "Hy", "Wy", ...i],
      cpuid: "AVX2",
    },
  ];
}

/** Two-operand moves (no vvvv): V, W and W, V in 128/256 bits. */
function avxMove(name: string, pp: string, load: number, store: number): OpcodeForm[] {
  return [
    {
      code: `VEX_${name}_xmm_xmmm128`,
      opcode: `VEX L0 nov ${pp} 0F ${hex(load)} /r`,
      mnemonic: name,
      ops: ["Vx", "Wx"],
      cpuid: "AVX",
    },
    {
      code: `VEX_${name}_ymm_ymmm256`,
      opcode: `VEX L1 nov ${pp} 0F ${hex(load)} /r`,
      mnemonic: name,
      ops: ["Vy", "Wy"],
      cpuid: "AVX",
    },
    {
      code: `VEX_${name}_xmmm128_xmm`,
      opcode: `VEX L0 nov ${pp} 0F ${hex(store)} /r`,
      mnemonic: name,
      ops: ["Wx", "Vx"],
      cpuid: "AVX",
    },
    {
      code: `VEX_${name}_ymmm256_ymm`,
      opcode: `VEX L1 nov ${pp} 0F ${hex(store)} /r`,
      mnemonic: name,
      ops: ["Wy", "Vy"],
      cpuid: "AVX",
    },
  ];
}

/** KMOV/KORTEST/KUNPCK: the opmask register forms real code uses (SDM Vol. 2, KMOVW etc.). */
function kmask(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const sizes = [
    ["w", "NP W0", "word", "AVX512F"],
    ["q", "NP W1", "qword", "AVX512BW"],
    ["b", "66 W0", "byte", "AVX512DQ"],
    ["d", "66 W1", "dword", "AVX512BW"],
  ] as const;
  for (const [s, enc, mem, cpuid] of sizes) {
    const bits = { w: 16, q: 64, b: 8, d: 32 }[s];
    rows.push({
      code: `VEX_Kmov${s}_kr_km${bits}`,
      opcode: `VEX L0 nov ${enc} 0F 90 /r`,
      mnemonic: `Kmov${s}`,
      ops: ["Kg", "Km"],
      mem,
      cpuid,
    });
    rows.push({
      code: `VEX_Kmov${s}_m${bits}_kr`,
      opcode: `VEX L0 nov ${enc} 0F 91 /r mem`,
      mnemonic: `Kmov${s}`,
      ops: ["M", "Kg"],
      mem,
      cpuid,
    });
    rows.push({
      code: `VEX_Kortest${s}_kr_kr`,
      opcode: `VEX L0 nov ${enc} 0F 98 /r reg`,
      mnemonic: `Kortest${s}`,
      ops: ["Kg", "Kr"],
      cpuid,
      flags: { written: "oszacp" },
    });
  }
  const gpr = [
    ["w", "NP W0", "AVX512F"],
    ["b", "66 W0", "AVX512DQ"],
    ["d", "F2 W0", "AVX512BW"],
  ] as const;
  for (const [s, enc, cpuid] of gpr) {
    rows.push({
      code: `VEX_Kmov${s}_kr_r32`,
      opcode: `VEX L0 nov ${enc} 0F 92 /r reg`,
      mnemonic: `Kmov${s}`,
      ops: ["Kg", "Rd"],
      cpuid,
    });
    rows.push({
      code: `VEX_Kmov${s}_r32_kr`,
      opcode: `VEX L0 nov ${enc} 0F 93 /r reg`,
      mnemonic: `Kmov${s}`,
      ops: ["Gd", "Kr"],
      cpuid,
    });
  }
  // Outside 64-bit mode VEX.W does not select KMOVQ: W1 is still KMOVD r32.
  rows.push({
    code: "VEX_Kmovd_kr_r32",
    opcode: "VEX L0 nov i64 F2 W1 0F 92 /r reg",
    mnemonic: "Kmovd",
    ops: ["Kg", "Rd"],
    cpuid: "AVX512BW",
  });
  rows.push({
    code: "VEX_Kmovd_r32_kr",
    opcode: "VEX L0 nov i64 F2 W1 0F 93 /r reg",
    mnemonic: "Kmovd",
    ops: ["Gd", "Kr"],
    cpuid: "AVX512BW",
  });
  rows.push({
    code: "VEX_Kmovq_kr_r64",
    opcode: "VEX L0 nov x64 F2 W1 0F 92 /r reg",
    mnemonic: "Kmovq",
    ops: ["Kg", "Rq"],
    cpuid: "AVX512BW",
  });
  rows.push({
    code: "VEX_Kmovq_r64_kr",
    opcode: "VEX L0 nov x64 F2 W1 0F 93 /r reg",
    mnemonic: "Kmovq",
    ops: ["Gq", "Kr"],
    cpuid: "AVX512BW",
  });
  // Opmask logic (SDM Vol. 2, KANDW etc.): W/B/Q/D by VEX.pp/W like KMOV; the word forms are
  // AVX512F except KADDW/KTESTW (AVX512DQ).
  for (const [s, enc, , cpuid] of sizes) {
    const feat = (name: string): string =>
      s === "w" ? (name === "add" ? "AVX512DQ" : "AVX512F") : cpuid;
    for (const [name, op] of [
      ["and", "41"],
      ["andn", "42"],
      ["or", "45"],
      ["xnor", "46"],
      ["xor", "47"],
      ["add", "4A"],
    ] as const)
      rows.push({
        code: `VEX_K${name}${s}_kr_kr_kr`,
        opcode: `VEX L1 ${enc} 0F ${op} /r reg`,
        mnemonic: `K${name}${s}`,
        ops: ["Kg", "Kh", "Kr"],
        cpuid: feat(name),
      });
    rows.push({
      code: `VEX_Knot${s}_kr_kr`,
      opcode: `VEX L0 nov ${enc} 0F 44 /r reg`,
      mnemonic: `Knot${s}`,
      ops: ["Kg", "Kr"],
      cpuid: feat("not"),
    });
    rows.push({
      code: `VEX_Ktest${s}_kr_kr`,
      opcode: `VEX L0 nov ${enc} 0F 99 /r reg`,
      mnemonic: `Ktest${s}`,
      ops: ["Kg", "Kr"],
      cpuid: feat("add"),
      flags: { written: "oszacp" },
    });
  }
  for (const [s, enc, cpuid] of [
    ["wd", "NP W0", "AVX512BW"],
    ["dq", "NP W1", "AVX512BW"],
    ["bw", "66 W0", "AVX512F"],
  ] as const)
    rows.push({
      code: `VEX_Kunpck${s}_kr_kr_kr`,
      opcode: `VEX L1 ${enc} 0F 4B /r reg`,
      mnemonic: `Kunpck${s}`,
      ops: ["Kg", "Kh", "Kr"],
      cpuid,
    });
  return rows;
}

const ARITH = { written: "oszacp", undef: "ap" } as const;

export const MAP_VEX = freezeForms([
  // BMI1 / BMI2 (SDM Vol. 2: ANDN, BEXTR, BLSI, BLSMSK, BLSR, BZHI, MULX, PDEP, PEXT, RORX, SARX/SHLX/SHRX).
  ...bmi("Andn", "NP", "0F 38", 0xf2, "/r", ["Gd", "Bd", "Ed"], "BMI1", {
    written: "oszacp",
    undef: "ap",
  }),
  ...bmi("Blsr", "NP", "0F 38", 0xf3, "/1", ["Bd", "Ed"], "BMI1", ARITH),
  ...bmi("Blsmsk", "NP", "0F 38", 0xf3, "/2", ["Bd", "Ed"], "BMI1", ARITH),
  ...bmi("Blsi", "NP", "0F 38", 0xf3, "/3", ["Bd", "Ed"], "BMI1", ARITH),
  ...bmi("Bzhi", "NP", "0F 38", 0xf5, "/r", ["Gd", "Ed", "Bd"], "BMI2", ARITH),
  ...bmi("Pext", "F3", "0F 38", 0xf5, "/r", ["Gd", "Bd", "Ed"], "BMI2", undefined),
  ...bmi("Pdep", "F2", "0F 38", 0xf5, "/r", ["Gd", "Bd", "Ed"], "BMI2", undefined),
  ...bmi("Mulx", "F2", "0F 38", 0xf6, "/r", ["Gd", "Bd", "Ed"], "BMI2", undefined),
  ...bmi("Bextr", "NP", "0F 38", 0xf7, "/r", ["Gd", "Ed", "Bd"], "BMI1", ARITH),
  ...bmi("Shlx", "66", "0F 38", 0xf7, "/r", ["Gd", "Ed", "Bd"], "BMI2", undefined),
  ...bmi("Sarx", "F3", "0F 38", 0xf7, "/r", ["Gd", "Ed", "Bd"], "BMI2", undefined),
  ...bmi("Shrx", "F2", "0F 38", 0xf7, "/r", ["Gd", "Ed", "Bd"], "BMI2", undefined),
  ...bmi("Rorx", "F2 nov", "0F 3A", 0xf0, "/r", ["Gd", "Ed", "Ib"], "BMI2", undefined, true),
  // AVX / AVX2.
  { code: "VEX_Vzeroupper", opcode: "VEX L0 nov NP 0F 77", mnemonic: "Vzeroupper", cpuid: "AVX" },
  { code: "VEX_Vzeroall", opcode: "VEX L1 nov NP 0F 77", mnemonic: "Vzeroall", cpuid: "AVX" },
  ...avxMove("Vmovdqa", "66", 0x6f, 0x7f),
  ...avxMove("Vmovdqu", "F3", 0x6f, 0x7f),
  {
    code: "VEX_Vmovd_xmm_rm32",
    opcode: "VEX L0 nov i64 66 0F 6E /r",
    mnemonic: "Vmovd",
    ops: ["Vx", "Ed"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovd_xmm_rm32",
    opcode: "VEX L0 nov x64 W0 66 0F 6E /r",
    mnemonic: "Vmovd",
    ops: ["Vx", "Ed"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovq_xmm_rm64",
    opcode: "VEX L0 nov W1 x64 66 0F 6E /r",
    mnemonic: "Vmovq",
    ops: ["Vx", "Eq"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovd_rm32_xmm",
    opcode: "VEX L0 nov i64 66 0F 7E /r",
    mnemonic: "Vmovd",
    ops: ["Ed", "Vx"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovd_rm32_xmm",
    opcode: "VEX L0 nov x64 W0 66 0F 7E /r",
    mnemonic: "Vmovd",
    ops: ["Ed", "Vx"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovq_rm64_xmm",
    opcode: "VEX L0 nov W1 x64 66 0F 7E /r",
    mnemonic: "Vmovq",
    ops: ["Eq", "Vx"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovq_xmm_xmmm64",
    opcode: "VEX L0 nov F3 0F 7E /r",
    mnemonic: "Vmovq",
    ops: ["Vx", "Wq"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovq_xmmm64_xmm",
    opcode: "VEX L0 nov 66 0F D6 /r",
    mnemonic: "Vmovq",
    ops: ["Wq", "Vx"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vpmovmskb_r32_xmm",
    opcode: "VEX L0 nov i64 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gd", "Ux"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vpmovmskb_r32_xmm",
    opcode: "VEX L0 nov x64 W0 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gd", "Ux"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vpmovmskb_r64_xmm",
    opcode: "VEX L0 nov x64 W1 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gq", "Ux"],
    cpuid: "AVX",
  },
  {
    code: "VEX_Vpmovmskb_r32_ymm",
    opcode: "VEX L1 nov i64 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gd", "Uy"],
    cpuid: "AVX2",
  },
  {
    code: "VEX_Vpmovmskb_r32_ymm",
    opcode: "VEX L1 nov x64 W0 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gd", "Uy"],
    cpuid: "AVX2",
  },
  {
    code: "VEX_Vpmovmskb_r64_ymm",
    opcode: "VEX L1 nov x64 W1 66 0F D7 /r reg",
    mnemonic: "Vpmovmskb",
    ops: ["Gq", "Uy"],
    cpuid: "AVX2",
  },
  ...avx3("Vpcmpgtb", "0F", 0x64),
  ...avx3("Vpcmpeqb", "0F", 0x74),
  ...avx3("Vpcmpeqw", "0F", 0x75),
  ...avx3("Vpcmpeqd", "0F", 0x76),
  ...avx3("Vpminub", "0F", 0xda),
  ...avx3("Vpand", "0F", 0xdb),
  ...avx3("Vpandn", "0F", 0xdf),
  ...avx3("Vpor", "0F", 0xeb),
  ...avx3("Vpxor", "0F", 0xef),
  ...avx3("Vpsubb", "0F", 0xf8),
  ...avx3("Vpaddb", "0F", 0xfc),
  ...avx3("Vpshufb", "0F 38", 0x00),
  ...avx3("Vpminsb", "0F 38", 0x38),
  ...avx3("Vpminud", "0F 38", 0x3b),
  ...avx3("Vpalignr", "0F 3A", 0x0f, true),
  {
    code: "VEX_Vptest_xmm_xmmm128",
    opcode: "VEX L0 nov 66 0F 38 17 /r",
    mnemonic: "Vptest",
    ops: ["Vx", "Wx"],
    cpuid: "AVX",
    flags: { written: "oszacp" },
  },
  {
    code: "VEX_Vptest_ymm_ymmm256",
    opcode: "VEX L1 nov 66 0F 38 17 /r",
    mnemonic: "Vptest",
    ops: ["Vy", "Wy"],
    cpuid: "AVX",
    flags: { written: "oszacp" },
  },
  {
    code: "VEX_Vpbroadcastb_xmm_xmmm8",
    opcode: "VEX L0 nov W0 66 0F 38 78 /r",
    mnemonic: "Vpbroadcastb",
    ops: ["Vx", "Wb"],
    cpuid: "AVX2",
  },
  {
    code: "VEX_Vpbroadcastb_ymm_xmmm8",
    opcode: "VEX L1 nov W0 66 0F 38 78 /r",
    mnemonic: "Vpbroadcastb",
    ops: ["Vy", "Wb"],
    cpuid: "AVX2",
  },
  // Opmask moves and tests (AVX512F/BW/DQ, VEX-encoded).
  ...kmask(),
  ...avxMove("Vmovups", "NP", 0x10, 0x11),
  ...avxMove("Vmovaps", "NP", 0x28, 0x29),
  {
    code: "VEX_Vmovntdq_m128_xmm",
    opcode: "VEX L0 nov 66 0F E7 /r mem",
    mnemonic: "Vmovntdq",
    ops: ["M", "Vx"],
    mem: "xmmword",
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovntdq_m256_ymm",
    opcode: "VEX L1 nov 66 0F E7 /r mem",
    mnemonic: "Vmovntdq",
    ops: ["M", "Vy"],
    mem: "ymmword",
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovntdqa_xmm_m128",
    opcode: "VEX L0 nov 66 0F 38 2A /r mem",
    mnemonic: "Vmovntdqa",
    ops: ["Vx", "M"],
    mem: "xmmword",
    cpuid: "AVX",
  },
  {
    code: "VEX_Vmovntdqa_ymm_m256",
    opcode: "VEX L1 nov 66 0F 38 2A /r mem",
    mnemonic: "Vmovntdqa",
    ops: ["Vy", "M"],
    mem: "ymmword",
    cpuid: "AVX2",
  },
  {
    code: "VEX_Vpbroadcastd_xmm_xmmm32",
    opcode: "VEX L0 nov W0 66 0F 38 58 /r",
    mnemonic: "Vpbroadcastd",
    ops: ["Vx", "Wd"],
    cpuid: "AVX2",
  },
  {
    code: "VEX_Vpbroadcastd_ymm_xmmm32",
    opcode: "VEX L1 nov W0 66 0F 38 58 /r",
    mnemonic: "Vpbroadcastd",
    ops: ["Vy", "Wd"],
    cpuid: "AVX2",
  },
] as const satisfies readonly OpcodeForm[]);
