// Bytes typed into a host terminal in raw mode (ASCII, control characters, and the xterm /
// VT220 escape sequences for cursor and function keys) to DOM key events for a US layout,
// so `--display terminal` can drive the PS/2 keyboard. Escape sequences: xterm "Control
// Sequences" (PC-style function keys, modifier parameter 1 + Shift 1 / Alt 2 / Ctrl 4).
import type { KeyEvent } from "./set2";

/** DOM code and whether Shift is needed, for each printable ASCII character (20h-7Eh). */
const PRINTABLE: Readonly<Record<string, readonly [string, boolean]>> = (() => {
  const table: Record<string, readonly [string, boolean]> = {};
  const rows: [string, string, string[]][] = [
    [
      "`1234567890-=",
      "~!@#$%^&*()_+",
      [
        "Backquote",
        "Digit1",
        "Digit2",
        "Digit3",
        "Digit4",
        "Digit5",
        "Digit6",
        "Digit7",
        "Digit8",
        "Digit9",
        "Digit0",
        "Minus",
        "Equal",
      ],
    ],
    [
      "[]\\;',./",
      '{}|:"<>?',
      [
        "BracketLeft",
        "BracketRight",
        "Backslash",
        "Semicolon",
        "Quote",
        "Comma",
        "Period",
        "Slash",
      ],
    ],
  ];
  for (const [plain, shifted, codes] of rows) {
    codes.forEach((code, i) => {
      table[plain[i]!] = [code, false];
      table[shifted[i]!] = [code, true];
    });
  }
  for (let c = 0; c < 26; c++) {
    const letter = String.fromCharCode(97 + c);
    const code = `Key${letter.toUpperCase()}`;
    table[letter] = [code, false];
    table[letter.toUpperCase()] = [code, true];
  }
  table[" "] = ["Space", false];
  return table;
})();

/** Final byte of CSI <n> ~ sequences (VT220 editing and function keys). */
const TILDE_KEYS: Readonly<Record<number, string>> = {
  1: "Home",
  2: "Insert",
  3: "Delete",
  4: "End",
  5: "PageUp",
  6: "PageDown",
  7: "Home",
  8: "End",
  11: "F1",
  12: "F2",
  13: "F3",
  14: "F4",
  15: "F5",
  17: "F6",
  18: "F7",
  19: "F8",
  20: "F9",
  21: "F10",
  23: "F11",
  24: "F12",
};

/** Final letters of CSI/SS3 sequences. */
const LETTER_KEYS: Readonly<Record<string, string>> = {
  A: "ArrowUp",
  B: "ArrowDown",
  C: "ArrowRight",
  D: "ArrowLeft",
  H: "Home",
  F: "End",
  P: "F1",
  Q: "F2",
  R: "F3",
  S: "F4",
  Z: "Tab", // back-tab: Shift+Tab
};

interface Stroke {
  readonly code: string;
  readonly isShift: boolean;
  readonly isAlt: boolean;
  readonly isCtrl: boolean;
}

/** A key press and release with the modifiers around it, as key events. */
function strokeEvents(s: Stroke): KeyEvent[] {
  const modifiers = [
    ...(s.isCtrl ? ["ControlLeft"] : []),
    ...(s.isAlt ? ["AltLeft"] : []),
    ...(s.isShift ? ["ShiftLeft"] : []),
  ];
  return [
    ...modifiers.map((code) => ({ code, isPressed: true })),
    { code: s.code, isPressed: true },
    { code: s.code, isPressed: false },
    ...modifiers.reverse().map((code) => ({ code, isPressed: false })),
  ];
}

/**
 * Decodes terminal input into key events. Feed it whatever the terminal delivers (chunks
 * may split escape sequences); a lone ESC stays pending until more input arrives or
 * {@link flush} is called (the CLI calls it after ~50 ms of quiet).
 *
 * @example
 * const decoder = new TerminalKeyDecoder();
 * process.stdin.on("data", (chunk) => { for (const e of decoder.feed(chunk)) send(e); });
 */
export class TerminalKeyDecoder {
  private pending = "";

  /** Decodes `input` (bytes or a string) and returns the complete key events. */
  feed(input: Uint8Array | string): KeyEvent[] {
    this.pending += typeof input === "string" ? input : latin1(input);
    const out: KeyEvent[] = [];
    let i = 0;
    const text = this.pending;
    while (i < text.length) {
      const used = this.decodeOne(text, i, out, false);
      if (used === 0) break; // incomplete escape sequence: wait for more
      i += used;
    }
    this.pending = text.slice(i);
    return out;
  }

  /** Emits anything pending (a lone ESC becomes the Escape key). */
  flush(): KeyEvent[] {
    const out: KeyEvent[] = [];
    const text = this.pending;
    let i = 0;
    while (i < text.length) i += this.decodeOne(text, i, out, true) || 1;
    this.pending = "";
    return out;
  }

  /** Decodes the key at `text[i]`; returns the characters used, or 0 if incomplete. */
  private decodeOne(text: string, i: number, out: KeyEvent[], isFinal: boolean): number {
    const c = text.charCodeAt(i);
    if (c === 0x1b) {
      if (i + 1 >= text.length) {
        if (!isFinal) return 0;
        out.push(...strokeEvents({ code: "Escape", isShift: false, isAlt: false, isCtrl: false }));
        return 1;
      }
      const next = text[i + 1]!;
      if (next === "[" || next === "O") {
        const used = this.decodeSequence(text, i + 2, next === "O", out);
        if (used < 0) {
          if (!isFinal) return 0;
          out.push(
            ...strokeEvents({ code: "Escape", isShift: false, isAlt: false, isCtrl: false }),
          );
          return 1;
        }
        return used + 2;
      }
      // ESC followed by a key: that key with Alt (the terminal's "meta sends escape").
      const inner: KeyEvent[] = [];
      const used = this.decodeOne(text, i + 1, inner, isFinal);
      if (used === 0) return 0;
      out.push({ code: "AltLeft", isPressed: true }, ...inner, {
        code: "AltLeft",
        isPressed: false,
      });
      return used + 1;
    }
    out.push(...this.decodeChar(c));
    return 1;
  }

  /** A CSI or SS3 sequence from `start` (after ESC [ or ESC O); -1 if incomplete. */
  private decodeSequence(text: string, start: number, isSs3: boolean, out: KeyEvent[]): number {
    let j = start;
    while (j < text.length) {
      const ch = text.charCodeAt(j);
      if (ch >= 0x40 && ch <= 0x7e) break; // final byte
      j++;
    }
    if (j >= text.length) return -1;
    const params = text
      .slice(start, j)
      .split(";")
      .map((p) => Number.parseInt(p, 10));
    const final = text[j]!;
    const modifier = (params[1] ?? (isSs3 ? (params[0] ?? 1) : 1)) - 1;
    let code: string | undefined;
    if (final === "~") code = TILDE_KEYS[params[0] ?? 0];
    else code = LETTER_KEYS[final];
    if (code !== undefined) {
      out.push(
        ...strokeEvents({
          code,
          isShift: (modifier > 0 && (modifier & 1) !== 0) || final === "Z",
          isAlt: modifier > 0 && (modifier & 2) !== 0,
          isCtrl: modifier > 0 && (modifier & 4) !== 0,
        }),
      );
    }
    // Unknown sequences (mouse reports, focus events) are consumed silently.
    return j - start + 1;
  }

  private decodeChar(c: number): KeyEvent[] {
    const stroke = (code: string, isShift = false, isCtrl = false) =>
      strokeEvents({ code, isShift, isAlt: false, isCtrl });
    if (c === 0x0d || c === 0x0a) return stroke("Enter");
    if (c === 0x09) return stroke("Tab");
    if (c === 0x7f || c === 0x08) return stroke("Backspace");
    if (c === 0x00) return stroke("Space", false, true); // Ctrl+Space / Ctrl+@
    if (c >= 0x01 && c <= 0x1a) return stroke(`Key${String.fromCharCode(0x40 + c)}`, false, true);
    if (c === 0x1c) return stroke("Backslash", false, true);
    if (c === 0x1d) return stroke("BracketRight", false, true);
    if (c === 0x1e) return stroke("Digit6", true, true);
    if (c === 0x1f) return stroke("Minus", true, true);
    const printable = PRINTABLE[String.fromCharCode(c)];
    if (printable !== undefined) return stroke(printable[0], printable[1]);
    return []; // non-ASCII: no US-layout key produces it
  }
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
