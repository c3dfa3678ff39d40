// The interpreter's dispatch table: one handler per decoder `Code`, built once at load from the
// handler groups below (each keyed by iced `Code` name). Forms no group implements raise #UD.
import { CODE_COUNT, Code } from "@ringvm/decoder";
import { CpuException, Vector } from "./exceptions";
import { arithHandlers } from "./handlers/arith";
import { fastAnyOperands, fastMemoryOperand, fastRegisterOperands } from "./handlers/fast";
import { integerHandlers } from "./handlers/integer";
import type { Handler } from "./handlers/operands";
import { simdHandlers } from "./handlers/simd";
import { systemHandlers } from "./handlers/system";
import { x87Handlers } from "./handlers/x87";

const undefinedOpcode: Handler = () => {
  throw new CpuException(Vector.UD, 0);
};

/** The handler groups, in the order their entries are installed (later ones may not override). */
const GROUPS: readonly Record<string, Handler>[] = [
  arithHandlers,
  integerHandlers,
  systemHandlers,
  x87Handlers,
  simdHandlers,
];

/**
 * Forms claimed by more than one group, or names the decoder does not know. Recorded rather
 * than thrown so one helper's slip cannot break module loading for everyone; the dispatch test
 * asserts both lists are empty. For a duplicate, the earlier group keeps the form.
 */
export const DUPLICATE_FORMS: string[] = [];
export const UNKNOWN_FORMS: string[] = [];

function buildTable(): Handler[] {
  const table = new Array<Handler>(CODE_COUNT).fill(undefinedOpcode);
  const owner = new Map<string, number>();
  GROUPS.forEach((group, index) => {
    for (const [name, handler] of Object.entries(group)) {
      const code = (Code as unknown as Record<string, number | undefined>)[name];
      if (code === undefined) {
        UNKNOWN_FORMS.push(name);
        continue;
      }
      if (owner.has(name)) {
        DUPLICATE_FORMS.push(name);
        continue;
      }
      owner.set(name, index);
      table[code] = handler;
    }
  });
  return table;
}

/** Handler of each form, indexed by `Code`. */
export const HANDLERS: readonly Handler[] = buildTable();

/** Whether the interpreter implements a form (used by tests and the CPUID/coverage reports). */
export function isImplemented(code: number): boolean {
  return HANDLERS[code] !== undefinedOpcode;
}

function buildFastTable(forms: Record<string, Handler>): (Handler | undefined)[] {
  const table = new Array<Handler | undefined>(CODE_COUNT).fill(undefined);
  for (const [name, handler] of Object.entries(forms)) {
    const code = (Code as unknown as Record<string, number | undefined>)[name];
    if (code === undefined) UNKNOWN_FORMS.push(name);
    else table[code] = handler;
  }
  return table;
}

/**
 * Specialized equivalents of hot forms (handlers/fast.ts), used by the decode cache only:
 * `FAST_ANY` for any operands, `FAST_REGISTER` when no operand is in memory.
 */
export const FAST_ANY: readonly (Handler | undefined)[] = buildFastTable(fastAnyOperands);
export const FAST_REGISTER: readonly (Handler | undefined)[] = buildFastTable(fastRegisterOperands);
/** ...and `FAST_MEMORY` when an operand is in memory (the forms listed in handlers/fast.ts). */
export const FAST_MEMORY: readonly (Handler | undefined)[] = buildFastTable(fastMemoryOperand);
