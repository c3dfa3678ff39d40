/*
 * glibc-check smc: self-modifying and generated code as a JIT writes it, for the recompiler's
 * write watch under a real kernel: a hot function rewritten before every call and every 1000th,
 * an instruction that patches the immediate of the next one (the store must reach it), one
 * physical page mapped twice (written through one view, run through the other), mprotect
 * between writing and running, and a forked child rewriting its copy-on-write copy of code the
 * parent keeps running. The host's output is the expected one (smc-expected.txt).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint32_t (*fn_t)(uint32_t);
static void emit_const(uint8_t *p, uint32_t k) { /* mov eax, k; add eax, [esp+4]; ret */
  p[0] = 0xb8;
  memcpy(p + 1, &k, 4);
  p[5] = 0x03;
  p[6] = 0x44;
  p[7] = 0x24;
  p[8] = 0x04;
  p[9] = 0xc3;
}
int smc_main(void) {
  uint8_t *rwx =
      mmap(0, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  /* 1: rewrite a hot function's immediate every call */
  uint64_t sum = 0;
  for (uint32_t i = 0; i < 30000; i++) {
    emit_const(rwx, i * 7);
    sum += ((fn_t)rwx)(i);
  }
  printf("rewrite-every-call %llu\n", (unsigned long long)sum);
  /* 2: rewrite only every 1000th call (hot in between) */
  sum = 0;
  for (uint32_t i = 0; i < 50000; i++) {
    if (i % 1000 == 0) emit_const(rwx + 64, i);
    sum += ((fn_t)(rwx + 64))(i);
  }
  printf("rewrite-sometimes %llu\n", (unsigned long long)sum);
  /* 3: code that patches its own next instruction: mov [ecx], dl where ecx points at the
     immediate of the following 'mov eax, imm32' (the store must take effect before it runs). */
  uint8_t *p = rwx + 256;
  /* 0: mov edx, [esp+4] ; 4: mov ecx, p+12 ; 9: mov [ecx], dl ; 11: mov eax, 0x11111111 ;
     16: ret. The store at 9 writes the low byte of the immediate of the MOV right after it. */
  uint32_t target = (uint32_t)(uintptr_t)(p + 12);
  uint8_t code3[] = {0x8b, 0x54, 0x24, 0x04, 0xb9, 0,    0,    0,   0,
                     0x88, 0x11, 0xb8, 0x11, 0x11, 0x11, 0x11, 0xc3};
  memcpy(code3 + 5, &target, 4);
  memcpy(p, code3, sizeof code3);
  sum = 0;
  for (uint32_t i = 0; i < 30000; i++) sum += ((fn_t)p)(i);
  printf("patch-next-insn %llu\n", (unsigned long long)sum);
  /* 4: the same physical page mapped twice: write through one view, run the other */
  int fd = memfd_create("smc", 0);
  if (fd < 0 || ftruncate(fd, 4096) != 0) {
    perror("memfd");
    return 1;
  }
  uint8_t *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  uint8_t *x = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  sum = 0;
  for (uint32_t i = 0; i < 30000; i++) {
    if (i % 500 == 0) emit_const(w, i * 3);
    sum += ((fn_t)x)(i);
  }
  printf("alias-mapping %llu\n", (unsigned long long)sum);
  /* 5: mprotect away write, then back, between runs; and a fork whose child rewrites its copy */
  sum = 0;
  for (uint32_t i = 0; i < 2000; i++) {
    mprotect(rwx, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    emit_const(rwx + 512, i);
    mprotect(rwx, 4096, PROT_READ | PROT_EXEC);
    sum += ((fn_t)(rwx + 512))(1);
  }
  printf("mprotect %llu\n", (unsigned long long)sum);
  mprotect(rwx, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
  emit_const(rwx + 768, 1000);
  for (int k = 0; k < 5000; k++) ((fn_t)(rwx + 768))(k); /* hot in the parent */
  int pfd[2];
  if (pipe(pfd)) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    uint32_t r = 0;
    for (int k = 0; k < 5000; k++) {
      emit_const(rwx + 768, 2000 + k);
      r += ((fn_t)(rwx + 768))(0);
    }
    if (write(pfd[1], &r, 4) != 4) _exit(1);
    _exit(0);
  }
  uint32_t child = 0;
  if (read(pfd[0], &child, 4) != 4) return 1;
  uint32_t parent = 0;
  for (int k = 0; k < 5000; k++) parent += ((fn_t)(rwx + 768))(k);
  printf("fork-cow child %u parent %u\n", child, parent);
  puts("smc done");
  return 0;
}
