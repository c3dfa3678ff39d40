// Drives single instructions through the interpreter's dispatch table on a CpuState over a flat
// memory: 32-bit flat protected mode (CR0.PE, 4 GiB segments), x87/SSE enabled (CR4.OSFXSR,
// OSXMMEXCPT), code at CODE, data at DATA.
import { Decoder, Instruction } from "@ringvm/decoder";
import { HANDLERS } from "../../src/dispatch";
import { setSegmentCache } from "../../src/segments";
import { CpuState } from "../../src/state/cpu-state";
import { FlatMemory, NullPorts } from "../../src/testing/flat-memory";

export const CODE = 0x1000;
export const DATA = 0x10000;

const decoder = new Decoder(32);
const insn = new Instruction();

export function makeState(size = 1 << 20): { s: CpuState; mem: FlatMemory } {
  const mem = new FlatMemory(size);
  const s = new CpuState(mem, new NullPorts());
  s.cr0 = 0x60000031; // PE, ET, NE
  s.cr4 = 0x600; // OSFXSR, OSXMMEXCPT
  for (let seg = 0; seg < 6; seg++)
    setSegmentCache(s, seg, 8, 0, 0xffffffff, seg === 1 ? 0xc09b : 0xc093);
  return { s, mem };
}

/** Decodes and executes the instruction in `bytes` (placed at CODE). */
export function exec(s: CpuState, mem: FlatMemory, bytes: readonly number[]): Instruction {
  mem.bytes.set(bytes, CODE);
  decoder.decode(mem.bytes, CODE, CODE, insn);
  if (insn.code === 0) throw new Error(`undecodable ${bytes.map((b) => b.toString(16)).join(" ")}`);
  s.startEip = CODE;
  s.eip = insn.nextIp;
  HANDLERS[insn.code]!(s, insn);
  return insn;
}
