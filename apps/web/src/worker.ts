// The emulator's Web Worker: builds the board from a BootRequest, runs it, and streams the
// screen, the serial console and the run statistics to the page. Only @ringvm/pc is used.
/// <reference lib="webworker" />
import {
  BlobSource,
  DiskImageError,
  LinuxBootError,
  OverlayDisk,
  createScreenPc,
  openDiskImage,
  type BlockDevice,
  type BootDevice,
  type ByteSource,
  type ScreenPc,
  type ScreenPcConfig,
} from "@ringvm/pc";
import type { BootRequest, DriveName, FromWorker, StatsSample, ToWorker } from "./protocol";

declare const self: DedicatedWorkerGlobalScope;

const FRAME_MS = 33;
const STATS_MS = 1000;
const SERIAL_FLUSH_MS = 16;

let machine: ScreenPc | undefined;
let request: BootRequest | undefined;
let config: ScreenPcConfig | undefined;
const drives: Partial<Record<DriveName, OverlayDisk>> = {};
let isUserStop = false;
let running: Promise<unknown> = Promise.resolve();
let frame = new Uint8ClampedArray(0);
let lastWidth = 0;
let lastHeight = 0;
let serialOut: Uint8Array[] = [];
let timers: ReturnType<typeof setInterval>[] = [];

function send(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/**
 * A File read synchronously (FileReaderSync exists only in workers), so the disk controllers
 * see a disk that answers at once, like a Node file does in the CLI.
 */
class SyncBlobSource implements ByteSource {
  readonly byteLength: number;
  private readonly reader = new FileReaderSync();
  private readonly async: BlobSource;

  constructor(private readonly blob: Blob) {
    this.byteLength = blob.size;
    this.async = new BlobSource(blob);
  }

  readAsync(offset: number, length: number): Promise<Uint8Array> {
    return this.async.readAsync(offset, length);
  }

  readSync(offset: number, into: Uint8Array): boolean {
    into.fill(0);
    const end = Math.min(this.byteLength, offset + into.length);
    if (end > offset) {
      const bytes = this.reader.readAsArrayBuffer(this.blob.slice(offset, end));
      into.set(new Uint8Array(bytes));
    }
    return true;
  }
}

async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}: ${url} answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

async function openDrive(
  blob: Blob | undefined,
  name: DriveName,
): Promise<BlockDevice | undefined> {
  if (blob === undefined) return undefined;
  const opened = await openDiskImage(new SyncBlobSource(blob));
  if (name === "cdrom" && opened.format !== "iso9660") {
    throw new DiskImageError("the CD-ROM image is not an ISO 9660 image");
  }
  // Writes go to an overlay kept in memory; the file on the user's disk is never written.
  const overlay = new OverlayDisk(opened.disk);
  drives[name] = overlay;
  return overlay;
}

async function buildConfig(r: BootRequest): Promise<ScreenPcConfig> {
  for (const key of Object.keys(drives) as DriveName[]) delete drives[key];
  const memorySize = r.memoryMiB * 1024 * 1024;
  const vgaBios = await fetchBytes(r.guestUrls.vgaBios, "VGA BIOS");
  const serial = { write: (data: Uint8Array) => void serialOut.push(data.slice()) };
  const base = { memorySize, vgaBios, serial, engine: r.engine };
  if (r.boot === "default" || r.boot === "kernel") {
    const kernel =
      r.boot === "kernel" && r.kernel !== undefined
        ? await blobBytes(r.kernel)
        : await fetchBytes(r.guestUrls.kernel, "kernel");
    const initrd =
      r.boot === "kernel"
        ? r.initrd !== undefined
          ? await blobBytes(r.initrd)
          : undefined
        : await fetchBytes(r.guestUrls.initrd, "initrd");
    const disks = {
      hda: await openDrive(r.hda, "hda"),
      cdrom: await openDrive(r.cdrom, "cdrom"),
      fda: await openDrive(r.fda, "fda"),
    };
    return {
      ...base,
      kernel,
      cmdline: r.cmdline,
      ...(initrd !== undefined ? { initrd } : {}),
      ...definedDrives(disks),
    };
  }
  const bios = await fetchBytes(r.guestUrls.bios, "BIOS");
  const disks = {
    hda: await openDrive(r.hda, "hda"),
    cdrom: await openDrive(r.cdrom, "cdrom"),
    fda: await openDrive(r.fda, "fda"),
  };
  const first: BootDevice = r.boot === "disk" ? "disk" : r.boot;
  const wanted = { disk: disks.hda, cdrom: disks.cdrom, floppy: disks.fda }[first];
  if (wanted === undefined) throw new Error(`boot device ${r.boot}: no image loaded for it`);
  const order: BootDevice[] = [
    first,
    ...(["disk", "cdrom", "floppy"] as const).filter((d) => d !== first),
  ];
  return { ...base, bios, bootOrder: order, ...definedDrives(disks) };
}

function definedDrives(d: {
  hda: BlockDevice | undefined;
  cdrom: BlockDevice | undefined;
  fda: BlockDevice | undefined;
}): { hda?: BlockDevice; cdrom?: BlockDevice; fda?: BlockDevice } {
  return {
    ...(d.hda !== undefined ? { hda: d.hda } : {}),
    ...(d.cdrom !== undefined ? { cdrom: d.cdrom } : {}),
    ...(d.fda !== undefined ? { fda: d.fda } : {}),
  };
}

function describe(error: unknown): string {
  if (error instanceof LinuxBootError || error instanceof DiskImageError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function flushSerial(): void {
  if (serialOut.length === 0) return;
  let size = 0;
  for (const chunk of serialOut) size += chunk.length;
  const data = new Uint8Array(size);
  let at = 0;
  for (const chunk of serialOut) {
    data.set(chunk, at);
    at += chunk.length;
  }
  serialOut = [];
  send({ type: "serial", data }, [data.buffer]);
}

function pushFrame(force: boolean): void {
  if (machine === undefined) return;
  let r = machine.render(frame);
  if (!r.isDrawn) {
    frame = new Uint8ClampedArray(r.width * r.height * 4);
    r = machine.render(frame);
  }
  const isResized = r.width !== lastWidth || r.height !== lastHeight;
  if (!force && !isResized && r.dirtyTop >= r.dirtyBottom) return;
  lastWidth = r.width;
  lastHeight = r.height;
  const pixels = frame.slice(0, r.width * r.height * 4).buffer;
  send({ type: "frame", width: r.width, height: r.height, pixels }, [pixels]);
}

function sample(): StatsSample | undefined {
  if (machine === undefined) return undefined;
  const stats = machine.pc.hypervisor.snapshotStats(); // brings wallMs up to now
  const share = machine.engineShare();
  return {
    at: performance.now(),
    instructions: stats.instructions,
    exits: stats.totalExits,
    guestMs: stats.guestMs,
    idleMs: stats.idleMs,
    wallMs: stats.wallMs,
    pausedMs: stats.pausedMs,
    engine: share.engine,
    translated: share.translated,
    interpreted: share.interpreted,
  };
}

function startTimers(): void {
  stopTimers();
  timers = [
    setInterval(() => pushFrame(false), FRAME_MS),
    setInterval(flushSerial, SERIAL_FLUSH_MS),
    setInterval(() => {
      const s = sample();
      if (s !== undefined) send({ type: "stats", sample: s });
    }, STATS_MS),
  ];
}

function stopTimers(): void {
  for (const t of timers) clearInterval(t);
  timers = [];
}

/** Builds the machine from `config` and runs it until it ends; a guest reboot builds it anew. */
async function run(): Promise<void> {
  if (config === undefined) return;
  try {
    machine = createScreenPc(config);
  } catch (error) {
    send({ type: "error", message: describe(error) });
    send({ type: "state", state: "stopped", detail: "could not build the machine" });
    return;
  }
  isUserStop = false;
  lastWidth = lastHeight = 0;
  startTimers();
  send({ type: "state", state: "running" });
  const mine = machine;
  const started = mine.pc.start();
  running = started;
  const end = await started;
  if (machine !== mine) return; // replaced by a new boot
  flushSerial();
  pushFrame(true);
  if (end.reason === "stopped" && !isUserStop && config.kernel !== undefined) {
    // A directly booted kernel has no firmware to return to: a guest reboot rebuilds the board.
    void run();
    return;
  }
  stopTimers();
  const detail =
    end.reason === "error"
      ? `error: ${describe(end.error)}`
      : end.reason === "poweroff"
        ? "powered off"
        : end.reason === "shutdown"
          ? "triple fault"
          : end.reason;
  if (end.reason === "error") send({ type: "error", message: describe(end.error) });
  send({ type: "state", state: "stopped", detail });
}

async function stopMachine(): Promise<void> {
  const old = machine;
  if (old === undefined) return;
  isUserStop = true;
  machine = undefined;
  stopTimers();
  old.pc.stop();
  if (old.pc.hypervisor.paused) old.pc.hypervisor.resume();
  await running;
}

async function saveDisk(drive: DriveName): Promise<void> {
  const disk = drives[drive];
  if (disk === undefined) {
    send({ type: "disk", drive, image: undefined, dirtySectors: 0 });
    return;
  }
  const parts: Uint8Array[] = [];
  const total = disk.sectorCount * disk.sectorSize;
  const chunk = 4 << 20;
  for (let offset = 0; offset < total; offset += chunk) {
    const part = new Uint8Array(Math.min(chunk, total - offset));
    if (!disk.readSync(offset, part)) part.set(await disk.readAsync(offset, part.length));
    parts.push(part);
  }
  send({
    type: "disk",
    drive,
    image: new Blob(parts as BlobPart[], { type: "application/octet-stream" }),
    dirtySectors: disk.dirtySectorCount,
  });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "boot":
      await stopMachine();
      request = message.request;
      send({ type: "state", state: "booting" });
      try {
        config = await buildConfig(request);
      } catch (error) {
        send({ type: "error", message: describe(error) });
        send({ type: "state", state: "stopped", detail: "could not load the images" });
        return;
      }
      void run();
      return;
    case "reset":
      if (machine === undefined || config === undefined) return;
      if (config.kernel === undefined) {
        machine.pc.hypervisor.requestReset();
        if (machine.pc.hypervisor.paused) machine.pc.hypervisor.resume();
        send({ type: "state", state: "running" });
      } else {
        await stopMachine();
        void run();
      }
      return;
    case "pause":
      machine?.pc.hypervisor.pause();
      flushSerial(); // everything printed before the pause arrives before the state
      if (machine !== undefined) send({ type: "state", state: "paused" });
      return;
    case "resume":
      machine?.pc.hypervisor.resume();
      if (machine !== undefined) send({ type: "state", state: "running" });
      return;
    case "serial":
      machine?.pc.sendSerial(message.data);
      return;
    case "key":
      machine?.key(message.code, message.isPressed);
      return;
    case "mouse":
      if (message.dx !== 0 || message.dy !== 0 || message.wheel !== 0) {
        machine?.mouseMove(message.dx, message.dy, message.wheel);
      }
      machine?.mouseButtons(message.buttons);
      return;
    case "ctrlAltDel":
      machine?.ctrlAltDelete();
      return;
    case "saveDisk":
      await saveDisk(message.drive);
      return;
    case "screenText":
      send({ type: "screenText", lines: machine?.screenText() });
      return;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  handle(event.data).catch((error: unknown) => send({ type: "error", message: describe(error) }));
};
