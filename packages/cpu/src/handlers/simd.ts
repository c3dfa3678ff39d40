// MMX, SSE, SSE2, SSE3, SSSE3 (semantics in ../simd). FXSAVE/FXRSTOR live with the x87 code but
// are installed here, with the FXSR feature.
import type { Handler } from "./operands";
import { fxrstorHandler, fxsaveHandler } from "./x87";

export const simdHandlers: Record<string, Handler> = {
  Fxsave_m512byte: fxsaveHandler,
  Fxrstor_m512byte: fxrstorHandler,
};
