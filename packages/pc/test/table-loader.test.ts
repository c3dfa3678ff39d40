// The board's ACPI tables as fw_cfg files for SeaBIOS: `etc/table-loader` in QEMU's BIOS
// linker/loader format (QEMU hw/acpi/bios-linker-loader.c: 128-byte little-endian entries,
// u32 command at 0; ALLOCATE file[56] at 4, align u32 at 60, zone u8 at 64; ADD_POINTER
// dest_file[56] at 4, src_file[56] at 60, offset u32 at 116, size u8 at 120; ADD_CHECKSUM
// file[56] at 4, offset u32 at 60, start u32 at 64, length u32 at 68), executed here the way
// SeaBIOS's romfile_loader.c does (pointer += address of the source file; checksum byte -=
// byte sum of the range), with checksums and pointers checked independently. The PM1 control
// block the FADT names, with the SLP_TYP the DSDT's \_S5 names, powers the board off.
import { describe, expect, it } from "vitest";
import { createPc } from "../src/index";
import { encodeTableLoader, LoaderZone } from "../src/table-loader";

describe("encodeTableLoader", () => {
  it("lays out ALLOCATE, ADD_POINTER and ADD_CHECKSUM as bios-linker-loader.c documents", () => {
    const bytes = encodeTableLoader([
      { command: "allocate", file: "etc/acpi/tables", align: 64, zone: LoaderZone.High },
      {
        command: "add-pointer",
        destFile: "etc/acpi/rsdp",
        sourceFile: "etc/acpi/tables",
        offset: 16,
        size: 4,
      },
      { command: "add-checksum", file: "etc/acpi/rsdp", offset: 8, start: 0, length: 20 },
    ]);
    expect(bytes.length).toBe(3 * 128);
    const expected = new Uint8Array(3 * 128);
    const put = (at: number, values: number[]) => expected.set(values, at);
    const text = (at: number, s: string) => put(at, [...Buffer.from(s, "latin1")]);
    put(0, [1, 0, 0, 0]);
    text(4, "etc/acpi/tables");
    put(60, [64, 0, 0, 0]);
    put(64, [1]); // BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH
    put(128, [2, 0, 0, 0]);
    text(128 + 4, "etc/acpi/rsdp");
    text(128 + 60, "etc/acpi/tables");
    put(128 + 116, [16, 0, 0, 0]);
    put(128 + 120, [4]);
    put(256, [3, 0, 0, 0]);
    text(256 + 4, "etc/acpi/rsdp");
    put(256 + 60, [8, 0, 0, 0]);
    put(256 + 64, [0, 0, 0, 0]);
    put(256 + 68, [20, 0, 0, 0]);
    expect([...bytes]).toEqual([...expected]);
  });

  it("refuses file names that do not fit the 56-byte field", () => {
    expect(() =>
      encodeTableLoader([{ command: "allocate", file: "x".repeat(56), align: 16, zone: 1 }]),
    ).toThrow(RangeError);
  });
});

/** Reads fw_cfg item `key` through the I/O ports, as firmware does. */
function readItem(pc: ReturnType<typeof createPc>, key: number, length: number): Uint8Array {
  pc.ports.out16(0x510, key);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = pc.ports.in8(0x511);
  return out;
}

function readFiles(pc: ReturnType<typeof createPc>): Map<string, Uint8Array> {
  const count = new DataView(readItem(pc, 0x19, 4).buffer).getUint32(0, false);
  const dir = readItem(pc, 0x19, 4 + 64 * count);
  const view = new DataView(dir.buffer);
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const at = 4 + 64 * i;
    const size = view.getUint32(at, false);
    const select = view.getUint16(at + 4, false);
    const raw = dir.subarray(at + 8, at + 64);
    const name = Buffer.from(raw.subarray(0, raw.indexOf(0))).toString("latin1");
    files.set(name, readItem(pc, select, size));
  }
  return files;
}

/** A real-mode ROM: PMBA 601h and PMREGMISC 1 on 00:01.3 (as SeaBIOS), then PM1a_CNT. */
function powerOffRom(pm1Control: number, value: number): Uint8Array {
  const image = new Uint8Array(0x1_0000);
  const outl = (port: number, v: number) => [
    0xba,
    port & 0xff,
    port >> 8, // mov dx, port
    0x66,
    0xb8,
    v & 0xff,
    (v >>> 8) & 0xff,
    (v >>> 16) & 0xff,
    v >>> 24, // mov eax, v
    0x66,
    0xef, // out dx, eax
  ];
  const code = [
    ...outl(0xcf8, 0x8000_0b40), // bus 0, device 1, function 3, register 40h (PMBA)
    ...outl(0xcfc, 0x601),
    ...outl(0xcf8, 0x8000_0b80), // PMREGMISC
    ...[0xba, 0xfc, 0x0c, 0xb0, 0x01, 0xee], // mov dx, 0CFCh; mov al, 1; out dx, al
    ...[0xba, pm1Control & 0xff, pm1Control >> 8], // mov dx, PM1a_CNT
    ...[0xb8, value & 0xff, value >> 8, 0xef], // mov ax, value; out dx, ax
    0xf4,
    0xeb,
    0xfd, // hlt; jmp $-1
  ];
  image.set(code, 0);
  image.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  return image;
}

describe("ACPI tables for SeaBIOS (fw_cfg etc/table-loader)", () => {
  const pc = createPc({ bios: powerOffRom(0, 0), memorySize: 64 << 20 });
  const files = readFiles(pc);
  const loader = files.get("etc/table-loader")!;
  // SeaBIOS's romfile_loader.c, step by step; ZoneHigh near the top of RAM, FSEG in F000h.
  const where = new Map([
    ["etc/acpi/tables", 0x03ff_0000],
    ["etc/acpi/rsdp", 0x000f_5a40],
  ]);
  const memory = new Map<string, Uint8Array>();
  const name = (at: number) => {
    const raw = loader.subarray(at, at + 56);
    return Buffer.from(raw.subarray(0, raw.indexOf(0))).toString("latin1");
  };
  const lv = new DataView(loader.buffer, loader.byteOffset, loader.length);
  const commands: number[] = [];
  for (let at = 0; at < loader.length; at += 128) {
    const command = lv.getUint32(at, true);
    commands.push(command);
    if (command === 1) {
      const file = name(at + 4);
      const align = lv.getUint32(at + 60, true);
      expect(where.get(file)! % align).toBe(0);
      expect(loader[at + 64]).toBe(file === "etc/acpi/rsdp" ? 2 : 1);
      memory.set(file, files.get(file)!.slice());
    } else if (command === 2) {
      const dest = memory.get(name(at + 4))!;
      const source = name(at + 60);
      expect(memory.has(source)).toBe(true);
      const offset = lv.getUint32(at + 116, true);
      expect(loader[at + 120]).toBe(4);
      const dv = new DataView(dest.buffer);
      dv.setUint32(offset, dv.getUint32(offset, true) + where.get(source)!, true);
    } else if (command === 3) {
      const data = memory.get(name(at + 4))!;
      const offset = lv.getUint32(at + 60, true);
      const start = lv.getUint32(at + 64, true);
      const length = lv.getUint32(at + 68, true);
      let sum = 0;
      for (let i = start; i < start + length; i++) sum += data[i]!;
      data[offset] = (data[offset]! - sum) & 0xff;
    }
  }
  const tablesAt = where.get("etc/acpi/tables")!;
  const tables = memory.get("etc/acpi/tables")!;
  const rsdp = memory.get("etc/acpi/rsdp")!;
  const tv = new DataView(tables.buffer);
  const u32 = (address: number) => tv.getUint32(address - tablesAt, true);
  const sig = (address: number) =>
    Buffer.from(tables.subarray(address - tablesAt, address - tablesAt + 4)).toString("latin1");
  const table = (address: number) =>
    tables.subarray(address - tablesAt, address - tablesAt + u32(address + 4));
  const byteSum = (bytes: Uint8Array) => bytes.reduce((a, b) => a + b, 0) & 0xff;

  it("publishes etc/acpi/rsdp, etc/acpi/tables and a whole number of 128-byte commands", () => {
    expect(files.get("etc/acpi/rsdp")!.length).toBe(20);
    expect(loader.length % 128).toBe(0);
    expect(commands.every((c) => c >= 1 && c <= 3)).toBe(true);
    // Each file allocated once, before any command uses it.
    expect(commands.filter((c) => c === 1).length).toBe(2);
    expect(commands[0]).toBe(1);
  });

  it("links RSDP -> RSDT -> FACP/APIC and FACP -> FACS/DSDT, every checksum valid", () => {
    expect(Buffer.from(rsdp.subarray(0, 8)).toString("latin1")).toBe("RSD PTR ");
    expect(byteSum(rsdp)).toBe(0);
    const rsdt = new DataView(rsdp.buffer).getUint32(16, true);
    expect(sig(rsdt)).toBe("RSDT");
    expect(byteSum(table(rsdt))).toBe(0);
    const facp = u32(rsdt + 36);
    const madt = u32(rsdt + 40);
    expect(sig(facp)).toBe("FACP");
    expect(byteSum(table(facp))).toBe(0);
    expect(sig(madt)).toBe("APIC");
    expect(byteSum(table(madt))).toBe(0);
    const facs = u32(facp + 36);
    expect(sig(facs)).toBe("FACS");
    expect(facs % 64).toBe(0);
    const dsdt = u32(facp + 40);
    expect(sig(dsdt)).toBe("DSDT");
    expect(byteSum(table(dsdt))).toBe(0);
  });

  it("powers off when the FADT's PM1a_CNT gets the DSDT's \\_S5 SLP_TYP with SLP_EN", async () => {
    const rsdt = new DataView(rsdp.buffer).getUint32(16, true);
    const facp = u32(rsdt + 36);
    const pm1aControl = u32(facp + 64);
    const dsdt = table(u32(facp + 40));
    // NameOp "_S5_" PackageOp PkgLength NumElements, then SLP_TYPa (ZeroOp/OneOp/BytePrefix).
    const at = Buffer.from(dsdt).indexOf(Buffer.from([0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12]));
    expect(at).toBeGreaterThan(0);
    const first = dsdt[at + 8]!;
    const slpTyp = first === 0x0a ? dsdt[at + 9]! : first === 0x01 ? 1 : first === 0 ? 0 : -1;
    expect(slpTyp).toBeGreaterThanOrEqual(0);
    const board = createPc({
      bios: powerOffRom(pm1aControl, (slpTyp << 10) | 0x2000),
      deterministic: true,
    });
    expect((await board.start()).reason).toBe("poweroff");
  });
});
