#!/bin/sh
# Regenerates the .xz test vectors with xz(1) (the oracle): x86 code from the committed kernel
# (so the BCJ filter has CALL/JMP targets to convert) plus incompressible bytes (stored LZMA2
# chunks). Writes the vectors and the SHA-256 of their decompressed content.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$here/../../../../guests/vmlinuz" "$tmp/plain" <<'PY'
import struct, subprocess, sys, random
d = open(sys.argv[1], 'rb').read()
setup = (d[0x1f1] + 1) * 512
off, length = struct.unpack_from('<II', d, 0x248)
elf = subprocess.run(['xz', '-dc'], input=d[setup + off:setup + off + length - 4], capture_output=True).stdout
rng = random.Random(1)
open(sys.argv[2], 'wb').write(elf[0x1000:0x1000 + 96 * 1024] + bytes(rng.getrandbits(8) for _ in range(12000)) + elf[0x40000:0x48000])
PY
xz --format=xz --check=crc32 --x86 --lzma2=dict=1MiB -c "$tmp/plain" >"$here/x86-lzma2.xz"
xz --format=xz --check=crc64 --block-size=32KiB --lzma2=dict=64KiB,lc=1,lp=1,pb=1 -c "$tmp/plain" >"$here/blocks-lzma2.xz"
sha256sum "$tmp/plain" | cut -d' ' -f1 >"$here/xz-plain.sha256"
wc -c <"$tmp/plain" | tr -d ' ' >"$here/xz-plain.size"
