/* Native oracle for the x87/MMX/SSE handlers: runs one instruction per record on the host CPU.
 * Build: gcc -O1 -mno-red-zone -o simdrun simdrun.c   (x86-64; see gen-vectors.ts)
 * Each 624-byte record on stdin is: FXSAVE image (512), data memory (64), instruction bytes (16,
 * padded with NOPs), eax, ecx, ebx, eflags, codelen, fault, fault_mxcsr, pad (u32 each). The
 * harness loads the state with FXRSTOR, EAX/ECX/EBX and the arithmetic flags, points RDX and RDI
 * at the memory, executes the bytes (no REX prefixes, so they mean the same in 32-bit mode),
 * stores the state back (FXSAVE, registers, flags) and writes the record to stdout. A SIMD
 * exception (#XM -> SIGFPE) sets fault=1 and records MXCSR at the fault. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

typedef struct {
  uint8_t fx[512];
  uint8_t mem[64];
  uint8_t code[16];
  uint32_t eax, ecx, ebx, eflags, codelen, fault, fmxcsr, pad;
} Rec;

__attribute__((used, aligned(64))) Rec cur;
static uint8_t *codebuf;
__attribute__((used)) void *codeptr;
static sigjmp_buf jb;
static volatile uint32_t fmx;

static void onfpe(int sig, siginfo_t *si, void *ucv) {
  (void)sig;
  (void)si;
  ucontext_t *uc = (ucontext_t *)ucv;
  fmx = uc->uc_mcontext.fpregs->mxcsr;
  siglongjmp(jb, 1);
}

static void run(void) {
  __asm__ volatile(
      "push %%rbx\n\t"
      "lea cur(%%rip), %%rsi\n\t"
      "fxrstor (%%rsi)\n\t"
      "mov 604(%%rsi), %%eax\n\t"
      "push %%rax\n\t"
      "popfq\n\t"
      "lea 512(%%rsi), %%rdx\n\t"
      "lea 512(%%rsi), %%rdi\n\t"
      "mov 592(%%rsi), %%eax\n\t"
      "mov 596(%%rsi), %%ecx\n\t"
      "mov 600(%%rsi), %%ebx\n\t"
      "call *codeptr(%%rip)\n\t"
      "lea cur(%%rip), %%rsi\n\t"
      "mov %%eax, 592(%%rsi)\n\t"
      "mov %%ecx, 596(%%rsi)\n\t"
      "mov %%ebx, 600(%%rsi)\n\t"
      "pushfq\n\t"
      "pop %%rax\n\t"
      "mov %%eax, 604(%%rsi)\n\t"
      "fxsave (%%rsi)\n\t"
      "fninit\n\t"
      "pop %%rbx\n\t"
      :
      :
      : "rax", "rcx", "rdx", "rsi", "rdi", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3",
        "xmm4", "xmm5", "xmm6", "xmm7", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",
        "st(6)", "st(7)");
}

int main(void) {
  codebuf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (codebuf == MAP_FAILED) return 1;
  codeptr = codebuf;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = onfpe;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGFPE, &sa, NULL);
  while (fread(&cur, sizeof cur, 1, stdin) == 1) {
    memset(codebuf, 0x90, 32);
    memcpy(codebuf, cur.code, cur.codelen);
    codebuf[cur.codelen] = 0xc3;
    cur.fault = 0;
    cur.fmxcsr = 0;
    if (sigsetjmp(jb, 1) == 0) {
      run();
    } else {
      cur.fault = 1;
      cur.fmxcsr = fmx;
    }
    fwrite(&cur, sizeof cur, 1, stdout);
  }
  return 0;
}
