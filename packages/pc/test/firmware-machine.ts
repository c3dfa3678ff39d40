// Runs SeaBIOS (guests/bios.bin + vgabios-stdvga.bin) on the board with test images and
// follows its COM1 output and VGA text screen, for the firmware-boot system tests.
import {
  MemoryDisk,
  createPc,
  createScreenPc,
  type BootDevice,
  type Pc,
  type RunEnd,
} from "../src/index";
import type { PcConfig } from "../src/index";
import { guestFile } from "./firmware-images";
import { SerialLog } from "./serial-log";

/** What a firmware-boot test gives the board. */
export interface FirmwareBoot {
  readonly hda?: Uint8Array;
  readonly cdrom?: Uint8Array;
  readonly fda?: Uint8Array;
  readonly bootOrder: readonly BootDevice[];
  readonly memorySize?: number;
  /** Attach the stdvga (createScreenPc) so the text screen can be read. */
  readonly screen?: boolean;
  readonly engine?: PcConfig["engine"];
}

/** A started machine: the serial transcript, waits on it, and the screen text. */
export interface FirmwareMachine {
  readonly pc: Pc;
  readonly ended: Promise<RunEnd>;
  transcript(): string;
  /** Resolves when the transcript holds `text` after offset `from` (rejects if the run ends first). */
  waitFor(text: string, from?: number): Promise<void>;
  /** Types a command on COM1 and returns the output up to the next `prompt`. */
  run(command: string, prompt: string): Promise<string>;
  /** The VGA text screen as lines (empty without `screen` or in graphics modes). */
  screenText(): string[];
  /** Resolves when `predicate(screen lines)` holds, checked every `everyMs` of host time. */
  waitForScreen(predicate: (lines: string[]) => boolean, everyMs?: number): Promise<string[]>;
}

/** Builds the board with SeaBIOS and the given images and starts it (non-deterministic clock off). */
export function startFirmwareMachine(boot: FirmwareBoot): FirmwareMachine {
  const serial = new SerialLog();
  const config: PcConfig = {
    bios: guestFile("bios.bin"),
    vgaBios: guestFile("vgabios-stdvga.bin"),
    memorySize: boot.memorySize ?? 128 * 1024 * 1024,
    ...(boot.hda !== undefined ? { hda: new MemoryDisk(boot.hda) } : {}),
    ...(boot.cdrom !== undefined
      ? { cdrom: new MemoryDisk(boot.cdrom, { sectorSize: 2048, isReadOnly: true }) }
      : {}),
    ...(boot.fda !== undefined ? { fda: new MemoryDisk(boot.fda) } : {}),
    bootOrder: boot.bootOrder,
    deterministic: true,
    ...(boot.engine !== undefined ? { engine: boot.engine } : {}),
    serial: { write: serial.write },
  };
  const screenPc = boot.screen === true ? createScreenPc(config) : undefined;
  const pc = screenPc?.pc ?? createPc(config);
  const ended = pc.start();
  const screenText = (): string[] => screenPc?.screenText() ?? [];
  const waitFor = (text: string, from = 0): Promise<void> =>
    new Promise((resolve, reject) => {
      void serial.seen(text, from).then(resolve);
      void ended.then((end) =>
        reject(
          new Error(
            `the run ended (${end.reason}) before the serial output showed ${JSON.stringify(text)}; last output: ${JSON.stringify(serial.text().slice(-400))}`,
          ),
        ),
      );
    });
  return {
    pc,
    ended,
    transcript: () => serial.text(),
    waitFor,
    run: async (command, prompt) => {
      const from = serial.text().length;
      pc.sendSerial(`${command}\n`);
      await waitFor(`\n${prompt}`, from);
      return serial.text().slice(from);
    },
    screenText,
    waitForScreen: (predicate, everyMs = 500) =>
      new Promise((resolve, reject) => {
        let done = false;
        const timer = setInterval(() => {
          const lines = screenText();
          if (!done && predicate(lines)) {
            done = true;
            clearInterval(timer);
            resolve(lines);
          }
        }, everyMs);
        void ended.then((end) => {
          clearInterval(timer);
          if (!done)
            reject(
              new Error(`the run ended (${end.reason}) first; screen:\n${screenText().join("\n")}`),
            );
        });
      }),
  };
}

/** Seconds since `t0` (performance.now()), one decimal. */
export function secondsSince(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

/**
 * This process's CPU seconds (user + system) since `start` (process.cpuUsage()): on a shared
 * host the wall time mostly measures the other jobs, the CPU time what the guest cost.
 */
export function cpuSecondsSince(start: NodeJS.CpuUsage): string {
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1e6).toFixed(1);
}
