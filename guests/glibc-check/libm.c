/*
 * glibc-check libm: runs glibc's i386 libm (x87 code: FYL2X, F2XM1, FPATAN, FSIN, FSCALE, FPREM, ...)
 * over fixed pseudo-random operands in every rounding mode the loops below name, and either
 * records each result with the exception flags it raised (`glibc-check libm record FILE`, run natively
 * on an x86 host: the oracle) or compares a run against such a record (`glibc-check libm check FILE`,
 * run in the guest). Per function it prints how many results are bit-identical, how many are
 * within one unit in the last place, whether the flags agree, and the first difference:
 *
 *   exp      1000/1000 exact, 1000 within 1 ulp, flags 1000/1000
 *
 * One ulp is allowed for the functions built on the x87 transcendentals: those instructions are
 * not correctly rounded in hardware (SDM vol. 1 8.3.10) and Intel and AMD parts differ in the
 * last bit; everything built from IEEE operations alone (+ - * / sqrt, rounding, remainders)
 * must be bit-exact. The system test (packages/pc/test/system/glibc.test.ts) asserts both.
 * Built by guests/glibc-check/build.sh with main.c and threads.c.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 1000

static uint64_t seed = 0x2545F4914F6CDD1DULL;
static double uniform(void) { /* [0, 1) from a 64-bit LCG, 53 bits */
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(seed >> 11) * 0x1p-53;
}
static double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
/* A magnitude spread over many binades: sign * 2^[lo, hi) * [1, 2). */
static double spread(int lo, int hi, int sign) {
  double m = ldexp(1.0 + uniform(), lo + (int)(uniform() * (hi - lo)));
  return sign && uniform() < 0.5 ? -m : m;
}

static FILE *file;
static int recording;
static const char *current;
static int exact_only; /* built from IEEE operations alone: no last-bit latitude */
static int total, exact, near, flags_same, first_diff;
static char first_text[160];

static void begin(const char *name, int exact_required) {
  current = name;
  exact_only = exact_required;
  total = exact = near = flags_same = 0;
  first_diff = -1;
  feclearexcept(FE_ALL_EXCEPT);
}

/* Distance in units of the last place of the wider of two finite values of one format. */
static long double ulps(long double a, long double b, int mant_bits) {
  if (isnan(a) || isnan(b) || isinf(a) || isinf(b) || signbit(a) != signbit(b)) return INFINITY;
  long double m = fabsl(a) > fabsl(b) ? fabsl(a) : fabsl(b);
  int e;
  frexpl(m, &e);
  return fabsl(a - b) / ldexpl(1.0L, e - mant_bits);
}

/* One result: record it, or compare it (bits and flags) with the recorded one. */
static void note(const void *r, int size, long double value, int mant_bits) {
  unsigned char flags = (unsigned char)fetestexcept(FE_ALL_EXCEPT);
  unsigned char want[16] = {0}, want_flags;
  if (recording) {
    fwrite(r, 1, size, file);
    fwrite(&flags, 1, 1, file);
  } else {
    if (fread(want, 1, size, file) != (size_t)size || fread(&want_flags, 1, 1, file) != 1) {
      printf("glibc-check libm: the record ends early at %s\n", current);
      exit(1);
    }
    float wf;
    double wd;
    long double wl;
    memcpy(&wf, want, 4);
    memcpy(&wd, want, 8);
    memcpy(&wl, want, 12);
    long double w = size == 4 ? wf : size == 8 ? wd : wl;
    int same = memcmp(r, want, size) == 0;
    int rm = fegetround();
    fesetround(FE_TONEAREST);
    exact += same;
    near += same || ulps(value, w, mant_bits) <= 1;
    flags_same += flags == want_flags;
    if ((!same || flags != want_flags) && first_diff < 0) {
      first_diff = total;
      snprintf(first_text, sizeof first_text, "#%d got %La flags %02x, want %La flags %02x", total,
               value, flags, w, want_flags);
    }
    fesetround(rm);
  }
  total++;
  feclearexcept(FE_ALL_EXCEPT);
}

static void end(void) {
  if (recording) return;
  printf("%-9s %s %d/%d exact, %d within 1 ulp, flags %d/%d", current, exact_only ? "ieee" : "x87t",
         exact, total, near, flags_same, total);
  if (first_diff >= 0) printf("; first: %s", first_text);
  printf("\n");
}

#define LOOP(name, ieee, T, bits, decl, call)    \
  do {                                           \
    begin(name, ieee);                           \
    for (int i = 0; i < N; i++) {                \
      decl;                                      \
      volatile T r = call;                       \
      T v = r;                                   \
      note(&v, sizeof v > 10 ? 10 : sizeof v, v, bits); \
    }                                            \
    end();                                       \
  } while (0)
#define UNARY(fn, ieee, gen) LOOP(#fn, ieee, double, 53, volatile double x = (gen), fn(x))
#define BINARY(fn, ieee, gx, gy) \
  LOOP(#fn, ieee, double, 53, volatile double x = (gx); volatile double y = (gy), fn(x, y))
#define UNARYL(fn, ieee, gen) LOOP(#fn, ieee, long double, 64, volatile long double x = (gen), fn(x))
#define UNARYF(fn, ieee, gen) LOOP(#fn, ieee, float, 24, volatile float x = (gen), fn(x))

int libm_main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "record") != 0 && strcmp(argv[1], "check") != 0)) {
    fprintf(stderr, "usage: glibc-check libm record|check FILE\n");
    return 2;
  }
  recording = strcmp(argv[1], "record") == 0;
  file = fopen(argv[2], recording ? "wb" : "rb");
  if (!file) {
    perror(argv[2]);
    return 2;
  }
  UNARY(exp, 0, range(-700, 700));
  UNARY(exp2, 0, range(-1000, 1000));
  UNARY(expm1, 0, spread(-40, 6, 1));
  UNARY(log, 0, spread(-1000, 1000, 0));
  UNARY(log2, 0, spread(-1000, 1000, 0));
  UNARY(log10, 0, spread(-1000, 1000, 0));
  UNARY(log1p, 0, spread(-40, 10, 0));
  UNARY(sin, 0, range(-100, 100));
  UNARY(cos, 0, range(-100, 100));
  UNARY(tan, 0, range(-10, 10));
  UNARY(asin, 0, range(-1, 1));
  UNARY(acos, 0, range(-1, 1));
  UNARY(atan, 0, spread(-30, 30, 1));
  UNARY(sinh, 0, range(-700, 700));
  UNARY(cosh, 0, range(-700, 700));
  UNARY(tanh, 0, range(-20, 20));
  UNARY(asinh, 0, spread(-20, 20, 1));
  UNARY(acosh, 0, range(1, 1e6));
  UNARY(atanh, 0, range(-1, 1));
  UNARY(erf, 0, range(-6, 6));
  UNARY(lgamma, 0, range(-50, 170));
  UNARY(tgamma, 0, range(-20, 170));
  BINARY(pow, 0, spread(-10, 10, 0), range(-100, 100));
  BINARY(atan2, 0, range(-10, 10), range(-10, 10));
  UNARYL(expl, 0, range(-11000, 11000));
  UNARYL(logl, 0, spread(-16000, 16000, 0));
  UNARYL(sinl, 0, range(-1e4, 1e4));
  UNARYL(atanl, 0, spread(-60, 60, 1));
  UNARYF(expf, 0, range(-80, 80));
  UNARYF(logf, 0, spread(-120, 120, 0));
  UNARYF(sinf, 0, range(-1000, 1000));
  /* IEEE operations only: bit-exact. */
  UNARY(sqrt, 1, spread(-100, 100, 0));
  UNARY(cbrt, 1, spread(-100, 100, 1));
  UNARY(rint, 1, range(-1e6, 1e6));
  UNARY(floor, 1, range(-1e6, 1e6));
  BINARY(hypot, 1, spread(-500, 500, 1), spread(-500, 500, 1));
  BINARY(fmod, 1, spread(-50, 50, 1), spread(-50, 50, 1));
  BINARY(remainder, 1, spread(-50, 50, 1), spread(-20, 20, 1));
  UNARYL(sqrtl, 1, spread(-16000, 16000, 0));
  UNARYL(rintl, 1, range(-1e18, 1e18));
  static const int modes[] = {FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  static const char *const mode_names[] = {"down", "up", "zero"};
  for (int m = 0; m < 3; m++) {
    fesetround(modes[m]);
    char name[4][24];
    snprintf(name[0], sizeof name[0], "exp/%s", mode_names[m]);
    snprintf(name[1], sizeof name[1], "log/%s", mode_names[m]);
    snprintf(name[2], sizeof name[2], "sqrt/%s", mode_names[m]);
    snprintf(name[3], sizeof name[3], "rint/%s", mode_names[m]);
    LOOP(name[0], 0, double, 53, volatile double x = range(-700, 700), exp(x));
    LOOP(name[1], 0, double, 53, volatile double x = spread(-1000, 1000, 0), log(x));
    LOOP(name[2], 1, double, 53, volatile double x = spread(-100, 100, 0), sqrt(x));
    LOOP(name[3], 1, double, 53, volatile double x = range(-1e6, 1e6), rint(x));
  }
  fesetround(FE_TONEAREST);
  fclose(file);
  puts("libm done");
  return 0;
}
