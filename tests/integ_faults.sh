#!/usr/bin/env bash
# tests/integ_faults.sh — the fault-injection table (issue 8): faults injected into the
# embedded broker (bin/kwire-broker: librdkafka's mock cluster, 3 brokers, driven through
# its control FIFO) while `kwire produce`, `kwire consume` and `kwire lag` run, and what
# each client did, checked for real:
#   producer  idempotent, acks=all: every record stored once, in order per partition, read
#             back with raw Fetch requests (build/tests/tool_batches) and deduplicated by
#             (producer id, epoch, sequence) as a Kafka broker does; or, when the fault
#             outlasts delivery.timeout.ms, every record reported failed and exit 1;
#   consumer  numbered records produced first, the fault injected while `kwire consume`
#             reads them: every record handed out exactly once, offsets consecutive per
#             partition;
#   lag       a group with known committed offsets (sum 1800) and known log-end offsets
#             (3300): `kwire lag --json` gives total lag 1500, committed sum 1800 and
#             lag = log-end - committed per partition; under a fault it either recovers
#             to those numbers or fails with exit 1, never printing another number.
# Each pushed error goes to the next N requests of that API (N = 3), and the test checks
# that the client met them (retries counted, error responses seen in --dump, or requests
# counted over a clean run), so a row cannot pass without its fault.
# The table (fault | injected how | producer | consumer | lag) is written from the checks
# that passed and compared with docs/RELIABILITY.md's faults block (scripts/readme-block.sh;
# KW_UPDATE_README=1 rewrites it). Everything started here is stopped by PID; every wait
# is bounded. Run from anywhere; KWIRE names the kwire binary (default bin/kwire); KW_KEEP_TMP=1
# keeps the temporary directory for a look after a failure.
# Real broker: these rows need the mock: only it injects a chosen error code into a
# chosen API's answers, delays answers, or moves leaders on command. Faults on a real
# 3-node Apache Kafka cluster (nodes killed, restarted, leadership moved by Kafka's
# own tool) are tests/integ_kafka_faults.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tb=build/tests/tool_batches
py=/usr/bin/python3
N=3
for f in "$kw" bin/kwire-broker "$tb"; do
  [ -x "$f" ] || make -s "$f" >/dev/null || { echo "integ_faults: cannot build $f"; exit 1; }
done
command -v kcat >/dev/null || { echo "integ_faults: kcat not installed"; exit 1; }

# ---- the retriable errors Kafka defines for each API (protocol_errors: Retriable=True) ----
# Produce: ProduceResponse.java's error list, plus REQUEST_TIMED_OUT (DelayedProduce) and KAFKA_STORAGE_ERROR (ReplicaManager.appendToLocalLog)
PRODUCE_ERRORS="CORRUPT_MESSAGE:2 UNKNOWN_TOPIC_OR_PARTITION:3 NOT_LEADER_OR_FOLLOWER:6 REQUEST_TIMED_OUT:7 NOT_ENOUGH_REPLICAS:19 NOT_ENOUGH_REPLICAS_AFTER_APPEND:20 KAFKA_STORAGE_ERROR:56"
# Fetch: FetchResponse.java's error list, plus the fetch-session errors of FetchSession.scala (request level)
FETCH_ERRORS="CORRUPT_MESSAGE:2 UNKNOWN_TOPIC_OR_PARTITION:3 NOT_LEADER_OR_FOLLOWER:6 REPLICA_NOT_AVAILABLE:9 KAFKA_STORAGE_ERROR:56 FETCH_SESSION_ID_NOT_FOUND:70 INVALID_FETCH_SESSION_EPOCH:71 FENCED_LEADER_EPOCH:74 UNKNOWN_LEADER_EPOCH:75 UNKNOWN_TOPIC_ID:100 INCONSISTENT_TOPIC_ID:103 FETCH_SESSION_TOPIC_ID_ERROR:106"
# ListOffsets: ListOffsetsResponse.java's error list
LISTOFFSETS_ERRORS="UNKNOWN_TOPIC_OR_PARTITION:3 LEADER_NOT_AVAILABLE:5 NOT_LEADER_OR_FOLLOWER:6 REPLICA_NOT_AVAILABLE:9 KAFKA_STORAGE_ERROR:56 FENCED_LEADER_EPOCH:74 UNKNOWN_LEADER_EPOCH:75 OFFSET_NOT_AVAILABLE:78"
# FindCoordinator: FindCoordinatorResponse.java's error list
FINDCOORD_ERRORS="COORDINATOR_LOAD_IN_PROGRESS:14 COORDINATOR_NOT_AVAILABLE:15"
# OffsetFetch: OffsetFetchResponse.java's partition and group error lists
OFFSETFETCH_ERRORS="UNKNOWN_TOPIC_OR_PARTITION:3 COORDINATOR_LOAD_IN_PROGRESS:14 COORDINATOR_NOT_AVAILABLE:15 NOT_COORDINATOR:16 UNSTABLE_OFFSET_COMMIT:88"

tmp=$(mktemp -d /tmp/kwire-integ-faults.XXXXXX)
integ_name=integ_faults
. tests/lib_integ.sh
cpids=() # the consumers and lag watchers running while a fault is on
at_exit 'for p in "${cpids[@]}"; do stop_pid "$p"; done'
# ctl COMMAND: not the library's ctl, on purpose: it also waits for the broker's "ok"
# answer, so that a fault is known to be on before the client under test starts
ctl() {
  local n; n=$(grep -c . "$tmp/broker.err" 2>/dev/null || true)
  timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$tmp/ctl" || fail "control '$1' not written"
  for _ in $(seq 100); do
    if [ "$(grep -c . "$tmp/broker.err" 2>/dev/null || true)" -gt "$n" ]; then
      tail -n +"$((n + 1))" "$tmp/broker.err" | grep -q "^ok $1\$" || fail "control '$1': $(tail -1 "$tmp/broker.err")"
      return 0
    fi
    sleep 0.05
  done
  fail "no answer to control '$1'"
}
push() { # push API CODE: the next N requests of API fail with CODE
  local api=$1 code=$2 codes="" i
  for i in $(seq $N); do codes="$codes $code"; done
  ctl "errors $api$codes"
}
# partition p led by broker p+1: the mock places leaders from a random broker on, so
# every topic starts from this layout and each "leader moved" row below really moves them
leaders() { ctl "leader $1 0 1"; ctl "leader $1 1 2"; ctl "leader $1 2 3"; }
table=$tmp/table.md
mkdir "$tmp/rows"
row() { # row KEY FAULT HOW PRODUCER CONSUMER LAG: the table lists rows by KEY
  local k=$1; shift
  printf '| %s | %s | %s | %s | %s |\n' "$@" > "$tmp/rows/$k"
}

start=$(date +%s)
start_broker --brokers 3 --control "$tmp/ctl" --topic cons:3 --topic small:3 --topic lagt:3 --topic dead:3
B=$bs
for t in cons small lagt dead; do leaders $t; done

# ---- producer ----
PN=3000
awk -v n=$PN 'BEGIN { for (i = 1; i <= n; i++) print "k" i ":r-" i }' > "$tmp/p.in" # keyed: every partition gets records
pt=0
newtopic() { pt=$((pt + 1)); ptopic=p$pt; ctl "topic $ptopic 3 3"; leaders "$ptopic"; }
# produce TOPIC [-X ...]: idempotent, acks=all; input on stdin; summary checked, and the
# fault met: some records retried, or with MET set, the -v summary matching MET
produce() {
  local topic=$1; shift
  local rc=0 met=${MET:-"retried records [1-9]"}
  timeout 120 "$kw" -b "$B" -X enable.idempotence=true -X acks=all -X linger.ms=5 -X retry.backoff.ms=20 \
    -X request.timeout.ms=1000 -X delivery.timeout.ms=60000 "$@" -v produce -t "$topic" -K : 2>"$tmp/produce.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "produce $topic: exit $rc"
  grep -q "^kwire produce: $PN records sent, 0 failed" "$tmp/produce.err" || fail "produce $topic: summary"
  grep -Eq "$met" "$tmp/produce.err" || fail "produce $topic: the fault was not met ($(tail -1 "$tmp/produce.err"))"
}
cat > "$tmp/pcheck.py" <<'EOF'
# lines "partition offset pid epoch seq value": keep the first record of each
# (partition, pid, epoch, seq) as a sequence-checking broker does; every resend must carry
# the same value; then every r-1..r-N exactly once, increasing within each partition
import sys
n = int(sys.argv[1]); seen = {}; kept = []; bad = []
for line in open(sys.argv[2]):
    p, o, pid, ep, sq, v = line.rstrip("\n").split(" ", 5)
    if int(sq) < 0 or int(pid) < 0: bad.append("record without producer id/sequence at %s/%s" % (p, o)); continue
    k = (p, pid, ep, sq)
    if k in seen:
        if seen[k] != v: bad.append("sequence %s reused for %s and %s" % (k, seen[k], v))
        continue
    seen[k] = v; kept.append((int(p), int(v[2:])))
last = {}; ids = set()
for p, i in kept:
    if i in ids: bad.append("r-%d twice" % i)
    ids.add(i)
    if last.get(p, 0) > i: bad.append("r-%d after r-%d in partition %d" % (i, last[p], p))
    last[p] = i
if ids != set(range(1, n + 1)): bad.append("%d distinct records, expected %d" % (len(ids), n))
print("\n".join(bad[:5]) if bad else "resends %d" % (sum(1 for _ in open(sys.argv[2])) - len(kept)))
sys.exit(1 if bad else 0)
EOF
pcheck() { # pcheck TOPIC: stored once (by sequence), in order
  timeout 60 "$tb" "$B" "$1" > "$tmp/batches.out" 2>"$tmp/batches.err" || fail "reading back $1"
  $py "$tmp/pcheck.py" $PN "$tmp/batches.out" > "$tmp/pcheck.out" || fail "$1: $(head -3 "$tmp/pcheck.out")"
}
P_OK="$(printf "%'d" $PN) delivered once, order kept"
feed() { # the input in 20 chunks 0.1 s apart; ACTION started beside them after chunk 3
  local i=0 ap=""
  split -n l/20 -d "$tmp/p.in" "$tmp/chunk."
  for c in "$tmp"/chunk.*; do
    cat "$c"; sleep 0.1
    i=$((i + 1))
    if [ $i -eq 3 ]; then eval "$1" & ap=$!; fi
  done
  wait "$ap"
  rm -f "$tmp"/chunk.*
}

# ---- consumer ----
CN=30000
seq -f "c-%g" 1 $CN | kcat -b "$B" -P -t cons -X batch.num.messages=50 -X linger.ms=20 || fail "kcat filling cons"
seq -f "s-%g" 1 300 | kcat -b "$B" -P -t small -X batch.num.messages=20 || fail "kcat filling small"
cat > "$tmp/ccheck.py" <<'EOF'
# lines "partition offset value": each of PREFIX-1..PREFIX-N once, offsets 0,1,2.. per partition
import sys
n = int(sys.argv[1]); pre = sys.argv[2]; bad = []; vals = set(); nxt = {}; count = 0
for line in open(sys.argv[3]):
    p, o, v = line.rstrip("\n").split(" ", 2); count += 1
    if v in vals: bad.append("%s handed out twice" % v)
    vals.add(v)
    if int(o) != nxt.get(p, 0): bad.append("partition %s: offset %s after %d" % (p, o, nxt.get(p, 0) - 1))
    nxt[p] = int(o) + 1
if vals != set("%s-%d" % (pre, i) for i in range(1, n + 1)): bad.append("%d distinct of %d (%d lines)" % (len(vals), n, count))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
EOF
# consume_during ACTION MET: read all of cons (batches of 50 records, one per partition
# per Fetch answer, responses slowed to 10 ms: start-up about 0.2 s, then 200 fetches per
# broker, over 2 s), ACTION run 0.8 s in, while records are being fetched; every record once, in order; the fault met: --stats
# matches MET, or MET "alive": the consumer was still reading when ACTION ended
consume_during() {
  ctl "rtt -1 10"
  timeout 120 "$kw" -q -b "$B" -X request.timeout.ms=1000 -X retry.backoff.ms=50 -X retry.backoff.max.ms=300 \
    consume -t cons -o beginning -e -f '%p %o %s\n' --stats >"$tmp/c.out" 2>"$tmp/consume.err" &
  local cp=$! rc=0
  cpids+=($cp)
  sleep 0.8
  eval "$1"
  local alive=0
  kill -0 "$cp" 2>/dev/null && alive=1
  wait "$cp" || rc=$?
  cpids=()
  ctl "rtt -1 0"
  [ "$rc" -eq 0 ] || fail "consume under '$1': exit $rc"
  $py "$tmp/ccheck.py" $CN c "$tmp/c.out" > "$tmp/ccheck.out" || fail "consume under '$1': $(head -3 "$tmp/ccheck.out")"
  if [ "$2" = alive ]; then
    [ $alive = 1 ] || fail "consume under '$1': the consumer had finished before the fault ended"
  else
    grep -Eq "$2" "$tmp/consume.err" || fail "consume under '$1': the fault was not met ($(head -1 "$tmp/consume.err"))"
  fi
}
C_OK="$(printf "%'d" $CN) handed out once, no gap"

# ---- lag ----
for p in 0 1 2; do seq 1 1000 | kcat -b "$B" -P -t lagt -p $p || fail "kcat filling lagt"; done
# 600 committed in each partition, each by a consumer of its own (-p: no group membership).
# One consumer of the topic with -c 1800 could reach 1800 from two partitions before the
# third's start position is known, and commit only those two (seen under load).
for p in 0 1 2; do
  timeout 60 "$kw" -q -b "$B" consume -t lagt -p $p -o beginning -c 600 -g lg --commit >/dev/null || fail "committing lg [$p]"
done
seq 1 300 | kcat -b "$B" -P -t lagt -p 0 || fail "kcat adding to lagt"
cat > "$tmp/lcheck.py" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
ps = [p for g in r["groups"] for t in g["topics"] for p in t["partitions"]]
cur = sum(p["current_offset"] or 0 for p in ps); leo = sum(p["log_end_offset"] or 0 for p in ps)
ok = (r["total_lag"] == 1500 and cur == 1800 and leo == 3300 and len(ps) == 3 and
      all(p["lag"] == p["log_end_offset"] - p["current_offset"] for p in ps))
print("total_lag %s committed %d log-end %d" % (r["total_lag"], cur, leo) +
      ("" if ok else "; partitions (partition committed log-end): " +
       " ".join("%s %s %s" % (p["partition"], p["current_offset"], p["log_end_offset"]) for p in ps)))
sys.exit(0 if ok else 1)
EOF
# lag_run [API]: kwire lag --json with --dump; exit 0 and the expected numbers; with API,
# the number of API requests in the dump goes to $nreq
lag_run() {
  local rc=0
  timeout 120 "$kw" -b "$B" --dump lag -g lg --json >"$tmp/lag.json" 2>"$tmp/lagdump.txt" || rc=$?
  [ "$rc" -eq 0 ] || { cp "$tmp/lagdump.txt" "$tmp/lag.err"; fail "lag under $2: exit $rc"; }
  $py "$tmp/lcheck.py" "$tmp/lag.json" >"$tmp/lcheck.out" || fail "lag under $2: $(cat "$tmp/lcheck.out")"
  nreq=$(grep -c "^== .* request  $1 v" "$tmp/lagdump.txt")
}
baseline() { # requests of API $1 in a clean lag run -> $base
  lag_run "$1" "no fault"; base=$nreq
}
L_OK="total lag 1500 (committed 1800, log-end 3300)"
# met API CODE DUMP BASE: did the client meet the N pushed errors? CODE _TRANSPORT (no
# answer): at least BASE + N requests of API; else at least N responses of API carrying CODE
met() {
  local n
  if [ "$2" = _TRANSPORT ]; then
    n=$(grep -c "^== .* request  $1 v" "$3")
    [ "$n" -ge $(($4 + N)) ] && return 0
    echo "$n $1 requests, expected at least $(($4 + N))"; return 1
  fi
  n=$(awk -v api="$1" -v code="$2" '/^== / { inr = index($0, "response  " api " v") > 0; hit = 0 }
    inr && !hit && $0 ~ ("error_code +int16 +" code "( |$)") { hit = 1; n++ } END { print n + 0 }' "$3")
  [ "$n" -ge $N ] && return 0
  echo "$n $1 responses with error $2, expected at least $N"; return 1
}
# lag_after API CODE NAME: N errors pushed on API, then lag: right numbers, errors met
lag_after() {
  local api=$1 code=$2 name=$3 key
  case $api in 2) key=ListOffsets ;; 9) key=OffsetFetch ;; 10) key=FindCoordinator ;; esac
  baseline "$key"
  push "$api" "$code"
  lag_run "$key" "$name"
  ctl "clear $api"
  met "$key" "$code" "$tmp/lagdump.txt" "$base" > "$tmp/met.out" || fail "lag under $name: $(cat "$tmp/met.out")"
}
# lag_watch ACTION: kwire lag --watch 0.3 while ACTION runs; every number printed is 1500
# and the last lines (after recovery) print it
lag_watch() {
  timeout 60 "$kw" -q -b "$B" -X request.timeout.ms=1000 lag -g lg --watch 0.3 >"$tmp/watch.out" 2>&1 &
  local wp=$!
  cpids+=($wp)
  sleep 0.7
  eval "$1"
  sleep 2
  kill "$wp"; wait "$wp" 2>/dev/null
  cpids=()
  grep -q . "$tmp/watch.out" || fail "lag --watch under '$1': no output"
  if grep -v ' error: ' "$tmp/watch.out" | grep -Ev '^[0-9T:.-]+Z lg total-lag 1500( \(\+0\))?$' | grep -q .; then
    fail "lag --watch under '$1': $(grep -v ' error: ' "$tmp/watch.out" | grep -Ev 'total-lag 1500' | head -2)"
  fi
  tail -2 "$tmp/watch.out" | grep -Eq 'lg total-lag 1500' || fail "lag --watch under '$1': did not recover: $(tail -2 "$tmp/watch.out")"
}

echo "integ_faults:"
printf '| fault | injected how | producer | consumer | lag |\n|---|---|---|---|---|\n' > "$table"

# 1. disconnect mid-request: the mock closes the connection when the request arrives
newtopic
produce "$ptopic" < <(feed "push 0 _TRANSPORT"); pcheck "$ptopic"
consume_during "push 1 _TRANSPORT" 'errors [1-9]'
lag_after 9 _TRANSPORT "disconnect on OffsetFetch"
lag_after 2 _TRANSPORT "disconnect on ListOffsets"
row 01 "disconnect mid-request" "\`errors API _TRANSPORT\` x$N on Produce / Fetch / OffsetFetch and ListOffsets (connection closed on receipt)" "$P_OK" "$C_OK" "$L_OK"
echo "  ok   disconnect mid-request"

# 2. a broker down, then up
newtopic
# the producer met it when some record waited for broker 2 (delivery latency max >= 0.8 s)
MET="delivery latency p50 [0-9]+ p99 [0-9]+ max ([89][0-9]{2}|[0-9]{4,}) ms" \
  produce "$ptopic" < <(feed "ctl 'down 2'; sleep 1; ctl 'up 2'"); pcheck "$ptopic"
consume_during "ctl 'down 2'; sleep 1; ctl 'up 2'" alive
lag_watch "ctl 'down 2'; sleep 1; ctl 'up 2'"
row 02 "broker down, then up" "\`down 2\`, 1 s, \`up 2\` while running" "$P_OK" "$C_OK" "every printed total 1500, 1500 after recovery"
echo "  ok   broker down and up"

# 3. leaders moved (and the group coordinator for lag)
newtopic
produce "$ptopic" < <(feed "ctl 'leader $ptopic 0 2'; ctl 'leader $ptopic 1 3'; ctl 'leader $ptopic 2 1'"); pcheck "$ptopic"
consume_during "ctl 'leader cons 0 2'; ctl 'leader cons 1 3'; ctl 'leader cons 2 1'" 'leader changes [1-9]'
lag_watch "ctl 'leader lagt 0 3'; ctl 'leader lagt 1 1'; ctl 'coordinator group lg 3'"
leaders cons; leaders lagt # back to one partition per broker
row 03 "leader moved" "\`leader TOPIC P B\` for every partition while running (lag: and \`coordinator group lg 3\`)" "$P_OK" "$C_OK" "every printed total 1500, 1500 after recovery"
echo "  ok   leader moved"

# 4. every broker down for longer than delivery.timeout.ms
rc=0
{ head -1 "$tmp/p.in"; sleep 1; ctl "down -1"; sed -n 2,101p "$tmp/p.in"; } |
  timeout 60 "$kw" -b "$B" -X enable.idempotence=true -X acks=all -X delivery.timeout.ms=1500 -X request.timeout.ms=1000 \
  -X linger.ms=0 produce -t dead -K : 2>"$tmp/dead.err" || rc=$?
rc2=0; timeout 60 "$kw" -b "$B" -X request.timeout.ms=1000 lag -g lg --json >"$tmp/lagdead.out" 2>"$tmp/lagdead.err" || rc2=$?
ctl "up -1"
[ "$rc" -eq 1 ] || fail "brokers down: produce exit $rc, expected 1"
grep -q "^kwire produce: 1 record sent, 100 failed" "$tmp/dead.err" || fail "brokers down: $(grep 'records sent' "$tmp/dead.err")"
[ "$(grep -c 'KW_ERR_MSG_TIMED_OUT' "$tmp/dead.err")" -ge 1 ] || fail "brokers down: failures not reported as the delivery timeout"
[ "$rc2" -eq 1 ] && ! grep -q . "$tmp/lagdead.out" || fail "brokers down: lag exit $rc2, output '$(head -c 200 "$tmp/lagdead.out")'"
lag_run OffsetFetch "recovery from every broker down"
row 05 "every broker down past delivery.timeout.ms" "\`down -1\` after the first record; delivery.timeout.ms=1500" \
  "100 records reported failed (KW_ERR_MSG_TIMED_OUT), exit 1" "n/a (retries until a broker returns)" "exit 1, no number printed; 1500 after \`up -1\`"
echo "  ok   every broker down"

# 5. each retriable Produce error, N times
for e in $PRODUCE_ERRORS; do
  name=${e%%:*}; code=${e##*:}
  newtopic
  push 0 "$code"
  produce "$ptopic" < "$tmp/p.in"
  ctl "clear 0"
  pcheck "$ptopic"
  row "1$(printf %03d "$code")" "Produce $name ($code)" "\`errors 0 $code\` x$N" "$P_OK" "n/a" "n/a"
  echo "  ok   Produce $name"
done

# 6. each retriable Fetch error, N times, while consuming
for e in $FETCH_ERRORS; do
  name=${e%%:*}; code=${e##*:}
  consume_during "push 1 $code" 'errors [1-9]'
  ctl "clear 1"
  row "2$(printf %03d "$code")" "Fetch $name ($code)" "\`errors 1 $code\` x$N" "n/a" "$C_OK" "n/a"
  echo "  ok   Fetch $name"
done

# 7. each retriable ListOffsets error, N times: the consumer's start positions and lag
rc=0; timeout 60 "$kw" -q -b "$B" --dump consume -t small -o beginning -e -f '%p %o %s\n' >"$tmp/c.out" 2>"$tmp/cdump.txt" || rc=$?
[ "$rc" -eq 0 ] || fail "consume small: exit $rc"
base_clo=$(grep -c "^== .* request  ListOffsets v" "$tmp/cdump.txt")
for e in $LISTOFFSETS_ERRORS; do
  name=${e%%:*}; code=${e##*:}
  push 2 "$code"
  rc=0; timeout 60 "$kw" -q -b "$B" --dump consume -t small -o beginning -e -f '%p %o %s\n' >"$tmp/c.out" 2>"$tmp/cdump.txt" || rc=$?
  ctl "clear 2"
  [ "$rc" -eq 0 ] || fail "consume under ListOffsets $name: exit $rc"
  $py "$tmp/ccheck.py" 300 s "$tmp/c.out" > "$tmp/ccheck.out" || fail "consume under ListOffsets $name: $(head -3 "$tmp/ccheck.out")"
  met ListOffsets "$code" "$tmp/cdump.txt" "$base_clo" > "$tmp/met.out" || fail "consume under ListOffsets $name: $(cat "$tmp/met.out")"
  lag_after 2 "$code" "ListOffsets $name"
  row "3$(printf %03d "$code")" "ListOffsets $name ($code)" "\`errors 2 $code\` x$N" "n/a" "300 handed out once from the start" "$L_OK"
  echo "  ok   ListOffsets $name"
done

# 8. each retriable FindCoordinator error, N times: lag
for e in $FINDCOORD_ERRORS; do
  name=${e%%:*}; code=${e##*:}
  lag_after 10 "$code" "FindCoordinator $name"
  row "4$(printf %03d "$code")" "FindCoordinator $name ($code)" "\`errors 10 $code\` x$N" "n/a" "n/a" "$L_OK"
  echo "  ok   FindCoordinator $name"
done

# 9. each retriable OffsetFetch error, N times: lag
for e in $OFFSETFETCH_ERRORS; do
  name=${e%%:*}; code=${e##*:}
  lag_after 9 "$code" "OffsetFetch $name"
  row "5$(printf %03d "$code")" "OffsetFetch $name ($code)" "\`errors 9 $code\` x$N" "n/a" "n/a" "$L_OK"
  echo "  ok   OffsetFetch $name"
done

# 10. (last: a broker-level error stack, even once empty, hides the cluster-wide one of
# that API on that broker) responses slower than request.timeout.ms (1000 ms): N responses of one broker held 3 s
newtopic
produce "$ptopic" < <(feed "ctl 'broker-errors 1 0 0:3000 0:3000 0:3000'"); pcheck "$ptopic"
grep -q "^resends [1-9]" "$tmp/pcheck.out" || fail "slow Produce: no send was stored twice ($(cat "$tmp/pcheck.out"))"
consume_during "ctl 'broker-errors 2 1 0:3000 0:3000 0:3000'" 'errors [1-9]'
baseline ListOffsets
ctl "broker-errors 3 2 0:3000 0:3000 0:3000"
rc=0; timeout 120 "$kw" -b "$B" -X request.timeout.ms=1000 --dump lag -g lg --json >"$tmp/lag.json" 2>"$tmp/lagdump.txt" || rc=$?
[ "$rc" -eq 0 ] && $py "$tmp/lcheck.py" "$tmp/lag.json" >/dev/null || fail "lag under slow ListOffsets: exit $rc $(cat "$tmp/lag.json")"
met ListOffsets _TRANSPORT "$tmp/lagdump.txt" "$base" > "$tmp/met.out" || fail "lag under slow ListOffsets: $(cat "$tmp/met.out")"
row 04 "RTT above request.timeout.ms" "request.timeout.ms=1000; \`broker-errors B API 0:3000\` x$N (no error, answer held 3 s) on Produce / Fetch / ListOffsets" \
  "$P_OK, counted as Kafka stores them: the mock stored each timed-out send again (it appends before holding the answer, and checks sequences only for transactional producers); every extra copy repeats its producer id, epoch and sequence" "$C_OK" "$L_OK"
echo "  ok   RTT above request.timeout.ms"

for f in $(ls "$tmp/rows" | sort); do cat "$tmp/rows/$f"; done >> "$table"
{
  echo
  echo "N = $N pushes per error, each met by the client (checked). Errors: every error Kafka's *Response.java lists for"
  echo "the API (plus the broker code paths named in tests/integ_faults.sh) that protocol_errors marks retriable; the"
  echo "mock injects all of them. It answers a pushed error for the whole request: every partition and the"
  echo "request-level code where the version has one (Fetch v7+, OffsetFetch v2+), so the Fetch rows exercise kwire's"
  echo "request-level retry (kwire fetches without a session; the session errors are injected anyway). \`_TRANSPORT\`"
  echo "closes the connection before the mock stores anything; a send lost after it was stored is the RTT row."
  echo "Produce and Fetch errors only matter to the producer and the consumer, FindCoordinator and OffsetFetch to lag."
} >> "$table"
scripts/readme-block.sh faults "$table" || fail "docs/RELIABILITY.md's faults table differs from this run"
echo "integ_faults: ok ($(( $(date +%s) - start )) s)"
