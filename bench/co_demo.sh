#!/usr/bin/env bash
# bench/co_demo.sh — coordinated omission, measured (docs/LATENCY.md): a paced
# `kwire bench produce` run during which the broker's process is frozen once
# (SIGSTOP, then SIGCONT, by the PID this script started), repeated; one line per run
# and the spread of each figure over the runs.
#
#   bench/co_demo.sh [--runs N] [--rate R] [--records N] [--stall-at S] [--stall S]
#                    [--kafka VERSION] [-X name=value]...
#
# Defaults: 5 runs of 30,000 records at 2,500/s, a 1 s freeze 4 s in, on bin/kwire-broker
# (the embedded mock, 3 brokers); --stall 0 freezes nothing (the baseline); --kafka 4.4.0 uses a real single-node Kafka from
# scripts/kafka.sh (its jars in $KWIRE_CACHE) instead, frozen as a whole JVM. -X settings
# go to the producer (the docs' CO runs use buffer.memory=8192 batch.size=1024, a
# producer that waits when 8 KiB are unacknowledged, as a synchronous client waits).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
runs=5 rate=2500 records=30000 stall_at=4 stall=1 kafka=""
xs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --stall-at) stall_at=$2; shift 2 ;;
    --stall) stall=$2; shift 2 ;;
    --kafka) kafka=$2; shift 2 ;;
    -X) xs+=(-X "$2"); shift 2 ;;
    *) echo "co_demo: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d /tmp/kwire-co-demo.XXXXXX)
bpid="" kdir=""
cleanup() {
  [ -n "$bpid" ] && { kill -CONT "$bpid" 2>/dev/null; kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null; }
  [ -n "$kdir" ] && scripts/kafka.sh stop "$kdir" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "$kafka" ]; then
  kdir=$tmp/kafka
  scripts/kafka.sh start "$kdir" --brokers 1 --version "$kafka" >"$tmp/kafka.out" 2>&1 ||
    { cat "$tmp/kafka.out" >&2; exit 1; }
  bs=$(cat "$kdir/bootstrap")
  freeze_pid=$(cat "$kdir/node1/pid")
  broker="Apache Kafka $kafka, 1 node (scripts/kafka.sh)"
else
  bin/kwire-broker --brokers 3 >"$tmp/bs" 2>"$tmp/broker.err" &
  bpid=$!
  for _ in $(seq 100); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
  bs=$(head -1 "$tmp/bs")
  freeze_pid=$bpid
  broker="bin/kwire-broker (librdkafka 2.0.2's mock cluster, 3 brokers)"
fi
echo "broker: $broker"
echo "each run: $kwire ${xs[*]} --json bench produce -t TOPIC -n $records --throughput $rate," \
     "the broker frozen ${stall} s at ${stall_at} s"
for i in $(seq "$runs"); do
  topic=co-demo-$i-$$
  "$kwire" -b "$bs" topics create "$topic" --partitions 3 >/dev/null 2>&1 || true
  "$kwire" -b "$bs" "${xs[@]}" --json bench produce -t "$topic" -n "$records" --throughput "$rate" \
    >"$tmp/run$i.json" 2>"$tmp/run$i.err" &
  kpid=$!
  if [ "$stall" != 0 ]; then # --stall 0: no freeze (the baseline)
    sleep "$stall_at"
    kill -STOP "$freeze_pid"
    sleep "$stall"
    kill -CONT "$freeze_pid"
  fi
  wait "$kpid" || { tail -3 "$tmp/run$i.err" >&2; exit 1; }
done
python3 - "$tmp" "$runs" <<'PY'
import json, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, runs + 1):
    d = json.load(open("%s/run%d.json" % (tmp, i)))
    r, s, w = d["response_time_ms"], d["service_time_ms"], d["send_delay_ms"]
    row = {"response p99": r["p99"], "response max": r["max"], "service p99": s["p99"], "service p99.9": s["p999"],
           "service max": s["max"], "send-delay p99": w["p99"], "kafka 99th": d["latency_p99_ms"],
           "records/s": d["records_per_sec"]}
    rows.append(row)
    print("run %d: " % i + ", ".join("%s %.1f" % kv for kv in row.items()))
print("spread over %d runs (min .. max):" % runs)
for k in rows[0]:
    v = [x[k] for x in rows]
    print("  %-15s %10.1f .. %.1f" % (k, min(v), max(v)))
PY
