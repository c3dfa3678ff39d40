// @ringvm/bus/testing: fakes so every package can be tested alone (STYLE.md b7).
export { FakeIoBus, FakePhysicalMemory } from "./io";
export type { FakeAccess, FakeIoBusOptions, FakeRegistration } from "./io";
export { FakeIrqLine } from "./irq";
export type { IrqEvent } from "./irq";
export { ManualClock, ManualScheduler } from "./time";
export { FakeDeviceContext, FakeLogger, createFakeContext } from "./context";
export type { FakeDeviceContextOptions } from "./context";
