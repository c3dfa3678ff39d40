// Port I/O and MMIO: how a device offers registers and how a bus master reaches them.

/** Access width in bytes. */
export type Width = 1 | 2 | 4;

/**
 * Handles I/O port accesses for the ports a device registered.
 * `port` is the absolute port number; values are zero-extended to `width` bytes.
 */
export interface PortIoHandler {
  read(port: number, width: Width): number;
  write(port: number, width: Width, value: number): void;
}

/** Handles memory-mapped accesses; `offset` is relative to the region's base (moa style). */
export interface MmioHandler {
  read(offset: number, width: Width): number;
  write(offset: number, width: Width, value: number): void;
}

/** Options of a port registration. */
export interface PortRegistration {
  /** Who registered the ports, named in overlap errors and logs. */
  readonly owner: string;
  /** Widths the device decodes; other widths are split or handled by the bus. */
  readonly widths: readonly Width[];
}

/** Options of an MMIO mapping. */
export interface MmioRegistration {
  readonly owner: string;
}

/** What a device registers itself on. The implementation lives in @ringvm/memory. */
export interface IoBus {
  /** Claims `count` ports from `first`; throws naming both owners on overlap. */
  registerPorts(
    first: number,
    count: number,
    handler: PortIoHandler,
    options: PortRegistration,
  ): Disposable;
  /** Maps a page-aligned physical range to `handler`; throws naming both owners on overlap. */
  mapMmio(base: number, size: number, handler: MmioHandler, options: MmioRegistration): Disposable;
}

/** Port I/O as the CPU (IN/OUT/INS/OUTS) sees it. */
export interface PortIo {
  in8(port: number): number;
  in16(port: number): number;
  in32(port: number): number;
  out8(port: number, value: number): void;
  out16(port: number, value: number): void;
  out32(port: number, value: number): void;
}

/** Guest-physical memory as a bus master (DMA controller, disk, CPU with paging off) sees it. */
export interface PhysicalMemory {
  read8(address: number): number;
  read16(address: number): number;
  read32(address: number): number;
  write8(address: number, value: number): void;
  write16(address: number, value: number): void;
  write32(address: number, value: number): void;
  /** Copies guest-physical bytes into `into` (DMA out of the guest). */
  readBytes(address: number, into: Uint8Array): void;
  /** Copies `from` into guest-physical memory (DMA into the guest); notifies write-watch. */
  writeBytes(address: number, from: Uint8Array): void;
}
