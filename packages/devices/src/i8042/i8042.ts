// The i8042 keyboard controller: status and command byte, controller commands, the output
// port's A20 and reset lines, and the PS/2 keyboard and auxiliary (mouse) ports with IRQ 1
// and IRQ 12 (IBM PC AT Technical Reference, "Keyboard controller"; Linux i8042.c and
// SeaBIOS ps2port.c drive it this way).
import type {
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  Logger,
  ResetKind,
  Width,
} from "@ringvm/bus";
import { Ps2Keyboard } from "./ps2-keyboard";
import { Ps2Mouse } from "./ps2-mouse";
import {
  AUX_IRQ,
  CMD_AUX_DISABLE,
  CMD_AUX_ENABLE,
  CMD_AUX_TEST,
  CMD_DISABLE_A20,
  CMD_ENABLE_A20,
  CMD_KBD_DISABLE,
  CMD_KBD_ENABLE,
  CMD_KBD_TEST,
  CMD_PASSWORD_INSTALLED,
  CMD_PULSE,
  CMD_READ_INPUT,
  CMD_READ_OUTPUT,
  CMD_READ_RAM,
  CMD_READ_TEST_INPUTS,
  CMD_SELF_TEST,
  CMD_WRITE_AUX,
  CMD_WRITE_AUX_BUFFER,
  CMD_WRITE_KBD_BUFFER,
  CMD_WRITE_OUTPUT,
  CMD_WRITE_RAM,
  COMMAND_PORT,
  CTR_AUX_DISABLE,
  CTR_AUX_INT,
  CTR_KBD_DISABLE,
  CTR_KBD_INT,
  CTR_POWER_ON,
  CTR_SYS,
  CTR_TRANSLATE,
  DATA_PORT,
  INPUT_PORT,
  INTERFACE_TEST_OK,
  KEYBOARD_IRQ,
  OUT_A20,
  OUT_AUX_OBF,
  OUT_KBD_OBF,
  OUT_POWER_ON,
  OUT_RESET,
  PASSWORD_NOT_INSTALLED,
  SELF_TEST_OK,
  STATUS_AUX_OBF,
  STATUS_COMMAND,
  STATUS_OBF,
  STATUS_SYS,
  STATUS_UNLOCKED,
} from "./regs";
import { BREAK_PREFIX, SET2_TO_SET1 } from "./translate";

/** Options of {@link I8042}: the output port lines the board wires. */
export interface I8042Options {
  /** The A20 gate output changed (D1h, DDh, DFh). Power-on: enabled. */
  readonly onA20?: (isEnabled: boolean) => void;
  /** The reset output was pulsed or written low (FEh, D1h with bit 0 clear). */
  readonly onReset?: () => void;
}

const RAM_BYTES = 32;
/** Controller replies queue behind a full output buffer; a guest cannot grow it beyond this. */
const MAX_CONTROLLER_QUEUE = 16;

interface Pending {
  value: number;
  isAux: boolean;
}

export class I8042 implements Device {
  readonly specificationVersion = "v1";
  readonly name = "i8042";
  readonly keyboard = new Ps2Keyboard();
  readonly mouse = new Ps2Mouse();
  private status = STATUS_UNLOCKED | STATUS_COMMAND;
  private readonly ram = new Uint8Array(RAM_BYTES);
  private outputPort = OUT_POWER_ON;
  private outputBuffer = 0;
  private controllerQueue: Pending[] = [];
  private pendingCommand = 0;
  /** Translation saw a set 2 break prefix and waits for the code it modifies. */
  private isAfterBreak = false;
  private kbdLine: IrqLine | undefined;
  private auxLine: IrqLine | undefined;
  private kbdLevel = false;
  private auxLevel = false;
  private log: Logger | undefined;

  constructor(private readonly options: I8042Options = {}) {
    this.ram[0] = CTR_POWER_ON;
    this.keyboard.onData = () => this.service();
    this.mouse.onData = () => this.service();
  }

  attach(context: DeviceContext): void {
    this.log = context.log;
    this.kbdLine = context.irq(KEYBOARD_IRQ);
    this.auxLine = context.irq(AUX_IRQ);
    this.keyboard.connect(context.clock, context.scheduler);
    const handler = {
      read: (port: number, _width: Width) =>
        port === DATA_PORT ? this.readData() : this.readStatus(),
      write: (port: number, _width: Width, value: number) => {
        if (port === DATA_PORT) this.writeData(value & 0xff);
        else this.writeCommand(value & 0xff);
      },
    };
    // Byte registers: a wider access reaches only the addressed port (the bus splits it).
    context.io.registerPorts(DATA_PORT, 1, handler, { owner: this.name, widths: [1] });
    context.io.registerPorts(COMMAND_PORT, 1, handler, { owner: this.name, widths: [1] });
  }

  /** The command byte (controller RAM byte 0). */
  get commandByte(): number {
    return this.ram[0] ?? 0;
  }

  /** The A20 gate output. */
  get isA20Enabled(): boolean {
    return (this.outputPort & OUT_A20) !== 0;
  }

  private readStatus(): number {
    return this.status;
  }

  private readData(): number {
    const value = this.outputBuffer;
    if ((this.status & STATUS_OBF) !== 0) {
      this.status &= ~(STATUS_OBF | STATUS_AUX_OBF);
      this.updateIrq();
      this.service();
    }
    return value;
  }

  private writeData(value: number): void {
    this.status &= ~STATUS_COMMAND;
    const command = this.pendingCommand;
    this.pendingCommand = 0;
    if (command >= CMD_WRITE_RAM && command < CMD_WRITE_RAM + RAM_BYTES) {
      this.writeRam(command - CMD_WRITE_RAM, value);
      return;
    }
    switch (command) {
      case CMD_WRITE_OUTPUT:
        this.writeOutputPort(value);
        return;
      case CMD_WRITE_KBD_BUFFER:
        this.queueReply(value, false);
        return;
      case CMD_WRITE_AUX_BUFFER:
        this.queueReply(value, true);
        return;
      case CMD_WRITE_AUX:
        this.mouse.write(value);
        return;
    }
    // Data for the keyboard; sending enables its interface again (as QEMU's KBC does).
    this.ram[0] = this.commandByte & ~CTR_KBD_DISABLE;
    this.keyboard.write(value);
    this.service();
  }

  private writeRam(index: number, value: number): void {
    this.ram[index] = value;
    if (index === 0) {
      // The system flag in the status register follows the command byte.
      this.status = (this.status & ~STATUS_SYS) | (value & CTR_SYS);
      this.updateIrq();
      this.service();
    }
  }

  private writeCommand(command: number): void {
    this.status |= STATUS_COMMAND;
    this.pendingCommand = 0;
    if (command >= CMD_READ_RAM && command < CMD_READ_RAM + RAM_BYTES) {
      this.queueReply(this.ram[command - CMD_READ_RAM] ?? 0, false);
      return;
    }
    if (command >= CMD_WRITE_RAM && command < CMD_WRITE_RAM + RAM_BYTES) {
      this.pendingCommand = command;
      return;
    }
    if (command >= CMD_PULSE) {
      // Pulse the output port bits whose command bit is 0; bit 0 is the reset line.
      if ((command & OUT_RESET) === 0) this.options.onReset?.();
      return;
    }
    switch (command) {
      case CMD_PASSWORD_INSTALLED:
        this.queueReply(PASSWORD_NOT_INSTALLED, false);
        return;
      case CMD_AUX_DISABLE:
        this.ram[0] = this.commandByte | CTR_AUX_DISABLE;
        return;
      case CMD_AUX_ENABLE:
        this.ram[0] = this.commandByte & ~CTR_AUX_DISABLE;
        this.service();
        return;
      case CMD_AUX_TEST:
      case CMD_KBD_TEST:
        this.queueReply(INTERFACE_TEST_OK, false);
        return;
      case CMD_SELF_TEST:
        this.status |= STATUS_SYS;
        this.queueReply(SELF_TEST_OK, false);
        return;
      case CMD_KBD_DISABLE:
        this.ram[0] = this.commandByte | CTR_KBD_DISABLE;
        return;
      case CMD_KBD_ENABLE:
        this.ram[0] = this.commandByte & ~CTR_KBD_DISABLE;
        this.service();
        return;
      case CMD_READ_INPUT:
        this.queueReply(INPUT_PORT, false);
        return;
      case CMD_READ_OUTPUT:
        this.queueReply(this.readOutputPort(), false);
        return;
      case CMD_WRITE_OUTPUT:
      case CMD_WRITE_KBD_BUFFER:
      case CMD_WRITE_AUX_BUFFER:
      case CMD_WRITE_AUX:
        this.pendingCommand = command;
        return;
      case CMD_DISABLE_A20:
        this.writeOutputPort(this.outputPort & ~OUT_A20);
        return;
      case CMD_ENABLE_A20:
        this.writeOutputPort(this.outputPort | OUT_A20);
        return;
      case CMD_READ_TEST_INPUTS:
        this.queueReply(0x00, false);
        return;
      default:
        this.log?.debug(`i8042: unknown command ${command.toString(16)}h ignored`);
    }
  }

  private readOutputPort(): number {
    let value = this.outputPort & ~(OUT_KBD_OBF | OUT_AUX_OBF);
    if ((this.status & STATUS_OBF) !== 0)
      value |= (this.status & STATUS_AUX_OBF) !== 0 ? OUT_AUX_OBF : OUT_KBD_OBF;
    return value;
  }

  private writeOutputPort(value: number): void {
    const wasA20 = this.isA20Enabled;
    this.outputPort = value & ~(OUT_KBD_OBF | OUT_AUX_OBF);
    if (this.isA20Enabled !== wasA20) this.options.onA20?.(this.isA20Enabled);
    if ((value & OUT_RESET) === 0) {
      // The reset line is an output the board sees as a pulse; it reads back high.
      this.outputPort |= OUT_RESET;
      this.options.onReset?.();
    }
  }

  private queueReply(value: number, isAux: boolean): void {
    if (this.controllerQueue.length >= MAX_CONTROLLER_QUEUE) return;
    this.controllerQueue.push({ value: value & 0xff, isAux });
    this.service();
  }

  /** Moves the next byte into an empty output buffer: controller replies, keyboard, mouse. */
  private service(): void {
    // A device refilling its queue while being read calls back here: the outer call loads.
    if ((this.status & STATUS_OBF) !== 0 || this.isServicing) return;
    this.isServicing = true;
    try {
      this.serviceOnce();
    } finally {
      this.isServicing = false;
    }
  }

  private isServicing = false;

  private serviceOnce(): void {
    const reply = this.controllerQueue.shift();
    if (reply !== undefined) {
      this.load(reply.value, reply.isAux);
      return;
    }
    const ctr = this.commandByte;
    if ((ctr & CTR_KBD_DISABLE) === 0) {
      while (this.keyboard.hasData) {
        let b = this.keyboard.read();
        if ((ctr & CTR_TRANSLATE) !== 0) {
          if (b === BREAK_PREFIX) {
            this.isAfterBreak = true;
            continue;
          }
          b = (SET2_TO_SET1[b] ?? b) | (this.isAfterBreak ? 0x80 : 0);
          this.isAfterBreak = false;
        }
        this.load(b, false);
        return;
      }
    }
    if ((ctr & CTR_AUX_DISABLE) === 0 && this.mouse.hasData) this.load(this.mouse.read(), true);
  }

  private load(value: number, isAux: boolean): void {
    this.outputBuffer = value;
    this.status = (this.status | STATUS_OBF) & ~STATUS_AUX_OBF;
    if (isAux) this.status |= STATUS_AUX_OBF;
    this.updateIrq();
  }

  private updateIrq(): void {
    const isFull = (this.status & STATUS_OBF) !== 0;
    const isAux = (this.status & STATUS_AUX_OBF) !== 0;
    const ctr = this.commandByte;
    const kbd = isFull && !isAux && (ctr & CTR_KBD_INT) !== 0;
    const aux = isFull && isAux && (ctr & CTR_AUX_INT) !== 0;
    if (kbd !== this.kbdLevel) {
      this.kbdLevel = kbd;
      if (kbd) this.kbdLine?.raise();
      else this.kbdLine?.lower();
    }
    if (aux !== this.auxLevel) {
      this.auxLevel = aux;
      if (aux) this.auxLine?.raise();
      else this.auxLine?.lower();
    }
  }

  reset(_kind: ResetKind): void {
    const wasA20 = this.isA20Enabled;
    this.status = STATUS_UNLOCKED | STATUS_COMMAND;
    this.ram.fill(0);
    this.ram[0] = CTR_POWER_ON;
    this.outputPort = OUT_POWER_ON;
    this.outputBuffer = 0;
    this.controllerQueue = [];
    this.pendingCommand = 0;
    this.isAfterBreak = false;
    this.keyboard.reset();
    this.mouse.reset();
    this.updateIrq();
    if (!wasA20) this.options.onA20?.(true);
  }

  saveState(): DeviceState {
    return {
      status: this.status,
      ram: Array.from(this.ram),
      outputPort: this.outputPort,
      outputBuffer: this.outputBuffer,
      controllerQueue: this.controllerQueue.map((p) => [p.value, p.isAux ? 1 : 0]),
      pendingCommand: this.pendingCommand,
      isAfterBreak: this.isAfterBreak,
      keyboard: this.keyboard.saveState(),
      mouse: this.mouse.saveState(),
    };
  }

  /**
   * Restores the controller. IRQ lines are not re-driven: the interrupt controller's own
   * snapshot holds their levels, and a re-raise would be a spurious edge.
   */
  loadState(state: DeviceState): void {
    this.status = Number(state["status"] ?? STATUS_UNLOCKED) & 0xff;
    const ram = state["ram"];
    this.ram.fill(0);
    this.ram[0] = CTR_POWER_ON;
    if (Array.isArray(ram))
      for (let i = 0; i < RAM_BYTES && i < ram.length; i++) this.ram[i] = Number(ram[i]) & 0xff;
    this.outputPort = Number(state["outputPort"] ?? OUT_POWER_ON) & 0xff;
    this.outputBuffer = Number(state["outputBuffer"] ?? 0) & 0xff;
    const queue = state["controllerQueue"];
    this.controllerQueue = Array.isArray(queue)
      ? queue.slice(0, MAX_CONTROLLER_QUEUE).map((entry) => {
          const pair = Array.isArray(entry) ? (entry as unknown[]) : [];
          return { value: Number(pair[0] ?? 0) & 0xff, isAux: pair[1] === 1 };
        })
      : [];
    this.pendingCommand = Number(state["pendingCommand"] ?? 0) & 0xff;
    this.isAfterBreak = state["isAfterBreak"] === true;
    this.keyboard.loadState((state["keyboard"] ?? {}) as Record<string, unknown>);
    this.mouse.loadState((state["mouse"] ?? {}) as Record<string, unknown>);
    const isFull = (this.status & STATUS_OBF) !== 0;
    const isAux = (this.status & STATUS_AUX_OBF) !== 0;
    this.kbdLevel = isFull && !isAux && (this.commandByte & CTR_KBD_INT) !== 0;
    this.auxLevel = isFull && isAux && (this.commandByte & CTR_AUX_INT) !== 0;
  }
}
