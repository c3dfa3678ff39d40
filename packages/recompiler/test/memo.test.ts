// Translation memos (src/wasm/lower.ts MEMO_SLOTS): a wasm region keeps the page of its last fast
// access per base register in the MMU's memo area and skips the TLB lookup on the next access to
// that page. The memos hold only while the MMU keeps the area (it zeroes it when it drops or
// restricts a TLB entry; the test machine's TestMemory does when a page is remapped or watched):
// a region run again after such a change must see the new translation.
import { StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { WasmShared } from "../src/wasm/region";
import { MEMO_BANK_BYTES } from "../src/wasm/lower";
import { hex, lockstep } from "./support/lockstep";
import { CODE_AT, DATA_AT, HOLE, makeMachine, type Machine } from "./support/machine";

/** mov ecx, 2000; xor edx, edx; l: mov eax, [ebx]; add edx, eax; dec ecx; jnz l; hlt */
const SUM_LOOP = hex("b9d007000031d28b0301c24975f9f4");
/** mov ecx, 2000; l: mov [ebx], ecx; dec ecx; jnz l; hlt */
const STORE_LOOP = hex("b9d0070000890b4975fbf4");
/** mov ecx, 2000; l: add [ebx], ecx; dec ecx; jnz l; hlt (a read, then a write, one slot) */
const ADD_LOOP = hex("b9d0070000010b4975fbf4");
/**
 * An LZ-style copy through one base register and two index registers, on two pages:
 * mov edx, 2000; l: mov al, [esi+ebx]; mov [esi+ecx], al; inc esi; and esi, 0xff; dec edx;
 * jnz l; hlt
 */
const COPY_LOOP = hex("bad00700008a041e88040e4681e6ff0000004a75f0f4");
const N = 2000;
/**
 * Sums the first dword of 16 pages from EBX: mov ecx, 16; xor edx, edx; l: add edx, [ebx];
 * add ebx, 0x1000; dec ecx; jnz l; hlt
 */
const PAGES_SUM = hex("b91000000031d2031381c300100000" + "4975f5f4");
/**
 * Stores ECX to the first dword of 16 pages from EBX: mov ecx, 16; l: mov [ebx], ecx;
 * add ebx, 0x1000; dec ecx; jnz l; hlt
 */
const PAGES_STORE = hex("b910000000890b81c300100000" + "4975f5f4");
/** A linear page the tests remap, and two physical pages it is mapped to in turn. */
const PAGE = DATA_AT + 0x8000;
const PHYS_A = DATA_AT + 0x10000;
const PHYS_B = DATA_AT + 0x18000;

function put32(m: Machine, at: number, v: number): void {
  new DataView(m.mem.bytes.buffer).setUint32(at, v, true);
}

/** Runs the program from its start with EBX = `ebx` until it halts. */
function runFromStart(m: Machine, ebx: number): void {
  m.cpu.eip = CODE_AT;
  m.cpu.state.halted = false;
  m.cpu.setReg32(3, ebx);
  let stop: number = StopReason.Budget;
  while (stop === StopReason.Budget) stop = m.engine!.run(100_000);
  expect(stop).toBe(StopReason.Halt);
}

const memoInUse = (m: Machine): boolean => m.mem.fastPath().memo!.some((w) => w !== 0);

/**
 * Whether a memo lets a 4-byte read (or, with `write`, a write) at `at` take the fast path: a
 * slot is a read window (words P, D, bound), then a write window.
 */
function memoFor(m: Machine, at: number, write = false): boolean {
  const memo = m.mem.fastPath().memo!;
  for (let k = write ? 3 : 0; k + 2 < memo.length; k += 6)
    if ((at - memo[k]!) >>> 0 < memo[k + 2]!) return true;
  return false;
}

describe("translation memos", () => {
  it("a page remapped after a region ran is read through its new mapping", () => {
    const m = makeMachine(SUM_LOOP, true, 1, true, "wasm");
    put32(m, PHYS_A, 3);
    put32(m, PHYS_B, 5);
    m.mem.remap(PAGE >>> 12, PHYS_A >>> 12);
    runFromStart(m, PAGE);
    expect(m.engine!.stats.translatedWasm).toBeGreaterThan(0);
    expect(memoInUse(m)).toBe(true); // the loop's reads went through a memo
    // Set by a read, the memo also allows writes: the page is writable and dirty (a slot with
    // the read bound 4093 and the write bound 4093).
    const memo = m.mem.fastPath().memo!;
    expect(memo.some((w, k) => k % 6 === 2 && w === 4093 && memo[k + 3] === 4093)).toBe(true);
    expect(m.cpu.getReg32(2)).toBe(3 * N);
    m.mem.remap(PAGE >>> 12, PHYS_B >>> 12); // what INVLPG after a page-table edit does
    runFromStart(m, PAGE);
    expect(m.cpu.getReg32(2)).toBe(5 * N);
  });

  it("a page watched after a region wrote it takes its writes through the slow path", () => {
    const m = makeMachine(STORE_LOOP, true, 1, true, "wasm");
    runFromStart(m, PHYS_A);
    expect(memoInUse(m)).toBe(true);
    expect(m.mem.writesToWatched).toBe(0);
    m.mem.watchPage(PHYS_A >>> 12); // as when code on that page is translated
    runFromStart(m, PHYS_A);
    expect(m.mem.writesToWatched).toBe(1);
    // A read of a page whose writes are watched sets a read-only memo.
    const reader = makeMachine(SUM_LOOP, true, 1, true, "wasm");
    reader.mem.watchPage(PHYS_B >>> 12);
    runFromStart(reader, PHYS_B);
    // The read bound (the third of each slot's six words) and the write bound (the fifth).
    const memo = reader.mem.fastPath().memo!;
    expect(memo.some((w, k) => k % 6 === 2 && w === 4093)).toBe(true);
    expect(memo.some((w, k) => k % 6 === 5 && w !== 0)).toBe(false);
    expect(m.mem.bytes[PHYS_A]).toBe(1); // the last value stored (ECX = 1)
  });

  it("indexed operands of one base register on two pages keep a memo each", () => {
    const m = makeMachine(COPY_LOOP, true, 1, true, "wasm");
    // Far apart: no span of pages mapped alike (memoBody) holds both.
    const from = DATA_AT + 0x2000;
    const to = DATA_AT + 0x30000;
    for (let k = 0; k < 256; k++) m.mem.bytes[from + k] = (k * 7) & 0xff;
    m.cpu.setReg32(1, to);
    m.cpu.setReg32(6, 0);
    runFromStart(m, from);
    // The copy happened (oracle: the bytes written before the run).
    for (let k = 0; k < 256; k++) expect(m.mem.bytes[to + k]).toBe((k * 7) & 0xff);
    // Both pages are held at the end: keyed by the base register alone, the read and the write
    // took turns in one slot, a miss each.
    expect(memoFor(m, from)).toBe(true);
    expect(memoFor(m, to, true)).toBe(true);
  });

  it("a memo spans the neighbouring pages mapped alike, not a page mapped elsewhere", () => {
    const m = makeMachine(SUM_LOOP, true, 1, true, "wasm");
    // The test machine maps RAM one to one: DATA_AT's neighbours are alike, PAGE is remapped.
    m.mem.remap(PAGE >>> 12, PHYS_A >>> 12);
    runFromStart(m, DATA_AT);
    for (const near of [DATA_AT - 0x3000, DATA_AT + 0x3ffc]) expect(memoFor(m, near)).toBe(true);
    for (const far of [DATA_AT - 0x4000, DATA_AT + 0x4000]) expect(memoFor(m, far)).toBe(false);
    m.mem.bytes.fill(0, PHYS_A, PHYS_A + 16);
    runFromStart(m, PAGE);
    expect(memoFor(m, PAGE)).toBe(true);
    expect(memoFor(m, PAGE + 0x1000)).toBe(false);
    expect(memoFor(m, PAGE - 4)).toBe(false);
  });

  it("a span for writes stops at a neighbour whose writes are watched", () => {
    const m = makeMachine(ADD_LOOP, true, 1, true, "wasm");
    m.mem.watchPage((PHYS_A >>> 12) + 1); // as when code on that page is translated
    // The read of each ADD sets the memo for reads and (the page is writable) writes.
    runFromStart(m, PHYS_A);
    expect(m.mem.writesToWatched).toBe(0);
    // The same ADD on the watched page: its first write must reach the watch.
    runFromStart(m, PHYS_A + 0x1000);
    expect(m.mem.writesToWatched).toBe(1);
    // Oracle: 2000 + 1999 + ... + 1 added to the zeroed word.
    expect(new DataView(m.mem.bytes.buffer).getUint32(PHYS_A + 0x1000, true)).toBe(2001000);
  });

  describe("with the MMU's chunk bit (one translation maps the 4 MiB chunk onto RAM)", () => {
    const FIRST = DATA_AT + 0x20000;
    /** A machine whose 16 pages from FIRST hold 1..16 and whose TLB has only the first one. */
    const setUp = (code: Uint8Array, chunk: boolean): Machine => {
      const m = makeMachine(code, true, 1, true, "wasm");
      for (let p = 0; p < 16; p++) put32(m, FIRST + p * 0x1000, p + 1);
      if (chunk) m.mem.chunks[0] = 1;
      return m;
    };
    const dropEntries = (m: Machine): void => {
      for (let p = 1; p < 16; p++) m.mem.tlb[(FIRST >>> 12) + p] = 0;
    };

    it("reads anywhere in the chunk through one memo, filled in the TLB or not", () => {
      for (const chunk of [true, false]) {
        const m = setUp(PAGES_SUM, chunk);
        runFromStart(m, FIRST); // translated: the memo is set from now on
        dropEntries(m);
        const before = m.mem.slowReads;
        runFromStart(m, FIRST);
        // Oracle: 1 + 2 + ... + 16.
        expect(m.cpu.getReg32(2), `chunk ${chunk}`).toBe(136);
        // Without the chunk bit, the 15 pages the TLB lacks are slow reads (4 bytes each).
        expect(m.mem.slowReads - before, `chunk ${chunk}`).toBe(chunk ? 0 : 15 * 4);
      }
    });

    it("keeps writes to the span: a watched page of the chunk still takes its writes slowly", () => {
      const m = setUp(PAGES_STORE, true);
      runFromStart(m, FIRST);
      m.mem.watchPage((FIRST >>> 12) + 5);
      const watched = m.mem.writesToWatched;
      runFromStart(m, FIRST);
      expect(m.mem.writesToWatched - watched).toBe(1);
      // Oracle: page p got 16 - p (ECX counts down from 16).
      for (let p = 0; p < 16; p++)
        expect(new DataView(m.mem.bytes.buffer).getUint32(FIRST + p * 0x1000, true)).toBe(16 - p);
    });
  });

  it("regions of different TLB masks get different banks", () => {
    const m = makeMachine(SUM_LOOP, false, 1, true, "wasm");
    const memo = m.mem.fastPath().memo!;
    const layout = {
      pages: 1,
      tlb: 0,
      masks: 0,
      regs: 0,
      scratch: 0,
      dyn: -1,
      dense: -1,
      denseBytes: 0,
      memo: memo.byteOffset,
      memoBytes: 3 * MEMO_BANK_BYTES,
      chunks: -1,
      flatRead: -1,
      xmm: -1,
    };
    const shared = new WasmShared(
      layout,
      m.mem.wasm!.memory,
      () => false,
      () => 0,
      {
        blocksExecuted: 0,
        chained: 0,
        chainedInWasm: 0,
        wasmEntries: 0,
        wasmModules: 0,
        wasmBytes: 0,
        wasmModulesCollected: 0,
      },
    );
    const supervisor = shared.memoBank([33, 97]);
    expect(shared.memoBank([33, 97])).toBe(supervisor);
    const user = shared.memoBank([1 | 32 | 4, 1 | 32 | 64 | 4 | 8]);
    const wp = shared.memoBank([33, 97 | 8]);
    expect(new Set([supervisor, user, wp]).size).toBe(3);
    for (const b of [supervisor, user, wp]) {
      expect(b).toBeGreaterThanOrEqual(memo.byteOffset);
      expect(b + MEMO_BANK_BYTES).toBeLessThanOrEqual(memo.byteOffset + 3 * MEMO_BANK_BYTES);
    }
    expect(shared.memoBank([1, 2])).toBe(-1); // no room left: regions of those masks keep none
  });
});

describe("the MMU's flat-read bound (paging off)", () => {
  /**
   * Sums 3000 dwords and a byte of each from EBX, then the last dword below the hole, then
   * reads a dword crossing into it (#PF, the handler halts): mov ecx, 3000; xor edx, edx;
   * l: add edx, [ebx]; movzx eax, byte [ebx+1]; add edx, eax; add ebx, 4; dec ecx; jnz l;
   * add edx, [HOLE-4]; mov eax, [HOLE-2]; hlt
   */
  const FLAT_SUM = hex("b9b80b000031d203130fb6430101c283c3044975f20315fcff2f00a1feff2f00f4");
  /** The same without the read into the hole (hlt in its place). */
  const FLAT_SUM_HLT = Uint8Array.of(...FLAT_SUM.slice(0, -6), 0xf4);
  const FROM = 0x10_0000;
  /** The bound an MMU gives this machine: RAM from 1 MiB to the hole (the test's #PF page). */
  const BOUND = HOLE - FROM - 3;
  const word = (k: number): number => (k * 0x9e3779b1) >>> 0;
  const fill = (m: Machine, bound: number): void => {
    for (let k = 0; k < 3000; k++) put32(m, FROM + 4 * k, word(k));
    put32(m, HOLE - 4, 0x1234_5678);
    m.cpu.setReg32(3, FROM);
    m.mem.flatRead[0] = bound;
  };

  for (const bound of [BOUND, 0]) {
    const how = bound === 0 ? "through memos without it" : "RAM directly inside it";
    it(`reads ${how}, as the interpreter does`, () => {
      const { b } = lockstep(FLAT_SUM, { backend: "wasm", setup: (m) => fill(m, bound) });
      expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
      // The read into the hole faulted in both engines (CR2: its second page).
      expect(b.cpu.state.cr2 >>> 0).toBe(HOLE);

      const m = makeMachine(FLAT_SUM_HLT, true, 1, true, "wasm");
      fill(m, bound);
      runFromStart(m, FROM);
      let sum = 0x1234_5678;
      for (let k = 0; k < 3000; k++) sum += word(k) + ((word(k) >>> 8) & 0xff);
      expect(m.cpu.getReg32(2) >>> 0).toBe(sum >>> 0);
      // Inside the bound no read needs a memo.
      expect(memoInUse(m)).toBe(bound === 0);
    });
  }
});
