// Host input waiting for the receiver: a FIFO with O(1) push and shift, so a large paste does
// not cost quadratic time.

export class HostQueue {
  private items: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(value: number): void {
    this.items.push(value);
  }

  /** The oldest entry, or undefined when empty. */
  shift(): number | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  toArray(): number[] {
    return this.items.slice(this.head);
  }

  static from(values: readonly number[]): HostQueue {
    const queue = new HostQueue();
    queue.items = [...values];
    return queue;
  }
}
