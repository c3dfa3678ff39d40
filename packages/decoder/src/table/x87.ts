// x87 escape opcodes D8-DF (SDM Vol. 2, Appendix A.5, Tables A-7..A-22). Memory forms are
// selected by ModRM.reg; register forms (mod = 11) by the whole ModRM byte, written here as
// `/reg` digit plus `reg` (ST(i) from r/m) or a fixed `/XX` byte.
import { freezeForms, type MemSizeName, type OpcodeForm } from "./form";

const FPU = { cpuid: "FPU" } as const;
const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** D8/DC/DA/DE memory arithmetic: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR. */
function memArith(op: number, prefix: "F" | "Fi", suffix: string, mem: MemSizeName): OpcodeForm[] {
  const names = ["add", "mul", "com", "comp", "sub", "subr", "div", "divr"];
  return names.map((n, r) => {
    const m = `${prefix}${n}`;
    return {
      code: `${m}_${suffix}`,
      opcode: `${hex(op)} /${r} mem`,
      mnemonic: m,
      ops: ["M"],
      mem,
      ...FPU,
    };
  });
}

/** Register form: `byte /reg reg` with ST(i) operands in the given order. */
function regForm(
  code: string,
  mnemonic: string,
  op: number,
  r: number,
  ops: readonly string[],
): OpcodeForm {
  return { code, opcode: `${hex(op)} /${r} reg`, mnemonic, ops, ...FPU };
}
function fixed(
  code: string,
  mnemonic: string,
  op: number,
  modrm: number,
  ops: readonly string[] = [],
): OpcodeForm {
  return { code, opcode: `${hex(op)} /${hex(modrm)}`, mnemonic, ops, ...FPU };
}
const S0I = ["ST0", "STi"] as const;
const SI0 = ["STi", "ST0"] as const;

export const X87 = freezeForms([
  // D8
  ...memArith(0xd8, "F", "m32fp", "dword"),
  ...["add", "mul", "com", "comp", "sub", "subr", "div", "divr"].map((n, r) =>
    regForm(`F${n}_st0_sti`, `F${n}`, 0xd8, r, S0I),
  ),
  // D9
  { code: "Fld_m32fp", opcode: "D9 /0 mem", mnemonic: "Fld", ops: ["M"], mem: "dword", ...FPU },
  { code: "Fst_m32fp", opcode: "D9 /2 mem", mnemonic: "Fst", ops: ["M"], mem: "dword", ...FPU },
  { code: "Fstp_m32fp", opcode: "D9 /3 mem", mnemonic: "Fstp", ops: ["M"], mem: "dword", ...FPU },
  {
    code: "Fldenv_m14byte",
    opcode: "o16 D9 /4 mem",
    mnemonic: "Fldenv",
    ops: ["M"],
    mem: "env14",
    ...FPU,
  },
  {
    code: "Fldenv_m28byte",
    opcode: "o32 D9 /4 mem",
    mnemonic: "Fldenv",
    ops: ["M"],
    mem: "env28",
    ...FPU,
  },
  {
    code: "Fldenv_m28byte",
    opcode: "o64 D9 /4 mem",
    mnemonic: "Fldenv",
    ops: ["M"],
    mem: "env28",
    ...FPU,
  },
  { code: "Fldcw_m2byte", opcode: "D9 /5 mem", mnemonic: "Fldcw", ops: ["M"], mem: "word", ...FPU },
  {
    code: "Fnstenv_m14byte",
    opcode: "o16 D9 /6 mem",
    mnemonic: "Fnstenv",
    ops: ["M"],
    mem: "env14",
    ...FPU,
  },
  {
    code: "Fnstenv_m28byte",
    opcode: "o32 D9 /6 mem",
    mnemonic: "Fnstenv",
    ops: ["M"],
    mem: "env28",
    ...FPU,
  },
  {
    code: "Fnstenv_m28byte",
    opcode: "o64 D9 /6 mem",
    mnemonic: "Fnstenv",
    ops: ["M"],
    mem: "env28",
    ...FPU,
  },
  {
    code: "Fnstcw_m2byte",
    opcode: "D9 /7 mem",
    mnemonic: "Fnstcw",
    ops: ["M"],
    mem: "word",
    ...FPU,
  },
  regForm("Fld_sti", "Fld", 0xd9, 0, ["STi"]),
  regForm("Fxch_st0_sti", "Fxch", 0xd9, 1, S0I),
  fixed("Fnop", "Fnop", 0xd9, 0xd0),
  regForm("Fstpnce_sti", "Fstpnce", 0xd9, 3, ["STi"]),
  ...(
    [
      [0xe0, "Fchs"],
      [0xe1, "Fabs"],
      [0xe4, "Ftst"],
      [0xe5, "Fxam"],
      [0xe8, "Fld1"],
      [0xe9, "Fldl2t"],
      [0xea, "Fldl2e"],
      [0xeb, "Fldpi"],
      [0xec, "Fldlg2"],
      [0xed, "Fldln2"],
      [0xee, "Fldz"],
      [0xf0, "F2xm1"],
      [0xf1, "Fyl2x"],
      [0xf2, "Fptan"],
      [0xf3, "Fpatan"],
      [0xf4, "Fxtract"],
      [0xf5, "Fprem1"],
      [0xf6, "Fdecstp"],
      [0xf7, "Fincstp"],
      [0xf8, "Fprem"],
      [0xf9, "Fyl2xp1"],
      [0xfa, "Fsqrt"],
      [0xfb, "Fsincos"],
      [0xfc, "Frndint"],
      [0xfd, "Fscale"],
      [0xfe, "Fsin"],
      [0xff, "Fcos"],
    ] as const
  ).map(([m, n]) => fixed(n, n, 0xd9, m)),
  // DA
  ...memArith(0xda, "Fi", "m32int", "dword"),
  ...(["Fcmovb", "Fcmove", "Fcmovbe", "Fcmovu"] as const).map((n, r) => ({
    flags: { read: ["c", "z", "cz", "p"][r] },
    ...regForm(`${n}_st0_sti`, n, 0xda, r, S0I),
    cpuid: "CMOV",
  })),
  { ...fixed("Fucompp", "Fucompp", 0xda, 0xe9), cpuid: "FPU387" },
  // DB
  { code: "Fild_m32int", opcode: "DB /0 mem", mnemonic: "Fild", ops: ["M"], mem: "dword", ...FPU },
  {
    code: "Fisttp_m32int",
    opcode: "DB /1 mem",
    mnemonic: "Fisttp",
    ops: ["M"],
    mem: "dword",
    cpuid: "SSE3",
  },
  { code: "Fist_m32int", opcode: "DB /2 mem", mnemonic: "Fist", ops: ["M"], mem: "dword", ...FPU },
  {
    code: "Fistp_m32int",
    opcode: "DB /3 mem",
    mnemonic: "Fistp",
    ops: ["M"],
    mem: "dword",
    ...FPU,
  },
  { code: "Fld_m80fp", opcode: "DB /5 mem", mnemonic: "Fld", ops: ["M"], mem: "tbyte", ...FPU },
  { code: "Fstp_m80fp", opcode: "DB /7 mem", mnemonic: "Fstp", ops: ["M"], mem: "tbyte", ...FPU },
  ...(["Fcmovnb", "Fcmovne", "Fcmovnbe", "Fcmovnu"] as const).map((n, r) => ({
    flags: { read: ["c", "z", "cz", "p"][r] },
    ...regForm(`${n}_st0_sti`, n, 0xdb, r, S0I),
    cpuid: "CMOV",
  })),
  fixed("Fneni", "Fneni", 0xdb, 0xe0),
  fixed("Fndisi", "Fndisi", 0xdb, 0xe1),
  fixed("Fnclex", "Fnclex", 0xdb, 0xe2),
  fixed("Fninit", "Fninit", 0xdb, 0xe3),
  { ...fixed("Fnsetpm", "Fnsetpm", 0xdb, 0xe4), cpuid: "FPU287" },
  {
    ...regForm("Fucomi_st0_sti", "Fucomi", 0xdb, 5, S0I),
    cpuid: "CMOV",
    flags: { written: "oszacp" },
  },
  {
    ...regForm("Fcomi_st0_sti", "Fcomi", 0xdb, 6, S0I),
    cpuid: "CMOV",
    flags: { written: "oszacp" },
  },
  // DC
  ...memArith(0xdc, "F", "m64fp", "qword"),
  regForm("Fadd_sti_st0", "Fadd", 0xdc, 0, SI0),
  regForm("Fmul_sti_st0", "Fmul", 0xdc, 1, SI0),
  regForm("Fcom_st0_sti_DCD0", "Fcom", 0xdc, 2, S0I),
  regForm("Fcomp_st0_sti_DCD8", "Fcomp", 0xdc, 3, S0I),
  regForm("Fsubr_sti_st0", "Fsubr", 0xdc, 4, SI0),
  regForm("Fsub_sti_st0", "Fsub", 0xdc, 5, SI0),
  regForm("Fdivr_sti_st0", "Fdivr", 0xdc, 6, SI0),
  regForm("Fdiv_sti_st0", "Fdiv", 0xdc, 7, SI0),
  // DD
  { code: "Fld_m64fp", opcode: "DD /0 mem", mnemonic: "Fld", ops: ["M"], mem: "qword", ...FPU },
  {
    code: "Fisttp_m64int",
    opcode: "DD /1 mem",
    mnemonic: "Fisttp",
    ops: ["M"],
    mem: "qword",
    cpuid: "SSE3",
  },
  { code: "Fst_m64fp", opcode: "DD /2 mem", mnemonic: "Fst", ops: ["M"], mem: "qword", ...FPU },
  { code: "Fstp_m64fp", opcode: "DD /3 mem", mnemonic: "Fstp", ops: ["M"], mem: "qword", ...FPU },
  {
    code: "Frstor_m94byte",
    opcode: "o16 DD /4 mem",
    mnemonic: "Frstor",
    ops: ["M"],
    mem: "state94",
    ...FPU,
  },
  {
    code: "Frstor_m108byte",
    opcode: "o32 DD /4 mem",
    mnemonic: "Frstor",
    ops: ["M"],
    mem: "state108",
    ...FPU,
  },
  {
    code: "Frstor_m108byte",
    opcode: "o64 DD /4 mem",
    mnemonic: "Frstor",
    ops: ["M"],
    mem: "state108",
    ...FPU,
  },
  {
    code: "Fnsave_m94byte",
    opcode: "o16 DD /6 mem",
    mnemonic: "Fnsave",
    ops: ["M"],
    mem: "state94",
    ...FPU,
  },
  {
    code: "Fnsave_m108byte",
    opcode: "o32 DD /6 mem",
    mnemonic: "Fnsave",
    ops: ["M"],
    mem: "state108",
    ...FPU,
  },
  {
    code: "Fnsave_m108byte",
    opcode: "o64 DD /6 mem",
    mnemonic: "Fnsave",
    ops: ["M"],
    mem: "state108",
    ...FPU,
  },
  {
    code: "Fnstsw_m2byte",
    opcode: "DD /7 mem",
    mnemonic: "Fnstsw",
    ops: ["M"],
    mem: "word",
    ...FPU,
  },
  regForm("Ffree_sti", "Ffree", 0xdd, 0, ["STi"]),
  regForm("Fxch_st0_sti_DDC8", "Fxch", 0xdd, 1, S0I),
  regForm("Fst_sti", "Fst", 0xdd, 2, ["STi"]),
  regForm("Fstp_sti", "Fstp", 0xdd, 3, ["STi"]),
  { ...regForm("Fucom_st0_sti", "Fucom", 0xdd, 4, S0I), cpuid: "FPU387" },
  { ...regForm("Fucomp_st0_sti", "Fucomp", 0xdd, 5, S0I), cpuid: "FPU387" },
  // DE
  ...memArith(0xde, "Fi", "m16int", "word"),
  regForm("Faddp_sti_st0", "Faddp", 0xde, 0, SI0),
  regForm("Fmulp_sti_st0", "Fmulp", 0xde, 1, SI0),
  regForm("Fcomp_st0_sti_DED0", "Fcomp", 0xde, 2, S0I),
  fixed("Fcompp", "Fcompp", 0xde, 0xd9),
  regForm("Fsubrp_sti_st0", "Fsubrp", 0xde, 4, SI0),
  regForm("Fsubp_sti_st0", "Fsubp", 0xde, 5, SI0),
  regForm("Fdivrp_sti_st0", "Fdivrp", 0xde, 6, SI0),
  regForm("Fdivp_sti_st0", "Fdivp", 0xde, 7, SI0),
  // DF
  { code: "Fild_m16int", opcode: "DF /0 mem", mnemonic: "Fild", ops: ["M"], mem: "word", ...FPU },
  {
    code: "Fisttp_m16int",
    opcode: "DF /1 mem",
    mnemonic: "Fisttp",
    ops: ["M"],
    mem: "word",
    cpuid: "SSE3",
  },
  { code: "Fist_m16int", opcode: "DF /2 mem", mnemonic: "Fist", ops: ["M"], mem: "word", ...FPU },
  { code: "Fistp_m16int", opcode: "DF /3 mem", mnemonic: "Fistp", ops: ["M"], mem: "word", ...FPU },
  { code: "Fbld_m80bcd", opcode: "DF /4 mem", mnemonic: "Fbld", ops: ["M"], mem: "tbyte", ...FPU },
  { code: "Fild_m64int", opcode: "DF /5 mem", mnemonic: "Fild", ops: ["M"], mem: "qword", ...FPU },
  {
    code: "Fbstp_m80bcd",
    opcode: "DF /6 mem",
    mnemonic: "Fbstp",
    ops: ["M"],
    mem: "tbyte",
    ...FPU,
  },
  {
    code: "Fistp_m64int",
    opcode: "DF /7 mem",
    mnemonic: "Fistp",
    ops: ["M"],
    mem: "qword",
    ...FPU,
  },
  regForm("Ffreep_sti", "Ffreep", 0xdf, 0, ["STi"]),
  regForm("Fxch_st0_sti_DFC8", "Fxch", 0xdf, 1, S0I),
  regForm("Fstp_sti_DFD0", "Fstp", 0xdf, 2, ["STi"]),
  regForm("Fstp_sti_DFD8", "Fstp", 0xdf, 3, ["STi"]),
  { ...fixed("Fnstsw_AX", "Fnstsw", 0xdf, 0xe0, ["AX"]), cpuid: "FPU287" },
  {
    ...regForm("Fucomip_st0_sti", "Fucomip", 0xdf, 5, S0I),
    cpuid: "CMOV",
    flags: { written: "oszacp" },
  },
  {
    ...regForm("Fcomip_st0_sti", "Fcomip", 0xdf, 6, S0I),
    cpuid: "CMOV",
    flags: { written: "oszacp" },
  },
] as const satisfies readonly OpcodeForm[]);
