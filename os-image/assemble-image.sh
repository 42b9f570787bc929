#!/bin/bash
# Assembles the SD card image from a root tree and a firmware tree, without loop devices or
# kpartx (neither works in containers like our build host): each filesystem is made in its own
# file (mkfs.vfat + mcopy for the firmware, mke2fs -d for the root), the partition table is
# written to the image file with sfdisk, and the two filesystems are dd'd in at their offsets.
# Usage: assemble-image.sh ROOT_DIR FIRMWARE_DIR OUT.img
# Env: EARSHOT_FIRMWARE_MB (default 256), EARSHOT_ROOT_EXTRA_MB (free space in the root fs before
#      first boot grows it; default 256), EARSHOT_ROOT_MB (fixed root size; default: computed)
set -euo pipefail
root=${1:?usage: assemble-image.sh ROOT_DIR FIRMWARE_DIR OUT.img}
firmware=${2:?usage: assemble-image.sh ROOT_DIR FIRMWARE_DIR OUT.img}
out=${3:?usage: assemble-image.sh ROOT_DIR FIRMWARE_DIR OUT.img}
die() { echo "assemble-image: $*" >&2; exit 1; }
for tool in sfdisk mkfs.vfat mcopy mke2fs; do command -v "$tool" >/dev/null || die "$tool is missing"; done
{ [ -d "$root" ] && [ -d "$firmware" ]; } || die "ROOT_DIR and FIRMWARE_DIR must be directories"
# The firmware partition is mounted on the root's /boot/firmware, so it must not also be in the root fs.
if [ -d "$root/boot/firmware" ] && [ -n "$(ls -A "$root/boot/firmware")" ]; then
  die "$root/boot/firmware is not empty: pass its files as FIRMWARE_DIR instead"
fi

# 4 MiB alignment: SD cards' erase blocks, and where Debian's raspi images start too.
start_mib=4
firmware_mib=${EARSHOT_FIRMWARE_MB:-256}
if [ -n "${EARSHOT_ROOT_MB:-}" ]; then
  root_mib=$EARSHOT_ROOT_MB
else
  used_mib=$(du -sx --block-size=1M "$root" | cut -f1)
  # ext4 metadata and inode tables take about 10 %; first boot grows the partition to the card.
  root_mib=$(( used_mib * 115 / 100 + ${EARSHOT_ROOT_EXTRA_MB:-256} ))
fi
total_mib=$(( start_mib + firmware_mib + root_mib ))

work=$(mktemp -d "$(dirname "$out")/.assemble.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkfs.vfat -F 32 -n RASPIFIRM -C "$work/firmware.vfat" $(( firmware_mib * 1024 )) >/dev/null
if [ -n "$(ls -A "$firmware")" ]; then
  # mtools refuses to guess about the (absent) drive geometry of a plain file without this.
  MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$work/firmware.vfat" "$firmware"/* ::/
fi
# root_owner: the tree's owners are copied as they are; -d makes the fs from the tree, no mount.
mke2fs -q -F -t ext4 -L RASPIROOT -m 1 -E root_owner=0:0 -d "$root" "$work/root.ext4" "${root_mib}M" >/dev/null

rm -f "$out"
truncate -s "${total_mib}M" "$out"
# type c: FAT32 (LBA), what the Pi's boot ROM looks for; 83: Linux.
sfdisk --quiet --no-reread --no-tell-kernel "$out" <<TABLE
label: dos
unit: sectors

start=$(( start_mib * 2048 )), size=$(( firmware_mib * 2048 )), type=c, bootable
start=$(( (start_mib + firmware_mib) * 2048 )), size=$(( root_mib * 2048 )), type=83
TABLE
dd if="$work/firmware.vfat" of="$out" bs=1M seek="$start_mib" conv=notrunc,sparse status=none
dd if="$work/root.ext4" of="$out" bs=1M seek=$(( start_mib + firmware_mib )) conv=notrunc,sparse status=none
echo "assemble-image: $out: ${total_mib} MiB (firmware ${firmware_mib} MiB at ${start_mib} MiB, root ${root_mib} MiB)" >&2
