#!/bin/sh
# Rebuilds the default guest in guests/ from Debian bookworm packages (i386):
#   vmlinuz            linux-image-6.1.0-*-686   (the bzImage, as shipped)
#   vmlinuz-pae        linux-image-6.1.0-*-686-pae-unsigned (the same kernel for PAE paging)
#   initramfs.cpio.gz  busybox-static + /init (guests/init) + the disk modules
#   bios.bin           seabios (SeaBIOS 128 KiB image, as QEMU uses it)
#   vgabios-stdvga.bin seabios (SeaVGABIOS for the Bochs/QEMU standard VGA)
# and the firmware-boot test files (the system tests build whole images from them):
#   ldlinux.c32        syslinux-common (SYSLINUX/ISOLINUX core module, BIOS flavour)
#   isolinux.bin       isolinux (El Torito no-emulation boot loader)
#   syslinux-hd.img.gz syslinux + syslinux-common: 16 MiB MBR disk, one FAT16 partition with
#                      SYSLINUX installed (boot sector + ldlinux.sys), no other files
#   syslinux-fd.img.gz the same on a 1.44 MB FAT12 floppy
#   memtest86+ia32.bin memtest86+ (the 32-bit BIOS image; its first sector boots from a floppy)
#   grub-cd.iso.gz     grub-pc-bin: grub-mkrescue's BIOS CD with grub/grub.cfg (boots the guest
#                      from the first disk's first partition)
#   ipxe.iso.gz        ipxe (iPXE's BIOS CD, as shipped, gzipped)
# Needs apt-get (with the i386 architecture enabled: dpkg --add-architecture i386),
# dpkg-deb, cpio, gzip and depmod (kmod); for the firmware files also mtools, mkfs.fat
# (dosfstools) and sfdisk (fdisk), and grub-mkrescue (grub-common) with xorriso. Runs as any user; writes only to guests/ and a temp dir.
# `./build.sh firmware` rebuilds only the firmware-boot test files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
only=${1:-all}

if [ "$only" = all ]; then

# The newest 686 kernel flavour the archive has (the metapackage names it).
kpkg=$(apt-cache depends linux-image-686:i386 | sed -n 's/.*Depends: \(linux-image-6[.0-9a-z-]*-686\).*/\1/p' | head -1)
[ -n "$kpkg" ] || { echo "build.sh: cannot resolve linux-image-686:i386 (apt-get update?)" >&2; exit 1; }
apt-get download "$kpkg:i386" busybox-static:i386 seabios >/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" root; done
kver=${kpkg#linux-image-}

cp root/boot/vmlinuz-"$kver" "$here/vmlinuz"
# The same release built for PAE paging (the PAE system test boots it with this initramfs).
mkdir pae
(cd pae && apt-get download "$kpkg-pae-unsigned:i386" >/dev/null && dpkg-deb -x ./*.deb root)
cp pae/root/boot/vmlinuz-"$kver"-pae "$here/vmlinuz-pae"
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
want="ata_piix sd_mod sr_mod isofs minix"
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

fi

# Firmware-boot test files. SYSLINUX is installed by its own (host) installer into blank FAT
# images; the tests add ldlinux.c32, the config, the kernel and the initramfs with a small FAT
# writer (packages/pc/test/firmware-images.ts), so the committed templates stay tiny.
mkdir -p fw && cd fw
apt-get download syslinux syslinux-common isolinux memtest86+ grub-pc-bin ipxe >/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" root; done
cp root/usr/lib/syslinux/modules/bios/ldlinux.c32 "$here/ldlinux.c32"
cp root/usr/lib/ISOLINUX/isolinux.bin "$here/isolinux.bin"
cp root/boot/memtest86+ia32.bin "$here/memtest86+ia32.bin"
gzip -9 -n -c root/usr/lib/ipxe/ipxe.iso >"$here/ipxe.iso.gz"
# Fixed dates and volume ids, so the templates are reproducible.
export SOURCE_DATE_EPOCH=946684800 TZ=UTC MTOOLS_SKIP_CHECK=1
sysl=root/usr/bin/syslinux
# Hard disk: 16 MiB, MBR boot code from SYSLINUX, partition 1 (FAT16, bootable) from sector 2048.
# (No volume label: mkfs.fat would date its directory entry with the current time.)
head -c 131072 /dev/zero >zero
mkfs.fat -F 16 -i 52494e47 -C part.img 15360 >/dev/null
"$sysl" --install part.img
# Drop ldlinux.c32 (the tests add it) and zero the clusters it used, so the image compresses.
mdel -i part.img ::/ldlinux.c32
mcopy -i part.img zero ::/zero
mdel -i part.img ::/zero
truncate -s 1M hd.img
cat part.img >>hd.img
printf 'label: dos\nlabel-id: 0x52494e47\nstart=2048, type=6, bootable\n' | sfdisk -q hd.img
dd if=root/usr/lib/SYSLINUX/mbr.bin of=hd.img bs=440 count=1 conv=notrunc 2>/dev/null
gzip -9 -n -c hd.img >"$here/syslinux-hd.img.gz"
# Floppy: 1.44 MB FAT12 with SYSLINUX.
mkfs.fat -F 12 -i 52494e47 -C fd.img 1440 >/dev/null
"$sysl" --install fd.img
mdel -i fd.img ::/ldlinux.c32
mcopy -i fd.img zero ::/zero
mdel -i fd.img ::/zero
gzip -9 -n -c fd.img >"$here/syslinux-fd.img.gz"
# GRUB 2 CD: grub-mkrescue's BIOS image with the modules it needs (the partition maps and file
# systems its own start-up search loads, so it prints no errors), no fonts, locales or themes.
mkdir -p grubiso/boot/grub
cp "$here/grub/grub.cfg" grubiso/boot/grub/grub.cfg
grubdir=root/usr/lib/grub/i386-pc
mods="linux normal part_msdos fat iso9660 biosdisk serial terminal echo configfile test search"
mods="$mods search_fs_uuid $(tr '\n' ' ' <"$grubdir/partmap.lst") $(tr '\n' ' ' <"$grubdir/fs.lst")"
grub-mkrescue -o grub.iso -d "$grubdir" --install-modules="$mods" --fonts= --locales= --themes= \
  grubiso 2>/dev/null
gzip -9 -n -c grub.iso >"$here/grub-cd.iso.gz"
cd ..

# Provenance: compare with the versions in README.md.
for deb in *.deb fw/*.deb; do
  [ -e "$deb" ] || continue
  printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"
done
ls -l "$here"/vmlinuz "$here"/vmlinuz-pae "$here"/initramfs.cpio.gz "$here"/bios.bin "$here"/vgabios-stdvga.bin \
  "$here"/ldlinux.c32 "$here"/isolinux.bin "$here"/syslinux-hd.img.gz "$here"/syslinux-fd.img.gz \
  "$here"/memtest86+ia32.bin "$here"/grub-cd.iso.gz "$here"/ipxe.iso.gz
