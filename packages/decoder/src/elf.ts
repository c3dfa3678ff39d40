// Minimal ELF reader: the executable sections of a little-endian ELF32/ELF64 file (System V
// gABI, "Sections": SHF_EXECINSTR = 0x4). For the disassembler; never throws on bad input.

export interface ExecSection {
  readonly name: string;
  /** Virtual address of the first byte. */
  readonly address: number;
  /** File offset and size of the section's bytes. */
  readonly offset: number;
  readonly size: number;
  /** 32 for ELFCLASS32 (i386), 64 for ELFCLASS64 (x86-64). */
  readonly bits: 32 | 64;
}

const SHF_EXECINSTR = 0x4;
const SHT_NOBITS = 8;

/** Returns the executable sections, or null when `bytes` is not a readable little-endian ELF. */
export function elfExecutableSections(bytes: Uint8Array): ExecSection[] | null {
  if (
    bytes.length < 52 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  )
    return null;
  const cls = bytes[4];
  if ((cls !== 1 && cls !== 2) || bytes[5] !== 1) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = cls === 2;
  const num = (off: number, size: 4 | 8): number =>
    off + size > bytes.length
      ? -1
      : size === 4
        ? v.getUint32(off, true)
        : Number(v.getBigUint64(off, true));
  const shoff = is64 ? num(0x28, 8) : num(0x20, 4);
  const shentsize = v.getUint16(is64 ? 0x3a : 0x2e, true);
  const shnum = v.getUint16(is64 ? 0x3c : 0x30, true);
  const shstrndx = v.getUint16(is64 ? 0x3e : 0x32, true);
  if (shoff <= 0 || shentsize < (is64 ? 64 : 40) || shoff + shnum * shentsize > bytes.length)
    return null;
  const sh = (i: number) => {
    const b = shoff + i * shentsize;
    return is64
      ? {
          name: num(b, 4),
          type: num(b + 4, 4),
          flags: num(b + 8, 8),
          addr: num(b + 16, 8),
          offset: num(b + 24, 8),
          size: num(b + 32, 8),
        }
      : {
          name: num(b, 4),
          type: num(b + 4, 4),
          flags: num(b + 8, 4),
          addr: num(b + 12, 4),
          offset: num(b + 16, 4),
          size: num(b + 20, 4),
        };
  };
  const strtab = shstrndx < shnum ? sh(shstrndx) : null;
  const nameAt = (off: number): string => {
    if (!strtab) return "";
    let s = "";
    for (
      let p = strtab.offset + off;
      p < bytes.length && p < strtab.offset + strtab.size && bytes[p] !== 0;
      p++
    )
      s += String.fromCharCode(bytes[p]!);
    return s;
  };
  const out: ExecSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if ((s.flags & SHF_EXECINSTR) === 0 || s.type === SHT_NOBITS || s.size <= 0) continue;
    if (s.offset < 0 || s.offset + s.size > bytes.length) continue;
    out.push({
      name: nameAt(s.name),
      address: s.addr,
      offset: s.offset,
      size: s.size,
      bits: is64 ? 64 : 32,
    });
  }
  return out;
}
