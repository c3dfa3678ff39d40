// @ringvm/hypervisor: public surface.
export { VirtualClock } from "./clock";
export type { ClockMode, InstructionCounter, VirtualClockOptions } from "./clock";
export { EventScheduler, Timer } from "./scheduler";
export { EngineStop } from "./engine";
export type { ExecutionEngine, GuestCpu } from "./engine";
export { defaultHost } from "./host";
export type { HostPlatform } from "./host";
export { ExitReason, ExitStats, formatStats } from "./stats";
export { Hypervisor } from "./hypervisor";
export type { BreakpointPolicy, HypervisorOptions, RunEnd, ShutdownPolicy } from "./hypervisor";
