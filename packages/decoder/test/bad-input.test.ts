// Bad input never throws: truncated buffers, reads past the end, garbage, the 15-byte limit
// (SDM Vol. 2, 2.3.11). Truncation is reported as NoMoreBytes, bad encodings as invalid.
import { describe, expect, it } from "vitest";
import { Code, DecodeError, Decoder, Instruction } from "../src/index";
import { formatInstruction } from "../src/formatter";
import { xorshift32 } from "./random-windows";

describe("bad input", () => {
  it("every prefix of a long instruction is NoMoreBytes, the full one decodes", () => {
    // add dword ptr [eax+ecx*4+0x12345678], 0x9abcdef0 (iced: Add_rm32_imm32, 11 bytes)
    const full = Uint8Array.from([
      0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a,
    ]);
    const d = new Decoder(32);
    const insn = new Instruction();
    for (let n = 0; n < full.length; n++) {
      d.decode(full.subarray(0, n), 0, 0, insn);
      expect(insn.code).toBe(Code.INVALID);
      expect(insn.error).toBe(DecodeError.NoMoreBytes);
    }
    d.decode(full, 0, 0, insn);
    expect(Code[insn.code]).toBe("Add_rm32_imm32");
    expect(insn.length).toBe(11);
  });

  it("offset at or past the end returns NoMoreBytes", () => {
    const d = new Decoder(16);
    const insn = new Instruction();
    d.decode(new Uint8Array([0x90]), 1, 0, insn);
    expect(insn.error).toBe(DecodeError.NoMoreBytes);
    d.decode(new Uint8Array([0x90]), 99, 0, insn);
    expect(insn.error).toBe(DecodeError.NoMoreBytes);
  });

  it("15 bytes is the limit: 14 prefixes + NOP decodes, 15 prefixes + NOP is invalid", () => {
    const d = new Decoder(32);
    const insn = new Instruction();
    const ok = new Uint8Array(15).fill(0x66);
    ok[14] = 0x90;
    d.decode(ok, 0, 0, insn);
    expect(insn.length).toBe(15);
    expect(insn.isInvalid).toBe(false);
    const tooLong = new Uint8Array(16).fill(0x66);
    tooLong[15] = 0x90;
    d.decode(tooLong, 0, 0, insn);
    expect(insn.code).toBe(Code.INVALID);
    expect(insn.error).toBe(DecodeError.InvalidInstruction);
  });

  it("random garbage at every offset, all modes: no exception, length within 0..15", () => {
    const next = xorshift32(12345);
    const buf = new Uint8Array(65536).map(() => next() & 0xff);
    const insn = new Instruction();
    for (const bits of [16, 32, 64] as const) {
      const d = new Decoder(bits);
      for (let off = 0; off <= buf.length; off += 3) {
        d.decode(buf, off, off, insn);
        expect(insn.length).toBeGreaterThanOrEqual(0);
        expect(insn.length).toBeLessThanOrEqual(15);
        formatInstruction(insn);
      }
    }
  }, 60_000); // ~200k decodes + formats: slow only on a loaded shared machine

  it("decodeFetch reads only the instruction's bytes and lets fetch exceptions through", () => {
    const code = [0x8b, 0x44, 0x24, 0x08, 0xcc, 0xcc];
    const seen: number[] = [];
    const d = new Decoder(32);
    const insn = new Instruction();
    d.decodeFetch((a) => (seen.push(a), code[a - 0x1000] ?? 0), 0x1000, 0x400000, insn);
    expect(Code[insn.code]).toBe("Mov_r32_rm32");
    expect(seen).toEqual([0x1000, 0x1001, 0x1002, 0x1003]);
    class PageFault extends Error {}
    expect(() =>
      d.decodeFetch(
        (a) => {
          if (a >= 0x1002) throw new PageFault("#PF");
          return code[a - 0x1000]!;
        },
        0x1000,
        0,
        insn,
      ),
    ).toThrow(PageFault);
  });
});
