// Memory operands of the x87/MMX/SSE handlers: 16- to 128-bit and byte-image accesses through the
// segment checks (segments.ts `checkedLinear`) and the LinearMemory dword accessors.
import type { Instruction } from "@ringvm/decoder";
import { effectiveAddress, memSeg } from "../access";
import { CpuException, Vector } from "../exceptions";
import { checkedLinear } from "../segments";
import type { CpuState } from "../state/cpu-state";
import { VM } from "../state/flags";

/** The last 64-bit read: bytes 0-3 and 4-7. */
export const Q = { lo: 0, hi: 0 };

/** Linear address of the instruction's memory operand after the segment checks of a `size`-byte
 *  access. */
export function opLinear(s: CpuState, insn: Instruction, size: number, write: boolean): number {
  return checkedLinear(s, memSeg(insn), effectiveAddress(s, insn), size, write);
}

/** Same, with #GP(0) unless the effective address is `align`-byte aligned (MOVAPS, FXSAVE...). */
export function opLinearAligned(
  s: CpuState,
  insn: Instruction,
  size: number,
  write: boolean,
  align: number,
): number {
  const ea = effectiveAddress(s, insn);
  if ((ea & (align - 1)) !== 0) throw new CpuException(Vector.GP, 0);
  return checkedLinear(s, memSeg(insn), ea, size, write);
}

export function readQ(s: CpuState, lin: number): void {
  Q.lo = s.memory.read32(lin) >>> 0;
  Q.hi = s.memory.read32((lin + 4) | 0) >>> 0;
}

export function writeQ(s: CpuState, lin: number, lo: number, hi: number): void {
  s.memory.write32(lin, lo | 0);
  s.memory.write32((lin + 4) | 0, hi | 0);
}

/** Copies `n` bytes from guest memory into `b` at `o` (images of FLDENV/FRSTOR/FXRSTOR). */
export function readBytes(s: CpuState, lin: number, b: Uint8Array, o: number, n: number): void {
  for (let i = 0; i < n; i++) b[o + i] = s.memory.read8((lin + i) | 0);
}

export function writeBytes(s: CpuState, lin: number, b: Uint8Array, o: number, n: number): void {
  for (let i = 0; i < n; i++) s.memory.write8((lin + i) | 0, b[o + i] ?? 0);
}

/** Real or virtual-8086 mode (the x87 pointer images then hold linear addresses). */
export function isRealOrV86(s: CpuState): boolean {
  return (s.cr0 & 1) === 0 || (s.flags & VM) !== 0;
}
