/* Floating-point and SIMD kernels compiled by gcc (-m32) both as a freestanding guest image and as
 * a host program; the guest's result buffer must equal the host's (see build.sh). */
#include <stdint.h>
#include <emmintrin.h>
#include <mmintrin.h>
#include <pmmintrin.h>
#include <tmmintrin.h>

#define N 64
uint8_t out[4096] __attribute__((aligned(16)));
static unsigned pos;

static void put(const void *p, unsigned n) {
  const uint8_t *b = (const uint8_t *)p;
  for (unsigned i = 0; i < n; i++) out[pos++] = b[i];
}

static uint32_t seed = 12345;
static uint32_t rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

static float fa[N] __attribute__((aligned(16))), fb[N] __attribute__((aligned(16)));
static double da[N], db[N];
static uint8_t ba[N] __attribute__((aligned(16))), bb[N] __attribute__((aligned(16)));
static int16_t wa[N] __attribute__((aligned(16)));

__attribute__((noinline)) static float dot(const float *a, const float *b, int n) {
  float s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

__attribute__((noinline)) static void saxpy(float *y, const float *x, float k, int n) {
  for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i];
}

__attribute__((noinline)) static double dmath(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    double q = a[i] / (b[i] == 0 ? 1.0 : b[i]);
    s += __builtin_sqrt(q < 0 ? -q : q) + (double)(int)(q * 1000.0) / 7.0;
  }
  return s;
}

__attribute__((noinline)) static long double x87math(const double *a, int n) {
  long double s = 1.0L;
  for (int i = 0; i < n; i++) {
    long double v = (long double)a[i];
    s = s * 0.75L + v / 3.0L;
    if (s > 1e300L || s < -1e300L) s = 1.0L;
  }
  return s;
}

__attribute__((noinline)) static int32_t x87int(const double *a, int n) {
  int32_t t = 0;
  for (int i = 0; i < n; i++) t += (int32_t)(long long)(a[i] * 16.0L);
  return t;
}

__attribute__((noinline)) static void simdint(void) {
  __m128i acc = _mm_setzero_si128();
  for (int i = 0; i < N; i += 16) {
    __m128i x = _mm_load_si128((const __m128i *)(ba + i));
    __m128i y = _mm_load_si128((const __m128i *)(bb + i));
    __m128i s = _mm_adds_epu8(x, y);
    __m128i m = _mm_maddubs_epi16(x, y);
    __m128i h = _mm_hadd_epi16(m, s);
    __m128i sh = _mm_shuffle_epi8(h, y);
    __m128i al = _mm_alignr_epi8(sh, x, 5);
    acc = _mm_xor_si128(_mm_add_epi32(acc, _mm_madd_epi16(al, m)), _mm_sad_epu8(x, y));
    acc = _mm_sub_epi64(acc, _mm_srli_epi64(_mm_mul_epu32(x, y), 3));
    acc = _mm_packs_epi32(_mm_abs_epi32(acc), _mm_sign_epi16(acc, s));
  }
  put(&acc, 16);
  int mask = _mm_movemask_epi8(acc);
  put(&mask, 4);
}

__attribute__((noinline)) static void simdfp(void) {
  __m128 a = _mm_load_ps(fa), b = _mm_load_ps(fb);
  __m128 r = _mm_hadd_ps(_mm_mul_ps(a, b), _mm_addsub_ps(a, b));
  r = _mm_add_ps(r, _mm_sqrt_ps(_mm_andnot_ps(_mm_set1_ps(-0.0f), b)));
  r = _mm_max_ps(_mm_min_ps(r, a), _mm_cmplt_ps(a, b));
  put(&r, 16);
  __m128d d = _mm_loadu_pd(da), e = _mm_loadu_pd(db);
  __m128d q = _mm_hsub_pd(_mm_div_pd(d, _mm_add_pd(e, _mm_set1_pd(1e-3))), _mm_movedup_pd(d));
  put(&q, 16);
  __m128i c = _mm_cvttps_epi32(_mm_mul_ps(a, _mm_set1_ps(1000.0f)));
  put(&c, 16);
  __m128 f = _mm_cvtpd_ps(q);
  put(&f, 16);
  int ci = _mm_cvtsd_si32(q) + _mm_comilt_ss(a, b) + _mm_ucomige_sd(d, e);
  put(&ci, 4);
  uint32_t csr = _mm_getcsr() & 0xffc0; /* exception flags differ with earlier host activity */
  put(&csr, 4);
}

__attribute__((noinline)) static void mmx(void) {
  __m64 x = _mm_set_pi16(wa[0], wa[1], wa[2], wa[3]);
  __m64 y = _mm_set_pi16(wa[4], wa[5], wa[6], wa[7]);
  __m64 r = _mm_adds_pi16(_mm_mulhi_pi16(x, y), _mm_unpacklo_pi8(x, y));
  r = _mm_xor_si64(r, _mm_slli_pi32(_mm_madd_pi16(x, y), 3));
  r = _mm_packs_pi16(r, _mm_cmpgt_pi16(x, y));
  __m64 v = r;
  put(&v, 8);
  _mm_empty();
}

void kernels(void) {
  for (int i = 0; i < N; i++) {
    fa[i] = (float)(int32_t)rnd() / 65536.0f;
    fb[i] = (float)(rnd() & 0xffff) / 1024.0f - 30.0f;
    da[i] = (double)(int32_t)rnd() / 3.0;
    db[i] = (double)(int32_t)rnd() / 1e6;
    ba[i] = (uint8_t)rnd();
    bb[i] = (uint8_t)rnd();
    wa[i] = (int16_t)rnd();
  }
  float d = dot(fa, fb, N);
  put(&d, 4);
  saxpy(fa, fb, 0.3f, N);
  put(fa, 4 * 8);
  double m = dmath(da, db, N);
  put(&m, 8);
  long double x = x87math(da, N);
  put(&x, 10);
  int32_t xi = x87int(da, N);
  put(&xi, 4);
  simdint();
  simdfp();
  mmx();
}
