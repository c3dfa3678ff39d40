// MMX, SSE, SSE2, SSE3, SSSE3.
import type { Handler } from "./operands";

export const simdHandlers: Record<string, Handler> = {};
