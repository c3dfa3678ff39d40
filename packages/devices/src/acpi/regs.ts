// PIIX4 power management function (82371AB datasheet, 3.x "Power management registers
// (function 3)" and the PMBA I/O block) and the ACPI fixed hardware it implements (ACPI
// specification 4.8 "ACPI hardware features": PM1 event/control blocks, PM timer).

/** PCI configuration, function 3 (82371AB "PCI configuration registers - power management"). */
export const PMBA = 0x40;
/** DEVACTB: bit 25 APMC_EN lets writes to port B2h raise SMI. */
export const DEVACTB = 0x58;
export const DEVACTB_APMC_EN = 1 << 25;
/** PMREGMISC bit 0: PM I/O space enable (PMIOSE). */
export const PMREGMISC = 0x80;
export const PMIOSE = 0x01;
export const SMBBA = 0x90;
export const SMBHSTCFG = 0xd2;

/** Bytes decoded at PMBA (bits 15:6 of PMBA). */
export const PM_IO_BYTES = 64;
export const PMBA_MASK = 0xffc0;

/** I/O block offsets from PMBA. */
export const PMSTS = 0x00;
export const PMEN = 0x02;
export const PMCNTRL = 0x04;
export const PMTMR = 0x08;
export const GPSTS = 0x0c;
export const GPEN = 0x0e;
export const PCNTRL = 0x10;
export const GLBSTS = 0x18;
export const DEVSTS = 0x1c;
export const GLBEN = 0x20;
export const GLBCTL = 0x28;
export const DEVCTL = 0x2c;

/** PMSTS / PMEN bits (ACPI PM1 status/enable: TMR, BM, GBL, PWRBTN, RTC, WAK). */
export const TMROF = 0x0001;
export const BM_STS = 0x0010;
export const GBL = 0x0020;
export const PWRBTN = 0x0100;
export const RTC = 0x0400;
export const PWRBTNOR_STS = 0x0800;
export const WAK_STS = 0x8000;
/** Status bits software clears by writing 1. */
export const PMSTS_CLEARABLE = TMROF | BM_STS | GBL | PWRBTN | RTC | PWRBTNOR_STS | WAK_STS;
/** Enable bits that exist. */
export const PMEN_WRITABLE = TMROF | GBL | PWRBTN | RTC;

/** PMCNTRL: SCI_EN, BRLD_EN_BM, GBL_RLS (write-only), SUS_TYP 12:10, SUS_EN (write-only). */
export const SCI_EN = 0x0001;
export const BRLD_EN_BM = 0x0002;
export const GBL_RLS = 0x0004;
export const SUS_TYP_SHIFT = 10;
export const SUS_TYP_MASK = 0x1c00;
export const SUS_EN = 0x2000;
export const PMCNTRL_READABLE = SCI_EN | BRLD_EN_BM | SUS_TYP_MASK;

/** SUS_TYP 000b: soft off (82371AB table "Suspend type"; the DSDT's \_S5 names it). */
export const SUS_TYP_SOFT_OFF = 0;

/** ACPI PM timer: 3.579545 MHz (ACPI 4.8.2.1 "PM timer"). */
export const PM_TIMER_HZ = 3_579_545;
/** The PIIX4 timer is 24 bits; TMROF_STS sets when bit 23 toggles. */
export const PM_TIMER_BITS = 24;

/** The SCI is wired to ISA IRQ 9 (SeaBIOS writes 9 to the interrupt line; QEMU hardwires it). */
export const SCI_IRQ = 9;
