// The COM1 output of a test machine (linux-machine.ts, firmware-machine.ts): the transcript as
// text, the raw bytes, and waits for text to appear. RINGVM_TRANSCRIPT=/path mirrors the text to
// a file while a test runs.
import { appendFileSync, writeFileSync } from "node:fs";

const transcriptFile = process.env["RINGVM_TRANSCRIPT"];

export class SerialLog {
  private transcript = "";
  private readonly chunks: Buffer[] = [];
  private readonly decoder = new TextDecoder();
  private readonly waiters: { text: string; from: number; resolve: () => void }[] = [];

  constructor() {
    if (transcriptFile !== undefined) writeFileSync(transcriptFile, "");
  }

  /** The board's serial sink: record `data` and wake the waits it satisfies. */
  readonly write = (data: Uint8Array): void => {
    this.chunks.push(Buffer.from(data));
    const text = this.decoder.decode(data, { stream: true });
    this.transcript += text;
    if (transcriptFile !== undefined) appendFileSync(transcriptFile, text);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.transcript.indexOf(w.text, w.from) >= 0) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  /** The output so far as text (UTF-8). */
  text(): string {
    return this.transcript;
  }

  /** Every byte written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves once the text holds `text` at or after `from` (never rejects). */
  seen(text: string, from: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.transcript.indexOf(text, from) >= 0) resolve();
      else this.waiters.push({ text, from, resolve });
    });
  }
}
