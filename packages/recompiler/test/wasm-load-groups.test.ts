// Load groups of the WebAssembly back end (src/wasm/lower.ts `planLoadGroups`): the loads of a
// block through one base register test the TLB once, at the first of them, and the others load
// at the group's host base. Each program runs in lock-step with the interpreter (the oracle:
// full architectural state compared after every dispatch, memory at the end) over data whose
// every dword differs, so a load served from a stale base or the wrong offset shows at once.
import { describe, expect, it } from "vitest";
import { DATA_AT, HOLE, type Machine } from "./support/machine";
import { lockstep } from "./support/lockstep";
import { dice, le32, streamEnd, streamStart } from "./support/program-parts";

/**
 * Paging on (the region's mode: the test machine's memory keeps its own identity TLB, as under
 * a kernel's direct map, see direct-memory.test.ts) and every dword of the data area distinct
 * (its own address, scrambled).
 */
function fillData(m: Machine): void {
  m.cpu.setControlRegister(0, 0xe0000011);
  for (let at = 0; at < 0x3000; at += 4) {
    const v = Math.imul((DATA_AT + at) ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
    m.mem.bytes.set(le32(v), DATA_AT + at);
  }
}

/** `body` (x86 bytes) in a loop of 40 rounds with EBP = DATA_AT + `ebp`; ECX is free. */
function program(ebp: number, body: number[]): Uint8Array {
  const out: number[] = [];
  const start = streamStart(out, () => 0x1234, ebp, 40);
  out.push(...body);
  return streamEnd(out, start);
}

function run(code: Uint8Array, setup = fillData): Machine {
  const { b } = lockstep(code, { backend: "wasm", setup });
  expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
  return b;
}

// mov eax, [ebp-8] / mov edx, [ebp-4] / mov ebx, [ebp-12] / add eax, [ebp-16] /
// sub edx, [ebp-20] / xor ebx, [ebp-24]: one group (GROUP_LOADS loads).
const GROUP = [
  0x8b, 0x45, 0xf8, 0x8b, 0x55, 0xfc, 0x8b, 0x5d, 0xf4, 0x03, 0x45, 0xf0, 0x2b, 0x55, 0xec, 0x33,
  0x5d, 0xe8,
];

describe("wasm load groups vs interpreter", () => {
  it("loads of one frame, with compares and a read-only ALU form among them", () => {
    // ... / cmp [ebp-16], eax / add edi, [ebp-20] / movzx ecx, byte [ebp-1]
    run(program(0x100, [...GROUP, 0x39, 0x45, 0xf0, 0x03, 0x7d, 0xec, 0x0f, 0xb6, 0x4d, 0xff]));
  });

  it("a form writing the base register ends the group (ADD, LEA, MOV)", () => {
    for (const write of [
      [0x83, 0xc5, 0x40], // add ebp, 0x40
      [0x8d, 0x6d, 0x20], // lea ebp, [ebp+0x20]
      [0x89, 0xf5], // mov ebp, esi
    ]) {
      // The frame moves on: the next loads read the new one (and the next round from there:
      // EBP is put back by SUB at the end, for ADD and LEA; MOV keeps ESI's).
      const back = write[0] === 0x89 ? [0xbd, ...le32(DATA_AT + 0x100)] : [0x83, 0xed, 0x40];
      if (write[0] === 0x8d) back[2] = 0x20;
      run(program(0x100, [...GROUP, ...write, ...GROUP, 0x03, 0x45, 0xfc, ...back]));
    }
  });

  it("a form the plan does not know (XCHG, POP) ends every group", () => {
    // xchg esi, ebp between the loads, and back; then push/pop ebp around a load.
    const xchg = [0x87, 0xee];
    run(program(0x200, [...GROUP, ...xchg, ...GROUP, ...xchg, 0x8b, 0x4d, 0xf0]));
    run(program(0x200, [...GROUP, 0x56, 0x5d, ...GROUP, 0xbd, ...le32(DATA_AT + 0x200)]));
  });

  it("an index register written between loads ends its group", () => {
    // GROUP's forms at [ebp+ecx*4-8] .. [ebp+ecx*4-28], then inc ecx, then the same again.
    const indexed: number[] = [];
    for (const [k, op, reg] of [
      [0, 0x8b, 0],
      [1, 0x8b, 2],
      [2, 0x8b, 3],
      [3, 0x03, 0],
      [4, 0x2b, 2],
      [5, 0x33, 3],
    ] as const)
      indexed.push(op, 0x44 | (reg << 3), 0x8d, (-8 - 4 * k) & 0xff);
    run(program(0x300, [0xb9, ...le32(2), ...indexed, 0x41, ...indexed]));
  });

  it("straight-line code (off the region's loops)", () => {
    // mov ebp, DATA+0x100 / the group / add ebp, 0x40 / the group / hlt
    const m = run(
      Uint8Array.from([0xbd, ...le32(DATA_AT + 0x100), ...GROUP, 0x83, 0xc5, 0x40, ...GROUP, 0xf4]),
    );
    expect(m.cpu.state.halted).toBe(true);
  });

  it("a group across a page boundary or on an unmapped page takes each load's own path", () => {
    // EBP = a page's start + 4: [ebp-8] is on the page before, [ebp+4] on EBP's, which maps
    // to a physical page that is not the next one.
    run(program(0x1004, [...GROUP, 0x8b, 0x4d, 0x04, 0x03, 0x45, 0x08]), (m) => {
      fillData(m);
      m.mem.remap((DATA_AT + 0x1000) >>> 12, (DATA_AT + 0x2000) >>> 12);
    });
    // EBP = a page's start + 12: the group's first load ([ebp-8]) is on EBP's page, its lowest
    // ([ebp-24]) below that page's start, on the page before.
    run(program(0x100c, [...GROUP, 0x8b, 0x4d, 0xf0]), (m) => {
      fillData(m);
      m.mem.remap((DATA_AT + 0x1000) >>> 12, (DATA_AT + 0x2000) >>> 12);
    });
    // The same loads at the unmapped page (HOLE): #PF from the group's first load, every round.
    const m = run(
      program(0x100, [0xbd, ...le32(HOLE + 0x100), ...GROUP, 0xbd, ...le32(DATA_AT + 0x100)]),
    );
    expect(m.cpu.state.halted).toBe(true); // in the #PF handler's HLT
  });

  // Seeded random frames: loads (MOV, ALU, CMP, MOVZX) and MOV stores at [ebp+d] and
  // [ebp+ecx*4+d] between register forms, base and index writes (ADD/SUB EBP in pairs, AND/INC
  // ECX, MOV AL/CL over an index's low byte), and PUSH/POP, so groups form, end and restart.
  const SEEDS = Array.from({ length: 24 }, (_, k) => k + 1);
  it.each(SEEDS)("random frame stream, seed %i", (seed) => {
    const d = dice(seed);
    const body: number[] = [0x83, 0xe1, 0x03]; // and ecx, 3: the index stays small
    const disp = (): number => (d.int(32) * 4 - 64) & 0xff; // [ebp-64 .. ebp+60]
    const reg = (): number => d.pick([0, 2, 3, 7]); // eax edx ebx edi (ECX is the index)
    let ebpMoved = 0;
    for (let n = 0; n < 40; n++) {
      const r = d.int(20);
      const indexed = d.int(4) === 0;
      const modrm = (op: number): number[] =>
        indexed ? [0x44 | (op << 3), 0x8d, disp()] : [0x45 | (op << 3), disp()];
      if (r < 6)
        body.push(0x8b, ...modrm(reg())); // mov r, [m]
      else if (r < 9)
        body.push(d.pick([0x03, 0x2b, 0x33, 0x3b]), ...modrm(reg())); // alu r, [m]
      else if (r < 10)
        body.push(0x0f, d.pick([0xb6, 0xb7]), ...modrm(reg())); // movzx r, [m]
      else if (r < 12)
        body.push(0x89, ...modrm(reg())); // mov [m], r
      else if (r < 13)
        body.push(0x39, ...modrm(reg())); // cmp [m], r
      else if (r < 15)
        body.push(d.pick([0x01, 0x31, 0x29]), 0xc0 | (reg() << 3) | reg()); // alu r, r
      else if (r < 16 && ebpMoved === 0) {
        body.push(0x83, 0xc5, 0x08); // add ebp, 8
        ebpMoved = 1;
      } else if (r < 17 && ebpMoved === 1) {
        body.push(0x83, 0xed, 0x08); // sub ebp, 8
        ebpMoved = 0;
      } else if (r < 18)
        body.push(d.pick([0x41, 0x49]), 0x83, 0xe1, 0x03); // inc/dec ecx; and ecx, 3
      else if (r < 19)
        body.push(0x55, 0x5d); // push ebp; pop ebp
      else body.push(0xb1, d.int(4)); // mov cl, 0..3
    }
    if (ebpMoved === 1) body.push(0x83, 0xed, 0x08);
    run(program(0x200, body));
  });
});
