// @ringvm/memory: public surface.
export {
  PhysicalSpace,
  PAGE_SIZE,
  MAX_RAM_SIZE,
  MIN_RAM_SIZE,
  SHADOW_SEGMENT,
} from "./physical-space";
export type { CodeWriteListener, PhysicalSpaceOptions } from "./physical-space";
export { createWasmGuestMemory } from "./wasm-memory";
export type { GuestMemoryLayout } from "./wasm-memory";
export { PortBus } from "./port-bus";
export type { PortBusOptions } from "./port-bus";
export { createIoBus } from "./io-bus";
export { Mmu, PageFaultError } from "./mmu";
export { CountingMmu } from "./counting-mmu";
export type { MmuOptions, TlbStats } from "./mmu";
export { PagingMode, PF_P, PF_WR, PF_US, PF_RSVD, PF_ID } from "./paging-walk";
