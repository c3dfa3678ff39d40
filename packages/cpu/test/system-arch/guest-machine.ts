// A minimal test machine for the guest images: physical RAM with the BIOS image at 0xF0000 and
// at the top of the (wrapping) 16 MiB space, a two-level 32-bit paging walker with PSE (SDM
// vol. 3, 4.3 and 4.6: U/S, R/W, CR0.WP, accessed/dirty bits, #PF error codes P/W/U), and ports
// that capture the debug console (0xE9) and isa-debug-exit (0xF4). No TLB: INVLPG is a no-op,
// so the images only test mappings after their INVLPG.
import type { DataWatchHook, LinearMemory, PageFaultSink, PagingState, PortIo } from "@ringvm/bus";
import { Cpu, StopReason, type InterruptSource } from "../../src/index";

const SIZE = 1 << 24;
const MASK = SIZE - 1;

export class PagedMemory implements LinearMemory {
  readonly ram = new Uint8Array(SIZE);
  private paging: PagingState = { cr0: 0, cr3: 0, cr4: 0, efer: 0 };
  private user = false;
  private sink: PageFaultSink | null = null;

  private phys32(a: number): number {
    a &= MASK;
    const r = this.ram;
    return (r[a]! | (r[a + 1]! << 8) | (r[a + 2]! << 16) | (r[a + 3]! << 24)) >>> 0;
  }
  private setPhys32(a: number, v: number): void {
    a &= MASK;
    this.ram[a] = v & 0xff;
    this.ram[a + 1] = (v >>> 8) & 0xff;
    this.ram[a + 2] = (v >>> 16) & 0xff;
    this.ram[a + 3] = (v >>> 24) & 0xff;
  }

  private fault(linear: number, code: number): never {
    this.sink!(linear >>> 0, code);
    throw new Error("fault sink returned");
  }

  /** Physical address of `linear` for a read or write, or a #PF through the sink. */
  translate(linear: number, write: boolean): number {
    const { cr0, cr3, cr4 } = this.paging;
    if ((cr0 & 0x80000000) === 0) return linear & MASK;
    const lin = linear >>> 0;
    const wbit = write ? 2 : 0;
    const ubit = this.user ? 4 : 0;
    const pdeAddr = (cr3 & 0xfffff000) + (lin >>> 22) * 4;
    const pde = this.phys32(pdeAddr);
    if ((pde & 1) === 0) this.fault(lin, wbit | ubit);
    const large = (pde & 0x80) !== 0 && (cr4 & 0x10) !== 0;
    let entry = pde;
    let entryAddr = pdeAddr;
    if (!large) {
      entryAddr = (pde & 0xfffff000) + ((lin >>> 12) & 0x3ff) * 4;
      entry = this.phys32(entryAddr);
      if ((entry & 1) === 0) this.fault(lin, wbit | ubit);
    }
    const userOk = (pde & entry & 4) !== 0;
    const writeOk = (pde & entry & 2) !== 0;
    if (this.user && !userOk) this.fault(lin, 1 | wbit | ubit);
    if (write && !writeOk && (this.user || (cr0 & 0x10000) !== 0)) this.fault(lin, 1 | wbit | ubit);
    if (!large && (pde & 0x20) === 0) this.setPhys32(pdeAddr, pde | 0x20);
    const updated = entry | 0x20 | (write ? 0x40 : 0);
    if (updated !== entry) this.setPhys32(entryAddr, updated);
    return large
      ? ((entry & 0xffc00000) | (lin & 0x3fffff)) & MASK
      : ((entry & 0xfffff000) | (lin & 0xfff)) & MASK;
  }

  read8(linear: number): number {
    if (this.watch !== null) this.watched(linear, false);
    return this.ram[this.translate(linear, false)]!;
  }
  read16(linear: number): number {
    return this.read8(linear) | (this.read8(linear + 1) << 8);
  }
  read32(linear: number): number {
    return this.read16(linear) | (this.read16(linear + 2) << 16) | 0;
  }
  write8(linear: number, value: number): void {
    if (this.watch !== null) this.watched(linear, true);
    this.ram[this.translate(linear, true)] = value;
  }
  // Both pages are checked before any byte is written; the first byte's page faults first.
  write16(linear: number, value: number): void {
    this.translate(linear, true);
    this.translate(linear + 1, true);
    this.write8(linear, value & 0xff);
    this.write8(linear + 1, (value >>> 8) & 0xff);
  }
  write32(linear: number, value: number): void {
    this.translate(linear, true);
    this.translate(linear + 3, true);
    this.write16(linear, value & 0xffff);
    this.write16(linear + 2, (value >>> 16) & 0xffff);
  }
  fetch8(linear: number): number {
    return this.ram[this.translate(linear, false)]!;
  }

  /** Data-breakpoint watch (LinearMemory.setDataWatch), byte by byte on watched pages. */
  private watch: DataWatchHook | null = null;
  private watchPages: readonly number[] = [];
  setDataWatch(pages: readonly number[], hook: DataWatchHook | null): void {
    this.watchPages = [...pages];
    this.watch = pages.length === 0 ? null : hook;
  }
  private watched(linear: number, isWrite: boolean): void {
    if (this.watchPages.includes((linear >>> 12) & 0xfffff)) this.watch!(linear >>> 0, 1, isWrite);
  }
  setPaging(state: PagingState): void {
    this.paging = { ...state };
  }
  setUserMode(isUser: boolean): void {
    this.user = isUser;
  }
  invalidatePage(): void {}
  flushTlb(): void {}
  setFaultSink(sink: PageFaultSink): void {
    this.sink = sink;
  }
}

/** Debug console (0xE9) and isa-debug-exit (0xF4); every other port reads all ones. */
export class DebugPorts implements PortIo {
  output = "";
  exited = false;
  in8(): number {
    return 0xff;
  }
  in16(): number {
    return 0xffff;
  }
  in32(): number {
    return 0xffffffff;
  }
  out8(port: number, value: number): void {
    if (port === 0xe9) this.output += String.fromCharCode(value & 0xff);
    else if (port === 0xf4) this.exited = true;
  }
  out16(port: number, value: number): void {
    this.out8(port, value);
  }
  out32(port: number, value: number): void {
    this.out8(port, value);
  }
}

/**
 * An INTR line driven by a mailbox byte in guest RAM (physical 0x4F0): a non-zero value is a
 * pending interrupt with that vector; the INTA cycle clears it. Lets a guest request external
 * interrupts from any mode without port I/O.
 */
export class MailboxInterrupts implements InterruptSource {
  constructor(private readonly memory: PagedMemory) {}
  hasInterrupt(): boolean {
    return this.memory.ram[0x4f0] !== 0;
  }
  acknowledge(): number {
    const v = this.memory.ram[0x4f0]!;
    this.memory.ram[0x4f0] = 0;
    return v;
  }
}

export interface GuestRun {
  output: string;
  exited: boolean;
  stop: StopReason;
  instructions: number;
}

/** Runs a 64 KiB BIOS image from reset until it halts, shuts down or uses up `budget`. */
export function runBiosImage(image: Uint8Array, budget = 2_000_000, withMailbox = false): GuestRun {
  const memory = new PagedMemory();
  memory.ram.set(image, 0xf0000);
  memory.ram.set(image, SIZE - image.length);
  const io = new DebugPorts();
  const cpu = new Cpu({
    memory,
    io,
    interrupts: withMailbox ? new MailboxInterrupts(memory) : undefined,
  });
  let stop: StopReason = StopReason.Budget;
  let used = 0;
  while (used < budget) {
    const before = cpu.instructionCount;
    stop = cpu.run(Math.min(10_000, budget - used));
    used += Math.max(1, cpu.instructionCount - before);
    if (stop !== StopReason.Budget || io.exited) break;
  }
  return { output: io.output, exited: io.exited, stop, instructions: cpu.instructionCount };
}
