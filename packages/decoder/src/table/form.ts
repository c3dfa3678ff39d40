// The instruction-form table: types, legend and notation. Every other artefact (Code, Mnemonic,
// the decoder's lookup arrays, the CPU dispatch, test coverage lists) is derived from the rows
// in map-*.ts, groups.ts and x87.ts by scripts/gen-forms.ts.
//
// ## Legend (fields of OpcodeForm)
// - `code`: the form's name, iced-x86 style `Mnemonic_operand_operand` (`Add_rm32_r32`). Names
//   equal iced's `Code` names so differential tests and readers can match them one-to-one.
// - `opcode`: the encoding, space-separated tokens (notation below).
// - `mnemonic`: iced-style mnemonic name (`Add`); the formatter prints it lower-cased.
// - `ops`: operand specs in Intel order (destination first): SDM letters with a size (see
//   ../operand-spec.ts) or a fixed register name (`AL`, `DX`, `ES`, `ST0`).
// - `mem`: memory access size when an operand can be memory and its letter does not imply it
//   (M-operands, moffs, x87): "byte", "word", "dword", "qword", "tbyte", "fword", "xmmword",
//   "unsized" (LEA/INVLPG/blocks), "env14", "env28", "state94", "state108", "fxsave512",
//   "far1616" (m16:16), "far1664", "bound1616", "bound3232".
// - `cpuid`: iced `CpuidFeature` name (default "INTEL8086").
// - `flags`: EFLAGS read / written / undefined, as letters o s z a c p d i t (AC: `A`).
// - `attrs`: "lock" (LOCK-able with a memory destination), "priv" (CPL 0 only), "iopl"
//   (IOPL-sensitive), "string" (REP/REPNE apply).
// - `flow`: iced `FlowControl` name (default "Next").
//
// ## Opcode notation
// Tokens, in any order before the opcode bytes:
// - `o16` `o32` `o64`: the form applies only at this effective operand size.
// - `a16` `a32` `a64`: only at this address size.
// - `NP` `66` `F3` `F2`: mandatory prefix (NP: none of them). The prefix then selects the form
//   and is not an operand-size or REP prefix.
// - `noF2F3`: neither F2 nor F3 (66 allowed, as an operand-size prefix).
// - `i64`: invalid in 64-bit mode. `x64`: only in 64-bit mode.
// - `d64`: operand size defaults to 64 in 64-bit mode (66 gives 16). `f64`: always 64 there.
// - `W0` `W1`: REX.W must be clear / set. `rexB0`: REX.B must be clear (NOP vs XCHG r8,rAX).
// - `no66`: no 66 prefix at all (even when F2/F3 is the mandatory prefix).
// Then the bytes: `0F`, `0F 38` or `0F 3A` select the map; the last byte is the opcode, with
// `+r` meaning 8 consecutive opcodes whose low 3 bits name a register (Z operands).
// After the opcode, ModRM notation:
// - `/r`: ModRM present, any reg. `/0`..`/7`: ModRM.reg must equal the digit.
// - `/XX` (two hex digits): the whole ModRM byte is fixed (mod = 11), e.g. `0F 01 /D0`.
// - `mem` / `reg`: ModRM.mod must be memory (!= 11) / register (== 11).
// - `rm=N`: ModRM.rm must equal N (used with `reg`).
//
// ## Deliberate deviations and choices (checked against iced-x86 1.21 with default options)
// - Near branches and JCXZ/LOOP in 64-bit mode ignore 66 (Intel behaviour; iced's default).
// - LOCK on a non-lockable form, or with a register destination, decodes as invalid (#UD).
// - Rows follow the SDM's operand letters; where iced splits a form by an alias opcode
//   (`Add_rm8_imm8_82`, `Test_rm8_imm8_F6r1`) we split it too, with the same name.

export type Flow =
  | "Next"
  | "UnconditionalBranch"
  | "IndirectBranch"
  | "ConditionalBranch"
  | "Return"
  | "Call"
  | "IndirectCall"
  | "Interrupt"
  | "XbeginXabortXend"
  | "Exception";

export type Attr = "lock" | "priv" | "iopl" | "string";

export type MemSizeName =
  | "byte"
  | "word"
  | "dword"
  | "qword"
  | "tbyte"
  | "fword"
  | "xmmword"
  | "ymmword"
  | "unsized"
  | "env14"
  | "env28"
  | "state94"
  | "state108"
  | "fxsave512"
  | "far1616"
  | "far1664"
  | "bound1616"
  | "bound3232";

export interface OpcodeForm {
  readonly code: string;
  readonly opcode: string;
  readonly mnemonic: string;
  readonly ops?: readonly string[];
  readonly mem?: MemSizeName;
  readonly cpuid?: string;
  readonly flags?: { readonly read?: string; readonly written?: string; readonly undef?: string };
  readonly attrs?: readonly Attr[];
  readonly flow?: Flow;
}

/** Freezes rows (and their nested arrays) so no consumer can mutate the table. */
export function freezeForms<T extends readonly OpcodeForm[]>(rows: T): T {
  for (const r of rows) {
    if (r.ops) Object.freeze(r.ops);
    if (r.attrs) Object.freeze(r.attrs);
    if (r.flags) Object.freeze(r.flags);
    Object.freeze(r);
  }
  return Object.freeze(rows);
}

/** The three operand sizes as row-building data: size suffix, letter, accumulator. */
export const SIZES = [
  { bits: 16, o: "o16", s: "16", l: "w", acc: "AX", imm: "Iw", immName: "imm16" },
  { bits: 32, o: "o32", s: "32", l: "d", acc: "EAX", imm: "Id", immName: "imm32" },
  { bits: 64, o: "o64", s: "64", l: "q", acc: "RAX", imm: "Idq", immName: "imm32" },
] as const;
