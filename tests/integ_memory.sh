#!/usr/bin/env bash
# tests/integ_memory.sh — bounded memory (issue 8), on the embedded broker (3 brokers).
#
#   1. A producer faster than the broker blocks at buffer.memory: every broker's responses
#      are delayed (`rtt -1 200` on the broker's control FIFO) and `kwire bench produce` sends
#      400,000 records (the labs' 92-byte payload, ~41 MB held as encoded) with
#      buffer.memory 4 MiB, then 16 MiB (batch.size 262144). Its own statistics (-v:
#      "buffer memory peak") show it reached the bound and never passed it (peak within
#      90..100% of buffer.memory), every record is delivered, and its peak RSS stays under
#      baseline + buffer.memory + allowance, where baseline is the peak RSS of the same
#      command producing 1 record and the allowance is 2 x batch.size (released batches
#      kept for reuse) + 3 MiB (its 256 KiB input chunk, allocator slack). The 16 MiB
#      run's peak is higher than the 4 MiB run's by at least half the 12 MiB difference:
#      the RSS follows the setting. `kwire produce` of the same records with 16 MiB holds
#      its input back: at most (brokers + 1) x max(batch.size, max.request.size) waits to
#      be sent (buffer memory peak <= 6 MiB), every record delivered.
#   2. A consumer's memory stays within fetch.max.bytes x fetches held: 1,000,000 records
#      produced first (100 partitions) are consumed from the beginning to the end (-e)
#      with fetch.max.bytes 1 MiB, then 8 MiB (max.partition.fetch.bytes 1 MiB). kwire
#      has one Fetch in flight per broker and keeps at most two unread responses per
#      broker, so at most 3 brokers x 3 responses are held: the bound is baseline (the
#      same command consuming an empty topic) + 9 x fetch.max.bytes + 4 MiB allowance
#      (its 64 KiB read buffer, stdout buffering, a response frame that ends past a read
#      held while it completes, allocator slack). The topic is written in 64 KiB batches
#      so that a response's size follows fetch.max.bytes closely.
#      Every record is consumed, and the 8 MiB run's peak is above the 1 MiB run's.
# Peak RSS is the process's VmHWM read at its exit (build/tests/tool_maxrss). docs/RELIABILITY.md's
# "Bounded memory" block holds what is deterministic (settings, bounds as formulas,
# verdicts); the measured figures are printed here. With KWIRE set to another binary
# (e.g. an ASan build) the commands still run and are checked, but RSS is not compared.
# The broker is stopped by PID; every wait is bounded. Run from the top dir after
# `make all build/tests/tool_maxrss`.
# Real broker: the producer's bound needs a broker slower than the producer, which
# only the mock's response delay makes on demand; the consumer's bound is measured
# here too so both figures come from one broker.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
rsscheck=1
if [ "$kw" != bin/kwire ] && [ "$(readlink -f "$kw")" != "$(readlink -f bin/kwire)" ]; then
  rsscheck=0
  echo "integ_memory: KWIRE=$kw is not bin/kwire: running the commands, not comparing RSS (meaningless under ASan)"
fi
tool=build/tests/tool_maxrss
tmp=$(mktemp -d /tmp/kwire-integ-memory.XXXXXX)
start=$(date +%s)

integ_name=integ_memory
. tests/lib_integ.sh

[ -x "$kw" ] && [ -x bin/kwire-broker ] || fail "build bin/kwire and bin/kwire-broker first (make all)"
if [ ! -x "$tool" ] || [ "$tool" -ot tests/tool_maxrss.c ]; then
  make --no-print-directory -s "$tool" >/dev/null 2>&1 || fail "cannot build $tool"
fi

MiB=1048576
N=400000
BATCH=262144
line='{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
[ ${#line} -eq 92 ] || fail "payload is ${#line} bytes"
printf '%s\n' "$line" > "$tmp/one.txt"
yes "$line" | head -n $N > "$tmp/in.txt"
yes "$line" | head -n 1000000 > "$tmp/big.txt"

bin/kwire-broker --brokers 3 --control "$tmp/ctl" --topic slow:6 --topic big:100 --topic empty:3 \
  > "$tmp/bs" 2> "$tmp/broker.err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
[ -s "$tmp/bs" ] || fail "broker did not start"
BS=$(head -1 "$tmp/bs")

# run NAME CMD...: runs CMD under the RSS tool, sets $rss_kb; stderr in $tmp/NAME.err
# (without the RSS check, CMD runs directly: LeakSanitizer needs ptrace for itself)
run() {
  local name=$1; shift
  if [ $rsscheck -eq 0 ]; then
    timeout 120 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || fail "$name exited $?"
    rss_kb=1
    return
  fi
  timeout 60 "$tool" "$tmp/$name.rss" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
  local rc=$?
  [ $rc -eq 0 ] || fail "$name exited $rc"
  rss_kb=$(cut -d' ' -f1 "$tmp/$name.rss")
  [ "$rss_kb" -gt 0 ] 2>/dev/null || fail "$name: no peak RSS measured"
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
table="$tmp/table.md"
{
  echo "| what | setting | bound on peak RSS | verdict |"
  echo "|---|---|---|---|"
} > "$table"
measured=""
verdict() { # kb bound_kb -> "under bound" (or fails)
  if [ $rsscheck -eq 1 ] && [ "$1" -gt "$2" ]; then return 1; fi
  return 0
}

# ---- 1. producer blocked at buffer.memory ----
# the library's bound, through `kwire bench produce` (records made in memory, as fast as the
# producer takes them); then `kwire produce`, which holds its input back long before it
# one request in flight per broker, answered 200 ms late: the broker takes at most ~8 MB/s,
# slower than any producer, also one built with ASan on a loaded machine
pargs=(-X batch.size=$BATCH -X linger.ms=5 -X max.in.flight.requests.per.connection=1)
jnum() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }
run p-base "$kw" -b "$BS" "${pargs[@]}" bench produce -t slow -n 1 --payload lab --json
pbase=$rss_kb
ctl "rtt -1 200"
declare -A PRSS
for bm in 4 16; do
  bytes=$((bm * MiB))
  run "p-$bm" "$kw" -b "$BS" "${pargs[@]}" -X buffer.memory=$bytes bench produce -t slow -n $N --payload lab --json
  PRSS[$bm]=$rss_kb
  [ "$(jnum "$tmp/p-$bm.out" records)" = $N ] && [ "$(jnum "$tmp/p-$bm.out" failed)" = 0 ] ||
    fail "buffer.memory=$bm MiB: not every record delivered: $(head -c 300 "$tmp/p-$bm.out")"
  peak=$(jnum "$tmp/p-$bm.out" buffer_peak_bytes)
  [ -n "$peak" ] || fail "buffer.memory=$bm MiB: no buffer_peak_bytes in the JSON"
  [ "$peak" -le "$bytes" ] || fail "buffer.memory=$bm MiB: held $peak bytes, over the bound"
  [ "$peak" -ge $((bytes * 9 / 10)) ] ||
    fail "buffer.memory=$bm MiB: peak $peak bytes: the producer never reached the bound (did not block)"
  # bench produce also keeps a 4-byte latency sample per record (as kafka-producer-perf-test does)
  allow_kb=$(( (2 * BATCH + 3 * MiB + 4 * N) / 1024 ))
  bound_kb=$((pbase + bytes / 1024 + allow_kb))
  verdict "$rss_kb" "$bound_kb" || fail "producer buffer.memory=$bm MiB: peak RSS $(mb "$rss_kb") MB over the bound $(mb "$bound_kb") MB"
  echo "| producer (bench produce), broker slowed (responses +200 ms, 1 request in flight) | buffer.memory=$((bm))MiB, batch.size=$BATCH | baseline + buffer.memory + 2 x batch.size + 3 MiB + 4 B x records (latency samples) | under bound; blocked at the bound (buffer memory peak 90-100% of buffer.memory) |" >> "$table"
  measured="$measured  producer buffer.memory=${bm}MiB: buffer memory peak $peak bytes, peak RSS $(mb "$rss_kb") MB, bound $(mb "$bound_kb") MB (baseline $(mb "$pbase") MB)\n"
done
if [ $rsscheck -eq 1 ]; then
  grow=$(( PRSS[16] - PRSS[4] ))
  [ $grow -ge $(( 6 * 1024 )) ] || fail "producer peak RSS did not follow buffer.memory: 4 MiB -> $(mb "${PRSS[4]}") MB, 16 MiB -> $(mb "${PRSS[16]}") MB"
fi
echo "| producer (bench produce) | buffer.memory 4 MiB -> 16 MiB | peak RSS grows by at least 6 MiB | follows the setting |" >> "$table"
# kwire produce reads its input only while less than (brokers + 1) x max(batch.size,
# max.request.size) waits to be sent: besides what is in flight (up to 5 requests per
# broker) it holds about that, well under the 16 MiB it may (which bench produce reached)
run p-cmd "$kw" -v -b "$BS" "${pargs[@]}" -X buffer.memory=$((16 * MiB)) produce -t slow "$tmp/in.txt"
grep -q "^kwire produce: $N records sent, 0 failed, 0 refused" "$tmp/p-cmd.err" ||
  fail "kwire produce: not every record delivered: $(head -1 "$tmp/p-cmd.err")"
peak=$(grep -o 'buffer memory peak [0-9]*' "$tmp/p-cmd.err" | awk '{print $4}')
[ -n "$peak" ] && [ "$peak" -le $((12 * MiB)) ] ||
  fail "kwire produce with buffer.memory=16 MiB held ${peak:-?} bytes: it did not hold its input back"
verdict "$rss_kb" "$((pbase + 12 * 1024 + (2 * BATCH + 3 * MiB) / 1024))" ||
  fail "kwire produce: peak RSS $(mb "$rss_kb") MB over baseline + 12 MiB + allowance"
echo "| kwire produce, broker slowed (responses +200 ms, 1 request in flight) | buffer.memory=16MiB, batch.size=$BATCH | baseline + 12 MiB + 2 x batch.size + 3 MiB | under bound; input held back (buffer memory peak <= 3/4 of buffer.memory) |" >> "$table"
measured="$measured  kwire produce buffer.memory=16MiB: buffer memory peak $peak bytes, peak RSS $(mb "$rss_kb") MB\n"
ctl "rtt -1 0"

# ---- 2. consumer within fetch.max.bytes x fetches held ----
timeout 60 "$kw" -q -b "$BS" -X batch.size=65536 -X linger.ms=5 produce -t big "$tmp/big.txt" 2> "$tmp/fill.err" ||
  fail "could not fill topic big"
cargs=(-X max.partition.fetch.bytes=$MiB)
run c-base "$kw" -b "$BS" "${cargs[@]}" consume -t empty -o beginning -e
cbase=$rss_kb
declare -A CRSS
for fm in 1 8; do
  bytes=$((fm * MiB))
  run "c-$fm" "$kw" -b "$BS" "${cargs[@]}" -X fetch.max.bytes=$bytes consume -t big -o beginning -e
  CRSS[$fm]=$rss_kb
  got=$(wc -l < "$tmp/c-$fm.out")
  [ "$got" -eq 1000000 ] || fail "fetch.max.bytes=$fm MiB: consumed $got of 1000000 records"
  bound_kb=$((cbase + 9 * bytes / 1024 + 4 * 1024))
  verdict "$rss_kb" "$bound_kb" || fail "consumer fetch.max.bytes=$fm MiB: peak RSS $(mb "$rss_kb") MB over the bound $(mb "$bound_kb") MB"
  echo "| consumer, 1,000,000 records from the beginning | fetch.max.bytes=$((fm))MiB, max.partition.fetch.bytes=1MiB | baseline + 3 brokers x 3 responses x fetch.max.bytes + 4 MiB | under bound |" >> "$table"
  measured="$measured  consumer fetch.max.bytes=${fm}MiB: peak RSS $(mb "$rss_kb") MB, bound $(mb "$bound_kb") MB (baseline $(mb "$cbase") MB)\n"
done
if [ $rsscheck -eq 1 ]; then
  [ "${CRSS[8]}" -gt "${CRSS[1]}" ] || fail "consumer peak RSS did not follow fetch.max.bytes: 1 MiB -> $(mb "${CRSS[1]}") MB, 8 MiB -> $(mb "${CRSS[8]}") MB"
fi
echo "| consumer | fetch.max.bytes 1 MiB -> 8 MiB | peak RSS higher | follows the setting |" >> "$table"

[ $rsscheck -eq 1 ] && printf "integ_memory: measured (peak RSS = VmHWM at exit):\n$measured"
if [ $rsscheck -eq 1 ]; then
  scripts/readme-block.sh memory "$table" || fail "docs/RELIABILITY.md's memory block differs from this run's table"
fi
echo "integ_memory: ok ($(( $(date +%s) - start )) s)"
