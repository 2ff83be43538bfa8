#!/usr/bin/env bash
# tests/integ_dump.sh — `--dump` shows exactly the bytes on the wire: tshark captures a
# `kwire metadata --dump` exchange with the embedded broker on loopback, and the
# annotated field lines of the dump equal those `kwire decode` prints for the capture
# (same frames, same offsets, bytes, paths and values); tshark's own Kafka dissector
# finds the same requests and no malformed frame. The broker and tshark are stopped by
# PID; every wait is bounded. Needs root (capture on lo) and tshark.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-dump.XXXXXX)
bpid=""; tpid=""
stop() { # stop PID, politely then firmly
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null
}
cleanup() { stop "$tpid"; stop "$bpid"; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "integ_dump: FAIL: $*" >&2; exit 1; }
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
# the same exchanges, in the same order: ApiVersions v4 (refused), v0, Metadata v2
heads() { sed -n 's/^== .*  \(request\|response\)  \([A-Za-z]* v[0-9]*\)  correlation_id \([0-9]*\).*/\1 \2 \3/p' "$1"; }
diff <(heads "$tmp/dump.txt") <(heads "$tmp/dec.txt") >/dev/null || fail "frame headings differ"
[ "$(heads "$tmp/dump.txt" | tr '\n' ,)" = "request ApiVersions v4 1,response ApiVersions v4 1,request ApiVersions v0 2,response ApiVersions v0 2,request Metadata v2 3,response Metadata v2 3," ] ||
  fail "unexpected exchange: $(heads "$tmp/dump.txt" | tr '\n' ,)"
# tshark agrees on the requests and finds none of kwire's frames malformed (the mock's
# answer to ApiVersions v4 is itself malformed: error 35 in a body fitting no version)
port1=${bs%%,*}; port1=${port1##*:}
tshark -r "$tmp/cap.pcap" -d "tcp.port==$port1,kafka" -Y kafka -T fields -e kafka.request_key -e kafka.api_version \
  >"$tmp/tshark.txt" 2>/dev/null || fail "tshark read"
grep -q "^3	2$" "$tmp/tshark.txt" || fail "tshark saw no Metadata v2"
tshark -r "$tmp/cap.pcap" -d "tcp.port==$port1,kafka" -Y "_ws.malformed && tcp.dstport==$port1" 2>/dev/null | grep -q . && fail "tshark: a kwire request is malformed"
echo "integ_dump: ok ($(fields "$tmp/dump.txt" | wc -l) field lines identical)"
