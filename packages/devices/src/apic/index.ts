// @ringvm/devices/apic: the local APIC (xAPIC at FEE00000h) of a one-CPU machine.
export { LocalApic } from "./local-apic";
export type { ExtIntSource, LocalApicOptions } from "./local-apic";
export { APIC_DEFAULT_BASE, VERSION as APIC_VERSION } from "./regs";
