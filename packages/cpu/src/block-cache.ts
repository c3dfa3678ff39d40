// Decoded basic blocks for the run loop (cpu.ts). A block is a run of instructions decoded
// once, starting at one linear address in one code mode: zero or more "body" instructions
// (forms that only compute on registers, flags and data memory; listed below), ended by the
// first instruction that is not a body form (any control transfer, anything that can change
// IF/TF/mode/CS/paging, port I/O, HLT, INT, strings, x87/SSE...), which is the block's last.
//
// What makes running a block instead of single instructions exact:
// - Instruction-boundary events are taken where a real CPU may take them. Only the CPU's own
//   accesses can raise one inside a `run` slice (devices and timers run between slices; a port
//   access ends the block; an MMIO access is a memory access), so the loop samples NMI and,
//   with IF=1, INTR after each instruction of the block and leaves it when one is pending.
//   TF, armed debug registers, EFLAGS.RF, an interrupt shadow or an event delivered at this
//   boundary make the loop run single instructions instead.
// - Code changes: the block's bytes are checked like a decode-cache entry's (one memory-epoch
//   compare, else a re-fetch of every byte), and the loop leaves the block as soon as the epoch
//   moves (a store to a watched code page, or any store without a watch).
// - A block never fetches outside the page of its first instruction (only a first instruction
//   may cross into the next page), so building or re-checking it faults exactly when fetching
//   its first instruction would.
// - Each instruction still sets startEip/startEsp, EIP and the retired count before the next
//   one runs, so a fault mid-block rolls back to the faulting instruction with the earlier ones
//   retired, and `run(n)` stops after exactly n instructions (a block is cut short).
import { Code, CODE_COUNT, OpKind, type Instruction } from "@ringvm/decoder";
import type { FusedHandler } from "./handlers/baked";
import type { Handler } from "./handlers/operands";
import { COND_NAMES } from "./handlers/integer-cond";
import { HINT_NOP_FORMS } from "./handlers/integer-move";
import { REG_AX, REG_EAX } from "./state/registers";

/** Longest block, in instructions. */
export const BLOCK_MAX = 32;

export class Block {
  count = 0;
  /** Bytes from the first instruction's first byte to the last one's last byte. */
  byteLength = 0;
  readonly insns: Instruction[] = [];
  readonly handlers: Handler[] = [];
  /**
   * Per instruction, four int32: its K_* kind bits | condition code << 8 (K_JCC), its EIP, its
   * next EIP and its near-branch target (one array, so a block's hot data is one object).
   */
  data = new Int32Array(0);
  /**
   * Memory epoch at which the bytes were last known to match memory; -1 while not in the cache
   * (never cached, or replaced), so links to it are stale.
   */
  epoch = -1;
  /**
   * Per instruction: for a Jcc, the block its taken branch led to last time (EMPTY_BLOCK until
   * then). Followed only while that block's epoch is the memory epoch (it is still cached and
   * its bytes checked); the target and mode are fixed by this block's own key.
   */
  links: Block[] = [];
  /** Per instruction: for a K_FUSED form, the form fused with the Jcc after it (else unused). */
  fused: FusedHandler[] = [];
  /** The bytes the block was decoded from (to re-check them after an epoch move). */
  bytes = new Uint8Array(0);
  /**
   * With a code-page watch (cpu.ts samePages): the physical page of the first byte and of the
   * last one (-1: the same page), their write generations when last checked (gen0 -1: a page
   * cannot be watched, always re-fetch), and the route epoch then.
   */
  page0 = -1;
  page1 = -1;
  gen0 = -1;
  gen1 = -1;
  routeEpoch = -1;
}

/** Set EIP and startEip first, leave the block if EIP is not the next one's after (Jcc, last). */
export const K_EIP = 1;
/** Set startEsp first: the form may change ESP before it faults (PUSH/POP, ESP operands). */
export const K_ESP = 2;
/** Touches memory: a store may hit code, an MMIO access may raise an event; check after. */
export const K_MEM = 4;

/** K_ESP/K_MEM of a body form (0 for forms that only compute on registers and flags). */
export function blockKind(insn: Instruction): number {
  let kind = 0;
  if (PUSH_POP[insn.code] === 1) kind |= K_ESP | K_MEM;
  for (let i = 0; i < insn.opCount; i++) {
    const k = insn.opKind(i);
    if (k === OpKind.Register) {
      const r = insn.opRegister(i);
      if (r === REG_ESP || r === REG_SP) kind |= K_ESP;
    } else if (k < OpKind.Immediate8 || k > OpKind.Immediate32to64) {
      // Memory operands (including the implicit ones of XLAT/MOV moffs) and anything else.
      kind |= K_MEM;
    }
  }
  return kind;
}

/** A Jcc inside the block (condition code in `data`): the loop tests it and jumps itself. */
export const K_JCC = 8;

/**
 * A register-only form (kind 0) followed by a Jcc in the block: the loop runs both with one
 * call (Block.fused: the form, then the Jcc's condition) when both are within the budget.
 */
export const K_FUSED = 16;

/**
 * A 32-bit register-only form the run loop executes itself, without a handler call (an "inline
 * op": add/sub/and/or/xor/cmp/test/mov with a register or immediate source, inc/dec, shifts by
 * an immediate). `data` holds the op (U_*) at bits 8-13, U_IMM for an immediate source (in the
 * entry's fourth int32, which only Jcc entries use otherwise), the destination register at bits
 * 16-18 and the source register at 19-21. Register forms cannot fault, so neither EIP nor ESP
 * needs storing first (also for ESP operands). The flags are recorded exactly as alu.ts records
 * them (same lazy record), so everything that reads them later sees the same EFLAGS.
 */
export const K_OP = 32;
/** K_OP followed by a Jcc in the block: the loop runs the op, then tests the Jcc itself. */
export const K_OPJ = 64;

export const U_ADD = 1;
export const U_SUB = 2;
export const U_CMP = 3;
export const U_AND = 4;
export const U_OR = 5;
export const U_XOR = 6;
export const U_TEST = 7;
export const U_INC = 8;
export const U_DEC = 9;
export const U_MOV = 10;
export const U_SHL = 11;
export const U_SHR = 12;
export const U_SAR = 13;
export const U_ROL = 14;
export const U_ROR = 15;
/** The source is the immediate (data[k * 4 + 3]). */
export const U_IMM = 1 << 14;
/** A shift or rotate by CL (the source register is ECX; the count is CL & 31, maybe 0). */
export const U_CL = 1 << 15;

const ALU_U: Record<string, number> = {
  Add: U_ADD,
  Sub: U_SUB,
  Cmp: U_CMP,
  And: U_AND,
  Or: U_OR,
  Xor: U_XOR,
  Test: U_TEST,
};

/**
 * Per `Code`: the inline op of its 32-bit register forms (bits 0-4), | 64 when the source is an
 * immediate, | 128 for a shift/rotate by 1, | 32 for one by CL.
 */
const INLINE: Uint8Array = (() => {
  const table = new Uint8Array(CODE_COUNT);
  const set = (name: string, op: number): void => {
    const code = (Code as unknown as Record<string, number | undefined>)[name];
    if (code !== undefined) table[code] = op;
  };
  for (const [name, op] of Object.entries(ALU_U)) {
    set(`${name}_rm32_r32`, op);
    set(`${name}_r32_rm32`, op);
    set(`${name}_rm32_imm8`, op | 64);
    set(`${name}_rm32_imm32`, op | 64);
    set(`${name}_EAX_imm32`, op | 64);
  }
  set("Test_rm32_imm32_F7r1", U_TEST | 64);
  set("Inc_r32", U_INC);
  set("Inc_rm32", U_INC);
  set("Dec_r32", U_DEC);
  set("Dec_rm32", U_DEC);
  set("Mov_r32_rm32", U_MOV);
  set("Mov_rm32_r32", U_MOV);
  set("Mov_r32_imm32", U_MOV | 64);
  set("Mov_rm32_imm32", U_MOV | 64);
  for (const [name, op] of [
    ["Shl", U_SHL],
    ["Sal", U_SHL],
    ["Shr", U_SHR],
    ["Sar", U_SAR],
    ["Rol", U_ROL],
    ["Ror", U_ROR],
  ] as const) {
    set(`${name}_rm32_1`, op | 128);
    set(`${name}_rm32_imm8`, op | 64);
    set(`${name}_rm32_CL`, op | 32);
  }
  return table;
})();

/** Register number 0-7 of a 32-bit register operand, or -1. */
function reg32(reg: number): number {
  const r = reg - REG_EAX;
  return r >= 0 && r < 8 ? r : -1;
}

/**
 * The `data` word (without kind) and immediate of `insn` as an inline op (K_OP), or -1 when it
 * is not one (memory operands, other sizes, LOCK: the caller checks LOCK validity first).
 */
export function inlineOp(insn: Instruction): number {
  const t = INLINE[insn.code]!;
  if (t === 0 || insn.hasLock || insn.op0Kind !== OpKind.Register) return -1;
  const d = reg32(insn.op0Register);
  if (d < 0) return -1;
  const op = t & 31;
  // A shift count of 0 (mod 32) changes nothing, not even the flags: left to its handler.
  if (op >= U_SHL && (t & 64) !== 0 && (insn.immediate & 31) === 0) return -1;
  if ((t & 192) !== 0) return (op << 8) | U_IMM | (d << 16);
  if ((t & 32) !== 0) return (op << 8) | U_CL | (d << 16) | (1 << 19);
  if (op === U_INC || op === U_DEC) return (op << 8) | (d << 16);
  if (insn.opCount < 2 || insn.op1Kind !== OpKind.Register) return -1;
  const r = reg32(insn.op1Register);
  return r < 0 ? -1 : (op << 8) | (d << 16) | (r << 19);
}

/** The immediate of an inline op with U_IMM (shift counts: 1 for the `_1` forms). */
export function inlineImmediate(insn: Instruction): number {
  const t = INLINE[insn.code]!;
  if ((t & 128) !== 0) return 1;
  return (t & 31) >= U_SHL ? insn.immediate & 31 : insn.immediate | 0;
}

/** Placeholder of never-used entries. */
export const EMPTY_BLOCK = new Block();

/**
 * Body forms: no control transfer, no effect on IF/TF/IOPL/mode/segments/paging/ports/halting,
 * no use of startEip (strings), no x87/SSE state. They may fault (the fault is exact) and may
 * touch data memory. The hint NOPs (ENDBR32 opens every glibc function) are body forms too.
 */
const BODY_NAME =
  /^(Add|Or|Adc|Sbb|And|Sub|Xor|Cmp|Test|Inc|Dec|Neg|Not|Mov|Movzx|Movsx|Lea|Push|Pushd|Pushw|Pop|Shl|Shr|Sar|Rol|Ror|Rcl|Rcr|Shld|Shrd|Imul|Mul|Xchg|Cmov[a-z]+|Set[a-z]+|Bt|Bts|Btr|Btc|Bsf|Bsr|Bswap|Cbw|Cwde|Cdq|Cwd|Xadd|Cmpxchg|Nopw|Nopd|Nop|Lahf|Sahf|Clc|Stc|Cmc|Cld|Std|Xlat|Leavew|Leaved)(_|$)/;
/** ...except the segment-register and control/debug/test-register forms. */
const NOT_BODY = /Sreg|_cr|_dr|_tr|_(ES|CS|SS|DS|FS|GS)(_|$)/;

/** 1 for the body forms, indexed by `Code`. */
export const BLOCK_BODY: Uint8Array = (() => {
  const table = new Uint8Array(CODE_COUNT);
  for (const [name, code] of Object.entries(Code as unknown as Record<string, number>)) {
    if (typeof code === "number" && BODY_NAME.test(name) && !NOT_BODY.test(name)) table[code] = 1;
  }
  for (const name of HINT_NOP_FORMS) table[(Code as unknown as Record<string, number>)[name]!] = 1;
  return table;
})();

/** The "condition" of JMP rel: always taken (it ends its block). */
export const COND_ALWAYS = 16;

/**
 * Conditional near branches (Jcc) and JMP rel, as condition code + 1 (0: neither). Inside a
 * block, they are evaluated by the run loop itself: not taken, the block goes on with the next
 * instruction; taken, the block is left at the target.
 */
export const BLOCK_BRANCH: Uint8Array = (() => {
  const table = new Uint8Array(CODE_COUNT);
  for (const [name, code] of Object.entries(Code as unknown as Record<string, number>)) {
    const m = /^J([a-z]+)_rel/.exec(name);
    const cc = m === null ? -1 : m[1] === "mp" ? COND_ALWAYS : COND_NAMES.indexOf(m[1]!);
    if (typeof code === "number" && cc >= 0) table[code] = cc + 1;
  }
  return table;
})();

/** PUSH/POP forms (implicit stack access and ESP update). */
const PUSH_POP: Uint8Array = (() => {
  const table = new Uint8Array(CODE_COUNT);
  for (const [name, code] of Object.entries(Code as unknown as Record<string, number>)) {
    if (typeof code === "number" && /^(Push|Pop|Leave)/.test(name)) table[code] = 1;
  }
  return table;
})();

/** ESP and SP as iced register numbers (EAX..EDI and AX..DI run in encoding order). */
const REG_ESP = REG_EAX + 4;
const REG_SP = REG_AX + 4;
