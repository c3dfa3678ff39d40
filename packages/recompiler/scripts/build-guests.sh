#!/bin/sh
# Rebuilds the committed guest binaries of the recompiler tests (needs nasm).
set -e
cd "$(dirname "$0")/../test/guests"
for f in *.asm; do nasm -f bin -o "${f%.asm}.bin" "$f"; done
