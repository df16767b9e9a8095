#!/usr/bin/env bash
# Builds the testbed guest: Debian's kernel and a busybox initramfs with the
# virtio-net driver and testbed/guest/init. Writes OUT/vmlinuz and
# OUT/initramfs.cpio.gz. Needs linux-image-amd64, busybox-static, cpio.
# Usage: build_initramfs.sh OUT
set -euo pipefail
out=${1:?usage: build_initramfs.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
kernel=$(ls -1 /boot/vmlinuz-* | sort -V | tail -n 1)
version=${kernel#/boot/vmlinuz-}
modules=/lib/modules/$version
mkdir -p "$out"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
for m in failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_net; do
  path=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$modules/modules.dep" | cut -d: -f1 || true)
  if [ -z "$path" ]; then
    # Built into this kernel: nothing to load.
    grep -qE "/$m\.ko" "$modules/modules.builtin" || { echo "build_initramfs: module $m not found for $version" >&2; exit 1; }
    continue
  fi
  case "$path" in
    *.ko) cp "$modules/$path" "$root/lib/modules/$m.ko" ;;
    *.ko.xz) xz -dc "$modules/$path" > "$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$modules/$path" > "$root/lib/modules/$m.ko" ;;
    *) echo "build_initramfs: cannot unpack $path" >&2; exit 1 ;;
  esac
done
! ldd /bin/busybox >/dev/null 2>&1 || { echo "build_initramfs: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
cp "$kernel" "$out/vmlinuz"
echo "guest: $out/vmlinuz ($version), $out/initramfs.cpio.gz"
