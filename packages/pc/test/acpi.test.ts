// ACPI tables the board writes for a direct boot, checked against the ACPI 1.0b layouts
// (section 5.2): signatures, lengths, checksums (all bytes sum to 0 mod 256), pointers, and
// the FADT fields the kernel uses to power off.
import { describe, expect, it } from "vitest";
import { ACPI_PM_BASE, buildAcpiTables } from "../src/acpi";

const BASE = 0xf_0000;
const tables = buildAcpiTables(BASE);
const view = new DataView(tables.buffer);
const u32 = (address: number): number => view.getUint32(address - BASE, true);
const sig = (address: number): string =>
  String.fromCharCode(...tables.subarray(address - BASE, address - BASE + 4));
const sums = (address: number, length: number): number =>
  tables.subarray(address - BASE, address - BASE + length).reduce((a, b) => a + b, 0) & 0xff;

describe("buildAcpiTables", () => {
  it("chains RSDP -> RSDT -> FACP -> FACS/DSDT with valid checksums and no overlaps", () => {
    expect(String.fromCharCode(...tables.subarray(0, 8))).toBe("RSD PTR ");
    expect(sums(BASE, 20)).toBe(0);
    const rsdt = u32(BASE + 16);
    expect(sig(rsdt)).toBe("RSDT");
    const rsdtLength = u32(rsdt + 4);
    expect(rsdtLength).toBe(40);
    expect(sums(rsdt, rsdtLength)).toBe(0);
    const facp = u32(rsdt + 36);
    expect(facp).toBeGreaterThanOrEqual(rsdt + rsdtLength);
    expect(sig(facp)).toBe("FACP");
    expect(u32(facp + 4)).toBe(116);
    expect(sums(facp, 116)).toBe(0);
    const facs = u32(facp + 36);
    const dsdt = u32(facp + 40);
    expect(facs % 64).toBe(0);
    expect(facs).toBeGreaterThanOrEqual(facp + 116);
    expect(sig(facs)).toBe("FACS");
    expect(sig(dsdt)).toBe("DSDT");
    expect(dsdt).toBeGreaterThanOrEqual(facs + 64);
    expect(sums(dsdt, u32(dsdt + 4))).toBe(0);
  });

  it("points the FADT at the PM1 and PM timer registers and SCI 9", () => {
    const facp = u32(u32(BASE + 16) + 36);
    expect(view.getUint16(facp + 46 - BASE, true)).toBe(9);
    expect(u32(facp + 56)).toBe(ACPI_PM_BASE);
    expect(u32(facp + 64)).toBe(ACPI_PM_BASE + 4);
    expect(u32(facp + 76)).toBe(ACPI_PM_BASE + 8);
    expect(tables[facp + 88 - BASE]).toBe(4);
    expect(tables[facp + 89 - BASE]).toBe(2);
    expect(tables[facp + 91 - BASE]).toBe(4);
  });
});
