#!/bin/sh
# Rebuilds guests/glibc-check/glibc-check.cpio.gz and the *-expected.txt files: main.c, libm.c,
# threads.c, traps.c, smc.c and ldt.c linked statically against Debian's 32-bit glibc
# (gcc-multilib / libc6-dev-i386), plus what that binary produced on this host's CPU (the
# oracle): /libm-expected.bin (every libm result and its flags) in the archive, and the outputs of
# the other checks beside this script. The archive (newc, reproducible) holds /glibc-check and
# /libm-expected.bin; the system test appends it to the default initramfs. Needs an x86 host
# that runs i386 binaries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
bin=$work/root/glibc-check
gcc -m32 -static -O2 -fno-builtin -msse2 -pthread -Wall -o "$bin" "$here/main.c" "$here/libm.c" "$here/threads.c" "$here/traps.c" "$here/smc.c" \
  "$here/ldt.c" "$here/fault.c" -lm
"$bin" libm record "$work/root/libm-expected.bin" >/dev/null
# The host against its own record: every result identical (a check of the build).
if "$bin" libm check "$work/root/libm-expected.bin" |
  grep -v ' \(1000\)/\1 exact, \1 within 1 ulp, flags \1/\1$' | grep -vx 'libm done'; then
  echo "build.sh: the host disagrees with its own libm record" >&2
  exit 1
fi
"$bin" threads >"$here/threads-expected.txt"
"$bin" traps >"$here/traps-expected.txt"
"$bin" smc >"$here/smc-expected.txt"
"$bin" ldt >"$here/ldt-expected.txt"
find "$work/root" -exec touch -h -d @0 {} +
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
  gzip -9 -n >"$here/glibc-check.cpio.gz"
echo "wrote $here/glibc-check.cpio.gz and $here/*-expected.txt"
