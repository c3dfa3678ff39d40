// Interpreter benchmark (issue #5): fixed guest loops in 32-bit protected mode WITH PAGING ON,
// run through the board's real memory path (`Mmu` + `PhysicalSpace` of @ringvm/memory, wired
// as packages/pc wires them: the MMU is the CPU's memory and code translator, the physical
// space its code-page watch), reported in MIPS next to the same loops' native time.
//
// Two loops, so the number is not one loop's artefact:
// - crc32: a bitwise CRC32 over 64 KiB (2.75 M guest instructions; register ALU and branches,
//   one byte load per 8 inner iterations);
// - sieve: the sieve of Eratosthenes over 256 KiB of byte flags, then a count of the primes
//   (about 2.8 M guest instructions; a byte load or store in every other instruction).
// Page tables identity-map the first 8 MiB with 4 KiB pages (two page tables, CR0.PG=1).
// One machine per loop runs it PASSES times (input re-initialized each time; a fresh machine
// per pass measured mostly V8 re-optimizing for the new objects). Both sides are timed in CPU
// time of their own process and reported as the median of the passes, because the build
// machine is shared (wall time and best-of-N both mislead).
// Run: pnpm --filter @ringvm/cpu bench   (PASSES=n, LOOPS=crc32,sieve)
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Mmu, PhysicalSpace } from "@ringvm/memory";
import { Cpu, EAX, SegReg, StopReason } from "../src/index";
import { NullPorts } from "../src/testing/index";

interface Loop {
  name: string;
  /** Guest code (32-bit), loaded at CODE_AT; ends with HLT, result in EAX. */
  code: string;
  /** Fills the loop's input in guest-physical RAM (identity-mapped). */
  init(ram: Uint8Array): void;
  /** The expected EAX, computed here in plain JS. */
  expected(): number;
  /** The same loop as x86-64 inline assembly (32-bit operands), for the native time. */
  nativeInit: string;
  nativeAsm: string;
}

const CODE_AT = 0x1000;
const PAGE_DIR = 0x80_0000;
const RAM_SIZE = 16 << 20;

const CRC_BUF = 0x10000;
const CRC_LEN = 0x10000;
const crcData = (i: number): number => (i * 7 + (i >> 8)) & 0xff;

const SIEVE_BUF = 0x10_0000;
const SIEVE_N = 0x40000;

const LOOPS: Loop[] = [
  {
    name: "crc32",
    // mov esi,0x10000 / mov ecx,0x10000 / mov eax,-1
    // outer: movzx edx,byte [esi] / xor eax,edx / mov ebx,8
    // inner: shr eax,1 / jnc skip / xor eax,0xEDB88320 / skip: dec ebx / jnz inner
    // inc esi / dec ecx / jnz outer / not eax / hlt
    code: "be00000100b900000100b8ffffffff0fb61631d0bb08000000d1e87305352083b8ed4b75f4464975e6f7d0f4",
    init(ram) {
      for (let i = 0; i < CRC_LEN; i++) ram[CRC_BUF + i] = crcData(i);
    },
    expected() {
      let c = -1;
      for (let i = 0; i < CRC_LEN; i++) {
        c ^= crcData(i);
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return ~c >>> 0;
    },
    nativeInit: `for (int i = 0; i < ${CRC_LEN}; i++) buf[i] = (i * 7 + (i >> 8)) & 0xff;`,
    nativeAsm:
      `"mov $${CRC_LEN}, %%ecx\\n mov $-1, %%eax\\n"` +
      `"1: movzbl (%%rsi), %%edx\\n xor %%edx, %%eax\\n mov $8, %%ebx\\n"` +
      `"2: shr $1, %%eax\\n jnc 3f\\n xor $0xEDB88320, %%eax\\n"` +
      `"3: dec %%ebx\\n jnz 2b\\n inc %%rsi\\n dec %%ecx\\n jnz 1b\\n not %%eax\\n"` +
      `: "=a"(out), "+S"(p) : : "rbx", "rcx", "rdx", "cc", "memory"`,
  },
  {
    name: "sieve",
    // Flags at 0x100000 (1 MiB), zero at start; the marking stops once i*i >= N.
    // mov ebx,0x100000 / mov edx,2
    // outer: cmp byte [ebx+edx],0 / jne next / mov eax,edx / imul eax,edx / cmp eax,N / jae count
    // mark: mov byte [ebx+eax],1 / add eax,edx / cmp eax,N / jb mark
    // next: inc edx / cmp edx,N / jb outer
    // count: xor eax,eax / mov edx,2
    // cnt: movzx ecx,byte [ebx+edx] / xor ecx,1 / add eax,ecx / inc edx / cmp edx,N / jb cnt / hlt
    code:
      "bb00001000ba02000000803c1300751989d00fafc23d000004007316c604030101d03d0000040072f3" +
      "4281fa0000040072d831c0ba020000000fb60c1383f10101c84281fa0000040072eef4",
    init(ram) {
      ram.fill(0, SIEVE_BUF, SIEVE_BUF + SIEVE_N);
    },
    expected() {
      const flags = new Uint8Array(SIEVE_N);
      let count = 0;
      for (let i = 2; i < SIEVE_N; i++) {
        if (flags[i] !== 0) continue;
        count++;
        for (let j = i * i; j < SIEVE_N; j += i) flags[j] = 1;
      }
      return count;
    },
    nativeInit: `memset(buf, 0, ${SIEVE_N});`,
    nativeAsm:
      `"mov $2, %%edx\\n"` +
      `"1: cmpb $0, (%%rsi,%%rdx)\\n jne 3f\\n mov %%edx, %%eax\\n imul %%edx, %%eax\\n cmp $${SIEVE_N}, %%eax\\n jae 5f\\n"` +
      `"2: movb $1, (%%rsi,%%rax)\\n add %%edx, %%eax\\n cmp $${SIEVE_N}, %%eax\\n jb 2b\\n"` +
      `"3: inc %%edx\\n cmp $${SIEVE_N}, %%edx\\n jb 1b\\n"` +
      `"5: xor %%eax, %%eax\\n mov $2, %%edx\\n"` +
      `"4: movzbl (%%rsi,%%rdx), %%ecx\\n xor $1, %%ecx\\n add %%ecx, %%eax\\n inc %%edx\\n cmp $${SIEVE_N}, %%edx\\n jb 4b\\n"` +
      `: "=a"(out), "+S"(p) : : "rcx", "rdx", "cc", "memory"`,
  },
];

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

interface Machine {
  cpu: Cpu;
  ram: Uint8Array;
}

/** A machine as the board builds it, paging on, with `loop`'s code loaded. */
function setup(loop: Loop): Machine {
  const physical = new PhysicalSpace({ ramSize: RAM_SIZE });
  const mmu = new Mmu(physical);
  const cpu = new Cpu({
    memory: mmu,
    io: new NullPorts(),
    codeTranslator: mmu,
    codePages: physical,
  });
  const ram = physical.u8;
  ram.set(hex(loop.code), CODE_AT);
  // Identity map of 0-8 MiB: PDEs 0 and 1 -> page tables at PAGE_DIR + 4 KiB and + 8 KiB.
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  for (let t = 0; t < 2; t++) {
    const table = PAGE_DIR + 0x1000 * (t + 1);
    dv.setUint32(PAGE_DIR + t * 4, table | 0x3, true); // present, writable, supervisor
    for (let e = 0; e < 1024; e++) dv.setUint32(table + e * 4, ((t * 1024 + e) << 12) | 0x3, true);
  }
  cpu.setControlRegister(0, 0x60000011);
  cpu.loadSegmentCache(SegReg.CS, 0x08, 0, 0xffffffff, 0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000);
  for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES]) {
    cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000);
  }
  cpu.setControlRegister(3, PAGE_DIR);
  cpu.setControlRegister(0, 0x80000011); // PG | ET | PE
  return { cpu, ram };
}

/** One pass of `loop` on `machine` (its input re-initialized, EIP at the loop's start). */
function pass(loop: Loop, machine: Machine): { mips: number; count: number } {
  const { cpu, ram } = machine;
  loop.init(ram);
  cpu.state.halted = false;
  cpu.eip = CODE_AT;
  const before = cpu.instructionCount;
  // CPU time of this process, not wall time: the build machine is shared and often loaded.
  const t0 = process.cpuUsage();
  let stop: StopReason = StopReason.Budget;
  while (stop === StopReason.Budget) stop = cpu.run(1_000_000);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  const want = loop.expected();
  if (stop !== StopReason.Halt || cpu.getReg32(EAX) !== want) {
    throw new Error(
      `bench ${loop.name}: wrong result ${cpu.getReg32(EAX).toString(16)} (want ${want.toString(16)}), stop ${stop}`,
    );
  }
  const count = cpu.instructionCount - before;
  return { mips: count / ms / 1000, count };
}

/** Native seconds per loop (median of 21 runs each), or null without gcc. */
function nativeSeconds(loops: Loop[]): number[] | null {
  const bodies = loops
    .map(
      (loop, n) => `
  for (int rep = 0; rep < 21; rep++) {
    ${loop.nativeInit}
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    unsigned long p = (unsigned long)buf; unsigned out;
    __asm__ volatile(${loop.nativeAsm});
    r ^= out;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    t[rep] = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  }
  printf("%.9f ", median(t)); (void)${n};`,
    )
    .join("\n");
  const src = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double median(double *t) {
  for (int i = 1; i < 21; i++)
    for (int j = i; j > 0 && t[j - 1] > t[j]; j--) { double x = t[j]; t[j] = t[j - 1]; t[j - 1] = x; }
  return t[10];
}
int main(void) {
  unsigned char *buf = malloc(1 << 20);
  static double t[21]; unsigned r = 0;
${bodies}
  printf("%u\\n", r);
  return 0;
}`;
  try {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-bench-"));
    writeFileSync(join(dir, "loops.c"), src);
    execFileSync("gcc", ["-O1", "-o", join(dir, "loops"), join(dir, "loops.c")]);
    const out = execFileSync(join(dir, "loops")).toString().trim().split(" ");
    return loops.map((_, n) => Number(out[n]));
  } catch {
    return null;
  }
}

const PASSES = Number(process.env.PASSES ?? 9);
const wanted = (process.env.LOOPS ?? "crc32,sieve").split(",");
const loops = LOOPS.filter((l) => wanted.includes(l.name));
const results: { median: number; min: number; max: number; count: number }[] = [];
for (const loop of loops) {
  // One machine per loop, as a board runs one CPU: every pass runs the same code again.
  const machine = setup(loop);
  const rates: number[] = [];
  let count = 0;
  for (let i = 0; i < PASSES; i++) {
    const r = pass(loop, machine);
    rates.push(r.mips);
    if (process.env.TRACE) console.log(loop.name, i, r.mips.toFixed(1));
    count = r.count;
  }
  rates.sort((a, b) => a - b);
  results.push({ median: rates[PASSES >> 1]!, min: rates[0]!, max: rates[PASSES - 1]!, count });
}
const native = nativeSeconds(loops);
loops.forEach((loop, n) => {
  const r = results[n]!;
  const guestSeconds = r.count / (r.median * 1e6);
  let line = `${loop.name} (paging on): ${r.count} guest instructions per pass, median of ${PASSES}: ${r.median.toFixed(1)} MIPS (range ${r.min.toFixed(1)}-${r.max.toFixed(1)})`;
  if (native !== null) {
    const ns = native[n]!;
    line += `; native ${(ns * 1e3).toFixed(2)} ms (median of 21), interpreter ${(guestSeconds * 1e3).toFixed(1)} ms = ${(guestSeconds / ns).toFixed(0)}x native`;
  }
  console.log(line);
});
