// Memory operands off a region's loops with paging on (RecompilerOptions.directMemory): the TLB
// test inline, no memo and no call; where the TLB refuses the access (a not-present page, a
// read-only page's write, a watched page's write) the region leaves before the instruction and
// the interpreter runs it. The interpreter is the oracle: the same programs, run on a machine
// without the recompiler, must end in the same state, faults included. The test machine's
// memory keeps its own TLB (TestMemory ignores the paging state), so CR0.PG only sets the
// region's mode, as under a kernel's identity map.
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { hex } from "./support/lockstep";
import {
  DATA_AT,
  HOLE,
  makeMachine,
  RO_PAGE,
  snapshot,
  STACK_TOP,
  type Machine,
} from "./support/machine";

/**
 * Straight-line loads, stores, read-modify-writes, PUSH/POP and a store to a watched page:
 * mov eax, [ebx]; add eax, [ebx+4]; mov [ebx+8], eax; add [ebx+12], eax; push eax;
 * push dword [ebx+4]; pop ecx; pop edx; mov esi, [ebx+16]; inc dword [ebx+20]; mov [edi], eax;
 * mov ebp, [edi+4]; movzx esi, byte [ebx+1]; sub esi, [ebx+12]; hlt
 */
const MIXED = hex("8b0303430489430801430c50ff7304595a8b7310ff431489078b6f040fb673012b730cf4");
/** A read of a not-present page after a store: mov eax, [ebx]; add [ebx+4], eax; mov ecx, [esi]; inc eax; hlt */
const READ_HOLE = hex("8b030143048b0e40f4");
/** A write to the read-only page: mov eax, [ebx]; inc dword [ebx+4]; mov [esi], eax; inc eax; hlt */
const WRITE_RO = hex("8b03ff4304890640f4");
/**
 * An 8-byte write whose second dword is on the read-only page, the compare equal (so the first
 * dword changes): mov eax, [esi]; mov edx, [esi+4]; mov ebx, 0x11111111; mov ecx, 0x22222222;
 * cmpxchg8b [esi]; inc eax; hlt
 */
const SPLIT_RO = hex("8b068b5604bb11111111b9222222220fc70e40f4");

/**
 * A prologue's PUSHes with `mov ebp, esp` and a store among them, an epilogue's POPs with a LEA
 * among them, then two short runs:
 * push ebp; mov ebp, esp; push edi; push esi; push ebx; push 0x12345678; push -2;
 * mov [esp+4], eax; push ecx; inc eax; add esp, 12; mov [ebp-4], edx; pop ebx;
 * lea ecx, [eax+1]; pop esi; pop edi; pop ebp; push eax; push ecx; pop edx; pop eax; hlt
 */
const PROLOGUE = hex("5589e557565368785634126afe89442404514083c40c8955fc5b8d48015e5f5d50515a58f4");
/** Three POPs with register forms between: pop eax; add esi, eax; pop ecx; xor edi, ecx; pop edx; hlt */
const POPS = hex("5801c65931cf5af4");

const WATCHED = DATA_AT + 0x5000;

/** Paging on (the region's mode), the data filled, EBX/EDI/ESI set; `engine`: the recompiler's. */
function machine(code: Uint8Array, engine: boolean, esi: number, directMemory = true): Machine {
  const m = makeMachine(code, engine, 1, true, "wasm", { directMemory });
  m.cpu.setControlRegister(0, 0xe0000011);
  const view = new DataView(m.mem.bytes.buffer);
  for (let k = 0; k < 8; k++) view.setUint32(DATA_AT + 4 * k, 0x01020304 * (k + 1), true);
  view.setUint32(WATCHED + 4, 0xcafe, true);
  view.setUint32(RO_PAGE, 0x5a5a, true);
  m.cpu.setReg32(3, DATA_AT);
  m.cpu.setReg32(6, esi);
  m.cpu.setReg32(7, WATCHED);
  m.mem.watchPage(WATCHED >>> 12);
  return m;
}

/**
 * Runs from the program's start (its registers as left by the last run) until HLT, `times` times,
 * with ESP = `esp` at each start when given.
 */
function run(m: Machine, times: number, esp?: number): void {
  const start = m.cpu.eip;
  for (let t = 0; t < times; t++) {
    m.cpu.eip = start;
    m.cpu.state.halted = false;
    m.cpu.setReg32(3, DATA_AT);
    m.cpu.setReg32(7, WATCHED);
    if (esp !== undefined) m.cpu.setReg32(4, esp);
    let stop: number = StopReason.Budget;
    while (stop === StopReason.Budget)
      stop = m.engine === null ? m.cpu.run(100_000) : m.engine.run(100_000);
    expect(stop).toBe(StopReason.Halt);
  }
}

function compare(code: Uint8Array, esi: number, times: number, esp?: number): Machine {
  const oracle = machine(code, false, esi);
  const m = machine(code, true, esi);
  run(oracle, times, esp);
  run(m, times, esp);
  expect(snapshot(m.cpu)).toEqual(snapshot(oracle.cpu));
  // The first byte of RAM where they differ (-1: none); toEqual over 4 MiB takes seconds.
  expect(m.mem.bytes.findIndex((b, k) => b !== oracle.mem.bytes[k])).toBe(-1);
  expect(m.engine!.stats.translatedWasm).toBeGreaterThan(0);
  return m;
}

const memoInUse = (m: Machine): boolean => m.mem.fastPath().memo!.some((w) => w !== 0);

describe("memory operands off a region's loops (directMemory)", () => {
  it("run as the interpreter runs them, a watched page's writes through the interpreter", () => {
    const m = compare(MIXED, 0, 5);
    // No memo: every access tested the TLB inline.
    expect(memoInUse(m)).toBe(false);
    expect(m.mem.writesToWatched).toBeGreaterThan(0);
  });

  it("leave for the interpreter at a not-present page: the #PF as the interpreter raises it", () => {
    const m = compare(READ_HOLE, HOLE, 1);
    expect(m.cpu.state.cr2 >>> 0).toBe(HOLE);
  });

  it("leave for the interpreter at a write to a read-only page: the #PF with its error code", () => {
    const m = compare(WRITE_RO, RO_PAGE, 1);
    expect((m.cpu.state.cr2 & ~0xfff) >>> 0).toBe(RO_PAGE);
    // The error code pushed: present, write.
    const esp = m.cpu.getReg32(4);
    expect(new DataView(m.mem.bytes.buffer).getUint32(esp, true)).toBe(3);
  });

  it("end an 8-byte write split over a read-only page as the interpreter does", () => {
    // The first dword's page is writable, the second's is not: #PF after the first dword (the
    // second store never leaves before the instruction: `storeOpen`'s first-store rule).
    const m = compare(SPLIT_RO, RO_PAGE - 4, 1);
    expect((m.cpu.state.cr2 & ~0xfff) >>> 0).toBe(RO_PAGE);
  });

  it("keep memos with the option off, or with paging off", () => {
    const off = machine(MIXED, true, 0, false);
    run(off, 3);
    expect(memoInUse(off)).toBe(true);
    const unpaged = machine(MIXED, true, 0);
    unpaged.cpu.setControlRegister(0, 0x60000011);
    run(unpaged, 3);
    expect(memoInUse(unpaged)).toBe(true);
  });
});

describe("runs of PUSH and POP off a region's loops", () => {
  it("write and read the slots the interpreter does", () => {
    compare(PROLOGUE, 0, 5, STACK_TOP);
    compare(POPS, 0, 5, DATA_AT);
  });

  it("leave for the interpreter where their slots cross a page or fall on a watched page", () => {
    // The prologue's seven slots below ESP = a page's start + 8 span two pages.
    compare(PROLOGUE, 0, 5, STACK_TOP - 0x1000 + 8);
    // The POPs' twelve bytes from 4 below a page's end.
    compare(POPS, 0, 5, DATA_AT + 0xffc);
    const m = compare(PROLOGUE, 0, 3, WATCHED + 0x100);
    expect(m.mem.writesToWatched).toBeGreaterThan(0);
  });

  it("fault at the POP the interpreter faults at", () => {
    // The third POP reads the not-present page: #PF there, the first two done.
    const m = compare(POPS, 0, 1, HOLE - 8);
    expect(m.cpu.state.cr2 >>> 0).toBe(HOLE);
  });
});
