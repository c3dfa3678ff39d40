// TerminalDisplay on its own: redraw on resize, keys to key events (xterm sequences), a lone
// ESC after a quiet time, messages over the screen, and the terminal given back on stop.
import { readFileSync } from "node:fs";
import { createScreenPc, type ScreenPc } from "@ringvm/pc";
import { describe, expect, it } from "vitest";
import { TerminalDisplay } from "./display";

const GUESTS = new URL("../../../guests/", import.meta.url);

function fakeScreen(): { screen: ScreenPc; keys: string[] } {
  // A real (still blank) VGA from a firmware board that is never started.
  const real = createScreenPc({ bios: new Uint8Array(readFileSync(new URL("bios.bin", GUESTS))) });
  const keys: string[] = [];
  const screen = {
    vga: real.vga,
    render: (out: Uint8Array) => real.render(out),
    key: (code: string, isPressed: boolean) => keys.push(`${isPressed ? "+" : "-"}${code}`),
  } as unknown as ScreenPc;
  return { screen, keys };
}

describe("TerminalDisplay", () => {
  it("draws once, redraws in full after a resize, and restores the terminal on stop", () => {
    const { screen } = fakeScreen();
    const out: string[] = [];
    let onResize: (() => void) | undefined;
    const size = { columns: 80, rows: 25 };
    const display = new TerminalDisplay(
      screen,
      {
        write: (t) => out.push(t),
        get columns() {
          return size.columns;
        },
        get rows() {
          return size.rows;
        },
        onResize: (listener) => {
          onResize = listener;
          return () => (onResize = undefined);
        },
      },
      "ansi16",
    );
    display.start();
    // A VGA without a mode is a black 640x480 picture: half blocks, aspect kept in 80x25
    // (50 half rows: 640 x 50/480 = 66 columns).
    expect(out).toHaveLength(1);
    expect(out[0]!.startsWith("\x1b[0m\x1b[2J\x1b[?25l\x1b[1;1H\x1b[0;30;40m")).toBe(true);
    expect(out[0]!.split("\u2580")).toHaveLength(66 * 25 + 1);
    display.frame();
    expect(out).toHaveLength(1); // nothing changed: nothing written
    size.columns = 100;
    onResize!();
    expect(out).toHaveLength(2);
    expect(out[1]).toContain("\x1b[2J");
    display.stop();
    expect(onResize).toBeUndefined();
    expect(out.at(-1)).toBe("\x1b[1;1H\r\n\x1b[0m\x1b[0 q\x1b[?25h");
    display.stop(); // once only
    expect(out).toHaveLength(3);
  });

  it("turns typed bytes into PS/2 key events; a lone ESC becomes Escape after 50 ms", async () => {
    const { screen, keys } = fakeScreen();
    const display = new TerminalDisplay(screen, { write: () => undefined }, "ansi16");
    display.start();
    display.input(new TextEncoder().encode("A\x1b[A\x03"));
    expect(keys).toEqual([
      "+ShiftLeft",
      "+KeyA",
      "-KeyA",
      "-ShiftLeft",
      "+ArrowUp",
      "-ArrowUp",
      "+ControlLeft",
      "+KeyC",
      "-KeyC",
      "-ControlLeft",
    ]);
    keys.length = 0;
    display.input(Uint8Array.of(0x1b));
    expect(keys).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(keys).toEqual(["+Escape", "-Escape"]);
    display.stop();
  });
});
