// Emitters: JavaScript source for the common instruction forms, inlined into a block function.
// Each emitter mirrors its interpreter handler step by step (same order of segment checks,
// reads, flag updates and writes, so a fault leaves the same partial state) and calls the same
// semantic routines from @ringvm/cpu (aluAdd, aluShr, checkedLinear, jumpNear, testCondition...)
// under short names bound by the block factory. Everything else is a call into HANDLERS.
//
// The source may contain only: the names in RUNTIME_NAMES, JavaScript keywords and operators,
// and numbers formatted by `num()`. No text derived from guest memory is ever emitted.
import { Code, OpKind, type Instruction } from "@ringvm/decoder";

/** iced register numbers (as in @ringvm/cpu's registers.ts). */
const REG_AL = 1;
const REG_AH = 5;
const REG_AX = 21;
const REG_EAX = 37;
const REG_ES = 71;

/** What the previous inlined instruction left in the locals a, b, x for a fused Jcc. */
export const Fuse = {
  None: 0,
  /** 32-bit SUB/CMP: a - b = x. */
  Sub: 1,
  /** 32-bit AND/OR/XOR/TEST: x is the result, CF = OF = 0. */
  Logic: 2,
  /** 32-bit ADD/INC/DEC: x is the result (only ZF/SF conditions fuse). */
  Result: 3,
} as const;
export type Fuse = (typeof Fuse)[keyof typeof Fuse];

/** State of one block's emission. */
export interface EmitContext {
  readonly out: string[];
  /** Index of the instruction in the block. */
  k: number;
  /** Stack segment is 32-bit (part of the block's mode key). */
  ss32: boolean;
  /** What the previous instruction left in a, b, x (read by Jcc). */
  prev: Fuse;
  /** Set by an emitter whose instruction leaves a fusable result in a, b, x. */
  fuse: Fuse;
  /** The block ends with this instruction (control flow); the emitter wrote the exits. */
  ended: boolean;
  /**
   * Source that leaves the block after its last instruction, through exit 0 (branch taken,
   * jump) or 1 (not taken), to the EIP already stored (or about to continue in-function).
   */
  exit: (e: 0 | 1) => string;
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
  ...["H", "I", "B", "X", "EV", "CK", "J", "TC", "ADD", "ADC", "SUB", "SBB", "LOGIC", "INC"],
  ...["DEC", "SHL", "SHR", "SAR", "s", "r", "r16", "r8", "m", "rb", "a", "b", "x", "l"],
  ...["left", "pc", "lim", "ev", "e", "segLimit"],
  // CpuState / memory / block / cursor members
  ...["regs", "regs16", "regs8", "memory", "eip", "startEip", "startEsp", "retired", "flags"],
  ...["valid", "links", "base", "cur", "read8", "read16", "read32", "write8", "write16"],
  ...["write32"],
  // keywords
  ...["return", "function", "const", "let", "if", "true", "false", "null", "for", "switch"],
  ...["case", "continue", "default", "try", "catch", "throw"],
];

// ---- operand text ----

function regText(reg: number, top: number): string {
  if (top === 31) return `r[${num(reg - REG_EAX)}]`;
  if (top === 15) return `r16[${num((reg - REG_AX) << 1)}]`;
  const off = reg < REG_AH ? (reg - REG_AL) << 2 : ((reg - REG_AH) << 2) | 1;
  return `r8[${num(off)}]`;
}

function isGpr(reg: number, top: number): boolean {
  if (top === 31) return reg >= REG_EAX && reg < REG_EAX + 8;
  if (top === 15) return reg >= REG_AX && reg < REG_AX + 8;
  return reg >= REG_AL && reg < REG_AL + 8;
}

/** Effective address with 32-bit addressing, as access.ts `effectiveAddress` computes it. */
function eaText(i: Instruction): string | null {
  if (i.addrSize !== 32) return null;
  let t = num(i.memDisplacement >>> 0);
  if (i.memBase !== 0) t += ` + r[${num(i.memBase - REG_EAX)}]`;
  if (i.memIndex !== 0) t += ` + r[${num(i.memIndex - REG_EAX)}] * ${num(i.memScale)}`;
  return `(${t}) >>> 0`;
}

/** `checkedLinear(s, seg, ea, size, write)` for the memory operand, or null if not inlinable. */
function linText(i: Instruction, top: number, write: boolean): string | null {
  const ea = eaText(i);
  if (ea === null) return null;
  const seg = i.memSegment - REG_ES;
  if (seg < 0 || seg > 5) return null;
  return `CK(s, ${num(seg)}, ${ea}, ${num((top + 1) >>> 3)}, ${write ? "true" : "false"})`;
}

function loadText(top: number, lin: string): string {
  return top === 31
    ? `(m.read32(${lin}) | 0)`
    : top === 15
      ? `m.read16(${lin})`
      : `m.read8(${lin})`;
}

function storeText(top: number, lin: string, v: string): string {
  return top === 31
    ? `m.write32(${lin}, ${v})`
    : top === 15
      ? `m.write16(${lin}, ${v})`
      : `m.write8(${lin}, ${v})`;
}

function immValue(i: Instruction, top: number): number {
  return top === 31 ? i.immediate | 0 : top === 15 ? i.immediate & 0xffff : i.immediate & 0xff;
}

/**
 * Records the instruction start for precise faults (what the interpreter's loop does), and the
 * retired count before it: a memory access may reach a device whose clock is the instruction
 * count (an HPET counter read), which must see what it sees under the interpreter.
 */
export function emitPre(c: EmitContext, i: Instruction): void {
  c.out.push(`s.startEip = ${num(i.ip >>> 0)}; s.startEsp = r[4]; s.retired = rb + ${num(c.k)};`);
}

/**
 * After a memory write: leave the block if the write invalidated it (self-modifying code) or
 * raised an interrupt (an MMIO write such as an APIC EOI), so the event is taken before the
 * next instruction, where the interpreter takes it.
 */
export function emitWriteCheck(c: EmitContext, i: Instruction): void {
  c.out.push(
    `if (B.valid === false || (ev === true && EV(s) === true)) { s.eip = ${num(i.nextIp >>> 0)}; s.retired = rb + ${num(c.k + 1)}; return null; }`,
  );
}

// ---- ALU ----

const ALU_NAMES = ["Add", "Or", "Adc", "Sbb", "And", "Sub", "Xor", "Cmp", "Test"] as const;
type AluName = (typeof ALU_NAMES)[number];

function aluExpr(op: AluName, top: number): string {
  const t = num(top);
  switch (op) {
    case "Add":
      return `ADD(s, a, b, ${t})`;
    case "Adc":
      return `ADC(s, a, b, ${t})`;
    case "Sub":
    case "Cmp":
      return `SUB(s, a, b, ${t})`;
    case "Sbb":
      return `SBB(s, a, b, ${t})`;
    case "And":
    case "Test":
      return `LOGIC(s, a & b, ${t})`;
    case "Or":
      return `LOGIC(s, a | b, ${t})`;
    default:
      return `LOGIC(s, a ^ b, ${t})`;
  }
}

function aluFuse(op: AluName, top: number): Fuse {
  if (top !== 31) return Fuse.None;
  if (op === "Sub" || op === "Cmp") return Fuse.Sub;
  if (op === "And" || op === "Or" || op === "Xor" || op === "Test") return Fuse.Logic;
  if (op === "Add") return Fuse.Result;
  return Fuse.None;
}

/** `op rm, src` (binary-forms.ts rmForm): src = register op1 or the immediate. */
function aluRm(op: AluName, top: number, fromImm: boolean): Emitter {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    let src: string;
    if (fromImm) src = num(immValue(i, top));
    else if (isGpr(i.op1Register, top)) src = regText(i.op1Register, top);
    else return false;
    const o = c.out;
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      const d = regText(i.op0Register, top);
      o.push(`b = ${src}; a = ${d}; x = ${aluExpr(op, top)};${store ? ` ${d} = x;` : ""}`);
    } else {
      const lin = linText(i, top, store);
      if (lin === null) return false;
      emitPre(c, i);
      o.push(`b = ${src}; l = ${lin}; a = ${loadText(top, "l")}; x = ${aluExpr(op, top)};`);
      if (store) {
        o.push(`${storeText(top, "l", "x")};`);
        emitWriteCheck(c, i);
      }
    }
    c.fuse = aluFuse(op, top);
    return true;
  };
}

/** `op r, rm` (regRm). */
function aluRegRm(op: AluName, top: number): Emitter {
  const store = op !== "Cmp";
  return (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    const d = regText(i.op0Register, top);
    let src: string;
    if (i.op1Kind === OpKind.Register) {
      if (!isGpr(i.op1Register, top)) return false;
      src = regText(i.op1Register, top);
    } else {
      const lin = linText(i, top, false);
      if (lin === null) return false;
      emitPre(c, i);
      src = loadText(top, lin);
    }
    c.out.push(`b = ${src}; a = ${d}; x = ${aluExpr(op, top)};${store ? ` ${d} = x;` : ""}`);
    c.fuse = aluFuse(op, top);
    return true;
  };
}

/** `op AL/AX/EAX, imm` (accImm). */
function aluAcc(op: AluName, top: number): Emitter {
  const store = op !== "Cmp" && op !== "Test";
  return (c, i) => {
    const d = regText(top === 31 ? REG_EAX : top === 15 ? REG_AX : REG_AL, top);
    c.out.push(
      `a = ${d}; b = ${num(immValue(i, top))}; x = ${aluExpr(op, top)};${store ? ` ${d} = x;` : ""}`,
    );
    c.fuse = aluFuse(op, top);
    return true;
  };
}

// ---- moves ----

function movRmReg(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op1Register, top)) return false;
    return writeRm(c, i, regText(i.op1Register, top), top);
  };
}

function movRmImm(top: number): Emitter {
  return (c, i) => writeRm(c, i, num(immValue(i, top)), top);
}

function writeRm(c: EmitContext, i: Instruction, v: string, top: number): boolean {
  if (i.op0Kind === OpKind.Register) {
    if (!isGpr(i.op0Register, top)) return false;
    c.out.push(`${regText(i.op0Register, top)} = ${v};`);
    return true;
  }
  const lin = linText(i, top, true);
  if (lin === null) return false;
  emitPre(c, i);
  c.out.push(`x = ${v}; ${storeText(top, lin, "x")};`);
  emitWriteCheck(c, i);
  return true;
}

/** Reads operand 1 (register or memory) into `x`; false if not inlinable. */
function readRm1(c: EmitContext, i: Instruction, top: number): boolean {
  if (i.op1Kind === OpKind.Register) {
    if (!isGpr(i.op1Register, top)) return false;
    c.out.push(`x = ${regText(i.op1Register, top)};`);
    return true;
  }
  const lin = linText(i, top, false);
  if (lin === null) return false;
  emitPre(c, i);
  c.out.push(`x = ${loadText(top, lin)};`);
  return true;
}

function movRegRm(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, top) || !readRm1(c, i, top)) return false;
    c.out.push(`${regText(i.op0Register, top)} = x;`);
    return true;
  };
}

function movRegImm(top: number): Emitter {
  return (c, i) => {
    if (!isGpr(i.op0Register, top)) return false;
    c.out.push(`${regText(i.op0Register, top)} = ${num(immValue(i, top))};`);
    return true;
  };
}

/** MOVZX/MOVSX r32, rm8/rm16. */
function movExtend(srcTop: number, signed: boolean): Emitter {
  const shift = 31 - srcTop;
  return (c, i) => {
    if (!isGpr(i.op0Register, 31) || !readRm1(c, i, srcTop)) return false;
    const v = signed ? `(x << ${num(shift)}) >> ${num(shift)}` : "x";
    c.out.push(`${regText(i.op0Register, 31)} = ${v};`);
    return true;
  };
}

const lea32: Emitter = (c, i) => {
  const ea = eaText(i);
  if (ea === null || !isGpr(i.op0Register, 31)) return false;
  c.out.push(`${regText(i.op0Register, 31)} = (${ea}) | 0;`);
  return true;
};

// ---- INC/DEC and shifts ----

function incDec(dec: boolean, top: number): Emitter {
  const fn = dec ? "DEC" : "INC";
  return (c, i) => {
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      const d = regText(i.op0Register, top);
      c.out.push(`x = ${fn}(s, ${d}, ${num(top)}); ${d} = x;`);
    } else {
      const lin = linText(i, top, true);
      if (lin === null) return false;
      emitPre(c, i);
      c.out.push(
        `l = ${lin}; x = ${fn}(s, ${loadText(top, "l")}, ${num(top)}); ${storeText(top, "l", "x")};`,
      );
      emitWriteCheck(c, i);
    }
    c.fuse = top === 31 ? Fuse.Result : Fuse.None;
    return true;
  };
}

/** SHL/SHR/SAR rm, imm8 | 1 | CL (integer-logic.ts shiftForm). */
function shift(fn: "SHL" | "SHR" | "SAR", top: number, from: "imm" | "one" | "cl"): Emitter {
  return (c, i) => {
    const count = from === "imm" ? num(i.immediate & 0xff) : from === "one" ? "1" : "r8[4]";
    if (i.op0Kind === OpKind.Register) {
      if (!isGpr(i.op0Register, top)) return false;
      const d = regText(i.op0Register, top);
      c.out.push(`${d} = ${fn}(s, ${d}, ${count}, ${num(top)});`);
    } else {
      const lin = linText(i, top, true);
      if (lin === null) return false;
      emitPre(c, i);
      c.out.push(
        `l = ${lin}; x = ${fn}(s, ${loadText(top, "l")}, ${count}, ${num(top)}); ${storeText(top, "l", "x")};`,
      );
      emitWriteCheck(c, i);
    }
    return true;
  };
}

// ---- stack (32-bit operand and stack size only) ----

function pushText(c: EmitContext, i: Instruction, v: string): void {
  emitPre(c, i);
  c.out.push(`x = ${v}; l = (r[4] - 4) >>> 0; m.write32(CK(s, 2, l, 4, true), x); r[4] = l;`);
}

const pushReg32: Emitter = (c, i) => {
  if (!c.ss32 || !isGpr(i.op0Register, 31)) return false;
  pushText(c, i, regText(i.op0Register, 31));
  emitWriteCheck(c, i);
  return true;
};

const pushImm32: Emitter = (c, i) => {
  if (!c.ss32) return false;
  pushText(c, i, num(i.immediate | 0));
  emitWriteCheck(c, i);
  return true;
};

const popReg32: Emitter = (c, i) => {
  if (!c.ss32 || !isGpr(i.op0Register, 31)) return false;
  emitPre(c, i);
  c.out.push(
    `l = r[4] >>> 0; x = m.read32(CK(s, 2, l, 4, false)) | 0; r[4] = l + 4; ${regText(i.op0Register, 31)} = x;`,
  );
  return true;
};

const nop: Emitter = () => true;

// ---- control flow (the last instruction of a block) ----

/** Leaves through an indirect exit (the dispatcher looks the target up). */
function indirectExit(c: EmitContext): string {
  return `s.retired = rb + ${num(c.k + 1)}; return null;`;
}

/**
 * The CS-limit check of jumpNear for a constant target (`lim` is CS's limit, constant while a
 * region runs): only a target beyond it calls jumpNear, which raises #GP(0).
 */
function directJump(i: Instruction): string {
  const t = num(i.nearBranchTarget >>> 0);
  return `if (${t} > lim) { s.startEip = ${num(i.ip >>> 0)}; s.startEsp = r[4]; J(s, ${t}); } `;
}

const jmpRel: Emitter = (c, i) => {
  c.out.push(`${directJump(i)}${c.exit(0)}`);
  c.ended = true;
  return true;
};

const callRel32: Emitter = (c, i) => {
  if (!c.ss32 || i.opSize !== 32) return false;
  pushText(c, i, num(i.nextIp | 0));
  c.out.push(`${directJump(i)}${c.exit(0)}`);
  c.ended = true;
  return true;
};

const retNear32: Emitter = (c, i) => {
  if (!c.ss32) return false;
  emitPre(c, i);
  c.out.push(
    `l = r[4] >>> 0; x = m.read32(CK(s, 2, l, 4, false)) | 0; r[4] = l + 4; J(s, x); ${indirectExit(c)}`,
  );
  c.ended = true;
  return true;
};

/** The condition as a JavaScript expression over a, b, x when the previous instruction fuses. */
function fusedCondition(fuse: Fuse, cc: number): string | null {
  const neg = (cc & 1) !== 0;
  let t: string | null = null;
  const kind = cc >> 1;
  if (fuse === Fuse.Sub) {
    t =
      [
        null,
        "(a >>> 0) < (b >>> 0)",
        "a === b",
        "(a >>> 0) <= (b >>> 0)",
        "x < 0",
        null,
        "a < b",
        "a <= b",
      ][kind] ?? null;
  } else if (fuse === Fuse.Logic) {
    t = ["false", "false", "x === 0", "x === 0", "x < 0", null, "x < 0", "x <= 0"][kind] ?? null;
  } else if (fuse === Fuse.Result) {
    t = kind === 2 ? "x === 0" : kind === 4 ? "x < 0" : null;
  }
  if (t === null) return null;
  return neg ? `!(${t})` : t;
}

function jcc(cc: number): Emitter {
  return (c, i) => {
    const cond = fusedCondition(c.prev, cc) ?? `TC(s, ${num(cc)})`;
    const o = c.out;
    o.push(`if (${cond}) { ${directJump(i)}${c.exit(0)} }`);
    o.push(c.exit(1));
    c.ended = true;
    return true;
  };
}

// ---- the table ----

const COND_NAMES = [
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

function codeOf(name: string): number {
  const v = (Code as unknown as Record<string, number | undefined>)[name];
  if (v === undefined) throw new Error(`recompiler: unknown form ${name}`);
  return v;
}

function buildEmitters(): (Emitter | undefined)[] {
  const t: (Emitter | undefined)[] = [];
  const set = (name: string, e: Emitter): void => {
    t[codeOf(name)] = e;
  };
  const sizes = [
    [8, 7],
    [16, 15],
    [32, 31],
  ] as const;
  for (const op of ALU_NAMES) {
    for (const [size, top] of sizes) {
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
  for (const [size, top] of sizes) {
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
  set("Movzx_r32_rm8", movExtend(7, false));
  set("Movzx_r32_rm16", movExtend(15, false));
  set("Movsx_r32_rm8", movExtend(7, true));
  set("Movsx_r32_rm16", movExtend(15, true));
  set("Lea_r32_m", lea32);
  set("Push_r32", pushReg32);
  set("Pop_r32", popReg32);
  set("Pushd_imm32", pushImm32);
  set("Pushd_imm8", pushImm32);
  for (const name of ["Nopw", "Nopd", "Nop_rm16", "Nop_rm32"]) set(name, nop);
  for (const name of ["Jmp_rel8_16", "Jmp_rel8_32", "Jmp_rel16", "Jmp_rel32_32"]) set(name, jmpRel);
  set("Call_rel32_32", callRel32);
  set("Retnd", retNear32);
  COND_NAMES.forEach((cn, cc) => {
    const name = cn.charAt(0).toUpperCase() + cn.slice(1);
    for (const form of ["rel8_16", "rel8_32", "rel16", "rel32_32"])
      set(`J${name.toLowerCase()}_${form}`, jcc(cc));
  });
  return t;
}

/** Inline emitter of each form, indexed by `Code` (undefined: call the interpreter's handler). */
export const EMITTERS: readonly (Emitter | undefined)[] = buildEmitters();
