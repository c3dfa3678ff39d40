// Branch hints (src/wasm/asm.ts `Asm.hint`, the `metadata.code.branch_hint` custom section of
// the WebAssembly branch-hinting proposal): region code marks its slow paths (memo misses, slow
// loads and stores, faults, leaves after a helper) unlikely, so that V8 lays them out of line.
// V8 accepts a hint that names no branch without a word, so a misplaced one would only lose the
// speed: here every hint of every module the back end compiles for real guest code must name a
// `br_if` or `if` of its function, in the section's order, and the section must precede the code.
import { StopReason } from "@ringvm/cpu";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { wasmProgram } from "./support/wasm-program";
import { makeMachine } from "./support/machine";

/** A cursor over module bytes with the binary format's LEB128 reader. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at = 0,
  ) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("read past the end of the module");
    return this.bytes[this.at++]!;
  }
  u32(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  }
  name(): string {
    const n = this.u32();
    const s = String.fromCharCode(...this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if ((flags & 1) !== 0) this.u32();
  }
}

interface Hint {
  readonly fn: number;
  readonly offset: number;
  readonly size: number;
  readonly value: number;
}

interface Parsed {
  /** Section ids in order (0 for a custom section, named in `customs`). */
  readonly order: string[];
  readonly importedFuncs: number;
  /** Function bodies by function index (from the locals declaration to the final `end`). */
  readonly bodies: Map<number, Uint8Array>;
  readonly hints: Hint[];
}

/** The parts of a module the hints refer to, read by the binary format's rules. */
function parse(bytes: Uint8Array): Parsed {
  const r = new Reader(bytes, 8);
  const order: string[] = [];
  let importedFuncs = 0;
  const bodies = new Map<number, Uint8Array>();
  const hints: Hint[] = [];
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (id === 0) {
      const name = r.name();
      order.push(name);
      if (name === "metadata.code.branch_hint") {
        for (let f = r.u32(); f > 0; f--) {
          const fn = r.u32();
          for (let n = r.u32(); n > 0; n--) {
            const offset = r.u32();
            const hintSize = r.u32();
            hints.push({ fn, offset, size: hintSize, value: r.byte() });
          }
        }
      }
    } else {
      order.push(String(id));
      if (id === 2) {
        for (let n = r.u32(); n > 0; n--) {
          r.name();
          r.name();
          const kind = r.byte();
          if (kind === 0) {
            r.u32();
            importedFuncs++;
          } else if (kind === 1) {
            r.byte();
            r.limits();
          } else if (kind === 2) r.limits();
          else r.at += 2;
        }
      } else if (id === 10) {
        const count = r.u32();
        for (let k = 0; k < count; k++) {
          const n = r.u32();
          bodies.set(importedFuncs + k, bytes.subarray(r.at, r.at + n));
          r.at += n;
        }
      }
    }
    expect(r.at <= end).toBe(true);
    r.at = end;
  }
  return { order, importedFuncs, bodies, hints };
}

const BR_IF = 0x0d;
const IF = 0x04;

describe("wasm branch hints", () => {
  const compiled: Uint8Array[] = [];
  const wasm = (globalThis as unknown as { WebAssembly: { Module: unknown } }).WebAssembly;
  const original = wasm.Module as new (bytes: Uint8Array) => object;
  beforeEach(() => {
    compiled.length = 0;
    wasm.Module = class extends original {
      constructor(bytes: Uint8Array) {
        super(bytes);
        compiled.push(Uint8Array.from(bytes));
      }
    };
  });
  afterEach(() => {
    wasm.Module = original;
  });

  it("name a br_if or if of their function in every region module", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const m = makeMachine(wasmProgram(seed), true, 1, true, "wasm");
      let stop: number = StopReason.Budget;
      for (let n = 0; n < 50 && stop === StopReason.Budget; n++) stop = m.engine!.run(100_000);
      expect(stop).toBe(StopReason.Halt);
      expect(m.engine!.stats.translatedWasm).toBeGreaterThan(0);
    }
    let regions = 0;
    let hinted = 0;
    for (const bytes of compiled) {
      const p = parse(bytes);
      if (p.hints.length === 0) continue;
      regions++;
      // Before the code section, where the proposal puts it (engines read it when compiling).
      expect(p.order.indexOf("metadata.code.branch_hint")).toBeLessThan(p.order.indexOf("10"));
      let last = { fn: -1, offset: -1 };
      for (const h of p.hints) {
        const body = p.bodies.get(h.fn);
        expect(body, `function ${h.fn}`).toBeDefined();
        expect(h.size).toBe(1);
        expect(h.value === 0 || h.value === 1).toBe(true);
        expect([BR_IF, IF]).toContain(body![h.offset]);
        // Functions in increasing order, offsets increasing within one.
        expect(h.fn > last.fn || (h.fn === last.fn && h.offset > last.offset)).toBe(true);
        last = h;
        hinted++;
      }
    }
    // The random programs' loads and stores went through memos, each with hinted branches.
    expect(regions).toBeGreaterThan(0);
    expect(hinted).toBeGreaterThan(50);
  });
});
