// The baked memory forms' inlined TLB fast path (LinearMemory.fastPath, what the board's Mmu
// offers) and the fused "register form + Jcc" pairs of the block loop. Both must behave exactly as
// the memory's own methods and single instructions do: accesses the fast path does not accept
// (an entry failing the read/write mask: MMIO, a watched code page) go through the memory's
// read/write methods, so a store to code is still seen by the next fetch (SDM vol. 3, 11.6), and
// `run(n)` stops after exactly n instructions even between a fused form and its Jcc. Expected
// values are what the programs compute (hand-derived below).
import type { LinearFastPath } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { EAX, EBX, ECX, EDX, StopReason } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex } from "./flat-cpu";

const T_VALID = 1;
const T_SLOW = 32;
const T_NO_FAST_WRITE = 64;
const MMIO_PAGE = 5;

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
    return super.read8(linear);
  }
  override write8(linear: number, value: number): void {
    this.slow[(linear >>> 12) & 255]!++;
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
