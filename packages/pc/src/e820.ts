// The BIOS memory map (INT 15h E820h) a PC board reports: in boot_params for a direct Linux
// boot, and through fw_cfg `etc/e820` for SeaBIOS.

/** E820 range types (ACPI 6.4, table 15.312 "Address Range Types"). */
export const E820Type = {
  Ram: 1,
  Reserved: 2,
  Acpi: 3,
  Nvs: 4,
} as const;
export type E820Type = (typeof E820Type)[keyof typeof E820Type];

/** One range of the map. `base + size` never exceeds 2^53 here, so numbers suffice. */
export interface E820Entry {
  readonly base: number;
  readonly size: number;
  readonly type: E820Type;
}

/** Size of one entry in boot_params and fw_cfg `etc/e820`: u64 addr, u64 size, u32 type. */
export const E820_ENTRY_SIZE = 20;

/**
 * Conventional memory ends at 639 KiB: the last KiB below 0xA0000 is the extended BIOS data
 * area, as QEMU and SeaBIOS lay it out.
 */
export const EBDA_BASE = 0x9_fc00;

/** Options of {@link buildE820Map}. */
export interface E820MapOptions {
  /** Guest RAM in bytes (RAM starts at 0; the legacy hole 0xA0000-0xFFFFF is cut out). */
  readonly ramSize: number;
  /** Top-of-RAM ranges to report as ACPI reclaimable (for tables the board wrote there). */
  readonly acpi?: { readonly base: number; readonly size: number };
  /** Size of the BIOS ROM at the top of 4 GiB, reported reserved (0 = none). */
  readonly biosRomSize?: number;
}

/**
 * The map a PC with `ramSize` bytes of RAM reports: low RAM to the EBDA, the EBDA and the
 * 0xF0000 BIOS segment reserved, RAM from 1 MiB (minus ACPI tables at its top, if any), and
 * the BIOS ROM below 4 GiB.
 *
 * @example
 * buildE820Map({ ramSize: 128 << 20 });
 * // [{ base: 0, size: 0x9fc00, type: 1 }, { base: 0x9fc00, size: 0x400, type: 2 },
 * //  { base: 0xf0000, size: 0x10000, type: 2 }, { base: 0x100000, size: 0x7f00000, type: 1 }]
 */
export function buildE820Map(options: E820MapOptions): E820Entry[] {
  const { ramSize } = options;
  const map: E820Entry[] = [
    { base: 0, size: EBDA_BASE, type: E820Type.Ram },
    { base: EBDA_BASE, size: 0xa_0000 - EBDA_BASE, type: E820Type.Reserved },
    { base: 0xf_0000, size: 0x1_0000, type: E820Type.Reserved },
  ];
  if (ramSize > 0x10_0000) {
    const acpi = options.acpi;
    const ramTop = acpi !== undefined ? acpi.base : ramSize;
    map.push({ base: 0x10_0000, size: ramTop - 0x10_0000, type: E820Type.Ram });
    if (acpi !== undefined) map.push({ base: acpi.base, size: acpi.size, type: E820Type.Acpi });
  }
  const rom = options.biosRomSize ?? 0;
  if (rom > 0) map.push({ base: 0x1_0000_0000 - rom, size: rom, type: E820Type.Reserved });
  return map;
}

/** Serializes entries in the 20-byte little-endian layout (boot_params, fw_cfg `etc/e820`). */
export function encodeE820(entries: readonly E820Entry[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * E820_ENTRY_SIZE);
  const view = new DataView(bytes.buffer);
  entries.forEach((entry, i) => {
    const at = i * E820_ENTRY_SIZE;
    writeU64(view, at, entry.base);
    writeU64(view, at + 8, entry.size);
    view.setUint32(at + 16, entry.type, true);
  });
  return bytes;
}

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}
