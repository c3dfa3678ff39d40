// The PC's Intel 8254 PIT: counter 0 drives IRQ 0, counter 1 is the (unused) refresh timer,
// counter 2's gate and OUT go through port 61h with the speaker enable.
// Time comes from the virtual clock; OUT transitions of counter 0 are scheduled events.
import type {
  Clock,
  Device,
  DeviceContext,
  DeviceState,
  IrqLine,
  ResetKind,
  ScheduledEvent,
  Scheduler,
  Width,
} from "@ringvm/bus";
import { Counter, type CounterState } from "./counter";
import * as R from "./regs";

/** The saved state of an {@link I8254Pit}. */
export interface I8254PitState extends DeviceState {
  readonly counters: readonly CounterState[];
  readonly portB: number;
  readonly out0: boolean;
}

/**
 * 8254 PIT at ports 40h-43h plus port 61h. Counter 0's OUT is IRQ 0 (raised when OUT goes
 * high, lowered when it goes low); its transitions are computed from the mode and scheduled
 * on the virtual clock, so nothing polls per instruction.
 *
 * @example
 * const pit = new I8254Pit();
 * pit.attach(context); // IRQ 0 via context.irq(0)
 * pit.reset("power-on");
 */
export class I8254Pit implements Device {
  readonly specificationVersion = "v1";
  readonly name = "i8254-pit";
  private readonly counters = [new Counter(), new Counter(), new Counter()];
  /** Port 61h writable bits (gate 2, speaker data, parity/channel check enables). */
  private portB = 0;
  private out0 = false;
  private clock: Clock | undefined;
  private scheduler: Scheduler | undefined;
  private irq0: IrqLine | undefined;
  private event: ScheduledEvent | undefined;
  private eventTick = -1;
  private readonly onEvent = (now: number): void => this.counter0Event(now);

  attach(context: DeviceContext): void {
    this.clock = context.clock;
    this.scheduler = context.scheduler;
    this.irq0 = context.irq(0);
    const widths: readonly Width[] = [1];
    context.io.registerPorts(
      R.PIT_BASE,
      4,
      {
        read: (port) => this.readPort(port),
        write: (port, _w, value) => this.writePort(port, value & 0xff),
      },
      { owner: this.name, widths },
    );
    context.io.registerPorts(
      R.PORT_B,
      1,
      { read: () => this.readPortB(), write: (_p, _w, value) => this.writePortB(value & 0xff) },
      { owner: `${this.name}-port61`, widths },
    );
    this.powerOn();
  }

  reset(_kind: ResetKind): void {
    // The 8254 has no software reset; every kind is the board's reset line.
    this.powerOn();
  }

  private powerOn(): void {
    const tick = this.tick();
    this.portB = 0;
    for (let i = 0; i < 3; i++) this.counters[i]!.powerOn(tick, i !== 2);
    this.out0 = !this.counters[0]!.out(tick); // force the IRQ line to its level
    this.reschedule();
  }

  /** OUT of counter `index` (0-2) now, e.g. for a speaker model. */
  output(index: number): boolean {
    const counter = this.counters[index];
    return counter !== undefined && counter.out(this.tick());
  }

  /** Port 61h speaker state: gate 2 and speaker data bits, and counter 2's frequency (Hz). */
  speaker(): { readonly isGateOn: boolean; readonly isDataOn: boolean; readonly hz: number } {
    const c2 = this.counters[2]!;
    return {
      isGateOn: (this.portB & R.B_GATE2) !== 0,
      isDataOn: (this.portB & R.B_SPEAKER) !== 0,
      hz: c2.hasCount ? R.PIT_HZ / c2.period : 0,
    };
  }

  saveState(): I8254PitState {
    return {
      counters: this.counters.map((c) => c.save()),
      portB: this.portB,
      out0: this.out0,
    };
  }

  loadState(state: DeviceState): void {
    const s = state as Partial<I8254PitState>;
    if (!Array.isArray(s.counters) || s.counters.length !== 3)
      throw new Error("i8254: state has no counters");
    for (let i = 0; i < 3; i++) this.counters[i]!.load(s.counters[i] as CounterState);
    this.portB = typeof s.portB === "number" ? s.portB & R.B_WRITABLE : 0;
    // Drive IRQ 0 to the restored level (a PIC restored with the line high sees no edge).
    this.out0 = s.out0 !== true;
    this.setOut0(s.out0 === true);
    this.reschedule();
  }

  private tick(): number {
    return R.tickAt(this.clock?.now() ?? 0);
  }

  private readPort(port: number): number {
    if (port === R.CONTROL_PORT) return 0xff; // the control word register is write-only
    return this.counters[port - R.PIT_BASE]!.read(this.tick());
  }

  private writePort(port: number, value: number): void {
    const tick = this.tick();
    if (port !== R.CONTROL_PORT) {
      const index = port - R.PIT_BASE;
      this.counters[index]!.write(value, tick);
      if (index === 0) this.reschedule();
      return;
    }
    const select = value >> 6;
    if (select === R.SC_READ_BACK) {
      for (let i = 0; i < 3; i++) {
        if ((value & (2 << i)) === 0) continue;
        const counter = this.counters[i]!;
        if ((value & R.READ_BACK_NO_STATUS) === 0) counter.latchStatus(tick);
        if ((value & R.READ_BACK_NO_COUNT) === 0) counter.latchCount(tick);
      }
      return;
    }
    const counter = this.counters[select]!;
    if (((value >> 4) & 3) === R.RW_LATCH) counter.latchCount(tick);
    else {
      counter.setControl(value, tick);
      if (select === 0) this.reschedule();
    }
  }

  private readPortB(): number {
    const now = this.clock?.now() ?? 0;
    const refresh = Math.floor(now / R.REFRESH_PERIOD_NS) & 1 ? R.B_REFRESH : 0;
    const out2 = this.counters[2]!.out(R.tickAt(now)) ? R.B_OUT2 : 0;
    return this.portB | refresh | out2;
  }

  private writePortB(value: number): void {
    this.portB = value & R.B_WRITABLE;
    this.counters[2]!.setGate((value & R.B_GATE2) !== 0, this.tick());
  }

  /** Brings IRQ 0 to counter 0's OUT and schedules its next transition. */
  private reschedule(): void {
    this.event?.cancel();
    this.event = undefined;
    this.eventTick = -1;
    const tick = this.tick();
    this.setOut0(this.counters[0]!.out(tick));
    this.scheduleNext(tick);
  }

  private scheduleNext(tick: number): void {
    const next = this.counters[0]!.nextChange(tick);
    if (next < 0 || this.scheduler === undefined) return;
    this.eventTick = next;
    this.event = this.scheduler.schedule(R.nsOfTick(next), this.onEvent);
  }

  private counter0Event(now: number): void {
    this.event = undefined;
    const counter = this.counters[0]!;
    const tick = R.tickAt(now);
    // Late events: first the transition that was due, then where OUT is now, so a pulse
    // that began and ended since the last event still reaches the PIC as an edge.
    // (At most a few missed transitions are replayed: a PIC latches one edge anyway.)
    let due = this.eventTick;
    for (let i = 0; i < 4 && due >= 0 && due < tick; i++) {
      this.setOut0(counter.out(due));
      due = counter.nextChange(due);
    }
    this.eventTick = -1;
    this.setOut0(counter.out(tick));
    this.scheduleNext(tick);
  }

  private setOut0(isHigh: boolean): void {
    if (isHigh === this.out0) return;
    this.out0 = isHigh;
    if (isHigh) this.irq0?.raise();
    else this.irq0?.lower();
  }
}
