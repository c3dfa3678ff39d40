/*
 * glibc-check traps: CPU exceptions in user mode as the process sees them: for each faulting
 * instruction, the signal, si_code and the trap number and error code the kernel took from the
 * CPU (ucontext). Covers #UD, #BP, #GP from privileged and IOPL-sensitive instructions and from
 * segment loads, #DE, #OF, #BR, #PF for reads, writes and fetches, #MF (x87 divide by zero and
 * stack fault, unmasked) and #XM (SSE, unmasked), and the trap flag's #DB. The host's output is
 * the expected one (traps-expected.txt). The fetch fault's I/D bit (error code bit 4) exists only
 * with NX paging, which the host has and the default guest's non-PAE kernel has not, so it is
 * not printed.
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <emmintrin.h>

#include "fault.h"

static void report(const char *name) {
  printf("%-8s sig %d code %d trapno %u err %#x\n", name, fault_sig, fault_code, fault_trapno,
         fault_trapno == 14 ? fault_err & ~0x10u : fault_err);
}

#define TRY(name, ...)                                         \
  do {                                                         \
    ON_FAULT(__VA_ARGS__; printf("%-8s no signal\n", name)) \
    report(name);                                              \
  } while (0)

static volatile double zero = 0.0, one = 1.0;
static char buf[64] __attribute__((aligned(16)));
static int32_t bounds[2] = {0, 10};
static volatile uintptr_t unmapped = 0x1000; /* the first pages are never mapped */

int traps_main(void) {
  catch_faults();
  TRY("ud2", __asm__ volatile("ud2"));
  TRY("int3", __asm__ volatile("int3"));
  TRY("hlt", __asm__ volatile("hlt"));
  TRY("cli", __asm__ volatile("cli"));
  TRY("in", __asm__ volatile("inb $0x60, %%al" ::: "eax"));
  TRY("out", __asm__ volatile("outb %%al, $0x80" ::"a"(0)));
  TRY("wrmsr", __asm__ volatile("wrmsr" ::"c"(0x10), "a"(0), "d"(0)));
  TRY("mov-cr", { unsigned v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); });
  TRY("int0x81", __asm__ volatile("int $0x81"));
  TRY("div0", {
    volatile int a = 5, b = 0;
    __asm__ volatile("cltd; idivl %1" : "+a"(a) : "r"(b) : "edx");
  });
  TRY("divovf", {
    volatile int a = INT32_MIN, b = -1;
    __asm__ volatile("cltd; idivl %1" : "+a"(a) : "r"(b) : "edx");
  });
  TRY("into", __asm__ volatile("movl $0x7fffffff, %%eax; addl $1, %%eax; into" ::: "eax", "cc"));
  TRY("bound", {
    int32_t idx = 20;
    __asm__ volatile("boundl %0, %1" ::"r"(idx), "m"(bounds));
  });
  TRY("movaps", {
    __m128 x;
    __asm__ volatile("movaps 4(%1), %0" : "=x"(x) : "r"(buf));
    (void)x;
  });
  TRY("seg-fs", __asm__ volatile("movw $0x1234, %%ax; movw %%ax, %%fs" ::: "eax"));
  TRY("segv-r", { volatile int x = *(volatile int *)(unmapped + 8); (void)x; });
  TRY("segv-w", { *(volatile int *)unmapped = 1; });
  TRY("segv-x", {
    void (*f)(void) = (void (*)(void))unmapped;
    f();
  });
  feenableexcept(FE_DIVBYZERO | FE_INVALID | FE_OVERFLOW);
  TRY("x87div0", {
    volatile long double r;
    __asm__ volatile("fldl %1; fdivl %2; fstpt %0; fwait" : "=m"(r) : "m"(one), "m"(zero));
  });
  /* A handler left by siglongjmp keeps the FPU state the kernel gave it (the defaults). */
  __asm__ volatile("fninit");
  feenableexcept(FE_DIVBYZERO | FE_INVALID | FE_OVERFLOW);
  TRY("ssediv0", {
    __m128d r = _mm_div_sd(_mm_set_sd(one), _mm_set_sd(zero));
    volatile double d = _mm_cvtsd_f64(r);
    (void)d;
  });
  TRY("x87stk", {
    static const unsigned short cw = 0x37e; /* IM unmasked */
    __asm__ volatile("fninit; fldcw %0; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fwait" ::"m"(cw));
  });
  __asm__ volatile("fninit");
  TRY("tf", __asm__ volatile("pushfl; orl $0x100, (%%esp); popfl; nop; nop" ::: "cc"));
  puts("traps done");
  return 0;
}
