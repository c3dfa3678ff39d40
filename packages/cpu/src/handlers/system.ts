// system instructions: descriptor tables, far transfers, INT/IRET, control/debug registers, MSRs, CPUID.
import type { Handler } from "./operands";

export const systemHandlers: Record<string, Handler> = {};
