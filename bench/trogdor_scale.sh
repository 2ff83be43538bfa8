#!/usr/bin/env bash
# bench/trogdor_scale.sh — does load spread over Trogdor workers add up? Records/s of one
# `kwire bench worker` against two at once (the program Trogdor's ExternalCommandWorker
# runs, fed the same start line, here without the agents: their JVMs would take the CPU
# being measured), each worker producing RECORDS (default 2,000,000) records of the labs'
# 92-byte payload as fast as it can (no targetMessagesPerSec) to a topic of PARTITIONS
# (default 6) partitions; the two-worker figure is `kwire bench merge --status` of both
# outputs (first start to last end). Each round prints both figures, the ratio, and the
# broker's CPU over each run (its process's user+system time / wall time, in cores) and
# the whole machine's (busy time of every core / wall time) against its core count, so a
# broker or machine bottleneck shows; ROUNDS (default 3) rounds, then
# the median ratio and the spread. One unrecorded one-worker run warms the broker up
# first. A single-node Kafka 4.4.0 is started here (stopped at the end) unless BOOTSTRAP
# and BROKER_PID are given. A figure-printing script, never a timed test.
# Usage (top dir, after make all): [RECORDS=N] [ROUNDS=R] [PARTITIONS=P] bench/trogdor_scale.sh
set -u
cd "$(dirname "$0")/.."
N=${RECORDS:-2000000}
R=${ROUNDS:-3}
P=${PARTITIONS:-6}
kw=$PWD/bin/kwire
[ -x "$kw" ] || make -s bin/kwire >/dev/null || exit 1
tmp=$(mktemp -d /tmp/kwire-bench-trogdor.XXXXXX)
trap '[ -z "${BOOTSTRAP:-}" ] && scripts/kafka.sh stop "$tmp/k" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
if [ -n "${BOOTSTRAP:-}" ]; then
  B=$BOOTSTRAP bpid=${BROKER_PID:?BROKER_PID: the broker process, for its CPU}
else
  scripts/kafka.sh start "$tmp/k" --heap 1g || exit 1
  B=$(cat "$tmp/k/bootstrap") bpid=$(cat "$tmp/k/node1/pid")
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; } # every core, not idle
hz=$(getconf CLK_TCK)
now() { date +%s.%N; }
# run K TOPIC: K workers at once; prints "records/s broker-cores machine-busy-cores"
run() {
  local k=$1 t=$2 i pids=() c0 c1 t0 t1 m0 m1
  c0=$(cpu_ticks "$bpid"); m0=$(busy_ticks); t0=$(now)
  for i in $(seq "$k"); do
    printf '{"id":"scale-%s-%s","workload":{"bootstrapServers":"%s","maxMessages":%s,"activeTopics":{"%s":{}},"labPayload":true,"keyGenerator":{"type":"null"},"producerConf":{"linger.ms":"5","batch.size":"262144"},"statusIntervalMs":60000}}\n' \
      "$k" "$i" "$B" "$N" "$t" | "$kw" bench worker >"$tmp/w$i.out" 2>"$tmp/w$i.err" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || { echo "a worker failed: $(cat "$tmp"/w*.err)" >&2; exit 1; }; done
  c1=$(cpu_ticks "$bpid"); m1=$(busy_ticks); t1=$(now)
  local files=() rate
  for i in $(seq "$k"); do files+=("$tmp/w$i.out"); done
  rate=$("$kw" --json bench merge --status "${files[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["recordsPerSec"])')
  awk -v r="$rate" -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    'BEGIN { printf "%.0f %.2f %.2f\n", r, (c1 - c0) / hz / (t1 - t0), (m1 - m0) / hz / (t1 - t0) }'
}
echo "bench/trogdor_scale.sh: Kafka 4.4.0, 1 node at $B; $N records of 92 bytes per worker, $P partitions," \
  "acks=all (kwire's default), linger.ms=5, batch.size=262144; $(nproc) cores on this machine"
"$kw" -q -b "$B" topics create scale-warm --partitions "$P" >/dev/null || exit 1
run 1 scale-warm >/dev/null # unrecorded: the broker's JIT and the page cache warm up
ratios=()
for r in $(seq "$R"); do
  "$kw" -q -b "$B" topics create "scale1-$r" --partitions "$P" >/dev/null || exit 1
  "$kw" -q -b "$B" topics create "scale2-$r" --partitions "$P" >/dev/null || exit 1
  read -r one c1 u1 <<<"$(run 1 "scale1-$r")"
  read -r two c2 u2 <<<"$(run 2 "scale2-$r")"
  ratio=$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", b / a }')
  ratios+=("$ratio")
  echo "round $r: 1 worker $one records/s (broker $c1 cores, machine busy $u1 of $(nproc));" \
    "2 workers $two records/s (broker $c2 cores, machine busy $u2); ratio $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  printf "median ratio %.2f (2 workers / 1), spread %.2f .. %.2f over %d rounds\n", v[int((NR + 1) / 2)], v[1], v[NR], NR }'
