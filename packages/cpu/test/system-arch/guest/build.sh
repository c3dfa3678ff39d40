#!/bin/sh
# Rebuilds the guest images and their expected outputs (needs nasm and qemu-system-i386;
# the tests themselves only read the committed .bin.gz and .expected files).
# Each image is a 64 KiB BIOS run by QEMU (TCG) from reset; its debug-console output (port
# 0xE9) is the expected output RingVM must reproduce byte for byte.
set -eu
cd "$(dirname "$0")"
for src in *.asm; do
  name="${src%.asm}"
  nasm -f bin -o "$name.bin" "$src"
  rm -f "$name.expected"
  timeout 20 qemu-system-i386 -nodefaults -display none -no-reboot -m 32 -accel tcg -cpu pentium3 \
    -bios "$name.bin" -debugcon "file:$name.expected" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 || true
  truncate -s "<1048576" "$name.expected"
  if [ "$(wc -c <"$name.expected")" -gt 16384 ]; then gzip -9nf "$name.expected"; fi
  gzip -9nf "$name.bin"
  echo "$name: $(ls "$name".expected*)"
done
# SDM-checked images (no QEMU run: their expectations are written in guest.test.ts)
for src in sdm/*.asm; do
  nasm -f bin -o "${src%.asm}.bin" "$src"
  gzip -9nf "${src%.asm}.bin"
done
