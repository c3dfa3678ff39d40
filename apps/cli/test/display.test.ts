// `ringvm run --display terminal` and `--screenshot`: argument errors, and one short
// firmware boot of a test boot sector (fixtures/display/keys-13h.asm) that waits for a key
// in text mode, then draws in mode 13h and reports the key on COM1 (--exit-on).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { pickColors } from "../src/display";
import { runCli, type CliIo } from "../src/program";

const FIXTURES = join(import.meta.dirname, "fixtures", "display");

function capture(console?: CliIo["console"]) {
  const err: string[] = [];
  const io: CliIo = {
    stdout: () => undefined,
    stderr: (t: string) => err.push(t),
    console: console ?? { writeOut: () => undefined },
  };
  return { io, err };
}

describe("ringvm run --display / --screenshot: argument errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "ringvm-display-"));
  mkdirSync(join(dir, "folder.png"));
  const cases: [string[], RegExp][] = [
    [["--display", "vga"], /argument 'vga' is invalid.*none, terminal/],
    [["--colors", "64"], /argument '64' is invalid/],
    [
      ["--display", "terminal", "--serial", "stdio"],
      /^ringvm: --serial stdio and --display terminal cannot share the terminal: use --serial file:PATH or none\n$/,
    ],
    [
      ["--screenshot", join(dir, "shot.gif")],
      /^ringvm: --screenshot .*shot\.gif: expected a file name ending in \.png\n$/,
    ],
    [
      ["--screenshot", join(dir, "no", "such", "shot.png")],
      /^ringvm: --screenshot .*shot\.png: folder .*such does not exist\n$/,
    ],
    [
      ["--screenshot", join(dir, "folder.png")],
      /^ringvm: --screenshot .*folder\.png: is a folder\n$/,
    ],
  ];
  it.each(cases)("%j", async (args, message) => {
    const c = capture();
    expect(await runCli(["run", "--kernel", "x", ...args], c.io)).toBe(1);
    expect(c.err.join("")).toMatch(message);
  });

  it("picks the colour depth from the option, else from the terminal's", () => {
    expect(pickColors("auto", 24)).toBe("truecolor");
    expect(pickColors("auto", 8)).toBe("ansi256");
    expect(pickColors("auto", 4)).toBe("ansi16");
    expect(pickColors("auto", 1)).toBe("ansi16");
    expect(pickColors("256", 24)).toBe("ansi256");
    expect(pickColors("truecolor", 4)).toBe("truecolor");
  });
});

describe("ringvm run --display terminal --screenshot", () => {
  it("draws the text screen, types a key into the guest, and writes the final mode 13h screen as PNG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-display-"));
    const floppy = new Uint8Array(1_474_560);
    floppy.set(readFileSync(join(FIXTURES, "keys-13h.bin")));
    writeFileSync(join(dir, "floppy.img"), floppy);
    const png = join(dir, "screen.png");

    // A fake terminal: 80x25, 256 colours; stdin gets "q" once the prompt is on the screen.
    let screen = "";
    const listeners: ((chunk: Buffer | string) => void)[] = [];
    let isTyped = false;
    let resizeAt = -1;
    const size = { columns: 80, rows: 25 };
    let onResize: (() => void) | undefined;
    const c = capture({
      writeOut: (data) => {
        screen += new TextDecoder().decode(data);
        if (!isTyped && screen.includes("Press a key")) {
          isTyped = true;
          // The terminal shrinks to 40 columns first: a full redraw, clipped.
          size.columns = 40;
          resizeAt = screen.length;
          onResize?.();
          setTimeout(() => listeners.forEach((l) => l("q")), 10);
        }
      },
      isOutputTty: true,
      terminal: {
        get columns() {
          return size.columns;
        },
        get rows() {
          return size.rows;
        },
        colorDepth: 8,
        onResize: (listener) => {
          onResize = listener;
          return () => (onResize = undefined);
        },
      },
      input: {
        on: (_event, listener) => listeners.push(listener),
        removeListener: () => undefined,
        resume: () => undefined,
        pause: () => undefined,
      },
    });
    const code = await runCli(
      [
        "run",
        "--fda",
        join(dir, "floppy.img"),
        "--display",
        "terminal",
        "--screenshot",
        png,
        "--exit-on",
        "KEY q",
        "--deterministic",
        "--timeout",
        "50",
      ],
      c.io,
    );
    expect({ code, err: c.err.join("") }).toEqual({ code: 0, err: "" });
    // SeaBIOS's banner and the guest's lines, in 256-colour SGR (grey 248 on black 16).
    expect(screen).toContain("\x1b[0;38;5;248;48;5;16mSeaBIOS (version 1.16.2");
    expect(screen).toContain("Press a key");
    // The key reached the guest's INT 16h: it wrote "KEY q" to COM1 (--exit-on, exit 0). Its
    // "Key: q" line is gone into mode 13h within the same 50 ms frame, so it is not checked.
    // Mode 13h in half blocks, 256 colours: 640x400 scaled to 40x12 cells; the top left
    // cell's upper half is the yellow square (227), its lower half red (124).
    expect(screen).toContain("\x1b[1;1H\x1b[0;38;5;227;48;5;124m\u2580");
    const afterResize = screen.slice(resizeAt);
    expect(afterResize.startsWith("\x1b[0m\x1b[2J")).toBe(true);
    expect(afterResize).toContain("Press a key");
    // Rows end at column 40 (the banner is exactly 40 characters), no cell drawn past it.
    expect(afterResize).toContain("-debian-1.16.2-1)\x1b[2;1H");
    expect(afterResize).not.toMatch(/\x1b\[\d+;(4[1-9]|[5-9]\d)H/);
    expect(onResize).toBeUndefined(); // unsubscribed at the end
    // The terminal gets its defaults back at the end.
    expect(screen.endsWith("\x1b[0m\x1b[0 q\x1b[?25h")).toBe(true);

    // Mode 13h is 640x400 in QEMU's screendump convention; default VGA palette (IBM VGA
    // TR): colour 14 = (3Fh, 3Fh, 15h), colour 4 = (2Ah, 0, 0); 6-bit DAC values widened as
    // QEMU's screendump does (c6_to_8: v << 2, low bit copied into bits 1-0).
    const image = decode(readFileSync(png));
    expect([image.width, image.height, image.channels, image.depth]).toEqual([640, 400, 3, 8]);
    const pixel = (x: number, y: number): number[] =>
      Array.from(image.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3));
    expect(pixel(0, 0)).toEqual([255, 255, 87]);
    expect(pixel(31, 15)).toEqual([255, 255, 87]); // square: 16x8 source pixels doubled
    expect(pixel(32, 0)).toEqual([168, 0, 0]);
    expect(pixel(0, 16)).toEqual([168, 0, 0]);
    expect(pixel(639, 399)).toEqual([168, 0, 0]);
  }, 60_000);
});
