// What a PS/2 device shares: a small output queue the controller drains, the last byte
// sent (for RESEND), and a notification when bytes arrive.
import { PS2_QUEUE_SIZE } from "./regs";

export abstract class Ps2Device {
  protected readonly queue: number[] = [];
  /** Set by the controller: called when the device has queued bytes. */
  onData: () => void = () => {};
  protected lastSent = 0;

  /** A byte from the host (the controller) to the device. */
  abstract write(value: number): void;

  /** Whether a byte is waiting for the controller. */
  get hasData(): boolean {
    return this.queue.length > 0;
  }

  /** Hands the oldest byte to the controller. */
  read(): number {
    const value = this.queue.shift() ?? 0;
    this.lastSent = value;
    this.drained();
    return value;
  }

  /** Room was made in the queue (streaming devices refill it). */
  protected drained(): void {}

  protected get free(): number {
    return PS2_QUEUE_SIZE - this.queue.length;
  }

  /** Queues response bytes (command replies are never dropped; they are few). */
  protected respond(...bytes: number[]): void {
    for (const b of bytes) this.queue.push(b & 0xff);
    this.onData();
  }

  protected clearQueue(): void {
    this.queue.length = 0;
  }

  protected saveQueue(): { queue: number[]; lastSent: number } {
    return { queue: [...this.queue], lastSent: this.lastSent };
  }

  protected loadQueue(state: Record<string, unknown>): void {
    this.queue.length = 0;
    const q = state["queue"];
    if (Array.isArray(q))
      for (const b of q.slice(0, PS2_QUEUE_SIZE * 2)) this.queue.push(Number(b) & 0xff);
    this.lastSent = Number(state["lastSent"] ?? 0) & 0xff;
  }
}
