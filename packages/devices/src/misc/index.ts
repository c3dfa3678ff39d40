// @ringvm/devices/misc: POST-code port 80h, debug console E9h, system control port A 92h.
export { DebugConsole } from "./debug-console";
export type { DebugConsoleOptions } from "./debug-console";
export { PostCodePort } from "./post-code-port";
export type { PostCodePortOptions } from "./post-code-port";
export { SystemControlPortA } from "./system-control-port-a";
export type { SystemControlPortAOptions } from "./system-control-port-a";
