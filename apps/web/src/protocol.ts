// Messages between the page (main thread) and the emulator's Web Worker, and the pure
// helpers both sides share (status line arithmetic, drop-target guessing). Kept free of DOM
// and worker globals so the quick tests run in Node.

/** Sizes offered in the toolbar (MiB). */
export const MEMORY_SIZES_MIB = [32, 64, 128, 256, 512] as const;
export const DEFAULT_MEMORY_MIB = 128;

/** What the machine boots from. */
export type BootSource = "default" | "kernel" | "disk" | "cdrom" | "floppy";
export type EngineChoice = "interpreter" | "auto" | "recompiler";

/** The command line of the default guest: kernel log on the VGA and COM1, the shell on COM1. */
export const DEFAULT_CMDLINE = "console=tty0 console=ttyS0 cryptomgr.notests";

/** Everything the worker needs to build a machine. Blobs/Files are passed by reference. */
export interface BootRequest {
  readonly boot: BootSource;
  readonly memoryMiB: number;
  readonly engine: EngineChoice;
  readonly cmdline: string;
  /** URLs of the default guest files, absolute (the worker resolves nothing itself). */
  readonly guestUrls: GuestUrls;
  readonly kernel?: Blob;
  readonly initrd?: Blob;
  readonly hda?: Blob;
  readonly cdrom?: Blob;
  readonly fda?: Blob;
}

export interface GuestUrls {
  readonly kernel: string;
  readonly initrd: string;
  readonly bios: string;
  readonly vgaBios: string;
}

export type DriveName = "hda" | "cdrom" | "fda";

/** Page → worker. */
export type ToWorker =
  | { readonly type: "boot"; readonly request: BootRequest }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  | { readonly type: "reset" }
  | { readonly type: "serial"; readonly data: Uint8Array }
  | { readonly type: "key"; readonly code: string; readonly isPressed: boolean }
  | {
      readonly type: "mouse";
      readonly dx: number;
      readonly dy: number;
      readonly wheel: number;
      readonly buttons: number;
    }
  | { readonly type: "ctrlAltDel" }
  | { readonly type: "saveDisk"; readonly drive: DriveName }
  | { readonly type: "screenText" };

export type MachineState = "booting" | "running" | "paused" | "stopped";

/** Counters sampled by the worker once a second (cumulative since power-on). */
export interface StatsSample {
  /** Host ms when sampled. */
  readonly at: number;
  readonly instructions: number;
  readonly exits: number;
  readonly guestMs: number;
  readonly idleMs: number;
  readonly wallMs: number;
  readonly pausedMs: number;
  readonly engine: string;
  readonly translated: number;
  readonly interpreted: number;
}

/** Worker → page. */
export type FromWorker =
  | { readonly type: "state"; readonly state: MachineState; readonly detail?: string }
  | { readonly type: "serial"; readonly data: Uint8Array }
  | {
      readonly type: "frame";
      readonly width: number;
      readonly height: number;
      readonly pixels: ArrayBuffer;
    }
  | { readonly type: "stats"; readonly sample: StatsSample }
  | { readonly type: "error"; readonly message: string }
  | {
      readonly type: "disk";
      readonly drive: DriveName;
      readonly image: Blob | undefined;
      readonly dirtySectors: number;
    }
  | { readonly type: "screenText"; readonly lines: readonly string[] | undefined };

/** One status line's numbers, from two samples. */
export interface StatusFigures {
  /** Guest instructions per second of wall time, in millions. */
  readonly mips: number;
  /** Shares of the interval's wall time (0-1). */
  readonly guestShare: number;
  readonly hostShare: number;
  readonly idleShare: number;
  /** Share of instructions run by translated blocks (0-1). */
  readonly translatedShare: number;
  readonly exitsPerSecond: number;
  readonly engine: string;
}

/**
 * The status figures between two samples (`previous` undefined: since power-on). Paused time
 * counts toward none of the shares.
 */
export function statusFigures(
  previous: StatsSample | undefined,
  current: StatsSample,
): StatusFigures {
  const p = previous;
  const d = (key: keyof Omit<StatsSample, "engine">): number =>
    current[key] - (p === undefined ? (key === "at" ? current.at - current.wallMs : 0) : p[key]);
  const wall = d("wallMs") - d("pausedMs");
  const seconds = d("at") / 1000;
  const guest = d("guestMs");
  const idle = d("idleMs");
  const host = Math.max(0, wall - guest - idle);
  const share = (part: number): number => (wall > 0 ? Math.min(1, Math.max(0, part / wall)) : 0);
  const translated = d("translated");
  const interpreted = d("interpreted");
  const ran = translated + interpreted;
  return {
    mips: seconds > 0 ? d("instructions") / seconds / 1e6 : 0,
    guestShare: share(guest),
    hostShare: share(host),
    idleShare: share(idle),
    translatedShare: ran > 0 ? translated / ran : 0,
    exitsPerSecond: seconds > 0 ? d("exits") / seconds : 0,
    engine: current.engine,
  };
}

/** The status line text. */
export function formatStatus(f: StatusFigures): string {
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  const engine =
    f.engine === "interpreter"
      ? "interpreter 100%"
      : `translated ${pct(f.translatedShare)} / interpreted ${pct(1 - f.translatedShare)}`;
  return (
    `${f.mips.toFixed(1)} MIPS · ${engine} · guest ${pct(f.guestShare)} host ${pct(f.hostShare)}` +
    ` idle ${pct(f.idleShare)} · ${Math.round(f.exitsPerSecond).toLocaleString("en-US")} exits/s`
  );
}

/** 1.44 MB and the other PC floppy sizes, for guessing what a dropped image is. */
const FLOPPY_SIZES = new Set([
  160 * 1024,
  180 * 1024,
  320 * 1024,
  360 * 1024,
  720 * 1024,
  1200 * 1024,
  1440 * 1024,
  2880 * 1024,
]);

/** What a dropped or picked file most likely is, from its name and size. */
export type FileRole = "kernel" | "initrd" | "hda" | "cdrom" | "fda";

export function guessFileRole(name: string, size: number): FileRole {
  const lower = name.toLowerCase();
  if (/\.iso$/.test(lower)) return "cdrom";
  if (/(^|\/)(vmlinuz|bzimage|kernel)|\.(bzimage|kernel)$|vmlinu[xz]/.test(lower)) return "kernel";
  if (/initr|\.cpio(\.(gz|xz|zst|lz4|bz2))?$/.test(lower)) return "initrd";
  if (/\.(ima|flp|vfd)$/.test(lower) || FLOPPY_SIZES.has(size)) return "fda";
  return "hda";
}

/** The boot source that goes with a newly loaded file. */
export function bootSourceFor(role: FileRole): BootSource {
  switch (role) {
    case "kernel":
    case "initrd":
      return "kernel";
    case "hda":
      return "disk";
    case "cdrom":
      return "cdrom";
    case "fda":
      return "floppy";
  }
}

/** The largest integer scale at which a w x h picture fits (at least 1). */
export function integerScale(width: number, height: number, maxW: number, maxH: number): number {
  if (width <= 0 || height <= 0) return 1;
  return Math.max(1, Math.floor(Math.min(maxW / width, maxH / height)));
}
