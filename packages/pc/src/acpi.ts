// ACPI tables for the board (ACPI 1.0b 5.2, 6.4 5.2.12 MADT): RSDP, RSDT, FADT (revision 1),
// FACS, MADT and a DSDT. They are built once as QEMU-style fw_cfg files (`etc/acpi/tables`,
// `etc/acpi/rsdp`) with BIOS linker/loader commands (`etc/table-loader`): SeaBIOS allocates,
// links and checksums them in a firmware boot, and the board links them itself at 0xF0000 for
// a direct boot. The FADT's fixed registers are the PIIX4 PM function's I/O block at 600h
// (@ringvm/devices/acpi, PCI 00:01.3, programmed there by SeaBIOS or by the board), and \_S5
// names the PIIX4's soft-off SUS_TYP, so `poweroff` reaches the one PM implementation.
// The DSDT describes the PCI root bridge (\_SB.PCI0, PNP0A03) with its bus, I/O and memory
// windows and a _PRT that maps every slot's INTA#-INTD# to the ISA IRQ the PIIX3 PIRQ
// registers steer it to, so that Linux enumerates PCI through ACPI (ACPI 6.4, 6.1.5 _HID,
// 6.2.13 _PRT, 6.4 resource data types).
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
import { linkTables, LoaderZone, type LoaderCommand } from "./table-loader";

/**
 * Where the fixed ACPI registers live: the PIIX4 PM base (PMBA) QEMU's SeaBIOS programs
 * when fw_cfg has `etc/table-loader` (paravirt.c "Moving pm_base to 0x600").
 */
export const ACPI_PM_BASE = 0x600;
const PM1_EVT = ACPI_PM_BASE; // PM1_STS (2) + PM1_EN (2)
const PM1_CNT = ACPI_PM_BASE + 4; // 2 bytes
const PM_TMR = ACPI_PM_BASE + 8; // 4 bytes
/** The SCI on the ISA IRQ QEMU uses. */
export const SCI_IRQ = 9;
/**
 * \_S5's SLP_TYP: the PIIX4's SUS_TYP for soft off (82371AB "suspend type" 000b; QEMU's
 * i440FX DSDT also declares \_S5 as 0). The board's PM function is built with it.
 */
export const ACPI_S5_TYPE = 0;

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
    ...name("_S5", pkg(integer(ACPI_S5_TYPE), integer(ACPI_S5_TYPE), integer(0), integer(0))),
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

/** fw_cfg file names QEMU uses for its ACPI tables (hw/i386/acpi-build.c). */
export const ACPI_TABLES_FILE = "etc/acpi/tables";
export const ACPI_RSDP_FILE = "etc/acpi/rsdp";
export const TABLE_LOADER_FILE = "etc/table-loader";

/** The ACPI tables as fw_cfg files, with the linker/loader commands that place them. */
export interface AcpiFiles {
  /** The 20-byte ACPI 1.0 RSDP (its RSDT pointer an offset into `tables`). */
  readonly rsdp: Uint8Array;
  /** RSDT, FACP, FACS, MADT and DSDT; pointers are offsets into this file, checksums 0. */
  readonly tables: Uint8Array;
  /** ALLOCATE both, ADD_POINTER every pointer, ADD_CHECKSUM every checksum. */
  readonly commands: readonly LoaderCommand[];
}

/** Offsets in the tables file: FACS 64-byte aligned (ACPI 5.2.10) with the file at 64. */
const RSDT_AT = 0;
const FACP_AT = 0x40;
const FACS_AT = 0xc0;
const MADT_AT = 0x100;
/** The tables file's alignment (the FACS needs 64). */
const TABLES_ALIGN = 64;

/**
 * Builds the tables as QEMU publishes them to SeaBIOS: unlinked files plus loader commands.
 * Firmware (or {@link buildAcpiTables} for a direct boot) allocates, links and checksums them.
 */
export function buildAcpiFiles(options: AcpiTablesOptions = {}): AcpiFiles {
  const hasApic = options.hasApic ?? true;
  const aml = buildDsdtAml(options);
  const madt = hasApic ? buildMadtBody() : [];
  const rsdtLength = 36 + 4 * (hasApic ? 2 : 1);
  const dsdtAt = hasApic ? MADT_AT + align16(36 + madt.length) : MADT_AT;
  const dsdtLength = 36 + aml.length;
  const out = new Uint8Array(dsdtAt + align16(dsdtLength));
  const view = new DataView(out.buffer);
  const commands: LoaderCommand[] = [
    { command: "allocate", file: ACPI_TABLES_FILE, align: TABLES_ALIGN, zone: LoaderZone.High },
  ];
  const pointer = (at: number, target: number) => {
    view.setUint32(at, target, true);
    commands.push({
      command: "add-pointer",
      destFile: ACPI_TABLES_FILE,
      sourceFile: ACPI_TABLES_FILE,
      offset: at,
      size: 4,
    });
  };
  const sum = (at: number, length: number) =>
    commands.push({
      command: "add-checksum",
      file: ACPI_TABLES_FILE,
      offset: at + 9,
      start: at,
      length,
    });

  // FACS (64 bytes, no checksum).
  ascii(out, FACS_AT, "FACS");
  view.setUint32(FACS_AT + 4, 64, true);

  header(out, dsdtAt, "DSDT", dsdtLength, 1);
  out.set(aml, dsdtAt + 36);
  sum(dsdtAt, dsdtLength);

  if (hasApic) {
    header(out, MADT_AT, "APIC", 36 + madt.length, 1);
    out.set(madt, MADT_AT + 36);
    sum(MADT_AT, 36 + madt.length);
  }

  // FADT revision 1 (116 bytes).
  const facp = FACP_AT;
  header(out, facp, "FACP", 116, 1);
  pointer(facp + 36, FACS_AT);
  pointer(facp + 40, dsdtAt);
  out[facp + 44] = hasApic ? 1 : 0; // INT_MODEL (ACPI 1.0b): 1 = multiple APIC
  view.setUint16(facp + 46, SCI_IRQ, true);
  view.setUint32(facp + 48, 0, true); // SMI_CMD 0: always in ACPI mode
  view.setUint32(facp + 56, PM1_EVT, true);
  view.setUint32(facp + 64, PM1_CNT, true);
  view.setUint32(facp + 76, PM_TMR, true);
  out[facp + 88] = 4; // PM1_EVT_LEN
  out[facp + 89] = 2; // PM1_CNT_LEN
  out[facp + 91] = 4; // PM_TMR_LEN
  view.setUint16(facp + 96, 0x65, true); // P_LVL2_LAT > 100: no C2
  view.setUint16(facp + 98, 0x3e9, true); // P_LVL3_LAT > 1000: no C3
  out[facp + 108] = 0x32; // CENTURY: CMOS index
  // WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON as control methods (none), TMR_VAL_EXT clear
  // (the PIIX4's timer is 24 bits).
  view.setUint32(facp + 112, 0x01 | 0x04 | 0x10 | 0x20, true);
  sum(facp, 116);

  // RSDT: the FADT and the MADT.
  header(out, RSDT_AT, "RSDT", rsdtLength, 1);
  pointer(RSDT_AT + 36, facp);
  if (hasApic) pointer(RSDT_AT + 40, MADT_AT);
  sum(RSDT_AT, rsdtLength);

  // RSDP (ACPI 1.0, 20 bytes), in its own file for the F segment.
  const rsdp = new Uint8Array(20);
  ascii(rsdp, 0, "RSD PTR ");
  ascii(rsdp, 9, OEM_ID);
  rsdp[15] = 0; // revision 0: ACPI 1.0
  new DataView(rsdp.buffer).setUint32(16, RSDT_AT, true);
  commands.push(
    { command: "allocate", file: ACPI_RSDP_FILE, align: 16, zone: LoaderZone.FSeg },
    {
      command: "add-pointer",
      destFile: ACPI_RSDP_FILE,
      sourceFile: ACPI_TABLES_FILE,
      offset: 16,
      size: 4,
    },
    { command: "add-checksum", file: ACPI_RSDP_FILE, offset: 8, start: 0, length: 20 },
  );
  return { rsdp, tables: out, commands };
}

/**
 * The linked tables for physical address `base` (16-byte aligned), as a direct boot writes
 * them: the RSDP at `base`, the tables file 64 bytes after it.
 */
export function buildAcpiTables(base: number, options: AcpiTablesOptions = {}): Uint8Array {
  const files = buildAcpiFiles(options);
  const tablesAt = base + TABLES_ALIGN;
  const linked = linkTables(
    files.commands,
    new Map([
      [ACPI_TABLES_FILE, files.tables],
      [ACPI_RSDP_FILE, files.rsdp],
    ]),
    new Map([
      [ACPI_TABLES_FILE, tablesAt],
      [ACPI_RSDP_FILE, base],
    ]),
  );
  const out = new Uint8Array(TABLES_ALIGN + files.tables.length);
  out.set(linked.get(ACPI_RSDP_FILE)!, 0);
  out.set(linked.get(ACPI_TABLES_FILE)!, TABLES_ALIGN);
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
