// Loader for the host-recorded x87 vectors (see native/gen-vectors.ts): one case per line,
// "op cw a b r1 r2 sw" with 80-bit values as 20 hex digits (sign+exponent, significand).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface Case {
  op: string;
  cw: number;
  a: string;
  b: string;
  r1: string;
  r2: string;
  sw: number;
  line: string;
}

export function loadVectors(group: string): Case[] {
  const text = gunzipSync(
    readFileSync(
      join(process.env.X87_VECTORS ?? join(import.meta.dirname, "vectors"), `${group}.txt.gz`),
    ),
  ).toString();
  const cases: Case[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f.length < 7) continue;
    cases.push({
      op: f[0] ?? "",
      cw: parseInt(f[1] ?? "0", 16),
      a: f[2] ?? "",
      b: f[3] ?? "",
      r1: f[4] ?? "",
      r2: f[5] ?? "",
      sw: parseInt(f[6] ?? "0", 16),
      line,
    });
  }
  return cases;
}

/** Status word bits the tests compare: exception flags, SF, and C0-C3 (TOP, ES and B derive). */
export const SW_COMPARED = 0x477f;
