// Host key -> PS/2 set 2. Oracles: QEMU's keycodemapdb table (DOM code -> AT set 2, committed
// extract in keycodemapdb-set2.csv) for every ordinary key, and the Microsoft Keyboard Scan
// Code Specification (rev 1.3a, set 2) for break codes, PrintScreen and Pause variants.
import { readFileSync } from "node:fs";
import {
  SET2_BY_CODE,
  Set2Encoder,
  TerminalKeyDecoder,
  ctrlAltDelete,
  ps2ButtonsFromDom,
} from "@ringvm/devices/input";
import { describe, expect, it } from "vitest";

const ORACLE = readFileSync(new URL("./keycodemapdb-set2.csv", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.length > 0 && !line.startsWith("#"))
  .map((line) => {
    const [code, value] = line.split(",");
    return [code!, Number.parseInt(value!, 16)] as const;
  });

describe("PS/2 set 2 encoding", () => {
  it("every key of the keycodemapdb extract has its set 2 code", () => {
    expect(ORACLE.length).toBeGreaterThan(110);
    for (const [code, value] of ORACLE) expect([code, SET2_BY_CODE[code]]).toEqual([code, value]);
    // And the table has no key the oracle does not list.
    expect(Object.keys(SET2_BY_CODE).sort()).toEqual(ORACLE.map(([c]) => c).sort());
  });

  it("make and break: F0 before the code, after E0 for extended keys", () => {
    const e = new Set2Encoder();
    expect(e.press("KeyA")).toEqual([0x1c]);
    expect(e.release("KeyA")).toEqual([0xf0, 0x1c]);
    expect(e.press("ArrowUp")).toEqual([0xe0, 0x75]);
    expect(e.release("ArrowUp")).toEqual([0xe0, 0xf0, 0x75]);
    expect(e.press("F7")).toEqual([0x83]);
    // Auto-repeat re-sends the make code; a release without a press sends nothing.
    expect(e.press("KeyB")).toEqual([0x32]);
    expect(e.press("KeyB")).toEqual([0x32]);
    expect(e.release("KeyZ")).toEqual([]);
    expect(e.press("NoSuchKey")).toEqual([]);
  });

  it("PrintScreen: E0 12 E0 7C alone, E0 7C with Shift/Ctrl, 84 (SysRq) with Alt", () => {
    const e = new Set2Encoder();
    expect(e.press("PrintScreen")).toEqual([0xe0, 0x12, 0xe0, 0x7c]);
    expect(e.release("PrintScreen")).toEqual([0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
    e.press("ShiftLeft");
    expect(e.press("PrintScreen")).toEqual([0xe0, 0x7c]);
    expect(e.release("PrintScreen")).toEqual([0xe0, 0xf0, 0x7c]);
    e.release("ShiftLeft");
    e.press("AltRight");
    expect(e.press("PrintScreen")).toEqual([0x84]);
    expect(e.release("PrintScreen")).toEqual([0xf0, 0x84]);
  });

  it("Pause: E1 14 77 E1 F0 14 F0 77 and no break; Ctrl+Pause is Break E0 7E E0 F0 7E", () => {
    const e = new Set2Encoder();
    expect(e.press("Pause")).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
    expect(e.release("Pause")).toEqual([]);
    e.press("ControlLeft");
    expect(e.press("Pause")).toEqual([0xe0, 0x7e, 0xe0, 0xf0, 0x7e]);
    expect(e.release("Pause")).toEqual([]);
  });

  it("Ctrl-Alt-Del and releaseAll", () => {
    const e = new Set2Encoder();
    const bytes = ctrlAltDelete().flatMap((k) => e.encode(k));
    expect(bytes).toEqual([0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14]);
    e.press("ShiftRight");
    e.press("Home");
    expect(e.releaseAll()).toEqual([0xf0, 0x59, 0xe0, 0xf0, 0x6c]);
    expect(e.isHeld("Home")).toBe(false);
  });

  it("DOM mouse buttons map bit for bit onto PS/2 (left, right, middle, 4, 5)", () => {
    expect(ps2ButtonsFromDom(0b10101)).toBe(0b10101);
    expect(ps2ButtonsFromDom(0x20)).toBe(0);
  });
});

describe("TerminalKeyDecoder (xterm input)", () => {
  const codes = (events: { code: string; isPressed: boolean }[]) =>
    events.map((e) => `${e.isPressed ? "+" : "-"}${e.code}`).join(" ");

  it("printable ASCII with Shift where the US layout needs it", () => {
    const d = new TerminalKeyDecoder();
    expect(codes(d.feed("a"))).toBe("+KeyA -KeyA");
    expect(codes(d.feed("A!"))).toBe(
      "+ShiftLeft +KeyA -KeyA -ShiftLeft +ShiftLeft +Digit1 -Digit1 -ShiftLeft",
    );
    expect(codes(d.feed(" \r\t"))).toBe("+Space -Space +Enter -Enter +Tab -Tab");
    expect(codes(d.feed(new Uint8Array([0x7f])))).toBe("+Backspace -Backspace");
  });

  it("control characters are Ctrl+letter", () => {
    const d = new TerminalKeyDecoder();
    expect(codes(d.feed("\x03"))).toBe("+ControlLeft +KeyC -KeyC -ControlLeft");
  });

  it("cursor and function key sequences, with xterm modifier parameters", () => {
    const d = new TerminalKeyDecoder();
    expect(codes(d.feed("\x1b[A\x1bOB"))).toBe("+ArrowUp -ArrowUp +ArrowDown -ArrowDown");
    expect(codes(d.feed("\x1b[3~\x1b[15~\x1bOP\x1b[24~"))).toBe(
      "+Delete -Delete +F5 -F5 +F1 -F1 +F12 -F12",
    );
    expect(codes(d.feed("\x1b[1;5C"))).toBe("+ControlLeft +ArrowRight -ArrowRight -ControlLeft");
    expect(codes(d.feed("\x1b[H\x1b[F\x1b[5~\x1b[6~\x1b[2~"))).toBe(
      "+Home -Home +End -End +PageUp -PageUp +PageDown -PageDown +Insert -Insert",
    );
  });

  it("sequences split across reads; lone ESC waits for flush; ESC+key is Alt+key", () => {
    const d = new TerminalKeyDecoder();
    expect(d.feed("\x1b[")).toEqual([]);
    expect(codes(d.feed("D"))).toBe("+ArrowLeft -ArrowLeft");
    expect(d.feed("\x1b")).toEqual([]);
    expect(codes(d.flush())).toBe("+Escape -Escape");
    expect(codes(d.feed("\x1bx"))).toBe("+AltLeft +KeyX -KeyX -AltLeft");
  });
});
