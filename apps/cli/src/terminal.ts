// The serial console on the host terminal: guest output to stdout (batched), host input to
// the guest. On a TTY stdin is in raw mode with QEMU-style Ctrl-A escapes; when piped, input
// passes through as is and output loses the CR of each CRLF (plain lines).

/** The host streams the console uses (process.stdin/stdout in the CLI; fakes in tests). */
export interface TerminalStreams {
  /** Guest output bytes to the host's stdout. */
  writeOut: (data: Uint8Array) => void;
  /** True when stdout is a terminal (CRLF kept as is). */
  readonly isOutputTty?: boolean;
  /** The terminal behind stdout, for `--display terminal` (size, resizes, colour depth). */
  readonly terminal?: {
    readonly columns?: number;
    readonly rows?: number;
    /** Bits per colour Node reports (tty.WriteStream.getColorDepth): 1, 4, 8 or 24. */
    readonly colorDepth?: number;
    /** False when the terminal prints DECSCUSR instead of shaping the cursor (TERM=linux). */
    readonly cursorStyle?: boolean;
    onResize?(listener: () => void): () => void;
  };
  /** Host input: stdin (raw mode is used when it is a TTY). */
  readonly input?: {
    readonly isTTY?: boolean;
    setRawMode?(mode: boolean): unknown;
    on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
    removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
    resume(): unknown;
    pause(): unknown;
  };
}

export interface TerminalHandlers {
  /** Bytes typed by the user for the guest's COM1. */
  input: (data: Uint8Array) => void;
  /** Ctrl-A X. */
  quit: () => void;
  /** Ctrl-A S: the statistics table. */
  stats: () => string;
}

const CTRL_A = 0x01;
const FLUSH_BYTES = 4096;

export const ESCAPE_HELP = [
  "",
  "RingVM console escapes (Ctrl-A then):",
  "  x    quit (exit code 0)",
  "  s    print exit statistics",
  "  h    this help",
  "  a    send Ctrl-A to the guest",
  "",
].join("\r\n");

export class TerminalConsole {
  private readonly streams: TerminalStreams;
  private readonly buffer = new Uint8Array(FLUSH_BYTES);
  private length = 0;
  private isFlushScheduled = false;
  private isPendingCr = false;
  private isEscape = false;
  private isRaw = false;
  private handlers: TerminalHandlers | undefined;
  private readonly onData = (chunk: Buffer | string): void => this.handleInput(chunk);

  constructor(streams: TerminalStreams) {
    this.streams = streams;
  }

  /** The sink COM1 writes into. */
  readonly sink = {
    write: (data: Uint8Array): void => {
      for (const byte of data) this.put(byte);
      if (!this.isFlushScheduled) {
        this.isFlushScheduled = true;
        setImmediate(() => this.flush());
      }
    },
  };

  start(handlers: TerminalHandlers): void {
    this.handlers = handlers;
    const input = this.streams.input;
    if (input === undefined) return;
    if (input.isTTY === true && input.setRawMode !== undefined) {
      input.setRawMode(true);
      this.isRaw = true;
    }
    input.on("data", this.onData);
    input.resume();
  }

  stop(): void {
    this.flush();
    const input = this.streams.input;
    if (input !== undefined) {
      input.removeListener("data", this.onData);
      if (this.isRaw) input.setRawMode?.(false);
      input.pause();
    }
    this.isRaw = false;
    this.handlers = undefined;
  }

  flush(): void {
    this.isFlushScheduled = false;
    if (this.length === 0) return;
    this.streams.writeOut(this.buffer.slice(0, this.length));
    this.length = 0;
  }

  private put(byte: number): void {
    if (this.streams.isOutputTty !== true) {
      // Plain lines: CRLF becomes LF; a lone CR stays.
      if (this.isPendingCr) {
        this.isPendingCr = false;
        if (byte !== 0x0a) this.append(0x0d);
      }
      if (byte === 0x0d) {
        this.isPendingCr = true;
        return;
      }
    }
    this.append(byte);
  }

  private append(byte: number): void {
    if (this.length === FLUSH_BYTES) this.flush();
    this.buffer[this.length++] = byte;
  }

  private handleInput(chunk: Buffer | string): void {
    const handlers = this.handlers;
    if (handlers === undefined) return;
    const bytes =
      typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
    if (!this.isRaw) {
      handlers.input(bytes);
      return;
    }
    const out: number[] = [];
    for (const byte of bytes) {
      if (this.isEscape) {
        this.isEscape = false;
        const key = String.fromCharCode(byte).toLowerCase();
        if (key === "x") {
          if (out.length > 0) handlers.input(Uint8Array.from(out));
          handlers.quit();
          return;
        }
        if (key === "h" || key === "?") this.message(ESCAPE_HELP);
        else if (key === "s") this.message(`\r\n${handlers.stats().replace(/\n/g, "\r\n")}\r\n`);
        else if (byte === CTRL_A || key === "a") out.push(CTRL_A);
        continue;
      }
      if (byte === CTRL_A) {
        this.isEscape = true;
        continue;
      }
      out.push(byte);
    }
    if (out.length > 0) handlers.input(Uint8Array.from(out));
  }

  private message(text: string): void {
    this.flush();
    this.streams.writeOut(new TextEncoder().encode(text));
  }
}
