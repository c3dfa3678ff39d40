// The decoder: bytes -> a reused Instruction. Table-driven: the opcode (map, byte) selects a
// short candidate list of forms; the first form whose (mask, value) matches the context word
// wins (see match-context.ts); its operand specs then drive operand decoding. No allocation on
// this path and no exceptions of its own: invalid or truncated input comes back as Code.INVALID.
import { walkEvex } from "./evex";
import { CAND_LIST, CAND_START, FORM_INFO, FORM_OPS, OPCODE_HAS_MODRM } from "./generated/forms";
import { ATTR_LOCKABLE, DecodeError, type Instruction } from "./instruction";
import {
  CTX_ASZ_SHIFT,
  CTX_MODE64_SHIFT,
  CTX_MODREG_SHIFT,
  CTX_NO66_SHIFT,
  CTX_NOVVVV_SHIFT,
  CTX_OSZ_SHIFT,
  CTX_REG_SHIFT,
  CTX_REXB_SHIFT,
  CTX_REXW_SHIFT,
  CTX_RM_SHIFT,
  CTX_VEXL_SHIFT,
  FATTR_HAS_MEM,
  FATTR_MANDATORY_PREFIX,
  FATTR_RM_IS_REG,
  FINFO_ATTRS,
  FINFO_CODE_MNEMONIC,
  FINFO_FLAGS_READ_CPUID,
  FINFO_FLAGS_UNDEFINED,
  FINFO_FLAGS_WRITTEN,
  FINFO_MASK,
  FINFO_OPS01,
  FINFO_STRIDE,
  FINFO_VALUE,
  SIZE_RULE_D64,
  SIZE_RULE_NORMAL,
} from "./match-context";
import { decodeMemory } from "./memory-operand";
import { decodeOperand } from "./operands";
import { OpKind } from "./op-kind";
import { Register } from "./register";

// Module-local copies of the enum members and constants used below. Under per-file TypeScript
// transforms (tsx, vite, vitest) an imported enum member is a property load on another module's
// object on every use (and a switch over such labels is a chain of compares); local consts are
// plain constants to V8, which is most of the decoder's speed there (bench ratio 0.88 -> ~1.1).
// Bundlers (tsup/esbuild) inline them either way.
const DecodeError_InvalidInstruction = DecodeError.InvalidInstruction;
const DecodeError_NoMoreBytes = DecodeError.NoMoreBytes;
const DecodeError_None = DecodeError.None;
const DecodeError_Unsupported = DecodeError.Unsupported;
const L_ATTR_LOCKABLE = ATTR_LOCKABLE;
const L_CTX_ASZ_SHIFT = CTX_ASZ_SHIFT;
const L_CTX_MODE64_SHIFT = CTX_MODE64_SHIFT;
const L_CTX_MODREG_SHIFT = CTX_MODREG_SHIFT;
const L_CTX_NO66_SHIFT = CTX_NO66_SHIFT;
const L_CTX_NOVVVV_SHIFT = CTX_NOVVVV_SHIFT;
const L_CTX_OSZ_SHIFT = CTX_OSZ_SHIFT;
const L_CTX_REG_SHIFT = CTX_REG_SHIFT;
const L_CTX_REXB_SHIFT = CTX_REXB_SHIFT;
const L_CTX_REXW_SHIFT = CTX_REXW_SHIFT;
const L_CTX_RM_SHIFT = CTX_RM_SHIFT;
const L_CTX_VEXL_SHIFT = CTX_VEXL_SHIFT;
const L_FATTR_HAS_MEM = FATTR_HAS_MEM;
const L_FATTR_MANDATORY_PREFIX = FATTR_MANDATORY_PREFIX;
const L_FATTR_RM_IS_REG = FATTR_RM_IS_REG;
const L_FINFO_ATTRS = FINFO_ATTRS;
const L_FINFO_CODE_MNEMONIC = FINFO_CODE_MNEMONIC;
const L_FINFO_FLAGS_READ_CPUID = FINFO_FLAGS_READ_CPUID;
const L_FINFO_FLAGS_UNDEFINED = FINFO_FLAGS_UNDEFINED;
const L_FINFO_FLAGS_WRITTEN = FINFO_FLAGS_WRITTEN;
const L_FINFO_MASK = FINFO_MASK;
const L_FINFO_OPS01 = FINFO_OPS01;
const L_FINFO_STRIDE = FINFO_STRIDE;
const L_FINFO_VALUE = FINFO_VALUE;
const L_SIZE_RULE_D64 = SIZE_RULE_D64;
const L_SIZE_RULE_NORMAL = SIZE_RULE_NORMAL;
const OpKind_NearBranch16 = OpKind.NearBranch16;
const OpKind_NearBranch32 = OpKind.NearBranch32;
const OpKind_NearBranch64 = OpKind.NearBranch64;
const Register_CS = Register.CS;
const Register_DS = Register.DS;
const Register_ES = Register.ES;
const Register_FS = Register.FS;
const Register_GS = Register.GS;
const Register_None = Register.None;
const Register_SS = Register.SS;

/** Reads one byte of guest code at `address`; may throw (e.g. a page fault), never caught here. */
export type FetchByte = (address: number) => number;

/** Maximum instruction length (SDM Vol. 2, 2.3.11: longer encodings raise #GP/#UD). */
const MAX_LENGTH = 15;
const EMPTY = new Uint8Array(0);

/** Non-zero for legacy prefix bytes (26 2E 36 3E 64 65 66 67 F0 F2 F3); PREFIX64 adds REX. */
const PREFIX_LEGACY = new Uint8Array(256);
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3])
  PREFIX_LEGACY[b] = 1;
const PREFIX64 = PREFIX_LEGACY.slice();
for (let b = 0x40; b < 0x50; b++) PREFIX64[b] = 1;

/** Memo of candidate scans: key (opcode index << 19 | ctx, -1 = empty) -> form | sizeCode << 16. */
const MEMO_BITS = 12;
const MEMO_KEY = new Int32Array(1 << MEMO_BITS).fill(-1);
const MEMO_VALUE = new Int32Array(1 << MEMO_BITS);

/** The ModRM byte's match-context bits (reg, mod == 11, rm), by ModRM value. */
const MODRM_CTX = new Uint32Array(256);
for (let m = 0; m < 256; m++) {
  MODRM_CTX[m] =
    (((m >> 3) & 7) << L_CTX_REG_SHIFT) |
    ((m >> 6 === 3 ? 1 : 0) << L_CTX_MODREG_SHIFT) |
    ((m & 7) << L_CTX_RM_SHIFT);
}

/** Segment register for prefix bytes 26/2E/36/3E/64/65. */
function segmentOfPrefix(b: number): Register {
  switch (b) {
    case 0x26:
      return Register_ES;
    case 0x2e:
      return Register_CS;
    case 0x36:
      return Register_SS;
    case 0x3e:
      return Register_DS;
    case 0x64:
      return Register_FS;
    default:
      return Register_GS;
  }
}

/**
 * Decodes x86 instructions for one bitness (16, 32 or 64). Reuse one Decoder and one
 * Instruction; each call overwrites the instruction.
 *
 * @example
 * const d = new Decoder(32);
 * const insn = new Instruction();
 * d.decode(new Uint8Array([0x01, 0xc8]), 0, 0x1000, insn); // add eax,ecx
 * insn.code === Code.Add_rm32_r32; insn.length === 2;
 */
export class Decoder {
  readonly bitness: 16 | 32 | 64;
  // Byte source: buf[pos] for pos < avail (the fast path: one compare); past that, more() either
  // fetches the next byte into `scratch` (decodeFetch) or reports an overrun (buffer end or the
  // 15-byte limit). decode() reads the caller's buffer in place; decodeFetch() reads `scratch`.
  private buf: Uint8Array = EMPTY;
  private avail = 0;
  private readonly scratch = new Uint8Array(16);
  private fetch: FetchByte | null = null;
  private fetchBase = 0;
  private start = 0;
  /** @internal read by operand decoders */
  pos = 0;
  private limit = 0;
  private end = 0;
  /** @internal set when a read went past the buffer or the 15-byte limit */
  overrun = false;
  /** @internal prefix/ModRM state for operand decoders */
  rex = 0;
  modrm = 0;
  /** @internal VEX.vvvv register number (not inverted), 0 without VEX */
  vvvv = 0;
  /** @internal the opcode byte (for +r forms) */
  opcode = 0;
  /** @internal the memory operand is RIP/EIP-relative (displacement fixed up at the end) */
  ripRelative = false;
  // Per-mode constants: which bytes are prefixes, and the mode's fixed match-context bits.
  private readonly prefixes: Uint8Array;
  private readonly ctxMode: number;

  constructor(bitness: 16 | 32 | 64) {
    this.bitness = bitness;
    this.prefixes = bitness === 64 ? PREFIX64 : PREFIX_LEGACY;
    this.ctxMode = (bitness === 64 ? 1 : 0) << L_CTX_MODE64_SHIFT;
  }

  /** Decodes the instruction at `bytes[offset]`, whose address is `ip`, into `into`. */
  decode(bytes: Uint8Array, offset: number, ip: number, into: Instruction): void {
    this.buf = bytes;
    this.fetch = null;
    this.start = offset;
    this.pos = offset;
    this.end = bytes.length;
    const limit = Math.min(bytes.length, offset + MAX_LENGTH);
    this.limit = limit;
    this.avail = limit;
    this.run(ip, into);
  }

  /**
   * Decodes by calling `fetch(address + i)` for i = 0, 1, ... only as far as the instruction
   * goes (at most 15 bytes), so a fault is raised exactly when a real CPU would fetch the byte.
   * `ip` is the instruction pointer (for relative branch targets). Exceptions from `fetch`
   * propagate unchanged.
   */
  decodeFetch(fetch: FetchByte, address: number, ip: number, into: Instruction): void {
    this.buf = this.scratch;
    this.fetch = fetch;
    this.fetchBase = address;
    this.start = 0;
    this.pos = 0;
    this.end = MAX_LENGTH;
    this.limit = MAX_LENGTH;
    this.avail = 0;
    this.run(ip, into);
  }

  /** @internal next code byte (0 past the end, with `overrun` set) */
  u8(): number {
    const p = this.pos++;
    if (p < this.avail) return this.buf[p] as number;
    return this.more(p);
  }

  /** The slow half of u8(): fetch byte `p` (reads are sequential, so p === avail) or overrun. */
  private more(p: number): number {
    const f = this.fetch;
    if (f !== null && p < this.limit) {
      const v = f(this.fetchBase + p) & 0xff;
      this.scratch[p] = v;
      this.avail = p + 1;
      return v;
    }
    this.overrun = true;
    return 0;
  }

  private run(ip: number, insn: Instruction): void {
    const bitness = this.bitness;
    const is64 = bitness === 64;
    this.overrun = false;
    let seg = Register_None;
    let has66 = false;
    let has67 = false;
    let lock = false;
    let rep = 0; // 0, 0xf2 or 0xf3: the last one wins
    let rex = 0;
    const prefixes = this.prefixes;
    let b = this.u8();
    while (prefixes[b] !== 0) {
      switch (b) {
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
          // In 64-bit mode ES/CS/SS/DS bases are ignored by the CPU (SDM Vol. 1, 3.3.7.1) but
          // the prefix is still reported, as iced does.
          // ... but an earlier FS/GS override keeps priority there (iced's behaviour).
          if (!is64 || (seg !== Register_FS && seg !== Register_GS)) seg = segmentOfPrefix(b);
          rex = 0;
          b = this.u8();
          continue;
        case 0x64:
        case 0x65:
          seg = segmentOfPrefix(b);
          rex = 0;
          b = this.u8();
          continue;
        case 0x66:
          has66 = true;
          rex = 0;
          b = this.u8();
          continue;
        case 0x67:
          has67 = true;
          rex = 0;
          b = this.u8();
          continue;
        case 0xf0:
          lock = true;
          rex = 0;
          b = this.u8();
          continue;
        case 0xf2:
        case 0xf3:
          rep = b;
          rex = 0;
          b = this.u8();
          continue;
        default:
          // REX (only in PREFIX64) counts only when it is the last prefix (SDM Vol. 2, 2.2.1).
          rex = b;
          b = this.u8();
          continue;
      }
    }
    if (this.overrun) return this.fail(insn, ip);
    if (b === 0x62) {
      // EVEX in 64-bit mode; outside it only when the next byte has its top two bits set (else
      // BOUND with a memory ModRM) (SDM Vol. 2, 2.7.1). Not modelled yet: length only.
      if (is64 || this.u8() >= 0xc0) {
        if (!is64) this.pos--;
        // EVEX after 66/F2/F3/LOCK/REX is #UD (SDM Vol. 2, 2.7.1).
        const ok = !(has66 || rep !== 0 || lock || rex !== 0);
        const asz =
          bitness === 16 ? (has67 ? 1 : 0) : bitness === 32 ? (has67 ? 0 : 1) : has67 ? 1 : 2;
        if (!walkEvex(this, asz) || !ok || this.overrun) return this.fail(insn, ip);
        this.fail(insn, ip);
        insn.error = DecodeError_Unsupported;
        return;
      }
      this.pos--; // BOUND: that byte is its ModRM, read it again below
    }
    let map = 0;
    let vexL = 0;
    let noVvvv = 1;
    let vexPp = -1;
    this.vvvv = 0;
    if (b === 0xc4 || b === 0xc5) {
      // C4/C5 are VEX in 64-bit mode, and outside it when the next byte looks like ModRM
      // mod = 11 (LES/LDS need a memory operand) (SDM Vol. 2, 2.3.5).
      const b1 = this.u8();
      if (is64 || b1 >= 0xc0) {
        // VEX after 66/F2/F3/LOCK/REX is #UD (SDM Vol. 2, 2.3.2).
        if (has66 || rep !== 0 || lock || rex !== 0) return this.fail(insn, ip);
        let r = (~b1 >> 7) & 1;
        let x = 0;
        let bb = 0;
        let w = 0;
        let mmmmm = 1;
        let b2 = b1;
        if (b === 0xc4) {
          x = (~b1 >> 6) & 1;
          bb = (~b1 >> 5) & 1;
          mmmmm = b1 & 31;
          b2 = this.u8();
          w = b2 >> 7;
        }
        if (mmmmm < 1 || mmmmm > 3) return this.fail(insn, ip);
        const vInv = (b2 >> 3) & 15;
        vexL = (b2 >> 2) & 1;
        vexPp = b2 & 3;
        if (is64) {
          this.vvvv = ~vInv & 15;
          noVvvv = vInv === 15 ? 1 : 0;
        } else {
          // Outside 64-bit mode VEX.R/X/B and vvvv bit 3 select nothing.
          r = x = bb = 0;
          this.vvvv = ~vInv & 7;
          noVvvv = vInv === 15 ? 1 : 0; // an unused vvvv must still be 1111b (#UD otherwise)
        }
        rex = (w << 3) | (is64 ? 0x40 | (r << 2) | (x << 1) | bb : 0);
        map = mmmmm + 4;
        b = this.u8();
      } else {
        this.pos--; // not VEX: that byte is LES/LDS's ModRM, read it again below
      }
    }
    if (b === 0x0f && vexPp < 0) {
      b = this.u8();
      if (b === 0x38) {
        map = 2;
        b = this.u8();
      } else if (b === 0x3a) {
        map = 3;
        b = this.u8();
      } else {
        map = 1;
      }
    }
    const opIndex = (map << 8) | b;
    let modrm = 0;
    const hasModrm = OPCODE_HAS_MODRM[opIndex] === 1;
    if (hasModrm) modrm = this.u8();
    this.rex = rex;
    this.modrm = modrm;
    this.opcode = b;
    this.ripRelative = false;

    // Operand and address sizes (SDM Vol. 1, 3.6; Vol. 2, 2.2.1.2).
    let osz: number;
    let oszD64: number;
    let oszF64: number;
    let asz: number;
    if (bitness === 16) {
      osz = oszD64 = oszF64 = has66 ? 1 : 0;
      asz = has67 ? 1 : 0;
    } else if (bitness === 32) {
      osz = oszD64 = oszF64 = has66 ? 0 : 1;
      asz = has67 ? 0 : 1;
    } else {
      const w = (rex & 8) !== 0;
      osz = w ? 2 : has66 ? 0 : 1;
      oszD64 = w ? 2 : has66 ? 0 : 2;
      oszF64 = 2;
      asz = has67 ? 1 : 2;
    }
    const mp = vexPp >= 0 ? vexPp : rep === 0xf3 ? 2 : rep === 0xf2 ? 3 : has66 ? 1 : 0;
    let base =
      mp |
      MODRM_CTX[modrm]! |
      (asz << L_CTX_ASZ_SHIFT) |
      this.ctxMode |
      ((has66 ? 0 : 1) << L_CTX_NO66_SHIFT) |
      (vexL << L_CTX_VEXL_SHIFT) |
      (noVvvv << L_CTX_NOVVVV_SHIFT);
    if (rex !== 0) base |= ((rex & 1) << L_CTX_REXB_SHIFT) | (((rex >> 3) & 1) << L_CTX_REXW_SHIFT);
    const ctx = base | (osz << L_CTX_OSZ_SHIFT);
    const ctxD64 = base | (oszD64 << L_CTX_OSZ_SHIFT);
    const ctxF64 = base | (oszF64 << L_CTX_OSZ_SHIFT);

    // The form and operand size depend only on (opcode, ctx): a direct-mapped memo of earlier
    // candidate scans (module-wide, filled from the generated tables) skips the scan, which for
    // group opcodes (80-83, FF, ...) walks up to ~24 rows.
    const key = (opIndex << 19) | ctx; // ctx < 2^19, opIndex < 2^11
    const slot = Math.imul(key, 0x9e3779b1) >>> (32 - MEMO_BITS);
    let form = 0;
    let sizeCode = osz;
    if (MEMO_KEY[slot] === key) {
      const m = MEMO_VALUE[slot] as number;
      form = m & 0xffff;
      sizeCode = m >> 16;
    } else {
      const candEnd = CAND_START[opIndex + 1] as number;
      if (!is64) {
        // Outside 64-bit mode the size rules coincide: one context word.
        for (let i = CAND_START[opIndex] as number; i < candEnd; i++) {
          const f = CAND_LIST[i] as number;
          const w = f * L_FINFO_STRIDE;
          if ((ctx & (FORM_INFO[w + L_FINFO_MASK] as number)) === FORM_INFO[w + L_FINFO_VALUE]) {
            form = f;
            break;
          }
        }
      } else {
        for (let i = CAND_START[opIndex] as number; i < candEnd; i++) {
          const f = CAND_LIST[i] as number;
          const w = f * L_FINFO_STRIDE;
          const rule = ((FORM_INFO[w + L_FINFO_ATTRS] as number) >> 24) & 3;
          const c = rule === L_SIZE_RULE_NORMAL ? ctx : rule === L_SIZE_RULE_D64 ? ctxD64 : ctxF64;
          if ((c & (FORM_INFO[w + L_FINFO_MASK] as number)) === FORM_INFO[w + L_FINFO_VALUE]) {
            form = f;
            sizeCode =
              rule === L_SIZE_RULE_NORMAL ? osz : rule === L_SIZE_RULE_D64 ? oszD64 : oszF64;
            break;
          }
        }
      }
      MEMO_KEY[slot] = key;
      MEMO_VALUE[slot] = form | (sizeCode << 16);
    }
    if (form === 0 || this.overrun) return this.fail(insn, ip);

    const fw = form * L_FINFO_STRIDE;
    const info = FORM_INFO[fw + L_FINFO_ATTRS] as number;
    const attrs = info & 0xffff;
    const codeMnemonic = FORM_INFO[fw + L_FINFO_CODE_MNEMONIC] as number;
    insn.code = codeMnemonic & 0xffff;
    insn.mnemonic = codeMnemonic >>> 16;
    insn.ip = ip;
    insn.bitness = bitness;
    insn.opSize = 16 << sizeCode;
    insn.addrSize = 16 << asz;
    insn.error = DecodeError_None;
    insn.segmentPrefix = seg;
    insn.hasLock = lock;
    const mandatory = (attrs & L_FATTR_MANDATORY_PREFIX) !== 0;
    insn.hasRep = rep === 0xf3 && !(mandatory && mp === 2);
    insn.hasRepne = rep === 0xf2 && !(mandatory && mp === 3);
    insn.memBase = Register_None;
    insn.memIndex = Register_None;
    insn.memScale = 1;
    insn.memDisplacement = 0;
    insn.memDisplacementHi = 0;
    insn.memDisplSize = 0;
    insn.memSegment = Register_None;
    insn.memSize = (info >> 16) & 31;
    insn.immediate = 0;
    insn.immediateHi = 0;
    insn.immediate2 = 0;
    insn.nearBranchTarget = 0;
    insn.farSelector = 0;
    insn.farOffset = 0;

    const isMem = hasModrm && modrm < 0xc0 && (attrs & L_FATTR_RM_IS_REG) === 0;
    if (isMem && (attrs & L_FATTR_HAS_MEM) !== 0) decodeMemory(this, insn, asz, seg);

    // Operands, unrolled: each slot gets its kind and register (Register/0 when unused).
    const count = (info >> 21) & 7;
    const ops01 = FORM_INFO[fw + L_FINFO_OPS01] as number;
    insn.opCount = count;
    const opBase = form << 2;
    let v = 0;
    if (count > 0) {
      v = decodeOperand(this, insn, 0, ops01 & 0xffff, isMem);
      if (v < 0) return this.fail(insn, ip);
    }
    insn.op0Kind = v >> 8;
    insn.op0Register = v & 0xff;
    v = 0;
    if (count > 1) {
      v = decodeOperand(this, insn, 1, ops01 >>> 16, isMem);
      if (v < 0) return this.fail(insn, ip);
    }
    insn.op1Kind = v >> 8;
    insn.op1Register = v & 0xff;
    v = 0;
    if (count > 2) {
      v = decodeOperand(this, insn, 2, FORM_OPS[opBase + 2] as number, isMem);
      if (v < 0) return this.fail(insn, ip);
      if (count > 3) {
        const v3 = decodeOperand(this, insn, 3, FORM_OPS[opBase + 3] as number, isMem);
        if (v3 < 0) return this.fail(insn, ip);
        insn.op3Kind = v3 >> 8;
        insn.op3Register = v3 & 0xff;
      } else {
        insn.op3Kind = 0;
        insn.op3Register = Register_None;
      }
    } else {
      insn.op3Kind = 0;
      insn.op3Register = Register_None;
    }
    insn.op2Kind = v >> 8;
    insn.op2Register = v & 0xff;
    if (this.overrun) return this.fail(insn, ip);
    // LOCK is valid only on lockable forms with a memory destination (SDM Vol. 2, LOCK: #UD).
    if (lock && ((attrs & L_ATTR_LOCKABLE) === 0 || !isMem)) return this.fail(insn, ip);

    const len = this.pos - this.start;
    insn.length = len;
    const next = ip + len;
    insn.nextIp = bitness === 16 ? next & 0xffff : bitness === 32 ? next >>> 0 : next;
    const readCpuid = FORM_INFO[fw + L_FINFO_FLAGS_READ_CPUID] as number;
    insn.flagsRead = readCpuid & 0xfffff;
    insn.flagsWritten = FORM_INFO[fw + L_FINFO_FLAGS_WRITTEN] as number;
    insn.flagsUndefined = FORM_INFO[fw + L_FINFO_FLAGS_UNDEFINED] as number;
    insn.flow = (info >> 26) & 15;
    insn.cpuid = readCpuid >>> 20;
    insn.attrs = attrs & 0xff;
    const k = insn.op0Kind as number;
    if (k >= OpKind_NearBranch16 && k <= OpKind_NearBranch64) {
      // Relative branches count from the next instruction; operands stored the displacement.
      const t = next + insn.nearBranchTarget;
      insn.nearBranchTarget =
        k === OpKind_NearBranch16 ? t & 0xffff : k === OpKind_NearBranch32 ? t >>> 0 : t;
    }
    if (this.ripRelative) {
      const t = next + (insn.memDisplacement | 0);
      insn.memDisplacement = insn.addrSize === 32 ? t >>> 0 : t;
      if (insn.addrSize === 64) insn.memDisplacementHi = Math.floor(t / 0x100000000) >>> 0;
    }
  }

  private fail(insn: Instruction, ip: number): void {
    const len = Math.min(this.pos, this.limit) - this.start;
    const truncated =
      this.overrun && this.limit < this.start + MAX_LENGTH && this.limit === this.end;
    insn.code = 0;
    insn.mnemonic = 0;
    insn.ip = ip;
    insn.bitness = this.bitness;
    insn.length = len > 0 ? len : 0;
    insn.nextIp = ip + insn.length;
    insn.error = truncated ? DecodeError_NoMoreBytes : DecodeError_InvalidInstruction;
    insn.opCount = 0;
    insn.hasLock = false;
    insn.hasRep = false;
    insn.hasRepne = false;
    insn.flagsRead = 0;
    insn.flagsWritten = 0;
    insn.flagsUndefined = 0;
    insn.flow = 0;
    insn.cpuid = 0;
    insn.attrs = 0;
  }
}
