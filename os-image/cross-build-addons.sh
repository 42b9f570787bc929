#!/bin/bash
# Cross-builds native Node addons for the Pi (arm64) in place, with Debian's aarch64 toolchain and
# the host's Node headers. Those headers are right only while the host's Node has the same module
# ABI as the image's (trixie's nodejs 20.19: ABI 115), so that is asserted first.
# Usage: cross-build-addons.sh NODE_MODULES_DIR MODULE...
# Env: EARSHOT_TARGET_NODE_ABI (default 115), EARSHOT_NODEDIR (default /usr: include/node/*.h)
set -euo pipefail
modules=${1:?usage: cross-build-addons.sh NODE_MODULES_DIR MODULE...}
shift
target_abi=${EARSHOT_TARGET_NODE_ABI:-115}
nodedir=${EARSHOT_NODEDIR:-/usr}
version_h="$nodedir/include/node/node_version.h"
die() { echo "cross-build-addons: $*" >&2; exit 1; }
[ -r "$version_h" ] || die "no Node headers at $version_h (install nodejs's headers, or set EARSHOT_NODEDIR)"
host_abi=$(sed -n 's/^#define NODE_MODULE_VERSION \([0-9][0-9]*\).*/\1/p' "$version_h")
[ "$host_abi" = "$target_abi" ] || die "host Node headers are ABI $host_abi but the image's Node is ABI $target_abi: addons built here would not load there"
command -v aarch64-linux-gnu-g++ >/dev/null || die "aarch64-linux-gnu-g++ is missing (apt-get install g++-aarch64-linux-gnu)"
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -r "$node_gyp" ] || die "npm's node-gyp is missing at $node_gyp"

# pcap links -lpcap. Rather than adding arm64 as a dpkg architecture on the build host, link
# against a stub with the real SONAME: the addon records NEEDED libpcap.so.0.8 and the image's
# libpcap0.8t64 resolves the symbols at load time (the boot test loads it). --no-as-needed keeps
# the NEEDED entry although the stub defines none of the symbols the addon uses. The headers are
# architecture-independent, so the host's libpcap-dev headers are used through their own dir,
# without putting all of /usr/include (x86-64 glibc) on the cross compiler's path.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib" "$work/include"
echo 'void earshot_libpcap_stub(void) {}' > "$work/stub.c"
aarch64-linux-gnu-gcc -shared -fPIC -Wl,-soname,libpcap.so.0.8 -o "$work/lib/libpcap.so" "$work/stub.c"
[ -r /usr/include/pcap/pcap.h ] && ln -s /usr/include/pcap.h /usr/include/pcap "$work/include/"

for module in "$@"; do
  dir="$modules/$module"
  [ -f "$dir/binding.gyp" ] || die "$dir has no binding.gyp"
  echo "cross-build-addons: $module (arm64, Node ABI $target_abi)" >&2
  (
    cd "$dir"
    export CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar
    export CFLAGS="-I$work/include" CXXFLAGS="-I$work/include" LDFLAGS="-L$work/lib -Wl,--no-as-needed"
    # node-gyp's own output goes to stderr, so stdout stays for callers that want only results.
    node "$node_gyp" rebuild --arch=arm64 --nodedir="$nodedir" --jobs=2 --loglevel=warn >&2
  )
  for addon in "$dir"/build/Release/*.node; do
    file -b "$addon" | grep -q 'ARM aarch64' || die "$addon is not an aarch64 object: $(file -b "$addon")"
    echo "$addon"
  done
done
