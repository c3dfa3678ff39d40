// A PS/2 MF2 keyboard: scan code set 2 (set 1 on request), LEDs, typematic repeat,
// scanning enable/disable, identify, echo (IBM PS/2 Keyboard Technical Reference,
// "Commands from the system").
import type { Clock, Scheduler, ScheduledEvent } from "@ringvm/bus";
import { Ps2Device } from "./ps2-device";
import {
  ACK,
  BAT_OK,
  ECHO,
  KBD_DEFAULT_DISABLE,
  KBD_ECHO,
  KBD_ENABLE,
  KBD_ID,
  KBD_IDENTIFY,
  KBD_RESEND,
  KBD_RESET,
  KBD_SCANCODE_SET,
  KBD_SET_DEFAULT,
  KBD_SET_LEDS,
  KBD_TYPEMATIC,
  PS2_QUEUE_SIZE,
  RESEND,
  TYPEMATIC_DEFAULT,
} from "./regs";
import { BREAK_PREFIX, SET2_TO_SET1 } from "./translate";

/** Set 2 prefix of extended keys; key codes above FFh carry it (E0xxh). */
const EXTENDED = 0xe0;
/** Buffer overrun codes (set 2: 00h, set 1: FFh). */
const OVERRUN_SET2 = 0x00;
const OVERRUN_SET1 = 0xff;
/** The first byte of a command: anything at or above EDh interrupts a pending parameter. */
const FIRST_COMMAND = 0xed;

/** Typematic delay (bits 6:5): (n + 1) * 250 ms. */
function typematicDelayNs(value: number): number {
  return (((value >>> 5) & 3) + 1) * 250_000_000;
}

/** Typematic period (bits 4:0): (8 + A) * 2^B * 4.17 ms, A = bits 2:0, B = bits 4:3. */
function typematicPeriodNs(value: number): number {
  return Math.round((8 + (value & 7)) * (1 << ((value >>> 3) & 3)) * 4_166_667);
}

export class Ps2Keyboard extends Ps2Device {
  private scancodeSet = 2;
  private isScanning = true;
  private leds = 0;
  private typematic = TYPEMATIC_DEFAULT;
  /** The command waiting for its parameter byte, or 0. */
  private pending = 0;
  private heldKey = -1;
  private repeat: ScheduledEvent | undefined;
  private scheduler: Scheduler | undefined;
  private clock: Clock | undefined;
  /** Host notification of LED changes (bit 0 Scroll, 1 Num, 2 Caps Lock). */
  onLeds: (leds: number) => void = () => {};

  /** @internal The controller hands over its clock and scheduler for typematic repeat. */
  connect(clock: Clock, scheduler: Scheduler): void {
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** LED state last set by the guest. */
  get ledState(): number {
    return this.leds;
  }

  /** The scan code set the guest selected (1 or 2). */
  get activeSet(): number {
    return this.scancodeSet;
  }

  write(value: number): void {
    value &= 0xff;
    if (this.pending !== 0) {
      const command = this.pending;
      this.pending = 0;
      if (value < FIRST_COMMAND || command === KBD_SCANCODE_SET) {
        this.parameter(command, value);
        return;
      }
    }
    this.command(value);
  }

  private parameter(command: number, value: number): void {
    switch (command) {
      case KBD_SET_LEDS:
        this.leds = value & 7;
        this.respond(ACK);
        this.onLeds(this.leds);
        return;
      case KBD_TYPEMATIC:
        this.typematic = value & 0x7f;
        this.respond(ACK);
        return;
      case KBD_SCANCODE_SET:
        if (value === 0) this.respond(ACK, this.scancodeSet);
        else if (value === 1 || value === 2) {
          this.scancodeSet = value;
          this.respond(ACK);
        } else {
          // Set 3 is not implemented: refuse it as a keyboard refuses a bad parameter.
          this.respond(RESEND);
        }
        return;
    }
  }

  private command(value: number): void {
    switch (value) {
      case KBD_SET_LEDS:
      case KBD_TYPEMATIC:
      case KBD_SCANCODE_SET:
        this.pending = value;
        this.respond(ACK);
        return;
      case KBD_ECHO:
        this.respond(ECHO);
        return;
      case KBD_IDENTIFY:
        this.respond(ACK, ...KBD_ID);
        return;
      case KBD_ENABLE:
        // Enable clears the keyboard's buffer (PS/2 reference, F4h).
        this.clearQueue();
        this.stopRepeat();
        this.isScanning = true;
        this.respond(ACK);
        return;
      case KBD_DEFAULT_DISABLE:
        this.defaults();
        this.isScanning = false;
        this.respond(ACK);
        return;
      case KBD_SET_DEFAULT:
        this.defaults();
        this.isScanning = true;
        this.respond(ACK);
        return;
      case KBD_RESEND:
        this.respond(this.lastSent);
        return;
      case KBD_RESET:
        this.defaults();
        this.clearQueue();
        this.scancodeSet = 2;
        this.leds = 0;
        this.isScanning = true;
        this.respond(ACK, BAT_OK);
        return;
      default:
        // F7h-FDh are set 3 key-type commands: acknowledged and ignored.
        if (value >= 0xf7 && value <= 0xfd) this.respond(ACK);
        else this.respond(RESEND);
    }
  }

  private defaults(): void {
    this.typematic = TYPEMATIC_DEFAULT;
    this.stopRepeat();
  }

  /**
   * Sends raw set 2 bytes as if typed (converted to set 1 when the guest selected set 1).
   * Dropped while scanning is disabled; an overflowing queue ends in the overrun code.
   */
  sendScancodes(bytes: readonly number[]): void {
    if (!this.isScanning) return;
    let isBreak = false;
    for (const raw of bytes) {
      const b = raw & 0xff;
      let out = b;
      if (this.scancodeSet === 1) {
        if (b === BREAK_PREFIX) {
          isBreak = true;
          continue;
        }
        out = b === EXTENDED || b === 0xe1 ? b : (SET2_TO_SET1[b] ?? b) | (isBreak ? 0x80 : 0);
        isBreak = false;
      }
      if (this.queue.length >= PS2_QUEUE_SIZE - 1) {
        if (this.queue.length < PS2_QUEUE_SIZE)
          this.queue.push(this.scancodeSet === 1 ? OVERRUN_SET1 : OVERRUN_SET2);
        break;
      }
      this.queue.push(out);
    }
    this.onData();
  }

  /** Set 2 make bytes of a key code (E0xxh for extended keys). */
  private static make(code: number): number[] {
    return code > 0xff ? [EXTENDED, code & 0xff] : [code & 0xff];
  }

  /** Set 2 break bytes of a key code. */
  private static breakCode(code: number): number[] {
    return code > 0xff ? [EXTENDED, BREAK_PREFIX, code & 0xff] : [BREAK_PREFIX, code & 0xff];
  }

  /**
   * A key goes down: sends its make code and starts typematic repeat.
   * @param code set 2 make code; extended keys as E0xxh (right Ctrl = 0xe014)
   */
  keyDown(code: number): void {
    this.sendScancodes(Ps2Keyboard.make(code));
    this.stopRepeat();
    this.heldKey = code;
    this.scheduleRepeat(typematicDelayNs(this.typematic));
  }

  /** A key comes up: sends its break code; repeat stops if it was the repeating key. */
  keyUp(code: number): void {
    this.sendScancodes(Ps2Keyboard.breakCode(code));
    if (code === this.heldKey) this.stopRepeat();
  }

  /** keyDown then keyUp. */
  pressKey(code: number): void {
    this.keyDown(code);
    this.keyUp(code);
  }

  private scheduleRepeat(afterNs: number): void {
    const scheduler = this.scheduler;
    if (scheduler === undefined || this.clock === undefined || this.heldKey < 0) return;
    this.repeat = scheduler.schedule(this.clock.now() + afterNs, () => {
      this.repeat = undefined;
      if (this.heldKey < 0) return;
      this.sendScancodes(Ps2Keyboard.make(this.heldKey));
      this.scheduleRepeat(typematicPeriodNs(this.typematic));
    });
  }

  private stopRepeat(): void {
    this.repeat?.cancel();
    this.repeat = undefined;
    this.heldKey = -1;
  }

  /** Power-on: BAT passed, defaults, set 2, scanning. */
  reset(): void {
    this.clearQueue();
    this.stopRepeat();
    this.scancodeSet = 2;
    this.isScanning = true;
    this.leds = 0;
    this.typematic = TYPEMATIC_DEFAULT;
    this.pending = 0;
    this.lastSent = 0;
  }

  saveState(): Record<string, unknown> {
    return {
      ...this.saveQueue(),
      scancodeSet: this.scancodeSet,
      isScanning: this.isScanning,
      leds: this.leds,
      typematic: this.typematic,
      pending: this.pending,
    };
  }

  loadState(state: Record<string, unknown>): void {
    this.stopRepeat();
    this.loadQueue(state);
    this.scancodeSet = state["scancodeSet"] === 1 ? 1 : 2;
    this.isScanning = state["isScanning"] !== false;
    this.leds = Number(state["leds"] ?? 0) & 7;
    this.typematic = Number(state["typematic"] ?? TYPEMATIC_DEFAULT) & 0x7f;
    const pending = Number(state["pending"] ?? 0);
    this.pending = [KBD_SET_LEDS, KBD_TYPEMATIC, KBD_SCANCODE_SET].includes(pending) ? pending : 0;
  }
}
