// Seeded random x86 programs for the differential tests. Instructions are encoded here from the
// SDM opcode tables; base registers EBP/ESI and ESP are never destinations, so memory operands
// stay in the data area (except the deliberate faults).
import { dice, le32, streamEnd, streamStart } from "./program-parts";
import { DATA_AT, HOLE } from "./machine";

export function randomProgram(seed: number, bodyLength = 30, loops = 6): Uint8Array {
  const { rnd, int, pick, dst, src } = dice(seed);
  const imm32 = (): number =>
    (rnd() < 0.3 ? pick([0, 1, -1, 0x80000000, 0x7fffffff, 0xff]) : int(2 ** 32)) >>> 0;
  const d8 = (): number => int(32) * 4;
  const out: number[] = [];
  // Registers and base pointers.
  streamStart(out, imm32, 0x100, loops);
  out.push(0xfc); // cld
  const body = out.length;
  const faulty = seed % 5 === 0;
  for (let n = 0; n < bodyLength; n++) {
    const op = int(8);
    const kind = int(30);
    switch (kind) {
      case 0:
      case 1:
        out.push((op << 3) | 1, 0xc0 | (src() << 3) | dst());
        break;
      case 2:
        out.push((op << 3) | 3, 0x45 | (dst() << 3), d8());
        break;
      case 3:
        out.push((op << 3) | 1, 0x86 | (src() << 3), ...le32(d8() * 4));
        break;
      case 4:
        out.push((op << 3) | 5, ...le32(imm32()));
        break;
      case 5:
        out.push(0x81, 0xc0 | (op << 3) | dst(), ...le32(imm32()));
        break;
      case 6:
        out.push(0x83, 0xc0 | (op << 3) | dst(), int(256));
        break;
      case 7:
        out.push(0x83, 0x45 | (op << 3), d8(), int(256));
        break;
      case 8:
        out.push((op << 3) | pick([0, 2]), 0xc0 | (int(8) << 3) | int(8)); // 8-bit reg forms
        break;
      case 9:
        out.push(0x66, (op << 3) | 1, 0xc0 | (src() << 3) | dst()); // 16-bit
        break;
      case 10:
        out.push(0xb8 + dst(), ...le32(imm32()));
        break;
      case 11:
        out.push(
          pick([0x89, 0x8b]),
          0x45 | ((pick([0x89, 0x8b]) === 0x89 ? src() : dst()) << 3),
          d8(),
        );
        break;
      case 12:
        out.push(pick([0x40, 0x48]) + dst());
        break;
      case 13:
        out.push(0xff, 0x45 | (int(2) << 3), d8()); // inc/dec dword [ebp+d8]
        break;
      case 14:
        out.push(0x8d, 0x44 | (dst() << 3), 0x8e, int(128)); // lea r, [esi+ecx*4+d8]
        break;
      case 15:
        out.push(0x50 + src(), 0x58 + dst());
        break;
      case 16:
        out.push(pick([0x6a, 0x68]));
        if (out[out.length - 1] === 0x6a) out.push(int(256));
        else out.push(...le32(imm32()));
        out.push(0x58 + dst());
        break;
      case 17: {
        const ext = pick([0, 1, 2, 3, 4, 5, 7]);
        const form = int(3);
        if (form === 0) out.push(0xc1, 0xc0 | (ext << 3) | dst(), int(40));
        else if (form === 1) out.push(0xd1, 0xc0 | (ext << 3) | dst());
        else out.push(0xd3, 0xc0 | (ext << 3) | dst());
        break;
      }
      case 18:
        out.push(0x0f, pick([0xb6, 0xb7, 0xbe, 0xbf]), 0xc0 | (dst() << 3) | int(8));
        break;
      case 19:
        out.push(pick([0x85, 0x39, 0x3b]), 0xc0 | (src() << 3) | src());
        out.push(0x70 + int(16), 2, 0x01 | 0, 0xc0 | (src() << 3) | dst()); // jcc +2 over add r,r
        break;
      case 20:
        out.push(0x3d, ...le32(imm32()), 0x70 + int(16), 0); // cmp eax, imm; jcc +0
        break;
      case 21:
        out.push(0xf7, 0xc0 | dst(), ...le32(imm32()), 0x0f, 0x80 + int(16), ...le32(0)); // test; jcc rel32 +0
        break;
      case 22:
        out.push(0x0f, 0x90 + int(16), 0xc0 | int(8)); // setcc r8
        break;
      case 23:
        out.push(0x0f, 0x40 + int(16), 0xc0 | (dst() << 3) | src()); // cmovcc
        break;
      case 24:
        out.push(pick([0x99, 0x9f, 0xf8, 0xf9, 0xf5, 0x98])); // cdq lahf clc stc cmc cwde
        break;
      case 25:
        out.push(0x9c, 0x9d); // pushfd; popfd
        break;
      case 26:
        out.push(0xf7, 0xc0 | (pick([2, 3]) << 3) | dst()); // not/neg
        break;
      case 27:
        out.push(0x0f, 0xaf, 0xc0 | (dst() << 3) | src()); // imul r, r
        break;
      case 28: // rep stosb with a small count
        out.push(0xbf, ...le32(DATA_AT + 0x1000 + int(64)), 0x83, 0xe1, 0x07, 0xf3, 0xaa);
        break;
      default:
        if (faulty && rnd() < 0.5) {
          if (rnd() < 0.5)
            out.push(0xa1, ...le32(HOLE + int(4096))); // mov eax, [hole]: #PF
          else out.push(0xf7, 0xf0 | pick([0, 1, 3, 7])); // div r32: #DE sometimes
        } else {
          out.push(0x87, 0xc0 | (dst() << 3) | dst()); // xchg
        }
    }
  }
  return streamEnd(out, body);
}
