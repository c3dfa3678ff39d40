// Intel-syntax formatter. Output equals iced-x86's Intel formatter (FormatterSyntax.Intel) with
// these options, which test/formatter tests set on iced (see FORMATTER_ICED_OPTIONS):
//   hexPrefix "0x", hexSuffix "", uppercaseHex false, spaceAfterOperandSeparator true,
//   memorySizeOptions Always, showBranchSize false, branchLeadingZeros false;
//   everything else iced's default (numbers 0..9 in decimal, signed displacements, pseudo-ops
//   such as cmpltps, segment overrides shown only when they differ from the default segment).
// Not a hot path: it builds a string per call.
import { Code } from "./generated/code";
import { Mnemonic } from "./generated/mnemonic";
import { FlowControl } from "./flow-control";
import { ATTR_STRING, type Instruction, MemSize } from "./instruction";
import { OpKind } from "./op-kind";
import { Register } from "./register";

/** The iced-x86 Formatter options under which our output is identical (documentation/tests). */
export const FORMATTER_ICED_OPTIONS = Object.freeze({
  hexPrefix: "0x",
  hexSuffix: "",
  uppercaseHex: false,
  spaceAfterOperandSeparator: true,
  memorySizeOptions: "Always",
  showBranchSize: false,
  branchLeadingZeros: false,
});

const REG_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (let r = 0; r <= Register.TMM7; r++) {
    // iced names the REX byte registers r8b..r15b (our enum, like iced's, says R8L..R15L).
    const n = (Register[r] ?? "").toLowerCase().replace(/^(r\d+)l$/, "$1b");
    names.push(
      r === Register.None
        ? ""
        : r === Register.ST0
          ? "st"
          : r > Register.ST0 && r <= Register.ST7
            ? `st(${r - Register.ST0})`
            : n,
    );
  }
  return Object.freeze(names);
})();

const MNEMONIC_NAMES: readonly string[] = Object.freeze(
  Array.from({ length: 4096 }, (_, m) => (Mnemonic[m] ?? "").toLowerCase()),
);

function memSizeKeyword(insn: Instruction): string {
  switch (insn.memSize) {
    case MemSize.Byte:
      return "byte ptr ";
    case MemSize.Word:
      return "word ptr ";
    case MemSize.Dword:
    case MemSize.FarPtr1616:
    case MemSize.Bound1616:
      return "dword ptr ";
    case MemSize.Qword:
    case MemSize.Bound3232:
      return "qword ptr ";
    case MemSize.Tbyte:
      // iced calls the 10-byte SGDT/SIDT/LGDT/LIDT image an fword too.
      return insn.mnemonic === Mnemonic.Sgdt ||
        insn.mnemonic === Mnemonic.Sidt ||
        insn.mnemonic === Mnemonic.Lgdt ||
        insn.mnemonic === Mnemonic.Lidt
        ? "fword ptr "
        : "tbyte ptr ";
    case MemSize.FarPtr1664:
      return "tbyte ptr ";
    case MemSize.Fword:
      return "fword ptr ";
    case MemSize.Xmmword:
      return "xmmword ptr ";
    case MemSize.Ymmword:
      return "ymmword ptr ";
    case MemSize.Zmmword:
      return "zmmword ptr ";
    // iced names the x87 environment/state image only when it is not the mode's default size.
    case MemSize.Env14:
      return insn.bitness === 16 ? "" : "fpuenv14 ptr ";
    case MemSize.Env28:
      return insn.bitness === 16 ? "fpuenv28 ptr " : "";
    case MemSize.State94:
      return insn.bitness === 16 ? "" : "fpustate94 ptr ";
    case MemSize.State108:
      return insn.bitness === 16 ? "fpustate108 ptr " : "";
    default:
      return "";
  }
}

/** iced's number style: 0..9 decimal, otherwise lower-case hex with 0x. */
export function formatNumber(v: number | bigint): string {
  if (v >= 0 && v <= 9) return String(v);
  // Negative values are 64-bit addresses below zero: print them as the unsigned 64-bit value.
  if (v < 0) return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
  return `0x${v.toString(16)}`;
}

const CMP_PSEUDO = ["eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"] as const;

function defaultSegment(insn: Instruction): Register {
  const b = insn.memBase;
  return b === Register.BP ||
    b === Register.EBP ||
    b === Register.ESP ||
    b === Register.RBP ||
    b === Register.RSP ||
    b === Register.SP
    ? Register.SS
    : Register.DS;
}

function segmentText(insn: Instruction, def: Register): string {
  const p = insn.segmentPrefix;
  // In 64-bit mode iced shows only FS/GS overrides (the others have no effect there).
  if (insn.bitness === 64 && p !== Register.FS && p !== Register.GS) return "";
  return p !== Register.None && p !== def ? `${REG_NAMES[p]}:` : "";
}

function memoryOperand(insn: Instruction): string {
  let s = "";
  const hasBase = insn.memBase !== Register.None;
  const hasIndex = insn.memIndex !== Register.None;
  if (hasBase) s += REG_NAMES[insn.memBase];
  if (hasIndex) {
    if (hasBase) s += "+";
    s += REG_NAMES[insn.memIndex];
    // iced always shows the scale of a base-less index ([eax*1-2]) so it cannot read as a base.
    if (insn.memScale !== 1 || !hasBase) s += `*${insn.memScale}`;
  }
  let disp = insn.memDisplacement;
  if (insn.memBase === Register.RIP || insn.memBase === Register.EIP) {
    // iced prints RIP-relative operands as the absolute target.
    return `${segmentText(insn, Register.DS)}[${formatNumber(insn.addrSize === 32 ? disp >>> 0 : disp)}]`;
  }
  if (!hasBase && !hasIndex) {
    s =
      insn.addrSize === 64
        ? formatNumber((BigInt(insn.memDisplacementHi) << 32n) | BigInt(disp >>> 0))
        : formatNumber(disp);
  } else if (disp !== 0 || insn.memDisplSize === 0 ? disp !== 0 : false) {
    // Signed display relative to the address size.
    if (insn.addrSize === 16) disp = (disp << 16) >> 16;
    else if (insn.addrSize === 32) disp = disp | 0;
    s += disp < 0 ? `-${formatNumber(-disp)}` : `+${formatNumber(disp)}`;
  }
  // LEA computes an offset only; iced does not print a segment override for it.
  const seg = insn.mnemonic === Mnemonic.Lea ? "" : segmentText(insn, defaultSegment(insn));
  return `${seg}[${s}]`;
}

function stringOperand(insn: Instruction, kind: OpKind): string {
  const size = memSizeKeyword(insn);
  const p = insn.segmentPrefix;
  // seg:[rSI] shows a non-DS override; ES:[rDI] shows "es:" once any override is present.
  const isDest = kind >= OpKind.MemoryESDI;
  const ignored = insn.bitness === 64 && p !== Register.FS && p !== Register.GS;
  const seg =
    p === Register.None || p === Register.DS || ignored ? "" : isDest ? "es:" : `${REG_NAMES[p]}:`;
  switch (kind) {
    case OpKind.MemorySegSI:
      return `${size}${seg}[si]`;
    case OpKind.MemorySegESI:
      return `${size}${seg}[esi]`;
    case OpKind.MemorySegRSI:
      return `${size}${seg}[rsi]`;
    case OpKind.MemorySegDI:
      return `${size}${seg}[di]`;
    case OpKind.MemorySegEDI:
      return `${size}${seg}[edi]`;
    case OpKind.MemorySegRDI:
      return `${size}${seg}[rdi]`;
    case OpKind.MemoryESDI:
      return `${size}${seg}[di]`;
    case OpKind.MemoryESEDI:
      return `${size}${seg}[edi]`;
    default:
      return `${size}${seg}[rdi]`;
  }
}

function immediateText(insn: Instruction, kind: OpKind): string {
  switch (kind) {
    case OpKind.Immediate8_2nd:
      return formatNumber(insn.immediate2);
    case OpKind.Immediate64:
    case OpKind.Immediate8to64:
    case OpKind.Immediate32to64:
      return formatNumber((BigInt(insn.immediateHi) << 32n) | BigInt(insn.immediate));
    default:
      return formatNumber(insn.immediate);
  }
}

/** Formats one operand. */
export function formatOperand(insn: Instruction, i: number): string {
  const kind = insn.opKind(i);
  switch (kind) {
    case OpKind.Register:
      return REG_NAMES[insn.opRegister(i)] ?? "";
    case OpKind.NearBranch16:
    case OpKind.NearBranch32:
    case OpKind.NearBranch64:
      return formatNumber(insn.nearBranchTarget);
    case OpKind.FarBranch16:
    case OpKind.FarBranch32:
      return `${formatNumber(insn.farSelector)}:${formatNumber(insn.farOffset)}`;
    case OpKind.Memory:
      return memSizeKeyword(insn) + memoryOperand(insn);
    default:
      if (kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64)
        return immediateText(insn, kind);
      return stringOperand(insn, kind);
  }
}

/** Per-Code formatting rules (built once from the Code names; iced Intel conventions). */
const RULE_ST_FIRST = 1; // x87 memory load/arith: "fld st, m"
const RULE_ST_LAST = 2; // x87 memory store: "fstp m, st"
const RULE_HIDE_ST1 = 4; // "fxch" / "faddp" / "fcom" print no operands when ST(i) is ST(1)
const RULE_ACC_HIDDEN = 8; // STOS/LODS/SCAS omit the accumulator operand
const RULE_SREG_16 = 16; // MOV Sreg, r32/r64 prints the 16-bit register
const RULE_STI_FIRST = 32; // "fld st, st(i)"
const RULE_STI_LAST = 64; // "fstp st(i), st"
const RULES: Uint8Array = (() => {
  const t = new Uint8Array(4096);
  const loads =
    /^F(ld|ild|bld|add|mul|com|comp|sub|subr|div|divr|iadd|imul|icom|icomp|isub|isubr|idiv|idivr)_m/;
  const stores = /^F(st|stp|ist|istp|isttp|bstp)_m/;
  for (let c = 1; c < t.length; c++) {
    const n = Code[c];
    if (n === undefined) break;
    let r = 0;
    if (loads.test(n)) r |= RULE_ST_FIRST;
    if (stores.test(n)) r |= RULE_ST_LAST;
    if (/^(Fxch|F(add|mul|sub|subr|div|divr)p|Fu?comp?)_(st0_sti|sti_st0)/.test(n))
      r |= RULE_HIDE_ST1;
    if (/^(Stos|Lods|Scas)[bwdq]_/.test(n)) r |= RULE_ACC_HIDDEN;
    if (/^Mov_Sreg_r(32|64)m16$/.test(n)) r |= RULE_SREG_16;
    if (n === "Fld_sti") r |= RULE_STI_FIRST;
    if (/^(Fst|Fstp|Fstpnce)_sti/.test(n)) r |= RULE_STI_LAST;
    t[c] = r;
  }
  return t;
})();

function mnemonicText(insn: Instruction): string {
  const code = insn.code;
  const m = insn.mnemonic;
  if (
    (m === Mnemonic.Cmpps ||
      m === Mnemonic.Cmppd ||
      m === Mnemonic.Cmpss ||
      m === Mnemonic.Cmpsd) &&
    insn.opCount === 3 &&
    insn.immediate < 8
  ) {
    return `cmp${CMP_PSEUDO[insn.immediate]}${MNEMONIC_NAMES[m]!.slice(3)}`;
  }
  if (code === Code.Xlat_m8) return "xlat";
  if (code === Code.Wait) return "fwait";
  if (m === Mnemonic.Reservednop) return "nop";
  if (m === Mnemonic.Sal) return "shl";
  if (m === Mnemonic.Retf) return "ret far";
  if (code === Code.Prefetch_m8) return "prefetch_exclusive";
  if (code >= Code.Prefetchreserved4_m8 && code <= Code.Prefetchreserved7_m8)
    return "prefetch_reserved";
  return MNEMONIC_NAMES[m] ?? "";
}

const NO_HINT = new Set<number>([
  Mnemonic.Loop,
  Mnemonic.Loope,
  Mnemonic.Loopne,
  Mnemonic.Jcxz,
  Mnemonic.Jecxz,
  Mnemonic.Jrcxz,
]);
const BND_MNEMONICS = new Set<number>([Mnemonic.Jmp, Mnemonic.Call, Mnemonic.Ret]);
const REPE_MNEMONICS = new Set<number>([
  Mnemonic.Cmpsb,
  Mnemonic.Cmpsw,
  Mnemonic.Cmpsd,
  Mnemonic.Cmpsq,
  Mnemonic.Scasb,
  Mnemonic.Scasw,
  Mnemonic.Scasd,
  Mnemonic.Scasq,
]);

/** Is the F2/F3 an HLE hint (xacquire/xrelease)? SDM Vol. 1, 16.3.3: LOCKed RMW or XCHG with
 * memory; XRELEASE also on MOV to memory (88/89/C6/C7). */
function hleKind(insn: Instruction): 0 | 1 | 2 {
  if (insn.op0Kind !== OpKind.Memory) return 0;
  const isXchg = insn.mnemonic === Mnemonic.Xchg;
  const isMovStore =
    insn.code === Code.Mov_rm8_r8 ||
    insn.code === Code.Mov_rm16_r16 ||
    insn.code === Code.Mov_rm32_r32 ||
    insn.code === Code.Mov_rm64_r64 ||
    insn.code === Code.Mov_rm8_imm8 ||
    insn.code === Code.Mov_rm16_imm16 ||
    insn.code === Code.Mov_rm32_imm32 ||
    insn.code === Code.Mov_rm64_imm32;
  if (insn.hasRepne && (insn.hasLock || isXchg)) return 1;
  if (insn.hasRep && (insn.hasLock || isXchg || isMovStore)) return 2;
  return 0;
}

function prefixText(insn: Instruction): string {
  let s = "";
  const isString = (insn.attrs & ATTR_STRING) !== 0;
  const m = insn.mnemonic;
  const hle = hleKind(insn);
  if (hle === 1) s += "xacquire ";
  if (hle === 2) s += "xrelease ";
  if (insn.hasLock) s += "lock ";
  s += sizePrefixText(insn);
  // iced shows REP/REPNE where they mean something: string instructions and REP RET (AMD's
  // branch-predictor idiom).
  if (
    insn.hasRep &&
    hle === 0 &&
    (isString || insn.code === Code.Retnd || insn.code === Code.Retnw || insn.code === Code.Retnq)
  ) {
    s += REPE_MNEMONICS.has(m) ? "repe " : "rep ";
  }
  if (insn.hasRepne && isString) s += "repne ";
  // Branch hints: 2E/3E on a conditional jump (SDM Vol. 2, 2.1.1).
  if (
    insn.flow === FlowControl.ConditionalBranch &&
    insn.op0Kind >= OpKind.NearBranch16 &&
    insn.op0Kind <= OpKind.NearBranch64 &&
    !NO_HINT.has(m)
  ) {
    if (insn.segmentPrefix === Register.DS) s += "hint-taken ";
    else if (insn.segmentPrefix === Register.CS) s += "hint-not-taken ";
  }
  // NOTRACK (3E) on indirect near JMP/CALL (CET-IBT).
  if (
    insn.segmentPrefix === Register.DS &&
    (insn.flow === FlowControl.IndirectBranch || insn.flow === FlowControl.IndirectCall) &&
    !isFarForm(insn)
  )
    s += "notrack ";
  // BND (F2) on near branches (MPX).
  const nearBranch =
    (insn.flow === FlowControl.ConditionalBranch && !NO_HINT.has(m)) || BND_MNEMONICS.has(m);
  if (insn.hasRepne && !isString && hle === 0 && nearBranch && !isFarForm(insn)) s += "bnd ";
  return s;
}

function isFarForm(insn: Instruction): boolean {
  const ms = insn.memSize;
  return (
    insn.op0Kind === OpKind.FarBranch16 ||
    insn.op0Kind === OpKind.FarBranch32 ||
    ((insn.mnemonic === Mnemonic.Call || insn.mnemonic === Mnemonic.Jmp) &&
      insn.op0Kind === OpKind.Memory &&
      (ms === MemSize.FarPtr1616 || ms === MemSize.Fword || ms === MemSize.FarPtr1664))
  );
}

/**
 * iced marks an operand/address-size prefix that the operands do not reveal: "data16 push es",
 * "data16 ja", "addr16 mov al, byte ptr [0x10]", "addr16 loop".
 */
function sizePrefixText(insn: Instruction): string {
  const bits = insn.bitness;
  let s = "";
  if (bits === 64) {
    if (insn.opSize === 16 && !operandsRevealSize(insn)) s += "data16 ";
    else if (insn.code === Code.Retfq || insn.code === Code.Retfq_imm16) s += "data64 ";
  } else if (insn.opSize !== bits && !operandsRevealSize(insn))
    s += insn.opSize === 16 ? "data16 " : "data32 ";
  if (insn.addrSize !== bits) {
    const m = insn.mnemonic;
    const moffs =
      insn.op0Kind === OpKind.Memory
        ? insn.memBase === Register.None && insn.memIndex === Register.None
        : false;
    const moffs1 =
      insn.op1Kind === OpKind.Memory &&
      insn.memBase === Register.None &&
      insn.memIndex === Register.None;
    const isMoffs =
      (moffs || moffs1) && insn.code >= Code.Mov_AL_moffs8 && insn.code <= Code.Mov_moffs64_RAX;
    if (isMoffs || m === Mnemonic.Loop || m === Mnemonic.Loope || m === Mnemonic.Loopne)
      s += insn.addrSize === 16 ? "addr16 " : "addr32 ";
  }
  return s;
}

/** True when a GPR or sized-memory operand, or the mnemonic itself, shows the operand size. */
function operandsRevealSize(insn: Instruction): boolean {
  for (let i = 0; i < insn.opCount; i++) {
    const k = insn.opKind(i);
    if (k === OpKind.Register) {
      const r = insn.opRegister(i);
      if (r >= Register.AL && r <= Register.R15) return true;
    } else if (k === OpKind.Memory || (k >= OpKind.MemorySegSI && k <= OpKind.MemoryESRDI))
      return true;
  }
  const name = Code[insn.code] ?? "";
  // Forms whose mnemonic carries the size (pushfd, iretd, cwde, movsw, ...).
  return !/^(Push[wd]_|Pop[wd]_|J[a-z]+_rel|Loop|Jr?e?cxz|Retn[wd]|Retf[wd]|Call_rel|Jmp_rel|Enter[wd]|Leave[wd]|Push_imm16|Pushd_imm|Pushw_imm|Pushd_imm8|Xbegin|Call_ptr|Jmp_ptr|Push_imm16|Pushw_imm8|Retf[wdq]|Enter[wdq]|Leave[wdq]|Push[wq]_[FG]S|Pop[wq]_[FG]S)/.test(
    name,
  );
}

/** Selector/MSW loads of r32/m16 operands: iced prints the 16-bit register. */
const SEL16_CODES = new Set<number>([
  Code.Lldt_r32m16,
  Code.Ltr_r32m16,
  Code.Verr_r32m16,
  Code.Verw_r32m16,
  Code.Lmsw_r32m16,
  Code.Lldt_r64m16,
  Code.Ltr_r64m16,
  Code.Verr_r64m16,
  Code.Verw_r64m16,
  Code.Lmsw_r64m16,
]);

/** Register operand text; an x87 ST(i) chosen by r/m prints as st(i), the fixed ST0 as st. */
function stName(insn: Instruction, i: number): string {
  const r = insn.opRegister(i);
  if (r < Register.ST0 || r > Register.ST7) return REG_NAMES[r] ?? "";
  const name = Code[insn.code] ?? "";
  const fixedFirst = name.includes("_st0_sti");
  const fixedSecond = name.includes("_sti_st0");
  if ((i === 0 && fixedFirst) || (i === 1 && fixedSecond)) return "st";
  return `st(${r - Register.ST0})`;
}

/**
 * Formats a decoded instruction in Intel syntax, e.g. `lock add dword ptr [eax], ecx`.
 * Invalid instructions format as `(bad)`.
 */
export function formatInstruction(insn: Instruction): string {
  if (insn.code === Code.INVALID) return "(bad)";
  let s = prefixText(insn) + mnemonicText(insn);
  if (isFarForm(insn) && insn.op0Kind === OpKind.Memory)
    return `${s} far ${formatOperand(insn, 0)}`;
  if (insn.code === Code.Maskmovq_rDI_mm_mm || insn.code === Code.Maskmovdqu_rDI_xmm_xmm)
    return `${s} ${formatOperand(insn, 1)}, ${formatOperand(insn, 2)}`;
  if (insn.mnemonic === Mnemonic.Pclmulqdq && (insn.immediate & 0xee) === 0) {
    const q = ["lqlq", "hqlq", "lqhq", "hqhq"][(insn.immediate & 1) | ((insn.immediate >> 3) & 2)];
    return `pclmul${q}dq ${formatOperand(insn, 0)}, ${formatOperand(insn, 1)}`;
  }
  if (SEL16_CODES.has(insn.code) && insn.op0Kind === OpKind.Register)
    return `${s} ${REG_NAMES[Register.AX + ((insn.op0Register - Register.AX) & 15)]}`;
  if (insn.op0Kind === OpKind.FarBranch16 || insn.op0Kind === OpKind.FarBranch32) {
    return `${s} far ${formatNumber(insn.farOffset)}, ${formatNumber(insn.farSelector)}`;
  }
  if (insn.code === Code.Xlat_m8) {
    const p = insn.segmentPrefix;
    const shown =
      p !== Register.None &&
      p !== Register.DS &&
      (insn.bitness !== 64 || p === Register.FS || p === Register.GS);
    const seg = shown ? `${REG_NAMES[p]}:` : "";
    return `${s} byte ptr ${seg}[${REG_NAMES[insn.memBase]}]`;
  }
  if (insn.code === Code.Arpl_r32m16_r32) {
    const dst =
      insn.op0Kind === OpKind.Register
        ? REG_NAMES[insn.op0Register - Register.EAX + Register.AX]
        : formatOperand(insn, 0);
    return `${s} ${dst}, ${REG_NAMES[insn.op1Register - Register.EAX + Register.AX]}`;
  }
  let count = insn.opCount;
  if (
    (insn.mnemonic === Mnemonic.Cmpps ||
      insn.mnemonic === Mnemonic.Cmppd ||
      insn.mnemonic === Mnemonic.Cmpss ||
      insn.mnemonic === Mnemonic.Cmpsd) &&
    insn.immediate < 8
  )
    count = 2;
  const first = 0;
  // IMUL r, r/m, imm with the same register twice prints as the two-operand form.
  if (
    count === 3 &&
    insn.mnemonic === Mnemonic.Imul &&
    insn.op1Kind === OpKind.Register &&
    insn.op0Register === insn.op1Register
  ) {
    s += ` ${formatOperand(insn, 0)}, ${formatOperand(insn, 2)}`;
    return s;
  }
  // iced prints 66 90 as what it encodes (NOP is an alias of XCHG rAX, rAX).
  if (insn.code === Code.Nopw && insn.bitness !== 16) return "xchg ax, ax";
  if (insn.code === Code.Nopd && insn.bitness === 16) return "xchg eax, eax";
  if (insn.code === Code.Nopq) return "xchg rax, rax";
  const rule = RULES[insn.code] as number;
  if (rule !== 0) {
    if ((rule & RULE_HIDE_ST1) !== 0) {
      const sti = insn.op0Register === Register.ST0 ? insn.op1Register : insn.op0Register;
      if (sti === Register.ST1) return s;
      return `${s} ${stName(insn, 0)}, ${stName(insn, 1)}`;
    }
    if ((rule & RULE_ST_FIRST) !== 0) return `${s} st, ${formatOperand(insn, 0)}`;
    if ((rule & RULE_ST_LAST) !== 0) return `${s} ${formatOperand(insn, 0)}, st`;
    if ((rule & RULE_STI_FIRST) !== 0) return `${s} st, ${stName(insn, 0)}`;
    if ((rule & RULE_STI_LAST) !== 0) return `${s} ${stName(insn, 0)}, st`;
    if ((rule & RULE_ACC_HIDDEN) !== 0) {
      const mem = insn.op0Kind === OpKind.Register ? 1 : 0;
      return `${s} ${formatOperand(insn, mem)}`;
    }
    if ((rule & RULE_SREG_16) !== 0) {
      const r = insn.op1Register;
      const src =
        insn.op1Kind === OpKind.Register
          ? REG_NAMES[Register.AX + ((r - Register.AX) & 15)]
          : formatOperand(insn, 1);
      return `${s} ${formatOperand(insn, 0)}, ${src}`;
    }
  }
  for (let i = first; i < count; i++) {
    s +=
      (i === first ? " " : ", ") +
      (insn.opKind(i) === OpKind.Register ? stName(insn, i) : formatOperand(insn, i));
  }
  return s;
}
