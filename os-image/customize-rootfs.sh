#!/bin/bash
# Turns the cached Debian rootfs (already extracted in ROOT_DIR) into the earshot image's tree:
# the app, the overlay, users, enabled and masked units, and nothing host- or build-specific.
# Then moves the firmware partition's files out to FIRMWARE_DIR for the assembler.
# Usage: customize-rootfs.sh ROOT_DIR APP_DIR FIRMWARE_DIR   (as root; arm64 runs via qemu-user)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
root=${1:?usage: customize-rootfs.sh ROOT_DIR APP_DIR FIRMWARE_DIR}
app=${2:?usage: customize-rootfs.sh ROOT_DIR APP_DIR FIRMWARE_DIR}
firmware=${3:?usage: customize-rootfs.sh ROOT_DIR APP_DIR FIRMWARE_DIR}
die() { echo "customize-rootfs: $*" >&2; exit 1; }

# The addons were built against the host's Node headers: refuse an image whose Node differs.
mount -t proc proc "$root/proc"
trap 'umount "$root/proc"' EXIT
target_abi=$(chroot "$root" /usr/bin/node -p process.versions.modules)
umount "$root/proc"
trap - EXIT
[ "$target_abi" = "${EARSHOT_TARGET_NODE_ABI:-115}" ] || die "the image's Node has ABI $target_abi, the addons were built for ${EARSHOT_TARGET_NODE_ABI:-115}"

install -d "$root/usr/lib/earshot" "$root/usr/share/doc/earshot"
cp -a "$app"/. "$root/usr/lib/earshot/"
chown -R 0:0 "$root/usr/lib/earshot"
cp -a "$here/overlay"/. "$root/"
# EARSHOT_SERVICE_UNIT: try a changed unit in the image before it lands in appliance/systemd.
install -m 0644 "${EARSHOT_SERVICE_UNIT:-$repo/appliance/systemd/earshot.service}" "$root/usr/lib/systemd/system/earshot.service"
install -m 0644 "$repo/docs/service.md" "$repo/docs/install.md" "$root/usr/share/doc/earshot/"
if [ -f "$repo/gpio/led/earshot-led-fault" ]; then
  install -m 0755 "$repo/gpio/led/earshot-led-fault" "$root/usr/lib/earshot/bin/earshot-led-fault"
fi
ln -sf ../lib/earshot/dist/appliance/src/cli/bin.js "$root/usr/bin/earshot"

systemd-sysusers --root="$root"
# One network stack: networkd (+ resolved, timesyncd). The wait-online units stall boot for
# minutes when the uplink is unplugged; Debian's own hostapd/ssh must not start on their own.
systemctl --root="$root" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
  earshot.service earshot-firstboot.service earshot-nftables.service earshot-hostapd.service \
  earshot-dnsmasq.service earshot-smoketest.service
systemctl --root="$root" disable hostapd.service 2>/dev/null || true
systemctl --root="$root" mask systemd-networkd-wait-online.service ifupdown-wait-online.service hostapd.service
systemctl --root="$root" disable ssh.service ssh.socket 2>/dev/null || true
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

# A card is flashed onto many boxes: no host keys, machine id or seed may be shared between them.
rm -f "$root"/etc/ssh/ssh_host_* "$root/var/lib/dbus/machine-id" "$root/var/lib/systemd/random-seed"
: > "$root/etc/machine-id"
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/*

# eth0/wlan0 names for the networkd units (raspi-firmware adds raspi-extra-cmdline on updates).
cmdline="$root/boot/firmware/cmdline.txt"
[ -f "$cmdline" ] || die "raspi-firmware wrote no cmdline.txt"
grep -q 'net.ifnames=0' "$cmdline" || sed -i 's/$/ net.ifnames=0/' "$cmdline"
grep -q 'root=LABEL=RASPIROOT' "$cmdline" || die "cmdline.txt does not boot LABEL=RASPIROOT: $(cat "$cmdline")"

install -d "$firmware"
cp -a "$root/boot/firmware"/. "$firmware/"
find "$root/boot/firmware" -mindepth 1 -delete
install -m 0644 "$here/firmware/earshot.conf" "$firmware/earshot.conf"
