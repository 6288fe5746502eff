#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (issue 10, item 4) with libFuzzer for
# SECONDS each (first argument, 60 by default), starting from the seeds in
# fuzz/seeds/<target>; fails on the first crash or panic, leaving
# the input that caused it in fuzz/artifacts/<target>/. Called by `make
# stress` after `scripts/setup.sh stress` (cargo-fuzz). Without a sanitizer
# (the code is safe Rust) cargo fuzz needs no nightly toolchain.
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/../fuzz"
export CARGO_TARGET_DIR=${GOUZHU_FUZZ_TARGET_DIR:-$HOME/.cache/gouzhu/fuzz-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
for target in xlsx_import text_fields amounts; do
  mkdir -p "$work/$target"
  seeds=()
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  printf '\033[1;36m==>\033[0m fuzzing %s for %s s\n' "$target" "$seconds"
  cargo fuzz run --sanitizer none "$target" "$work/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    tee "$work/$target.log" | grep -E "^(#[0-9]+.*(INITED|DONE)|==|SUMMARY|thread|Failing input)" || true
  status=${PIPESTATUS[0]}
  runs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$work/$target.log" | tail -1)
  corpus=$(find "$work/$target" -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    tail -40 "$work/$target.log"
    echo "fuzz target $target failed (exit $status); the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  summary+=("| $target | $seconds s | ${runs:-?} | $corpus | 0 |")
done
echo "| Target | Time | Executions | Corpus | Crashes |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${summary[@]}"
