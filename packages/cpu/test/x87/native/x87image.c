/* Native oracle for the x87 state images: per stdin line "<cw> <k> <free> <v1> ... <vk>"
 * (hex cw, k pushes of 80-bit values, then FFREE ST(free) when free < 8) it prints the FXSAVE
 * bytes 0-159, the FNSTENV (32-bit protected format) image and the FNSAVE image, in that order
 * (FNSTENV masks all exceptions before FNSAVE runs). x86-64 only. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t sig; uint16_t se; } __attribute__((packed)) f80;

int main(void) {
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    unsigned cwv, k, fr; int pos = 0, n;
    if (sscanf(line, "%x %u %u%n", &cwv, &k, &fr, &n) != 3) continue;
    pos = n;
    f80 v[12];
    for (unsigned i = 0; i < k && i < 12; i++) {
      char s[32]; unsigned se; unsigned long long sig;
      sscanf(line + pos, " %20s%n", s, &n); pos += n;
      char e[5]; memcpy(e, s, 4); e[4] = 0; sscanf(e, "%x", &se); sscanf(s + 4, "%16llx", &sig);
      v[i].se = (uint16_t)se; v[i].sig = sig;
    }
    uint16_t cw = (uint16_t)cwv;
    unsigned char fx[512] __attribute__((aligned(16))), env[28], sv[108];
    memset(fx, 0xaa, sizeof fx);
    /* Zero the physical registers first: FNINIT only empties the tags and the images show the
     * stale contents of empty registers. */
    asm volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\t"
                 "fninit\n\tfldcw %0" :: "m"(cw));
    for (unsigned i = 0; i < k; i++) asm volatile("fnclex\n\tfldt %0" :: "m"(v[i]));
    switch (fr) {
      case 0: asm volatile("ffree %st(0)"); break;
      case 1: asm volatile("ffree %st(1)"); break;
      case 2: asm volatile("ffree %st(2)"); break;
      case 5: asm volatile("ffree %st(5)"); break;
      default: break;
    }
    asm volatile("fxsave %0\n\tfnstenv %1\n\tfnsave %2" : "=m"(fx), "=m"(env), "=m"(sv) :: "memory");
    for (int i = 0; i < 160; i++) printf("%02x", fx[i]);
    putchar(' ');
    for (int i = 0; i < 28; i++) printf("%02x", env[i]);
    putchar(' ');
    for (int i = 0; i < 108; i++) printf("%02x", sv[i]);
    putchar('\n');
  }
  return 0;
}
