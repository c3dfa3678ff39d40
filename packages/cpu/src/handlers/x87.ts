// x87 FPU instructions (semantics in ../x87).
import type { Handler } from "./operands";

export const x87Handlers: Record<string, Handler> = {};
