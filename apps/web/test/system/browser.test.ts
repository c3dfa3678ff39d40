// End to end in a real browser: Debian's chromium (never a browser a test tool downloads),
// driven by playwright-core, opens the built site from a local static server, boots the
// default guest with one click, types `uname -a` into the serial terminal and reads the
// answer, switches to the VGA screen, downloads a screenshot and checks it is not blank.
// Expected values come from the guest's kernel (Debian 6.1.0-50-686, guests/README.md).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "./png";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const outDir = fileURLToPath(new URL("./out/", import.meta.url));
const PROMPT = "~ # ";
/** Boot to the shell in the interpreter, on a loaded 2-core machine, with margin. */
const BOOT_TIMEOUT_MS = 540_000;

if (!hasChromium) {
  console.warn(
    "SKIPPED: chromium not installed (/usr/bin/chromium missing; apt-get install -y chromium)",
  );
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function serialTranscript(page: Page): Promise<string> {
  return page.evaluate(() =>
    (window as unknown as { ringvm: { serialTranscript(): string } }).ringvm.serialTranscript(),
  );
}

async function waitForSerial(
  page: Page,
  text: string,
  from: number,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const transcript = await serialTranscript(page);
    if (transcript.indexOf(text, from) >= 0) return transcript;
    if (Date.now() > deadline) {
      throw new Error(
        `no "${text}" on the serial console after ${timeoutMs / 1000} s; last output:\n${transcript.slice(-1500)}`,
      );
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "serial.txt"), transcript); // kept for a failing run
    const state = await page.textContent("#state");
    if (state?.startsWith("stopped") === true) {
      const error = await page.textContent("#error");
      throw new Error(
        `machine stopped (${state}; ${error ?? ""}) before "${text}":\n${transcript.slice(-1500)}`,
      );
    }
    await page.waitForTimeout(500);
  }
}

/** Clicks Screenshot, saves the PNG and checks it is a 720x400 text screen that is not blank. */
async function checkScreenshot(page: Page, name: string): Promise<void> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#screenshot")]);
  mkdirSync(outDir, { recursive: true });
  const pngPath = join(outDir, name);
  await download.saveAs(pngPath);
  const png = decodePng(new Uint8Array(readFileSync(pngPath)));
  expect([png.width, png.height]).toEqual([720, 400]); // 80x25 cells of 9x16 (QEMU's size)
  let lit = 0;
  const colours = new Set<number>();
  for (let i = 0; i < png.rgba.length; i += 4) {
    const rgb = (png.rgba[i]! << 16) | (png.rgba[i + 1]! << 8) | png.rgba[i + 2]!;
    colours.add(rgb);
    if (rgb !== 0) lit++;
  }
  console.log(`screenshot ${pngPath}: ${lit} lit pixels, ${colours.size} colours`);
  expect(colours.size).toBeGreaterThanOrEqual(2);
  expect(lit).toBeGreaterThan(png.width * png.height * 0.01);
}

describe.skipIf(!hasChromium)("web app in chromium", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(join(dist, "index.html"))) {
      throw new Error(
        `${dist} has no build: run \`pnpm --filter web build\` first (test:system does)`,
      );
    }
    server = await serve(dist);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("runs the toolbar: start, status line, pause/resume, reset, kernel log on the VGA", async () => {
    const { port } = server!.address() as AddressInfo;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.click("#start");
    await waitForSerial(page, "Linux version 6.1.0-50-686", 0, 120_000);
    await page.waitForFunction(() =>
      /MIPS/.test(document.querySelector("#status")?.textContent ?? ""),
    );
    expect(await page.textContent("#status")).toMatch(
      /^\d+\.\d MIPS · interpreter 100% · guest \d+% host \d+% idle \d+% · [\d,]+ exits\/s$/,
    );
    // Guest, host and idle shares split the running wall time: they add up to 100% (rounded).
    await page.waitForTimeout(2500); // a second sample, so the figures cover a whole interval
    const shares = /guest (\d+)% host (\d+)% idle (\d+)%/.exec(
      (await page.textContent("#status"))!,
    );
    const total = Number(shares![1]) + Number(shares![2]) + Number(shares![3]);
    expect(total).toBeGreaterThanOrEqual(98);
    expect(total).toBeLessThanOrEqual(102);
    await page.click("#pause");
    await page.waitForFunction(() => document.querySelector("#state")?.textContent === "paused");
    const pausedAt = (await serialTranscript(page)).length;
    await page.waitForTimeout(2000);
    expect((await serialTranscript(page)).length).toBe(pausedAt); // nothing runs while paused
    await page.click("#pause"); // now "Resume"
    await page.waitForFunction(() => document.querySelector("#state")?.textContent === "running");
    // The VGA text screen carries the kernel log (console=tty0) with its timestamps.
    await page.waitForFunction(
      async () => {
        const lines = await (
          window as unknown as { ringvm: { screenText(): Promise<string[] | undefined> } }
        ).ringvm.screenText();
        return lines !== undefined && lines.some((line) => /^\[\s*\d+\.\d{6}\] /.test(line));
      },
      undefined,
      { timeout: 120_000, polling: 1000 },
    );
    await page.click("#tab-screen");
    await checkScreenshot(page, "screen-toolbar.png");
    // Reset boots the kernel again from the start.
    await page.click("#reset");
    await waitForSerial(page, "Linux version 6.1.0-50-686", pausedAt, 120_000);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 600_000);

  it("boots the default guest, answers uname -a on the serial console, shows a screen", async () => {
    const { port } = server!.address() as AddressInfo;
    const context = await browser!.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.textContent("#state")).resolves.toBe("stopped");

    // One click boots the default guest.
    await page.click("#start");
    const t0 = Date.now();
    await waitForSerial(page, PROMPT, 0, BOOT_TIMEOUT_MS);
    const bootSeconds = (Date.now() - t0) / 1000;
    const status = await page.textContent("#status");
    console.log(`booted to the shell in ${bootSeconds.toFixed(0)} s; status: ${status}`);
    expect(await serialTranscript(page)).toContain("RingVM guest: Linux 6.1.0-50-686");
    expect(status).toMatch(/MIPS .* exits\/s/);

    // Type into the xterm.js terminal as a user would.
    await page.click("#tab-serial");
    await page.click("#terminal");
    const from = (await serialTranscript(page)).length;
    await page.keyboard.type("uname -a");
    await page.keyboard.press("Enter");
    await waitForSerial(page, `\n${PROMPT}`, from, 120_000);
    const lines = await page.evaluate(() =>
      (window as unknown as { ringvm: { terminalLines(): string[] } }).ringvm.terminalLines(),
    );
    const answer = lines.find((line) => line.startsWith("Linux ringvm "));
    expect(answer).toMatch(
      /^Linux ringvm 6\.1\.0-50-686 #1 SMP PREEMPT_DYNAMIC Debian 6\.1\.176-1 .* i686 GNU\/Linux$/,
    );

    // The VGA screen: the kernel log (console=tty0) in 80x25 text mode.
    await page.click("#tab-screen");
    await page.waitForTimeout(500);
    const screenText = await page.evaluate(() =>
      (
        window as unknown as { ringvm: { screenText(): Promise<string[] | undefined> } }
      ).ringvm.screenText(),
    );
    expect(screenText?.length).toBe(25);
    expect(screenText!.join("\n")).toMatch(/\[\s*\d+\.\d+\]/); // kernel log timestamps
    await checkScreenshot(page, "screen.png");
    writeFileSync(join(outDir, "serial.txt"), await serialTranscript(page));
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 780_000);

  it("gives a local disk image to the guest and downloads its writes from the overlay", async () => {
    const { port } = server!.address() as AddressInfo;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    const image = Buffer.alloc(1 << 20);
    image.write("RINGVM-BASE", 0, "latin1");
    await page.setInputFiles("#files", {
      name: "disk.img",
      mimeType: "application/octet-stream",
      buffer: image,
    });
    expect(await page.inputValue("#boot")).toBe("disk"); // the picked file chose the boot source
    await page.selectOption("#boot", "default"); // the default guest, with the disk as hda
    await page.click("#start");
    await waitForSerial(page, PROMPT, 0, BOOT_TIMEOUT_MS);
    await page.click("#tab-serial");
    await page.click("#terminal");
    const from = (await serialTranscript(page)).length;
    await page.keyboard.type(
      "i=0; while [ ! -b /dev/sda ] && [ $i -lt 90 ]; do sleep 1; i=$((i+1)); done; head -c 11 /dev/sda; echo; printf RINGVM-OVERLAY | dd of=/dev/sda bs=512 seek=2 conv=notrunc; sync; echo written",
    );
    await page.keyboard.press("Enter");
    const transcript = await waitForSerial(page, "\nwritten", from, 240_000);
    expect(transcript.slice(from)).toContain("\nRINGVM-BASE");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save-disk")]);
    const saved = join(outDir, "disk.modified.img");
    mkdirSync(outDir, { recursive: true });
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.length).toBe(image.length);
    expect(bytes.toString("latin1", 0, 11)).toBe("RINGVM-BASE");
    expect(bytes.toString("latin1", 1024, 1024 + 14)).toBe("RINGVM-OVERLAY");
    expect(image.toString("latin1", 1024, 1024 + 14)).toBe("\0".repeat(14)); // the original is untouched
    await page.close();
  }, 780_000);
});
