// The shared device conformance suite over the VGA (1 MiB of video memory keeps it quick).
import { VgaDevice } from "@ringvm/devices/vga";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  create: () => new VgaDevice({ vramMiB: 1 }),
  exercise: (_vga, board) => {
    board.io.out(0x3c2, 0x67);
    board.io.out(0x3d4, 0x0e);
    board.io.out(0x3d5, 0x07);
    board.io.out(0x3c4, 0x02);
    board.io.out(0x3c5, 0x03);
    board.io.out(0x3c8, 0x10);
    board.io.out(0x3c9, 0x2a);
    board.io.in(0x3da);
    board.io.out(0x3c0, 0x21);
    board.io.out(0x1ce, 0x01, 2);
    board.io.out(0x1cf, 640, 2);
    board.io.writeMmio(0xa0000, 0x12345678, 4);
  },
});
