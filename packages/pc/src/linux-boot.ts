// Direct Linux boot, the Linux/x86 boot protocol 2.x (Documentation/arch/x86/boot.rst): parse
// the bzImage setup header, place the protected-mode kernel at 1 MiB, the initrd high in RAM,
// the command line and the boot_params "zero page" with an E820 map, and describe the 32-bit
// entry state ("32-bit boot protocol": flat __BOOT_CS/__BOOT_DS, ESI = boot_params).
import { encodeE820, E820_ENTRY_SIZE, type E820Entry } from "./e820";
import { decodeXz } from "./xz";

/** A bzImage, initrd or command line the loader cannot use; the message says why. */
export class LinuxBootError extends Error {
  override readonly name = "LinuxBootError";
}

/** Setup-header offsets inside the image and the zero page (boot.rst "The real-mode kernel header"). */
const HDR = {
  setupSects: 0x1f1,
  syssize: 0x1f4,
  bootFlag: 0x1fe,
  jumpEnd: 0x201,
  header: 0x202,
  version: 0x206,
  kernelVersion: 0x20e,
  typeOfLoader: 0x210,
  loadflags: 0x211,
  code32Start: 0x214,
  ramdiskImage: 0x218,
  ramdiskSize: 0x21c,
  heapEndPtr: 0x224,
  cmdLinePtr: 0x228,
  initrdAddrMax: 0x22c,
  kernelAlignment: 0x230,
  relocatableKernel: 0x234,
  xloadflags: 0x236,
  cmdlineSize: 0x238,
  payloadOffset: 0x248,
  payloadLength: 0x24c,
  prefAddress: 0x258,
  initSize: 0x260,
} as const;

/** boot_params fields outside the setup header (arch/x86/include/uapi/asm/bootparam.h). */
const BP = {
  altMemK: 0x1e0,
  e820Entries: 0x1e8,
  e820Table: 0x2d0,
} as const;
/** boot_params.e820_table holds at most 128 entries (E820_MAX_ENTRIES_ZEROPAGE). */
const E820_MAX_ZEROPAGE = 128;

/** "HdrS": the setup header signature of boot protocol 2.00 and later. */
const HDRS_MAGIC = 0x5372_6448;
const LOADED_HIGH = 0x01;
const CAN_USE_HEAP = 0x80;
/** type_of_loader 0xFF: "undefined" boot loader (boot.rst, "type_of_loader" field). */
const LOADER_UNDEFINED = 0xff;

/** The fixed layout this loader uses below 1 MiB (all inside the first 640 KiB of RAM). */
export const LINUX_BOOT_LAYOUT = {
  /** GDT with the flat __BOOT_CS (0x10) and __BOOT_DS (0x18) descriptors. */
  gdt: 0x6000,
  /** The boot_params zero page (4 KiB). */
  bootParams: 0x1_0000,
  /** The NUL-terminated kernel command line. */
  cmdline: 0x2_0000,
  /** The protected-mode kernel for a bzImage (LOADED_HIGH). */
  kernel: 0x10_0000,
} as const;

/** The selectors the 32-bit boot protocol requires (boot.rst "32-bit BOOT PROTOCOL"). */
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;

/** What the setup header of a bzImage says. */
export interface BzImageHeader {
  /** Boot protocol version, e.g. 0x020f for 2.15. */
  readonly protocol: number;
  /** Real-mode setup sectors (after the boot sector). */
  readonly setupSects: number;
  /** Bytes of the real-mode part (boot sector + setup), i.e. where the protected-mode kernel starts. */
  readonly setupSize: number;
  /** Bytes of the protected-mode kernel. */
  readonly kernelSize: number;
  readonly loadflags: number;
  /** 32-bit entry point of the protected-mode kernel when loaded at its default address. */
  readonly code32Start: number;
  /** Highest address the initrd may occupy (inclusive). */
  readonly initrdAddrMax: number;
  /** Longest command line without the NUL. */
  readonly cmdlineSize: number;
  readonly kernelAlignment: number;
  readonly isRelocatable: boolean;
  /** Preferred load address of a relocatable kernel (protocol 2.10+, else 0). */
  readonly prefAddress: number;
  /** Linear memory the kernel needs from its load address during decompression (2.10+, else 0). */
  readonly initSize: number;
  /** The kernel version string (`6.1.0-50-686 (debian-kernel@...) #1 SMP ...`), or "". */
  readonly kernelVersion: string;
  /** The compressed vmlinux inside the protected-mode part (protocol 2.08+): offset and length. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

/**
 * Parses and checks the setup header of a bzImage (boot protocol 2.02 or later, LOADED_HIGH).
 * Throws {@link LinuxBootError} naming what is wrong with anything else.
 *
 * @example
 * const header = parseBzImage(readFileSync("guests/vmlinuz"));
 * header.protocol.toString(16); // "20f"
 */
export function parseBzImage(image: Uint8Array): BzImageHeader {
  if (image.length < 0x400) {
    throw new LinuxBootError(`kernel image is ${image.length} bytes: too small to be a bzImage`);
  }
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (view.getUint32(HDR.header, true) !== HDRS_MAGIC) {
    if (view.getUint32(0, false) === 0x7f45_4c46) {
      throw new LinuxBootError(
        "kernel image is an ELF file (vmlinux?), not a bzImage: use arch/x86/boot/bzImage or /boot/vmlinuz-*",
      );
    }
    throw new LinuxBootError(
      'kernel image has no "HdrS" setup header at 0x202: not a Linux bzImage',
    );
  }
  const protocol = view.getUint16(HDR.version, true);
  if (protocol < 0x0202) {
    throw new LinuxBootError(
      `kernel uses boot protocol ${formatProtocol(protocol)}; at least 2.02 is needed`,
    );
  }
  const loadflags = view.getUint8(HDR.loadflags);
  if ((loadflags & LOADED_HIGH) === 0) {
    throw new LinuxBootError(
      "kernel is a zImage (loaded below 1 MiB); only bzImages are supported",
    );
  }
  const rawSects = view.getUint8(HDR.setupSects);
  const setupSects = rawSects === 0 ? 4 : rawSects;
  const setupSize = (setupSects + 1) * 512;
  if (setupSize >= image.length) {
    throw new LinuxBootError(
      `kernel image is truncated: ${image.length} bytes, but its setup alone is ${setupSize}`,
    );
  }
  const syssize = view.getUint32(HDR.syssize, true) * 16;
  const kernelSize = image.length - setupSize;
  if (syssize > kernelSize + 16) {
    throw new LinuxBootError(
      `kernel image is truncated: the header announces ${syssize} bytes of kernel, the file has ${kernelSize}`,
    );
  }
  const isAtLeast = (v: number): boolean => protocol >= v;
  return {
    protocol,
    setupSects,
    setupSize,
    kernelSize,
    loadflags,
    code32Start: view.getUint32(HDR.code32Start, true),
    initrdAddrMax: isAtLeast(0x0203) ? view.getUint32(HDR.initrdAddrMax, true) : 0x37ff_ffff,
    cmdlineSize: isAtLeast(0x0206) ? view.getUint32(HDR.cmdlineSize, true) : 255,
    kernelAlignment: isAtLeast(0x0205) ? view.getUint32(HDR.kernelAlignment, true) : 0,
    isRelocatable: isAtLeast(0x0205) && view.getUint8(HDR.relocatableKernel) !== 0,
    prefAddress: isAtLeast(0x020a) ? view.getUint32(HDR.prefAddress, true) : 0,
    initSize: isAtLeast(0x020a) ? view.getUint32(HDR.initSize, true) : 0,
    kernelVersion: readKernelVersion(image, view.getUint16(HDR.kernelVersion, true)),
    payloadOffset: isAtLeast(0x0208) ? view.getUint32(HDR.payloadOffset, true) : 0,
    payloadLength: isAtLeast(0x0208) ? view.getUint32(HDR.payloadLength, true) : 0,
  };
}

/** Guest memory as the loader writes it. */
export interface LoaderMemory {
  readonly ramSize: number;
  writeBytes(address: number, from: Uint8Array): void;
}

/** Options of {@link loadLinux}. */
export interface LinuxBootOptions {
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline?: string;
  /** The memory map for boot_params (usually {@link buildE820Map}). */
  readonly e820: readonly E820Entry[];
  /**
   * Unpack an XZ-compressed payload on the host and enter the kernel proper (default true),
   * instead of running the kernel's own decompressor in the guest (about 2.3 billion
   * instructions for Debian's 686 kernel). Other payloads always use the guest decompressor.
   */
  readonly decompressOnHost?: boolean;
}

/** Where things went and how the CPU must enter the kernel. */
export interface LinuxBootPlan {
  readonly header: BzImageHeader;
  /** EIP of the 32-bit entry: code32_start, or the kernel proper's entry when unpacked. */
  readonly entry: number;
  /** True when the payload was unpacked on the host (the guest skips the decompressor). */
  readonly isUnpacked: boolean;
  /** Physical address of boot_params (the CPU's ESI at entry). */
  readonly bootParams: number;
  /** GDT base and limit to load (with {@link BOOT_CS} and {@link BOOT_DS}). */
  readonly gdtBase: number;
  readonly gdtLimit: number;
  /** Initrd placement (size 0 when there is none). */
  readonly initrdAddress: number;
  readonly initrdSize: number;
}

/**
 * Loads a bzImage for the 32-bit boot protocol: protected-mode kernel at 1 MiB, initrd at the
 * highest page-aligned address below both RAM (and the first reserved range above 1 MiB) and
 * initrd_addr_max, command line and boot_params below 1 MiB. The caller then enters
 * `plan.entry` in flat 32-bit protected mode with paging and interrupts off, ESI =
 * `plan.bootParams`, EBP = EDI = EBX = 0, and A20 open.
 *
 * @example
 * const plan = loadLinux(physical, { kernel, initrd, cmdline: "console=ttyS0", e820: buildE820Map({ ramSize }) });
 */
export function loadLinux(memory: LoaderMemory, options: LinuxBootOptions): LinuxBootPlan {
  const { kernel } = options;
  const header = parseBzImage(kernel);
  const layout = LINUX_BOOT_LAYOUT;
  const cmdline = options.cmdline ?? "";
  const cmdBytes = new TextEncoder().encode(cmdline);
  if (cmdBytes.length > header.cmdlineSize) {
    throw new LinuxBootError(
      `kernel command line is ${cmdBytes.length} bytes; this kernel accepts at most ${header.cmdlineSize}`,
    );
  }
  const ramTop = usableTopAboveOneMiB(options.e820, memory.ramSize);
  const kernelEnd = layout.kernel + kernel.length - header.setupSize;
  // A relocatable kernel decompresses at pref_address (or where it was loaded, if higher).
  const decompressBase = Math.max(layout.kernel, header.prefAddress);
  const kernelNeeds = Math.max(kernelEnd, decompressBase + header.initSize);
  if (kernelNeeds > ramTop) {
    throw new LinuxBootError(
      `kernel needs RAM up to ${mib(kernelNeeds)} to decompress; the guest has ${mib(ramTop)} (raise -m)`,
    );
  }

  // Initrd: as high as allowed, page aligned.
  let initrdAddress = 0;
  let initrdSize = 0;
  const initrd = options.initrd;
  if (initrd !== undefined && initrd.length > 0) {
    initrdSize = initrd.length;
    const limit = Math.min(ramTop, header.initrdAddrMax + 1);
    initrdAddress = Math.floor((limit - initrdSize) / 4096) * 4096;
    if (initrdAddress < kernelNeeds) {
      throw new LinuxBootError(
        `initrd of ${mib(initrdSize)} does not fit between the kernel (up to ${mib(kernelNeeds)}) and ${mib(limit)} (raise -m)`,
      );
    }
    memory.writeBytes(initrdAddress, initrd);
  }

  // Protected-mode kernel at 1 MiB, or the kernel proper unpacked on the host.
  memory.writeBytes(layout.kernel, kernel.subarray(header.setupSize));
  let entry: number = layout.kernel;
  let isUnpacked = false;
  if (options.decompressOnHost !== false) {
    const unpacked = unpackOnHost(kernel, header, ramTop);
    if (unpacked !== undefined) {
      for (const segment of unpacked.segments) memory.writeBytes(segment.address, segment.bytes);
      entry = unpacked.entry;
      isUnpacked = true;
    }
  }

  // Command line.
  const cmdBuffer = new Uint8Array(cmdBytes.length + 1);
  cmdBuffer.set(cmdBytes);
  memory.writeBytes(layout.cmdline, cmdBuffer);

  // boot_params: zeroed, setup header copied from the image, then the loader's fields.
  const zeroPage = new Uint8Array(4096);
  const zp = new DataView(zeroPage.buffer);
  const headerEnd = HDR.header + kernel[HDR.jumpEnd]!;
  zeroPage.set(kernel.subarray(HDR.setupSects, Math.min(headerEnd, 0x290)), HDR.setupSects);
  zp.setUint8(HDR.typeOfLoader, LOADER_UNDEFINED);
  zp.setUint8(HDR.loadflags, header.loadflags | CAN_USE_HEAP);
  zp.setUint16(HDR.heapEndPtr, 0xfe00, true);
  zp.setUint32(HDR.cmdLinePtr, layout.cmdline, true);
  zp.setUint32(HDR.ramdiskImage, initrdAddress, true);
  zp.setUint32(HDR.ramdiskSize, initrdSize, true);
  zp.setUint32(HDR.code32Start, layout.kernel, true);
  zp.setUint32(BP.altMemK, Math.max(0, Math.floor((memory.ramSize - 0x10_0000) / 1024)), true);
  const e820 = options.e820.slice(0, E820_MAX_ZEROPAGE);
  zp.setUint8(BP.e820Entries, e820.length);
  zeroPage.set(encodeE820(e820), BP.e820Table);
  if (BP.e820Table + e820.length * E820_ENTRY_SIZE > zeroPage.length) {
    throw new LinuxBootError("too many E820 entries for boot_params");
  }
  memory.writeBytes(layout.bootParams, zeroPage);

  // GDT: null, null, __BOOT_CS (flat 4 GiB execute/read), __BOOT_DS (flat 4 GiB read/write).
  const gdt = new Uint8Array(32);
  const gdtView = new DataView(gdt.buffer);
  gdtView.setUint32(16, 0x0000_ffff, true);
  gdtView.setUint32(20, 0x00cf_9b00, true);
  gdtView.setUint32(24, 0x0000_ffff, true);
  gdtView.setUint32(28, 0x00cf_9300, true);
  memory.writeBytes(layout.gdt, gdt);

  return {
    header,
    entry,
    isUnpacked,
    bootParams: layout.bootParams,
    gdtBase: layout.gdt,
    gdtLimit: gdt.length - 1,
    initrdAddress,
    initrdSize,
  };
}

interface Unpacked {
  readonly entry: number;
  readonly segments: { address: number; bytes: Uint8Array }[];
}

/**
 * What the kernel's decompressor (arch/x86/boot/compressed/misc.c) does when it keeps the
 * kernel at its link address: unpack the payload (an ELF vmlinux, relocations appended) and
 * copy each PT_LOAD segment to its physical address. Returns undefined for payloads this
 * loader does not unpack (not XZ, not ELF32), which then run the guest decompressor.
 */
function unpackOnHost(
  image: Uint8Array,
  header: BzImageHeader,
  ramTop: number,
): Unpacked | undefined {
  if (header.payloadLength < 16) return undefined;
  const start = header.setupSize + header.payloadOffset;
  const payload = image.subarray(start, start + header.payloadLength);
  if (payload[0] !== 0xfd || payload[1] !== 0x37 || payload[2] !== 0x7a) return undefined;
  const size = new DataView(payload.buffer, payload.byteOffset).getUint32(payload.length - 4, true);
  let elf: Uint8Array;
  try {
    elf = decodeXz(payload, size);
  } catch (error) {
    throw new LinuxBootError(`kernel payload does not decompress: ${(error as Error).message}`);
  }
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.length < 52 || view.getUint32(0, false) !== 0x7f45_4c46 || elf[4] !== 1) return undefined;
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const segments: { address: number; bytes: Uint8Array }[] = [];
  let entry = view.getUint32(24, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = view.getUint32(ph + 4, true);
    const vaddr = view.getUint32(ph + 8, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (paddr + memsz > ramTop) {
      throw new LinuxBootError(`kernel needs RAM up to ${mib(paddr + memsz)} (raise -m)`);
    }
    const bytes = new Uint8Array(memsz);
    bytes.set(elf.subarray(offset, offset + filesz));
    segments.push({ address: paddr, bytes });
    // e_entry is virtual (0xC1000000 for a 3G/1G split): enter at its physical alias.
    if (entry >= vaddr && entry < vaddr + memsz) entry = entry - vaddr + paddr;
  }
  return segments.length > 0 ? { entry, segments } : undefined;
}

/** The end of the first RAM range that starts at 1 MiB (where kernel and initrd must live). */
function usableTopAboveOneMiB(e820: readonly E820Entry[], ramSize: number): number {
  for (const entry of e820) {
    if (entry.type === 1 && entry.base <= 0x10_0000 && entry.base + entry.size > 0x10_0000) {
      return Math.min(entry.base + entry.size, ramSize);
    }
  }
  throw new LinuxBootError(
    "the memory map has no RAM at 1 MiB: a Linux kernel needs more than 1 MiB",
  );
}

function readKernelVersion(image: Uint8Array, pointer: number): string {
  if (pointer === 0) return "";
  const at = pointer + 0x200;
  let end = at;
  while (end < image.length && end < at + 256 && image[end] !== 0) end++;
  return new TextDecoder("latin1").decode(image.subarray(at, end));
}

function formatProtocol(version: number): string {
  return `${version >> 8}.${(version & 0xff).toString().padStart(2, "0")}`;
}

function mib(bytes: number): string {
  return `${(bytes / 0x10_0000).toFixed(1)} MiB`;
}
