// @ringvm/devices/uart: the 16550A UART for COM1-4.
export { Uart16550 } from "./uart16550";
export type { ModemInputs, Uart16550Options, Uart16550State } from "./uart16550";
export { COM_PORTS } from "./regs";
