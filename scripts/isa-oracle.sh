#!/usr/bin/env bash
# Runs papr-isa's objdump oracle tests (docs/ISA.md): the Debian vmlinux and busybox, and the
# synthetic-word comparison. Fails if objdump or the artifacts are missing.
#
#   scripts/isa-oracle.sh [SCALE [SEED]]
#   scripts/isa-oracle.sh exhaustive [PRIMARIES]
#
# SCALE multiplies the synthetic words (default 1, about 600k; 40 gives about 19M and wants
# the release profile, which this script uses when SCALE > 1). "exhaustive" compares every
# word of the given primary opcodes (comma-separated, default all 64; about a minute each).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ "${1:-}" = exhaustive ]; then
  export PAPR_REQUIRE_ORACLES=1 PAPR_ISA_PRIMARIES="${2:-all}"
  exec cargo test --release -p papr-isa --test objdump_oracle -- --ignored --nocapture \
    objdump_agrees_on_every_word_of_primaries
fi
scale="${1:-1}"
seed="${2:-}"
profile=()
if [ "$scale" -gt 1 ]; then profile=(--release); fi
export PAPR_REQUIRE_ORACLES=1 PAPR_ISA_FUZZ_SCALE="$scale"
if [ -n "$seed" ]; then export PAPR_ISA_FUZZ_SEED="$seed"; fi
exec cargo test "${profile[@]}" -p papr-isa --test objdump_oracle -- --nocapture
