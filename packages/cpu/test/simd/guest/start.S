/* Guest entry: flat 32-bit protected mode; stack below 0x80000; HLT when done. */
.globl _start
_start:
  mov $0x80000, %esp
  call kernels
  hlt
