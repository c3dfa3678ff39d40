// A small ACPI Machine Language encoder for the board's own DSDT: just the terms the board's
// tables use (ACPI 6.4, chapter 20 "ACPI Machine Language Specification": 20.2.2 name
// objects, 20.2.3 data objects, 20.2.4 package length, 20.2.5 term objects) and the resource
// descriptors of a _CRS buffer (6.4.2 small and 6.4.3 large resource data types).
// Every helper returns the bytes of one term; encodings are the shortest ones, as iasl emits.

export type Aml = readonly number[];

const ZERO_OP = 0x00;
const ONE_OP = 0x01;
const ONES_OP = 0xff;
const BYTE_PREFIX = 0x0a;
const WORD_PREFIX = 0x0b;
const DWORD_PREFIX = 0x0c;
const STRING_PREFIX = 0x0d;
const ROOT_CHAR = 0x5c;
const DUAL_NAME_PREFIX = 0x2e;
const MULTI_NAME_PREFIX = 0x2f;
const NAME_OP = 0x08;
const SCOPE_OP = 0x10;
const BUFFER_OP = 0x11;
const PACKAGE_OP = 0x12;
const EXT_OP_PREFIX = 0x5b;
const DEVICE_OP = 0x82;

/** PkgLength (20.2.4): the length counts its own bytes; 1 to 4 bytes. */
export function pkgLength(contentLength: number): number[] {
  if (contentLength + 1 < 0x40) return [contentLength + 1];
  for (let extra = 1; extra <= 3; extra++) {
    const total = contentLength + 1 + extra;
    if (total < 1 << (4 + 8 * extra)) {
      const out = [(extra << 6) | (total & 0x0f)];
      for (let i = 0; i < extra; i++) out.push((total >>> (4 + 8 * i)) & 0xff);
      return out;
    }
  }
  throw new RangeError(`AML package of ${contentLength} bytes is too long`);
}

/** A NameSeg: up to four characters of [A-Z0-9_], padded with '_'. */
function nameSeg(seg: string): number[] {
  if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(seg)) throw new Error(`bad AML name segment "${seg}"`);
  const padded = seg.padEnd(4, "_");
  return [...padded].map((c) => c.charCodeAt(0));
}

/** A NameString such as `_SB`, `\\_SB.PCI0` or `PCI0` (20.2.2). */
export function nameString(path: string): number[] {
  const out: number[] = [];
  let rest = path;
  if (rest.startsWith("\\")) {
    out.push(ROOT_CHAR);
    rest = rest.slice(1);
  }
  const segs = rest.length === 0 ? [] : rest.split(".");
  if (segs.length === 0) out.push(0x00);
  else if (segs.length === 2) out.push(DUAL_NAME_PREFIX);
  else if (segs.length > 2) out.push(MULTI_NAME_PREFIX, segs.length);
  for (const seg of segs) out.push(...nameSeg(seg));
  return out;
}

/** An integer constant in its shortest form (ZeroOp, OneOp, OnesOp, Byte/Word/DWordConst). */
export function integer(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff)
    throw new RangeError(`AML integer ${value} is not a 32-bit unsigned value`);
  if (value === 0) return [ZERO_OP];
  if (value === 1) return [ONE_OP];
  if (value <= 0xff) return [BYTE_PREFIX, value];
  if (value <= 0xffff) return [WORD_PREFIX, value & 0xff, value >>> 8];
  return [DWORD_PREFIX, ...le32(value)];
}

/** `Ones` (all bits set). */
export function ones(): number[] {
  return [ONES_OP];
}

/** A string constant (ASCII, NUL-terminated). */
export function string(text: string): number[] {
  return [STRING_PREFIX, ...[...text].map((c) => c.charCodeAt(0) & 0x7f), 0x00];
}

/** EisaId ("PNP0A03"): three compressed letters and four hex digits (6.1.5 _HID). */
export function eisaId(id: string): number[] {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id)) throw new Error(`bad EISA ID "${id}"`);
  const c = (i: number): number => id.charCodeAt(i) - 0x40;
  const vendor = (c(0) << 10) | (c(1) << 5) | c(2);
  const product = parseInt(id.slice(3), 16);
  return integer(
    ((vendor >>> 8) |
      ((vendor & 0xff) << 8) |
      ((product >>> 8) << 16) |
      ((product & 0xff) << 24)) >>>
      0,
  );
}

/** Name (path, object). */
export function name(path: string, object: Aml): number[] {
  return [NAME_OP, ...nameString(path), ...object];
}

/** Scope (path) { terms }. */
export function scope(path: string, ...terms: Aml[]): number[] {
  const body = [...nameString(path), ...terms.flat()];
  return [SCOPE_OP, ...pkgLength(body.length), ...body];
}

/** Device (path) { terms }. */
export function device(path: string, ...terms: Aml[]): number[] {
  const body = [...nameString(path), ...terms.flat()];
  return [EXT_OP_PREFIX, DEVICE_OP, ...pkgLength(body.length), ...body];
}

/** Package () { elements } (fewer than 256 elements). */
export function pkg(...elements: Aml[]): number[] {
  if (elements.length > 255) throw new RangeError("AML Package with more than 255 elements");
  const body = [elements.length, ...elements.flat()];
  return [PACKAGE_OP, ...pkgLength(body.length), ...body];
}

/** Buffer () { bytes }, its size given as an integer term. */
export function buffer(bytes: Aml): number[] {
  const body = [...integer(bytes.length), ...bytes];
  return [BUFFER_OP, ...pkgLength(body.length), ...body];
}

// --- resource descriptors (ACPI 6.4, 6.4.2 and 6.4.3) ---------------------------------------

/** General flags of an address space descriptor: producer, positive decode, min and max fixed. */
const ADDRESS_FIXED_PRODUCER = 0x0c;
const RESOURCE_MEMORY = 0;
const RESOURCE_IO = 1;
const RESOURCE_BUS = 2;

/** IO (Decode16, min, max, alignment, length): I/O port descriptor, 8 bytes (6.4.2.5). */
export function ioPort(min: number, max: number, alignment: number, length: number): number[] {
  return [0x47, 0x01, ...le16(min), ...le16(max), alignment, length];
}

/** WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, length). */
export function wordBusNumber(min: number, max: number): number[] {
  return wordAddress(RESOURCE_BUS, 0, min, max);
}

/** WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, len). */
export function wordIo(min: number, max: number): number[] {
  return wordAddress(RESOURCE_IO, 0x03, min, max);
}

/** Word address space descriptor (6.4.3.5.3), 16 bytes. */
function wordAddress(type: number, specific: number, min: number, max: number): number[] {
  return [
    0x88,
    ...le16(13),
    type,
    ADDRESS_FIXED_PRODUCER,
    specific,
    ...le16(0),
    ...le16(min),
    ...le16(max),
    ...le16(0),
    ...le16(max - min + 1),
  ];
}

/**
 * DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, cacheable?, ReadWrite, 0,
 * min, max, 0, length): DWord address space descriptor (6.4.3.5.2), 26 bytes. Type-specific
 * flags: bit 0 read-write, bits 2:1 memory attribute (1 cacheable, 0 non-cacheable).
 */
export function dwordMemory(min: number, max: number, isCacheable: boolean): number[] {
  return [
    0x87,
    ...le16(23),
    RESOURCE_MEMORY,
    ADDRESS_FIXED_PRODUCER,
    isCacheable ? 0x03 : 0x01,
    ...le32(0),
    ...le32(min),
    ...le32(max),
    ...le32(0),
    ...le32(max - min + 1),
  ];
}

/** ResourceTemplate () { descriptors }: a buffer ending with the end tag (checksum 0). */
export function resourceTemplate(...descriptors: Aml[]): number[] {
  return buffer([...descriptors.flat(), 0x79, 0x00]);
}

function le16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}
