// The shared conformance suite over the i8042 with its keyboard and mouse.
import { I8042 } from "@ringvm/devices/i8042";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  create: () => new I8042(),
  exercise: (kbc, board) => {
    board.io.out(0x64, 0x60);
    board.io.out(0x60, 0x47); // interrupts on, translation, aux enabled
    board.io.out(0x60, 0xf2); // keyboard identify: FA AB 83 queued
    board.io.out(0x64, 0xd4);
    board.io.out(0x60, 0xf4); // mouse reporting on
    kbc.keyboard.pressKey(0x1c);
    kbc.mouse.move(3, 4);
  },
  probe: (kbc, board) => {
    const bytes: number[] = [];
    for (let i = 0; i < 40 && (board.io.in(0x64) & 1) !== 0; i++) bytes.push(board.io.in(0x60));
    return [bytes, kbc.commandByte, kbc.isA20Enabled, kbc.mouse.deviceId];
  },
});
