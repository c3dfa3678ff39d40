// @ringvm/devices/pci: configuration mechanism #1, bus 0, i440FX host bridge, PIIX3 ISA bridge.
export { PciBus } from "./pci-bus";
export type { PciBusOptions, PirqListener } from "./pci-bus";
export { PciFunction } from "./pci-function";
export type { PciBarSpec, PciDeviceSpecificRegisters, PciFunctionSpec } from "./pci-function";
export { ConfigRegisterBlock } from "./config-registers";
export type { ConfigRegister } from "./config-registers";
export { I440fxHostBridge, I440FX_PCI, I440FX_PAM0, I440FX_SMRAM } from "./i440fx";
export type { I440fxOptions } from "./i440fx";
export { Piix3IsaBridge, PIIX3_ISA_PCI, PIIX3_PIRQRC } from "./piix3-isa";
export type { Piix3IsaBridgeOptions } from "./piix3-isa";
