// IDENTIFY DEVICE and IDENTIFY PACKET DEVICE data (ATA-6 8.15 table 23, 8.16 table 25).

/** Geometry reported in words 1/3/6 and used for CHS addressing. */
export interface ChsGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
}

/** Largest CHS geometry IDENTIFY can express (ATA-6 6.2.1: 16,383 x 16 x 63). */
const MAX_CHS_SECTORS = 16383 * 16 * 63;

/** Default translation for a disk of `sectors` (ATA-6 annex B: 16 heads, 63 sectors/track). */
export function defaultGeometry(sectors: number): ChsGeometry {
  const cylinders = Math.max(
    1,
    Math.min(16383, Math.floor(Math.min(sectors, MAX_CHS_SECTORS) / (16 * 63))),
  );
  return { cylinders, heads: 16, sectorsPerTrack: 63 };
}

/** ATA strings: space padded, two characters per word, first character in the high byte (8.15). */
export function putAtaString(words: Uint16Array, first: number, count: number, text: string): void {
  const padded = text.padEnd(count * 2, " ").slice(0, count * 2);
  for (let i = 0; i < count; i++) {
    words[first + i] =
      ((padded.charCodeAt(2 * i) & 0xff) << 8) | (padded.charCodeAt(2 * i + 1) & 0xff);
  }
}

/** Word 255: signature A5h in the low byte, checksum making all 512 bytes sum to 0 (8.15.62). */
export function sealIdentify(words: Uint16Array): void {
  words[255] = 0xa5;
  let sum = 0;
  for (let i = 0; i < 255; i++) sum += (words[i]! & 0xff) + (words[i]! >> 8);
  sum += 0xa5;
  words[255] = 0xa5 | (((0x100 - (sum & 0xff)) & 0xff) << 8);
}

/** Transfer modes as SET FEATURES 03h selects them (ATA-6 8.37.10). */
export interface TransferModes {
  /** Multiword DMA mode selected (0-2), or -1. */
  mwdma: number;
  /** Ultra DMA mode selected (0-5), or -1. */
  udma: number;
}

export interface AtaIdentifyInput {
  readonly sectors: number;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly geometry: ChsGeometry;
  readonly current: ChsGeometry;
  /** Sectors per block of READ/WRITE MULTIPLE, 0 when disabled. */
  readonly multiple: number;
  readonly modes: TransferModes;
  readonly isWriteCacheEnabled: boolean;
}

/** Maximum sectors per READ/WRITE MULTIPLE block we support (word 47). */
export const MAX_MULTIPLE = 16;

function putModes(words: Uint16Array, modes: TransferModes): void {
  // Word 63: MWDMA modes 0-2 supported (bits 0-2), selected mode in bits 8-10.
  words[63] = 0x0007 | (modes.mwdma >= 0 ? 0x100 << modes.mwdma : 0);
  // Word 88: UDMA modes 0-5 supported (bits 0-5), selected mode in bits 8-13.
  words[88] = 0x003f | (modes.udma >= 0 ? 0x100 << modes.udma : 0);
}

export function ataIdentify(input: AtaIdentifyInput): Uint16Array {
  const w = new Uint16Array(256);
  const lba28 = Math.min(input.sectors, 0x0fff_ffff);
  w[0] = 0x0040; // bit 6: fixed device; bit 15 clear: ATA
  w[1] = input.geometry.cylinders;
  w[3] = input.geometry.heads;
  w[6] = input.geometry.sectorsPerTrack;
  putAtaString(w, 10, 10, input.serial);
  putAtaString(w, 23, 4, input.firmware);
  putAtaString(w, 27, 20, input.model);
  w[47] = 0x8000 | MAX_MULTIPLE; // bits 15:8 = 80h, 7:0 = max sectors per multiple block
  w[49] = 0x0300; // bit 9 LBA supported, bit 8 DMA supported
  w[50] = 0x4000; // bit 14 shall be one
  w[51] = 0x0200; // PIO data transfer cycle timing mode (obsolete): mode 2
  w[53] = 0x0007; // words 54-58, 64-70 and 88 are valid
  w[54] = input.current.cylinders;
  w[55] = input.current.heads;
  w[56] = input.current.sectorsPerTrack;
  const currentCapacity =
    input.current.cylinders * input.current.heads * input.current.sectorsPerTrack;
  w[57] = currentCapacity & 0xffff;
  w[58] = currentCapacity >>> 16;
  w[59] = input.multiple > 0 ? 0x0100 | input.multiple : 0; // bit 8: multiple setting valid
  w[60] = lba28 & 0xffff;
  w[61] = lba28 >>> 16;
  w[64] = 0x0003; // advanced PIO modes 3 and 4
  w[65] = 120; // minimum multiword DMA cycle time (ns)
  w[66] = 120; // recommended multiword DMA cycle time
  w[67] = 120; // minimum PIO cycle time without IORDY
  w[68] = 120; // minimum PIO cycle time with IORDY
  w[80] = 0x007e; // major version: ATA-1 through ATA/ATAPI-6
  w[82] = 0x4020; // supported: NOP (14), write cache (5)
  w[83] = 0x7400; // bit 14 one, FLUSH CACHE EXT (13), FLUSH CACHE (12), 48-bit address (10)
  w[84] = 0x4000; // bit 14 shall be one
  w[85] = 0x4000 | (input.isWriteCacheEnabled ? 0x0020 : 0); // enabled: NOP, write cache
  w[86] = 0x3400; // enabled: FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
  w[87] = 0x4000;
  putModes(w, input.modes);
  // Word 93: bit 14 one, bit 13 80-conductor cable detected, bits 1-2 = 01 (jumper), bit 3 passed.
  w[93] = 0x600b;
  const lba48 = input.sectors;
  w[100] = lba48 & 0xffff;
  w[101] = Math.floor(lba48 / 0x1_0000) & 0xffff;
  w[102] = Math.floor(lba48 / 0x1_0000_0000) & 0xffff;
  w[103] = 0;
  sealIdentify(w);
  return w;
}

export interface AtapiIdentifyInput {
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly modes: TransferModes;
}

export function atapiIdentify(input: AtapiIdentifyInput): Uint16Array {
  const w = new Uint16Array(256);
  // Word 0 (8.16): 10b ATAPI (15:14), 05h CD-ROM (12:8), removable (7),
  // 10b DRQ within 50 us of PACKET (6:5), 00b 12-byte packets (1:0).
  w[0] = 0x85c0;
  putAtaString(w, 10, 10, input.serial);
  putAtaString(w, 23, 4, input.firmware);
  putAtaString(w, 27, 20, input.model);
  w[49] = 0x0300; // LBA (shall be one) and DMA supported
  w[50] = 0x4000;
  w[53] = 0x0006; // words 64-70 and 88 valid
  w[64] = 0x0003;
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0x007e;
  w[82] = 0x4210; // supported: NOP (14), DEVICE RESET (9), PACKET (4)
  w[83] = 0x4000;
  w[84] = 0x4000;
  w[85] = 0x4210;
  w[86] = 0x0000;
  w[87] = 0x4000;
  putModes(w, input.modes);
  w[93] = 0x600b;
  sealIdentify(w);
  return w;
}
