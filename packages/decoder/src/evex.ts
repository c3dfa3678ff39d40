// EVEX (AVX-512) length walker: the decoder does not model EVEX forms yet, but it steps over them
// with the right length (SDM Vol. 2, 2.7: 62 P0 P1 P2 opcode ModRM [SIB] [disp] [imm8]).
// Reports DecodeError.Unsupported with code 0 (still `isInvalid`), or invalid for reserved bits.

/** Opcode rows of EVEX map 1 (0F) that take an imm8: 70-73 (shuffles, shifts), C2, C4-C6. */
const MAP1_IMM8 = new Uint8Array(256);
for (const b of [0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]) MAP1_IMM8[b] = 1;

/** Byte source the walker needs (the Decoder): next byte, 0 with `overrun` past the end. */
export interface EvexByteSource {
  u8(): number;
}

/**
 * Walks an EVEX instruction whose 62h byte was just read (the source is positioned at P0).
 * `asz` is the address-size code (0 = 16, 1 = 32, 2 = 64-bit). Returns true when the prefix is
 * well-formed (reserved bits as SDM 2.7.1 requires, map 1/2/3/5/6), false for #UD.
 */
export function walkEvex(src: EvexByteSource, asz: number): boolean {
  const p0 = src.u8();
  const p1 = src.u8();
  src.u8(); // P2: z L'L b V' aaa (no length effect)
  const map = p0 & 7;
  // P0 bit 3 is reserved (0); P1 bit 2 is fixed 1; maps 0, 4 and 7 are reserved.
  if ((p0 & 8) !== 0 || (p1 & 4) === 0 || map === 0 || map === 4 || map === 7) return false;
  const op = src.u8();
  const modrm = src.u8();
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod !== 3) {
    if (asz === 0) {
      if (mod === 1) src.u8();
      else if (mod === 2 || (mod === 0 && rm === 6)) skip(src, 2);
    } else {
      let base = rm;
      if (rm === 4) base = src.u8() & 7;
      if (mod === 1) src.u8();
      else if (mod === 2 || (mod === 0 && base === 5)) skip(src, 4);
    }
  }
  if (map === 3 || (map === 1 && MAP1_IMM8[op] === 1)) src.u8();
  return true;
}

function skip(src: EvexByteSource, n: number): void {
  for (let i = 0; i < n; i++) src.u8();
}
