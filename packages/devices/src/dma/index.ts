// @ringvm/devices/dma: the PC/AT pair of 8237A DMA controllers and page registers.
export { I8237Dma } from "./i8237-dma";
export type { IsaDmaChannel } from "./i8237-dma";
