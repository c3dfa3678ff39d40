// The baked memory forms' inlined TLB fast path (LinearMemory.fastPath, what the board's Mmu
// offers), REP MOVS/STOS a page at a time through it, and the fused "register form + Jcc" pairs
// of the block loop. All must behave exactly as the memory's own methods and single
// instructions do: accesses the fast path does not accept
// (an entry failing the read/write mask: MMIO, a watched code page) go through the memory's
// read/write methods, so a store to code is still seen by the next fetch (SDM vol. 3, 11.6), and
// `run(n)` stops after exactly n instructions even between a fused form and its Jcc. Expected
// values are what the programs compute (hand-derived below), or for the strings what the SDM's
// element-by-element REP loop leaves (the same CPU on a memory without a fast path).
import type { LinearFastPath } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { EAX, EBX, ECX, EDI, EDX, ESI, StopReason } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

const T_VALID = 1;
const T_SLOW = 32;
const T_NO_FAST_WRITE = 64;
const MMIO_PAGE = 5;
/** A page whose accesses fault (#PF through the memory's fault sink). */
const ABSENT_PAGE = 0x30;

/**
 * A 1 MiB identity-mapped memory with a software TLB like the Mmu's: page 5 is "MMIO" (every
 * access through the methods, counted), watched code pages lose fast writes, and a write through
 * the methods to a watched page notifies the CPU's watch.
 */
class TlbMemory extends FlatMemory {
  private readonly tlb = new Int32Array(1 << 20);
  private readonly masks = Int32Array.of(T_VALID | T_SLOW, T_VALID | T_SLOW | T_NO_FAST_WRITE);
  private readonly watched = new Uint8Array(256);
  private readonly listeners: ((page: number) => void)[] = [];
  /** Accesses that reached the methods, per page. */
  readonly slow = new Int32Array(256);

  constructor() {
    super(1 << 20);
    for (let p = 0; p < 256; p++) this.tlb[p] = (p << 12) | T_VALID;
    this.tlb[MMIO_PAGE] = (MMIO_PAGE << 12) | T_VALID | T_SLOW;
    this.tlb[ABSENT_PAGE] = 0;
  }
  fastPath(): LinearFastPath {
    const b = this.bytes;
    return {
      tlb: this.tlb,
      u8: b,
      u16: new Uint16Array(b.buffer),
      i32: new Int32Array(b.buffer),
      masks: this.masks,
    };
  }
  override read8(linear: number): number {
    this.slow[(linear >>> 12) & 255]!++;
    if (linear >>> 12 === ABSENT_PAGE) this.sink!(linear, 0);
    return super.read8(linear);
  }
  override write8(linear: number, value: number): void {
    this.slow[(linear >>> 12) & 255]!++;
    if (linear >>> 12 === ABSENT_PAGE) this.sink!(linear, 2);
    super.write8(linear, value);
    const page = (linear >>> 12) & 255;
    if (this.watched[page] !== 1) return;
    this.watched[page] = 0;
    this.tlb[page] = this.tlb[page]! & ~T_NO_FAST_WRITE;
    for (const l of this.listeners) l(page);
  }
  translate(linear: number, _kind: number): number {
    return linear & 0xfffff;
  }
  watchPage(page: number): void {
    this.watched[page] = 1;
    this.tlb[page] = this.tlb[page]! | T_NO_FAST_WRITE;
  }
  isWatched(page: number): boolean {
    return this.watched[page] === 1;
  }
  onCodeWrite(listener: (page: number) => void): void {
    this.listeners.push(listener);
  }
}

function machine(code: string) {
  const mem = new TlbMemory();
  mem.bytes.set(hex(code), 0x1000);
  const cpu = flatCpu(mem, undefined, { codeTranslator: mem, codePages: mem });
  return { mem, cpu };
}

describe("TLB fast path of the baked memory forms", () => {
  it("loads and stores on RAM pages, MMIO pages through the memory's methods", () => {
    // mov dword [0x6000],0x12345678 / mov eax,[0x6000] / movzx ebx,byte [0x6001]
    // mov byte [0x6003],0xaa / mov ecx,[0x6000] / mov dword [0x5000],ecx / mov edx,[0x5000]
    // cmp byte [0x5003],0xaa / hlt
    const { mem, cpu } = machine(
      "c7050060000078563412" +
        "8b0500600000" +
        "0fb61d01600000" +
        "c60503600000aa" +
        "8b0d00600000" +
        "890d00500000" +
        "8b1500500000" +
        "803d03500000aa" +
        "f4",
    );
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(0x12345678);
    expect(cpu.getReg32(EBX)).toBe(0x56);
    expect(cpu.getReg32(ECX) >>> 0).toBe(0xaa345678);
    expect(cpu.getReg32(EDX) >>> 0).toBe(0xaa345678);
    expect(Array.from(mem.bytes.subarray(0x5000, 0x5004))).toEqual([0x78, 0x56, 0x34, 0xaa]);
    // ZF from CMP byte [0x5003],0xaa: equal.
    expect(cpu.eflags & 0x40).toBe(0x40);
    // RAM page 6: the fast path. MMIO page 5: one 32-bit store, one 32-bit load, one byte load,
    // each through the methods (FlatMemory splits dwords into bytes: 4 + 4 + 1).
    expect(mem.slow[6]).toBe(0);
    expect(mem.slow[MMIO_PAGE]).toBe(9);
  });

  it("a store patching code already run is seen (the watched page refuses fast writes)", () => {
    // mov ecx,3 / l: mov eax,1 / mov byte [l+1],cl / dec ecx / jnz l / hlt
    // The block at l is decoded in the 2nd iteration (imm 3) and patched (imm 2) before the
    // 3rd: EAX 1, 3, then 2 (a stale block would give 3 again).
    const { cpu } = machine("b903000000" + "b801000000" + "880d06100000" + "49" + "75f2" + "f4");
    expect(cpu.run(1000)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(2);
    expect(cpu.getReg32(ECX)).toBe(0);
  });
});

describe("fused register form + Jcc", () => {
  // mov ecx,3 (0x1000) / l: dec ecx (0x1005) / jnz l (0x1006) / hlt (0x1008)
  const CODE = "b903000000" + "49" + "75fd" + "f4";
  // After n instructions: [EIP, ECX].
  const AFTER: [number, number][] = [
    [0x1000, 0],
    [0x1005, 3],
    [0x1006, 2],
    [0x1005, 2],
    [0x1006, 1],
    [0x1005, 1],
    [0x1006, 0],
    [0x1008, 0],
  ];

  it("run(n) stops after exactly n instructions, also between the form and its Jcc", () => {
    // Each budget from the start, then one machine continued in steps of 2 (pairs cut both ways).
    for (let n = 1; n < AFTER.length; n++) {
      const { cpu } = machine(CODE);
      expect(cpu.run(n)).toBe(StopReason.Budget);
      expect([cpu.eip, cpu.getReg32(ECX), cpu.instructionCount]).toEqual([...AFTER[n]!, n]);
    }
    const { cpu } = machine(CODE);
    expect(cpu.run(1)).toBe(StopReason.Budget);
    for (let n = 3; n < AFTER.length; n += 2) {
      expect(cpu.run(2)).toBe(StopReason.Budget);
      expect([cpu.eip, cpu.getReg32(ECX)]).toEqual(AFTER[n]);
    }
    expect(cpu.run(10)).toBe(StopReason.Halt);
    expect(cpu.instructionCount).toBe(8);
  });
});

describe("REP MOVS / REP STOS a page at a time", () => {
  // The oracle is the element-by-element loop of the SDM's REP pseudo-code, as the same CPU runs
  // it on a memory without a fast path (FlatMemory: every element through read*/write*).
  const FORMS = [
    { name: "movsb", code: "f3a4", size: 1 },
    { name: "movsw", code: "66f3a5", size: 2 },
    { name: "movsd", code: "f3a5", size: 4 },
    { name: "stosb", code: "f3aa", size: 1 },
    { name: "stosw", code: "66f3ab", size: 2 },
    { name: "stosd", code: "f3ab", size: 4 },
  ];
  const SRC = 0x20000;

  // Pseudo-random data (an LCG) over the pages the strings use.
  const DATA_LO = 0x10000;
  const DATA_HI = 0x40000;
  const DATA = new Uint8Array(DATA_HI - DATA_LO);
  for (let i = 0, x = 0x12345678; i < DATA.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    DATA[i] = x >>> 24;
  }
  const seeded = (bytes: Uint8Array): void => bytes.set(DATA, DATA_LO);
  /** The first byte where the two memories differ, or -1. */
  function firstDiff(a: Uint8Array, b: Uint8Array): number {
    if (Buffer.compare(a, b) === 0) return -1;
    return a.findIndex((v, i) => v !== b[i]);
  }

  type Pair = {
    fast: ReturnType<typeof machine>;
    ref: { mem: FlatMemory; cpu: ReturnType<typeof flatCpu> };
  };
  /** A machine with the fast path (TlbMemory, code-page watch) and one without, same program. */
  function pair(code: string, df: boolean): Pair {
    const program = (df ? "fd" : "") + code + "f4";
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(hex(program), 0x1000);
    return { fast: machine(program), ref: { mem, cpu: flatCpu(mem) } };
  }
  function runBoth(
    code: string,
    df: boolean,
    count: number,
    dst: number,
    src: number,
    p = pair(code, df),
  ) {
    for (const m of [p.fast, p.ref]) {
      seeded(m.mem.bytes);
      // Out of the previous case's HLT.
      m.cpu.state.halted = false;
      m.cpu.eip = 0x1000;
      m.cpu.setReg32(EAX, 0xa1b2c3d4);
      m.cpu.setReg32(ECX, count);
      m.cpu.setReg32(ESI, src);
      m.cpu.setReg32(EDI, dst);
    }
    const stops = [p.fast.cpu.run(100_000), p.ref.cpu.run(100_000)];
    return { fast: p.fast, ref: p.ref, stops };
  }

  const state = (cpu: ReturnType<typeof flatCpu>) => [
    cpu.eip,
    cpu.getReg32(ECX) >>> 0,
    cpu.getReg32(ESI) >>> 0,
    cpu.getReg32(EDI) >>> 0,
  ];

  const what0 = (name: string, df: boolean, count: number, dst: number) =>
    `${name} df=${df} count=${count} dst=${dst.toString(16)}`;

  it("leaves the bytes and registers of the element-by-element loop", () => {
    // Counts within a page, across pages and above one execution's chunk (4096: the string
    // restarts); destinations aligned, unaligned and ending mid-element at a page end; overlaps
    // in both directions closer than an element, than a run, and apart.
    const counts = [1, 7, 1500, 5000];
    const dsts = [
      0x24000,
      0x24ffe,
      0x23ffd,
      SRC + 1,
      SRC + 2,
      SRC + 3,
      SRC + 4,
      SRC - 1,
      SRC - 4,
      SRC + 0x100,
    ];
    let cases = 0;
    for (const f of FORMS) {
      for (const df of [false, true]) {
        const machines = pair(f.code, df);
        for (const count of counts) {
          for (const dst of dsts) {
            const before = [machines.fast.cpu.instructionCount, machines.ref.cpu.instructionCount];
            const { fast, ref, stops } = runBoth(f.code, df, count, dst, SRC, machines);
            const retired = [
              fast.cpu.instructionCount - before[0]!,
              ref.cpu.instructionCount - before[1]!,
            ];
            expect(retired[0], what0(f.name, df, count, dst)).toBe(retired[1]);
            const what = what0(f.name, df, count, dst);
            expect(stops, what).toEqual([StopReason.Halt, StopReason.Halt]);
            // The string ran to its end (ECX 0) and HLT after it.
            expect(state(ref.cpu).slice(0, 2), what).toEqual([
              0x1000 + (df ? 1 : 0) + f.code.length / 2 + 1,
              0,
            ]);
            expect(state(fast.cpu), what).toEqual(state(ref.cpu));
            expect(firstDiff(fast.mem.bytes, ref.mem.bytes), `${what}: first differing byte`).toBe(
              -1,
            );
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(6 * 2 * 4 * 10);
  });

  it("copies a byte string onto itself one element ahead: the first byte repeats", () => {
    // SDM vol. 2 MOVS/REP: each iteration reads the byte the previous one wrote.
    const { fast } = runBoth("f3a4", false, 600, SRC + 1, SRC);
    const first = fast.mem.bytes[SRC]!;
    expect(Array.from(fast.mem.bytes.subarray(SRC, SRC + 601)).every((b) => b === first)).toBe(
      true,
    );
  });

  it("uses the fast path for RAM and the memory's methods for an MMIO page", () => {
    // 3 pages of dwords from 0x4800 up: half of page 4, all of MMIO page 5, half of page 6.
    const { fast, ref } = runBoth("f3ab", false, 0x600, 0x4800, SRC);
    expect(state(fast.cpu)).toEqual(state(ref.cpu));
    expect(fast.mem.slow[4]).toBe(0);
    expect(fast.mem.slow[6]).toBe(0);
    // Every dword on the MMIO page through write32 (FlatMemory: 4 byte writes each).
    expect(fast.mem.slow[MMIO_PAGE]).toBe(4096);
  });

  it("stops at a faulting page with the registers of the elements done", () => {
    // REP MOVSD from page 0x2f into the absent page 0x30: 0x400 dwords fit before it.
    const { fast } = runBoth("f3a5", false, 0x500, (ABSENT_PAGE << 12) - 0x1000, SRC);
    expect(state(fast.cpu)[1]).toBe(0x100);
    expect(fast.cpu.getReg32(EDI) >>> 0).toBe(ABSENT_PAGE << 12);
    expect(
      Array.from(fast.mem.bytes.subarray((ABSENT_PAGE << 12) - 0x1000, ABSENT_PAGE << 12)),
    ).toEqual(Array.from(fast.mem.bytes.subarray(SRC, SRC + 0x1000)));
  });
});
