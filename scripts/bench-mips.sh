#!/usr/bin/env bash
# Interpreter speed in MIPS on three bare-metal loops, papr against QEMU 7.2 TCG in the same run.
#
#   scripts/bench-mips.sh [RUNS]        (default 3; the best of RUNS is reported)
#   GUESTS="bench_int" scripts/bench-mips.sh 5     (a subset; hello always runs first)
#   PAPR=/path/to/papr scripts/bench-mips.sh       (measure a given binary, skip the build)
#
# The guests are guests/bin/bench_{int,copy,fp}.elf (sources in guests/src/bench_*.S; built
# with guests/build.sh if missing). Each runs in 64-bit LE real mode and prints @@END@@ when
# done. Both emulators get the same ELF; QEMU runs it with
#   qemu-system-ppc64 -M pseries,x-vof=on -cpu POWER9 -m 256M -nographic -nodefaults ...
# Wall time is measured from starting the emulator to the moment the @@END@@ line arrives on
# its console (QEMU is killed then, since it pauses at OF "exit"); nothing is subtracted. The
# same measurement of guests/bin/hello.elf (a guest that does next to nothing) is printed as
# each emulator's start-up overhead.
#
# Instruction counts are derived from the loop structure (see the guest sources):
#   int : body of 20 instructions (bdnz included) x 100 000 000 iterations = 2 000 000 000
#   copy: 1024 passes x (32768 inner iterations x 11 instructions + 6 outer)  = 369 104 896,
#         plus filling the source (131072 x 4) and a checksum of the destination (131072 x 4)
#   fp  : body of 16 instructions (5 fmadd, 5 fadd, 5 fmul, bdnz) x 8 000 000  = 128 000 000
# Start-up, printing and exit add a few thousand instructions. papr's own count (`papr run
# --stats`: instructions retired by the whole guest) is printed beside the derived one, and the
# script warns if they differ by more than 100 000. MIPS = papr's retired count / wall seconds,
# for both emulators (they run the same deterministic program; the guests print their final
# register values, and the script checks papr's and QEMU's console output are identical).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
QEMU=${QEMU:-qemu-system-ppc64}
command -v "$QEMU" >/dev/null || { echo "$QEMU missing: apt-get install qemu-system-ppc" >&2; exit 1; }
if [ -n "${PAPR:-}" ]; then papr=$PAPR   # PAPR=path: measure that binary, build nothing
else
  cargo build --release -q -p papr
  papr=target/release/papr
  [ -n "${CARGO_TARGET_DIR:-}" ] && papr="$CARGO_TARGET_DIR/release/papr"
fi
for g in bench_int bench_copy bench_fp hello; do
  [ -e "guests/bin/$g.elf" ] || guests/build.sh "$g" >/dev/null
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

declare -A derived=(
  [bench_int]=$((20 * 100000000))
  [bench_copy]=$((1024 * (32768 * 11 + 6) + 131072 * 4 + 131072 * 4))
  [bench_fp]=$((16 * 8000000))
  [hello]=0
)

# run_to_end KIND ELF OUT: run ELF on papr or qemu, print the seconds until @@END@@ arrives.
# Console output goes to OUT, papr's stderr (with --stats) to OUT.err.
run_to_end() {
  local kind=$1 elf=$2 out=$3 pid line s e=""
  : >"$out"
  s=$EPOCHREALTIME
  if [ "$kind" = papr ]; then
    exec 3< <(exec "$papr" run --kernel "$elf" -m 256M --stats </dev/null 2>"$out.err")
  else
    exec 3< <(exec "$QEMU" -M pseries,x-vof=on -cpu POWER9 -m 256M -nographic -nodefaults \
      -serial mon:stdio -display none -kernel "$elf" </dev/null 2>"$out.err")
  fi
  pid=$!
  while IFS= read -r line <&3; do
    printf '%s\n' "${line%$'\r'}" >>"$out"
    case $line in @@END@@*) e=$EPOCHREALTIME; break ;; esac
  done
  if [ "$kind" = papr ]; then
    cat <&3 >/dev/null   # papr exits by itself after OF exit; wait for its --stats
  else
    kill "$pid" 2>/dev/null || true
  fi
  exec 3<&-
  wait "$pid" 2>/dev/null || true
  [ -n "$e" ] || { echo "$kind: $elf did not reach @@END@@ (output in $out)" >&2; exit 1; }
  echo "$e - $s" | bc -l
}

best() { sort -g | head -1; }
section() { sed -n '/^@@BEGIN@@/,/^@@END@@/p' "$1"; }

echo "papr: $papr; QEMU: $("$QEMU" --version | head -1); best of $runs; $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %14s %14s %9s %8s %9s %8s %10s\n' guest derived papr-retired papr-s papr-MIPS qemu-s qemu-MIPS papr/qemu
for g in hello ${GUESTS:-bench_int bench_copy bench_fp}; do
  elf=guests/bin/$g.elf
  ps=() qs=()
  for i in $(seq "$runs"); do
    ps+=("$(run_to_end papr "$elf" "$tmp/$g.papr.$i")")
    qs+=("$(run_to_end qemu "$elf" "$tmp/$g.qemu.$i")")
  done
  p=$(printf '%s\n' "${ps[@]}" | best)
  q=$(printf '%s\n' "${qs[@]}" | best)
  n=$(sed -n 's/^papr: \([0-9]*\) instructions$/\1/p' "$tmp/$g.papr.1.err")
  [ -n "$n" ] || { echo "no instruction count from papr --stats for $g" >&2; exit 1; }
  d=${derived[$g]}
  if [ "$g" != hello ] && [ $((n - d)) -gt 100000 -o $((d - n)) -gt 100000 ]; then
    echo "WARNING: $g: papr retired $n instructions, derived $d" >&2
  fi
  if ! diff <(section "$tmp/$g.papr.1") <(section "$tmp/$g.qemu.1") >/dev/null; then
    echo "WARNING: $g: papr and QEMU console output differ:" >&2
    diff <(section "$tmp/$g.papr.1") <(section "$tmp/$g.qemu.1") >&2 || true
  fi
  printf '%-10s %14s %14s %9.3f %8.1f %9.3f %8.1f %9.2fx\n' "$g" "$d" "$n" "$p" \
    "$(echo "$n / $p / 1000000" | bc -l)" "$q" "$(echo "$n / $q / 1000000" | bc -l)" \
    "$(echo "$q / $p" | bc -l)"
  echo "           papr runs: ${ps[*]}   qemu runs: ${qs[*]}"
done
echo "(papr/qemu = papr MIPS / QEMU MIPS = QEMU seconds / papr seconds; below 1 means papr is slower;"
echo " hello's row is the start-up overhead included in every other row)"
