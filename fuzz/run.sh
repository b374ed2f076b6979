#!/usr/bin/env bash
# Runs the fuzz targets one after the other, SECONDS each (default 300), on one core, and
# prints the executions of each run. Seeds the corpus from fixtures/captures the first time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# FUZZ_SANITIZER=address (the cargo-fuzz default) checks memory errors too, at about a third of
# the speed; the default here is `none` (debug assertions and overflow checks stay on).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(framer message decode encode)
sanitizer=${FUZZ_SANITIZER:-none}

if [ ! -d corpus/framer ]; then
  (cd .. && AMI_FUZZ_SEEDS="$PWD/fuzz/corpus" \
    cargo test -q -p ami-types --test fuzz_regressions -- --ignored write_seeds)
fi
mkdir -p artifacts/logs
for t in "${targets[@]}"; do
  log="artifacts/logs/$t-$(date +%Y%m%d-%H%M%S).log"
  cargo +nightly fuzz run -s "$sanitizer" "$t" -- \
    -max_total_time="$secs" -max_len=2048 -print_final_stats=1 >"$log" 2>&1 || {
    echo "$t: FAILED, see fuzz/$log and fuzz/artifacts/$t/"
    exit 1
  }
  echo "$t: $(grep -m1 '^stat::number_of_executed_units' "$log" | cut -d: -f4 | tr -d ' ') executions in ${secs}s, no crash"
done
