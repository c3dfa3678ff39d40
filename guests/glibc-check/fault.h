/*
 * Catching a CPU exception's signal in the checks (traps.c, ldt.c, threads.c): the handler
 * records the signal, si_code, and the trap number and error code the kernel took from the CPU,
 * then returns to the ON_FAULT that ran the statements.
 */
#ifndef GLIBC_CHECK_FAULT_H
#define GLIBC_CHECK_FAULT_H
#include <setjmp.h>

extern sigjmp_buf fault_jump;
extern volatile int fault_sig, fault_code;
extern volatile unsigned fault_trapno, fault_err;

/* Sends SIGILL, SIGTRAP, SIGSEGV, SIGBUS and SIGFPE to the recording handler. */
void catch_faults(void);

/*
 * ON_FAULT(statements) handler-statement: runs the statements, and the statement after the
 * macro only when one of them faulted (the macro ends in `else`).
 */
#define ON_FAULT(...)                  \
  fault_sig = 0;                       \
  if (sigsetjmp(fault_jump, 1) == 0) { \
    __VA_ARGS__;                       \
  } else

#endif
