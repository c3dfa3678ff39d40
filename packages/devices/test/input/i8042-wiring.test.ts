// The wiring the board uses: terminal bytes -> key events -> set 2 bytes -> the i8042's
// keyboard, read by the guest at port 60h. With translation on in the command byte (as
// every BIOS sets it, here 45h), the guest sees set 1 (IBM PC AT Technical Reference: A = 1Eh make, 9Eh break; the E0
// prefix passes through; Ctrl = 1Dh).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { I8042 } from "@ringvm/devices/i8042";
import { Set2Encoder, TerminalKeyDecoder, ctrlAltDelete } from "@ringvm/devices/input";
import { describe, expect, it } from "vitest";

function drain(board: FakeDeviceContext): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64 && board.io.in(0x64) & 1; i++) out.push(board.io.in(0x60));
  return out;
}

describe("input -> i8042 wiring", () => {
  it("typed 'a', Up and Ctrl-Alt-Del arrive as translated set 1 codes", () => {
    const board = new FakeDeviceContext();
    const kbc = new I8042();
    kbc.attach(board);
    kbc.reset("power-on");
    board.io.out(0x64, 0x60); // write command byte
    board.io.out(0x60, 0x45); // translate, system flag, keyboard IRQ
    drain(board);
    const encoder = new Set2Encoder();
    const decoder = new TerminalKeyDecoder();
    const send = (bytes: number[]) => kbc.keyboard.sendScancodes(bytes);
    for (const event of decoder.feed("a\x1b[A")) send(encoder.encode(event));
    expect(drain(board)).toEqual([0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8]);
    for (const event of ctrlAltDelete()) send(encoder.encode(event));
    expect(drain(board)).toEqual([0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d]);
  });
});
