// With a code-page watch, a cached block whose memory epoch moved is re-checked by physical page
// (cpu.ts samePages) instead of re-fetching its bytes: its linear page must still translate to
// the same physical page, that page must not have been written since (through any alias), and
// the memory map must not have changed. Each case below changes the code one of those ways while
// the block is cached and expects the new code to run (SDM vol. 3, 11.6: a P6 sees stores to
// code it has prefetched; 4.10.4: after INVLPG a fetch uses the new translation), and a port
// write that changes nothing must not force a re-fetch.
import type { PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { type Cpu, EAX, EBX } from "../../src/index";
import { NullPorts } from "../../src/testing/index";
import { flatCpu, hex, WatchedFlatMemory } from "./flat-cpu";

/** Code fetches through a remappable page table (4 KiB pages, 256 of them); counted. */
class RemapMemory extends WatchedFlatMemory {
  readonly map = Int32Array.from({ length: 256 }, (_, p) => p);
  fetches = 0;
  private readonly routeListeners: ((change: string) => void)[] = [];

  override translate(linear: number, _kind: number): number {
    return (this.map[(linear >>> 12) & 255]! << 12) | (linear & 0xfff);
  }
  override fetch8(linear: number): number {
    this.fetches++;
    return this.bytes[this.translate(linear, 2)]!;
  }
  /** A memory-map change (as PhysicalSpace reports one): page `page` reads `bytes` now. */
  remapContents(at: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, at);
    for (const l of this.routeListeners) l("map");
  }
  reportRoutes(): void {
    (this as { onRouteChange?: unknown }).onRouteChange = (l: (change: string) => void) =>
      this.routeListeners.push(l);
  }
}

/** Port 0x80 runs `action` (a device remapping memory, or nothing). */
class ActionPorts extends NullPorts implements PortIo {
  action = (): void => {};
  override out8(port: number, value: number): void {
    if (port === 0x80) this.action();
    super.out8(port, value);
  }
}

function setup(reportRoutes = false): { cpu: Cpu; mem: RemapMemory; ports: ActionPorts } {
  const mem = new RemapMemory(1 << 20);
  if (reportRoutes) mem.reportRoutes();
  const ports = new ActionPorts();
  const cpu = flatCpu(mem, ports, { codeTranslator: mem, codePages: mem });
  // 0x1000: mov eax,0x11 / jmp 0x1100      0x1100: mov ebx,0x33 / hlt
  mem.bytes.set(hex("b811000000" + "e9f6000000"), 0x1000);
  mem.bytes.set(hex("bb33000000f4"), 0x1100);
  // 0x1200: out 0x80,al / jmp 0x1000
  mem.bytes.set(hex("e680" + "e9f9fdffff"), 0x1200);
  // Physical page 9: mov eax,0x99 / jmp 0x1100 (as seen at linear 0x1000)
  mem.bytes.set(hex("b899000000" + "e9f6000000"), 0x9000);
  return { cpu, mem, ports };
}

function runFrom(cpu: Cpu, eip: number): number {
  cpu.setReg32(EAX, 0);
  cpu.eip = eip;
  cpu.state.halted = false;
  cpu.run(1000);
  return cpu.getReg32(EAX);
}

describe("block re-check by physical page", () => {
  it("a new translation of the block's page (INVLPG) runs the new page's code", () => {
    const { cpu, mem } = setup();
    expect(runFrom(cpu, 0x1000)).toBe(0x11);
    // Page 9 holds watched code too (run through linear page 2), unwritten since.
    mem.map[2] = 9;
    mem.bytes[0x9100] = 0xf4;
    expect(runFrom(cpu, 0x2000)).toBe(0x99);
    mem.map[1] = 9;
    cpu.state.memory.invalidatePage(0x1000);
    expect(runFrom(cpu, 0x1000)).toBe(0x99);
    expect(cpu.getReg32(EBX)).toBe(0x33);
  });

  it("a write to the block's page is seen although another block re-armed the watch", () => {
    const { cpu, mem } = setup();
    expect(runFrom(cpu, 0x1000)).toBe(0x11);
    mem.write8(0x1001, 0x22); // mov eax,0x22 now (fires the page's watch)
    expect(runFrom(cpu, 0x1100)).toBe(0); // the other block on the page: re-checked, re-armed
    expect(runFrom(cpu, 0x1000)).toBe(0x22);
  });

  it("a port write that remaps memory (nothing reports route changes) is seen", () => {
    const { cpu, mem, ports } = setup();
    expect(runFrom(cpu, 0x1000)).toBe(0x11);
    ports.action = () => {
      mem.bytes[0x1001] = 0x44; // a remap: no write reaches the watch
    };
    expect(runFrom(cpu, 0x1200)).toBe(0x44);
  });

  it("a reported route change is seen; other port writes cost no re-fetch", () => {
    const { cpu, mem, ports } = setup(true);
    expect(runFrom(cpu, 0x1200)).toBe(0x11);
    expect(runFrom(cpu, 0x1200)).toBe(0x11);
    const fetches = mem.fetches;
    expect(runFrom(cpu, 0x1200)).toBe(0x11);
    expect(mem.fetches).toBe(fetches); // the port write moved the epoch; pages were compared
    ports.action = () => mem.remapContents(0x1001, Uint8Array.of(0x55));
    expect(runFrom(cpu, 0x1200)).toBe(0x55);
  });
});
