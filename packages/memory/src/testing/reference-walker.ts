// A deliberately plain reference page walker, written straight from the Intel SDM vol. 3A
// chapter 4 (4.3 32-bit paging, 4.4 PAE, 4.5 4-level, 4.6 access rights, 4.7 error codes,
// 4.8 accessed/dirty flags) with BigInt entries and no caching. It shares no code with the
// MMU so the property tests compare two independent readings of the manual.

/** Memory the reference walks: 32-bit little-endian reads and writes of physical addresses. */
export interface ReferenceMemory {
  read32(address: number): number;
  write32(address: number, value: number): void;
}

export interface ReferenceConfig {
  readonly cr0: number;
  readonly cr3: number;
  readonly cr4: number;
  readonly efer: number;
  /** CPL 3. */
  readonly user: boolean;
  /** MAXPHYADDR; 36 unless said otherwise. */
  readonly maxPhysicalAddressBits?: number;
  /** A20 gate open (default true). */
  readonly a20?: boolean;
  /** PAE: the PDPTE registers as loaded at the last CR3 load (default: read from CR3 now). */
  readonly pdptes?: readonly bigint[];
}

export type ReferenceOutcome =
  | { readonly fault: false; readonly physical: number }
  | { readonly fault: true; readonly errorCode: number };

const bit = (n: number): bigint => 1n << BigInt(n);
const bitsRange = (hi: number, lo: number): bigint =>
  hi < lo ? 0n : ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);

/** Translates `linear` for `kind` (0 read, 1 write, 2 fetch); sets A/D flags on success. */
export function referenceTranslate(
  mem: ReferenceMemory,
  cfg: ReferenceConfig,
  linear: number,
  kind: 0 | 1 | 2,
): ReferenceOutcome {
  const M = cfg.maxPhysicalAddressBits ?? 36;
  const a20 = cfg.a20 ?? true;
  const maskA20 = (pa: bigint): bigint => (a20 ? pa : pa & ~bit(20));
  const lin = BigInt(linear);
  const pg = (cfg.cr0 >>> 31) & 1;
  if (!pg) return { fault: false, physical: Number(maskA20(lin & 0xffff_ffffn)) };
  const wp = (cfg.cr0 & (1 << 16)) !== 0;
  const pse = (cfg.cr4 & (1 << 4)) !== 0;
  const pae = (cfg.cr4 & (1 << 5)) !== 0;
  const lme = (cfg.efer & (1 << 8)) !== 0;
  const nxe = (cfg.efer & (1 << 11)) !== 0;
  const isWrite = kind === 1;
  const isFetch = kind === 2;

  // 4.7: W/R, U/S, I/D describe the access; P and RSVD the cause.
  const code = (present: boolean, rsvd: boolean): ReferenceOutcome => ({
    fault: true,
    errorCode:
      (present ? 1 : 0) |
      (isWrite ? 2 : 0) |
      (cfg.user ? 4 : 0) |
      (rsvd ? 8 : 0) |
      (isFetch && pae && nxe ? 16 : 0),
  });
  const read64 = (pa: bigint): bigint => {
    const a = Number(maskA20(pa));
    return (BigInt(mem.read32(a + 4) >>> 0) << 32n) | BigInt(mem.read32(a) >>> 0);
  };
  const read32 = (pa: bigint): bigint => BigInt(mem.read32(Number(maskA20(pa))) >>> 0);

  /** Entries that control the translation (address, value, width in bytes). */
  const controlling: { at: bigint; value: bigint }[] = [];
  let physical: bigint;

  if (!pae) {
    // 4.3, Table 4-4/4-5/4-6.
    const pdeAt = (BigInt(cfg.cr3 >>> 0) & ~0xfffn) | (((lin >> 22n) & 0x3ffn) << 2n);
    const pde = read32(pdeAt);
    if (!(pde & 1n)) return code(false, false);
    controlling.push({ at: pdeAt, value: pde });
    if (pse && pde & bit(7)) {
      const m = Math.min(M, 40);
      if (pde & bitsRange(21, m - 19)) return code(true, true);
      physical =
        (pde & bitsRange(31, 22)) |
        (((pde >> 13n) & bitsRange(m - 33, 0)) << 32n) |
        (lin & 0x3f_ffffn);
    } else {
      const pteAt = (pde & bitsRange(31, 12)) | (((lin >> 12n) & 0x3ffn) << 2n);
      const pte = read32(pteAt);
      if (!(pte & 1n)) return code(false, false);
      controlling.push({ at: pteAt, value: pte });
      physical = (pte & bitsRange(31, 12)) | (lin & 0xfffn);
    }
  } else {
    const addrTop = lme ? 51 : 62;
    const xdReserved = nxe ? 0n : bit(63);
    const common = bitsRange(addrTop, M) | xdReserved;
    let tableBase: bigint;
    let level: number;
    if (!lme) {
      // 4.4.1: PDPTE registers; Table 4-8 reserved bits 2:1, 8:5, 63:M.
      const pdptes =
        cfg.pdptes ??
        [0, 1, 2, 3].map((i) => read64((BigInt(cfg.cr3 >>> 0) & ~0x1fn) + BigInt(i * 8)));
      const pdpte = pdptes[Number((lin >> 30n) & 3n)]!;
      if (!(pdpte & 1n)) return code(false, false);
      if (pdpte & (bitsRange(2, 1) | bitsRange(8, 5) | bitsRange(63, M))) return code(true, true);
      tableBase = pdpte & bitsRange(M - 1, 12);
      level = 2;
    } else {
      tableBase = BigInt(cfg.cr3 >>> 0) & ~0xfffn;
      level = 4;
    }
    for (;;) {
      const shift = BigInt(12 + 9 * (level - 1));
      const at = tableBase + (((lin >> shift) & 0x1ffn) << 3n);
      const e = read64(at);
      if (!(e & 1n)) return code(false, false);
      const ps = (e & bit(7)) !== 0n;
      let reserved = common;
      if (level === 4) reserved |= bit(7); // Table 4-15
      if (level === 3 && ps) reserved |= bitsRange(29, 13); // Table 4-16
      if (level === 2 && ps) reserved |= bitsRange(20, 13); // Tables 4-9, 4-18
      if (e & reserved) return code(true, true);
      controlling.push({ at, value: e });
      if (level === 1 || ((level === 2 || level === 3) && ps)) {
        physical = (e & bitsRange(M - 1, Number(shift))) | (lin & bitsRange(Number(shift) - 1, 0));
        break;
      }
      tableBase = e & bitsRange(M - 1, 12);
      level--;
    }
  }

  // 4.6: access rights.
  const allUser = controlling.every((c) => (c.value & 4n) !== 0n);
  const allWritable = controlling.every((c) => (c.value & 2n) !== 0n);
  const anyXd = pae && nxe && controlling.some((c) => (c.value & bit(63)) !== 0n);
  if (cfg.user) {
    if (!allUser) return code(true, false);
    if (isWrite && !allWritable) return code(true, false);
  } else if (isWrite && wp && !allWritable) return code(true, false);
  if (isFetch && anyXd) return code(true, false);

  // 4.8: accessed flags in every entry used; dirty in the entry mapping the page on writes.
  const leaf = controlling.length - 1;
  controlling.forEach((c, i) => {
    let v = Number(c.value & 0xffff_ffffn);
    v |= 0x20;
    if (i === leaf && isWrite) v |= 0x40;
    if (v !== Number(c.value & 0xffff_ffffn)) mem.write32(Number(maskA20(c.at)), v);
  });
  return { fault: false, physical: Number(maskA20(physical)) };
}
