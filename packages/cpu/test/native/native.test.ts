// Replays the native-oracle vectors (test/native/README.md): each case's final registers,
// arithmetic flags + DF and data window were recorded by running it on the host CPU.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Cpu, ESP, SegReg, StopReason } from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";

interface Vector {
  asm: string;
  code: string;
  regs: string[];
  flags: string;
  mem?: string;
  out: string[];
  outFlags: string;
  outMem?: string;
}

const file = JSON.parse(
  gunzipSync(readFileSync(new URL("vectors.json.gz", import.meta.url))).toString(),
) as {
  data: string;
  vectors: Vector[];
};
const DATA = parseInt(file.data, 16);
const CODE = 0x100000;
/** Arithmetic flags and DF: what the native runner can observe and set. */
const COMPARED_FLAGS = 0xcd5;

/**
 * Named mask SHXD16_WIDE_COUNT: 16-bit SHLD/SHRD with a masked count of 17-31 (undefined in
 * the SDM). The result matches the host (it shifts b:b in), but the host's CF/OF there follow
 * no pattern we identified (probed: neither kept nor a bit of a:b:b), so CF and OF are not
 * compared for those vectors.
 */
function maskedFlags(asm: string): number {
  const m = /sh[lr]d (?:word \[[^\]]*\]|[a-d]x|[sd]i|bp), [a-d]?[a-z]+, (\w+)$/.exec(asm);
  if (m === null) return 0;
  const cl = /mov cl, (\d+)/.exec(asm);
  const count = (m[1] === "cl" ? Number(cl![1]) : Number(m[1])) & 31;
  return count > 16 ? 0x801 : 0;
}

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** Runs one vector; returns null on agreement or the first differing field. */
export function replay(cpu: Cpu, mem: FlatMemory, v: Vector): string | null {
  const code = bytesOf(v.code);
  mem.bytes.set(code, CODE);
  const dataAt = DATA & (mem.bytes.length - 1);
  if (v.mem !== undefined) mem.bytes.set(bytesOf(v.mem), dataAt);
  for (let r = 0; r < 8; r++) cpu.setReg32(r, r === ESP ? 0x200000 : parseInt(v.regs[r]!, 16));
  cpu.eflags = parseInt(v.flags, 16);
  cpu.eip = CODE;
  const end = CODE + code.length;
  for (let n = 0; n < 1000 && cpu.eip !== end; n++) {
    if (cpu.run(1) !== StopReason.Budget) return "stopped";
  }
  if (cpu.eip !== end) return `eip ${cpu.eip.toString(16)}`;
  for (let r = 0; r < 8; r++) {
    if (r === ESP) continue;
    const want = parseInt(v.out[r]!, 16);
    if (cpu.getReg32(r) !== want)
      return `reg${r}: got ${cpu.getReg32(r).toString(16)}, want ${want.toString(16)}`;
  }
  if (cpu.getReg32(ESP) !== 0x200000) return "esp";
  const compared = COMPARED_FLAGS & ~maskedFlags(v.asm);
  const wantFlags = parseInt(v.outFlags, 16) & compared;
  const gotFlags = cpu.eflags & compared;
  if (gotFlags !== wantFlags)
    return `flags: got ${gotFlags.toString(16)}, want ${wantFlags.toString(16)}`;
  if (v.outMem !== undefined) {
    const want = bytesOf(v.outMem);
    for (let i = 0; i < 64; i++) {
      if (mem.bytes[dataAt + i] !== want[i])
        return `mem[${i}]: got ${mem.bytes[dataAt + i]}, want ${want[i]}`;
    }
  }
  return null;
}

describe("native oracle vectors (host CPU)", () => {
  it(`all ${file.vectors.length} vectors agree`, () => {
    const mem = new FlatMemory(1 << 24);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    cpu.setControlRegister(0, 0x60000011);
    const code32 = 0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000;
    const data32 = 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000;
    cpu.loadSegmentCache(SegReg.CS, 0x08, 0, 0xffffffff, code32);
    for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS]) {
      cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, data32);
    }
    const failures: string[] = [];
    for (const v of file.vectors) {
      const r = replay(cpu, mem, v);
      if (r !== null) failures.push(`${v.asm} [${v.regs.join(" ")} f=${v.flags}]: ${r}`);
    }
    expect(failures).toEqual([]);
  });
});
