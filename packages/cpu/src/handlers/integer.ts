// integer instructions other than arithmetic: moves, logic, shifts, bits, stack, control flow, strings, flags, I/O.
import type { Handler } from "./operands";

export const integerHandlers: Record<string, Handler> = {};
