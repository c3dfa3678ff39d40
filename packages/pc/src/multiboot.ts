// Multiboot v1 (Multiboot Specification 0.6.96): find the header in the first 8 KiB, load the
// image by its address fields (flag 16) or its ELF32 program headers, build the boot
// information (memory, command line, modules, memory map) and describe the entry state.
import { E820_ENTRY_SIZE, type E820Entry } from "./e820";
import { LinuxBootError, type LoaderMemory } from "./linux-boot";

const HEADER_MAGIC = 0x1bad_b002;
/** EAX at entry. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2bad_b002;
const SEARCH_BYTES = 8192;
const FLAG_PAGE_ALIGN = 1 << 0;
const FLAG_MEMORY_INFO = 1 << 1;
const FLAG_VIDEO = 1 << 2;
const FLAG_ADDRESS = 1 << 16;
/** Bits 0-15 a loader must understand; we do 0 and 1 (2 is a request we may ignore). */
const REQUIRED_KNOWN = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO;

const INFO_MEM = 1 << 0;
const INFO_CMDLINE = 1 << 2;
const INFO_MODS = 1 << 3;
const INFO_MMAP = 1 << 6;
const INFO_LOADER_NAME = 1 << 9;

/** Where the loader puts its own structures (low memory, below the EBDA). */
const INFO_BASE = 0x9000;
const GDT_BASE = 0x6000;

/** Finds a valid Multiboot header; returns its offset or -1. */
export function findMultibootHeader(image: Uint8Array): number {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const end = Math.min(image.length, SEARCH_BYTES) - 12;
  for (let at = 0; at <= end; at += 4) {
    if (view.getUint32(at, true) !== HEADER_MAGIC) continue;
    const flags = view.getUint32(at + 4, true);
    const checksum = view.getUint32(at + 8, true);
    if ((HEADER_MAGIC + flags + checksum) >>> 0 === 0) return at;
  }
  return -1;
}

/** True for a Multiboot kernel that is not also a Linux bzImage. */
export function isMultiboot(image: Uint8Array): boolean {
  const isBzImage =
    image.length > 0x206 &&
    new DataView(image.buffer, image.byteOffset).getUint32(0x202, true) === 0x5372_6448;
  return !isBzImage && findMultibootHeader(image) >= 0;
}

export interface MultibootOptions {
  readonly kernel: Uint8Array;
  readonly modules?: readonly Uint8Array[];
  readonly cmdline?: string;
  readonly e820: readonly E820Entry[];
}

export interface MultibootPlan {
  readonly entry: number;
  readonly eax: number;
  /** Physical address of the multiboot_info structure. */
  readonly ebx: number;
  readonly gdtBase: number;
  readonly gdtLimit: number;
}

/**
 * Loads a Multiboot v1 kernel. Throws {@link LinuxBootError} (the loader error type) naming the
 * problem for images it cannot place.
 *
 * @example
 * const plan = loadMultiboot(physical, { kernel, cmdline: "test", e820: buildE820Map({ ramSize }) });
 */
export function loadMultiboot(memory: LoaderMemory, options: MultibootOptions): MultibootPlan {
  const image = options.kernel;
  const at = findMultibootHeader(image);
  if (at < 0) throw new LinuxBootError("kernel has no valid Multiboot header in its first 8 KiB");
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const flags = view.getUint32(at + 4, true);
  if ((flags & 0xffff & ~REQUIRED_KNOWN) !== 0) {
    throw new LinuxBootError(
      `Multiboot header requires features 0x${(flags & 0xffff).toString(16)} this loader does not know`,
    );
  }
  let entry: number;
  let kernelEnd: number;
  if ((flags & FLAG_ADDRESS) !== 0) {
    const headerAddr = view.getUint32(at + 12, true);
    const loadAddr = view.getUint32(at + 16, true);
    const loadEndAddr = view.getUint32(at + 20, true);
    const bssEndAddr = view.getUint32(at + 24, true);
    entry = view.getUint32(at + 28, true);
    const fileOffset = at - (headerAddr - loadAddr);
    const length = loadEndAddr === 0 ? image.length - fileOffset : loadEndAddr - loadAddr;
    if (fileOffset < 0 || fileOffset + length > image.length)
      throw new LinuxBootError("Multiboot address fields point outside the kernel file");
    checkRange(memory, loadAddr, length);
    memory.writeBytes(loadAddr, image.subarray(fileOffset, fileOffset + length));
    kernelEnd = loadAddr + length;
    if (bssEndAddr > kernelEnd) {
      checkRange(memory, kernelEnd, bssEndAddr - kernelEnd);
      memory.writeBytes(kernelEnd, new Uint8Array(bssEndAddr - kernelEnd));
      kernelEnd = bssEndAddr;
    }
  } else {
    ({ entry, end: kernelEnd } = loadElf32(memory, image));
  }

  // Modules, command lines and the info structure.
  const encoder = new TextEncoder();
  let next = align(Math.max(kernelEnd, 0x10_0000), 4096);
  const modules = options.modules ?? [];
  const moduleList = new Uint8Array(modules.length * 16);
  const moduleView = new DataView(moduleList.buffer);
  modules.forEach((module, i) => {
    checkRange(memory, next, module.length);
    memory.writeBytes(next, module);
    moduleView.setUint32(i * 16, next, true);
    moduleView.setUint32(i * 16 + 4, next + module.length, true);
    next = align(next + module.length, 4096);
  });
  const info = new Uint8Array(0x1000);
  const infoView = new DataView(info.buffer);
  let cursor = 0x100; // strings and tables follow the 88-byte structure
  const place = (bytes: Uint8Array): number => {
    const address = INFO_BASE + cursor;
    info.set(bytes, cursor);
    cursor = align(cursor + bytes.length, 4);
    return address;
  };
  const lowKiB = 639;
  const ram = options.e820.find((e) => e.type === 1 && e.base === 0x10_0000);
  const upperKiB = ram !== undefined ? Math.floor(ram.size / 1024) : 0;
  let infoFlags = INFO_MEM | INFO_CMDLINE | INFO_MMAP | INFO_LOADER_NAME;
  infoView.setUint32(4, lowKiB, true);
  infoView.setUint32(8, upperKiB, true);
  infoView.setUint32(16, place(encoder.encode(`${options.cmdline ?? ""}\0`)), true);
  if (modules.length > 0) {
    infoFlags |= INFO_MODS;
    infoView.setUint32(20, modules.length, true);
    infoView.setUint32(24, place(moduleList), true);
  }
  const mmap = new Uint8Array(options.e820.length * (E820_ENTRY_SIZE + 4));
  const mmapView = new DataView(mmap.buffer);
  options.e820.forEach((e, i) => {
    const o = i * (E820_ENTRY_SIZE + 4);
    mmapView.setUint32(o, E820_ENTRY_SIZE, true);
    mmapView.setUint32(o + 4, e.base % 0x1_0000_0000, true);
    mmapView.setUint32(o + 8, Math.floor(e.base / 0x1_0000_0000), true);
    mmapView.setUint32(o + 12, e.size % 0x1_0000_0000, true);
    mmapView.setUint32(o + 16, Math.floor(e.size / 0x1_0000_0000), true);
    mmapView.setUint32(o + 20, e.type, true);
  });
  infoView.setUint32(44, mmap.length, true);
  infoView.setUint32(48, place(mmap), true);
  infoView.setUint32(64, place(encoder.encode("RingVM\0")), true);
  infoView.setUint32(0, infoFlags, true);
  memory.writeBytes(INFO_BASE, info);

  const gdt = new Uint8Array(32);
  const gdtView = new DataView(gdt.buffer);
  gdtView.setUint32(16, 0x0000_ffff, true);
  gdtView.setUint32(20, 0x00cf_9b00, true);
  gdtView.setUint32(24, 0x0000_ffff, true);
  gdtView.setUint32(28, 0x00cf_9300, true);
  memory.writeBytes(GDT_BASE, gdt);
  return {
    entry,
    eax: MULTIBOOT_BOOTLOADER_MAGIC,
    ebx: INFO_BASE,
    gdtBase: GDT_BASE,
    gdtLimit: 31,
  };
}

function loadElf32(memory: LoaderMemory, image: Uint8Array): { entry: number; end: number } {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.length < 52 || view.getUint32(0, false) !== 0x7f45_4c46 || image[4] !== 1) {
    throw new LinuxBootError(
      "Multiboot kernel without address fields must be an ELF32 file (it is not)",
    );
  }
  if (view.getUint16(18, true) !== 3)
    throw new LinuxBootError("Multiboot ELF kernel is not for i386");
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 32 > image.length)
      throw new LinuxBootError("Multiboot ELF program headers are truncated");
    if (view.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = view.getUint32(ph + 4, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (offset + filesz > image.length)
      throw new LinuxBootError("Multiboot ELF segment is truncated");
    checkRange(memory, paddr, memsz);
    memory.writeBytes(paddr, image.subarray(offset, offset + filesz));
    if (memsz > filesz) memory.writeBytes(paddr + filesz, new Uint8Array(memsz - filesz));
    end = Math.max(end, paddr + memsz);
  }
  if (end === 0) throw new LinuxBootError("Multiboot ELF kernel has no loadable segment");
  return { entry, end };
}

function checkRange(memory: LoaderMemory, base: number, size: number): void {
  if (base < 0x1000 || base + size > memory.ramSize) {
    throw new LinuxBootError(
      `Multiboot image wants 0x${base.toString(16)}-0x${(base + size).toString(16)}, outside guest RAM (raise -m)`,
    );
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
