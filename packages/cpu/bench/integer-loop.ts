// Interpreter benchmark: a bitwise CRC32 over 64 KiB in flat 32-bit protected mode (about
// 2.75 million guest instructions per pass), reported in MIPS, with the same loop's native time
// when gcc is available. Both sides are timed in CPU time of their own process and reported as
// the median of several passes, because the build machine is shared and often heavily loaded
// (wall time and best-of-N both mislead there). Run: pnpm --filter @ringvm/cpu bench
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cpu, EAX, SegReg, StopReason } from "../src/index";
import { FlatMemory, NullPorts } from "../src/testing/index";

// mov esi,0x10000 / mov ecx,0x10000 / mov eax,-1
// outer: movzx edx,byte [esi] / xor eax,edx / mov ebx,8
// inner: shr eax,1 / jnc skip / xor eax,0xEDB88320 / skip: dec ebx / jnz inner
// inc esi / dec ecx / jnz outer / not eax / hlt
const CODE =
  "be00000100b900000100b8ffffffff0fb61631d0bb08000000d1e87305352083b8ed4b75f4464975e6f7d0f4";
const BUF = 0x10000;
const LEN = 0x10000;

function crc32(data: Uint8Array): number {
  let c = -1;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function setup(): { cpu: Cpu; mem: FlatMemory } {
  const mem = new FlatMemory(1 << 22);
  const cpu = new Cpu({ memory: mem, io: new NullPorts() });
  mem.bytes.set(Uint8Array.from(CODE.match(/../g)!.map((h) => parseInt(h, 16))), 0x1000);
  for (let i = 0; i < LEN; i++) mem.bytes[BUF + i] = (i * 7 + (i >> 8)) & 0xff;
  cpu.setControlRegister(0, 0x60000011);
  cpu.loadSegmentCache(SegReg.CS, 0x08, 0, 0xffffffff, 0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000);
  for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES]) {
    cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000);
  }
  return { cpu, mem };
}

function pass(): { mips: number; count: number } {
  const { cpu, mem } = setup();
  cpu.eip = 0x1000;
  // CPU time of this process, not wall time: the build machine is shared and often loaded.
  const t0 = process.cpuUsage();
  let stop: StopReason = StopReason.Budget;
  while (stop === StopReason.Budget) stop = cpu.run(1_000_000);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  const want = crc32(mem.bytes.subarray(BUF, BUF + LEN));
  if (stop !== StopReason.Halt || cpu.getReg32(EAX) !== want) {
    throw new Error(
      `bench: wrong result ${cpu.getReg32(EAX).toString(16)} (want ${want.toString(16)}), stop ${stop}`,
    );
  }
  return { mips: cpu.instructionCount / ms / 1000, count: cpu.instructionCount };
}

function nativeSeconds(): number | null {
  const src = `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(void) {
  unsigned char *buf = malloc(${LEN});
  for (int i = 0; i < ${LEN}; i++) buf[i] = (i * 7 + (i >> 8)) & 0xff;
  static double t[21]; unsigned r = 0;
  for (int rep = 0; rep < 21; rep++) {
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    unsigned long p = (unsigned long)buf; unsigned out;
    __asm__ volatile(
      "mov $${LEN}, %%ecx\\n mov $-1, %%eax\\n"
      "1: movzbl (%%rsi), %%edx\\n xor %%edx, %%eax\\n mov $8, %%ebx\\n"
      "2: shr $1, %%eax\\n jnc 3f\\n xor $0xEDB88320, %%eax\\n"
      "3: dec %%ebx\\n jnz 2b\\n inc %%rsi\\n dec %%ecx\\n jnz 1b\\n not %%eax\\n"
      : "=a"(out), "+S"(p) : : "rbx", "rcx", "rdx", "cc");
    r ^= out;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    t[rep] = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  }
  for (int i = 1; i < 21; i++)
    for (int j = i; j > 0 && t[j - 1] > t[j]; j--) { double x = t[j]; t[j] = t[j - 1]; t[j - 1] = x; }
  printf("%.9f %u\\n", t[10], r);
  return 0;
}`;
  try {
    const dir = mkdtempSync(join(tmpdir(), "ringvm-bench-"));
    writeFileSync(join(dir, "crc.c"), src);
    execFileSync("gcc", ["-O1", "-o", join(dir, "crc"), join(dir, "crc.c")]);
    return Number(execFileSync(join(dir, "crc")).toString().split(" ")[0]);
  } catch {
    return null;
  }
}

const PASSES = Number(process.env.PASSES ?? 9);
const rates: number[] = [];
let count = 0;
for (let i = 0; i < PASSES; i++) {
  const r = pass();
  rates.push(r.mips);
  count = r.count;
}
rates.sort((a, b) => a - b);
const median = rates[PASSES >> 1]!;
const guestSeconds = count / (median * 1e6);
console.log(
  `interpreter: ${count} guest instructions per pass, median of ${PASSES}: ${median.toFixed(1)} MIPS (range ${rates[0]!.toFixed(1)}-${rates[PASSES - 1]!.toFixed(1)})`,
);
const native = nativeSeconds();
if (native !== null) {
  console.log(
    `native (same loop, host, median of 21): ${(native * 1e3).toFixed(2)} ms; interpreter ${(guestSeconds * 1e3).toFixed(1)} ms = ${(guestSeconds / native).toFixed(0)}x slower`,
  );
}
