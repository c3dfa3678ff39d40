// @ringvm/devices/input: host keyboard and mouse events to what PS/2 devices send.
export {
  SET2_BY_CODE,
  SET2_BREAK,
  SET2_EXTENDED,
  SET2_PAUSE_PREFIX,
  Set2Encoder,
  ctrlAltDelete,
  ps2ButtonsFromDom,
  set2Break,
  set2Make,
} from "./set2";
export type { KeyEvent } from "./set2";
export { TerminalKeyDecoder } from "./terminal-keys";
