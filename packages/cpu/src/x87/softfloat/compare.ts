// FCOM/FUCOM/FTST/FXAM condition codes (SDM vol. 2 FCOM, FUCOM, FXAM; vol. 1 8.1.3.1). FCOM
// raises IE for any NaN, FUCOM only for SNaN; both for unsupported encodings. Results are the
// status word bits C3 (bit 14), C2 (bit 10), C0 (bit 8); FXAM also sets C1 (bit 9) to the sign.
import { N, expOf, isDenormal80, isNaN80, isSNaN80, isUnsupported, normalize } from "./classify";
import { FLAG_DE, FLAG_IE, type F80, type FpContext } from "./types";

export const C0 = 0x0100;
export const C1 = 0x0200;
export const C2 = 0x0400;
export const C3 = 0x4000;
export const CC_GREATER = 0;
export const CC_LESS = C0;
export const CC_EQUAL = C3;
export const CC_UNORDERED = C3 | C2 | C0;

/** -1, 0, 1 for finite/infinite non-NaN operands. */
function order(a: F80, b: F80): number {
  const aZero = a.hi === 0 && a.lo === 0 && expOf(a) !== 0x7fff;
  const bZero = b.hi === 0 && b.lo === 0 && expOf(b) !== 0x7fff;
  const aNeg = (a.se & 0x8000) !== 0;
  const bNeg = (b.se & 0x8000) !== 0;
  if (aZero && bZero) return 0;
  if (aZero) return bNeg ? 1 : -1;
  if (bZero) return aNeg ? -1 : 1;
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  // Same sign: compare magnitudes (pseudo-denormals are compared by value).
  normalize(a);
  const ae = N.exp,
    ah = N.hi,
    al = N.lo;
  normalize(b);
  let m = 0;
  if (ae !== N.exp) m = ae < N.exp ? -1 : 1;
  else if (ah !== N.hi) m = ah < N.hi ? -1 : 1;
  else if (al !== N.lo) m = al < N.lo ? -1 : 1;
  return aNeg ? -m : m;
}

/** Condition bits for comparing a (ST0) with b; `unordered` selects the FUCOM rules. */
export function f80Compare(ctx: FpContext, a: F80, b: F80, unordered: boolean): number {
  if (isUnsupported(a) || isUnsupported(b)) {
    ctx.flags |= FLAG_IE;
    return CC_UNORDERED;
  }
  if (isNaN80(a) || isNaN80(b)) {
    if (!unordered || isSNaN80(a) || isSNaN80(b)) ctx.flags |= FLAG_IE;
    return CC_UNORDERED;
  }
  if (isDenormal80(a) || isDenormal80(b)) ctx.flags |= FLAG_DE;
  const o = order(a, b);
  return o === 0 ? CC_EQUAL : o < 0 ? CC_LESS : CC_GREATER;
}

/** FXAM classification of a non-empty register (empty is C3|C0, reported by the caller). */
export function f80Examine(a: F80): number {
  const sign = (a.se & 0x8000) !== 0 ? C1 : 0;
  const exp = expOf(a);
  if (isUnsupported(a)) return sign;
  if (exp === 0x7fff) return sign | (isNaN80(a) ? C0 : C2 | C0);
  if (exp === 0) return sign | (a.hi === 0 && a.lo === 0 ? C3 : C3 | C2);
  return sign | C2;
}

/** FXAM of an empty register. */
export const CC_EMPTY = C3 | C0;
