// Near control flow and the stack: JMP/Jcc/CALL/RET, LOOP/JCXZ, PUSH/POP, PUSHA/POPA,
// ENTER/LEAVE, BOUND.
import { OpKind } from "@ringvm/decoder";
import {
  effectiveAddress,
  memSeg,
  pop16,
  pop32,
  push16,
  push32,
  read16,
  read32,
  adjustSp,
} from "../access";
import { CpuException, Vector } from "../exceptions";
import { type CpuState } from "../state/cpu-state";
import { EBP, ECX, ESP, SegReg } from "../state/registers";
import { COND_NAMES, jumpNear, testCondition } from "./integer-cond";
import { getReg, memLinear, readRm, setReg, writeLinear, type Handler } from "./operands";

const jmpRel: Handler = (s, i) => jumpNear(s, i.nearBranchTarget);

function jcc(cc: number): Handler {
  return (s, i) => {
    if (testCondition(s, cc)) jumpNear(s, i.nearBranchTarget);
  };
}

function callRel(op32: boolean): Handler {
  return (s, i) => {
    // The return address as int32 (see fast.ts CALL).
    if (op32) push32(s, i.nextIp | 0);
    else push16(s, i.nextIp);
    jumpNear(s, i.nearBranchTarget);
  };
}

function jmpRm(top: number): Handler {
  return (s, i) => jumpNear(s, top === 15 ? readRm(s, i, 15) : readRm(s, i, 31));
}

function callRm(top: number): Handler {
  return (s, i) => {
    const target = readRm(s, i, top);
    if (top === 15) push16(s, i.nextIp);
    else push32(s, i.nextIp | 0);
    jumpNear(s, target);
  };
}

function retNear(op32: boolean, withImm: boolean): Handler {
  return (s, i) => {
    const target = op32 ? pop32(s) : pop16(s);
    jumpNear(s, target);
    if (withImm) adjustSp(s, i.immediate & 0xffff);
  };
}

/** The count register of LOOP/JCXZ: CX or ECX by the address size. */
function counterIsZeroAfterDec(s: CpuState, ecx: boolean): boolean {
  if (ecx) {
    const c = (s.regs[ECX]! - 1) | 0;
    s.regs[ECX] = c;
    return c === 0;
  }
  const c = (s.regs16[ECX << 1]! - 1) & 0xffff;
  s.regs16[ECX << 1] = c;
  return c === 0;
}

/** LOOP (kind 0), LOOPE (1), LOOPNE (2). `ecx` selects the counter. */
function loop(kind: number, ecx: boolean): Handler {
  return (s, i) => {
    if (counterIsZeroAfterDec(s, ecx)) return;
    if (kind === 1 && !s.getZF()) return;
    if (kind === 2 && s.getZF()) return;
    jumpNear(s, i.nearBranchTarget);
  };
}

function jcxz(ecx: boolean): Handler {
  return (s, i) => {
    if ((ecx ? s.regs[ECX]! : s.regs16[ECX << 1]!) === 0) jumpNear(s, i.nearBranchTarget);
  };
}

function pushRm(top: number): Handler {
  return (s, i) => {
    const v = readRm(s, i, top);
    if (top === 15) push16(s, v);
    else push32(s, v);
  };
}

/** POP r/m: the address is computed after ESP is incremented (SDM vol. 2, POP). */
function popRm(top: number): Handler {
  return (s, i) => {
    const v = top === 15 ? pop16(s) : pop32(s);
    if (i.op0Kind === OpKind.Register) setReg(s, i.op0Register, v, top);
    else writeLinear(s, memLinear(s, i, top, true), v, top);
  };
}

function pushReg(top: number): Handler {
  return (s, i) => {
    const v = getReg(s, i.op0Register, top);
    if (top === 15) push16(s, v);
    else push32(s, v);
  };
}

function popReg(top: number): Handler {
  return (s, i) => setReg(s, i.op0Register, top === 15 ? pop16(s) : pop32(s), top);
}

function pushImm(op32: boolean): Handler {
  return (s, i) => {
    if (op32) push32(s, i.immediate);
    else push16(s, i.immediate);
  };
}

const pusha16: Handler = (s) => {
  const sp = s.regs16[ESP << 1]!;
  for (let r = 0; r < 8; r++) push16(s, r === ESP ? sp : s.regs16[r << 1]!);
};
const pusha32: Handler = (s) => {
  const sp = s.regs[ESP]!;
  for (let r = 0; r < 8; r++) push32(s, r === ESP ? sp : s.regs[r]!);
};
const popa16: Handler = (s) => {
  for (let r = 7; r >= 0; r--) {
    const v = pop16(s);
    if (r !== ESP) s.regs16[r << 1] = v;
  }
};
const popa32: Handler = (s) => {
  for (let r = 7; r >= 0; r--) {
    const v = pop32(s);
    if (r !== ESP) s.regs[r] = v;
  }
};

/** ENTER imm16, imm8 (SDM vol. 2, ENTER "Operation"). */
function enter(op32: boolean): Handler {
  return (s, i) => {
    const size = i.immediate & 0xffff;
    const level = i.immediate2 & 31;
    if (op32) push32(s, s.regs[EBP]!);
    else push16(s, s.regs16[EBP << 1]!);
    const frame = s.ss32 ? s.regs[ESP]! : s.regs16[ESP << 1]!;
    if (level > 0) {
      const step = op32 ? 4 : 2;
      let bp = s.ss32 ? s.regs[EBP]! : s.regs16[EBP << 1]!;
      for (let n = 1; n < level; n++) {
        bp = s.ss32 ? (bp - step) | 0 : (bp - step) & 0xffff;
        if (op32) push32(s, read32(s, SegReg.SS, s.ss32 ? bp >>> 0 : bp));
        else push16(s, read16(s, SegReg.SS, s.ss32 ? bp >>> 0 : bp));
      }
      if (op32) push32(s, frame);
      else push16(s, frame);
    }
    if (op32) s.regs[EBP] = frame;
    else s.regs16[EBP << 1] = frame;
    adjustSp(s, -size);
  };
}

function leave(op32: boolean): Handler {
  return (s) => {
    if (s.ss32) s.regs[ESP] = s.regs[EBP]!;
    else s.regs16[ESP << 1] = s.regs16[EBP << 1]!;
    if (op32) s.regs[EBP] = pop32(s);
    else s.regs16[EBP << 1] = pop16(s);
  };
}

/** BOUND r, m: #BR when the signed index lies outside [lower, upper]. */
function bound(op32: boolean): Handler {
  return (s, i) => {
    const seg = memSeg(i);
    const ea = effectiveAddress(s, i);
    const wrap = i.addrSize === 16 ? 0xffff : -1;
    let idx: number;
    let lo: number;
    let hi: number;
    if (op32) {
      idx = getReg(s, i.op0Register, 31);
      lo = read32(s, seg, ea);
      hi = read32(s, seg, ((ea + 4) & wrap) >>> 0);
    } else {
      idx = (getReg(s, i.op0Register, 15) << 16) >> 16;
      lo = (read16(s, seg, ea) << 16) >> 16;
      hi = (read16(s, seg, ((ea + 2) & wrap) >>> 0) << 16) >> 16;
    }
    if (idx < lo || idx > hi) throw new CpuException(Vector.BR);
  };
}

export const flowHandlers: Record<string, Handler> = {
  Jmp_rel8_16: jmpRel,
  Jmp_rel8_32: jmpRel,
  Jmp_rel16: jmpRel,
  Jmp_rel32_32: jmpRel,
  Jmp_rm16: jmpRm(15),
  Jmp_rm32: jmpRm(31),
  Call_rel16: callRel(false),
  Call_rel32_32: callRel(true),
  Call_rm16: callRm(15),
  Call_rm32: callRm(31),
  Retnw: retNear(false, false),
  Retnd: retNear(true, false),
  Retnw_imm16: retNear(false, true),
  Retnd_imm16: retNear(true, true),
  Loop_rel8_16_CX: loop(0, false),
  Loop_rel8_32_CX: loop(0, false),
  Loop_rel8_16_ECX: loop(0, true),
  Loop_rel8_32_ECX: loop(0, true),
  Loope_rel8_16_CX: loop(1, false),
  Loope_rel8_32_CX: loop(1, false),
  Loope_rel8_16_ECX: loop(1, true),
  Loope_rel8_32_ECX: loop(1, true),
  Loopne_rel8_16_CX: loop(2, false),
  Loopne_rel8_32_CX: loop(2, false),
  Loopne_rel8_16_ECX: loop(2, true),
  Loopne_rel8_32_ECX: loop(2, true),
  Jcxz_rel8_16: jcxz(false),
  Jcxz_rel8_32: jcxz(false),
  Jecxz_rel8_16: jcxz(true),
  Jecxz_rel8_32: jcxz(true),
  Push_r16: pushReg(15),
  Push_r32: pushReg(31),
  Pop_r16: popReg(15),
  Pop_r32: popReg(31),
  Push_rm16: pushRm(15),
  Push_rm32: pushRm(31),
  Pop_rm16: popRm(15),
  Pop_rm32: popRm(31),
  Push_imm16: pushImm(false),
  Pushd_imm32: pushImm(true),
  Pushw_imm8: pushImm(false),
  Pushd_imm8: pushImm(true),
  Pushaw: pusha16,
  Pushad: pusha32,
  Popaw: popa16,
  Popad: popa32,
  Enterw_imm16_imm8: enter(false),
  Enterd_imm16_imm8: enter(true),
  Leavew: leave(false),
  Leaved: leave(true),
  Bound_r16_m1616: bound(false),
  Bound_r32_m3232: bound(true),
};

for (let cc = 0; cc < 16; cc++) {
  const n = COND_NAMES[cc]!;
  const name = `J${n}`;
  flowHandlers[`${name}_rel8_16`] = jcc(cc);
  flowHandlers[`${name}_rel8_32`] = jcc(cc);
  flowHandlers[`${name}_rel16`] = jcc(cc);
  flowHandlers[`${name}_rel32_32`] = jcc(cc);
}
