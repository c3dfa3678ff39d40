// Emitters: JavaScript source for the common instruction forms, inlined into a region function.
//
// The region function keeps the guest's general registers in locals (`r0`..`r7`) and the lazy
// flag record of the last flag-writing instruction in locals too (`fk` kind, `fa`/`fb` operands,
// `fr` result, `fc` the CF/OF/AF bits or the kept CF); both are written back to CpuState
// (registers into `regs`, the record through `FL`, which calls the interpreter's own `aluAdd`,
// `aluSub` or `setLogic`, so EFLAGS end up exactly as the interpreter leaves them) at every exit,
// before every interpreter handler call and in the fault path. A Jcc/SETcc/CMOVcc after a
// flag writer of the same basic block tests the condition directly on those locals.
//
// Memory operands use the MMU's software TLB inline when the board provides its fast-path view
// (`FastMemoryView`), and skip segment checks for the segments the region's mode key says are
// flat (base 0, 4 GiB limit, present, writable, expand-up); anything else (a TLB miss, MMIO,
// a watched code page, a misaligned or page-crossing access) takes the interpreter's path
// (`checkedLinear` + `s.memory`), with the retired count synced first (a device may read the
// instruction clock) and, after a slow write, the self-modifying-code and interrupt checks.
//
// Each emitter mirrors its interpreter handler's order of reads, flag update and writes, so a
// fault leaves the same partial state; instructions that may fault store their EIP in `ip`
// first, which the fault path turns into `startEip`/`startEsp`.
//
// The source may contain only: the names in RUNTIME_NAMES, JavaScript keywords and operators,
// and numbers formatted by `num()`. No text derived from guest memory is ever emitted.
import { HINT_NOP_FORMS } from "@ringvm/cpu";
import { Code, CODE_COUNT, OpKind, type Instruction } from "@ringvm/decoder";

/** iced register numbers (as in @ringvm/cpu's registers.ts). */
const REG_AL = 1;
const REG_AH = 5;
const REG_AX = 21;
const REG_EAX = 37;
const REG_ES = 71;

/** Kinds of the pending flag record (`fk = op << 5 | top`). */
/**
 * Kinds of a pending flag record (`fk = op << 5 | top`). Explicit (the wasm back end only): `a`
 * holds the six arithmetic EFLAGS bits themselves.
 */
export const FlagOp = {
  Add: 1,
  Sub: 2,
  Logic: 3,
  Inc: 4,
  Dec: 5,
  Adc: 6,
  Sbb: 7,
  Explicit: 8,
} as const;

/** What the emitter knows about the flags at the current point (compile time). */
export interface FlagState {
  /** 0: unknown (a record may be pending in the locals), 1: all in CpuState, 2: known pending. */
  kind: 0 | 1 | 2;
  /**
   * Kind 2: the record's op. Kind 0 in the WebAssembly lowering: FlagOp.Explicit when the
   * record is known to be an explicit one (setCfOf), else 0.
   */
  op: number;
  top: number;
  /** For a Logic record: fc is known to be 0 (AND/OR/XOR/TEST). */
  fcZero: boolean;
}

/** State of one basic block's emission. */
export interface EmitContext {
  readonly out: string[];
  /** Index of the instruction in its basic block. */
  k: number;
  /** Stack segment is 32-bit (part of the block's mode key). */
  ss32: boolean;
  /** Bit `1 << seg` set: that segment is flat (no limit checks, base 0). */
  flat: number;
  /** The MMU's TLB fast path is available (T, U8, U16, I32, RM, WM). */
  fast: boolean;
  fl: FlagState;
  /**
   * The flags this instruction writes are never observed (a later instruction of the block
   * overwrites them before any reader, memory access, handler call or exit; see `deadFlags`):
   * compute the result only.
   */
  dead: boolean;
  /** The block ends with this instruction (control flow); the emitter wrote the exits. */
  ended: boolean;
  /**
   * Source that leaves the block after its last instruction, through exit 0 (branch taken,
   * jump) or 1 (not taken), to that target (or continues in-function).
   */
  exit: (e: 0 | 1) => string;
  /**
   * Source that leaves after the current instruction to the EIP `eip` (an expression) computed
   * at run time, through an exit slot whose target is the last EIP it left to (a one-entry
   * inline cache: the dispatcher links the slot while the target stays the same). Only for
   * near control transfers (RET, indirect JMP/CALL), which keep the mode.
   */
  dynamicExit: (eip: string) => string;
}

export type Emitter = (c: EmitContext, i: Instruction) => boolean;

/** Formats a number for the generated source (integers only). */
export function num(v: number): string {
  if (!Number.isSafeInteger(v)) throw new RangeError("recompiler: non-integer constant");
  return v < 0 ? `(${String(v)})` : String(v);
}

/** Every identifier the generated source may contain (the source-safety test checks this). */
export const RUNTIME_NAMES: readonly string[] = [
  // factory parameters and locals
  ...["H", "I", "B", "X", "EV", "CK", "J", "TC", "ADC", "SBB", "SHL", "SHR", "SAR"],
  ...[
    "LD",
    "ST",
    "FL",
    "PAR",
    "V",
    "T",
    "U8",
    "U16",
    "I32",
    "RM",
    "WM",
    "s",
    "r",
    "m",
    "rb",
    "x",
    "l",
  ],
  ...["e", "ip", "fk", "fa", "fb", "fr", "fc", "left", "pc", "lim", "ev", "err", "segLimit"],
  ...["ne", "nr", "ng", "run", "break", "p", "Math", "imul", "MF", "region", "XT", "pc0"],
  ...["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"],
  // statement labels: `S` (a block's own loop), `L1`..`L255` (the start of each basic block)
  "S",
  ...Array.from({ length: 255 }, (_, k) => `L${String(k + 1)}`),
  // CpuState / memory / view / block / cursor members
  ...["regs", "memory", "eip", "startEip", "startEsp", "retired", "flags", "getCF", "tlb"],
  ...["u8", "u16", "i32", "masks", "valid", "links", "base", "cur", "read8", "read16"],
  ...["read32", "write8", "write16", "write32"],
  // keywords
  ...["return", "function", "const", "let", "if", "else", "true", "false", "null", "for"],
  ...["switch", "case", "continue", "default", "try", "catch", "throw"],
];

// ---- registers ----

export const SAVE_REGS =
  "r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7;";
export const LOAD_REGS =
  "r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7];";
/** Writes a pending flag record back to CpuState. */
export const FLUSH_FLAGS = "if (fk !== 0) { FL(s, fk, fa, fb, fr, fc); fk = 0; }";

function isGpr(reg: number, top: number): boolean {
  if (top === 31) return reg >= REG_EAX && reg < REG_EAX + 8;
  if (top === 15) return reg >= REG_AX && reg < REG_AX + 8;
  return reg >= REG_AL && reg < REG_AL + 8;
}

/** The register's value (zero-extended for 8/16 bits, int32 for 32). */
function regRead(reg: number, top: number): string {
  if (top === 31) return `r${reg - REG_EAX}`;
  if (top === 15) return `(r${reg - REG_AX} & 65535)`;
  if (reg < REG_AH) return `(r${reg - REG_AL} & 255)`;
  return `((r${reg - REG_AH} >> 8) & 255)`;
}

/** Statement writing `v` (in range for its size, int32 for 32 bits) to the register. */
function regWrite(reg: number, top: number, v: string): string {
  if (top === 31) return `r${reg - REG_EAX} = ${v};`;
  if (top === 15) {
    const n = `r${reg - REG_AX}`;
    return `${n} = (${n} & ${num(-65536)}) | (${v});`;
  }
  if (reg < REG_AH) {
    const n = `r${reg - REG_AL}`;
    return `${n} = (${n} & ${num(-256)}) | (${v});`;
  }
  const n = `r${reg - REG_AH}`;
  return `${n} = (${n} & ${num(-65281)}) | ((${v}) << 8);`;
}

function wrap(v: string, top: number): string {
  return top === 31 ? `(${v}) | 0` : `(${v}) & ${num(top === 15 ? 65535 : 255)}`;
}

function immValue(i: Instruction, top: number): number {
  return top === 31 ? i.immediate | 0 : top === 15 ? i.immediate & 0xffff : i.immediate & 0xff;
}

// ---- flags ----

function setKnown(c: EmitContext, op: number, top: number, fcZero: boolean): void {
  c.fl = { kind: 2, op, top, fcZero };
}
function setClean(c: EmitContext): void {
  c.fl = { kind: 1, op: 0, top: 0, fcZero: false };
}

/** Makes CpuState's flags current (before a helper that reads or writes them). */
function flush(c: EmitContext): void {
  if (c.fl.kind !== 1) c.out.push(FLUSH_FLAGS);
  setClean(c);
}

function signBit(top: number): string {
  return num(top === 31 ? -2147483648 : 1 << top);
}

function sx(v: string, top: number): string {
  return top === 31 ? v : `((${v}) << ${num(31 - top)} >> ${num(31 - top)})`;
}

function isNeg(v: string, top: number): string {
  return top === 31 ? `((${v}) < 0)` : `(((${v}) & ${signBit(top)}) !== 0)`;
}

/** The flag (CF, ZF, SF, OF, PF) of the known pending record as a boolean expression. */
function flagExpr(f: FlagState, which: "C" | "Z" | "S" | "O" | "P"): string {
  const t = f.top;
  const op = f.op;
  switch (which) {
    case "Z":
      return "(fr === 0)";
    case "S":
      return isNeg("fr", t);
    case "P":
      return "(PAR[fr & 255] !== 0)";
    case "C":
      if (op === FlagOp.Add) return t === 31 ? "((fr >>> 0) < (fa >>> 0))" : "(fr < fa)";
      if (op === FlagOp.Sub) return t === 31 ? "((fa >>> 0) < (fb >>> 0))" : "(fa < fb)";
      if (op === FlagOp.Logic) return f.fcZero ? "false" : "((fc & 1) !== 0)";
      // With a carry in, the lazy formulas of CpuState.getCF (the carry out of the sign bit).
      if (op === FlagOp.Adc) return isNeg("(fa & fb) | ((fa | fb) & ~fr)", t);
      if (op === FlagOp.Sbb) return isNeg("(~fa & fb) | (~(fa ^ fb) & fr)", t);
      return "(fc !== 0)";
    default:
      if (op === FlagOp.Add || op === FlagOp.Adc) return isNeg("(fa ^ fr) & (fb ^ fr)", t);
      if (op === FlagOp.Inc) return isNeg("(fa ^ fr) & (1 ^ fr)", t);
      if (op === FlagOp.Sub || op === FlagOp.Sbb) return isNeg("(fa ^ fb) & (fa ^ fr)", t);
      if (op === FlagOp.Dec) return isNeg("(fa ^ 1) & (fa ^ fr)", t);
      return f.fcZero ? "false" : "((fc & 2048) !== 0)";
  }
}

/** Condition `cc` (Jcc encoding order) over the known pending record. */
function knownCondition(f: FlagState, cc: number): string {
  const kind = cc >> 1;
  let t: string;
  if (f.op === FlagOp.Sub && (kind === 1 || kind === 3 || kind === 6 || kind === 7)) {
    const ua = f.top === 31 ? "(fa >>> 0)" : "fa";
    const ub = f.top === 31 ? "(fb >>> 0)" : "fb";
    const sa = sx("fa", f.top);
    const sb = sx("fb", f.top);
    t = ["", `${ua} < ${ub}`, "", `${ua} <= ${ub}`, "", "", `${sa} < ${sb}`, `${sa} <= ${sb}`][
      kind
    ]!;
  } else {
    const C = flagExpr(f, "C");
    const Z = flagExpr(f, "Z");
    const S = flagExpr(f, "S");
    const O = flagExpr(f, "O");
    const P = flagExpr(f, "P");
    t = [O, C, Z, `${C} || ${Z}`, S, P, `${S} !== ${O}`, `${Z} || ${S} !== ${O}`][kind]!;
  }
  return (cc & 1) !== 0 ? `(!(${t}))` : `(${t})`;
}

/** The condition as an expression; flushes the record first when it is not known. */
function condition(c: EmitContext, cc: number): string {
  if (c.fl.kind === 2) return knownCondition(c.fl, cc);
  flush(c);
  return `(TC(s, ${num(cc)}))`;
}

/** CF of the current flags as 0/1, for INC/DEC (which keep it). */
function carryNow(c: EmitContext): string {
  if (c.fl.kind === 2) {
    const f = c.fl;
    if (f.op === FlagOp.Inc || f.op === FlagOp.Dec) return "fc";
    if (f.op === FlagOp.Logic) return f.fcZero ? "0" : "(fc & 1)";
    return `(${flagExpr(f, "C")} ? 1 : 0)`;
  }
  flush(c);
  return "s.getCF()";
}

// ---- memory ----

/** Effective address (32-bit addressing) as an int32 expression, or null. */
function eaText(i: Instruction): string | null {
  if (i.addrSize !== 32) return null;
  let t = num(i.memDisplacement | 0);
  if (i.memBase !== 0) {
    if (i.memBase < REG_EAX || i.memBase >= REG_EAX + 8) return null;
    t += ` + r${i.memBase - REG_EAX}`;
  }
  if (i.memIndex !== 0) {
    if (i.memIndex < REG_EAX || i.memIndex >= REG_EAX + 8) return null;
    const sh = [0, 0, 1, 0, 2, 0, 0, 0, 3][i.memScale]!;
    t += sh === 0 ? ` + r${i.memIndex - REG_EAX}` : ` + (r${i.memIndex - REG_EAX} << ${num(sh)})`;
  }
  return `(${t}) | 0`;
}

function segOf(i: Instruction): number {
  const seg = i.memSegment - REG_ES;
  return seg >= 0 && seg <= 5 ? seg : -1;
}

/**
 * Bit of a slow-path access code (emit.ts / lower.ts `slowCode`: the size in bits 0-2, the
 * flat segment to check + 1 from bit 4): the load of a read-modify-write form, which probes the
 * write after reading (LinearMemory.probeWrite).
 */
export const SLOW_RMW = 8;

const SIZE = (top: number): number => (top + 1) >>> 3;

/**
 * Statements that compute the operand's linear address into `l`: the offset itself for a flat
 * segment (the slow path checks it), `checkedLinear` otherwise. Also stores `ip`.
 */
function linearInto(
  c: EmitContext,
  i: Instruction,
  seg: number,
  ea: string,
  top: number,
  write: boolean,
): string {
  const pre = `ip = ${num(i.ip >>> 0)}; `;
  if ((c.flat & (1 << seg)) !== 0) return `${pre}l = ${ea};`;
  return `${pre}l = CK(s, ${num(seg)}, (${ea}) >>> 0, ${num(SIZE(top))}, ${write ? "true" : "false"});`;
}

/**
 * The slow-path helpers' access code: the size in bytes, plus `(seg + 1) << 4` when the segment
 * was taken as flat (the helper checks the offset against it; see `slowLoad` in block.ts).
 */
function slowCode(c: EmitContext, seg: number, top: number): string {
  return num(SIZE(top) | flatBits(c, seg));
}

/** `(seg + 1) << 4` when the segment was taken as flat, else 0 (see `slowCode`). */
function flatBits(c: EmitContext, seg: number): number {
  return (c.flat & (1 << seg)) !== 0 ? (seg + 1) << 4 : 0;
}

function fastIndex(top: number): string {
  const a = `(e & ${num(-4096)}) | (l & 4095)`;
  return top === 31 ? `(${a}) >> 2` : top === 15 ? `(${a}) >> 1` : a;
}

function alignTest(top: number): string {
  return top === 31 ? " && (l & 3) === 0" : top === 15 ? " && (l & 1) === 0" : "";
}

/**
 * Statement reading the operand at `l` (linear, from linearInto) into `x`. The read of a
 * read-modify-write form (`rmw`) takes the fast path only where a write would, and its slow
 * path probes the write (SLOW_RMW): a write-protection fault comes before the form changes
 * any state, as in the interpreter.
 */
function loadAt(c: EmitContext, seg: number, top: number, rmw = false): string {
  // One helper call (retired count, segment check, read) keeps the region's graph small.
  const code = num(SIZE(top) | (rmw ? SLOW_RMW : 0) | flatBits(c, seg));
  const slow = `x = LD(s, l, ${code}, rb + ${num(c.k)});`;
  if (!c.fast) return slow;
  const arr = top === 31 ? "I32" : top === 15 ? "U16" : "U8";
  return `e = T[l >>> 12]; if ((e & ${rmw ? "WM" : "RM"}) === 1${alignTest(top)}) x = ${arr}[${fastIndex(top)}]; else { ${slow} }`;
}

/**
 * Leaves the function through the shared epilogue (which writes registers and flags back):
 * `ne` the next EIP, `nr` the retired count, `ng` the exit's link (-1: none).
 */
export function leaveText(eip: string, retired: string, link: number): string {
  return `ne = ${eip}; nr = ${retired}; ng = ${num(link)}; break run;`;
}

/** Leaves after the current instruction (no chain link). */
function leaveAfter(c: EmitContext, i: Instruction): string {
  return leaveText(num(i.nextIp >>> 0), `rb + ${num(c.k + 1)}`, -1);
}

/**
 * Statement writing `v` (a local or constant) to the operand at `l`. A slow write may have hit
 * this region's own code (self-modifying code) or raised an interrupt (MMIO): leave then.
 */
function storeAt(c: EmitContext, i: Instruction, seg: number, top: number, v: string): string {
  return storeThen(c, i, seg, top, v, "");
}

/**
 * `storeAt`, then `after` (statements: the form's register updates after its write, e.g. a
 * push's ESP), on both paths. When a slow write hit this region's code or raised an event, the
 * region leaves with `after` done first (the instruction completes, as the interpreter
 * completes it before the next boundary), through `leave` (default: after the instruction).
 */
function storeThen(
  c: EmitContext,
  i: Instruction,
  seg: number,
  top: number,
  v: string,
  after: string,
  leave: string = leaveAfter(c, i),
): string {
  const done = after === "" ? "" : ` ${after}`;
  const slow =
    `ST(s, l, ${v}, ${slowCode(c, seg, top)}, rb + ${num(c.k)}); ` +
    `if (B.valid === false || (ev === true && EV(s) === true)) {${done} ${leave} }`;
  if (!c.fast) return `${slow}${done}`;
  const arr = top === 31 ? "I32" : top === 15 ? "U16" : "U8";
  return `e = T[l >>> 12]; if ((e & WM) === 1${alignTest(top)}) ${arr}[${fastIndex(top)}] = ${v}; else { ${slow} }${done}`;
}

interface MemOperand {
  seg: number;
  ea: string;
}

function memOperand(i: Instruction): MemOperand | null {
  const ea = eaText(i);
  const seg = segOf(i);
  if (ea === null || seg < 0) return null;
  return { seg, ea };
}

// ---- ALU ----

/** ALU form name stems in group-1 order (shared with the wasm lowering). */
export const ALU_NAMES = ["Add", "Or", "Adc", "Sbb", "And", "Sub", "Xor", "Cmp", "Test"] as const;
type AluName = (typeof ALU_NAMES)[number];

/** Statements computing `op` of `a` and `b` into `x` with its flag record in the locals. */
function aluText(c: EmitContext, op: AluName, top: number, a: string, b: string): string {
  if (c.dead) return aluDeadText(c, op, top, a, b);
  switch (op) {
    case "Add":
      setKnown(c, FlagOp.Add, top, false);
      return `fa = ${a}; fb = ${b}; x = fr = ${wrap("fa + fb", top)}; fk = ${num((FlagOp.Add << 5) | top)};`;
    case "Sub":
    case "Cmp":
      setKnown(c, FlagOp.Sub, top, false);
      return `fa = ${a}; fb = ${b}; x = fr = ${wrap("fa - fb", top)}; fk = ${num((FlagOp.Sub << 5) | top)};`;
    case "Adc":
    case "Sbb": {
      // alu.ts adc/sbb: the carry in from the current CF, an ADD/SUB record with that result.
      const fop = op === "Adc" ? FlagOp.Adc : FlagOp.Sbb;
      const cf = carryNow(c);
      setKnown(c, fop, top, false);
      const sum = op === "Adc" ? "fa + fb + e" : "fa - fb - e";
      return `e = ${cf}; fa = ${a}; fb = ${b}; x = fr = ${wrap(sum, top)}; fk = ${num((fop << 5) | top)};`;
    }
    default: {
      const o = op === "And" || op === "Test" ? "&" : op === "Or" ? "|" : "^";
      setKnown(c, FlagOp.Logic, top, true);
      return `x = fr = ${a} ${o} ${b}; fc = 0; fk = ${num((FlagOp.Logic << 5) | top)};`;
    }
  }
}

/** The result only (the flags are dead; ADC/SBB still read CF). The flag state is unchanged. */
function aluDeadText(c: EmitContext, op: AluName, top: number, a: string, b: string): string {
  switch (op) {
    case "Add":
      return `x = ${wrap(`${a} + ${b}`, top)};`;
    case "Sub":
    case "Cmp":
      return `x = ${wrap(`${a} - ${b}`, top)};`;
    case "Adc":
    case "Sbb": {
      const cf = carryNow(c);
      return `e = ${cf}; x = ${wrap(op === "Adc" ? `${a} + ${b} + e` : `${a} - ${b} - e`, top)};`;
    }
    default:
      return `x = ${a} ${op === "And" || op === "Test" ? "&" : op === "Or" ? "|" : "^"} ${b};`;
  }
}

/** `op rm, src` (binary-forms.ts rmForm): src = register op1 or the immediate. */
function aluRm(op: AluName, top: number, fromImm: boolean): Emitter {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    let src: string;
    if (fromImm) src = num(immValue(i, top));
    else if (isGpr(i.op1Register, top)) src = regRead(i.op1Register, top);
    else return false;
    const o = c.out;
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      o.push(aluText(c, op, top, regRead(i.op0Register, top), src));
      if (store) o.push(regWrite(i.op0Register, top, "x"));
    } else {
      const mo = memOperand(i);
      if (mo === null) return false;
      o.push(linearInto(c, i, mo.seg, mo.ea, top, store));
      o.push(loadAt(c, mo.seg, top, store));
      o.push(aluText(c, op, top, "x", src));
      if (store) o.push(storeAt(c, i, mo.seg, top, "x"));
    }
    return true;
  };
}

/** `op r, rm` (regRm). */
function aluRegRm(op: AluName, top: number): Emitter {
  const store = op !== "Cmp";
  return (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    const o = c.out;
    let src: string;
    if (i.op1Kind === OpKind.Register) {
      if (!isGpr(i.op1Register, top)) return false;
      src = regRead(i.op1Register, top);
    } else {
      const mo = memOperand(i);
      if (mo === null) return false;
      o.push(linearInto(c, i, mo.seg, mo.ea, top, false));
      o.push(loadAt(c, mo.seg, top));
      src = "x";
    }
    o.push(aluText(c, op, top, regRead(i.op0Register, top), src));
    if (store) o.push(regWrite(i.op0Register, top, "x"));
    return true;
  };
}

/** `op AL/AX/EAX, imm` (accImm). */
function aluAcc(op: AluName, top: number): Emitter {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    const d = top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL;
    c.out.push(aluText(c, op, top, regRead(d, top), num(immValue(i, top))));
    if (store) c.out.push(regWrite(d, top, "x"));
    return true;
  };
}

// ---- moves ----

/** Writes `v` to operand 0 (register or memory). */
function writeRm(c: EmitContext, i: Instruction, v: string, top: number): boolean {
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, top)) return false;
    c.out.push(regWrite(i.op0Register, top, v));
    return true;
  }
  const mo = memOperand(i);
  if (mo === null) return false;
  c.out.push(`x = ${v};`);
  c.out.push(linearInto(c, i, mo.seg, mo.ea, top, true));
  c.out.push(storeAt(c, i, mo.seg, top, "x"));
  return true;
}

function movRmReg(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op1Register, top)) return false;
    return writeRm(c, i, regRead(i.op1Register, top), top);
  };
}

function movRmImm(top: number): Emitter {
  return (c, i) => writeRm(c, i, num(immValue(i, top)), top);
}

/** Reads operand 1 (register or memory) into `x`; false if not inlinable. */
function readRm1(c: EmitContext, i: Instruction, top: number): boolean {
  if (i.op1Kind === OpKind.Register) {
    if (!isGpr(i.op1Register, top)) return false;
    c.out.push(`x = ${regRead(i.op1Register, top)};`);
    return true;
  }
  const mo = memOperand(i);
  if (mo === null) return false;
  c.out.push(linearInto(c, i, mo.seg, mo.ea, top, false));
  c.out.push(loadAt(c, mo.seg, top));
  return true;
}

function movRegRm(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, top) || !readRm1(c, i, top)) return false;
    c.out.push(regWrite(i.op0Register, top, "x"));
    return true;
  };
}

function movRegImm(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    c.out.push(regWrite(i.op0Register, top, num(immValue(i, top))));
    return true;
  };
}

/** MOVZX/MOVSX r32, rm8/rm16. */
function movExtend(srcTop: number, signed: boolean): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm1(c, i, srcTop)) return false;
    c.out.push(regWrite(i.op0Register, 31, signed ? sx("x", srcTop) : "x"));
    return true;
  };
}

const lea32: Emitter = (c, i) => {
  const ea = eaText(i);
  if (ea === null || !isGpr(i.op0Register, 31)) return false;
  c.out.push(regWrite(i.op0Register, 31, ea));
  return true;
};

/** CMOVcc r32, r/m32: the source is read (and may fault) whatever the condition, as the handler does. */
function cmov(cc: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm1(c, i, 31)) return false;
    c.out.push(`if ${condition(c, cc)} { ${regWrite(i.op0Register, 31, "x")} }`);
    return true;
  };
}

function setcc(cc: number): Emitter {
  return (c, i) => {
    if (i.op0Kind === OpKind.Register && !isGpr(i.op0Register, 7)) return false;
    if (i.op0Kind !== OpKind.Register && memOperand(i) === null) return false;
    const cond = condition(c, cc);
    return writeRm(c, i, `(${cond} ? 1 : 0)`, 7);
  };
}

// ---- INC/DEC, NEG/NOT, shifts, IMUL ----

function incDec(dec: boolean, top: number): Emitter {
  const op = dec ? FlagOp.Dec : FlagOp.Inc;
  const calc = (c: EmitContext, a: string): string => {
    if (c.dead) return `x = ${wrap(dec ? `${a} - 1` : `${a} + 1`, top)};`;
    const cf = carryNow(c);
    setKnown(c, op, top, false);
    return `fc = ${cf}; fa = ${a}; x = fr = ${wrap(dec ? "fa - 1" : "fa + 1", top)}; fk = ${num((op << 5) | top)};`;
  };
  return (c, i) => {
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      c.out.push(calc(c, regRead(i.op0Register, top)));
      c.out.push(regWrite(i.op0Register, top, "x"));
    } else {
      const mo = memOperand(i);
      if (mo === null) return false;
      c.out.push(linearInto(c, i, mo.seg, mo.ea, top, true));
      c.out.push(loadAt(c, mo.seg, top, true));
      c.out.push(calc(c, "x"));
      c.out.push(storeAt(c, i, mo.seg, top, "x"));
    }
    return true;
  };
}

/** NEG r/m32: 0 - a (a SUB record with dst 0, as alu.neg records it). */
const neg32: Emitter = (c, i) => {
  const calc = (a: string): string => {
    if (c.dead) return `x = (0 - ${a}) | 0;`;
    setKnown(c, FlagOp.Sub, 31, false);
    return `fa = 0; fb = ${a}; x = fr = (0 - fb) | 0; fk = ${num((FlagOp.Sub << 5) | 31)};`;
  };
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, 31)) return false;
    c.out.push(calc(regRead(i.op0Register, 31)));
    c.out.push(regWrite(i.op0Register, 31, "x"));
    return true;
  }
  const mo = memOperand(i);
  if (mo === null) return false;
  c.out.push(linearInto(c, i, mo.seg, mo.ea, 31, true));
  c.out.push(loadAt(c, mo.seg, 31, true));
  c.out.push(calc("x"));
  c.out.push(storeAt(c, i, mo.seg, 31, "x"));
  return true;
};

const not32: Emitter = (c, i) => {
  if (i.op0Kind !== OpKind.Register || !isGpr(i.op0Register, 31)) return false;
  c.out.push(regWrite(i.op0Register, 31, `~${regRead(i.op0Register, 31)}`));
  return true;
};

/**
 * A 32-bit SHL/SHR/SAR by a constant nonzero count, as alu.ts computes it: SF/ZF/PF lazy from
 * the result, CF/OF/AF concrete (AF set, as the host sets it), i.e. a Logic record with fc.
 */
function shiftConst32(c: EmitContext, fn: "SHL" | "SHR" | "SAR", n: number, a: string): string {
  if (c.dead) {
    const op = fn === "SHL" ? "<<" : fn === "SHR" ? ">>>" : ">>";
    return `x = (${a} ${op} ${num(n)}) | 0;`;
  }
  setKnown(c, FlagOp.Logic, 31, false);
  const k = num((FlagOp.Logic << 5) | 31);
  if (fn === "SHL")
    return `fa = ${a}; x = fr = fa << ${num(n)}; e = (fa >>> ${num(32 - n)}) & 1; fc = e | ((((fr >>> 31) ^ e)) << 11) | 16; fk = ${k};`;
  if (fn === "SHR")
    return `fa = ${a}; x = fr = (fa >>> ${num(n)}) | 0; fc = ((fa >>> ${num(n - 1)}) & 1) | ((((fr >>> 31) ^ ((fr >>> 30) & 1))) << 11) | 16; fk = ${k};`;
  return `fa = ${a}; x = fr = fa >> ${num(n)}; fc = ((fa >> ${num(n - 1)}) & 1) | 16; fk = ${k};`;
}

/** SHL/SHR/SAR rm, imm8 | 1 | CL (integer-logic.ts shiftForm). */
function shift(fn: "SHL" | "SHR" | "SAR", top: number, from: "imm" | "one" | "cl"): Emitter {
  return (c, i) => {
    const n = from === "imm" ? i.immediate & 31 : from === "one" ? 1 : -1;
    // A zero count changes nothing (the memory form still reads and writes: the handler).
    if (n === 0 && i.op0Kind !== OpKind.Register) return false;
    const inline = top === 31 && n > 0;
    const calc = (a: string): string => {
      if (n === 0) return `x = ${a};`;
      if (inline) return shiftConst32(c, fn, n, a);
      const count = n > 0 ? num(n) : "(r1 & 255)";
      const pre = c.fl.kind === 1 ? "" : FLUSH_FLAGS + " ";
      setClean(c);
      return `${pre}x = ${fn}(s, ${a}, ${count}, ${num(top)});`;
    };
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      if (n === 0) return true;
      c.out.push(calc(regRead(i.op0Register, top)));
      c.out.push(regWrite(i.op0Register, top, "x"));
    } else {
      const mo = memOperand(i);
      if (mo === null) return false;
      c.out.push(linearInto(c, i, mo.seg, mo.ea, top, true));
      c.out.push(loadAt(c, mo.seg, top, true));
      c.out.push(calc("x"));
      c.out.push(storeAt(c, i, mo.seg, top, "x"));
    }
    return true;
  };
}

/**
 * IMUL r32, rm32 [, imm]: the low half by Math.imul; CF = OF = the signed product does not fit
 * in 32 bits (the double product is exact near the +-2^31 bounds), set as alu.ts mulFlags does
 * (`MF`: materialize the flags, then CF/OF).
 */
function imul32(withImm: boolean): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm1(c, i, 31)) return false;
    const [a, b] = withImm ? ["x", num(i.immediate | 0)] : [regRead(i.op0Register, 31), "x"];
    if (c.dead) {
      // CF/OF dead: the product only; the other flags stay as they are (mulFlags keeps them).
      c.out.push(`x = Math.imul(${a}, ${b});`);
      c.out.push(regWrite(i.op0Register, 31, "x"));
      return true;
    }
    const pre = c.fl.kind === 1 ? "" : FLUSH_FLAGS + " ";
    setClean(c);
    c.out.push(
      `${pre}p = ${a} * ${b}; x = Math.imul(${a}, ${b}); MF(s, p > 2147483647 || p < ${num(-2147483648)});`,
    );
    c.out.push(regWrite(i.op0Register, 31, "x"));
    return true;
  };
}

// ---- stack (32-bit operand and stack size only) ----

/**
 * Pushes `v` (a local or constant): `l` = new ESP, written, then `after` and ESP = `l` (also
 * before a slow write's leave, through `leave`: see storeThen).
 */
function pushText(
  c: EmitContext,
  i: Instruction,
  v: string,
  after = "",
  leave: string = leaveAfter(c, i),
): void {
  c.out.push(`ip = ${num(i.ip >>> 0)}; l = (r4 - 4) | 0;`);
  c.out.push(storeThen(c, i, 2, 31, v, `${after}r4 = l;`, leave));
}

/** Stack forms are inlined for a flat 32-bit stack segment only (ESP is the linear address). */
function flatStack(c: EmitContext): boolean {
  return c.ss32 && (c.flat & 4) !== 0;
}

const pushReg32: Emitter = (c, i) => {
  if (!flatStack(c) || !isGpr(i.op0Register, 31)) return false;
  c.out.push(`x = ${regRead(i.op0Register, 31)};`);
  pushText(c, i, "x");
  return true;
};

const pushImm32: Emitter = (c, i) => {
  if (!flatStack(c)) return false;
  pushText(c, i, num(i.immediate | 0));
  return true;
};

const popReg32: Emitter = (c, i) => {
  if (!flatStack(c) || !isGpr(i.op0Register, 31)) return false;
  c.out.push(`ip = ${num(i.ip >>> 0)}; l = r4;`);
  c.out.push(loadAt(c, 2, 31));
  c.out.push(`r4 = (r4 + 4) | 0; ${regWrite(i.op0Register, 31, "x")}`);
  return true;
};

const nop: Emitter = () => true;

// ---- control flow (the last instruction of a block) ----

/**
 * The CS-limit check of jumpNear for a constant target (`lim` is CS's limit): only a target
 * beyond it calls jumpNear, which raises #GP(0).
 */
function directJump(i: Instruction): string {
  const t = num(i.nearBranchTarget >>> 0);
  return `if (${t} > lim) { ip = ${num(i.ip >>> 0)}; J(s, ${t}); } `;
}

const jmpRel: Emitter = (c, i) => {
  c.out.push(`${directJump(i)}${c.exit(0)}`);
  c.ended = true;
  return true;
};

/**
 * CALL rel32: push, then the jump's limit check (a #GP rolls ESP back), then ESP. A slow write
 * that must leave leaves to the call target, the call complete.
 */
const callRel32: Emitter = (c, i) => {
  if (!flatStack(c) || i.opSize !== 32) return false;
  const target = num(i.nearBranchTarget >>> 0);
  pushText(c, i, num(i.nextIp | 0), directJump(i), leaveText(target, `rb + ${num(c.k + 1)}`, -1));
  c.out.push(c.exit(0));
  c.ended = true;
  return true;
};

const retNear32: Emitter = (c, i) => {
  if (!flatStack(c)) return false;
  c.out.push(`ip = ${num(i.ip >>> 0)}; l = r4;`);
  c.out.push(loadAt(c, 2, 31));
  c.out.push(`if ((x >>> 0) > lim) J(s, x); r4 = (r4 + 4) | 0; ${c.dynamicExit("x >>> 0")}`);
  c.ended = true;
  return true;
};

function jcc(cc: number): Emitter {
  return (c, i) => {
    const cond = condition(c, cc);
    const o = c.out;
    o.push(`if ${cond} { ${directJump(i)}${c.exit(0)} }`);
    o.push(c.exit(1));
    c.ended = true;
    return true;
  };
}

// ---- the table ----

/** NOP and the hint NOPs (ENDBR32, reserved NOPs, prefetches): no effect, no memory access. */
export const NOP_FORMS: readonly string[] = [
  "Nopw",
  "Nopd",
  "Nop_rm16",
  "Nop_rm32",
  ...HINT_NOP_FORMS,
];
const IS_NOP: Uint8Array = (() => {
  const table = new Uint8Array(CODE_COUNT);
  for (const name of NOP_FORMS) table[codeOf(name)] = 1;
  return table;
})();

/** Condition suffixes of Jcc/SETcc/CMOVcc form names, by condition code 0..15. */
export const COND_NAMES = [
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
];

/** The iced `Code` of a form name, undefined for a name iced does not have. */
export function formCode(name: string): number | undefined {
  return (Code as unknown as Record<string, number | undefined>)[name];
}

/** The iced `Code` of a form name (throws for a name iced does not have). */
export function codeOf(name: string): number {
  const v = formCode(name);
  if (v === undefined) throw new Error(`recompiler: unknown form ${name}`);
  return v;
}

/** Operand sizes with their sign-bit index (`top`), as the emitters take them. */
export const OPERAND_SIZES = [
  [8, 7],
  [16, 15],
  [32, 31],
] as const;

function buildEmitters(): (Emitter | undefined)[] {
  const t: (Emitter | undefined)[] = [];
  const set = (name: string, e: Emitter): void => {
    t[codeOf(name)] = e;
  };
  for (const op of ALU_NAMES) {
    for (const [size, top] of OPERAND_SIZES) {
      set(`${op}_rm${size}_r${size}`, aluRm(op, top, false));
      set(`${op}_${top === 7 ? "AL" : top === 15 ? "AX" : "EAX"}_imm${size}`, aluAcc(op, top));
      set(`${op}_rm${size}_imm${size}`, aluRm(op, top, true));
      if (op !== "Test") set(`${op}_r${size}_rm${size}`, aluRegRm(op, top));
    }
    if (op !== "Test") {
      set(`${op}_rm16_imm8`, aluRm(op, 15, true));
      set(`${op}_rm32_imm8`, aluRm(op, 31, true));
      set(`${op}_rm8_imm8_82`, aluRm(op, 7, true));
    }
  }
  set("Test_rm8_imm8_F6r1", aluRm("Test", 7, true));
  set("Test_rm16_imm16_F7r1", aluRm("Test", 15, true));
  set("Test_rm32_imm32_F7r1", aluRm("Test", 31, true));
  for (const [size, top] of OPERAND_SIZES) {
    set(`Mov_rm${size}_r${size}`, movRmReg(top));
    set(`Mov_r${size}_rm${size}`, movRegRm(top));
    set(`Mov_r${size}_imm${size}`, movRegImm(top));
    set(`Mov_rm${size}_imm${size}`, movRmImm(top));
    set(`Inc_rm${size}`, incDec(false, top));
    set(`Dec_rm${size}`, incDec(true, top));
    for (const [name, fn] of [
      ["Shl", "SHL"],
      ["Shr", "SHR"],
      ["Sar", "SAR"],
    ] as const) {
      set(`${name}_rm${size}_imm8`, shift(fn, top, "imm"));
      set(`${name}_rm${size}_1`, shift(fn, top, "one"));
      set(`${name}_rm${size}_CL`, shift(fn, top, "cl"));
    }
  }
  set("Inc_r16", incDec(false, 15));
  set("Inc_r32", incDec(false, 31));
  set("Dec_r16", incDec(true, 15));
  set("Dec_r32", incDec(true, 31));
  set("Neg_rm32", neg32);
  set("Not_rm32", not32);
  set("Imul_r32_rm32", imul32(false));
  set("Imul_r32_rm32_imm32", imul32(true));
  set("Imul_r32_rm32_imm8", imul32(true));
  set("Movzx_r32_rm8", movExtend(7, false));
  set("Movzx_r32_rm16", movExtend(15, false));
  set("Movsx_r32_rm8", movExtend(7, true));
  set("Movsx_r32_rm16", movExtend(15, true));
  set("Lea_r32_m", lea32);
  set("Push_r32", pushReg32);
  set("Pop_r32", popReg32);
  set("Pushd_imm32", pushImm32);
  set("Pushd_imm8", pushImm32);
  for (const name of NOP_FORMS) set(name, nop);
  for (const name of ["Jmp_rel8_16", "Jmp_rel8_32", "Jmp_rel16", "Jmp_rel32_32"]) set(name, jmpRel);
  set("Call_rel32_32", callRel32);
  set("Retnd", retNear32);
  COND_NAMES.forEach((cn, cc) => {
    const name = cn.charAt(0).toUpperCase() + cn.slice(1);
    for (const form of ["rel8_16", "rel8_32", "rel16", "rel32_32"])
      set(`J${name.toLowerCase()}_${form}`, jcc(cc));
    set(`Set${name.toLowerCase()}_rm8`, setcc(cc));
    set(`Cmov${name.toLowerCase()}_r32_rm32`, cmov(cc));
  });
  return t;
}

/** Inline emitter of each form, indexed by `Code` (undefined: call the interpreter's handler). */
export const EMITTERS: readonly (Emitter | undefined)[] = buildEmitters();

// ---- dead flags ----

/** EFLAGS bits of the six status flags (CF, PF, AF, ZF, SF, OF). */
const F_C = 0x1;
const F_P = 0x4;
const F_Z = 0x40;
const F_S = 0x80;
const F_O = 0x800;
export const STATUS_FLAGS = 0x8d5;
/** Flags each condition (Jcc encoding order) reads. */
const COND_READS = [F_O, F_O, F_C, F_C, F_Z, F_Z, F_C | F_Z, F_C | F_Z].concat([
  F_S,
  F_S,
  F_P,
  F_P,
  F_S | F_O,
  F_S | F_O,
  F_Z | F_S | F_O,
  F_Z | F_S | F_O,
]);

/**
 * Flag use of the register forms whose effect on the status flags is fixed by the form: bits
 * 0..11 the flags read, bits 16..27 the flags written whatever their old values. Forms not in
 * the table (handlers, anything the emitters may decline) read all flags and write none.
 */
const FLAG_USE: Int32Array = (() => {
  const t = new Int32Array(EMITTERS.length).fill(STATUS_FLAGS);
  const set = (name: string, reads: number, writes: number): void => {
    t[codeOf(name)] = reads | (writes << 16);
  };
  for (const op of ALU_NAMES) {
    const reads = op === "Adc" || op === "Sbb" ? F_C : 0;
    for (const [size, top] of OPERAND_SIZES) {
      set(`${op}_rm${size}_r${size}`, reads, STATUS_FLAGS);
      set(`${op}_${top === 7 ? "AL" : top === 15 ? "AX" : "EAX"}_imm${size}`, reads, STATUS_FLAGS);
      set(`${op}_rm${size}_imm${size}`, reads, STATUS_FLAGS);
      if (op !== "Test") set(`${op}_r${size}_rm${size}`, reads, STATUS_FLAGS);
    }
    if (op !== "Test") {
      set(`${op}_rm16_imm8`, reads, STATUS_FLAGS);
      set(`${op}_rm32_imm8`, reads, STATUS_FLAGS);
      set(`${op}_rm8_imm8_82`, reads, STATUS_FLAGS);
    }
  }
  for (const name of ["Test_rm8_imm8_F6r1", "Test_rm16_imm16_F7r1", "Test_rm32_imm32_F7r1"])
    set(name, 0, STATUS_FLAGS);
  for (const [size] of OPERAND_SIZES) {
    set(`Mov_rm${size}_r${size}`, 0, 0);
    set(`Mov_r${size}_rm${size}`, 0, 0);
    set(`Mov_r${size}_imm${size}`, 0, 0);
    set(`Mov_rm${size}_imm${size}`, 0, 0);
    set(`Inc_rm${size}`, 0, STATUS_FLAGS & ~F_C);
    set(`Dec_rm${size}`, 0, STATUS_FLAGS & ~F_C);
  }
  for (const name of ["Inc_r16", "Inc_r32", "Dec_r16", "Dec_r32"])
    set(name, 0, STATUS_FLAGS & ~F_C);
  set("Neg_rm32", 0, STATUS_FLAGS);
  set("Not_rm32", 0, 0);
  // 32-bit shifts by a constant (a zero count writes nothing: see flagUse).
  for (const name of ["Shl", "Shr", "Sar"]) {
    set(`${name}_rm32_imm8`, 0, STATUS_FLAGS);
    set(`${name}_rm32_1`, 0, STATUS_FLAGS);
  }
  for (const name of ["Imul_r32_rm32", "Imul_r32_rm32_imm32", "Imul_r32_rm32_imm8", "Mul_rm32"])
    set(name, 0, F_C | F_O);
  for (const name of ["Movzx_r32_rm8", "Movzx_r32_rm16", "Movsx_r32_rm8", "Movsx_r32_rm16"])
    set(name, 0, 0);
  set("Lea_r32_m", 0, 0);
  for (const name of NOP_FORMS) set(name, 0, 0);
  COND_NAMES.forEach((cn, cc) => {
    for (const form of ["rel8_16", "rel8_32", "rel16", "rel32_32"])
      set(`J${cn}_${form}`, COND_READS[cc]!, 0);
    set(`Set${cn}_rm8`, COND_READS[cc]!, 0);
    set(`Cmov${cn}_r32_rm32`, COND_READS[cc]!, 0);
  });
  return t;
})();

/** Reads (bits 0..11) and writes (16..27) of `i`; a memory access may fault: reads all. */
function flagUse(i: Instruction): number {
  const u = FLAG_USE[i.code] ?? STATUS_FLAGS;
  const mem =
    (i.op0Kind === OpKind.Memory || i.op1Kind === OpKind.Memory) &&
    i.code !== Code.Lea_r32_m &&
    !isNop(i);
  if (mem) return STATUS_FLAGS | (u & ~0xffff);
  // A zero shift count changes no flag.
  if (u >>> 16 === STATUS_FLAGS && isConstShift(i) && (i.immediate & 31) === 0) return u & 0xffff;
  return u;
}

function isNop(i: Instruction): boolean {
  return IS_NOP[i.code] === 1;
}

function isConstShift(i: Instruction): boolean {
  return (
    i.code === Code.Shl_rm32_imm8 || i.code === Code.Shr_rm32_imm8 || i.code === Code.Sar_rm32_imm8
  );
}

/**
 * For each instruction of a basic block, whether the flags it writes are dead: overwritten by
 * later instructions of the block before any instruction reads them, any memory access (which
 * may fault and so observe them), any handler call and the block's end (all flags are live
 * there). Only register destinations qualify (a read-modify-write of memory stores after its
 * flag update, and that store may fault).
 */
/** The instruction reads (observes) every flag: see `deadFlags`. */
export function observesAllFlags(i: Instruction): boolean {
  return (flagUse(i) & 0xffff) === STATUS_FLAGS;
}

export function deadFlags(insns: readonly Instruction[]): boolean[] {
  const out = new Array<boolean>(insns.length).fill(false);
  let live = STATUS_FLAGS;
  for (let k = insns.length - 1; k >= 0; k--) {
    const i = insns[k]!;
    const u = flagUse(i);
    const writes = u >>> 16;
    out[k] = writes !== 0 && (live & writes) === 0 && i.op0Kind === OpKind.Register;
    live = (live & ~writes) | (u & 0xffff);
  }
  return out;
}
