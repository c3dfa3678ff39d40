// Operand access shared by the handlers: register or memory by size. `top` is the sign-bit
// number (7, 15, 31); 32-bit values travel as int32, 8/16-bit ones zero-extended.
import { OpKind, type Instruction } from "@ringvm/decoder";
import {
  effectiveAddress,
  getReg16,
  getReg32,
  getReg8,
  memSeg,
  setReg16,
  setReg32,
  setReg8,
} from "../access";
import { checkedLinear } from "../segments";
import { type CpuState } from "../state/cpu-state";

export type Handler = (s: CpuState, insn: Instruction) => void;

export function getReg(s: CpuState, reg: number, top: number): number {
  return top === 7 ? getReg8(s, reg) : top === 15 ? getReg16(s, reg) : getReg32(s, reg);
}

export function setReg(s: CpuState, reg: number, v: number, top: number): void {
  if (top === 7) setReg8(s, reg, v);
  else if (top === 15) setReg16(s, reg, v);
  else setReg32(s, reg, v);
}

export function readLinear(s: CpuState, lin: number, top: number): number {
  return top === 7
    ? s.memory.read8(lin)
    : top === 15
      ? s.memory.read16(lin)
      : s.memory.read32(lin) | 0;
}

export function writeLinear(s: CpuState, lin: number, v: number, top: number): void {
  if (top === 7) s.memory.write8(lin, v & 0xff);
  else if (top === 15) s.memory.write16(lin, v & 0xffff);
  else s.memory.write32(lin, v | 0);
}

/**
 * A read-modify-write form, after its read and before it changes any state: the write's page
 * fault now (LinearMemory.probeWrite), so a write-protection #PF leaves EFLAGS and registers as
 * before the instruction and the write that follows cannot fault.
 */
export function probeWrite(s: CpuState, lin: number, top: number): void {
  s.memory.probeWrite?.(lin, (top + 1) >>> 3);
}

/** Linear address of the memory operand after the segment checks for a `top`-sized access. */
export function memLinear(s: CpuState, insn: Instruction, top: number, write: boolean): number {
  return checkedLinear(s, memSeg(insn), effectiveAddress(s, insn), (top + 1) >>> 3, write);
}

/** Reads operand 0 (register or memory). */
export function readRm(s: CpuState, insn: Instruction, top: number): number {
  if (insn.op0Kind === OpKind.Register) return getReg(s, insn.op0Register, top);
  return readLinear(s, memLinear(s, insn, top, false), top);
}

/** Reads operand 1 as r/m (for `r, rm` forms). */
export function readRm1(s: CpuState, insn: Instruction, top: number): number {
  if (insn.op1Kind === OpKind.Register) return getReg(s, insn.op1Register, top);
  return readLinear(s, memLinear(s, insn, top, false), top);
}

/** Writes operand 0 (register or memory). */
export function writeRm(s: CpuState, insn: Instruction, v: number, top: number): void {
  if (insn.op0Kind === OpKind.Register) setReg(s, insn.op0Register, v, top);
  else writeLinear(s, memLinear(s, insn, top, true), v, top);
}

/** The immediate as an operand of size `top`. */
export function imm(insn: Instruction, top: number): number {
  return top === 31
    ? insn.immediate | 0
    : top === 15
      ? insn.immediate & 0xffff
      : insn.immediate & 0xff;
}

/** Size of the operand-size attribute as a sign-bit number. */
export function topOfOpSize(insn: Instruction): number {
  return insn.opSize === 16 ? 15 : 31;
}

export function isReg0(insn: Instruction): boolean {
  return insn.op0Kind === OpKind.Register;
}
