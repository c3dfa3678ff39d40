#!/bin/sh
# Rebuilds guests/libm-check/libm-check.cpio.gz: libm-check.c linked statically against Debian's
# 32-bit glibc (gcc-multilib / libc6-dev-i386), and the record of its results on this host's
# CPU (the oracle), as /libm-check and /libm-expected.bin in a reproducible newc archive that
# the system test appends to the default initramfs. Needs an x86 host that runs i386 binaries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
gcc -m32 -static -O2 -fno-builtin -Wall -o "$work/root/libm-check" "$here/libm-check.c" -lm
"$work/root/libm-check" record "$work/root/libm-expected.bin" >/dev/null
# The host checked against its own record: every result identical (a sanity check of the build).
"$work/root/libm-check" check "$work/root/libm-expected.bin" | grep -v ' \(1000\)/\1 exact, \1 within 1 ulp, flags \1/\1$' | grep -vx 'libm-check done' && {
  echo "build.sh: the host disagrees with its own record" >&2; exit 1; }
find "$work/root" -exec touch -h -d @0 {} +
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
  gzip -9 -n >"$here/libm-check.cpio.gz"
echo "wrote $here/libm-check.cpio.gz"
