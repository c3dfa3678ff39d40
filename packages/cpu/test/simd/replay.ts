// Replays the host-recorded vectors (native/gen-vectors.ts) through the interpreter's handlers and
// compares the whole recorded state. `check.ts` prints the mismatches of a group.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CpuException } from "../../src/exceptions";
import { fxrstor, fxsave } from "../../src/x87/images";
import { BASE, type Fields, decodeFields, fieldsOf, imageOf } from "./fields";
import { DATA, exec, makeState } from "./harness";

export const GROUPS = [
  "sse-fp",
  "sse2-fp",
  "sse-cvt",
  "sse3",
  "sse-move",
  "sse2-int",
  "mmx",
  "ssse3",
  "x87",
  "sse-approx",
] as const;

export interface Case {
  label: string;
  code: number[];
  input: Fields;
  expected: Fields;
}

export function loadGroup(group: string, dir = join(import.meta.dirname, "vectors")): Case[] {
  const text = gunzipSync(readFileSync(join(dir, `${group}.txt.gz`))).toString();
  const out: Case[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [label, code, inText, outText] = line.split("|") as [string, string, string, string];
    const input = { ...BASE, ...decodeFields(inText) };
    out.push({
      label,
      code: code.match(/../g)!.map((b) => parseInt(b, 16)),
      input,
      expected: { ...input, ...decodeFields(outText) },
    });
  }
  return out;
}

const { s, mem } = makeState();
const FX = new Uint8Array(512);

/** Runs one case; returns the state as fields (or fault=xm and MXCSR). */
export function runCase(c: Case): Fields {
  const img = imageOf(c.input);
  s.fpu.reset();
  fxrstor(s.fpu, img.fx, 0, false);
  s.sse.mxcsr = new DataView(img.fx.buffer).getUint32(24, true);
  s.sse.b.set(img.fx.subarray(160, 288));
  s.regs.fill(0);
  s.regs[0] = img.eax;
  s.regs[1] = img.ecx;
  s.regs[3] = img.ebx;
  s.regs[2] = DATA; // EDX and EDI point at the data area
  s.regs[7] = DATA;
  s.lazyMask = 0;
  s.flags = (img.eflags & 0x8d5) | 2;
  mem.bytes.fill(0, DATA, DATA + 64);
  mem.bytes.set(img.mem, DATA);
  try {
    exec(s, mem, c.code);
  } catch (e) {
    if (e instanceof CpuException && e.vector === 19) {
      return { ...c.input, fault: "xm", mx: (s.sse.mxcsr >>> 0).toString(16).padStart(8, "0") };
    }
    return { ...c.input, fault: e instanceof CpuException ? `vector ${e.vector}` : String(e) };
  }
  FX.fill(0);
  fxsave(s.fpu, FX, 0, false);
  new DataView(FX.buffer).setUint32(24, s.sse.mxcsr, true);
  FX.set(s.sse.b, 160);
  return fieldsOf(
    FX,
    s.regs[0]!,
    s.regs[1]!,
    s.regs[3]!,
    s.getEflags(),
    mem.bytes.subarray(DATA, DATA + 64),
  );
}

/** FNSTENV image bytes 12-27 (FIP, FCS/FOP, FDP, FDS) hold host addresses: not compared. */
function maskEnvPointers(f: Fields): Fields {
  const m = f.mem;
  if (m === undefined) return f;
  return { ...f, mem: m.slice(0, 24) + "-".repeat(32) + m.slice(56) };
}

/** Field names where `got` differs from `want` (for `label`). */
export function diff(got: Fields, want: Fields, label = ""): string[] {
  if (label === "fnstenv") {
    got = maskEnvPointers(got);
    want = maskEnvPointers(want);
  }
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  return [...keys].filter((k) => got[k] !== want[k]);
}
