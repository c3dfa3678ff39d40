// Seeded random byte windows (xorshift32, so runs are reproducible), 16 bytes each.

/** xorshift32 (Marsaglia 2003): a tiny reproducible PRNG; never returns 0 for a nonzero seed. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function randomWindows(seed: number, count: number): { buf: Uint8Array; offsets: number[] } {
  const next = xorshift32(seed);
  const buf = new Uint8Array(count * 16);
  for (let i = 0; i < buf.length; i += 4) {
    const v = next();
    buf[i] = v & 0xff;
    buf[i + 1] = (v >>> 8) & 0xff;
    buf[i + 2] = (v >>> 16) & 0xff;
    buf[i + 3] = v >>> 24;
  }
  return { buf, offsets: Array.from({ length: count }, (_, i) => i * 16) };
}

/** Random windows that start with a VEX prefix (C5 or C4), to exercise the VEX forms. */
export function randomVexWindows(
  seed: number,
  count: number,
): { buf: Uint8Array; offsets: number[] } {
  const w = randomWindows(seed, count);
  const next = xorshift32(seed ^ 0x9e3779b9);
  for (const off of w.offsets) {
    const v = next();
    w.buf[off] = v & 1 ? 0xc5 : 0xc4;
    if ((v & 1) === 0) w.buf[off + 1] = 0xe0 | ((((v >>> 8) & 0x1f) % 3) + 1) | (v & 0x80 ? 0 : 0); // mmmmm 1..3
    w.buf[off + 1]! |= 0xc0; // R/X set so it is VEX outside 64-bit mode too
  }
  return w;
}

/**
 * Random windows that start with 62h (EVEX in 64-bit mode; outside it when the next byte is
 * C0-FF). Half get P1 bit 2 set and a map 1..3 in P0 so that most parse as EVEX.
 */
export function randomEvexWindows(
  seed: number,
  count: number,
): { buf: Uint8Array; offsets: number[] } {
  const w = randomWindows(seed, count);
  const next = xorshift32(seed ^ 0x85ebca6b);
  for (const off of w.offsets) {
    const v = next();
    w.buf[off] = 0x62;
    if (v & 1) w.buf[off + 1]! |= 0xc0;
    if (v & 2) {
      w.buf[off + 1] = (w.buf[off + 1]! & 0xf0) | (1 + ((v >>> 4) % 3));
      w.buf[off + 2]! |= 4;
    }
  }
  return w;
}
