// The .xz decoder against xz(1): vectors made by test/vectors/make-xz-vectors.sh (x86 BCJ +
// LZMA2 with CRC32; several blocks with CRC64 and non-default lc/lp/pb); the expected SHA-256
// of the content is what the host's sha256sum printed for the input xz compressed.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc32, decodeXz, XzError } from "../src/xz";

const vectors = new URL("vectors/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, vectors)));
const expectedSha = readFileSync(new URL("xz-plain.sha256", vectors), "utf8").trim();
const expectedSize = Number(readFileSync(new URL("xz-plain.size", vectors), "utf8").trim());
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("decodeXz", () => {
  it("decodes x86 BCJ + LZMA2 (CRC32) as xz(1) does", () => {
    const out = decodeXz(read("x86-lzma2.xz"));
    expect(out.length).toBe(expectedSize);
    expect(sha256(out)).toBe(expectedSha);
  });

  it("decodes several blocks with CRC64 and lc=1 lp=1 pb=1", () => {
    const out = decodeXz(read("blocks-lzma2.xz"), 16);
    expect(out.length).toBe(expectedSize);
    expect(sha256(out)).toBe(expectedSha);
  });

  it("computes the IEEE CRC-32 (check value of '123456789' is CBF43926)", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf4_3926);
  });

  it("rejects damaged input with an XzError", () => {
    expect(() => decodeXz(new Uint8Array(32))).toThrow(/bad magic/);
    const damaged = read("x86-lzma2.xz");
    damaged[13] = damaged[13]! ^ 0xff; // block header byte: CRC mismatch
    expect(() => decodeXz(damaged)).toThrow(XzError);
    const truncated = read("x86-lzma2.xz").subarray(0, 2000);
    expect(() => decodeXz(truncated)).toThrow(XzError);
  });
});
