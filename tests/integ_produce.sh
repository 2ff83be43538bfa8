#!/usr/bin/env bash
# tests/integ_produce.sh — integration test of the producer (`kwire produce`) against the
# embedded broker (bin/kwire-broker: librdkafka's mock cluster, 3 brokers).
#
#   1. bad settings (batch.size=-1, linger.ms=abc, compression.type=brotli, acks=2,
#      delivery.timeout.ms below linger.ms + request.timeout.ms): exit 2, message names it
#   2. grid: 200,000 records (value "v-N-...", header h1=x) into a 6-partition topic per
#      run, for each of the 15 codec x acks combinations (none gzip snappy lz4 zstd x
#      acks 0, 1, all; acks=all is idempotent by default); every run is read back in full
#      with `kcat -C -e -X check.crcs=true` and with kafka-python's KafkaConsumer (which
#      checks CRCs too): every record exactly once, values and headers equal, increasing
#      N within each partition (all records of a run are keyless and sent in N order).
#   3. keyed records (-K :): each record's partition equals kafka-python's
#      DefaultPartitioner (murmur2) for its key.
#   4. faults while producing with idempotence (input fed in chunks through a pipe):
#      NOT_LEADER_OR_FOLLOWER and REQUEST_TIMED_OUT pushed on Produce, a broker down then
#      up, a leader moved: nothing lost, nothing duplicated, order kept per partition.
#      (An RTT above request.timeout.ms is in tests/integ_faults.sh: the mock stores a
#      send whose answer came too late and then its retry too — it checks sequence
#      numbers only for transactional producers — so that test removes duplicates by
#      producer id and sequence, as a broker does, before it counts.)
#   5. every broker down (after a first record) with delivery.timeout.ms=1500: each record reported failed
#      (KW_ERR_MSG_TIMED_OUT), exit 1.
#   6. --dump annotates the Produce request down to each record of its batch.
#   7. without -b, `kwire produce` starts the embedded broker for the run.
# The broker is stopped by PID; every wait is bounded. Run from the top dir.
# Real broker: the grid (every codec x acks x idempotence, read back by Kafka's Java
# consumer) and keyed partitioning against Kafka's Java producer are
# tests/integ_kafka_produce.sh; this script keeps the mock for its pushed errors and
# broker down/up faults, and kcat and kafka-python as readers.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-produce.XXXXXX)
N=200000

integ_name=integ_produce
. tests/lib_integ.sh

command -v kcat >/dev/null || fail "kcat not installed"
[ -x "$kw" ] && [ -x bin/kwire-broker ] || fail "build bin/kwire and bin/kwire-broker first (make all)"

# checker: reads "partition<TAB>headers<TAB>value" lines, checks count/uniqueness/order
cat > "$tmp/check.py" <<'EOF'
import sys
n = int(sys.argv[1]); src = sys.argv[2]
seen = set(); last = {}; bad = 0; count = 0
def one(p, hdr, val):
    global bad, count
    count += 1
    parts = val.split("-")
    i = int(parts[1])
    if val != "v-%d-%s" % (i, "abcdefghij" * 9): bad += 1; print("bad value", val[:60]); return
    if hdr != "h1=x": bad += 1; print("bad header", hdr, "for", i); return
    if i in seen: bad += 1; print("duplicate", i, "partition", p); return
    seen.add(i)
    if last.get(p, -1) > i: bad += 1; print("out of order in partition", p, last[p], i)
    last[p] = i
for line in open(src, encoding="utf-8"):
    p, h, v = line.rstrip("\n").split("\t", 2)
    one(int(p), h, v)
missing = n - len(seen)
if bad or count != n or missing:
    print("records %d, expected %d, missing %d, bad %d" % (count, n, missing, bad)); sys.exit(1)
EOF

python3 - "$N" > "$tmp/in.txt" <<'EOF'
import sys
w = sys.stdout.write
for i in range(int(sys.argv[1])): w("v-%d-%s\n" % (i, "abcdefghij" * 9))
EOF

# 1. bad settings: exit 2 and the setting named
for bad in batch.size=-1 linger.ms=abc compression.type=brotli acks=2 delivery.timeout.ms=100; do
  rc=0
  echo x | "$kw" -b 127.0.0.1:1 -X "$bad" produce -t t > /dev/null 2> "$tmp/bad.err" || rc=$?
  [ "$rc" -eq 2 ] || fail "-X $bad: exit $rc, expected 2"
  grep -qF "${bad%%=*}" "$tmp/bad.err" || fail "-X $bad: message does not name the setting: $(cat "$tmp/bad.err")"
done

# start the cluster
bin/kwire-broker --brokers 3 --control "$tmp/ctl" \
  $(for c in none gzip snappy lz4 zstd; do for a in 0 1 all; do printf -- '--topic g-%s-%s:6 ' $c $a; done; done) \
  --topic keyed:6 --topic fault:6 --topic dead:6 > "$tmp/bs" 2> "$tmp/broker.err" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
[ -s "$tmp/bs" ] || fail "broker did not start"
BS=$(head -1 "$tmp/bs")

# 2. the codec x acks grid
consume() { # topic -> $tmp/$1.out
  timeout 60 kcat -C -b "$BS" -t "$1" -e -q -X check.crcs=true -f '%p\t%h\t%s\n' > "$tmp/$1.out" 2> "$tmp/kcat.err" ||
    fail "kcat reading $1"
}
cat > "$tmp/kpy.py" <<'EOF'
import sys
from kafka import KafkaConsumer, TopicPartition
bs, topic, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = KafkaConsumer(bootstrap_servers=bs.split(","), auto_offset_reset="earliest", enable_auto_commit=False,
                  check_crcs=True, consumer_timeout_ms=8000)
c.assign([TopicPartition(topic, p) for p in range(6)])
n = 0
for m in c:
    hs = ",".join("%s=%s" % (k, v.decode()) for k, v in m.headers)
    print("%d\t%s\t%s" % (m.partition, hs, m.value.decode()))
    n += 1
    if n >= limit: break
c.close()
EOF
for codec in none gzip snappy lz4 zstd; do
  for acks in 0 1 all; do
    t="g-$codec-$acks"
    rc=0
    timeout 120 "$kw" -b "$BS" -X compression.type="$codec" -X acks="$acks" -X linger.ms=5 \
      produce -t "$t" -H h1=x "$tmp/in.txt" 2> "$tmp/produce.err" || rc=$?
    [ "$rc" -eq 0 ] || fail "produce $codec acks=$acks: exit $rc"
    grep -q "^kwire produce: $N records sent, 0 failed" "$tmp/produce.err" ||
      fail "produce $codec acks=$acks: summary: $(head -3 "$tmp/produce.err")"
    consume "$t"
    python3 "$tmp/check.py" "$N" "$tmp/$t.out" > "$tmp/check.err" ||
      fail "kcat check $codec acks=$acks: $(tail -3 "$tmp/check.err")"
    timeout 120 /usr/bin/python3 "$tmp/kpy.py" "$BS" "$t" "$N" > "$tmp/kpy.out" 2> "$tmp/kpy.err" ||
      fail "kafka-python reading $t"
    python3 "$tmp/check.py" "$N" "$tmp/kpy.out" > "$tmp/check.err" ||
      fail "kafka-python check $codec acks=$acks: $(tail -3 "$tmp/check.err")"
    rm -f "$tmp/$t.out" "$tmp/kpy.out"
  done
done

# 3. keyed records: partition = kafka-python's DefaultPartitioner
awk 'NR <= 20000 {print "key-" NR ":" $0}' "$tmp/in.txt" > "$tmp/keyed.txt"
timeout 60 "$kw" -b "$BS" produce -t keyed -K : "$tmp/keyed.txt" 2> "$tmp/produce.err" || fail "produce keyed"
timeout 60 kcat -C -b "$BS" -t keyed -e -q -f '%p\t%k\n' > "$tmp/keyed.out" || fail "kcat keyed"
/usr/bin/python3 - "$tmp/keyed.out" <<'EOF' || fail "keyed partitions differ from kafka-python's DefaultPartitioner"
import sys
from kafka.partitioner.default import DefaultPartitioner
n = bad = 0
for line in open(sys.argv[1]):
    p, k = line.rstrip("\n").split("\t")
    n += 1
    if DefaultPartitioner()(k.encode(), list(range(6)), list(range(6))) != int(p): bad += 1
if bad or n != 20000: print("keyed", n, "bad", bad)
sys.exit(1 if bad or n != 20000 else 0)
EOF

# 4. faults while producing (idempotent, acks=all): input through a pipe in 20 chunks
split -n l/20 -d "$tmp/in.txt" "$tmp/chunk."
feed() {
  local i=0
  for c in "$tmp"/chunk.*; do
    cat "$c"
    sleep 0.25
    case $i in
      2) ctl "errors 0 6 6 6" ;;
      4) ctl "errors 0 7 7" ;;
      6) ctl "down 2" ;;
      9) ctl "up 2" ;;
      11) ctl "leader fault 0 3"; ctl "leader fault 1 1" ;;
    esac
    i=$((i + 1))
  done
}
rc=0
feed | timeout 150 "$kw" -b "$BS" -X enable.idempotence=true -X acks=all -X request.timeout.ms=1000 \
  -X delivery.timeout.ms=60000 -X retry.backoff.ms=50 -v produce -t fault -H h1=x 2> "$tmp/fault.err" || rc=$?
[ "$rc" -eq 0 ] || fail "produce under faults: exit $rc"
grep -q "^kwire produce: $N records sent, 0 failed" "$tmp/fault.err" || fail "produce under faults: summary"
consume fault
python3 "$tmp/check.py" "$N" "$tmp/fault.out" > "$tmp/check.err" || fail "records after faults: $(tail -3 "$tmp/check.err")"
grep -q "retried records [1-9]" "$tmp/fault.err" || fail "faults caused no retries: $(cat "$tmp/fault.err")"

# 5. every broker down after the first record: the other 100 fail with the delivery timeout
rc=0
{ head -1 "$tmp/in.txt"; sleep 1; ctl "down -1"; sed -n 2,101p "$tmp/in.txt"; } |
  timeout 30 "$kw" -b "$BS" -X delivery.timeout.ms=1500 -X request.timeout.ms=1000 -X linger.ms=0 \
  produce -t dead 2> "$tmp/dead.err" || rc=$?
ctl "up -1"
[ "$rc" -eq 1 ] || fail "brokers down: exit $rc, expected 1"
grep -qE "^kwire produce: 1 record sent, 100 failed" "$tmp/dead.err" || fail "brokers down: $(head -2 "$tmp/dead.err")"
grep -q "KW_ERR_MSG_TIMED_OUT" "$tmp/dead.err" || fail "brokers down: error not reported as the delivery timeout"

# 6. --dump: the Produce request annotated down to the records of its batch
seq 1 3 | timeout 30 "$kw" -b "$BS" --dump -X linger.ms=0 produce -t dumped -H a=b > /dev/null 2> "$tmp/dump.err" ||
  fail "produce --dump"
for want in 'request  Produce v' 'producerId  *int64' 'baseSequence  *int32  *0' 'crc  *uint32  *valid' 'headerKey  *bytes  *"a"' 'value  *bytes  *"3"' 'response  Produce v'; do
  grep -q -- "$want" "$tmp/dump.err" || fail "--dump output lacks '$want'"
done

# 7. without -b the embedded broker is started for the run
echo solo | timeout 60 env -u KWIRE_BOOTSTRAP "$kw" produce -t solo > /dev/null 2> "$tmp/solo.err" || fail "produce to the embedded broker"
grep -q "^kwire produce: 1 record sent, 0 failed" "$tmp/solo.err" || fail "embedded broker: $(cat "$tmp/solo.err")"

echo "integ_produce: ok (bad settings, 15 codec x acks runs x $N records checked with kcat and kafka-python, keyed partitions, faults, delivery timeout, --dump, embedded broker)"
