// x87 FPU instructions (semantics in ../x87): D8-DF forms, WAIT, FXSAVE/FXRSTOR. Every handler
// first applies the device-not-available rules (CR0.EM/TS -> #NM, SDM vol. 3 2.5 table 2-2) and,
// for waiting instructions, delivers a pending unmasked exception: #MF when CR0.NE=1, otherwise
// FERR# (X87State.onFerr, wired by the board to IRQ 13) and the instruction proceeds, as on a PC
// with the IGNNE#/port 0xF0 logic (SDM vol. 1 8.7, D.2). Non-control instructions record the last
// instruction and data pointers and the opcode (SDM vol. 1 8.1.8/8.1.9).
import { type Instruction, OpKind } from "@ringvm/decoder";
import { effectiveAddress, memSeg, setReg16 } from "../access";
import { CpuException, Vector } from "../exceptions";
import type { CpuState } from "../state/cpu-state";
import { AF, CF, OF, PF, SF, ZF } from "../state/flags";
import { SegReg } from "../state/registers";
import {
  MEM_F32,
  MEM_F64,
  MEM_I16,
  MEM_I32,
  OP_ADD,
  OP_DIV,
  OP_DIVR,
  OP_MUL,
  OP_SUB,
  OP_SUBR,
  STORE,
  STORE_F32,
  STORE_F64,
  STORE_I16,
  STORE_I16_TRUNC,
  STORE_I32,
  STORE_I32_TRUNC,
  STORE_I64,
  STORE_I64_TRUNC,
  fpuArithMem,
  fpuArithSt,
  fpuBinary,
  fpuComi,
  fpuCompareMem,
  fpuCompareSt,
  fpuExamine,
  fpuExchange,
  fpuExtract,
  fpuLoadBcd,
  fpuLoadInt64,
  fpuLoadMem,
  fpuLoadSt,
  fpuPrem,
  fpuPush,
  fpuRotate,
  fpuSign,
  fpuStoreBcd,
  fpuStoreMem,
  fpuStoreSt,
  fpuTrig,
  fpuTrigPush,
  fpuUnary,
} from "../x87/exec";
import {
  ENV16_PROT,
  ENV16_REAL,
  ENV32_PROT,
  ENV32_REAL,
  type EnvFormat,
  envSize,
  frstor,
  fxrstor,
  fxsave,
  loadEnv,
  maskAllAfterStoreEnv,
  saveSize,
  storeEnv,
} from "../x87/images";
import { BCD } from "../x87/softfloat/bcd";
import { f80Constant } from "../x87/softfloat/constants";
import { f80RoundInt } from "../x87/softfloat/rint";
import { f80Scale } from "../x87/softfloat/scale";
import { f80Sqrt } from "../x87/softfloat/sqrt";
import {
  TRIG_COS,
  TRIG_SIN,
  f80Atan,
  f80F2xm1,
  f80Yl2x,
  f80Yl2xp1,
} from "../x87/softfloat/transcendental";
import { F80, setIndefinite, type FpContext } from "../x87/softfloat/types";
import { SW_C1 } from "../x87/state";
import {
  isRealOrV86,
  opLinear,
  opLinearAligned,
  readBytes,
  readQ,
  Q,
  writeBytes,
  writeQ,
} from "../simd/mem";
import { MXCSR_WRITABLE } from "../simd/state";
import type { Handler } from "./operands";

// CR0 bits (SDM vol. 3 2.5), local to keep the handler modules out of control-regs' imports.
const CR0_MP = 1 << 1;
const CR0_EM = 1 << 2;
const CR0_TS = 1 << 3;
const CR0_NE = 1 << 5;
const REG_ST0 = 217;
const REG_AX = 21;
const V_MF = Vector.MF;

const T80 = new F80();
const IMAGE = new Uint8Array(512);

/** #NM for any x87 instruction when CR0.EM or CR0.TS is set. */
function deviceCheck(s: CpuState): void {
  if ((s.cr0 & (CR0_EM | CR0_TS)) !== 0) throw new CpuException(Vector.NM, 0);
}

/** The pending-exception check of waiting instructions (also used by MMX, see simd.ts). */
export function fpuPendingCheck(s: CpuState): void {
  if ((s.fpu.sw & 0x80) === 0) return;
  if ((s.cr0 & CR0_NE) !== 0) throw new CpuException(V_MF, 0);
  s.fpu.signalFerr();
}

/** Records FIP/FCS/FOP (and FDP/FDS for memory forms) of a non-control instruction. */
function notePointers(s: CpuState, insn: Instruction): void {
  const f = s.fpu;
  const real = isRealOrV86(s);
  f.fip = real ? (s.segBase[SegReg.CS]! + s.startEip) >>> 0 : s.startEip >>> 0;
  f.fcs = real ? 0 : s.segSel[SegReg.CS]!;
  // FOP: low 3 bits of the D8-DF byte and the ModRM byte, read back from the instruction bytes.
  let at = (s.segBase[SegReg.CS]! + s.startEip) | 0;
  let b = s.memory.fetch8(at);
  for (let n = 0; n < 14 && (b < 0xd8 || b > 0xdf); n++) {
    at = (at + 1) | 0;
    b = s.memory.fetch8(at);
  }
  f.fop = ((b & 7) << 8) | s.memory.fetch8((at + 1) | 0);
  if (insn.op0Kind === OpKind.Memory || insn.op1Kind === OpKind.Memory) {
    const seg = memSeg(insn);
    const ea = effectiveAddress(s, insn);
    f.fdp = real ? (s.segBase[seg]! + ea) >>> 0 : ea;
    f.fds = real ? 0 : s.segSel[seg]!;
  }
}

/** Prologue of a waiting, non-control instruction. */
function enter(s: CpuState, insn: Instruction): void {
  deviceCheck(s);
  fpuPendingCheck(s);
  notePointers(s, insn);
}

/** Prologue of a waiting control instruction (FLDCW, FLDENV, FRSTOR...: no pointer update). */
function enterControl(s: CpuState): void {
  deviceCheck(s);
  fpuPendingCheck(s);
}

function sti(insn: Instruction, op: number): number {
  return (op === 0 ? insn.op0Register : insn.op1Register) - REG_ST0;
}

// ---- arithmetic ----

function arithMem(kind: number, type: number): Handler {
  const size = type === MEM_F64 ? 8 : type === MEM_I16 ? 2 : 4;
  return (s, insn) => {
    enter(s, insn);
    const lin = opLinear(s, insn, size, false);
    let lo: number;
    let hi = 0;
    if (size === 8) {
      readQ(s, lin);
      lo = Q.lo;
      hi = Q.hi;
    } else lo = size === 2 ? s.memory.read16(lin) : s.memory.read32(lin) >>> 0;
    fpuArithMem(s.fpu, kind, type, lo, hi);
  };
}

/** `st0First`: ST(0) = ST(0) op ST(i); otherwise ST(i) = ST(i) op ST(0) (DC/DE forms). */
function arithSt(kind: number, st0First: boolean, pop: boolean): Handler {
  return (s, insn) => {
    enter(s, insn);
    if (st0First) fpuArithSt(s.fpu, kind, 0, sti(insn, 1), pop);
    else fpuArithSt(s.fpu, kind, sti(insn, 0), 0, pop);
  };
}

function compareMem(type: number, pops: number): Handler {
  const size = type === MEM_F64 ? 8 : type === MEM_I16 ? 2 : 4;
  return (s, insn) => {
    enter(s, insn);
    const lin = opLinear(s, insn, size, false);
    let lo: number;
    let hi = 0;
    if (size === 8) {
      readQ(s, lin);
      lo = Q.lo;
      hi = Q.hi;
    } else lo = size === 2 ? s.memory.read16(lin) : s.memory.read32(lin) >>> 0;
    fpuCompareMem(s.fpu, type, lo, hi, pops);
  };
}

function compareSt(unordered: boolean, pops: number): Handler {
  return (s, insn) => {
    enter(s, insn);
    fpuCompareSt(s.fpu, insn.opCount >= 2 ? sti(insn, 1) : 1, unordered, pops);
  };
}

function comi(unordered: boolean, pop: boolean): Handler {
  return (s, insn) => {
    enter(s, insn);
    const r = fpuComi(s.fpu, sti(insn, 1), unordered, pop);
    if (r >= 0) s.writeFlagBits(ZF | PF | CF | OF | SF | AF, r);
  };
}

/** FCMOVcc: `cond` reads EFLAGS. An empty operand is a stack underflow whatever the condition. */
function fcmov(cond: (s: CpuState) => boolean): Handler {
  return (s, insn) => {
    enter(s, insn);
    const f = s.fpu;
    const i = sti(insn, 1);
    if (f.isEmpty(0) || f.isEmpty(i)) {
      if (f.underflow()) f.writeSt(0, setIndefinite(T80));
      return;
    }
    f.sw &= ~SW_C1;
    if (cond(s)) f.writeSt(0, f.readSt(i, T80));
  };
}

// ---- loads and stores ----

function loadMem(type: number): Handler {
  const size = type === MEM_F64 ? 8 : type === MEM_I16 ? 2 : 4;
  return (s, insn) => {
    enter(s, insn);
    const lin = opLinear(s, insn, size, false);
    if (size === 8) {
      readQ(s, lin);
      fpuLoadMem(s.fpu, type, Q.lo, Q.hi);
    } else
      fpuLoadMem(s.fpu, type, size === 2 ? s.memory.read16(lin) : s.memory.read32(lin) >>> 0, 0);
  };
}

/** Runs `store` then writes STORE; a fault on the write restores TOP, tags and SW. */
function storeMem(type: number, pop: boolean): Handler {
  const size =
    type === STORE_F64 || type === STORE_I64 || type === STORE_I64_TRUNC
      ? 8
      : type === STORE_I16 || type === STORE_I16_TRUNC
        ? 2
        : 4;
  return (s, insn) => {
    enter(s, insn);
    const lin = opLinear(s, insn, size, true);
    const f = s.fpu;
    const top = f.top;
    const empty = f.emptyMask;
    const sw = f.sw;
    fpuStoreMem(f, type, pop);
    if (!STORE.store) return;
    try {
      if (size === 8) writeQ(s, lin, STORE.lo, STORE.hi);
      else if (size === 4) s.memory.write32(lin, STORE.lo | 0);
      else s.memory.write16(lin, STORE.lo & 0xffff);
    } catch (e) {
      f.top = top;
      f.emptyMask = empty;
      f.sw = sw;
      throw e;
    }
  };
}

const fld80: Handler = (s, insn) => {
  enter(s, insn);
  const lin = opLinear(s, insn, 10, false);
  readQ(s, lin);
  T80.set(s.memory.read16((lin + 8) | 0), Q.hi, Q.lo);
  fpuPush(s.fpu, T80);
};

const fstp80: Handler = (s, insn) => {
  enter(s, insn);
  const lin = opLinear(s, insn, 10, true);
  const f = s.fpu;
  if (f.isEmpty(0)) {
    if (!f.underflow()) return;
    setIndefinite(T80);
  } else {
    f.readSt(0, T80);
    f.sw &= ~SW_C1;
  }
  writeQ(s, lin, T80.lo, T80.hi);
  s.memory.write16((lin + 8) | 0, T80.se);
  f.pop();
};

const fild64: Handler = (s, insn) => {
  enter(s, insn);
  readQ(s, opLinear(s, insn, 8, false));
  fpuLoadInt64(s.fpu, Q.lo, Q.hi);
};

const fbld: Handler = (s, insn) => {
  enter(s, insn);
  const lin = opLinear(s, insn, 10, false);
  readQ(s, lin);
  fpuLoadBcd(s.fpu, Q.lo, Q.hi, s.memory.read16((lin + 8) | 0));
};

const fbstp: Handler = (s, insn) => {
  enter(s, insn);
  const lin = opLinear(s, insn, 10, true);
  const f = s.fpu;
  const top = f.top;
  const empty = f.emptyMask;
  const sw = f.sw;
  fpuStoreBcd(f);
  if (!STORE.store) return;
  try {
    writeQ(s, lin, BCD.lo, BCD.hi);
    s.memory.write16((lin + 8) | 0, BCD.top & 0xffff);
  } catch (e) {
    f.top = top;
    f.emptyMask = empty;
    f.sw = sw;
    throw e;
  }
};

function constant(which: number): Handler {
  return (s, insn) => {
    enter(s, insn);
    fpuPush(s.fpu, f80Constant(T80, which, (s.fpu.cw >>> 10) & 3));
  };
}

function simple(op: (s: CpuState, insn: Instruction) => void): Handler {
  return (s, insn) => {
    enter(s, insn);
    op(s, insn);
  };
}

function atanOrder(ctx: FpContext, out: F80, st0: F80, st1: F80): F80 {
  return f80Atan(ctx, out, st1, st0);
}

// ---- control ----

function envFormat(s: CpuState, insn: Instruction): EnvFormat {
  const real = isRealOrV86(s);
  if (insn.opSize === 16) return real ? ENV16_REAL : ENV16_PROT;
  return real ? ENV32_REAL : ENV32_PROT;
}

const fnstenv: Handler = (s, insn) => {
  deviceCheck(s);
  const f = envFormat(s, insn);
  const n = envSize(f);
  const lin = opLinear(s, insn, n, true);
  storeEnv(s.fpu, IMAGE, 0, f);
  writeBytes(s, lin, IMAGE, 0, n);
  maskAllAfterStoreEnv(s.fpu);
  s.fpu.clearFerr();
};

const fldenv: Handler = (s, insn) => {
  enterControl(s);
  const f = envFormat(s, insn);
  const n = envSize(f);
  readBytes(s, opLinear(s, insn, n, false), IMAGE, 0, n);
  loadEnv(s.fpu, IMAGE, 0, f);
};

const fnsave: Handler = (s, insn) => {
  deviceCheck(s);
  const f = envFormat(s, insn);
  const n = saveSize(f);
  const lin = opLinear(s, insn, n, true);
  // Build the image on a copy of the state so a faulting write leaves the FPU untouched.
  storeEnv(s.fpu, IMAGE, 0, f);
  const fpu = s.fpu;
  for (let i = 0, at = envSize(f); i < 8; i++, at += 10) {
    const p = fpu.phys(i);
    const lo = fpu.lo[p]!;
    const hi = fpu.hi[p]!;
    const se = fpu.se[p]!;
    IMAGE[at] = lo & 0xff;
    IMAGE[at + 1] = (lo >>> 8) & 0xff;
    IMAGE[at + 2] = (lo >>> 16) & 0xff;
    IMAGE[at + 3] = lo >>> 24;
    IMAGE[at + 4] = hi & 0xff;
    IMAGE[at + 5] = (hi >>> 8) & 0xff;
    IMAGE[at + 6] = (hi >>> 16) & 0xff;
    IMAGE[at + 7] = hi >>> 24;
    IMAGE[at + 8] = se & 0xff;
    IMAGE[at + 9] = se >>> 8;
  }
  writeBytes(s, lin, IMAGE, 0, n);
  fpu.reset();
  fpu.clearFerr();
};

const frstorH: Handler = (s, insn) => {
  enterControl(s);
  const f = envFormat(s, insn);
  const n = saveSize(f);
  readBytes(s, opLinear(s, insn, n, false), IMAGE, 0, n);
  frstor(s.fpu, IMAGE, 0, f);
  s.fpu.setCw(s.fpu.cw);
};

/** FXSAVE (SDM vol. 2 FXSAVE, table 10-2): x87 part, MXCSR and its mask, XMM0-7. */
export const fxsaveHandler: Handler = (s, insn) => {
  deviceCheck(s);
  const lin = opLinearAligned(s, insn, 512, true, 16);
  IMAGE.fill(0);
  fxsave(s.fpu, IMAGE, 0, false);
  const m = s.sse.mxcsr;
  IMAGE[24] = m & 0xff;
  IMAGE[25] = (m >>> 8) & 0xff;
  IMAGE[28] = MXCSR_WRITABLE & 0xff;
  IMAGE[29] = MXCSR_WRITABLE >>> 8;
  IMAGE.set(s.sse.b, 160);
  // Bytes 288-511 are reserved/available: left as they are in memory (the host does not write).
  writeBytes(s, lin, IMAGE, 0, 288);
};

export const fxrstorHandler: Handler = (s, insn) => {
  deviceCheck(s);
  const lin = opLinearAligned(s, insn, 512, false, 16);
  readBytes(s, lin, IMAGE, 0, 288);
  const m = (IMAGE[24]! | (IMAGE[25]! << 8) | (IMAGE[26]! << 16) | (IMAGE[27]! << 24)) >>> 0;
  if ((m & ~MXCSR_WRITABLE) !== 0) throw new CpuException(Vector.GP, 0);
  fxrstor(s.fpu, IMAGE, 0, false);
  s.sse.mxcsr = m;
  s.sse.b.set(IMAGE.subarray(160, 288));
  if (!s.fpu.pending()) s.fpu.clearFerr();
};

const fldcw: Handler = (s, insn) => {
  enterControl(s);
  s.fpu.setCw(s.memory.read16(opLinear(s, insn, 2, false)));
};

const fnstcw: Handler = (s, insn) => {
  deviceCheck(s);
  s.memory.write16(opLinear(s, insn, 2, true), s.fpu.cw);
};

const fnstswMem: Handler = (s, insn) => {
  deviceCheck(s);
  s.memory.write16(opLinear(s, insn, 2, true), s.fpu.getSw());
};

const fnstswAx: Handler = (s) => {
  deviceCheck(s);
  setReg16(s, REG_AX, s.fpu.getSw());
};

const fnclex: Handler = (s) => {
  deviceCheck(s);
  s.fpu.clearExceptions();
  s.fpu.clearFerr();
};

const fninit: Handler = (s) => {
  deviceCheck(s);
  s.fpu.reset();
  s.fpu.clearFerr();
};

/** FNENI/FNDISI/FNSETPM are no-ops after the 287 (SDM vol. 2 "FNOP" notes; treated as FNOP). */
const nopControl: Handler = (s) => {
  deviceCheck(s);
};

/** WAIT/FWAIT: #NM only when both MP and TS are set; then the pending-exception check. */
const wait: Handler = (s) => {
  if ((s.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) throw new CpuException(Vector.NM, 0);
  fpuPendingCheck(s);
};

// ---- EFLAGS conditions of FCMOVcc ----
const cB = (s: CpuState): boolean => s.getCF() !== 0;
const cE = (s: CpuState): boolean => s.getZF();
const cBE = (s: CpuState): boolean => s.getCF() !== 0 || s.getZF();
const cU = (s: CpuState): boolean => s.getPF();

const KINDS: [string, number][] = [
  ["add", OP_ADD],
  ["mul", OP_MUL],
  ["sub", OP_SUB],
  ["subr", OP_SUBR],
  ["div", OP_DIV],
  ["divr", OP_DIVR],
];

function buildHandlers(): Record<string, Handler> {
  const h: Record<string, Handler> = {};
  for (const [n, k] of KINDS) {
    h[`F${n}_m32fp`] = arithMem(k, MEM_F32);
    h[`F${n}_m64fp`] = arithMem(k, MEM_F64);
    h[`Fi${n}_m32int`] = arithMem(k, MEM_I32);
    h[`Fi${n}_m16int`] = arithMem(k, MEM_I16);
    h[`F${n}_st0_sti`] = arithSt(k, true, false);
    h[`F${n}_sti_st0`] = arithSt(k, false, false);
    h[`F${n}p_sti_st0`] = arithSt(k, false, true);
  }
  Object.assign(h, {
    Fcom_m32fp: compareMem(MEM_F32, 0),
    Fcomp_m32fp: compareMem(MEM_F32, 1),
    Fcom_m64fp: compareMem(MEM_F64, 0),
    Fcomp_m64fp: compareMem(MEM_F64, 1),
    Ficom_m32int: compareMem(MEM_I32, 0),
    Ficomp_m32int: compareMem(MEM_I32, 1),
    Ficom_m16int: compareMem(MEM_I16, 0),
    Ficomp_m16int: compareMem(MEM_I16, 1),
    Fcom_st0_sti: compareSt(false, 0),
    Fcom_st0_sti_DCD0: compareSt(false, 0),
    Fcomp_st0_sti: compareSt(false, 1),
    Fcomp_st0_sti_DCD8: compareSt(false, 1),
    Fcomp_st0_sti_DED0: compareSt(false, 1),
    Fcompp: compareSt(false, 2),
    Fucom_st0_sti: compareSt(true, 0),
    Fucomp_st0_sti: compareSt(true, 1),
    Fucompp: compareSt(true, 2),
    Ftst: simple((s) => void fpuCompareSt(s.fpu, -1, false, 0)),
    Fxam: simple((s) => fpuExamine(s.fpu)),
    Fcomi_st0_sti: comi(false, false),
    Fcomip_st0_sti: comi(false, true),
    Fucomi_st0_sti: comi(true, false),
    Fucomip_st0_sti: comi(true, true),
    Fcmovb_st0_sti: fcmov(cB),
    Fcmove_st0_sti: fcmov(cE),
    Fcmovbe_st0_sti: fcmov(cBE),
    Fcmovu_st0_sti: fcmov(cU),
    Fcmovnb_st0_sti: fcmov((s) => !cB(s)),
    Fcmovne_st0_sti: fcmov((s) => !cE(s)),
    Fcmovnbe_st0_sti: fcmov((s) => !cBE(s)),
    Fcmovnu_st0_sti: fcmov((s) => !cU(s)),
    Fld_m32fp: loadMem(MEM_F32),
    Fld_m64fp: loadMem(MEM_F64),
    Fild_m16int: loadMem(MEM_I16),
    Fild_m32int: loadMem(MEM_I32),
    Fild_m64int: fild64,
    Fld_m80fp: fld80,
    Fbld_m80bcd: fbld,
    Fld_sti: simple((s, insn) => void fpuLoadSt(s.fpu, sti(insn, 0))),
    Fst_m32fp: storeMem(STORE_F32, false),
    Fstp_m32fp: storeMem(STORE_F32, true),
    Fst_m64fp: storeMem(STORE_F64, false),
    Fstp_m64fp: storeMem(STORE_F64, true),
    Fist_m16int: storeMem(STORE_I16, false),
    Fistp_m16int: storeMem(STORE_I16, true),
    Fist_m32int: storeMem(STORE_I32, false),
    Fistp_m32int: storeMem(STORE_I32, true),
    Fistp_m64int: storeMem(STORE_I64, true),
    Fisttp_m16int: storeMem(STORE_I16_TRUNC, true),
    Fisttp_m32int: storeMem(STORE_I32_TRUNC, true),
    Fisttp_m64int: storeMem(STORE_I64_TRUNC, true),
    Fstp_m80fp: fstp80,
    Fbstp_m80bcd: fbstp,
    Fst_sti: simple((s, insn) => void fpuStoreSt(s.fpu, sti(insn, 0), false)),
    Fstp_sti: simple((s, insn) => void fpuStoreSt(s.fpu, sti(insn, 0), true)),
    Fstp_sti_DFD0: simple((s, insn) => void fpuStoreSt(s.fpu, sti(insn, 0), true)),
    Fstp_sti_DFD8: simple((s, insn) => void fpuStoreSt(s.fpu, sti(insn, 0), true)),
    Fstpnce_sti: simple((s, insn) => void fpuStoreSt(s.fpu, sti(insn, 0), true)),
    Fxch_st0_sti: simple((s, insn) => void fpuExchange(s.fpu, sti(insn, 1))),
    Fxch_st0_sti_DDC8: simple((s, insn) => void fpuExchange(s.fpu, sti(insn, 1))),
    Fxch_st0_sti_DFC8: simple((s, insn) => void fpuExchange(s.fpu, sti(insn, 1))),
    Ffree_sti: simple((s, insn) => s.fpu.free(sti(insn, 0))),
    Ffreep_sti: simple((s, insn) => {
      s.fpu.free(sti(insn, 0));
      s.fpu.pop();
    }),
    Fnop: simple(() => {}),
    Fchs: simple((s) => void fpuSign(s.fpu, false)),
    Fabs: simple((s) => void fpuSign(s.fpu, true)),
    Fld1: constant(0),
    Fldl2t: constant(1),
    Fldl2e: constant(2),
    Fldpi: constant(3),
    Fldlg2: constant(4),
    Fldln2: constant(5),
    Fldz: constant(6),
    F2xm1: simple((s) => void fpuUnary(s.fpu, f80F2xm1)),
    Fsqrt: simple((s) => void fpuUnary(s.fpu, f80Sqrt)),
    Frndint: simple((s) => void fpuUnary(s.fpu, f80RoundInt)),
    Fyl2x: simple((s) => void fpuBinary(s.fpu, f80Yl2x, false)),
    Fyl2xp1: simple((s) => void fpuBinary(s.fpu, f80Yl2xp1, false)),
    Fpatan: simple((s) => void fpuBinary(s.fpu, atanOrder, false)),
    Fscale: simple((s) => void fpuBinary(s.fpu, f80Scale, true)),
    Fprem: simple((s) => void fpuPrem(s.fpu, false)),
    Fprem1: simple((s) => void fpuPrem(s.fpu, true)),
    Fxtract: simple((s) => void fpuExtract(s.fpu)),
    Fptan: simple((s) => void fpuTrigPush(s.fpu, false)),
    Fsincos: simple((s) => void fpuTrigPush(s.fpu, true)),
    Fsin: simple((s) => void fpuTrig(s.fpu, TRIG_SIN)),
    Fcos: simple((s) => void fpuTrig(s.fpu, TRIG_COS)),
    Fdecstp: simple((s) => fpuRotate(s.fpu, -1)),
    Fincstp: simple((s) => fpuRotate(s.fpu, 1)),
    Fldcw_m2byte: fldcw,
    Fnstcw_m2byte: fnstcw,
    Fnstsw_m2byte: fnstswMem,
    Fnstsw_AX: fnstswAx,
    Fnclex: fnclex,
    Fninit: fninit,
    Fneni: nopControl,
    Fndisi: nopControl,
    Fnsetpm: nopControl,
    Fldenv_m14byte: fldenv,
    Fldenv_m28byte: fldenv,
    Fnstenv_m14byte: fnstenv,
    Fnstenv_m28byte: fnstenv,
    Frstor_m94byte: frstorH,
    Frstor_m108byte: frstorH,
    Fnsave_m94byte: fnsave,
    Fnsave_m108byte: fnsave,
    Wait: wait,
  } satisfies Record<string, Handler>);
  return h;
}

export const x87Handlers: Record<string, Handler> = buildHandlers();
