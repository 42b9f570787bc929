#!/bin/bash
# Builds the Debian arm64 rootfs tarball with mmdebstrap, or reuses the cached one. The cache key
# is the suite, the mirror and the package list, so a changed list rebuilds and nothing else does.
# Usage: build-rootfs.sh CACHE_DIR   (prints the tarball's path on stdout)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-rootfs.sh CACHE_DIR}
suite=${EARSHOT_SUITE:-trixie}
mirror=${EARSHOT_MIRROR:-http://deb.debian.org/debian}
packages=$(grep -v '^#' "$here/packages.txt" | grep -v '^$' | sort | paste -sd, -)
key=$(printf '%s\n%s\n%s\n' "$suite" "$mirror" "$packages" | cat - "$here/build-rootfs.sh" | sha256sum | cut -c1-16)
tarball="$cache/rootfs-$suite-arm64-$key.tar"
if [ -s "$tarball" ]; then
  echo "build-rootfs: reusing $tarball" >&2
  echo "$tarball"
  exit 0
fi
mkdir -p "$cache"
# eatmydata skips fsync in dpkg: the rootfs is a throwaway build product, and it saves minutes.
wrap=()
command -v eatmydata >/dev/null && wrap=(eatmydata)
# raspi-firmware's kernel hook must know the root partition before linux-image's postinst runs
# (there is no real root device in a chroot); force-confold keeps this file over the package's.
# The hooks are run by mmdebstrap's shell with the rootfs as $1, hence the single quotes.
# shellcheck disable=SC2016
"${wrap[@]}" mmdebstrap --mode=root --format=tar --arch=arm64 --variant=minbase \
  --components="main non-free-firmware" \
  --include="$packages" \
  --dpkgopt=force-confold --dpkgopt=force-confdef \
  --setup-hook='mkdir -p "$1/etc/default" && echo "ROOTPART=LABEL=RASPIROOT" > "$1/etc/default/raspi-firmware"' \
  --setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo "COMPRESS=zstd" > "$1/etc/initramfs-tools/conf.d/earshot-compress"' \
  "$suite" "$tarball.partial" "$mirror" >&2
mv "$tarball.partial" "$tarball"
echo "$tarball"
