// Text screen extraction (CP437 decoding, CRTC start address, cursor) and the ANSI terminal
// renderer (VT100/ECMA-48 CUP and SGR sequences, only changed cells on later frames).
import type { FakeDeviceContext } from "@ringvm/bus/testing";
import {
  TERMINAL_RESET,
  TerminalRenderer,
  VgaDevice,
  textLines,
  textScreen,
  xterm256,
} from "@ringvm/devices/vga";
import { describe, expect, it } from "vitest";
import { MODES, setMode, setup } from "./vga-bios";

function write(board: FakeDeviceContext, row: number, column: number, text: string, attr = 0x07) {
  for (let i = 0; i < text.length; i++) {
    board.io.writeMmio(0xb8000 + (row * 80 + column + i) * 2, text.charCodeAt(i) | (attr << 8), 2);
  }
}
function crtc(board: FakeDeviceContext, index: number, value: number): void {
  board.io.out(0x3d4, index);
  board.io.out(0x3d5, value);
}

describe("textScreen", () => {
  it("reads characters, attributes and the cursor; CP437 graphics decode to Unicode", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 0, 0, "SeaBIOS", 0x1f);
    board.io.writeMmio(0xb8000 + 160, 0x07c9, 2); // ╔
    board.io.writeMmio(0xb8002 + 160, 0x07cd, 2); // ═
    board.io.writeMmio(0xb8004 + 160, 0x0701, 2); // ☺
    crtc(board, 0x0e, 0x00);
    crtc(board, 0x0f, 83); // row 1, column 3
    const screen = textScreen(vga)!;
    expect([screen.columns, screen.rows]).toEqual([80, 25]);
    const lines = textLines(screen);
    expect(lines[0]!.startsWith("SeaBIOS ")).toBe(true);
    expect(lines[1]!.startsWith("╔═☺ ")).toBe(true);
    expect(screen.cells[0]).toBe(0x1f53);
    expect([screen.cursorRow, screen.cursorColumn]).toEqual([1, 3]);
    expect(screen.isBlinkEnabled).toBe(true); // mode 3 sets AR10 bit 3
    // Attribute colour 1 -> AR01 = 01h -> DAC 1 = (0, 0, 2Ah) -> (0, 0, A8h).
    expect(screen.palette[1]).toBe(0xffa80000);
  });

  it("follows the CRTC start address (scrolling by page) and hides a disabled cursor", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 25, 0, "page two"); // cells 2000.. (row 25 of page 0 = row 0 at start 2000)
    crtc(board, 0x0c, 2000 >> 8);
    crtc(board, 0x0d, 2000 & 0xff);
    crtc(board, 0x0a, 0x20);
    const screen = textScreen(vga)!;
    expect(textLines(screen)[0]!.startsWith("page two")).toBe(true);
    expect(screen.cursorRow).toBe(-1);
  });

  it("hides the cursor when its start line is past its end line (IBM VGA TR, as QEMU draws)", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    crtc(board, 0x0a, 0x0e);
    crtc(board, 0x0b, 0x0d);
    expect(textScreen(vga)!.cursorRow).toBe(-1);
    crtc(board, 0x0b, 0x1f); // end past the cell: clipped to line 15, shown
    expect(textScreen(vga)!.cursorRow).toBe(0);
  });

  it("is undefined in graphics modes", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x13]);
    expect(textScreen(vga)).toBeUndefined();
    expect(textScreen(new VgaDevice({ vramMiB: 1 }))).toBeUndefined(); // blank after reset
  });
});

describe("TerminalRenderer", () => {
  it("draws the whole screen first, then only changed cells, with SGR colours and the cursor", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 0, 0, "Hi", 0x1e); // yellow on blue
    crtc(board, 0x0e, 0);
    crtc(board, 0x0f, 2);
    const term = new TerminalRenderer({ columns: 80, rows: 25 });
    const first = term.render(textScreen(vga));
    expect(first.startsWith("\x1b[0m\x1b[2J")).toBe(true);
    // VGA yellow (colour 14 = bright brown) is ANSI bright yellow 93; blue background 44.
    expect(first).toContain("\x1b[1;1H\x1b[0;93;44mHi");
    // Mode 3's cursor is scan lines 13-14 of 16: an underline (DECSCUSR 3, blinking).
    expect(first.endsWith("\x1b[0m\x1b[1;3H\x1b[3 q\x1b[?25h")).toBe(true);
    expect(term.render(textScreen(vga))).toBe("");
    write(board, 3, 10, "!", 0x4f); // white on red
    const second = term.render(textScreen(vga));
    expect(second).toBe("\x1b[4;11H\x1b[0;97;41m!\x1b[0m\x1b[1;3H\x1b[?25h");
  });

  it("blink attribute becomes SGR 5; truecolor sends the palette's RGB; clipped to the host size", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 0, 0, "B", 0x87);
    write(board, 0, 79, "Z", 0x07);
    const term = new TerminalRenderer({ colors: "truecolor", columns: 40, rows: 10 });
    const out = term.render(textScreen(vga));
    expect(out).toContain("\x1b[0;38;2;168;168;168;48;2;0;0;0;5mB");
    expect(out).not.toContain("Z");
    expect(term.render(undefined)).toContain("graphics mode");
  });

  it("moves the cursor without cells changing, and sends its shape when it changes", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    const term = new TerminalRenderer();
    term.render(textScreen(vga));
    crtc(board, 0x0f, 5);
    expect(term.render(textScreen(vga))).toBe("\x1b[1;6H\x1b[?25h");
    crtc(board, 0x0a, 0x00); // lines 0-14 of 16: a block (DECSCUSR 1)
    expect(term.render(textScreen(vga))).toBe("\x1b[1;6H\x1b[1 q\x1b[?25h");
    crtc(board, 0x0a, 0x20); // off
    expect(term.render(textScreen(vga))).toBe("\x1b[?25l");
    expect(term.render(textScreen(vga))).toBe("");
    expect(TERMINAL_RESET).toBe("\x1b[0m\x1b[0 q\x1b[?25h");
    // Without DECSCUSR (the Linux console prints it): position and visibility only.
    const plain = new TerminalRenderer({ cursorStyle: false });
    expect(plain.render(textScreen(vga))).not.toContain(" q");
  });

  it("ansi256 picks xterm's nearest cube or grey colour for the palette's RGB", () => {
    // xterm 256colres: cube levels 0, 95, 135, 175, 215, 255 (16 + 36r + 6g + b); greys
    // 232-255 are 8 + 10n. VGA mode 3 colours: grey A8h, blue (0, 0, A8h), bright blue
    // (54h, 54h, FCh), black.
    expect(xterm256(0xffa8a8a8)).toBe(248);
    expect(xterm256(0xffa80000)).toBe(19);
    expect(xterm256(0xfffc5454)).toBe(63);
    expect(xterm256(0xff000000)).toBe(16);
    expect(xterm256(0xffffffff)).toBe(231);
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 0, 0, "A", 0x17); // grey on blue
    const out = new TerminalRenderer({ colors: "ansi256" }).render(textScreen(vga));
    expect(out).toContain("\x1b[1;1H\x1b[0;38;5;248;48;5;19mA");
  });

  it("writes short runs of unchanged cells between changes instead of moving the cursor", () => {
    const { vga, board } = setup();
    setMode(board, MODES[0x03]);
    write(board, 2, 0, " ".repeat(80));
    write(board, 4, 0, " ".repeat(80));
    const term = new TerminalRenderer();
    term.render(textScreen(vga));
    write(board, 2, 0, "Press a key"); // the spaces were already there
    expect(term.render(textScreen(vga))).toBe(
      "\x1b[3;1H\x1b[0;37;40mPress a key\x1b[0m\x1b[1;1H\x1b[?25h",
    );
    write(board, 4, 0, "a          b"); // ten unchanged cells: a cursor move is shorter
    expect(term.render(textScreen(vga))).toBe(
      "\x1b[5;1H\x1b[0;37;40ma\x1b[5;12Hb\x1b[0m\x1b[1;1H\x1b[?25h",
    );
  });

  it("draws pictures with half blocks: top pixel as foreground, bottom as background, averaged", () => {
    // 4x2 RGBA: top row red red blue blue, bottom row green; 2x1 terminal: each cell covers
    // 2x1 source pixels per half.
    const rgba = new Uint8Array(4 * 2 * 4);
    const put = (x: number, y: number, r: number, g: number, b: number) =>
      rgba.set([r, g, b, 255], (y * 4 + x) * 4);
    for (let x = 0; x < 4; x++) put(x, 1, 0, 255, 0);
    put(0, 0, 255, 0, 0);
    put(1, 0, 255, 0, 0);
    put(2, 0, 0, 0, 255);
    put(3, 0, 0, 0, 255);
    const term = new TerminalRenderer({ colors: "truecolor", columns: 2, rows: 1 });
    expect(term.renderPicture(rgba, 4, 2)).toBe(
      "\x1b[0m\x1b[2J\x1b[?25l\x1b[1;1H\x1b[0;38;2;255;0;0;48;2;0;255;0m\u2580" +
        "\x1b[0;38;2;0;0;255;48;2;0;255;0m\u2580\x1b[0m",
    );
    expect(term.renderPicture(rgba, 4, 2)).toBe("");
    put(3, 0, 255, 255, 255); // the right cell's top half averages blue and white
    expect(term.renderPicture(rgba, 4, 2)).toBe(
      "\x1b[1;2H\x1b[0;38;2;128;128;255;48;2;0;255;0m\u2580\x1b[0m",
    );
    // 16 colours: nearest default VGA colour in ANSI numbering (bright blue 94 on green 42: (0, FFh, 0) is nearer AAh than 55h, FFh, 55h).
    const ansi = new TerminalRenderer({ columns: 2, rows: 1 });
    expect(ansi.renderPicture(rgba, 4, 2)).toContain("\x1b[0;94;42m\u2580");
  });
});
