#!/bin/sh
# Run each guest on QEMU 7.2 (pseries, VOF, POWER9, TCG) and write its console
# output to expected/NAME.txt.
#   usage: guests/record.sh [NAME...]      (default: every bin/*.elf except the
#   bench_* loops, which scripts/bench-mips.sh times instead)
# Only the lines from "@@BEGIN@@" to "@@END@@" are kept, with CR removed,
# so QEMU's own warnings and VOF messages never reach the file.
# QEMU 7.2 pauses (does not quit) on the OF "exit" call, so QEMU is killed as
# soon as the sentinel appears; TIMEOUT (seconds) guards against hangs.
set -u
cd "$(dirname "$0")"
QEMU=${QEMU:-qemu-system-ppc64}
TIMEOUT=${TIMEOUT:-20}
OUT=${OUT:-expected}
mkdir -p "$OUT"
if [ $# -gt 0 ]; then names="$*"; else
	names=$(for f in bin/*.elf; do n=$(basename "$f" .elf); case $n in bench_*) ;; *) echo "$n" ;; esac; done)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for n in $names; do
	raw=$tmp/$n.raw
	$QEMU -M pseries,x-vof=on -cpu POWER9 -m 256M -nographic -nodefaults \
		-serial mon:stdio -display none -kernel bin/$n.elf \
		</dev/null >"$raw" 2>"$tmp/$n.err" &
	pid=$!
	t=0
	while ! grep -q '^@@END@@' "$raw" 2>/dev/null; do
		if ! kill -0 $pid 2>/dev/null; then break; fi
		t=$((t + 1))
		if [ $t -gt $((TIMEOUT * 20)) ]; then break; fi
		sleep 0.05
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	tr -d '\r' <"$raw" | sed -n '/^@@BEGIN@@/,/^@@END@@/p' >"$OUT/$n.txt"
	if grep -q '^@@END@@' "$OUT/$n.txt"; then
		printf "recorded %s (%d lines, %d.%02ds)\n" "$OUT/$n.txt" "$(wc -l <"$OUT/$n.txt")" $((t / 20)) $((t % 20 * 5))
	else
		echo "@@INCOMPLETE@@" >>"$OUT/$n.txt"
		echo "FAILED: $n did not reach @@END@@ (see $OUT/$n.txt)" >&2
		status=1
	fi
done
exit $status
