#!/usr/bin/env bash
# scripts/run-main.sh — the README's main job. Until the producer lands this runs the
# codec and record-batch benchmarks (CRC-32C, codecs, batch encode/decode), which print
# their figures and ratios side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
ran=0
for b in build/bench/bench_codec build/bench/bench_batch build/bench/bench_proto; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b"
  ran=$((ran + 1))
done
[ $ran -gt 0 ] || { echo "run-main: no benchmark was built" >&2; exit 1; }
