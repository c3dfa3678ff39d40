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

/** A stream generator's choices, all from one mulberry32 sequence in call order. */
export interface Dice {
  rnd(): number;
  /** An integer in 0..n-1. */
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  /** A destination register (DST). */
  dst(): number;
  /** Any register as a source. */
  src(): number;
}

export function dice(seed: number): Dice {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  return { rnd, int, pick, dst: () => pick(DST), src: () => int(8) };
}

/**
 * The streams' start: every DST register = `imm32()` (in DST order), EBP = DATA_AT + `ebp`,
 * ESI = DATA_AT + 0x800, [COUNTER] = `loops`. Returns where the loop body starts.
 */
export function streamStart(
  out: number[],
  imm32: () => number,
  ebp: number,
  loops: number,
): number {
  for (const r of DST) out.push(0xb8 + r, ...le32(imm32()));
  out.push(0xbd, ...le32(DATA_AT + ebp)); // mov ebp, DATA+ebp
  out.push(0xbe, ...le32(DATA_AT + 0x800)); // mov esi, DATA+0x800
  out.push(0xc7, 0x05, ...le32(COUNTER), ...le32(loops)); // mov dword [COUNTER], loops
  return out.length;
}

/** The streams' end: dec dword [COUNTER] / jnz to the body at `body` / hlt. */
export function streamEnd(out: number[], body: number): Uint8Array {
  out.push(0x83, 0x2d, ...le32(COUNTER), 1);
  const rel = body - (out.length + 6);
  out.push(0x0f, 0x85, ...le32(rel >>> 0), 0xf4);
  return Uint8Array.from(out);
}
