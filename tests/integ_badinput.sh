#!/usr/bin/env bash
# tests/integ_badinput.sh — the bad-input table: each row runs the real `kwire` command
# (KWIRE, default bin/kwire: also run under ASan by setting KWIRE) against a bad setting,
# a topic that does not exist, a closed port, or tests/tool_bad_broker.c answering one
# exchange with a defect (frame over kwire.max.response.bytes, a frame cut short, a
# wrong correlation id, a batch with a bad CRC, a gzip bomb, codec id 5, a Metadata
# answer in another version's encoding), an HTTP server as bootstrap (HTTP), and command
# lines that misuse options (usage errors, exit 2). For each row it checks: the exit code (1 the
# operation failed, 2 usage or settings), the cause named on stderr (the substring in
# the table), no signal and no sanitizer report, and nothing already accepted lost:
# the consumer printed offsets 0-4 (the good batches before the fault) exactly once; the
# producer's summary accounts for every input line (sent + failed + refused) and no
# line was reported sent that the broker did not acknowledge.
#
# Unknown topics use the scripted broker (it answers UNKNOWN_TOPIC_OR_PARTITION, as a
# broker with auto.create.topics.enable=false): kwire-broker, librdkafka's mock, creates
# any topic a Metadata request names. The table (deterministic text: no ports, no
# times) must equal docs/RELIABILITY.md's badinput block (scripts/readme-block.sh;
# KW_UPDATE_README=1 rewrites it). Every broker started here is stopped by PID.
# Real broker: none here, on purpose: these defects (frames cut short or over the size
# limit, wrong correlation ids, bad CRCs, bombs, unknown codecs, answers in another
# version) are what a scripted broker can send and Apache Kafka never does; what Apache
# Kafka itself refuses (a bad CRC, a sequence gap, a record over max.message.bytes) is
# checked in tests/integ_kafka_validation.sh.
set -u
cd "$(dirname "$0")/.."
kw=${KWIRE:-bin/kwire}
tool=build/tests/tool_bad_broker
for f in "$kw" "$tool"; do
  [ -x "$f" ] || make -s "$f" >/dev/null || { echo "integ_badinput: cannot build $f"; exit 1; }
done
tmp=$(mktemp -d /tmp/kwire-integ-badinput.XXXXXX)
integ_name=integ_badinput
. tests/lib_integ.sh
bpid="" # the scripted broker
hpid="" # the HTTP server
at_exit 'stop_pid "$bpid"; stop_pid "$hpid"'
table=$tmp/table.md
{
  echo "| input | command | exit | message (the stable part) | nothing lost because |"
  echo "|---|---|---|---|---|"
} >"$table"

# miss WHAT: one of a row's assertions failed: said and counted in fails, the table goes on
# (the library's fail, which ends the script, is for a peer that did not start)
miss() { echo "  FAIL $*"; fails=$((fails + 1)); }

# start_bad FAULT [metadata]: the scripted broker; B its address
start_bad() {
  stop_bad
  "$tool" "$@" >"$tmp/addr" 2>"$tmp/broker.err" &
  bpid=$!
  B=""
  for _ in $(seq 200); do [ -s "$tmp/addr" ] && break; sleep 0.05; done
  B=$(head -1 "$tmp/addr")
  [ -n "$B" ] || fail "tool_bad_broker $* did not start"
}
stop_bad() {
  stop_pid "$bpid"
  bpid=""
  rm -f "$tmp/addr"
}


printf 'v0\nv1\nv2\nv3\nv4\n' >"$tmp/five"
printf 'r1\nr2\nr3\n' >"$tmp/three"

# row INPUT SHOWN-COMMAND EXIT MESSAGE LOST-CHECK WHY -- ARGS...
#   runs "$kw" ARGS (stdin from $IN, default /dev/null; with STOP=S it is stopped by
#   SIGINT after S seconds) and checks exit EXIT, MESSAGE
#   on stderr ("-": none asked), no signal / sanitizer report, then LOST-CHECK: none
#   (nothing was accepted), five (stdout is v0..v4), ten (v0..v9), prod:S:F:R (produce summary: S sent, F failed,
#   R refused, for the 3 input lines)
row() {
  local input=$1 shown=$2 want=$3 msg=$4 lost=$5 why=$6
  shift 7
  local name="$input / $shown"
  # in the table BROKER stands for the scripted broker's address, CLOSED for the closed port
  local m=${msg//BROKER/$B}
  m=${m//CLOSED/127.0.0.1:$P}
  m=${m//HTTP:/${H:-HTTP}:}
  if [ -n "${STOP:-}" ]; then
    # a command that retries for good: stopped by SIGINT after STOP seconds (it exits 0)
    timeout -s INT --preserve-status "$STOP" "$kw" "$@" <"${IN:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
  else
    timeout 60 "$kw" "$@" <"${IN:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
  fi
  local rc=$?
  local ok=1
  if [ "$rc" -ge 124 ]; then miss "$name: killed or timed out (exit $rc)"; ok=0; fi
  if [ "$rc" != "$want" ]; then miss "$name: exit $rc, want $want"; ok=0; fi
  if [ "$msg" != "-" ] && ! grep -qF -- "$m" "$tmp/err"; then miss "$name: stderr lacks '$msg'"; ok=0; fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/err"; then miss "$name: sanitizer report"; ok=0; fi
  case $lost in
    none) [ -s "$tmp/out" ] && { miss "$name: unexpected stdout"; ok=0; } ;;
    five) cmp -s "$tmp/out" "$tmp/five" || { miss "$name: records before the fault not printed exactly once"; ok=0; } ;;
    ten) seq 0 9 | sed 's/^/v/' | cmp -s - "$tmp/out" || { miss "$name: records 0-9 not printed exactly once"; ok=0; } ;;
    prod:*)
      IFS=: read -r _ s f r <<<"$lost"
      grep -qF "kwire produce: $s records sent, $f failed, $r refused" "$tmp/err" ||
        { miss "$name: summary is not '$s records sent, $f failed, $r refused'"; ok=0; }
      [ $((s + f + r)) = 3 ] || { miss "$name: the table's counts do not add up to 3 lines"; ok=0; }
      ;;
  esac
  if [ $ok = 1 ]; then echo "  ok   $name (exit $rc)"; else sed 's/^/       | /' "$tmp/err" | head -5; fi
  echo "| $input | \`$shown\` | $want | $msg | $why |" >>"$table"
}

echo "integ_badinput: ($kw)"
P=$(free_port) # a port nobody listens on
B=none

# ---- invalid settings (checked before any connection or input) ----
for s in "acks=2|acks: '2' is not one of all, -1, 0, 1" \
         "linger.ms=abc|linger.ms: 'abc' is not an integer" \
         "lingr.ms=5|lingr.ms: unknown setting (did you mean linger.ms?)" \
         "batch.size=-1|batch.size: -1 is out of range (accepts 0..2147483647)"; do
  IN=$tmp/three row "invalid setting ${s%%|*}" "kwire -X ${s%%|*} produce -t t" 2 "${s#*|}" none \
    "refused before any line is read" -- -b "127.0.0.1:$P" -X "${s%%|*}" produce -t t
done
for s in "fetch.min.bytes=-1|fetch.min.bytes: -1 is out of range (accepts 0..2147483647)" \
         "check.crc=false|check.crc: unknown setting (did you mean check.crcs?)" \
         "isolation.level=dirty|isolation.level: 'dirty' is not one of read_uncommitted, read_committed"; do
  row "invalid setting ${s%%|*}" "kwire -X ${s%%|*} consume -t t" 2 "${s#*|}" none \
    "refused before connecting" -- -b "127.0.0.1:$P" -X "${s%%|*}" consume -t t -e
done

# ---- unreachable bootstrap ----
IN=$tmp/three row "unreachable bootstrap (closed port)" "kwire -b CLOSED -X max.block.ms=300 produce -t t" 1 \
  "first error: no metadata for topic t within max.block.ms (300 ms): could not connect; tried CLOSED: connect failed: Connection refused (KW_ERR_CONNECT)" prod:0:0:3 \
  "all 3 lines counted as refused (no metadata within max.block.ms), none reported sent" \
  -- -b "127.0.0.1:$P" -X max.block.ms=300 produce -t t
row "unreachable bootstrap (closed port)" "kwire -b CLOSED consume -t t" 1 \
  "metadata: could not connect: CLOSED: connect failed: Connection refused" none "nothing was read" \
  -- -b "127.0.0.1:$P" consume -t t -e
row "unreachable bootstrap (closed port)" "kwire -b CLOSED metadata" 1 \
  "metadata: could not connect: CLOSED: connect failed: Connection refused" none "read-only" -- -b "127.0.0.1:$P" metadata

# ---- a peer that does not speak Kafka: an HTTP server answering 400 to anything ----
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    try:
        c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
' >"$tmp/http.port" 2>/dev/null &
hpid=$!
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && break; sleep 0.05; done
H=127.0.0.1:$(head -1 "$tmp/http.port")
row "a peer that does not speak Kafka (an HTTP server)" "kwire -b HTTP metadata" 1 \
  "metadata: HTTP: does not speak the Kafka protocol (first bytes look like HTTP)" none "read-only" \
  -- -b "$H" metadata
IN=$tmp/three row "a peer that does not speak Kafka (an HTTP server)" "kwire -b HTTP produce -t t" 1 \
  "first error: no Kafka broker to ask for topic t: HTTP: does not speak the Kafka protocol (first bytes look like HTTP) (KW_ERR_NOT_KAFKA)" \
  prod:0:0:3 "all 3 lines counted as refused at once (not after max.block.ms), none reported sent" -- -b "$H" produce -t t
stop_pid "$hpid"; hpid=""

# ---- usage errors the command lines can make ----
row "usage: -k KEY with -K DELIM" "kwire produce -t t -k K -K :" 2 \
  "-k KEY (one key for every record) and -K DELIM (a key from each line) exclude each other" none \
  "refused before any line is read" -- -b "127.0.0.1:$P" produce -t t -k K -K :
row "usage: -o stored without a group" "kwire consume -t t -o stored" 2 \
  "-o stored reads the group's committed offsets: it needs -g GROUP" none "refused before connecting" \
  -- -b "127.0.0.1:$P" consume -t t -o stored
row "usage: an unknown -f field" "kwire consume -t t -f '%Z'" 2 \
  "-f: unknown field %Z at byte 0 of '%Z' (fields: %t %p %o %T %k %K %s %S %R %h %%)" none \
  "refused before connecting" -- -b "127.0.0.1:$P" consume -t t -f '%Z'
row "usage: --json where it means nothing" "kwire --json topics list" 2 \
  "topics: --json means nothing to this command: it has no JSON output" none "refused before connecting" \
  -- -b "127.0.0.1:$P" --json topics list
row "invalid setting lingerr.ms=5 (explain)" "kwire explain Produce -X lingerr.ms=5" 2 \
  "lingerr.ms: unknown setting (did you mean linger.ms?)" none "nothing built" -- explain Produce -X lingerr.ms=5

# ---- unknown topic (the scripted broker answers UNKNOWN_TOPIC_OR_PARTITION) ----
start_bad none
IN=$tmp/three row "unknown topic" "kwire -X max.block.ms=300 produce -t nosuch" 1 \
  "first error: topic nosuch: The broker does not know this topic or partition. (UNKNOWN_TOPIC_OR_PARTITION)" prod:0:0:3 \
  "all 3 lines counted as refused, none reported sent" -- -b "$B" -X max.block.ms=300 produce -t nosuch
row "unknown topic" "kwire consume -t nosuch" 1 "unknown topic nosuch (UNKNOWN_TOPIC_OR_PARTITION): reading does not create it" \
  none "nothing was read" -- -b "$B" consume -t nosuch -o beginning -e
row "unknown topic" "kwire metadata nosuch" 1 "unknown topic nosuch (not created: --auto-create lets the broker create it)" \
  - "read-only; the brokers are listed, the topic with its error" -- -b "$B" metadata nosuch

# ---- a response frame over kwire.max.response.bytes (size field 104857601) ----
start_bad big
row "response frame over the size limit (Fetch)" "kwire consume -t t -o beginning -e" 1 \
  "offset 5: fetch from BROKER: response frame larger than 104857600 bytes (kwire.max.response.bytes); the connection was dropped" \
  five "offsets 0-4 (the fetch before) printed first, each once" -- -b "$B" consume -t t -o beginning -e
IN=$tmp/three row "response frame over the size limit (Produce)" "kwire produce -t t" 1 \
  "last failed request: BROKER: response frame larger than 104857600 bytes" prod:0:3:0 \
  "each of the 3 accepted records got a failed delivery report" -- -b "$B" produce -t t

# ---- a frame cut short, then the connection closed ----
start_bad truncated metadata
row "truncated frame, connection closed (Metadata)" "kwire metadata" 1 \
  "connection lost in the middle of a response frame (35 of 75 bytes received)" none "read-only" -- -b "$B" metadata
start_bad truncated-once
row "truncated frame, connection closed, once (Fetch)" "kwire consume -t t -o beginning -c 10" 0 - \
  ten "retried on a new connection: 0-9 printed, each once" -- -b "$B" consume -t t -o beginning -c 10
start_bad truncated
STOP=2 row "truncated frame, connection closed, every time (Fetch; stopped by SIGINT after 2 s)" "kwire consume -t t -o beginning -e" 0 \
  "connection lost in the middle of a response frame (84 of 173 bytes received): connection closed by peer); retrying" \
  five "offsets 0-4 printed, each once; the fetch retried (as Kafka's consumer does) and said on stderr until stopped" \
  -- -b "$B" consume -t t -o beginning -e
IN=$tmp/three row "truncated frame, connection closed (Produce)" \
  "kwire -X delivery.timeout.ms=1500 -X request.timeout.ms=500 -X linger.ms=0 produce -t t" 1 \
  "its last attempt failed with: connection closed by peer (KW_ERR_DISCONNECTED)" prod:0:3:0 \
  "retried, then each of the 3 accepted records got a failed delivery report" \
  -- -b "$B" -X delivery.timeout.ms=1500 -X request.timeout.ms=500 -X linger.ms=0 produce -t t

# ---- a wrong correlation id ----
start_bad correlation
row "wrong correlation id (Fetch)" "kwire consume -t t -o beginning -e" 1 \
  "fetch from BROKER: response correlation id" five \
  "offsets 0-4 printed first, each once" -- -b "$B" consume -t t -o beginning -e
IN=$tmp/three row "wrong correlation id (Produce)" \
  "kwire -X delivery.timeout.ms=1500 -X request.timeout.ms=500 -X linger.ms=0 produce -t t" 1 \
  "its last attempt failed with: response with an unknown correlation id (KW_ERR_CORRELATION)" prod:0:3:0 \
  "retried, then each of the 3 accepted records got a failed delivery report" \
  -- -b "$B" -X delivery.timeout.ms=1500 -X request.timeout.ms=500 -X linger.ms=0 produce -t t

# ---- record batch faults: the good batches 0-2 and 3-4 come first in the same Fetch ----
start_bad crc
row "CRC mismatch (batch 5-9, check.crcs=true)" "kwire consume -t t -o beginning -e" 1 \
  "offset 5: record batch CRC-32C mismatch (corrupt data; check.crcs=false delivers it)" five \
  "offsets 0-4 printed first, each once" -- -b "$B" consume -t t -o beginning -e
start_bad bomb
row "decompression bomb (gzip, 80 MiB of zeros)" "kwire consume -t t -o beginning -e" 1 \
  "offset 5: record batch decompresses to more than kwire.decompress.max.bytes (67108864 bytes)" five \
  "offsets 0-4 printed first, each once" -- -b "$B" consume -t t -o beginning -e
start_bad codec
row "unsupported codec (id 5 in attributes)" "kwire consume -t t -o beginning -e" 1 \
  "offset 5: record batch compression codec 5 is not supported" five \
  "offsets 0-4 printed first, each once" -- -b "$B" consume -t t -o beginning -e

# ---- Metadata v1 asked, answered in v9's encoding ----
start_bad version
row "answer in a version not asked for (Metadata v1 asked, v9 sent)" "kwire metadata" 1 \
  "malformed Metadata v1 response from BROKER:" none "read-only" -- -b "$B" metadata
row "answer in a version not asked for (Metadata v1 asked, v9 sent)" "kwire consume -t t" 1 \
  "metadata: input ends before the structure it announces (malformed Metadata v1 response" none \
  "nothing was read" -- -b "$B" consume -t t -o beginning -e
IN=$tmp/three row "answer in a version not asked for (Metadata v1 asked, v9 sent)" \
  "kwire -X max.block.ms=300 produce -t t" 1 \
  "first error: no metadata for topic t within max.block.ms (300 ms): input ends before the structure it announces (KW_ERR_TRUNCATED)" prod:0:0:3 \
  "all 3 lines counted as refused, none reported sent" -- -b "$B" -X max.block.ms=300 produce -t t
stop_bad

echo
cat "$table"
scripts/readme-block.sh badinput "$table" || fails=$((fails + 1))
echo "integ_badinput: $fails failed"
[ "$fails" = 0 ]
