// @ringvm/bus: interfaces only. Every other package is tested alone through these.
export type {
  IoBus,
  MmioHandler,
  MmioRegistration,
  PhysicalMemory,
  PortIo,
  PortIoHandler,
  PortRegistration,
  Width,
} from "./io";
export { AccessKind, FLAT_READ_BASE } from "./mmu";
export type {
  DataWatchHook,
  LinearFastPath,
  WasmGuestMemory,
  LinearMemory,
  PageFault,
  PageFaultSink,
  PagingState,
} from "./mmu";
export type { Clock, ScheduledEvent, Scheduler } from "./time";
export type { Device, DeviceContext, DeviceState, IrqLine, Logger, ResetKind } from "./device";
