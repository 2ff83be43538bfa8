#!/usr/bin/env bash
# tests/integ_dump.sh — `--dump` shows exactly the bytes on the wire: tshark captures a
# `kwire metadata --dump` exchange with the embedded broker on loopback, and the
# annotated field lines of the dump equal those `kwire decode` prints for the capture
# (same frames, same offsets, bytes, paths and values); tshark's own Kafka dissector
# finds the same requests and no malformed frame. Then on real Apache Kafka (the shared
# 4.4.0 cluster, tests/lib_kafka.sh), where every API runs at a flexible version (request
# header v2, tagged fields, compact types): `kwire metadata`, `produce` (gzip) and
# `consume` with --dump, each with a client.id of its own; its TCP streams are cut out
# of the capture by that client id, and `kwire decode` of them must print the same
# field lines as the dump. (tshark 4.0's dissector stops at Metadata v9, Produce v8 and
# Fetch v11, older than what Apache Kafka 4.4.0 and kwire agree on, so it only checks
# the mock's run.) The brokers and tshark are stopped by PID; every wait is bounded.
# Needs root (capture on lo) and tshark.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-dump.XXXXXX)
integ_name=integ_dump
. tests/lib_integ.sh
. tests/lib_kafka.sh
bpid=""; tpid=""
stop() { # stop PID, politely then firmly
  [ -n "$1" ] && stop_pid "$1"
}
at_exit 'stop "$tpid"; stop "$bpid"'
if [ "$(id -u)" -ne 0 ] || ! command -v tshark >/dev/null; then
  echo "integ_dump: skipped (needs root and tshark to capture on lo)"; exit 0
fi

bin/kwire-broker --brokers 3 --topic test-topic:6 >"$tmp/boot" 2>"$tmp/err" &
bpid=$!
for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
bs=$(head -1 "$tmp/boot"); [ -n "$bs" ] || fail "no bootstrap list"
filter="tcp and ($(echo "$bs" | tr ',' '\n' | sed 's/.*:/port /' | paste -sd'|' | sed 's/|/ or /g'))"
tshark -i lo -f "$filter" -w "$tmp/cap.pcap" -q 2>"$tmp/tshark.err" &
tpid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/tshark.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
timeout 30 "$kwire" -q -b "$bs" --dump-file "$tmp/dump.txt" metadata test-topic >"$tmp/out" 2>&1 || fail "metadata exit $?"
sleep 0.5
stop "$tpid"; tpid=""
timeout 30 "$kwire" decode "$tmp/cap.pcap" >"$tmp/dec.txt" 2>"$tmp/dec.err" || fail "decode exit $?"

fields() { grep -E '^[0-9a-f]{8} |^ {10}' "$1"; }
[ "$(fields "$tmp/dump.txt" | wc -l)" -gt 50 ] || fail "the dump has too few field lines"
diff <(fields "$tmp/dump.txt") <(fields "$tmp/dec.txt") >"$tmp/diff" || { head -20 "$tmp/diff" >&2; fail "dump and decode differ"; }
# the same exchanges, in the same order: ApiVersions v5 (refused), v0, Metadata v2
heads() { sed -n 's/^== .*  \(request\|response\)  \([A-Za-z]* v[0-9]*\)  correlation_id \([0-9]*\).*/\1 \2 \3/p' "$1"; }
diff <(heads "$tmp/dump.txt") <(heads "$tmp/dec.txt") >/dev/null || fail "frame headings differ"
[ "$(heads "$tmp/dump.txt" | tr '\n' ,)" = "request ApiVersions v5 1,response ApiVersions v5 1,request ApiVersions v0 2,response ApiVersions v0 2,request Metadata v2 3,response Metadata v2 3," ] ||
  fail "unexpected exchange: $(heads "$tmp/dump.txt" | tr '\n' ,)"
# tshark agrees on the requests and finds none of kwire's frames malformed (the mock's
# answer to ApiVersions v5 is itself malformed: error 35 in a body fitting no version)
port1=${bs%%,*}; port1=${port1##*:}
tshark -r "$tmp/cap.pcap" -d "tcp.port==$port1,kafka" -Y kafka -T fields -e kafka.request_key -e kafka.api_version \
  >"$tmp/tshark.txt" 2>/dev/null || fail "tshark read"
grep -q "^3	2$" "$tmp/tshark.txt" || fail "tshark saw no Metadata v2"
# (but ApiVersions v5, which tshark 4.0 reads in its v3 layout, leaving the 5 bytes of
# cluster_id and node_id over)
tshark -r "$tmp/cap.pcap" -d "tcp.port==$port1,kafka" -Y "_ws.malformed && tcp.dstport==$port1 && !(kafka.request_key == 18 && kafka.api_version >= 5)" \
  2>/dev/null | grep -q . && fail "tshark: a kwire request is malformed"
echo "integ_dump: mock: $(fields "$tmp/dump.txt" | wc -l) field lines identical"

# real Apache Kafka: flexible versions throughout
kafka_use 4.4.0
T=$(kafka_topic "dump-${KW_PASS:-plain}" 2 1)
filter="tcp and ($(echo "$KAFKA" | tr ',' '\n' | sed 's/.*:/port /' | paste -sd'|' | sed 's/|/ or /g'))"
tshark -i lo -f "$filter" -w "$tmp/rcap.pcap" -q 2>"$tmp/rtshark.err" &
tpid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/rtshark.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
cid=dump$$
seq 1 20 | timeout 30 "$kwire" -q -b "$KAFKA" -X client.id=$cid-p -X compression.type=gzip --dump-file "$tmp/rd-p.txt" \
  produce -t "$T" >/dev/null 2>&1 || fail "real Kafka: produce --dump failed"
timeout 30 "$kwire" -q -b "$KAFKA" -X client.id=$cid-m --dump-file "$tmp/rd-m.txt" metadata "$T" >/dev/null 2>&1 ||
  fail "real Kafka: metadata --dump failed"
timeout 30 "$kwire" -q -b "$KAFKA" -X client.id=$cid-c --dump-file "$tmp/rd-c.txt" consume -t "$T" -o beginning -c 20 \
  >/dev/null 2>&1 || fail "real Kafka: consume --dump failed"
sleep 0.5
stop "$tpid"; tpid=""
ports=$(echo "$KAFKA" | tr ',' '\n' | sed 's/.*://')
dargs=()
for p in $ports; do dargs+=(-d "tcp.port==$p,kafka"); done
for run in p m c; do
  # this run's streams: those whose requests carry its client id
  streams=$(tshark -r "$tmp/rcap.pcap" "${dargs[@]}" -Y "kafka.client_id == \"$cid-$run\"" -T fields -e tcp.stream 2>/dev/null |
    sort -un | paste -sd,)
  [ -n "$streams" ] || fail "real Kafka ($run): no TCP stream with client id $cid-$run in the capture"
  tshark -r "$tmp/rcap.pcap" -Y "tcp.stream in {$streams}" -w "$tmp/rcap-$run.pcap" 2>/dev/null ||
    fail "real Kafka ($run): cutting the streams out"
  timeout 30 "$kwire" decode "$tmp/rcap-$run.pcap" >"$tmp/rdec-$run.txt" 2>"$tmp/rdec-$run.err" ||
    fail "real Kafka ($run): decode exit $?: $(tail -3 "$tmp/rdec-$run.err")"
  [ "$(fields "$tmp/rd-$run.txt" | wc -l)" -gt 30 ] || fail "real Kafka ($run): the dump has too few field lines"
  diff <(fields "$tmp/rd-$run.txt") <(fields "$tmp/rdec-$run.txt") >"$tmp/rdiff" ||
    { head -20 "$tmp/rdiff" >&2; fail "real Kafka ($run): dump and decode differ"; }
  grep -q "_tagged_fields" "$tmp/rd-$run.txt" || fail "real Kafka ($run): no tagged-field section in the dump"
  echo "integ_dump: real Kafka ($(heads "$tmp/rd-$run.txt" | awk '$1 == "request" {print $2 " " $3}' | sort -u | paste -sd, )): $(fields "$tmp/rd-$run.txt" | wc -l) field lines identical"
done
echo "integ_dump: ok"
