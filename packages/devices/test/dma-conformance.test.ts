// The shared conformance suite over the 8237A DMA pair (also a check of the suite itself).
import { I8237Dma } from "@ringvm/devices/dma";
import { describeDeviceConformance } from "./conformance";

describeDeviceConformance({
  create: () => new I8237Dma(),
  exercise: (_dma, board) => {
    board.io.out(0x0c, 0); // clear flip-flop
    board.io.out(0x04, 0x34); // channel 2 address low/high
    board.io.out(0x04, 0x12);
    board.io.out(0x0b, 0x46); // channel 2: single, write, increment
    board.io.out(0x81, 0x05); // channel 2 page
  },
});
