// Register numbering. Operand registers arrive from @ringvm/decoder in iced-x86 numbering
// (Register.AL = 1 ... Register.GS = 76); these constants mirror the ranges we use so the
// hot path maps a decoder register number to our storage with one subtraction.

/** iced-x86 `Register` values of the first register of each class. */
export const REG_AL = 1; // AL CL DL BL AH CH DH BH = 1..8
export const REG_AH = 5;
export const REG_AX = 21; // AX CX DX BX SP BP SI DI = 21..28
export const REG_EAX = 37; // EAX ... EDI = 37..44
export const REG_ES = 71; // ES CS SS DS FS GS = 71..76
export const REG_CR0 = 185; // CR0..CR15
export const REG_DR0 = 201; // DR0..DR15

/** General-purpose register indices in encoding order. */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

/** Segment register indices in encoding order (also the iced order from ES). */
export const SegReg = {
  ES: 0,
  CS: 1,
  SS: 2,
  DS: 3,
  FS: 4,
  GS: 5,
} as const;
export type SegReg = (typeof SegReg)[keyof typeof SegReg];

/** Index into the byte view of the GPR file for an iced 8-bit register (AL..BH). */
export function byteOffset(reg: number): number {
  // AL..BL are byte 0 of EAX..EBX; AH..BH are byte 1 (the file is little-endian).
  return reg < REG_AH ? (reg - REG_AL) << 2 : ((reg - REG_AH) << 2) | 1;
}
