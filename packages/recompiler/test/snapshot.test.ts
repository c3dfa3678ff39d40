// Recompiler output snapshots: small guest code in, generated source out. A change to the
// emitters shows up here as a diff; review it and accept with `npx vitest run -u`.
import { Decoder } from "@ringvm/decoder";
import { describe, expect, it } from "vitest";
import { discoverRegion, generate, type GenerateOptions } from "../src/index";

function regionSource(
  bytes: number[],
  bits: 16 | 32 = 32,
  ss32 = true,
  options: GenerateOptions = {},
): string {
  const at = 0x1000;
  const mem = new Uint8Array(0x2000);
  mem.set(bytes, at);
  const region = discoverRegion((a) => mem[a & 0x1fff]!, new Decoder(bits), at, at);
  return generate(region, ss32, options).source;
}

describe("generated source", () => {
  it("cmp + jcc loop fuses the condition and loops in-function", () => {
    // L: add eax, [ebx+4] / inc ecx / cmp ecx, edx / jl L / ret
    expect(regionSource([0x03, 0x43, 0x04, 0x41, 0x39, 0xd1, 0x7c, 0xf8, 0xc3])).toMatchSnapshot();
  });

  it("push/pop, lea and a handler call (cpuid) in one block", () => {
    // push ebp / mov ebp, esp / lea eax, [esi+ecx*4+8] / cpuid / pop ebp / jmp $
    expect(
      regionSource([0x55, 0x89, 0xe5, 0x8d, 0x44, 0x8e, 0x08, 0x0f, 0xa2, 0x5d, 0xeb, 0xfe]),
    ).toMatchSnapshot();
  });

  it("flat DS/SS with the TLB fast path: inline loads/stores, push/call/ret, flags in locals", () => {
    // L: mov eax, [esi] / add [edi+ecx*4], eax / shl edx, 3 / dec ecx / jnz L /
    // push ebx / call $+5 / pop ebx / setb al / ret
    expect(
      regionSource(
        [
          0x8b, 0x06, 0x01, 0x04, 0x8f, 0xc1, 0xe2, 0x03, 0x49, 0x75, 0xf5, 0x53, 0xe8, 0x00, 0x00,
          0x00, 0x00, 0x5b, 0x0f, 0x92, 0xc0, 0xc3,
        ],
        32,
        true,
        { flat: 0b1101, fast: true },
      ),
    ).toMatchSnapshot();
  });

  it("16-bit code: register ALU inlined, 16-bit addressing through the handler", () => {
    // L: add ax, bx / jnz L / add [bx], al / hlt (16-bit code)
    expect(regionSource([0x01, 0xd8, 0x75, 0xfc, 0x00, 0x07, 0xf4], 16, false)).toMatchSnapshot();
  });
});
