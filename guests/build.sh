#!/bin/sh
# Rebuilds the default guest in guests/ from Debian bookworm packages (i386):
#   vmlinuz            linux-image-6.1.0-*-686   (the bzImage, as shipped)
#   initramfs.cpio.gz  busybox-static + /init (guests/init) + the disk modules
#   bios.bin           seabios (SeaBIOS 128 KiB image, as QEMU uses it)
#   vgabios-stdvga.bin seabios (SeaVGABIOS for the Bochs/QEMU standard VGA)
# Needs apt-get (with the i386 architecture enabled: dpkg --add-architecture i386),
# dpkg-deb, cpio, gzip and depmod (kmod). Runs as any user; writes only to guests/ and a temp dir.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The newest 686 kernel flavour the archive has (the metapackage names it).
kpkg=$(apt-cache depends linux-image-686:i386 | sed -n 's/.*Depends: \(linux-image-6[.0-9a-z-]*-686\).*/\1/p' | head -1)
[ -n "$kpkg" ] || { echo "build.sh: cannot resolve linux-image-686:i386 (apt-get update?)" >&2; exit 1; }
apt-get download "$kpkg:i386" busybox-static:i386 seabios >/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" root; done
kver=${kpkg#linux-image-}

cp root/boot/vmlinuz-"$kver" "$here/vmlinuz"
cp root/usr/share/seabios/bios.bin "$here/bios.bin"
cp root/usr/share/seabios/vgabios-stdvga.bin "$here/vgabios-stdvga.bin"

# initramfs: busybox, /init, and the modules (with their dependencies) for IDE disks and CDs.
mkdir -p initrd/bin initrd/dev initrd/lib/modules/"$kver"
cp root/bin/busybox initrd/bin/busybox
cp "$here/init" initrd/init
chmod 755 initrd/init initrd/bin/busybox
depmod -b root "$kver"
moddir=root/lib/modules/$kver
# The wanted modules and everything modules.dep says they need.
want="ata_piix sd_mod sr_mod isofs"
awk -v want="$want" '
  { name = $1; sub(/:$/, "", name); n = split(name, p, "/"); base = p[n]; sub(/\.ko$/, "", base)
    gsub(/-/, "_", base); line[base] = $0 }
  END { split(want, w, " "); for (i in w) { m = w[i]; if (!(m in line)) { print "missing " m > "/dev/stderr"; exit 1 }
          split(line[m], f, " "); for (j in f) { x = f[j]; sub(/:$/, "", x); print x } } }
' "$moddir/modules.dep" | sort -u >modlist
while read -r rel; do
  mkdir -p "initrd/lib/modules/$kver/$(dirname "$rel")"
  cp "$moddir/$rel" "initrd/lib/modules/$kver/$rel"
done <modlist
# modules.dep for busybox modprobe, restricted to the modules shipped.
awk 'NR == FNR { keep[$1 ":"] = 1; next } ($1 in keep)' modlist "$moddir/modules.dep" \
  >"initrd/lib/modules/$kver/modules.dep"
# Reproducible archive: fixed owner and mtime, sorted names, gzip without a timestamp.
find initrd -exec touch -h -d @0 {} +
(cd initrd && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n >"$here/initramfs.cpio.gz"

# Provenance: compare with the versions in README.md.
for deb in *.deb; do
  printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"
done
ls -l "$here"/vmlinuz "$here"/initramfs.cpio.gz "$here"/bios.bin "$here"/vgabios-stdvga.bin
