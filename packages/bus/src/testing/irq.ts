// An IRQ line that remembers what its device did to it.
import type { IrqLine } from "../device";
import type { Clock } from "../time";

/** One recorded change (or repeated assertion) of an IRQ line. */
export interface IrqEvent {
  readonly kind: "raise" | "lower";
  /** Clock time of the call (0 without a clock). */
  readonly at: number;
}

/**
 * A recording {@link IrqLine}: current level, every raise/lower call with its time, and the
 * number of rising edges (a raise while already high is recorded but is not an edge).
 */
export class FakeIrqLine implements IrqLine {
  isHigh = false;
  /** Low-to-high transitions. */
  risingEdges = 0;
  readonly history: IrqEvent[] = [];
  /** Called after every raise/lower (e.g. to model an interrupt controller input). */
  onChange: ((isHigh: boolean) => void) | undefined;
  /** Level when the history was last cleared (where {@link edgeTimes} starts). */
  private levelAtClear = false;

  constructor(
    readonly line = 0,
    private readonly clock?: Clock,
  ) {}

  raise(): void {
    this.history.push({ kind: "raise", at: this.clock?.now() ?? 0 });
    if (!this.isHigh) this.risingEdges++;
    this.isHigh = true;
    this.onChange?.(true);
  }

  lower(): void {
    this.history.push({ kind: "lower", at: this.clock?.now() ?? 0 });
    this.isHigh = false;
    this.onChange?.(false);
  }

  /** Times of the rising edges. */
  get edgeTimes(): number[] {
    const times: number[] = [];
    let high = this.levelAtClear;
    for (const e of this.history) {
      if (e.kind === "raise" && !high) times.push(e.at);
      high = e.kind === "raise";
    }
    return times;
  }

  /** Forgets the history and edge count; keeps the level. */
  clear(): void {
    this.history.length = 0;
    this.risingEdges = 0;
    this.levelAtClear = this.isHigh;
  }
}
