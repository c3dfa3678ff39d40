// Debug-register cases QEMU cannot show or that are about the zero-cost gate, checked against the
// Intel SDM vol. 3 chapter 17 (sections cited per test). Snippets run in real mode at CPL 0
// (debug registers work there) with every IVT vector pointing at its own HLT; the QEMU
// cross-checked protected-mode cases are guest/sysarch11.asm.
import { describe, expect, it } from "vitest";
import { Cpu, SegReg, StopReason, Vector } from "../../src/index";
import { DebugPorts, PagedMemory } from "./guest-machine";

const CODE = 0x1000;
const STUBS = 0x500;

function machine(): { cpu: Cpu; mem: PagedMemory } {
  const mem = new PagedMemory();
  for (let v = 0; v < 32; v++) {
    mem.ram[v * 4] = (STUBS + v) & 0xff;
    mem.ram[v * 4 + 1] = (STUBS + v) >>> 8;
    mem.ram[STUBS + v] = 0xf4;
  }
  const cpu = new Cpu({ memory: mem, io: new DebugPorts() });
  cpu.loadSegmentReal(SegReg.CS, 0);
  cpu.loadSegmentReal(SegReg.SS, 0);
  cpu.loadSegmentReal(SegReg.DS, 0);
  cpu.setReg32(4, 0x800);
  return { cpu, mem };
}

/** Runs `bytes` (then HLT); returns the vector taken, or -1, and the IP it pushed. */
function exec(cpu: Cpu, mem: PagedMemory, bytes: number[]): { vector: number; ip: number } {
  mem.ram.set([...bytes, 0xf4], CODE);
  cpu.state.halted = false;
  cpu.eip = CODE;
  expect(cpu.run(200)).toBe(StopReason.Halt);
  const at = cpu.eip - 1;
  if (at === CODE + bytes.length) return { vector: -1, ip: 0 };
  const sp = cpu.getReg32(4);
  return { vector: at - STUBS, ip: mem.ram[sp]! | (mem.ram[sp + 1]! << 8) };
}

const movEax = (v: number): number[] => [
  0x66,
  0xb8,
  v & 0xff,
  (v >>> 8) & 0xff,
  (v >>> 16) & 0xff,
  v >>> 24,
];
const MOV_DR0_EAX = [0x0f, 0x23, 0xc0];
const MOV_DR7_EAX = [0x0f, 0x23, 0xf8];
const MOV_EAX_DR0 = [0x0f, 0x21, 0xc0];
const MOV_EAX_CR4 = [0x0f, 0x20, 0xe0];
const MOV_CR4_EAX = [0x0f, 0x22, 0xe0];
const OR_EAX_8 = [0x66, 0x83, 0xc8, 0x08];

describe("debug registers (SDM vol. 3, chapter 17)", () => {
  it("ICEBP enters the #DB handler with DR7.GD cleared and DR6 unchanged (17.2.4)", () => {
    const { cpu, mem } = machine();
    const r = exec(cpu, mem, [...movEax(0x2400), ...MOV_DR7_EAX, 0xf1]);
    expect(r.vector).toBe(Vector.DB);
    expect(r.ip).toBe(CODE + 10); // a trap: the IP after ICEBP
    expect(cpu.state.dr[7]! & 0x2000).toBe(0);
    expect(cpu.state.dr[6]! >>> 0).toBe(0xffff0ff0);
  });

  it("with DR7.GD, MOV from DR0 is a #DB fault with DR6.BD at the MOV (17.2.4)", () => {
    const { cpu, mem } = machine();
    const r = exec(cpu, mem, [...movEax(0x2400), ...MOV_DR7_EAX, ...MOV_EAX_DR0]);
    expect(r).toEqual({ vector: Vector.DB, ip: CODE + 9 });
    expect(cpu.state.dr[6]! & 0xe00f).toBe(0x2000);
    expect(cpu.state.dr[7]! & 0x2000).toBe(0);
  });

  it("a breakpoint with neither Ln nor Gn set never fires, and the run loop stays off debug.ts (17.2.4)", () => {
    const { cpu, mem } = machine();
    // DR0 = CODE+12 (the HLT after the NOPs) with R/W0 = LEN0 = 00, but L0 = G0 = 0
    const r = exec(cpu, mem, [...movEax(CODE + 12), ...MOV_DR0_EAX, 0x90, 0x90, 0x90]);
    expect(r.vector).toBe(-1);
    expect(cpu.state.debugMode).toBe(0);
    // The same with L0: a #DB fault before the instruction at CODE+12 runs.
    const r2 = exec(cpu, mem, [...movEax(0x401), ...MOV_DR7_EAX, 0x90, 0x90, 0x90]);
    expect(r2).toEqual({ vector: Vector.DB, ip: CODE + 12 });
    expect(cpu.state.dr[6]! & 0xf).toBe(1);
  });

  it("R/W=10 is an I/O breakpoint only with CR4.DE set (17.2.4)", () => {
    const { cpu, mem } = machine();
    const arm = [...movEax(0x80), ...MOV_DR0_EAX, ...movEax(0x20401), ...MOV_DR7_EAX];
    const out80 = [0xe6, 0x80];
    expect(exec(cpu, mem, [...arm, ...out80, 0x90]).vector).toBe(-1);
    const setDe = [...MOV_EAX_CR4, ...OR_EAX_8, ...MOV_CR4_EAX];
    const r = exec(cpu, mem, [...setDe, ...out80, 0x90]);
    expect(r).toEqual({ vector: Vector.DB, ip: CODE + setDe.length + 2 }); // a trap after OUT
    expect(cpu.state.dr[6]! & 0xf).toBe(1);
  });

  it("a data breakpoint hit by an access that crosses a page boundary (17.2.5: any byte)", () => {
    const { cpu, mem } = machine();
    // DR0 = 2000h, R/W0 = 01 (write), LEN0 = 00; MOV [1FFFh], AX writes 1FFFh-2000h.
    const code = [...movEax(0x2000), ...MOV_DR0_EAX, ...movEax(0x10401), ...MOV_DR7_EAX];
    const write = [0xa3, 0xff, 0x1f]; // mov [1FFFh], ax
    const r = exec(cpu, mem, [...code, ...write, 0x90]);
    expect(r).toEqual({ vector: Vector.DB, ip: CODE + code.length + 3 });
    expect(cpu.state.dr[6]! & 0xf).toBe(1);
  });
});
