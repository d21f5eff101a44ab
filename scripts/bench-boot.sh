#!/usr/bin/env bash
# Boot-to-poweroff wall time and a 20 000-iteration busybox shell loop, papr against QEMU 7.2
# TCG (qemu-system-ppc64 -M pseries,x-vof=on -cpu POWER9 -m 1G, kernel argument disable_radix
# since QEMU offers radix), on the same kernel and initramfs, in the same run. Prints both and
# the ratio. Needs qemu-system-ppc (Debian) and a release build of papr.
#
#   scripts/bench-boot.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
cache="$(scripts/fetch-debian-guest.sh)"
kernel="$cache/vmlinux"
cargo build --release -q -p papr
papr=target/release/papr
[ -n "${CARGO_TARGET_DIR:-}" ] && papr="$CARGO_TARGET_DIR/release/papr"
command -v qemu-system-ppc64 >/dev/null || { echo "qemu-system-ppc64 missing: apt-get install qemu-system-ppc" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$papr" mkinitramfs --busybox "$cache/busybox" -o "$tmp/initrd.cpio"
loop='i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo loop-done'

time_it() { # command... -> seconds (wall)
  local s e
  s=$(date +%s.%N); "$@" > "$tmp/out" 2>&1 || true; e=$(date +%s.%N)
  echo "$e - $s" | bc
}
qemu() { # input
  (sleep 0.5; printf '%s' "$1") | timeout 600 qemu-system-ppc64 -M pseries,x-vof=on -cpu POWER9 \
    -m 1G -nographic -kernel "$kernel" -initrd "$tmp/initrd.cpio" -append "console=hvc0 disable_radix"
}
papr_run() { # input
  printf '%s' "$1" | "$papr" run --kernel "$kernel" --initrd "$tmp/initrd.cpio" --append console=hvc0
}
best() { sort -n | head -1; }

for what in boot loop; do
  if [ "$what" = boot ]; then input=$'poweroff -f\n'; else input="$loop"$'\npoweroff -f\n'; fi
  q=$(for _ in $(seq "$runs"); do time_it qemu "$input"; done | best)
  p=$(for _ in $(seq "$runs"); do time_it papr_run "$input"; done | best)
  printf '%-5s qemu %6.2f s   papr %6.2f s   papr/qemu %5.2fx\n' "$what" "$q" "$p" "$(echo "$p / $q" | bc -l)"
done
