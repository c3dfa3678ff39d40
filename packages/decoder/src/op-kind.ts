// Operand kinds. Numbering follows iced-x86's `OpKind` (1.21) so differential tests compare
// kinds directly. A memory operand is `Memory` (segment + base + index*scale + displacement);
// string instructions use the implicit seg:[SI]/ES:[DI] kinds, sized by the address size.
export enum OpKind {
  Register = 0,
  NearBranch16 = 1,
  NearBranch32 = 2,
  NearBranch64 = 3,
  FarBranch16 = 4,
  FarBranch32 = 5,
  Immediate8 = 6,
  /** The second 8-bit immediate (ENTER's nesting level). */
  Immediate8_2nd = 7,
  Immediate16 = 8,
  Immediate32 = 9,
  Immediate64 = 10,
  Immediate8to16 = 11,
  Immediate8to32 = 12,
  Immediate8to64 = 13,
  Immediate32to64 = 14,
  MemorySegSI = 15,
  MemorySegESI = 16,
  MemorySegRSI = 17,
  MemorySegDI = 18,
  MemorySegEDI = 19,
  MemorySegRDI = 20,
  MemoryESDI = 21,
  MemoryESEDI = 22,
  MemoryESRDI = 23,
  Memory = 24,
}
