// Region-to-region chaining inside WebAssembly (src/wasm/chain.ts): guest programs whose regions
// chain (code spread over several pages, calls and returns, a region patching its successor, a
// #PF in a chained region, an interrupt raised by an OUT inside a chain), run under the
// interpreter (the oracle) and the recompiler with backend "wasm" through `run(n)` with budgets
// that end chains anywhere; the full architectural state is compared after every `run`, memory
// at the end, and chains inside WebAssembly must really have happened (`chainedInWasm`).
// Programs were assembled with nasm (sources in the comments; `nasm -f bin`, org 0x10000).
import { queryObjects } from "node:v8";
import { SegReg } from "@ringvm/cpu";
import { NullPorts } from "@ringvm/cpu/testing";
import { describe, expect, it } from "vitest";
import {
  CODE_AT,
  DATA_AT,
  GDT,
  HANDLERS_AT,
  makeMachine,
  snapshot,
  type Machine,
  type MachineExtras,
  type TestBackend,
} from "./support/machine";
import { hex, lockstep } from "./support/lockstep";
import { HEAT_AFTER_REGION, HEAT_USER, type Block, type RecompilerStats } from "../src/index";
import { dynSet } from "../src/wasm/lower";
import { le32 } from "./support/program-parts";

/** A program: code runs at CODE_AT + offset; the rest is INT3 (0xcc). */
function program(parts: [number, string][]): Uint8Array {
  const end = Math.max(...parts.map(([off, h]) => off + h.length / 2));
  const code = new Uint8Array(end).fill(0xcc);
  for (const [off, h] of parts) code.set(hex(h), off);
  return code;
}

/*
 * start: mov ecx, 300 / xor eax, eax / xor edx, edx
 * loop1: add eax, ecx / jmp page2
 * back1: dec ecx / jnz loop1 / mov ebx, [DATA] / hlt
 * page2 (+0x1000): xor edx, eax / shl edx, 1 / cmp eax, 1000 / jb .s / sub eax, 7
 *   .s: call fn3 / adc edx, 0 / jmp back1
 * fn3 (+0x2000): inc dword [DATA] / add edx, [DATA] / cmp edx, 0x80000000 / ret
 */
const PAGES = program([
  [0, "b92c01000031c031d201c8e9f00f00004975f68b1d00000400f4"],
  [0x1000, "31c2d1e23de8030000720383e807e8ed0f000083d200e9f5efffff"],
  [0x2000, "ff050000040003150000040081fa00000080c3"],
]);

/*
 * start: mov ecx, 50 / xor edx, edx
 * L: mov [0x11001], ecx (the immediate of page2's mov) / jmp page2
 * back: add edx, eax / dec ecx / jnz L / hlt
 * page2 (+0x1000): mov eax, 0x11111111 / jmp back
 */
const PATCHER = program([
  [0, "b93200000031d2890d01100100e9ee0f000001c24975f0f4"],
  [0x1000, "b811111111e908f0ffff"],
]);

/*
 * start: mov ecx, 40 / mov esi, DATA / xor ebx, ebx
 * L: jmp page2
 * back: dec ecx / jnz L / hlt
 * page2 (+0x1000): add ebx, 3 / cmp ecx, 5 / jne .ok / mov esi, HOLE
 *   .ok: add ebx, -3 / mov eax, [esi] (#PF when ecx = 5) / add ebx, eax / jmp back
 */
const FAULTER = program([
  [0, "b928000000be0000040031dbe9ef0f00004975f8f4"],
  [0x1000, "83c30383f9057505be0000300083c3fd8b0601c3e9f8efffff"],
]);

/*
 * start: mov ecx, 60 / xor edx, edx / sti
 * L: jmp page2
 * back: add edx, ecx / dec ecx / jnz L / cli / hlt
 * page2 (+0x1000): inc dword [DATA] / cmp ecx, 20 / jne .s / out 0x80, al / add edx, 5
 *   .s: jmp back
 * The OUT raises IRQ vector 30, whose handler is `inc dword [DATA + 8]; iret`.
 */
const IRQ_VECTOR = 30;
const OUTER = program([
  [0, "b93c00000031d2fbe9f30f000001ca4975f6faf4"],
  [0x1000, "ff050000040083f9147505e68083c205e9f8efffff"],
]);

/*
 * start: mov ecx, 60 / xor edx, edx / sti
 * L: jmp page2
 * back: add edx, ecx / dec ecx / jnz L / cli / hlt
 * page2 (+0x1000): inc dword [DATA] / mov esi, DEV / jmp tail
 * tail (+0x1ffe, the last instruction of the page): mov eax, [esi]
 * page3 (+0x2000): add edx, eax / jmp back
 * DEV (0x50000) is a page the TLB sends to the slow path; its 20th read raises the IRQ, due
 * right at the page boundary, where the region's exit would chain into page3.
 */
const DEV = 0x50000;
const READER = program([
  [0, "b93c00000031d2fbe9f30f000001ca4975f6faf4"],
  [0x1000, "ff0500000400be00000500e9ee0f0000"],
  [0x1ffe, "8b0601c2e906e0ffff"],
]);

/*
 * One-block loops (each back edge through the region's block dispatch):
 * start: mov ecx, 3000 / mov edi, DATA / xor eax, eax / xor edx, edx / xor ebx, ebx
 * L: mov [edi+ecx*4], eax / bsr edx, ecx (a handler call) / add eax, edx / adc ebx, [edi+ecx*2]
 *   / dec ecx / jnz L (its stores and loads walk down 12 KiB, three pages; ADC takes the CF of
 *   the ADD before it)
 * lea esi, [eax+500]
 * M: inc eax / rol ebx, 3 / cmp eax, esi / jb M
 * mov [edi], eax / mov [edi+4], ebx / hlt
 */
const SELF_LOOPS = hex(
  "b9b80b0000bf0000040031c031d231db89048f0fbdd101d0131c4f4975f28db0f401000040c1c30339f072f8" +
    "8907895f04f4",
);

/*
 * start: mov ecx, 100 / mov esi, DEV / xor edx, edx / sti
 * L: add edx, [esi] / add edx, ecx / dec ecx / jnz L (one block) / cli / hlt
 * DEV's 20th read (the slow path) raises the IRQ: the loop's back edge must leave for it.
 */
const SELF_LOOP_READER = hex("b964000000be0000050031d2fb031601ca4975f9faf4");

/*
 * start: mov ecx, 200 / xor eax, eax / xor edx, edx
 * L: (12 times, k = 1..12) call f / add eax, k
 *   dec ecx / jnz L / hlt
 * f (+0x1000): add edx, eax / ret (one RET returning to 12 callers)
 */
const RETURNS = program([
  [
    0,
    "b9c800000031c031d2e8f20f000083c001e8ea0f000083c002e8e20f000083c003e8da0f000083c004" +
      "e8d20f000083c005e8ca0f000083c006e8c20f000083c007e8ba0f000083c008e8b20f000083c009" +
      "e8aa0f000083c00ae8a20f000083c00be89a0f000083c00c49759df4",
  ],
  [0x1000, "01c2c3"],
]);

/**
 * RETURNS with f patching the immediate of the first return site's `add eax, 1` (at 0x10010)
 * every 16th iteration (in between, that return site gets hot):
 * f (+0x1000): test cl, 15 / jnz .s / inc byte [0x10010] / .s: add edx, eax / ret.
 */
const PATCHED_RETURNS = program([
  [0, RETURNS.subarray(0, 0x1000).reduce((h, x) => h + x.toString(16).padStart(2, "0"), "")],
  [0x1000, "f6c10f7506fe051000010001c2c3"],
]);

/*
 * A straight-line instruction that crosses into the next page, in a loop (src/crossing.ts):
 * start: mov ecx, 300 / xor eax, eax / xor edx, edx / mov ebx, DATA
 * L: add edx, ecx / test cl, 15 / jnz .s / inc byte [0x11000] / .s: jmp tail
 * tail (+0xffa): add eax, 1 / mov esi, [dword ebx + 4] (+0xffd to +0x1002) / add eax, esi
 *   dec ecx / jnz L / hlt
 * Every 16th iteration the loop patches byte 1 of the crossing load's displacement (on the
 * second page, which the first page's region does not watch): disp 4, 0x104, 0x204, ...
 */
const CROSSER = program([
  [0, "b92c01000031c031d2bb0000040001caf6c10f7506fe0500100100e9da0f0000"],
  [0xffa, "83c0018bb30400000001f0490f8502f0fffff4"],
]);

/*
 * CROSSER with a crossing instruction whose opcode continues on the next page, patched into
 * another form once (ECX = 128): movzx esi, byte [ebx + 4] (0f | b6 73 04) -> word (0f | b7).
 * start: mov ecx, 300 / xor eax, eax / xor edx, edx / mov ebx, DATA
 * L: add edx, ecx / cmp ecx, 128 / jne .s / mov byte [0x11000], 0xb7 / .s: jmp tail
 * tail (+0xffc): add eax, 1 / movzx esi, byte [ebx + 4] (+0xfff) / add eax, esi
 *   dec ecx / jnz L / hlt
 */
const RECROSSER = program([
  [0, "b92c01000031c031d2bb0000040001ca81f9800000007507c60500100100b7e9d80f0000"],
  [0xffc, "83c0010fb6730401f0490f8502f0fffff4"],
]);

/*
 * A page-crossing load in a loop, its tail page never written by the guest:
 * start: mov ecx, 400 / xor eax, eax / mov ebx, DATA
 * L: add edx, ecx / jmp tail
 * tail (+0xffa): add eax, 1 / mov esi, [ebx + 4] (+0xffd, its disp32 ends on the next page)
 *   add eax, esi / dec ecx / jnz L / hlt
 */
const TAILLOOP = program([
  [0, "b99001000031c0bb0000040001cae9e70f0000"],
  [0xffa, "83c0018bb30400000001f0490f8500f0fffff4"],
]);

/*
 * A return address whose instruction crosses into the next page (busybox's loops return to such
 * a `add esp, 16` after a call): a block starting with it.
 * start: mov ecx, 300 / xor eax, eax / mov ebx, DATA / L: jmp tail / func: add eax, 1 / ret
 * tail (+0xff8): call func / mov esi, [ebx + 4] (+0xffd to +0x1002) / add eax, esi / dec ecx
 *   jnz L / hlt
 */
const CROSSRET = program([
  [0, "b92c01000031c0bb00000400e9e70f000083c001c3"],
  [0xff8, "e814f0ffff8bb30400000001f0490f8500f0fffff4"],
]);

/*
 * A function with an inner loop, called in a loop: its inner loop's head gets hot while the
 * function's start and the call site are warm (one batch).
 * start: mov esi, 300 / xor eax, eax / outer: call func / dec esi / jnz outer / hlt
 * func (+0x10): mov ecx, 3 / inner: add eax, ecx / dec ecx / jnz inner / ret
 */
const NESTED = program([[0, "be2c01000031c0e8040000004e75f8f4b90300000001c84975fbc3"]]);

/*
 * A loop whose rare branch raises an interrupt and jumps back into the loop's middle (`back`:
 * a basic block of the loop's region, which the loop itself runs as part of its first block):
 * start: mov ecx, `count` / xor edx, edx / sti
 * L: add edx, ecx / test cl, 63 / jz rare
 * back (+0xf): add edx, 3 / dec ecx / jnz L / cli / hlt
 * rare (+0x17): out 0x80, al / jmp back
 * With `count` 400 the rare branch first runs after the loop's region is made; with 448 it runs
 * in the first iteration, so a cold block at `back` is cached by then.
 */
const innerLoop = (count: number): Uint8Array =>
  Uint8Array.from([0xb9, ...le32(count), ...hex("31d2fb01caf6c13f740883c2034975f3faf4e680ebf4")]);
const INNER_BACK = CODE_AT + 0xf;

/*
 * Barriers that keep the mode, in a loop (lower.ts MODE_KEEPING):
 * start: mov ecx, 500 / xor edx, edx / xor eax, eax
 * L: add edx, ecx / out 0x80, al / in al, 0x71 / add edx, eax / cli / invlpg [DATA]
 *   dec ecx / jnz L / hlt
 */
const PORTS = program([[0, "b9f401000031d231c001cae680e47101c2fa0f013d000004004975edf4"]]);

/*
 * Two exits of one region into T, whose region goes stale every 16th iteration (a write of
 * T's first byte with the value it has: a write into its code bytes, so not one beside code)
 * and is revived unchanged by whichever exit reaches it first:
 * start: mov ecx, 400 / xor edx, edx
 * L: test cl, 15 / jnz .a / mov byte [0x11000], 0x01
 *   .a: test cl, 1 / jnz .b / add edx, 3 / jmp T (exit A) / .b: jmp T (exit B)
 * T (+0x1000): add edx, ecx / dec ecx / jnz L / hlt
 */
const REVIVED = program([
  [0, "b99001000031d2f6c10f7507c6050010010001f6c101750883c203e9e00f0000e9db0f0000"],
  [0x1000, "01ca490f85feeffffff4"],
]);

/*
 * OUT with IF clear, the device parking the CPU in HLT on the 300th write (as the board's reset
 * request does): cli / mov ecx, 1000 / xor edx, edx
 * L: add edx, ecx / out 0x80, al / inc edx / dec ecx / jnz L / hlt
 */
const PARKED = program([[0, "fab9e803000031d201cae680424975f8f4"]]);

/** Port 0x80: its 300th write sets the CPU's HLT state (`state`, set by the test). */
class ParkingPort extends NullPorts {
  writes = 0;
  state: { halted: boolean } | null = null;
  override out8(port: number, value: number): void {
    super.out8(port, value);
    if (port === 0x80 && ++this.writes === 300 && this.state !== null) this.state.halted = true;
  }
}

/** DATA + 4 + 0x100 * k: distinct words for each displacement the patches make. */
function crosserData(m: Machine): void {
  for (let k = 0; k < 24; k++)
    m.mem.bytes.set([k + 1, 2 * k + 3, 0x10 * k, 0], DATA_AT + 4 + 0x100 * k);
}

/*
 * Barriers a chaining region goes on after (lower.ts MODE_CHECKED) and those that must leave:
 * start: mov ecx, 200 / xor edx, edx / xor ebx, ebx / sti
 * L: mov ax, 0x10 / mov ds, ax / push ds / pop es / pushfd / cli / add edx, ecx / popfd
 *   pushfd / push cs / push .next / iretd (IRET to itself, IF set again)
 * .next: mov eax, cr0 / mov cr0, eax / clts
 *   test cl, 31 / jnz .noirq / cli / out 0x80, al (the IRQ waits: IF clear) / sti (it comes
 *   after the next instruction, the first of a region the other rounds enter)
 * .noirq: add ebx, 1 / test cl, 63 / jnz .flat / mov ax, 0x18 / mov ds, ax (base 0x1000: DS not flat, the
 *   mode key changes before a block the other rounds run with DS flat)
 * .flat: add edx, [DATA + 4] / mov ax, 0x10 / mov ds, ax / dec ecx / jnz L / cli / hlt
 * The IRQ's handler adds EDX to [DATA + 8]: it sees the EDX of the instruction it came after.
 */
const BARRIERS = hex(
  "b9c800000031d231dbfb66b810008ed81e079cfa01ca9d9c0e681f000100cf0f20c00f22c00f06f6c11f7504fa" +
    "e680fb83c301f6c13f750666b818008ed803150400040066b810008ed84975bdfaf4",
);
/** Barriers (MOV DS, POP ES, POPFD, IRETD, MOV from and to CR0, CLTS) in one of BARRIERS' rounds. */
const BARRIERS_PER_ROUND = 7;

/** An interrupt line raised by `out 0x80` (a device inside the chain's OUT). */
class IrqPort extends NullPorts {
  pending = false;
  override out8(port: number, value: number): void {
    super.out8(port, value);
    if (port === 0x80) this.pending = true;
  }
  hasInterrupt(): boolean {
    return this.pending;
  }
  acknowledge(): number {
    this.pending = false;
    return IRQ_VECTOR;
  }
}

function withIrq(): MachineExtras {
  const dev = new IrqPort();
  return { io: dev, interrupts: dev };
}

/** Budgets for `run(n)`: chains end by budget anywhere, also inside a block's entry check. */
const BUDGETS = [1, 7, 33, 100, 5, 250, 64, 3, 1000, 17, 2, 400];

interface ChainRun {
  b: Machine;
  runs: number;
}

/**
 * Runs `code` under the interpreter and under the recompiler (`run(n)`, chaining on), the
 * same budgets, comparing the architectural state after every run and memory at the end.
 */
/** The rel32 of a near JMP/CALL/Jcc whose next instruction is at `from`, to `to`. */
const rel = (from: number, to: number): number[] => le32(to - from);

/**
 * Two return addresses in one set of the dynamic-exit hash (`dynSet`, lower.ts), searched in
 * the first 12 KiB of the code: start: mov ecx, 200 / xor eax, eax; L: call f (returns to R1)
 * / R1: jmp A2; A2: call f (returns to R2) / R2: dec ecx / jnz L / hlt; f (+0x3800): inc eax /
 * ret. Each RET continues in WebAssembly only while both return addresses stay in the hash.
 */
function collidingReturns(): { code: Uint8Array; r1: number; r2: number } {
  const set = new Map<number, number>();
  let r1 = -1;
  let r2 = -1;
  for (let off = 0x20; off < 0x3000 && r2 < 0; off++) {
    const k = dynSet(CODE_AT + off);
    const other = set.get(k);
    if (other !== undefined && off - other >= 0x40) {
      r1 = other;
      r2 = off;
    } else set.set(k, off);
  }
  const code = new Uint8Array(0x3810).fill(0xcc);
  const put = (at: number, bytes: number[]): void => code.set(bytes, at);
  const f = 0x3800;
  put(0, [0xb9, 200, 0, 0, 0, 0x31, 0xc0, 0xe9, ...rel(12, r1 - 5)]); // mov ecx; xor; jmp L
  put(r1 - 5, [0xe8, ...rel(r1, f), 0xe9, ...rel(r1 + 5, r2 - 5)]); // L: call f / jmp A2
  put(r2 - 5, [0xe8, ...rel(r2, f), 0x49, 0x0f, 0x85, ...rel(r2 + 7, r1 - 5), 0xf4]);
  put(f, [0x40, 0xc3]); // f: inc eax / ret
  return { code, r1, r2 };
}

/**
 * Three code offsets from 0x40, at least 0x40 apart and each where `usable` allows, whose EIPs
 * share a set of the dynamic-exit hash (consecutive EIPs spread evenly over the sets: a third
 * member needs ~50 KiB of code).
 */
function hashTriple(usable: (off: number) => boolean = () => true): [number, number, number] {
  const sets = new Map<number, number[]>();
  for (let off = 0x40; off < 0x2f000; off++) {
    if (!usable(off)) continue;
    const k = dynSet(CODE_AT + off);
    const list = sets.get(k) ?? [];
    if (list.every((o) => off - o >= 0x40)) list.push(off);
    sets.set(k, list);
    if (list.length === 3) return list as [number, number, number];
  }
  throw new Error("no three return addresses in one set of the dynamic-exit hash");
}

/**
 * Three return addresses R1, R2, R3 in one set of the dynamic-exit hash (two ways), used in
 * turn: phase 1 returns to R1 200 times; phase 2 to R2 and R3 200 times each (their regions,
 * made after R1's, push R2's or R1's entry out of the set); phase 3 to R1 again.
 * start: xor esi, esi / xor eax, eax; P1: mov ecx, 200; L1: call f (R1) / dec ecx / jnz L1
 * / test esi, esi / jnz done / mov ecx, 200; L2: call f (R2) / call f (R3) / dec ecx / jnz L2
 * / inc esi / jmp P1; done: hlt; f (+0x2f800): inc eax / ret.
 */
function evictedReturn(): Uint8Array {
  const [r1, r2, r3] = hashTriple();
  const code = new Uint8Array(0x2f810).fill(0xcc);
  const put = (at: number, bytes: number[]): void => code.set(bytes, at);
  const f = 0x2f800;
  const done = 0x20;
  put(0, [0x31, 0xf6, 0x31, 0xc0, 0xb9, 200, 0, 0, 0, 0xe9, ...rel(14, r1 - 5)]);
  put(done, [0xf4]);
  put(r1 - 5, [0xe8, ...rel(r1, f), 0x49, 0x0f, 0x85, ...rel(r1 + 7, r1 - 5)]);
  put(r1 + 7, [0x85, 0xf6, 0x0f, 0x85, ...rel(r1 + 15, done), 0xb9, 200, 0, 0, 0]);
  put(r1 + 20, [0xe9, ...rel(r1 + 25, r2 - 5)]);
  put(r2 - 5, [0xe8, ...rel(r2, f), 0xe9, ...rel(r2 + 5, r3 - 5)]);
  put(r3 - 5, [0xe8, ...rel(r3, f), 0x49, 0x0f, 0x85, ...rel(r3 + 7, r2 - 5)]);
  put(r3 + 7, [0x46, 0xe9, ...rel(r3 + 13, 4)]);
  put(f, [0x40, 0xc3]);
  return code;
}

/**
 * Three return addresses R1, R2, R3 in one set of the dynamic-exit hash (two ways), on three
 * pages, returned to in turn, so the set never holds the next one: start: mov ecx, 200 / xor eax, eax
 * / jmp L; L: call f (R1) / R1: jmp A2; A2: call f (R2) / R2: jmp A3; A3: call f (R3) / R3:
 * dec ecx / jnz L / hlt; f (+0x2f800): inc eax / ret.
 */
function rotatingReturns(): Uint8Array {
  // A call and its return site's block on one page.
  const [r1, r2, r3] = hashTriple((off) => (off & 0xfff) >= 0x10 && (off & 0xfff) <= 0xfe0);
  const code = new Uint8Array(0x2f810).fill(0xcc);
  const put = (at: number, bytes: number[]): void => code.set(bytes, at);
  const f = 0x2f800;
  put(0, [0xb9, 200, 0, 0, 0, 0x31, 0xc0, 0xe9, ...rel(12, r1 - 5)]);
  put(r1 - 5, [0xe8, ...rel(r1, f), 0xe9, ...rel(r1 + 5, r2 - 5)]);
  put(r2 - 5, [0xe8, ...rel(r2, f), 0xe9, ...rel(r2 + 5, r3 - 5)]);
  put(r3 - 5, [0xe8, ...rel(r3, f), 0x49, 0x0f, 0x85, ...rel(r3 + 7, r1 - 5), 0xf4]);
  put(f, [0x40, 0xc3]);
  return code;
}

function chainLockstep(
  code: Uint8Array,
  backend: TestBackend,
  {
    threshold = 1,
    extras = (): MachineExtras => ({}),
    between,
    setup,
  }: {
    threshold?: number;
    extras?: () => MachineExtras;
    between?: (m: Machine, run: number) => void;
    setup?: (m: Machine, x: MachineExtras) => void;
  } = {},
): ChainRun {
  const xa = extras();
  const xb = extras();
  const a = makeMachine(code, false, 1, true, "js", xa);
  const b = makeMachine(code, true, threshold, true, backend, xb);
  setup?.(a, xa);
  setup?.(b, xb);
  const engine = b.engine!;
  let runs = 0;
  for (; runs < 2000; runs++) {
    const n = BUDGETS[runs % BUDGETS.length]!;
    engine.run(n);
    a.cpu.run(n);
    const sa = snapshot(a.cpu);
    const sb = snapshot(b.cpu);
    if (JSON.stringify(sa) !== JSON.stringify(sb)) {
      expect({ run: runs, n, ...sb }).toEqual({ run: runs, n, ...sa });
    }
    if (a.cpu.state.halted && (a.cpu.state.flags & 0x200) === 0) break;
    between?.(a, runs);
    between?.(b, runs);
  }
  expect(runs).toBeLessThan(2000);
  expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes))).toBe(0);
  return { b, runs };
}

/*
 * Two address spaces (CR3 = 0x1000: A, CR3 = 0x2000: B, see `twoSpaces`) map linear page
 * 0x20000 to physical 0x210000 (A: `add eax, 1 / ret`) or 0x220000 (B: `add eax, 100 / ret`).
 * start: xor eax, eax / mov ecx, 4
 *   la: call 0x20000 / dec ecx / jnz la (A's function runs 4 times: warm, not hot)
 *   mov edx, 0x2000 / mov cr3, edx / mov ecx, 20
 *   lb: call 0x20000 / dec ecx / jnz lb (B's function and this loop get hot: a batch)
 *   mov edx, 0x1000 / mov cr3, edx / mov ecx, 20
 *   lc: call 0x20000 / dec ecx / jnz lc / hlt (A's function again: eax = 4 + 2000 + 20)
 */
const SPACES = program([
  [
    0,
    "31c0b904000000e8f4ff00004975f8ba002000000f22dab914000000e8dfff00004975f8" +
      "ba001000000f22dab914000000e8caff00004975f8f4",
  ],
]);
const SHARED_PAGE = 0x20;
const PHYS_A = 0x210;
const PHYS_B = 0x220;

/**
 * Paging on, and a CR3 write switching what SHARED_PAGE maps to (the page-table walk and TLB
 * flush a real Mmu would do; every other page stays identity-mapped in both spaces).
 */
function twoSpaces(m: Machine): void {
  m.mem.bytes.set(hex("83c001c3"), PHYS_A << 12);
  m.mem.bytes.set(hex("83c064c3"), PHYS_B << 12);
  m.mem.setPaging = (st): void => m.mem.remap(SHARED_PAGE, st.cr3 === 0x2000 ? PHYS_B : PHYS_A);
  m.cpu.setControlRegister(0, 0xe0000011);
  m.cpu.setControlRegister(3, 0x1000);
}

/*
 * One physical code page at 21 linear pages (ALIAS_FIRST.. and its own), as a shared library's
 * page is in each process that maps it:
 * start: xor edx, edx / mov esi, ALIAS_FIRST << 12 | 0x40 / mov edi, 20
 * outer: mov ecx, 60 / call esi (f at the next alias) / mov byte [f], 0x01 (f's own first byte,
 *   unchanged: the page's blocks go stale) / add esi, 0x1000 / dec edi / jnz outer
 *   mov ecx, 60 / call f (at its own placement) / hlt
 * f (+0x40): add edx, ecx / test cl, 1 / jz .skip / add edx, 3
 *   .skip: dec ecx / jnz f / ret
 */
const ALIASED = program([
  [
    0,
    "31d2be40000500bf14000000b93c000000ffd6c605400001000181c6001000004f75e9b93c000000e813000000f4",
  ],
  [0x40, "01caf6c101740383c2034975f3c3"],
]);
const ALIAS_FIRST = 0x50;

/** Paging on, and linear pages ALIAS_FIRST..+19 mapped to the code's physical page. */
function aliasedCode(m: Machine): void {
  for (let k = 0; k < 20; k++) m.mem.remap(ALIAS_FIRST + k, CODE_AT >>> 12);
  m.cpu.setControlRegister(0, 0xe0000011);
  m.cpu.setControlRegister(3, 0x1000);
}

/*
 * start: mov esi, 300
 * outer: mov ecx, 10
 * inner: add eax, ecx / dec ecx / jnz inner / jmp x
 *  back: dec esi / jnz outer / hlt
 * x (next page): add edx, eax / xor edx, 5 / jmp back
 * `inner` runs 9 times per outer iteration and gets hot first; its region (one page) exits to
 * x, on the next page, once per outer iteration.
 */
const AFTER_REGION = program([
  [0, "be2c010000b90a00000001c84975fbe9ec0f00004e75eef4"],
  [0x1000, "01c283f205e90af0ffff"],
]);
/*
 * start: mov ecx, 300
 *     L: add eax, ecx / xor edx, eax / dec ecx / jnz L
 *  spin: jmp spin
 */
const USER_LOOP = program([[0, "b92c01000001c831c24975f9ebfe"]]);

/** Runs `m` at CPL 3: flat code and data segments of DPL 3 (GDT entries 3 and 4). */
function ring3(m: Machine): void {
  const b = m.mem.bytes;
  b.set([0xff, 0xff, 0, 0, 0, 0xfa, 0xcf, 0], GDT + 24);
  b.set([0xff, 0xff, 0, 0, 0, 0xf2, 0xcf, 0], GDT + 32);
  m.cpu.state.gdtrLimit = 39;
  const flat = 0x80 | 0x60 | 0x10 | 0x02 | 0x01 | 0x4000 | 0x8000;
  m.cpu.loadSegmentCache(SegReg.CS, 0x1b, 0, 0xffffffff, flat | 0x08);
  for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS])
    m.cpu.loadSegmentCache(seg, 0x23, 0, 0xffffffff, flat);
}

/**
 * USER_LOOP under the interpreter and the recompiler (hot threshold `threshold`, `extras`),
 * at CPL 3 when `user`, compared after each of the runs that take it to `total` instructions.
 */
function userLockstep(
  backend: TestBackend,
  user: boolean,
  threshold: number,
  extras: MachineExtras,
  total = 1400,
): Machine {
  const a = makeMachine(USER_LOOP, false, 1, true, "js");
  const b = makeMachine(USER_LOOP, true, threshold, true, backend, extras);
  if (user) for (const m of [a, b]) ring3(m);
  for (let done = 0, k = 0; done < total; k++) {
    const n = BUDGETS[k % BUDGETS.length]!;
    b.engine!.run(n);
    a.cpu.run(n);
    done += n;
    expect({ k, ...snapshot(b.cpu) }).toEqual({ k, ...snapshot(a.cpu) });
  }
  return b;
}

const BACKENDS = ["wasm", "wasm-shared"] as const;

describe("chaining inside WebAssembly vs the interpreter (run(n), varied budgets)", () => {
  it.each(BACKENDS)("a loop over three pages with calls and returns (%s)", (backend) => {
    const { b } = chainLockstep(PAGES, backend);
    const st = b.engine!.stats;
    expect(st.translatedWasm).toBeGreaterThan(2);
    expect(st.chainedInWasm).toBeGreaterThan(300);
    // Oracle: fn3 ran once per iteration (300), as the interpreter's run agrees.
    expect(b.cpu.state.regs[3]).toBe(300);
  });

  it.each(BACKENDS)(
    "a RET returning to many callers continues inside WebAssembly (the dynamic-exit hash) (%s)",
    (backend) => {
      const { b, runs } = chainLockstep(RETURNS, backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: 200 iterations of adds 1..12.
      expect(b.cpu.getReg32(0)).toBe(200 * 78);
      // 2,400 RETs to 12 return addresses: after warming up, each continues in its caller's
      // region without the dispatcher (one exit slot relinked to 12 targets would not).
      expect(st.chainedInWasm).toBeGreaterThan(4000);
      expect(st.blocksExecuted - st.chained).toBeLessThan(runs + 200);
    },
  );

  it.each(BACKENDS)(
    "two return addresses in one set of the dynamic-exit hash both continue in WebAssembly (%s)",
    (backend) => {
      const { code, r1, r2 } = collidingReturns();
      expect(dynSet(CODE_AT + r1)).toBe(dynSet(CODE_AT + r2));
      const { b, runs } = chainLockstep(code, backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: 200 iterations of two calls, each INC EAX.
      expect(b.cpu.getReg32(0)).toBe(400);
      // 400 RETs, half to each address: direct-mapped, each region's entry evicted the
      // other's and ~200 RETs left WebAssembly for the dispatcher (211 entries from JavaScript,
      // 983 chains inside WebAssembly); with two ways only the runs' own entries remain.
      expect(st.wasmEntries).toBeLessThan(runs + 30);
      expect(st.chainedInWasm).toBeGreaterThan(1100);
    },
  );

  it.each(BACKENDS)(
    "a return address pushed out of the dynamic-exit hash by later regions comes back (%s)",
    (backend) => {
      const { b, runs } = chainLockstep(evictedReturn(), backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: 200 + 400 + 200 calls of f, each INC EAX.
      expect(b.cpu.getReg32(0)).toBe(800);
      // Without putting an entry back when its RET came to the dispatcher, the one pushed out
      // in phase 2 left WebAssembly on each of its ~200 remaining RETs.
      expect(st.wasmEntries).toBeLessThan(runs + 40);
    },
  );

  it.each(BACKENDS)(
    "a RET to a caller the hash does not hold continues through the return-address stack (%s)",
    (backend) => {
      const { b, runs } = chainLockstep(rotatingReturns(), backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: 200 iterations of three calls of f, each INC EAX.
      expect(b.cpu.getReg32(0)).toBe(600);
      // 600 RETs, each to the return address of the three the hash's set held least lately:
      // without the stack about half of them left WebAssembly for the dispatcher (312 entries
      // from JavaScript in 20 runs, 1,482 chains inside WebAssembly); with it 27 entries.
      expect(st.wasmEntries).toBeLessThan(runs + 40);
      expect(st.chainedInWasm).toBeGreaterThan(1500);
    },
  );

  it.each(BACKENDS)(
    "a cold block entered from a region's exit gets hot HEAT_AFTER_REGION times sooner (%s)",
    (backend) => {
      const T = 400;
      const st = (heat: number) => {
        const { b } = chainLockstep(AFTER_REGION, backend, {
          threshold: T,
          extras: () => ({ heatAfterRegion: heat }),
        });
        expect(b.cpu.getReg32(6)).toBe(0); // ESI: all 300 outer iterations ran
        return b.engine!.stats;
      };
      const alike = st(1);
      const sooner = st(HEAT_AFTER_REGION);
      // `inner` gets hot after T / 9 ~ 45 outer iterations; x has run ~45 times then. Every
      // run of x counting 1, x stays below T for all 300 iterations: its 3 instructions run
      // cold 300 times. Counting HEAT_AFTER_REGION after the region's exit, x gets hot after
      // ~45 + (T - 45) / HEAT_AFTER_REGION outer iterations (~134 with 4): at least
      // (300 - 134 - slack) * 3 fewer cold instructions.
      const hotAt = 45 + Math.ceil((T - 45) / HEAT_AFTER_REGION);
      expect(alike.interpreted.cold - sooner.interpreted.cold).toBeGreaterThanOrEqual(
        (300 - hotAt - 10) * 3,
      );
    },
  );

  it.each(BACKENDS)(
    "a cold block of CPL 3 code gets hot HEAT_USER times sooner than kernel code (%s)",
    (backend) => {
      const T = 400;
      const cold = (user: boolean, userHeat?: number): number => {
        const extras = userHeat === undefined ? {} : { userHeat };
        const b = userLockstep(backend, user, T, extras);
        // Oracle: the interpreter's state after every run; the loop ran to its end.
        expect(b.cpu.state.cpl).toBe(user ? 3 : 0);
        expect(b.cpu.getReg32(1)).toBe(0);
        return b.engine!.stats.interpreted.cold;
      };
      // The loop's block runs 300 times: below T, its 4 instructions all run cold (1,200)
      // in ring 0, and in ring 3 when every run counts 1.
      expect(cold(false)).toBeGreaterThanOrEqual(1200);
      expect(cold(true, 1)).toBeGreaterThanOrEqual(1200);
      // At CPL 3 each run counts HEAT_USER: hot after T / HEAT_USER runs (50 with 8).
      expect(cold(true)).toBeLessThanOrEqual((T / HEAT_USER + 10) * 4 + 10);
    },
  );

  it.each(BACKENDS)(
    "a page-crossing load runs inside its region, its bytes checked each time (%s)",
    (backend) => {
      const { b, runs } = chainLockstep(CROSSER, backend, { threshold: 2, setup: crosserData });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run (compared after every run). 300 iterations, patched 18
      // times (ECX = 288, 272, ..., 16): the displacement's byte 1 counts them.
      expect(b.mem.bytes[0x11000]).toBe(18);
      // The crossing load stays in WebAssembly: no dispatcher trip and no interpreter step
      // per iteration (before, each of the 300 was one of each).
      expect(st.interpreted.untranslatable).toBeLessThan(20);
      expect(st.blocksExecuted - st.chained).toBeLessThan(runs + 60);
    },
  );

  it.each(BACKENDS)(
    "a page-crossing instruction patched into another form runs as that form (%s)",
    (backend) => {
      const { b } = chainLockstep(RECROSSER, backend, { threshold: 2, setup: crosserData });
      // Oracle: the interpreter's run: 300 increments, 172 byte loads of DATA + 4 (1), then 128
      // word loads (0x0301).
      expect(b.cpu.getReg32(0)).toBe(300 + 172 * 1 + 128 * 0x301);
    },
  );

  it.each(BACKENDS)(
    "a page-crossing load whose tail page stays unchanged runs inline, no byte check (%s)",
    (backend) => {
      const { b } = chainLockstep(TAILLOOP, backend, { threshold: 2, setup: crosserData });
      // Oracle: the interpreter's run; 400 iterations adding 1 + dword [DATA + 4] (0x301).
      expect(b.cpu.getReg32(0)).toBe(400 * (1 + 0x301));
      // Cold runs leave it to the interpreter; the region runs it inline: none of the 400 goes
      // through the engine's byte-comparing handler.
      expect(b.engine!.stats.crossingChecked).toBe(0);
    },
  );

  it.each(BACKENDS)(
    "a return to a page-crossing instruction gets a region starting there once hot (%s)",
    (backend) => {
      const { b } = chainLockstep(CROSSRET, backend, { threshold: 2, setup: crosserData });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run; 300 iterations adding 1 + dword [DATA + 4] (0x301).
      expect(b.cpu.getReg32(0)).toBe(300 * (1 + 0x301));
      // The cold tier has no such block: the interpreter ran it until it was hot (twice), then a
      // region from there (before: all 300, each a trip through the dispatcher).
      expect(st.interpreted.untranslatable).toBeLessThan(20);
      expect(st.interpreted.cold).toBeLessThan(100);
    },
  );

  it.each(BACKENDS)(
    "past the WebAssembly region limit, a return to a page-crossing instruction still moves on (%s)",
    (backend) => {
      // Every block translated at once, all as JavaScript regions (no WebAssembly room). A
      // JavaScript region leaves to the dispatcher at a page-crossing instruction, so one that
      // held the return address as a block gave the crossing start an entry that retired
      // nothing: the dispatcher entered it again forever (`--engine recompiler` hung there in
      // a Linux boot once the boot had 16 K live regions).
      const { b } = chainLockstep(CROSSRET, backend, {
        setup: crosserData,
        extras: () => ({ maxWasmRegions: 0 }),
      });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run (compared after every run, above).
      expect(b.cpu.getReg32(0)).toBe(300 * (1 + 0x301));
      expect(st.translatedWasm).toBe(0);
      // No entry that cannot run its first instruction (the dispatcher's guard, which would
      // interpret it and count it here, never had to).
      expect(st.interpreted.stalled).toBe(0);
      // The crossing instruction runs in the interpreter each time, as a JavaScript region's
      // crossing instructions do (its first run counts as cold).
      expect(st.interpreted.untranslatable).toBeGreaterThanOrEqual(299);
    },
  );

  it.each(BACKENDS)(
    "a page-crossing load whose tail's linear page is remapped takes the checked path (%s)",
    (backend) => {
      let checkedBefore = -1;
      const { b } = chainLockstep(TAILLOOP, backend, {
        threshold: 2,
        setup: crosserData,
        between: (m, run) => {
          if (run !== 6) return;
          if (m.engine !== null) checkedBefore = m.engine.stats.crossingChecked;
          // The tail's page mapped to a copy whose displacement is 0x104 (a page-table edit).
          m.mem.bytes.copyWithin(0x12000, 0x11000, 0x12000);
          m.mem.bytes[0x12000] = 1;
          m.mem.remap(0x11, 0x12);
        },
      });
      // Oracle: the interpreter's run (compared after every run), which loads dword
      // [DATA + 0x104] (0x100502) after the remap.
      expect(b.cpu.getReg32(0)).not.toBe(400 * (1 + 0x301));
      expect(checkedBefore).toBe(0);
      expect(b.engine!.stats.crossingChecked).toBeGreaterThan(100);
    },
  );

  it.each(BACKENDS)(
    "a write to a page-crossing load's tail page from outside the CPU retranslates it (%s)",
    (backend) => {
      const { b } = chainLockstep(TAILLOOP, backend, {
        threshold: 2,
        extras: () => ({ maxWasmRegions: 5 }),
        setup: crosserData,
        between: (m, run) => {
          // Displacement 0x10004: a DMA-like write between runs, after the region is built.
          if (run === 6) m.mem.write8(0x11001, 1);
        },
      });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run; then the region is invalidated for good and its
      // successor runs the instruction through the checked path.
      expect(b.cpu.getReg32(0)).not.toBe(400 * (1 + 0x301));
      expect(st.blocksInvalidated).toBeGreaterThan(0);
      expect(st.crossingChecked).toBeGreaterThan(100);
      // The dead region no longer counts as live: its successor is WebAssembly too, within a
      // bound of as many regions as were live before the write.
      expect(st.translatedWasm).toBe(st.blocksTranslated);
      // Nor does its module (one region per module, room for one): after the write, a second
      // region is WebAssembly, which it is not without the write.
      const oneModule = (write: boolean): RecompilerStats =>
        chainLockstep(TAILLOOP, backend, {
          threshold: 2,
          extras: () => ({ maxWasmModules: 1, batchSize: 1 }),
          setup: crosserData,
          between: (m, run) => {
            if (write && run === 6) m.mem.write8(0x11001, 1);
          },
        }).b.engine!.stats;
      const kept = oneModule(false);
      const freed = oneModule(true);
      expect(kept.translatedWasm).toBe(1);
      expect(kept.blocksTranslated).toBeGreaterThan(1);
      expect(freed.translatedWasm).toBe(2);
      expect(freed.wasmModulesLive).toBe(1);
    },
  );

  it.each(BACKENDS)(
    "port I/O, CLI and INVLPG end blocks but not the run in WebAssembly (%s)",
    (backend) => {
      const { b, runs } = chainLockstep(PORTS, backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run (compared after every run); 500 iterations.
      expect(b.cpu.state.regs[1]).toBe(0);
      // Each of the 2,000 barriers goes on through a dynamic exit, not the dispatcher.
      expect(st.chainedInWasm).toBeGreaterThan(1500);
      expect(st.blocksExecuted - st.chained).toBeLessThan(runs + 60);
    },
  );

  it.each(BACKENDS)(
    "an exit into a region revived unchanged chains in WebAssembly again (%s)",
    (backend) => {
      const { b } = chainLockstep(REVIVED, backend, { threshold: 2 });
      const st = b.engine!.stats;
      // Oracle: the interpreter's run (compared after every run).
      expect(b.engine!.stats.blocksRevived).toBeGreaterThan(20);
      // Chains the engine's JavaScript loop followed instead of WebAssembly (6 here; 38 when
      // the other exit's link, left in place when T went stale, was followed without the
      // dispatcher, its slot staying at the stub until T's next write).
      expect(st.chained - st.chainedInWasm).toBeLessThan(20);
    },
  );

  it.each(BACKENDS)(
    "a port write that parks the CPU in HLT (IF clear) ends the run in WebAssembly (%s)",
    (backend) => {
      const { b } = chainLockstep(PARKED, backend, {
        threshold: 2,
        extras: () => ({ io: new ParkingPort() }),
        setup: (m, x) => ((x.io as ParkingPort).state = m.cpu.state),
      });
      // Oracle: the interpreter stops right after the 300th OUT (compared after every run).
      expect(b.cpu.state.regs[1]).toBe(1000 - 299);
      expect(b.cpu.state.halted).toBe(true);
    },
  );

  it("a page-crossing load under the JavaScript back end leaves to the dispatcher", () => {
    const { b } = chainLockstep(CROSSER, "js", { threshold: 2, setup: crosserData });
    expect(b.mem.bytes[0x11000]).toBe(18);
    expect(b.engine!.stats.interpreted.untranslatable).toBeGreaterThan(250);
  });

  it.each(BACKENDS)("a RET into code its callee patched (%s)", (backend) => {
    const { b } = chainLockstep(PATCHED_RETURNS, backend, { threshold: 2 });
    // Each write invalidates the return sites' regions: no RET may enter their old code.
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(12);
    // Oracle: 12 iterations (ECX = 192, 176, ..., 16) patch it 12 times each.
    expect(b.mem.bytes[0x10010]).toBe(1 + 12 * 12);
  });

  it.each(BACKENDS)("one basic block per region (maxRegionBlocks 1) (%s)", (backend) => {
    const { b } = chainLockstep(PAGES, backend, { extras: () => ({ maxRegionBlocks: 1 }) });
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(1000);
  });

  it.each(BACKENDS)("a hot threshold of 3 (cold blocks between regions) (%s)", (backend) => {
    const { b } = chainLockstep(PAGES, backend, { threshold: 3 });
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(100);
  });

  it.each(BACKENDS)("warm blocks translated with a hot one share its module (%s)", (backend) => {
    for (const [code, threshold] of [
      [PAGES, 8],
      [PATCHER, 4],
      [FAULTER, 4],
    ] as const) {
      const { b } = chainLockstep(code, backend, { threshold });
      const regions = [...b.engine!.blocks()].filter((x) => x.wasm !== null && x.home === x);
      const modules = new Set(regions.map((x) => x.wasm));
      expect(regions.length).toBeGreaterThan(1);
      // Batches (the default batchSize) put several regions in one module.
      expect(modules.size).toBeLessThan(regions.length);
      // The counters cover at least the modules still cached, with their bytes.
      const st = b.engine!.stats;
      expect(st.wasmModules).toBeGreaterThanOrEqual(modules.size);
      let bytes = 0;
      for (const m of modules) bytes += m!.bytes;
      expect(st.wasmBytes).toBeGreaterThanOrEqual(bytes);
      // Each entry from JavaScript is a block run of the engine's loop: some, never more than
      // the block runs not chained inside WebAssembly.
      expect(st.wasmEntries).toBeGreaterThan(0);
      expect(st.wasmEntries).toBeLessThanOrEqual(st.blocksExecuted - st.chainedInWasm);
    }
    // batchSize 1: a module per region, as before batching.
    const { b } = chainLockstep(PAGES, backend, { threshold: 8, extras: () => ({ batchSize: 1 }) });
    const regions = [...b.engine!.blocks()].filter((x) => x.wasm !== null && x.home === x);
    expect(new Set(regions.map((x) => x.wasm)).size).toBe(regions.length);
  });

  it.each(BACKENDS)(
    "a hot loop head inside a warm block's region of the same batch enters it (%s)",
    (backend) => {
      const { b } = chainLockstep(NESTED, backend, { threshold: 8 });
      // Oracle: the interpreter's run (compared after every run); 300 calls adding 3 + 2 + 1.
      expect(b.cpu.getReg32(0)).toBe(300 * 6);
      const inner = [...b.engine!.blocks()].find((x) => x.compiled && x.eip === CODE_AT + 0x15);
      expect(inner).toBeDefined();
      // Translated with the region of a lower address in its batch: an entry into it, not a
      // second copy of its code.
      expect(inner!.home).not.toBe(inner);
      expect(inner!.home.eip).toBeLessThan(inner!.eip);
      expect(inner!.wasm).toBe(inner!.home.wasm);
    },
  );

  it.each(BACKENDS)(
    "a warm block of another address space is not batched (CR3 switch) (%s)",
    (backend) => {
      // A's function is warm when CR3 switches to B, where the same linear page holds B's
      // code; the batch made when B's code gets hot must not decode A's block through B's
      // mapping (it would install B's code under A's physical page).
      const { b } = chainLockstep(SPACES, backend, { threshold: 8, setup: twoSpaces });
      expect(b.cpu.getReg32(0)).toBe(4 + 20 * 100 + 20);
      const regions = [...b.engine!.blocks()].filter((x) => x.wasm !== null && x.home === x);
      const perModule = new Map<unknown, number>();
      for (const x of regions) perModule.set(x.wasm, (perModule.get(x.wasm) ?? 0) + 1);
      // A batch happened: some module holds several regions.
      expect(Math.max(...perModule.values())).toBeGreaterThan(1);
    },
  );

  it.each(BACKENDS)(
    "a code page at many linear placements: each placement's regions and entries are its own (%s)",
    (backend) => {
      // The placements of f's regions, and the entries whose region is of another placement
      // (whose exits would leave to that placement's EIPs), seen after each run.
      const placements = new Set<number>();
      let foreign = 0;
      const between = (m: Machine): void => {
        for (const x of m.engine?.blocks() ?? []) {
          if (!x.compiled || (x.eip & 0xfff) < 0x40) continue;
          placements.add(x.linearPage);
          if (x.home.linearPage !== x.linearPage) foreign++;
        }
      };
      const { b } = chainLockstep(ALIASED, backend, { setup: aliasedCode, between });
      // Oracle (besides the interpreter's run): 21 calls of f with ECX = 60, each 1830 + 3 * 30.
      expect(b.cpu.getReg32(2)).toBe(21 * 1920);
      expect(b.engine!.stats.innerEntries).toBeGreaterThan(0);
      expect(placements.size).toBeGreaterThanOrEqual(10);
      expect(foreign).toBe(0);
    },
  );

  it.each(BACKENDS)("a region patching the code of the region it chains to (%s)", (backend) => {
    const { b } = chainLockstep(PATCHER, backend);
    // Every iteration saw its own store: sum of 1..50.
    expect(b.cpu.state.regs[2]).toBe(1275);
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(10);
  });

  it.each(BACKENDS)("a #PF inside a chained region (%s)", (backend) => {
    const { b } = chainLockstep(FAULTER, backend);
    const s = b.cpu.state;
    // The #PF handler (HLT) ran with CR2 = the hole, after 35 iterations of 3 - 3 + 0.
    expect(s.cr2 >>> 0).toBe(0x300000);
    expect(s.regs[1]).toBe(5);
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(20);
  });

  it.each(BACKENDS)("an interrupt raised by an OUT inside a chain (%s)", (backend) => {
    const poke = (m: Machine): void => {
      // Vector 30's handler: inc dword [DATA + 8]; iret.
      m.mem.bytes.set(hex("ff0508000400cf"), HANDLERS_AT + 16 * IRQ_VECTOR);
    };
    const { b } = chainLockstep(OUTER, backend, { extras: withIrq, setup: poke });
    const bytes = b.mem.bytes;
    expect(bytes[DATA_AT + 8]).toBe(1); // the handler ran once
    expect(bytes[DATA_AT]).toBe(60);
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(20);
  });

  it.each(BACKENDS)(
    "a dispatcher entry at a region's inner block runs the region from there (%s)",
    (backend) => {
      const poke = (m: Machine): void => {
        // Vector 30's handler: inc dword [DATA + 8]; iret.
        m.mem.bytes.set(hex("ff0508000400cf"), HANDLERS_AT + 16 * IRQ_VECTOR);
      };
      // 400: `back` is first reached after the region exists (a cache miss there); 448: a cold
      // block at `back`, run once, is cached when the region is made.
      for (const [count, rare] of [
        [400, 6],
        [448, 7],
      ] as const) {
        const { b } = chainLockstep(innerLoop(count), backend, {
          threshold: 8,
          extras: withIrq,
          setup: poke,
        });
        // Oracle: the interpreter's run (compared after every run) and the sums.
        expect(b.mem.bytes[DATA_AT + 8]).toBe(rare);
        expect(b.cpu.getReg32(2)).toBe((count * (count + 1)) / 2 + 3 * count);
        // Entered from the dispatcher only (after each interrupt), fewer times than the
        // threshold: still the loop's region, entered at its block, not a cold block.
        const at = [...b.engine!.blocks()].filter((x) => x.valid && x.eip === INNER_BACK);
        expect(at).toHaveLength(1);
        expect(at[0]!.compiled).toBe(true);
        expect(at[0]!.home).not.toBe(at[0]);
        expect(at[0]!.home.eip).toBe(CODE_AT + 8);
        expect(b.engine!.stats.innerEntries).toBe(1);
      }
    },
  );

  it.each(BACKENDS)(
    "segment loads, POPF, IRET, MOV CR and STI go on inside the chain unless they change the mode or an event waits (%s)",
    (backend) => {
      const setup = (m: Machine): void => {
        // Vector 30's handler: add [DATA + 8], edx; iret.
        m.mem.bytes.set(hex("011508000400cf"), HANDLERS_AT + 16 * IRQ_VECTOR);
        // Selector 0x18: a writable data segment at base 0x1000, 4 GiB limit.
        m.mem.bytes.set([0xff, 0xff, 0x00, 0x10, 0x00, 0x92, 0xcf, 0x00], GDT + 0x18);
        m.cpu.state.gdtrLimit = 31;
        m.mem.bytes.set([5, 6, 7, 8], DATA_AT + 4);
        m.mem.bytes.set([9, 10, 11, 12], DATA_AT + 0x1004);
      };
      const { b } = chainLockstep(BARRIERS, backend, { extras: withIrq, setup });
      // The interrupt came in each of the six rounds with cl % 32 = 0 (chainLockstep compared
      // the sum of the EDX values its handler saw, and EDX itself, with the interpreter's).
      expect(b.cpu.getReg32(3)).toBe(200);
      expect(new DataView(b.mem.bytes.buffer).getUint32(DATA_AT + 8, true)).not.toBe(0);
      // Going on after them, the chain entered WebAssembly from JavaScript far less often than
      // the 1,400 barriers ran (each was a return to the dispatcher before).
      const st = b.engine!.stats;
      expect(st.wasmEntries).toBeLessThan((200 * BARRIERS_PER_ROUND) / 4);
      expect(st.chainedInWasm).toBeGreaterThan(200 * BARRIERS_PER_ROUND);
    },
  );

  it.each(BACKENDS)("an interrupt raised by a device read at a chaining exit (%s)", (backend) => {
    const setup = (m: Machine, x: MachineExtras): void => {
      m.mem.bytes.set(hex("ff0508000400cf"), HANDLERS_AT + 16 * IRQ_VECTOR);
      const port = x.io as IrqPort;
      m.mem.tlb[DEV >>> 12] = 0; // reads go through the slow path (a device page)
      let reads = 0;
      m.mem.onRead = (at) => {
        if (at === DEV && ++reads === 20) port.pending = true;
      };
    };
    const { b } = chainLockstep(READER, backend, { extras: withIrq, setup });
    expect(b.mem.bytes[DATA_AT + 8]).toBe(1); // the handler ran once
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(20);
  });

  it.each(BACKENDS)(
    "one-block loops: memory over three pages, a handler call, CF carried (%s)",
    (backend) => {
      const { b } = chainLockstep(SELF_LOOPS, backend);
      // Oracle besides the interpreter: EAX = the sum of BSR over 1..3000, then up by 500.
      let sum = 0;
      for (let c = 1; c <= 3000; c++) sum += 31 - Math.clz32(c);
      expect(b.cpu.getReg32(0)).toBe(sum + 500);
      expect(new DataView(b.mem.bytes.buffer).getUint32(DATA_AT, true)).toBe(sum + 500);
      expect(b.engine!.stats.instructionsInBlocks).toBeGreaterThan(3000 * 6);
    },
  );

  it.each(BACKENDS)(
    "an interrupt raised inside a one-block loop leaves at its back edge (%s)",
    (backend) => {
      // Not against the interpreter's memory: the interpreter takes the interrupt right after the
      // read that raised it, region code at its next block boundary (an external interrupt may
      // come at any later boundary), so the frames it pushes differ.
      const x = withIrq();
      const m = makeMachine(SELF_LOOP_READER, true, 1, true, backend, x);
      // Vector 30's handler: mov [DATA + 12], ecx / inc dword [DATA + 8] / iret.
      m.mem.bytes.set(hex("890d0c000400ff0508000400cf"), HANDLERS_AT + 16 * IRQ_VECTOR);
      m.mem.bytes.set([3, 0, 0, 0], DEV);
      m.mem.tlb[DEV >>> 12] = 0; // reads go through the slow path (a device page)
      let reads = 0;
      m.mem.onRead = (at) => {
        if (at === DEV && ++reads === 20) (x.io as IrqPort).pending = true;
      };
      for (let run = 0; run < 200 && !m.cpu.state.halted; run++) m.engine!.run(1000);
      const view = new DataView(m.mem.bytes.buffer);
      expect(view.getUint32(DATA_AT + 8, true)).toBe(1); // the handler ran once
      // Taken at the back edge of the iteration that read DEV the 20th time (ECX 100 - 20).
      expect(view.getUint32(DATA_AT + 12, true)).toBe(80);
      expect(m.cpu.getReg32(2)).toBe((100 * 101) / 2 + 3 * 100);
      expect(m.engine!.stats.instructionsInBlocks).toBeGreaterThan(300);
    },
  );

  it.each(BACKENDS)("flush() and outside code writes between runs (%s)", (backend) => {
    const { b } = chainLockstep(PAGES, backend, {
      between: (m, run) => {
        if (run % 5 === 2) m.engine?.flush();
        // Rewrite fn3's `cmp edx, imm32` immediate (same bytes: the blocks stay revivable).
        if (run % 7 === 3) m.mem.write8(CODE_AT + 0x200e, 0x00);
      },
    });
    expect(b.engine!.stats.chainedInWasm).toBeGreaterThan(100);
    expect(b.engine!.stats.blocksInvalidated).toBeGreaterThan(0);
  });
});

describe("chaining inside WebAssembly: stepping and the option", () => {
  it.each(BACKENDS)("step() still runs one block per dispatch (%s)", (backend) => {
    for (const code of [PAGES, PATCHER, FAULTER]) {
      const { b } = lockstep(code, { backend, maxSteps: 5000 });
      expect(b.engine!.stats.translatedWasm).toBeGreaterThan(0);
      expect(b.engine!.stats.chainedInWasm).toBe(0);
    }
  });

  it("wasmChain: false keeps every exit in the dispatcher", () => {
    const { b } = chainLockstep(PAGES, "wasm", { extras: () => ({ wasmChain: false }) });
    expect(b.engine!.stats.translatedWasm).toBeGreaterThan(2);
    expect(b.engine!.stats.chainedInWasm).toBe(0);
    expect(b.engine!.stats.chained).toBeGreaterThan(300);
  });

  it("past maxWasmRegions live WebAssembly regions, new regions are JavaScript (same results)", () => {
    // PAGES needs more than two regions; with room for two, the rest must run as JavaScript
    // functions, and the lock-step comparison with the interpreter must still hold.
    const { b } = chainLockstep(PAGES, "wasm", { extras: () => ({ maxWasmRegions: 2 }) });
    const st = b.engine!.stats;
    expect(st.translatedWasm).toBe(2);
    expect(st.blocksTranslated).toBeGreaterThan(2);
  });

  it("past maxWasmModules modules with a live region, new regions are JavaScript; a module whose regions all died frees its place", () => {
    // One region per module (batchSize 1) and room for one module: every later region is
    // JavaScript, while the first module's regions live (the interpreter still agrees).
    const regions = (m: Machine): Block[] => [...m.engine!.blocks()].filter((x) => x.compiled);
    const modules = (m: Machine): number =>
      new Set(regions(m).flatMap((x) => (x.wasm === null ? [] : [x.wasm]))).size;
    const one = chainLockstep(PAGES, "wasm", {
      extras: () => ({ maxWasmModules: 1, batchSize: 1 }),
    }).b;
    expect(modules(one)).toBe(1);
    expect(regions(one).some((x) => x.wasm === null)).toBe(true);
    expect(one.engine!.stats.blocksTranslated).toBeGreaterThan(1);
    // flush() kills every region: the place is free again, and later regions are WebAssembly.
    const flushed = chainLockstep(PAGES, "wasm", {
      extras: () => ({ maxWasmModules: 1, batchSize: 1 }),
      between: (m, run) => {
        if (run % 10 === 9) m.engine?.flush();
      },
    }).b;
    expect(flushed.engine!.stats.translatedWasm).toBeGreaterThan(one.engine!.stats.translatedWasm);
    expect(modules(flushed)).toBeLessThanOrEqual(1);
  });

  it("at maxHeldWasmModules modules V8 holds, the cache is dropped once and new regions are JavaScript", () => {
    // PATCHER rewrites the code of page2's region each iteration: each new translation of it is
    // a module of its own (batchSize 1), the old one held by its stale block (kept in the cache
    // for revival) until the cache drops it and V8 collects it. At 5 held the cache goes, and
    // later regions are JavaScript until V8 has collected some (nothing here forces a GC).
    const patched = chainLockstep(PATCHER, "wasm", {
      extras: () => ({ maxHeldWasmModules: 5, batchSize: 1 }),
    }).b;
    const st = patched.engine!.stats;
    // Oracle: the interpreter's run (compared after every run); every iteration saw its store.
    expect(patched.cpu.state.regs[2]).toBe(1275);
    expect(st.wasmFlushes).toBe(1);
    expect(st.wasmModules - st.wasmModulesCollected).toBeLessThanOrEqual(5);
    expect(st.blocksTranslated).toBeGreaterThan(st.translatedWasm);
    // Below the bound nothing is dropped.
    const below = chainLockstep(PATCHER, "wasm", {
      extras: () => ({ maxHeldWasmModules: 100, batchSize: 1 }),
    }).b.engine!.stats;
    expect(below.wasmFlushes).toBe(0);
    expect(below.translatedWasm).toBe(below.blocksTranslated);
  });

  it("a dead region's module is left to the collector though dead blocks stay reachable", () => {
    // PATCHER rewrites page2's region each iteration: each translation of it is a module of its
    // own (batchSize 1) that dies at the next store. Blocks that ran before it keep their links
    // to it, and each dead region kept its function, exit table and links (to the region dead
    // before it, and so on): every module made stayed reachable. Counted by V8's own heap walk
    // (`queryObjects` collects first).
    const modules = (): number => queryObjects(WASM.Module, { format: "count" }) as number;
    const before = modules();
    const { b } = chainLockstep(PATCHER, "wasm", {
      extras: () => ({ maxHeldWasmModules: 1000, batchSize: 1 }),
    });
    const held = modules() - before;
    const st = b.engine!.stats;
    expect(b.cpu.state.regs[2]).toBe(1275);
    expect(st.wasmModules).toBeGreaterThan(40);
    // The engine's own (the chain's stub and trampoline, the shared helpers: fewer than 8),
    // those with a block in the cache, and the last region entered (WasmShared.cur).
    expect(held).toBeLessThan(8 + st.wasmModulesLive + 1);
  });

  it("the js back end is unchanged (no chaining inside WebAssembly)", () => {
    const { b } = chainLockstep(PAGES, "js");
    expect(b.engine!.stats.translatedWasm).toBe(0);
    expect(b.engine!.stats.chainedInWasm).toBe(0);
  });
});

/** The host's WebAssembly.Module, for `queryObjects`. */
const WASM = (
  globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }
).WebAssembly;
