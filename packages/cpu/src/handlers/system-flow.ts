// Far transfers, software interrupts, IRET and the IOPL-sensitive flag instructions
// CLI/STI/PUSHF/POPF (SDM vol. 2 instruction pages; vol. 3, 20.2 for v8086 mode).
import { type Instruction } from "@ringvm/decoder";
import { pop16, pop32, push16, push32 } from "../access";
import { CpuException, Vector } from "../exceptions";
import { callFar, iret, jmpFar, retFar } from "../far";
import { softwareInterruptDelivered } from "../debug";
import { deliverInterrupt, EventKind } from "../interrupts";
import { type CpuState } from "../state/cpu-state";
import { FLAGS_WRITABLE, IF, IOPL, RF, VIF, VIP, VM } from "../state/flags";
import type { Handler } from "./operands";
import { memAddress } from "./system-common";

/** Reads a far pointer operand (offset, then selector) into `farPtr`. */
const farPtr = { selector: 0, offset: 0 };
function readFarPointer(s: CpuState, i: Instruction, is32: boolean): void {
  const lin = memAddress(s, i, is32 ? 6 : 4, false);
  farPtr.offset = is32 ? s.memory.read32(lin) >>> 0 : s.memory.read16(lin);
  farPtr.selector = s.memory.read16((lin + (is32 ? 4 : 2)) | 0);
}

function jmpPtr(): Handler {
  return (s, i) => jmpFar(s, i.farSelector, i.farOffset, s.eip);
}
function jmpMem(is32: boolean): Handler {
  return (s, i) => {
    readFarPointer(s, i, is32);
    jmpFar(s, farPtr.selector, farPtr.offset, s.eip);
  };
}
function callPtr(is32: boolean): Handler {
  return (s, i) => callFar(s, i.farSelector, i.farOffset, is32, s.eip);
}
function callMem(is32: boolean): Handler {
  return (s, i) => {
    readFarPointer(s, i, is32);
    callFar(s, farPtr.selector, farPtr.offset, is32, s.eip);
  };
}

/** INT n: IOPL-sensitive in v8086 mode (#GP(0) below IOPL 3 without VME; SDM 20.2.7). */
const intN: Handler = (s, i) => {
  if ((s.flags & VM) !== 0 && (s.flags & IOPL) !== IOPL) throw new CpuException(Vector.GP, 0);
  deliverInterrupt(s, i.immediate & 0xff, EventKind.Software, false, 0, s.eip);
};
/** INT3 and INTO are not IOPL-sensitive; their gate DPL is checked like INT n's. */
const int3: Handler = (s) => {
  deliverInterrupt(s, Vector.BP, EventKind.Software, false, 0, s.eip);
};
const into: Handler = (s) => {
  if (s.getOF()) deliverInterrupt(s, Vector.OF, EventKind.Software, false, 0, s.eip);
};
/** INT1 (ICEBP, F1): a #DB trap delivered like a hardware event (no gate DPL check). */
const int1: Handler = (s) => {
  const flags = s.flags;
  deliverInterrupt(s, Vector.DB, EventKind.External, false, 0, s.eip);
  softwareInterruptDelivered(s, flags); // [debug] the gate cleared TF: no single-step trap
};

/** Whether CLI/STI may run: always in real mode, IOPL 3 in v8086 mode, CPL <= IOPL otherwise. */
function iopAllowed(s: CpuState): boolean {
  if ((s.cr0 & 1) === 0) return true;
  const iopl = (s.flags & IOPL) >>> 12;
  if ((s.flags & VM) !== 0) return iopl === 3;
  return s.cpl <= iopl;
}

const cli: Handler = (s) => {
  if (!iopAllowed(s)) throw new CpuException(Vector.GP, 0);
  s.flags &= ~IF;
};

/** STI: interrupts stay inhibited until after the next instruction when IF was clear. */
const sti: Handler = (s) => {
  if (!iopAllowed(s)) throw new CpuException(Vector.GP, 0);
  if ((s.flags & IF) === 0) {
    s.flags |= IF;
    s.interruptShadow = true;
  }
};

/** PUSHF/PUSHFD: VM and RF read as 0 in the image; #GP(0) in v8086 mode below IOPL 3. */
function pushf(is32: boolean): Handler {
  return (s) => {
    if ((s.flags & VM) !== 0 && (s.flags & IOPL) !== IOPL) throw new CpuException(Vector.GP, 0);
    const f = s.getEflags();
    if (is32) push32(s, f & ~(VM | RF));
    else push16(s, f & 0xffff);
  };
}

/** POPF/POPFD with the privilege rules of SDM vol. 2 "POPF". */
function popf(is32: boolean): Handler {
  return (s) => {
    const vm = (s.flags & VM) !== 0;
    const iopl = (s.flags & IOPL) >>> 12;
    if (vm && iopl !== 3) throw new CpuException(Vector.GP, 0);
    const value = is32 ? pop32(s) : pop16(s);
    // VIP, VIF and VM are never changed by POPF; RF is cleared by the 32-bit form.
    let mask = (is32 ? FLAGS_WRITABLE : 0xffff & FLAGS_WRITABLE) & ~(VM | VIF | VIP | RF);
    if (vm) {
      mask &= ~IOPL;
    } else if ((s.cr0 & 1) !== 0 && s.cpl > 0) {
      mask &= ~IOPL;
      if (s.cpl > iopl) mask &= ~IF;
    }
    if (is32) s.writeFlagBits(mask | RF, value & ~RF);
    else s.writeFlagBits(mask, value);
  };
}

export const farFlowHandlers: Record<string, Handler> = {
  Jmp_ptr1616: jmpPtr(),
  Jmp_ptr1632: jmpPtr(),
  Jmp_m1616: jmpMem(false),
  Jmp_m1632: jmpMem(true),
  Call_ptr1616: callPtr(false),
  Call_ptr1632: callPtr(true),
  Call_m1616: callMem(false),
  Call_m1632: callMem(true),
  Retfw: (s) => retFar(s, false, 0),
  Retfd: (s) => retFar(s, true, 0),
  Retfw_imm16: (s, i) => retFar(s, false, i.immediate & 0xffff),
  Retfd_imm16: (s, i) => retFar(s, true, i.immediate & 0xffff),
  Iretw: (s) => iret(s, false),
  Iretd: (s) => iret(s, true),
  Int_imm8: intN,
  Int3: int3,
  Into: into,
  Int1: int1,
  Cli: cli,
  Sti: sti,
  Pushfw: pushf(false),
  Pushfd: pushf(true),
  Popfw: popf(false),
  Popfd: popf(true),
};
