#!/usr/bin/env bash
# tests/integ_kafka_faults.sh — faults on a real Apache Kafka 4.4.0 cluster of 3 combined
# broker+controller nodes (KRaft) of this script's own (it kills nodes, so it cannot use
# the shared one), while `kwire produce`, `kwire consume` and `kwire lag` run:
#   1. SIGKILL of partition 0's leader mid-stream (restarted after the run);
#   2. SIGKILL of the active controller (Kafka's metadata-quorum tool names it; it is
#      asked again after: another node leads the quorum), restarted after the run;
#   3. a clean restart (TERM, then start-node) of a node leading a partition;
#   4. leadership moved by Kafka's own tool: after row 3 the restarted node is no longer
#      the leader of the partitions it is the preferred replica of (automatic leader
#      rebalancing is off), and `leader-election --election-type PREFERRED
#      --all-topic-partitions` mid-stream moves them back (checked in the metadata);
#   5. two of the three nodes stopped (TERM, one after the other: the second's controlled
#      shutdown leaves the survivor as the only in-sync replica, below
#      min.insync.replicas=2, and the quorum lost), until the producer has been refused
#      with NOT_ENOUGH_REPLICAS (seen in its --dump); then both started again. Meanwhile a
#      second producer (delivery.timeout.ms=3000) has every record reported failed and
#      nothing stored.
# Each row gets a new topic (3 partitions, replication factor 3, min.insync.replicas=2,
# created while every node runs, so each node leads one partition) and:
#   producer  idempotent, acks=all, 3000 keyed records fed through a pipe in 30 chunks
#             0.3 s apart, the fault started after the third chunk (chunks go on while it
#             lasts; the last five follow its end); then the whole topic is read by Kafka's
#             Java console consumer (every row's topic in one JVM): every record once, in
#             order per partition, offsets 0.. without a gap, the topic's log-end offsets
#             (Kafka's get-offsets tool) summing to 3000; the fault was met: records
#             retried (rows 1-4, -v summary), NOT_ENOUGH_REPLICAS answers (row 5);
#   consumer  `kwire consume -o beginning -c 3000` started with the producer, so it reads
#             while the fault happens: every record handed out once with offsets
#             consecutive per partition, exactly what the Java consumer read (partition,
#             offset, value); it followed a leader change (--stats; not in row 4: a
#             follower serves a consumer's Fetch v11+, so the old leader goes on serving);
#   lag       a group with committed offsets 600/700/500 on a 3-partition topic of 1000
#             records each: `kwire lag --json` right before the fault and after it (before
#             and after the node came back) gives lag = log-end - committed per partition
#             (400/300/500, total 1200); `kwire lag --watch 1` runs through the fault: every
#             total it prints is 1200 (a round may fail while a node is unreachable: an
#             error line, never another number) and its last line is 1200.
# Between rows every node runs and every partition of the script's topics has 3 in-sync
# replicas. The table (fault | injected how | producer | consumer | lag) is written from
# the checks that passed and compared with docs/RELIABILITY.md's kafka-faults block
# (scripts/readme-block.sh; KW_UPDATE_README=1 rewrites it). Every wait is bounded; on
# failure the nodes' last log lines and kwire's stderr are shown; everything started here
# is stopped by PID. KWIRE names the kwire binary (default bin/kwire).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kfaults.XXXXXX)
integ_name=integ_kafka_faults
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
[ -n "${KW_KAFKA_ERROR:-}" ] && fail "real broker: $KW_KAFKA_ERROR"
N=3000
G=lg

# KEEP=DIR: the scratch directory (logs, dumps, outputs) copied to DIR at exit
[ -n "${KEEP:-}" ] && at_exit 'rm -rf "$KEEP"; cp -r "$tmp" "$KEEP"'
bgpids=()
at_exit 'for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done'
alive_or_not() { kill -0 "$(cat "$KAFKA_DIR/node$1/pid" 2>/dev/null)" 2>/dev/null && echo running || echo "not running"; }
integ_on_fail() {
  local k
  [ -n "${KAFKA_DIR:-}" ] || return 0
  for k in 1 2 3; do
    [ -f "$KAFKA_DIR/node$k/server.log" ] || continue
    echo "  -- node $k ($(alive_or_not "$k")): last warnings and errors, then last lines of its log:"
    grep -E '^\[[^]]*\] (WARN|ERROR)' "$KAFKA_DIR/node$k/server.log" | tail -4 | cut -c1-250 | sed 's/^/  /'
    grep -v '^\s' "$KAFKA_DIR/node$k/server.log" | tail -3 | cut -c1-250 | sed 's/^/  /'
  done
  for f in "$tmp"/action*.log; do [ -s "$f" ] && tail -5 "$f" | sed "s|^|  $(basename "$f"): |"; done
  return 0
}

start=$(date +%s)
lap=$start
secs() { local n; n=$(date +%s); dt=$((n - lap)); lap=$n; } # dt: seconds since the last call
echo "integ_kafka_faults:"
# automatic leader rebalancing off: row 4's imbalance stays until the tool moves it
# generous start-up bounds: JVMs starting on a loaded 2-core machine (CI runs the plain and
# the sanitizer pass side by side, each with a cluster like this one)
kafka_own "$tmp/kafka" --brokers 3 --version 4.4.0 --set auto.leader.rebalance.enable=false --timeout 300
secs

# ---- the cluster, seen through kwire metadata ----
meta() { timeout 30 "$kw" -b "$KAFKA" -X request.timeout.ms=5000 metadata "$@" 2>>"$tmp/meta.err"; }
leader_of() { meta "$1" | sed -n "s/^ *partition $2, leader \([0-9-]*\),.*/\1/p"; } # TOPIC P
preferred_of() { meta "$1" | sed -n "s/^ *partition $2, .*replicas \[\([0-9]*\).*/\1/p"; }
topics=() # every topic of the script: all in sync between rows
# wait_isr: every partition of every topic has 3 in-sync replicas (at most 300 s)
wait_isr() {
  local i want=$(( 3 * ${#topics[@]} ))
  for i in $(seq 600); do
    [ "$(meta "${topics[@]}" | grep -Ec 'isr \[[0-9]+,[0-9]+,[0-9]+\]')" -ge "$want" ] && return 0
    sleep 0.5
  done
  meta "${topics[@]}" | grep partition >&2
  fail "the replicas did not all come back in sync within 300 s"
}
# wait_moved T P K: partition P of T led by another node than K (at most 180 s)
wait_moved() {
  local i l
  for i in $(seq 360); do
    l=$(leader_of "$1" "$2")
    [ -n "$l" ] && [ "$l" != -1 ] && [ "$l" != "$3" ] && return 0
    sleep 0.5
  done
  echo "partition $2 of $1 still led by ${l:-?} after 180 s" >&2
  return 1
}
new_topic() { # new_topic VAR NAME: topic NAME-<pid> (3 partitions, RF 3, min.insync.replicas=2) in VAR
  local t
  t=$(kafka_topic "$2" 3 3 min.insync.replicas=2)
  [ -n "$t" ] || fail "creating topic $2"
  topics+=("$t")
  printf -v "$1" %s "$t"
  wait_isr # led and replicated everywhere before anyone uses it
}
node_down() { "$kafka_sh" stop-node "$KAFKA_DIR" "$1" "$2" >>"$tmp/nodes.log" 2>&1; } # K SIGNAL
node_up() { "$kafka_sh" start-node "$KAFKA_DIR" "$1" --timeout 300 >>"$tmp/nodes.log" 2>&1; }
quorum_leader() { # the active controller, as Kafka's metadata-quorum tool reports it
  timeout 120 "$kafka_sh" tool "$KAFKA_DIR" metadata-quorum --bootstrap-server "$KAFKA" describe --status \
    2>>"$tmp/quorum.err" | sed -n 's/^LeaderId: *\([0-9-]*\)$/\1/p'
}

# ---- lag: group G on topic lagt, committed 600/700/500, 1000 records per partition ----
new_topic lagt kf-lag
for p in 0 1 2; do
  seq 1 1000 | timeout 60 "$kw" -q -b "$KAFKA" produce -t "$lagt" -p $p 2>>"$tmp/setup.err" || fail "filling $lagt"
done
for pc in 0:600 1:700 2:500; do
  timeout 60 "$kw" -q -b "$KAFKA" consume -t "$lagt" -p "${pc%:*}" -o beginning -c "${pc#*:}" -g $G --commit \
    >/dev/null 2>>"$tmp/setup.err" || fail "committing $G on partition ${pc%:*}"
done
cat >"$tmp/lcheck.py" <<'EOF'
# kwire lag --json: committed 600/700/500, log-end 1000 each, lag = log-end - committed
import json, sys
r = json.load(open(sys.argv[1]))
ps = {p["partition"]: p for g in r["groups"] for t in g["topics"] for p in t["partitions"]}
want = {0: 600, 1: 700, 2: 500}
bad = [p for p in want if p not in ps or ps[p]["current_offset"] != want[p] or ps[p]["log_end_offset"] != 1000
       or ps[p]["lag"] != 1000 - want[p]]
print("total_lag %s, partitions %s" % (r.get("total_lag"), sorted((k, v["current_offset"], v["log_end_offset"],
      v["lag"]) for k, v in ps.items())))
sys.exit(1 if bad or r.get("total_lag") != 1200 or len(ps) != 3 else 0)
EOF
lag_exact() { # lag_exact WHEN
  local rc=0
  timeout 120 "$kw" -b "$KAFKA" lag -g $G --json >"$tmp/lag.json" 2>"$tmp/lag.err" || rc=$?
  [ $rc = 0 ] || fail "lag $1: exit $rc"
  python3 "$tmp/lcheck.py" "$tmp/lag.json" >"$tmp/lcheck.out" || fail "lag $1: $(cat "$tmp/lcheck.out")"
}
lag_watch_start() {
  "$kw" -q -b "$KAFKA" -X request.timeout.ms=5000 lag -g $G --watch 1 >"$tmp/watch.out" 2>"$tmp/watch.err" &
  wpid=$!
  bgpids+=($wpid)
}
lag_watch_check() { # lag_watch_check ROW: every total printed 1200, the last line too
  sleep 1.5
  kill "$wpid" 2>/dev/null
  wait "$wpid" 2>/dev/null
  grep -q 'total-lag' "$tmp/watch.out" || fail "$1: lag --watch printed no total: $(head -3 "$tmp/watch.out")"
  if grep -v " $G error: " "$tmp/watch.out" | grep -Ev "^[0-9T:.-]+Z $G total-lag 1200( \(\+0\))?$" | grep -q .; then
    fail "$1: lag --watch printed $(grep -v " $G error: " "$tmp/watch.out" | grep -v 'total-lag 1200' | head -2)"
  fi
  tail -1 "$tmp/watch.out" | grep -q " $G total-lag 1200" || fail "$1: lag --watch ended on: $(tail -1 "$tmp/watch.out")"
}

# ---- one row's stream: consumer and producer side by side, the fault in the feed ----
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) print "k" i ":v-" i }' >"$tmp/input"
split -n l/30 -d -a 2 "$tmp/input" "$tmp/chunk."
[ "$(ls "$tmp"/chunk.* | wc -l)" = 30 ] || fail "splitting the input"
# feed ACTION: the chunks 0.3 s apart; ACTION (a function; its output in action.log, its
# status in action.rc) starts after chunk 3 and runs beside them, and says when the fault is
# in effect (fault_on): chunks 16-25 wait for that (at most 180 s), 26-30 for its end
fault_on() { touch "$tmp/fault.on"; }
feed() {
  local i=0 c ap="" w
  for c in "$tmp"/chunk.*; do
    i=$((i + 1))
    if [ $i -eq 16 ]; then
      for w in $(seq 1800); do { [ -e "$tmp/fault.on" ] || [ -e "$tmp/action.rc" ]; } && break; sleep 0.1; done
    fi
    [ $i -eq 26 ] && wait "$ap"
    sed "s/:v-/:$row-/" "$c"
    sleep 0.3
    if [ $i -eq 3 ]; then
      ( rc=0; "$1" >"$tmp/action.log" 2>&1 || rc=$?; echo $rc >"$tmp/action.rc" ) &
      ap=$!
    fi
  done
}
# stream ROW TOPIC ACTION [producer -X ...]: run it; the producer's -v summary in p-ROW.err,
# its --dump in p-ROW.dump, the consumer's lines in c-ROW.out and --stats in c-ROW.err
stream() {
  row=$1
  local t=$2 action=$3 cp rc=0 crc=0
  shift 3
  rm -f "$tmp/action.rc" "$tmp/action.log" "$tmp/fault.on"
  lag_watch_start
  timeout 900 "$kw" -b "$KAFKA" -X request.timeout.ms=10000 consume -t "$t" -o beginning -c $N -f '%p %o %s\n' \
    --stats >"$tmp/c-$row.out" 2>"$tmp/c-$row.err" &
  cp=$!
  bgpids+=($cp)
  feed "$action" | timeout 900 "$kw" -b "$KAFKA" -X enable.idempotence=true -X acks=all -X linger.ms=5 \
    -X delivery.timeout.ms=800000 "$@" -v --dump-file "$tmp/p-$row.dump" produce -t "$t" -K : 2>"$tmp/p-$row.err" || rc=$?
  [ -f "$tmp/action.rc" ] || fail "$row: the fault's steps did not finish"
  [ -f "$tmp/fault.on" ] || fail "$row: the fault was never in effect: $(tail -3 "$tmp/action.log")"
  [ "$(cat "$tmp/action.rc")" = 0 ] || fail "$row: the fault's steps failed: $(tail -3 "$tmp/action.log")"
  [ $rc = 0 ] || fail "$row: produce exit $rc"
  grep -q "^kwire produce: $N records sent, 0 failed" "$tmp/p-$row.err" ||
    fail "$row: produce: $(grep 'records sent' "$tmp/p-$row.err")"
  wait "$cp" || crc=$?
  [ $crc = 0 ] || fail "$row: consume exit $crc"
  lag_watch_check "$row"
  echo "$row $t" >>"$tmp/rows"
}
followed() { # the consumer met the fault: it looked a partition's leader up and found another
  grep -Eq 'leader changes [1-9]' "$tmp/c-$1.err" ||
    fail "$1: the consumer met no leader change ($(grep -o 'errors [0-9]*), .*leader changes [0-9]*' "$tmp/c-$1.err"))"
}
retried() { # the producer met the fault: it retried records
  grep -Eq 'retried records [1-9]' "$tmp/p-$1.err" ||
    fail "$1: the producer retried nothing ($(grep -o 'retried records [0-9]*' "$tmp/p-$1.err"))"
}
# Produce responses of the dump carrying error CODE
produce_errors() {
  awk -v code="$2" '/^== / { inr = index($0, "response  Produce v") > 0 }
    inr && $0 ~ ("error_code +int16 +" code "( |$)") { n++ } END { print n + 0 }' "$1"
}
mkdir "$tmp/trows"
trow() { local k=$1; shift; printf '| %s | %s | %s | %s | %s |\n' "$@" >"$tmp/trows/$k"; }
P_OK="$N delivered once, order kept"
C_OK="$N handed out once, no gap, as the Java consumer read them"
L_OK="1200 right before and after (400/300/500 = log-end - committed); \`--watch\` through it: every total 1200"

# 1. SIGKILL of partition 0's leader mid-stream
lag_exact "before row 1"
new_topic T1 kf-r1
K1=$(leader_of "$T1" 0)
[ -n "$K1" ] && [ "$K1" -ge 1 ] || fail "row 1: no leader for partition 0 of $T1"
act1() { node_down "$K1" KILL || return 1; fault_on; wait_moved "$T1" 0 "$K1"; }
stream r1 "$T1" act1
followed r1
retried r1
lag_exact "after row 1 (node $K1 down)"
node_up "$K1" || fail "row 1: node $K1 did not start again"
wait_isr
lag_exact "after row 1"
trow 1 "partition leader killed mid-stream" "\`kafka.sh stop-node DIR K KILL\` (SIGKILL) on partition 0's leader; started again after the run" \
  "$P_OK; records retried until the controller fenced the node and moved its partitions" "$C_OK; followed the new leader" "$L_OK"
secs; echo "  ok   partition leader killed ($dt s)"

# 2. SIGKILL of the active controller
new_topic T2 kf-r2
K2=$(quorum_leader)
[ -n "$K2" ] && [ "$K2" -ge 1 ] || fail "row 2: metadata-quorum named no leader ($(tail -2 "$tmp/quorum.err"))"
meta "$T2" | grep -q "leader $K2," || fail "row 2: controller $K2 leads no partition of $T2"
P2=$(meta "$T2" | sed -n "s/^ *partition \([0-9]\), leader $K2,.*/\1/p" | head -1)
lag_exact "before row 2"
act2() { node_down "$K2" KILL || return 1; fault_on; wait_moved "$T2" "$P2" "$K2"; }
stream r2 "$T2" act2
followed r2
retried r2
lag_exact "after row 2 (node $K2 down)"
K2b=$(quorum_leader)
[ -n "$K2b" ] && [ "$K2b" -ge 1 ] && [ "$K2b" != "$K2" ] || fail "row 2: quorum leader after the kill: '${K2b}' (killed $K2)"
node_up "$K2" || fail "row 2: node $K2 did not start again"
wait_isr
lag_exact "after row 2"
trow 2 "active controller killed mid-stream" "\`stop-node DIR K KILL\` on the LeaderId of \`metadata-quorum describe --status\` (a combined node: a partition leader too; another node leads the quorum after); started again after the run" \
  "$P_OK; records retried until the new controller moved the node's partitions" "$C_OK; followed the new leader" "$L_OK"
secs; echo "  ok   active controller killed ($dt s)"

# 3. clean restart of a node; its topic and row 4's created now, while every node runs
new_topic T3 kf-r3
new_topic T4 kf-r4
K3=$(leader_of "$T4" 0)
[ "$K3" = "$(preferred_of "$T4" 0)" ] || fail "row 3: partition 0 of $T4 not led by its preferred replica"
meta "$T3" | grep -q "leader $K3," || fail "row 3: node $K3 leads no partition of $T3"
P3=$(meta "$T3" | sed -n "s/^ *partition \([0-9]\), leader $K3,.*/\1/p" | head -1)
lag_exact "before row 3"
act3() { node_down "$K3" TERM || return 1; fault_on; node_up "$K3"; }
stream r3 "$T3" act3
followed r3
retried r3
[ "$(leader_of "$T3" "$P3")" != "$K3" ] || fail "row 3: partition $P3 of $T3 still led by $K3 after its restart"
wait_isr
lag_exact "after row 3"
trow 3 "clean broker restart mid-stream" "\`stop-node DIR K\` (SIGTERM: controlled shutdown) then \`start-node DIR K\` on a partition leader" \
  "$P_OK; records retried on the new leader" "$C_OK; followed the new leader" "$L_OK"
secs; echo "  ok   clean broker restart ($dt s)"

# 4. leadership moved back to the preferred replicas by Kafka's leader-election tool
L4=$(leader_of "$T4" 0)
[ -n "$L4" ] && [ "$L4" != "$K3" ] || fail "row 4: partition 0 of $T4 is led by its preferred replica $K3 already"
lag_exact "before row 4"
act4() {
  timeout 120 "$kafka_sh" tool "$KAFKA_DIR" leader-election --bootstrap-server "$KAFKA" \
    --election-type PREFERRED --all-topic-partitions || return 1
  fault_on
}
stream r4 "$T4" act4
retried r4
[ "$(leader_of "$T4" 0)" = "$K3" ] || fail "row 4: partition 0 of $T4 led by $(leader_of "$T4" 0), not its preferred replica $K3"
grep -q "Successfully completed leader election (PREFERRED)" "$tmp/action.log" ||
  fail "row 4: leader-election said: $(tail -2 "$tmp/action.log")"
wait_isr
lag_exact "after row 4"
trow 4 "leadership moved by Kafka's tool mid-stream" "after row 3 the restarted node is not the leader where it is the preferred replica; \`leader-election --election-type PREFERRED --all-topic-partitions\`" \
  "$P_OK; records retried on the new leader" "$C_OK; went on fetching from the old leader, now a follower (Kafka serves Fetch v11+ from any replica, up to its high watermark)" "$L_OK"
secs; echo "  ok   leader election ($dt s)"

# 5. two of three nodes stopped: NOT_ENOUGH_REPLICAS until they are back
new_topic T5 kf-r5
new_topic T5b kf-r5-timeout
A5=$(leader_of "$T5" 0); B5=$(leader_of "$T5" 1); C5=$(leader_of "$T5" 2)
[ -n "$A5" ] && [ -n "$B5" ] && [ -n "$C5" ] && [ "$A5" != "$B5" ] && [ "$B5" != "$C5" ] && [ "$A5" != "$C5" ] ||
  fail "row 5: partitions of $T5 not led one per node ($A5 $B5 $C5)"
lag_exact "before row 5"
act5() {
  local i rc=0
  node_down "$A5" TERM || return 1
  node_down "$B5" TERM || return 1
  # the survivor is the only in-sync replica of every partition
  for i in $(seq 60); do [ "$(meta "$T5" | grep -c "isr \[$C5\]")" = 3 ] && break; sleep 0.5; done
  meta "$T5" | grep partition
  [ "$(meta "$T5" | grep -c "isr \[$C5\]")" = 3 ] || { echo "the in-sync replicas are not [$C5] alone"; return 1; }
  fault_on
  for i in $(seq 120); do
    [ "$(produce_errors "$tmp/p-r5.dump" 19)" -ge 1 ] && break
    sleep 0.5
  done
  [ "$(produce_errors "$tmp/p-r5.dump" 19)" -ge 1 ] || { echo "no NOT_ENOUGH_REPLICAS answer within 60 s"; return 1; }
  # a producer that gives up: delivery.timeout.ms over before the brokers come back
  awk 'BEGIN { for (i = 1; i <= 100; i++) print "k" i ":t-" i }' |
    timeout 60 "$kw" -b "$KAFKA" -X enable.idempotence=false -X acks=all -X delivery.timeout.ms=3000 \
      -X request.timeout.ms=2000 -X linger.ms=0 produce -t "$T5b" -K : 2>"$tmp/p-r5b.txt" || rc=$?
  cat "$tmp/p-r5b.txt"
  [ $rc = 1 ] || { echo "the giving-up producer: exit $rc, expected 1"; return 1; }
  grep -q "^kwire produce: 0 records sent, 100 failed" "$tmp/p-r5b.txt" || { echo "the giving-up producer's summary"; return 1; }
  grep -q "KW_ERR_MSG_TIMED_OUT.*NOT_ENOUGH_REPLICAS" "$tmp/p-r5b.txt" ||
    { echo "the giving-up producer's failures not reported as the timeout after NOT_ENOUGH_REPLICAS"; return 1; }
  node_up "$B5" || return 1
  node_up "$A5"
}
stream r5 "$T5" act5
followed r5
nner=$(produce_errors "$tmp/p-r5.dump" 19)
[ "$nner" -ge 1 ] || fail "row 5: no NOT_ENOUGH_REPLICAS answer in the producer's dump"
wait_isr
lag_exact "after row 5"
trow 5 "two of three brokers stopped mid-stream" "\`stop-node DIR K\` (SIGTERM) on two nodes: the third alone in sync (below min.insync.replicas=2) and the quorum lost; both started again once the producer was refused" \
  "$P_OK: NOT_ENOUGH_REPLICAS answers retried until the nodes were back; a second producer with delivery.timeout.ms=3000 meanwhile: 100 reported failed (KW_ERR_MSG_TIMED_OUT after NOT_ENOUGH_REPLICAS), exit 1, nothing stored" \
  "$C_OK; followed the leaders to the survivor and waited there while nothing was acknowledged" "$L_OK"
secs; echo "  ok   two of three brokers stopped ($dt s)"

# ---- what was stored: Kafka's own tools read every row's topic ----
timeout 120 "$kafka_sh" tool "$KAFKA_DIR" get-offsets --bootstrap-server "$KAFKA" \
  --topic-partitions "kf-r.*-$$" >"$tmp/leo.txt" 2>"$tmp/leo.err" || fail "get-offsets: exit $?"
total=$(awk -F: -v t="$T5b" '$1 != t { s += $3 } END { print s + 0 }' "$tmp/leo.txt")
[ "$total" -ge $((5 * N)) ] || fail "the log-end offsets sum to $total, expected $((5 * N)): $(cat "$tmp/leo.txt")"
timeout 180 "$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$KAFKA" \
  --include "kf-r[0-9]-$$" --from-beginning --max-messages "$total" --timeout-ms 30000 \
  --formatter-property print.partition=true --formatter-property print.offset=true \
  >"$tmp/java.txt" 2>"$tmp/java.err"
[ "$(wc -l <"$tmp/java.txt")" -ge "$total" ] ||
  fail "the Java console consumer read $(wc -l <"$tmp/java.txt") of $total records: $(tail -3 "$tmp/java.err")"
python3 - "$tmp" "$N" <<'EOF' >"$tmp/check.out" || fail "read back: $(head -5 "$tmp/check.out")"
# java.txt: "Partition:P\tOffset:O\tVALUE" (VALUE "rK-i"); leo.txt: "topic:partition:offset";
# rows: "rK topic". Per row: every rK-1..rK-N once, increasing per partition, offsets 0..
# consecutive, as many records per partition as its log-end offset; kwire's consumer
# (c-rK.out: "P O VALUE") handed out exactly the same (partition, offset, value) list.
import sys, collections
tmp, n = sys.argv[1], int(sys.argv[2])
rows = dict(l.split() for l in open(tmp + "/rows"))
leo = collections.Counter()
for l in open(tmp + "/leo.txt"):
    t, p, o = l.strip().rsplit(":", 2); leo[(t, int(p))] = int(o)
java = collections.defaultdict(list)
for l in open(tmp + "/java.txt"):
    p, o, v = l.rstrip("\n").split("\t", 2)
    java[v.split("-")[0]].append((int(p.split(":")[1]), int(o.split(":")[1]), v))
bad = []
for r, t in sorted(rows.items()):
    recs = java.get(r, [])
    per = collections.defaultdict(list)
    for p, o, v in recs: per[p].append((o, int(v.split("-")[1])))
    vals = [i for p in per for o, i in per[p]]
    dup = [i for i, c in collections.Counter(vals).items() if c > 1]
    if dup: bad.append("%s: %d records stored twice (e.g. %s-%d)" % (r, len(dup), r, dup[0]))
    if set(vals) != set(range(1, n + 1)): bad.append("%s: %d distinct of %d stored" % (r, len(set(vals)), n))
    for p, l in sorted(per.items()):
        if [o for o, i in l] != list(range(len(l))): bad.append("%s: partition %d offsets not 0..%d" % (r, p, len(l) - 1))
        if [i for o, i in l] != sorted(i for o, i in l): bad.append("%s: partition %d out of order" % (r, p))
        if leo[(t, p)] != len(l): bad.append("%s: partition %d log-end %d, %d records read" % (r, p, leo[(t, p)], len(l)))
    if sum(v for (tt, p), v in leo.items() if tt == t) != n: bad.append("%s: log-end offsets sum to %d" % (r, sum(v for (tt, p), v in leo.items() if tt == t)))
    kw = []
    for l in open(tmp + "/c-%s.out" % r):
        p, o, v = l.rstrip("\n").split(" ", 2); kw.append((int(p), int(o), v))
    if len(kw) != len(set(kw)): bad.append("%s: kwire consume handed some record out twice" % r)
    if sorted(kw) != sorted(recs): bad.append("%s: kwire consume handed out %d records, not the %d stored" % (r, len(kw), len(recs)))
    kp = collections.defaultdict(list)
    for p, o, v in kw: kp[p].append(o)
    for p, os in kp.items():
        if os != list(range(len(os))): bad.append("%s: kwire consume's offsets of partition %d not consecutive" % (r, p))
print("\n".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
EOF
# the giving-up producer of row 5 stored nothing
[ "$(grep -c "^$T5b:" "$tmp/leo.txt")" = 3 ] || fail "get-offsets did not list $T5b's 3 partitions"
[ "$(awk -F: -v t="$T5b" '$1 == t { s += $3 } END { print s + 0 }' "$tmp/leo.txt")" = 0 ] ||
  fail "row 5: the giving-up producer stored records: $(grep "^$T5b:" "$tmp/leo.txt")"

table=$tmp/table.md
{
  printf '| fault | injected how | producer | consumer | lag |\n|---|---|---|---|---|\n'
  for f in $(ls "$tmp/trows" | sort); do cat "$tmp/trows/$f"; done
  echo
  echo "Each row: a new topic (3 partitions, replication factor 3, min.insync.replicas=2, one partition led by each"
  echo "node); \`kwire produce\` (idempotent, acks=all) fed $N keyed records through a pipe in 30 chunks 0.3 s apart,"
  echo "the fault started after the third; \`kwire consume -o beginning\` read the topic meanwhile. Checked after: the"
  echo "whole topic read by Kafka's Java console consumer and its log-end offsets (get-offsets): every record once,"
  echo "in order per partition, offsets without a gap; kwire's consumer handed out exactly those records. Lag: a group"
  echo "with committed offsets 600/700/500 on a topic of 1000 records per partition. Automatic leader rebalancing is"
  echo "off (row 4's tool does it); everything else is Kafka's default (broker.session.timeout.ms 9 s: a killed node's"
  echo "partitions move after it)."
} >"$table"
scripts/readme-block.sh kafka-faults "$table" || fail "docs/RELIABILITY.md's kafka-faults table differs from this run"
echo "integ_kafka_faults: ok ($(( $(date +%s) - start )) s)"
