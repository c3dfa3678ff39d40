// I/O permission (SDM vol. 1, 19.5 "Protected-mode I/O"): in protected mode with CPL > IOPL, or
// in virtual-8086 mode, every port of the access must be clear in the TSS I/O permission bitmap.
import { DEBUG_IO, ioAccess } from "./debug";
import { CpuException, Vector } from "./exceptions";
import { sysRead16 } from "./segments";
import { SEG_TR, type CpuState } from "./state/cpu-state";
import { VM } from "./state/flags";

/** Throws #GP(0) unless the current task may access `width` bytes at `port`. */
export function checkIoPermission(s: CpuState, port: number, width: number): void {
  if ((s.debugMode & DEBUG_IO) !== 0) ioAccess(s, port, width); // [debug] I/O breakpoints
  if ((s.cr0 & 1) === 0) return;
  if ((s.flags & VM) === 0 && s.cpl <= ((s.flags >>> 12) & 3)) return;
  checkBitmap(s, port, width);
}

function checkBitmap(s: CpuState, port: number, width: number): void {
  const type = s.segAr[SEG_TR]! & 0xf;
  const limit = s.segLimit[SEG_TR]!;
  // Only a 32-bit TSS (available 9 or busy 11) has a bitmap; it needs the 104-byte header.
  if ((type !== 9 && type !== 11) || limit < 0x67) throw new CpuException(Vector.GP, 0);
  const base = s.segBase[SEG_TR]!;
  // The TSS reads are implicit supervisor accesses: a CPL 3 check must not #PF on the TSS page.
  const mapBase = sysRead16(s, (base + 0x66) | 0);
  const offset = mapBase + (port >>> 3);
  // Two bytes are read (an access may straddle a byte boundary); both must be inside the TSS.
  if (offset + 1 > limit) throw new CpuException(Vector.GP, 0);
  const bits = sysRead16(s, (base + offset) | 0);
  const mask = ((1 << width) - 1) << (port & 7);
  if ((bits & mask) !== 0) throw new CpuException(Vector.GP, 0);
}
