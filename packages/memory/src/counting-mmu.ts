// An Mmu that also counts every access, so TLB hits = accesses - misses. It is a separate
// class because a counter on the hot path costs about a third of a TLB hit; use it for
// statistics runs, the plain Mmu for speed.
import { Mmu } from "./mmu";

export class CountingMmu extends Mmu {
  /** Reads, writes and fetches seen (each page-crossing access counts once). */
  accesses = 0;

  /** TLB hits: accesses that needed neither a walk nor the paging-off mapping. */
  get hits(): number {
    return this.accesses - this.stats.misses;
  }

  override read8(linear: number): number {
    this.accesses++;
    return super.read8(linear);
  }
  override read16(linear: number): number {
    this.accesses++;
    return super.read16(linear);
  }
  override read32(linear: number): number {
    this.accesses++;
    return super.read32(linear);
  }
  override write8(linear: number, value: number): void {
    this.accesses++;
    super.write8(linear, value);
  }
  override write16(linear: number, value: number): void {
    this.accesses++;
    super.write16(linear, value);
  }
  override write32(linear: number, value: number): void {
    this.accesses++;
    super.write32(linear, value);
  }
  override fetch8(linear: number): number {
    this.accesses++;
    return super.fetch8(linear);
  }
  override fetch16(linear: number): number {
    this.accesses++;
    return super.fetch16(linear);
  }
  override fetch32(linear: number): number {
    this.accesses++;
    return super.fetch32(linear);
  }
}
