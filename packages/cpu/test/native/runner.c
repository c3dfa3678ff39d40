/* Native oracle for the RingVM integer interpreter: runs each case's instruction bytes on the
 * host CPU (gcc -m32) and records the final registers, EFLAGS and a 64-byte data window.
 * Input (stdin): u32 count, then per case: u8 len, len code bytes, u32 regs[8], u32 eflags,
 * u8 mem[64]. Output (stdout): per case u8 status (0 ok, else the signal), u32 regs[8],
 * u32 eflags, u8 mem[64]. Built and driven by gen.py. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define DATA_ADDR 0x20000000u

uint32_t in_regs[8], in_flags, out_regs[8], out_flags;
uint64_t saved_rsp, flags64;
void *code_ptr;
void run_case(void);
/* The host kernel runs no 32-bit processes (no IA-32 emulation), so the cases run in 64-bit
 * mode, assembled for it; the recorded 32-bit encodings have the same semantics for every form
 * gen.py emits (8/16/32-bit operands, 32-bit addresses below 4 GiB). */
__asm__(
    ".text\n.globl run_case\nrun_case:\n"
    "pushq %rbp\npushq %rbx\npushq %r12\npushq %r13\npushq %r14\npushq %r15\n"
    "movq %rsp, saved_rsp(%rip)\n"
    "movl in_flags(%rip), %eax\nmovq %rax, flags64(%rip)\npushq flags64(%rip)\npopfq\n"
    "movl in_regs+0(%rip), %eax\nmovl in_regs+4(%rip), %ecx\nmovl in_regs+8(%rip), %edx\n"
    "movl in_regs+12(%rip), %ebx\nmovl in_regs+20(%rip), %ebp\nmovl in_regs+24(%rip), %esi\n"
    "movl in_regs+28(%rip), %edi\n"
    "call *code_ptr(%rip)\n"
    "movl %eax, out_regs+0(%rip)\nmovl %ecx, out_regs+4(%rip)\nmovl %edx, out_regs+8(%rip)\n"
    "movl %ebx, out_regs+12(%rip)\nmovl %esp, out_regs+16(%rip)\nmovl %ebp, out_regs+20(%rip)\n"
    "movl %esi, out_regs+24(%rip)\nmovl %edi, out_regs+28(%rip)\n"
    "pushfq\npopq flags64(%rip)\ncld\nmovl flags64(%rip), %eax\nmovl %eax, out_flags(%rip)\n"
    "movq saved_rsp(%rip), %rsp\n"
    "popq %r15\npopq %r14\npopq %r13\npopq %r12\npopq %rbx\npopq %rbp\nret\n");

static sigjmp_buf jb;
static void onsig(int sig) { siglongjmp(jb, sig); }

int main(void) {
  uint8_t *data = mmap((void *)DATA_ADDR, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data != (uint8_t *)DATA_ADDR || code == MAP_FAILED) return 2;
  signal(SIGFPE, onsig);
  signal(SIGSEGV, onsig);
  signal(SIGILL, onsig);
  signal(SIGBUS, onsig);
  uint32_t n;
  if (fread(&n, 4, 1, stdin) != 1) return 3;
  for (uint32_t c = 0; c < n; c++) {
    uint8_t len;
    uint8_t bytes[32];
    if (fread(&len, 1, 1, stdin) != 1 || fread(bytes, 1, len, stdin) != len) return 4;
    if (fread(in_regs, 4, 8, stdin) != 8 || fread(&in_flags, 4, 1, stdin) != 1) return 5;
    if (fread(data, 1, 64, stdin) != 64) return 6;
    memcpy(code, bytes, len);
    code[len] = 0xc3;
    code_ptr = code;
    uint8_t status = (uint8_t)sigsetjmp(jb, 1);
    if (status == 0) run_case();
    fwrite(&status, 1, 1, stdout);
    fwrite(out_regs, 4, 8, stdout);
    fwrite(&out_flags, 4, 1, stdout);
    fwrite(data, 1, 64, stdout);
  }
  return 0;
}
