// The decoded instruction: one reused object with flat numeric fields (no allocation per decode;
// iced's `decode_out` model). The decoder overwrites every field on each decode.
import { OpKind } from "./op-kind";
import { Register } from "./register";

/** Why a decode produced `Code.INVALID` (or `None` when it did not). */
export enum DecodeError {
  None = 0,
  /** Not a valid encoding in this mode (the CPU raises #UD). */
  InvalidInstruction = 1,
  /** The buffer ended before the instruction did. */
  NoMoreBytes = 2,
  /**
   * A well-formed EVEX (AVX-512) encoding whose form this decoder does not model yet: `code` is
   * 0 (`isInvalid`), but `length` is the encoding's real length, so a disassembler can step over
   * it. Decoders may still reject some of these (reserved opcodes): treat it as "unknown".
   */
  Unsupported = 3,
}

/** `Instruction.attrs` bits: per-form facts from the table. */
export const ATTR_PRIVILEGED = 1 << 0; // CPL 0 only (#GP otherwise)
export const ATTR_LOCKABLE = 1 << 1; // LOCK allowed with a memory destination
export const ATTR_IOPL = 1 << 2; // IOPL-sensitive (IN/OUT/INS/OUTS/CLI/STI)
export const ATTR_STRING = 1 << 3; // REP/REPNE apply (string instruction)
export const ATTR_MEM_ONLY = 1 << 4; // has a memory-only operand (M); mod=11 is invalid

/**
 * Memory operand sizes (`Instruction.memSize`), for the formatter and for the CPU to know the
 * access width. `Unsized` is LEA-style (address only) or a block (FXSAVE area etc.).
 */
export enum MemSize {
  None = 0,
  Byte = 1,
  Word = 2,
  Dword = 3,
  Qword = 4,
  Tbyte = 5, // 80-bit x87 / BCD
  Fword = 6, // 16:32 far pointer, SGDT/SIDT image in 32-bit
  Xmmword = 7,
  Ymmword = 8,
  Zmmword = 9,
  Unsized = 10,
  FarPtr1616 = 11, // dword ptr, 16:16 far pointer
  FarPtr1664 = 12, // tbyte ptr, 16:64 far pointer
  Env14 = 13, // FLDENV/FNSTENV 16-bit layout
  Env28 = 14,
  State94 = 15, // FSAVE/FRSTOR 16-bit layout
  State108 = 16,
  Fxsave512 = 17,
  Bound1616 = 18, // BOUND r16, m16&16 (dword)
  Bound3232 = 19, // BOUND r32, m32&32 (qword)
  Word1616Mem = 20,
}

/**
 * First value of the fields that hold unsigned 32-bit addresses and values: not a small integer,
 * so V8 lays them out as doubles from the start (the constructor then zeroes them). A field that
 * began as a small integer changes representation when it first holds 2^31 or more (any kernel
 * address), and every compiled function that has seen an `Instruction` deoptimizes at once.
 */
const DOUBLE_FIELD = 2 ** 31;

export class Instruction {
  /** Form id (`Code`); `Code.INVALID` (0) when the bytes are not a valid instruction. */
  code = 0;
  /** `Mnemonic` value. */
  mnemonic = 0;
  /** Bytes consumed (1..15). For an invalid encoding: the bytes examined. */
  length = 0;
  /** Address of the first byte, as given to `decode`. */
  ip = DOUBLE_FIELD;
  /** ip + length, wrapped to the operand size of the code segment (16: 0xffff, 32: 2^32). */
  nextIp = DOUBLE_FIELD;
  /** Decoder bitness: 16, 32 or 64. */
  bitness = 32;
  /** Effective operand size: 16, 32 or 64. */
  opSize = 32;
  /** Effective address size: 16, 32 or 64. */
  addrSize = 32;
  error: DecodeError = DecodeError.None;

  /** The last segment-override prefix (`Register.ES`..`GS`) or `Register.None`. */
  segmentPrefix: Register = Register.None;
  /** Segment of the memory operand after defaults (SS for BP/SP bases) and overrides. */
  memSegment: Register = Register.None;
  hasLock = false;
  /** F3 was the last REP prefix and was not consumed as a mandatory prefix. */
  hasRep = false;
  /** F2 was the last REP prefix and was not consumed as a mandatory prefix. */
  hasRepne = false;

  /** Number of operands (0..4). */
  opCount = 0;
  op0Kind: OpKind = OpKind.Register;
  op1Kind: OpKind = OpKind.Register;
  op2Kind: OpKind = OpKind.Register;
  op3Kind: OpKind = OpKind.Register;
  op0Register: Register = Register.None;
  op1Register: Register = Register.None;
  op2Register: Register = Register.None;
  op3Register: Register = Register.None;

  /** Memory operand (when some opNKind is `Memory`). */
  memBase: Register = Register.None;
  memIndex: Register = Register.None;
  /** 1, 2, 4 or 8. */
  memScale = 1;
  /**
   * Displacement sign-extended to the address size: unsigned for 16/32-bit addressing
   * (e.g. disp8 -1 with a32 is 0xffffffff), a signed number for 64-bit addressing.
   */
  memDisplacement = DOUBLE_FIELD;
  /**
   * High 32 bits of the 64-bit displacement with 64-bit addressing (sign extension of
   * `memDisplacement`, or for a 64-bit moffs the upper half while `memDisplacement` holds the
   * low 32 bits unsigned). 0 otherwise. Exact value: `(hi << 32) | (memDisplacement >>> 0)`.
   */
  memDisplacementHi = 0;
  /** Displacement bytes in the encoding: 0, 1, 2, 4 or 8. */
  memDisplSize = 0;
  /** Width of the memory access (`MemSize`). */
  memSize: MemSize = MemSize.None;

  /**
   * Immediate operand, already extended to the operand's size, as an unsigned 32-bit value
   * (imm8 to 32: -1 is 0xffffffff; imm8 to 16: 0xffff). For 64-bit immediates: the low half.
   */
  immediate = DOUBLE_FIELD;
  /** High 32 bits of a 64-bit immediate (`Immediate64`, `Immediate8to64`, `Immediate32to64`). */
  immediateHi = 0;
  /** Second immediate: ENTER's imm8 nesting level. */
  immediate2 = 0;
  /** Target of a relative branch, wrapped to the operand size. */
  nearBranchTarget = DOUBLE_FIELD;
  /** Far pointer operand (`FarBranch16/32`): selector and offset. */
  farSelector = 0;
  farOffset = DOUBLE_FIELD;

  /** Table facts for this form (0 for invalid): EFLAGS bits (see `RFLAGS_*`). */
  flagsRead = 0;
  flagsWritten = 0;
  flagsUndefined = 0;
  /** `FlowControl` value. */
  flow = 0;
  /** `CpuidFeature` value the form needs. */
  cpuid = 0;
  /** `ATTR_*` bits. */
  attrs = 0;

  constructor() {
    this.ip = 0;
    this.nextIp = 0;
    this.memDisplacement = 0;
    this.immediate = 0;
    this.nearBranchTarget = 0;
    this.farOffset = 0;
  }

  get isInvalid(): boolean {
    return this.code === 0;
  }
  get isPrivileged(): boolean {
    return (this.attrs & ATTR_PRIVILEGED) !== 0;
  }
  get isLockable(): boolean {
    return (this.attrs & ATTR_LOCKABLE) !== 0;
  }

  /** Operand kind by index (convenience; the hot path should read `opNKind`). */
  opKind(i: number): OpKind {
    return i === 0 ? this.op0Kind : i === 1 ? this.op1Kind : i === 2 ? this.op2Kind : this.op3Kind;
  }

  /** Operand register by index (`Register.None` unless the kind is `Register`). */
  opRegister(i: number): Register {
    return i === 0
      ? this.op0Register
      : i === 1
        ? this.op1Register
        : i === 2
          ? this.op2Register
          : this.op3Register;
  }
}
