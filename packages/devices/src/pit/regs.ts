// Intel 8254 programmable interval timer as wired in the PC (8254 datasheet 231164).

/** Counters 0-2 at 40h-42h, control word at 43h. */
export const PIT_BASE = 0x40;
export const CONTROL_PORT = 0x43;
/** NMI status and control (system control port B): timer 2 gate/speaker/refresh/OUT2. */
export const PORT_B = 0x61;

/** The PC's PIT input clock: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;
const NS_PER_S = 1_000_000_000;

/** Control word: SC1 SC0 (7:6), RW1 RW0 (5:4), M2-M0 (3:1), BCD (0). */
export const SC_READ_BACK = 3;
export const RW_LATCH = 0;
export const RW_LSB = 1;
export const RW_MSB = 2;
export const RW_LSB_MSB = 3;

/** Read-back command: D5=0 latches count, D4=0 latches status, D3-D1 select counters. */
export const READ_BACK_NO_COUNT = 0x20;
export const READ_BACK_NO_STATUS = 0x10;

/** Status byte: OUTPUT (7), NULL COUNT (6), then the control word's low six bits. */
export const STATUS_OUT = 0x80;
export const STATUS_NULL_COUNT = 0x40;

/** Port 61h bits. */
export const B_GATE2 = 0x01;
export const B_SPEAKER = 0x02;
/** Writable bits: gate 2, speaker data, parity and channel check enables. */
export const B_WRITABLE = 0x0f;
export const B_REFRESH = 0x10;
export const B_OUT2 = 0x20;
/** The refresh request toggles every 15.085 us (memory refresh, counter 1 on the AT). */
export const REFRESH_PERIOD_NS = 15_085;

/** Input-clock ticks elapsed at `ns` (exact integer arithmetic, no drift). */
export function tickAt(ns: number): number {
  const seconds = Math.floor(ns / NS_PER_S);
  const rest = ns - seconds * NS_PER_S;
  return seconds * PIT_HZ + Math.floor((rest * PIT_HZ) / NS_PER_S);
}

/** The first nanosecond at which {@link tickAt} reaches `tick`. */
export function nsOfTick(tick: number): number {
  const seconds = Math.floor(tick / PIT_HZ);
  const rest = tick - seconds * PIT_HZ;
  return seconds * NS_PER_S + Math.ceil((rest * NS_PER_S) / PIT_HZ);
}

export function fromBcd(value: number): number {
  return (
    ((value >> 12) & 0xf) * 1000 +
    ((value >> 8) & 0xf) * 100 +
    ((value >> 4) & 0xf) * 10 +
    (value & 0xf)
  );
}

export function toBcd(value: number): number {
  return (
    ((Math.floor(value / 1000) % 10) << 12) |
    ((Math.floor(value / 100) % 10) << 8) |
    ((Math.floor(value / 10) % 10) << 4) |
    (value % 10)
  );
}
