// Two-byte opcode map 0F xx: integer and system instructions (SDM Vol. 2, Appendix A, Table
// A-3, groups 6-9, 15-16). SIMD forms live in map-0f-simd.ts. See form.ts for notation.
import { freezeForms, type OpcodeForm, SIZES } from "./form";
import { CC_FLAGS, CONDITION_CODES } from "./map-1byte";

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
const PRIV = ["priv"] as const;

/** Forms with r16/rm16, r32/rm32, r64/rm64 operands: `${m}_r16_rm16` etc. */
function gvEv(m: string, op: string, extra: Partial<OpcodeForm> = {}, name = m): OpcodeForm[] {
  return SIZES.map((z) => ({
    code: `${name}_r${z.s}_rm${z.s}`,
    opcode: `${z.o} ${op}`,
    mnemonic: m,
    ops: [`G${z.l}`, `E${z.l}`],
    ...extra,
  }));
}
function evGv(m: string, op: string, extra: Partial<OpcodeForm> = {}, tail = ""): OpcodeForm[] {
  return SIZES.map((z) => ({
    code: `${m}_rm${z.s}_r${z.s}${tail}`,
    opcode: `${z.o} ${op}`,
    mnemonic: m,
    ops: [`E${z.l}`, `G${z.l}`],
    ...extra,
  }));
}

/** Group 6 (0F 00) and LAR/LSL: r16/m16 operands, r32/m16 at o32 (iced r32m16). */
function group6(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const ops = [
    ["Sldt", 0],
    ["Str", 1],
    ["Lldt", 2],
    ["Ltr", 3],
    ["Verr", 4],
    ["Verw", 5],
  ] as const;
  for (const [m, r] of ops) {
    const extra = {
      ...(m === "Lldt" || m === "Ltr" ? { attrs: PRIV } : {}),
      ...(m === "Verr" || m === "Verw" ? { flags: { written: "z" } } : {}),
      cpuid: "INTEL286",
    } as const;
    rows.push({ code: `${m}_rm16`, opcode: `o16 0F 00 /${r}`, mnemonic: m, ops: ["Ew"], ...extra });
    rows.push({
      code: `${m}_r32m16`,
      opcode: `o32 0F 00 /${r}`,
      mnemonic: m,
      ops: ["Edw"],
      ...extra,
    });
    rows.push({
      code: `${m}_r64m16`,
      opcode: `o64 0F 00 /${r}`,
      mnemonic: m,
      ops: ["Eqw"],
      ...extra,
    });
  }
  for (const [m, b] of [
    ["Lar", "02"],
    ["Lsl", "03"],
  ] as const) {
    const extra = { cpuid: "INTEL286", flags: { written: "z" } } as const;
    rows.push({
      code: `${m}_r16_rm16`,
      opcode: `o16 0F ${b} /r`,
      mnemonic: m,
      ops: ["Gw", "Ew"],
      ...extra,
    });
    rows.push({
      code: `${m}_r32_r32m16`,
      opcode: `o32 0F ${b} /r`,
      mnemonic: m,
      ops: ["Gd", "Edw"],
      mem: "word",
      ...extra,
    });
    rows.push({
      code: `${m}_r64_r64m16`,
      opcode: `o64 0F ${b} /r`,
      mnemonic: m,
      ops: ["Gq", "Eqw"],
      mem: "word",
      ...extra,
    });
  }
  return rows;
}

/** Group 7 (0F 01): descriptor tables, SMSW/LMSW, INVLPG, and the mod=11 system ops. */
function group7(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const dt = [
    ["Sgdt", 0],
    ["Sidt", 1],
    ["Lgdt", 2],
    ["Lidt", 3],
  ] as const;
  for (const [m, r] of dt) {
    const extra = { cpuid: "INTEL286", ...(m[0] === "L" ? { attrs: PRIV } : {}) } as const;
    rows.push({
      code: `${m}_m1632_16`,
      opcode: `o16 i64 0F 01 /${r} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "fword",
      ...extra,
    });
    rows.push({
      code: `${m}_m1632`,
      opcode: `o32 i64 0F 01 /${r} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "fword",
      ...extra,
    });
    rows.push({
      code: `${m}_m1664`,
      opcode: `x64 0F 01 /${r} mem`,
      mnemonic: m,
      ops: ["M"],
      mem: "tbyte",
      ...extra,
    });
  }
  const smsw = { cpuid: "INTEL286" } as const;
  rows.push({ code: "Smsw_rm16", opcode: "o16 0F 01 /4", mnemonic: "Smsw", ops: ["Ew"], ...smsw });
  rows.push({
    code: "Smsw_r32m16",
    opcode: "o32 0F 01 /4",
    mnemonic: "Smsw",
    ops: ["Edw"],
    ...smsw,
  });
  rows.push({
    code: "Smsw_r64m16",
    opcode: "o64 0F 01 /4",
    mnemonic: "Smsw",
    ops: ["Eqw"],
    ...smsw,
  });
  rows.push({
    code: "Lmsw_rm16",
    opcode: "o16 0F 01 /6",
    mnemonic: "Lmsw",
    ops: ["Ew"],
    attrs: PRIV,
    ...smsw,
  });
  rows.push({
    code: "Lmsw_r32m16",
    opcode: "o32 0F 01 /6",
    mnemonic: "Lmsw",
    ops: ["Edw"],
    attrs: PRIV,
    ...smsw,
  });
  rows.push({
    code: "Lmsw_r64m16",
    opcode: "o64 0F 01 /6",
    mnemonic: "Lmsw",
    ops: ["Eqw"],
    attrs: PRIV,
    ...smsw,
  });
  rows.push({
    code: "Invlpg_m",
    opcode: "0F 01 /7 mem",
    mnemonic: "Invlpg",
    ops: ["M"],
    mem: "unsized",
    attrs: PRIV,
    cpuid: "INTEL486",
  });
  const fixed: readonly (readonly [number, string, string, string?])[] = [
    [0xc1, "Vmcall", "VMX"],
    [0xc2, "Vmlaunch", "VMX"],
    [0xc3, "Vmresume", "VMX"],
    [0xc4, "Vmxoff", "VMX"],
    [0xc9, "Mwait", "MONITOR"],
    [0xca, "Clac", "SMAP", "A"],
    [0xcb, "Stac", "SMAP", "A"],
    [0xd0, "Xgetbv", "XSAVE"],
    [0xd1, "Xsetbv", "XSAVE"],
    [0xd4, "Vmfunc", "VMX"],
    [0xd5, "Xend", "RTM"],
    [0xd6, "Xtest", "HLE_or_RTM"],
    [0xd9, "Vmmcall", "SVM"],
    [0xdc, "Stgi", "SKINIT_or_SVM"],
    [0xdd, "Clgi", "SVM"],
    [0xde, "Skinit", "SKINIT_or_SVM"],
    [0xf9, "Rdtscp", "RDTSCP"],
    [0xfb, "Mwaitx", "MONITORX"],
    [0xee, "Rdpkru", "PKU"],
    [0xef, "Wrpkru", "PKU"],
  ];
  for (const [m, n, cpuid, w] of fixed) {
    rows.push({
      code: n,
      opcode: `${["SVM", "SKINIT_or_SVM", "RDTSCP"].includes(cpuid) ? "" : "NP "}0F 01 /${hex(m)}`,
      mnemonic: n,
      cpuid,
      ...(w ? { flags: { written: w } } : {}),
      ...(n === "Xend" ? { flow: "XbeginXabortXend" } : {}),
    });
  }
  rows.push({
    code: "Swapgs",
    opcode: "x64 0F 01 /F8",
    mnemonic: "Swapgs",
    cpuid: "X64",
    attrs: PRIV,
  });
  // MONITOR/VMRUN/VMLOAD/VMSAVE/INVLPGA/MONITORX/CLZERO: the implicit rAX is sized by the address size.
  const bySize: readonly (readonly [number, string, string])[] = [
    [0xc8, "Monitor", "MONITOR"],
    [0xd8, "Vmrun", "SVM"],
    [0xda, "Vmload", "SVM"],
    [0xdb, "Vmsave", "SVM"],
    [0xdf, "Invlpga", "SVM"],
    [0xfa, "Monitorx", "MONITORX"],
    [0xfc, "Clzero", "CLZERO"],
  ];
  for (const [m, n, cpuid] of bySize) {
    rows.push({
      code: `${n}w`,
      opcode: `a16 ${n === "Monitor" || n === "Monitorx" ? "NP " : ""}0F 01 /${hex(m)}`,
      mnemonic: n,
      cpuid,
    });
    rows.push({
      code: `${n}d`,
      opcode: `a32 ${n === "Monitor" || n === "Monitorx" ? "NP " : ""}0F 01 /${hex(m)}`,
      mnemonic: n,
      cpuid,
    });
    rows.push({
      code: `${n}q`,
      opcode: `a64 ${n === "Monitor" || n === "Monitorx" ? "NP " : ""}0F 01 /${hex(m)}`,
      mnemonic: n,
      cpuid,
    });
  }
  return rows;
}

function jccNear(): OpcodeForm[] {
  return CONDITION_CODES.flatMap((cc, i): OpcodeForm[] => {
    const m = cap(`j${cc}`);
    const base = {
      mnemonic: m,
      flags: { read: CC_FLAGS[i] },
      flow: "ConditionalBranch",
      cpuid: "INTEL386",
    } as const;
    return [
      { code: `${m}_rel16`, opcode: `o16 f64 0F ${hex(0x80 + i)}`, ops: ["Jw"], ...base },
      { code: `${m}_rel32_32`, opcode: `o32 f64 0F ${hex(0x80 + i)}`, ops: ["Jd"], ...base },
      { code: `${m}_rel32_64`, opcode: `o64 x64 f64 0F ${hex(0x80 + i)}`, ops: ["Jd"], ...base },
    ];
  });
}

function cmovSet(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  CONDITION_CODES.forEach((cc, i) => {
    rows.push(
      ...gvEv(cap(`cmov${cc}`), `0F ${hex(0x40 + i)} /r`, {
        flags: { read: CC_FLAGS[i] },
        cpuid: "CMOV",
      }),
    );
  });
  CONDITION_CODES.forEach((cc, i) => {
    rows.push({
      code: `${cap(`set${cc}`)}_rm8`,
      opcode: `0F ${hex(0x90 + i)} /r`,
      mnemonic: cap(`set${cc}`),
      ops: ["Eb"],
      flags: { read: CC_FLAGS[i] },
      cpuid: "INTEL386",
    });
  });
  return rows;
}

function segPushPop(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  for (const [s, b] of [
    ["FS", 0xa0],
    ["GS", 0xa8],
  ] as const) {
    rows.push({
      code: `Pushw_${s}`,
      opcode: `o16 d64 0F ${hex(b)}`,
      mnemonic: "Push",
      ops: [s],
      cpuid: "INTEL386",
    });
    rows.push({
      code: `Pushd_${s}`,
      opcode: `o32 i64 0F ${hex(b)}`,
      mnemonic: "Push",
      ops: [s],
      cpuid: "INTEL386",
    });
    rows.push({
      code: `Pushq_${s}`,
      opcode: `o64 x64 d64 0F ${hex(b)}`,
      mnemonic: "Push",
      ops: [s],
      cpuid: "X64",
    });
    rows.push({
      code: `Popw_${s}`,
      opcode: `o16 d64 0F ${hex(b + 1)}`,
      mnemonic: "Pop",
      ops: [s],
      cpuid: "INTEL386",
    });
    rows.push({
      code: `Popd_${s}`,
      opcode: `o32 i64 0F ${hex(b + 1)}`,
      mnemonic: "Pop",
      ops: [s],
      cpuid: "INTEL386",
    });
    rows.push({
      code: `Popq_${s}`,
      opcode: `o64 x64 d64 0F ${hex(b + 1)}`,
      mnemonic: "Pop",
      ops: [s],
      cpuid: "X64",
    });
  }
  return rows;
}

/** BT/BTS/BTR/BTC: register forms (0F A3/AB/B3/BB) and group 8 (0F BA /4../7 imm8). */
function bitTests(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  const ops = [
    ["Bt", 0xa3, 4],
    ["Bts", 0xab, 5],
    ["Btr", 0xb3, 6],
    ["Btc", 0xbb, 7],
  ] as const;
  for (const [m, b, r] of ops) {
    const extra = {
      flags: { written: "osacp", undef: "osap" },
      cpuid: "INTEL386",
      ...(m === "Bt" ? {} : { attrs: ["lock"] as const }),
    };
    rows.push(...evGv(m, `0F ${hex(b)} /r`, extra));
    for (const z of SIZES)
      rows.push({
        code: `${m}_rm${z.s}_imm8`,
        opcode: `${z.o} 0F BA /${r}`,
        mnemonic: m,
        ops: [`E${z.l}`, "Ib"],
        ...extra,
      });
  }
  return rows;
}

function shifts(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  for (const [m, b] of [
    ["Shld", 0xa4],
    ["Shrd", 0xac],
  ] as const) {
    const extra = { flags: { written: "oszacp", undef: "oa" }, cpuid: "INTEL386" } as const;
    for (const z of SIZES) {
      rows.push({
        code: `${m}_rm${z.s}_r${z.s}_imm8`,
        opcode: `${z.o} 0F ${hex(b)} /r`,
        mnemonic: m,
        ops: [`E${z.l}`, `G${z.l}`, "Ib"],
        ...extra,
      });
      rows.push({
        code: `${m}_rm${z.s}_r${z.s}_CL`,
        opcode: `${z.o} 0F ${hex(b + 1)} /r`,
        mnemonic: m,
        ops: [`E${z.l}`, `G${z.l}`, "CL"],
        ...extra,
      });
    }
  }
  return rows;
}

function farLoads(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  for (const [m, b] of [
    ["Lss", "B2"],
    ["Lfs", "B4"],
    ["Lgs", "B5"],
  ] as const) {
    rows.push({
      code: `${m}_r16_m1616`,
      opcode: `o16 0F ${b} /r mem`,
      mnemonic: m,
      ops: ["Gw", "M"],
      mem: "far1616",
      cpuid: "INTEL386",
    });
    rows.push({
      code: `${m}_r32_m1632`,
      opcode: `o32 0F ${b} /r mem`,
      mnemonic: m,
      ops: ["Gd", "M"],
      mem: "fword",
      cpuid: "INTEL386",
    });
    rows.push({
      code: `${m}_r64_m1664`,
      opcode: `o64 0F ${b} /r mem`,
      mnemonic: m,
      ops: ["Gq", "M"],
      mem: "far1664",
      cpuid: "X64",
    });
  }
  return rows;
}

function movx(): OpcodeForm[] {
  const rows: OpcodeForm[] = [];
  for (const [m, b] of [
    ["Movzx", 0xb6],
    ["Movsx", 0xbe],
  ] as const) {
    for (const z of SIZES) {
      rows.push({
        code: `${m}_r${z.s}_rm8`,
        opcode: `${z.o} 0F ${hex(b)} /r`,
        mnemonic: m,
        ops: [`G${z.l}`, "Eb"],
        cpuid: "INTEL386",
      });
      rows.push({
        code: `${m}_r${z.s}_rm16`,
        opcode: `${z.o} 0F ${hex(b + 1)} /r`,
        mnemonic: m,
        ops: [`G${z.l}`, "Ew"],
        cpuid: "INTEL386",
      });
    }
  }
  return rows;
}

const LOCK = ["lock"] as const;

export const MAP_0F = freezeForms([
  ...group6(),
  ...group7(),
  {
    code: "Syscall",
    opcode: "0F 05",
    mnemonic: "Syscall",
    cpuid: "SYSCALL",
    flow: "Call",
    flags: { read: "oszacpdiA", written: "oszacpdiA" },
  },
  { code: "Clts", opcode: "0F 06", mnemonic: "Clts", attrs: PRIV, cpuid: "INTEL286" },
  {
    code: "Sysretd",
    opcode: "W0 0F 07",
    mnemonic: "Sysret",
    attrs: PRIV,
    cpuid: "SYSCALL",
    flow: "Return",
  },
  {
    code: "Sysretq",
    opcode: "W1 x64 0F 07",
    mnemonic: "Sysretq",
    attrs: PRIV,
    cpuid: "SYSCALL",
    flow: "Return",
  },
  { code: "Invd", opcode: "0F 08", mnemonic: "Invd", attrs: PRIV, cpuid: "INTEL486" },
  { code: "Wbnoinvd", opcode: "F3 0F 09", mnemonic: "Wbnoinvd", attrs: PRIV, cpuid: "WBNOINVD" },
  { code: "Wbinvd", opcode: "0F 09", mnemonic: "Wbinvd", attrs: PRIV, cpuid: "INTEL486" },
  { code: "Ud2", opcode: "0F 0B", mnemonic: "Ud2", cpuid: "INTEL286", flow: "Exception" },
  {
    code: "Prefetch_m8",
    opcode: "0F 0D /0 mem",
    mnemonic: "Prefetch",
    ops: ["M"],
    mem: "byte",
    cpuid: "PREFETCHW",
  },
  {
    code: "Prefetchw_m8",
    opcode: "0F 0D /1 mem",
    mnemonic: "Prefetchw",
    ops: ["M"],
    mem: "byte",
    cpuid: "PREFETCHW",
  },
  {
    code: "Prefetchwt1_m8",
    opcode: "0F 0D /2 mem",
    mnemonic: "Prefetchwt1",
    ops: ["M"],
    mem: "byte",
    cpuid: "PREFETCHWT1",
  },
  ...[3, 4, 5, 6, 7].map(
    (r) =>
      ({
        code: `Prefetchreserved${r}_m8`,
        opcode: `0F 0D /${r} mem`,
        mnemonic: r === 3 ? "Prefetchw" : "Prefetch",
        ops: ["M"],
        mem: "byte",
        cpuid: "PREFETCHW",
      }) as const,
  ),
  { code: "Femms", opcode: "0F 0E", mnemonic: "Femms", cpuid: "D3NOW" },
  {
    code: "Prefetchit1_m8",
    opcode: "0F 18 /6 mem",
    mnemonic: "Prefetchit1",
    ops: ["M"],
    mem: "byte",
    cpuid: "PREFETCHITI",
  },
  {
    code: "Prefetchit0_m8",
    opcode: "0F 18 /7 mem",
    mnemonic: "Prefetchit0",
    ops: ["M"],
    mem: "byte",
    cpuid: "PREFETCHITI",
  },
  {
    code: "Prefetchnta_m8",
    opcode: "0F 18 /0 mem",
    mnemonic: "Prefetchnta",
    ops: ["M"],
    mem: "byte",
    cpuid: "SSE",
  },
  {
    code: "Prefetcht0_m8",
    opcode: "0F 18 /1 mem",
    mnemonic: "Prefetcht0",
    ops: ["M"],
    mem: "byte",
    cpuid: "SSE",
  },
  {
    code: "Prefetcht1_m8",
    opcode: "0F 18 /2 mem",
    mnemonic: "Prefetcht1",
    ops: ["M"],
    mem: "byte",
    cpuid: "SSE",
  },
  {
    code: "Prefetcht2_m8",
    opcode: "0F 18 /3 mem",
    mnemonic: "Prefetcht2",
    ops: ["M"],
    mem: "byte",
    cpuid: "SSE",
  },
  ...SIZES.map((z) => ({
    code: `Nop_rm${z.s}`,
    opcode: `${z.o} 0F 1F /0`,
    mnemonic: "Nop",
    ops: [`E${z.l}`],
    cpuid: "MULTIBYTENOP",
  })),
  {
    code: "Mov_r32_cr",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "i64 0F 20 /r",
    mnemonic: "Mov",
    ops: ["Rd", "Cd"],
    attrs: PRIV,
    cpuid: "INTEL386",
  },
  {
    code: "Mov_r64_cr",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "x64 0F 20 /r",
    mnemonic: "Mov",
    ops: ["Rq", "Cq"],
    attrs: PRIV,
    cpuid: "X64",
  },
  {
    code: "Mov_r32_dr",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "i64 0F 21 /r",
    mnemonic: "Mov",
    ops: ["Rd", "Dd"],
    attrs: PRIV,
    cpuid: "INTEL386",
  },
  {
    code: "Mov_r64_dr",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "x64 0F 21 /r",
    mnemonic: "Mov",
    ops: ["Rq", "Dq"],
    attrs: PRIV,
    cpuid: "X64",
  },
  {
    code: "Mov_cr_r32",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "i64 0F 22 /r",
    mnemonic: "Mov",
    ops: ["Cd", "Rd"],
    attrs: PRIV,
    cpuid: "INTEL386",
  },
  {
    code: "Mov_cr_r64",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "x64 0F 22 /r",
    mnemonic: "Mov",
    ops: ["Cq", "Rq"],
    attrs: PRIV,
    cpuid: "X64",
  },
  {
    code: "Mov_dr_r32",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "i64 0F 23 /r",
    mnemonic: "Mov",
    ops: ["Dd", "Rd"],
    attrs: PRIV,
    cpuid: "INTEL386",
  },
  {
    code: "Mov_dr_r64",
    flags: { written: "oszacp", undef: "oszacp" },
    opcode: "x64 0F 23 /r",
    mnemonic: "Mov",
    ops: ["Dq", "Rq"],
    attrs: PRIV,
    cpuid: "X64",
  },
  { code: "Wrmsr", opcode: "0F 30", mnemonic: "Wrmsr", attrs: PRIV, cpuid: "MSR" },
  { code: "Rdtsc", opcode: "0F 31", mnemonic: "Rdtsc", cpuid: "TSC" },
  { code: "Rdmsr", opcode: "0F 32", mnemonic: "Rdmsr", attrs: PRIV, cpuid: "MSR" },
  { code: "Rdpmc", opcode: "0F 33", mnemonic: "Rdpmc", cpuid: "RDPMC" },
  { code: "Sysenter", opcode: "0F 34", mnemonic: "Sysenter", cpuid: "SEP", flow: "Call" },
  {
    code: "Sysexitd",
    opcode: "W0 0F 35",
    mnemonic: "Sysexit",
    attrs: PRIV,
    cpuid: "SEP",
    flow: "Return",
  },
  {
    code: "Sysexitq",
    opcode: "W1 x64 0F 35",
    mnemonic: "Sysexitq",
    attrs: PRIV,
    cpuid: "SEP",
    flow: "Return",
  },
  { code: "Getsecd", opcode: "NP W0 0F 37", mnemonic: "Getsec", cpuid: "SMX" },
  { code: "Getsecq", opcode: "NP W1 x64 0F 37", mnemonic: "Getsecq", cpuid: "SMX" },
  ...cmovSet(),
  ...jccNear(),
  ...segPushPop(),
  { code: "Cpuid", opcode: "0F A2", mnemonic: "Cpuid", cpuid: "CPUID" },
  ...bitTests(),
  ...shifts(),
  {
    code: "Rsm",
    opcode: "0F AA",
    mnemonic: "Rsm",
    cpuid: "INTEL386",
    flow: "Return",
    flags: { written: "oszacpdit" },
  },
  ...gvEv("Imul", "0F AF /r", { flags: { written: "oszacp", undef: "szap" }, cpuid: "INTEL386" }),
  {
    code: "Cmpxchg_rm8_r8",
    opcode: "0F B0 /r",
    mnemonic: "Cmpxchg",
    ops: ["Eb", "Gb"],
    attrs: LOCK,
    flags: { written: "oszacp" },
    cpuid: "INTEL486",
  },
  ...evGv("Cmpxchg", "0F B1 /r", { attrs: LOCK, flags: { written: "oszacp" }, cpuid: "INTEL486" }),
  ...farLoads(),
  ...movx(),
  ...gvEv("Popcnt", "F3 0F B8 /r", { flags: { written: "oszacp" }, cpuid: "POPCNT" }),
  ...gvEv("Ud1", "0F B9 /r", { cpuid: "INTEL286", flow: "Exception" }),
  ...gvEv("Tzcnt", "F3 0F BC /r", { flags: { written: "oszacp", undef: "osap" }, cpuid: "BMI1" }),
  ...gvEv("Bsf", "0F BC /r", { flags: { written: "oszacp", undef: "osacp" }, cpuid: "INTEL386" }),
  ...gvEv("Lzcnt", "F3 0F BD /r", { flags: { written: "oszacp", undef: "osap" }, cpuid: "LZCNT" }),
  ...gvEv("Bsr", "0F BD /r", { flags: { written: "oszacp", undef: "osacp" }, cpuid: "INTEL386" }),
  {
    code: "Xadd_rm8_r8",
    opcode: "0F C0 /r",
    mnemonic: "Xadd",
    ops: ["Eb", "Gb"],
    attrs: LOCK,
    flags: { written: "oszacp" },
    cpuid: "INTEL486",
  },
  ...evGv("Xadd", "0F C1 /r", { attrs: LOCK, flags: { written: "oszacp" }, cpuid: "INTEL486" }),
  {
    code: "Cmpxchg8b_m64",
    opcode: "W0 0F C7 /1 mem",
    mnemonic: "Cmpxchg8b",
    ops: ["M"],
    mem: "qword",
    attrs: LOCK,
    flags: { written: "z" },
    cpuid: "CX8",
  },
  {
    code: "Cmpxchg16b_m128",
    opcode: "W1 x64 0F C7 /1 mem",
    mnemonic: "Cmpxchg16b",
    ops: ["M"],
    mem: "xmmword",
    attrs: LOCK,
    flags: { written: "z" },
    cpuid: "CMPXCHG16B",
  },
  ...SIZES.map((z) => ({
    code: `Rdrand_r${z.s}`,
    opcode: `${z.o} noF2F3 0F C7 /6 reg`,
    mnemonic: "Rdrand",
    ops: [`E${z.l}`],
    flags: { written: "oszacp" },
    cpuid: "RDRAND",
  })),
  ...SIZES.map((z) => ({
    code: `Rdseed_r${z.s}`,
    opcode: `${z.o} noF2F3 0F C7 /7 reg`,
    mnemonic: "Rdseed",
    ops: [`E${z.l}`],
    flags: { written: "oszacp" },
    cpuid: "RDSEED",
  })),
  {
    code: "Rdpid_r32",
    opcode: "i64 F3 0F C7 /7 reg",
    mnemonic: "Rdpid",
    ops: ["Ed"],
    cpuid: "RDPID",
  },
  {
    code: "Rdpid_r64",
    opcode: "x64 F3 0F C7 /7 reg",
    mnemonic: "Rdpid",
    ops: ["Eq"],
    cpuid: "RDPID",
  },
  {
    code: "Xrstors_mem",
    opcode: "NP W0 0F C7 /3 mem",
    mnemonic: "Xrstors",
    ops: ["M"],
    mem: "unsized",
    cpuid: "XSAVES",
    attrs: PRIV,
  },
  {
    code: "Xsavec_mem",
    opcode: "NP W0 0F C7 /4 mem",
    mnemonic: "Xsavec",
    ops: ["M"],
    mem: "unsized",
    cpuid: "XSAVEC",
  },
  {
    code: "Xsaves_mem",
    opcode: "NP W0 0F C7 /5 mem",
    mnemonic: "Xsaves",
    ops: ["M"],
    mem: "unsized",
    cpuid: "XSAVES",
    attrs: PRIV,
  },
  {
    code: "Vmptrld_m64",
    opcode: "NP 0F C7 /6 mem",
    mnemonic: "Vmptrld",
    ops: ["M"],
    mem: "qword",
    cpuid: "VMX",
    attrs: PRIV,
  },
  {
    code: "Vmclear_m64",
    opcode: "66 0F C7 /6 mem",
    mnemonic: "Vmclear",
    ops: ["M"],
    mem: "qword",
    cpuid: "VMX",
    attrs: PRIV,
  },
  {
    code: "Vmxon_m64",
    opcode: "F3 0F C7 /6 mem",
    mnemonic: "Vmxon",
    ops: ["M"],
    mem: "qword",
    cpuid: "VMX",
    attrs: PRIV,
  },
  {
    code: "Vmptrst_m64",
    opcode: "NP 0F C7 /7 mem",
    mnemonic: "Vmptrst",
    ops: ["M"],
    mem: "qword",
    cpuid: "VMX",
    attrs: PRIV,
  },
  ...SIZES.map((z) => ({
    code: `Bswap_r${z.s}`,
    opcode: `${z.o} 0F C8 +r`,
    mnemonic: "Bswap",
    ops: [`Z${z.l}`],
    cpuid: "INTEL486",
  })),
  ...gvEv("Ud0", "0F FF /r", { cpuid: "INTEL286", flow: "Exception" }),
  {
    code: "Cldemote_m8",
    opcode: "NP 0F 1C /0 mem",
    mnemonic: "Cldemote",
    ops: ["M"],
    mem: "unsized",
    cpuid: "CLDEMOTE",
  },
  { code: "Endbr64", opcode: "F3 0F 1E /FA", mnemonic: "Endbr64", cpuid: "CET_IBT" },
  { code: "Endbr32", opcode: "F3 0F 1E /FB", mnemonic: "Endbr32", cpuid: "CET_IBT" },
  {
    code: "Rdsspd_r32",
    opcode: "W0 F3 0F 1E /1 reg",
    mnemonic: "Rdsspd",
    ops: ["Ed"],
    cpuid: "CET_SS",
  },
  {
    code: "Rdsspq_r64",
    opcode: "W1 x64 F3 0F 1E /1 reg",
    mnemonic: "Rdsspq",
    ops: ["Eq"],
    cpuid: "CET_SS",
  },
  {
    code: "Incsspd_r32",
    opcode: "W0 F3 0F AE /5 reg",
    mnemonic: "Incsspd",
    ops: ["Ed"],
    cpuid: "CET_SS",
  },
  {
    code: "Incsspq_r64",
    opcode: "W1 x64 F3 0F AE /5 reg",
    mnemonic: "Incsspq",
    ops: ["Eq"],
    cpuid: "CET_SS",
  },
  {
    code: "Vmread_rm32_r32",
    opcode: "NP i64 0F 78 /r",
    mnemonic: "Vmread",
    ops: ["Ed", "Gd"],
    cpuid: "VMX",
    flags: { written: "oszacp" },
  },
  {
    code: "Vmread_rm64_r64",
    opcode: "NP x64 0F 78 /r",
    mnemonic: "Vmread",
    ops: ["Eq", "Gq"],
    cpuid: "VMX",
    flags: { written: "oszacp" },
  },
  {
    code: "Vmwrite_r32_rm32",
    opcode: "NP i64 0F 79 /r",
    mnemonic: "Vmwrite",
    ops: ["Gd", "Ed"],
    cpuid: "VMX",
    flags: { written: "oszacp" },
  },
  {
    code: "Vmwrite_r64_rm64",
    opcode: "NP x64 0F 79 /r",
    mnemonic: "Vmwrite",
    ops: ["Gq", "Eq"],
    cpuid: "VMX",
    flags: { written: "oszacp" },
  },
  // F2 0F 1E (register form) is consumed as a mandatory prefix by the hint-NOP decoding (iced: no REPNE).
  ...SIZES.map(
    (z) =>
      ({
        code: `Reservednop_rm${z.s}_r${z.s}_0F1E`,
        opcode: `${z.o} F2 0F 1E /1 reg`,
        mnemonic: "Reservednop",
        ops: [`E${z.l}`, `G${z.l}`],
        cpuid: "MULTIBYTENOP",
      }) as const,
  ),
  ...(["FA", "FB"] as const).flatMap((m) =>
    SIZES.map(
      (z) =>
        ({
          code: `Reservednop_rm${z.s}_r${z.s}_0F1E`,
          opcode: `${z.o} F2 0F 1E /${m}`,
          mnemonic: "Reservednop",
          ops: [`E${z.l}`, `G${z.l}`],
          cpuid: "MULTIBYTENOP",
        }) as const,
    ),
  ),
  // Hint-NOP space: whatever 0F 0D and 0F 18..1F encodings are not claimed above (SDM NOP note).
  ...[0x0d, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f].flatMap((op) =>
    SIZES.map(
      (z) =>
        ({
          code: `Reservednop_rm${z.s}_r${z.s}_0F${hex(op)}`,
          opcode: `${z.o} 0F ${hex(op)} /r`,
          mnemonic: "Reservednop",
          ops: [`E${z.l}`, `G${z.l}`],
          cpuid: "MULTIBYTENOP",
        }) as const,
    ),
  ),
] as const satisfies readonly OpcodeForm[]);
