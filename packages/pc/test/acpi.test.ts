// ACPI tables the board writes for a direct boot, checked against the ACPI specification
// (1.0b 5.2 and 6.4 5.2 layouts): signatures, lengths, checksums (all bytes sum to 0 mod
// 256), pointers, the FADT fields the kernel uses to power off, the MADT entries (5.2.12),
// and the DSDT's AML compared byte for byte with what iasl (ACPICA) compiles from the
// hand-written test/vectors/acpi/dsdt.asl. board-dsdt.dsl and board-apic.dsl there are
// iasl's disassembly of the board's tables (RINGVM_WRITE_ACPI=1 writes the .aml inputs).
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eisaId, integer, nameString, pkgLength } from "../src/aml";
import { ACPI_PM_BASE, buildAcpiTables, buildDsdtAml, pirqOfSlotPin } from "../src/acpi";

const BASE = 0xf_0000;
const RAM_TOP = 0x0800_0000;
const tables = buildAcpiTables(BASE, { ramTop: RAM_TOP, pirqIrqs: [10, 10, 11, 11] });
const view = new DataView(tables.buffer);
const u32 = (address: number): number => view.getUint32(address - BASE, true);
const u8 = (address: number): number => tables[address - BASE]!;
const sig = (address: number): string =>
  String.fromCharCode(...tables.subarray(address - BASE, address - BASE + 4));
const sums = (address: number, length: number): number =>
  tables.subarray(address - BASE, address - BASE + length).reduce((a, b) => a + b, 0) & 0xff;
const table = (address: number): Uint8Array =>
  tables.subarray(address - BASE, address - BASE + u32(address + 4));

const vectors = new URL("vectors/acpi/", import.meta.url);
const rsdt = u32(BASE + 16);
const facp = u32(rsdt + 36);
const madt = u32(rsdt + 40);
const dsdt = u32(facp + 40);

if (process.env["RINGVM_WRITE_ACPI"] === "1") {
  writeFileSync(new URL("board-dsdt.aml", vectors), table(dsdt));
  writeFileSync(new URL("board-apic.aml", vectors), table(madt));
}

describe("buildAcpiTables", () => {
  it("chains RSDP -> RSDT -> FACP/APIC, FACP -> FACS/DSDT with valid checksums, no overlaps", () => {
    expect(String.fromCharCode(...tables.subarray(0, 8))).toBe("RSD PTR ");
    expect(sums(BASE, 20)).toBe(0);
    expect(sig(rsdt)).toBe("RSDT");
    const rsdtLength = u32(rsdt + 4);
    expect(rsdtLength).toBe(44); // header + 2 entries
    expect(sums(rsdt, rsdtLength)).toBe(0);
    expect(facp).toBeGreaterThanOrEqual(rsdt + rsdtLength);
    expect(sig(facp)).toBe("FACP");
    expect(u32(facp + 4)).toBe(116);
    expect(sums(facp, 116)).toBe(0);
    const facs = u32(facp + 36);
    expect(facs % 64).toBe(0);
    expect(facs).toBeGreaterThanOrEqual(facp + 116);
    expect(sig(facs)).toBe("FACS");
    expect(u32(facs + 4)).toBe(64);
    expect(sig(madt)).toBe("APIC");
    expect(madt).toBeGreaterThanOrEqual(facs + 64);
    expect(sums(madt, u32(madt + 4))).toBe(0);
    expect(sig(dsdt)).toBe("DSDT");
    expect(dsdt).toBeGreaterThanOrEqual(madt + u32(madt + 4));
    expect(sums(dsdt, u32(dsdt + 4))).toBe(0);
    expect(dsdt + u32(dsdt + 4)).toBeLessThanOrEqual(BASE + tables.length);
  });

  it("points the FADT at the PM1 and PM timer registers, SCI 9, the APIC interrupt model", () => {
    expect(view.getUint16(facp + 46 - BASE, true)).toBe(9);
    expect(u8(facp + 44)).toBe(1); // INT_MODEL: multiple APIC
    expect(u32(facp + 56)).toBe(ACPI_PM_BASE);
    expect(u32(facp + 64)).toBe(ACPI_PM_BASE + 4);
    expect(u32(facp + 76)).toBe(ACPI_PM_BASE + 8);
    expect(u8(facp + 88)).toBe(4);
    expect(u8(facp + 89)).toBe(2);
    expect(u8(facp + 91)).toBe(4);
  });

  it("describes the local APIC, the IOAPIC, IRQ 0 -> GSI 2, the SCI and LINT1 NMI in the MADT", () => {
    // The same entries QEMU's pc machine reports (its MADT as Linux prints it).
    const body = table(madt);
    expect(u8(madt + 8)).toBe(1);
    expect(u32(madt + 36)).toBe(0xfee0_0000);
    expect(u32(madt + 40)).toBe(1); // PCAT_COMPAT
    const entries: number[][] = [];
    for (let at = 44; at < body.length; at += body[at + 1]!)
      entries.push([...body.subarray(at, at + body[at + 1]!)]);
    expect(entries).toEqual([
      [0, 8, 0, 0, 1, 0, 0, 0],
      [1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0],
      [2, 10, 0, 0, 2, 0, 0, 0, 0, 0],
      [2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0],
      [4, 6, 0xff, 0, 0, 1],
    ]);
  });

  it("emits the DSDT iasl compiles from dsdt.asl, byte for byte", () => {
    const reference = new Uint8Array(readFileSync(new URL("dsdt.aml", vectors)));
    const ours = table(dsdt);
    expect(ours.length).toBe(reference.length);
    expect([...ours.subarray(36)]).toEqual([...reference.subarray(36)]);
    expect(String.fromCharCode(...ours.subarray(10, 24))).toBe("RINGVMRINGVMPC");
    expect(ours[8]).toBe(1); // revision 1: 32-bit integers
  });

  it("routes each slot's INTA#-INTD# through the PIIX3 swizzle (PIRQ = slot - 1 + pin)", () => {
    // QEMU/SeaBIOS piix swizzle: device 1 pin A is PIRQA... device 2 pin A is PIRQB.
    expect(pirqOfSlotPin(1, 0)).toBe(0);
    expect(pirqOfSlotPin(2, 0)).toBe(1);
    expect(pirqOfSlotPin(3, 3)).toBe(1);
    expect(pirqOfSlotPin(0, 0)).toBe(3);
    const aml = buildDsdtAml({ pirqIrqs: [5, 9, 10, 11] });
    // Package () { 0x0002FFFF, 0 (Zero), 0 (Zero), 9 }: slot 2 INTA# -> PIRQB -> IRQ 9.
    const entry = [0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x09];
    expect(Buffer.from(aml).indexOf(Buffer.from(entry))).toBeGreaterThan(0);
  });
});

describe("AML encoding (ACPI 6.4 chapter 20)", () => {
  it("encodes PkgLength in one to four bytes, counting its own bytes", () => {
    expect(pkgLength(0)).toEqual([0x01]);
    expect(pkgLength(0x3e)).toEqual([0x3f]);
    // 0x3f content bytes + 2 length bytes = 0x41: lead 0x41 (one follow byte, low nibble 1).
    expect(pkgLength(0x3f)).toEqual([0x41, 0x04]);
    expect(pkgLength(0xffd)).toEqual([0x4f, 0xff]);
    expect(pkgLength(0xffe)).toEqual([0x81, 0x00, 0x01]);
  });

  it("encodes integers in their shortest form and EisaId as iasl does", () => {
    expect(integer(0)).toEqual([0x00]);
    expect(integer(1)).toEqual([0x01]);
    expect(integer(0xff)).toEqual([0x0a, 0xff]);
    expect(integer(0x100)).toEqual([0x0b, 0x00, 0x01]);
    expect(integer(0x10000)).toEqual([0x0c, 0x00, 0x00, 0x01, 0x00]);
    // iasl: EisaId ("PNP0A03") is 0x030AD041.
    expect(eisaId("PNP0A03")).toEqual([0x0c, 0x41, 0xd0, 0x0a, 0x03]);
    expect(nameString("\\_SB.PCI0")).toEqual([
      0x5c, 0x2e, 0x5f, 0x53, 0x42, 0x5f, 0x50, 0x43, 0x49, 0x30,
    ]);
    expect(nameString("ISA")).toEqual([0x49, 0x53, 0x41, 0x5f]);
  });
});
