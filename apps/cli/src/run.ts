// `ringvm run`: options -> PcConfig -> createPc() -> run, with the serial console on the
// terminal. `ringvm` without arguments runs the default guest from guests/.
import { existsSync, openSync, readFileSync, writeSync, closeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { Option } from "commander";
import {
  createPc,
  createScreenPc,
  DiskImageError,
  formatStats,
  LinuxBootError,
  openDiskImage,
  OverlayDisk,
  type BlockDevice,
  type BootDevice,
  type Pc,
  type PcConfig,
  type RunEnd,
  type ScreenPc,
  type SerialSink,
} from "@ringvm/pc";
import { favorCallingThread } from "./host-threads";
import { configureWasmHost } from "./host-wasm";
import {
  checkScreenshotPath,
  pickColors,
  TerminalDisplay,
  writeScreenshot,
  type DisplayTerminal,
} from "./display";
import { FileBlockSource } from "./file-block-source";
import { TerminalConsole, type TerminalStreams } from "./terminal";

/** Process exit codes of `ringvm run` (documented in the README and `ringvm run --help`). */
export const ExitCode = {
  /** The guest powered off, `--exit-on` matched, or the user quit (Ctrl-A X). */
  Ok: 0,
  /** Bad options, missing or unusable files, or an emulator failure. */
  Error: 1,
  /** `--timeout` ran out first. */
  Timeout: 2,
  /** The CPU triple-faulted (shutdown). */
  TripleFault: 3,
  /** Interrupted by SIGINT/SIGTERM on the host. */
  Interrupted: 130,
} as const;

/** A user-facing failure: printed as one line, exit code 1. */
export class RunError extends Error {
  override readonly name = "RunError";
}

export interface RunOptions {
  kernel?: string;
  initrd?: string;
  append?: string;
  bios?: string;
  vgaBios?: string;
  hda?: string;
  hdb?: string;
  cdrom?: string;
  fda?: string;
  boot?: string;
  memory?: string;
  /** Default: stdio, or none with `--display terminal`. */
  serial?: string;
  display?: string;
  colors?: string;
  screenshot?: string;
  debugcon?: string;
  timeout?: string;
  exitOn?: string;
  engine: string;
  backend: string;
  hotThreshold?: string;
  deterministic?: boolean;
  realtime?: boolean;
  nsPerInstruction?: string;
  portAccessNs?: string;
  stats?: boolean;
}

/** Where `run` talks to the host; tests pass their own streams. */
export interface RunIo extends TerminalStreams {
  stderr: (text: string) => void;
}

/**
 * The command line the default guest boots with: the console on COM1, and no crypto self-tests
 * at boot (RSA test vectors cost the interpreter hundreds of millions of instructions).
 */
export const DEFAULT_APPEND = "console=ttyS0 cryptomgr.notests";
/** With `--display terminal` the kernel's console (and the guest's shell) is the VGA screen. */
export const DISPLAY_APPEND = "console=ttyS0 console=tty0 cryptomgr.notests";

/** Finds the repository's guests/ folder (env RINGVM_GUESTS overrides). */
export function findGuestsDir(): string | undefined {
  const env = process.env["RINGVM_GUESTS"];
  if (env !== undefined && env !== "") return env;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "guests", "vmlinuz"))) return join(dir, "guests");
    dir = dirname(dir);
  }
  return undefined;
}

/** Options of the default guest (what `ringvm` with no arguments runs). */
export function defaultGuestOptions(): RunOptions {
  const dir = findGuestsDir();
  if (dir === undefined) {
    throw new RunError(
      "cannot find the default guest (guests/vmlinuz); set RINGVM_GUESTS or pass --kernel",
    );
  }
  return {
    kernel: join(dir, "vmlinuz"),
    initrd: join(dir, "initramfs.cpio.gz"),
    append: DEFAULT_APPEND,
    serial: "stdio",
    engine: "auto",
    backend: "wasm",
  };
}

export function registerRun(
  program: Command,
  makeIo: () => RunIo,
  setExit: (code: number) => void,
): void {
  program
    .command("run")
    .description("boot a kernel (direct Linux/Multiboot boot) or disks through SeaBIOS")
    .option("--kernel <file>", "bzImage or Multiboot kernel (direct boot, no firmware)")
    .option("--initrd <file>", "initial ramdisk for --kernel")
    .option(
      "--append <cmdline>",
      `kernel command line (default: "${DEFAULT_APPEND}"; "${DISPLAY_APPEND}" with --display terminal)`,
    )
    .option("--bios <file>", "system BIOS image (default guests/bios.bin) for firmware boot")
    .option("--vga-bios <file>", "VGA option ROM (default guests/vgabios-stdvga.bin)")
    .option("--hda <image>", "primary master disk (raw or qcow2; guest writes stay in memory)")
    .option("--hdb <image>", "primary slave disk")
    .option("--cdrom <image>", "ISO 9660 image on the secondary master")
    .option("--fda <image>", "floppy image for drive A:")
    .option("--boot <order>", "firmware boot order: letters a (floppy), c (disk), d (CD-ROM)")
    .option("-m, --memory <size>", "guest RAM, MiB or with a K/M/G suffix", "128")
    .option(
      "--serial <where>",
      "COM1: stdio, file:PATH or none (default: stdio; none with --display terminal)",
    )
    .addOption(
      new Option("--display <kind>", "VGA screen: none, or terminal (text modes drawn here)")
        .choices(["none", "terminal"])
        .default("none"),
    )
    .addOption(
      new Option("--colors <depth>", "--display terminal colours (auto: what the terminal reports)")
        .choices(["auto", "16", "256", "truecolor"])
        .default("auto"),
    )
    .option("--screenshot <file.png>", "write the VGA screen as PNG when the run ends")
    .option("--debugcon <where>", "port E9h output: stdio or file:PATH")
    .option("--timeout <seconds>", "stop after this many seconds (exit code 2)")
    .option("--exit-on <text>", "exit 0 as soon as the serial output contains TEXT")
    .addOption(
      new Option(
        "--engine <engine>",
        "execution engine (auto: interpreter for cold code, recompiler for hot code)",
      )
        .choices(["interpreter", "recompiler", "auto"])
        .default("auto"),
    )
    .addOption(
      new Option(
        "--backend <backend>",
        "what the recompiler generates: WebAssembly (guest RAM in a WebAssembly.Memory) or JavaScript functions",
      )
        .choices(["js", "wasm"])
        .default("wasm"),
    )
    .option(
      "--hot-threshold <runs>",
      "auto engine: runs of a cold block before it is translated (default: the recompiler's)",
    )
    .option(
      "--deterministic",
      "guest time from the instruction count only, idle time skipped (same input, same output)",
    )
    .option(
      "--realtime",
      "guest time follows the host clock (default: instruction count, paced while idle)",
    )
    .option(
      "--ns-per-instruction <ns>",
      "guest nanoseconds per instruction of the instruction-count clock (default: 10 with the interpreter or --deterministic, 2 with the recompiler)",
    )
    .option(
      "--port-access-ns <ns>",
      "guest nanoseconds each port access waits on the bus with the instruction-count clock (default 1000; 0: none)",
    )
    .option("--stats", "print exit statistics to stderr at the end")
    .addHelpText(
      "after",
      [
        "",
        "Exit codes: 0 power-off, --exit-on match or Ctrl-A X; 1 error; 2 timeout; 3 triple fault;",
        "130 interrupted (SIGINT/SIGTERM).",
        "On a terminal the serial console is in raw mode: Ctrl-A X quits, Ctrl-A H shows help.",
        "--display terminal draws the VGA text screen here and types keys into the guest's PS/2",
        "keyboard (Ctrl-C goes to the guest; Ctrl-A X quits); COM1 then goes to --serial file:PATH",
        "or nowhere. Graphics modes are drawn with half blocks; --screenshot captures any mode.",
      ].join("\n"),
    )
    .action(async (options: RunOptions) => {
      setExit(await runMachine(options, makeIo()));
    });
}

/** Boots a machine from the options and returns the exit code; never throws. */
export async function runMachine(options: RunOptions, io: RunIo): Promise<number> {
  let pc: Pc;
  let screen: ScreenPc | undefined;
  const cleanups: (() => void)[] = [];
  let terminal: TerminalConsole | undefined;
  let display: TerminalDisplay | undefined;
  let screenshotPath: string | undefined;
  const isDisplay = options.display === "terminal";
  try {
    if (options.display !== undefined && options.display !== "none" && !isDisplay) {
      throw new RunError(`--display ${options.display}: expected none or terminal`);
    }
    const serialSpec = options.serial ?? (isDisplay ? "none" : "stdio");
    if (isDisplay && serialSpec === "stdio") {
      throw new RunError(
        "--serial stdio and --display terminal cannot share the terminal: use --serial file:PATH or none",
      );
    }
    if (options.screenshot !== undefined) {
      try {
        screenshotPath = checkScreenshotPath(options.screenshot);
      } catch (error) {
        throw new RunError((error as Error).message);
      }
    }
    const serialSink = await openSink(serialSpec, "--serial", io, cleanups, true);
    const debugSink =
      options.debugcon !== undefined
        ? await openSink(options.debugcon, "--debugcon", io, cleanups, false)
        : undefined;
    terminal = serialSpec === "stdio" ? new TerminalConsole(io) : undefined;
    const wantsScreen = isDisplay || screenshotPath !== undefined;
    // Before the board compiles any WebAssembly (its helpers come with the recompiler).
    configureWasmHost();
    const config = await buildConfig(options, terminal?.sink ?? serialSink, debugSink, wantsScreen);
    if (wantsScreen) {
      screen = createScreenPc(config);
      pc = screen.pc;
    } else {
      pc = createPc(config);
    }
  } catch (error) {
    for (const c of cleanups) c();
    io.stderr(`ringvm: ${describeError(error)}\n`);
    return ExitCode.Error;
  }

  let exitCode: number | undefined;
  const finish = (code: number): void => {
    if (exitCode === undefined) exitCode = code;
    pc.stop();
  };
  if (options.exitOn !== undefined && options.exitOn !== "") {
    const needle = options.exitOn;
    let tail = "";
    const decoder = new TextDecoder();
    pc.onSerialOutput = (data) => {
      tail = (tail + decoder.decode(data, { stream: true })).slice(-4 * needle.length - 64);
      if (tail.includes(needle)) finish(ExitCode.Ok);
    };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!(seconds > 0)) {
      io.stderr(`ringvm: --timeout ${options.timeout}: expected a positive number of seconds\n`);
      return ExitCode.Error;
    }
    timer = setTimeout(() => finish(ExitCode.Timeout), seconds * 1000);
  }
  // Kept until the run ends: a second signal (a terminal's Ctrl-C reaches both this process and
  // the `ringvm` that relaunched it, which passes it on) must not kill the process mid-exit.
  const onSignal = (): void => finish(ExitCode.Interrupted);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stats = (): string =>
    formatStats(pc.hypervisor.snapshotStats(), { engine: options.engine, guestNs: pc.clock.now() });
  if (isDisplay && screen !== undefined) {
    const host = io.terminal;
    // Getters, not copies: the size is read again after every resize.
    const displayTerminal: DisplayTerminal = {
      write: (text) => io.writeOut(new TextEncoder().encode(text)),
      get columns() {
        return host?.columns;
      },
      get rows() {
        return host?.rows;
      },
      cursorStyle: host?.cursorStyle ?? true,
      ...(host?.onResize !== undefined ? { onResize: host.onResize } : {}),
    };
    const shown = new TerminalDisplay(
      screen,
      displayTerminal,
      pickColors(options.colors, host?.colorDepth ?? 4),
    );
    display = shown;
    // Keys go to the PS/2 keyboard; Ctrl-A escapes stay with the console (messages on screen).
    terminal = new TerminalConsole({
      writeOut: (data) => shown.message(new TextDecoder().decode(data)),
      isOutputTty: true,
      ...(io.input !== undefined ? { input: io.input } : {}),
    });
    shown.start();
  }
  // Whatever ends the process from here on, the terminal gets its defaults back.
  const restore = (): void => display?.stop();
  process.once("exit", restore);
  terminal?.start({
    input: (bytes) => (display !== undefined ? display.input(bytes) : pc.sendSerial(bytes)),
    quit: () => finish(ExitCode.Ok),
    stats,
  });

  // The loop runs on this thread: V8's compiler and GC workers get the cores it leaves idle.
  favorCallingThread();
  let end: RunEnd;
  try {
    end = await pc.start();
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    terminal?.stop();
    display?.stop();
    process.removeListener("exit", restore);
    for (const c of cleanups) c();
  }
  let screenshotFailed = false;
  if (screen !== undefined && screenshotPath !== undefined) {
    try {
      writeScreenshot(screen, screenshotPath);
    } catch (error) {
      io.stderr(`\nringvm: ${(error as Error).message}\n`);
      screenshotFailed = true;
    }
  }
  if (options.stats === true) {
    io.stderr(`\n${stats()}\n${pc.engineStats() ?? ""}\n`);
  }
  const code = outcome(end, exitCode, options, pc, io);
  return screenshotFailed && code === ExitCode.Ok ? ExitCode.Error : code;
}

function outcome(
  end: RunEnd,
  exitCode: number | undefined,
  options: RunOptions,
  pc: Pc,
  io: RunIo,
): number {
  switch (end.reason) {
    case "poweroff":
      return exitCode ?? ExitCode.Ok;
    case "shutdown":
      io.stderr(
        `\nringvm: the guest triple-faulted (CPU shutdown) at EIP 0x${pc.cpu.eip.toString(16)}\n`,
      );
      return ExitCode.TripleFault;
    case "error":
      io.stderr(`\nringvm: emulation failed: ${describeError(end.error)}\n`);
      return ExitCode.Error;
    default:
      if (exitCode === ExitCode.Timeout)
        io.stderr(`\nringvm: timeout after ${options.timeout} s\n`);
      if (exitCode === ExitCode.Interrupted) io.stderr("\nringvm: interrupted\n");
      return exitCode ?? ExitCode.Ok;
  }
}

async function buildConfig(
  options: RunOptions,
  serial: SerialSink | undefined,
  debugcon: SerialSink | undefined,
  wantsScreen: boolean,
): Promise<PcConfig> {
  const memorySize = parseMemory(options.memory ?? "128");
  const hotThreshold =
    options.hotThreshold !== undefined ? parseHotThreshold(options.hotThreshold) : undefined;
  if (options.deterministic === true && options.realtime === true) {
    throw new RunError("--deterministic and --realtime exclude each other");
  }
  const nsPerInstruction =
    options.nsPerInstruction !== undefined
      ? parseNsPerInstruction(options.nsPerInstruction)
      : undefined;
  const portAccessNs =
    options.portAccessNs !== undefined ? parsePortAccessNs(options.portAccessNs) : undefined;
  // Rates of the instruction-count clock: meaningless with host time.
  for (const [flag, given] of [
    ["--ns-per-instruction", nsPerInstruction],
    ["--port-access-ns", portAccessNs],
  ] as const) {
    if (given !== undefined && options.realtime === true) {
      throw new RunError(`${flag} and --realtime exclude each other`);
    }
  }
  const hasDisks = [options.hda, options.hdb, options.cdrom, options.fda].some(
    (d) => d !== undefined,
  );
  let kernel: Uint8Array | undefined;
  let initrd: Uint8Array | undefined;
  let bios: Uint8Array | undefined;
  let vgaBios: Uint8Array | undefined;
  // Nothing to boot given (no kernel, disk or BIOS): the default guest, as `ringvm` alone runs
  // it, with the other options (`ringvm run --stats -m 256`).
  const guestsDir =
    options.kernel === undefined &&
    !hasDisks &&
    options.bios === undefined &&
    options.initrd === undefined
      ? findGuestsDir()
      : undefined;
  const kernelPath =
    options.kernel ?? (guestsDir !== undefined ? join(guestsDir, "vmlinuz") : undefined);
  const initrdPath =
    options.initrd ?? (guestsDir !== undefined ? join(guestsDir, "initramfs.cpio.gz") : undefined);
  if (kernelPath !== undefined) {
    kernel = readInput(kernelPath, "kernel");
    if (initrdPath !== undefined) initrd = readInput(initrdPath, "initrd");
    if (wantsScreen) {
      // Its font: the screen starts in text mode 3 as after a firmware boot (console=tty0).
      const dir = findGuestsDir();
      const vgaPath =
        options.vgaBios ?? (dir !== undefined ? join(dir, "vgabios-stdvga.bin") : undefined);
      if (vgaPath !== undefined) vgaBios = readVgaBios(vgaPath);
    }
  } else {
    if (options.initrd !== undefined) throw new RunError("--initrd needs --kernel");
    if (!hasDisks && options.bios === undefined) {
      throw new RunError(
        "nothing to boot: give --kernel, or a disk (--hda, --cdrom, --fda) for SeaBIOS (the default guest, guests/vmlinuz, was not found)",
      );
    }
    const dir = findGuestsDir();
    const biosPath = options.bios ?? (dir !== undefined ? join(dir, "bios.bin") : undefined);
    if (biosPath === undefined) throw new RunError("no --bios given and guests/bios.bin not found");
    bios = readInput(biosPath, "BIOS");
    if (bios.length === 0 || bios.length % 0x1_0000 !== 0 || bios.length > 0x100_0000) {
      throw new RunError(
        `BIOS image ${biosPath} is ${bios.length} bytes; expected 64 KiB..16 MiB in 64 KiB steps`,
      );
    }
    const vgaPath =
      options.vgaBios ?? (dir !== undefined ? join(dir, "vgabios-stdvga.bin") : undefined);
    if (vgaPath !== undefined) vgaBios = readVgaBios(vgaPath);
  }
  const config: PcConfig = {
    memorySize,
    ...(kernel !== undefined
      ? {
          kernel,
          cmdline:
            options.append ?? (options.display === "terminal" ? DISPLAY_APPEND : DEFAULT_APPEND),
        }
      : {}),
    ...(initrd !== undefined ? { initrd } : {}),
    ...(bios !== undefined ? { bios } : {}),
    ...(vgaBios !== undefined ? { vgaBios } : {}),
    ...(options.hda !== undefined ? { hda: await openDisk(options.hda, "--hda") } : {}),
    ...(options.hdb !== undefined ? { hdb: await openDisk(options.hdb, "--hdb") } : {}),
    ...(options.cdrom !== undefined ? { cdrom: await openDisk(options.cdrom, "--cdrom") } : {}),
    ...(options.fda !== undefined ? { fda: await openDisk(options.fda, "--fda") } : {}),
    ...(options.boot !== undefined ? { bootOrder: parseBootOrder(options.boot) } : {}),
    ...(serial !== undefined ? { serial } : {}),
    ...(debugcon !== undefined ? { debugcon } : {}),
    deterministic: options.deterministic === true,
    clock: options.realtime === true ? "realtime" : "virtual",
    engine: options.engine as NonNullable<PcConfig["engine"]>,
    backend: options.backend as NonNullable<PcConfig["backend"]>,
    ...(hotThreshold !== undefined ? { hotThreshold } : {}),
    ...(nsPerInstruction !== undefined ? { nsPerInstruction } : {}),
    ...(portAccessNs !== undefined ? { portAccessNs } : {}),
  };
  return config;
}

/** `--hot-threshold N`: a whole number of block runs, 1 .. 2^31-1. */
export function parseHotThreshold(text: string): number {
  return parseWhole("--hot-threshold", text, 0x7fff_ffff, "runs");
}

/** `--ns-per-instruction N`: a whole number of guest nanoseconds, 1 .. 1000. */
export function parseNsPerInstruction(text: string): number {
  return parseWhole("--ns-per-instruction", text, 1000, "nanoseconds");
}

/** `--port-access-ns N`: a whole number of guest nanoseconds, 0 .. 100000. */
export function parsePortAccessNs(text: string): number {
  return parseWhole("--port-access-ns", text, 100_000, "nanoseconds", 0);
}

/** Option `flag`'s value `text` as a whole number of `unit` from `min` to `max`, else a RunError. */
function parseWhole(flag: string, text: string, max: number, unit: string, min = 1): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new RunError(`${flag} ${text}: expected a whole number of ${unit} from ${min} to ${max}`);
  }
  return n;
}

/** `-m 512`, `-m 512M`, `-m 1G`, `-m 65536K`. */
export function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text.trim());
  if (match === null) throw new RunError(`-m ${text}: expected a size such as 128, 512M or 1G`);
  const unit = (match[2] ?? "").toUpperCase();
  const scale = unit === "K" ? 1024 : unit === "G" ? 1024 ** 3 : 1024 ** 2;
  const bytes = Math.round(Number(match[1]) * scale);
  if (bytes < 0x10_0000 || bytes > 0xe000_0000 || bytes % 4096 !== 0) {
    throw new RunError(`-m ${text}: guest RAM must be 1 MiB to 3.5 GiB in 4 KiB steps`);
  }
  return bytes;
}

/** QEMU-style boot letters: a floppy, c disk, d CD-ROM. */
export function parseBootOrder(text: string): BootDevice[] {
  const map: Record<string, BootDevice> = { a: "floppy", c: "disk", d: "cdrom" };
  const order: BootDevice[] = [];
  for (const letter of text.toLowerCase()) {
    const device = map[letter];
    if (device === undefined)
      throw new RunError(`--boot ${text}: use the letters a (floppy), c (disk), d (CD-ROM)`);
    if (!order.includes(device)) order.push(device);
  }
  return order;
}

function readVgaBios(path: string): Uint8Array {
  const rom = readInput(path, "VGA BIOS");
  if (rom.length < 512 || rom[0] !== 0x55 || rom[1] !== 0xaa) {
    throw new RunError(`VGA BIOS ${path} has no 55AAh option ROM signature`);
  }
  return rom;
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(resolve(path)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : (error as Error).message;
    throw new RunError(`cannot read ${what} ${path}: ${reason}`);
  }
}

async function openDisk(path: string, option: string): Promise<BlockDevice> {
  let source: FileBlockSource;
  try {
    source = FileBlockSource.open(resolve(path));
  } catch (error) {
    throw new RunError(`${option}: ${(error as Error).message}`);
  }
  try {
    const { disk } = await openDiskImage(source);
    return new OverlayDisk(disk);
  } catch (error) {
    throw new RunError(`${option} ${path}: ${(error as Error).message}`);
  }
}

async function openSink(
  spec: string,
  option: string,
  io: RunIo,
  cleanups: (() => void)[],
  isSerial: boolean,
): Promise<SerialSink | undefined> {
  if (spec === "none") {
    if (!isSerial) throw new RunError(`${option} none: omit the option instead`);
    return undefined;
  }
  if (spec === "stdio") return { write: (data) => io.writeOut(data) };
  if (spec.startsWith("file:") && spec.length > 5) {
    const path = resolve(spec.slice(5));
    let fd: number;
    try {
      fd = openSync(path, "w");
    } catch (error) {
      throw new RunError(`${option} ${spec}: cannot open for writing: ${(error as Error).message}`);
    }
    cleanups.push(() => closeSync(fd));
    return { write: (data) => void writeSync(fd, data) };
  }
  await Promise.resolve();
  throw new RunError(
    `${option} ${spec}: expected ${isSerial ? "stdio, file:PATH or none" : "stdio or file:PATH"}`,
  );
}

function describeError(error: unknown): string {
  if (
    error instanceof RunError ||
    error instanceof LinuxBootError ||
    error instanceof DiskImageError
  ) {
    return error.message;
  }
  if (error instanceof RangeError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
