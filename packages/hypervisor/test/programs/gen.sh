#!/bin/sh
# Regenerates the committed hex of the test programs (needs nasm and xxd).
set -eu
cd "$(dirname "$0")"
for f in *.asm; do
  nasm -f bin -o /tmp/"${f%.asm}".bin "$f"
  xxd -p /tmp/"${f%.asm}".bin | tr -d '\n' >"${f%.asm}".hex
  echo >>"${f%.asm}".hex
done
