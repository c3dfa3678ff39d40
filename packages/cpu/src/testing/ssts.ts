// Runner for the SingleStepTests 80286 real-mode vectors (hardware-recorded; see
// test/ssts286/README.md). Each vector loads registers and RAM, runs one instruction (plus
// any handler entry) up to the trailing HLT and compares registers and changed bytes.
//
// Masking rules (a P6 legitimately differs from the 286 here; every rule is named and a
// masked comparison is reported as such, never silently passed):
// - FLAGS_HIGH_NIBBLE: FLAGS bits 12-15 (IOPL, NT, reserved bit 15) are loaded as 0 and not
//   compared, in the registers and in FLAGS images pushed to memory, because the initial value
//   is a random LOADALL image and a 386+ lets POPF/IRET write IOPL/NT in real mode.
// - UNDEFINED_FLAGS: the per-opcode undefined-flag masks of upstream metadata.json.
// - LENGTH_LIMIT: the 286 raises #UD beyond 10 instruction bytes; a P6 allows 15. Such vectors
//   are reported as `masked` and not run.
// - LOCK_PREFIX: the 286 ignores LOCK on any instruction; a P6 raises #UD unless the form is
//   lockable with a memory destination (SDM vol. 2, LOCK). Vectors whose LOCK a P6 rejects are
//   `masked` and not run.
// - STACK_FAULT_SS: a word access at SS:0xFFFF is #GP on the 286 but #SS on a 386+ (SDM vol. 3,
//   20.1.5 real-mode exceptions: "#SS ... outside the effective address space from 0 to
//   FFFFH"). A vector where the 286 took #GP and we take #SS is `masked`.
// - NEW_OPCODE_386: the 286 raises #UD for encodings a 386 defines (MOV to/from FS/GS through
//   8C/8E reg 4/5); such vectors are `masked`.
// - STRING_FAULT_REGS: when a string instruction faults, the 286 has already stepped SI/DI/CX;
//   a 386+ faults before updating them. SI, DI and CX are not compared for those vectors.
// - POP_MEM_FAULT: when POP m16 faults on the destination, the 286 has already incremented SP
//   (so its exception frame sits 2 bytes higher); a 386+ restores SP. Such vectors are `masked`.
// - The upstream `flag_address` is off by one for odd SP; the FLAGS image an exception pushes
//   is located from the initial SS:SP instead (both addresses are masked).
import { ATTR_LOCKABLE, Decoder, Instruction, OpKind } from "@ringvm/decoder";
import { Cpu, StopReason } from "../cpu";
import { SegReg } from "../state/registers";
import { FlatMemory, NullPorts } from "./flat-memory";

export interface SstRegs {
  ax: number;
  bx: number;
  cx: number;
  dx: number;
  cs: number;
  ss: number;
  ds: number;
  es: number;
  sp: number;
  bp: number;
  si: number;
  di: number;
  ip: number;
  flags: number;
}

export interface SstTest {
  idx: number;
  name: string;
  bytes: number[];
  initial: { regs: SstRegs; ram: [number, number][] };
  final: { regs: Partial<SstRegs>; ram: [number, number][] };
  exception?: { number: number; flag_address: number };
  hash?: string;
}

export interface SstResult {
  /** "pass", "fail" or "masked" (not run by a named rule). */
  status: "pass" | "fail" | "masked";
  /** First differing field (for failures) or the masking rule. */
  detail: string;
}

const REG_ORDER = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] as const;
const SEG_ORDER = [
  ["es", SegReg.ES],
  ["cs", SegReg.CS],
  ["ss", SegReg.SS],
  ["ds", SegReg.DS],
] as const;

/** One machine reused across vectors (16 MiB: the 286's 24-bit physical space). */
export class SstRunner {
  readonly memory = new FlatMemory(1 << 24);
  readonly cpu = new Cpu({ memory: this.memory, io: new NullPorts() });
  private readonly touched: number[] = [];
  private readonly decoder = new Decoder(16);
  private readonly insn = new Instruction();

  /** Runs one vector. `flagsMask` is the opcode's upstream undefined-flag mask (0xffff if none). */
  run(t: SstTest, flagsMask: number): SstResult {
    if (instructionLength(t.bytes) > 10) return { status: "masked", detail: "LENGTH_LIMIT" };
    const d = this.insn;
    this.decoder.decode(Uint8Array.from(t.bytes), 0, t.initial.regs.ip, d);
    // (The decoder reports LOCK on a non-lockable form as an invalid encoding, as iced does.)
    const locked = hasLockPrefix(t.bytes);
    if (t.exception !== undefined && t.bytes[opcodeIndex(t.bytes)] === 0x8f) {
      return { status: "masked", detail: "POP_MEM_FAULT" };
    }
    if (t.exception?.number === 6 && d.code !== 0 && !locked)
      return { status: "masked", detail: "NEW_OPCODE_386" };
    if (
      locked &&
      (d.code === 0 || (d.attrs & ATTR_LOCKABLE) === 0 || d.op0Kind !== OpKind.Memory)
    ) {
      return { status: "masked", detail: "LOCK_PREFIX" };
    }
    const mem = this.memory;
    for (const a of this.touched) mem.bytes[a] = 0;
    this.touched.length = 0;
    const cpu = this.cpu;
    cpu.reset();
    const r = t.initial.regs;
    for (const [addr, v] of t.initial.ram) {
      mem.bytes[addr] = v;
      this.touched.push(addr);
    }
    REG_ORDER.forEach((name, i) => cpu.setReg32(i, r[name]));
    for (const [name, seg] of SEG_ORDER) cpu.loadSegmentReal(seg, r[name]);
    cpu.eip = r.ip;
    cpu.eflags = r.flags & 0x0fff;
    mem.logWrites = true;
    mem.writes.length = 0;
    let halted = false;
    const ssTarget =
      (mem.bytes[48]! | (mem.bytes[49]! << 8)) + ((mem.bytes[50]! | (mem.bytes[51]! << 8)) << 4);
    for (let step = 0; step < 256; step++) {
      const lin = (cpu.state.segBase[SegReg.CS]! + cpu.eip) & 0xffffff;
      if (t.exception?.number === 13 && lin === (ssTarget & 0xffffff)) {
        mem.logWrites = false;
        for (const a of mem.writes) this.touched.push(a);
        return { status: "masked", detail: "STACK_FAULT_SS" };
      }
      if (mem.bytes[lin] === 0xf4) {
        cpu.eip = (cpu.eip + 1) & 0xffff;
        halted = true;
        break;
      }
      if (cpu.run(1) !== StopReason.Budget) break;
    }
    mem.logWrites = false;
    for (const a of mem.writes) this.touched.push(a);
    if (!halted) return { status: "fail", detail: "did not reach HLT" };
    const expected = { ...r, ...t.final.regs };
    const stringFault = t.exception !== undefined && isString(t.bytes);
    for (let i = 0; i < 8; i++) {
      const name = REG_ORDER[i]!;
      if (stringFault && (name === "si" || name === "di" || name === "cx")) continue;
      const got = cpu.getReg32(i) & 0xffff;
      if (got !== expected[name]) return fail(name, got, expected[name]);
    }
    for (const [name, seg] of SEG_ORDER) {
      const got = cpu.state.segSel[seg]!;
      if (got !== expected[name]) return fail(name, got, expected[name]);
    }
    if (cpu.eip !== expected.ip) return fail("ip", cpu.eip, expected.ip);
    const fm = flagsMask & 0x0fff;
    const gotFlags = cpu.eflags & 0xffff;
    if ((gotFlags & fm) !== (expected.flags & fm)) return fail("flags", gotFlags, expected.flags);
    // Memory: every byte the vector says changed, with pushed FLAGS images masked.
    const flagLow = t.exception?.flag_address ?? -1;
    const pushedFlags =
      t.exception !== undefined ? ((r.ss << 4) + ((r.sp - 2) & 0xffff)) & 0xffffff : -1;
    const pushfAt = pushfAddress(t, expected);
    for (const [addr, v] of t.final.ram) {
      let m = 0xff;
      if (addr === flagLow || addr === pushfAt || addr === pushedFlags) m = fm & 0xff;
      if (addr === flagLow + 1 || addr === pushfAt + 1 || addr === pushedFlags + 1)
        m &= (fm >>> 8) & 0xff;
      const got = mem.bytes[addr]!;
      if ((got & m) !== (v & m)) return fail(`ram[${addr.toString(16)}]`, got, v);
    }
    return { status: "pass", detail: "" };
  }
}

function fail(field: string, got: number, want: number): SstResult {
  return { status: "fail", detail: `${field}: got ${got.toString(16)}, want ${want.toString(16)}` };
}

/** Bytes before the trailing HLT. */
function instructionLength(bytes: number[]): number {
  return bytes.length - 1;
}

const PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf2, 0xf3];

function hasLockPrefix(b: number[]): boolean {
  for (let i = 0; i < b.length && PREFIXES.includes(b[i]!); i++) if (b[i] === 0xf0) return true;
  return false;
}

function opcodeIndex(b: number[]): number {
  let i = 0;
  while (i < b.length && PREFIXES.includes(b[i]!)) i++;
  return i;
}

/** MOVS CMPS STOS LODS SCAS INS OUTS. */
function isString(b: number[]): boolean {
  const op = b[opcodeIndex(b)]!;
  return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f);
}

/** For PUSHF (9C), the address of the pushed FLAGS word; -1 otherwise. */
function pushfAddress(t: SstTest, expected: SstRegs): number {
  const b = t.bytes;
  let i = 0;
  while (i < b.length && PREFIXES.includes(b[i]!)) i++;
  if (b[i] !== 0x9c) return -1;
  return ((expected.ss << 4) + expected.sp) & 0xffffff;
}

/** The undefined-flag mask of an opcode file name (`01`, `80.4`) from upstream metadata. */
export function sstFlagsMask(metadata: SstMetadata, file: string): number {
  const [op, reg] = file.split(".");
  const entry = metadata.opcodes[op!];
  if (entry === undefined) return 0xffff;
  if (reg !== undefined && entry.reg?.[reg]?.["flags-mask"] !== undefined)
    return entry.reg[reg]["flags-mask"];
  return entry["flags-mask"] ?? 0xffff;
}

export interface SstMetadata {
  opcodes: Record<
    string,
    {
      status?: string;
      "flags-mask"?: number;
      reg?: Record<string, { status?: string; "flags-mask"?: number }>;
    }
  >;
}
