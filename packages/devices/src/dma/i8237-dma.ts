// Two cascaded Intel 8237A DMA controllers with PC/AT page registers.
// Devices reach a channel through the small IsaDmaChannel contract below.
import type {
  Device,
  DeviceContext,
  DeviceState,
  PhysicalMemory,
  ResetKind,
  Width,
} from "@ringvm/bus";
import * as R from "./regs";

/** What an ISA device (floppy, sound card) needs from its DMA channel. */
export interface IsaDmaChannel {
  /** Asserts DREQ; `service` runs once the channel can transfer (now, or when unmasked). */
  request(service: () => void): void;
  /** Drops DREQ (a pending service no longer runs). */
  cancel(): void;
  /**
   * Moves up to `buffer.length` bytes as the channel's mode says: a write transfer copies
   * `buffer` into memory, a read transfer fills `buffer` from memory, verify moves nothing.
   * Stops at terminal count; returns the number of bytes counted.
   */
  transfer(buffer: Uint8Array): number;
  /** True once the channel reached terminal count (until reprogrammed). */
  readonly isTerminalCount: boolean;
}

class Channel implements IsaDmaChannel {
  baseAddress = 0;
  baseCount = 0;
  address = 0;
  count = 0;
  mode = 0;
  page = 0;
  isMasked = true;
  isTerminalCount = false;
  private service: (() => void) | undefined;

  constructor(
    private readonly owner: I8237Dma,
    readonly index: number,
  ) {}

  get is16Bit(): boolean {
    return this.index >= 4;
  }

  request(service: () => void): void {
    this.service = service;
    this.owner.poll(this);
  }

  cancel(): void {
    this.service = undefined;
  }

  get hasRequest(): boolean {
    return this.service !== undefined;
  }

  /** Runs the pending service if the channel may transfer now. */
  runService(): void {
    const service = this.service;
    if (service === undefined || !this.owner.canTransfer(this)) return;
    this.service = undefined;
    service();
  }

  transfer(buffer: Uint8Array): number {
    const memory = this.owner.memory;
    if (memory === undefined || !this.owner.canTransfer(this)) return 0;
    const type = this.mode & R.MODE_TYPE_MASK;
    const step = (this.mode & R.MODE_DECREMENT) !== 0 ? -1 : 1;
    const unit = this.is16Bit ? 2 : 1;
    let moved = 0;
    while (moved + unit <= buffer.length && !this.isTerminalCount) {
      // 8-bit: page supplies A23:16, the address A15:0 (wraps in 64 KiB).
      // 16-bit: page bits 7:1 supply A23:17, the word address A16:1 (wraps in 128 KiB).
      const physical = this.is16Bit
        ? ((this.page & 0xfe) << 16) | (this.address << 1)
        : (this.page << 16) | this.address;
      for (let i = 0; i < unit; i++) {
        if (type === R.MODE_TYPE_WRITE) memory.write8(physical + i, buffer[moved + i]!);
        else if (type === R.MODE_TYPE_READ) buffer[moved + i] = memory.read8(physical + i);
      }
      moved += unit;
      this.address = (this.address + step) & 0xffff;
      // The count register counts down to FFFFh: N+1 transfers for a programmed N.
      if (this.count === 0) this.terminalCount();
      else this.count--;
    }
    return moved;
  }

  private terminalCount(): void {
    this.count = 0xffff;
    this.owner.setTerminalStatus(this.index);
    if ((this.mode & R.MODE_AUTOINIT) !== 0) {
      this.address = this.baseAddress;
      this.count = this.baseCount;
    } else {
      this.isTerminalCount = true;
      this.isMasked = true; // 8237A: without autoinitialize, TC sets the mask bit
    }
  }

  reset(): void {
    this.mode = 0;
    this.isMasked = true;
    this.isTerminalCount = false;
  }
}

export class I8237Dma implements Device {
  readonly specificationVersion = "v1";
  readonly name = "i8237-dma";
  private readonly channels: Channel[] = [];
  /** Per controller: byte pointer flip-flop, status (TC bits 3:0), command, temporary. */
  private readonly flipFlop = [false, false];
  private readonly status = [0, 0];
  private readonly command = [0, 0];
  /** Page registers 81h-8Fh (the unassigned ones are scratch bytes, as on the AT). */
  private readonly pages = new Uint8Array(R.PAGE_COUNT);
  memory: PhysicalMemory | undefined;

  constructor() {
    for (let i = 0; i < 8; i++) this.channels.push(new Channel(this, i));
  }

  /** The device-facing handle of channel 0-7 (floppy: 2). */
  channel(index: number): IsaDmaChannel {
    return this.channels[index & 7]!;
  }

  attach(context: DeviceContext): void {
    this.memory = context.dma;
    const widths: readonly Width[] = [1];
    context.io.registerPorts(
      R.DMA1_BASE,
      16,
      {
        read: (port) => this.readRegister(0, port - R.DMA1_BASE),
        write: (port, _w, value) => this.writeRegister(0, port - R.DMA1_BASE, value & 0xff),
      },
      { owner: this.name, widths },
    );
    context.io.registerPorts(
      R.DMA2_BASE,
      32,
      {
        // Controller 2 decodes A4:A1: odd ports alias the even ones.
        read: (port) => this.readRegister(1, (port - R.DMA2_BASE) >> 1),
        write: (port, _w, value) => this.writeRegister(1, (port - R.DMA2_BASE) >> 1, value & 0xff),
      },
      { owner: this.name, widths },
    );
    context.io.registerPorts(
      R.PAGE_FIRST,
      R.PAGE_COUNT,
      {
        read: (port) => this.readPage(port),
        write: (port, _w, value) => this.writePage(port, value & 0xff),
      },
      { owner: `${this.name}-page`, widths },
    );
  }

  canTransfer(channel: Channel): boolean {
    const controller = channel.is16Bit ? 1 : 0;
    if (channel.isMasked || (this.command[controller]! & R.COMMAND_DISABLE) !== 0) return false;
    if ((channel.mode & R.MODE_CASCADE) === R.MODE_CASCADE) return false;
    // Controller 1 reaches the bus through channel 4 (cascade) of controller 2.
    if (controller === 0) {
      const cascade = this.channels[4]!;
      if (cascade.isMasked || (this.command[1]! & R.COMMAND_DISABLE) !== 0) return false;
    }
    return true;
  }

  poll(channel: Channel): void {
    channel.runService();
  }

  private pollAll(): void {
    for (const channel of this.channels) channel.runService();
  }

  setTerminalStatus(index: number): void {
    this.status[index >> 2]! |= 1 << (index & 3);
  }

  private readRegister(controller: number, reg: number): number {
    const first = controller * 4;
    if (reg < 8) {
      const channel = this.channels[first + (reg >> 1)]!;
      const value = (reg & 1) === 0 ? channel.address : channel.count;
      return this.flip(controller) ? value >> 8 : value & 0xff;
    }
    switch (reg) {
      case R.REG_STATUS_COMMAND: {
        // Bits 3:0 terminal count (cleared by the read), 7:4 request pending.
        let requests = 0;
        for (let i = 0; i < 4; i++) if (this.channels[first + i]!.hasRequest) requests |= 0x10 << i;
        const value = this.status[controller]! | requests;
        this.status[controller] = 0;
        return value;
      }
      case R.REG_MASTER_CLEAR:
        return 0; // temporary register: only memory-to-memory transfers load it
      case R.REG_ALL_MASK: {
        // Reading the mask register is an 82374/PIIX extension; unused bits read as one.
        let value = 0xf0;
        for (let i = 0; i < 4; i++) if (this.channels[first + i]!.isMasked) value |= 1 << i;
        return value;
      }
      default:
        return 0xff;
    }
  }

  /** Returns the flip-flop's state before toggling it: false means low byte. */
  private flip(controller: number): boolean {
    const state = this.flipFlop[controller]!;
    this.flipFlop[controller] = !state;
    return state;
  }

  private writeRegister(controller: number, reg: number, value: number): void {
    const first = controller * 4;
    if (reg < 8) {
      const channel = this.channels[first + (reg >> 1)]!;
      const isHigh = this.flip(controller);
      // Writing the address or count loads base and current together.
      if ((reg & 1) === 0) {
        channel.baseAddress = isHigh
          ? (channel.baseAddress & 0xff) | (value << 8)
          : (channel.baseAddress & 0xff00) | value;
        channel.address = channel.baseAddress;
      } else {
        channel.baseCount = isHigh
          ? (channel.baseCount & 0xff) | (value << 8)
          : (channel.baseCount & 0xff00) | value;
        channel.count = channel.baseCount;
      }
      channel.isTerminalCount = false;
      return;
    }
    switch (reg) {
      case R.REG_STATUS_COMMAND:
        this.command[controller] = value;
        return this.pollAll();
      case R.REG_REQUEST:
        return; // software DREQ is for memory-to-memory transfers, which the PC does not wire
      case R.REG_SINGLE_MASK: {
        const channel = this.channels[first + (value & 3)]!;
        channel.isMasked = (value & 0x04) !== 0;
        return this.pollAll();
      }
      case R.REG_MODE: {
        const channel = this.channels[first + (value & 3)]!;
        channel.mode = value & 0xfc;
        return;
      }
      case R.REG_CLEAR_FLIP_FLOP:
        this.flipFlop[controller] = false;
        return;
      case R.REG_MASTER_CLEAR:
        this.clearController(controller);
        return;
      case R.REG_CLEAR_MASK:
        for (let i = 0; i < 4; i++) this.channels[first + i]!.isMasked = false;
        return this.pollAll();
      case R.REG_ALL_MASK:
        for (let i = 0; i < 4; i++) this.channels[first + i]!.isMasked = (value & (1 << i)) !== 0;
        return this.pollAll();
    }
  }

  /** Master clear: command, status, flip-flop cleared; all channels masked (8237A "Clear"). */
  private clearController(controller: number): void {
    this.command[controller] = 0;
    this.status[controller] = 0;
    this.flipFlop[controller] = false;
    for (let i = 0; i < 4; i++) this.channels[controller * 4 + i]!.reset();
  }

  private readPage(port: number): number {
    const index = PAGE_OWNER[port - R.PAGE_FIRST]!;
    return index >= 0 ? this.channels[index]!.page : this.pages[port - R.PAGE_FIRST]!;
  }

  private writePage(port: number, value: number): void {
    this.pages[port - R.PAGE_FIRST] = value;
    const index = PAGE_OWNER[port - R.PAGE_FIRST]!;
    if (index >= 0) this.channels[index]!.page = value;
  }

  reset(_kind: ResetKind): void {
    this.clearController(0);
    this.clearController(1);
    this.pages.fill(0);
    for (const channel of this.channels) {
      channel.page = 0;
      channel.baseAddress = channel.address = channel.baseCount = channel.count = 0;
    }
  }

  saveState(): DeviceState {
    return {
      channels: this.channels.map((c) => [
        c.baseAddress,
        c.baseCount,
        c.address,
        c.count,
        c.mode,
        c.page,
        c.isMasked ? 1 : 0,
        c.isTerminalCount ? 1 : 0,
      ]),
      flipFlop: [...this.flipFlop],
      status: [...this.status],
      command: [...this.command],
      pages: Array.from(this.pages),
    };
  }

  loadState(state: DeviceState): void {
    const channels = Array.isArray(state["channels"]) ? (state["channels"] as unknown[][]) : [];
    channels.slice(0, 8).forEach((saved, i) => {
      const c = this.channels[i]!;
      const v = (saved ?? []).map((x) => Number(x) || 0);
      [c.baseAddress = 0, c.baseCount = 0, c.address = 0, c.count = 0, c.mode = 0, c.page = 0] = v;
      c.isMasked = v[6] !== 0;
      c.isTerminalCount = v[7] === 1;
    });
    const list = (key: string) => (Array.isArray(state[key]) ? (state[key] as unknown[]) : []);
    list("flipFlop").forEach((v, i) => i < 2 && (this.flipFlop[i] = v === true));
    list("status").forEach((v, i) => i < 2 && (this.status[i] = Number(v) & 0xff));
    list("command").forEach((v, i) => i < 2 && (this.command[i] = Number(v) & 0xff));
    this.pages.set(
      list("pages")
        .slice(0, R.PAGE_COUNT)
        .map((v) => Number(v) & 0xff),
    );
  }
}

/** Which channel each page port 81h-8Fh belongs to (-1: scratch). */
const PAGE_OWNER: readonly number[] = Array.from({ length: R.PAGE_COUNT }, (_, i) =>
  R.PAGE_PORTS.indexOf((R.PAGE_FIRST + i) as (typeof R.PAGE_PORTS)[number]),
);
