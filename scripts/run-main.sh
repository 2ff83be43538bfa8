#!/usr/bin/env bash
# scripts/run-main.sh — the README's main job: lab P3 of LABS.md (batch.size x
# compression x linger.ms, 27 settings of 100,000 records, each run 5 times after a
# warm-up run) on a real Apache Kafka 4.4.0, one node, started here with scripts/kafka.sh
# and stopped by PID at the end (also on Ctrl-C); its chart and CSV go to docs/
# (docs/lab-P3.svg, docs/lab-P3.csv, shown in docs/LAB-RESULTS.md), then the codec benchmarks'
# headline figures. The first run fetches Kafka's jars from Maven Central into .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/kafka-run
version=4.4.0
stop() { scripts/kafka.sh stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap stop EXIT
trap 'exit 130' INT TERM
scripts/kafka.sh stop "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
echo "== lab P3 on Apache Kafka $version, one node (scripts/kafka.sh)"
# the lab writes 8.2 million records: small segments, and old ones deleted as it goes
scripts/kafka.sh start "$dir" --brokers 1 --version "$version" \
  --set log.segment.bytes=67108864 --set log.retention.bytes=268435456 \
  --set log.retention.check.interval.ms=10000
bin/kwire -b "$(cat "$dir/bootstrap")" bench lab P3 --repeat 5 --csv docs/lab-P3.csv --chart docs/lab-P3.svg
echo
echo "== codec layer (build/bench/bench_batch)"
build/bench/bench_batch 3
