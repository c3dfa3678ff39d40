// The CPU's memory and port views, counting the events after which a cached decoded instruction
// may no longer match memory (its bytes rewritten, its page remapped, its fetch rights changed).
//
// The decode cache in cpu.ts re-fetches an entry's bytes only when the epoch moved since the
// entry was last checked. The epoch moves on: every port access (a device may remap memory or
// start DMA from it), every paging change (setPaging, INVLPG, TLB flush), and on writes, in one
// of two ways:
// - with a code-page write watch (CpuOptions.codePages: the board's PhysicalSpace), only when a
//   write (CPU or DMA, through any alias) reaches a physical page holding decoded code;
// - without one (`WriteCountingMemory`), on every write the CPU makes and at each entry to
//   `Cpu.run` (devices, DMA and other engines run between slices).
// Between two epoch moves, re-fetching an instruction through the MMU at the same privilege
// returns the same bytes without a fault, so skipping the re-fetch is exact. The privilege
// (user or supervisor fetch rights) is part of each cache key instead (`isUser`), so the
// user/supervisor switches of every system call and interrupt do not move the epoch.
import type { DataWatchHook, LinearMemory, PageFaultSink, PagingState, PortIo } from "@ringvm/bus";

export class EpochMemory implements LinearMemory {
  /** Moves on every event listed above (a double: it never wraps). */
  epoch = 0;
  /** The MMU's user mode as last set (fetch rights: part of the decode and block cache keys). */
  isUser = false;
  /**
   * Moves when the physical memory map may have changed (a route change the code-page watch
   * reports, or without such reports every port write): what a physical page reads may then
   * differ without any write to it (cpu.ts's block re-check by physical page relies on this).
   */
  routeEpoch = 0;

  constructor(readonly inner: LinearMemory) {}

  /** Forwarded for control-regs.ts (the MMU's PAE PDPTE check after a CR3 load). */
  get pdpteInvalid(): boolean {
    return (this.inner as { pdpteInvalid?: boolean }).pdpteInvalid === true;
  }

  read8(linear: number): number {
    return this.inner.read8(linear);
  }
  read16(linear: number): number {
    return this.inner.read16(linear);
  }
  read32(linear: number): number {
    return this.inner.read32(linear);
  }
  write8(linear: number, value: number): void {
    this.inner.write8(linear, value);
  }
  write16(linear: number, value: number): void {
    this.inner.write16(linear, value);
  }
  write32(linear: number, value: number): void {
    this.inner.write32(linear, value);
  }
  /** A write's translation and fault, no write (read-modify-write forms; see LinearMemory). */
  probeWrite(linear: number, width: number): void {
    this.inner.probeWrite?.(linear, width);
  }
  fetch8(linear: number): number {
    return this.inner.fetch8(linear);
  }
  setPaging(state: PagingState): void {
    this.epoch++;
    this.inner.setPaging(state);
  }
  setUserMode(isUser: boolean): void {
    this.isUser = isUser;
    this.inner.setUserMode(isUser);
  }
  invalidatePage(linear: number): void {
    this.epoch++;
    this.inner.invalidatePage(linear);
  }
  flushTlb(global: boolean): void {
    this.epoch++;
    this.inner.flushTlb(global);
  }
  setFaultSink(sink: PageFaultSink): void {
    this.inner.setFaultSink(sink);
  }
  /** [debug] Data-breakpoint watch (debug.ts); a no-op when the memory has none. */
  setDataWatch(pages: readonly number[], hook: DataWatchHook | null): void {
    this.inner.setDataWatch?.(pages, hook);
  }
}

/** Without a code-page watch: every CPU write moves the epoch (it may hit decoded code). */
export class WriteCountingMemory extends EpochMemory {
  override write8(linear: number, value: number): void {
    this.epoch++;
    this.inner.write8(linear, value);
  }
  override write16(linear: number, value: number): void {
    this.epoch++;
    this.inner.write16(linear, value);
  }
  override write32(linear: number, value: number): void {
    this.epoch++;
    this.inner.write32(linear, value);
  }
}

/** Port I/O that moves the memory epoch on every access (reads too unless a watch sees DMA). */
export class EpochPorts implements PortIo {
  /**
   * `countReads` false (with a code-page watch): only port writes move the epoch. A device's
   * DMA is then seen by the watch; what a port access can do besides DMA is remap memory
   * (PAM, PCI BARs, the A20 gate), and those are writes. `countRoutes`: port writes also move
   * `routeEpoch` (when nothing reports route changes).
   */
  constructor(
    readonly inner: PortIo,
    private readonly memory: EpochMemory,
    private readonly countReads = true,
    private readonly countRoutes = true,
  ) {}

  in8(port: number): number {
    if (this.countReads) this.memory.epoch++;
    return this.inner.in8(port);
  }
  in16(port: number): number {
    if (this.countReads) this.memory.epoch++;
    return this.inner.in16(port);
  }
  in32(port: number): number {
    if (this.countReads) this.memory.epoch++;
    return this.inner.in32(port);
  }
  out8(port: number, value: number): void {
    this.memory.epoch++;
    if (this.countRoutes) this.memory.routeEpoch++;
    this.inner.out8(port, value);
  }
  out16(port: number, value: number): void {
    this.memory.epoch++;
    if (this.countRoutes) this.memory.routeEpoch++;
    this.inner.out16(port, value);
  }
  out32(port: number, value: number): void {
    this.memory.epoch++;
    if (this.countRoutes) this.memory.routeEpoch++;
    this.inner.out32(port, value);
  }
}
