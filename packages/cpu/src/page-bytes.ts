// Which bytes of one 4 KiB page are of interest (the code decoded from it): the block caches of
// both engines keep one per watched code page, so that a write beside code (a flag in a
// real-mode code segment) can leave their blocks valid.

const PAGE_BYTES = 4096;

/** A bitmap of the bytes of one page. */
export class PageBytes {
  private readonly bits = new Int32Array(PAGE_BYTES / 32);

  /** Marks `length` bytes from page offset `offset` (the part inside the page). */
  mark(offset: number, length: number): void {
    const bits = this.bits;
    const end = Math.min(PAGE_BYTES, offset + length);
    for (let k = Math.max(0, offset); k < end; k++)
      bits[k >>> 5] = bits[k >>> 5]! | (1 << (k & 31));
  }

  /** Whether any of the `length` bytes from page offset `offset` is marked. */
  any(offset: number, length: number): boolean {
    const bits = this.bits;
    for (let k = offset; k < offset + length; k++) {
      if ((bits[k >>> 5]! & (1 << (k & 31))) !== 0) return true;
    }
    return false;
  }
}
