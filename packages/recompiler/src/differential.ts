// Differential lock-step mode: the interpreter (the reference) and the recompiler run the same
// guest on two machines built alike; after every dispatch of the recompiler (one translated
// block, one cold block or one interpreter slice) the interpreter runs the same number of
// instructions and the architectural states are compared. The first divergence stops the run
// and is reported with both states.
import { StopReason, type Cpu, type CpuState } from "@ringvm/cpu";
import type { Recompiler } from "./engine";

/** The architectural state compared in lock-step (registers, EIP, EFLAGS, segments, CRs...). */
export type ArchState = Record<string, number | boolean>;

const GPR_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;

/** A printable record of the architectural state of `s`. */
export function architecturalState(s: CpuState): ArchState {
  const out: ArchState = {};
  GPR_NAMES.forEach((n, i) => (out[n] = s.regs[i]! >>> 0));
  out.eip = s.eip >>> 0;
  out.eflags = s.getEflags() >>> 0;
  for (let i = 0; i < 6; i++) {
    out[`sel${i}`] = s.segSel[i]!;
    out[`base${i}`] = s.segBase[i]! >>> 0;
    out[`limit${i}`] = s.segLimit[i]! >>> 0;
  }
  out.cr0 = s.cr0 >>> 0;
  out.cr2 = s.cr2 >>> 0;
  out.cr3 = s.cr3 >>> 0;
  out.cr4 = s.cr4 >>> 0;
  out.cpl = s.cpl;
  out.halted = s.halted;
  out.retired = s.retired;
  out.interruptShadow = s.interruptShadow;
  return out;
}

/** Names of the fields that differ between two states. */
export function diffStates(a: ArchState, b: ArchState): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((k) => a[k] !== b[k]);
}

export interface Divergence {
  /** Lock-step step (recompiler dispatch) after which the states differed. */
  step: number;
  /** EIP both engines started that step from. */
  fromEip: number;
  reference: ArchState;
  recompiled: ArchState;
  /** Differing fields (architectural state), or ["memory"] from `compareMemory`. */
  fields: string[];
  /** What `compareMemory` reported. */
  memory?: string;
}

export interface LockstepOptions {
  /** Most dispatches to compare (default 1e6). */
  maxSteps?: number;
  /** Budget of each dispatch (default 5000 instructions). */
  budget?: number;
  /**
   * Called after the states matched at a step: a description of a memory difference, or null
   * (e.g. compare the two machines' RAM every N steps). Default: no memory comparison.
   */
  compareMemory?: (step: number) => string | null;
}

export interface LockstepResult {
  steps: number;
  /** The first divergence, or null if none was seen. */
  divergence: Divergence | null;
  /** Why the recompiler stopped (Budget when `maxSteps` ran out). */
  stop: StopReason;
}

function hex(v: number | boolean): string {
  return typeof v === "boolean" ? String(v) : `0x${(v >>> 0).toString(16)}`;
}

/** Both states side by side, differing fields marked. */
export function formatDivergence(d: Divergence): string {
  const lines = [
    `divergence after step ${d.step} (block from EIP ${hex(d.fromEip)}): ${d.fields.join(", ")}`,
  ];
  if (d.memory !== undefined) lines.push(`  memory: ${d.memory}`);
  lines.push(`  ${"field".padEnd(16)}${"interpreter".padEnd(14)}recompiler`);
  for (const k of Object.keys(d.reference)) {
    const mark = d.fields.includes(k) ? " <--" : "";
    lines.push(
      `  ${k.padEnd(16)}${hex(d.reference[k]!).padEnd(14)}${hex(d.recompiled[k]!)}${mark}`,
    );
  }
  return lines.join("\n");
}

/**
 * Runs `engine` (a recompiler) and `reference` (an interpreter `Cpu` on an identical machine)
 * in lock-step and stops at the first divergence of architectural state.
 */
export function runLockstep(
  reference: Cpu,
  engine: Recompiler,
  options: LockstepOptions = {},
): LockstepResult {
  const maxSteps = options.maxSteps ?? 1_000_000;
  const budget = options.budget ?? 5000;
  const a = reference.state;
  const b = engine.cpu.state;
  let step = 0;
  for (; step < maxSteps; step++) {
    const fromEip = b.eip >>> 0;
    const used = engine.step(budget);
    if (used < 0) {
      // The recompiler stopped early (HLT, shutdown): run the reference to its stop.
      let stop: number = StopReason.Budget;
      for (let k = 0; k < 100 && stop === StopReason.Budget; k++) stop = reference.run(budget);
      const ra = architecturalState(a);
      const rb = architecturalState(b);
      const fields = diffStates(ra, rb);
      if (stop !== engine.lastStop) fields.push("stop");
      const divergence =
        fields.length === 0 ? null : { step, fromEip, reference: ra, recompiled: rb, fields };
      return { steps: step + 1, divergence, stop: engine.lastStop };
    }
    reference.run(used);
    const ra = architecturalState(a);
    const rb = architecturalState(b);
    const fields = diffStates(ra, rb);
    if (fields.length > 0) {
      return {
        steps: step + 1,
        divergence: { step, fromEip, reference: ra, recompiled: rb, fields },
        stop: StopReason.Budget,
      };
    }
    const memory = options.compareMemory?.(step) ?? null;
    if (memory !== null) {
      return {
        steps: step + 1,
        divergence: { step, fromEip, reference: ra, recompiled: rb, fields: ["memory"], memory },
        stop: StopReason.Budget,
      };
    }
    if (b.halted && a.halted) break;
  }
  return { steps: step, divergence: null, stop: StopReason.Budget };
}
