// ModRM/SIB/displacement decoding of a memory operand (SDM Vol. 2, 2.1.5 Tables 2-1..2-3).
import type { Decoder } from "./decoder";
import type { Instruction } from "./instruction";
import { Register } from "./register";

// Module-local copies of the enum members and constants used below. Under per-file TypeScript
// transforms (tsx, vite, vitest) an imported enum member is a property load on another module's
// object on every use (and a switch over such labels is a chain of compares); local consts are
// plain constants to V8, which is most of the decoder's speed there (bench ratio 0.88 -> ~1.1).
// Bundlers (tsup/esbuild) inline them either way.
const Register_BP = Register.BP;
const Register_BX = Register.BX;
const Register_DI = Register.DI;
const Register_DS = Register.DS;
const Register_EAX = Register.EAX;
const Register_EIP = Register.EIP;
const Register_None = Register.None;
const Register_RAX = Register.RAX;
const Register_RIP = Register.RIP;
const Register_SI = Register.SI;
const Register_SS = Register.SS;

// 16-bit addressing: r/m selects a fixed base/index pair (Table 2-1).
const BASE16 = Uint8Array.of(
  Register_BX,
  Register_BX,
  Register_BP,
  Register_BP,
  Register_SI,
  Register_DI,
  Register_BP,
  Register_BX,
);
const INDEX16 = Uint8Array.of(
  Register_SI,
  Register_DI,
  Register_SI,
  Register_DI,
  Register_None,
  Register_None,
  Register_None,
  Register_None,
);

/**
 * Reads SIB and displacement after `d.modrm` (mod != 11) and fills the instruction's memory
 * fields. `asz`: 0 = 16, 1 = 32, 2 = 64-bit addressing. A RIP-relative operand gets base RIP/EIP
 * and the displacement relative to the next instruction; the decoder adds nextIp afterwards.
 */
export function decodeMemory(d: Decoder, insn: Instruction, asz: number, seg: Register): void {
  const modrm = d.modrm;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let defSeg = Register_DS;
  if (asz === 0) {
    if (mod === 0 && rm === 6) {
      insn.memDisplacement = d.u8() | (d.u8() << 8);
      insn.memDisplSize = 2;
    } else {
      insn.memBase = BASE16[rm] as number;
      insn.memIndex = INDEX16[rm] as number;
      if (rm === 2 || rm === 3 || rm === 6) defSeg = Register_SS;
      if (mod === 1) {
        insn.memDisplacement = ((d.u8() << 24) >> 24) & 0xffff;
        insn.memDisplSize = 1;
      } else if (mod === 2) {
        insn.memDisplacement = d.u8() | (d.u8() << 8);
        insn.memDisplSize = 2;
      }
    }
  } else {
    const rex = d.rex;
    const regBase = asz === 1 ? Register_EAX : Register_RAX;
    let baseNum = rm | ((rex & 1) << 3);
    let noBase = false;
    if (rm === 4) {
      const sib = d.u8();
      const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
      if (idx !== 4) insn.memIndex = regBase + idx;
      insn.memScale = 1 << (sib >> 6);
      baseNum = (sib & 7) | ((rex & 1) << 3);
      if ((sib & 7) === 5 && mod === 0) noBase = true;
    } else if (rm === 5 && mod === 0) {
      noBase = true;
      if (asz === 2 || d.bitness === 64) {
        insn.memBase = asz === 2 ? Register_RIP : Register_EIP;
        d.ripRelative = true;
      }
    }
    if (!noBase) {
      insn.memBase = regBase + baseNum;
      if (baseNum === 4 || baseNum === 5) defSeg = Register_SS;
    }
    if (mod === 1) {
      const v = (d.u8() << 24) >> 24;
      insn.memDisplacement = asz === 1 ? v >>> 0 : v;
      if (asz === 2 && v < 0) insn.memDisplacementHi = 0xffffffff;
      insn.memDisplSize = 1;
    } else if (mod === 2 || noBase) {
      const v = d.u8() | (d.u8() << 8) | (d.u8() << 16) | (d.u8() << 24);
      insn.memDisplacement = asz === 1 ? v >>> 0 : v;
      if (asz === 2 && v < 0) insn.memDisplacementHi = 0xffffffff;
      insn.memDisplSize = 4;
    }
  }
  insn.memSegment = seg === Register_None ? defSeg : seg;
}
