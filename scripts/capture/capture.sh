#!/usr/bin/env bash
# scripts/capture/capture.sh — regenerate every captured test file under tests/data/:
# record sets produced by librdkafka (kcat) and kafka-python for each codec and magic,
# whole-traffic pcaps of kcat and kafka-python sessions, and the request/response frames
# cut out of those pcaps (tests/data/frames/). Peers are bin/kwire-broker (librdkafka's mock
# cluster) on 127.0.0.1; tshark captures on `lo` with a filter on the broker ports.
#
# Run as root from anywhere: scripts/capture/capture.sh
# Needs: kcat, tshark, /usr/bin/python3 with python3-kafka (+ snappy, lz4, zstandard).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
here=scripts/capture
out=tests/data
py=/usr/bin/python3
extract="$py $here/kwire_extract.py"

[ "$(id -u)" -eq 0 ] || { echo "capture.sh: must run as root (tshark on lo)" >&2; exit 1; }
for t in kcat tshark "$py"; do
  command -v "$t" >/dev/null || { echo "capture.sh: $t not found" >&2; exit 1; }
done

make --no-print-directory bin/kwire-broker >&2
mkdir -p "$out" "$out/frames"
work=$(mktemp -d /tmp/kwire-capture.XXXXXX)
chmod 755 "$work"
bpid=""
tpid=""

cleanup() {
  [ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
  [ -n "$bpid" ] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds or time runs out.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# start_broker N TOPIC_SPEC...: sets $boot, $ports (space separated) and $bpid.
start_broker() {
  local n=$1; shift
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  rm -f "$work/port"
  bin/kwire-broker --brokers "$n" "${args[@]}" --port-file "$work/port" \
      >"$work/broker.out" 2>"$work/broker.err" &
  bpid=$!
  wait_for 10 test -s "$work/port" || { echo "capture.sh: broker did not start" >&2; exit 1; }
  boot=$(head -n1 "$work/port")
  ports=$(echo "$boot" | tr ',' '\n' | sed 's/.*://' | tr '\n' ' ')
}

stop_broker() {
  kill -TERM "$bpid"
  local rc=0
  wait "$bpid" || rc=$?
  bpid=""
  [ $rc -eq 0 ] || { echo "capture.sh: broker exited $rc" >&2; cat "$work/broker.err" >&2; exit 1; }
}

# start_capture FILE: tshark on lo, only the broker ports, classic pcap format.
start_capture() {
  local filter="" p
  for p in $ports; do filter="${filter:+$filter or }tcp port $p"; done
  rm -f "$1" "$work/tshark.err"
  tshark -q -i lo -f "$filter" -F pcap -w "$1" 2>"$work/tshark.err" &
  tpid=$!
  wait_for 15 grep -qs "Capturing on" "$work/tshark.err" ||
    { echo "capture.sh: tshark did not start" >&2; cat "$work/tshark.err" >&2; exit 1; }
  sleep 0.3
}

stop_capture() {
  sleep 0.5
  kill -INT "$tpid"
  wait "$tpid" || true
  tpid=""
}

codecs="none gzip snappy lz4 zstd"

# ---- a. librdkafka (kcat) batches: 5 records, one batch per codec ------------------------
printf '%s\n' 'key-0:value-0' 'key-1:' 'no-delimiter-record' 'key-3:value-3' \
    'key-4:value:with:colons' >"$work/kcat-input.txt"
for c in $codecs; do
  start_broker 1 batch:1:1
  start_capture "$work/rdkafka-$c.pcap"
  timeout 30 kcat -b "$boot" -P -t batch -p 0 -z "$c" -K: -H h1=v1 \
      -X linger.ms=500 -X client.id=kcat-capture <"$work/kcat-input.txt"
  stop_capture
  stop_broker
  $extract records "$work/rdkafka-$c.pcap" "$out/rdkafka-$c.records"
done

# ---- b. kafka-python batches (magic 2, and legacy magic 0/1 message sets) -----------------
run_kpy() {  # run_kpy NAME ARGS...: one capture of scripts/capture/kpy_produce.py
  local name=$1; shift
  start_broker 1 batch:1:1
  start_capture "$work/$name.pcap"
  timeout 60 $py "$here/kpy_produce.py" "$boot" "$@" || echo "capture.sh: kpy_produce $* failed (see notes)" >&2
  stop_capture
  stop_broker
  $extract records "$work/$name.pcap" "$out/$name.records"
  case $name in  # keep the legacy exchanges whole: they show the mock refusing them
    kpy-magic0-none) cp "$work/$name.pcap" "$out/traffic-kpy-magic0.pcap" ;;
    kpy-magic1-none) cp "$work/$name.pcap" "$out/traffic-kpy-magic1.pcap" ;;
  esac
}
for c in $codecs; do run_kpy "kpy-$c" "$c" 2; done
for m in 0 1; do
  for c in none gzip snappy; do run_kpy "kpy-magic$m-$c" "$c" "$m"; done
done

# ---- c. whole-traffic captures --------------------------------------------------------
start_broker 3 traffic:2:3
printf '%s\n' 'k0:v0' 'k1:v1' 'k2:v2' 'k3:v3' 'k4:v4' 'k5:v5' >"$work/traffic-input.txt"

start_capture "$work/traffic-kcat-metadata.pcap"
timeout 30 kcat -b "$boot" -L -X client.id=kcat-capture >/dev/null
stop_capture

start_capture "$work/traffic-kcat-produce.pcap"
timeout 30 kcat -b "$boot" -P -t traffic -p 0 -K: -X client.id=kcat-capture \
    -X linger.ms=100 <"$work/traffic-input.txt"
stop_capture

start_capture "$work/traffic-kcat-consume.pcap"
timeout 30 kcat -b "$boot" -C -t traffic -o beginning -e -X client.id=kcat-capture >/dev/null
stop_capture

start_capture "$work/traffic-kcat-group.pcap"
timeout 60 kcat -b "$boot" -G kcat-group traffic -e -X client.id=kcat-capture -X auto.offset.reset=earliest \
    -X auto.commit.interval.ms=200 -X enable.partition.eof=true >/dev/null 2>"$work/kcat-group.err" ||
  { echo "capture.sh: kcat -G failed:" >&2; cat "$work/kcat-group.err" >&2; exit 1; }
stop_capture

start_capture "$work/traffic-kpy-group.pcap"
timeout 90 $py "$here/kpy_group.py" "$boot"
stop_capture
stop_broker

for n in kcat-metadata kcat-produce kcat-consume kcat-group kpy-group; do
  cp "$work/traffic-$n.pcap" "$out/traffic-$n.pcap"
done
$extract frames "$out/frames" \
    "$out/traffic-kcat-metadata.pcap:traffic-kcat-metadata.pcap" \
    "$out/traffic-kcat-produce.pcap:traffic-kcat-produce.pcap" \
    "$out/traffic-kcat-consume.pcap:traffic-kcat-consume.pcap" \
    "$out/traffic-kcat-group.pcap:traffic-kcat-group.pcap" \
    "$out/traffic-kpy-group.pcap:traffic-kpy-group.pcap" \
    "$out/traffic-kpy-magic1.pcap:traffic-kpy-magic1.pcap" \
    "$out/traffic-kpy-magic0.pcap:traffic-kpy-magic0.pcap"
chmod 644 "$out"/*.pcap

# Cross-check the extractor against tshark's Kafka dissector: the same (api key, version,
# correlation id, direction) multiset per capture. tshark cannot pair the legacy Produce
# v1/v2 responses (separate connection, same correlation id), so those two captures only
# warn.
for f in "$out"/traffic-*.pcap; do
  name=$(basename "$f")
  dargs=()
  for p in $(tshark -r "$f" -T fields -e tcp.dstport -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | sort -u); do
    dargs+=(-d "tcp.port==$p,kafka")
  done
  theirs=$(tshark -r "$f" "${dargs[@]}" -Y kafka -T fields -e kafka.request_key -e kafka.response_key \
             -e kafka.api_version -e kafka.response.version -e kafka.correlation_id 2>/dev/null |
           awk -F'\t' '{ if ($1 != "") print $1, $3, $5, "req";
                          else print ($2 == "" ? "?" : $2), ($4 == "" ? "?" : $4), $5, "resp" }' | sort)
  ours=$(awk -F'\t' -v s="$name" '$8 == s { print $2, $4, $6, $5 }' "$out/frames/MANIFEST.tsv" | sort)
  if [ "$theirs" = "$ours" ]; then
    echo "capture.sh: $name: extractor and tshark agree on $(echo "$ours" | wc -l) frames" >&2
  else
    case $name in
      traffic-kpy-magic*) echo "capture.sh: $name: tshark leaves the Produce response unpaired (expected)" >&2 ;;
      *) echo "capture.sh: $name: extractor and tshark DISAGREE" >&2
         diff <(echo "$theirs") <(echo "$ours") >&2 || true
         exit 1 ;;
    esac
  fi
done

# What the extractor's own decoder sees in every record set, and the API versions each
# client used (client_id, API, version, request count), for the README and for tests.
(cd "$out" && $py "$top/$here/kwire_extract.py" describe *.records) >"$out/DECODED.txt"
(cd "$out" && $py "$top/$here/kwire_extract.py" versions traffic-*.pcap) >"$out/api-versions.tsv"
echo "capture.sh: done; decoded record sets in $out/DECODED.txt" >&2
