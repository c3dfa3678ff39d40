// MMX, SSE, SSE2, SSE3, SSSE3 (element semantics in ../simd/int.ts and ../simd/fp.ts).
// Availability (SDM vol. 3 2.5, 13.1; vol. 2 exception tables): MMX-register forms give #UD with
// CR0.EM, #NM with CR0.TS, deliver a pending x87 exception (#MF / FERR#) and switch the FPU to
// MMX mode (TOP=0, all tags valid); XMM forms give #UD with CR0.EM or without CR4.OSFXSR and #NM
// with CR0.TS. Unmasked SIMD floating-point exceptions leave the destination unchanged, set the
// MXCSR flags and raise #XM, or #UD when CR4.OSXMMEXCPT is clear. FXSAVE/FXRSTOR live with the
// x87 code but are installed here, with the FXSR feature.
import { type Instruction, OpKind } from "@ringvm/decoder";
import { CpuException, Vector } from "../exceptions";
import type { CpuState } from "../state/cpu-state";
import { AF, CF, OF, PF, SF, ZF } from "../state/flags";
import { EDI } from "../state/registers";
import {
  FOP_ADD,
  FOP_DIV,
  FOP_MAX,
  FOP_MIN,
  FOP_MUL,
  FOP_SQRT,
  FOP_SUB,
  FP,
  cmp32,
  cmp64,
  comi32,
  comi64,
  f32ToF64,
  f32ToI32,
  f64ToF32,
  f64ToI32,
  fpBegin,
  i32ToF32,
  i32ToF64,
  op32,
  op64,
  recip32,
} from "../simd/fp";
import * as I from "../simd/int";
import { Vec, type IntOp } from "../simd/int";
import { opLinear, opLinearAligned } from "../simd/mem";
import { MXCSR_WRITABLE } from "../simd/state";
import type { Handler } from "./operands";
import { fpuPendingCheck, fxrstorHandler, fxsaveHandler } from "./x87";

const REG_EAX = 37;
const REG_XMM0 = 77;
const REG_MM0 = 225;
const CR0_EM = 1 << 2;
const CR0_TS = 1 << 3;
const CR4_OSFXSR = 1 << 9;
const CR4_OSXMMEXCPT = 1 << 10;
const V_XM = 19;

const VA = new Vec();
const VB = new Vec();
const VR = new Vec();

// ---- availability ----

function mmxCheck(s: CpuState): void {
  if ((s.cr0 & CR0_EM) !== 0) throw new CpuException(Vector.UD, 0);
  if ((s.cr0 & CR0_TS) !== 0) throw new CpuException(Vector.NM, 0);
  fpuPendingCheck(s);
}

function sseCheck(s: CpuState): void {
  if ((s.cr0 & CR0_EM) !== 0 || (s.cr4 & CR4_OSFXSR) === 0) throw new CpuException(Vector.UD, 0);
  if ((s.cr0 & CR0_TS) !== 0) throw new CpuException(Vector.NM, 0);
}

/** Whether an SSE form passes `sseCheck` (no #UD from CR0.EM or CR4.OSFXSR, no #NM from CR0.TS). */
export function sseUsable(s: CpuState): boolean {
  return (s.cr0 & (CR0_EM | CR0_TS)) === 0 && (s.cr4 & CR4_OSFXSR) !== 0;
}

/** Merges FP.flags into MXCSR; raises #XM/#UD (before any write) when one is unmasked. */
function fpFinish(s: CpuState): void {
  const f = FP.flags & 0x3f;
  const m = s.sse.mxcsr;
  const masks = (m >>> 7) & 0x3f;
  // An unmasked pre-computation exception (IE, DE, ZE) in any element faults before the
  // computation: only those flags are recorded (SDM vol. 1 11.5.1). Otherwise every flag is.
  const pre = f & 0x07;
  if ((pre & ~masks) !== 0) {
    s.sse.mxcsr = m | pre;
    throw new CpuException((s.cr4 & CR4_OSXMMEXCPT) !== 0 ? V_XM : Vector.UD, 0);
  }
  s.sse.mxcsr = m | f;
  if ((f & ~masks) !== 0) {
    throw new CpuException((s.cr4 & CR4_OSXMMEXCPT) !== 0 ? V_XM : Vector.UD, 0);
  }
}

// ---- register and memory operands ----

function xi(reg: number): number {
  return (reg - REG_XMM0) << 2;
}

function getX(s: CpuState, reg: number, v: Vec): void {
  const d = s.sse.d;
  const o = xi(reg);
  v.d[0] = d[o]!;
  v.d[1] = d[o + 1]!;
  v.d[2] = d[o + 2]!;
  v.d[3] = d[o + 3]!;
}

function setX(s: CpuState, reg: number, v: Vec): void {
  const d = s.sse.d;
  const o = xi(reg);
  d[o] = v.d[0]!;
  d[o + 1] = v.d[1]!;
  d[o + 2] = v.d[2]!;
  d[o + 3] = v.d[3]!;
}

function getMm(s: CpuState, reg: number, v: Vec): void {
  const i = reg - REG_MM0;
  v.d[0] = s.fpu.lo[i]!;
  v.d[1] = s.fpu.hi[i]!;
  v.d[2] = 0;
  v.d[3] = 0;
}

function setMm(s: CpuState, reg: number, v: Vec): void {
  s.fpu.mmxWrite(reg - REG_MM0, v.d[1]!, v.d[0]!);
}

/** Reads `bytes` (4, 8 or 16) of the memory operand into v (the rest zeroed). */
function readMem(s: CpuState, insn: Instruction, v: Vec, bytes: number, align: boolean): void {
  const lin =
    align && bytes === 16
      ? opLinearAligned(s, insn, 16, false, 16)
      : opLinear(s, insn, bytes, false);
  const mem = s.memory;
  v.d[0] = mem.read32(lin);
  v.d[1] = bytes > 4 ? mem.read32((lin + 4) | 0) : 0;
  v.d[2] = bytes > 8 ? mem.read32((lin + 8) | 0) : 0;
  v.d[3] = bytes > 8 ? mem.read32((lin + 12) | 0) : 0;
}

function writeMem(s: CpuState, insn: Instruction, v: Vec, bytes: number, align: boolean): void {
  const lin =
    align && bytes === 16 ? opLinearAligned(s, insn, 16, true, 16) : opLinear(s, insn, bytes, true);
  const mem = s.memory;
  mem.write32(lin, v.d[0]! | 0);
  if (bytes > 4) mem.write32((lin + 4) | 0, v.d[1]! | 0);
  if (bytes > 8) {
    mem.write32((lin + 8) | 0, v.d[2]! | 0);
    mem.write32((lin + 12) | 0, v.d[3]! | 0);
  }
}

/** Source operand `op` (1 or 2) as XMM register or memory of `bytes`. */
function srcX(
  s: CpuState,
  insn: Instruction,
  op: number,
  v: Vec,
  bytes: number,
  align: boolean,
): void {
  const kind = op === 1 ? insn.op1Kind : insn.op2Kind;
  if (kind === OpKind.Register) getX(s, op === 1 ? insn.op1Register : insn.op2Register, v);
  else readMem(s, insn, v, bytes, align);
}

function srcMm(s: CpuState, insn: Instruction, v: Vec, bytes: number): void {
  if (insn.op1Kind === OpKind.Register) getMm(s, insn.op1Register, v);
  else readMem(s, insn, v, bytes, false);
}

function gpr(s: CpuState, reg: number): number {
  return s.regs[reg - REG_EAX]!;
}

// ---- integer forms ----

/** `op` xmm, xmm/m128 (or m`bytes`). */
function intX(op: IntOp, bytes = 16): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, bytes, true);
    op(VR, VA, VB, 16);
    setX(s, insn.op0Register, VR);
  };
}

function intMm(op: IntOp, bytes = 8): Handler {
  return (s, insn) => {
    mmxCheck(s);
    s.fpu.mmxEnter();
    getMm(s, insn.op0Register, VA);
    srcMm(s, insn, VB, bytes);
    op(VR, VA, VB, 8);
    setMm(s, insn.op0Register, VR);
  };
}

function shiftImmX(op: IntOp): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    VB.d[0] = insn.immediate & 0xff;
    VB.d[1] = 0;
    op(VR, VA, VB, 16);
    setX(s, insn.op0Register, VR);
  };
}

function shiftImmMm(op: IntOp): Handler {
  return (s, insn) => {
    mmxCheck(s);
    s.fpu.mmxEnter();
    getMm(s, insn.op0Register, VA);
    VB.d[0] = insn.immediate & 0xff;
    VB.d[1] = 0;
    op(VR, VA, VB, 8);
    setMm(s, insn.op0Register, VR);
  };
}

/** PALIGNR: (dst:src) >> imm8 bytes, low half kept. */
const palignr: IntOp = (r, a, b, n) => {
  const c = VB2.d[0]!;
  for (let i = 0; i < n; i++) {
    const k = i + c;
    r.b[i] = k < n ? b.b[k]! : k < 2 * n ? a.b[k - n]! : 0;
  }
};
const VB2 = new Vec();

const palignrXH = intX(palignr);
const palignrX: Handler = (s, insn) => {
  VB2.d[0] = insn.immediate & 0xff;
  palignrXH(s, insn);
};
const palignrMmH = intMm(palignr);

// ---- moves ----

/** Full-width XMM load/store (`align`: MOVAPS-style #GP on a misaligned m128). */
function movX(align: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    if (insn.op0Kind === OpKind.Register) {
      srcX(s, insn, 1, VA, 16, align);
      setX(s, insn.op0Register, VA);
    } else {
      getX(s, insn.op1Register, VA);
      writeMem(s, insn, VA, 16, align);
    }
  };
}

/** MOVSS/MOVSD load forms: register-register merges the low element, memory zero-extends. */
function movScalarLoad(bytes: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    if (insn.op1Kind === OpKind.Register) {
      getX(s, insn.op1Register, VB);
      VA.d[0] = VB.d[0]!;
      if (bytes === 8) VA.d[1] = VB.d[1]!;
    } else readMem(s, insn, VA, bytes, false);
    setX(s, insn.op0Register, VA);
  };
}

function movScalarStore(bytes: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op1Register, VB);
    if (insn.op0Kind === OpKind.Register) {
      getX(s, insn.op0Register, VA);
      VA.d[0] = VB.d[0]!;
      if (bytes === 8) VA.d[1] = VB.d[1]!;
      setX(s, insn.op0Register, VA);
    } else writeMem(s, insn, VB, bytes, false);
  };
}

/** MOVLPS/MOVLPD/MOVHPS/MOVHPD m64 forms (`high`: upper quadword). */
function movHalf(high: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    const o = high ? 2 : 0;
    if (insn.op0Kind === OpKind.Register) {
      getX(s, insn.op0Register, VA);
      readMem(s, insn, VB, 8, false);
      VA.d[o] = VB.d[0]!;
      VA.d[o + 1] = VB.d[1]!;
      setX(s, insn.op0Register, VA);
    } else {
      getX(s, insn.op1Register, VA);
      VB.d[0] = VA.d[o]!;
      VB.d[1] = VA.d[o + 1]!;
      writeMem(s, insn, VB, 8, false);
    }
  };
}

const movhlps: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op0Register, VA);
  getX(s, insn.op1Register, VB);
  VA.d[0] = VB.d[2]!;
  VA.d[1] = VB.d[3]!;
  setX(s, insn.op0Register, VA);
};

const movlhps: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op0Register, VA);
  getX(s, insn.op1Register, VB);
  VA.d[2] = VB.d[0]!;
  VA.d[3] = VB.d[1]!;
  setX(s, insn.op0Register, VA);
};

/** MOVQ xmm, xmm/m64 (zero-extends) and MOVQ xmm/m64, xmm. */
const movqXLoad: Handler = (s, insn) => {
  sseCheck(s);
  srcX(s, insn, 1, VA, 8, false);
  VA.d[2] = 0;
  VA.d[3] = 0;
  setX(s, insn.op0Register, VA);
};
const movqXStore: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op1Register, VA);
  VA.d[2] = 0;
  VA.d[3] = 0;
  if (insn.op0Kind === OpKind.Register) setX(s, insn.op0Register, VA);
  else writeMem(s, insn, VA, 8, false);
};

const movdXLoad: Handler = (s, insn) => {
  sseCheck(s);
  VA.d[0] =
    insn.op1Kind === OpKind.Register
      ? gpr(s, insn.op1Register)
      : s.memory.read32(opLinear(s, insn, 4, false));
  VA.d[1] = 0;
  VA.d[2] = 0;
  VA.d[3] = 0;
  setX(s, insn.op0Register, VA);
};
const movdXStore: Handler = (s, insn) => {
  sseCheck(s);
  const v = s.sse.d[xi(insn.op1Register)]!;
  if (insn.op0Kind === OpKind.Register) s.regs[insn.op0Register - REG_EAX] = v;
  else s.memory.write32(opLinear(s, insn, 4, true), v | 0);
};
const movdMmLoad: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  const v =
    insn.op1Kind === OpKind.Register
      ? gpr(s, insn.op1Register)
      : s.memory.read32(opLinear(s, insn, 4, false));
  s.fpu.mmxWrite(insn.op0Register - REG_MM0, 0, v >>> 0);
};
const movdMmStore: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  const v = s.fpu.lo[insn.op1Register - REG_MM0]!;
  if (insn.op0Kind === OpKind.Register) s.regs[insn.op0Register - REG_EAX] = v;
  else s.memory.write32(opLinear(s, insn, 4, true), v | 0);
};
const movqMmLoad: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  srcMm(s, insn, VA, 8);
  setMm(s, insn.op0Register, VA);
};
const movqMmStore: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  getMm(s, insn.op1Register, VA);
  if (insn.op0Kind === OpKind.Register) setMm(s, insn.op0Register, VA);
  else writeMem(s, insn, VA, 8, false);
};
const movq2dq: Handler = (s, insn) => {
  sseCheck(s);
  mmxCheck(s);
  s.fpu.mmxEnter();
  getMm(s, insn.op1Register, VA);
  setX(s, insn.op0Register, VA);
};
const movdq2q: Handler = (s, insn) => {
  sseCheck(s);
  mmxCheck(s);
  s.fpu.mmxEnter();
  getX(s, insn.op1Register, VA);
  setMm(s, insn.op0Register, VA);
};
const movntq: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  getMm(s, insn.op1Register, VA);
  writeMem(s, insn, VA, 8, false);
};
const movnti: Handler = (s, insn) => {
  s.memory.write32(opLinear(s, insn, 4, true), gpr(s, insn.op1Register));
};

/** MASKMOVQ/MASKMOVDQU: byte stores to DS:(E)DI where the mask byte's top bit is set. */
function maskmov(xmm: boolean): Handler {
  return (s, insn) => {
    const n = xmm ? 16 : 8;
    if (xmm) {
      sseCheck(s);
      getX(s, insn.op1Register, VA);
      getX(s, insn.op2Register, VB);
    } else {
      mmxCheck(s);
      s.fpu.mmxEnter();
      getMm(s, insn.op1Register, VA);
      getMm(s, insn.op2Register, VB);
    }
    const base = insn.addrSize === 16 ? s.regs[EDI]! & 0xffff : s.regs[EDI]! >>> 0;
    for (let i = 0; i < n; i++) {
      if ((VB.b[i]! & 0x80) === 0) continue;
      const off = insn.addrSize === 16 ? (base + i) & 0xffff : (base + i) >>> 0;
      const seg = insn.memSegment - 71;
      const lin = (s.segBase[seg]! + off) | 0;
      if (off > s.segLimit[seg]!) throw new CpuException(seg === 2 ? Vector.SS : Vector.GP, 0);
      s.memory.write8(lin, VA.b[i]!);
    }
  };
}

function movmsk(bytes: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op1Register, VA);
    let m = 0;
    if (bytes === 4) for (let i = 0; i < 4; i++) m |= (VA.d[i]! >>> 31) << i;
    else m = (VA.d[1]! >>> 31) | ((VA.d[3]! >>> 31) << 1);
    s.regs[insn.op0Register - REG_EAX] = m;
  };
}

function pmovmskb(xmm: boolean): Handler {
  return (s, insn) => {
    let n = 8;
    if (xmm) {
      sseCheck(s);
      getX(s, insn.op1Register, VA);
      n = 16;
    } else {
      mmxCheck(s);
      s.fpu.mmxEnter();
      getMm(s, insn.op1Register, VA);
    }
    let m = 0;
    for (let i = 0; i < n; i++) m |= (VA.b[i]! >>> 7) << i;
    s.regs[insn.op0Register - REG_EAX] = m;
  };
}

function pextrw(xmm: boolean): Handler {
  return (s, insn) => {
    if (xmm) {
      sseCheck(s);
      getX(s, insn.op1Register, VA);
    } else {
      mmxCheck(s);
      s.fpu.mmxEnter();
      getMm(s, insn.op1Register, VA);
    }
    s.regs[insn.op0Register - REG_EAX] = VA.w[insn.immediate & (xmm ? 7 : 3)]!;
  };
}

function pinsrw(xmm: boolean): Handler {
  return (s, insn) => {
    if (xmm) {
      sseCheck(s);
      getX(s, insn.op0Register, VA);
    } else {
      mmxCheck(s);
      s.fpu.mmxEnter();
      getMm(s, insn.op0Register, VA);
    }
    const v =
      insn.op1Kind === OpKind.Register
        ? gpr(s, insn.op1Register)
        : s.memory.read16(opLinear(s, insn, 2, false));
    VA.w[insn.immediate & (xmm ? 7 : 3)] = v & 0xffff;
    if (xmm) setX(s, insn.op0Register, VA);
    else setMm(s, insn.op0Register, VA);
  };
}

const pshufw: Handler = (s, insn) => {
  mmxCheck(s);
  s.fpu.mmxEnter();
  srcMm(s, insn, VB, 8);
  const imm = insn.immediate;
  for (let i = 0; i < 4; i++) VR.w[i] = VB.w[(imm >>> (2 * i)) & 3]!;
  setMm(s, insn.op0Register, VR);
};

/** PSHUFD (kind 0), PSHUFLW (1), PSHUFHW (2). */
function pshuf(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    srcX(s, insn, 1, VB, 16, true);
    const imm = insn.immediate;
    VR.copy(VB);
    if (kind === 0) for (let i = 0; i < 4; i++) VR.d[i] = VB.d[(imm >>> (2 * i)) & 3]!;
    else {
      const o = kind === 1 ? 0 : 4;
      for (let i = 0; i < 4; i++) VR.w[o + i] = VB.w[o + ((imm >>> (2 * i)) & 3)]!;
    }
    setX(s, insn.op0Register, VR);
  };
}

const shufps: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op0Register, VA);
  srcX(s, insn, 1, VB, 16, true);
  const imm = insn.immediate;
  VR.d[0] = VA.d[imm & 3]!;
  VR.d[1] = VA.d[(imm >>> 2) & 3]!;
  VR.d[2] = VB.d[(imm >>> 4) & 3]!;
  VR.d[3] = VB.d[(imm >>> 6) & 3]!;
  setX(s, insn.op0Register, VR);
};

const shufpd: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op0Register, VA);
  srcX(s, insn, 1, VB, 16, true);
  const imm = insn.immediate;
  const a = (imm & 1) << 1;
  const b = imm & 2;
  VR.d[0] = VA.d[a]!;
  VR.d[1] = VA.d[a + 1]!;
  VR.d[2] = VB.d[b]!;
  VR.d[3] = VB.d[b + 1]!;
  setX(s, insn.op0Register, VR);
};

/** MOVSLDUP (0), MOVSHDUP (1), MOVDDUP (2, m64). */
function dup(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    srcX(s, insn, 1, VB, kind === 2 ? 8 : 16, true);
    if (kind === 2) {
      VR.d[0] = VB.d[0]!;
      VR.d[1] = VB.d[1]!;
      VR.d[2] = VB.d[0]!;
      VR.d[3] = VB.d[1]!;
    } else {
      VR.d[0] = VR.d[1] = VB.d[kind]!;
      VR.d[2] = VR.d[3] = VB.d[2 + kind]!;
    }
    setX(s, insn.op0Register, VR);
  };
}

const lddqu: Handler = (s, insn) => {
  sseCheck(s);
  readMem(s, insn, VA, 16, false);
  setX(s, insn.op0Register, VA);
};

const movntStore: Handler = (s, insn) => {
  sseCheck(s);
  getX(s, insn.op1Register, VA);
  writeMem(s, insn, VA, 16, true);
};

const ldmxcsr: Handler = (s, insn) => {
  sseCheck(s);
  const v = s.memory.read32(opLinear(s, insn, 4, false)) >>> 0;
  if ((v & ~MXCSR_WRITABLE) !== 0) throw new CpuException(Vector.GP, 0);
  s.sse.mxcsr = v;
};

const stmxcsr: Handler = (s, insn) => {
  sseCheck(s);
  s.memory.write32(opLinear(s, insn, 4, true), s.sse.mxcsr | 0);
};

/** SFENCE/LFENCE/MFENCE: ordering only (no CR0/CR4 dependence, SDM vol. 2). */
const fence: Handler = () => {};
const emms: Handler = (s) => {
  if ((s.cr0 & CR0_EM) !== 0) throw new CpuException(Vector.UD, 0);
  if ((s.cr0 & CR0_TS) !== 0) throw new CpuException(Vector.NM, 0);
  fpuPendingCheck(s);
  s.fpu.emms();
};

// ---- floating point ----

/** Packed single op: dst[i] = dst[i] op src[i]. */
function fpPs(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 16, true);
    fpBegin(s.sse.mxcsr);
    for (let i = 0; i < 4; i++) VR.d[i] = op32(kind, VA.d[i]!, VB.d[i]!);
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

function fpSs(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 4, false);
    fpBegin(s.sse.mxcsr);
    VA.d[0] = op32(kind, VA.d[0]!, VB.d[0]!);
    fpFinish(s);
    setX(s, insn.op0Register, VA);
  };
}

function fpPd(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 16, true);
    fpBegin(s.sse.mxcsr);
    for (let i = 0; i < 4; i += 2) {
      op64(kind, VA.d[i + 1]!, VA.d[i]!, VB.d[i + 1]!, VB.d[i]!);
      VR.d[i] = FP.lo;
      VR.d[i + 1] = FP.hi;
    }
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

function fpSd(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 8, false);
    fpBegin(s.sse.mxcsr);
    op64(kind, VA.d[1]!, VA.d[0]!, VB.d[1]!, VB.d[0]!);
    fpFinish(s);
    VA.d[0] = FP.lo;
    VA.d[1] = FP.hi;
    setX(s, insn.op0Register, VA);
  };
}

/** HADDPS (0), HSUBPS (1), ADDSUBPS (2). */
function horizPs(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 16, true);
    fpBegin(s.sse.mxcsr);
    if (kind === 2) {
      VR.d[0] = op32(FOP_SUB, VA.d[0]!, VB.d[0]!);
      VR.d[1] = op32(FOP_ADD, VA.d[1]!, VB.d[1]!);
      VR.d[2] = op32(FOP_SUB, VA.d[2]!, VB.d[2]!);
      VR.d[3] = op32(FOP_ADD, VA.d[3]!, VB.d[3]!);
    } else {
      const k = kind === 0 ? FOP_ADD : FOP_SUB;
      VR.d[0] = op32(k, VA.d[0]!, VA.d[1]!);
      VR.d[1] = op32(k, VA.d[2]!, VA.d[3]!);
      VR.d[2] = op32(k, VB.d[0]!, VB.d[1]!);
      VR.d[3] = op32(k, VB.d[2]!, VB.d[3]!);
    }
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

/** HADDPD (0), HSUBPD (1), ADDSUBPD (2). */
function horizPd(kind: number): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, 16, true);
    fpBegin(s.sse.mxcsr);
    if (kind === 2) {
      op64(FOP_SUB, VA.d[1]!, VA.d[0]!, VB.d[1]!, VB.d[0]!);
      VR.d[0] = FP.lo;
      VR.d[1] = FP.hi;
      op64(FOP_ADD, VA.d[3]!, VA.d[2]!, VB.d[3]!, VB.d[2]!);
    } else {
      const k = kind === 0 ? FOP_ADD : FOP_SUB;
      op64(k, VA.d[1]!, VA.d[0]!, VA.d[3]!, VA.d[2]!);
      VR.d[0] = FP.lo;
      VR.d[1] = FP.hi;
      op64(k, VB.d[1]!, VB.d[0]!, VB.d[3]!, VB.d[2]!);
    }
    VR.d[2] = FP.lo;
    VR.d[3] = FP.hi;
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

function cmpPs(scalar: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, scalar ? 4 : 16, !scalar);
    fpBegin(s.sse.mxcsr);
    const p = insn.immediate & 7;
    VR.copy(VA);
    for (let i = 0; i < (scalar ? 1 : 4); i++) VR.d[i] = cmp32(p, VA.d[i]!, VB.d[i]!);
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

function cmpPd(scalar: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, scalar ? 8 : 16, !scalar);
    fpBegin(s.sse.mxcsr);
    const p = insn.immediate & 7;
    VR.copy(VA);
    for (let i = 0; i < (scalar ? 2 : 4); i += 2) {
      const m = cmp64(p, VA.d[i + 1]!, VA.d[i]!, VB.d[i + 1]!, VB.d[i]!);
      VR.d[i] = m;
      VR.d[i + 1] = m;
    }
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

function comis(double: boolean, signalQuiet: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, double ? 8 : 4, false);
    fpBegin(s.sse.mxcsr);
    const r = double
      ? comi64(VA.d[1]!, VA.d[0]!, VB.d[1]!, VB.d[0]!, signalQuiet)
      : comi32(VA.d[0]!, VB.d[0]!, signalQuiet);
    fpFinish(s);
    s.writeFlagBits(ZF | PF | CF | OF | SF | AF, r);
  };
}

/** Bitwise ANDPS/ANDNPS/ORPS/XORPS (and the PD forms): alignment-checked m128, no FP flags. */
function logic(op: IntOp): Handler {
  return intX(op);
}

const unpcklps: IntOp = I.punpckldq;
const unpckhps: IntOp = I.punpckhdq;

function recip(sqrt: boolean, scalar: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, scalar ? 4 : 16, !scalar);
    for (let i = 0; i < (scalar ? 1 : 4); i++) VA.d[i] = recip32(VB.d[i]!, sqrt);
    setX(s, insn.op0Register, VA);
  };
}

// ---- conversions ----

/** Conversions with an XMM destination. `fn` fills VR from VA (old dst) and VB (source). */
function cvtX(srcBytes: number, align: boolean, fn: (s: CpuState) => void): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    srcX(s, insn, 1, VB, srcBytes, align);
    fpBegin(s.sse.mxcsr);
    VR.copy(VA);
    fn(s);
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

const cvtss2sd = cvtX(4, false, () => {
  f32ToF64(VB.d[0]!);
  VR.d[0] = FP.lo;
  VR.d[1] = FP.hi;
});
const cvtsd2ss = cvtX(8, false, () => {
  VR.d[0] = f64ToF32(VB.d[1]!, VB.d[0]!);
});
const cvtps2pd = cvtX(8, false, () => {
  const a = VB.d[0]!;
  const b = VB.d[1]!;
  f32ToF64(a);
  VR.d[0] = FP.lo;
  VR.d[1] = FP.hi;
  f32ToF64(b);
  VR.d[2] = FP.lo;
  VR.d[3] = FP.hi;
});
const cvtpd2ps = cvtX(16, true, () => {
  VR.d[0] = f64ToF32(VB.d[1]!, VB.d[0]!);
  VR.d[1] = f64ToF32(VB.d[3]!, VB.d[2]!);
  VR.d[2] = 0;
  VR.d[3] = 0;
});
const cvtdq2ps = cvtX(16, true, () => {
  for (let i = 0; i < 4; i++) VR.d[i] = i32ToF32(VB.d[i]!);
});
const cvtdq2pd = cvtX(8, false, () => {
  const a = VB.d[0]!;
  const b = VB.d[1]!;
  i32ToF64(a);
  VR.d[0] = FP.lo;
  VR.d[1] = FP.hi;
  i32ToF64(b);
  VR.d[2] = FP.lo;
  VR.d[3] = FP.hi;
});
function cvtps2dq(trunc: boolean): Handler {
  return cvtX(16, true, () => {
    for (let i = 0; i < 4; i++) VR.d[i] = f32ToI32(VB.d[i]!, trunc);
  });
}
function cvtpd2dq(trunc: boolean): Handler {
  return cvtX(16, true, () => {
    VR.d[0] = f64ToI32(VB.d[1]!, VB.d[0]!, trunc);
    VR.d[1] = f64ToI32(VB.d[3]!, VB.d[2]!, trunc);
    VR.d[2] = 0;
    VR.d[3] = 0;
  });
}

/** CVTSI2SS/CVTSI2SD xmm, r/m32. */
function cvtsi2s(double: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    getX(s, insn.op0Register, VA);
    const v =
      insn.op1Kind === OpKind.Register
        ? gpr(s, insn.op1Register)
        : s.memory.read32(opLinear(s, insn, 4, false));
    fpBegin(s.sse.mxcsr);
    if (double) {
      i32ToF64(v);
      VA.d[0] = FP.lo;
      VA.d[1] = FP.hi;
    } else VA.d[0] = i32ToF32(v);
    fpFinish(s);
    setX(s, insn.op0Register, VA);
  };
}

/** CVT(T)SS2SI / CVT(T)SD2SI r32, xmm/m32|m64. */
function cvts2si(double: boolean, trunc: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    srcX(s, insn, 1, VB, double ? 8 : 4, false);
    fpBegin(s.sse.mxcsr);
    const r = double ? f64ToI32(VB.d[1]!, VB.d[0]!, trunc) : f32ToI32(VB.d[0]!, trunc);
    fpFinish(s);
    s.regs[insn.op0Register - REG_EAX] = r;
  };
}

/** CVTPI2PS / CVTPI2PD xmm, mm/m64: an MMX register source switches the FPU to MMX mode. */
function cvtpi2p(double: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    if (insn.op1Kind === OpKind.Register) {
      mmxCheck(s);
      s.fpu.mmxEnter();
      getMm(s, insn.op1Register, VB);
    } else readMem(s, insn, VB, 8, false);
    getX(s, insn.op0Register, VA);
    fpBegin(s.sse.mxcsr);
    VR.copy(VA);
    if (double) {
      const a = VB.d[0]!;
      const b = VB.d[1]!;
      i32ToF64(a);
      VR.d[0] = FP.lo;
      VR.d[1] = FP.hi;
      i32ToF64(b);
      VR.d[2] = FP.lo;
      VR.d[3] = FP.hi;
    } else {
      VR.d[0] = i32ToF32(VB.d[0]!);
      VR.d[1] = i32ToF32(VB.d[1]!);
    }
    fpFinish(s);
    setX(s, insn.op0Register, VR);
  };
}

/** CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128. */
function cvtp2pi(double: boolean, trunc: boolean): Handler {
  return (s, insn) => {
    sseCheck(s);
    mmxCheck(s);
    srcX(s, insn, 1, VB, double ? 16 : 8, double);
    fpBegin(s.sse.mxcsr);
    if (double) {
      VR.d[0] = f64ToI32(VB.d[1]!, VB.d[0]!, trunc);
      VR.d[1] = f64ToI32(VB.d[3]!, VB.d[2]!, trunc);
    } else {
      VR.d[0] = f32ToI32(VB.d[0]!, trunc);
      VR.d[1] = f32ToI32(VB.d[1]!, trunc);
    }
    fpFinish(s);
    s.fpu.mmxEnter();
    setMm(s, insn.op0Register, VR);
  };
}

// ---- the table ----

const INT_OPS: [string, IntOp, boolean][] = [
  // name, op, has an MMX form in MMX/SSE/SSE2 (the SSSE3 list below adds its own)
  ["Paddb", I.paddb, true],
  ["Paddw", I.paddw, true],
  ["Paddd", I.paddd, true],
  ["Paddq", I.paddq, true],
  ["Psubb", I.psubb, true],
  ["Psubw", I.psubw, true],
  ["Psubd", I.psubd, true],
  ["Psubq", I.psubq, true],
  ["Paddsb", I.paddsb, true],
  ["Paddsw", I.paddsw, true],
  ["Paddusb", I.paddusb, true],
  ["Paddusw", I.paddusw, true],
  ["Psubsb", I.psubsb, true],
  ["Psubsw", I.psubsw, true],
  ["Psubusb", I.psubusb, true],
  ["Psubusw", I.psubusw, true],
  ["Pmullw", I.pmullw, true],
  ["Pmulhw", I.pmulhw, true],
  ["Pmulhuw", I.pmulhuw, true],
  ["Pmaddwd", I.pmaddwd, true],
  ["Pmuludq", I.pmuludq, true],
  ["Pavgb", I.pavgb, true],
  ["Pavgw", I.pavgw, true],
  ["Pminub", I.pminub, true],
  ["Pmaxub", I.pmaxub, true],
  ["Pminsw", I.pminsw, true],
  ["Pmaxsw", I.pmaxsw, true],
  ["Psadbw", I.psadbw, true],
  ["Pand", I.pand, true],
  ["Pandn", I.pandn, true],
  ["Por", I.por, true],
  ["Pxor", I.pxor, true],
  ["Pcmpeqb", I.pcmpeqb, true],
  ["Pcmpeqw", I.pcmpeqw, true],
  ["Pcmpeqd", I.pcmpeqd, true],
  ["Pcmpgtb", I.pcmpgtb, true],
  ["Pcmpgtw", I.pcmpgtw, true],
  ["Pcmpgtd", I.pcmpgtd, true],
  ["Packsswb", I.packsswb, true],
  ["Packuswb", I.packuswb, true],
  ["Packssdw", I.packssdw, true],
  ["Punpckhbw", I.punpckhbw, true],
  ["Punpckhwd", I.punpckhwd, true],
  ["Punpckhdq", I.punpckhdq, true],
  ["Psllw", I.psllw, true],
  ["Pslld", I.pslld, true],
  ["Psllq", I.psllq, true],
  ["Psrlw", I.psrlw, true],
  ["Psrld", I.psrld, true],
  ["Psrlq", I.psrlq, true],
  ["Psraw", I.psraw, true],
  ["Psrad", I.psrad, true],
  ["Pshufb", I.pshufb, true],
  ["Phaddw", I.phaddw, true],
  ["Phaddd", I.phaddd, true],
  ["Phaddsw", I.phaddsw, true],
  ["Phsubw", I.phsubw, true],
  ["Phsubd", I.phsubd, true],
  ["Phsubsw", I.phsubsw, true],
  ["Pmaddubsw", I.pmaddubsw, true],
  ["Psignb", I.psignb, true],
  ["Psignw", I.psignw, true],
  ["Psignd", I.psignd, true],
  ["Pmulhrsw", I.pmulhrsw, true],
  ["Pabsb", I.pabsb, true],
  ["Pabsw", I.pabsw, true],
  ["Pabsd", I.pabsd, true],
];

const SHIFT_IMM: [string, IntOp][] = [
  ["Psllw", I.psllw],
  ["Pslld", I.pslld],
  ["Psllq", I.psllq],
  ["Psrlw", I.psrlw],
  ["Psrld", I.psrld],
  ["Psrlq", I.psrlq],
  ["Psraw", I.psraw],
  ["Psrad", I.psrad],
];

const FP_OPS: [string, number][] = [
  ["Add", FOP_ADD],
  ["Sub", FOP_SUB],
  ["Mul", FOP_MUL],
  ["Div", FOP_DIV],
  ["Min", FOP_MIN],
  ["Max", FOP_MAX],
  ["Sqrt", FOP_SQRT],
];

function build(): Record<string, Handler> {
  const h: Record<string, Handler> = {};
  for (const [n, op, mm] of INT_OPS) {
    h[`${n}_xmm_xmmm128`] = intX(op);
    if (mm) h[`${n}_mm_mmm64`] = intMm(op);
  }
  for (const [n, op] of SHIFT_IMM) {
    h[`${n}_xmm_imm8`] = shiftImmX(op);
    h[`${n}_mm_imm8`] = shiftImmMm(op);
  }
  for (const [n, k] of FP_OPS) {
    const l = n.toLowerCase();
    const N = l[0]!.toUpperCase() + l.slice(1);
    h[`${N}ps_xmm_xmmm128`] = fpPs(k);
    h[`${N}ss_xmm_xmmm32`] = fpSs(k);
    h[`${N}pd_xmm_xmmm128`] = fpPd(k);
    h[`${N}sd_xmm_xmmm64`] = fpSd(k);
  }
  Object.assign(h, {
    Punpcklbw_mm_mmm32: intMm(I.punpcklbw, 4),
    Punpcklwd_mm_mmm32: intMm(I.punpcklwd, 4),
    Punpckldq_mm_mmm32: intMm(I.punpckldq, 4),
    Punpcklbw_xmm_xmmm128: intX(I.punpcklbw),
    Punpcklwd_xmm_xmmm128: intX(I.punpcklwd),
    Punpckldq_xmm_xmmm128: intX(I.punpckldq),
    Punpcklqdq_xmm_xmmm128: intX(I.punpcklqdq),
    Punpckhqdq_xmm_xmmm128: intX(I.punpckhqdq),
    Psrldq_xmm_imm8: shiftImmX(I.psrldq),
    Pslldq_xmm_imm8: shiftImmX(I.pslldq),
    Palignr_xmm_xmmm128_imm8: palignrX,
    Palignr_mm_mmm64_imm8: ((s, insn) => {
      VB2.d[0] = insn.immediate & 0xff;
      palignrMmH(s, insn);
    }) as Handler,
    Emms: emms,
    Movd_mm_rm32: movdMmLoad,
    Movd_rm32_mm: movdMmStore,
    Movq_mm_mmm64: movqMmLoad,
    Movq_mmm64_mm: movqMmStore,
    Movd_xmm_rm32: movdXLoad,
    Movd_rm32_xmm: movdXStore,
    Movq_xmm_xmmm64: movqXLoad,
    Movq_xmmm64_xmm: movqXStore,
    Movq2dq_xmm_mm: movq2dq,
    Movdq2q_mm_xmm: movdq2q,
    Movaps_xmm_xmmm128: movX(true),
    Movaps_xmmm128_xmm: movX(true),
    Movapd_xmm_xmmm128: movX(true),
    Movapd_xmmm128_xmm: movX(true),
    Movdqa_xmm_xmmm128: movX(true),
    Movdqa_xmmm128_xmm: movX(true),
    Movups_xmm_xmmm128: movX(false),
    Movups_xmmm128_xmm: movX(false),
    Movupd_xmm_xmmm128: movX(false),
    Movupd_xmmm128_xmm: movX(false),
    Movdqu_xmm_xmmm128: movX(false),
    Movdqu_xmmm128_xmm: movX(false),
    Movss_xmm_xmmm32: movScalarLoad(4),
    Movss_xmmm32_xmm: movScalarStore(4),
    Movsd_xmm_xmmm64: movScalarLoad(8),
    Movsd_xmmm64_xmm: movScalarStore(8),
    Movlps_xmm_m64: movHalf(false),
    Movlps_m64_xmm: movHalf(false),
    Movlpd_xmm_m64: movHalf(false),
    Movlpd_m64_xmm: movHalf(false),
    Movhps_xmm_m64: movHalf(true),
    Movhps_m64_xmm: movHalf(true),
    Movhpd_xmm_m64: movHalf(true),
    Movhpd_m64_xmm: movHalf(true),
    Movhlps_xmm_xmm: movhlps,
    Movlhps_xmm_xmm: movlhps,
    Movntps_m128_xmm: movntStore,
    Movntpd_m128_xmm: movntStore,
    Movntdq_m128_xmm: movntStore,
    Movntq_m64_mm: movntq,
    Movnti_m32_r32: movnti,
    Maskmovq_rDI_mm_mm: maskmov(false),
    Maskmovdqu_rDI_xmm_xmm: maskmov(true),
    Movmskps_r32_xmm: movmsk(4),
    Movmskpd_r32_xmm: movmsk(8),
    Pmovmskb_r32_mm: pmovmskb(false),
    Pmovmskb_r32_xmm: pmovmskb(true),
    Pextrw_r32_mm_imm8: pextrw(false),
    Pextrw_r32_xmm_imm8: pextrw(true),
    Pinsrw_mm_r32m16_imm8: pinsrw(false),
    Pinsrw_xmm_r32m16_imm8: pinsrw(true),
    Pshufw_mm_mmm64_imm8: pshufw,
    Pshufd_xmm_xmmm128_imm8: pshuf(0),
    Pshuflw_xmm_xmmm128_imm8: pshuf(1),
    Pshufhw_xmm_xmmm128_imm8: pshuf(2),
    Shufps_xmm_xmmm128_imm8: shufps,
    Shufpd_xmm_xmmm128_imm8: shufpd,
    Unpcklps_xmm_xmmm128: intX(unpcklps),
    Unpckhps_xmm_xmmm128: intX(unpckhps),
    Unpcklpd_xmm_xmmm128: intX(I.punpcklqdq),
    Unpckhpd_xmm_xmmm128: intX(I.punpckhqdq),
    Andps_xmm_xmmm128: logic(I.pand),
    Andnps_xmm_xmmm128: logic(I.pandn),
    Orps_xmm_xmmm128: logic(I.por),
    Xorps_xmm_xmmm128: logic(I.pxor),
    Andpd_xmm_xmmm128: logic(I.pand),
    Andnpd_xmm_xmmm128: logic(I.pandn),
    Orpd_xmm_xmmm128: logic(I.por),
    Xorpd_xmm_xmmm128: logic(I.pxor),
    Movsldup_xmm_xmmm128: dup(0),
    Movshdup_xmm_xmmm128: dup(1),
    Movddup_xmm_xmmm64: dup(2),
    Lddqu_xmm_m128: lddqu,
    Haddps_xmm_xmmm128: horizPs(0),
    Hsubps_xmm_xmmm128: horizPs(1),
    Addsubps_xmm_xmmm128: horizPs(2),
    Haddpd_xmm_xmmm128: horizPd(0),
    Hsubpd_xmm_xmmm128: horizPd(1),
    Addsubpd_xmm_xmmm128: horizPd(2),
    Cmpps_xmm_xmmm128_imm8: cmpPs(false),
    Cmpss_xmm_xmmm32_imm8: cmpPs(true),
    Cmppd_xmm_xmmm128_imm8: cmpPd(false),
    Cmpsd_xmm_xmmm64_imm8: cmpPd(true),
    Comiss_xmm_xmmm32: comis(false, true),
    Ucomiss_xmm_xmmm32: comis(false, false),
    Comisd_xmm_xmmm64: comis(true, true),
    Ucomisd_xmm_xmmm64: comis(true, false),
    Rcpps_xmm_xmmm128: recip(false, false),
    Rcpss_xmm_xmmm32: recip(false, true),
    Rsqrtps_xmm_xmmm128: recip(true, false),
    Rsqrtss_xmm_xmmm32: recip(true, true),
    Cvtss2sd_xmm_xmmm32: cvtss2sd,
    Cvtsd2ss_xmm_xmmm64: cvtsd2ss,
    Cvtps2pd_xmm_xmmm64: cvtps2pd,
    Cvtpd2ps_xmm_xmmm128: cvtpd2ps,
    Cvtdq2ps_xmm_xmmm128: cvtdq2ps,
    Cvtdq2pd_xmm_xmmm64: cvtdq2pd,
    Cvtps2dq_xmm_xmmm128: cvtps2dq(false),
    Cvttps2dq_xmm_xmmm128: cvtps2dq(true),
    Cvtpd2dq_xmm_xmmm128: cvtpd2dq(false),
    Cvttpd2dq_xmm_xmmm128: cvtpd2dq(true),
    Cvtsi2ss_xmm_rm32: cvtsi2s(false),
    Cvtsi2sd_xmm_rm32: cvtsi2s(true),
    Cvtss2si_r32_xmmm32: cvts2si(false, false),
    Cvttss2si_r32_xmmm32: cvts2si(false, true),
    Cvtsd2si_r32_xmmm64: cvts2si(true, false),
    Cvttsd2si_r32_xmmm64: cvts2si(true, true),
    Cvtpi2ps_xmm_mmm64: cvtpi2p(false),
    Cvtpi2pd_xmm_mmm64: cvtpi2p(true),
    Cvtps2pi_mm_xmmm64: cvtp2pi(false, false),
    Cvttps2pi_mm_xmmm64: cvtp2pi(false, true),
    Cvtpd2pi_mm_xmmm128: cvtp2pi(true, false),
    Cvttpd2pi_mm_xmmm128: cvtp2pi(true, true),
    Ldmxcsr_m32: ldmxcsr,
    Stmxcsr_m32: stmxcsr,
    Sfence: fence,
    Lfence: fence,
    Mfence: fence,
    Fxsave_m512byte: fxsaveHandler,
    Fxrstor_m512byte: fxrstorHandler,
  } satisfies Record<string, Handler>);
  // The alternate-ModRM encodings of the fences (iced lists each r/m value as its own form).
  for (const x of ["F9", "FA", "FB", "FC", "FD", "FE", "FF"]) h[`Sfence_${x}`] = fence;
  for (const x of ["E9", "EA", "EB", "EC", "ED", "EE", "EF"]) h[`Lfence_${x}`] = fence;
  for (const x of ["F1", "F2", "F3", "F4", "F5", "F6", "F7"]) h[`Mfence_${x}`] = fence;
  return h;
}

export const simdHandlers: Record<string, Handler> = build();
