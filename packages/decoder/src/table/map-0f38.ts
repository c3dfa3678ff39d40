// Three-byte maps 0F 38 xx and 0F 3A xx (legacy encodings): SSSE3, SSE4.1, SSE4.2, AES,
// PCLMULQDQ, SHA, MOVBE, CRC32, ADX, INVEPT/INVVPID/INVPCID (SDM Vol. 2, Appendix A, Tables
// See form.ts for notation.
import { freezeForms, type OpcodeForm } from "./form";

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** SSSE3: NP mm form and 66 xmm form. */
function ssse3(op: number, m: string): OpcodeForm[] {
  return [
    {
      code: `${m}_mm_mmm64`,
      opcode: `NP 0F 38 ${hex(op)} /r`,
      mnemonic: m,
      ops: ["Pq", "Qq"],
      cpuid: "SSSE3",
    },
    {
      code: `${m}_xmm_xmmm128`,
      opcode: `66 0F 38 ${hex(op)} /r`,
      mnemonic: m,
      ops: ["Vx", "Wx"],
      cpuid: "SSSE3",
    },
  ];
}
/** 66 0F 38 xx /r with xmm, xmm/mN operands. */
function x38(
  op: number,
  m: string,
  cpuid: string,
  src: "Wx" | "Wq" | "Wd" | "Ww" = "Wx",
  prefix = "66",
): OpcodeForm {
  const size = { Wx: "128", Wq: "64", Wd: "32", Ww: "16" }[src];
  return {
    code: `${m}_xmm_xmmm${size}`,
    opcode: `${prefix} 0F 38 ${hex(op)} /r`,
    mnemonic: m,
    ops: ["Vx", src],
    cpuid,
  };
}
/** 66 0F 3A xx /r ib with xmm, xmm/mN, imm8 operands. */
function x3a(
  op: number,
  m: string,
  cpuid: string,
  src: "Wx" | "Wq" | "Wd" = "Wx",
  prefix = "66",
): OpcodeForm {
  const size = { Wx: "128", Wq: "64", Wd: "32" }[src];
  return {
    code: `${m}_xmm_xmmm${size}_imm8`,
    opcode: `${prefix} 0F 3A ${hex(op)} /r`,
    mnemonic: m,
    ops: ["Vx", src, "Ib"],
    cpuid,
  };
}

const SSSE3 = [
  [0x00, "Pshufb"],
  [0x01, "Phaddw"],
  [0x02, "Phaddd"],
  [0x03, "Phaddsw"],
  [0x04, "Pmaddubsw"],
  [0x05, "Phsubw"],
  [0x06, "Phsubd"],
  [0x07, "Phsubsw"],
  [0x08, "Psignb"],
  [0x09, "Psignw"],
  [0x0a, "Psignd"],
  [0x0b, "Pmulhrsw"],
  [0x1c, "Pabsb"],
  [0x1d, "Pabsw"],
  [0x1e, "Pabsd"],
] as const;
const SSE41_128 = [
  [0x10, "Pblendvb"],
  [0x14, "Blendvps"],
  [0x15, "Blendvpd"],
  [0x17, "Ptest"],
  [0x28, "Pmuldq"],
  [0x29, "Pcmpeqq"],
  [0x2b, "Packusdw"],
  [0x38, "Pminsb"],
  [0x39, "Pminsd"],
  [0x3a, "Pminuw"],
  [0x3b, "Pminud"],
  [0x3c, "Pmaxsb"],
  [0x3d, "Pmaxsd"],
  [0x3e, "Pmaxuw"],
  [0x3f, "Pmaxud"],
  [0x40, "Pmulld"],
  [0x41, "Phminposuw"],
] as const;
const PMOVX = [
  [0x0, "bw", "Wq"],
  [0x1, "bd", "Wd"],
  [0x2, "bq", "Ww"],
  [0x3, "wd", "Wq"],
  [0x4, "wq", "Wd"],
  [0x5, "dq", "Wq"],
] as const;

export const MAP_0F38 = freezeForms([
  ...SSSE3.flatMap(([op, m]) => ssse3(op, m)),
  ...SSE41_128.map(([op, m]) => ({
    ...x38(op, m, "SSE4_1"),
    ...(m === "Ptest" ? { flags: { written: "oszacp" } } : {}),
  })),
  ...PMOVX.flatMap(([i, s, src]) => [
    x38(0x20 + i, `Pmovsx${s}`, "SSE4_1", src),
    x38(0x30 + i, `Pmovzx${s}`, "SSE4_1", src),
  ]),
  {
    code: "Movntdqa_xmm_m128",
    opcode: "66 0F 38 2A /r mem",
    mnemonic: "Movntdqa",
    ops: ["Vx", "M"],
    mem: "xmmword",
    cpuid: "SSE4_1",
  },
  x38(0x37, "Pcmpgtq", "SSE4_2"),
  ...(
    [
      [0x80, "Invept", "INVEPT"],
      [0x81, "Invvpid", "INVVPID"],
      [0x82, "Invpcid", "INVPCID"],
    ] as const
  ).flatMap(([op, m, cpuid]): OpcodeForm[] => [
    {
      code: `${m}_r32_m128`,
      opcode: `i64 66 0F 38 ${hex(op)} /r mem`,
      mnemonic: m,
      ops: ["Gd", "M"],
      mem: "xmmword",
      cpuid,
      attrs: ["priv"],
    },
    {
      code: `${m}_r64_m128`,
      opcode: `x64 66 0F 38 ${hex(op)} /r mem`,
      mnemonic: m,
      ops: ["Gq", "M"],
      mem: "xmmword",
      cpuid,
      attrs: ["priv"],
    },
  ]),
  ...(
    [
      [0xc8, "Sha1nexte"],
      [0xc9, "Sha1msg1"],
      [0xca, "Sha1msg2"],
      [0xcb, "Sha256rnds2"],
      [0xcc, "Sha256msg1"],
      [0xcd, "Sha256msg2"],
    ] as const
  ).map(([op, m]) => x38(op, m, "SHA", "Wx", "NP")),
  x38(0xcf, "Gf2p8mulb", "GFNI"),
  ...(
    [
      [0xdb, "Aesimc"],
      [0xdc, "Aesenc"],
      [0xdd, "Aesenclast"],
      [0xde, "Aesdec"],
      [0xdf, "Aesdeclast"],
    ] as const
  ).map(([op, m]) => x38(op, m, "AES")),
  {
    code: "Crc32_r32_rm8",
    opcode: "W0 F2 0F 38 F0 /r",
    mnemonic: "Crc32",
    ops: ["Gd", "Eb"],
    cpuid: "SSE4_2",
  },
  {
    code: "Crc32_r64_rm8",
    opcode: "W1 x64 F2 0F 38 F0 /r",
    mnemonic: "Crc32",
    ops: ["Gq", "Eb"],
    cpuid: "SSE4_2",
  },
  {
    code: "Crc32_r32_rm16",
    opcode: "o16 F2 0F 38 F1 /r",
    mnemonic: "Crc32",
    ops: ["Gd", "Ew"],
    cpuid: "SSE4_2",
  },
  {
    code: "Crc32_r32_rm32",
    opcode: "o32 F2 0F 38 F1 /r",
    mnemonic: "Crc32",
    ops: ["Gd", "Ed"],
    cpuid: "SSE4_2",
  },
  {
    code: "Crc32_r64_rm64",
    opcode: "o64 F2 0F 38 F1 /r",
    mnemonic: "Crc32",
    ops: ["Gq", "Eq"],
    cpuid: "SSE4_2",
  },
  {
    code: "Movbe_r16_m16",
    opcode: "o16 noF2F3 0F 38 F0 /r mem",
    mnemonic: "Movbe",
    ops: ["Gw", "M"],
    mem: "word",
    cpuid: "MOVBE",
  },
  {
    code: "Movbe_r32_m32",
    opcode: "o32 noF2F3 0F 38 F0 /r mem",
    mnemonic: "Movbe",
    ops: ["Gd", "M"],
    mem: "dword",
    cpuid: "MOVBE",
  },
  {
    code: "Movbe_r64_m64",
    opcode: "o64 noF2F3 0F 38 F0 /r mem",
    mnemonic: "Movbe",
    ops: ["Gq", "M"],
    mem: "qword",
    cpuid: "MOVBE",
  },
  {
    code: "Movbe_m16_r16",
    opcode: "o16 noF2F3 0F 38 F1 /r mem",
    mnemonic: "Movbe",
    ops: ["M", "Gw"],
    mem: "word",
    cpuid: "MOVBE",
  },
  {
    code: "Movbe_m32_r32",
    opcode: "o32 noF2F3 0F 38 F1 /r mem",
    mnemonic: "Movbe",
    ops: ["M", "Gd"],
    mem: "dword",
    cpuid: "MOVBE",
  },
  {
    code: "Movbe_m64_r64",
    opcode: "o64 noF2F3 0F 38 F1 /r mem",
    mnemonic: "Movbe",
    ops: ["M", "Gq"],
    mem: "qword",
    cpuid: "MOVBE",
  },
  {
    code: "Adcx_r32_rm32",
    opcode: "W0 66 0F 38 F6 /r",
    mnemonic: "Adcx",
    ops: ["Gd", "Ed"],
    cpuid: "ADX",
    flags: { read: "c", written: "c" },
  },
  {
    code: "Adcx_r64_rm64",
    opcode: "W1 x64 66 0F 38 F6 /r",
    mnemonic: "Adcx",
    ops: ["Gq", "Eq"],
    cpuid: "ADX",
    flags: { read: "c", written: "c" },
  },
  {
    code: "Adox_r32_rm32",
    opcode: "W0 F3 0F 38 F6 /r",
    mnemonic: "Adox",
    ops: ["Gd", "Ed"],
    cpuid: "ADX",
    flags: { read: "o", written: "o" },
  },
  {
    code: "Adox_r64_rm64",
    opcode: "W1 x64 F3 0F 38 F6 /r",
    mnemonic: "Adox",
    ops: ["Gq", "Eq"],
    cpuid: "ADX",
    flags: { read: "o", written: "o" },
  },
] as const satisfies readonly OpcodeForm[]);

export const MAP_0F3A = freezeForms([
  x3a(0x08, "Roundps", "SSE4_1"),
  x3a(0x09, "Roundpd", "SSE4_1"),
  x3a(0x0a, "Roundss", "SSE4_1", "Wd"),
  x3a(0x0b, "Roundsd", "SSE4_1", "Wq"),
  x3a(0x0c, "Blendps", "SSE4_1"),
  x3a(0x0d, "Blendpd", "SSE4_1"),
  x3a(0x0e, "Pblendw", "SSE4_1"),
  {
    code: "Palignr_mm_mmm64_imm8",
    opcode: "NP 0F 3A 0F /r",
    mnemonic: "Palignr",
    ops: ["Pq", "Qq", "Ib"],
    cpuid: "SSSE3",
  },
  x3a(0x0f, "Palignr", "SSSE3"),
  {
    code: "Pextrb_r32m8_xmm_imm8",
    opcode: "W0 66 0F 3A 14 /r",
    mnemonic: "Pextrb",
    ops: ["Ed", "Vx", "Ib"],
    mem: "byte",
    cpuid: "SSE4_1",
  },
  {
    code: "Pextrb_r64m8_xmm_imm8",
    opcode: "W1 x64 66 0F 3A 14 /r",
    mnemonic: "Pextrb",
    ops: ["Eq", "Vx", "Ib"],
    mem: "byte",
    cpuid: "SSE4_1",
  },
  {
    code: "Pextrw_r32m16_xmm_imm8",
    opcode: "W0 66 0F 3A 15 /r",
    mnemonic: "Pextrw",
    ops: ["Ed", "Vx", "Ib"],
    mem: "word",
    cpuid: "SSE4_1",
  },
  {
    code: "Pextrw_r64m16_xmm_imm8",
    opcode: "W1 x64 66 0F 3A 15 /r",
    mnemonic: "Pextrw",
    ops: ["Eq", "Vx", "Ib"],
    mem: "word",
    cpuid: "SSE4_1",
  },
  {
    code: "Pextrd_rm32_xmm_imm8",
    opcode: "W0 66 0F 3A 16 /r",
    mnemonic: "Pextrd",
    ops: ["Ed", "Vx", "Ib"],
    cpuid: "SSE4_1",
  },
  {
    code: "Pextrq_rm64_xmm_imm8",
    opcode: "W1 x64 66 0F 3A 16 /r",
    mnemonic: "Pextrq",
    ops: ["Eq", "Vx", "Ib"],
    cpuid: "SSE4_1",
  },
  {
    code: "Extractps_rm32_xmm_imm8",
    opcode: "W0 66 0F 3A 17 /r",
    mnemonic: "Extractps",
    ops: ["Ed", "Vx", "Ib"],
    cpuid: "SSE4_1",
  },
  {
    code: "Extractps_r64m32_xmm_imm8",
    opcode: "W1 x64 66 0F 3A 17 /r",
    mnemonic: "Extractps",
    ops: ["Eq", "Vx", "Ib"],
    mem: "dword",
    cpuid: "SSE4_1",
  },
  {
    code: "Pinsrb_xmm_r32m8_imm8",
    opcode: "W0 66 0F 3A 20 /r",
    mnemonic: "Pinsrb",
    ops: ["Vx", "Ed", "Ib"],
    mem: "byte",
    cpuid: "SSE4_1",
  },
  {
    code: "Pinsrb_xmm_r64m8_imm8",
    opcode: "W1 x64 66 0F 3A 20 /r",
    mnemonic: "Pinsrb",
    ops: ["Vx", "Eq", "Ib"],
    mem: "byte",
    cpuid: "SSE4_1",
  },
  x3a(0x21, "Insertps", "SSE4_1", "Wd"),
  {
    code: "Pinsrd_xmm_rm32_imm8",
    opcode: "W0 66 0F 3A 22 /r",
    mnemonic: "Pinsrd",
    ops: ["Vx", "Ed", "Ib"],
    cpuid: "SSE4_1",
  },
  {
    code: "Pinsrq_xmm_rm64_imm8",
    opcode: "W1 x64 66 0F 3A 22 /r",
    mnemonic: "Pinsrq",
    ops: ["Vx", "Eq", "Ib"],
    cpuid: "SSE4_1",
  },
  x3a(0x40, "Dpps", "SSE4_1"),
  x3a(0x41, "Dppd", "SSE4_1"),
  x3a(0x42, "Mpsadbw", "SSE4_1"),
  x3a(0x44, "Pclmulqdq", "PCLMULQDQ"),
  {
    ...x3a(0x60, "Pcmpestrm", "SSE4_2"),
    opcode: "W0 66 0F 3A 60 /r",
    flags: { written: "oszacp" },
  },
  {
    code: "Pcmpestrm64_xmm_xmmm128_imm8",
    opcode: "W1 x64 66 0F 3A 60 /r",
    mnemonic: "Pcmpestrm64",
    ops: ["Vx", "Wx", "Ib"],
    cpuid: "SSE4_2",
    flags: { written: "oszacp" },
  },
  {
    ...x3a(0x61, "Pcmpestri", "SSE4_2"),
    opcode: "W0 66 0F 3A 61 /r",
    flags: { written: "oszacp" },
  },
  {
    code: "Pcmpestri64_xmm_xmmm128_imm8",
    opcode: "W1 x64 66 0F 3A 61 /r",
    mnemonic: "Pcmpestri64",
    ops: ["Vx", "Wx", "Ib"],
    cpuid: "SSE4_2",
    flags: { written: "oszacp" },
  },
  { ...x3a(0x62, "Pcmpistrm", "SSE4_2"), flags: { written: "oszacp" } },
  { ...x3a(0x63, "Pcmpistri", "SSE4_2"), flags: { written: "oszacp" } },
  x3a(0xcc, "Sha1rnds4", "SHA", "Wx", "NP"),
  x3a(0xce, "Gf2p8affineqb", "GFNI"),
  x3a(0xcf, "Gf2p8affineinvqb", "GFNI"),
  x3a(0xdf, "Aeskeygenassist", "AES"),
] as const satisfies readonly OpcodeForm[]);
