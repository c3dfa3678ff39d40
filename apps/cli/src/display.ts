// `--display terminal`: the VGA text screen (graphics modes as half blocks) drawn in the host terminal, the keyboard typed
// into it sent to the guest's PS/2 keyboard, and `--screenshot`: the VGA picture as PNG.
// The drawing is done by @ringvm/devices' TerminalRenderer (only changed cells, colours,
// cursor position and shape); this file paces it, follows resizes and restores the terminal.
import { writeFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { encode } from "fast-png";
import {
  TERMINAL_RESET,
  TerminalKeyDecoder,
  TerminalRenderer,
  textScreen,
  type ScreenPc,
  type TerminalColors,
} from "@ringvm/pc";

/** Frames per second at most: the screen is compared and redrawn on this timer only. */
export const DISPLAY_FPS = 20;
/** A lone ESC is the Escape key if nothing follows it within this time. */
const ESCAPE_KEY_MS = 50;
/**
 * Key events go to the keyboard one at a time, each once its output buffer is empty (checked
 * this often): a real keyboard holds 16 bytes and answers an overflow with the overrun code
 * (Linux logs "Unknown key pressed ... code 0x0" for a pasted line sent at once).
 */
const KEY_PACE_MS = 4;
/** Keys typed ahead beyond this many events are dropped (a huge paste). */
const MAX_PENDING_KEYS = 8192;
/** How long a Ctrl-A message (help, stats) stays before the guest screen is redrawn. */
const MESSAGE_MS = 3000;

/** The host terminal as the display sees it (process.stdout in the CLI; fakes in tests). */
export interface DisplayTerminal {
  write: (text: string) => void;
  readonly columns?: number | undefined;
  readonly rows?: number | undefined;
  /** False where DECSCUSR (cursor shape) would be printed, not obeyed (TERM=linux). */
  readonly cursorStyle?: boolean;
  /** Subscribes to size changes (SIGWINCH); returns the unsubscribe function. */
  onResize?: (listener: () => void) => () => void;
}

/**
 * The colour depth to draw with: `--colors` when given, else what the terminal reports
 * (Node's getColorDepth: COLORTERM, TERM, NO_COLOR/FORCE_COLOR; 24 truecolour, 8 256
 * colours, else the 16 ANSI colours).
 */
export function pickColors(option: string | undefined, depth: number): TerminalColors {
  if (option === "truecolor" || option === "24bit") return "truecolor";
  if (option === "256") return "ansi256";
  if (option === "16") return "ansi16";
  return depth >= 24 ? "truecolor" : depth >= 8 ? "ansi256" : "ansi16";
}

/** Draws the guest's text screen in the terminal and types the user's keys into the guest. */
export class TerminalDisplay {
  private readonly renderer: TerminalRenderer;
  private readonly keys = new TerminalKeyDecoder();
  private readonly pendingKeys: { readonly code: string; readonly isPressed: boolean }[] = [];
  private keyTimer: ReturnType<typeof setTimeout> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private escapeTimer: ReturnType<typeof setTimeout> | undefined;
  private messageTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private isActive = false;
  private isPaused = false;
  /** The guest's picture in graphics modes (RGBA), drawn with half blocks. */
  private picture = new Uint8Array(0);
  private isPictureStale = true;

  constructor(
    private readonly screen: ScreenPc,
    private readonly terminal: DisplayTerminal,
    colors: TerminalColors,
  ) {
    this.renderer = new TerminalRenderer({
      colors,
      cursorStyle: terminal.cursorStyle ?? true,
      columns: terminal.columns ?? 80,
      rows: terminal.rows ?? 25,
    });
  }

  /** Starts drawing (a full frame now, then changed cells at most {@link DISPLAY_FPS}/s). */
  start(): void {
    this.isActive = true;
    this.unsubscribe = this.terminal.onResize?.(() => {
      this.renderer.resize(this.terminal.columns ?? 80, this.terminal.rows ?? 25);
      this.isPictureStale = true;
      this.frame();
    });
    this.frame();
    this.timer = setInterval(() => this.frame(), 1000 / DISPLAY_FPS);
  }

  /** Draws what changed since the last frame. */
  frame(): void {
    if (!this.isActive || this.isPaused) return;
    const text = textScreen(this.screen.vga);
    let out: string;
    if (text !== undefined) {
      out = this.renderer.render(text);
      this.isPictureStale = true;
    } else {
      // Graphics modes (or a blank screen): the RGBA picture, redrawn where lines changed.
      let result = this.screen.render(this.picture);
      if (!result.isDrawn) {
        this.picture = new Uint8Array(result.width * result.height * 4);
        result = this.screen.render(this.picture);
      }
      const isChanged = result.dirtyBottom > result.dirtyTop || this.isPictureStale;
      this.isPictureStale = false;
      out = isChanged ? this.renderer.renderPicture(this.picture, result.width, result.height) : "";
    }
    if (out !== "") this.terminal.write(out);
  }

  /** Bytes typed on the host (after the Ctrl-A escapes): key events for the PS/2 keyboard. */
  input(bytes: Uint8Array): void {
    if (this.escapeTimer !== undefined) clearTimeout(this.escapeTimer);
    this.escapeTimer = undefined;
    this.type(this.keys.feed(bytes));
    // A lone ESC stays pending in the decoder until the next byte or a short quiet time.
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x1b) {
      this.escapeTimer = setTimeout(() => {
        this.escapeTimer = undefined;
        this.type(this.keys.flush());
      }, ESCAPE_KEY_MS);
    }
  }

  private type(events: readonly { readonly code: string; readonly isPressed: boolean }[]): void {
    for (const event of events) {
      if (this.pendingKeys.length < MAX_PENDING_KEYS) this.pendingKeys.push(event);
    }
    if (this.keyTimer === undefined) this.pumpKeys();
  }

  /** Sends the next key event when the keyboard has nothing left to send; paces the rest. */
  private pumpKeys(): void {
    this.keyTimer = undefined;
    // Without a board (tests) every event goes at once.
    const keyboard = (this.screen.pc as ScreenPc["pc"] | undefined)?.i8042.keyboard;
    while (this.pendingKeys.length > 0) {
      if (keyboard?.hasData === true) break;
      const event = this.pendingKeys.shift()!;
      this.screen.key(event.code, event.isPressed);
      if (keyboard !== undefined) break;
    }
    if (this.pendingKeys.length > 0 && this.isActive) {
      this.keyTimer = setTimeout(() => this.pumpKeys(), KEY_PACE_MS);
    }
  }

  /** Shows a console message (Ctrl-A H/S) over the screen, then redraws the guest's. */
  message(text: string): void {
    if (!this.isActive) return;
    this.isPaused = true;
    this.terminal.write(`\x1b[0m\x1b[2J\x1b[H${text.replace(/\r?\n/g, "\r\n")}`);
    if (this.messageTimer !== undefined) clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => {
      this.isPaused = false;
      this.renderer.invalidate();
      this.isPictureStale = true;
      this.frame();
    }, MESSAGE_MS);
  }

  /** Stops drawing and gives the terminal back: last frame kept, cursor below it, defaults. */
  stop(): void {
    if (!this.isActive) return;
    this.isPaused = false;
    this.frame();
    this.isActive = false;
    for (const t of [this.escapeTimer, this.messageTimer, this.keyTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    const rows = Math.min(textScreen(this.screen.vga)?.rows ?? 1, this.terminal.rows ?? 25);
    const reset = this.terminal.cursorStyle === false ? "\x1b[0m\x1b[?25h" : TERMINAL_RESET;
    this.terminal.write(`\x1b[${rows};1H\r\n${reset}`);
  }
}

/** Checks a `--screenshot` path before the run: a .png name in an existing folder. */
export function checkScreenshotPath(path: string): string {
  const full = resolve(path);
  if (!/\.png$/i.test(full))
    throw new Error(`--screenshot ${path}: expected a file name ending in .png`);
  let folder;
  try {
    folder = statSync(dirname(full));
  } catch {
    throw new Error(`--screenshot ${path}: folder ${dirname(full)} does not exist`);
  }
  if (!folder.isDirectory())
    throw new Error(`--screenshot ${path}: ${dirname(full)} is not a folder`);
  try {
    if (statSync(full).isDirectory()) throw new Error("dir");
  } catch (error) {
    if ((error as Error).message === "dir") throw new Error(`--screenshot ${path}: is a folder`);
  }
  return full;
}

/**
 * The VGA picture now, as PNG bytes (RGB, 8 bits): text modes 720x400 etc., graphics modes
 * at the size QEMU's screendump gives; a blank screen is black 640x480.
 */
export function screenshotPng(screen: ScreenPc): Uint8Array {
  let frame = new Uint8Array(0);
  let result = screen.render(frame);
  if (!result.isDrawn) {
    frame = new Uint8Array(result.width * result.height * 4);
    result = screen.render(frame);
  }
  const { width, height } = result;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 3) {
    rgb[q] = frame[p * 4]!;
    rgb[q + 1] = frame[p * 4 + 1]!;
    rgb[q + 2] = frame[p * 4 + 2]!;
  }
  return encode({ width, height, data: rgb, channels: 3, depth: 8 });
}

/** Writes the screenshot; throws an Error with a one-line message. */
export function writeScreenshot(screen: ScreenPc, path: string): void {
  const png = screenshotPng(screen);
  try {
    writeFileSync(path, png);
  } catch (error) {
    throw new Error(`--screenshot ${path}: cannot write: ${(error as Error).message}`);
  }
}
