// Operand helpers and mode tests shared by the system-instruction handlers.
import { OpKind, type Instruction } from "@ringvm/decoder";
import { effectiveAddress, getReg16, getReg32, memSeg, setReg16, setReg32 } from "../access";
import { CpuException, Vector } from "../exceptions";
import { checkedLinear } from "../segments";
import { type CpuState } from "../state/cpu-state";
import { VM } from "../state/flags";
import { REG_EAX } from "../state/registers";

/** Protected mode and not v8086. */
export function isProtectedMode(s: CpuState): boolean {
  return (s.cr0 & 1) !== 0 && (s.flags & VM) === 0;
}

/** Instructions that exist only in protected mode (LLDT, LAR, ARPL...): #UD in real and v8086 mode. */
export function requireProtectedMode(s: CpuState): void {
  if ((s.cr0 & 1) === 0 || (s.flags & VM) !== 0) throw new CpuException(Vector.UD);
}

/** Privileged instructions: #GP(0) unless CPL is 0 (v8086 runs at CPL 3). */
export function requireCpl0(s: CpuState): void {
  if (s.cpl !== 0) throw new CpuException(Vector.GP, 0);
}

function isReg32(reg: number): boolean {
  return reg >= REG_EAX && reg < REG_EAX + 8;
}

/** Linear address of the memory operand for an access of `size` bytes. */
export function memAddress(s: CpuState, insn: Instruction, size: number, write: boolean): number {
  return checkedLinear(s, memSeg(insn), effectiveAddress(s, insn), size, write);
}

/** Reads a 16-bit r/m operand `index` (0 or 1); a 32-bit register gives its low half. */
export function readRm16(s: CpuState, insn: Instruction, index: number): number {
  const kind = index === 0 ? insn.op0Kind : insn.op1Kind;
  if (kind === OpKind.Register) {
    const reg = index === 0 ? insn.op0Register : insn.op1Register;
    return isReg32(reg) ? getReg32(s, reg) & 0xffff : getReg16(s, reg);
  }
  return s.memory.read16(memAddress(s, insn, 2, false));
}

/** Writes a selector-sized result to operand 0: 16 bits to memory, zero-extended into a 32-bit register. */
export function writeRm16Or32(s: CpuState, insn: Instruction, v: number): void {
  if (insn.op0Kind === OpKind.Register) {
    const reg = insn.op0Register;
    if (isReg32(reg)) setReg32(s, reg, v);
    else setReg16(s, reg, v & 0xffff);
    return;
  }
  s.memory.write16(memAddress(s, insn, 2, true), v & 0xffff);
}

/** Writes a register operand 0 of either size. */
export function setRegAny(s: CpuState, reg: number, v: number): void {
  if (isReg32(reg)) setReg32(s, reg, v);
  else setReg16(s, reg, v & 0xffff);
}
