// The WebAssembly back end (src/wasm/): the same guest code under the interpreter (the oracle)
// and under the recompiler with backend "wasm", full architectural state compared after every
// dispatch, memory at the end; regions must really run as WebAssembly (counted). The
// runLockstep case on workload.asm is in lockstep.test.ts, for every back end.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  CODE_AT,
  DATA_AT,
  HOLE,
  makeMachine,
  RO_PAGE,
  type Machine,
  type TestBackend,
} from "./support/machine";
import { hex, lockstep as runBoth } from "./support/lockstep";
import { randomProgram } from "./support/random-program";
import { bitXaddProgram, mulShiftProgram, wasmProgram } from "./support/wasm-program";

/** Lock-step against the interpreter with the given back end. */
function lockstep(
  code: Uint8Array,
  backend: TestBackend,
  maxSteps = 20_000,
  threshold = 1,
): { steps: number; b: Machine } {
  return runBoth(code, { backend, maxSteps, threshold });
}

const CRC32 = hex(
  "be00000400b900010000b8ffffffff0fb61631d0bb08000000d1e87305352083b8ed4b75f4464975e6f7d0f4",
);

describe("wasm back end vs interpreter", () => {
  it.each(["wasm", "wasm-shared"] as const)("CRC32 loop (%s)", (backend) => {
    const { b } = lockstep(CRC32, backend);
    const st = b.engine!.stats;
    expect(st.translatedWasm).toBeGreaterThan(3);
    expect(st.instructionsInBlocks).toBeGreaterThan(10_000);
    // Oracle: zlib's CRC32 of the 256 zero bytes at 0x40000.
    expect(b.cpu.state.regs[0]! >>> 0).toBe(crc32(Buffer.alloc(256)));
  });

  // Programs of mostly lowered forms (8/16/32-bit memory operands, page-crossing accesses,
  // #PF inside a wasm region on every 4th seed).
  const WSEEDS = Array.from({ length: 60 }, (_, k) => k + 1);
  it.each(WSEEDS)("wasm-subset stream, seed %i", { timeout: 30_000 }, (seed) => {
    const mixed = seed % 5 === 0;
    const backend = seed % 3 === 0 ? "wasm-shared" : "wasm";
    const { b } = lockstep(wasmProgram(seed, 40, mixed ? 40 : 6), backend, 20_000, mixed ? 3 : 1);
    // (A faulting seed with a hot threshold of 3 may stop before anything got hot.)
    if (!(mixed && seed % 4 === 0)) expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  });

  // IMUL and shifts by CL (lowered: no handler import) between flag writers and readers.
  const MSEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
  it.each(MSEEDS)("IMUL / shift-by-CL stream, seed %i", { timeout: 30_000 }, (seed) => {
    const backend = seed % 3 === 0 ? "wasm-shared" : "wasm";
    const { b } = lockstep(mulShiftProgram(seed), backend, 20_000, 1);
    expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  });

  // BT/BTS/BTR/BTC, XADD and CMPXCHG8B (lowered) between flag writers and readers, #PF on every 4th seed.
  const BSEEDS = Array.from({ length: 24 }, (_, k) => k + 1);
  it.each(BSEEDS)("BT family / XADD / CMPXCHG8B stream, seed %i", { timeout: 30_000 }, (seed) => {
    const backend = seed % 3 === 0 ? "wasm-shared" : "wasm";
    const { b } = lockstep(bitXaddProgram(seed), backend, 20_000, 1);
    expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  });

  const SEEDS = Array.from({ length: 40 }, (_, k) => k + 1);
  it.each(SEEDS)("random stream, seed %i", { timeout: 30_000 }, (seed) => {
    const mixed = seed % 4 === 0;
    const backend = seed % 3 === 0 ? "wasm-shared" : "wasm";
    const { b } = lockstep(randomProgram(seed, 30, mixed ? 40 : 6), backend, 20_000, mixed ? 3 : 1);
    if (seed % 5 !== 0) expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  });
});

const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

function wasmBlocks(m: Machine): number {
  let n = 0;
  for (const b of m.engine!.blocks()) if (b.wasm !== null) n++;
  return n;
}

describe("wasm back end: faults, self-modifying code, module contents", () => {
  it.each(["wasm", "wasm-shared"] as const)(
    "a #PF on the 6th instruction of a wasm region leaves the interpreter's state (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xb8, ...le(1)], // mov eax, 1
        ...[0xbb, ...le(2)], // mov ebx, 2
        ...[0x01, 0xd8], // add eax, ebx
        ...[0x89, 0x05, ...le(DATA_AT)], // mov [DATA_AT], eax
        ...[0x83, 0xc0, 0xfd], // add eax, -3 (flags pending: ZF=1, CF=1)
        ...[0x89, 0x05, ...le(HOLE + 8)], // mov [HOLE+8], eax: #PF (write, not present)
        ...[0x40, 0xf4], // inc eax; hlt
      ]);
      const { b } = lockstep(code, backend);
      const s = b.cpu.state;
      // SDM: the fault leaves EAX/memory of the completed instructions, CR2 = the address,
      // and pushes error code 2 (write) and the faulting instruction's EIP.
      expect(s.regs[0]).toBe(0);
      expect(s.cr2 >>> 12).toBe(HOLE >>> 12); // (the test memory checks the last byte first)
      expect(b.mem.bytes[DATA_AT]).toBe(3);
      const esp = s.regs[4]! >>> 0;
      const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + esp, 16);
      expect(frame.getUint32(0, true)).toBe(2);
      expect(frame.getUint32(4, true)).toBe(CODE_AT + 21);
      expect(frame.getUint32(12, true) & 0x41).toBe(0x41); // ZF and CF of add eax, -3
      expect(wasmBlocks(b)).toBeGreaterThan(0);
    },
  );

  it.each(["wasm", "wasm-shared"] as const)(
    "a handler that touches no status flag runs with the flag record pending; its #PF pushes the record's flags (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xb8, ...le(1)], // mov eax, 1
        ...[0x8c, 0xdb], // mov ebx, ds
        ...[0x83, 0xc0, 0xff], // add eax, -1 (pending: ZF=1, CF=1)
        0xfc, // cld (handler; writes DF only)
        ...[0x8e, 0xdb], // mov ds, bx (handler; no flags)
        ...[0x74, 0x01], // jz +1 (reads the record kept across both calls)
        0xf4, // hlt (skipped)
        ...[0x83, 0xe8, 0x01], // sub eax, 1 (pending: SF=1, CF=1, ZF=0)
        ...[0x8e, 0x1d, ...le(HOLE + 8)], // mov ds, [HOLE+8]: #PF inside the handler
        0xf4,
      ]);
      const { b } = lockstep(code, backend);
      const s = b.cpu.state;
      expect(s.regs[0]).toBe(-1);
      expect(s.cr2 >>> 12).toBe(HOLE >>> 12);
      const esp = s.regs[4]! >>> 0;
      const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + esp, 16);
      expect(frame.getUint32(0, true)).toBe(0); // read, not present
      expect(frame.getUint32(4, true)).toBe(CODE_AT + 19);
      // SDM (SUB): 0 - 1 sets CF and SF, clears ZF; the pushed EFLAGS are the record's.
      expect(frame.getUint32(12, true) & 0xc1).toBe(0x81);
      expect(wasmBlocks(b)).toBeGreaterThan(0);
    },
  );

  // The slow paths pass their instruction's place (lower.ts `slowSite`): the faulting EIP and
  // block come from it, here in the third basic block of a loop region (after a not-taken Jcc).
  it.each(["wasm", "wasm-shared"] as const)(
    "a #PF on a load and on a store in later blocks of a loop region (%s)",
    (backend) => {
      for (const store of [false, true]) {
        const code = Uint8Array.from([
          ...[0xbe, ...le(HOLE - 0x20000)], // mov esi, HOLE - 32 pages
          ...[0x31, 0xc9], // xor ecx, ecx
          ...[0x31, 0xd2], // xor edx, edx
          // loop (block 1):
          ...[0x41], // inc ecx
          ...[0x83, 0xf9, 0x70], // cmp ecx, 0x70
          ...[0x74, 0x0e], // je done (never: the fault comes first)
          // block 2: a load or a store at [esi + 4], then the next page
          ...(store ? [0x89, 0x4e, 0x04] : [0x03, 0x46, 0x04]), // mov [esi+4], ecx / add eax, [esi+4]
          ...[0x81, 0xc6, ...le(0x1000)], // add esi, 0x1000
          ...[0x83, 0xc2, 0x03], // add edx, 3 (flags pending at the fault)
          ...[0xeb, 0xec], // jmp loop
          0xf4, // done: hlt
        ]);
        const { b } = lockstep(code, backend, 20_000, 3);
        const s = b.cpu.state;
        // SDM: CR2 = the address, error code 0 (read) or 2 (write), not present; the frame has
        // the faulting instruction's EIP (CODE_AT + 15) and the 32 iterations' EDX flags.
        expect(s.cr2 >>> 12).toBe(HOLE >>> 12); // (the test memory checks the last byte first)
        expect(s.regs[1]).toBe(33);
        const esp = s.regs[4]! >>> 0;
        const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + esp, 16);
        expect(frame.getUint32(0, true)).toBe(store ? 2 : 0);
        expect(frame.getUint32(4, true)).toBe(CODE_AT + 15);
        expect(s.regs[2]).toBe(96);
        expect(wasmBlocks(b)).toBeGreaterThan(0);
      }
    },
  );

  // A slow store that leaves its region (here: a write to the region's own page) continues at the
  // next EIP the helper wrote (region.ts `st`): in the block, and after its last instruction.
  it.each(["wasm", "wasm-shared"] as const)(
    "a store to the region's own page as the last instruction of a full block (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xbe, ...le(CODE_AT + 0x800)], // mov esi, CODE_AT + 0x800 (data in the code page)
        ...[0xb9, ...le(5)], // mov ecx, 5
        ...[0x31, 0xc0], // xor eax, eax
        // loop: 63 register forms, then the store: a block of 64 (MAX_BLOCK_INSNS) ends there
        ...Array.from({ length: 63 }, () => 0x40), // inc eax
        ...[0x89, 0x0e], // mov [esi], ecx
        ...[0x83, 0xc6, 0x04], // add esi, 4
        ...[0x49], // dec ecx
        ...[0x75, 256 - (63 + 2 + 3 + 1 + 2)], // jnz loop
        0xf4, // hlt
      ]);
      const { b } = lockstep(code, backend);
      const s = b.cpu.state;
      expect(s.regs[1]).toBe(0);
      expect(s.regs[0]).toBe(5 * 63);
      expect(s.regs[6]! >>> 0).toBe(CODE_AT + 0x800 + 20);
      // The stores: ECX 5 down to 1 at the 5 dwords.
      const dv = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + CODE_AT + 0x800, 20);
      expect([0, 4, 8, 12, 16].map((o) => dv.getUint32(o, true))).toEqual([5, 4, 3, 2, 1]);
      expect(wasmBlocks(b)).toBeGreaterThan(0);
    },
  );

  it.each(["wasm", "wasm-shared"] as const)(
    "BTS [ebp+8], ecx with ECX = -40 sets bit 24 of the dword at EBP (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xbd, ...le(DATA_AT + 0x400)], // mov ebp, DATA+0x400
        ...[0xb9, ...le(-40 >>> 0)], // mov ecx, -40
        ...[0xf9], // stc
        ...[0x0f, 0xab, 0x4d, 0x08], // bts [ebp+8], ecx
        ...[0x0f, 0x92, 0xc0], // setc al (the old bit: 0)
        ...[0x0f, 0xab, 0x4d, 0x08], // bts [ebp+8], ecx
        ...[0x0f, 0x92, 0xc4], // setc ah (now 1)
        0xf4,
      ]);
      const { b } = lockstep(code, backend);
      // SDM vol. 2 BT: bit offset -40 = dword -2 (EA - 8), bit 24.
      expect(b.mem.bytes[DATA_AT + 0x403]).toBe(0x01);
      expect(b.mem.bytes[DATA_AT + 0x40b]).toBe(0);
      expect(b.cpu.state.regs[0]! & 0xffff).toBe(0x0100);
      expect(wasmBlocks(b)).toBeGreaterThan(0);
    },
  );

  it.each(["js", "wasm", "wasm-shared"] as const)(
    "a read-modify-write form whose write is refused (#PF 3) leaves EFLAGS as before it (%s)",
    (backend) => {
      const code = Uint8Array.from([
        ...[0xb8, ...le(5)], // mov eax, 5
        ...[0xbb, ...le(7)], // mov ebx, 7
        ...[0xbe, ...le(RO_PAGE + 8)], // mov esi, RO_PAGE + 8
        ...[0x39, 0xd8], // cmp eax, ebx (CF=1, SF=1, ZF=0)
        ...[0x11, 0x06], // adc [esi], eax: the read works, the write faults
        0xf4,
      ]);
      const { b } = lockstep(code, backend);
      const s = b.cpu.state;
      expect(s.cr2 >>> 12).toBe(RO_PAGE >>> 12);
      const esp = s.regs[4]! >>> 0;
      const frame = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset + esp, 16);
      expect(frame.getUint32(0, true)).toBe(3); // present, write
      expect(frame.getUint32(4, true)).toBe(CODE_AT + 17);
      // SDM vol. 3, 6.5: a fault is reported with the state before the instruction, so the
      // pushed EFLAGS hold CMP's flags (ADC would have left CF=0, SF=0: 0 + 5 + 1 = 6).
      expect(frame.getUint32(12, true) & 0xc1).toBe(0x81);
      expect(b.mem.bytes[RO_PAGE + 8]).toBe(0);
    },
  );

  it.each([4093, 4094, 4095])(
    "a dword access at page offset %i crossing into a hole faults",
    (off) => {
      const code = Uint8Array.from([
        ...[0xbe, ...le(HOLE - 4096 + off)], // mov esi, HOLE - 4096 + off
        ...[0x8b, 0x06], // mov eax, [esi]
        0xf4,
      ]);
      const { b } = lockstep(code, "wasm");
      expect(b.cpu.state.cr2 >>> 0).toBe(HOLE);
      expect(wasmBlocks(b)).toBeGreaterThan(0);
    },
  );

  it("a wasm region writing the code ahead of it runs the new code (self-modifying)", () => {
    const P = CODE_AT + 15; // the immediate of `mov eax, 0x11`
    const code = Uint8Array.from([
      ...[0x31, 0xd2], // xor edx, edx
      ...[0xb9, ...le(3)], // mov ecx, 3
      ...[0xc6, 0x05, ...le(P), 0x42], // loop: mov byte [P], 0x42
      ...[0xb8, ...le(0x11)], // mov eax, 0x11
      ...[0x01, 0xc2], // add edx, eax
      0x49, // dec ecx
      ...[0x75, 0xef], // jnz loop
      0xf4,
    ]);
    const { b } = lockstep(code, "wasm");
    expect(b.cpu.state.regs[2]).toBe(3 * 0x42); // every iteration saw the stored byte
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
    expect(b.engine!.stats.translatedWasm).toBeGreaterThan(1);
  });

  it("modules import only the back end's helpers and memory, export only regions, their entries and exit tables", () => {
    const names = new Set([
      "fl",
      "tc",
      "cf",
      "ev",
      "ld",
      "st",
      "j",
      "rf",
      "ck",
      "ts",
      "d",
      "sp",
      "ef",
      "cd",
      "me",
    ]);
    const api = (globalThis as unknown as { WebAssembly: WasmStatics }).WebAssembly;
    let modules = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const m = makeMachine(wasmProgram(seed), true, 1, true, "wasm");
      m.engine!.run(100_000);
      const seen = new Set<object>();
      for (const blk of m.engine!.blocks()) {
        if (blk.wasm === null || seen.has(blk.wasm)) continue;
        seen.add(blk.wasm);
        modules++;
        const mod = blk.wasm.module!;
        let regions = 0;
        for (const i of api.Module.imports(mod)) {
          if (i.module === "e") {
            expect(i.name).toBe("m");
            continue;
          }
          // Region k's helpers come from module r<k>; h0, h1, ...: one per handler call site.
          expect(i.module).toMatch(/^r(0|[1-9][0-9]*)$/);
          expect(names.has(i.name) || /^h(0|[1-9][0-9]*)$/.test(i.name)).toBe(true);
          regions = Math.max(regions, Number(i.module.slice(1)) + 1);
        }
        // Per region k: f<k>, the chain entry c<k> and the exits' table t<k> (src/wasm/chain.ts).
        const exported = api.Module.exports(mod).map((e) => e.name);
        expect(exported.length % 3).toBe(0);
        const count = exported.length / 3;
        expect(count).toBeGreaterThanOrEqual(regions);
        for (let k = 0; k < count; k++)
          expect(exported.slice(3 * k, 3 * k + 3)).toEqual([`f${k}`, `c${k}`, `t${k}`]);
        expect(api.Module.customSections(mod, "name")).toEqual([]);
      }
    }
    expect(modules).toBeGreaterThan(10);
  });
});

interface WasmStatics {
  Module: {
    new (bytes: Uint8Array): object;
    imports(m: object): { module: string; name: string }[];
    exports(m: object): { name: string }[];
    customSections(m: object, name: string): ArrayBuffer[];
  };
}
