// The match context: one 32-bit word describing what the decoder has seen of an instruction
// (mandatory prefix, ModRM fields, sizes, mode). Each form in the generated tables carries a
// (mask, value) pair over this word; a form matches when `(ctx & mask) === value`. Candidates
// for an opcode are scanned in table order, so an earlier, more specific row wins (e.g. F3 0F BC
// TZCNT before BSF). scripts/gen-forms.ts builds the pairs; decoder.ts builds the word.

/** Mandatory prefix: 0 none, 1 = 66, 2 = F3, 3 = F2 (the last F2/F3 wins, then 66). */
export const CTX_MP_SHIFT = 0;
export const CTX_REG_SHIFT = 2; // ModRM.reg (3 bits, without REX.R)
export const CTX_MODREG_SHIFT = 5; // 1 when ModRM.mod == 11
export const CTX_RM_SHIFT = 6; // ModRM.rm (3 bits, without REX.B)
export const CTX_OSZ_SHIFT = 9; // operand size: 0 = 16, 1 = 32, 2 = 64
export const CTX_ASZ_SHIFT = 11; // address size: 0 = 16, 1 = 32, 2 = 64
export const CTX_MODE64_SHIFT = 13; // 1 in 64-bit mode
export const CTX_REXB_SHIFT = 14; // REX.B (only NOP vs XCHG r8,rAX needs it)
export const CTX_REXW_SHIFT = 15; // REX.W
export const CTX_NO66_SHIFT = 16; // 1 when no 66 prefix at all (forms that must not have 66)
export const CTX_VEXL_SHIFT = 17; // VEX.L (0 = 128-bit / LZ, 1 = 256-bit)
export const CTX_NOVVVV_SHIFT = 18; // 1 when VEX.vvvv = 1111b (no register encoded there)

/** How the operand size is computed in 64-bit mode for a form (SDM Vol. 2, 2.2.1.7). */
export const SIZE_RULE_NORMAL = 0; // 32, 16 with 66, 64 with REX.W
export const SIZE_RULE_D64 = 1; // default 64 (PUSH/POP...), 16 with 66
export const SIZE_RULE_F64 = 2; // always 64 (near branches; Intel ignores 66)

/** Per-form attribute bits beyond the public ATTR_* (bits 8+ are decoder-internal). */
export const FATTR_MANDATORY_PREFIX = 1 << 8; // the 66/F2/F3 selected the form (not a prefix)
export const FATTR_RM_IS_REG = 1 << 9; // r/m is a register whatever mod says (MOV CR/DR)
export const FATTR_HAS_MEM = 1 << 10; // an operand may address memory via ModRM

// Per-form record in the generated FORM_INFO (Int32Array, FINFO_STRIDE words per row), so one
// decode touches one cache line of table data instead of a dozen separate arrays.
export const FINFO_STRIDE = 8;
export const FINFO_MASK = 0; // match-context mask
export const FINFO_VALUE = 1; // match-context value
export const FINFO_CODE_MNEMONIC = 2; // Code | Mnemonic << 16
// ATTR_*/FATTR_* (bits 0..15) | MemSize << 16 | operand count << 21 | size rule << 24 |
// FlowControl << 26
export const FINFO_ATTRS = 3;
export const FINFO_FLAGS_READ_CPUID = 4; // EFLAGS read (bits 0..19) | CpuidFeature << 20
export const FINFO_FLAGS_WRITTEN = 5; // EFLAGS written, including undefined ones
export const FINFO_FLAGS_UNDEFINED = 6;
export const FINFO_OPS01 = 7; // operand specs 0 and 1: op0 | op1 << 16 (2 and 3 in FORM_OPS)
