#!/usr/bin/env bash
# Fetches the Debian 12 ppc64el artifacts papr's tests and demo boot: the 6.1 kernel image
# package and busybox-static. Idempotent; prints the cache directory on success.
#
#   scripts/fetch-debian-guest.sh [CACHE_DIR]     (default: .cache/debian under the repo)
#
# The kernel is pinned (the one the fact sheets were written against); when the archive no
# longer carries it, the current linux-image-6.1.*-powerpc64le is taken instead and a note says so.
set -euo pipefail
PINNED_KERNEL="linux-image-6.1.0-47-powerpc64le"
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-$here/.cache/debian}"
mkdir -p "$cache"
cd "$cache"

have() { ls "$1"_*.deb >/dev/null 2>&1; }

if have linux-image-6.1* && have busybox-static && [ -f vmlinux ] && [ -f busybox ]; then
  echo "$cache"; exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "error: apt-get is not available. Download these Debian 12 (bookworm) ppc64el packages" >&2
  echo "  by hand into $cache and run this script again:" >&2
  echo "  $PINNED_KERNEL (or any linux-image-6.1.*-powerpc64le), busybox-static" >&2
  exit 1
fi

if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
  if [ "$(id -u)" = 0 ]; then
    dpkg --add-architecture ppc64el
  else
    echo "error: ppc64el is not a dpkg architecture here; as root run: dpkg --add-architecture ppc64el && apt-get update" >&2
    exit 1
  fi
fi
if ! apt-cache show busybox-static:ppc64el >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq || true; fi
fi

kernel_pkg="$PINNED_KERNEL"
if ! have linux-image-6.1*; then
  if ! apt-get download -qq "$kernel_pkg:ppc64el" >/dev/null 2>&1; then
    kernel_pkg="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' \
      | awk '{print $1}' | sort -V | tail -1)"
    [ -n "$kernel_pkg" ] || { echo "error: no linux-image-6.1.*-powerpc64le in the archive" >&2; exit 1; }
    echo "note: $PINNED_KERNEL is gone from the archive; using $kernel_pkg" >&2
    apt-get download -qq "$kernel_pkg:ppc64el"
  fi
fi
have busybox-static || apt-get download -qq "busybox-static:ppc64el"

if [ ! -f vmlinux ]; then
  rm -rf x && mkdir x && dpkg-deb -x linux-image-6.1*.deb x
  cp x/boot/vmlinux-* vmlinux
  rm -rf x
fi
if [ ! -f busybox ]; then
  rm -rf x && mkdir x && dpkg-deb -x busybox-static_*.deb x
  cp x/bin/busybox busybox
  rm -rf x
fi
echo "$cache"
