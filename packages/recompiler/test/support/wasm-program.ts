// Seeded random x86 programs for the wasm back end's differential tests: mostly forms the wasm
// lowering takes (src/wasm/lower.ts), with 8/16/32-bit memory operands, read-modify-write forms,
// page-crossing accesses (slow path), CALL/POP and PUSH/POP pairs, Jcc over one form, and on
// some seeds loads and stores to the not-present page (#PF from a wasm region). Encodings from
// the SDM opcode tables; EBP/ESI/ESP are never destinations (memory stays in the data area).
import { dice, le32, streamEnd, streamStart, type Dice } from "./program-parts";
import { HOLE } from "./machine";

export function wasmProgram(seed: number, bodyLength = 40, loops = 6): Uint8Array {
  const { rnd, int, pick, dst, src } = dice(seed ^ 0x5a5a5a5a);
  const imm32 = (): number =>
    (rnd() < 0.3 ? pick([0, 1, -1, 0x80000000, 0x7fffffff, 0xff, 0x8000]) : int(2 ** 32)) >>> 0;
  const d8 = (): number => int(32) * 2 + int(2); // some misaligned
  const mem = (reg: number): number[] => [0x45 | (reg << 3), d8()]; // [ebp+d8]
  const out: number[] = [];
  const body = streamStart(out, imm32, 0x100, loops);
  const faulty = seed % 4 === 0;
  for (let n = 0; n < bodyLength; n++) {
    const op = int(8);
    switch (int(30)) {
      case 0:
        out.push((op << 3) | 1, 0xc0 | (src() << 3) | dst());
        break;
      case 1:
        out.push((op << 3) | 3, ...mem(dst()));
        break;
      case 2:
        out.push((op << 3) | 0, ...mem(src())); // op byte [ebp+d8], r8
        break;
      case 3:
        out.push(0x66, (op << 3) | 1, ...mem(src())); // op word [ebp+d8], r16
        break;
      case 4:
        out.push((op << 3) | 2, ...mem(int(8))); // op r8, byte [ebp+d8]
        break;
      case 5:
        out.push(0x83, ...mem(op), int(256)); // op dword [ebp+d8], imm8
        break;
      case 6:
        out.push(0x66, 0x83, ...mem(op), int(256)); // op word [ebp+d8], imm8
        break;
      case 7:
        out.push(0x80, ...mem(op), int(256)); // op byte [ebp+d8], imm8
        break;
      case 8: {
        const f = int(6);
        if (f === 0) out.push(0x88, ...mem(src()));
        else if (f === 1) out.push(0x66, 0x89, ...mem(src()));
        else if (f === 2) out.push(0x89, ...mem(src()));
        else if (f === 3) out.push(0x8a, ...mem(int(8)));
        else if (f === 4) out.push(0x66, 0x8b, ...mem(dst()));
        else out.push(0x8b, ...mem(dst()));
        break;
      }
      case 9:
        out.push(0x0f, pick([0xb6, 0xb7, 0xbe, 0xbf]), ...mem(dst()));
        break;
      case 10: {
        const f = int(3);
        if (f === 0) out.push(0xfe, ...mem(int(2)));
        else if (f === 1) out.push(0x66, 0xff, ...mem(int(2)));
        else out.push(0xff, ...mem(int(2)));
        break;
      }
      case 11:
        if (rnd() < 0.5) out.push(0xc1, ...mem(pick([4, 5, 7])), int(32));
        else out.push(0xd1, ...mem(pick([4, 5, 7])));
        break;
      case 12:
        out.push(0xc1, 0xc0 | (pick([4, 5, 7]) << 3) | dst(), int(32));
        break;
      case 13:
        out.push(0x0f, 0x90 + int(16), ...mem(0)); // setcc byte [ebp+d8]
        break;
      case 14:
        out.push(pick([0x85, 0x39, 0x3b, 0x38, 0x84]), 0xc0 | (src() << 3) | src());
        out.push(0x70 + int(16), 2, 0x01, 0xc0 | (src() << 3) | dst()); // jcc +2 over add r,r
        break;
      case 15:
        out.push(0x50 + src(), 0x58 + dst()); // push r; pop r
        break;
      case 16:
        if (rnd() < 0.5) out.push(0x6a, int(256), 0x58 + dst());
        else out.push(0x68, ...le32(imm32()), 0x58 + dst());
        break;
      case 17:
        out.push(0x8d, 0x44 | (dst() << 3), 0x8e, int(128)); // lea r, [esi+ecx*4+d8]
        break;
      case 18:
        if (rnd() < 0.5) out.push(0xf7, 0xc0 | (pick([2, 3]) << 3) | dst());
        else out.push(0xf7, ...mem(3)); // neg dword [ebp+d8]
        break;
      case 19:
        out.push(0x0f, 0x40 + int(16), ...mem(dst())); // cmovcc r, [ebp+d8]
        break;
      case 20:
        out.push(0xe8, 0, 0, 0, 0, 0x58 + dst()); // call next; pop r
        break;
      case 21: // a load or store crossing a page (the slow path): [esi+0x7fd..0x7ff]
        out.push(pick([0x8b, 0x89, 0x03, 0x01]), 0x86 | (dst() << 3), ...le32(0x7fd + int(3)));
        break;
      case 22:
        out.push((op << 3) | pick([0, 2]), 0xc0 | (int(8) << 3) | int(8)); // 8-bit reg forms
        break;
      case 23:
        out.push(0x66, (op << 3) | 1, 0xc0 | (src() << 3) | dst()); // 16-bit reg forms
        break;
      case 24:
        if (rnd() < 0.5)
          out.push((op << 3) | 4, int(256)); // op al, imm8
        else out.push((op << 3) | 5, ...le32(imm32())); // op eax, imm32
        break;
      case 25:
        out.push(pick([0x40, 0x48]) + dst(), 0x66, pick([0x40, 0x48]) + dst());
        break;
      case 27: // rol/ror r32 by a constant, then flags read (setcc) or overwritten (xor)
      case 28: {
        const r = dst();
        if (rnd() < 0.7) out.push(0xc1, 0xc0 | (int(2) << 3) | r, int(40));
        else out.push(0xd1, 0xc0 | (int(2) << 3) | r);
        const f = int(4);
        const mov = [0x89, 0xc0 | (src() << 3) | dst()];
        const setcc = [0x0f, 0x90 + int(4), 0xc0 | dst()]; // seto/setno/setb/setae r8
        const xor = [0x31, 0xc0 | (src() << 3) | dst()];
        if (f === 0) out.push(...setcc);
        else if (f === 1) out.push(...xor);
        else if (f === 2) out.push(...mov, ...xor);
        else out.push(...mov, ...setcc);
        break;
      }
      case 26:
        out.push(0x0f, 0xaf, 0xc0 | (dst() << 3) | src()); // imul r, r: not lowered (a handler call)
        break;
      default:
        if (faulty && rnd() < 0.4) {
          // mov r, [hole+x] / mov [hole+x], r through ModRM (lowered): #PF inside a wasm region
          out.push(pick([0x8b, 0x89]), 0x05 | (dst() << 3), ...le32(HOLE + int(4096)));
        } else {
          out.push(0x8b, 0xc0 | (dst() << 3) | src()); // mov r, r
        }
    }
  }
  return streamEnd(out, body);
}

/**
 * IMUL r32, r/m32 (, imm8 / imm32) and SHL/SHR/SAR r32, CL (counts 0, 1, 31, 32, 33, random,
 * and whatever ECX holds), each after a flag writer and followed by a flag reader (SETcc, ADC,
 * Jcc, PUSHFD) or an overwriting ALU form, in a counted loop.
 */
export function mulShiftProgram(seed: number, bodyLength = 40, loops = 6): Uint8Array {
  const d = dice(seed ^ 0x3c3c3c3c);
  const { rnd, int, pick, dst, src } = d;
  const imm32 = (): number =>
    (rnd() < 0.4
      ? pick([0, 1, -1, 2, 0x80000000, 0x7fffffff, 0x10000, 0xffff, 0x8000, 0x40000000])
      : int(2 ** 32)) >>> 0;
  const mem = (reg: number): number[] => [0x45 | (reg << 3), int(32) * 4]; // [ebp+d8]
  const out: number[] = [];
  const body = streamStart(out, imm32, 0x100, loops);
  for (let n = 0; n < bodyLength; n++) {
    // A flag writer first (its record is what a zero-count shift must leave).
    if (rnd() < 0.5) out.push(pick([0x01, 0x29, 0x21, 0x39]), 0xc0 | (src() << 3) | dst());
    const r = dst();
    switch (int(6)) {
      case 0:
        out.push(0x0f, 0xaf, 0xc0 | (r << 3) | src()); // imul r, r
        break;
      case 1:
        out.push(0x0f, 0xaf, ...mem(r)); // imul r, [ebp+d8]
        break;
      case 2:
        out.push(0x6b, 0xc0 | (r << 3) | src(), int(256)); // imul r, r, imm8
        break;
      case 3:
        out.push(0x69, ...mem(r), ...le32(imm32())); // imul r, [ebp+d8], imm32
        break;
      default:
        // shl/shr/sar r, cl; cl set first on most
        if (rnd() < 0.7) out.push(0xb1, pick([0, 0, 1, 31, 32, 33, 64, int(256)]));
        out.push(0xd3, 0xc0 | (pick([4, 5, 7]) << 3) | r);
    }
    flagReader(out, d);
  }
  return streamEnd(out, body);
}

/**
 * BT/BTS/BTR/BTC (register and memory destinations; bit offsets from a register, signed and
 * past the dword, or from an imm8 taken modulo 32), XADD (register and memory) and CMPXCHG8B
 * (LOCK on some; EDX:EAX equal to the operand on about half), each
 * after a flag writer (ADD/SUB/AND/CMP, or INC, which keeps CF) and followed by a flag reader
 * (SETcc, ADC, Jcc, PUSHFD) or an overwriting ALU form, in a counted loop; on every 4th seed
 * a BTS to the not-present page (#PF from inside a wasm region).
 */
export function bitXaddProgram(seed: number, bodyLength = 40, loops = 6): Uint8Array {
  const d = dice(seed ^ 0x6b6b6b6b);
  const { rnd, int, pick, dst, src } = d;
  const imm32 = (): number =>
    (rnd() < 0.4 ? pick([0, 1, -1, 0x80000000, 0x7fffffff, 0xffff]) : int(2 ** 32)) >>> 0;
  const d8 = (): number => int(64) * 2;
  const out: number[] = [];
  const body = streamStart(out, imm32, 0x400, loops);
  const faultAt = seed % 4 === 0 ? int(bodyLength) : -1;
  for (let n = 0; n < bodyLength; n++) {
    if (n === faultAt) out.push(0x0f, 0xba, 0x2d, ...le32(HOLE + 8), int(256)); // bts [HOLE+8], imm8
    const w = rnd();
    if (w < 0.4) out.push(pick([0x01, 0x29, 0x21, 0x39]), 0xc0 | (src() << 3) | dst());
    else if (w < 0.6) out.push(0x40 + dst()); // inc r
    const k = int(4); // bt, bts, btr, btc
    switch (int(7)) {
      case 0:
        out.push(0x0f, 0xa3 + 8 * k, 0xc0 | (src() << 3) | (k === 0 ? src() : dst())); // bt* r, r
        break;
      case 1:
        out.push(0x0f, 0xba, 0xc0 | ((4 + k) << 3) | (k === 0 ? src() : dst()), int(256));
        break;
      case 2:
        out.push(0x0f, 0xba, 0x45 | ((4 + k) << 3), d8(), int(256)); // bt* [ebp+d8], imm8
        break;
      case 3: {
        // bt* [ebp+d8], ecx: a signed bit offset up to 64 bytes either side, or ECX's value
        // masked to +-2 KiB of bits
        const bits = rnd() < 0.7 ? int(1024) - 512 : (imm32() | 0) >> 21;
        out.push(0xb9, ...le32(bits >>> 0));
        out.push(0x0f, 0xa3 + 8 * k, 0x4d, d8());
        break;
      }
      case 4:
        out.push(0x0f, 0xc1, 0xc0 | (dst() << 3) | dst()); // xadd r, r
        break;
      case 5:
        out.push(0x0f, 0xc1, 0x45 | (dst() << 3), d8()); // xadd [ebp+d8], r
        break;
      default: {
        // cmpxchg8b [ebp+d8] (lock on some), EDX:EAX loaded from it first on half (equal)
        const d = int(32) * 4;
        if (rnd() < 0.5) out.push(0x8b, 0x45, d, 0x8b, 0x55, d + 4); // mov eax/edx, [ebp+d]
        if (rnd() < 0.3) out.push(0xf0);
        out.push(0x0f, 0xc7, 0x4d, d);
      }
    }
    flagReader(out, d);
  }
  return streamEnd(out, body);
}

/**
 * After a form under test: a flag reader (SETcc, ADC, Jcc over one form, PUSHFD; POP), an
 * overwriting XOR, or nothing (one in six each).
 */
function flagReader(out: number[], { int, dst, src }: Dice): void {
  const f = int(6);
  if (f === 0)
    out.push(0x0f, 0x90 + int(16), 0xc0 | dst()); // setcc r8
  else if (f === 1)
    out.push(0x11, 0xc0 | (src() << 3) | dst()); // adc r, r
  else if (f === 2) out.push(0x70 + int(16), 2, 0x01, 0xc0 | (src() << 3) | dst());
  else if (f === 3)
    out.push(0x9c, 0x58 + dst()); // pushfd; pop r
  else if (f === 4) out.push(0x31, 0xc0 | (src() << 3) | dst()); // xor: overwrites all
}
