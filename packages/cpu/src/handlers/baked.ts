// Closure threading for the block cache (block-cache.ts): for the hottest forms, a handler made
// ONCE when a block is decoded, with the instruction's operands (register numbers, immediate,
// addressing form, segment) captured as constants, so running it reads nothing from the
// `Instruction` (a large object: on a kernel-sized code footprint, touching it is a cache miss).
// Each factory's closure has its own compiled body and type feedback. The semantics are those of
// handlers/fast.ts and the generic handlers for the same instruction: the same alu.ts routines,
// the same segment check (checkedLinear) and memory calls in the same order.
import type { LinearFastPath } from "@ringvm/bus";
import { Code, CODE_COUNT, OpKind, type Instruction } from "@ringvm/decoder";
import * as alu from "../alu";
import { pop32, push32 } from "../access";
import { checkedLinear } from "../segments";
import { type CpuState } from "../state/cpu-state";
import { EBP, ESP, REG_AL, REG_AX, REG_EAX, REG_ES } from "../state/registers";
import { aluOp, AluOp } from "./binary-forms";
import { fastAnyOperands } from "./fast";
import { COND_NAMES, jumpNear, testCondition } from "./integer-cond";
import { Shift, shiftOp } from "./integer-logic";
import { probeWrite, readLinear, writeLinear, type Handler } from "./operands";

/**
 * Effective address of a 32-bit addressing form (-1: no base / no index), as an int32: a kernel
 * address (2 GiB and up) as uint32 is a heap number whenever it is passed to a call V8 does not
 * inline, 150 MB of garbage per boot through the cold tier's compact forms (`segLinear` and
 * `checkedLinear` take it as int32 too).
 */
function ea32(s: CpuState, base: number, index: number, scale: number, disp: number): number {
  // Each step wraps (`| 0`) so V8 adds in 32 bits (see alu.ts): a sum past 2^31 would
  // otherwise deoptimize this and its callers into float64 arithmetic for good.
  let ea = disp | 0;
  if (base >= 0) ea = (ea + s.regs[base]!) | 0;
  if (index >= 0) ea = (ea + Math.imul(s.regs[index]!, scale)) | 0;
  return ea;
}

/** Byte offset in `regs8` of an 8-bit register (AL CL DL BL AH CH DH BH). */
function reg8Index(reg: number): number {
  const i = reg - REG_AL;
  return i < 4 ? i << 2 : ((i - 4) << 2) | 1;
}

/** Register number 0-7 of a 32-bit register operand, or -1. */
function reg32(reg: number): number {
  const r = reg - REG_EAX;
  return r >= 0 && r < 8 ? r : -1;
}

// ---- register-only 32-bit forms ----

function aluRR(op: number, store: boolean, d: number, r: number): Handler {
  if (!store) {
    if (op === AluOp.Sub) return (s) => void alu.sub(s, s.regs[d]!, s.regs[r]!, 31);
    if (op === AluOp.Test) return (s) => void alu.logic(s, s.regs[d]! & s.regs[r]!, 31);
    return (s) => void aluOp(s, op, s.regs[d]!, s.regs[r]!, 31);
  }
  switch (op) {
    case AluOp.Add:
      return (s) => {
        s.regs[d] = alu.add(s, s.regs[d]!, s.regs[r]!, 31);
      };
    case AluOp.Sub:
      return (s) => {
        s.regs[d] = alu.sub(s, s.regs[d]!, s.regs[r]!, 31);
      };
    case AluOp.Xor:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! ^ s.regs[r]!, 31);
      };
    case AluOp.And:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! & s.regs[r]!, 31);
      };
    case AluOp.Or:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! | s.regs[r]!, 31);
      };
    default:
      return (s) => {
        s.regs[d] = aluOp(s, op, s.regs[d]!, s.regs[r]!, 31);
      };
  }
}

function aluRI(op: number, store: boolean, d: number, v: number): Handler {
  if (!store) {
    if (op === AluOp.Sub) return (s) => void alu.sub(s, s.regs[d]!, v, 31);
    return (s) => void aluOp(s, op, s.regs[d]!, v, 31);
  }
  switch (op) {
    case AluOp.Add:
      return (s) => {
        s.regs[d] = alu.add(s, s.regs[d]!, v, 31);
      };
    case AluOp.Sub:
      return (s) => {
        s.regs[d] = alu.sub(s, s.regs[d]!, v, 31);
      };
    case AluOp.And:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! & v, 31);
      };
    case AluOp.Xor:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! ^ v, 31);
      };
    case AluOp.Or:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! | v, 31);
      };
    default:
      return (s) => {
        s.regs[d] = aluOp(s, op, s.regs[d]!, v, 31);
      };
  }
}

// ---- memory forms, 32-bit addressing ----

interface Mem {
  seg: number;
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** The memory's TLB fast path for reads (undefined: always call the memory). */
  fr: LinearFastPath | undefined;
  /** ...and for writes (undefined when a CPU write must move the code epoch itself). */
  fw: LinearFastPath | undefined;
  /** The segment's bits in CpuState.flatSegs: flat for reads, flat for writes. */
  rbit: number;
  wbit: number;
}

/**
 * `checkedLinear` with a shortcut: an aligned access through a flat segment (CpuState.flatSegs
 * `bit`, kept by segments.ts) passes every check it makes (present, type, limit, expand-down,
 * #AC), and its linear address is the offset. `ea`: the offset as an int32 (see `ea32`).
 */
function segLinear(
  s: CpuState,
  seg: number,
  bit: number,
  ea: number,
  size: number,
  write: boolean,
): number {
  return (s.flatSegs & bit) !== 0 && (ea & (size - 1)) === 0
    ? ea | 0
    : checkedLinear(s, seg, ea, size, write);
}

// The fast paths below are the MMU's own read/write fast paths (Mmu.read32 etc.), inlined:
// `(entry & mask) === 1` is a plain-RAM hit with no other effect (watched code pages, MMIO,
// clean pages, data breakpoints and every fault fail it), anything else calls the memory, so
// the accesses, their order and their faults are exactly those of `s.memory.readN/writeN`.

let fastRead: LinearFastPath | undefined;
let fastWrite: LinearFastPath | undefined;

/** `reg32` of a memory operand's base or index register, -1 for none. */
function memReg(reg: number): number {
  return reg === 0 ? -1 : reg32(reg);
}

/** A 32-bit address through 32-bit base and index registers (or none): what baked forms take. */
function plainMem(insn: Instruction): boolean {
  return (
    insn.addrSize === 32 &&
    (insn.memBase === 0 || reg32(insn.memBase) >= 0) &&
    (insn.memIndex === 0 || reg32(insn.memIndex) >= 0)
  );
}

function memOf(insn: Instruction): Mem | undefined {
  if (!plainMem(insn)) return undefined;
  return {
    seg: insn.memSegment - REG_ES,
    base: memReg(insn.memBase),
    index: memReg(insn.memIndex),
    scale: insn.memScale,
    disp: insn.memDisplacement | 0,
    fr: fastRead,
    fw: fastWrite,
    rbit: 1 << (insn.memSegment - REG_ES),
    wbit: 0x100 << (insn.memSegment - REG_ES),
  };
}

function load32(m: Mem, d: number): Handler {
  const { seg, base, index, scale, disp, fr, rbit } = m;
  if (fr !== undefined) {
    const { tlb, i32, masks } = fr;
    return (s) => {
      const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
      const e = tlb[lin >>> 12]!;
      if ((e & masks[0]!) === 1 && (lin & 3) === 0) {
        s.regs[d] = i32[((e & ~0xfff) | (lin & 0xfff)) >> 2]!;
      } else {
        s.regs[d] = s.memory.read32(lin) | 0;
      }
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
    s.regs[d] = s.memory.read32(lin) | 0;
  };
}
function store32(m: Mem, r: number): Handler {
  const { seg, base, index, scale, disp, fw, wbit } = m;
  if (fw !== undefined) {
    const { tlb, i32, masks } = fw;
    return (s) => {
      const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 4, true);
      const e = tlb[lin >>> 12]!;
      if ((e & masks[1]!) === 1 && (lin & 3) === 0) {
        i32[((e & ~0xfff) | (lin & 0xfff)) >> 2] = s.regs[r]!;
      } else {
        s.memory.write32(lin, s.regs[r]! | 0);
      }
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 4, true);
    s.memory.write32(lin, s.regs[r]! | 0);
  };
}
function store32Imm(m: Mem, v: number): Handler {
  const { seg, base, index, scale, disp, fw, wbit } = m;
  if (fw !== undefined) {
    const { tlb, i32, masks } = fw;
    return (s) => {
      const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 4, true);
      const e = tlb[lin >>> 12]!;
      if ((e & masks[1]!) === 1 && (lin & 3) === 0) {
        i32[((e & ~0xfff) | (lin & 0xfff)) >> 2] = v;
      } else {
        s.memory.write32(lin, v);
      }
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 4, true);
    s.memory.write32(lin, v);
  };
}
function loadExtend(m: Mem, d: number, size: number, signed: boolean): Handler {
  const { seg, base, index, scale, disp, fr, rbit } = m;
  if (size === 1 && fr !== undefined) {
    const { tlb, u8, masks } = fr;
    return signed
      ? (s) => {
          const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
          const e = tlb[lin >>> 12]!;
          const v = (e & masks[0]!) === 1 ? u8[(e & ~0xfff) | (lin & 0xfff)]! : s.memory.read8(lin);
          s.regs[d] = (v << 24) >> 24;
        }
      : (s) => {
          const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
          const e = tlb[lin >>> 12]!;
          s.regs[d] =
            (e & masks[0]!) === 1 ? u8[(e & ~0xfff) | (lin & 0xfff)]! : s.memory.read8(lin);
        };
  }
  if (size === 1) {
    return signed
      ? (s) => {
          const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
          s.regs[d] = (s.memory.read8(lin) << 24) >> 24;
        }
      : (s) => {
          const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
          s.regs[d] = s.memory.read8(lin);
        };
  }
  return signed
    ? (s) => {
        const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 2, false);
        s.regs[d] = (s.memory.read16(lin) << 16) >> 16;
      }
    : (s) => {
        const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 2, false);
        s.regs[d] = s.memory.read16(lin);
      };
}
function load8(m: Mem, b: number): Handler {
  const { seg, base, index, scale, disp, fr, rbit } = m;
  if (fr !== undefined) {
    const { tlb, u8, masks } = fr;
    return (s) => {
      const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
      const e = tlb[lin >>> 12]!;
      s.regs8[b] = (e & masks[0]!) === 1 ? u8[(e & ~0xfff) | (lin & 0xfff)]! : s.memory.read8(lin);
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
    s.regs8[b] = s.memory.read8(lin);
  };
}
function store8(m: Mem, b: number): Handler {
  const { seg, base, index, scale, disp, fw, wbit } = m;
  if (fw !== undefined) {
    const { tlb, u8, masks } = fw;
    return (s) => {
      const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 1, true);
      const e = tlb[lin >>> 12]!;
      if ((e & masks[1]!) === 1) u8[(e & ~0xfff) | (lin & 0xfff)] = s.regs8[b]!;
      else s.memory.write8(lin, s.regs8[b]!);
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 1, true);
    s.memory.write8(lin, s.regs8[b]!);
  };
}
function store8Imm(m: Mem, v: number): Handler {
  const { seg, base, index, scale, disp, fw, wbit } = m;
  if (fw !== undefined) {
    const { tlb, u8, masks } = fw;
    return (s) => {
      const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 1, true);
      const e = tlb[lin >>> 12]!;
      if ((e & masks[1]!) === 1) u8[(e & ~0xfff) | (lin & 0xfff)] = v;
      else s.memory.write8(lin, v);
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, wbit, ea32(s, base, index, scale, disp), 1, true);
    s.memory.write8(lin, v);
  };
}
/** `op r32, m32` (CMP included: `store` false). */
function aluRM32(m: Mem, op: number, store: boolean, d: number): Handler {
  const { seg, base, index, scale, disp, fr, rbit } = m;
  if (fr !== undefined) {
    const { tlb, i32, masks } = fr;
    return (s) => {
      const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
      const e = tlb[lin >>> 12]!;
      const v =
        (e & masks[0]!) === 1 && (lin & 3) === 0
          ? i32[((e & ~0xfff) | (lin & 0xfff)) >> 2]!
          : s.memory.read32(lin) | 0;
      const r = aluOp(s, op, s.regs[d]!, v, 31);
      if (store) s.regs[d] = r;
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
    const r = aluOp(s, op, s.regs[d]!, s.memory.read32(lin) | 0, 31);
    if (store) s.regs[d] = r;
  };
}
/** CMP/TEST m, r-or-imm without a store (8- or 32-bit). */
function cmpMem(m: Mem, op: number, size: number, reg: number, v: number): Handler {
  const { seg, base, index, scale, disp, fr, rbit } = m;
  if (fr !== undefined) {
    const { tlb, u8, i32, masks } = fr;
    if (size === 4) {
      return (s) => {
        const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
        const e = tlb[lin >>> 12]!;
        const a =
          (e & masks[0]!) === 1 && (lin & 3) === 0
            ? i32[((e & ~0xfff) | (lin & 0xfff)) >> 2]!
            : s.memory.read32(lin) | 0;
        aluOp(s, op, a, reg >= 0 ? s.regs[reg]! : v, 31);
      };
    }
    return (s) => {
      const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
      const e = tlb[lin >>> 12]!;
      const a = (e & masks[0]!) === 1 ? u8[(e & ~0xfff) | (lin & 0xfff)]! : s.memory.read8(lin);
      aluOp(s, op, a, reg >= 0 ? s.regs8[reg]! : v, 7);
    };
  }
  if (size === 4) {
    return (s) => {
      const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 4, false);
      aluOp(s, op, s.memory.read32(lin) | 0, reg >= 0 ? s.regs[reg]! : v, 31);
    };
  }
  return (s) => {
    const lin = segLinear(s, seg, rbit, ea32(s, base, index, scale, disp), 1, false);
    aluOp(s, op, s.memory.read8(lin), reg >= 0 ? s.regs8[reg]! : v, 7);
  };
}

const ALU_NAMES: readonly [string, number, boolean][] = [
  ["Add", AluOp.Add, true],
  ["Or", AluOp.Or, true],
  ["Adc", AluOp.Adc, true],
  ["Sbb", AluOp.Sbb, true],
  ["And", AluOp.And, true],
  ["Sub", AluOp.Sub, true],
  ["Xor", AluOp.Xor, true],
  ["Cmp", AluOp.Cmp, false],
];

/** Per `Code`: [form, op, store] of the forms below (form 0: not baked). */
const FORM = new Int32Array(Object.keys(Code).length * 2 + 1024);
const F_RM_R = 1; // op rm32, r32
const F_R_RM = 2; // op r32, rm32
const F_RM_I = 3; // op rm32, imm (also EAX, imm)
const F_RM8_I = 4; // op rm8, imm8 (CMP/TEST only when in memory)
const F_RM8_R = 5; // op rm8, r8 (CMP/TEST only when in memory)
const FORM_OP = new Int32Array(FORM.length);
const FORM_STORE = new Uint8Array(FORM.length);
function form(name: string, f: number, op: number, store: boolean): void {
  const code = (Code as unknown as Record<string, number | undefined>)[name];
  if (code === undefined) return;
  FORM[code] = f;
  FORM_OP[code] = op;
  FORM_STORE[code] = store ? 1 : 0;
}
for (const [name, op, store] of ALU_NAMES) {
  form(`${name}_rm32_r32`, F_RM_R, op, store);
  form(`${name}_r32_rm32`, F_R_RM, op, store);
  form(`${name}_rm32_imm8`, F_RM_I, op, store);
  form(`${name}_rm32_imm32`, F_RM_I, op, store);
  form(`${name}_EAX_imm32`, F_RM_I, op, store);
}
form("Test_rm32_r32", F_RM_R, AluOp.Test, false);
form("Test_rm32_imm32", F_RM_I, AluOp.Test, false);
form("Test_rm32_imm32_F7r1", F_RM_I, AluOp.Test, false);
form("Test_EAX_imm32", F_RM_I, AluOp.Test, false);
form("Cmp_rm8_imm8", F_RM8_I, AluOp.Cmp, false);
form("Cmp_rm8_imm8_82", F_RM8_I, AluOp.Cmp, false);
form("Test_rm8_imm8", F_RM8_I, AluOp.Test, false);
form("Test_rm8_imm8_F6r1", F_RM8_I, AluOp.Test, false);
form("Cmp_rm8_r8", F_RM8_R, AluOp.Cmp, false);
form("Test_rm8_r8", F_RM8_R, AluOp.Test, false);

// ---- sharing: one closure per distinct operand set ----

/** Entries of a `HandlerCache` (direct-mapped; a power of two). */
const CACHE_ENTRIES = 1 << 15;
/** Words of an entry's signature (see `HandlerCache.find`). */
const SIG_WORDS = 5;

/**
 * The handlers made for earlier instructions, by everything a factory here reads from an
 * instruction (form, operand count, kinds and registers, addressing, displacement, immediate)
 * and the fused condition: an instruction whose signature matches gets the same closure. A
 * kernel's code repeats operand sets (`mov eax, [ebp-16]`, `push ebx`): a Linux boot bakes
 * ~500 K instructions, and closures of their own (with one or two contexts each) took ~60 MB
 * of its heap. Direct-mapped and bounded: a colliding signature replaces the entry. One cache
 * per pair of fast paths (`cacheFor`): closures capture their arrays.
 */
class HandlerCache<H> {
  private readonly sig = new Int32Array(CACHE_ENTRIES * SIG_WORDS);
  private readonly handlers: (H | undefined)[] = new Array<H | undefined>(CACHE_ENTRIES).fill(
    undefined,
  );
  private readonly key = new Int32Array(SIG_WORDS);

  /**
   * The entry for `insn`'s signature: negative (~index) when it holds a handler for it, else
   * the index to `keep` a new one at. The packing relies on Code < 2^16, Register and OpKind
   * values < 2^8 (test/integer/baked-sharing.test.ts checks the enums). Addresses (EIPs, branch
   * targets) are not in it: a form that bakes one is made per site, before the lookup.
   */
  find(insn: Instruction, cc: number): number {
    const k = this.key;
    k[0] = insn.code | (insn.opCount << 16) | (cc << 20) | (insn.addrSize << 24);
    k[1] = insn.op0Kind | (insn.op1Kind << 8) | (insn.memScale << 16) | (insn.memSegment << 24);
    k[2] =
      insn.op0Register | (insn.op1Register << 8) | (insn.memBase << 16) | (insn.memIndex << 24);
    k[3] = insn.memDisplacement | 0;
    k[4] = insn.immediate | 0;
    let h = 0;
    for (let w = 0; w < SIG_WORDS; w++) h = Math.imul(h ^ k[w]!, 0x9e3779b1) ^ (h >>> 15);
    const at = (h >>> 17) & (CACHE_ENTRIES - 1);
    if (this.handlers[at] === undefined) return at;
    const sig = this.sig;
    const o = at * SIG_WORDS;
    for (let w = 0; w < SIG_WORDS; w++) if (sig[o + w] !== k[w]) return at;
    return ~at;
  }

  hit(slot: number): H {
    return this.handlers[~slot]!;
  }

  keep(at: number, handler: H): void {
    this.sig.set(this.key, at * SIG_WORDS);
    this.handlers[at] = handler;
  }
}

/** Caches of `bake` without fast paths, and of `bakeFused` (neither captures a memory). */
const PLAIN = new HandlerCache<Handler>();
const FUSED = new HandlerCache<FusedHandler>();
/**
 * Caches of `bake` by its read fast path, then its write fast path (NO_PATH: none); weak, so a
 * dropped machine's caches (and the memory their closures hold) go with it.
 */
const BY_PATHS = new WeakMap<object, WeakMap<object, HandlerCache<Handler>>>();
const NO_PATH = {};

function cacheFor(
  read: LinearFastPath | undefined,
  write: LinearFastPath | undefined,
): HandlerCache<Handler> {
  if (read === undefined && write === undefined) return PLAIN;
  const first = read ?? NO_PATH;
  let byWrite = BY_PATHS.get(first);
  if (byWrite === undefined) {
    byWrite = new WeakMap();
    BY_PATHS.set(first, byWrite);
  }
  const second = write ?? NO_PATH;
  let cache = byWrite.get(second);
  if (cache === undefined) {
    cache = new HandlerCache();
    byWrite.set(second, cache);
  }
  return cache;
}

/**
 * A handler with `insn`'s operands baked in, for the forms covered here (32-bit operand size;
 * memory operands with 32-bit addressing), else undefined (the caller keeps the table handler).
 * `insn` must not have a LOCK prefix (the caller checks LOCK validity first). `read`/`write`:
 * the memory's TLB fast path (LinearMemory.fastPath) when reads / writes may use it directly
 * (writes only when a CPU write needs no epoch move of its own: with a code-page watch).
 */
export function bake(
  insn: Instruction,
  read?: LinearFastPath,
  write?: LinearFastPath,
): Handler | undefined {
  if (insn.hasLock) return undefined;
  // Operands that are addresses (the signature leaves them out): one closure per site.
  if (insn.code === Code.Call_rel32_32)
    return callRel32(insn.nextIp | 0, insn.nearBranchTarget | 0);
  const cache = cacheFor(read, write);
  const slot = cache.find(insn, 0);
  if (slot < 0) return cache.hit(slot);
  const made = bakeNew(insn, read, write);
  if (made !== undefined) cache.keep(slot, made);
  return made;
}

function bakeNew(
  insn: Instruction,
  read: LinearFastPath | undefined,
  write: LinearFastPath | undefined,
): Handler | undefined {
  fastRead = read;
  fastWrite = write;
  const code = insn.code;
  const op0 = insn.op0Kind;
  const op1 = insn.op1Kind;
  const isMem0 = op0 === OpKind.Memory;
  const isMem1 = insn.opCount > 1 && op1 === OpKind.Memory;
  const r0 = op0 === OpKind.Register ? reg32(insn.op0Register) : -1;
  const r1 = insn.opCount > 1 && op1 === OpKind.Register ? reg32(insn.op1Register) : -1;
  const f = FORM[code]!;
  if (f !== 0) {
    const op = FORM_OP[code]!;
    const store = FORM_STORE[code] === 1;
    if (f === F_RM_R || f === F_R_RM) {
      if (r0 >= 0 && r1 >= 0) return aluRR(op, store, r0, r1);
      if (f === F_R_RM && r0 >= 0 && isMem1) {
        const m = memOf(insn);
        return m === undefined ? undefined : aluRM32(m, op, store, r0);
      }
      if (f === F_RM_R && !store && isMem0 && r1 >= 0) {
        const m = memOf(insn);
        return m === undefined ? undefined : cmpMem(m, op, 4, r1, 0);
      }
      return undefined;
    }
    if (f === F_RM_I) {
      if (r0 >= 0) return aluRI(op, store, r0, insn.immediate | 0);
      if (!store && isMem0) {
        const m = memOf(insn);
        return m === undefined ? undefined : cmpMem(m, op, 4, -1, insn.immediate | 0);
      }
      return undefined;
    }
    if (!isMem0) return undefined;
    const m = memOf(insn);
    if (m === undefined) return undefined;
    if (f === F_RM8_I) return cmpMem(m, op, 1, -1, insn.immediate & 0xff);
    return cmpMem(m, op, 1, reg8Index(insn.op1Register), 0);
  }
  switch (code) {
    case Code.Mov_r32_rm32:
    case Code.Mov_rm32_r32:
      if (r0 >= 0 && r1 >= 0) return movRR(r0, r1);
      if (r0 >= 0 && isMem1) return withMem(insn, (m) => load32(m, r0));
      if (isMem0 && r1 >= 0) return withMem(insn, (m) => store32(m, r1));
      return undefined;
    case Code.Mov_r32_imm32:
    case Code.Mov_rm32_imm32: {
      const v = insn.immediate | 0;
      if (r0 >= 0) return movRI(r0, v);
      if (isMem0) return withMem(insn, (m) => store32Imm(m, v));
      return undefined;
    }
    case Code.Movzx_r32_rm8:
    case Code.Movsx_r32_rm8:
    case Code.Movzx_r32_rm16:
    case Code.Movsx_r32_rm16: {
      if (r0 < 0 || !isMem1) return undefined;
      const size = code === Code.Movzx_r32_rm8 || code === Code.Movsx_r32_rm8 ? 1 : 2;
      const signed = code === Code.Movsx_r32_rm8 || code === Code.Movsx_r32_rm16;
      return withMem(insn, (m) => loadExtend(m, r0, size, signed));
    }
    case Code.Mov_r8_rm8:
      if (op0 === OpKind.Register && isMem1) {
        const b = reg8Index(insn.op0Register);
        return withMem(insn, (m) => load8(m, b));
      }
      return undefined;
    case Code.Mov_rm8_r8:
      if (isMem0 && op1 === OpKind.Register) {
        const b = reg8Index(insn.op1Register);
        return withMem(insn, (m) => store8(m, b));
      }
      return undefined;
    case Code.Mov_rm8_imm8:
      if (isMem0) {
        const v = insn.immediate & 0xff;
        return withMem(insn, (m) => store8Imm(m, v));
      }
      return undefined;
    case Code.Lea_r32_m:
      // handlers/integer-move.ts lea with 32-bit operand and address sizes.
      if (r0 >= 0 && isMem1) {
        return withMem(insn, ({ base, index, scale, disp }) => (s) => {
          s.regs[r0] = ea32(s, base, index, scale, disp);
        });
      }
      return undefined;
    case Code.Inc_r32:
    case Code.Inc_rm32:
      return r0 >= 0 ? inc32(r0) : undefined;
    case Code.Dec_r32:
    case Code.Dec_rm32:
      return r0 >= 0 ? dec32(r0) : undefined;
    case Code.Push_r32:
      return r0 >= 0 ? pushR(r0) : undefined;
    case Code.Retnd:
      // fast.ts's RET reads nothing from the instruction: shared as it is.
      return fastAnyOperands.Retnd;
    case Code.Pop_r32:
      return r0 >= 0 ? popR(r0) : undefined;
    case Code.Shl_rm32_1:
    case Code.Shl_rm32_imm8:
    case Code.Shr_rm32_1:
    case Code.Shr_rm32_imm8:
    case Code.Sar_rm32_1:
    case Code.Sar_rm32_imm8: {
      if (r0 < 0) return undefined;
      const count =
        code === Code.Shl_rm32_1 || code === Code.Shr_rm32_1 || code === Code.Sar_rm32_1
          ? 1
          : insn.immediate & 0xff;
      if (code === Code.Shl_rm32_1 || code === Code.Shl_rm32_imm8) return shl32(r0, count);
      if (code === Code.Shr_rm32_1 || code === Code.Shr_rm32_imm8) return shr32(r0, count);
      return sar32(r0, count);
    }
    default:
      return undefined;
  }
}

function withMem(insn: Instruction, make: (m: Mem) => Handler): Handler | undefined {
  const m = memOf(insn);
  return m === undefined ? undefined : make(m);
}

/** fast.ts's CALL rel32 in 32-bit code, with the return address and the target baked in. */
function callRel32(nextIp: number, target: number): Handler {
  const next = nextIp | 0; // int32 (a Smi): passed to push32 unboxed
  return (s) => {
    push32(s, next);
    jumpNear(s, target);
  };
}

function movRR(d: number, r: number): Handler {
  return (s) => {
    s.regs[d] = s.regs[r]!;
  };
}
function movRI(d: number, v: number): Handler {
  return (s) => {
    s.regs[d] = v;
  };
}
function inc32(d: number): Handler {
  return (s) => {
    s.regs[d] = alu.inc(s, s.regs[d]!, 31);
  };
}
function dec32(d: number): Handler {
  return (s) => {
    s.regs[d] = alu.dec(s, s.regs[d]!, 31);
  };
}
function pushR(r: number): Handler {
  const fw = fastWrite;
  if (fw === undefined) return (s) => push32(s, s.regs[r]!);
  return (s) => pushFast(s, s.regs[r]!, fw);
}
function popR(d: number): Handler {
  const fr = fastRead;
  // The value is popped (ESP incremented) before the register is written: POP ESP loads it.
  if (fr === undefined) {
    return (s) => {
      const v = pop32(s);
      s.regs[d] = v;
    };
  }
  return (s) => {
    const v = popFast(s, fr);
    s.regs[d] = v;
  };
}
function shl32(d: number, count: number): Handler {
  return (s) => {
    s.regs[d] = alu.shl(s, s.regs[d]!, count, 31);
  };
}
function shr32(d: number, count: number): Handler {
  return (s) => {
    s.regs[d] = alu.shr(s, s.regs[d]!, count, 31);
  };
}
function sar32(d: number, count: number): Handler {
  return (s) => {
    s.regs[d] = alu.sar(s, s.regs[d]!, count, 31);
  };
}

// ---- fused "flag-setting register form + Jcc" pairs ----

/**
 * A register-only form fused with the Jcc right after it in a block: runs the form (the same
 * alu.ts routine and register write as its baked handler) and returns whether the Jcc with
 * condition `cc` is taken, tested on the flags the form just recorded (testCondition, as the run
 * loop tests a Jcc). Register-only forms cannot fault, so the pair needs no rollback between the
 * two. The run loop retires both (block-cache.ts K_FUSED).
 */
export type FusedHandler = (s: CpuState) => boolean;

/** The fused form of `insn` + Jcc `cc`, for the forms below, else undefined. */
export function bakeFused(insn: Instruction, cc: number): FusedHandler | undefined {
  if (insn.hasLock) return undefined;
  const slot = FUSED.find(insn, cc);
  if (slot < 0) return FUSED.hit(slot);
  const made = bakeFusedNew(insn, cc);
  if (made !== undefined) FUSED.keep(slot, made);
  return made;
}

function bakeFusedNew(insn: Instruction, cc: number): FusedHandler | undefined {
  const code = insn.code;
  const r0 = insn.op0Kind === OpKind.Register ? reg32(insn.op0Register) : -1;
  if (r0 < 0) return undefined;
  const r1 = insn.opCount > 1 && insn.op1Kind === OpKind.Register ? reg32(insn.op1Register) : -1;
  const f = FORM[code]!;
  if (f === F_RM_R || f === F_R_RM) {
    return r1 >= 0 ? fusedAlu(FORM_OP[code]!, FORM_STORE[code] === 1, r0, r1, 0, cc) : undefined;
  }
  if (f === F_RM_I) {
    return fusedAlu(FORM_OP[code]!, FORM_STORE[code] === 1, r0, -1, insn.immediate | 0, cc);
  }
  switch (code) {
    case Code.Inc_r32:
    case Code.Inc_rm32:
      return (s) => {
        s.regs[r0] = alu.inc(s, s.regs[r0]!, 31);
        return testCondition(s, cc);
      };
    case Code.Dec_r32:
    case Code.Dec_rm32:
      return (s) => {
        s.regs[r0] = alu.dec(s, s.regs[r0]!, 31);
        return testCondition(s, cc);
      };
    case Code.Shr_rm32_1:
    case Code.Shr_rm32_imm8: {
      const count = code === Code.Shr_rm32_1 ? 1 : insn.immediate & 0xff;
      return (s) => {
        s.regs[r0] = alu.shr(s, s.regs[r0]!, count, 31);
        return testCondition(s, cc);
      };
    }
    case Code.Shl_rm32_1:
    case Code.Shl_rm32_imm8: {
      const count = code === Code.Shl_rm32_1 ? 1 : insn.immediate & 0xff;
      return (s) => {
        s.regs[r0] = alu.shl(s, s.regs[r0]!, count, 31);
        return testCondition(s, cc);
      };
    }
    default:
      return undefined;
  }
}

/** `op r32, r32` (`r` >= 0) or `op r32, imm` (`v`), then the Jcc test. */
function fusedAlu(
  op: number,
  store: boolean,
  d: number,
  r: number,
  v: number,
  cc: number,
): FusedHandler | undefined {
  if (r >= 0) {
    if (!store) {
      if (op === AluOp.Sub) {
        return (s) => {
          alu.sub(s, s.regs[d]!, s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      }
      if (op === AluOp.And) {
        return (s) => {
          alu.logic(s, s.regs[d]! & s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      }
      return undefined;
    }
    switch (op) {
      case AluOp.Add:
        return (s) => {
          s.regs[d] = alu.add(s, s.regs[d]!, s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      case AluOp.Sub:
        return (s) => {
          s.regs[d] = alu.sub(s, s.regs[d]!, s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      case AluOp.And:
        return (s) => {
          s.regs[d] = alu.logic(s, s.regs[d]! & s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      case AluOp.Or:
        return (s) => {
          s.regs[d] = alu.logic(s, s.regs[d]! | s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      case AluOp.Xor:
        return (s) => {
          s.regs[d] = alu.logic(s, s.regs[d]! ^ s.regs[r]!, 31);
          return testCondition(s, cc);
        };
      default:
        return undefined;
    }
  }
  if (!store) {
    if (op === AluOp.Sub) {
      return (s) => {
        alu.sub(s, s.regs[d]!, v, 31);
        return testCondition(s, cc);
      };
    }
    if (op === AluOp.And) {
      return (s) => {
        alu.logic(s, s.regs[d]! & v, 31);
        return testCondition(s, cc);
      };
    }
    return undefined;
  }
  switch (op) {
    case AluOp.Add:
      return (s) => {
        s.regs[d] = alu.add(s, s.regs[d]!, v, 31);
        return testCondition(s, cc);
      };
    case AluOp.Sub:
      return (s) => {
        s.regs[d] = alu.sub(s, s.regs[d]!, v, 31);
        return testCondition(s, cc);
      };
    case AluOp.And:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! & v, 31);
        return testCondition(s, cc);
      };
    case AluOp.Or:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! | v, 31);
        return testCondition(s, cc);
      };
    case AluOp.Xor:
      return (s) => {
        s.regs[d] = alu.logic(s, s.regs[d]! ^ v, 31);
        return testCondition(s, cc);
      };
    default:
      return undefined;
  }
}

// ---- compact forms: for code that runs too rarely to stay in cache ----
//
// The commonest of the forms above again, as data instead of closures: an integer word (form,
// registers, operation, segment, scale) and a small-integer argument (the immediate or the
// displacement) that a caller keeps in its own slots, run by `runCompact`, a single function.
// A closure costs its call one load of the function object and its body one of the context that
// holds the operands; for code run a few hundred times in all (a kernel's init code) both are
// cache misses, while the word and argument sit next to the caller's other per-instruction data.
// Same semantics as the closures: the same alu.ts routines, segment check and memory fast path.

/**
 * The extended forms, their kind at W_KIND (X_*): CMOVcc r32, r/m32; register forms (X_REG:
 * SETcc r8, NOT, NEG, BSWAP, IMUL r32, r32, imm); a read-modify-write of a 32-bit memory operand
 * by a register (or NOT, NEG, INC, DEC), or by an immediate (then in the word, 8 bits signed,
 * and the displacement the argument). Words keep to 30 bits, as all compact words do: a small
 * integer on every V8, never a heap number.
 */
const C_X = 0;
const C_MOV_RR = 1;
const C_MOV_RI = 2;
const C_ALU_RR = 3;
const C_ALU_RI = 4;
const C_LOAD = 5;
const C_STORE = 6;
const C_LEA = 7;
const C_ALU_RM = 8;
const C_CMP_MR = 9;
const C_LOAD_X = 10;
const C_CALL = 11;
const C_STORE_I = 12;
const C_CMP_MI = 13;
const C_ALU8 = 14;
/**
 * Register forms without a ModRM memory operand: PUSH/POP r32, RET, INC/DEC r32, shifts and
 * rotates of a register by a constant (the count as the argument) or by CL (W_CL), PUSH imm,
 * LEAVE, MOVZX/MOVSX r32 from a register; the operation at W_SUB (R_*). The stack forms need
 * the memory's fast path as the memory forms do.
 */
const C_REG = 15;
/** Bits of a compact word: form, then (register forms) destination, source, ALU op, store. */
const W_D = 4;
const W_R = 7;
const W_OP = 10;
const W_STORE = 1 << 14;
/** C_ALU_RR and C_ALU_RM's operation beyond AluOp's: IMUL r32, r/m32 (always stored). */
const ALU_IMUL = 7;
/** ...(memory forms) the register, base + 1, index + 1, log2 scale, segment. */
const W_BASE = 7;
const W_INDEX = 11;
const W_SCALE = 15;
const W_SEG = 17;
/** ...then the ALU op and store (C_ALU_RM, C_CMP_MR), or size 2 and signed (C_LOAD_X). */
const W_MOP = 20;
const W_MSTORE = 1 << 24;
const W_WORD = 1 << 20;
const W_SIGNED = 1 << 21;
/**
 * C_STORE of a narrower register: W_WORD, register d's low 16 bits; W_STORE8, the byte
 * register at W_S8 (a `regs8` index, 4 bits). C_LOAD with W_PUSH: PUSH r/m32 (the value read
 * is pushed, no register written).
 */
const W_STORE8 = 1 << 21;
const W_S8 = 22;
const W_PUSH = 1 << 20;
/**
 * Memory forms with an immediate (C_STORE_I, C_CMP_MI): the displacement in the word's top bits
 * (W_DISP, 10 bits signed), the immediate as the argument; C_CMP_MI's TEST and 8-bit bits.
 */
const W_DISP = 20;
const W_TEST = 1 << 4;
const W_BYTE = 1 << 5;
/** C_STORE_I of 16 bits (W_BYTE: of 8). */
const W_HALF = 1 << 6;
/** C_X: the kind, the condition (X_CMOV, X_REG's SETcc) or X_RMW's operation (AluOp, RMW_*). */
const W_KIND = 28;
const X_CMOV = 0;
const X_REG = 1;
const X_RMW = 2;
const X_RMW_I = 3;
const W_XOP = 20;
/** X_CMOV from memory (its fields, the displacement the argument), else from register W_R. */
const W_XMEM = 1 << 24;
/**
 * X_REG's operation (XR_*, at W_XSUB) on register d (IMUL: from register W_R by the argument);
 * SETcc's byte register (a `regs8` index) at W_X8.
 */
const W_XSUB = 24;
const XR_SETCC = 0;
const XR_NOT = 1;
const XR_NEG = 2;
const XR_BSWAP = 3;
const XR_IMUL = 4;
const W_X8 = 7;
/** X_RMW's operations beyond AluOp's (no source register). */
const RMW_NOT = 8;
const RMW_NEG = 9;
const RMW_INC = 10;
const RMW_DEC = 11;
/** X_RMW_I's operation (an AluOp, or RMW_CMP: CMP, nothing written), its immediate at W_XIMM. */
const W_IOP = 4;
const W_XIMM = 20;
const RMW_CMP = 7;
/** C_LOAD_X of a byte into a byte register (MOV r8, m8): the `regs8` index at W_T8. */
const W_TO8 = 1 << 22;
const W_T8 = 23;
/** C_ALU8 (CMP/TEST of 8-bit registers): the register byte, the source byte, immediate, op. */
const W_A8 = 4;
const W_B8 = 8;
const W_IMM8 = 1 << 12;
const W_OP8 = 13;
/** C_REG's operation (bits W_SUB..W_SUB+3) and its register at W_D. */
const W_SUB = 7;
const R_PUSH = 0;
const R_POP = 1;
const R_RET = 2;
const R_INC = 3;
const R_DEC = 4;
/** A shift or rotate: R_SHIFT + its integer-logic.ts `Shift`. */
const R_SHIFT = 5;
/** Each shift and rotate as C_REG's operation (compactForm makes none of RCL and RCR: they read CF). */
const R_ROL = R_SHIFT + Shift.Rol;
const R_ROR = R_SHIFT + Shift.Ror;
const R_RCL = R_SHIFT + Shift.Rcl;
const R_RCR = R_SHIFT + Shift.Rcr;
const R_SHL = R_SHIFT + Shift.Shl;
const R_SHR = R_SHIFT + Shift.Shr;
/** PUSH imm (the argument), LEAVE, and MOVZX/MOVSX r32 from a register (the argument: `MOVX_*`). */
const R_PUSH_I = 13;
const R_LEAVE = 14;
const R_MOVX = 15;
/** R_MOVX's argument: the source (a `regs8` index, or with MOVX_WORD a register number), sign. */
const MOVX_WORD = 1 << 4;
const MOVX_SIGNED = 1 << 5;
/** C_REG's shifts and rotates: the count from CL instead of the argument. */
const W_CL = 1 << 11;
/** Forms whose argument is a memory operand's displacement (the others': an immediate). */
const C_MEMORY =
  (1 << C_LOAD) |
  (1 << C_STORE) |
  (1 << C_LEA) |
  (1 << C_ALU_RM) |
  (1 << C_CMP_MR) |
  (1 << C_LOAD_X);

/**
 * The compact word's fields, for code that runs compact forms itself (the recompiler's dense
 * cold tier runs some of them in WebAssembly over the same words and arguments).
 */
export const COMPACT_LAYOUT = {
  C_X,
  W_KIND,
  X_CMOV,
  X_REG,
  W_XSUB,
  XR_SETCC,
  XR_NOT,
  XR_NEG,
  XR_BSWAP,
  XR_IMUL,
  X_RMW,
  X_RMW_I,
  W_XOP,
  W_XMEM,
  W_X8,
  RMW_NOT,
  RMW_NEG,
  RMW_INC,
  RMW_DEC,
  W_IOP,
  W_XIMM,
  RMW_CMP,
  W_TO8,
  W_T8,
  C_MOV_RR,
  C_MOV_RI,
  C_ALU_RR,
  C_ALU_RI,
  C_LOAD,
  C_STORE,
  C_LEA,
  C_ALU_RM,
  C_CMP_MR,
  C_STORE_I,
  C_CMP_MI,
  C_REG,
  C_LOAD_X,
  C_ALU8,
  C_CALL,
  C_MEMORY,
  W_D,
  W_R,
  W_OP,
  W_STORE,
  W_BASE,
  W_INDEX,
  W_SCALE,
  W_SEG,
  W_MOP,
  W_MSTORE,
  W_DISP,
  W_TEST,
  W_BYTE,
  W_SUB,
  W_WORD,
  W_SIGNED,
  W_A8,
  W_B8,
  W_IMM8,
  W_OP8,
  W_STORE8,
  W_S8,
  W_PUSH,
  W_HALF,
  W_CL,
  ALU_IMUL,
  MOVX_WORD,
  MOVX_SIGNED,
  R_PUSH_I,
  R_LEAVE,
  R_MOVX,
  R_PUSH,
  R_POP,
  R_RET,
  R_INC,
  R_DEC,
  R_SHIFT,
  R_ROL,
  R_ROR,
  R_RCL,
  R_RCR,
  R_SHL,
  R_SHR,
} as const;

/** Whether `v` is a small integer on every V8 (31 bits): kept in an array without a box. */
function small(v: number): boolean {
  return v >= -0x40000000 && v < 0x40000000;
}

/**
 * The memory operand's fields of a compact word, or -1 (not a plain 32-bit address); `inWord`:
 * with the displacement in the word too (it must fit W_DISP's 10 bits).
 */
function compactMem(insn: Instruction, inWord = false): number {
  // memOf's checks without its object (one per instruction of every cold block built: ~18 MB
  // of a boot's garbage).
  if (!plainMem(insn)) return -1;
  const disp = insn.memDisplacement | 0;
  if (!small(disp) || (inWord && (disp < -512 || disp > 511))) return -1;
  return (
    ((memReg(insn.memBase) + 1) << W_BASE) |
    ((memReg(insn.memIndex) + 1) << W_INDEX) |
    (Math.log2(insn.memScale) << W_SCALE) |
    ((insn.memSegment - REG_ES) << W_SEG) |
    (inWord ? (disp & 0x3ff) << W_DISP : 0)
  );
}

/**
 * The compact word of `insn` (for `runCompact`, with `compactArg`), or -1 when it has no compact
 * form. `memory`: whether the caller has the memory's fast path (memory forms need it).
 */
export function compactForm(insn: Instruction, memory: boolean): number {
  if (insn.hasLock) return -1;
  const code = insn.code;
  const op0 = insn.op0Kind;
  const two = insn.opCount > 1;
  const r0 = op0 === OpKind.Register ? reg32(insn.op0Register) : -1;
  const r1 = two && insn.op1Kind === OpKind.Register ? reg32(insn.op1Register) : -1;
  const mem0 = memory && op0 === OpKind.Memory;
  const mem1 = memory && two && insn.op1Kind === OpKind.Memory;
  const f = FORM[code]!;
  if (f === F_RM_R || f === F_R_RM || f === F_RM_I) {
    const alu = (FORM_OP[code]! << W_OP) | (FORM_STORE[code] === 1 ? W_STORE : 0) | (r0 << W_D);
    if (f !== F_RM_I && r0 >= 0 && r1 >= 0) return C_ALU_RR | alu | (r1 << W_R);
    if (f === F_RM_I && r0 >= 0 && small(insn.immediate | 0)) return C_ALU_RI | alu;
    const memAlu = (FORM_OP[code]! << W_MOP) | (FORM_STORE[code] === 1 ? W_MSTORE : 0);
    let mm: number;
    if (f === F_R_RM && r0 >= 0 && mem1 && (mm = compactMem(insn)) >= 0)
      return C_ALU_RM | mm | memAlu | (r0 << W_D);
    if (f === F_RM_R && FORM_STORE[code] === 0 && mem0 && r1 >= 0 && (mm = compactMem(insn)) >= 0)
      return C_CMP_MR | mm | memAlu | (r1 << W_D);
    if (f === F_RM_I && FORM_STORE[code] === 0 && mem0 && small(insn.immediate | 0)) {
      if ((mm = compactMem(insn, true)) >= 0)
        return C_CMP_MI | mm | (FORM_OP[code] === AluOp.Test ? W_TEST : 0);
    }
    if (!mem0 || (mm = compactMem(insn)) < 0) return -1;
    // Read-modify-write of memory (X_RMW, X_RMW_I), and CMP with a displacement too wide for
    // C_CMP_MI (its immediate in the word instead).
    if (f === F_RM_R && FORM_STORE[code] === 1 && r1 >= 0)
      return C_X | (X_RMW << W_KIND) | mm | (FORM_OP[code]! << W_XOP) | (r1 << W_D);
    const v = insn.immediate | 0;
    if (f !== F_RM_I || v < -128 || v > 127) return -1;
    const iop =
      FORM_STORE[code] === 1 ? FORM_OP[code]! : FORM_OP[code] === AluOp.Cmp ? RMW_CMP : -1;
    if (iop < 0) return -1;
    return C_X | (X_RMW_I << W_KIND) | mm | (iop << W_IOP) | ((v & 0xff) << W_XIMM);
  }
  if (f === F_RM8_I || f === F_RM8_R) {
    const test = FORM_OP[code] === AluOp.Test;
    if (op0 === OpKind.Register) {
      const a = reg8Index(insn.op0Register) << W_A8;
      const alu8 = C_ALU8 | a | (FORM_OP[code]! << W_OP8);
      return f === F_RM8_I ? alu8 | W_IMM8 : alu8 | (reg8Index(insn.op1Register) << W_B8);
    }
    let mm: number;
    if (f === F_RM8_I && mem0 && (mm = compactMem(insn, true)) >= 0)
      return C_CMP_MI | mm | W_BYTE | (test ? W_TEST : 0);
    return -1;
  }
  const sub = REG_SUB[code]!;
  if ((sub === R_INC || sub === R_DEC) && mem0) {
    const mm = compactMem(insn);
    if (mm < 0) return -1;
    return C_X | (X_RMW << W_KIND) | mm | ((sub === R_INC ? RMW_INC : RMW_DEC) << W_XOP);
  }
  const cond = CMOV_CC[code]!;
  if (cond >= 0) {
    if (r0 < 0) return -1;
    const x = C_X | (X_CMOV << W_KIND) | (cond << W_XOP) | (r0 << W_D);
    if (r1 >= 0) return x | (r1 << W_R);
    const mm = mem1 ? compactMem(insn) : -1;
    return mm < 0 ? -1 : x | W_XMEM | mm;
  }
  const setCond = SETCC_CC[code]!;
  if (setCond >= 0) {
    if (op0 !== OpKind.Register) return -1;
    return C_X | (X_REG << W_KIND) | (setCond << W_XOP) | (reg8Index(insn.op0Register) << W_X8);
  }
  if (sub >= 0) {
    // The stack forms read or write memory; the others need a 32-bit register.
    if (sub <= R_RET) return memory && (sub === R_RET || r0 >= 0) ? regWord(sub, r0) : -1;
    if (sub === R_LEAVE) return memory ? regWord(sub, 0) : -1;
    if (sub === R_PUSH_I) return memory && small(insn.immediate | 0) ? regWord(sub, 0) : -1;
    if (r0 < 0) return -1;
    return regWord(sub, r0) | (COUNT_CL.has(code) ? W_CL : 0);
  }
  let m: number;
  switch (code) {
    case Code.Call_rel32_32:
      return small(insn.nearBranchTarget | 0) ? C_CALL : -1;
    case Code.Movzx_r32_rm8:
    case Code.Movsx_r32_rm8:
    case Code.Movzx_r32_rm16:
    case Code.Movsx_r32_rm16:
      if (r0 >= 0 && two && insn.op1Kind === OpKind.Register) return regWord(R_MOVX, r0);
      if (r0 < 0 || !mem1 || (m = compactMem(insn)) < 0) return -1;
      return (
        C_LOAD_X |
        m |
        (r0 << W_D) |
        (code === Code.Movzx_r32_rm16 || code === Code.Movsx_r32_rm16 ? W_WORD : 0) |
        (code === Code.Movsx_r32_rm8 || code === Code.Movsx_r32_rm16 ? W_SIGNED : 0)
      );
    case Code.Mov_r32_rm32:
    case Code.Mov_rm32_r32:
      if (r0 >= 0 && r1 >= 0) return C_MOV_RR | (r0 << W_D) | (r1 << W_R);
      if (r0 >= 0 && mem1 && (m = compactMem(insn)) >= 0) return C_LOAD | m | (r0 << W_D);
      if (mem0 && r1 >= 0 && (m = compactMem(insn)) >= 0) return C_STORE | m | (r1 << W_D);
      return -1;
    case Code.Mov_rm16_r16:
      if (!mem0 || insn.op1Kind !== OpKind.Register || (m = compactMem(insn)) < 0) return -1;
      return C_STORE | W_WORD | m | ((insn.op1Register - REG_AX) << W_D);
    case Code.Mov_rm8_r8:
      if (!mem0 || insn.op1Kind !== OpKind.Register || (m = compactMem(insn)) < 0) return -1;
      return C_STORE | W_STORE8 | m | (reg8Index(insn.op1Register) << W_S8);
    case Code.Mov_rm8_imm8:
    case Code.Mov_rm16_imm16:
      if (!mem0 || (m = compactMem(insn, true)) < 0) return -1;
      return C_STORE_I | m | (code === Code.Mov_rm8_imm8 ? W_BYTE : W_HALF);
    case Code.Push_rm32:
      return memory && mem0 && (m = compactMem(insn)) >= 0 ? C_LOAD | W_PUSH | m : -1;
    case Code.Mov_r8_rm8:
      if (!mem1 || (m = compactMem(insn)) < 0) return -1;
      return C_LOAD_X | W_TO8 | m | (reg8Index(insn.op0Register) << W_T8);
    case Code.Not_rm32:
    case Code.Neg_rm32:
      if (r0 >= 0) return xReg(code === Code.Not_rm32 ? XR_NOT : XR_NEG, r0);
      if (!mem0 || (m = compactMem(insn)) < 0) return -1;
      return C_X | (X_RMW << W_KIND) | m | ((code === Code.Not_rm32 ? RMW_NOT : RMW_NEG) << W_XOP);
    case Code.Bswap_r32:
      return xReg(XR_BSWAP, r0);
    case Code.Imul_r32_rm32_imm8:
    case Code.Imul_r32_rm32_imm32:
      if (r0 < 0 || r1 < 0 || !small(insn.immediate | 0)) return -1;
      return xReg(XR_IMUL, r0) | (r1 << W_R);
    case Code.Nopw:
    case Code.Nopd:
    case Code.Nop_rm16:
    case Code.Nop_rm32:
      // NOP (90, 66 90, 0F 1F /0: no operand accessed) as MOV EAX, EAX, which changes nothing.
      return C_MOV_RR;
    case Code.Imul_r32_rm32: {
      const imul = (ALU_IMUL << W_OP) | W_STORE | (r0 << W_D);
      if (r0 >= 0 && r1 >= 0) return C_ALU_RR | imul | (r1 << W_R);
      if (r0 >= 0 && mem1 && (m = compactMem(insn)) >= 0)
        return C_ALU_RM | m | (ALU_IMUL << W_MOP) | W_MSTORE | (r0 << W_D);
      return -1;
    }
    case Code.Mov_r32_imm32:
    case Code.Mov_rm32_imm32:
      if (!small(insn.immediate | 0)) return -1;
      if (r0 >= 0) return C_MOV_RI | (r0 << W_D);
      if (mem0 && (m = compactMem(insn, true)) >= 0) return C_STORE_I | m;
      return -1;
    case Code.Mov_EAX_moffs32:
      return mem1 && (m = compactMem(insn)) >= 0 ? C_LOAD | m : -1;
    case Code.Mov_moffs32_EAX:
      return mem0 && (m = compactMem(insn)) >= 0 ? C_STORE | m : -1;
    case Code.Cmp_AL_imm8:
    case Code.Test_AL_imm8:
      return C_ALU8 | W_IMM8 | ((code === Code.Test_AL_imm8 ? AluOp.Test : AluOp.Cmp) << W_OP8);
    case Code.Lea_r32_m:
      // Its operand is an address, not an access: no fast path needed.
      if (r0 >= 0 && two && insn.op1Kind === OpKind.Memory && (m = compactMem(insn)) >= 0)
        return C_LEA | m | (r0 << W_D);
      return -1;
    default:
      return -1;
  }
}

/**
 * By code, -1 where none: C_REG's operation; the condition (Jcc order) of CMOVcc r32, r/m32 and
 * of SETcc r/m8. Typed arrays: `compactForm` looks up every instruction of every cold block, and
 * an object's missing integer key is a slow lookup.
 */
const REG_SUB = new Int8Array(CODE_COUNT).fill(-1);
const CMOV_CC = new Int8Array(CODE_COUNT).fill(-1);
const SETCC_CC = new Int8Array(CODE_COUNT).fill(-1);
for (const [code, sub] of [
  [Code.Push_r32, R_PUSH],
  [Code.Pop_r32, R_POP],
  [Code.Retnd, R_RET],
  [Code.Inc_r32, R_INC],
  [Code.Inc_rm32, R_INC],
  [Code.Dec_r32, R_DEC],
  [Code.Dec_rm32, R_DEC],
  [Code.Pushd_imm8, R_PUSH_I],
  [Code.Pushd_imm32, R_PUSH_I],
  [Code.Leaved, R_LEAVE],
] as const)
  REG_SUB[code] = sub;
for (let cc = 0; cc < 16; cc++) {
  const codes = Code as unknown as Record<string, number>;
  CMOV_CC[codes[`Cmov${COND_NAMES[cc]}_r32_rm32`]!] = cc;
  SETCC_CC[codes[`Set${COND_NAMES[cc]}_rm8`]!] = cc;
}
/** The `_1` shift and rotate forms (count 1, no immediate byte). */
const COUNT_ONE = new Set<number>();
for (const [one, imm8, op] of [
  [Code.Shl_rm32_1, Code.Shl_rm32_imm8, Shift.Shl],
  [Code.Sal_rm32_1, Code.Sal_rm32_imm8, Shift.Shl],
  [Code.Shr_rm32_1, Code.Shr_rm32_imm8, Shift.Shr],
  [Code.Sar_rm32_1, Code.Sar_rm32_imm8, Shift.Sar],
  [Code.Rol_rm32_1, Code.Rol_rm32_imm8, Shift.Rol],
  [Code.Ror_rm32_1, Code.Ror_rm32_imm8, Shift.Ror],
] as const) {
  REG_SUB[one] = REG_SUB[imm8] = R_SHIFT + op;
  COUNT_ONE.add(one);
}
/** The `_CL` shift and rotate forms (count from CL: W_CL). */
const COUNT_CL = new Set<number>();
for (const [cl, op] of [
  [Code.Shl_rm32_CL, Shift.Shl],
  [Code.Sal_rm32_CL, Shift.Shl],
  [Code.Shr_rm32_CL, Shift.Shr],
  [Code.Sar_rm32_CL, Shift.Sar],
  [Code.Rol_rm32_CL, Shift.Rol],
  [Code.Ror_rm32_CL, Shift.Ror],
] as const) {
  REG_SUB[cl] = R_SHIFT + op;
  COUNT_CL.add(cl);
}

function xReg(sub: number, r: number): number {
  return C_X | (X_REG << W_KIND) | (sub << W_XSUB) | (r << W_D);
}

function regWord(sub: number, r: number): number {
  return C_REG | (sub << W_SUB) | ((r < 0 ? 0 : r) << W_D);
}

/** The argument `runCompact` takes with `compactForm(insn)`'s word. */
export function compactArg(insn: Instruction, word: number): number {
  const form = word & 15;
  if (form === C_X) {
    // X_REG's IMUL: the immediate; the other register forms have no displacement (0).
    const reg = ((word >>> W_KIND) & 3) === X_REG;
    return reg && ((word >>> W_XSUB) & 15) === XR_IMUL
      ? insn.immediate | 0
      : insn.memDisplacement | 0;
  }
  if (form === C_REG) {
    const sub = (word >>> W_SUB) & 15;
    if (sub === R_PUSH_I) return insn.immediate | 0;
    if (sub === R_MOVX) return movxArg(insn);
    return COUNT_ONE.has(insn.code) ? 1 : insn.immediate & 0xff;
  }
  if (form === C_CALL) return insn.nearBranchTarget | 0;
  if (form === C_ALU8 || (form === C_CMP_MI && (word & W_BYTE) !== 0)) return insn.immediate & 0xff;
  if (form === C_STORE_I && (word & W_BYTE) !== 0) return insn.immediate & 0xff;
  if (form === C_STORE_I && (word & W_HALF) !== 0) return insn.immediate & 0xffff;
  if (form === C_STORE_I || form === C_CMP_MI) return insn.immediate | 0;
  return ((C_MEMORY >>> (word & 15)) & 1) !== 0 ? insn.memDisplacement | 0 : insn.immediate | 0;
}

/** R_MOVX's argument for MOVZX/MOVSX r32 from register operand 1. */
function movxArg(insn: Instruction): number {
  const code = insn.code;
  const signed = code === Code.Movsx_r32_rm8 || code === Code.Movsx_r32_rm16 ? MOVX_SIGNED : 0;
  if (code === Code.Movzx_r32_rm16 || code === Code.Movsx_r32_rm16)
    return MOVX_WORD | signed | (insn.op1Register - REG_AX);
  return signed | reg8Index(insn.op1Register);
}

/**
 * Runs the instruction whose compact word is `w` and argument `arg`; `fast`: the memory's TLB
 * fast path (reads and writes), needed by memory forms. CALL rel32 pushes EIP: the caller has
 * set it to the next instruction's, as the block loops do before a form that moves EIP.
 */
export function runCompact(s: CpuState, w: number, arg: number, fast: LinearFastPath): void {
  const regs = s.regs;
  const d = (w >>> W_D) & 7;
  switch (w & 15) {
    case C_MOV_RR:
      regs[d] = regs[(w >>> W_R) & 7]!;
      return;
    case C_MOV_RI:
      regs[d] = arg;
      return;
    case C_ALU_RR:
    case C_ALU_RI: {
      const b = (w & 15) === C_ALU_RR ? regs[(w >>> W_R) & 7]! : arg;
      const op = (w >>> W_OP) & 15;
      const v = op === ALU_IMUL ? alu.imul32(s, regs[d]!, b) : aluOp(s, op, regs[d]!, b, 31);
      if ((w & W_STORE) !== 0) regs[d] = v;
      return;
    }
    case C_CALL:
      push32(s, s.eip | 0); // int32: eip is a uint32 double field, boxed for a call
      jumpNear(s, arg);
      return;
    case C_ALU8: {
      const a = s.regs8[(w >>> W_A8) & 15]!;
      const b = (w & W_IMM8) !== 0 ? arg : s.regs8[(w >>> W_B8) & 15]!;
      aluOp(s, (w >>> W_OP8) & 15, a, b, 7);
      return;
    }
    case C_REG:
      runRegForm(s, (w >>> W_SUB) & 15, d, (w & W_CL) !== 0 ? s.regs8[4]! : arg, fast);
      return;
    case C_X:
      runExtended(s, w, arg, fast);
      return;
  }
  const ea = compactEa(s, w, (C_MEMORY >>> (w & 15)) & 1 ? arg : (w << 2) >> (W_DISP + 2));
  const seg = (w >>> W_SEG) & 7;
  switch (w & 15) {
    case C_LEA:
      regs[d] = ea | 0;
      return;
    case C_LOAD:
      if ((w & W_PUSH) !== 0) pushFast(s, read32(s, seg, ea, fast), fast);
      else regs[d] = read32(s, seg, ea, fast);
      return;
    case C_ALU_RM: {
      const op = (w >>> W_MOP) & 15;
      const v = read32(s, seg, ea, fast);
      const r = op === ALU_IMUL ? alu.imul32(s, regs[d]!, v) : aluOp(s, op, regs[d]!, v, 31);
      if ((w & W_MSTORE) !== 0) regs[d] = r;
      return;
    }
    case C_CMP_MR:
      aluOp(s, (w >>> W_MOP) & 15, read32(s, seg, ea, fast), regs[d]!, 31);
      return;
    case C_LOAD_X:
      if ((w & W_TO8) !== 0) s.regs8[(w >>> W_T8) & 15] = read8(s, seg, ea, fast);
      else if ((w & W_WORD) === 0) {
        const v = read8(s, seg, ea, fast);
        regs[d] = (w & W_SIGNED) !== 0 ? (v << 24) >> 24 : v;
      } else {
        const v = s.memory.read16(segLinear(s, seg, 1 << seg, ea, 2, false));
        regs[d] = (w & W_SIGNED) !== 0 ? (v << 16) >> 16 : v;
      }
      return;
    case C_STORE:
      if ((w & (W_WORD | W_STORE8)) === 0) write32(s, seg, ea, regs[d]! | 0, fast);
      else if ((w & W_WORD) !== 0) write16(s, seg, ea, s.regs16[d << 1]!, fast);
      else write8(s, seg, ea, s.regs8[(w >>> W_S8) & 15]!, fast);
      return;
    case C_STORE_I:
      if ((w & (W_BYTE | W_HALF)) === 0) write32(s, seg, ea, arg, fast);
      else if ((w & W_HALF) !== 0) write16(s, seg, ea, arg, fast);
      else write8(s, seg, ea, arg, fast);
      return;
    case C_CMP_MI: {
      const op = (w & W_TEST) !== 0 ? AluOp.Test : AluOp.Cmp;
      if ((w & W_BYTE) !== 0) aluOp(s, op, read8(s, seg, ea, fast), arg, 7);
      else aluOp(s, op, read32(s, seg, ea, fast), arg, 31);
      return;
    }
    default:
      throw new Error(`runCompact: no compact form ${w & 15}`);
  }
}

/** C_X's forms (the kind at W_KIND). */
function runExtended(s: CpuState, w: number, arg: number, fast: LinearFastPath): void {
  const kind = (w >>> W_KIND) & 3;
  const seg = (w >>> W_SEG) & 7;
  if (kind === X_REG) {
    runXReg(s, w, arg);
  } else if (kind === X_CMOV) {
    // The source is read (and may fault) whatever the condition.
    const v =
      (w & W_XMEM) !== 0 ? read32(s, seg, compactEa(s, w, arg), fast) : s.regs[(w >>> W_R) & 7]!;
    if (testCondition(s, (w >>> W_XOP) & 15)) s.regs[(w >>> W_D) & 7] = v;
  } else if (kind === X_RMW) {
    const v = s.regs[(w >>> W_D) & 7]!;
    readModifyWrite(s, seg, compactEa(s, w, arg), (w >>> W_XOP) & 15, v, fast);
  } else {
    const op = (w >>> W_IOP) & 7;
    const v = (w << (24 - W_XIMM)) >> 24;
    const ea = compactEa(s, w, arg);
    if (op === RMW_CMP) alu.sub(s, read32(s, seg, ea, fast), v, 31);
    else readModifyWrite(s, seg, ea, op, v, fast);
  }
}

/** X_REG's forms (the operation at W_XSUB). */
function runXReg(s: CpuState, w: number, arg: number): void {
  const regs = s.regs;
  const d = (w >>> W_D) & 7;
  switch ((w >>> W_XSUB) & 15) {
    case XR_SETCC:
      s.regs8[(w >>> W_X8) & 15] = testCondition(s, (w >>> W_XOP) & 15) ? 1 : 0;
      return;
    case XR_NOT:
      regs[d] = ~regs[d]!;
      return;
    case XR_NEG:
      regs[d] = alu.neg(s, regs[d]!, 31);
      return;
    case XR_BSWAP:
      regs[d] = alu.bswap32(regs[d]!);
      return;
    default:
      regs[d] = alu.imul32(s, regs[(w >>> W_R) & 7]!, arg);
  }
}

/**
 * X_RMW's operation `op` on the dword at `ea` (source `v`), as the interpreter's memory forms:
 * the read, the write probed, the flags, the write (through the fast path when it may write).
 */
function readModifyWrite(
  s: CpuState,
  seg: number,
  ea: number,
  op: number,
  v: number,
  fast: LinearFastPath,
): void {
  const lin = segLinear(s, seg, 0x100 << seg, ea, 4, true);
  const e = fast.tlb[lin >>> 12]!;
  if ((e & fast.masks[1]!) === 1 && (lin & 3) === 0) {
    const h = ((e & ~0xfff) | (lin & 0xfff)) >> 2;
    fast.i32[h] = modify(s, op, fast.i32[h]!, v);
    return;
  }
  const a = readLinear(s, lin, 31);
  probeWrite(s, lin, 31);
  writeLinear(s, lin, modify(s, op, a, v), 31);
}

function modify(s: CpuState, op: number, a: number, v: number): number {
  switch (op) {
    case RMW_NOT:
      return ~a;
    case RMW_NEG:
      return alu.neg(s, a, 31);
    case RMW_INC:
      return alu.inc(s, a, 31);
    case RMW_DEC:
      return alu.dec(s, a, 31);
    default:
      return aluOp(s, op, a, v, 31);
  }
}

/** C_REG's operation `sub` on register `d` (`arg`: a shift or rotate count). */
function runRegForm(s: CpuState, sub: number, d: number, arg: number, fast: LinearFastPath): void {
  const regs = s.regs;
  switch (sub) {
    case R_PUSH:
      pushFast(s, regs[d]!, fast);
      return;
    case R_POP: {
      // Popped (ESP incremented) before the register is written: POP ESP loads the value.
      const v = popFast(s, fast);
      regs[d] = v;
      return;
    }
    case R_RET:
      jumpNear(s, popFast(s, fast));
      return;
    case R_INC:
      regs[d] = alu.inc(s, regs[d]!, 31);
      return;
    case R_DEC:
      regs[d] = alu.dec(s, regs[d]!, 31);
      return;
    case R_PUSH_I:
      pushFast(s, arg, fast);
      return;
    case R_LEAVE:
      // ESP first, then the pop (a fault restores ESP: the block loops' K_ESP).
      if (s.ss32) {
        regs[ESP] = regs[EBP]!;
        regs[EBP] = popFast(s, fast);
      } else {
        s.regs16[ESP << 1] = s.regs16[EBP << 1]!;
        regs[EBP] = pop32(s);
      }
      return;
    case R_MOVX: {
      const v = (arg & MOVX_WORD) !== 0 ? s.regs16[(arg & 7) << 1]! : s.regs8[arg & 15]!;
      const shift = (arg & MOVX_WORD) !== 0 ? 16 : 24;
      regs[d] = (arg & MOVX_SIGNED) !== 0 ? (v << shift) >> shift : v;
      return;
    }
    default:
      // The interpreter's own shift/rotate routine (integer-logic.ts).
      regs[d] = shiftOp(s, sub - R_SHIFT, regs[d]!, arg, 31);
  }
}

/** access.ts push32, its write through the fast path when the stack is 32-bit. */
function pushFast(s: CpuState, v: number, fast: LinearFastPath): void {
  if (!s.ss32) {
    push32(s, v);
    return;
  }
  // ESP as int32 (as `ea32` gives addresses): a kernel stack address as uint32 would be boxed
  // for the call.
  const sp = (s.regs[ESP]! - 4) | 0;
  write32(s, 2, sp, v | 0, fast);
  s.regs[ESP] = sp;
}

/** access.ts pop32, its read through the fast path when the stack is 32-bit. */
function popFast(s: CpuState, fast: LinearFastPath): number {
  if (!s.ss32) return pop32(s);
  const sp = s.regs[ESP]!; // int32, see pushFast
  const v = read32(s, 2, sp, fast);
  s.regs[ESP] = (sp + 4) | 0;
  return v;
}

/** A 32-bit read of `ea` in segment `seg` through the fast path (as the closures' loads). */
function read32(s: CpuState, seg: number, ea: number, fast: LinearFastPath): number {
  const lin = segLinear(s, seg, 1 << seg, ea, 4, false);
  const e = fast.tlb[lin >>> 12]!;
  return (e & fast.masks[0]!) === 1 && (lin & 3) === 0
    ? fast.i32[((e & ~0xfff) | (lin & 0xfff)) >> 2]!
    : s.memory.read32(lin) | 0;
}

/** A 32-bit write of `v` (int32) to `ea` in segment `seg` through the fast path. */
function write32(s: CpuState, seg: number, ea: number, v: number, fast: LinearFastPath): void {
  const lin = segLinear(s, seg, 0x100 << seg, ea, 4, true);
  const e = fast.tlb[lin >>> 12]!;
  if ((e & fast.masks[1]!) === 1 && (lin & 3) === 0)
    fast.i32[((e & ~0xfff) | (lin & 0xfff)) >> 2] = v;
  else s.memory.write32(lin, v);
}

/** A 16-bit write of `v` to `ea` in segment `seg` through the fast path (aligned). */
function write16(s: CpuState, seg: number, ea: number, v: number, fast: LinearFastPath): void {
  const lin = segLinear(s, seg, 0x100 << seg, ea, 2, true);
  const e = fast.tlb[lin >>> 12]!;
  if ((e & fast.masks[1]!) === 1 && (lin & 1) === 0)
    fast.u16[((e & ~0xfff) | (lin & 0xfff)) >>> 1] = v;
  else s.memory.write16(lin, v & 0xffff);
}

/** An 8-bit write of `v` to `ea` in segment `seg` through the fast path. */
function write8(s: CpuState, seg: number, ea: number, v: number, fast: LinearFastPath): void {
  const lin = segLinear(s, seg, 0x100 << seg, ea, 1, true);
  const e = fast.tlb[lin >>> 12]!;
  if ((e & fast.masks[1]!) === 1) fast.u8[(e & ~0xfff) | (lin & 0xfff)] = v;
  else s.memory.write8(lin, v & 0xff);
}

/** An 8-bit read of `ea` in segment `seg` through the fast path. */
function read8(s: CpuState, seg: number, ea: number, fast: LinearFastPath): number {
  const lin = segLinear(s, seg, 1 << seg, ea, 1, false);
  const e = fast.tlb[lin >>> 12]!;
  return (e & fast.masks[0]!) === 1 ? fast.u8[(e & ~0xfff) | (lin & 0xfff)]! : s.memory.read8(lin);
}

/** The effective address of a compact memory form (as `ea32`). */
function compactEa(s: CpuState, w: number, disp: number): number {
  const base = ((w >>> W_BASE) & 15) - 1;
  const index = ((w >>> W_INDEX) & 15) - 1;
  return ea32(s, base, index, 1 << ((w >>> W_SCALE) & 3), disp);
}
