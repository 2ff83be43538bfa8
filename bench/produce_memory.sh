#!/usr/bin/env bash
# bench/produce_memory.sh — memory and CPU of `kwire produce` against kcat on every topic
# shape: N lines of the labs' 92-byte payload (default 1,000,000) with linger.ms=5 and
# batch.size=1000000, into topics of 1, 6 and 200 partitions (a fresh topic per run), each
# shape R times (default 5) with the two clients in turn and their order reversed every
# other run. Prints, per shape, `kwire bench compare --repeat`'s runs, the median and range
# of records/s, CPU per million records and peak RSS, and kwire-cli/kcat's ratios against
# the targets (peak RSS <= 1.0, CPU <= 0.5) summed up over the runs.
#
#   bench/produce_memory.sh [-b BOOTSTRAP] [-n N] [-r R] [-p "1 6 200"] [--csv DIR]
#
# KWIRE_COMPARE_KWIRE=PATH measures another kwire build against kcat (e.g. an earlier one).
# Without -b, a single-node Apache Kafka 4.4.0 is started for the whole run
# (scripts/kafka.sh, a directory of its own) and stopped by PID at the end.
# Run from the top dir after `make all`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
boot="" n=1000000 r=5 parts="1 6 200" csvdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    -b) boot=$2; shift 2 ;;
    -n) n=$2; shift 2 ;;
    -r) r=$2; shift 2 ;;
    -p) parts=$2; shift 2 ;;
    --csv) csvdir=$2; shift 2 ;;
    *) echo "usage: $0 [-b BOOTSTRAP] [-n N] [-r R] [-p \"1 6 200\"] [--csv DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$kw" ] || { echo "produce_memory: $kw not built (make all)" >&2; exit 1; }
dir=""
cleanup() { [ -n "$dir" ] && { scripts/kafka.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"; }; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "$boot" ]; then
  dir=$(mktemp -d /tmp/kwire-produce-memory.XXXXXX)
  scripts/kafka.sh start "$dir" --brokers 1 --version 4.4.0 >"$dir/start.log" 2>&1 ||
    { cat "$dir/start.log" >&2; exit 1; }
  boot=$(cat "$dir/bootstrap")
  grep ' ready in ' "$dir/start.log"
fi
echo "produce_memory: $n records, linger.ms=5 batch.size=1000000, $r runs per shape, broker $boot; $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$csvdir" ] && mkdir -p "$csvdir"
for p in $parts; do
  echo
  echo "== $p partition(s)"
  csv=()
  [ -n "$csvdir" ] && csv=(--csv "$csvdir/produce-memory-p$p.csv")
  "$kw" -b "$boot" -X linger.ms=5 -X batch.size=1000000 bench compare --peers kcat --produce-only \
    --partitions "$p" --repeat "$r" -n "$n" "${csv[@]}" ||
    { echo "produce_memory: bench compare failed on $p partition(s)" >&2; exit 1; }
done
