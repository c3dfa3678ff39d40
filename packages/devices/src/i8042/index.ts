// @ringvm/devices/i8042: keyboard controller with a PS/2 keyboard and mouse.
export { I8042 } from "./i8042";
export type { I8042Options } from "./i8042";
export { Ps2Keyboard } from "./ps2-keyboard";
export {
  Ps2Mouse,
  MOUSE_LEFT,
  MOUSE_RIGHT,
  MOUSE_MIDDLE,
  MOUSE_BUTTON4,
  MOUSE_BUTTON5,
} from "./ps2-mouse";
export { SET2_TO_SET1 } from "./translate";
