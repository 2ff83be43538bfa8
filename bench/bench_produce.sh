#!/usr/bin/env bash
# bench/bench_produce.sh — `kwire produce -l FILE` against `kcat -P -l FILE` (librdkafka)
# and a kafka-python producer, each on a fresh embedded broker (bin/kwire-broker, 3
# brokers, topic bench with 6 partitions), same settings: linger.ms=5, batch.size=1000000,
# acks=all, enable.idempotence=false, compression none and lz4. The input is the labs'
# payload: {"data": "AAAA..."} with 80 A's (92 bytes), LINES lines (default 1,000,000;
# kafka-python gets PY_LINES, default 200,000, as it is ~50x slower). Prints per run the
# CPU time (user+sys) per record, records/s (wall time of the producing process) and peak
# RSS (from /usr/bin/time -v), then the ratios against the targets:
#   kwire CPU/record <= 0.5x librdkafka's, records/s >= librdkafka's,
#   peak RSS <= librdkafka's, records/s >= 30x kafka-python's.
# kwire runs twice: at Kafka's default buffer.memory (32 MiB: the producer may hold that
# much when it reads faster than the brokers take), and with buffer.memory=9200000, the
# bound librdkafka applies by default (queue.buffering.max.messages=100000 x 92 bytes).
# A figure-printing script, never a timed test. Run from the top dir after `make all`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
LINES=${LINES:-1000000}
PY_LINES=${PY_LINES:-200000}
tmp=$(mktemp -d /tmp/kwire-bench-produce.XXXXXX)
bpid=""
cleanup() {
  if [ -n "$bpid" ]; then kill -TERM "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -x bin/kwire ] && [ -x bin/kwire-broker ] || { echo "make all first" >&2; exit 1; }

python3 - "$LINES" > "$tmp/in.txt" <<'EOF'
import sys
line = '{"data": "' + "A" * 80 + '"}\n'
assert len(line) == 93
sys.stdout.write(line * int(sys.argv[1]))
EOF
head -"$PY_LINES" "$tmp/in.txt" > "$tmp/in-py.txt"

start_broker() {
  [ -n "$bpid" ] && { kill -TERM "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null; }
  rm -f "$tmp/bs"
  bin/kwire-broker --brokers 3 --topic bench:6 > "$tmp/bs" 2> "$tmp/broker.err" &
  bpid=$!
  for _ in $(seq 100); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
  BS=$(head -1 "$tmp/bs")
}

declare -A CPU RPS RSS

cat > "$tmp/kpy.py" <<'EOF'
import sys
from kafka import KafkaProducer
bs, path, codec = sys.argv[1], sys.argv[2], sys.argv[3]
p = KafkaProducer(bootstrap_servers=bs.split(","), linger_ms=5, batch_size=1000000, acks="all",
                  compression_type=None if codec == "none" else codec, max_request_size=1048576)
with open(path, "rb") as f:
    for line in f:
        p.send("bench", line.rstrip(b"\n"))
p.flush()
p.close()
EOF

run_all() {
  local codec=$1
  echo "== compression $codec"
  measure_bs "kwire-$codec" "$LINES" bin/kwire -q -X linger.ms=5 -X batch.size=1000000 -X acks=all \
    -X enable.idempotence=false -X compression.type="$codec" -b @BS@ produce -t bench -l "$tmp/in.txt"
  # the same bound on queued data as librdkafka's queue.buffering.max.messages=100000 (x 92 B)
  measure_bs "kwire9M-$codec" "$LINES" bin/kwire -q -X linger.ms=5 -X batch.size=1000000 -X acks=all \
    -X enable.idempotence=false -X compression.type="$codec" -X buffer.memory=9200000 -b @BS@ produce -t bench \
    -l "$tmp/in.txt"
  measure_bs "kcat-$codec" "$LINES" kcat -P -b @BS@ -t bench -X linger.ms=5 -X batch.size=1000000 \
    -X acks=all -X enable.idempotence=false -X compression.codec="$codec" -l "$tmp/in.txt"
  measure_bs "kpy-$codec" "$PY_LINES" /usr/bin/python3 "$tmp/kpy.py" @BS@ "$tmp/in-py.txt" "$codec"
}
# measure_bs NAME RECORDS COMMAND...: on a fresh broker (@BS@ in COMMAND replaced by its
# bootstrap list), run COMMAND under /usr/bin/time -v, print and keep the figures
measure_bs() {
  local name=$1 n=$2; shift 2
  start_broker
  local args=() a
  for a in "$@"; do args+=("${a//@BS@/$BS}"); done
  set -- "${args[@]}"
  /usr/bin/time -v -o "$tmp/time" "$@" > /dev/null 2> "$tmp/run.err" || { echo "$name failed:"; tail -3 "$tmp/run.err"; return; }
  local user sys wall rss
  user=$(awk -F': ' '/User time/ {print $2}' "$tmp/time")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tmp/time")
  wall=$(awk -F': ' '/Elapsed/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$tmp/time")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time")
  CPU[$name]=$(echo "($user + $sys) * 1000000000 / $n" | bc -l)
  RPS[$name]=$(echo "$n / $wall" | bc -l)
  RSS[$name]=$rss
  printf "%-12s %8d records  cpu %7.1f ns/record (user %5s s, sys %5s s)  %10.0f records/s  peak RSS %7d KiB\n" \
    "$name" "$n" "${CPU[$name]}" "$user" "$sys" "${RPS[$name]}" "$rss"
}

for codec in none lz4; do run_all "$codec"; done
echo "== ratios (targets: cpu <= 0.50x librdkafka, records/s >= 1.00x librdkafka, RSS <= 1.00x librdkafka, records/s >= 30x kafka-python)"
for run in kwire kwire9M; do for codec in none lz4; do
  k=$run-$codec; r=kcat-$codec; y=kpy-$codec
  [ -n "${CPU[$k]:-}" ] && [ -n "${CPU[$r]:-}" ] || continue
  printf "%-14s kwire/librdkafka: cpu/record %.2fx, records/s %.2fx, peak RSS %.2fx" "$k" \
    "$(echo "${CPU[$k]} / ${CPU[$r]}" | bc -l)" "$(echo "${RPS[$k]} / ${RPS[$r]}" | bc -l)" \
    "$(echo "${RSS[$k]} / ${RSS[$r]}" | bc -l)"
  if [ -n "${RPS[$y]:-}" ]; then printf ";  kwire/kafka-python records/s %.1fx" "$(echo "${RPS[$k]} / ${RPS[$y]}" | bc -l)"; fi
  echo
done; done
