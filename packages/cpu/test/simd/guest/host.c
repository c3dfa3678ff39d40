#include <stdint.h>
#include <stdio.h>
extern uint8_t out[4096];
void kernels(void);
int main(void) {
  kernels();
  for (int i = 0; i < 256; i++) printf("%02x", out[i]);
  printf("\n");
  return 0;
}
