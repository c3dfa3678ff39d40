// Host keys (DOM `KeyboardEvent.code` names, which the web app gets from the browser and the
// terminal display produces from escape sequences) to PS/2 scan code set 2, the set a
// keyboard sends after reset (the i8042 may translate it to set 1 for the guest).
// Codes: IBM PS/2 Keyboard Technical Reference / Microsoft "Keyboard Scan Code
// Specification" rev 1.3a, set 2 column. Extended keys are written E0xxh, the form
// `Ps2Keyboard.keyDown` accepts.

/** Set 2 prefix bytes. */
export const SET2_EXTENDED = 0xe0;
export const SET2_BREAK = 0xf0;
export const SET2_PAUSE_PREFIX = 0xe1;

/**
 * Set 2 make code of every key of a US 104-key keyboard (plus the ISO 102nd key, the
 * Japanese Ro and Yen keys and common media keys), by DOM code. PrintScreen and Pause are
 * not here: their sequences depend on the modifiers held ({@link Set2Encoder}).
 */
export const SET2_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  Escape: 0x76,
  F1: 0x05,
  F2: 0x06,
  F3: 0x04,
  F4: 0x0c,
  F5: 0x03,
  F6: 0x0b,
  F7: 0x83,
  F8: 0x0a,
  F9: 0x01,
  F10: 0x09,
  F11: 0x78,
  F12: 0x07,
  ScrollLock: 0x7e,
  Backquote: 0x0e,
  Digit1: 0x16,
  Digit2: 0x1e,
  Digit3: 0x26,
  Digit4: 0x25,
  Digit5: 0x2e,
  Digit6: 0x36,
  Digit7: 0x3d,
  Digit8: 0x3e,
  Digit9: 0x46,
  Digit0: 0x45,
  Minus: 0x4e,
  Equal: 0x55,
  Backspace: 0x66,
  Tab: 0x0d,
  KeyQ: 0x15,
  KeyW: 0x1d,
  KeyE: 0x24,
  KeyR: 0x2d,
  KeyT: 0x2c,
  KeyY: 0x35,
  KeyU: 0x3c,
  KeyI: 0x43,
  KeyO: 0x44,
  KeyP: 0x4d,
  BracketLeft: 0x54,
  BracketRight: 0x5b,
  Backslash: 0x5d,
  CapsLock: 0x58,
  KeyA: 0x1c,
  KeyS: 0x1b,
  KeyD: 0x23,
  KeyF: 0x2b,
  KeyG: 0x34,
  KeyH: 0x33,
  KeyJ: 0x3b,
  KeyK: 0x42,
  KeyL: 0x4b,
  Semicolon: 0x4c,
  Quote: 0x52,
  Enter: 0x5a,
  ShiftLeft: 0x12,
  IntlBackslash: 0x61,
  KeyZ: 0x1a,
  KeyX: 0x22,
  KeyC: 0x21,
  KeyV: 0x2a,
  KeyB: 0x32,
  KeyN: 0x31,
  KeyM: 0x3a,
  Comma: 0x41,
  Period: 0x49,
  Slash: 0x4a,
  IntlRo: 0x51,
  IntlYen: 0x6a,
  ShiftRight: 0x59,
  ControlLeft: 0x14,
  MetaLeft: 0xe01f,
  AltLeft: 0x11,
  Space: 0x29,
  AltRight: 0xe011,
  MetaRight: 0xe027,
  ContextMenu: 0xe02f,
  ControlRight: 0xe014,
  Insert: 0xe070,
  Home: 0xe06c,
  PageUp: 0xe07d,
  Delete: 0xe071,
  End: 0xe069,
  PageDown: 0xe07a,
  ArrowUp: 0xe075,
  ArrowLeft: 0xe06b,
  ArrowDown: 0xe072,
  ArrowRight: 0xe074,
  NumLock: 0x77,
  NumpadDivide: 0xe04a,
  NumpadMultiply: 0x7c,
  NumpadSubtract: 0x7b,
  Numpad7: 0x6c,
  Numpad8: 0x75,
  Numpad9: 0x7d,
  NumpadAdd: 0x79,
  Numpad4: 0x6b,
  Numpad5: 0x73,
  Numpad6: 0x74,
  Numpad1: 0x69,
  Numpad2: 0x72,
  Numpad3: 0x7a,
  NumpadEnter: 0xe05a,
  Numpad0: 0x70,
  NumpadDecimal: 0x71,
  AudioVolumeMute: 0xe023,
  AudioVolumeDown: 0xe021,
  AudioVolumeUp: 0xe032,
  MediaTrackNext: 0xe04d,
  MediaTrackPrevious: 0xe015,
  MediaStop: 0xe03b,
  MediaPlayPause: 0xe034,
  Power: 0xe037,
  Sleep: 0xe03f,
  WakeUp: 0xe05e,
});

/** Make bytes of a set 2 code (E0xxh = extended). */
export function set2Make(code: number): number[] {
  return code > 0xff ? [SET2_EXTENDED, code & 0xff] : [code];
}

/** Break bytes of a set 2 code: F0 before the code (after E0 for extended keys). */
export function set2Break(code: number): number[] {
  return code > 0xff ? [SET2_EXTENDED, SET2_BREAK, code & 0xff] : [SET2_BREAK, code];
}

/** A host key going down or up. */
export interface KeyEvent {
  /** DOM `KeyboardEvent.code` ("KeyA", "ShiftLeft", "ArrowUp" ...). */
  readonly code: string;
  readonly isPressed: boolean;
}

/**
 * Turns host key events into set 2 byte sequences, tracking held modifiers the way the
 * keyboard's own controller does for the two keys whose codes depend on them:
 * - PrintScreen: E0 12 E0 7C / E0 F0 7C E0 F0 12; with Shift or Ctrl just E0 7C /
 *   E0 F0 7C; with Alt it is SysRq, 84 / F0 84.
 * - Pause: E1 14 77 E1 F0 14 F0 77 on press and nothing on release; with Ctrl it is Break,
 *   E0 7E E0 F0 7E.
 * A key pressed again while held (host auto-repeat) sends its make code again, as
 * typematic repeat does. Unknown codes produce nothing.
 *
 * @example
 * const encoder = new Set2Encoder();
 * keyboard.sendScancodes(encoder.press("KeyA")); // [0x1c]
 * keyboard.sendScancodes(encoder.release("KeyA")); // [0xf0, 0x1c]
 */
export class Set2Encoder {
  private readonly held = new Set<string>();

  /** Bytes for a key event. */
  encode(event: KeyEvent): number[] {
    return event.isPressed ? this.press(event.code) : this.release(event.code);
  }

  press(code: string): number[] {
    const bytes = this.sequence(code, true);
    if (bytes.length > 0 || code === "Pause") this.held.add(code);
    return bytes;
  }

  release(code: string): number[] {
    if (!this.held.has(code)) return [];
    this.held.delete(code);
    return this.sequence(code, false);
  }

  /** Break codes for every key still held (e.g. when the host window loses focus). */
  releaseAll(): number[] {
    const out: number[] = [];
    for (const code of [...this.held]) out.push(...this.release(code));
    return out;
  }

  /** Is a key held down? */
  isHeld(code: string): boolean {
    return this.held.has(code);
  }

  private isAnyHeld(...codes: string[]): boolean {
    return codes.some((c) => this.held.has(c));
  }

  private sequence(code: string, isPressed: boolean): number[] {
    if (code === "PrintScreen") {
      if (this.isAnyHeld("AltLeft", "AltRight")) return isPressed ? [0x84] : [SET2_BREAK, 0x84];
      if (this.isAnyHeld("ShiftLeft", "ShiftRight", "ControlLeft", "ControlRight")) {
        return isPressed ? [0xe0, 0x7c] : [0xe0, 0xf0, 0x7c];
      }
      return isPressed ? [0xe0, 0x12, 0xe0, 0x7c] : [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12];
    }
    if (code === "Pause") {
      if (!isPressed) return [];
      if (this.isAnyHeld("ControlLeft", "ControlRight")) return [0xe0, 0x7e, 0xe0, 0xf0, 0x7e];
      return [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77];
    }
    const set2 = SET2_BY_CODE[code];
    if (set2 === undefined) return [];
    return isPressed ? set2Make(set2) : set2Break(set2);
  }
}

/** Left Ctrl, left Alt, Delete pressed, then released in reverse order: the reboot salute. */
export function ctrlAltDelete(): KeyEvent[] {
  const keys = ["ControlLeft", "AltLeft", "Delete"];
  return [
    ...keys.map((code) => ({ code, isPressed: true })),
    ...keys.reverse().map((code) => ({ code, isPressed: false })),
  ];
}

/**
 * PS/2 button mask from DOM `MouseEvent.buttons`: both use bit 0 left, 1 right, 2 middle,
 * 3 back (button 4), 4 forward (button 5), so the mask passes through unchanged.
 */
export function ps2ButtonsFromDom(buttons: number): number {
  return buttons & 0x1f;
}
