// Intel-syntax formatter. Output equals iced-x86's Intel formatter (FormatterSyntax.Intel) with
// these options, which test/formatter tests set on iced (see FORMATTER_ICED_OPTIONS):
//   hexPrefix "0x", hexSuffix "", uppercaseHex false, spaceAfterOperandSeparator true,
//   memorySizeOptions Always, showBranchSize false, branchLeadingZeros false;
//   everything else iced's default (numbers 0..9 in decimal, signed displacements, pseudo-ops
//   such as cmpltps, segment overrides shown only when they differ from the default segment).
// Not a hot path: it builds a string per call.
import { Code } from "./generated/code";
import { Mnemonic } from "./generated/mnemonic";
import { type Instruction, MemSize } from "./instruction";
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
    default:
      return "";
  }
}

/** iced's number style: 0..9 decimal, otherwise lower-case hex with 0x. */
export function formatNumber(v: number | bigint): string {
  if (v >= 0 && v <= 9) return String(v);
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
    if (insn.memScale !== 1) s += `*${insn.memScale}`;
  }
  let disp = insn.memDisplacement;
  if (insn.memBase === Register.RIP || insn.memBase === Register.EIP) {
    // iced prints RIP-relative operands as the absolute target.
    return `${segmentText(insn, Register.DS)}[${formatNumber(insn.addrSize === 32 ? disp >>> 0 : disp)}]`;
  }
  if (!hasBase && !hasIndex) {
    s = formatNumber(disp);
  } else if (disp !== 0 || insn.memDisplSize === 0 ? disp !== 0 : false) {
    // Signed display relative to the address size.
    if (insn.addrSize === 16) disp = (disp << 16) >> 16;
    else if (insn.addrSize === 32) disp = disp | 0;
    s += disp < 0 ? `-${formatNumber(-disp)}` : `+${formatNumber(disp)}`;
  }
  return `${segmentText(insn, defaultSegment(insn))}[${s}]`;
}

function stringOperand(insn: Instruction, kind: OpKind): string {
  const size = memSizeKeyword(insn);
  const seg = insn.segmentPrefix !== Register.None ? `${REG_NAMES[insn.segmentPrefix]}:` : "";
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
  return MNEMONIC_NAMES[m] ?? "";
}

function prefixText(insn: Instruction): string {
  let s = "";
  if (insn.hasLock) s += "lock ";
  if (insn.hasRep) {
    const m = insn.mnemonic;
    s +=
      m === Mnemonic.Cmpsb ||
      m === Mnemonic.Cmpsw ||
      m === Mnemonic.Cmpsd ||
      m === Mnemonic.Cmpsq ||
      m === Mnemonic.Scasb ||
      m === Mnemonic.Scasw ||
      m === Mnemonic.Scasd ||
      m === Mnemonic.Scasq
        ? "repe "
        : "rep ";
  }
  if (insn.hasRepne) {
    s += insn.flow === 0 || (insn.attrs & 8) !== 0 ? "repne " : "bnd ";
  }
  return s;
}

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
