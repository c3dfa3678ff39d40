// The baked memory forms (handlers/baked.ts) skip the segment checks of an aligned access
// through a flat segment (CpuState.flatSegs: present, not expand-down, base 0, limit 4 GiB).
// A segment register reloaded after such a block was decoded must be checked again: the same
// cached block, run after MOV DS/SS loads a limited, read-only, expand-down, null or based
// segment, faults or relocates exactly as SDM vol. 3, 5.3 (limit checking) and 5.5-5.6 (type
// checking) say: #GP(0) for DS beyond its limit, through a null selector, or on a write to a
// read-only segment; a based segment adds its base.
import type { LinearFastPath } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX, ECX, EDX, ESI, ESP, SegReg } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";
import { flatCpu, hex, WatchedFlatMemory } from "./flat-cpu";

/**
 * A watched flat memory with an Mmu-style TLB fast path (LinearFastPath: entry = physical page
 * << 12 | 1 for a plain-RAM page), so the baked forms take their inlined fast paths too (PUSH/POP
 * included). Pages 1 and 2 (code) take writes through the methods (bit 64), as watched code.
 */
class TlbMemory extends WatchedFlatMemory {
  fastPath(): LinearFastPath {
    const tlb = new Int32Array(1 << 20);
    for (let p = 0; p < 256; p++) tlb[p] = (p << 12) | 1 | (p === 1 || p === 2 ? 64 : 0);
    const b = this.bytes;
    return {
      tlb,
      u8: b,
      u16: new Uint16Array(b.buffer),
      i32: new Int32Array(b.buffer),
      masks: Int32Array.of(1 | 32, 1 | 32 | 64),
    };
  }
}

const GDT = 0x3000;
const IDT = 0x3800;
const HANDLER = 0x2000;
/** mov eax,[ebx] / mov [ebx],ecx / push eax / pop edx / hlt: the block under test. */
const BLOCK = 0x1000;
/** mov ds,si (or mov ss,si) / jmp BLOCK. */
const RELOAD_DS = 0x1100;
const RELOAD_SS = 0x1200;

const SEL = { flat: 0x10, limited: 0x18, readOnly: 0x20, expandDown: 0x28, based: 0x30 };

function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((limit & 0xffff) | ((base & 0xffff) << 16)) >>> 0;
  const hi =
    (((base >>> 16) & 0xff) |
      (access << 8) |
      (limit & 0xf0000) |
      (flags << 20) |
      (base & 0xff000000)) >>>
    0;
  return [lo, hi];
}

function machine(withTlb: boolean): { cpu: Cpu; mem: FlatMemory; dv: DataView } {
  const mem = withTlb ? new TlbMemory(1 << 20) : new FlatMemory(1 << 20);
  const cpu =
    mem instanceof TlbMemory
      ? flatCpu(mem, undefined, { codeTranslator: mem, codePages: mem })
      : flatCpu(mem);
  const dv = new DataView(mem.bytes.buffer);
  const gdt: [number, number][] = [
    [0, 0],
    descriptor(0, 0xfffff, 0x9a, 0xc), // 0x08 flat code
    descriptor(0, 0xfffff, 0x92, 0xc), // 0x10 flat data
    descriptor(0, 0xfff, 0x92, 0x4), // 0x18 data, limit 0xFFF (byte granular)
    descriptor(0, 0xfffff, 0x90, 0xc), // 0x20 flat read-only data
    descriptor(0, 0xfff, 0x96, 0x4), // 0x28 expand-down data: offsets 0x1000-0xFFFFFFFF
    descriptor(0x10000, 0xfffff, 0x92, 0xc), // 0x30 data based at 64 KiB
  ];
  gdt.forEach(([lo, hi], i) => {
    dv.setUint32(GDT + i * 8, lo, true);
    dv.setUint32(GDT + i * 8 + 4, hi, true);
  });
  for (const v of [12, 13]) {
    dv.setUint32(IDT + v * 8, (0x08 << 16) | HANDLER, true);
    dv.setUint32(IDT + v * 8 + 4, 0x8e00, true);
  }
  const s = cpu.state;
  s.gdtrBase = GDT;
  s.gdtrLimit = gdt.length * 8 - 1;
  s.idtrBase = IDT;
  s.idtrLimit = 0x7ff;
  mem.bytes[HANDLER] = 0xf4;
  mem.bytes.set(hex("8b03" + "890b" + "50" + "5a" + "f4"), BLOCK);
  const jmp = (from: number): string => {
    const rel = (BLOCK - (from + 2 + 5)) >>> 0;
    return (
      "e9" + [0, 8, 16, 24].map((b) => ((rel >>> b) & 0xff).toString(16).padStart(2, "0")).join("")
    );
  };
  mem.bytes.set(hex("8ede" + jmp(RELOAD_DS)), RELOAD_DS);
  mem.bytes.set(hex("8ed6" + jmp(RELOAD_SS)), RELOAD_SS);
  return { cpu, mem, dv };
}

function runFrom(cpu: Cpu, eip: number, ebx: number): void {
  cpu.setReg32(EBX, ebx);
  cpu.setReg32(ECX, 0x11223344);
  cpu.setReg32(ESP, 0x8000);
  cpu.eip = eip;
  cpu.state.halted = false;
  cpu.run(1000);
}

/** The faulting instruction's EIP and the error code, when the #GP/#SS handler ran. */
function fault(cpu: Cpu, dv: DataView): { eip: number; code: number } | null {
  if (cpu.eip !== HANDLER + 1) return null;
  const esp = cpu.getReg32(ESP);
  return { code: dv.getUint32(esp, true), eip: dv.getUint32(esp + 4, true) };
}

describe.each([
  ["memory methods", false],
  ["TLB fast path", true],
])("flat-segment shortcut of the baked memory forms (%s)", (_name, withTlb) => {
  it("a reloaded DS is checked again by the cached block", () => {
    const { cpu, dv } = machine(withTlb);
    dv.setUint32(0x5000, 0xcafe, true);
    runFrom(cpu, BLOCK, 0x5000); // flat DS: the block is decoded and baked
    expect(cpu.eip).toBe(BLOCK + 7);
    expect(cpu.getReg32(EAX)).toBe(0xcafe);
    expect(cpu.state.flatSegs & (1 << SegReg.DS)).not.toBe(0);

    // Limit 0xFFF: the load at 0x5000 is beyond it.
    cpu.setReg32(ESI, SEL.limited);
    runFrom(cpu, RELOAD_DS, 0x5000);
    expect(fault(cpu, dv)).toEqual({ eip: BLOCK, code: 0 });
    // ...and an offset inside it is fine.
    cpu.setReg32(ESI, SEL.limited);
    runFrom(cpu, RELOAD_DS, 0x800);
    expect(cpu.eip).toBe(BLOCK + 7);

    // Null selector: any access raises #GP(0).
    cpu.setReg32(ESI, 0);
    runFrom(cpu, RELOAD_DS, 0x5000);
    expect(fault(cpu, dv)).toEqual({ eip: BLOCK, code: 0 });

    // Read-only: the load works, the store faults.
    dv.setUint32(0x5000, 0xcafe, true);
    cpu.setReg32(ESI, SEL.readOnly);
    runFrom(cpu, RELOAD_DS, 0x5000);
    expect(fault(cpu, dv)).toEqual({ eip: BLOCK + 2, code: 0 });
    expect(cpu.getReg32(EAX)).toBe(0xcafe);

    // Expand-down with limit 0xFFF: offsets up to the limit fault, above it are valid.
    cpu.setReg32(ESI, SEL.expandDown);
    runFrom(cpu, RELOAD_DS, 0x10);
    expect(fault(cpu, dv)).toEqual({ eip: BLOCK, code: 0 });
    cpu.setReg32(ESI, SEL.expandDown);
    runFrom(cpu, RELOAD_DS, 0x5000);
    expect(cpu.eip).toBe(BLOCK + 7);

    // Based at 64 KiB: the same offset reaches 0x15000.
    dv.setUint32(0x5000, 0xcafe, true);
    dv.setUint32(0x15000, 0xbeef, true);
    cpu.setReg32(ESI, SEL.based);
    runFrom(cpu, RELOAD_DS, 0x5000);
    expect(cpu.eip).toBe(BLOCK + 7);
    expect(cpu.getReg32(EAX)).toBe(0xbeef);
    expect(dv.getUint32(0x15000, true)).toBe(0x11223344);
    expect(dv.getUint32(0x5000, true)).toBe(0xcafe);

    // Flat again (through the API's loadSegmentCache): the shortcut is back.
    cpu.loadSegmentCache(SegReg.DS, SEL.flat, 0, 0xffffffff, 0xc093);
    runFrom(cpu, BLOCK, 0x5000);
    expect(cpu.getReg32(EAX)).toBe(0xcafe);
    expect(dv.getUint32(0x5000, true)).toBe(0x11223344);
  });

  it("a reloaded SS relocates the cached block's PUSH/POP", () => {
    const { cpu, dv } = machine(withTlb);
    runFrom(cpu, BLOCK, 0x5000);
    expect(cpu.eip).toBe(BLOCK + 7);
    cpu.setReg32(ESI, SEL.based);
    dv.setUint32(0x5000, 0x600d, true);
    runFrom(cpu, RELOAD_SS, 0x5000);
    expect(cpu.eip).toBe(BLOCK + 7);
    // PUSH EAX wrote at SS.base + 0x7FFC, POP EDX read it back.
    expect(dv.getUint32(0x17ffc, true)).toBe(0x600d);
    expect(cpu.getReg32(EDX)).toBe(0x600d);
    expect(cpu.getReg32(ESP)).toBe(0x8000);
  });
});
