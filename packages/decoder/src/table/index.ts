// All instruction forms, in priority order (within one opcode, earlier rows win).
import type { OpcodeForm } from "./form";
import { GROUPS } from "./groups";
import { MAP_0F } from "./map-0f";
import { MAP_0F_SIMD } from "./map-0f-simd";
import { MAP_0F38, MAP_0F3A } from "./map-0f38";
import { MAP_1BYTE } from "./map-1byte";
import { MAP_VEX } from "./map-vex";
import { X87 } from "./x87";

export const ALL_FORMS: readonly OpcodeForm[] = Object.freeze([
  ...MAP_1BYTE,
  ...GROUPS,
  ...X87,
  ...MAP_0F,
  ...MAP_0F_SIMD,
  ...MAP_0F38,
  ...MAP_0F3A,
  ...MAP_VEX,
]);
