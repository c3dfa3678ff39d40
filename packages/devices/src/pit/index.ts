// @ringvm/devices/pit: the 8254 programmable interval timer and port 61h.
export { I8254Pit } from "./i8254-pit";
export type { I8254PitState } from "./i8254-pit";
export { PIT_HZ } from "./regs";
