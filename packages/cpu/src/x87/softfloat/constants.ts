// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (SDM vol. 2 "FLD1/FLDL2T/..."; vol. 1 8.3.8:
// the constants are held internally with more than 64 bits and rounded with the rounding
// control, without raising PE). The significands below are the 64-bit truncations; `UP_NEAREST`
// marks the constants whose round-to-nearest result is one ulp above the truncation (the host
// rounds log2(10) down and the other four irrationals up when RC is nearest).
import { RC_NEAREST, RC_UP, type F80 } from "./types";

/** Indices in D9 E8..EE order. */
export const CONST_ONE = 0;
export const CONST_L2T = 1;
export const CONST_L2E = 2;
export const CONST_PI = 3;
export const CONST_LG2 = 4;
export const CONST_LN2 = 5;
export const CONST_ZERO = 6;

const SE = [0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0];
const HI = [0x80000000, 0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7, 0];
const LO = [0, 0xcd1b8afe, 0x5c17f0bb, 0x2168c234, 0xfbcff798, 0xd1cf79ab, 0];
const IRRATIONAL = [false, true, true, true, true, true, false];
const UP_NEAREST = [false, false, true, true, true, true, false];

/** out = constant `which` rounded with `rc` (all are positive, so down = toward zero). */
export function f80Constant(out: F80, which: number, rc: number): F80 {
  out.se = SE[which] ?? 0;
  out.hi = HI[which] ?? 0;
  let lo = LO[which] ?? 0;
  if (
    IRRATIONAL[which] === true &&
    (rc === RC_UP || (rc === RC_NEAREST && UP_NEAREST[which] === true))
  ) {
    lo += 1; // never carries: none of the truncations ends in all ones
  }
  out.lo = lo >>> 0;
  return out;
}
