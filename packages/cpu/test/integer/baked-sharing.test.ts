// Baked handlers are shared between instructions with the same operand set (baked.ts
// HandlerCache): every instruction must still get a handler for its own operands. Each variant
// below (forms, registers, addressing, displacement, immediate, segment) is baked once to fill
// the cache, then decoded again and baked: the handler it gets (the shared one) must leave
// exactly the state the instruction's own handler (pickHandler: the decode cache's generic or
// specialized handler, checked against the host CPU by test/native) leaves.
import type { LinearFastPath } from "@ringvm/bus";
import { Code, OpKind, Register } from "@ringvm/decoder";
import { describe, expect, it } from "vitest";
import { bake, bakeFused, pickHandler, testCondition } from "../../src/index";
import { decode, fastPathOver, machine, reset, snapshot, variants, type Machine } from "./forms";

describe("baked handlers shared by operand set", () => {
  const codes = variants();
  const ownMachine = machine();
  const sharedMachine = machine();

  it("gives an instruction with the same operands the same closure", () => {
    for (const code of codes) {
      const first = bake(decode(code));
      if (first === undefined) continue;
      // CALL rel32 keeps a closure of its own (its operands are addresses).
      if (code.startsWith("e8")) expect(bake(decode(code))).not.toBe(first);
      else expect(bake(decode(code))).toBe(first);
    }
  });

  it("gives every variant a handler that does what its own handler does", () => {
    for (const code of codes) bake(decode(code));
    let baked = 0;
    for (const code of codes) {
      const insn = decode(code);
      const shared = bake(insn);
      if (shared === undefined) continue;
      baked++;
      const own = reset(ownMachine);
      pickHandler(insn)(own.cpu.state, insn);
      const viaShared = reset(sharedMachine);
      shared(viaShared.cpu.state, insn);
      expect(snapshot(viaShared), code).toEqual(snapshot(own));
    }
    // Every variant is a baked form (the list follows baked.ts).
    expect(baked).toBe(codes.length);
  });

  it("gives a fused pair the closure of its own condition", () => {
    for (let cc = 0; cc < 16; cc++) bakeFused(decode("29c8"), cc); // sub eax, ecx
    for (let cc = 0; cc < 16; cc++) {
      const insn = decode("29c8");
      const own = reset(ownMachine);
      pickHandler(insn)(own.cpu.state, insn);
      const expected = testCondition(own.cpu.state, cc);
      const viaShared = reset(sharedMachine);
      expect(bakeFused(insn, cc)!(viaShared.cpu.state), `cc ${cc}`).toBe(expected);
      expect(snapshot(viaShared)).toEqual(snapshot(own));
    }
  });

  it("keeps one cache per memory fast path: a closure reads the arrays it was made with", () => {
    // An identity TLB over a FlatMemory, every page plain RAM (the Mmu's fast-path contract).
    const withFastPath = (fill: number): { m: Machine; path: LinearFastPath } => {
      const m = machine();
      const path = fastPathOver(m.memory);
      reset(m);
      m.memory.bytes.fill(fill);
      return { m, path };
    };
    const a = withFastPath(0x11);
    const b = withFastPath(0x22);
    for (const code of ["8b4340", "894b40", "8a4b40", "3b4340"]) {
      const insn = decode(code); // mov eax,[ebx+40h] / mov [ebx+40h],ecx / mov cl,[..] / cmp
      const onA = bake(insn, a.path, a.path)!;
      const onB = bake(insn, b.path, b.path)!;
      expect(onB).not.toBe(onA);
      expect(bake(decode(code), a.path, a.path)).toBe(onA);
      expect(bake(insn)).not.toBe(onA);
      for (const [{ m }, handler, fill] of [
        [a, onA, 0x11],
        [b, onB, 0x22],
      ] as const) {
        const own = reset(ownMachine);
        own.memory.bytes.fill(fill);
        pickHandler(insn)(own.cpu.state, insn);
        const before = snapshot(own);
        reset(m);
        m.memory.bytes.fill(fill);
        handler(m.cpu.state, insn);
        expect(snapshot(m), code).toEqual(before);
      }
    }
  });

  it("packs signature fields that fit their widths", () => {
    const max = (e: object): number =>
      Math.max(...Object.values(e).filter((v): v is number => typeof v === "number"));
    expect(max(Code)).toBeLessThan(1 << 16);
    expect(max(Register)).toBeLessThan(1 << 8);
    expect(max(OpKind)).toBeLessThan(1 << 8);
  });
});
