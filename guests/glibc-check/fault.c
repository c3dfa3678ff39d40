/* The recording handler of fault.h. */
#define _GNU_SOURCE
#include "fault.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>

sigjmp_buf fault_jump;
volatile int fault_sig, fault_code;
volatile unsigned fault_trapno, fault_err;

static void on_fault(int sig, siginfo_t *si, void *context) {
  ucontext_t *uc = context;
  fault_sig = sig;
  fault_code = si->si_code;
  fault_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
  fault_err = uc->uc_mcontext.gregs[REG_ERR];
  siglongjmp(fault_jump, 1);
}

void catch_faults(void) {
  static const int signals[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &sa, 0);
}
