// The module builder's module-local helpers (src/wasm/asm.ts `Asm.callLocal`,
// `ModulePart.helpers`): a part's code calls its own helpers by ordinal, and `buildModule`
// fills in their function indices, which depend on every part's imports (known only then).
// `Asm.cut` (a region drops the loads of guest registers it never uses) and the local masks.
import { describe, expect, it } from "vitest";
import {
  Asm,
  buildModule,
  Op,
  type ImportedFunc,
  type LocalHelper,
  type ModulePart,
} from "../src/wasm/asm";

interface WasmStatics {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => object;
}
const api = (globalThis as unknown as { WebAssembly: WasmStatics }).WebAssembly;

/** A helper (x) -> x * mul + add. */
function affine(mul: number, add: number): LocalHelper[] {
  const a = new Asm();
  a.get(0).i32(mul).op(Op.i32Mul).i32(add).op(Op.i32Add);
  return [{ params: 1, results: 1, locals: 0, code: a.out.slice() }];
}

/**
 * Part k: `imports` imported functions (x) -> x, then f<k>(x) = helper1(import0(helper0(x))),
 * its helpers x * 3 + k and x + 100 k.
 */
function part(k: number, imports: number): ModulePart {
  const a = new Asm();
  a.get(0).callLocal(0).call(0).callLocal(1);
  const helpers = [...affine(3, k), ...affine(1, 100 * k)];
  const fs: ImportedFunc[] = Array.from({ length: imports }, (_, j) => ({
    name: `i${j}`,
    params: 1,
    results: 1,
  }));
  return { imports: fs, locals: 0, code: a.out.slice(), helpers, localCalls: a.localCalls };
}

describe("wasm module builder: module-local helpers", () => {
  it("each part's calls reach its own helpers, however many imports come before them", () => {
    // 130 imports in part 0: part 1's helpers have indices past 128 (two-byte LEB128).
    const parts = [part(0, 130), part(1, 2), part(2, 1)];
    const bytes = buildModule(parts, 1, { params: 1, results: 1 });
    const imports: Record<string, Record<string, unknown>> = {
      e: { m: new api.Memory({ initial: 1 }) },
    };
    parts.forEach((p, k) => {
      imports[`r${k}`] = Object.fromEntries(p.imports.map((f) => [f.name, (x: number) => x]));
    });
    const { exports } = new api.Instance(new api.Module(bytes), imports);
    for (let k = 0; k < parts.length; k++) {
      const f = exports[`f${k}`] as (x: number) => number;
      // (x * 3 + k) + 100 k
      expect(f(7)).toBe(7 * 3 + k + 100 * k);
    }
    // Helpers are not exported.
    expect(Object.keys(exports).sort()).toEqual(["f0", "f1", "f2"]);
  });

  it("leaves the part's own code as it was (the index is filled in a copy)", () => {
    const p = part(1, 3);
    const before = Uint8Array.from(p.code as Uint8Array);
    buildModule([p], 1, { params: 1, results: 1 });
    expect(Uint8Array.from(p.code as Uint8Array)).toEqual(before);
  });
});

describe("wasm assembler: cutting code and tracking locals", () => {
  it("cut removes bytes and moves the hint and local-call offsets after them", () => {
    const a = new Asm();
    a.i32(12345).op(Op.drop); // the bytes to cut: a constant and its drop
    const cutTo = a.out.length;
    a.get(0).callLocal(0);
    a.i32(0).hint(false).open(Op.if);
    a.end();
    const hintAt = a.hints[0]!;
    const callAt = a.localCalls[0]!;
    a.cut(0, cutTo);
    expect(a.hints[0]).toBe(hintAt - cutTo);
    expect(a.localCalls[0]).toBe(callAt - cutTo);
    // The hint names the `if`, and the filled call reaches the helper: f(x) = x * 3 + 1.
    expect(a.out[a.hints[0]!]).toBe(Op.if);
    const p: ModulePart = {
      imports: [],
      locals: 0,
      code: a.out.slice(),
      hints: a.hints,
      helpers: affine(3, 1),
      localCalls: a.localCalls,
    };
    const bytes = buildModule([p], 1, { params: 1, results: 1 });
    const { exports } = new api.Instance(new api.Module(bytes), {
      e: { m: new api.Memory({ initial: 1 }) },
      r0: {},
    });
    expect((exports.f0 as (x: number) => number)(5)).toBe(16);
  });

  it("cut refuses to remove a recorded offset", () => {
    const a = new Asm();
    a.get(0).callLocal(0);
    expect(() => a.cut(0, a.out.length)).toThrow(RangeError);
  });

  it("records the locals read and written since the masks were cleared", () => {
    const a = new Asm();
    a.get(1).set(2);
    a.readLocals = a.writtenLocals = 0;
    a.get(5).set(6).get(7).tee(8).op(Op.drop).get(40).set(41);
    expect(a.readLocals).toBe((1 << 5) | (1 << 7));
    expect(a.writtenLocals).toBe((1 << 6) | (1 << 8));
  });
});
