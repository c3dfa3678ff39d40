// QEMU's firmware configuration device (QEMU docs/specs/fw_cfg.rst), traditional I/O
// interface only: a 16-bit selector at 510h and a byte-wide data port at 511h. SeaBIOS
// reads the RAM size, CPU count, the E820 map (`etc/e820`), the boot order and files from it.
import type { Device, DeviceContext, ResetKind } from "@ringvm/bus";
import { encodeE820, type E820Entry } from "./e820";

/** Well-known selectors (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
export const FwCfgKey = {
  Signature: 0x00,
  Id: 0x01,
  RamSize: 0x03,
  NoGraphic: 0x04,
  NbCpus: 0x05,
  KernelAddr: 0x07,
  KernelSize: 0x08,
  KernelCmdline: 0x09,
  InitrdAddr: 0x0a,
  InitrdSize: 0x0b,
  BootDevice: 0x0c,
  BootMenu: 0x0e,
  MaxCpus: 0x0f,
  KernelEntry: 0x10,
  KernelData: 0x11,
  InitrdData: 0x12,
  CmdlineAddr: 0x13,
  CmdlineSize: 0x14,
  CmdlineData: 0x15,
  SetupAddr: 0x16,
  SetupSize: 0x17,
  SetupData: 0x18,
  FileDir: 0x19,
  FileFirst: 0x20,
} as const;

/** Selector port (16 bit) and data port (8 bit). */
export const FW_CFG_SELECTOR_PORT = 0x510;
export const FW_CFG_DATA_PORT = 0x511;
/** Bytes of a file name in a directory entry, NUL included. */
const FILE_NAME_BYTES = 56;
/** FW_CFG_ID bit 0: the traditional interface. DMA (bit 1) is not offered. */
const FEATURE_TRADITIONAL = 1;

/**
 * The fw_cfg device. Items are byte arrays read sequentially after a selector write;
 * reads past an item's end return 0.
 *
 * @example
 * const fwCfg = new FwCfg();
 * fwCfg.setU64(FwCfgKey.RamSize, 128 << 20);
 * fwCfg.addFile("etc/e820", encodeE820(map));
 * fwCfg.attach(context);
 */
export class FwCfg implements Device {
  readonly specificationVersion = "v1";
  readonly name = "fw-cfg";
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: { name: string; key: number; size: number }[] = [];
  private selected: Uint8Array | undefined;
  private offset = 0;

  constructor() {
    this.set(FwCfgKey.Signature, new TextEncoder().encode("QEMU"));
    this.setU32(FwCfgKey.Id, FEATURE_TRADITIONAL);
    this.updateDirectory();
  }

  /** Stores item `key` (replacing it). */
  set(key: number, data: Uint8Array): void {
    this.items.set(key & 0xffff, data);
  }

  setU16(key: number, value: number): void {
    const data = new Uint8Array(2);
    new DataView(data.buffer).setUint16(0, value, true);
    this.set(key, data);
  }

  setU32(key: number, value: number): void {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, value >>> 0, true);
    this.set(key, data);
  }

  setU64(key: number, value: number): void {
    const data = new Uint8Array(8);
    const view = new DataView(data.buffer);
    view.setUint32(0, value % 0x1_0000_0000, true);
    view.setUint32(4, Math.floor(value / 0x1_0000_0000), true);
    this.set(key, data);
  }

  /** Adds a named file (listed in the directory item, big-endian as the spec says). */
  addFile(name: string, data: Uint8Array): void {
    if (name.length >= FILE_NAME_BYTES) throw new RangeError(`fw_cfg file name too long: ${name}`);
    const existing = this.files.find((f) => f.name === name);
    const key = existing?.key ?? FwCfgKey.FileFirst + this.files.length;
    if (existing !== undefined) existing.size = data.length;
    else this.files.push({ name, key, size: data.length });
    this.set(key, data);
    this.updateDirectory();
  }

  /** The E820 map as `etc/e820` (little-endian 20-byte entries). */
  setE820(entries: readonly E820Entry[]): void {
    this.addFile("etc/e820", encodeE820(entries));
  }

  attach(context: DeviceContext): void {
    context.io.registerPorts(
      FW_CFG_SELECTOR_PORT,
      1,
      { read: () => 0, write: (_p, _w, value) => this.select(value & 0xffff) },
      { owner: this.name, widths: [2] },
    );
    context.io.registerPorts(
      FW_CFG_DATA_PORT,
      1,
      { read: () => this.readData(), write: () => undefined },
      { owner: this.name, widths: [1] },
    );
  }

  reset(_kind: ResetKind): void {
    this.selected = undefined;
    this.offset = 0;
  }

  select(key: number): void {
    this.selected = this.items.get(key);
    this.offset = 0;
  }

  readData(): number {
    const item = this.selected;
    if (item === undefined || this.offset >= item.length) return 0;
    return item[this.offset++]!;
  }

  private updateDirectory(): void {
    const dir = new Uint8Array(4 + this.files.length * 64);
    const view = new DataView(dir.buffer);
    view.setUint32(0, this.files.length, false);
    const encoder = new TextEncoder();
    this.files.forEach((file, i) => {
      const at = 4 + i * 64;
      view.setUint32(at, file.size, false);
      view.setUint16(at + 4, file.key, false);
      dir.set(encoder.encode(file.name), at + 8);
    });
    this.items.set(FwCfgKey.FileDir, dir);
  }
}
