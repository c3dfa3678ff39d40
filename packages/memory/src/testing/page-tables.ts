// Writes paging structures into guest memory for tests: a bump allocator of table pages
// and one `map` call per translation, in the formats of SDM vol. 3A 4.3 (32-bit), 4.4 (PAE)
// and 4.5 (4-level).

export interface TableMemory {
  read32(address: number): number;
  write32(address: number, value: number): void;
}

export type TableFormat = "32bit" | "pae" | "4level";

export interface MapOptions {
  /** Low-dword flags of every directory entry on the way (P, R/W, U/S, ...); PAE PDPTEs get P only. */
  readonly dirFlags: number;
  /** Low-dword flags of the leaf (PS is added for large pages). */
  readonly leafFlags: number;
  /** Bit 63 (XD) in directory entries / in the leaf (PAE and 4-level only). */
  readonly dirXd?: boolean;
  readonly leafXd?: boolean;
  /** Page size: 4 KiB (default), 4 MiB (32-bit PSE), 2 MiB, 1 GiB (4-level). */
  readonly size?: number;
  /** Extra high-dword bits of the leaf (to set reserved bits). */
  readonly leafHigh?: number;
}

export class PageTableBuilder {
  readonly cr3: number;
  private next: number;

  /** Tables are allocated from `firstTablePage` (physical address, 4 KiB aligned) upwards. */
  constructor(
    private readonly mem: TableMemory,
    readonly format: TableFormat,
    firstTablePage: number,
  ) {
    this.next = firstTablePage;
    this.cr3 = this.allocate();
  }

  private allocate(): number {
    const at = this.next;
    this.next += 0x1000;
    for (let i = 0; i < 0x1000; i += 4) this.mem.write32(at + i, 0);
    return at;
  }

  /** Address of the entry for `linear` at `level` (1 = PTE) under table `base`. */
  private entryAt(base: number, linear: number, level: number): number {
    if (this.format === "32bit")
      return base + ((level === 2 ? linear >>> 22 : (linear >>> 12) & 0x3ff) << 2);
    if (this.format === "pae" && level === 3) return base + ((linear >>> 30) & 3) * 8;
    const index = Math.floor(linear / 2 ** (12 + 9 * (level - 1))) & 0x1ff;
    return base + index * 8;
  }

  /** Entry address of the leaf mapping `linear` (after `map`), for tests that edit it. */
  leafAddress(linear: number, size = 0x1000): number {
    let base = this.cr3;
    for (let level = this.topLevel(); ; level--) {
      const at = this.entryAt(base, linear, level);
      if (levelSize(this.format, level) === size) return at;
      base = this.mem.read32(at) & ~0xfff;
    }
  }

  private topLevel(): number {
    return this.format === "32bit" ? 2 : this.format === "pae" ? 3 : 4;
  }

  map(linear: number, physical: number, o: MapOptions): void {
    const size = o.size ?? 0x1000;
    const wide = this.format !== "32bit";
    let base = this.cr3;
    for (let level = this.topLevel(); ; level--) {
      const at = this.entryAt(base, linear, level);
      if (levelSize(this.format, level) === size) {
        const ps = size === 0x1000 ? 0 : 0x80;
        const frame = physical % 0x1_0000_0000;
        let lo = ((frame & ~0xfff) | o.leafFlags | ps) >>> 0;
        let hi = Math.floor(physical / 0x1_0000_0000) | (o.leafHigh ?? 0);
        if (this.format === "32bit" && ps) {
          lo = ((frame & 0xffc0_0000) | ((hi & 0xff) << 13) | o.leafFlags | ps) >>> 0;
          hi = 0;
        }
        this.mem.write32(at, lo);
        if (wide) this.mem.write32(at + 4, (hi | (o.leafXd ? 0x8000_0000 : 0)) >>> 0);
        return;
      }
      const current = this.mem.read32(at);
      const table = (current & 1) !== 0 ? current & ~0xfff : this.allocate();
      const isPdpte = this.format === "pae" && level === 3;
      this.mem.write32(at, ((table & ~0xfff) | (isPdpte ? 1 : o.dirFlags)) >>> 0);
      if (wide) this.mem.write32(at + 4, !isPdpte && o.dirXd ? 0x8000_0000 : 0);
      base = table & ~0xfff;
    }
  }
}

function levelSize(format: TableFormat, level: number): number {
  if (format === "32bit") return level === 1 ? 0x1000 : 0x40_0000;
  return 2 ** (12 + 9 * (level - 1));
}
