// The JavaScript back end's inlined stack writes (src/emit.ts PUSH r32/imm, CALL rel32) when
// their store takes the slow path and the region must leave right after it: a write to the
// region's own (watched) code page, or a write that raised an event. The instruction must
// complete first (ESP decremented; for CALL, EIP at the call target; the retired count
// including it), as the interpreter completes it before the next instruction boundary.
//
// Each program runs in lock-step with the interpreter, full architectural state compared after
// every dispatch and memory at the end (test/support/lockstep.ts). The interpreter is the oracle
// because its semantics are verified against hardware: the SingleStepTests vectors recorded on
// real CPUs (packages/cpu conformance tests, /work/shared/testdata) and the native host oracle
// for flags. Each test also checks that the forms under test ran inlined in JavaScript regions
// (no interpreter handler call in the region source).
import { describe, expect, it } from "vitest";
import { Code } from "@ringvm/decoder";
import { CODE_AT, DATA_AT, type Machine } from "./support/machine";
import { lockstep, type LockstepOptions } from "./support/lockstep";
import { le32 } from "./support/program-parts";

const FORMS = [Code.Push_r32, Code.Pushd_imm32, Code.Pushd_imm8, Code.Call_rel32_32];

/** Lock-step run (JS back end) that also requires `FORMS` inlined in translated regions. */
function run(code: Uint8Array, options: LockstepOptions = {}): Machine {
  const { b } = lockstep(code, { backend: "js", maxSteps: 20_000, threshold: 1, ...options });
  const seen = new Set<number>();
  for (const blk of b.engine!.blocks()) {
    if (!blk.compiled || blk.wasm !== null) continue;
    for (const insns of blk.insns) for (const i of insns) seen.add(i.code);
    // A handler call in the region source is `H[code](...)` (block.ts).
    for (const c of FORMS) expect(blk.source, Code[c]).not.toContain(`H[${String(c)}]`);
  }
  expect(FORMS.filter((c) => !seen.has(c)).map((c) => Code[c])).toEqual([]);
  return b;
}

/**
 * The loop: push edx; push 0x100; push 7; call next; hlt; next: pop eax (the return address,
 * the skipped HLT's); three pops added to ESI; dec edx; jnz loop; hlt. Preceded by `head`.
 */
function pushCallLoop(head: number[]): Uint8Array {
  const body = [
    0x52, // loop: push edx
    ...[0x68, ...le32(0x100)], // push 0x100
    ...[0x6a, 0x07], // push 7
    ...[0xe8, ...le32(1), 0xf4], // call next; hlt (skipped: the call's target is not its next EIP)
    0x58, // next: pop eax
    ...[0x5b, 0x01, 0xde], // pop ebx; add esi, ebx
    ...[0x5b, 0x01, 0xde],
    ...[0x5b, 0x01, 0xde],
    0x4a, // dec edx
  ];
  const rel = -(body.length + 2);
  return Uint8Array.from([
    ...head,
    ...[0xba, ...le32(20), 0x31, 0xf6], // mov edx, 20; xor esi, esi
    ...body,
    ...[0x75, rel & 0xff], // jnz loop
    0xf4, // hlt
  ]);
}

/** ESI after the loop: each of the 20 iterations adds 7 + 0x100 + EDX (20 down to 1). */
const ESI_SUM = 20 * (7 + 0x100) + 210;

describe("JS back end: PUSH/CALL whose slow store must leave complete first", () => {
  it("the stack on the region's own code page (writes beside its code)", () => {
    // Every push writes the watched code page, through the slow path, next to the code: the
    // region stays valid (nothing invalidated) and runs on with ESP updated.
    const code = pushCallLoop([0xbc, ...le32(CODE_AT + 0xf00)]); // mov esp, CODE+0xf00
    const b = run(code);
    const s = b.cpu.state;
    expect(s.regs[6]).toBe(ESI_SUM);
    expect(s.regs[4]! >>> 0).toBe(CODE_AT + 0xf00); // every push popped again
    expect(s.halted).toBe(true);
    expect(b.engine!.stats.codeWritesBeside).toBeGreaterThan(0);
    expect(b.engine!.stats.blocksInvalidated).toBe(0);
  });

  // A store that raises an event: the stack page is on the write slow path (as MMIO is) and the
  // `nth` write of `value` to it makes an NMI pending (a device raising it on that write). With
  // IF set at region entry the region checks events after each slow write and leaves; the NMI
  // is then delivered at the next instruction boundary (SDM vol. 3 6.7), its frame pushed below
  // the ESP the PUSH/CALL left. The NMI handler (test machine IDT) halts.
  const STACK = DATA_AT + 0x1000;
  it.each([
    ["push edx (EDX = 5)", 5, 1],
    ["push 0x100", 0x100, 10],
    ["push 7", 7, 10],
    ["call next (return address)", -1, 10],
  ] as const)("a slow store that raises an NMI: %s", (_, v, nth) => {
    const code = pushCallLoop([0xfb, 0xbc, ...le32(STACK + 0xf00)]); // sti; mov esp, STACK+0xf00
    // The return address the CALL pushes: the skipped HLT after it.
    const value = v >= 0 ? v : CODE_AT + 6 + 7 + 1 + 5 + 2 + 5;
    const setup = (m: Machine): void => {
      const page = STACK >>> 12;
      m.mem.tlb[page] = (page << 12) | 1 | 64; // writes take the slow path
      const write32 = m.mem.write32.bind(m.mem);
      let seen = 0;
      m.mem.write32 = (linear: number, val: number): void => {
        write32(linear, val);
        if (linear >>> 12 === page && val >>> 0 === value && ++seen === nth)
          m.cpu.state.nmiPending = true;
      };
    };
    const b = run(code, { setup });
    const s = b.cpu.state;
    expect(s.halted).toBe(true);
    expect(s.nmiBlocked).toBe(true); // the NMI was delivered
    // Its frame: EIP, CS, EFLAGS pushed below the pushed value (the form completed).
    const mem = new DataView(b.mem.bytes.buffer, b.mem.bytes.byteOffset);
    const esp = s.regs[4]! >>> 0;
    expect(mem.getUint32(esp + 4, true)).toBe(0x08); // CS
    expect(mem.getUint32(esp + 12, true)).toBe(value >>> 0);
  });
});
