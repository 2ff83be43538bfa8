#!/usr/bin/env bash
# bench/paced_vs_java.sh — latency at a fixed rate: kwire against Kafka's Java client, both
# paced at half of the Java client's maximum rate on the same broker.
#
# 1. kafka-producer-perf-test sends N records of the labs' 92-byte payload as fast as it can
#    (--throughput -1), M times (default 3); the median of its records/s is the Java client's
#    maximum here, and R = half of it.
# 2. R runs (default 5), each into fresh topics of P partitions (default 6): the Java tool
#    with --throughput R, and `kwire bench produce --throughput R`, in turn, their order
#    reversed every other run. Both use their client's defaults (acks=all, linger.ms=5).
# 3. Per run: the Java tool's p99 (its clock starts when it calls send(), so a stall of the
#    producer delays the send and is left out: coordinated omission), kwire's response-time
#    p99 (from each record's intended send time) and service-time p99 (from its actual send,
#    what the Java tool measures), and kwire's response p99 over Java's p99 against the target
#    (<= 1.0). Then the median and range of each and how many runs met the target.
#
#   bench/paced_vs_java.sh [-b BOOTSTRAP] [-n N] [-m M] [-r R] [-p P] [--rate RECORDS_PER_S]
#
# --rate skips step 1. Without -b, a single-node Apache Kafka 4.4.0 is started for the run
# (scripts/kafka.sh, a directory of its own) and stopped by PID at the end. Needs Java (the
# Kafka tools come from Maven Central through scripts/kafka.sh). Run from the top dir after
# `make all`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
ver=${KAFKA_VERSION:-4.4.0}
boot="" n=1000000 m=3 r=5 parts=6 rate=""
usage() { echo "usage: $0 [-b BOOTSTRAP] [-n N] [-m M] [-r R] [-p P] [--rate RECORDS_PER_S]" >&2; exit 2; }
num() { case "$2" in '' | *[!0-9]*) echo "paced_vs_java: $1 wants a positive number, not '$2'" >&2; exit 2 ;; esac; }
while [ $# -gt 0 ]; do
  case "$1" in
    -b) boot=${2:-}; shift 2 || usage ;;
    -n) num -n "${2:-}"; n=$2; shift 2 ;;
    -m) num -m "${2:-}"; m=$2; shift 2 ;;
    -r) num -r "${2:-}"; r=$2; shift 2 ;;
    -p) num -p "${2:-}"; parts=$2; shift 2 ;;
    --rate) num --rate "${2:-}"; rate=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -x "$kw" ] || { echo "paced_vs_java: $kw not built (make all)" >&2; exit 1; }
dir=$(mktemp -d /tmp/kwire-paced.XXXXXX)
started=""
cleanup() { [ -n "$started" ] && scripts/kafka.sh stop "$dir/kafka" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "$boot" ]; then
  started=1
  scripts/kafka.sh start "$dir/kafka" --brokers 1 --version "$ver" >"$dir/start.log" 2>&1 ||
    { cat "$dir/start.log" >&2; exit 1; }
  boot=$(cat "$dir/kafka/bootstrap")
  grep ' ready in ' "$dir/start.log"
fi
# the labs' payload, as kwire's --payload lab sends it (92 bytes)
printf '{"data": "%s"}' "$(printf 'A%.0s' $(seq 80))" >"$dir/payload.txt"
[ "$(wc -c <"$dir/payload.txt")" -eq 92 ] || { echo "paced_vs_java: payload is not 92 bytes" >&2; exit 1; }

# a fresh topic per run (called in a subshell: the name comes from the clock)
topic() {
  local t="paced-$$-$1-$(date +%s%N)"
  "$kw" -b "$boot" topics create "$t" --partitions "$parts" >/dev/null ||
    { echo "paced_vs_java: could not create topic $t" >&2; exit 1; }
  echo "$t"
}
# java RATE: the Java tool's final line's fields "records/sec p99" (stdout), its output in $dir/java.out
java() {
  local t
  t=$(topic java)
  scripts/kafka.sh tool "$ver" producer-perf-test --topic "$t" --num-records "$n" --throughput "$1" \
    --payload-file "$dir/payload.txt" --producer-props "bootstrap.servers=$boot" >"$dir/java.out" 2>&1 ||
    { echo "paced_vs_java: kafka-producer-perf-test failed:" >&2; tail -5 "$dir/java.out" >&2; exit 1; }
  local line
  line=$(grep " records sent, " "$dir/java.out" | tail -1)
  [ -n "$line" ] || { echo "paced_vs_java: no final line from kafka-producer-perf-test" >&2; tail -5 "$dir/java.out" >&2; exit 1; }
  sed -E 's/.* records sent, ([0-9.]+) records\/sec.* ([0-9.]+) ms 99th.*/\1 \2/' <<<"$line"
}
# kwire RATE: "records/sec response_p99 service_p99" in ms
kwire() {
  local t
  t=$(topic kwire)
  "$kw" -b "$boot" bench produce -t "$t" -n "$n" --payload lab --throughput "$1" --json >"$dir/kwire.json" 2>"$dir/kwire.err" ||
    { echo "paced_vs_java: kwire bench produce failed:" >&2; tail -5 "$dir/kwire.err" >&2; exit 1; }
  python3 - "$dir/kwire.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
if j["failed"]:
    sys.exit("paced_vs_java: kwire reported %d failed records" % j["failed"])
print(j["records_per_sec"], j["response_time_ms"]["p99"], j["service_time_ms"]["p99"])
EOF
}

echo "paced_vs_java: Apache Kafka $ver at $boot, $n records of 92 bytes per run, $parts partitions," \
  "each client's defaults; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "$rate" ]; then
  maxes=()
  for i in $(seq "$m"); do
    read -r rs _ <<<"$(java -1)"
    [ -n "$rs" ] || exit 1
    printf '  java unpaced run %s: %.0f records/s\n' "$i" "$rs"
    maxes+=("$rs")
  done
  max=$(printf '%s\n' "${maxes[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rate=$(awk -v x="$max" 'BEGIN {printf "%d", x / 2}')
  printf "  the Java client's maximum (median of %s): %.0f records/s; paced runs at %s records/s\n" "$m" "$max" "$rate"
else
  echo "  paced runs at $rate records/s (--rate)"
fi
[ "$rate" -gt 0 ] || { echo "paced_vs_java: a rate of 0 records/s" >&2; exit 1; }

printf '\n%-4s %-12s %-12s %-14s %-14s %-14s %-16s\n' run "java rec/s" "kwire rec/s" "java p99 ms" \
  "kwire resp p99" "kwire serv p99" "kwire resp/java"
rows=()
for i in $(seq "$r"); do
  if [ $((i % 2)) -eq 1 ]; then
    read -r jr jp <<<"$(java "$rate")"
    read -r kr kresp kserv <<<"$(kwire "$rate")"
  else
    read -r kr kresp kserv <<<"$(kwire "$rate")"
    read -r jr jp <<<"$(java "$rate")"
  fi
  [ -n "${jp:-}" ] && [ -n "${kresp:-}" ] || exit 1  # the failing client said why
  ratio=$(awk -v k="$kresp" -v j="$jp" 'BEGIN { if (j > 0) printf "%.3f", k / j; else print "inf" }')
  printf '%-4s %-12.0f %-12.0f %-14s %-14s %-14s %-16s\n' "$i" "$jr" "$kr" "$jp" "$kresp" "$kserv" "${ratio}x"
  rows+=("$jp $kresp $kserv $ratio")
done
printf '%s\n' "${rows[@]}" | awk -v runs="$r" '
  function med(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
                                  return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  function lo(v, n,   i, x) { x = v[1]; for (i = 2; i <= n; i++) if (v[i] < x) x = v[i]; return x }
  function hi(v, n,   i, x) { x = v[1]; for (i = 2; i <= n; i++) if (v[i] > x) x = v[i]; return x }
  { j[NR] = $1; k[NR] = $2; s[NR] = $3; q[NR] = ($4 == "inf" ? 1e9 : $4); if (q[NR] <= 1.0) met++ }
  END {
    printf "\nmedian (range) over %d runs: java p99 %s ms (%s-%s); kwire response p99 %s ms (%s-%s), service p99 %s ms (%s-%s)\n",
      runs, med(j, NR), lo(j, NR), hi(j, NR), med(k, NR), lo(k, NR), hi(k, NR), med(s, NR), lo(s, NR), hi(s, NR)
    printf "kwire response p99 / java p99: median %.3fx (%.3f-%.3f); target <= 1.0 met in %d of %d runs\n",
      med(q, NR), lo(q, NR), hi(q, NR), met + 0, NR
  }'
