// Developer tool: compare the table's per-form facts (EFLAGS read/written/undefined, flow
// control, CPUID feature, privileged) with iced's, grouped by Code.
import * as iced from "iced-x86";
import { Code } from "../src/index";
import { IcedOracle } from "../test/iced-oracle";
import { buildSweepCases } from "../test/sweep-cases";

/** iced RflagsBits -> EFLAGS bit positions. */
export function icedFlagsToEflags(f: number): number {
  const map: [number, number][] = [
    [1, 1 << 11],
    [2, 1 << 7],
    [4, 1 << 6],
    [8, 1 << 4],
    [0x10, 1],
    [0x20, 1 << 2],
    [0x40, 1 << 10],
    [0x80, 1 << 9],
    [0x100, 1 << 18],
  ];
  let v = 0;
  for (const [a, b] of map) if (f & a) v |= b;
  return v;
}
const bits = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
const { buf, offsets } = buildSweepCases(bits, false);
const o = new IcedOracle(bits, buf);
const bad = new Map<string, string>();
for (let k = 0; k < offsets.length; k += 3) {
  const off = offsets[k]!;
  if (o.compare(off, off + 16, 0x7ff0) !== null || o.insn.isInvalid) continue;
  const ic = o.icedInsn;
  const i = o.insn;
  const name = Code[i.code]!;
  if (bad.has(name)) continue;
  const wantR = icedFlagsToEflags(ic.rflagsRead);
  const wantW = icedFlagsToEflags(ic.rflagsModified);
  const wantU = icedFlagsToEflags(ic.rflagsUndefined);
  const cpu = ic.cpuidFeatures()[0];
  const diffs: string[] = [];
  if (i.flagsRead !== wantR)
    diffs.push(`read ${i.flagsRead.toString(16)} vs ${wantR.toString(16)}`);
  if (i.flagsWritten !== wantW)
    diffs.push(`written ${i.flagsWritten.toString(16)} vs ${wantW.toString(16)}`);
  if (i.flagsUndefined !== wantU)
    diffs.push(`undef ${i.flagsUndefined.toString(16)} vs ${wantU.toString(16)}`);
  if (i.flow !== ic.flowControl) diffs.push(`flow ${i.flow} vs ${ic.flowControl}`);
  if (i.cpuid !== cpu) diffs.push(`cpuid ${i.cpuid} vs ${iced.CpuidFeature[cpu!]}`);
  if (i.isPrivileged !== ic.isPrivileged)
    diffs.push(`priv ${i.isPrivileged} vs ${ic.isPrivileged}`);
  if (diffs.length) bad.set(name, diffs.join("; "));
}
for (const [k, v] of bad) console.log(k.padEnd(30), v);
console.log(`${bad.size} codes with differing facts`);
