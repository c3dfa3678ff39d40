#!/bin/sh
# Rebuilds the guest image (kernels.bin, loaded at 0x100000, entry there, results at the `out`
# symbol) and the host's expected output (kernels.expected: the first 256 bytes of `out` in hex).
# The host cannot run 32-bit programs here, so the expected bytes come from the same kernels
# compiled for x86-64 (identical SSE/x87 operation sequences: no fast-math, no FMA).
set -e
cd "$(dirname "$0")"
CF="-O2 -msse2 -msse3 -mssse3 -mfpmath=sse -fno-math-errno -fno-stack-protector -fno-asynchronous-unwind-tables"
gcc -m32 $CF -fno-pic -ffreestanding -nostdlib -static -Wl,-Ttext=0x100000 -Wl,--build-id=none \
  -Wl,-z,noexecstack -o /tmp/kernels.elf start.S kernels.c
objcopy -O binary /tmp/kernels.elf kernels.bin
printf '%s\n' "$(nm /tmp/kernels.elf | awk '$3 == "out" { print $1 }')" > kernels.out-address
gcc $CF -o /tmp/kernels-host host.c kernels.c
/tmp/kernels-host > kernels.expected
