#!/bin/bash
# `make image`: the SD card image, compressed, with its checksum.
# Usage: make-image.sh OUT_DIR [CACHE_DIR]   (as root)
# Writes OUT_DIR/earshot-arm64.img (kept for `make image-test`), .img.xz and .img.xz.sha256.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-image.sh OUT_DIR [CACHE_DIR]}
cache=${2:-$here/../tmp/os-image-cache}
[ "$(id -u)" = 0 ] || { echo "make-image: run as root (the rootfs has root-owned files and a chroot)" >&2; exit 1; }
# arm64 programs (dpkg scripts, the Node ABI check) run through qemu-user; containers often come
# without binfmt_misc mounted, and then qemu-user-static's own registration did nothing.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

SECONDS=0
"$here/build-app.sh" "$work/app"
echo "make-image: app bundle in ${SECONDS}s" >&2
tarball=$("$here/build-rootfs.sh" "$cache")
echo "make-image: rootfs at ${SECONDS}s" >&2
mkdir "$work/root"
tar -C "$work/root" --numeric-owner --xattrs --xattrs-include='*' -xf "$tarball"
"$here/customize-rootfs.sh" "$work/root" "$work/app" "$work/firmware"
image="$out/earshot-arm64.img"
"$here/assemble-image.sh" "$work/root" "$work/firmware" "$image"
echo "make-image: image assembled at ${SECONDS}s" >&2
xz -T0 -3 -k -f "$image"
(cd "$out" && sha256sum "$(basename "$image").xz" > "$(basename "$image").xz.sha256")
echo "make-image: $image.xz $(du -h "$image.xz" | cut -f1) (raw $(du -h --apparent-size "$image" | cut -f1)) in ${SECONDS}s" >&2
