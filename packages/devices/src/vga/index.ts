// @ringvm/devices/vga: the VGA with Bochs VBE extensions, its renderers and the terminal view.
export { VgaDevice } from "./vga";
export type { VgaOptions } from "./vga";
export { VgaRenderer, renderToRgba } from "./render";
export type { RenderResult, VgaRendererOptions } from "./render";
export { textScreen, textLines } from "./text";
export type { TextScreen } from "./text";
export { TerminalRenderer, TERMINAL_RESET, xterm256 } from "./terminal";
export type { TerminalColors, TerminalRendererOptions } from "./terminal";
export { CP437_TO_UNICODE } from "./cp437";
export { dac6To8 } from "./palette";
export { STDVGA_PCI, VBE_LFB_DEFAULT_BASE } from "./regs";
export { findVgaBiosFont, setTextMode3 } from "./text-mode";
