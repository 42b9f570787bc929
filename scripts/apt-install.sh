#!/bin/bash
# Installs the given Debian packages, for the Makefile's demo-deps, deps and image-deps.
# apt is skipped when every package is already there, so repeat runs are quick and work offline;
# sudo is used only when not root. wireshark-common's setuid question is preseeded so tshark
# installs without a prompt (the answer matters only when tshark is in the list).
# Usage: scripts/apt-install.sh PACKAGE...
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
