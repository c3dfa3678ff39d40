// Guest-physical address space: one RAM ArrayBuffer, ROM images, MMIO handlers and the
// legacy PC holes, routed per 4 KiB page through dense typed arrays (no Map on any path).
import type { MmioHandler, MmioRegistration, PhysicalMemory, Width } from "@ringvm/bus";
import { disposable } from "./disposable";
import type { GuestMemoryLayout } from "./wasm-memory";

/** 4 KiB: the granularity of paging, of the MMIO table and of dirty/watch tracking. */
export const PAGE_SIZE = 4096;
const PAGE_MASK = PAGE_SIZE - 1;
/** Number of 4 KiB pages below 4 GiB (the whole 32-bit physical space). */
const PAGES_4G = 1 << 20;
const FOUR_GIB = 0x1_0000_0000;
/** 3.5 GiB: the most RAM a PC keeps below the 32-bit PCI hole and the BIOS at 4 GiB. */
export const MAX_RAM_SIZE = 0xe000_0000;
/** 1 MiB: the real-mode address space; less RAM than this cannot hold a PC BIOS's data. */
export const MIN_RAM_SIZE = 0x10_0000;

/** Legacy VGA window 0xA0000-0xBFFFF: RAM is never visible there, a VGA device maps MMIO. */
const VGA_FIRST_PAGE = 0xa0;
/** 0xC0000-0xFFFFF: option ROMs and the BIOS, each 16 KiB segment shadowable (PAM). */
const LEGACY_FIRST_PAGE = 0xc0;
const LEGACY_END_PAGE = 0x100;
/** 16 KiB: the smallest i440FX PAM segment (82441FX datasheet, 3.2.18 PAM registers). */
export const SHADOW_SEGMENT = 0x4000;

/** Read/write route codes stored per page (non-negative = RAM page number). */
export const ROUTE_UNMAPPED = -1;
export const ROUTE_MMIO = -2;
export const ROUTE_ROM = -3;

const STATE_WATCHED = 1;

/** Options of {@link PhysicalSpace}. */
export interface PhysicalSpaceOptions {
  /** Guest RAM in bytes: a multiple of 4 KiB from 1 MiB to 3.5 GiB, mapped from address 0. */
  readonly ramSize: number;
  /**
   * Put RAM at byte 0 of this memory (from `createWasmGuestMemory(ramSize)`) instead of an
   * ArrayBuffer of its own; the MMU then places its TLB there too.
   */
  readonly wasm?: GuestMemoryLayout;
}

interface MmioSlot {
  readonly handler: MmioHandler;
  readonly base: number;
  readonly owner: string;
}
interface RomSlot {
  readonly bytes: Uint8Array;
  readonly base: number;
  readonly owner: string;
}

function allocateRam(size: number): ArrayBuffer {
  try {
    return new ArrayBuffer(size);
  } catch (cause) {
    throw new RangeError(
      `cannot allocate ${size / 0x10_0000} MiB of guest RAM in one ArrayBuffer on this host; choose a smaller ramSize`,
      { cause },
    );
  }
}

/** Why the fast paths cached by an MMU must be revisited. */
export type RouteChange = "map" | "write";

/**
 * A watched page was written: `length` bytes at `offset` in RAM page `page`. Returning true
 * keeps the page watched (the write missed what the listener watches it for).
 */
export type CodeWriteListener = (page: number, offset: number, length: number) => boolean | void;

/**
 * The guest-physical address space. RAM starts at 0; 0xA0000-0xBFFFF is a hole for VGA
 * MMIO; 0xC0000-0xFFFFF shows ROM or shadow RAM per 16 KiB segment; unmapped reads return
 * all ones and unmapped writes are ignored. 32-bit reads return signed int32 values.
 */
export class PhysicalSpace implements PhysicalMemory {
  readonly ramSize: number;
  /** The shared WebAssembly memory RAM lives in, when the options gave one. */
  readonly wasm: GuestMemoryLayout | undefined;
  readonly ramPages: number;
  /** Views over the one RAM buffer; index with physical addresses below `ramSize`. */
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** Per page: RAM page number to read from, or a ROUTE_* code. */
  readonly readRoute = new Int32Array(PAGES_4G);
  /** Per page: RAM page number to write to, ROUTE_MMIO, or ROUTE_UNMAPPED (ignored). */
  readonly writeRoute = new Int32Array(PAGES_4G);
  private readonly mmioOf = new Uint16Array(PAGES_4G);
  private readonly romOf = new Uint16Array(PAGES_4G);
  /** Slot 0 is "none" so the dense tables can start zeroed. */
  private readonly mmioSlots: (MmioSlot | undefined)[] = [undefined];
  private readonly romSlots: (RomSlot | undefined)[] = [undefined];
  /** Per legacy page (0xC0000-0xFFFFF): bit 0 = reads from RAM, bit 1 = writes to RAM. */
  private readonly shadow = new Uint8Array(LEGACY_END_PAGE - LEGACY_FIRST_PAGE);
  /** One bit per RAM page, set by the first write after a clear. */
  private readonly dirty: Int32Array;
  private readonly pageState: Uint8Array;
  /** Everyone told about writes to watched pages (the recompiler, the interpreter's decode cache). */
  private readonly codeWriteListeners: CodeWriteListener[] = [];
  private readonly routeListeners: ((change: RouteChange, page?: number) => void)[] = [];

  constructor(options: PhysicalSpaceOptions) {
    const size = options.ramSize;
    if (
      !Number.isInteger(size) ||
      size < MIN_RAM_SIZE ||
      size > MAX_RAM_SIZE ||
      (size & PAGE_MASK) !== 0
    ) {
      throw new RangeError(
        `ramSize ${size} must be a multiple of 4 KiB between 1 MiB and 3.5 GiB (0x${MAX_RAM_SIZE.toString(16)})`,
      );
    }
    this.wasm = options.wasm;
    const buffer = options.wasm === undefined ? allocateRam(size) : options.wasm.memory.buffer;
    if (options.wasm !== undefined && options.wasm.ramSize !== size) {
      throw new RangeError(
        `ramSize ${size} differs from the WebAssembly memory's ${options.wasm.ramSize}`,
      );
    }
    this.ramSize = size;
    this.ramPages = size / PAGE_SIZE;
    this.u8 = new Uint8Array(buffer, 0, size);
    this.u16 = new Uint16Array(buffer, 0, size >>> 1);
    this.i32 = new Int32Array(buffer, 0, size >>> 2);
    this.dirty = new Int32Array((this.ramPages + 31) >>> 5);
    this.pageState = new Uint8Array(this.ramPages);
    // Bulk start: RAM pages route to themselves, everything else is unmapped; then the
    // legacy holes get their real routes.
    for (let p = 0; p < this.ramPages; p++) this.readRoute[p] = p;
    this.readRoute.fill(ROUTE_UNMAPPED, this.ramPages);
    this.writeRoute.set(this.readRoute);
    for (let p = VGA_FIRST_PAGE; p < LEGACY_END_PAGE; p++) this.route(p);
  }

  // ---- registration (board wiring) ----

  /** Maps a page-aligned range to `handler` (offsets relative to `base`). Refuses overlaps. */
  mapMmio(base: number, size: number, handler: MmioHandler, options: MmioRegistration): Disposable {
    const first = this.checkRange(base, size, options.owner);
    const count = size / PAGE_SIZE;
    for (let p = first; p < first + count; p++) {
      if (this.mmioOf[p] !== 0 || this.romOf[p] !== 0 || (p < this.ramPages && !isLegacyHole(p))) {
        throw new Error(
          `MMIO '${options.owner}' at 0x${(p * PAGE_SIZE).toString(16)} overlaps ${this.ownerAt(p)}`,
        );
      }
    }
    const slot = this.mmioSlots.length;
    if (slot > 0xffff) throw new Error("too many MMIO regions");
    this.mmioSlots.push({ handler, base, owner: options.owner });
    for (let p = first; p < first + count; p++) {
      this.mmioOf[p] = slot;
      this.route(p);
    }
    this.notify("map");
    return disposable(() => {
      if (this.mmioSlots[slot] === undefined) return;
      this.mmioSlots[slot] = undefined;
      for (let p = first; p < first + count; p++) {
        this.mmioOf[p] = 0;
        this.route(p);
      }
      this.notify("map");
    });
  }

  /**
   * Maps a read-only image (length a multiple of 4 KiB) at `base`. In 0xC0000-0xFFFFF it is
   * what reads see while the segment's shadow read is off; elsewhere it must lie above RAM.
   */
  mapRom(base: number, image: Uint8Array, owner: string): Disposable {
    const first = this.checkRange(base, image.length, owner);
    const count = image.length / PAGE_SIZE;
    for (let p = first; p < first + count; p++) {
      const legacy = p >= LEGACY_FIRST_PAGE && p < LEGACY_END_PAGE;
      if (this.mmioOf[p] !== 0 || this.romOf[p] !== 0 || (p < this.ramPages && !legacy)) {
        throw new Error(
          `ROM '${owner}' at 0x${(p * PAGE_SIZE).toString(16)} overlaps ${this.ownerAt(p)}`,
        );
      }
    }
    const slot = this.romSlots.length;
    if (slot > 0xffff) throw new Error("too many ROM regions");
    this.romSlots.push({ bytes: image, base, owner });
    for (let p = first; p < first + count; p++) {
      this.romOf[p] = slot;
      this.route(p);
    }
    this.notify("map");
    return disposable(() => {
      if (this.romSlots[slot] === undefined) return;
      this.romSlots[slot] = undefined;
      for (let p = first; p < first + count; p++) {
        this.romOf[p] = 0;
        this.route(p);
      }
      this.notify("map");
    });
  }

  /**
   * Maps the system BIOS image at the top of 4 GiB (where the reset vector 0xFFFFFFF0 reads
   * it) and its last 128 KiB (or all of it, if smaller) at 0xE0000-0xFFFFF below 1 MiB, as
   * the i440FX decodes the BIOS alias. The image length must be a multiple of 64 KiB.
   */
  mapBios(image: Uint8Array): Disposable {
    if (image.length === 0 || image.length % 0x1_0000 !== 0 || image.length > 0x100_0000) {
      throw new RangeError(
        `BIOS image of ${image.length} bytes must be 64 KiB..16 MiB in 64 KiB steps`,
      );
    }
    const top = this.mapRom(FOUR_GIB - image.length, image, "bios");
    const low = Math.min(image.length, 0x2_0000);
    const alias = this.mapRom(
      LEGACY_END_PAGE * PAGE_SIZE - low,
      image.subarray(image.length - low),
      "bios",
    );
    return disposable(() => {
      alias[Symbol.dispose]();
      top[Symbol.dispose]();
    });
  }

  /**
   * Shadow-RAM control for 0xC0000-0xFFFFF in 16 KiB segments (what PAM registers select):
   * `readRam` reads RAM instead of ROM/PCI, `writeRam` writes RAM instead of dropping writes.
   */
  setShadow(base: number, size: number, readRam: boolean, writeRam: boolean): void {
    if (
      base < LEGACY_FIRST_PAGE * PAGE_SIZE ||
      base + size > LEGACY_END_PAGE * PAGE_SIZE ||
      base % SHADOW_SEGMENT !== 0 ||
      size % SHADOW_SEGMENT !== 0
    ) {
      throw new RangeError(
        `shadow range 0x${base.toString(16)}+0x${size.toString(16)} is not 16 KiB segments in 0xC0000-0xFFFFF`,
      );
    }
    const mode = (readRam ? 1 : 0) | (writeRam ? 2 : 0);
    for (let p = base / PAGE_SIZE; p < (base + size) / PAGE_SIZE; p++) {
      this.shadow[p - LEGACY_FIRST_PAGE] = mode;
      this.route(p);
    }
    this.notify("map");
  }

  /**
   * Applies an i440FX PAM register (config offsets 0x59-0x5F = index 0-6; 82441FX datasheet
   * 3.2.18): each nibble's bit 0 (RE) reads RAM, bit 1 (WE) writes RAM. PAM0 bits 5:4 cover
   * 0xF0000-0xFFFFF; PAMn (n=1..6) low nibble covers 0xC0000+(n-1)*32K, high nibble +16K.
   */
  setPamRegister(index: number, value: number): void {
    if (index === 0) {
      this.setShadow(0xf_0000, 0x1_0000, (value & 0x10) !== 0, (value & 0x20) !== 0);
      return;
    }
    if (index < 1 || index > 6) throw new RangeError(`PAM register index ${index} is not 0-6`);
    const base = 0xc_0000 + (index - 1) * 2 * SHADOW_SEGMENT;
    this.setShadow(base, SHADOW_SEGMENT, (value & 1) !== 0, (value & 2) !== 0);
    this.setShadow(
      base + SHADOW_SEGMENT,
      SHADOW_SEGMENT,
      (value & 0x10) !== 0,
      (value & 0x20) !== 0,
    );
  }

  private checkRange(base: number, size: number, owner: string): number {
    if (
      base % PAGE_SIZE !== 0 ||
      size % PAGE_SIZE !== 0 ||
      size <= 0 ||
      base < 0 ||
      base + size > FOUR_GIB
    ) {
      throw new RangeError(
        `'${owner}': range 0x${base.toString(16)}+0x${size.toString(16)} must be page-aligned and below 4 GiB`,
      );
    }
    return base / PAGE_SIZE;
  }

  private ownerAt(page: number): string {
    const m = this.mmioSlots[this.mmioOf[page]!];
    if (m !== undefined) return `MMIO '${m.owner}'`;
    const r = this.romSlots[this.romOf[page]!];
    if (r !== undefined) return `ROM '${r.owner}'`;
    return "RAM";
  }

  /** Recomputes one page's read and write route from the maps and shadow state. */
  private route(p: number): void {
    const hasRam = p < this.ramPages;
    let read: number = ROUTE_UNMAPPED;
    let write: number = ROUTE_UNMAPPED;
    if (this.mmioOf[p] !== 0) {
      read = ROUTE_MMIO;
      write = ROUTE_MMIO;
    } else if (p >= LEGACY_FIRST_PAGE && p < LEGACY_END_PAGE) {
      const mode = this.shadow[p - LEGACY_FIRST_PAGE]!;
      if ((mode & 1) !== 0 && hasRam) read = p;
      else if (this.romOf[p] !== 0) read = ROUTE_ROM;
      if ((mode & 2) !== 0 && hasRam) write = p;
    } else if (this.romOf[p] !== 0) {
      read = ROUTE_ROM;
    } else if (hasRam && !isLegacyHole(p)) {
      read = p;
      write = p;
    }
    this.readRoute[p] = read;
    this.writeRoute[p] = write;
  }

  // ---- change notification for MMUs ----

  /**
   * @internal An MMU subscribes so it can drop cached fast paths when routes change. With
   * `page`, only fast writes to that RAM page must go (it became watched).
   */
  onRouteChange(listener: (change: RouteChange, page?: number) => void): void {
    this.routeListeners.push(listener);
  }
  private notify(change: RouteChange, page?: number): void {
    for (const l of this.routeListeners) l(change, page);
  }

  // ---- write-watch and dirty tracking ----

  /**
   * Adds a callback run on the first write (CPU or DMA) to a watched page, with the written
   * bytes' offset in the page and count. Every listener is called for every fired watch (one
   * watch bit per page is shared: a listener that still needs the page watches it again, or
   * returns true when the write missed what it watches, which keeps the watch).
   */
  onCodeWrite(listener: CodeWriteListener): void {
    this.codeWriteListeners.push(listener);
  }
  /** Watches RAM page `page` (address / 4096): the next write to it calls the listeners once. */
  watchPage(page: number): void {
    if (page < 0 || page >= this.ramPages) return;
    const state = this.pageState[page]!;
    if ((state & STATE_WATCHED) !== 0) return;
    this.pageState[page] = state | STATE_WATCHED;
    this.notify("write", page);
  }
  unwatchPage(page: number): void {
    if (page >= 0 && page < this.ramPages)
      this.pageState[page] = this.pageState[page]! & ~STATE_WATCHED;
  }
  isWatched(page: number): boolean {
    return page >= 0 && page < this.ramPages && (this.pageState[page]! & STATE_WATCHED) !== 0;
  }
  isDirty(page: number): boolean {
    return (
      page >= 0 && page < this.ramPages && (this.dirty[page >>> 5]! & (1 << (page & 31))) !== 0
    );
  }
  /**
   * Copies the dirty bitmap (bit `p & 31` of word `p >>> 5` = RAM page p was written) into
   * `into` (allocated if absent) and clears it, so the next write to each page is seen again.
   */
  takeDirty(into?: Int32Array): Int32Array {
    const out = into ?? new Int32Array(this.dirty.length);
    out.set(this.dirty);
    this.dirty.fill(0);
    this.notify("write");
    return out;
  }
  /** @internal True when a TLB may write this RAM page directly (dirty already, not watched). */
  isFastWritable(page: number): boolean {
    return (this.dirty[page >>> 5]! & (1 << (page & 31))) !== 0 && this.pageState[page] === 0;
  }

  /**
   * Records a write of `length` bytes at `offset` in RAM page `page`: sets its dirty bit and
   * fires a pending watch.
   */
  noteWrite(page: number, offset = 0, length = PAGE_SIZE): void {
    this.dirty[page >>> 5] = this.dirty[page >>> 5]! | (1 << (page & 31));
    if ((this.pageState[page]! & STATE_WATCHED) !== 0) {
      this.pageState[page] = this.pageState[page]! & ~STATE_WATCHED;
      const listeners = this.codeWriteListeners;
      let keep = false;
      for (let i = 0; i < listeners.length; i++) {
        if (listeners[i]!(page, offset, length) === true) keep = true;
      }
      // Kept without announcing a route change: nothing gave the page's TLB entries their fast
      // writes back since the watch was set (a data write next to code stays this cheap).
      if (keep) this.pageState[page] = this.pageState[page]! | STATE_WATCHED;
    }
  }

  // ---- accesses (PhysicalMemory) ----

  read8(address: number): number {
    if (address < FOUR_GIB) {
      const r = this.readRoute[address >>> 12]!;
      if (r >= 0) return this.u8[address]!;
    }
    return this.readOther(address, 1);
  }
  read16(address: number): number {
    if (address < FOUR_GIB && (address & PAGE_MASK) !== PAGE_MASK) {
      const r = this.readRoute[address >>> 12]!;
      if (r >= 0) {
        return (address & 1) === 0
          ? this.u16[address >>> 1]!
          : this.u8[address]! | (this.u8[address + 1]! << 8);
      }
      return this.readOther(address, 2);
    }
    return this.read8(address) | (this.read8(address + 1) << 8);
  }
  read32(address: number): number {
    if (address < FOUR_GIB && (address & PAGE_MASK) <= PAGE_SIZE - 4) {
      const r = this.readRoute[address >>> 12]!;
      if (r >= 0) {
        if ((address & 3) === 0) return this.i32[address >>> 2]!;
        const u8 = this.u8;
        return (
          u8[address]! |
          (u8[address + 1]! << 8) |
          (u8[address + 2]! << 16) |
          (u8[address + 3]! << 24)
        );
      }
      return this.readOther(address, 4) | 0;
    }
    return this.read16(address) | (this.read16(address + 2) << 16) | 0;
  }
  write8(address: number, value: number): void {
    if (address < FOUR_GIB) {
      const p = address >>> 12;
      const w = this.writeRoute[p]!;
      if (w >= 0) {
        this.u8[address] = value;
        this.noteWrite(p, address & PAGE_MASK, 1);
        return;
      }
      if (w === ROUTE_MMIO) this.mmioWrite(address, 1, value & 0xff);
    }
  }
  write16(address: number, value: number): void {
    if (address < FOUR_GIB && (address & PAGE_MASK) !== PAGE_MASK) {
      const p = address >>> 12;
      const w = this.writeRoute[p]!;
      if (w >= 0) {
        this.u8[address] = value;
        this.u8[address + 1] = value >>> 8;
        this.noteWrite(p, address & PAGE_MASK, 2);
        return;
      }
      if (w === ROUTE_MMIO) {
        this.mmioWrite(address, 2, value & 0xffff);
        return;
      }
      if (w === ROUTE_UNMAPPED) return;
    }
    this.write8(address, value);
    this.write8(address + 1, value >>> 8);
  }
  write32(address: number, value: number): void {
    if (address < FOUR_GIB && (address & PAGE_MASK) <= PAGE_SIZE - 4) {
      const p = address >>> 12;
      const w = this.writeRoute[p]!;
      if (w >= 0) {
        if ((address & 3) === 0) this.i32[address >>> 2] = value;
        else {
          this.u8[address] = value;
          this.u8[address + 1] = value >>> 8;
          this.u8[address + 2] = value >>> 16;
          this.u8[address + 3] = value >>> 24;
        }
        this.noteWrite(p, address & PAGE_MASK, 4);
        return;
      }
      if (w === ROUTE_MMIO) this.mmioWrite(address, 4, value >>> 0);
      return;
    }
    this.write16(address, value);
    this.write16(address + 2, value >>> 16);
  }

  /** DMA out of the guest: copies bytes page by page (RAM in bulk, ROM/MMIO bytewise). */
  readBytes(address: number, into: Uint8Array): void {
    let done = 0;
    while (done < into.length) {
      const a = address + done;
      const chunk = Math.min(into.length - done, PAGE_SIZE - (a & PAGE_MASK));
      const r = a < FOUR_GIB ? this.readRoute[Math.floor(a / PAGE_SIZE)]! : ROUTE_UNMAPPED;
      if (r >= 0) into.set(this.u8.subarray(a, a + chunk), done);
      else for (let i = 0; i < chunk; i++) into[done + i] = this.read8(a + i);
      done += chunk;
    }
  }
  /** DMA into the guest: RAM pages copied in bulk, marked dirty and their watches fired. */
  writeBytes(address: number, from: Uint8Array): void {
    let done = 0;
    while (done < from.length) {
      const a = address + done;
      const chunk = Math.min(from.length - done, PAGE_SIZE - (a & PAGE_MASK));
      const w = a < FOUR_GIB ? this.writeRoute[Math.floor(a / PAGE_SIZE)]! : ROUTE_UNMAPPED;
      if (w >= 0) {
        this.u8.set(from.subarray(done, done + chunk), a);
        this.noteWrite(w, a & PAGE_MASK, chunk);
      } else if (w === ROUTE_MMIO) {
        for (let i = 0; i < chunk; i++) this.mmioWrite(a + i, 1, from[done + i]!);
      }
      done += chunk;
    }
  }

  /** Reads from ROM, MMIO or nothing (all ones) for an access inside one page. */
  private readOther(address: number, width: Width): number {
    const ones = width === 1 ? 0xff : width === 2 ? 0xffff : -1;
    if (address >= FOUR_GIB) return ones;
    const p = address >>> 12;
    const r = this.readRoute[p]!;
    if (r === ROUTE_MMIO) {
      const slot = this.mmioSlots[this.mmioOf[p]!]!;
      return slot.handler.read(address - slot.base, width);
    }
    if (r === ROUTE_ROM) {
      const rom = this.romSlots[this.romOf[p]!]!;
      const o = address - rom.base;
      const b = rom.bytes;
      if (width === 1) return b[o]!;
      if (width === 2) return b[o]! | (b[o + 1]! << 8);
      return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
    }
    return ones;
  }

  private mmioWrite(address: number, width: Width, value: number): void {
    const slot = this.mmioSlots[this.mmioOf[address >>> 12]!]!;
    slot.handler.write(address - slot.base, width, value);
  }
}

function isLegacyHole(page: number): boolean {
  return page >= VGA_FIRST_PAGE && page < LEGACY_END_PAGE;
}
