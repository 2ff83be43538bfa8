#!/usr/bin/env bash
# tests/integ_kafka_fetch.sh — the fetch knobs as real Apache Kafka enforces them (the
# shared 4.4.0 cluster of scripts/with-kafka.sh, or one of its own), seen through
# `kwire bench consume --json`:
#   1. idle topic, fetch.min.bytes=1000000, fetch.max.wait.ms=W for W = 100, 500, 1000:
#      every fetch comes back empty and the broker held each one about W (the shortest
#      hold >= W - 10 ms, the median <= W + 400 ms: a behaviour, not a speed).
#   2. fetch.min.bytes=1, fetch.max.wait.ms=1000 while a producer writes 3000 records/s:
#      the broker answers as soon as records arrive (median hold < 100 ms, far below 1000).
#   3. small batches (batch.size=1024) on 6 partitions: max.partition.fetch.bytes=4096
#      bounds every partition's record set (and the bound is reached), fetch.max.bytes=3000
#      bounds every response; nothing above either, every record read once.
#   4. big batches (batch.size=65536, ~64 KB each): max.partition.fetch.bytes=16384 and
#      fetch.max.bytes=16384 are passed only as Kafka documents it, by one whole first batch
#      larger than the limit (every excess is such a batch; every record still read).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kfetch.XXXXXX)
integ_name=integ_kafka_fetch
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"

kafka_use 4.4.0
echo "broker: Apache Kafka $(cat "$KAFKA_DIR/version") at $KAFKA"

# consume NAME TOPIC ARGS...: bench consume --json into tmp/NAME.json (exit 0 required)
consume() {
  local name=$1 topic=$2; shift 2
  timeout 120 "$kw" -b "$KAFKA" bench consume -t "$topic" --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
    fail "$name: bench consume exit $?"
}

# check NAME PYTHON-EXPRESSIONS...: each must hold for d = tmp/NAME.json (replaces the
# library's check here: these are assertions on one run's JSON, each failure ends the script)
check() {
  local name=$1; shift
  python3 - "$tmp/$name.json" "$name" "$@" <<'EOF' || fail "$name: $(cat "$tmp/check.out")"
import json, sys
d = json.load(open(sys.argv[1]))
h, p, r = d["fetch_hold_ms"], d["partition_records_bytes"], d["response_records_bytes"]
bad = [e for e in sys.argv[3:] if not eval(e)]
summary = ("fetches %d (empty %d), records %d; hold ms min %.1f p50 %.1f max %.1f; partition sets max %d "
           "(over %d, first batch %d); responses max %d (over %d, first batch %d)" % (
    d["fetches"], d["empty_fetches"], d["records"], h["min"], h["p50"], h["max"], p["max"],
    d["partition_sets_over_limit"], d["partition_sets_over_limit_first_batch"], r["max"],
    d["responses_over_limit"], d["responses_over_limit_first_batch"]))
open(sys.argv[1] + ".summary", "w").write(summary)
if bad:
    open(sys.argv[1].rsplit("/", 1)[0] + "/check.out", "w").write("failed: " + "; ".join(bad) + " — " + summary)
    sys.exit(1)
EOF
  echo "  $name: $(cat "$tmp/$name.json.summary")"
}

# 1. the broker holds a fetch for fetch.max.wait.ms when fetch.min.bytes cannot be met
idle=$(kafka_topic fetch-idle 1)
for w in 100 500 1000; do
  secs=$(( w < 1000 ? 3 : 5 ))
  consume "idle-$w" "$idle" -X fetch.min.bytes=1000000 -X fetch.max.wait.ms=$w --duration $secs
  # the shortest hold is exact (min is kept), the median is bucketed (a few % high)
  check "idle-$w" "d['fetches'] >= 2" "d['empty_fetches'] == d['fetches']" "d['records'] == 0" \
    "h['min'] >= $w - 10" "h['p50'] <= $w + 400"
done

# 2. fetch.min.bytes=1 under steady load: the broker answers at once
live=$(kafka_topic fetch-live 1)
timeout 60 "$kw" -q -b "$KAFKA" bench produce -t "$live" -n 24000 --throughput 3000 >"$tmp/live-produce.out" \
  2>"$tmp/live-produce.err" &
prod=$!
at_exit "kill $prod 2>/dev/null"
sleep 1.5
consume live "$live" -X fetch.min.bytes=1 -X fetch.max.wait.ms=1000 --duration 4
wait $prod || fail "the steady producer failed (exit $?)"
check live "d['records'] >= 3000" "d['fetches'] - d['empty_fetches'] >= 20" "h['p50'] < 100"

# 3. the byte limits bound what the broker returns (batches ~1 KB, below both limits)
small=$(kafka_topic fetch-small 6)
timeout 120 "$kw" -q -b "$KAFKA" -X batch.size=1024 -X linger.ms=5 bench produce -t "$small" -n 6000 \
  >/dev/null 2>"$tmp/small-produce.err" || fail "producing 6000 records in small batches"
consume part-limit "$small" -X max.partition.fetch.bytes=4096 -n 6000
check part-limit "d['records'] == 6000" "p['max'] <= 4096" "p['max'] > 4096 - 1100" \
  "d['partition_sets_over_limit'] == 0"
consume fetch-limit "$small" -X fetch.max.bytes=3000 -n 6000
check fetch-limit "d['records'] == 6000" "r['max'] <= 3000" "r['max'] > 3000 - 1100" \
  "d['responses_over_limit'] == 0" "p['max'] <= 3000"

# 4. a first batch larger than the limit still comes back whole (Kafka's documented exception)
big=$(kafka_topic fetch-big 1)
timeout 120 "$kw" -q -b "$KAFKA" -X batch.size=65536 -X linger.ms=50 bench produce -t "$big" -n 5000 \
  >/dev/null 2>"$tmp/big-produce.err" || fail "producing 5000 records in 64 KB batches"
consume big-part "$big" -X max.partition.fetch.bytes=16384 -n 5000
check big-part "d['records'] == 5000" "d['partition_sets_over_limit'] >= 3" \
  "d['partition_sets_over_limit'] == d['partition_sets_over_limit_first_batch']" "p['max'] <= 65536 + 200"
consume big-fetch "$big" -X fetch.max.bytes=16384 -n 5000
check big-fetch "d['records'] == 5000" "d['responses_over_limit'] >= 3" \
  "d['responses_over_limit'] == d['responses_over_limit_first_batch']" "r['max'] <= 65536 + 200"
echo "integ_kafka_fetch: ok"
