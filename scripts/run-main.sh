#!/usr/bin/env bash
# scripts/run-main.sh — the README's main job: lab P3 of LABS.md (batch.size x
# compression x linger.ms, 27 runs of 100,000 records) on the embedded broker, with its
# CSV and chart under build/, then the codec benchmarks' headline figures.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/lab
mkdir -p "$out"
bin/kwire bench lab P3 --csv "$out/P3.csv" --chart "$out/P3.svg"
echo
echo "== codec layer (build/bench/bench_batch)"
build/bench/bench_batch 3
