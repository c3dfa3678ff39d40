// QEMU's BIOS linker/loader interface (QEMU hw/acpi/bios-linker-loader.c; SeaBIOS
// src/fw/romfile_loader.c consumes it): the fw_cfg file `etc/table-loader` holds 128-byte
// little-endian commands that tell the firmware to copy fw_cfg files into guest memory
// (ALLOCATE), add the address a file landed at to a pointer field of another (ADD_POINTER)
// and fix up a checksum byte (ADD_CHECKSUM). The board publishes its ACPI tables this way,
// and links the same files itself for a direct boot (no firmware).

/** Command codes (bios-linker-loader.c BIOS_LINKER_LOADER_COMMAND_*). */
export const LoaderCommandCode = {
  Allocate: 1,
  AddPointer: 2,
  AddChecksum: 3,
} as const;

/** ALLOCATE zones: anywhere in high memory, or the 0xF0000 segment (where the RSDP goes). */
export const LoaderZone = { High: 1, FSeg: 2 } as const;

/** Every command is this long (a u32 code and a 124-byte union). */
export const LOADER_COMMAND_BYTES = 128;
/** Bytes of a file name field, NUL included (fw_cfg's name length). */
export const LOADER_FILE_NAME_BYTES = 56;

export type LoaderCommand =
  | {
      readonly command: "allocate";
      readonly file: string;
      /** Alignment of the copy, a power of two. */
      readonly align: number;
      readonly zone: (typeof LoaderZone)[keyof typeof LoaderZone];
    }
  | {
      readonly command: "add-pointer";
      /** The file holding the pointer field (its value is an offset into `sourceFile`). */
      readonly destFile: string;
      readonly sourceFile: string;
      readonly offset: number;
      readonly size: 1 | 2 | 4 | 8;
    }
  | {
      readonly command: "add-checksum";
      readonly file: string;
      /** The checksum byte: the loader subtracts the byte sum of [start, start + length). */
      readonly offset: number;
      readonly start: number;
      readonly length: number;
    };

/** Encodes commands as the `etc/table-loader` file. */
export function encodeTableLoader(commands: readonly LoaderCommand[]): Uint8Array {
  const out = new Uint8Array(commands.length * LOADER_COMMAND_BYTES);
  const view = new DataView(out.buffer);
  commands.forEach((c, i) => {
    const at = i * LOADER_COMMAND_BYTES;
    const name = (offset: number, text: string) => {
      if (text.length >= LOADER_FILE_NAME_BYTES || !/^[\x20-\x7e]*$/.test(text))
        throw new RangeError(`table-loader file name not usable: ${text}`);
      for (let k = 0; k < text.length; k++) out[at + offset + k] = text.charCodeAt(k);
    };
    switch (c.command) {
      case "allocate":
        view.setUint32(at, LoaderCommandCode.Allocate, true);
        name(4, c.file);
        view.setUint32(at + 60, c.align, true);
        out[at + 64] = c.zone;
        break;
      case "add-pointer":
        view.setUint32(at, LoaderCommandCode.AddPointer, true);
        name(4, c.destFile);
        name(60, c.sourceFile);
        view.setUint32(at + 116, c.offset, true);
        out[at + 120] = c.size;
        break;
      case "add-checksum":
        view.setUint32(at, LoaderCommandCode.AddChecksum, true);
        name(4, c.file);
        view.setUint32(at + 60, c.offset, true);
        view.setUint32(at + 64, c.start, true);
        view.setUint32(at + 68, c.length, true);
        break;
    }
  });
  return out;
}

/**
 * Runs the commands on the host, as firmware would, with every file placed at `addresses`
 * (name -> guest physical address): returns the patched copies. Used for a direct boot.
 */
export function linkTables(
  commands: readonly LoaderCommand[],
  files: ReadonlyMap<string, Uint8Array>,
  addresses: ReadonlyMap<string, number>,
): Map<string, Uint8Array> {
  const placed = new Map<string, Uint8Array>();
  const get = (file: string): Uint8Array => {
    const data = placed.get(file);
    if (data === undefined) throw new Error(`table-loader: ${file} used before ALLOCATE`);
    return data;
  };
  for (const c of commands) {
    if (c.command === "allocate") {
      const data = files.get(c.file);
      const address = addresses.get(c.file);
      if (data === undefined || address === undefined)
        throw new Error(`table-loader: no data or address for ${c.file}`);
      if (address % c.align !== 0) throw new Error(`table-loader: ${c.file} misaligned`);
      placed.set(c.file, data.slice());
    } else if (c.command === "add-pointer") {
      const dest = get(c.destFile);
      get(c.sourceFile);
      let value = 0;
      for (let k = c.size - 1; k >= 0; k--) value = value * 256 + dest[c.offset + k]!;
      value += addresses.get(c.sourceFile)!;
      for (let k = 0; k < c.size; k++) {
        dest[c.offset + k] = value % 256;
        value = Math.floor(value / 256);
      }
    } else {
      const data = get(c.file);
      let sum = 0;
      for (let k = c.start; k < c.start + c.length; k++) sum += data[k]!;
      data[c.offset] = (data[c.offset]! - sum) & 0xff;
    }
  }
  return placed;
}
