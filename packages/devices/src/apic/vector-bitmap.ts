// A 256-bit vector set (IRR, ISR, TMR) as eight dwords, the way the APIC exposes it.

export class VectorBitmap {
  readonly words = new Uint32Array(8);

  set(vector: number): void {
    const i = (vector >>> 5) & 7;
    this.words[i] = ((this.words[i] ?? 0) | (1 << (vector & 31))) >>> 0;
  }

  clear(vector: number): void {
    const i = (vector >>> 5) & 7;
    this.words[i] = ((this.words[i] ?? 0) & ~(1 << (vector & 31))) >>> 0;
  }

  has(vector: number): boolean {
    return (((this.words[(vector >>> 5) & 7] ?? 0) >>> (vector & 31)) & 1) !== 0;
  }

  /** The highest set vector, or -1. */
  highest(): number {
    for (let i = 7; i >= 0; i--) {
      const w = this.words[i] ?? 0;
      if (w !== 0) return i * 32 + 31 - Math.clz32(w);
    }
    return -1;
  }

  reset(): void {
    this.words.fill(0);
  }

  save(): number[] {
    return Array.from(this.words);
  }

  load(value: unknown): void {
    this.words.fill(0);
    if (Array.isArray(value))
      for (let i = 0; i < 8; i++) this.words[i] = Number(value[i] ?? 0) >>> 0;
  }
}
