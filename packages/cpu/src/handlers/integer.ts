// Integer instructions other than arithmetic: moves, logic, shifts, bits, stack, control flow,
// strings, flags, I/O (the groups live in integer-*.ts).
import { CpuException, Vector } from "../exceptions";
import { CR4_TSD } from "../control-regs";
import { EAX, EDX } from "../state/registers";
import { flowHandlers } from "./integer-flow";
import { logicHandlers } from "./integer-logic";
import { moveHandlers } from "./integer-move";
import { stringHandlers } from "./integer-string";
import type { Handler } from "./operands";

const TWO_32 = 4294967296;

export const integerHandlers: Record<string, Handler> = {
  ...moveHandlers,
  ...logicHandlers,
  ...flowHandlers,
  ...stringHandlers,
  /**
   * RDTSC (SDM vol. 2): #GP(0) when CR4.TSD is set outside ring 0. The counter is the guest
   * clock in nanoseconds (a 1 GHz TSC) or, without a clock, retired instructions; plus the
   * offset WRMSR to IA32_TIME_STAMP_COUNTER sets.
   */
  Rdtsc: (s) => {
    if ((s.cr4 & CR4_TSD) !== 0 && s.cpl !== 0 && (s.cr0 & 1) !== 0)
      throw new CpuException(Vector.GP, 0);
    const t = (s.clock !== null ? Math.floor(s.clock.now()) : s.retired) + s.tscOffset;
    s.regs[EAX] = t % TWO_32;
    s.regs[EDX] = Math.floor(t / TWO_32);
  },
};
