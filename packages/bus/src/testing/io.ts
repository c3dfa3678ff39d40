// A recording I/O bus: devices register on it, tests drive IN/OUT and MMIO through it.
import type {
  IoBus,
  MmioHandler,
  MmioRegistration,
  PhysicalMemory,
  PortIo,
  PortIoHandler,
  PortRegistration,
  Width,
} from "../io";

/** One port or MMIO registration, as a device made it. */
export interface FakeRegistration {
  readonly kind: "ports" | "mmio";
  readonly first: number;
  readonly count: number;
  readonly owner: string;
  readonly widths: readonly Width[];
}

/** One recorded access. `value` is the value written or the value the read returned. */
export interface FakeAccess {
  readonly kind: "in" | "out" | "read" | "write";
  readonly address: number;
  readonly width: Width;
  readonly value: number;
  /** False when no device claimed the port/address (open bus). */
  readonly isClaimed: boolean;
}

interface PortSlot {
  readonly handler: PortIoHandler;
  readonly registration: FakeRegistration;
}

interface MmioSlot {
  readonly handler: MmioHandler;
  readonly registration: FakeRegistration;
}

const ONES: Record<Width, number> = { 1: 0xff, 2: 0xffff, 4: 0xffffffff };
const PAGE = 0x1000;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Options of a {@link FakeIoBus}. */
export interface FakeIoBusOptions {
  /** Throw on an access no device claimed, instead of open-bus all-ones / ignored writes. */
  readonly strict?: boolean;
  /** Require MMIO bases to be page aligned, as the real bus does (default true). */
  readonly pageAlignedMmio?: boolean;
}

/**
 * A fake {@link IoBus} that also implements {@link PortIo}. Registrations are checked for
 * overlap (throwing an error naming both owners, like the real bus). Accesses of a width the
 * device did not declare are split: a dword into two words if the device decodes words,
 * otherwise into bytes, each piece going to whoever owns its port. Unclaimed reads return
 * all ones and unclaimed writes are dropped (unless `strict`). Every access is recorded in
 * {@link accesses} while {@link isRecording}.
 */
export class FakeIoBus implements IoBus, PortIo {
  private readonly ports = new Map<number, PortSlot>();
  private readonly mmio: MmioSlot[] = [];
  readonly registrations: FakeRegistration[] = [];
  readonly accesses: FakeAccess[] = [];
  isRecording = true;
  private readonly strict: boolean;
  private readonly pageAlignedMmio: boolean;

  constructor(options: FakeIoBusOptions = {}) {
    this.strict = options.strict ?? false;
    this.pageAlignedMmio = options.pageAlignedMmio ?? true;
  }

  registerPorts(
    first: number,
    count: number,
    handler: PortIoHandler,
    options: PortRegistration,
  ): Disposable {
    if (!Number.isInteger(first) || !Number.isInteger(count) || count <= 0)
      throw new RangeError(`${options.owner}: bad port range ${first}+${count}`);
    if (first < 0 || first + count > 0x10000)
      throw new RangeError(`${options.owner}: ports ${hex(first)}+${count} outside 0-0xffff`);
    if (options.widths.length === 0) throw new RangeError(`${options.owner}: no widths`);
    for (let p = first; p < first + count; p++) {
      const taken = this.ports.get(p);
      if (taken !== undefined)
        throw new Error(`port ${hex(p)}: ${options.owner} overlaps ${taken.registration.owner}`);
    }
    const registration: FakeRegistration = {
      kind: "ports",
      first,
      count,
      owner: options.owner,
      widths: [...options.widths],
    };
    const slot: PortSlot = { handler, registration };
    for (let p = first; p < first + count; p++) this.ports.set(p, slot);
    this.registrations.push(registration);
    return {
      [Symbol.dispose]: () => {
        for (let p = first; p < first + count; p++)
          if (this.ports.get(p) === slot) this.ports.delete(p);
        const i = this.registrations.indexOf(registration);
        if (i >= 0) this.registrations.splice(i, 1);
      },
    };
  }

  mapMmio(base: number, size: number, handler: MmioHandler, options: MmioRegistration): Disposable {
    if (!Number.isInteger(base) || !Number.isInteger(size) || size <= 0 || base < 0)
      throw new RangeError(`${options.owner}: bad MMIO range ${base}+${size}`);
    if (base + size > 2 ** 32)
      throw new RangeError(`${options.owner}: MMIO ${hex(base)}+${size} beyond 4 GiB`);
    if (this.pageAlignedMmio && (base % PAGE !== 0 || size % PAGE !== 0))
      throw new RangeError(`${options.owner}: MMIO ${hex(base)}+${hex(size)} not page aligned`);
    for (const m of this.mmio) {
      const r = m.registration;
      if (base < r.first + r.count && r.first < base + size)
        throw new Error(`MMIO ${hex(base)}: ${options.owner} overlaps ${r.owner}`);
    }
    const registration: FakeRegistration = {
      kind: "mmio",
      first: base,
      count: size,
      owner: options.owner,
      widths: [1, 2, 4],
    };
    const slot: MmioSlot = { handler, registration };
    this.mmio.push(slot);
    this.registrations.push(registration);
    return {
      [Symbol.dispose]: () => {
        const i = this.mmio.indexOf(slot);
        if (i >= 0) this.mmio.splice(i, 1);
        const j = this.registrations.indexOf(registration);
        if (j >= 0) this.registrations.splice(j, 1);
      },
    };
  }

  /** The owner of `port`, or undefined. */
  ownerOf(port: number): string | undefined {
    return this.ports.get(port)?.registration.owner;
  }

  /** Every claimed port number, ascending. */
  claimedPorts(): number[] {
    return [...this.ports.keys()].sort((a, b) => a - b);
  }

  /** IN of `width` bytes from `port`. */
  in(port: number, width: Width = 1): number {
    const value = this.portRead(port & 0xffff, width);
    return value;
  }

  /** OUT of `width` bytes of `value` to `port`. */
  out(port: number, value: number, width: Width = 1): void {
    this.portWrite(port & 0xffff, width, value);
  }

  in8(port: number): number {
    return this.in(port, 1);
  }
  in16(port: number): number {
    return this.in(port, 2);
  }
  in32(port: number): number {
    return this.in(port, 4);
  }
  out8(port: number, value: number): void {
    this.out(port, value, 1);
  }
  out16(port: number, value: number): void {
    this.out(port, value, 2);
  }
  out32(port: number, value: number): void {
    this.out(port, value, 4);
  }

  /** A guest-physical MMIO read of `width` bytes at `address`. */
  readMmio(address: number, width: Width = 4): number {
    const slot = this.findMmio(address);
    let value: number;
    if (slot === undefined) {
      if (this.strict) throw new Error(`unclaimed MMIO read ${hex(address)}`);
      value = ONES[width];
    } else {
      value = slot.handler.read(address - slot.registration.first, width) & ONES[width];
      if (width === 4) value >>>= 0;
    }
    this.record("read", address, width, value, slot !== undefined);
    return value;
  }

  /** A guest-physical MMIO write of `width` bytes at `address`. */
  writeMmio(address: number, value: number, width: Width = 4): void {
    const slot = this.findMmio(address);
    const masked = width === 4 ? value >>> 0 : value & ONES[width];
    this.record("write", address, width, masked, slot !== undefined);
    if (slot === undefined) {
      if (this.strict) throw new Error(`unclaimed MMIO write ${hex(address)}`);
      return;
    }
    slot.handler.write(address - slot.registration.first, width, masked);
  }

  /** Accesses recorded for `port` (or all if omitted). */
  accessesTo(address?: number): FakeAccess[] {
    return address === undefined
      ? [...this.accesses]
      : this.accesses.filter((a) => a.address === address);
  }

  clearAccesses(): void {
    this.accesses.length = 0;
  }

  private findMmio(address: number): MmioSlot | undefined {
    for (const m of this.mmio) {
      const r = m.registration;
      if (address >= r.first && address < r.first + r.count) return m;
    }
    return undefined;
  }

  private record(
    kind: FakeAccess["kind"],
    address: number,
    width: Width,
    value: number,
    isClaimed: boolean,
  ): void {
    if (this.isRecording) this.accesses.push({ kind, address, width, value, isClaimed });
  }

  private portRead(port: number, width: Width): number {
    const slot = this.ports.get(port);
    let value: number;
    if (slot === undefined) {
      if (this.strict) throw new Error(`unclaimed port read ${hex(port)}`);
      value = ONES[width];
    } else if (width === 1 || slot.registration.widths.includes(width)) {
      value = slot.handler.read(port, width) & ONES[width];
      if (width === 4) value >>>= 0;
    } else {
      value = this.splitRead(port, width, slot);
    }
    this.record("in", port, width, value, slot !== undefined);
    return value;
  }

  private splitRead(port: number, width: Width, slot: PortSlot): number {
    const piece: Width = width === 4 && slot.registration.widths.includes(2) ? 2 : 1;
    let value = 0;
    const wasRecording = this.isRecording;
    this.isRecording = false;
    try {
      for (let i = 0; i < width; i += piece)
        value += this.portRead((port + i) & 0xffff, piece) * 2 ** (8 * i);
    } finally {
      this.isRecording = wasRecording;
    }
    return value;
  }

  private portWrite(port: number, width: Width, value: number): void {
    const masked = width === 4 ? value >>> 0 : value & ONES[width];
    const slot = this.ports.get(port);
    this.record("out", port, width, masked, slot !== undefined);
    if (slot === undefined) {
      if (this.strict) throw new Error(`unclaimed port write ${hex(port)}`);
      return;
    }
    if (width === 1 || slot.registration.widths.includes(width)) {
      slot.handler.write(port, width, masked);
      return;
    }
    const piece: Width = width === 4 && slot.registration.widths.includes(2) ? 2 : 1;
    const wasRecording = this.isRecording;
    this.isRecording = false;
    try {
      for (let i = 0; i < width; i += piece)
        this.portWrite((port + i) & 0xffff, piece, Math.floor(masked / 2 ** (8 * i)));
    } finally {
      this.isRecording = wasRecording;
    }
  }
}

/** Flat guest-physical memory for bus-master tests; reads beyond the end return all ones. */
export class FakePhysicalMemory implements PhysicalMemory {
  readonly bytes: Uint8Array;

  constructor(size = 1 << 20) {
    this.bytes = new Uint8Array(size);
  }

  read8(address: number): number {
    return this.bytes[address] ?? 0xff;
  }
  read16(address: number): number {
    return this.read8(address) | (this.read8(address + 1) << 8);
  }
  read32(address: number): number {
    return (this.read16(address) | (this.read16(address + 2) << 16)) >>> 0;
  }
  write8(address: number, value: number): void {
    if (address >= 0 && address < this.bytes.length) this.bytes[address] = value;
  }
  write16(address: number, value: number): void {
    this.write8(address, value & 0xff);
    this.write8(address + 1, (value >>> 8) & 0xff);
  }
  write32(address: number, value: number): void {
    this.write16(address, value & 0xffff);
    this.write16(address + 2, (value >>> 16) & 0xffff);
  }
  readBytes(address: number, into: Uint8Array): void {
    for (let i = 0; i < into.length; i++) into[i] = this.read8(address + i);
  }
  writeBytes(address: number, from: Uint8Array): void {
    for (let i = 0; i < from.length; i++) this.write8(address + i, from[i]!);
  }
}
