// System instructions: segment loads, descriptor tables, far transfers, INT/IRET, flags under
// IOPL, control/debug registers, MSRs, CPUID (the groups live in system-*.ts).
import type { Handler } from "./operands";
import { controlHandlers } from "./system-ctl";
import { farFlowHandlers } from "./system-flow";
import { segmentHandlers } from "./system-seg";

export const systemHandlers: Record<string, Handler> = {
  ...segmentHandlers,
  ...controlHandlers,
  ...farFlowHandlers,
};
