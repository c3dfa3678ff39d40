// The block cache (src/block-cache.ts) must behave exactly as one instruction at a time: code
// patched inside the running block is seen by the next instruction (SDM vol. 3, 11.6 "Self-
// modifying code": a P6 checks stores against the instructions it has fetched), `run(n)` stops
// after exactly n instructions, a fault in the middle of a block leaves the earlier instructions
// retired and reports the faulting instruction's EIP (SDM vol. 3, 6.5 "faults": the return
// address is the faulting instruction), and an interrupt that an instruction's own store makes
// pending is taken at the next instruction boundary (SDM vol. 3, 6.6: external interrupts are
// serviced at instruction boundaries when IF=1).
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX, ECX, ESP, SegReg, StopReason } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex, WatchedFlatMemory } from "./flat-cpu";

/** A code-page-watched memory with an "MMIO" byte at 0x5000 whose write raises the interrupt line. */
class DeviceMemory extends WatchedFlatMemory {
  pending = false;

  override write8(linear: number, value: number): void {
    if ((linear & (this.bytes.length - 1)) === 0x5000) this.pending = true;
    super.write8(linear, value);
  }
}

const GDT = 0x3000;
const IDT = 0x3800;
const HANDLER = 0x2000;

/** GDT (0x08 flat code, 0x10 flat data) and IDT gates for `vectors` -> HANDLER (a HLT). */
function withIdt(cpu: Cpu, mem: FlatMemory, vectors: number[]): void {
  const dv = new DataView(mem.bytes.buffer);
  dv.setUint32(GDT + 8, 0x0000ffff, true);
  dv.setUint32(GDT + 12, 0x00cf9a00, true);
  dv.setUint32(GDT + 16, 0x0000ffff, true);
  dv.setUint32(GDT + 20, 0x00cf9200, true);
  for (const v of vectors) {
    // 32-bit interrupt gate, DPL 0, present: offset 15:0, selector, type, offset 31:16.
    dv.setUint32(IDT + v * 8, (0x08 << 16) | (HANDLER & 0xffff), true);
    dv.setUint32(IDT + v * 8 + 4, (HANDLER & 0xffff0000) | 0x8e00, true);
  }
  mem.bytes[HANDLER] = 0xf4; // hlt
  const s = cpu.state;
  s.gdtrBase = GDT;
  s.gdtrLimit = 0x17;
  s.idtrBase = IDT;
  s.idtrLimit = 0x7ff;
}

function dword(mem: FlatMemory, at: number): number {
  return new DataView(mem.bytes.buffer).getUint32(at, true);
}

describe("block cache", () => {
  it("a store patching the next instruction of the same block is seen", () => {
    // mov byte [0x1008],2 / mov eax,1 (its immediate's low byte is at 0x1008) / hlt
    for (const mem of [new FlatMemory(1 << 20), new DeviceMemory(1 << 20)]) {
      mem.bytes.set(hex("c6050810000002" + "b801000000" + "f4"), 0x1000);
      const cpu =
        mem instanceof DeviceMemory
          ? flatCpu(mem, undefined, { codeTranslator: mem, codePages: mem })
          : flatCpu(mem);
      expect(cpu.run(100)).toBe(StopReason.Halt);
      expect(cpu.getReg32(EAX)).toBe(2);
      expect(cpu.instructionCount).toBe(3);
    }
  });

  it("run(n) stops after exactly n instructions inside a block", () => {
    // inc eax x5 / hlt
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(hex("4040404040f4"), 0x1000);
    const cpu = flatCpu(mem);
    expect(cpu.run(3)).toBe(StopReason.Budget);
    expect(cpu.instructionCount).toBe(3);
    expect(cpu.eip).toBe(0x1003);
    expect(cpu.getReg32(EAX)).toBe(3);
    expect(cpu.run(1)).toBe(StopReason.Budget);
    expect(cpu.eip).toBe(0x1004);
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(5);
    expect(cpu.instructionCount).toBe(6);
  });

  it("a fault in the middle of a block: earlier instructions retired, EIP of the faulting one", () => {
    // inc eax / push eax / mov ebx,[0x9000] (beyond the DS limit: #GP(0)) / inc ecx / hlt
    const mem = new FlatMemory(1 << 20);
    mem.bytes.set(hex("40" + "50" + "8b1d00900000" + "41" + "f4"), 0x1000);
    const cpu = flatCpu(mem);
    withIdt(cpu, mem, [13]);
    cpu.loadSegmentCache(SegReg.DS, 0x10, 0, 0x8fff, 0x80 | 0x10 | 0x02 | 0x4000);
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(1);
    expect(cpu.getReg32(ECX)).toBe(0);
    expect(cpu.getReg32(EBX)).toBe(0);
    // inc, push, then the handler's hlt: the faulting MOV does not retire.
    expect(cpu.instructionCount).toBe(3);
    expect(cpu.eip).toBe(HANDLER + 1);
    // Frame below the pushed EAX (at 0x7ffc): error code 0, EIP of the MOV, CS 0x08, EFLAGS.
    const esp = cpu.getReg32(ESP);
    expect(esp).toBe(0x7ffc - 16);
    expect(dword(mem, esp)).toBe(0);
    expect(dword(mem, esp + 4)).toBe(0x1002);
    expect(dword(mem, esp + 8)).toBe(0x08);
    expect(dword(mem, 0x7ffc)).toBe(1);
  });

  it("an interrupt raised by an instruction's own store is taken before the next one", () => {
    // mov byte [0x5000],1 (raises INTR) / inc eax / inc eax / hlt, with IF=1
    const mem = new DeviceMemory(1 << 20);
    mem.bytes.set(hex("c6050050000001" + "40" + "40" + "f4"), 0x1000);
    const cpu = flatCpu(mem, undefined, {
      codeTranslator: mem,
      codePages: mem,
      interrupts: {
        hasInterrupt: () => mem.pending,
        acknowledge: () => {
          mem.pending = false;
          return 0x20;
        },
      },
    });
    withIdt(cpu, mem, [0x20]);
    cpu.eflags = 0x202;
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(cpu.getReg32(EAX)).toBe(0);
    const esp = cpu.getReg32(ESP);
    expect(esp).toBe(0x8000 - 12);
    expect(dword(mem, esp)).toBe(0x1007); // return EIP: the first INC
    expect(dword(mem, esp + 8) & 0x200).toBe(0x200); // EFLAGS pushed with IF=1
  });
});
