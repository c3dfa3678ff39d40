/*
 * glibc-check threads: four POSIX threads run long x87, SSE2 and integer-SIMD chains while an
 * interval timer's SIGALRM handler (which uses the x87 and SSE registers itself) and the
 * scheduler preempt them, so each result is right only if the kernel saved and restored every
 * thread's FPU state across switches and signal frames. Then atomic and mutex counters across
 * threads, fork with a pipe and exit status, and SIGSEGV from a page fault caught and left with
 * siglongjmp. Every printed line is independent of scheduling; the host's output is the
 * expected one (threads-expected.txt, written by build.sh).
 */
#include <emmintrin.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"

#define THREADS 4
static volatile long alarms;
static long atomic_counter, locked_counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_alarm(int sig) {
  (void)sig;
  volatile long double x = 1.0L; /* clobbers x87 and XMM registers inside the handler */
  for (int i = 0; i < 50; i++) x = x * 1.0000001L + 0.5L;
  volatile __m128d z = _mm_set1_pd((double)x);
  (void)z;
  alarms++;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
  return h;
}

static void *work(void *arg) {
  int id = (int)(intptr_t)arg;
  long double acc = id + 1;
  __m128d v = _mm_set1_pd(id + 0.5);
  __m128i w = _mm_set1_epi32(id * 7919);
  for (long i = 0; i < 300000; i++) {
    acc = acc * 1.0000000001L + 0.25L;
    if (acc > 1e6L) acc = sqrtl(acc);
    v = _mm_add_pd(_mm_mul_pd(v, _mm_set1_pd(1.0000001)), _mm_set1_pd(0.125));
    w = _mm_add_epi32(_mm_xor_si128(w, _mm_slli_epi32(w, 3)), _mm_set1_epi32((int)i));
    if ((i & 4095) == 0) sched_yield();
    if ((i & 3) == 0) __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
    if ((i & 255) == 0) {
      pthread_mutex_lock(&lock);
      locked_counter++;
      pthread_mutex_unlock(&lock);
    }
  }
  double out[2];
  int32_t wi[4];
  _mm_storeu_pd(out, v);
  _mm_storeu_si128((__m128i *)wi, w);
  uint64_t h = fnv(fnv(fnv(1469598103934665603ULL, &acc, 10), out, 16), wi, 16);
  return (void *)(uintptr_t)(uint32_t)(h ^ (h >> 32));
}

int threads_main(void) {
  signal(SIGALRM, on_alarm);
  struct itimerval it = {{0, 2000}, {0, 2000}};
  setitimer(ITIMER_REAL, &it, 0);
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], 0, work, (void *)(intptr_t)i);
  for (int i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    printf("thread %d %08lx\n", i, (unsigned long)(uintptr_t)r);
  }
  memset(&it, 0, sizeof it);
  setitimer(ITIMER_REAL, &it, 0);
  printf("atomic %ld locked %ld\n", atomic_counter, locked_counter);

  int fd[2];
  if (pipe(fd) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    long double x = 3;
    for (int i = 0; i < 100000; i++) x *= 1.0000001L;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.15Lg", x);
    if (write(fd[1], buf, n) != n) _exit(1);
    _exit(7);
  }
  char buf[64] = {0};
  if (read(fd[0], buf, sizeof buf - 1) <= 0) return 1;
  int status;
  waitpid(pid, &status, 0);
  printf("child %s exit %d\n", buf, WEXITSTATUS(status));

  catch_faults();
  int faults = 0;
  for (int i = 0; i < 100; i++) {
    ON_FAULT(*(volatile int *)(uintptr_t)(16 + i * 4096) = 1) /* the unmapped first pages */
    faults++;
  }
  printf("segv caught %d\n", faults);
  puts("threads done");
  return 0;
}
