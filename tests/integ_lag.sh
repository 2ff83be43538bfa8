#!/usr/bin/env bash
# tests/integ_lag.sh — `kwire lag`, `kwire groups` and `kwire exporter` against the
# embedded broker: offsets committed by kcat -G (a librdkafka group consumer) are read
# by `kwire lag` with the right lag per partition; --threshold exits 3 at or over it and
# 0 under; --watch prints a line per interval, with WARNING lines over the threshold;
# `kwire groups GROUP` prints the kafka-consumer-groups.sh table; the exporter serves
# kafka_consumergroup_lag with the right value, promtool accepts it, a real Prometheus
# scrapes it (when installed), and with the cluster gone it serves kwire_up 0 and no
# kafka_* samples. Then on real Apache Kafka 4.4.0 (tests/lib_kafka.sh): offsets
# committed by Kafka's Java console consumer in a group (900 records read), 300 more
# produced: `kwire lag` shows 300 with lag = log-end - committed per partition,
# --threshold exits 3 at 300 and 0 at 301, and the exporter serves the same lag.
# Everything started here is stopped by PID.
set -u
cd "$(dirname "$0")/.."
kwire=${KWIRE:-bin/kwire}
py=/usr/bin/python3
for f in "$kwire" bin/kwire-broker; do
  [ -x "$f" ] || make -s "$f" >/dev/null || { echo "integ_lag: cannot build $f"; exit 1; }
done
for tool in kcat curl promtool; do
  command -v "$tool" >/dev/null || { echo "integ_lag: $tool not installed"; exit 1; }
done
tmp=$(mktemp -d /tmp/kwire-integ-lag.XXXXXX)
integ_name=integ_lag
. tests/lib_integ.sh
. tests/lib_kafka.sh
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}
at_exit cleanup

echo "integ_lag:"
start_broker --brokers 3 --topic lagt:3
B=$bs
K() { timeout 60 "$kwire" -q -b "$B" "$@"; }

# 300 records per partition
for p in 0 1 2; do seq 1 300 | kcat -b "$B" -P -t lagt -p "$p"; done
# kcat's group consumer reads all 900 records and commits; then 100 more arrive on
# partition 0 and 200 on partition 1
timeout 30 kcat -b "$B" -G lagg -o beginning -X auto.offset.reset=earliest -e -q lagt >/dev/null 2>&1
seq 1 100 | kcat -b "$B" -P -t lagt -p 0
seq 1 200 | kcat -b "$B" -P -t lagt -p 1
K lag -g lagg --json >"$tmp/lag.json"
total=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_lag"])' "$tmp/lag.json")
committed=$($py -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(sum(p["current_offset"] or 0 for g in r["groups"] for t in g["topics"] for p in t["partitions"]))' "$tmp/lag.json")
check "kcat -G committed offsets (sum $committed = 900)" [ "$committed" = 900 ]
check "kwire lag total = 1200 - 900 = 300 (got $total)" [ "$total" = 300 ]
perpart=$($py -c 'import json,sys
r = json.load(open(sys.argv[1]))
ok = all(p["lag"] == p["log_end_offset"] - p["current_offset"] for g in r["groups"] for t in g["topics"] for p in t["partitions"] if p["current_offset"] is not None)
print("yes" if ok else "no")' "$tmp/lag.json")
check "per-partition lag = log-end - committed" [ "$perpart" = yes ]

rc=0; K lag -g lagg --threshold 300 >/dev/null 2>"$tmp/th.err" || rc=$?
check "--threshold 300: exit 3 with a WARNING line" [ "$rc" = 3 ] && grep -q '^WARNING lagg total-lag 300 >= threshold 300' "$tmp/th.err"
rc=0; K lag -g lagg --threshold 301 >/dev/null || rc=$?
check "--threshold 301: exit 0" [ "$rc" = 0 ]
K lag -g lagg >"$tmp/table"
check "table has the kafka-consumer-groups.sh header" grep -q '^GROUP  *TOPIC  *PARTITION  *CURRENT-OFFSET  *LOG-END-OFFSET  *LAG' "$tmp/table"
K groups lagg >"$tmp/groups"
check "kwire groups GROUP prints the describe table with 3 partitions" \
  [ "$(grep -c '^lagg  *lagt ' "$tmp/groups")" = 3 ]

# --watch: lines every 0.5 s, WARNING over the threshold; new records raise the lag
timeout 60 "$kwire" -q -b "$B" lag -g lagg --watch 0.5 --threshold 310 >"$tmp/watch" 2>&1 &
wpid=$!
pids+=($wpid)
sleep 1.2
seq 1 20 | kcat -b "$B" -P -t lagt -p 2
sleep 1.5
kill "$wpid"; wait "$wpid" 2>/dev/null
wrc=$?
check "--watch prints total-lag lines" grep -Eq '^[0-9T:-]+Z lagg total-lag 300$' "$tmp/watch"
check "--watch stopped over the threshold exits 3 (got $wrc)" [ "$wrc" = 3 ]
check "--watch shows the change (+20)" grep -Eq 'lagg total-lag 320 \(\+20\)' "$tmp/watch"
check "--watch WARNING once over 310" grep -Eq 'WARNING lagg total-lag 320 >= threshold 310' "$tmp/watch"

# the exporter over the cluster
touch "$tmp/exp.out"
"$kwire" -q -b "$B" exporter --listen 127.0.0.1:0 --group lagg --interval 0.5 >"$tmp/exp.out" 2>"$tmp/exp.err" &
epid=$!
pids+=($epid)
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/exp.out"); [ -n "$port" ] && break; sleep 0.1
done
curl -s --max-time 20 -o "$tmp/m" "http://127.0.0.1:$port/metrics"
check "exporter: kwire_up 1" grep -qx 'kwire_up 1' "$tmp/m"
check "exporter: kafka_brokers 3" grep -qx 'kafka_brokers 3' "$tmp/m"
check "exporter: kafka_consumergroup_lag_sum = 320" grep -qx 'kafka_consumergroup_lag_sum{consumergroup="lagg",topic="lagt"} 320' "$tmp/m"
lag0=$(sed -n 's/^kafka_consumergroup_lag{consumergroup="lagg",partition="0",topic="lagt"} //p' "$tmp/m")
cur0=$(sed -n 's/^kafka_consumergroup_current_offset{consumergroup="lagg",partition="0",topic="lagt"} //p' "$tmp/m")
new0=$(sed -n 's/^kafka_topic_partition_current_offset{partition="0",topic="lagt"} //p' "$tmp/m")
check "exporter: partition 0 lag = newest - committed ($new0 - $cur0 = $lag0)" \
  [ -n "$lag0" ] && [ $((new0 - cur0)) = "$lag0" ]
promtool_ok() {
  promtool check metrics <"$1" >"$tmp/promtool.out" 2>&1 && return 0
  grep -q 'error while linting' "$tmp/promtool.out" && return 1
  ! grep -v -E '^kafka_consumergroup_(lag|current_offset)_sum non-histogram and non-summary metrics should not have "_sum" suffix$' \
      "$tmp/promtool.out" | grep -q .
}
check "exporter: promtool check metrics accepts it" promtool_ok "$tmp/m"

if command -v prometheus >/dev/null; then
  pport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: kwire\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$port" >"$tmp/prom.yml"
  prometheus --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$tmp/prom.log" 2>&1 &
  pids+=($!)
  got=
  for _ in $(seq 40); do
    got=$(curl -s -G --max-time 2 "http://127.0.0.1:$pport/api/v1/query" \
            --data-urlencode 'query=sum(kafka_consumergroup_lag{consumergroup="lagg"})' |
          $py -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")
except Exception:
    print("")' 2>/dev/null)
    [ "$got" = 320 ] && break
    sleep 1
  done
  check "Prometheus scraped sum(kafka_consumergroup_lag{consumergroup=\"lagg\"}) = 320 (got '$got')" [ "$got" = 320 ]
fi

# the cluster goes away: kwire_up 0, no kafka_* samples
t0=$(date +%s.%N)
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
t1=$(date +%s.%N)
down_ok() { grep -qx 'kwire_up 0' "$tmp/down" 2>/dev/null; }
# scrapes answer from the last completed collection (every 0.5 s): the first one that
# failed shows within the collection's own bound (its requests' timeouts)
for _ in $(seq 120); do
  crc=0; curl -s --max-time 60 -o "$tmp/down" -w '%{time_total}' "http://127.0.0.1:$port/metrics" >"$tmp/curl.t" || crc=$?
  down_ok && break
  sleep 0.5
done
t2=$(date +%s.%N)
check "cluster down: kwire_up 0" down_ok
check "cluster down: no kafka_ samples" sh -c "[ -f '$tmp/down' ] && ! grep -q '^kafka_' '$tmp/down'"
if ! down_ok; then # what the exporter and the broker did, for the log
  echo "  broker stopped in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; curl exit $crc after $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }') s (time_total $(cat "$tmp/curl.t"))"
  kill -0 "$epid" 2>/dev/null && echo "  exporter still running" || echo "  exporter no longer running"
  tail -5 "$tmp/exp.err" | sed 's/^/  exporter stderr: /'
  [ -f "$tmp/down" ] && head -c 600 "$tmp/down" | sed 's/^/  got: /'
fi

# real Apache Kafka: offsets committed by the Java console consumer
kafka_use 4.4.0
T=$(kafka_topic "lag-${KW_PASS:-plain}" 3 3)
G=jlag-$T
for p in 0 1 2; do seq 1 300 | "$kwire" -b "$KAFKA" produce -t "$T" -p "$p" >/dev/null 2>&1; done
timeout 90 "$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$KAFKA" --topic "$T" --group "$G" \
  --from-beginning --max-messages 900 --timeout-ms 30000 >"$tmp/jc.out" 2>"$tmp/jc.err"
check "real Kafka: the Java consumer read 900 records (got $(wc -l <"$tmp/jc.out"))" [ "$(wc -l <"$tmp/jc.out")" = 900 ]
seq 1 100 | "$kwire" -b "$KAFKA" produce -t "$T" -p 0 >/dev/null 2>&1
seq 1 200 | "$kwire" -b "$KAFKA" produce -t "$T" -p 1 >/dev/null 2>&1
"$kwire" -q -b "$KAFKA" lag -g "$G" --json >"$tmp/rlag.json" 2>"$tmp/rlag.err"
check "real Kafka: kwire lag of the Java group: total 300, committed 900, lag = log-end - committed per partition" \
  $py -c 'import json, sys
r = json.load(open(sys.argv[1]))
ps = [p for g in r["groups"] for t in g["topics"] for p in t["partitions"]]
ok = r["total_lag"] == 300 and sum(p["current_offset"] for p in ps) == 900 and \
     sorted(p["lag"] for p in ps) == [0, 100, 200] and all(p["lag"] == p["log_end_offset"] - p["current_offset"] for p in ps)
sys.exit(0 if ok else 1)' "$tmp/rlag.json"
rc=0; "$kwire" -q -b "$KAFKA" lag -g "$G" --threshold 300 >/dev/null 2>&1 || rc=$?
check "real Kafka: --threshold 300 exits 3 (got $rc)" [ "$rc" = 3 ]
rc=0; "$kwire" -q -b "$KAFKA" lag -g "$G" --threshold 301 >/dev/null 2>&1 || rc=$?
check "real Kafka: --threshold 301 exits 0 (got $rc)" [ "$rc" = 0 ]
rport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kwire" -b "$KAFKA" exporter --listen "127.0.0.1:$rport" >"$tmp/rexp.out" 2>"$tmp/rexp.err" &
pids+=($!)
rsum=""
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$rport/metrics" >"$tmp/rmetrics" 2>/dev/null &&
    rsum=$(awk -v g="consumergroup=\"$G\"" 'index($0, "kafka_consumergroup_lag{") == 1 && index($0, g) { s += $2 } END { print s + 0 }' "$tmp/rmetrics")
  [ "$rsum" = 300 ] && break
  sleep 0.2
done
check "real Kafka: the exporter serves the group's lag, 300 (got ${rsum:-nothing})" [ "$rsum" = 300 ]

checks_done
