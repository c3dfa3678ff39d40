// The `auto` engine's cold tier and dispatcher: cold blocks run through the interpreter's baked
// block handlers, chain across pages and through near indirect branches, and live in a two-way
// code cache. Each test runs the recompiler with a high hot threshold (nothing translated) with
// `run` (chaining on), against the interpreter on the same program.
import { SegReg, StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { Recompiler, slotOf } from "../src/engine";
import { MAX_BLOCK_INSNS } from "../src/block";
import { OP_STRIDE } from "../src/cold";
import {
  CODE_AT,
  makeMachine,
  snapshot,
  type Machine,
  type MachineExtras,
} from "./support/machine";

const COLD = 1_000_000;

/** Runs to HLT: the interpreter, or the recompiler with `run` (chaining) or `step` (none). */
function runToHalt(m: Machine, stepping = false): void {
  const engine = m.engine;
  const run = (n: number) =>
    engine === null
      ? m.cpu.run(n)
      : stepping
        ? engine.step(n) < 0
          ? engine.lastStop
          : StopReason.Budget
        : engine.run(n);
  let stop: number = StopReason.Budget;
  for (let k = 0; k < 100_000 && stop === StopReason.Budget; k++) stop = run(7919);
  expect(stop).toBe(StopReason.Halt);
}

/** Runs `code` (plus `extra` bytes at their addresses) in both engines; same end state. */
function both(
  code: number[],
  extra: [number, number[]][] = [],
  stepping = false,
  extras: MachineExtras = {},
): { a: Machine; b: Machine } {
  const a = makeMachine(Uint8Array.from(code), false);
  const b = makeMachine(Uint8Array.from(code), true, COLD, true, "js", extras);
  for (const [at, bytes] of extra) {
    a.mem.bytes.set(bytes, at);
    b.mem.bytes.set(bytes, at);
  }
  runToHalt(a);
  runToHalt(b, stepping);
  expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
  expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
  expect(b.engine!.stats.blocksTranslated).toBe(0);
  return { a, b };
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** CALL rel32 at `at` to `target`. */
const call = (at: number, target: number): number[] => [0xe8, ...le32(target - (at + 5))];

describe("cold blocks (auto engine below the hot threshold)", () => {
  it("a cold block that stores into its own next instruction runs the new bytes", () => {
    // mov ecx,5 / L: mov byte [P],0x40 / P: nop (becomes inc eax) / add ebx,ecx / dec ecx /
    // jnz L / hlt. The store and the patched byte are in one cold block: the block must leave
    // right after the store (and must not chain back into its stale self).
    const p = CODE_AT + 5 + 7;
    const code = [0xb9, 5, 0, 0, 0, 0xc6, 0x05, ...le32(p), 0x40, 0x90, 0x01, 0xcb, 0x49, 0x75];
    code.push(-(code.length + 1 - 5) & 0xff, 0xf4);
    const { b } = both(code);
    expect(b.cpu.getReg32(0)).toBe(5); // `inc eax` from the first pass on
    expect(b.cpu.getReg32(3)).toBe(15);
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
  });

  it("a flag written next to the code in its own loop invalidates nothing", () => {
    // mov ecx,1000 / L: mov [F],cl / dec ecx / jnz L / hlt, F 0x100 bytes past the code on its
    // page (iPXE's real-mode handlers keep their flags so): every write is seen by the watch,
    // misses the recorded code bytes, and the block stays valid.
    const code = [
      0xb9,
      ...le32(1000),
      0x88,
      0x0d,
      ...le32(CODE_AT + 0x100),
      0x49,
      0x75,
      0xf7,
      0xf4,
    ];
    const { b } = both(code);
    const st = b.engine!.stats;
    expect(st.codeWritesBeside).toBeGreaterThanOrEqual(1000);
    expect(st.blocksInvalidated).toBe(0);
  });

  it("a write to a code page revives unchanged cold blocks and re-decodes a patched one", () => {
    // mov ecx,5 / L: call A / mov [P+0x80],ecx (data on A's page: A unchanged, revived) /
    // call A / mov [A+1],cl (patches A's immediate: A must run the new bytes) / dec ecx /
    // jnz L / hlt; A: add eax,imm32 (1 at first) / ret. EAX = 1+1 + 5+5 + 4+4 + 3+3 + 2+2.
    const a = CODE_AT + 0x40;
    const code = [0xb9, 5, 0, 0, 0, ...call(CODE_AT + 5, a)];
    code.push(0x89, 0x0d, ...le32(CODE_AT + 0x80), ...call(CODE_AT + 0x10, a));
    code.push(0x88, 0x0d, ...le32(a + 1), 0x49, 0x75, 0xe7, 0xf4);
    const { b } = both(code, [[a, [0x05, 1, 0, 0, 0, 0xc3]]]);
    expect(b.cpu.getReg32(0)).toBe(30);
    const st = b.engine!.stats;
    expect(st.blocksRevived).toBeGreaterThan(0);
    // A decoded again for each new immediate (4 patches), besides the revivals.
    expect(st.blocksInvalidated).toBeGreaterThan(st.blocksRevived);
  });

  it("blocks that die (patched code) leave their slots to the pool's compaction; live ones run on", () => {
    // mov ecx,3000 / L: call A / call B / mov [A+1],cl (patches A's immediate: its block dies
    // and is decoded again) / dec ecx / jnz L / hlt; A: add eax,imm32 / ret; B: the live code
    // (three blocks) whose slots each compaction moves: add ebx,ecx / test cl,1 / jz C /
    // inc edx / C: sub esi,ecx / ret. With chunks of one 64-instruction block's slots (the
    // smallest allowed) the pool compacts every few hundred dead blocks, so ~20-40 times here.
    const a = CODE_AT + 0x40;
    const bAt = CODE_AT + 0x80;
    const code = [0xb9, ...le32(3000), ...call(CODE_AT + 5, a), ...call(CODE_AT + 10, bAt)];
    code.push(0x88, 0x0d, ...le32(a + 1), 0x49, 0x75, 0xe7, 0xf4);
    const fnB = [0x01, 0xcb, 0xf6, 0xc1, 0x01, 0x74, 0x01, 0x42, 0x29, 0xce, 0xc3];
    const { b } = both(
      code,
      [
        [a, [0x05, 1, 0, 0, 0, 0xc3]],
        [bAt, fnB],
      ],
      false,
      {
        coldChunk: OP_STRIDE * MAX_BLOCK_INSNS,
      },
    );
    const st = b.engine!.stats;
    expect(st.blocksInvalidated).toBeGreaterThan(2900);
    expect(st.coldCompactions).toBeGreaterThan(20);
  });

  it("a cold block goes on through a not-taken Jcc and chains from a taken one inside it", () => {
    // mov ecx,1000 / L: test cl,1 / jz S / inc eax / S: add ebx,ecx / dec ecx / jnz L / hlt.
    // The block at L runs through both Jccs to the HLT; S's block through JNZ. Every iteration
    // leaves a block by a taken Jcc inside it (JZ half of the time, JNZ each time), and those
    // exits are linked: ~1,500 transitions, all chained, none through the dispatcher.
    const code = [0xb9, ...le32(1000), 0xf6, 0xc1, 1, 0x74, 1, 0x40, 0x01, 0xcb, 0x49, 0x75, 0xf5];
    code.push(0xf4);
    const { b } = both(code);
    expect(b.cpu.getReg32(0)).toBe(500);
    expect(b.cpu.getReg32(3)).toBe(500500);
    const st = b.engine!.stats;
    expect(st.blocksDecoded).toBe(3); // [mov ecx ... hlt], [L ... hlt], [S ... hlt]
    expect(st.chained).toBeGreaterThan(1490);
    expect(st.blocksExecuted - st.chained).toBeLessThan(20);
  });

  it("chains cold blocks, also across pages and through RET, with the interpreter's results", () => {
    // F (next page): add eax,ecx / ret. Main: mov ecx,300 / L: call F / add ebx,eax /
    // dec ecx / jnz L / hlt.
    const f = CODE_AT + 0x1000;
    const code = [0xb9, ...le32(300)];
    const loop = code.length;
    code.push(...call(CODE_AT + code.length, f), 0x01, 0xc3, 0x49, 0x75);
    code.push(-(code.length + 1 - loop) & 0xff, 0xf4);
    const { b } = both(code, [[f, [0x01, 0xc8, 0xc3]]]);
    expect(b.cpu.getReg32(0)).toBe((300 * 301) / 2);
    const st = b.engine!.stats;
    // Nearly every block entry after the first iteration comes through a link.
    expect(st.chained).toBeGreaterThan(st.blocksExecuted * 0.9);
  });

  it("a RET whose target alternates returns to the right caller each time", () => {
    // F: add eax,ecx / ret. Main: mov ecx,300 / L: call F / add ebx,eax / call F /
    // sub ebx,ecx / dec ecx / jnz L / hlt.
    const f = CODE_AT + 0x1000;
    const code = [0xb9, ...le32(300)];
    const loop = code.length;
    code.push(...call(CODE_AT + code.length, f), 0x01, 0xc3);
    code.push(...call(CODE_AT + code.length, f), 0x29, 0xcb, 0x49, 0x75);
    code.push(-(code.length + 1 - loop) & 0xff, 0xf4);
    const { b } = both(code, [[f, [0x01, 0xc8, 0xc3]]]);
    expect(b.cpu.getReg32(0)).toBe(300 * 301);
  });

  it("a cross-page link is not followed once the page maps elsewhere", () => {
    // mov ecx,10 / L: call F / dec ecx / jnz L / hlt, F at linear page Y; physical page P1 holds
    // `add eax,1 / ret`, P2 `add eax,100 / ret`.
    const y = 0x200;
    const p1 = 0x210;
    const p2 = 0x220;
    const code = [0xb9, ...le32(10), ...call(CODE_AT + 5, y << 12), 0x49, 0x75, 0xf8, 0xf4];
    const m = makeMachine(Uint8Array.from(code), true, COLD);
    m.mem.bytes.set([0x83, 0xc0, 1, 0xc3], p1 << 12);
    m.mem.bytes.set([0x83, 0xc0, 100, 0xc3], p2 << 12);
    m.mem.remap(y, p1);
    runToHalt(m);
    expect(m.cpu.getReg32(0)).toBe(10);
    const chainedBefore = m.engine!.stats.chained;
    expect(chainedBefore).toBeGreaterThan(10);
    // The guest's page tables change (and its TLB is flushed): the call must now reach P2.
    m.mem.remap(y, p2);
    m.cpu.state.halted = false;
    m.cpu.eip = CODE_AT;
    runToHalt(m);
    expect(m.cpu.getReg32(0)).toBe(10 + 10 * 100);
  });

  it("a cold block ends at its page's end, where the next page maps elsewhere", () => {
    // mov ecx,50 / L: call F / call G / dec ecx / jnz L / hlt.
    // F, 8 bytes before the end of linear page Y (physical P1): add eax,ecx / add eax,1 / nop /
    // add eax,0x01020304, whose last 3 bytes and the RET after it are on page Y+1 (P2).
    // G, 4 bytes before the end of page Z (P3): add eax,2 / nop, then on page Z+1 (P4) add
    // eax,5 / ret. The physical pages after P1 and P3 hold other bytes, which a decode past a
    // page's end in physical memory (rather than through the next linear page) would take.
    const [y, p1, p2] = [0x200, 0x210, 0x230];
    const [z, p3, p4] = [0x202, 0x240, 0x250];
    const f = (y << 12) + 0xff8;
    const g = (z << 12) + 0xffc;
    const code = [0xb9, ...le32(50), ...call(CODE_AT + 5, f), ...call(CODE_AT + 10, g)];
    code.push(0x49, 0x75, 0xf3, 0xf4);
    const setUp = (m: Machine): Machine => {
      m.mem.bytes.set([0x01, 0xc8, 0x83, 0xc0, 0x01, 0x90, 0x05, 0x04], (p1 << 12) + 0xff8);
      m.mem.bytes.set([0x7f, 0x7f, 0x7f, 0xc3], (p1 + 1) << 12);
      m.mem.bytes.set([0x03, 0x02, 0x01, 0xc3], p2 << 12);
      m.mem.bytes.set([0x83, 0xc0, 0x02, 0x90], (p3 << 12) + 0xffc);
      m.mem.bytes.set([0x83, 0xc0, 0x70, 0xc3], (p3 + 1) << 12);
      m.mem.bytes.set([0x83, 0xc0, 0x05, 0xc3], p4 << 12);
      for (const [lin, phys] of [
        [y, p1],
        [y + 1, p2],
        [z, p3],
        [z + 1, p4],
      ] as const)
        m.mem.remap(lin, phys);
      return m;
    };
    const a = setUp(makeMachine(Uint8Array.from(code), false));
    const b = setUp(makeMachine(Uint8Array.from(code), true, COLD));
    runToHalt(a);
    runToHalt(b);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    // Steps 50..1 each add ECX + 1 + 0x01020304 + 2 + 5.
    expect(b.cpu.getReg32(0)).toBe((1275 + 50 * (1 + 0x01020304 + 2 + 5)) >>> 0);
    expect(b.engine!.stats.blocksDecoded).toBeGreaterThan(0);
  });

  it("two-way cache: two blocks of one set both stay; a third evicts, and comes back right", () => {
    // Find three addresses whose blocks fall in one set (slots s, s^1).
    const base = CODE_AT + 0x2000;
    const set = slotOf(base, base) >>> 1;
    const same: number[] = [base];
    for (let at = base + 16; same.length < 3 && at < 0x3f0000; at++) {
      if (slotOf(at, at) >>> 1 === set && at >= same[same.length - 1]! + 16) same.push(at);
    }
    expect(same).toHaveLength(3);
    // Each target: add eax,k / ret (k = 1, 10, 100).
    const extra: [number, number[]][] = same.map((at, k) => [at, [0x83, 0xc0, 10 ** k, 0xc3]]);
    const program = (targets: number[]): number[] => {
      const code = [0xb9, ...le32(50)];
      const loop = code.length;
      for (const t of targets) code.push(...call(CODE_AT + code.length, t));
      code.push(0x49, 0x75);
      code.push(-(code.length + 1 - loop) & 0xff, 0xf4);
      return code;
    };
    // Stepping: one block per dispatch, so every entry is a cache lookup (no links).
    const two = both(program(same.slice(0, 2)), extra, true);
    expect(two.b.cpu.getReg32(0)).toBe(50 * 11);
    expect(two.b.engine!.stats.blocksEvicted).toBe(0);
    // Decoded once each: main's 4 blocks ([mov ecx + call A], [call B], [dec + jnz + hlt]: a
    // cold block goes on through a Jcc, [call A] at the loop head) and the 2 targets.
    expect(two.b.engine!.stats.blocksDecoded).toBe(6);
    const three = both(program(same), extra, true);
    expect(three.b.cpu.getReg32(0)).toBe(50 * 111);
    expect(three.b.engine!.stats.blocksEvicted).toBeGreaterThan(50);
  });

  it("hotInstructions counts heat in instructions (entries times the block's length)", () => {
    // mov ecx,1000 / L: add eax,1 / add ebx,2 / dec ecx / jnz L / hlt: the loop block has 4
    // instructions and runs 1000 times (4000 instructions).
    const code = [0xb9, ...le32(1000), 0x83, 0xc0, 1, 0x83, 0xc3, 2, 0x49, 0x75, 0xf7, 0xf4];
    const translated = (hotInstructions: number): number => {
      const m = makeMachine(Uint8Array.from(code), false);
      const engine = new Recompiler({ cpu: m.cpu, mmu: m.mem, physical: m.mem, hotInstructions });
      let stop: number = StopReason.Budget;
      while (stop === StopReason.Budget) stop = engine.run(100_000);
      expect(m.cpu.getReg32(0)).toBe(1000);
      expect(m.cpu.getReg32(3)).toBe(2000);
      return engine.stats.blocksTranslated;
    };
    expect(translated(2000)).toBeGreaterThan(0); // hot after 500 entries (not 2000)
    expect(translated(4100)).toBe(0); // would need 1025 entries
  });
  it("compact memory forms with effective addresses of 2 GiB and up (a kernel's) run as the interpreter runs them", () => {
    // The test memory keeps the low 22 bits: 0xC004_0000 is DATA_AT. Loads, an ALU read, a
    // store, an unaligned load (the checked path), LEA and a compare with an immediate.
    const { b } = both(
      [
        ...[0xbb, ...le32(0xc004_0000)], // mov ebx, 0xc0040000
        ...[0x8b, 0x43, 0x04], // mov eax, [ebx+4]
        ...[0x03, 0x43, 0x08], // add eax, [ebx+8]
        ...[0x89, 0x43, 0x0c], // mov [ebx+12], eax
        ...[0x8b, 0x53, 0x05], // mov edx, [ebx+5]
        ...[0x8d, 0x4c, 0x5b, 0x10], // lea ecx, [ebx+ebx*2+16]
        ...[0x83, 0x7b, 0x04, 0x05], // cmp dword [ebx+4], 5
        ...[0x0f, 0x94, 0xc6], // sete dh
        0xf4,
      ],
      [[0x4_0004, [5, 0, 0, 0, 7, 0, 0, 0]]],
    );
    // Oracle: 5 + 7, stored; [ebx+5] is bytes 0, 0, 0, 7 (0x07000000), then SETE sets DH (the
    // compare of 5 with 5); the LEA wraps mod 2^32.
    expect(b.cpu.getReg32(0)).toBe(12);
    expect(b.mem.bytes[0x4_000c]).toBe(12);
    expect(b.cpu.getReg32(1) >>> 0).toBe((3 * 0xc004_0000 + 16) % 2 ** 32);
    expect(b.cpu.getReg32(2) >>> 0).toBe(0x0700_0100);
  });

  it("16-bit code whose IP wraps at 0xFFFF runs as the interpreter runs it", () => {
    // CS: a 16-bit segment at 0x20000. At IP 0xFFFD: inc ax / inc bx / nop (its next IP
    // wraps to 0); at IP 0: dec cx / jnz 0xFFFD / hlt. The nop is left to the interpreter (a
    // cold block's next EIPs are EIP + length), the rest runs cold.
    const base = 0x20000;
    const setup = (m: Machine): void => {
      m.mem.bytes.set([0x40, 0x43, 0x90], base + 0xfffd);
      m.mem.bytes.set([0x49, 0x75, 0xfa, 0xf4], base);
      m.cpu.loadSegmentCache(SegReg.CS, 0x08, base, 0xffff, 0x80 | 0x10 | 0x08 | 0x02 | 0x01);
      m.cpu.eip = 0xfffd;
      m.cpu.setReg32(1, 1000);
    };
    const a = makeMachine(Uint8Array.from([0xf4]), false);
    const b = makeMachine(Uint8Array.from([0xf4]), true, COLD);
    setup(a);
    setup(b);
    runToHalt(a);
    runToHalt(b);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    expect(b.cpu.getReg32(0)).toBe(1000);
    expect(b.cpu.getReg32(3)).toBe(1000);
    expect(b.cpu.state.eip).toBe(4);
    expect(b.engine!.stats.blocksDecoded).toBeGreaterThan(1);
  });
});
