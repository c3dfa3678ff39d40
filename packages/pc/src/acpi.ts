// Minimal ACPI for a direct-booted kernel (no firmware to provide tables): RSDP, RSDT, FADT
// (revision 1), FACS and a DSDT holding only \_S5, plus the fixed-hardware registers they
// point at: PM1a event and control blocks and the 24-bit PM timer (ACPI 1.0b, sections 4.7
// and 5.2; port layout as QEMU's PIIX4 PM at 600h). Writing SLP_TYP=5 with SLP_EN powers off.
import type { Clock, Device, DeviceContext, ResetKind } from "@ringvm/bus";

/** Where the fixed ACPI registers live (QEMU's PIIX4 PM base). */
export const ACPI_PM_BASE = 0x600;
const PM1_EVT = ACPI_PM_BASE; // PM1_STS (2) + PM1_EN (2)
const PM1_CNT = ACPI_PM_BASE + 4; // 2 bytes
const PM_TMR = ACPI_PM_BASE + 8; // 4 bytes
/** The SCI on the ISA IRQ QEMU uses. */
const SCI_IRQ = 9;
/** \_S5 sleep type value this DSDT declares. */
const S5_TYPE = 5;
const SCI_EN = 0x0001;
const SLP_EN = 0x2000;
/** PM timer frequency, 3.579545 MHz (ACPI 4.7.2.1). */
const PM_TIMER_HZ = 3_579_545;

const OEM_ID = "RINGVM";
const OEM_TABLE_ID = "RINGVMPC";

/** Builds the tables for physical address `base` (16-byte aligned); RSDP first. */
export function buildAcpiTables(base: number): Uint8Array {
  const rsdpAt = 0;
  const rsdtAt = 0x20;
  const facpAt = 0x60; // after the 40-byte RSDT
  const facsAt = 0x100; // 64-byte aligned
  const dsdtAt = 0x140;
  const out = new Uint8Array(0x180);
  const view = new DataView(out.buffer);

  // DSDT: Name (_S5, Package (4) { 5, 5, 0, 0 }).
  const aml = [
    0x08,
    0x5f,
    0x53,
    0x35,
    0x5f,
    0x12,
    0x08,
    0x04,
    0x0a,
    S5_TYPE,
    0x0a,
    S5_TYPE,
    0x00,
    0x00,
  ];
  header(out, dsdtAt, "DSDT", 36 + aml.length, 1);
  out.set(aml, dsdtAt + 36);
  checksum(out, dsdtAt, 36 + aml.length, dsdtAt + 9);

  // FACS (64 bytes, no checksum).
  ascii(out, facsAt, "FACS");
  view.setUint32(facsAt + 4, 64, true);

  // FADT revision 1 (116 bytes).
  header(out, facpAt, "FACP", 116, 1);
  view.setUint32(facpAt + 36, base + facsAt, true);
  view.setUint32(facpAt + 40, base + dsdtAt, true);
  view.setUint16(facpAt + 46, SCI_IRQ, true);
  view.setUint32(facpAt + 48, 0, true); // SMI_CMD 0: always in ACPI mode
  view.setUint32(facpAt + 56, PM1_EVT, true);
  view.setUint32(facpAt + 64, PM1_CNT, true);
  view.setUint32(facpAt + 76, PM_TMR, true);
  out[facpAt + 88] = 4; // PM1_EVT_LEN
  out[facpAt + 89] = 2; // PM1_CNT_LEN
  out[facpAt + 91] = 4; // PM_TMR_LEN
  view.setUint16(facpAt + 96, 0x65, true); // P_LVL2_LAT > 100: no C2
  view.setUint16(facpAt + 98, 0x3e9, true); // P_LVL3_LAT > 1000: no C3
  out[facpAt + 108] = 0x32; // CENTURY: CMOS index
  // WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON as control methods (none), TMR_VAL_EXT clear.
  view.setUint32(facpAt + 112, 0x01 | 0x04 | 0x10 | 0x20, true);
  checksum(out, facpAt, 116, facpAt + 9);

  // RSDT with one entry.
  header(out, rsdtAt, "RSDT", 40, 1);
  view.setUint32(rsdtAt + 36, base + facpAt, true);
  checksum(out, rsdtAt, 40, rsdtAt + 9);

  // RSDP (ACPI 1.0, 20 bytes).
  ascii(out, rsdpAt, "RSD PTR ");
  ascii(out, rsdpAt + 9, OEM_ID);
  out[rsdpAt + 15] = 0;
  view.setUint32(rsdpAt + 16, base + rsdtAt, true);
  checksum(out, rsdpAt, 20, rsdpAt + 8);
  return out;
}

function header(
  out: Uint8Array,
  at: number,
  signature: string,
  length: number,
  revision: number,
): void {
  const view = new DataView(out.buffer);
  ascii(out, at, signature);
  view.setUint32(at + 4, length, true);
  out[at + 8] = revision;
  ascii(out, at + 10, OEM_ID);
  ascii(out, at + 16, OEM_TABLE_ID);
  view.setUint32(at + 24, 1, true);
  ascii(out, at + 28, "RVM ");
  view.setUint32(at + 32, 1, true);
}

function ascii(out: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

function checksum(out: Uint8Array, at: number, length: number, field: number): void {
  out[field] = 0;
  let sum = 0;
  for (let i = at; i < at + length; i++) sum += out[i]!;
  out[field] = (256 - (sum & 0xff)) & 0xff;
}

/** The fixed ACPI registers the FADT names. */
export class AcpiPm implements Device {
  readonly specificationVersion = "v1";
  readonly name = "acpi-pm";
  private status = 0;
  private enable = 0;
  private control = SCI_EN;
  private clock: Clock | undefined;

  constructor(private readonly onPowerOff: () => void) {}

  attach(context: DeviceContext): void {
    this.clock = context.clock;
    context.io.registerPorts(
      ACPI_PM_BASE,
      12,
      {
        read: (port, width) => this.read(port - ACPI_PM_BASE, width),
        write: (port, width, value) => this.write(port - ACPI_PM_BASE, width, value),
      },
      { owner: this.name, widths: [1, 2, 4] },
    );
  }

  reset(_kind: ResetKind): void {
    this.status = 0;
    this.enable = 0;
    this.control = SCI_EN;
  }

  private read(offset: number, width: number): number {
    let value: number;
    if (offset >= 8) {
      const ns = this.clock?.now() ?? 0;
      value = Math.floor((ns / 1e9) * PM_TIMER_HZ) & 0xff_ffff;
      return (value >>> ((offset - 8) * 8)) & widthMask(width);
    }
    if (offset < 4) value = this.status | (this.enable << 16);
    else value = this.control;
    const shift = (offset & 3) * 8;
    return (value >>> shift) & widthMask(width);
  }

  private write(offset: number, width: number, value: number): void {
    const v = value & widthMask(width);
    if (offset < 2) {
      this.status &= ~(v << (offset * 8)) & 0xffff; // write 1 to clear
      if (width === 4) this.enable = (v >>> 16) & 0xffff;
    } else if (offset < 4) {
      const shift = (offset - 2) * 8;
      this.enable = ((this.enable & ~(widthMask(width) << shift)) | (v << shift)) & 0xffff;
    } else if (offset < 6) {
      const shift = (offset - 4) * 8;
      const full = ((this.control & ~(widthMask(width) << shift)) | (v << shift)) & 0xffff;
      if ((full & SLP_EN) !== 0 && ((full >>> 10) & 7) === S5_TYPE) this.onPowerOff();
      this.control = full & ~SLP_EN;
    }
  }
}

function widthMask(width: number): number {
  return width === 1 ? 0xff : width === 2 ? 0xffff : 0xffff_ffff;
}
