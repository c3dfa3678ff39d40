// The RingVM page: toolbar, screen canvas, serial terminal and status line. The machine runs
// in a Web Worker (worker.ts); this thread only draws and forwards input.
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import "./style.css";
import {
  DEFAULT_CMDLINE,
  DEFAULT_MEMORY_MIB,
  MEMORY_SIZES_MIB,
  bootSourceFor,
  formatStatus,
  guessFileRole,
  integerScale,
  statusFigures,
  type BootRequest,
  type BootSource,
  type DriveName,
  type EngineChoice,
  type FileRole,
  type FromWorker,
  type MachineState,
  type StatsSample,
  type ToWorker,
} from "./protocol";

function $<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} missing from index.html`);
  return element as T;
}

const ui = {
  start: $<HTMLButtonElement>("start"),
  pause: $<HTMLButtonElement>("pause"),
  reset: $<HTMLButtonElement>("reset"),
  cad: $<HTMLButtonElement>("cad"),
  screenshot: $<HTMLButtonElement>("screenshot"),
  memory: $<HTMLSelectElement>("memory"),
  boot: $<HTMLSelectElement>("boot"),
  engine: $<HTMLSelectElement>("engine"),
  open: $<HTMLButtonElement>("open"),
  files: $<HTMLInputElement>("files"),
  saveDisk: $<HTMLButtonElement>("save-disk"),
  loaded: $<HTMLElement>("loaded"),
  cmdline: $<HTMLInputElement>("cmdline"),
  canvas: $<HTMLCanvasElement>("screen"),
  terminal: $<HTMLElement>("terminal"),
  state: $<HTMLElement>("state"),
  status: $<HTMLElement>("status"),
  error: $<HTMLElement>("error"),
  views: $<HTMLElement>("views"),
};

for (const mib of MEMORY_SIZES_MIB) {
  const option = new Option(
    `${mib} MiB`,
    String(mib),
    mib === DEFAULT_MEMORY_MIB,
    mib === DEFAULT_MEMORY_MIB,
  );
  ui.memory.add(option);
}
ui.cmdline.value = DEFAULT_CMDLINE;

// ---- Files chosen by the user (never uploaded: the worker reads them as Blobs) ----
const files: Partial<Record<FileRole, File>> = {};

function showLoaded(): void {
  const parts = (Object.entries(files) as [FileRole, File][]).map(
    ([role, f]) => `${role}: ${f.name} (${(f.size / 1048576).toFixed(1)} MiB)`,
  );
  if (parts.length > 0) ui.loaded.textContent = `Loaded: ${parts.join(" · ")}`;
}

function addFiles(list: FileList | readonly File[]): void {
  let last: FileRole | undefined;
  for (const file of Array.from(list)) {
    const role = guessFileRole(file.name, file.size);
    files[role] = file;
    last = role;
  }
  if (last !== undefined) ui.boot.value = bootSourceFor(last);
  showLoaded();
}

ui.open.onclick = () => ui.files.click();
ui.files.onchange = () => {
  if (ui.files.files !== null) addFiles(ui.files.files);
  ui.files.value = "";
};
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("dragging");
  if (event.dataTransfer !== null) addFiles(event.dataTransfer.files);
});

// ---- Serial terminal ----
const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000 });
term.open(ui.terminal);
const encoder = new TextEncoder();
term.onData((data) => post({ type: "serial", data: encoder.encode(data) }));

// ---- Views ----
type View = "screen" | "serial";
function showView(view: View): void {
  for (const tab of document.querySelectorAll<HTMLElement>(".tab")) {
    tab.classList.toggle("active", tab.dataset["view"] === view);
  }
  $("screen-view").classList.toggle("active", view === "screen");
  $("serial-view").classList.toggle("active", view === "serial");
  if (view === "serial") {
    fitTerminal();
    term.focus();
  } else {
    fitCanvas();
    ui.canvas.focus();
  }
}
for (const tab of document.querySelectorAll<HTMLElement>(".tab")) {
  tab.onclick = () => showView(tab.dataset["view"] as View);
}

function fitTerminal(): void {
  const box = ui.terminal.getBoundingClientRect();
  const cell = 9; // a rough monospace cell at 14 px; xterm reflows on resize
  const cols = Math.max(40, Math.floor(box.width / cell));
  const rows = Math.max(10, Math.floor(box.height / 18));
  if (box.width > 0) term.resize(cols, rows);
}

// ---- Screen ----
const context = ui.canvas.getContext("2d", { alpha: false });
if (context === null) throw new Error("no 2D canvas context");
const ctx2d = context;

function fitCanvas(): void {
  const box = ui.views.getBoundingClientRect();
  const scale = integerScale(ui.canvas.width, ui.canvas.height, box.width - 20, box.height - 50);
  ui.canvas.style.width = `${ui.canvas.width * scale}px`;
  ui.canvas.style.height = `${ui.canvas.height * scale}px`;
}
window.addEventListener("resize", () => {
  fitCanvas();
  fitTerminal();
});

function drawFrame(width: number, height: number, pixels: ArrayBuffer): void {
  if (ui.canvas.width !== width || ui.canvas.height !== height) {
    ui.canvas.width = width;
    ui.canvas.height = height;
    fitCanvas();
  }
  ctx2d.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
}

// Keyboard: every key goes to the guest while the canvas has focus.
ui.canvas.addEventListener("keydown", (event) => {
  event.preventDefault();
  if (!event.repeat) post({ type: "key", code: event.code, isPressed: true });
});
ui.canvas.addEventListener("keyup", (event) => {
  event.preventDefault();
  post({ type: "key", code: event.code, isPressed: false });
});
ui.canvas.addEventListener("click", () => {
  ui.canvas.focus();
  if (document.pointerLockElement !== ui.canvas) {
    void Promise.resolve(ui.canvas.requestPointerLock()).catch(() => undefined);
  }
});
const sendMouse = (event: MouseEvent, wheel = 0): void => {
  if (document.pointerLockElement !== ui.canvas) return;
  post({ type: "mouse", dx: event.movementX, dy: event.movementY, wheel, buttons: event.buttons });
};
ui.canvas.addEventListener("mousemove", (e) => sendMouse(e));
ui.canvas.addEventListener("mousedown", (e) => sendMouse(e));
ui.canvas.addEventListener("mouseup", (e) => sendMouse(e));
ui.canvas.addEventListener(
  "wheel",
  (e) => {
    if (document.pointerLockElement !== ui.canvas) return;
    e.preventDefault();
    sendMouse(e, Math.sign(e.deltaY));
  },
  { passive: false },
);
ui.canvas.addEventListener("contextmenu", (e) => e.preventDefault());

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

ui.screenshot.onclick = () => {
  ui.canvas.toBlob((blob) => {
    if (blob !== null) download(blob, "ringvm-screen.png");
  }, "image/png");
};

// ---- The worker ----
let worker: Worker | undefined;
let state: MachineState = "stopped";
let lastSample: StatsSample | undefined;
const screenTextWaiters: ((lines: readonly string[] | undefined) => void)[] = [];

function post(message: ToWorker): void {
  worker?.postMessage(message);
}

function setState(next: MachineState, detail?: string): void {
  state = next;
  ui.state.textContent = detail !== undefined ? `${next} (${detail})` : next;
  const isLive = next === "running" || next === "paused";
  ui.pause.disabled = !isLive;
  ui.pause.textContent = next === "paused" ? "Resume" : "Pause";
  ui.reset.disabled = !isLive;
  ui.cad.disabled = next !== "running";
  ui.saveDisk.disabled = !(files.hda ?? files.fda ?? files.cdrom);
  ui.start.textContent = isLive || next === "booting" ? "Restart" : "Start";
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case "state":
      setState(message.state, message.detail);
      return;
    case "serial":
      term.write(message.data);
      transcript += decoder.decode(message.data, { stream: true });
      return;
    case "frame":
      drawFrame(message.width, message.height, message.pixels);
      return;
    case "stats":
      ui.status.textContent = formatStatus(statusFigures(lastSample, message.sample));
      lastSample = message.sample;
      return;
    case "error":
      ui.error.textContent = message.message;
      return;
    case "disk":
      if (message.image !== undefined) {
        const original = files[message.drive === "hda" ? "hda" : message.drive];
        download(message.image, `${original?.name ?? message.drive}.modified.img`);
      }
      return;
    case "screenText":
      for (const resolve of screenTextWaiters.splice(0)) resolve(message.lines);
      return;
  }
}

const decoder = new TextDecoder();
let transcript = "";

function bootRequest(): BootRequest {
  const guest = (name: string): string => new URL(`guests/${name}`, document.baseURI).href;
  const boot = ui.boot.value as BootSource;
  return {
    boot,
    memoryMiB: Number(ui.memory.value),
    engine: ui.engine.value as EngineChoice,
    cmdline: ui.cmdline.value,
    guestUrls: {
      kernel: guest("vmlinuz"),
      initrd: guest("initramfs.cpio.gz"),
      bios: guest("bios.bin"),
      vgaBios: guest("vgabios-stdvga.bin"),
    },
    ...(files.kernel !== undefined ? { kernel: files.kernel } : {}),
    ...(files.initrd !== undefined ? { initrd: files.initrd } : {}),
    ...(files.hda !== undefined ? { hda: files.hda } : {}),
    ...(files.cdrom !== undefined ? { cdrom: files.cdrom } : {}),
    ...(files.fda !== undefined ? { fda: files.fda } : {}),
  };
}

function start(): void {
  if (ui.boot.value === "kernel" && files.kernel === undefined) {
    ui.error.textContent =
      "Kernel + initrd: open a kernel image first (Open files… or drop it here)";
    return;
  }
  worker?.terminate();
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => {
    ui.error.textContent = `worker: ${event.message}`;
    setState("stopped", "worker failed");
  };
  ui.error.textContent = "";
  lastSample = undefined;
  term.reset();
  transcript = "";
  setState("booting");
  post({ type: "boot", request: bootRequest() });
  ui.canvas.focus();
}

ui.start.onclick = start;
ui.pause.onclick = () => post({ type: state === "paused" ? "resume" : "pause" });
ui.reset.onclick = () => post({ type: "reset" });
ui.cad.onclick = () => {
  post({ type: "ctrlAltDel" });
  ui.canvas.focus();
};
ui.saveDisk.onclick = () => {
  const drive: DriveName =
    files.hda !== undefined ? "hda" : files.fda !== undefined ? "fda" : "cdrom";
  post({ type: "saveDisk", drive });
};

/** Hooks for the end-to-end test and the devtools console (read-only views of the page). */
const hooks = {
  /** Everything the serial console printed since the last boot. */
  serialTranscript: (): string => transcript,
  /** The terminal's visible lines as xterm renders them. */
  terminalLines: (): string[] => {
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++)
      lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
    return lines;
  },
  /** The VGA text screen (undefined in graphics modes). */
  screenText: (): Promise<readonly string[] | undefined> =>
    new Promise((resolve) => {
      screenTextWaiters.push(resolve);
      post({ type: "screenText" });
    }),
  state: (): MachineState => state,
};
(window as unknown as { ringvm: typeof hooks }).ringvm = hooks;

setState("stopped");
fitCanvas();
ctx2d.fillStyle = "black";
ctx2d.fillRect(0, 0, ui.canvas.width, ui.canvas.height);
