// Shared parts of the seeded random program generators (random-program.ts, wasm-program.ts).
import { DATA_AT } from "./machine";

/** A small seeded PRNG (mulberry32): the same seed gives the same program. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const le32 = (v: number): number[] => [
  v & 0xff,
  (v >>> 8) & 0xff,
  (v >>> 16) & 0xff,
  v >>> 24,
];
/** Destination registers: eax ecx edx ebx edi (EBP/ESI/ESP stay bases and the stack). */
export const DST = [0, 1, 2, 3, 7];
/** The loop counter's memory word. */
export const COUNTER = DATA_AT + 0x3000;
