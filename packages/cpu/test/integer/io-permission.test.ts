// I/O permission checks (SDM vol. 1, 19.5 "Protected-mode I/O": IOPL, then the TSS I/O
// permission bitmap; every bit of the accessed ports must be clear; bits beyond the TSS limit
// count as set).
import { describe, expect, it } from "vitest";
import { Cpu, CpuException, SEG_TR, Vector } from "../../src/index";
import { checkIoPermission } from "../../src/io-permission";
import { setCpl } from "../../src/segments";
import { FlatMemory, NullPorts } from "../../src/testing/index";

const TSS = 0x5000;
const MAP = 0x68; // bitmap offset just after the 104-byte header

function setup(tssLimit: number, iopl: number, cpl: number, vm = false): Cpu {
  const mem = new FlatMemory(1 << 20);
  const cpu = new Cpu({ memory: mem, io: new NullPorts() });
  cpu.setControlRegister(0, 0x60000011);
  cpu.state.cpl = cpl;
  cpu.eflags = (iopl << 12) | (vm ? 0x20000 : 0) | 2;
  cpu.loadSegmentCache(SEG_TR, 0x28, TSS, tssLimit, 0x8b); // busy 32-bit TSS
  mem.bytes[TSS + 0x66] = MAP;
  // Ports 0x00-0x3ff allowed except 0x61 and 0x3f9; ports from 0x400 on are beyond the map.
  mem.bytes[TSS + MAP + (0x61 >> 3)] = 1 << (0x61 & 7);
  mem.bytes[TSS + MAP + (0x3f9 >> 3)] = 1 << (0x3f9 & 7);
  return cpu;
}

function gpCode(f: () => void): number | null {
  try {
    f();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(CpuException);
    expect((e as CpuException).vector).toBe(Vector.GP);
    return (e as CpuException).errorCode;
  }
}

describe("I/O permission", () => {
  it("CPL <= IOPL needs no bitmap", () => {
    const cpu = setup(0x67, 3, 3); // limit leaves no bitmap at all
    expect(gpCode(() => checkIoPermission(cpu.state, 0x61, 1))).toBeNull();
  });

  it("CPL > IOPL consults the bitmap: clear bits allow, a set bit anywhere in the width faults", () => {
    const cpu = setup(MAP + 0x80, 0, 3);
    const s = cpu.state;
    expect(gpCode(() => checkIoPermission(s, 0x60, 1))).toBeNull();
    expect(gpCode(() => checkIoPermission(s, 0x61, 1))).toBe(0);
    expect(gpCode(() => checkIoPermission(s, 0x60, 2))).toBe(0); // 0x60-0x61
    expect(gpCode(() => checkIoPermission(s, 0x5e, 4))).toBe(0); // 0x5e-0x61
    expect(gpCode(() => checkIoPermission(s, 0x3f8, 1))).toBeNull();
    expect(gpCode(() => checkIoPermission(s, 0x3f8, 2))).toBe(0); // reaches 0x3f9
    expect(gpCode(() => checkIoPermission(s, 0x3fa, 4))).toBeNull();
  });

  it("ports whose bitmap bytes lie beyond the TSS limit fault", () => {
    const cpu = setup(MAP + 0x7f, 0, 3); // bitmap covers ports 0-0x3ff
    const s = cpu.state;
    expect(gpCode(() => checkIoPermission(s, 0x3f0, 1))).toBeNull();
    expect(gpCode(() => checkIoPermission(s, 0x3ff, 1))).toBe(0); // the 2-byte read crosses the limit
    expect(gpCode(() => checkIoPermission(s, 0x400, 1))).toBe(0);
  });

  it("virtual-8086 mode always consults the bitmap, even with IOPL 3", () => {
    const cpu = setup(MAP + 0x80, 3, 3, true);
    expect(gpCode(() => checkIoPermission(cpu.state, 0x61, 1))).toBe(0);
    expect(gpCode(() => checkIoPermission(cpu.state, 0x60, 1))).toBeNull();
  });

  it("reads the TSS as a supervisor access from CPL 3 (a supervisor-only TSS page is no #PF)", () => {
    // Linux keeps the TSS on a supervisor page and points the bitmap past the limit for tasks
    // without ioperm: a user-mode IN must raise #GP(0), as on hardware, not a user-mode #PF.
    class SupervisorTss extends FlatMemory {
      user = false;
      override setUserMode(isUser: boolean): void {
        this.user = isUser;
      }
      override read16(linear: number): number {
        if (this.user && linear >= TSS && linear < TSS + 0x1000) {
          throw new CpuException(Vector.PF, 5);
        }
        return super.read16(linear);
      }
    }
    const mem = new SupervisorTss(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    cpu.setControlRegister(0, 0x60000011);
    cpu.eflags = 2;
    cpu.loadSegmentCache(SEG_TR, 0x28, TSS, MAP + 0x7f, 0x8b);
    mem.bytes[TSS + 0x66] = MAP;
    mem.bytes[TSS + MAP + (0x61 >> 3)] = 1 << (0x61 & 7);
    setCpl(cpu.state, 3);
    expect(gpCode(() => checkIoPermission(cpu.state, 0x60, 1))).toBeNull();
    expect(gpCode(() => checkIoPermission(cpu.state, 0x61, 1))).toBe(0);
    mem.bytes[TSS + 0x66] = 0xff; // bitmap beyond the limit
    mem.bytes[TSS + 0x67] = 0xff;
    expect(gpCode(() => checkIoPermission(cpu.state, 0x60, 1))).toBe(0);
    expect(mem.user).toBe(true); // CPL 3 accesses again afterwards
  });

  it("real mode never checks", () => {
    const mem = new FlatMemory(1 << 20);
    const cpu = new Cpu({ memory: mem, io: new NullPorts() });
    expect(gpCode(() => checkIoPermission(cpu.state, 0x61, 1))).toBeNull();
  });
});
