// The WebAssembly back end's SSE2 integer forms (src/wasm/lower.ts: WebAssembly SIMD over XMM0-7
// in the shared memory): PXOR/POR/PAND/PANDN, PCMPEQ/PCMPGT B/W/D, PADD/PSUB B/W/D/Q with the
// saturating forms, PMINUB/PMAXUB/PMINSW/PMAXSW, PAVGB/W, PMULLW, PUNPCKL*/PUNPCKH*,
// MOVDQA/MOVDQU, PSHUFD, PMOVMSKB and MOVD, and the bit-identical packed-float forms (AND/ANDN/
// OR/XOR PS/PD, UNPCKL/H PS/PD, MOVAPS/MOVUPS/MOVAPD/MOVUPD, MOVNTPS/MOVNTDQ). Random programs of them run in lock-step with the
// interpreter, whose SSE handlers (@ringvm/cpu simd.ts) are the oracle (checked there against
// the host CPU's results); the state compared after every dispatch includes XMM0-7 and CR4, and
// memory at the end. The handlers must not be called from regions for the inline cases; the
// cases an inline form leaves to its handler (SSE disabled or CR0.TS set, a misaligned m128, an
// m128 crossing into an unmapped page) must raise what the interpreter raises.
import { describe, expect, it } from "vitest";
import { Code } from "@ringvm/decoder";
import { HANDLERS, type CpuState } from "@ringvm/cpu";
import { DATA_AT, HANDLERS_AT, HOLE, type Machine } from "./support/machine";
import { lockstep } from "./support/lockstep";
import { COUNTER, DST, le32, mulberry32 } from "./support/program-parts";

const CR4_OSFXSR = 1 << 9;
const CR0_TS = 1 << 3;

/** 66 0F op /r forms of xmm, xmm/m128 (the aligned-m128 integer operations). */
const BINARY = [
  0xef, 0xeb, 0xdb, 0xdf, 0x74, 0x75, 0x76, 0xfc, 0xf8, 0xfe, 0xfa, 0x60, 0x61, 0x62, 0x6c, 0x68,
  0x69, 0x6a, 0x6d, 0x64, 0x65, 0x66, 0xec, 0xdc, 0xe8, 0xd8, 0xda, 0xde, 0xe0, 0xfd, 0xed, 0xdd,
  0xf9, 0xe9, 0xd9, 0xd5, 0xea, 0xee, 0xe3, 0xd4, 0xfb,
];

/** 0F op /r forms (no prefix: the packed-single bitwise and unpack forms; 66: the PD ones). */
const PS_BINARY = [0x54, 0x55, 0x56, 0x57, 0x14, 0x15];

/** The codes the programs below use, which regions must run without their handler. */
const INLINE = [
  "Pxor_xmm_xmmm128",
  "Por_xmm_xmmm128",
  "Pand_xmm_xmmm128",
  "Pandn_xmm_xmmm128",
  "Pcmpeqb_xmm_xmmm128",
  "Pcmpeqw_xmm_xmmm128",
  "Pcmpeqd_xmm_xmmm128",
  "Paddb_xmm_xmmm128",
  "Psubb_xmm_xmmm128",
  "Paddd_xmm_xmmm128",
  "Psubd_xmm_xmmm128",
  ...[
    ...["Pcmpgtb", "Pcmpgtw", "Pcmpgtd", "Paddsb", "Paddusb", "Psubsb", "Psubusb", "Pminub"],
    ...["Pmaxub", "Pavgb", "Paddw", "Paddsw", "Paddusw", "Psubw", "Psubsw", "Psubusw", "Pmullw"],
    ...["Pminsw", "Pmaxsw", "Pavgw", "Paddq", "Psubq"],
  ].map((n) => `${n}_xmm_xmmm128`),
  ...["And", "Andn", "Or", "Xor", "Unpckl", "Unpckh"].flatMap((n) => [
    `${n}ps_xmm_xmmm128`,
    `${n}pd_xmm_xmmm128`,
  ]),
  ...["Movaps", "Movapd", "Movups", "Movupd"].flatMap((n) => [
    `${n}_xmm_xmmm128`,
    `${n}_xmmm128_xmm`,
  ]),
  "Movntps_m128_xmm",
  "Movntdq_m128_xmm",
  "Punpcklbw_xmm_xmmm128",
  "Punpcklwd_xmm_xmmm128",
  "Punpckldq_xmm_xmmm128",
  "Punpcklqdq_xmm_xmmm128",
  "Punpckhbw_xmm_xmmm128",
  "Punpckhwd_xmm_xmmm128",
  "Punpckhdq_xmm_xmmm128",
  "Punpckhqdq_xmm_xmmm128",
  "Movdqa_xmm_xmmm128",
  "Movdqa_xmmm128_xmm",
  "Movdqu_xmm_xmmm128",
  "Movdqu_xmmm128_xmm",
  "Pshufd_xmm_xmmm128_imm8",
  "Pmovmskb_r32_xmm",
  "Movd_xmm_rm32",
  "Movd_rm32_xmm",
].map((n) => Code[n as keyof typeof Code] as number);

/**
 * A counted loop (4 runs) of random SSE2 forms: register and [ebp+d8] operands (aligned for the
 * aligned forms, any offset within the page for MOVDQU), results moved to general registers
 * and memory. EBP = DATA+0x100, ESI = DATA+0x800.
 */
function sseProgram(seed: number, length = 60): Uint8Array {
  const rnd = mulberry32(seed ^ 0x55e2);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const out: number[] = [];
  for (const r of DST) out.push(0xb8 + r, ...le32(int(2 ** 32)));
  out.push(0xbd, ...le32(DATA_AT + 0x100)); // mov ebp, DATA+0x100
  out.push(0xbe, ...le32(DATA_AT + 0x800)); // mov esi, DATA+0x800
  out.push(0xc7, 0x05, ...le32(COUNTER), ...le32(4)); // mov dword [COUNTER], 4
  const start = out.length;
  const xmmOrAligned = (reg: number): number[] =>
    rnd() < 0.6 ? [0xc0 | (reg << 3) | int(8)] : [0x45 | (reg << 3), 16 * int(8)];
  for (let n = 0; n < length; n++) {
    const x = int(8);
    switch (int(8)) {
      case 0:
      case 1:
        out.push(0x66, 0x0f, pick(BINARY), ...xmmOrAligned(x));
        break;
      case 2:
        out.push(...pick([[], [0x66]]), 0x0f, pick(PS_BINARY), ...xmmOrAligned(x));
        break;
      case 3: // movdqa / movaps / movapd, movdqu / movups / movupd, movntdq / movntps
        switch (int(5)) {
          case 0:
            out.push(0x66, 0x0f, pick([0x6f, 0x7f]), ...xmmOrAligned(x));
            break;
          case 1:
            out.push(...pick([[], [0x66]]), 0x0f, pick([0x28, 0x29]), ...xmmOrAligned(x));
            break;
          case 2:
            out.push(0xf3, 0x0f, pick([0x6f, 0x7f]), 0x45 | (x << 3), int(120));
            break;
          case 3:
            out.push(...pick([[], [0x66]]), 0x0f, pick([0x10, 0x11]), 0x45 | (x << 3), int(120));
            break;
          default:
            out.push(
              ...pick([
                [0x66, 0x0f, 0xe7],
                [0x0f, 0x2b],
              ]),
              0x45 | (x << 3),
              16 * int(8),
            );
        }
        break;
      case 4:
        out.push(0x66, 0x0f, 0x70, ...xmmOrAligned(x), int(256)); // pshufd
        break;
      case 5:
        out.push(0x66, 0x0f, 0xd7, 0xc0 | (pick(DST) << 3) | x); // pmovmskb r32, xmm
        break;
      case 6: // movd xmm, r32 / [ebp+d8]
        out.push(0x66, 0x0f, 0x6e, rnd() < 0.5 ? 0xc0 | (x << 3) | pick(DST) : 0x45 | (x << 3));
        if ((out[out.length - 1]! & 0xc0) === 0x40) out.push(4 * int(60));
        break;
      default: // movd r32 / [esi+d8], xmm
        if (rnd() < 0.5) out.push(0x66, 0x0f, 0x7e, 0xc0 | (x << 3) | pick(DST));
        else out.push(0x66, 0x0f, 0x7e, 0x46 | (x << 3), 4 * int(60));
    }
  }
  out.push(0x83, 0x2d, ...le32(COUNTER), 1); // sub dword [COUNTER], 1
  const rel = start - (out.length + 6);
  out.push(0x0f, 0x85, ...le32(rel >>> 0), 0xf4); // jnz start; hlt
  return Uint8Array.from(out);
}

/** Random data, CR4.OSFXSR (and `cr0` bits) on both machines. */
function setup(seed: number, cr0 = 0, cr4 = CR4_OSFXSR): (m: Machine) => void {
  return (m) => {
    const rnd = mulberry32(seed);
    for (let k = 0; k < 0x1000; k++) m.mem.bytes[DATA_AT + k] = Math.floor(rnd() * 256);
    m.cpu.setControlRegister(4, cr4);
    if (cr0 !== 0) m.cpu.setControlRegister(0, m.cpu.state.cr0 | cr0);
  };
}

/** Runs `fn` counting calls of the `codes`' handlers on the recompiler's machine (its XMM are in the wasm memory). */
function countingHandlers<T>(codes: readonly number[], fn: () => T): { result: T; calls: number } {
  const table = HANDLERS as ((s: CpuState, i: unknown) => void)[];
  const originals = codes.map((c) => table[c]!);
  let calls = 0;
  codes.forEach((c, k) => {
    table[c] = (s, i) => {
      if (s.sse.d.byteOffset !== 0) calls++;
      originals[k]!(s, i);
    };
  });
  try {
    return { result: fn(), calls };
  } finally {
    codes.forEach((c, k) => (table[c] = originals[k]!));
  }
}

describe("wasm lowering: SSE2 integer forms inline (WebAssembly SIMD)", () => {
  it("random programs match the interpreter, XMM and memory included, without handler calls", () => {
    expect(INLINE.filter((c) => typeof c !== "number")).toEqual([]);
    for (let seed = 1; seed <= 24; seed++) {
      const { result, calls } = countingHandlers(INLINE, () =>
        lockstep(sseProgram(seed), { backend: "wasm-shared", setup: setup(seed) }),
      );
      expect(result.b.engine!.stats.translatedWasm).toBeGreaterThan(0);
      // Every form ran inside WebAssembly (threshold 1: no cold first runs).
      expect({ seed, calls }).toEqual({ seed, calls: 0 });
      // The programs did change the XMM registers (the comparison is not of zeros).
      expect(result.b.cpu.state.sse.d.some((v) => v !== 0)).toBe(true);
    }
  });

  it("without CR4.OSFXSR the forms raise #UD, with CR0.TS #NM, as the interpreter does", () => {
    for (const [cr0, cr4, vector] of [
      [0, 0, 6],
      [CR0_TS, CR4_OSFXSR, 7],
    ] as const) {
      const { b } = lockstep(sseProgram(3, 20), {
        backend: "wasm-shared",
        setup: setup(3, cr0, cr4),
      });
      // Stopped in the vector's handler stub (after its HLT), not at the program's end.
      expect(b.cpu.state.eip >>> 0).toBe(HANDLERS_AT + 16 * vector + 1);
    }
  });

  it("CR0.TS set by a MOV CR0 earlier in the same region makes the next form raise #NM", () => {
    const code = Uint8Array.from([
      ...[0x66, 0x0f, 0xef, 0xc1], // pxor xmm0, xmm1: inline
      ...[0x0f, 0x20, 0xc0, 0x83, 0xc8, 0x08, 0x0f, 0x22, 0xc0], // mov eax, cr0; or eax, 8; mov cr0, eax
      ...[0x66, 0x0f, 0xef, 0xc1, 0xf4], // pxor xmm0, xmm1: #NM; hlt
    ]);
    const { b } = lockstep(code, { backend: "wasm-shared", setup: setup(7) });
    expect(b.cpu.state.eip >>> 0).toBe(HANDLERS_AT + 16 * 7 + 1);
  });

  it("a misaligned MOVDQA m128 raises #GP; a MOVDQU crossing into an unmapped page #PF", () => {
    const pf = (HOLE - 8 - (DATA_AT + 0x800)) >>> 0;
    for (const [body, vector] of [
      [[0x66, 0x0f, 0x6f, 0x45, 0x04], 13], // movdqa xmm0, [ebp+4]
      [[0x66, 0x0f, 0x7f, 0x4d, 0x08], 13], // movdqa [ebp+8], xmm1
      [[0xf3, 0x0f, 0x6f, 0x96, ...le32(pf)], 14], // movdqu xmm2, [esi+HOLE-8-esi]
    ] as const) {
      const code = Uint8Array.from([
        ...[0xbd, ...le32(DATA_AT + 0x100), 0xbe, ...le32(DATA_AT + 0x800)],
        ...[0x66, 0x0f, 0x6f, 0x45, 0x10], // movdqa xmm0, [ebp+16]: inline, fine
        ...body,
        0xf4,
      ]);
      const { b } = lockstep(code, { backend: "wasm-shared", setup: setup(5) });
      expect(b.cpu.state.eip >>> 0).toBe(HANDLERS_AT + 16 * vector + 1);
      expect(b.cpu.state.sse.d.some((v) => v !== 0)).toBe(true);
    }
  });
});
