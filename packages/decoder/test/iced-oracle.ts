// Differential oracle: decodes the same bytes with iced-x86 (npm 1.21, default DecoderOptions)
// and with our Decoder, and describes the first disagreement. Used by the quick-lane sweeps,
// the soak script and the real-code corpus test. Expected values come from iced, never from us.
import * as iced from "iced-x86";
import { Code, Decoder, Instruction, Mnemonic, OpKind } from "../src/index";

export interface Mismatch {
  readonly bytes: string;
  readonly what: string;
  readonly ours: string;
  readonly iced: string;
  /** iced decoded a form whose Code we do not have (outside what the decoder claims). */
  readonly unclaimed: boolean;
}

function hex(b: Uint8Array, off: number, len: number): string {
  return Array.from(b.subarray(off, off + len), (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** One iced decoder over a whole buffer (constructing one per case is slow in wasm). */
export class IcedOracle {
  readonly ours: Decoder;
  readonly insn = new Instruction();
  readonly icedInsn = new iced.Instruction();
  private readonly icedDecoder: iced.Decoder;

  constructor(
    readonly bitness: 16 | 32 | 64,
    readonly buf: Uint8Array,
  ) {
    this.ours = new Decoder(bitness);
    this.icedDecoder = new iced.Decoder(bitness, buf, iced.DecoderOptions.None);
  }

  free(): void {
    this.icedDecoder.free();
    this.icedInsn.free();
  }

  /** Decodes at `offset` with both; returns null when they agree on everything we claim. */
  compare(offset: number, end: number, ip: number): Mismatch | null {
    const d = this.icedDecoder;
    d.position = offset;
    d.ip = BigInt(ip);
    const ic = this.icedInsn;
    const view = end < this.buf.length ? this.buf.subarray(0, end) : this.buf;
    d.decodeOut(ic);
    const o = this.insn;
    this.ours.decode(view, offset, ip, o);
    const icedValid = ic.code !== iced.Code.INVALID && offset + ic.length <= end;
    const bytes = hex(this.buf, offset, Math.max(ic.length, o.length, 1));
    const unclaimed =
      icedValid && (Code as unknown as Record<string, number>)[iced.Code[ic.code]] === undefined;
    const mm = (what: string, ours: unknown, theirs: unknown): Mismatch => ({
      bytes,
      what,
      ours: String(ours),
      iced: String(theirs),
      unclaimed,
    });
    if (icedValid !== !o.isInvalid) {
      return mm(
        "validity",
        o.isInvalid ? "invalid" : Code[o.code],
        icedValid ? iced.Code[ic.code] : "invalid",
      );
    }
    if (!icedValid) return null;
    if (o.length !== ic.length) return mm("length", o.length, ic.length);
    if (Code[o.code] !== iced.Code[ic.code]) return mm("code", Code[o.code], iced.Code[ic.code]);
    if (Mnemonic[o.mnemonic] !== iced.Mnemonic[ic.mnemonic])
      return mm("mnemonic", Mnemonic[o.mnemonic], iced.Mnemonic[ic.mnemonic]);
    if (o.opCount !== ic.opCount) return mm("opCount", o.opCount, ic.opCount);
    for (let i = 0; i < o.opCount; i++) {
      const k = o.opKind(i);
      if (k !== ic.opKind(i)) return mm(`op${i}Kind`, OpKind[k], iced.OpKind[ic.opKind(i)]);
      if (k === OpKind.Register && o.opRegister(i) !== ic.opRegister(i))
        return mm(`op${i}Register`, o.opRegister(i), ic.opRegister(i));
      if (k === OpKind.Memory) {
        if (o.memBase !== ic.memoryBase) return mm("memBase", o.memBase, ic.memoryBase);
        if (o.memIndex !== ic.memoryIndex) return mm("memIndex", o.memIndex, ic.memoryIndex);
        if (o.memScale !== ic.memoryIndexScale)
          return mm("memScale", o.memScale, ic.memoryIndexScale);
        const disp =
          o.addrSize === 64
            ? (BigInt(o.memDisplacementHi) << 32n) | BigInt(o.memDisplacement >>> 0)
            : BigInt.asUintN(64, BigInt(o.memDisplacement));
        const icDisp = BigInt.asUintN(64, ic.memoryDisplacement);
        if (disp !== icDisp) return mm("memDisplacement", disp, icDisp);
      }
      if (
        ((k >= OpKind.MemorySegSI && k <= OpKind.MemorySegRDI) || k === OpKind.Memory) &&
        o.memSegment !== ic.memorySegment
      )
        return mm("memSegment", o.memSegment, ic.memorySegment);
      if (k >= OpKind.Immediate8 && k <= OpKind.Immediate32to64) {
        const v =
          k === OpKind.Immediate8_2nd
            ? BigInt(o.immediate2)
            : (BigInt(o.immediateHi) << 32n) | BigInt(o.immediate);
        // iced returns the immediate sign-extended to 64 bits; ours is extended to the operand.
        const bits = k === OpKind.Immediate8to16 ? 16 : k === OpKind.Immediate8to32 ? 32 : 64;
        if (v !== BigInt.asUintN(bits, ic.immediate(i)))
          return mm(`op${i}Immediate`, v, BigInt.asUintN(bits, ic.immediate(i)));
      }
      if (k >= OpKind.NearBranch16 && k <= OpKind.NearBranch64) {
        const t =
          k === OpKind.NearBranch16
            ? BigInt(ic.nearBranch16)
            : k === OpKind.NearBranch32
              ? BigInt(ic.nearBranch32)
              : ic.nearBranch64;
        if (BigInt.asUintN(64, BigInt(o.nearBranchTarget)) !== t)
          return mm("nearBranch", o.nearBranchTarget, t);
      }
      if (k === OpKind.FarBranch16 || k === OpKind.FarBranch32) {
        const off = k === OpKind.FarBranch16 ? ic.farBranch16 : ic.farBranch32;
        if (o.farSelector !== ic.farBranchSelector || o.farOffset !== off)
          return mm("far", `${o.farSelector}:${o.farOffset}`, `${ic.farBranchSelector}:${off}`);
      }
    }
    if (o.segmentPrefix !== ic.segmentPrefix)
      return mm("segmentPrefix", o.segmentPrefix, ic.segmentPrefix);
    if (o.hasLock !== ic.hasLockPrefix) return mm("lock", o.hasLock, ic.hasLockPrefix);
    if (o.hasRep !== ic.hasRepePrefix) return mm("rep", o.hasRep, ic.hasRepePrefix);
    if (o.hasRepne !== ic.hasRepnePrefix) return mm("repne", o.hasRepne, ic.hasRepnePrefix);
    return null;
  }
}

/** iced's Intel formatter configured as documented in src/formatter.ts (FORMATTER_ICED_OPTIONS). */
export function makeIcedFormatter(): iced.Formatter {
  const f = new iced.Formatter(iced.FormatterSyntax.Intel);
  f.hexPrefix = "0x";
  f.hexSuffix = "";
  f.uppercaseHex = false;
  f.spaceAfterOperandSeparator = true;
  f.memorySizeOptions = iced.MemorySizeOptions.Always;
  f.showBranchSize = false;
  f.branchLeadingZeros = false;
  return f;
}
