// @ringvm/devices/rtc: the MC146818A real-time clock and CMOS RAM (ports 70h/71h, IRQ 8).
export { Mc146818Rtc } from "./mc146818-rtc";
export type {
  CmosConfig,
  HardDiskGeometry,
  Mc146818RtcOptions,
  Mc146818RtcState,
} from "./mc146818-rtc";
