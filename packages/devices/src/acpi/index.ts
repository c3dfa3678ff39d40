// @ringvm/devices/acpi: the PIIX4 power-management function (PM timer, PM1, S5 soft off).
export { Piix4Pm, PIIX4_PM_PCI, pmTimerTicks } from "./piix4-pm";
export type { Piix4PmOptions } from "./piix4-pm";
export { PM_TIMER_HZ, SCI_IRQ } from "./regs";
