/* Native x87 oracle for the @ringvm/cpu soft-float tests.
 *
 * Reads one case per line on stdin: "<op> <cw> <a> <b>", where cw is the control word in hex
 * and a/b are 80-bit operands as 20 hex digits (sign+exponent, then the 64-bit significand);
 * 32/64/16-bit memory operands (fld32, fbld, ...) are passed in the low bits of a.
 * Writes "<r1> <r2> <sw>" per line: up to two results (80-bit, or integer/float memory images
 * zero-extended to 20 hex digits) and the status word right after the instruction.
 * Exceptions may be unmasked in cw: FNSTSW and FNCLEX run before any waiting instruction, so the
 * pending exception is recorded and then discarded instead of raising #MF. x86-64 only. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t sig; uint16_t se; } __attribute__((packed)) f80;

static f80 parse80(const char *s) {
  f80 v; char buf[8];
  memcpy(buf, s, 4); buf[4] = 0;
  unsigned se; sscanf(buf, "%x", &se); v.se = (uint16_t)se;
  unsigned long long sig; sscanf(s + 4, "%16llx", &sig); v.sig = sig;
  return v;
}

static void print80(f80 v) { printf("%04x%016llx", v.se, (unsigned long long)v.sig); }

#define PRE "fninit\n\tfldcw %[cw]\n\t"
#define POST1 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\t"
#define POST2 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfstpt %[r2]\n\t"
#define BIN(insn) asm volatile(PRE "fldt %[b]\n\tfldt %[a]\n\t" insn "\n\t" POST2 \
    : [r1] "=m"(r1), [r2] "=m"(r2), [sw] "=m"(sw) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "memory")
#define UN(insn) asm volatile(PRE "fldt %[a]\n\t" insn "\n\t" POST1 \
    : [r1] "=m"(r1), [sw] "=m"(sw) : [a] "m"(a), [cw] "m"(cw) : "memory")
#define UN2(insn) asm volatile(PRE "fldt %[a]\n\t" insn "\n\t" POST2 \
    : [r1] "=m"(r1), [r2] "=m"(r2), [sw] "=m"(sw) : [a] "m"(a), [cw] "m"(cw) : "memory")
/* st0 = a, st1 = b; instruction pops once, result (in old st1) stored to r1. */
#define POP(insn) asm volatile(PRE "fldt %[b]\n\tfldt %[a]\n\t" insn "\n\t" POST1 \
    : [r1] "=m"(r1), [sw] "=m"(sw) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "memory")
/* store st0 = a to memory m (no pop) */
#define STM(insn, mem) asm volatile(PRE "fldt %[a]\n\t" insn " %[m]\n\tfnstsw %[sw]\n\tfnclex\n\t" \
    : [m] "=m"(mem), [sw] "=m"(sw) : [a] "m"(a), [cw] "m"(cw) : "memory")
#define LDM(insn, mem) asm volatile(PRE insn " %[m]\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\t" \
    : [r1] "=m"(r1), [sw] "=m"(sw) : [m] "m"(mem), [cw] "m"(cw) : "memory")
#define CMP(insn) asm volatile(PRE "fldt %[b]\n\tfldt %[a]\n\t" insn "\n\tfnstsw %[sw]\n\tfnclex\n\t" \
    : [sw] "=m"(sw) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "memory")

int main(void) {
  char line[256], op[32], as[64], bs[64];
  unsigned cwv;
  while (fgets(line, sizeof line, stdin)) {
    if (sscanf(line, "%31s %x %63s %63s", op, &cwv, as, bs) != 4) continue;
    uint16_t cw = (uint16_t)cwv, sw = 0;
    f80 a = parse80(as), b = parse80(bs), r1 = {0, 0}, r2 = {0, 0};
    uint16_t m16 = 0; uint32_t m32 = 0; uint64_t m64 = 0; f80 m80 = {0, 0};
    if (!strcmp(op, "add")) BIN("fadd %%st(1), %%st");
    else if (!strcmp(op, "sub")) BIN("fsub %%st(1), %%st");
    else if (!strcmp(op, "mul")) BIN("fmul %%st(1), %%st");
    else if (!strcmp(op, "div")) BIN("fdiv %%st(1), %%st");
    else if (!strcmp(op, "sqrt")) UN("fsqrt");
    else if (!strcmp(op, "rndint")) UN("frndint");
    else if (!strcmp(op, "xtract")) UN2("fxtract");
    else if (!strcmp(op, "scale")) BIN("fscale");
    else if (!strcmp(op, "prem")) BIN("fprem");
    else if (!strcmp(op, "prem1")) BIN("fprem1");
    else if (!strcmp(op, "sin")) UN("fsin");
    else if (!strcmp(op, "cos")) UN("fcos");
    else if (!strcmp(op, "f2xm1")) UN("f2xm1");
    else if (!strcmp(op, "ptan")) UN2("fptan");
    else if (!strcmp(op, "sincos")) UN2("fsincos");
    else if (!strcmp(op, "patan")) POP("fpatan");
    else if (!strcmp(op, "yl2x")) POP("fyl2x");
    else if (!strcmp(op, "yl2xp1")) POP("fyl2xp1");
    else if (!strcmp(op, "com")) CMP("fcom %%st(1)");
    else if (!strcmp(op, "ucom")) CMP("fucom %%st(1)");
    else if (!strcmp(op, "tst")) CMP("ftst");
    else if (!strcmp(op, "xam")) CMP("fxam");
    else if (!strcmp(op, "xamempty")) asm volatile(PRE "fxam\n\tfnstsw %[sw]\n\t" : [sw] "=m"(sw) : [cw] "m"(cw) : "memory");
    else if (!strcmp(op, "fst32")) { STM("fsts", m32); r1.sig = m32; }
    else if (!strcmp(op, "fst64")) { STM("fstl", m64); r1.sig = m64; }
    else if (!strcmp(op, "fist16")) { STM("fists", m16); r1.sig = m16; }
    else if (!strcmp(op, "fist32")) { STM("fistl", m32); r1.sig = m32; }
    else if (!strcmp(op, "fist64")) { STM("fistpll", m64); r1.sig = m64; }
    else if (!strcmp(op, "fisttp16")) { STM("fisttps", m16); r1.sig = m16; }
    else if (!strcmp(op, "fisttp32")) { STM("fisttpl", m32); r1.sig = m32; }
    else if (!strcmp(op, "fisttp64")) { STM("fisttpll", m64); r1.sig = m64; }
    else if (!strcmp(op, "fbstp")) { STM("fbstp", m80); r1 = m80; }
    else if (!strcmp(op, "fld32")) { m32 = (uint32_t)a.sig; LDM("flds", m32); }
    else if (!strcmp(op, "fld64")) { m64 = a.sig; LDM("fldl", m64); }
    else if (!strcmp(op, "fild16")) { m16 = (uint16_t)a.sig; LDM("filds", m16); }
    else if (!strcmp(op, "fild32")) { m32 = (uint32_t)a.sig; LDM("fildl", m32); }
    else if (!strcmp(op, "fild64")) { m64 = a.sig; LDM("fildll", m64); }
    else if (!strcmp(op, "fbld")) { m80 = a; LDM("fbld", m80); }
    else { fprintf(stderr, "unknown op %s\n", op); return 2; }
    print80(r1); putchar(' '); print80(r2); printf(" %04x\n", sw);
  }
  return 0;
}
