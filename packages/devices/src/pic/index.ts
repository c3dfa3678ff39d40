// @ringvm/devices/pic: the PC/AT pair of 8259A interrupt controllers with the PIIX ELCR.
export { I8259Pic } from "./i8259-pic";
export type { I8259PicOptions, I8259PicState } from "./i8259-pic";
