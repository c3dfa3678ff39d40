#!/bin/sh
# Rebuilds the guest image and its QEMU-recorded expected output (needs nasm and
# qemu-system-i386; the test reads only the committed .bin and .expected files).
set -eu
cd "$(dirname "$0")"
nasm -f bin -o integer32.bin integer32.asm
rm -f integer32.expected
timeout 20 qemu-system-i386 -nodefaults -display none -no-reboot -m 32 -accel tcg -cpu pentium3 \
  -bios integer32.bin -debugcon file:integer32.expected \
  -device isa-debug-exit,iobase=0xf4,iosize=4 || true
echo "integer32: $(wc -c <integer32.expected) bytes"
