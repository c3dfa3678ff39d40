// Segmented memory access and the stack, on top of LinearMemory. Every access checks the
// segment first, then goes through the MMU (which may call the #PF sink).
import type { Instruction } from "@ringvm/decoder";
import { checkedLinear } from "./segments";
import { type CpuState } from "./state/cpu-state";
import { ESP, REG_AL, REG_AX, REG_EAX, REG_ES } from "./state/registers";

export function read8(s: CpuState, seg: number, off: number): number {
  return s.memory.read8(checkedLinear(s, seg, off, 1, false));
}
export function read16(s: CpuState, seg: number, off: number): number {
  return s.memory.read16(checkedLinear(s, seg, off, 2, false));
}
export function read32(s: CpuState, seg: number, off: number): number {
  return s.memory.read32(checkedLinear(s, seg, off, 4, false)) | 0;
}
export function write8(s: CpuState, seg: number, off: number, v: number): void {
  s.memory.write8(checkedLinear(s, seg, off, 1, true), v & 0xff);
}
export function write16(s: CpuState, seg: number, off: number, v: number): void {
  s.memory.write16(checkedLinear(s, seg, off, 2, true), v & 0xffff);
}
export function write32(s: CpuState, seg: number, off: number, v: number): void {
  s.memory.write32(checkedLinear(s, seg, off, 4, true), v | 0);
}

/** Effective address (offset) of the instruction's memory operand, wrapped to the address size. */
export function effectiveAddress(s: CpuState, insn: Instruction): number {
  let ea = insn.memDisplacement;
  const base = insn.memBase;
  const index = insn.memIndex;
  if (insn.addrSize === 16) {
    if (base !== 0) ea += s.regs16[(base - REG_AX) << 1]!;
    if (index !== 0) ea += s.regs16[(index - REG_AX) << 1]!;
    return ea & 0xffff;
  }
  // 32-bit steps (see baked.ts `ea32`).
  ea |= 0;
  if (base !== 0) ea = (ea + s.regs[base - REG_EAX]!) | 0;
  if (index !== 0) ea = (ea + Math.imul(s.regs[index - REG_EAX]!, insn.memScale)) | 0;
  return ea >>> 0;
}

/** Segment index (ES=0..GS=5) of the memory operand. */
export function memSeg(insn: Instruction): number {
  return insn.memSegment - REG_ES;
}

// ---- register operands by iced register number ----

export function getReg8(s: CpuState, reg: number): number {
  const i = reg - REG_AL;
  return s.regs8[i < 4 ? i << 2 : ((i - 4) << 2) | 1]!;
}
export function setReg8(s: CpuState, reg: number, v: number): void {
  const i = reg - REG_AL;
  s.regs8[i < 4 ? i << 2 : ((i - 4) << 2) | 1] = v;
}
export function getReg16(s: CpuState, reg: number): number {
  return s.regs16[(reg - REG_AX) << 1]!;
}
export function setReg16(s: CpuState, reg: number, v: number): void {
  s.regs16[(reg - REG_AX) << 1] = v;
}
export function getReg32(s: CpuState, reg: number): number {
  return s.regs[reg - REG_EAX]!;
}
export function setReg32(s: CpuState, reg: number, v: number): void {
  s.regs[reg - REG_EAX] = v;
}

// ---- the stack (SS, ESP or SP by the B bit) ----

// 32-bit stack offsets stay int32 (checkedLinear reads them unsigned): V8 passes them unboxed,
// where a kernel stack address as uint32 would be a heap number at every call.
export function push16(s: CpuState, v: number): void {
  if (s.ss32) {
    const sp = (s.regs[ESP]! - 2) | 0;
    write16(s, 2, sp, v);
    s.regs[ESP] = sp;
  } else {
    const sp = (s.regs16[ESP << 1]! - 2) & 0xffff;
    write16(s, 2, sp, v);
    s.regs16[ESP << 1] = sp;
  }
}
export function push32(s: CpuState, v: number): void {
  if (s.ss32) {
    const sp = (s.regs[ESP]! - 4) | 0;
    write32(s, 2, sp, v);
    s.regs[ESP] = sp;
  } else {
    const sp = (s.regs16[ESP << 1]! - 4) & 0xffff;
    write32(s, 2, sp, v);
    s.regs16[ESP << 1] = sp;
  }
}
export function pop16(s: CpuState): number {
  if (s.ss32) {
    const sp = s.regs[ESP]!;
    const v = read16(s, 2, sp);
    s.regs[ESP] = (sp + 2) | 0;
    return v;
  }
  const sp = s.regs16[ESP << 1]!;
  const v = read16(s, 2, sp);
  s.regs16[ESP << 1] = sp + 2;
  return v;
}
export function pop32(s: CpuState): number {
  if (s.ss32) {
    const sp = s.regs[ESP]!;
    const v = read32(s, 2, sp);
    s.regs[ESP] = (sp + 4) | 0;
    return v;
  }
  const sp = s.regs16[ESP << 1]!;
  const v = read32(s, 2, sp);
  s.regs16[ESP << 1] = sp + 4;
  return v;
}
/** Reads the stack at ESP + `delta` without popping (for instructions that pop atomically). */
export function peek16(s: CpuState, delta: number): number {
  const sp = s.ss32 ? (s.regs[ESP]! + delta) >>> 0 : (s.regs16[ESP << 1]! + delta) & 0xffff;
  return read16(s, 2, sp);
}
export function peek32(s: CpuState, delta: number): number {
  const sp = s.ss32 ? (s.regs[ESP]! + delta) >>> 0 : (s.regs16[ESP << 1]! + delta) & 0xffff;
  return read32(s, 2, sp);
}
/** Adds `delta` to ESP or SP according to the stack size. */
export function adjustSp(s: CpuState, delta: number): void {
  if (s.ss32) s.regs[ESP] = s.regs[ESP]! + delta;
  else s.regs16[ESP << 1] = s.regs16[ESP << 1]! + delta;
}
