#!/usr/bin/env bash
# bench/consume_vs_kcat.sh — `kwire consume -e` against `kcat -C -e` on the same broker
# and data: RECORDS (default 1,000,000) records of the labs' 92-byte payload produced
# by kcat into a 200-partition topic of the embedded broker, then each consumer reads
# every partition from the beginning to its end, output to /dev/null. The mock broker
# drops its oldest segments, so it may hold fewer records than were produced: both
# consumers read the same held records, and the count is printed. Prints records
# read, wall time, records/s, CPU (user+sys) per record, and kwire/kcat ratios. A
# benchmark, not a test: it never fails on the numbers. Usage: RECORDS=N bench/consume_vs_kcat.sh
set -u
cd "$(dirname "$0")/.."
N=${RECORDS:-1000000}
PARTS=200
for f in bin/kwire bin/kwire-broker; do [ -x "$f" ] || make -s "$f" >/dev/null || exit 1; done
command -v kcat >/dev/null || { echo "kcat not installed"; exit 1; }
tmp=$(mktemp -d /tmp/kwire-bench-consume.XXXXXX)
bin/kwire-broker --brokers 3 --topic bench:$PARTS >"$tmp/boot" 2>"$tmp/berr" &
bpid=$!
trap 'kill $bpid 2>/dev/null; wait $bpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
B=$(head -1 "$tmp/boot")
payload='{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
yes "$payload" | head -n "$N" | kcat -b "$B" -P -t bench -X linger.ms=20 -X batch.num.messages=10000 \
  -X queue.buffering.max.messages=1000000 || exit 1
# the records the broker still holds (the mock drops old segments)
held=$(bin/kwire -q -b "$B" consume -t bench -o beginning -e -f '' --stats 2>&1 >/dev/null |
       sed -n 's/.* records \([0-9]*\), batches.*/\1/p')
run() { # run NAME CMD...: prints "NAME wall user sys"
  local name=$1; shift
  /usr/bin/time -f "$name %e %U %S" -o "$tmp/time.$name" "$@" >/dev/null 2>"$tmp/err.$name"
  cat "$tmp/time.$name"
}
best() { # best NAME CMD...: best of 3 by wall time
  local name=$1; shift
  for i in 1 2 3; do run "$name" "$@"; done | sort -k2 -n | head -1
}
k=$(best kwire bin/kwire -q -b "$B" consume -t bench -o beginning -e)
c=$(best kcat kcat -b "$B" -C -t bench -o beginning -e -q)
kcount=$held
ccount=$(kcat -b "$B" -C -t bench -o beginning -e -q | wc -l)
echo "records produced $N, held by the broker (kwire / kcat read) $kcount / $ccount"
awk -v k="$k" -v c="$c" -v nk="$kcount" -v nc="$ccount" 'BEGIN {
  split(k, a, " "); split(c, b, " ");
  rk = nk / a[2]; rc = nc / b[2];
  ck = (a[3] + a[4]) / nk * 1e9; cc = (b[3] + b[4]) / nc * 1e9;
  printf "%-6s %10s %12s %16s\n", "", "wall s", "records/s", "CPU ns/record";
  printf "%-6s %10.2f %12.0f %16.0f\n", "kwire", a[2], rk, ck;
  printf "%-6s %10.2f %12.0f %16.0f\n", "kcat", b[2], rc, cc;
  printf "ratio kwire/kcat: records/s %.2f, CPU per record %.2f\n", rk / rc, ck / cc;
}'
