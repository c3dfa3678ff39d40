// ACPI for a direct-booted kernel (no firmware to provide tables): RSDP, RSDT, FADT
// (revision 1), FACS, MADT and a DSDT, plus the fixed-hardware registers they point at:
// PM1a event and control blocks and the 24-bit PM timer (ACPI 1.0b sections 4.7 and 5.2;
// port layout as QEMU's PIIX4 PM at 600h). Writing SLP_TYP=5 with SLP_EN powers off.
// The DSDT describes the PCI root bridge (\_SB.PCI0, PNP0A03) with its bus, I/O and memory
// windows and a _PRT that maps every slot's INTA#-INTD# to the ISA IRQ the PIIX3 PIRQ
// registers steer it to, so that Linux enumerates PCI through ACPI (ACPI 6.4, 6.1.5 _HID,
// 6.2.13 _PRT, 6.4 resource data types; 5.2.12 MADT).
import type { Clock, Device, DeviceContext, ResetKind } from "@ringvm/bus";
import {
  device,
  dwordMemory,
  eisaId,
  integer,
  ioPort,
  name,
  pkg,
  resourceTemplate,
  scope,
  wordBusNumber,
  wordIo,
} from "./aml";

/** Where the fixed ACPI registers live (QEMU's PIIX4 PM base). */
export const ACPI_PM_BASE = 0x600;
const PM1_EVT = ACPI_PM_BASE; // PM1_STS (2) + PM1_EN (2)
const PM1_CNT = ACPI_PM_BASE + 4; // 2 bytes
const PM_TMR = ACPI_PM_BASE + 8; // 4 bytes
/** The SCI on the ISA IRQ QEMU uses. */
export const SCI_IRQ = 9;
/** \_S5 sleep type value this DSDT declares. */
const S5_TYPE = 5;
const SCI_EN = 0x0001;
const SLP_EN = 0x2000;
/** PM timer frequency, 3.579545 MHz (ACPI 4.7.2.1). */
const PM_TIMER_HZ = 3_579_545;

const OEM_ID = "RINGVM";
const OEM_TABLE_ID = "RINGVMPC";

/** Default local and I/O APIC addresses (Intel MP spec, 82093AA). */
export const LOCAL_APIC_BASE = 0xfee0_0000;
export const IO_APIC_BASE = 0xfec0_0000;
/** The ISA IRQs SeaBIOS steers PIRQA#-PIRQD# to on QEMU's i440FX board. */
export const DEFAULT_PIRQ_IRQS: readonly number[] = [10, 10, 11, 11];
/** Top of the 32-bit PCI memory window: just below the IOAPIC page. */
const PCI_MMIO_END = 0xfebf_ffff;

/** Options of {@link buildAcpiTables}. */
export interface AcpiTablesOptions {
  /** First byte above guest RAM below 4 GiB: where the PCI memory window starts. */
  readonly ramTop?: number;
  /** The ISA IRQ PIRQA#-PIRQD# are routed to (the PIIX3 registers 60h-63h). */
  readonly pirqIrqs?: readonly number[];
  /** Describe a local APIC and an IOAPIC (MADT). Default true. */
  readonly hasApic?: boolean;
}

/** The PIRQ (0-3 for A-D) that INTx (pin 0-3 for A-D) of PCI device `slot` drives. */
export function pirqOfSlotPin(slot: number, pin: number): number {
  return (slot - 1 + pin) & 3;
}

/**
 * The DSDT's AML (after the 36-byte header): \_S5 and \_SB.PCI0 with _HID, _UID,
 * _CRS, _PRT and the PIIX3's ISA bridge and IDE functions (legacy mode: ports 1F0h/170h,
 * IRQ 14/15, so they need no _PRT entry of their own).
 */
export function buildDsdtAml(options: AcpiTablesOptions = {}): number[] {
  const ramTop = options.ramTop ?? 0x0800_0000;
  const pirqIrqs = options.pirqIrqs ?? DEFAULT_PIRQ_IRQS;
  const prt: number[][] = [];
  for (let slot = 0; slot < 32; slot++)
    for (let pin = 0; pin < 4; pin++)
      prt.push(
        pkg(
          integer(((slot << 16) | 0xffff) >>> 0),
          integer(pin),
          integer(0),
          integer(pirqIrqs[pirqOfSlotPin(slot, pin)] ?? 0),
        ),
      );
  return [
    ...name("_S5", pkg(integer(S5_TYPE), integer(S5_TYPE), integer(0), integer(0))),
    // At the root a relative name is the root's child: "_SB" (iasl drops the backslash).
    ...scope(
      "_SB",
      device(
        "PCI0",
        name("_HID", eisaId("PNP0A03")),
        name("_UID", integer(0)),
        name(
          "_CRS",
          resourceTemplate(
            wordBusNumber(0x00, 0xff),
            ioPort(0x0cf8, 0x0cf8, 0x01, 0x08),
            wordIo(0x0000, 0x0cf7),
            wordIo(0x0d00, 0xffff),
            dwordMemory(0x000a_0000, 0x000b_ffff, true),
            dwordMemory(ramTop, PCI_MMIO_END, false),
          ),
        ),
        name("_PRT", pkg(...prt)),
        device("ISA", name("_ADR", integer(0x0001_0000))),
        device("IDE", name("_ADR", integer(0x0001_0001))),
      ),
    ),
  ];
}

/** Builds the tables for physical address `base` (16-byte aligned); RSDP first. */
export function buildAcpiTables(base: number, options: AcpiTablesOptions = {}): Uint8Array {
  const hasApic = options.hasApic ?? true;
  const aml = buildDsdtAml(options);
  const madt = hasApic ? buildMadtBody() : [];
  const rsdpAt = 0;
  const rsdtAt = 0x20;
  const rsdtLength = 36 + 4 * (hasApic ? 2 : 1);
  const facpAt = 0x60; // after the RSDT
  const facsAt = 0x100; // 64-byte aligned
  const madtAt = 0x140;
  const dsdtAt = madtAt + align16(36 + madt.length);
  const dsdtLength = 36 + aml.length;
  const out = new Uint8Array(dsdtAt + align16(dsdtLength));
  const view = new DataView(out.buffer);

  header(out, dsdtAt, "DSDT", dsdtLength, 1);
  out.set(aml, dsdtAt + 36);
  checksum(out, dsdtAt, dsdtLength, dsdtAt + 9);

  if (hasApic) {
    header(out, madtAt, "APIC", 36 + madt.length, 1);
    out.set(madt, madtAt + 36);
    checksum(out, madtAt, 36 + madt.length, madtAt + 9);
  }

  // FACS (64 bytes, no checksum).
  ascii(out, facsAt, "FACS");
  view.setUint32(facsAt + 4, 64, true);

  // FADT revision 1 (116 bytes).
  header(out, facpAt, "FACP", 116, 1);
  view.setUint32(facpAt + 36, base + facsAt, true);
  view.setUint32(facpAt + 40, base + dsdtAt, true);
  out[facpAt + 44] = hasApic ? 1 : 0; // INT_MODEL (ACPI 1.0b): 1 = multiple APIC
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

  // RSDT: the FADT and the MADT.
  header(out, rsdtAt, "RSDT", rsdtLength, 1);
  view.setUint32(rsdtAt + 36, base + facpAt, true);
  if (hasApic) view.setUint32(rsdtAt + 40, base + madtAt, true);
  checksum(out, rsdtAt, rsdtLength, rsdtAt + 9);

  // RSDP (ACPI 1.0, 20 bytes).
  ascii(out, rsdpAt, "RSD PTR ");
  ascii(out, rsdpAt + 9, OEM_ID);
  out[rsdpAt + 15] = 0;
  view.setUint32(rsdpAt + 16, base + rsdtAt, true);
  checksum(out, rsdpAt, 20, rsdpAt + 8);
  return out;
}

/**
 * The MADT after its header (ACPI 6.4, 5.2.12): local APIC address and PCAT_COMPAT (8259s
 * present), processor local APIC 0, IOAPIC 0 at FEC00000h with GSI base 0, interrupt source
 * overrides IRQ 0 -> GSI 2 (the PIT on IOAPIC pin 2) and IRQ 9 -> GSI 9 level, active high
 * (the SCI), and LINT1 of every processor as NMI. As QEMU's i440FX board.
 */
function buildMadtBody(): number[] {
  return [
    ...le32(LOCAL_APIC_BASE),
    ...le32(1), // PCAT_COMPAT
    // Processor Local APIC: type 0, length 8, ACPI processor UID 0, APIC ID 0, enabled.
    0,
    8,
    0,
    0,
    ...le32(1),
    // I/O APIC: type 1, length 12, ID 0, reserved, address, GSI base 0.
    1,
    12,
    0,
    0,
    ...le32(IO_APIC_BASE),
    ...le32(0),
    // Interrupt Source Override: type 2, length 10, bus 0 (ISA), source, GSI, MPS flags.
    2,
    10,
    0,
    0,
    ...le32(2),
    0,
    0,
    2,
    10,
    0,
    SCI_IRQ,
    ...le32(SCI_IRQ),
    0x0d, // polarity 01 active high, trigger 11 level
    0,
    // Local APIC NMI: type 4, length 6, all processors (FFh), flags 0, LINT1.
    4,
    6,
    0xff,
    0,
    0,
    1,
  ];
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
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
