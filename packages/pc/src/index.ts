// @ringvm/pc: the PC board, the composition root of RingVM.
export {
  Pc,
  createPc,
  DEFAULT_MEMORY_SIZE,
  DETERMINISTIC_NS_PER_INSTRUCTION,
  VIRTUAL_NS_PER_INSTRUCTION_RECOMPILED,
  PORT_ACCESS_NS,
} from "./pc";
export type { PcConfig, BootDevice } from "./pc";
export type { SerialSink } from "./pc";
export { buildE820Map, encodeE820, E820Type, E820_ENTRY_SIZE } from "./e820";
export type { E820Entry, E820MapOptions } from "./e820";
export {
  parseBzImage,
  loadLinux,
  LinuxBootError,
  LINUX_BOOT_LAYOUT,
  BOOT_CS,
  BOOT_DS,
} from "./linux-boot";
export type { BzImageHeader, LinuxBootOptions, LinuxBootPlan, LoaderMemory } from "./linux-boot";
export {
  findMultibootHeader,
  isMultiboot,
  loadMultiboot,
  MULTIBOOT_BOOTLOADER_MAGIC,
} from "./multiboot";
export type { MultibootOptions, MultibootPlan } from "./multiboot";
export { FwCfg, FwCfgKey, FW_CFG_SELECTOR_PORT, FW_CFG_DATA_PORT } from "./fw-cfg";
export type { ExitStats, RunEnd, HostPlatform } from "@ringvm/hypervisor";
export { openDiskImage, OverlayDisk, DiskImageError } from "@ringvm/devices/disk";
export type { BlockDevice, ByteSource, OpenedImage } from "@ringvm/devices/disk";
export { formatStats } from "@ringvm/hypervisor";
// For hosts that set V8 flags (the CLI): whether this V8 needs one to read branch hints.
export {
  branchHintFlag,
  entryWrapperFlag,
  inliningBudgetFlag,
  wasmHostFlags,
} from "@ringvm/recompiler";
export { createScreenPc, BlobSource, MemoryDisk } from "./browser";
export type { ScreenPc, ScreenPcConfig, EngineShare, EngineKind, RenderResult } from "./browser";
// Host-side display and input helpers for front ends (the CLI's --display terminal).
export { TerminalRenderer, TERMINAL_RESET, textScreen } from "@ringvm/devices/vga";
export type { TerminalColors, TerminalRendererOptions, TextScreen } from "@ringvm/devices/vga";
export { TerminalKeyDecoder } from "@ringvm/devices/input";

/** The version of the RingVM board package. */
export const VERSION = "0.1.0";
