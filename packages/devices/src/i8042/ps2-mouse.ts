// A PS/2 mouse with the IntelliMouse (wheel, ID 3) and IntelliMouse Explorer (wheel and
// buttons 4/5, ID 4) extensions: stream and remote modes, sample rate, resolution,
// scaling, wrap mode, status request (IBM PS/2 Hardware Interface Technical Reference,
// "Auxiliary device"; Microsoft IntelliMouse PS/2 protocol as Linux psmouse-base.c and
// SeaBIOS probe it).
import { Ps2Device } from "./ps2-device";
import {
  ACK,
  AUX_DISABLE,
  AUX_ENABLE,
  AUX_GET_ID,
  AUX_READ_DATA,
  AUX_RESEND,
  AUX_RESET,
  AUX_RESET_WRAP,
  AUX_SET_DEFAULTS,
  AUX_SET_REMOTE,
  AUX_SET_RESOLUTION,
  AUX_SET_SAMPLE_RATE,
  AUX_SET_SCALING_1_1,
  AUX_SET_SCALING_2_1,
  AUX_SET_STREAM,
  AUX_SET_WRAP,
  AUX_STATUS_REQUEST,
  BAT_OK,
  RESEND,
} from "./regs";

/** Button bits of the host API and of packet byte 0 (left, right, middle). */
export const MOUSE_LEFT = 0x01;
export const MOUSE_RIGHT = 0x02;
export const MOUSE_MIDDLE = 0x04;
/** Fourth and fifth buttons (reported only in IntelliMouse Explorer mode, ID 4). */
export const MOUSE_BUTTON4 = 0x08;
export const MOUSE_BUTTON5 = 0x10;

const DEFAULT_RATE = 100;
const DEFAULT_RESOLUTION = 2;
/** Movement beyond this stays pending rather than growing without bound. */
const MAX_PENDING = 4096;

/** 2:1 scaling of one movement count (PS/2 reference: 1->1, 2->1, 3->3, 4->6, 5->9, else 2n). */
function scale2to1(d: number): number {
  const magnitude = Math.abs(d);
  const table = [0, 1, 1, 3, 6, 9];
  const scaled = magnitude < 6 ? (table[magnitude] ?? 0) : 2 * magnitude;
  return d < 0 ? -scaled : scaled;
}

function clamp(v: number, low: number, high: number): number {
  return v < low ? low : v > high ? high : v;
}

export class Ps2Mouse extends Ps2Device {
  private id = 0;
  private sampleRate = DEFAULT_RATE;
  private resolution = DEFAULT_RESOLUTION;
  private isScaling2to1 = false;
  private isReporting = false;
  private isRemote = false;
  private isWrap = false;
  private pending = 0;
  /** The last three sample rates set, oldest first (the IntelliMouse knock sequence). */
  private rates = [0, 0, 0];
  private buttons = 0;
  private reportedButtons = 0;
  private dx = 0;
  private dy = 0;
  private dz = 0;

  /** The device ID the mouse reports (0 standard, 3 wheel, 4 five buttons). */
  get deviceId(): number {
    return this.id;
  }

  write(value: number): void {
    value &= 0xff;
    if (this.isWrap && value !== AUX_RESET_WRAP && value !== AUX_RESET) {
      this.respond(value);
      return;
    }
    if (this.pending !== 0) {
      const command = this.pending;
      this.pending = 0;
      if (command === AUX_SET_SAMPLE_RATE) this.setSampleRate(value);
      else this.resolution = value & 3;
      this.respond(ACK);
      return;
    }
    switch (value) {
      case AUX_SET_SAMPLE_RATE:
      case AUX_SET_RESOLUTION:
        this.pending = value;
        this.respond(ACK);
        return;
      case AUX_SET_SCALING_1_1:
      case AUX_SET_SCALING_2_1:
        this.isScaling2to1 = value === AUX_SET_SCALING_2_1;
        this.respond(ACK);
        return;
      case AUX_STATUS_REQUEST:
        this.respond(ACK, this.statusByte(), this.resolution, this.sampleRate);
        return;
      case AUX_SET_STREAM:
      case AUX_SET_REMOTE:
        this.isRemote = value === AUX_SET_REMOTE;
        this.resetMovement();
        this.respond(ACK);
        return;
      case AUX_READ_DATA:
        this.respond(ACK);
        this.sendPacket(true);
        return;
      case AUX_RESET_WRAP:
      case AUX_SET_WRAP:
        this.isWrap = value === AUX_SET_WRAP;
        this.resetMovement();
        this.respond(ACK);
        return;
      case AUX_GET_ID:
        this.respond(ACK, this.id);
        return;
      case AUX_ENABLE:
        this.isReporting = true;
        this.resetMovement();
        this.respond(ACK);
        return;
      case AUX_DISABLE:
        this.isReporting = false;
        this.respond(ACK);
        return;
      case AUX_SET_DEFAULTS:
        this.defaults();
        this.respond(ACK);
        return;
      case AUX_RESEND:
        this.respond(this.lastSent);
        return;
      case AUX_RESET:
        this.defaults();
        this.id = 0;
        this.isWrap = false;
        this.clearQueue();
        this.respond(ACK, BAT_OK, this.id);
        return;
      default:
        this.respond(RESEND);
    }
  }

  private defaults(): void {
    this.sampleRate = DEFAULT_RATE;
    this.resolution = DEFAULT_RESOLUTION;
    this.isScaling2to1 = false;
    this.isReporting = false;
    this.isRemote = false;
    this.rates = [0, 0, 0];
    this.resetMovement();
  }

  private resetMovement(): void {
    this.dx = this.dy = this.dz = 0;
    this.reportedButtons = this.buttons;
  }

  private setSampleRate(rate: number): void {
    this.sampleRate = rate;
    this.rates = [this.rates[1] ?? 0, this.rates[2] ?? 0, rate];
    const [a, b, c] = this.rates;
    if (a === 200 && b === 100 && c === 80 && this.id === 0) this.id = 3;
    else if (a === 200 && b === 200 && c === 80 && this.id === 3) this.id = 4;
  }

  private statusByte(): number {
    // Bit 6 remote, 5 enabled, 4 scaling 2:1, 2 left, 1 middle, 0 right.
    return (
      (this.isRemote ? 0x40 : 0) |
      (this.isReporting ? 0x20 : 0) |
      (this.isScaling2to1 ? 0x10 : 0) |
      (this.buttons & MOUSE_LEFT ? 0x04 : 0) |
      (this.buttons & MOUSE_MIDDLE ? 0x02 : 0) |
      (this.buttons & MOUSE_RIGHT ? 0x01 : 0)
    );
  }

  private get packetBytes(): number {
    return this.id === 0 ? 3 : 4;
  }

  /**
   * Builds one packet from the pending movement (at most what one packet carries) and
   * queues it. `isForced` (READ DATA) sends even with nothing to report.
   */
  private sendPacket(isForced: boolean): boolean {
    const hasNews =
      this.dx !== 0 || this.dy !== 0 || this.dz !== 0 || this.buttons !== this.reportedButtons;
    if (!hasNews && !isForced) return false;
    if (this.free < this.packetBytes) return false;
    const dx = clamp(this.dx, -256, 255);
    const dy = clamp(this.dy, -256, 255);
    const dz = clamp(this.dz, -8, 7);
    this.dx -= dx;
    this.dy -= dy;
    this.dz -= dz;
    const sx = this.isScaling2to1 && !this.isRemote ? clamp(scale2to1(dx), -256, 255) : dx;
    const sy = this.isScaling2to1 && !this.isRemote ? clamp(scale2to1(dy), -256, 255) : dy;
    const b = this.buttons;
    this.reportedButtons = b;
    const first = (b & 7) | 0x08 | (sx < 0 ? 0x10 : 0) | (sy < 0 ? 0x20 : 0);
    const bytes = [first, sx & 0xff, sy & 0xff];
    if (this.id === 3) bytes.push(dz & 0xff);
    else if (this.id === 4)
      bytes.push((dz & 0x0f) | (b & MOUSE_BUTTON4 ? 0x10 : 0) | (b & MOUSE_BUTTON5 ? 0x20 : 0));
    this.respond(...bytes);
    return true;
  }

  /** Streams packets while there is news and room. */
  private stream(): void {
    if (!this.isReporting || this.isRemote || this.isWrap) return;
    while (this.sendPacket(false)) {
      // one packet per iteration until the movement is reported or the queue is full
    }
  }

  protected override drained(): void {
    this.stream();
  }

  /**
   * Relative motion in host screen coordinates: `dx` right, `dy` down, `dz` wheel
   * (positive = towards the user, as the IntelliMouse reports it). PS/2 counts Y upwards;
   * the mouse converts.
   */
  move(dx: number, dy: number, dz = 0): void {
    this.dx = clamp(this.dx + Math.trunc(dx), -MAX_PENDING, MAX_PENDING);
    this.dy = clamp(this.dy - Math.trunc(dy), -MAX_PENDING, MAX_PENDING);
    if (this.id !== 0) this.dz = clamp(this.dz + Math.trunc(dz), -MAX_PENDING, MAX_PENDING);
    this.stream();
  }

  /** Wheel only. */
  wheel(dz: number): void {
    this.move(0, 0, dz);
  }

  /** Sets the pressed buttons (MOUSE_LEFT | MOUSE_RIGHT | ...). */
  setButtons(mask: number): void {
    this.buttons = mask & 0x1f;
    if (this.id !== 4) this.buttons &= 7;
    this.stream();
  }

  reset(): void {
    this.clearQueue();
    this.defaults();
    this.id = 0;
    this.isWrap = false;
    this.pending = 0;
    this.buttons = 0;
    this.reportedButtons = 0;
    this.lastSent = 0;
  }

  saveState(): Record<string, unknown> {
    return {
      ...this.saveQueue(),
      id: this.id,
      sampleRate: this.sampleRate,
      resolution: this.resolution,
      isScaling2to1: this.isScaling2to1,
      isReporting: this.isReporting,
      isRemote: this.isRemote,
      isWrap: this.isWrap,
      pending: this.pending,
      rates: [...this.rates],
      buttons: this.buttons,
      reportedButtons: this.reportedButtons,
      motion: [this.dx, this.dy, this.dz],
    };
  }

  loadState(state: Record<string, unknown>): void {
    this.loadQueue(state);
    const id = Number(state["id"] ?? 0);
    this.id = id === 3 || id === 4 ? id : 0;
    this.sampleRate = Number(state["sampleRate"] ?? DEFAULT_RATE) & 0xff;
    this.resolution = Number(state["resolution"] ?? DEFAULT_RESOLUTION) & 3;
    this.isScaling2to1 = state["isScaling2to1"] === true;
    this.isReporting = state["isReporting"] === true;
    this.isRemote = state["isRemote"] === true;
    this.isWrap = state["isWrap"] === true;
    const pending = Number(state["pending"] ?? 0);
    this.pending = pending === AUX_SET_SAMPLE_RATE || pending === AUX_SET_RESOLUTION ? pending : 0;
    const rates = Array.isArray(state["rates"]) ? (state["rates"] as unknown[]) : [];
    this.rates = [0, 1, 2].map((i) => Number(rates[i] ?? 0) & 0xff);
    this.buttons = Number(state["buttons"] ?? 0) & 0x1f;
    this.reportedButtons = Number(state["reportedButtons"] ?? 0) & 0x1f;
    const motion = Array.isArray(state["motion"]) ? (state["motion"] as unknown[]) : [];
    this.dx = clamp(Number(motion[0] ?? 0) || 0, -MAX_PENDING, MAX_PENDING);
    this.dy = clamp(Number(motion[1] ?? 0) || 0, -MAX_PENDING, MAX_PENDING);
    this.dz = clamp(Number(motion[2] ?? 0) || 0, -MAX_PENDING, MAX_PENDING);
  }
}
