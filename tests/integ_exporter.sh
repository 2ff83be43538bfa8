#!/usr/bin/env bash
# tests/integ_exporter.sh — the exporter end to end: tests/tool_exporter_fixture serves a
# fixed snapshot on an ephemeral port; curl checks /metrics, 404, 405, concurrent scrapes;
# promtool checks the exposition text; a real Prometheus (Debian package `prometheus`)
# scrapes it every second and its query API must return the fixture's lag. Everything
# started here is stopped by PID; temporary directories are removed.
# Real broker: none needed (a fixture serves the snapshot, so every sample is known);
# the exporter against Apache Kafka 4.4.0 is in tests/integ_lag.sh and
# tests/integ_kafka_versions.sh.
set -u
cd "$(dirname "$0")/.."
fixture=${KW_TOOLS:-build/tests}/tool_exporter_fixture
[ -x "$fixture" ] || make -s "$fixture" >/dev/null || { echo "integ_exporter: cannot build $fixture"; exit 1; }
for tool in curl promtool prometheus; do
  command -v "$tool" >/dev/null || { echo "integ_exporter: $tool not installed (apt-get install curl prometheus)"; exit 1; }
done

tmp=$(mktemp -d /tmp/kwire-integ-exporter.XXXXXX)
integ_name=integ_exporter
. tests/lib_integ.sh
pids=() # the fixtures and Prometheus
at_exit 'for p in "${pids[@]}"; do stop_pid "$p"; done'

# Start a fixture with the given options; sets $port.
start_fixture() {
  local out=$tmp/fixture.$#.$RANDOM
  "$fixture" "$@" >"$out" 2>&1 &
  pids+=($!)
  port=
  for _ in $(seq 50); do
    port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  fail "fixture did not start: $(cat "$out")"
}

echo "integ_exporter:"
start_fixture
port1=$port
base=http://127.0.0.1:$port1

code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$base/metrics")
check "GET /metrics is 200" [ "$code" = 200 ]
check "Content-Type is text/plain; version=0.0.4" \
  grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/headers"
check "lag of test-group partition 1 is 50" \
  grep -qx 'kafka_consumergroup_lag{consumergroup="test-group",partition="1",topic="test-topic"} 50' "$tmp/body"
check "lag_sum of test-group is 60 (no-commit partition not summed)" \
  grep -qx 'kafka_consumergroup_lag_sum{consumergroup="test-group",topic="test-topic"} 60' "$tmp/body"
check "label value escaped" grep -qF 'consumergroup="we\"ird\\group"' "$tmp/body"
check "kwire_up 1" grep -qx 'kwire_up 1' "$tmp/body"
# promtool must parse the text; of its lint remarks only one is accepted: the two
# kafka_exporter names that end in _sum (kept for dashboard 7589) are gauges.
promtool_ok() {
  promtool check metrics <"$1" >"$tmp/promtool.out" 2>&1 && return 0
  sed 's/^/       promtool: /' "$tmp/promtool.out"
  grep -q 'error while linting' "$tmp/promtool.out" && return 1
  ! grep -v -E '^kafka_consumergroup_(lag|current_offset)_sum non-histogram and non-summary metrics should not have "_sum" suffix$' \
      "$tmp/promtool.out" | grep -q .
}
check "promtool check metrics accepts the body" promtool_ok "$tmp/body"

check "GET /other is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/other")" = 404 ]
check "POST /metrics is 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$base/metrics")" = 405 ]
check "HEAD /metrics is 200" [ "$(curl -s -o /dev/null -I -w '%{http_code}' "$base/metrics")" = 200 ]
printf 'BOGUS\r\n\r\n' >"$tmp/bogus"
check "malformed request is 400" \
  sh -c "curl -s --max-time 5 telnet://127.0.0.1:$port <'$tmp/bogus' | head -1 | grep -q '^HTTP/1.1 400 '"

# 20 concurrent scrapes, all complete and identical apart from the duration line.
cpids=()
for i in $(seq 20); do
  curl -s --max-time 10 -o "$tmp/par.$i" "$base/metrics" &
  cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p"; done
okc=0
for i in $(seq 20); do
  grep -v '^kwire_scrape_duration_seconds ' "$tmp/par.$i" | cmp -s - <(grep -v '^kwire_scrape_duration_seconds ' "$tmp/body") && okc=$((okc + 1))
done
check "20 concurrent scrapes answered in full ($okc/20)" [ "$okc" = 20 ]

# An unreachable cluster: kwire_up 0 and no kafka_* samples; still valid for promtool.
start_fixture --down
curl -s -o "$tmp/down" "http://127.0.0.1:$port/metrics"
check "--down serves kwire_up 0" grep -qx 'kwire_up 0' "$tmp/down"
check "--down serves no kafka_ metrics" sh -c "! grep -q '^kafka_' '$tmp/down'"
check "promtool accepts the --down body" promtool_ok "$tmp/down"

# A real Prometheus scraping the first fixture every second.
pport=$(free_port)
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kwire
    static_configs:
      - targets: ['127.0.0.1:$port1']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
q='kafka_consumergroup_lag_sum{consumergroup="test-group",topic="test-topic"}'
got=
for _ in $(seq 60); do
  got=$(curl -s -G --max-time 2 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$q" |
        python3 -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")' 2>/dev/null)
  [ "$got" = 60 ] && break
  sleep 1
done
check "Prometheus scraped kafka_consumergroup_lag_sum = 60 (got '${got}')" [ "$got" = 60 ]
if [ "$got" = 60 ]; then
  up=$(curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode 'query=up{job="kwire"}' |
       python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
  check "Prometheus target up" [ "$up" = 1 ]
  lag=$(curl -s -G "http://127.0.0.1:$pport/api/v1/query" \
          --data-urlencode 'query=sum(kafka_consumergroup_lag{consumergroup="test-group"})' |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")')
  check "Prometheus: sum(kafka_consumergroup_lag{consumergroup=\"test-group\"}) = 60 (got '$lag')" [ "$lag" = 60 ]
else
  tail -20 "$tmp/prometheus.log"
fi

checks_done
