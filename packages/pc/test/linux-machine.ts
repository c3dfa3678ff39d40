// Boots the default guest (Debian's 686 kernel + busybox initramfs from guests/) directly on
// the board in deterministic mode and follows its COM1 output, for the Linux system tests
// (linux-boot, deterministic, engines, disk). firmware-machine.ts is the SeaBIOS counterpart.
import { readFileSync } from "node:fs";
import { createPc, type BlockDevice, type Pc, type PcConfig, type RunEnd } from "../src/index";
import { SerialLog } from "./serial-log";

/** The busybox shell's prompt on ttyS0. */
export const PROMPT = "~ # ";

const guests = new URL("../../../guests/", import.meta.url);

const kernels = new Map<string, Uint8Array>();
let initrd: Uint8Array | undefined;

/** What a Linux system test gives the board besides the default guest's kernel and initramfs. */
export interface LinuxBoot {
  readonly cmdline: string;
  /** The kernel's file in guests/ (default `vmlinuz`, the 686 flavour). */
  readonly kernel?: string;
  readonly engine?: NonNullable<PcConfig["engine"]>;
  readonly hda?: BlockDevice;
  readonly backend?: PcConfig["backend"];
  readonly denseRuns?: number;
  /** A newc archive in guests/ appended to the initramfs (the kernel unpacks both). */
  readonly extraInitrd?: string;
}

/** A started machine: its serial output and waits on it. */
export interface LinuxMachine {
  readonly pc: Pc;
  readonly ended: Promise<RunEnd>;
  /** COM1 output so far as text (UTF-8). */
  transcript(): string;
  /** Every byte the guest wrote to COM1 so far. */
  serialBytes(): Buffer;
  /** Resolves when the transcript holds `text` at or after `from`, or when the run ends. */
  waitFor(text: string, from?: number): Promise<void>;
  /** Types `command` on COM1 and returns the output up to the next prompt (or the run's end). */
  run(command: string): Promise<string>;
}

function withArchive(base: Uint8Array, name: string): Uint8Array {
  const extra = readFileSync(new URL(name, guests));
  const both = new Uint8Array(base.length + extra.length);
  both.set(base);
  both.set(extra, base.length);
  return both;
}

/** Builds the board with the default guest and starts it (deterministic: true). */
export function startLinuxMachine(boot: LinuxBoot): LinuxMachine {
  const name = boot.kernel ?? "vmlinuz";
  let kernel = kernels.get(name);
  if (kernel === undefined) {
    kernel = new Uint8Array(readFileSync(new URL(name, guests)));
    kernels.set(name, kernel);
  }
  initrd ??= new Uint8Array(readFileSync(new URL("initramfs.cpio.gz", guests)));
  const serial = new SerialLog();
  const pc = createPc({
    kernel,
    initrd: boot.extraInitrd === undefined ? initrd : withArchive(initrd, boot.extraInitrd),
    cmdline: boot.cmdline,
    deterministic: true,
    ...(boot.engine !== undefined ? { engine: boot.engine } : {}),
    ...(boot.backend !== undefined ? { backend: boot.backend } : {}),
    ...(boot.denseRuns !== undefined ? { denseRuns: boot.denseRuns } : {}),
    ...(boot.hda !== undefined ? { hda: boot.hda } : {}),
    serial: { write: serial.write },
  });
  const ended = pc.start();
  const waitFor = (text: string, from = serial.text().length): Promise<void> =>
    Promise.race([serial.seen(text, from), ended.then(() => undefined)]);
  return {
    pc,
    ended,
    transcript: () => serial.text(),
    serialBytes: () => serial.bytes(),
    waitFor,
    run: async (command) => {
      const from = serial.text().length;
      pc.sendSerial(`${command}\n`);
      await waitFor(`\n${PROMPT}`, from);
      return serial.text().slice(from);
    },
  };
}
