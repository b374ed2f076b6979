#!/usr/bin/env bash
# Refreshes ami-types/tests/fuzz-regressions/<target>/ from the fuzzing corpus: a libFuzzer
# merge keeps the inputs of at most MAX_LEN bytes (default 512) that add coverage, and KEEP
# (default 100) of them, sizes spread from the smallest to the largest, are kept per target.
# Files named `crash-*` (inputs that once crashed, fixed since) are always kept.
#
#   fuzz/refresh-regressions.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
max_len=${MAX_LEN:-512}
keep=${KEEP:-100}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(framer message decode encode)
for t in "${targets[@]}"; do
  dest=../ami-types/tests/fuzz-regressions/$t
  tmp=$(mktemp -d)
  cargo +nightly fuzz run -s none "$t" -- -merge=1 -max_len="$max_len" "$tmp" "corpus/$t" \
    >/dev/null 2>&1
  mkdir -p "$dest"
  find "$dest" -type f ! -name 'crash-*' -delete
  # Sizes spread evenly over the merged set (smallest to largest), KEEP of them.
  mapfile -t files < <(ls -S -r "$tmp")
  n=${#files[@]}
  for ((i = 0; i < keep && i < n; i++)); do
    f=${files[$((i * n / (keep < n ? keep : n)))]}
    cp "$tmp/$f" "$dest/$f"
  done
  rm -rf "$tmp"
  echo "$t: $(ls "$dest" | wc -l) regression inputs"
done
