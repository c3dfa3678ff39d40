/*
 * glibc-check: real glibc code (Debian's static i386 glibc, built by a CET-enabled gcc, so
 * ENDBR32 opens every function) for the guest to run against the same binary on the host CPU.
 *   glibc-check libm record|check FILE  libm results and exception flags (libm.c)
 *   glibc-check threads                  threads, signals, fork and faults (threads.c)
 *   glibc-check traps                    CPU exceptions as user-mode signals (traps.c)
 *   glibc-check smc                      self-modifying and generated code (smc.c)
 *   glibc-check ldt                      LDT segments, far calls, LAR/LSL/VERR/VERW (ldt.c)
 * MIT like RingVM; built by build.sh.
 */
#include <stdio.h>
#include <string.h>

int libm_main(int argc, char **argv);
int threads_main(void);
int traps_main(void);
int smc_main(void);
int ldt_main(void);

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "libm") == 0) return libm_main(argc - 1, argv + 1);
  if (argc == 2 && strcmp(argv[1], "threads") == 0) return threads_main();
  if (argc == 2 && strcmp(argv[1], "traps") == 0) return traps_main();
  if (argc == 2 && strcmp(argv[1], "smc") == 0) return smc_main();
  if (argc == 2 && strcmp(argv[1], "ldt") == 0) return ldt_main();
  fprintf(stderr, "usage: glibc-check libm record|check FILE | glibc-check threads | glibc-check traps | glibc-check smc | glibc-check ldt\n");
  return 2;
}
