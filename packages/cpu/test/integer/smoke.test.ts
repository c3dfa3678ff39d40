// End-to-end smoke programs for the integer interpreter, in real mode and flat 32-bit protected
// mode. The programs (assembled with nasm; sources in the comments) compute values whose
// results follow from their text: sum 1..n, a call/ret pair, REP STOS/MOVS, port I/O.
import { describe, expect, it } from "vitest";
import {
  Cpu,
  CpuException,
  EAX,
  EBX,
  ECX,
  EDI,
  EDX,
  ESI,
  ESP,
  SegReg,
  StopReason,
  Vector,
} from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function runTo(cpu: Cpu, eip: number, max = 10_000): void {
  for (let n = 0; n < max && cpu.eip !== eip; n++) expect(cpu.run(1)).toBe(StopReason.Budget);
  expect(cpu.eip).toBe(eip);
}

describe("integer smoke programs", () => {
  it("real mode: loop, call/ret, rep stosb, lodsw, out, in", () => {
    // mov ax,0x1000 / mov ss,ax / mov sp,0xfffe (skipped: starts at 8) / xor ax,ax / mov cx,10
    // l1: add ax,cx / loop l1 / push ax / call f / pop bx / mov di,0x100 / mov cx,4 / cld
    // rep stosb / mov si,0x100 / lodsw / out 0x80,al / mov dx,0x3f8 / in al,dx / hlt
    // f: inc ax / ret
    const code = hex(
      "b800108ed0bcfeff31c0b90a0001c8e2fc50e815005bbf0001b90400fcf3aabe0001ade680baf803ecf440c3",
    );
    const mem = new FlatMemory(1 << 20);
    const io = new NullPorts();
    const cpu = new Cpu({ memory: mem, io });
    mem.bytes.set(code, 0x10000);
    for (const seg of [SegReg.CS, SegReg.DS, SegReg.ES]) cpu.loadSegmentReal(seg, 0x1000);
    cpu.loadSegmentReal(SegReg.SS, 0x2000);
    cpu.eip = 8;
    cpu.setReg32(ESP, 0xfffe);
    runTo(cpu, 0x29);
    expect(cpu.getReg32(EBX)).toBe(55);
    expect(cpu.getReg32(EAX)).toBe(0x38ff); // AH from lodsw (0x38), AL from the empty bus
    expect(cpu.getReg32(EDI)).toBe(0x104);
    expect(cpu.getReg32(ESI)).toBe(0x102);
    expect(cpu.getReg32(ESP)).toBe(0xfffe);
    expect(io.written).toEqual([[0x80, 0x38]]);
    expect(Array.from(mem.bytes.subarray(0x10100, 0x10104))).toEqual([0x38, 0x38, 0x38, 0x38]);
  });

  it("flat 32-bit protected mode: loops, rep stosd/movsb, bt/setc/cmove/xchg", () => {
    const code = hex(
      "bc0080000031c0b96400000001c84975fb50e8450000005bbf00300000b910000000fcf3abbe00300000bf00400000b940000000f3a4be00400000adbaf8030000eec1e0040fbae0040f92c10fb6d181fbba1300000f44f39390eb0240c390",
    );
    const mem = new FlatMemory(1 << 20);
    const io = new NullPorts();
    const cpu = new Cpu({ memory: mem, io });
    mem.bytes.set(code, 0x1000);
    cpu.setControlRegister(0, 0x60000011);
    const code32 = 0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000; // P S code readable D G
    const data32 = 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000;
    cpu.loadSegmentCache(SegReg.CS, 0x08, 0, 0xffffffff, code32);
    for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES])
      cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, data32);
    cpu.eip = 0x1000;
    runTo(cpu, 0x1061);
    expect(cpu.getReg32(EAX)).toBe(5050);
    expect(cpu.getReg32(EBX)).toBe(5051 << 4);
    expect(cpu.getReg32(ECX)).toBe(1);
    expect(cpu.getReg32(EDX)).toBe(1);
    expect(cpu.getReg32(ESI)).toBe(5050);
    expect(cpu.getReg32(EDI)).toBe(0x4040);
    expect(cpu.getReg32(ESP)).toBe(0x8000);
    expect(io.written).toEqual([[0x3f8, 5051 & 0xff]]);
  });

  it("LOCK on a register destination raises #UD (delivered through the IVT in real mode)", () => {
    const mem = new FlatMemory(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    mem.bytes.set(hex("f001c0"), 0x500); // lock add eax, eax
    mem.bytes.set(hex("3412cdab"), 6 * 4); // IVT[6] = abcd:1234
    cpu.loadSegmentReal(SegReg.CS, 0);
    cpu.loadSegmentReal(SegReg.SS, 0);
    cpu.setReg32(ESP, 0x1000);
    cpu.eip = 0x500;
    cpu.run(1);
    expect(cpu.eip).toBe(0x1234);
    expect(cpu.state.segSel[SegReg.CS]).toBe(0xabcd);
    expect(mem.bytes[0xffa]! | (mem.bytes[0xffb]! << 8)).toBe(0x500); // pushed IP: the faulting one
  });
});

describe("decoded-instruction cache", () => {
  it("sees code the guest rewrites (self-modifying code runs the new bytes)", () => {
    // l: mov eax, 1 / mov byte [l+1], 2 / dec ecx / jnz l  (second pass runs mov eax, 2)
    // 0x1000: b8 01 00 00 00 / c6 05 01 10 00 00 02 / 49 / 75 f1
    const mem = new FlatMemory(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    mem.bytes.set(hex("b801000000c6050110000002" + "4975f1"), 0x1000);
    cpu.setControlRegister(0, 0x60000011);
    cpu.loadSegmentCache(
      SegReg.CS,
      0x08,
      0,
      0xffffffff,
      0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000,
    );
    cpu.loadSegmentCache(SegReg.DS, 0x10, 0, 0xffffffff, 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000);
    cpu.setReg32(ECX, 2);
    cpu.eip = 0x1000;
    runTo(cpu, 0x100f);
    expect(cpu.getReg32(EAX)).toBe(2);
    expect(cpu.getReg32(ECX)).toBe(0);
  });
});

describe("REP string faults", () => {
  it("a fault mid-REP leaves ECX/EDI at the progress made and IP on the instruction (SDM vol. 2, REP)", () => {
    // Real mode, a32 rep stosb from EDI=0xFFF0, ECX=0x20: the 17th store (EDI=0x10000) is beyond
    // the ES limit (0xFFFF) and raises #GP (SDM vol. 3, 20.1.5), after 16 completed iterations.
    const mem = new FlatMemory(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    mem.bytes.set(hex("67f3aa"), 0x700); // a32 rep stosb
    mem.bytes.set(hex("00900000"), 13 * 4); // IVT[13] = 0000:9000
    for (const seg of [SegReg.CS, SegReg.SS, SegReg.DS]) cpu.loadSegmentReal(seg, 0);
    cpu.loadSegmentReal(SegReg.ES, 0x2000);
    cpu.setReg32(ESP, 0x600);
    cpu.setReg32(EDI, 0xfff0);
    cpu.setReg32(ECX, 0x20);
    cpu.setReg32(EAX, 0x5a);
    cpu.eip = 0x700;
    for (let n = 0; n < 10 && cpu.eip !== 0x9000; n++) cpu.run(1);
    expect(cpu.eip).toBe(0x9000);
    expect(cpu.getReg32(ECX)).toBe(0x10);
    expect(cpu.getReg32(EDI)).toBe(0x10000);
    expect(mem.bytes[0x5fa]! | (mem.bytes[0x5fb]! << 8)).toBe(0x700); // pushed IP: the REP instruction
    expect(Array.from(mem.bytes.subarray(0x2fff0, 0x30000))).toEqual(new Array(16).fill(0x5a));
  });
});

/** Flat memory whose pages from `faultFrom` on are not present (writes raise #PF). */
class HoleMemory extends FlatMemory {
  constructor(private readonly faultFrom: number) {
    super(1 << 20);
  }
  override write8(linear: number, value: number): void {
    if (linear >>> 0 >= this.faultFrom) this.sink!(linear, 0x2);
    super.write8(linear, value);
  }
}

describe("REP string page faults (32-bit addressing, flat segments)", () => {
  for (const [name, code, setup] of [
    ["rep stosd", "f3ab", (cpu: Cpu) => cpu.setReg32(EAX, 0x11223344)],
    ["rep movsd", "f3a5", (cpu: Cpu) => cpu.setReg32(ESI, 0x2000)],
  ] as const) {
    it(`${name}: a #PF mid-string leaves ECX/ESI/EDI after the completed elements`, () => {
      const mem = new HoleMemory(0x9000);
      const cpu = new Cpu({ memory: mem, io: new NullPorts() });
      mem.bytes.set(hex(code), 0x1000);
      cpu.setControlRegister(0, 0x60000011);
      cpu.loadSegmentCache(
        SegReg.CS,
        0x08,
        0,
        0xffffffff,
        0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000,
      );
      for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES]) {
        cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000);
      }
      cpu.setReg32(ESP, 0x7000);
      cpu.setReg32(EDI, 0x8ff0);
      cpu.setReg32(ECX, 10);
      setup(cpu);
      cpu.eip = 0x1000;
      let fault = -1;
      mem.setFaultSink((linear) => {
        fault = linear;
        throw new CpuException(Vector.PF, 2);
      });
      cpu.run(1); // the #PF cannot be delivered (no IDT): only the registers at the fault matter
      // Four dwords fit below 0x9000; the fifth store faults.
      expect(fault).toBe(0x9000);
      expect(cpu.getReg32(ECX)).toBe(6);
      expect(cpu.getReg32(EDI)).toBe(0x9000);
      if (name === "rep movsd") expect(cpu.getReg32(ESI)).toBe(0x2010);
    });
  }
});
