#!/usr/bin/env bash
# tests/integ_consume.sh — `kwire consume` against the embedded broker (kwire-broker,
# 3 brokers), each check comparing what kwire hands out with what was produced:
#   - kcat produces with each codec (none, gzip, snappy, lz4, zstd): every value read back;
#   - kafka-python produces keys, values and headers: -f output matches field by field;
#   - -o offset, -N, @timestamp, -c, -p start where they should;
#   - offsets committed by a kwire group member (-g --commit) are the ones kcat -G and
#     kafka-python see, and a member started with -g resumes there;
#   - a batch stored with a corrupted CRC stops the consumer with an error naming topic,
#     partition and offset; with check.crcs=false it is delivered;
#   - faults while consuming (response delays, Fetch errors pushed, a broker down, leaders
#     moved): every record exactly once, in order per partition;
#   - coordinator errors pushed on OffsetCommit / OffsetFetch: commits and reads recover.
# Then on real Apache Kafka 4.4.0 (tests/lib_kafka.sh), which answers ListOffsets by
# timestamp for real: -o OFFSET -c, -o -N, -o end, -o @TIMESTAMP (the first record at or
# after it), -p; offsets committed by kwire (-g --commit) shown by Kafka's own
# kafka-consumer-groups tool, and -o stored resuming there.
# Everything started here is stopped by PID; the temporary directory is removed.
set -u
cd "$(dirname "$0")/.."
kwire=${KWIRE:-bin/kwire}
raw=${KW_TOOLS:-build/tests}/tool_rawproduce
py=/usr/bin/python3
for f in "$kwire" bin/kwire-broker "$raw"; do
  [ -x "$f" ] || make -s "$f" >/dev/null || { echo "integ_consume: cannot build $f"; exit 1; }
done
command -v kcat >/dev/null || { echo "integ_consume: kcat not installed"; exit 1; }

tmp=$(mktemp -d /tmp/kwire-integ-consume.XXXXXX)
integ_name=integ_consume
. tests/lib_integ.sh
. tests/lib_kafka.sh
bpid=""
cleanup() {
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null
}
at_exit cleanup
ctl() { # ctl COMMAND: one fault-injection command, wait for its answer
  local n; n=$(grep -c . "$tmp/berr" 2>/dev/null || true)
  timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$tmp/ctl"
  for _ in $(seq 50); do
    [ "$(grep -c . "$tmp/berr" 2>/dev/null || true)" -gt "$n" ] && return 0
    sleep 0.1
  done
  echo "integ_consume: no answer to '$1'"; return 1
}

echo "integ_consume:"
bin/kwire-broker --brokers 3 --topic none:3 --topic gzip:3 --topic snappy:3 --topic lz4:3 --topic zstd:3 \
  --topic kpy:2 --topic off:1 --topic big:1 --topic crc:1 --topic faults:3 --topic coord:2 \
  --control "$tmp/ctl" >"$tmp/boot" 2>"$tmp/berr" &
bpid=$!
for _ in $(seq 100); do [ -s "$tmp/boot" ] && break; sleep 0.1; done
B=$(head -1 "$tmp/boot")
[ -n "$B" ] || { echo "integ_consume: broker did not start"; cat "$tmp/berr"; exit 1; }
K() { timeout 60 "$kwire" -q -b "$B" "$@"; }

# 1. every codec: kcat produces 3000 values, kwire reads each exactly once
for codec in none gzip snappy lz4 zstd; do
  seq -f "$codec-%g" 1 3000 >"$tmp/$codec.in"
  kcat -b "$B" -P -t "$codec" -z "$codec" -X batch.num.messages=500 <"$tmp/$codec.in"
  K consume -t "$codec" -o beginning -e >"$tmp/$codec.out"
  check "$codec: 3000 records consumed, values equal" cmp -s <(sort "$tmp/$codec.in") <(sort "$tmp/$codec.out")
done

# 2. kafka-python produces keys, values, headers and timestamps
$py - "$B" >"$tmp/kpy.in" <<'EOF'
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1].split(","), api_version=(2, 0, 0), linger_ms=5)
for i in range(400):
    k = ("key-%d" % i).encode()
    v = ("value-%d" % i).encode()
    ts = 1700000000000 + i
    p.send("kpy", key=k, value=v, partition=i % 2, headers=[("h", b"%d" % i)], timestamp_ms=ts)
    print("%d kpy key-%d value-%d h=%d %d" % (i % 2, i, i, i, ts))
p.flush()
EOF
K consume -t kpy -o beginning -e -f '%p %t %k %s %h %T\n' >"$tmp/kpy.out"
check "kafka-python: 400 records, partition, key, value, headers, timestamp equal" \
  cmp -s <(sort "$tmp/kpy.in") <(sort "$tmp/kpy.out")

# 3. start positions and counts on a 1-partition topic of 100 records
seq 0 99 | kcat -b "$B" -P -t off -p 0 -X batch.num.messages=10
check "-o 40 -c 5 gives offsets 40..44" [ "$(K consume -t off -o 40 -c 5 -f '%o,')" = "40,41,42,43,44," ]
check "-o -3 -e gives the last 3 records" [ "$(K consume -t off -o -3 -e -f '%s,')" = "97,98,99," ]
check "-o end -e gives nothing" [ -z "$(K consume -t off -o end -e)" ]
# librdkafka's mock answers every ListOffsets by timestamp with "no such offset": kwire
# then starts at the end, as Kafka's consumer does for a time after the last record
ts=$(K consume -t off -o 0 -c 1 -f '%T')
check "-o @TIMESTAMP with no offset at or after it starts at the end" [ -z "$(K consume -t off -o "@$ts" -e)" ]
check "-p 1 of a 1-partition topic fails" sh -c "! timeout 30 $kwire -q -b $B consume -t off -p 1 -e 2>/dev/null"

# 3b. the log start moves: the mock keeps only its recent segments, so after 100,000
# records of 92 bytes offset 0 is gone; -o 0 is out of range
yes '{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}' | head -100000 |
  kcat -b "$B" -P -t big -p 0 -X linger.ms=20
held=$(K consume -t big -o beginning -e -f '%o\n' | head -1)
n=$(K -X auto.offset.reset=earliest consume -t big -o 0 -e -f '%o\n' | wc -l)
check "log start moved (now $held): -o 0 with earliest resets there ($n = 100000 - $held records)" \
  [ "$held" -gt 0 ] && [ "$n" = $((100000 - held)) ]
rc=0; K -X auto.offset.reset=none consume -t big -o 0 -e >/dev/null 2>"$tmp/oor.err" || rc=$?
check "-o 0 with auto.offset.reset=none: exit 1, out of range named" [ "$rc" = 1 ] && grep -q 'offset 0 out of range for big \[0\] (its log holds [0-9]*\.\.100000) and auto.offset.reset=none' "$tmp/oor.err"

# 4. offsets committed by kwire are seen by kcat -G and kafka-python. -g without -p joins
# the group: the mock completes a rebalance only when every member it knows has joined
# or session.timeout.ms has passed, so a short one. A member commits the partitions it
# has a position in: the one the 1000 records came from and those it had started.
G6="-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000"
K $G6 consume -t none -o beginning -c 1000 -g kgroup --commit >/dev/null
sum=$($py - "$B" <<'EOF'
import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1].split(","), group_id="kgroup", api_version=(2, 0, 0),
                  enable_auto_commit=False)
print(sum(c.committed(TopicPartition("none", p)) or 0 for p in range(3)))
EOF
)
check "kafka-python reads kwire's committed offsets (sum 1000, got $sum)" [ "$sum" = 1000 ]
K $G6 -X auto.offset.reset=earliest -X enable.auto.commit=false consume -t none -o stored -g kgroup -e >"$tmp/rest.out"
check "-o stored resumes at the committed offsets (2000 records)" [ "$(wc -l <"$tmp/rest.out")" = 2000 ]

# kcat last: it commits what it read. A partition without a commit is one kwire never had
# a position in (nothing of it was read), so kcat reads it from its start, as kwire did
n=$(timeout 30 kcat -b "$B" -G kgroup none -e -q -X enable.auto.commit=false -X auto.offset.reset=earliest \
  2>/dev/null | wc -l)
check "kcat -G continues after kwire's commit (2000 left, got $n)" [ "$n" = 2000 ]

# 5. a corrupted CRC stops the partition with topic, partition and offset
$raw "$B" crc 0 5 good >/dev/null && $raw "$B" crc 0 5 bad --bad-crc >/dev/null && $raw "$B" crc 0 5 after >/dev/null
rc=0
K consume -t crc -o beginning -e >"$tmp/crc.out" 2>"$tmp/crc.err" || rc=$?
check "CRC mismatch: exit 1 after the 5 good records" [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/crc.out")" = 5 ]
check "CRC mismatch: error names topic crc partition 0 offset 5" grep -q 'topic crc partition 0 offset 5: .*CRC' "$tmp/crc.err"
check "check.crcs=false delivers the batch (15 records)" \
  [ "$(K -X check.crcs=false consume -t crc -o beginning -e | wc -l)" = 15 ]

# 6. faults while consuming: every record once, in order
seq -f "f-%g" 1 30000 | kcat -b "$B" -P -t faults -X batch.num.messages=200 -X linger.ms=50
ctl "rtt -1 15"
timeout 90 "$kwire" -q -b "$B" -X retry.backoff.max.ms=300 consume -t faults -o beginning -e -f '%p %o %s\n' \
  >"$tmp/faults.out" 2>"$tmp/faults.err" &
cpid=$!
sleep 0.7; ctl "errors 1 NOT_LEADER_OR_FOLLOWER UNKNOWN_TOPIC_OR_PARTITION REQUEST_TIMED_OUT"
sleep 0.5; ctl "down 2"
sleep 0.5; ctl "leader faults 0 3"; ctl "leader faults 1 3"; ctl "leader faults 2 3"
sleep 0.5; ctl "up 2"
sleep 0.5; ctl "leader faults 1 1"
ctl "rtt -1 0"
rc=0; wait "$cpid" || rc=$?
check "faults: consumer exits 0 at the end (rc $rc)" [ "$rc" = 0 ]
check "faults: 30000 records, none twice" \
  [ "$(wc -l <"$tmp/faults.out")" = 30000 ] && [ "$(cut -d' ' -f3 "$tmp/faults.out" | sort -u | wc -l)" = 30000 ]
inorder() { awk '{ if ($1 in last && $2 != last[$1] + 1) bad++; last[$1] = $2 } END { exit bad > 0 }' "$1"; }
check "faults: offsets consecutive per partition" inorder "$tmp/faults.out"

# 7. coordinator errors pushed on OffsetCommit (8) and OffsetFetch (9)
# 250 records in each partition, so 300 records read are from both and both are committed
# (a member commits the partitions it has a position in)
seq 1 250 | kcat -b "$B" -P -t coord -p 0
seq 251 500 | kcat -b "$B" -P -t coord -p 1
ctl "errors 10 COORDINATOR_NOT_AVAILABLE"
ctl "errors 8 NOT_COORDINATOR COORDINATOR_LOAD_IN_PROGRESS"
K consume -t coord -o beginning -c 300 -g cgroup --commit >/dev/null
ctl "errors 9 COORDINATOR_NOT_AVAILABLE NOT_COORDINATOR"
lag=$(K lag -g cgroup --json | $py -c 'import json,sys; print(json.load(sys.stdin)["total_lag"])')
check "coordinator errors: commit and lag recover (lag 200, got $lag)" [ "$lag" = 200 ]

# 8. real Apache Kafka: start positions, and commits as Kafka's own tools see them
kafka_use 4.4.0
B=$KAFKA
T=$(kafka_topic "off-${KW_PASS:-plain}" 1 3)
# 100 records in 10 batches 15 ms apart: timestamps that ListOffsets can tell apart
for b in $(seq 0 9); do
  seq $((b * 10)) $((b * 10 + 9)) | K -X linger.ms=0 -X acks=all produce -t "$T" >/dev/null 2>&1
  sleep 0.015
done
check "real Kafka: -o 40 -c 5 gives offsets 40..44" [ "$(K consume -t "$T" -o 40 -c 5 -f '%o,')" = "40,41,42,43,44," ]
check "real Kafka: -o -3 -e gives the last 3 records" [ "$(K consume -t "$T" -o -3 -e -f '%s,')" = "97,98,99," ]
check "real Kafka: -o end -e gives nothing" [ -z "$(K consume -t "$T" -o end -e)" ]
K consume -t "$T" -o beginning -e -f '%o %T\n' >"$tmp/ts.out"
ts=$(awk '$1 == 55 {print $2}' "$tmp/ts.out")
first=$(awk -v t="$ts" '$2 >= t {print $1; exit}' "$tmp/ts.out")
got=$(K consume -t "$T" -o "@$ts" -c 1 -f '%o')
check "real Kafka: -o @TIMESTAMP starts at the first record at or after it (offset $first, got $got)" [ "$got" = "$first" ]
check "real Kafka: -o @TIMESTAMP after the last record gives nothing" \
  [ -z "$(K consume -t "$T" -o "@$(( $(awk 'END {print $2}' "$tmp/ts.out") + 1000 ))" -e)" ]
check "real Kafka: -p 1 of a 1-partition topic fails" sh -c "! timeout 30 $kwire -q -b $B consume -t $T -p 1 -e 2>/dev/null"
G=kc-$T
K consume -t "$T" -o beginning -c 60 -g "$G" --commit >/dev/null
timeout 60 "$kafka_sh" tool "$KAFKA_DIR" consumer-groups --bootstrap-server "$B" --describe --group "$G" \
  >"$tmp/cg.out" 2>"$tmp/cg.err"
check "real Kafka: kafka-consumer-groups shows kwire's commit (offset 60, lag 40)" \
  awk -v t="$T" '$2 == t && $3 == 0 && $4 == 60 && $5 == 100 && $6 == 40 {ok = 1} END {exit !ok}' "$tmp/cg.out"
check "real Kafka: -o stored resumes at the commit (40 records)" \
  [ "$(K consume -t "$T" -o stored -g "$G" -e | wc -l)" = 40 ]

checks_done
