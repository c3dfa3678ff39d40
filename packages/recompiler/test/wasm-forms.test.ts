// The WebAssembly back end's lowerings of the forms that used to call interpreter handlers
// (src/wasm/lower.ts): 8/16-bit shifts, FS/GS (non-flat) memory operands, MOV moffs, fences and
// PAUSE, BSWAP, LEAVE, PUSH/POP r/m32, XCHG, CMPXCHG, MUL/DIV, string forms. Each runs in
// lock-step with the interpreter, full architectural state compared after every dispatch and
// memory at the end (test/support/lockstep.ts). The interpreter is the oracle here because its
// semantics (alu.ts, the handlers) are verified against hardware: the SingleStepTests vectors
// recorded on real CPUs (packages/cpu conformance tests, /work/shared/testdata) and the native
// host oracle for flags. Each test also checks that the forms under test ran inside WebAssembly
// regions without a handler import (`handlerCodes`).
import { describe, expect, it } from "vitest";
import { Code } from "@ringvm/decoder";
import { HANDLERS, SegReg, StopReason, type CpuState } from "@ringvm/cpu";
import {
  CODE_AT,
  DATA_AT,
  HOLE,
  makeMachine,
  snapshot,
  type Machine,
  type TestBackend,
} from "./support/machine";
import { lockstep, type LockstepOptions } from "./support/lockstep";
import { COUNTER, DST, le32, mulberry32 } from "./support/program-parts";

/** Codes of the instructions the machine's WebAssembly regions call handlers for. */
function handlerCodes(m: Machine): Set<number> {
  const out = new Set<number>();
  for (const b of m.engine!.blocks()) {
    if (b.wasm === null) continue;
    for (const i of b.handlerSites) out.add(i.code);
  }
  return out;
}

/** Lock-step run that also requires wasm regions and none of `codes` through a handler. */
function run(
  code: Uint8Array,
  backend: TestBackend,
  codes: readonly number[],
  options: LockstepOptions = {},
): Machine {
  const { b } = lockstep(code, { backend, maxSteps: 20_000, threshold: 1, ...options });
  expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  const h = handlerCodes(b);
  expect(codes.filter((c) => h.has(c)).map((c) => Code[c])).toEqual([]);
  return b;
}

/**
 * Runs `code` to HLT on the interpreter and on the recompiler (threshold 1, WebAssembly) with
 * `run`, chaining on: unlike lock-step, regions run many blocks per entry.
 */
function freeRun(code: Uint8Array): { a: Machine; b: Machine } {
  const a = makeMachine(code, false);
  const b = makeMachine(code, true, 1, true, "wasm");
  for (const m of [a, b]) {
    let stop: number = StopReason.Budget;
    for (let k = 0; k < 1000 && stop === StopReason.Budget; k++)
      stop = m.engine === null ? m.cpu.run(10_000) : m.engine.run(10_000);
    expect(stop).toBe(StopReason.Halt);
  }
  return { a, b };
}

const names = (prefixes: readonly string[]): number[] =>
  Object.entries(Code)
    .filter(([n, v]) => typeof v === "number" && prefixes.some((p) => n.startsWith(p)))
    .filter(([n]) => !n.includes("64"))
    .map(([, v]) => v as number);

/** A counted loop around `body` (registers seeded first, EBP = DATA+0x100). */
function loop(rnd: () => number, body: number[], loops = 4): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  const out: number[] = [];
  for (const r of DST) out.push(0xb8 + r, ...le32(int(2 ** 32)));
  out.push(0xbd, ...le32(DATA_AT + 0x100)); // mov ebp, DATA+0x100
  out.push(0xbe, ...le32(DATA_AT + 0x800)); // mov esi, DATA+0x800
  out.push(0xc7, 0x05, ...le32(COUNTER), ...le32(loops)); // mov dword [COUNTER], loops
  const start = out.length;
  out.push(...body);
  out.push(0x83, 0x2d, ...le32(COUNTER), 1); // sub dword [COUNTER], 1
  const rel = start - (out.length + 6);
  out.push(0x0f, 0x85, ...le32(rel >>> 0), 0xf4); // jnz start; hlt
  return Uint8Array.from(out);
}

/** A flag reader or overwriter after the form under test. */
function flagUse(rnd: () => number, out: number[]): void {
  const int = (n: number): number => Math.floor(rnd() * n);
  const dst = (): number => DST[int(DST.length)]!;
  switch (int(6)) {
    case 0:
      out.push(0x0f, 0x90 + int(16), 0xc0 | dst()); // setcc r8
      break;
    case 1:
      out.push(0x11, 0xc0 | (int(8) << 3) | dst()); // adc r, r
      break;
    case 2:
      out.push(0x70 + int(16), 2, 0x01, 0xc0 | (int(8) << 3) | dst()); // jcc over add r, r
      break;
    case 3:
      out.push(0x9c, 0x58 + dst()); // pushfd; pop r
      break;
    case 4:
      out.push(0x31, 0xc0 | (int(8) << 3) | dst()); // xor r, r: overwrites all
      break;
    default:
  }
}

const COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255];

/**
 * SHL/SAL/SHR/SAR of 8/16/32-bit registers and [ebp+d8] by imm8, 1 and CL, with counts 0, 1, n,
 * the width and beyond, each after a flag writer (the record a zero count must leave) and
 * before a flag reader.
 */
function shiftProgram(seed: number): Uint8Array {
  const rnd = mulberry32(seed ^ 0x51f7);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const body: number[] = [];
  for (let n = 0; n < 40; n++) {
    if (rnd() < 0.6)
      body.push(pick([0x01, 0x29, 0x21, 0x39, 0x11]), 0xc0 | (int(8) << 3) | pick(DST));
    const width = pick([8, 16, 16, 32]);
    const ext = pick([4, 5, 6, 7]); // shl shr sal sar
    const from = int(3);
    const count = rnd() < 0.7 ? pick(COUNTS) : int(256);
    if (from === 2 && rnd() < 0.8) body.push(0xb1, count); // mov cl, count
    const reg = width === 8 ? int(8) : pick(DST);
    const modrm = rnd() < 0.6 ? [0xc0 | (ext << 3) | reg] : [0x45 | (ext << 3), int(64)];
    if (width === 16) body.push(0x66);
    const base = width === 8 ? 0 : 1;
    if (from === 0) body.push(0xc0 + base, ...modrm, count);
    else if (from === 1) body.push(0xd0 + base, ...modrm);
    else body.push(0xd2 + base, ...modrm);
    flagUse(rnd, body);
  }
  return loop(rnd, body);
}

const SHIFTS = names(["Shl_rm", "Sal_rm", "Shr_rm", "Sar_rm"]);

describe("wasm lowering: shifts of 8/16/32-bit operands by imm8, 1 and CL", () => {
  it.each(Array.from({ length: 16 }, (_, k) => k + 1))("shift stream, seed %i", (seed) => {
    run(shiftProgram(seed), seed % 3 === 0 ? "wasm-shared" : "wasm", SHIFTS);
  });

  // Hand-picked edges: flags after 16-bit SHR by 0, 1, 15, 16, 17 and 8-bit SHL by 8, 9 (CF 0
  // beyond the width), each read back through PUSHFD.
  it("flags after shifts by 0, 1, n and >= the width are the interpreter's", () => {
    const body: number[] = [];
    for (const c of [0, 1, 15, 16, 17, 31]) {
      body.push(0xb8, ...le32(0x8001c003)); // mov eax, 0x8001c003
      body.push(0x83, 0xf8, 0x7f); // cmp eax, 0x7f (a record for count 0 to keep)
      body.push(0x66, 0xc1, 0xe8, c, 0x9c, 0x5a); // shr ax, c; pushfd; pop edx
      body.push(0x66, 0xc1, 0xf8, c, 0x9c, 0x5b); // sar ax, c; pushfd; pop ebx
      body.push(0xc0, 0xe0, c, 0x9c, 0x5f); // shl al, c; pushfd; pop edi
      body.push(0x89, 0x55, 4 * (c & 15), 0x89, 0x5d, 4 * (c & 15) + 64); // keep edx, ebx
    }
    run(loop(mulberry32(1), body, 2), "wasm", SHIFTS);
  });
});

/** SHLD/SHRD r/m32, r32 by imm8 and CL (counts as above), CDQ/CWDE/CWD/CBW, flag readers after. */
function doubleShiftProgram(seed: number): Uint8Array {
  const rnd = mulberry32(seed ^ 0xd5d5);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const body: number[] = [];
  for (let n = 0; n < 40; n++) {
    if (rnd() < 0.5) body.push(pick([0x01, 0x29, 0x21, 0x39]), 0xc0 | (int(8) << 3) | pick(DST));
    if (rnd() < 0.2) {
      body.push(...pick([[0x99], [0x98], [0x66, 0x99], [0x66, 0x98]]));
      continue;
    }
    const count = rnd() < 0.7 ? pick(COUNTS) : int(256);
    const cl = rnd() < 0.5;
    if (cl && rnd() < 0.8) body.push(0xb1, count); // mov cl, count
    const r = int(8);
    const modrm = rnd() < 0.6 ? [0xc0 | (r << 3) | pick(DST)] : [0x45 | (r << 3), int(64)];
    const op = pick([0xa4, 0xac]) + (cl ? 1 : 0);
    body.push(0x0f, op, ...modrm, ...(cl ? [] : [count]));
    flagUse(rnd, body);
  }
  return loop(rnd, body);
}

describe("wasm lowering: SHLD/SHRD r/m32 and accumulator sign extension", () => {
  const FORMS = names(["Shld_rm32", "Shrd_rm32", "Cdq", "Cwde", "Cwd", "Cbw"]);
  it.each(Array.from({ length: 8 }, (_, k) => k + 1))("stream, seed %i", (seed) => {
    run(doubleShiftProgram(seed), seed % 3 === 0 ? "wasm-shared" : "wasm", FORMS);
  });
});

/** Access rights of a present, writable, expand-up data segment, 32-bit. */
const DATA_AR = 0x80 | 0x10 | 0x02 | 0x01 | 0x4000 | 0x8000;

/**
 * FS with a nonzero base (Linux's per-CPU segment) and GS with a limit: MOV r32/rm32, MOV moffs,
 * INC/DEC, ADD/SUB r32, r/m32 and 8/16-bit ALU forms through an FS/GS override; the GS limit
 * makes some accesses raise #GP from inside a region.
 */
function segProgram(seed: number, gsFaults: boolean): Uint8Array {
  const rnd = mulberry32(seed ^ 0x6464);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const body: number[] = [];
  for (let n = 0; n < 30; n++) {
    const seg = gsFaults && rnd() < 0.2 ? 0x65 : 0x64;
    const r = pick(DST);
    const d8 = int(32) * 2 + int(2);
    const mem = [0x45 | (r << 3), d8];
    switch (int(9)) {
      case 0:
        body.push(seg, 0x8b, ...mem); // mov r32, fs:[ebp+d8]
        break;
      case 1:
        body.push(seg, 0x89, ...mem); // mov fs:[ebp+d8], r32
        break;
      case 2:
        body.push(seg, 0xff, 0x45 | (int(2) << 3), d8); // inc/dec dword fs:[ebp+d8]
        flagUse(rnd, body);
        break;
      case 3:
        body.push(seg, pick([0x03, 0x2b, 0x33, 0x3b]), ...mem); // add/sub/xor/cmp r32, fs:[..]
        flagUse(rnd, body);
        break;
      case 4:
        body.push(seg, 0xa1, ...le32(DATA_AT + 0x200 + d8)); // mov eax, fs:[moffs32]
        break;
      case 5:
        body.push(seg, 0xa3, ...le32(DATA_AT + 0x200 + d8)); // mov fs:[moffs32], eax
        break;
      case 6:
        body.push(seg, 0x66, 0x01, ...mem); // add word fs:[ebp+d8], r16
        flagUse(rnd, body);
        break;
      case 7:
        body.push(seg, 0x80, 0x45 | (int(8) << 3), d8, int(256)); // op byte fs:[ebp+d8], imm8
        flagUse(rnd, body);
        break;
      default:
        body.push(seg, 0xc1, 0x65, d8, int(32)); // shl dword fs:[ebp+d8], imm8
    }
  }
  return loop(rnd, body);
}

const fsSetup = (m: Machine): void => {
  m.cpu.loadSegmentCache(SegReg.FS, 0x10, 0x1234, 0xffffffff, DATA_AR);
  // GS: base 0x10, limit up to [ebp+0x30] and moffs DATA+0x230 (larger offsets: #GP).
  m.cpu.loadSegmentCache(SegReg.GS, 0x10, 0x10, DATA_AT + 0x130, DATA_AR);
};

const SEG_FORMS = [
  Code.Mov_r32_rm32,
  Code.Mov_rm32_r32,
  Code.Inc_rm32,
  Code.Dec_rm32,
  Code.Add_r32_rm32,
  Code.Sub_r32_rm32,
  Code.Mov_EAX_moffs32,
  Code.Mov_moffs32_EAX,
  Code.Add_rm16_r16,
];

describe("wasm lowering: FS/GS memory operands (checkedLinear at run time)", () => {
  it.each(Array.from({ length: 8 }, (_, k) => k + 1))("FS stream, seed %i", (seed) => {
    run(segProgram(seed, false), seed % 2 === 0 ? "wasm-shared" : "wasm", SEG_FORMS, {
      setup: fsSetup,
    });
  });

  it.each([1, 2, 3, 4])("a GS access beyond its limit raises #GP in a region, seed %i", (seed) => {
    const b = run(segProgram(seed, true), "wasm", SEG_FORMS, { setup: fsSetup });
    // The #GP handler (vector 13) halted the machine; its frame holds EIP of the faulting form.
    expect(b.cpu.state.halted).toBe(true);
  });
});

describe("wasm lowering: the fast segment words (base + offset without checkedLinear)", () => {
  const MOV_FORMS = [Code.Mov_EAX_moffs32, Code.Mov_moffs32_EAX];
  /** EIP of the #GP frame the handler (HLT) left on the stack. */
  const gpEip = (b: Machine): number => {
    const s = b.cpu.state;
    expect(s.halted).toBe(true);
    const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + (s.regs[4]! >>> 0), 8);
    return frame.getUint32(4, true);
  };

  it("a write through a read-only FS raises #GP; the reads before it do not", () => {
    // mov eax, fs:[DATA+0x200] / add eax, fs:[DATA+0x204] / mov fs:[DATA+0x208], eax / hlt
    const code = Uint8Array.from([
      ...[0x64, 0xa1, ...le32(DATA_AT + 0x200)],
      ...[0x64, 0x03, 0x05, ...le32(DATA_AT + 0x204)],
      ...[0x64, 0xa3, ...le32(DATA_AT + 0x208)],
      0xf4,
    ]);
    const readOnly = (m: Machine): void =>
      m.cpu.loadSegmentCache(SegReg.FS, 0x10, 0x1234, 0xffffffff, DATA_AR & ~0x02);
    const b = run(code, "wasm", MOV_FORMS, { setup: readOnly });
    expect(gpEip(b)).toBe(CODE_AT + 6 + 7);
  });

  it("an FS access running past 4 GiB raises #GP (the fast path only takes offsets below)", () => {
    // mov eax, fs:[DATA+0x200] / mov eax, fs:[0xfffffffe] / hlt
    const code = Uint8Array.from([
      ...[0x64, 0xa1, ...le32(DATA_AT + 0x200)],
      ...[0x64, 0xa1, ...le32(0xfffffffe)],
      0xf4,
    ]);
    const b = run(code, "wasm", MOV_FORMS, { setup: fsSetup });
    expect(gpEip(b)).toBe(CODE_AT + 6);
  });
});

/**
 * BSWAP, PUSH/POP r/m32, LEAVE, XCHG, CMPXCHG (equal and not), MUL, DIV (no #DE), fences and
 * PAUSE, MOV moffs8/16/32, and LODS/STOS/SCAS/MOVS of each size with DF clear or set, some
 * through FS (nonzero base).
 */
function miscProgram(seed: number): Uint8Array {
  const rnd = mulberry32(seed ^ 0x7a11);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const dst = (): number => pick(DST);
  const d8 = (): number => int(32) * 2 + int(2);
  const mem = (reg: number): number[] => [0x45 | (reg << 3), d8()];
  const body: number[] = [];
  for (let n = 0; n < 36; n++) {
    switch (int(16)) {
      case 0:
        if (rnd() < 0.8)
          body.push(0x0f, 0xc8 + dst()); // bswap r32
        else body.push(0x66, 0x0f, 0xc8 + dst()); // bswap r16
        break;
      case 1:
        body.push(0xff, 0x75, d8(), 0x58 + dst()); // push [ebp+d8]; pop r
        break;
      case 2:
        body.push(0x50 + int(8), 0x8f, 0x45, d8()); // push r; pop [ebp+d8]
        if (rnd() < 0.3) body.push(0x50 + int(8), 0x8f, 0x44, 0x24, 0xfc); // pop [esp-4]
        break;
      case 3:
        // push ebp; mov ebp, esp; push r; push r; leave
        body.push(0x55, 0x89, 0xe5, 0x50 + int(8), 0x50 + int(8), 0xc9);
        break;
      case 4: {
        const f = int(5);
        if (f === 0)
          body.push(0x87, 0xc0 | (dst() << 3) | dst()); // xchg r, r
        else if (f === 1)
          body.push(0x87, ...mem(dst())); // xchg [ebp+d8], r
        else if (f === 2)
          body.push(0x90 + dst()); // xchg eax, r
        else if (f === 3)
          body.push(0x86, ...mem(int(8))); // xchg [ebp+d8], r8
        else body.push(0x66, 0x87, ...mem(dst())); // xchg [ebp+d8], r16
        break;
      }
      case 5: {
        const m = mem(dst());
        const w = pick([[], [0x66]]);
        if (rnd() < 0.5) body.push(...w, 0x8b, 0x45, m[1]!); // mov eax, [same]: equal case
        if (rnd() < 0.7)
          body.push(...w, 0x0f, 0xb1, ...m); // cmpxchg [ebp+d8], r
        else body.push(0x0f, 0xb1, 0xc0 | (dst() << 3) | dst()); // cmpxchg r, r
        flagUse(rnd, body);
        break;
      }
      case 6:
        if (rnd() < 0.5)
          body.push(0xf7, 0xe0 | dst()); // mul r
        else body.push(0xf7, 0x65, d8()); // mul dword [ebp+d8]
        flagUse(rnd, body);
        break;
      case 7:
        // edx < divisor: div ebx / div dword [ebp+d8] after making them nonzero and above edx
        body.push(0x81, 0xcb, ...le32(0x80000000)); // or ebx, 0x80000000
        body.push(0xba, ...le32(int(2 ** 31))); // mov edx, < 2^31
        if (rnd() < 0.5)
          body.push(0x39, 0xc1, 0xf7, 0xf3); // cmp ecx, eax; div ebx
        else body.push(0x81, 0x4d, 0x20, ...le32(0x80000000), 0xf7, 0x75, 0x20); // div [ebp+32]
        flagUse(rnd, body);
        break;
      case 8:
        body.push(
          ...pick([
            [0x0f, 0xae, 0xe8],
            [0x0f, 0xae, 0xf0],
            [0x0f, 0xae, 0xf8],
            [0xf3, 0x90],
          ]),
        );
        break;
      case 9: {
        const f = int(4);
        const at = le32(DATA_AT + 0x180 + d8());
        if (f === 0) body.push(0xa0, ...at);
        else if (f === 1) body.push(0x66, 0xa1, ...at);
        else if (f === 2) body.push(0xa2, ...at);
        else body.push(0x66, 0xa3, ...at);
        break;
      }
      default: {
        // a string form of each size, DF clear or set, ESI/EDI in the data area
        body.push(rnd() < 0.5 ? 0xfc : 0xfd); // cld / std
        body.push(0xbe, ...le32(DATA_AT + 0x100 + d8())); // mov esi, ...
        body.push(0xbf, ...le32(DATA_AT + 0x200 + d8())); // mov edi, ...
        for (let k = int(3) + 1; k > 0; k--) {
          const size = int(3);
          const pre = size === 1 ? [0x66] : [];
          const fs = rnd() < 0.3 ? [0x64] : [];
          const op = pick([0xac, 0xaa, 0xae, 0xa4]) + (size === 0 ? 0 : 1);
          body.push(
            ...(op === 0xac || op === 0xad || op === 0xa4 || op === 0xa5 ? fs : []),
            ...pre,
            op,
          );
          if (op === 0xae || op === 0xaf) flagUse(rnd, body);
        }
        body.push(0xfc); // cld
      }
    }
  }
  return loop(rnd, body);
}

const MISC_FORMS = [
  ...names(["Bswap_", "Leaved", "Xchg_rm", "Xchg_r32", "Cmpxchg_rm", "Lfence", "Mfence"]),
  ...names(["Sfence", "Pause", "Mov_AL_moffs", "Mov_AX_moffs", "Mov_EAX_moffs", "Mov_moffs"]),
  ...names(["Lods", "Stos", "Scas", "Movsb", "Movsw_m", "Movsd_m"]),
  Code.Push_rm32,
  Code.Mul_rm32,
];

describe("wasm lowering: BSWAP, stack, XCHG/CMPXCHG, MUL/DIV, fences, moffs, string forms", () => {
  it.each(Array.from({ length: 16 }, (_, k) => k + 1))("mixed stream, seed %i", (seed) => {
    run(miscProgram(seed), seed % 3 === 0 ? "wasm-shared" : "wasm", MISC_FORMS, {
      setup: fsSetup,
    });
  });

  // #DE from DIV inside a region: divisor 0 and a quotient overflow (EDX >= divisor), register
  // and memory divisor, a flag record pending before it. SDM vol. 2 DIV: #DE, a fault: the frame
  // holds the DIV's own EIP; registers and memory are unchanged.
  it.each([
    ["zero register divisor", [0x31, 0xdb, 0x39, 0xc8, 0xf7, 0xf3]], // xor ebx,ebx; cmp eax,ecx; div ebx
    ["overflow", [0xbb, ...le32(7), 0xba, ...le32(7), 0x01, 0xc8, 0xf7, 0xf3]], // edx = ebx = 7
    ["zero memory divisor", [0x31, 0xdb, 0x89, 0x5d, 0x08, 0x29, 0xc8, 0xf7, 0x75, 0x08]],
  ] as const)("DIV raises #DE at its EIP: %s", (_, pre) => {
    const code = Uint8Array.from([
      ...[0xb8, ...le32(100), 0xb9, ...le32(3)], // mov eax, 100; mov ecx, 3
      ...[0xbd, ...le32(DATA_AT + 0x100)], // mov ebp, DATA+0x100
      ...[0x31, 0xd2], // xor edx, edx
      ...pre,
      0xf4,
    ]);
    const b = run(code, "wasm", []);
    const s = b.cpu.state;
    const esp = s.regs[4]! >>> 0;
    const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + esp, 12);
    // Vector 0's handler halted; the pushed EIP is the DIV (2 or 3 bytes before the HLT).
    const divLength = pre[pre.length - 2] === 0xf7 ? 2 : 3;
    expect(frame.getUint32(0, true)).toBe(0x10000 + code.length - 1 - divLength);
    expect(s.halted).toBe(true);
  });
});

/**
 * The hint NOPs (ENDBR32, the reserved NOPs of 0F 18-1F, PREFETCHW) between flag writers and
 * readers, their memory operands on the unmapped HOLE page: inline, no flag flush, no access.
 */
function hintNopProgram(seed: number): Uint8Array {
  const rnd = mulberry32(seed ^ 0x4e0b);
  const int = (n: number): number => Math.floor(rnd() * n);
  const hole = le32(HOLE + int(4096));
  const forms: number[][] = [
    [0xf3, 0x0f, 0x1e, 0xfb], // endbr32
    [0x0f, 0x1f, 0x05, ...hole], // nop dword [hole]
    [0x0f, 0x19, 0x05, ...hole], // reserved nop [hole]
    [0x66, 0x0f, 0x1e, 0x05, ...hole], // reserved nop word [hole]
    [0x0f, 0x0d, 0x0d, ...hole], // prefetchw [hole]
    [0x0f, 0x1c, 0xc0 | int(64)], // reserved nop r32, r32
  ];
  const body: number[] = [];
  for (let n = 0; n < 30; n++) {
    body.push(0x01, 0xc0 | (int(8) << 3) | DST[int(DST.length)]!); // add r, r: a flag writer
    body.push(...forms[int(forms.length)]!);
    flagUse(rnd, body);
  }
  return loop(rnd, body);
}

describe("wasm lowering: hint NOPs (ENDBR32, reserved NOPs, PREFETCHW)", () => {
  it.each([1, 2, 3, 4])("mixed stream, seed %i", (seed) => {
    run(hintNopProgram(seed), "wasm", [
      Code.Endbr32,
      Code.Nop_rm32,
      Code.Reservednop_rm32_r32_0F19,
      Code.Reservednop_rm16_r16_0F1E,
      Code.Prefetchw_m8,
      Code.Reservednop_rm32_r32_0F1C,
    ]);
  });
});

describe("wasm lowering: DIV without #DE runs inline", () => {
  it("the DIV handler (its #DE path) is not called by a region dividing 300 times", () => {
    const code = Uint8Array.from([
      ...[0xb9, ...le32(300), 0xbb, ...le32(7)], // mov ecx, 300; mov ebx, 7
      ...[0x89, 0xc8, 0x31, 0xd2, 0xf7, 0xf3], // loop: mov eax, ecx; xor edx, edx; div ebx
      ...[0x01, 0xd6, 0x49, 0x75, 0xf5, 0xf4], // add esi, edx; dec ecx; jnz loop; hlt
    ]);
    const table = HANDLERS as ((s: CpuState, i: unknown) => void)[];
    const original = table[Code.Div_rm32]!;
    let calls = 0;
    // Counts the calls on the recompiler's machine only: its registers ("wasm-shared") lie in
    // the WebAssembly memory at a nonzero offset, the interpreter's in their own buffer.
    table[Code.Div_rm32] = (s, i) => {
      if (s.regs.byteOffset !== 0) calls++;
      original(s, i);
    };
    try {
      const b = run(code, "wasm-shared", []);
      // Oracle: sum of n mod 7 for n = 1..300.
      let sum = 0;
      for (let n = 1; n <= 300; n++) sum += n % 7;
      expect(b.cpu.state.regs[6]).toBe(sum);
    } finally {
      table[Code.Div_rm32] = original;
    }
    // (The first run of the loop's block is cold: interpreted through the handler.)
    expect(calls).toBeLessThan(3);
  });
});

describe("wasm lowering: REP STOS / REP MOVS (the ECX loop inside the region)", () => {
  const REP = names(["Stos", "Movsb", "Movsw_m", "Movsd_m"]);
  const at = (v: number): number[] => le32(v);
  // mov ecx, n; mov esi, s; mov edi, d; (std); rep op; cld; plus a flag writer before
  const rep = (n: number, src: number, dst: number, op: number[], std = false): number[] => [
    ...[0xb9, ...at(n), 0xbe, ...at(src), 0xbf, ...at(dst)],
    ...[0x39, 0xd8], // cmp eax, ebx
    ...(std ? [0xfd] : []),
    0xf3,
    ...op,
    0xfc,
  ];
  it.each([
    ["ECX = 0", rep(0, DATA_AT, DATA_AT + 0x100, [0xab])],
    ["stosb 37", rep(37, 0, DATA_AT + 3, [0xaa])],
    ["stosw 100, DF=1", rep(100, 0, DATA_AT + 0x400, [0x66, 0xab], true)],
    ["stosd 5000 (two chunks)", rep(5000, 0, DATA_AT + 0x1000, [0xab])],
    ["movsb 300 overlapping", rep(300, DATA_AT + 0x10, DATA_AT + 0x13, [0xa4])],
    ["movsd 9000 (three chunks)", rep(9000, DATA_AT, DATA_AT + 0x10000, [0xa5])],
    ["movsw 64, DF=1", rep(64, DATA_AT + 0x300, DATA_AT + 0x801, [0x66, 0xa5], true)],
    // (A non-flat source segment: left to the handler, which must agree.)
    ["movsd with an FS override", rep(40, DATA_AT, DATA_AT + 0x900, [0x64, 0xa5])],
  ])("%s", (name, program) => {
    const code = Uint8Array.from([
      ...[0xb8, ...at(0x11223344)], // mov eax, 0x11223344
      // fill the data area with a pattern (through the interpreter's stosd too)
      ...[0xbb, ...at(0x12345678)],
      ...program,
      ...program, // again: the block is translated by now
      0xf4,
    ]);
    run(code, "wasm", name.includes("FS") ? [] : REP, { setup: fsSetup });
  });

  // SDM vol. 2 REP: a fault mid-string leaves ECX/ESI/EDI of the elements done; #PF with CR2 and
  // the REP instruction's EIP. The interpreter (per-element register updates) is the oracle.
  it.each([
    ["rep movsd into the hole", rep(0x100, DATA_AT, HOLE - 0x40, [0xa5])],
    ["rep movsb from the hole", rep(0x100, HOLE - 0x21, DATA_AT, [0xa4])],
    ["rep stosd down into the hole (DF=1)", rep(0x100, 0, HOLE + 0x1000 + 0x30, [0xab], true)],
  ])("a #PF mid-REP leaves the interpreter's ECX/ESI/EDI: %s", (_, program) => {
    const code = Uint8Array.from([...program, ...program, 0xf4]);
    const b = run(code, "wasm-shared", REP);
    expect(b.cpu.state.regs[1]).not.toBe(0); // stopped mid-way
    expect(b.cpu.state.cr2 >>> 12).toBe(HOLE >>> 12);
  });

  it("REP STOS into the region's own code, PUSH/CALL onto its page: slow writes that leave", () => {
    // Each iteration stores DL over the immediate of the `mov ebx` after it, and pushes onto the
    // code page (watched: every write takes the slow path and invalidates the region). The
    // region must leave after the chunk with its registers updated, so the next iteration runs
    // the new immediate.
    const P = CODE_AT + 25;
    const code = Uint8Array.from([
      ...[0xbc, ...at(CODE_AT + 0xf00)], // mov esp, CODE+0xf00
      ...[0xba, ...at(20)], // mov edx, 20
      ...[0xb9, ...at(1), 0xbf, ...at(P)], // loop: mov ecx, 1; mov edi, P
      ...[0x89, 0xd0, 0xf3, 0xaa], // mov eax, edx; rep stosb
      ...[0xbb, ...at(0x11)], // mov ebx, 0x11 (its immediate at P)
      ...[0x01, 0xde], // add esi, ebx
      ...[0x52, 0xe8, 0, 0, 0, 0, 0x58, 0x5b], // push edx; call next; next: pop eax; pop ebx
      ...[0x4a, 0x75, 0xe0], // dec edx; jnz loop (-32)
      0xf4,
    ]);
    const b = run(code, "wasm", [...REP, Code.Push_r32]);
    // Oracle: every iteration added the DL it stored: 20 + 19 + ... + 1.
    expect(b.cpu.state.regs[6]).toBe(210);
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
  });
});

describe("wasm lowering: RDTSC through the handler's import (no flag flush)", () => {
  it.each(["wasm", "wasm-shared"] as const)(
    "RDTSC between a flag writer and reader reads the retired count (no clock) (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xb9, ...le32(200), 0xbd, ...le32(DATA_AT + 0x100)], // mov ecx, 200; mov ebp, ...
        ...[0x39, 0xcb, 0x0f, 0x31], // loop: cmp ebx, ecx; rdtsc
        ...[0x0f, 0x92, 0xc3, 0x01, 0xc6, 0x89, 0x45, 0x10], // setb bl; add esi, eax; mov [ebp+16], eax
        ...[0x49, 0x75, 0xf1, 0xf4], // dec ecx; jnz loop (-15); hlt
      ]);
      const b = run(code, backend, [Code.Rdtsc]);
      expect(b.cpu.state.regs[1]).toBe(0); // the loop ran to its end
      expect(b.cpu.state.halted).toBe(true);
    },
  );
});

describe("wasm lowering: RDTSC inline with a clock that counts instructions", () => {
  /**
   * 50 RDTSCs storing EDX:EAX to DATA.., WRMSR IA32_TSC (low word 0x1000, high cleared), 50
   * more each after a CPUID (a handler call inside the region, after which the TSC words are
   * written again): the values the interpreter's handler reads are the oracle.
   */
  const rdtscLoop = (cpuid: boolean): number[] => {
    const body = [
      ...(cpuid ? [0x0f, 0xa2] : []), // cpuid
      ...[0x0f, 0x31, 0x89, 0x45, 0x00, 0x89, 0x55, 0x04], // rdtsc; mov [ebp], eax; mov [ebp+4], edx
      ...[0x83, 0xc5, 0x08, 0x4e], // add ebp, 8; dec esi
    ];
    return [0xbe, ...le32(50), ...body, 0x75, -(body.length + 2) & 0xff]; // mov esi, 50; jnz
  };
  const code = Uint8Array.from([
    ...[0xbd, ...le32(DATA_AT)], // mov ebp, DATA
    ...rdtscLoop(false),
    ...[0xb9, ...le32(0x10), 0xb8, ...le32(0x1000), 0x31, 0xd2, 0x0f, 0x30], // wrmsr TSC
    ...rdtscLoop(true),
    0xf4,
  ]);

  /** Guest time 7 ns per retired instruction from 5 s (EDX nonzero), counting its reads. */
  function withClock(m: Machine): { reads: number } {
    const s = m.cpu.state;
    const seen = { reads: 0 };
    s.clock = {
      now: () => {
        seen.reads++;
        return 5e9 + s.retired * 7;
      },
      instructionNs: 7,
    };
    s.tscOffset = 123_456;
    return seen;
  }

  it("reads what the handler reads, across WRMSR, without calling out", () => {
    const a = makeMachine(code, false);
    const b = makeMachine(code, true, 1, true, "wasm");
    withClock(a);
    const clock = withClock(b);
    for (const m of [a, b]) {
      let stop: number = StopReason.Budget;
      for (let k = 0; k < 100 && stop === StopReason.Budget; k++)
        stop = m.engine === null ? m.cpu.run(10_000) : m.engine.run(10_000);
      expect(stop).toBe(StopReason.Halt);
    }
    const values = (m: Machine): number[] =>
      Array.from(m.mem.bytes.subarray(DATA_AT, DATA_AT + 800));
    expect(values(b)).toEqual(values(a));
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    // The first and last values: high words 1 (5 s is past 2^32 ns), then 0 after the WRMSR.
    const w = new DataView(a.mem.bytes.buffer, DATA_AT);
    expect(w.getUint32(4, true)).toBe(1);
    expect(w.getUint32(796, true)).toBe(0);
    // Inline: the clock is read by the first RDTSC after an entry from JavaScript or a handler
    // call (WRMSR, CPUID), through the handler, whose value sets the inline words; not per
    // RDTSC: 100 of them, 50 after a CPUID.
    expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
    expect(clock.reads).toBeLessThan(70);
  });

  it("does not read the clock for entries that run no RDTSC", () => {
    // mov ecx, 20000; l: add eax, ecx; dec ecx; jnz l; hlt
    const loop = Uint8Array.from([0xb9, ...le32(20_000), 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xf4]);
    const m = makeMachine(loop, true, 1, true, "wasm");
    const clock = withClock(m);
    let stop: number = StopReason.Budget;
    // Small slices: many entries into the loop's region from JavaScript.
    for (let k = 0; k < 1000 && stop === StopReason.Budget; k++) stop = m.engine!.run(500);
    expect(stop).toBe(StopReason.Halt);
    expect(m.engine!.stats.wasmEntries).toBeGreaterThan(20);
    expect(clock.reads).toBe(0);
    // Oracle: 20000 + 19999 + ... + 1.
    expect(m.cpu.getReg32(0)).toBe(200_010_000);
  });

  it("calls the handler when the clock does not count instructions", () => {
    const b = makeMachine(code, true, 1, true, "wasm");
    const a = makeMachine(code, false);
    for (const m of [a, b]) {
      const s = m.cpu.state;
      let t = 5e9;
      // Host-like time: moves on each read, whatever the instruction count.
      s.clock = { now: () => (t += 3) };
    }
    for (const m of [a, b]) {
      let stop: number = StopReason.Budget;
      for (let k = 0; k < 100 && stop === StopReason.Budget; k++)
        stop = m.engine === null ? m.cpu.run(10_000) : m.engine.run(10_000);
      expect(stop).toBe(StopReason.Halt);
    }
    // Each RDTSC read the clock once: the same sequence of values in both engines.
    expect(Array.from(b.mem.bytes.subarray(DATA_AT, DATA_AT + 800))).toEqual(
      Array.from(a.mem.bytes.subarray(DATA_AT, DATA_AT + 800)),
    );
  });
});

describe("wasm lowering: JMP/CALL r/m32 (dynamic exits)", () => {
  /** The loop of indirect transfers; F (a function adding 3 to ESI) follows the HLT. */
  function indirect(target?: number): Uint8Array {
    const head = 5 + 7 + 5; // mov ebp; mov [ebp+8], F; mov ecx
    const loopBody = 3 + 5 + 2 + 5 + 2 + 1 + 2; // call [ebp+8]; mov eax, L2; jmp eax; L2: mov ebx, F; call ebx; dec ecx; jnz
    const F = CODE_AT + head + loopBody + 1;
    const L2 = CODE_AT + head + 3 + 5 + 2;
    const out = [
      ...[0xbd, ...le32(DATA_AT + 0x100)], // mov ebp, DATA+0x100
      ...[0xc7, 0x45, 0x08, ...le32(F)], // mov dword [ebp+8], F
      ...[0xb9, ...le32(100)], // mov ecx, 100
      ...[0xff, 0x55, 0x08], // loop: call [ebp+8]
      ...[0xb8, ...le32(target ?? L2), 0xff, 0xe0], // mov eax, L2; jmp eax
      ...[0xbb, ...le32(F), 0xff, 0xd3], // L2: mov ebx, F; call ebx
      ...[0x49, 0x75, -(loopBody - 0) & 0xff], // dec ecx; jnz loop
      0xf4,
      ...[0x83, 0xc6, 0x03, 0xc3], // F: add esi, 3; ret
    ];
    return Uint8Array.from(out);
  }
  const FORMS = [Code.Jmp_rm32, Code.Call_rm32];

  it.each(["wasm", "wasm-shared"] as const)(
    "indirect calls and jumps in a loop (%s)",
    (backend) => {
      const b = run(indirect(), backend, FORMS);
      expect(b.cpu.state.regs[6]).toBe(600); // 100 iterations, two calls of F each
    },
  );

  // SDM vol. 2 JMP/CALL: a target beyond the CS limit is #GP(0), raised by the jump (CALL's
  // push is undone: ESP restored).
  // Direct forms: the target is at CODE_AT + 0x2000 (the form starts at offset 15).
  const rel = le32(0x2000 - 20);
  it.each([
    ["jmp eax", [0xff, 0xe0]],
    ["call eax", [0xff, 0xd0]],
    ["call [ebp+8]", [0xff, 0x55, 0x08]],
    ["jmp rel32", [0xe9, ...rel]],
    ["call rel32", [0xe8, ...rel]],
  ])("a target beyond the CS limit raises #GP: %s", (_, form) => {
    const code = Uint8Array.from([
      ...[0xbd, ...le32(DATA_AT + 0x100), 0xb8, ...le32(CODE_AT + 0x2000)], // mov ebp; mov eax, far
      ...[0x89, 0x45, 0x08, 0x39, 0xc3], // mov [ebp+8], eax; cmp ebx, eax
      ...form,
      0xf4,
    ]);
    const csLimit = (m: Machine): void =>
      m.cpu.loadSegmentCache(
        SegReg.CS,
        0x08,
        0,
        CODE_AT + 0xfff,
        0x80 | 0x10 | 0x08 | 0x02 | 0x01 | 0x4000 | 0x8000,
      );
    const b = run(code, "wasm", [...FORMS, Code.Jmp_rel32_32, Code.Call_rel32_32], {
      setup: csLimit,
    });
    const s = b.cpu.state;
    const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + (s.regs[4]! >>> 0), 8);
    expect(frame.getUint32(4, true)).toBe(CODE_AT + code.length - 1 - form.length); // EIP pushed
  });
});

describe("wasm regions record their handler call sites", () => {
  it.each(["wasm", "wasm-shared"] as const)(
    "a form without a lowering (BSF) is in the region's handlerSites (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xb9, ...le32(200)], // mov ecx, 200
        ...[0x0f, 0xbc, 0xc1, 0x01, 0xc6], // loop: bsf eax, ecx; add esi, eax
        ...[0x49, 0x75, 0xf8, 0xf4], // dec ecx; jnz loop (-8); hlt
      ]);
      const { b } = lockstep(code, { backend, maxSteps: 20_000, threshold: 1 });
      expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
      expect([...handlerCodes(b)].map((c) => Code[c])).toContain("Bsf_r32_rm32");
    },
  );
});

describe("wasm lowering: INC/DEC leaving CF to the flag writer after it", () => {
  // `dec ecx` opens a block (the record before it is only known at run time: ADD's, CF = 1), so
  // its CF (SDM vol. 2 DEC: CF unchanged) is left uncomputed until the TEST after it replaces the
  // record. On the fifth pass the MOV between them faults (#PF on the not-present page): the
  // EFLAGS the #PF pushes must hold that CF = 1, as the interpreter's do.
  it.each([
    ["a load", [0x8b, 0x16]], // mov edx, [esi]
    ["a store", [0x89, 0x16]], // mov [esi], edx
    ["a load, INC", [0x8b, 0x16], 0x41], // inc ecx instead of dec ecx
  ] as const)(
    "#PF at %s between them pushes the CF from before",
    (_, mov, incDec: number = 0x49) => {
      const code = Uint8Array.from([
        ...[0xbe, ...le32(HOLE - 0x1400)], // mov esi, HOLE - 0x1400
        ...[0xbf, ...le32(0x80000001), 0xb9, ...le32(10)], // mov edi, 0x80000001; mov ecx, 10
        ...[0x81, 0xc6, ...le32(0x400)], // top: add esi, 0x400
        ...[0x89, 0xf8, 0x01, 0xf8, 0xeb, 0x00], // mov eax, edi; add eax, edi (CF = 1); jmp next
        ...[incDec, ...mov, 0x85, 0xd2], // next: dec ecx; mov; test edx, edx
        ...[0xeb, 0xed], // jmp top (-19)
      ]);
      const b = run(code, "wasm", []);
      const s = b.cpu.state;
      expect(s.cr2 >>> 12).toBe(HOLE >>> 12);
      // The #PF frame: error code, EIP, CS, EFLAGS; CF (bit 0) from the ADD, kept by DEC/INC.
      const frame = new DataView(
        b.mem.bytes.buffer,
        b.mem.bytes.byteOffset + (s.regs[4]! >>> 0),
        16,
      );
      expect(frame.getUint32(12, true) & 1).toBe(1);
      expect(s.regs[1]).toBe(incDec === 0x49 ? 5 : 15);
    },
  );
});

describe("wasm lowering: CF of a record known only at run time (block start)", () => {
  // ADC and INC/DEC read CF at the start of a block, where the record the blocks before left is
  // known only at run time (computed inline for SUB, ADD, logic/shift and INC/DEC records, else
  // through `ef` or CpuState). Operands vary per pass so CF is 0 and 1; lock-step with the
  // interpreter checks every dispatch.
  it.each([
    ["cmp", [0x39, 0xc3]], // cmp ebx, eax
    ["add", [0x01, 0xc3]], // add ebx, eax
    ["xor", [0x31, 0xc3]], // xor ebx, eax
    ["shl 3", [0xc1, 0xe3, 0x03]], // shl ebx, 3
    ["shr cl", [0xd3, 0xeb]], // shr ebx, cl
    ["inc", [0x43]], // inc ebx
    ["sbb", [0x19, 0xc3]], // sbb ebx, eax
    ["rol 1", [0xd1, 0xc3]], // rol ebx, 1
    ["8-bit sub", [0x28, 0xc3]], // sub bl, al
    ["popfd", [0x89, 0xda, 0x81, 0xe2, ...le32(0x8d5), 0x52, 0x9d]], // edx = ebx & 0x8d5; popfd
  ] as const)("after %s", (_, writer) => {
    const code = Uint8Array.from([
      ...[0xb9, ...le32(40), 0xb8, ...le32(0x9e3779b9), 0xbb, ...le32(0x7f4a7c15)],
      ...[0x69, 0xc0, ...le32(0x01000193)], // top: imul eax, eax, 0x01000193
      ...[0x01, 0xc3], // add ebx, eax
      ...writer,
      ...[0x71, 0x00], // jno next (a block ends: two ways into the next)
      ...[0x11, 0xc6, 0x42, 0x4f, 0x71, 0x00], // next: adc esi, eax; inc edx; dec edi; jno next2
      ...[0x83, 0xd6, 0x00], // next2: adc esi, 0
      ...[0x49, 0x75, 0x00], // dec ecx; jnz here (a block of its own)
      ...[0x85, 0xc9, 0x75, 0x100 - (26 + writer.length)], // test ecx, ecx; jnz top
      0xf4,
    ]);
    // Lock-step runs one block per dispatch (each entry starts without a record), so the
    // machines also run free: the region's loop carries records from block to block.
    run(code, "wasm", [Code.Adc_rm32_r32, Code.Adc_rm32_imm8, Code.Inc_r32, Code.Dec_r32]);
    const { a, b } = freeRun(code);
    expect(b.engine!.stats.instructionsInBlocks).toBeGreaterThan(400); // of ~520
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    expect(b.cpu.state.regs[1]).toBe(0); // all 40 passes
  });
});

describe("wasm lowering: MUL with its CF/OF dead", () => {
  // SDM vol. 2 MUL: CF = OF = upper half nonzero. Followed by ADD (CF/OF written again) the
  // region computes only the product; followed by ADC or JO they are read. Lock-step and a free
  // run against the interpreter.
  it.each([
    ["then add", [0x01, 0xce]], // add esi, ecx
    ["then adc", [0x11, 0xce]], // adc esi, ecx
    ["then jo", [0x71, 0x01, 0x46]], // jo +1; inc esi
    ["then setz (SF/ZF/PF kept from the ADD before)", [0x0f, 0x94, 0xc1, 0x01, 0xce]], // setz cl
  ] as const)("%s", (_, after) => {
    const code = Uint8Array.from([
      ...[0xbf, ...le32(60), 0xb8, ...le32(0x9e3779b9), 0xbb, ...le32(3)],
      ...[0x69, 0xc0, ...le32(0x01000193)], // top: imul eax, eax, 0x01000193
      ...[0x01, 0xc3], // add ebx, eax
      ...[0xf7, 0xe3], // mul ebx
      ...after,
      ...[0x89, 0xc1, 0x4f, 0x75, 0x100 - (15 + after.length)], // mov ecx, eax; dec edi; jnz top
      0xf4,
    ]);
    run(code, "wasm", [Code.Mul_rm32]);
    const { a, b } = freeRun(code);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    expect(b.cpu.state.regs[7]).toBe(0); // all 60 passes
  });
});

describe("wasm lowering: IMULs in a row with their CF/OF live", () => {
  // Each IMUL sets CF/OF and keeps the other flags (alu.ts mulFlags), a store after each keeps
  // them live (it may fault): the second updates the explicit record the first made. ZF from
  // the ADD before survives both (LAHF, SETZ), CF/OF of the last are read (SETO, ADC).
  const reg = [0x0f, 0xaf, 0xc1, 0x89, 0x45, 0x04, 0x0f, 0xaf, 0xda, 0x89, 0x5d, 0x08];
  const imm = [0x6b, 0xc0, 0x7d, 0x89, 0x45, 0x04, 0x69, 0xdb, ...le32(0x10001), 0x89, 0x5d, 0x08];
  it.each([
    ["register forms after ADD", reg],
    ["immediate forms after ADD", imm],
    ["register forms after SHR", [0xc1, 0xeb, 0x03, ...reg]], // shr ebx, 3
    ["register forms after INC", [0x43, ...reg]], // inc ebx
    ["register forms after SUB r8", [0x28, 0xd3, ...reg]], // sub bl, dl
  ] as const)("%s", (_, imuls) => {
    const code = Uint8Array.from([
      ...[0xbf, ...le32(50), 0xb8, ...le32(0x9e3779b9), 0xbb, ...le32(3)],
      ...[0xbd, ...le32(DATA_AT + 0x100)], // mov ebp, DATA+0x100
      ...[0x69, 0xc0, ...le32(0x01000193), 0x89, 0xc1, 0x89, 0xc2], // top: imul; ecx = edx = eax
      ...[0xc1, 0xe9, 0x0b, 0x01, 0xc3], // shr ecx, 11; add ebx, eax
      ...imuls,
      0x9f, // lahf (SF ZF AF PF CF into AH)
      ...[0x0f, 0x94, 0xc1, 0x0f, 0x90, 0xc5, 0x83, 0xd6, 0x00], // setz cl; seto ch; adc esi, 0
      ...[0x01, 0xce, 0x01, 0xc6], // add esi, ecx; add esi, eax
      ...[0x4f, 0x75, 0x100 - (32 + imuls.length)], // dec edi; jnz top
      0xf4,
    ]);
    const b = run(code, "wasm", [Code.Imul_r32_rm32, Code.Imul_r32_rm32_imm8]);
    expect(b.cpu.state.regs[7]).toBe(0); // all 50 passes
  });
});
