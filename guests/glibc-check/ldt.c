/*
 * glibc-check ldt: segmentation through the kernel's modify_ldt: 32-bit data segments with byte
 * limits (reads and writes at and past the limit), a read-only and an expand-down segment, far
 * calls into a 16-bit and a based 32-bit code segment and past a code limit, a not-present and
 * an out-of-table selector, the table read back, and LSL/LAR/VERR/VERW on every entry (LAR shows
 * the accessed bits the CPU set on loads). Only FS is used: glibc keeps its TLS in GS. The
 * host's output is the expected one (ldt-expected.txt).
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"

static int set_ldt(int entry, uintptr_t base, unsigned limit, int seg32, int contents, int ro,
                   int pages) {
  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = entry;
  d.base_addr = base;
  d.limit = limit;
  d.seg_32bit = seg32;
  d.contents = contents;
  d.read_exec_only = ro;
  d.limit_in_pages = pages;
  d.seg_not_present = 0;
  d.useable = 1;
  return syscall(SYS_modify_ldt, 1, &d, sizeof d);
}
#define SEL(e) (((e) << 3) | 7)
#define TRY(name, ...)                                                                    \
  do {                                                                                    \
    ON_FAULT(__VA_ARGS__)                                                                 \
    printf("%-10s sig %d trapno %d err %#x\n", name, fault_sig, fault_trapno, fault_err); \
  } while (0)
static uint32_t data[256];
int ldt_main(void) {
  setvbuf(stdout, 0, _IONBF, 0); /* a crash still shows how far it got */
  catch_faults();
  for (int i = 0; i < 256; i++) data[i] = i * 0x01010101u;
  /* 0: a 32-bit data segment over data[], byte-granular limit 1023 */
  printf("ldt0 %d\n", set_ldt(0, (uintptr_t)data, 1023, 1, 0, 0, 0));
  uint32_t v;
  __asm__ volatile("movw %w1, %%fs; movl %%fs:64, %0" : "=r"(v) : "r"(SEL(0)));
  printf("fs:64 %08x\n", v);
  __asm__ volatile("movl $0xdeadbeef, %%fs:1020" ::: "memory");
  printf("data[255] %08x\n", data[255]);
  TRY("fs-limit", __asm__ volatile("movl %%fs:1021, %0" : "=r"(v)));
  TRY("fs-limit-w", __asm__ volatile("movw $1, %%fs:1023" ::: "memory"));
  __asm__ volatile("movw %w1, %%fs; movb %%fs:1023, %b0" : "=q"(v) : "r"(SEL(0)));
  printf("fs:1023 %02x\n", v & 0xff);
  /* 1: read-only data */
  set_ldt(1, (uintptr_t)data, 1023, 1, 0, 1, 0);
  __asm__ volatile("movw %w0, %%fs" ::"r"(SEL(1)));
  TRY("gs-ro-w", __asm__ volatile("movl $1, %%fs:0" ::: "memory"));
  __asm__ volatile("movl %%fs:8, %0" : "=r"(v));
  printf("gs:8 %08x\n", v);
  /* 2: expand-down data segment: valid offsets are limit+1 .. 0xffffffff (B=1) */
  set_ldt(2, (uintptr_t)data - 0x1000, 0xfff, 1, 1, 0, 0);
  __asm__ volatile("movw %w0, %%fs" ::"r"(SEL(2)));
  __asm__ volatile("movl %%fs:0x1010, %0" : "=r"(v));
  printf("expdown:0x1010 %08x\n", v);
  TRY("expdown-low", __asm__ volatile("movl %%fs:0xffc, %0" : "=r"(v)));
  /* 3: a 16-bit code segment with code that returns AX+BX through a 32-bit far return */
  uint8_t *code =
      mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  /* 16-bit: mov ax, 0x1234 ; add ax, bx ; movzx? ; push word 0x5678 ; pop cx ; o32 retf */
  uint8_t c16[] = {0xb8, 0x34, 0x12, 0x01, 0xd8, 0x68, 0x78, 0x56, 0x59, 0x66, 0xcb};
  memcpy(code, c16, sizeof c16);
  set_ldt(3, (uintptr_t)code, 0xfff, 0, 2, 0, 0); /* contents 2 = code, 16-bit */
  struct {
    uint32_t off;
    uint16_t sel;
  } __attribute__((packed)) far = {0, SEL(3)};
  uint32_t ax, cx;
  __asm__ volatile("movl $0x10000, %%eax; movl $0x1111, %%ebx; movl $0xffff0000, %%ecx; lcall *%2"
                   : "=a"(ax), "=c"(cx)
                   : "m"(far)
                   : "ebx", "memory");
  printf("call16 eax %08x ecx %08x\n", ax, cx);
  /* 4: 32-bit code segment based at code+0x100: near jumps relative to the segment base */
  uint8_t c32[] = {0xb8, 0x78, 0x56, 0x34, 0x12, 0xcb}; /* mov eax, 0x12345678 ; retf */
  memcpy(code + 0x100, c32, sizeof c32);
  set_ldt(4, (uintptr_t)code + 0x100, 0xff, 1, 2, 0, 0);
  struct {
    uint32_t off;
    uint16_t sel;
  } __attribute__((packed)) far32 = {0, SEL(4)};
  __asm__ volatile("lcall *%1" : "=a"(ax) : "m"(far32) : "memory");
  printf("call32 eax %08x\n", ax);
  far32.off = 0x100; /* beyond the 0xff limit */
  TRY("cs-limit", __asm__ volatile("lcall *%0" ::"m"(far32) : "memory"));
  /* 5: a not-present entry */
  struct user_desc d;
  memset(&d, 0, sizeof d);
  d.entry_number = 5;
  d.base_addr = (uintptr_t)data;
  d.limit = 10;
  d.seg_32bit = 1;
  d.seg_not_present = 1;
  d.useable = 1;
  printf("ldt5 %d\n", (int)syscall(SYS_modify_ldt, 1, &d, sizeof d));
  TRY("not-present", __asm__ volatile("movw %w0, %%fs" ::"r"(SEL(5))));
  TRY("beyond-ldt", __asm__ volatile("movw %w0, %%fs" ::"r"(SEL(100))));
  /* read back the LDT */
  uint8_t ldt[8 * 6];
  long n = syscall(SYS_modify_ldt, 0, ldt, sizeof ldt);
  printf("read-ldt %ld bytes\n", n);
  for (int e = 0; e * 8 + 8 <= n; e++) { /* the bases vary with ASLR: limits, types and flags */
    uint32_t lo, hi;
    memcpy(&lo, ldt + e * 8, 4);
    memcpy(&hi, ldt + e * 8 + 4, 4);
    printf("ldt %d %04x %08x\n", e, lo & 0xffff, hi & 0x00f0ff00);
  }
  /* lsl / lar / verr / verw on the LDT selectors */
  for (int e = 0; e < 6; e++) {
    uint32_t lim = 0, ar = 0;
    uint8_t zl = 0, za = 0, zr = 0, zw = 0;
    __asm__ volatile("lsll %2, %0; setz %1" : "+r"(lim), "=q"(zl) : "r"(SEL(e)));
    __asm__ volatile("larl %2, %0; setz %1" : "+r"(ar), "=q"(za) : "r"(SEL(e)));
    __asm__ volatile("verr %w1; setz %0" : "=q"(zr) : "r"(SEL(e)));
    __asm__ volatile("verw %w1; setz %0" : "=q"(zw) : "r"(SEL(e)));
    printf("sel %d lsl %d %08x lar %d %08x verr %d verw %d\n", e, zl, zl ? lim : 0, za, za ? ar : 0,
           zr, zw);
  }
  puts("ldt done");
  return 0;
}
