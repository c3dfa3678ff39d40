// @ringvm/devices/misc: POST-code port 80h, debug console E9h, system control port A 92h.
export { DebugConsole, PostCodePort, SystemControlPortA } from "./misc-ports";
export type {
  DebugConsoleOptions,
  PostCodePortOptions,
  SystemControlPortAOptions,
} from "./misc-ports";
