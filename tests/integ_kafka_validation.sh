#!/usr/bin/env bash
# tests/integ_kafka_validation.sh — what Apache Kafka 4.4.0 checks that librdkafka's mock
# does not, and what kwire does about it (the shared cluster of scripts/with-kafka.sh, or
# one of its own; topics with replication factor 3):
#   1. a record batch whose CRC-32C is wrong, sent raw (tests/tool_rawproduce --bad-crc):
#      refused with CORRUPT_MESSAGE, reported by name, nothing stored;
#   2. producer sequences: raw idempotent batches of 5 records at sequences 0, 10, 5, 5:
#      0 stored, 10 refused with OUT_OF_ORDER_SEQUENCE_NUMBER (a gap), 5 stored, 5 again
#      answered as a duplicate at the same offset and not stored twice;
#   3. kwire's idempotent producer meets a gap it cannot fill: while `kwire produce`
#      (reading a FIFO, one partition) runs, a raw batch is written into its own producer
#      id's sequence (tool_batches tells its id, epoch and last sequence), so its next
#      batch is out of order with nothing pending before it. As Kafka's Java producer
#      does, kwire fails that batch (OUT_OF_ORDER_SEQUENCE_NUMBER), takes a new producer
#      id and delivers the rest: exit 1, every line counted, each line reported sent is
#      stored once and in input order, no line reported failed is stored;
#   4. a record larger than the topic's max.message.bytes in the middle of a stream of
#      small batches (several in flight): that record is refused (MESSAGE_TOO_LARGE), the
#      batches sent after it meet the gap its sequence left and are sent again under a new
#      producer id: every other record stored once, in order (read back by Kafka's Java
#      console consumer).
# Everything started here is stopped by PID; every wait is bounded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tools=${KW_TOOLS:-build/tests}
tmp=$(mktemp -d /tmp/kwire-integ-kvalid.XXXXXX)
integ_name=integ_kafka_validation
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] && [ -x "$tools/tool_rawproduce" ] && [ -x "$tools/tool_batches" ] ||
  fail "build $kw, $tools/tool_rawproduce and tool_batches first (make all $tools/tool_rawproduce $tools/tool_batches)"
kafka_use 4.4.0
pfx=kv-${KW_PASS:-plain}

# 1. a wrong CRC
T=$(kafka_topic "$pfx-crc" 1 3)
rc=0
"$tools/tool_rawproduce" "$KAFKA" "$T" 0 5 crc --bad-crc >"$tmp/crc.out" 2>"$tmp/crc.err" || rc=$?
[ $rc = 1 ] || fail "bad CRC: exit $rc, expected 1 (refused)"
grep -q "CORRUPT_MESSAGE" "$tmp/crc.err" || fail "bad CRC: not refused with CORRUPT_MESSAGE: $(cat "$tmp/crc.err")"
"$tools/tool_rawproduce" "$KAFKA" "$T" 0 3 good >/dev/null 2>"$tmp/crc.err" || fail "good batch after it: $(cat "$tmp/crc.err")"
# the first 3 records from the start (acks=1: -e could stop at a high watermark not there yet)
got=$(timeout 30 "$kw" -b "$KAFKA" consume -t "$T" -o beginning -c 3 2>/dev/null | paste -sd' ')
[ "$got" = "good-0 good-1 good-2" ] || fail "bad CRC: the topic holds '$got', expected only the good batch after it"
echo "  wrong CRC: refused with CORRUPT_MESSAGE, nothing of it stored"

# 2. sequence numbers, raw
T=$(kafka_topic "$pfx-seq" 1 3)
rc=0
"$tools/tool_rawproduce" "$KAFKA" "$T" 0 5 r --seq 0,10,5,5 >"$tmp/seq.out" 2>"$tmp/seq.err" || rc=$?
printf 'seq 0: ok 0\nseq 10: OUT_OF_ORDER_SEQUENCE_NUMBER\nseq 5: ok 5\nseq 5: ok 5\n' >"$tmp/seq.want"
[ $rc = 1 ] && cmp -s "$tmp/seq.out" "$tmp/seq.want" ||
  fail "sequences 0,10,5,5: exit $rc, got: $(paste -sd'|' "$tmp/seq.out") $(cat "$tmp/seq.err")"
got=$(timeout 30 "$kw" -b "$KAFKA" consume -t "$T" -o beginning -e 2>/dev/null | paste -sd' ')
[ "$got" = "r-s0-0 r-s0-1 r-s0-2 r-s0-3 r-s0-4 r-s5-0 r-s5-1 r-s5-2 r-s5-3 r-s5-4" ] ||
  fail "sequences: the topic holds '$got'"
echo "  sequence gap refused (OUT_OF_ORDER_SEQUENCE_NUMBER), duplicate answered at its offset and stored once"

# 3. a gap in kwire's own sequence
T=$(kafka_topic "$pfx-gap" 1 3)
mkfifo "$tmp/in"
"$kw" -b "$KAFKA" -X enable.idempotence=true -X acks=all -X linger.ms=0 -X delivery.timeout.ms=20000 \
  -X request.timeout.ms=5000 produce -t "$T" -p 0 <"$tmp/in" >"$tmp/gp.out" 2>"$tmp/gp.err" &
ppid_=$!
at_exit "kill $ppid_ 2>/dev/null"
exec 3>"$tmp/in"
seen() { "$tools/tool_batches" "$KAFKA" "$T" 2>/dev/null | wc -l; }
for i in $(seq 0 9); do echo "a-$i" >&3; done
for _ in $(seq 200); do [ "$(seen)" -ge 10 ] && break; sleep 0.1; done
[ "$(seen)" -ge 10 ] || fail "gap: kwire's first 10 records not stored within 20 s: $(tail -3 "$tmp/gp.err")"
read -r _ _ kpid kepoch kseq _ < <("$tools/tool_batches" "$KAFKA" "$T" | tail -1)
"$tools/tool_rawproduce" "$KAFKA" "$T" 0 3 intruder --seq $((kseq + 1)) --pid "$kpid" --epoch "$kepoch" \
  >"$tmp/intr.out" 2>&1 || fail "gap: writing into kwire's sequence failed: $(cat "$tmp/intr.out")"
for i in $(seq 10 29); do echo "a-$i" >&3; sleep 0.01; done
exec 3>&-
rc=0
for _ in $(seq 300); do kill -0 $ppid_ 2>/dev/null || break; sleep 0.1; done
kill -0 $ppid_ 2>/dev/null && fail "gap: kwire produce still runs 30 s after its input ended: $(tail -3 "$tmp/gp.err")"
wait $ppid_ || rc=$?
[ $rc = 1 ] || fail "gap: kwire produce exit $rc, expected 1 (records failed): $(tail -3 "$tmp/gp.err")"
grep -q "OUT_OF_ORDER_SEQUENCE_NUMBER" "$tmp/gp.err" || fail "gap: the failure is not named: $(tail -3 "$tmp/gp.err")"
sent=$(sed -n 's/.*: \([0-9]*\) records sent, \([0-9]*\) failed, \([0-9]*\) refused.*/\1 \2 \3/p' "$tmp/gp.err")
read -r nsent nfailed nrefused <<<"$sent"
[ -n "$sent" ] && [ $((nsent + nfailed + nrefused)) = 30 ] && [ "$nfailed" -ge 1 ] && [ "$nsent" -ge 20 ] ||
  fail "gap: summary '$sent' (sent failed refused) does not account for 30 lines with at least one failed"
"$tools/tool_batches" "$KAFKA" "$T" >"$tmp/gap.batches" || fail "gap: reading the topic back failed"
python3 - "$tmp/gap.batches" "$nsent" "$kpid" <<'EOF' || fail "gap: what is stored (above)"
import sys
rows = [l.split() for l in open(sys.argv[1])]
ours = [r[5] for r in rows if r[5].startswith("a-")]
nums = [int(v[2:]) for v in ours]
bad = []
if len(nums) != int(sys.argv[2]): bad.append("%d of kwire's records stored, it reported %s sent" % (len(nums), sys.argv[2]))
if len(set(nums)) != len(nums): bad.append("a record stored twice")
if nums != sorted(nums): bad.append("records out of input order: %s" % nums)
if nums[:10] != list(range(10)): bad.append("the first 10 are not a-0..a-9")
pids = []
for r in rows:
    if r[5].startswith("a-") and r[2] not in pids: pids.append(r[2])
if len(pids) != 2 or pids[0] != sys.argv[3]: bad.append("producer ids in the log: %s (expected the first, then a new one)" % pids)
if bad: print("; ".join(bad)); sys.exit(1)
print("  gap in kwire's sequence: %d record(s) failed with OUT_OF_ORDER_SEQUENCE_NUMBER, %d stored once in order, new producer id %s" % (30 - len(nums), len(nums), pids[1]))
EOF

# 4. a record too large for the topic amid small batches in flight
T=$(kafka_topic "$pfx-large" 1 3 max.message.bytes=3000)
python3 -c '
for i in range(3000):
    print(("big-%d-" % i) + "x" * 6000 if i == 1500 else "v-%d-%s" % (i, "y" * 80))' >"$tmp/large.txt"
rc=0
timeout 90 "$kw" -b "$KAFKA" --stats -X batch.size=2000 -X linger.ms=0 -X acks=all -X enable.idempotence=true \
  -X delivery.timeout.ms=30000 -X request.timeout.ms=10000 produce -t "$T" "$tmp/large.txt" \
  >"$tmp/lg.out" 2>"$tmp/lg.err" || rc=$?
[ $rc = 1 ] || fail "large record: exit $rc, expected 1: $(tail -3 "$tmp/lg.err")"
grep -q "2999 records sent, 1 failed" "$tmp/lg.err" && grep -q "MESSAGE_TOO_LARGE" "$tmp/lg.err" ||
  fail "large record: $(grep -E 'records|error' "$tmp/lg.err" | head -3)"
timeout 120 "$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$KAFKA" --topic "$T" \
  --from-beginning --max-messages 3000 --timeout-ms 15000 >"$tmp/lg.java" 2>"$tmp/lg.jerr"
python3 - "$tmp/lg.java" <<'EOF' || fail "large record: read back by the Java console consumer"
import sys
nums = [int(l.split("-")[1]) for l in open(sys.argv[1]) if l.startswith("v-")]
want = [i for i in range(3000) if i != 1500]
if nums != want:
    print("the Java consumer read %d records; first difference at %s" % (len(nums),
          next((i for i, (a, b) in enumerate(zip(nums, want)) if a != b), min(len(nums), len(want)))))
    sys.exit(1)
EOF
echo "  a record over max.message.bytes amid batches in flight: it alone refused (MESSAGE_TOO_LARGE), 2999 stored once, in order"
echo "$integ_name: ok"
