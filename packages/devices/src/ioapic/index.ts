// @ringvm/devices/ioapic: the 82093AA I/O APIC.
export { IoApic } from "./io-apic";
export type { IoApicDeliver, IoApicOptions } from "./io-apic";
export { IOAPIC_DEFAULT_BASE } from "./regs";
