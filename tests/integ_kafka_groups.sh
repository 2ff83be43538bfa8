#!/usr/bin/env bash
# tests/integ_kafka_groups.sh — kwire as a consumer-group member on real Apache Kafka
# 4.4.0, a 3-node cluster of its own (tests/lib_kafka.sh kafka_own: brokers are
# restarted here), with both group protocols: classic (JoinGroup/SyncGroup, kwire's
# client-side range assignor) and consumer (KIP-848 heartbeats, the broker's assignor).
# The brokers hold consumer-protocol members to a 6 s session and 1 s heartbeats;
# kwire's classic members ask the same (session.timeout.ms=6000, heartbeat 1 s), and
# commit every 500 ms (enable.auto.commit). For each protocol:
#   1. three kwire consumers in one group on a 6-partition topic get 2 partitions each
#      (kwire groups --json: 3 members, disjoint, all 6 covered); records are produced
#      throughout; one member is SIGKILLed: its partitions move to the other two (the
#      time it took is printed, not asserted); every acknowledged record is handed out;
#      a record handed out twice is only one the killed member printed at or after its
#      last commit of that partition (read right after the kill), and there are at most
#      as many as it printed there (counted and printed).
#   2. Kafka's Java console consumer and two kwire consumers in one group share the
#      partitions with no overlap (2 each); a rolling restart of the three brokers (TERM,
#      start again, one at a time) while records are produced does not stop consumption:
#      every acknowledged record is handed out by one of the three (duplicates counted).
#   3. static membership (group.instance.id): a member stopped and started again within
#      the session timeout gets the same partitions and the others see no rebalance (no
#      assignment change in their -v lines; classic: the restarted member's --dump shows
#      JoinGroup answered with the generation it had; consumer, with the broker's range
#      assignor (group.remote.assignor): the group epoch stays).
# Then the labs' M6 end to end: the group's kwire consumer stopped, 150 records produced,
# `kwire lag --watch 1 --threshold 100` prints its WARNING line and exits 3 when
# interrupted; `kwire lag --json` shows the lag's age in seconds and no member; the
# consumer started again, the lag falls to 0 (0 s, one member).
# Every process started here is stopped by PID; every wait is bounded.
set -u
cd "$(dirname "$0")/.."
kwire=${KWIRE:-bin/kwire}
py=/usr/bin/python3
[ -x "$kwire" ] || make -s "$kwire" >/dev/null || { echo "integ_kafka_groups: cannot build $kwire"; exit 1; }
tmp=$(mktemp -d /tmp/kwire-integ-kgroups.XXXXXX)
integ_name=integ_kafka_groups
. tests/lib_integ.sh
. tests/lib_kafka.sh
kpids=()
cleanup() {
  local p
  for p in "${kpids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${kpids[@]}"; do wait "$p" 2>/dev/null; done
}
at_exit cleanup
now() { date +%s.%N; }

echo "integ_kafka_groups:"
kafka_own "$tmp/k" --brokers 3 --set group.consumer.session.timeout.ms=6000 \
  --set group.consumer.min.session.timeout.ms=6000 --set group.consumer.heartbeat.interval.ms=1000 \
  --set group.consumer.min.heartbeat.interval.ms=1000
B=$KAFKA
GX=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000 -X auto.commit.interval.ms=500)

# start_consumer NAME PROTOCOL GROUP TOPIC [global options...]: a kwire member printing
# "partition offset value" lines; its PID in pid_NAME
start_consumer() {
  local n=$1 p=$2 g=$3 t=$4
  shift 4
  "$kwire" -b "$B" -X group.protocol="$p" "${GX[@]}" "$@" consume -t "$t" -g "$g" -v -f '%p %o %s\n' \
    >"$tmp/$n.out" 2>"$tmp/$n.err" &
  kpids+=($!)
  eval "pid_$n=$!"
}

# producer TOPIC NAME: batches of 100 numbered values (NAME-i) until tmp/NAME.stop
# exists; acknowledged values appended to tmp/NAME.acked, batches that failed (a broker
# restarting) to tmp/NAME.maybe
producer() {
  local t=$1 n=$2 i=0
  while [ ! -e "$tmp/$n.stop" ]; do
    seq $((i + 1)) $((i + 100)) | sed "s/^/$n-/" >"$tmp/$n.batch"
    if "$kwire" -q -b "$B" -X partitioner=round_robin -X acks=all produce -t "$t" "$tmp/$n.batch" \
      2>>"$tmp/$n.perr"; then
      cat "$tmp/$n.batch" >>"$tmp/$n.acked"
    else
      cat "$tmp/$n.batch" >>"$tmp/$n.maybe"
    fi
    i=$((i + 100))
    sleep 0.1
  done
}
start_producer() { # TOPIC NAME; PID in prod_pid
  : >"$tmp/$2.acked"; : >"$tmp/$2.maybe"
  producer "$1" "$2" &
  prod_pid=$!
  kpids+=($prod_pid)
}
stop_producer() { # NAME
  touch "$tmp/$1.stop"
  wait "$prod_pid" 2>/dev/null
}

# shape GROUP: "members sizes disjoint covered" from kwire's description of the group,
# e.g. "3 2,2,2 yes 6"
shape() {
  "$kwire" -b "$B" --json groups "$1" 2>/dev/null | $py -c '
import json, sys
try:
    g = json.load(sys.stdin)["groups"][0]
except Exception:
    print("none"); sys.exit(0)
ms = g.get("members") or []
sets = [set((a["topic"], a["partition"]) for a in (m["assignment"] or [])) for m in ms]
allp = [p for s in sets for p in s]
print(len(ms), ",".join(str(len(s)) for s in sorted(sets, key=len)), "yes" if len(allp) == len(set(allp)) else "no",
      len(set(allp)))'
}
wait_shape() { # GROUP WANT SECONDS: 0 once the shape is WANT; the last one seen in last_shape
  local i
  for i in $(seq $(($3 * 5))); do
    last_shape=$(shape "$1")
    [ "$last_shape" = "$2" ] && return 0
    sleep 0.2
  done
  return 1
}
# owned ERRFILE: the partitions a member owns, folded from its -v lines
owned() {
  $py - "$1" <<'EOF'
import re, sys
own = set()
for line in open(sys.argv[1]):
    m = re.match(r"kwire consume: group \S+: (assigned|revoked|lost)(.*) \(generation", line)
    if not m:
        continue
    parts = set(int(p.rsplit("-", 1)[1]) for p in m.group(2).split() if p != "(none)")
    own = own | parts if m.group(1) == "assigned" else own - parts
print(" ".join(str(p) for p in sorted(own)))
EOF
}
# caught_up GROUP MIN: the group's lag is 0 and its committed offsets add up to at least
# MIN (a group that has committed nothing has no lag either)
caught_up() {
  "$kwire" -b "$B" --json lag -g "$1" 2>/dev/null | $py -c 'import json,sys
try:
    d = json.load(sys.stdin)
    c = sum(p["current_offset"] or 0 for g in d["groups"] for t in g["topics"] for p in t["partitions"])
    sys.exit(0 if d["total_lag"] == 0 and c >= int(sys.argv[1]) else 1)
except Exception:
    sys.exit(1)' "$2"
}
wait_caught_up() { # GROUP MIN SECONDS
  local i
  for i in $(seq $(($3 * 2))); do
    caught_up "$1" "$2" && return 0
    sleep 0.5
  done
  return 1
}

# ---- 1. three members, one SIGKILLed ----
kill_test() {
  local P=$1 T G t0 t1 i moved=""
  T=$(kafka_topic "kill-$P" 6 3)
  G=kill-$P-$$
  for i in 1 2 3; do start_consumer "k$P$i" "$P" "$G" "$T"; sleep 0.3; done
  wait_shape "$G" "3 2,2,2 yes 6" 60
  check "$P: 3 kwire members get 2 partitions each, disjoint (members, sizes, disjoint, covered: $last_shape)" [ $? = 0 ]
  start_producer "$T" "kill$P"
  sleep 4
  local victim_parts
  victim_parts=$(owned "$tmp/k${P}3.err")
  { kill -KILL "$(eval echo "\$pid_k${P}3")" && wait "$(eval echo "\$pid_k${P}3")"; } 2>/dev/null
  t0=$(now)
  "$kwire" -b "$B" --json lag -g "$G" >"$tmp/kill$P.commits" 2>&1
  # the survivors' own -v lines say when they have all 6 (the coordinator drops a member
  # session.timeout.ms after its last heartbeat, then the survivors rebalance)
  for i in $(seq 600); do
    if [ "$( { owned "$tmp/k${P}1.err"; owned "$tmp/k${P}2.err"; } | tr ' ' '\n' | grep -c .)" = 6 ]; then
      t1=$(now); moved=$(printf '%.1f' "$(echo "$t1 - $t0" | bc)"); break
    fi
    sleep 0.1
  done
  wait_shape "$G" "2 3,3 yes 6" 30
  check "$P: the killed member's partitions ($victim_parts) moved to the other two${moved:+ ${moved} s after the kill} (session timeout 6 s; now $last_shape)" \
    [ -n "$moved" ] && [ "$last_shape" = "2 3,3 yes 6" ]
  sleep 3
  stop_producer "kill$P"
  check "$P: the survivors catch up (lag 0, every acknowledged record committed)" \
    wait_caught_up "$G" "$(grep -c . "$tmp/kill$P.acked")" 60
  kill -TERM "$(eval echo "\$pid_k${P}1")" "$(eval echo "\$pid_k${P}2")"
  wait "$(eval echo "\$pid_k${P}1")" "$(eval echo "\$pid_k${P}2")" 2>/dev/null
  local res
  res=$($py - "$tmp" "kill$P" "$P" "$victim_parts" <<'EOF'
import json, sys
tmp, name, P, victim = sys.argv[1], sys.argv[2], sys.argv[3], set(int(x) for x in sys.argv[4].split())
acked = set(open(f"{tmp}/{name}.acked").read().split())
maybe = set(open(f"{tmp}/{name}.maybe").read().split())
committed = {}
try:
    d = json.load(open(f"{tmp}/{name}.commits"))
    for t in d["groups"][0]["topics"]:
        for p in t["partitions"]:
            committed[p["partition"]] = p["current_offset"] if p["current_offset"] is not None else 0
except Exception as e:
    print("no commits read at the kill:", e); sys.exit(1)
seen = {}  # value -> [(who, partition, offset)]
for who in ("1", "2", "3"):
    for line in open(f"{tmp}/k{P}{who}.out"):
        f = line.split()
        if len(f) == 3:
            seen.setdefault(f[2], []).append((who, int(f[0]), int(f[1])))
missing = acked - set(seen)
stray = set(seen) - acked - maybe
# what the killed member printed at or after its last commit, per partition
after = [(p, o) for v, occ in seen.items() for who, p, o in occ if who == "3" and o >= committed.get(p, 0)]
dups = {v: occ for v, occ in seen.items() if len(occ) > 1}
bad = []
for v, occ in dups.items():
    whos = sorted(w for w, _, _ in occ)
    p, o = occ[0][1], occ[0][2]
    if len(occ) != 2 or "3" not in whos or p not in victim or o < committed.get(p, 0):
        bad.append((v, occ))
print(f"produced {len(acked)} acked, handed out {sum(len(o) for o in seen.values())}, missing {len(missing)}, "
      f"stray {len(stray)}, duplicates {len(dups)} (killed member printed {len(after)} at or after its last commits "
      f"{dict(sorted((p, committed.get(p)) for p in victim))}), unexplained duplicates {len(bad)}")
sys.exit(0 if not missing and not stray and not bad and len(dups) <= len(after) else 1)
EOF
  )
  check "$P: every record handed out; duplicates only from the killed member's last commit on: $res" [ $? = 0 ]
}

# ---- 2. with Kafka's Java consumer, through a rolling restart ----
java_test() {
  local P=$1 T G i
  T=$(kafka_topic "java-$P" 6 3)
  G=java-$P-$$
  kjava_bg console-consumer --bootstrap-server "$B" --topic "$T" --group "$G" \
    --consumer-property group.protocol="$P" --consumer-property auto.commit.interval.ms=500 \
    --formatter-property print.partition=true >"$tmp/j$P.out" 2>"$tmp/j$P.err" &
  local jpid=$!
  kpids+=($jpid)
  for i in 1 2; do start_consumer "j$P$i" "$P" "$G" "$T"; sleep 0.3; done
  wait_shape "$G" "3 2,2,2 yes 6" 90
  check "$P: the Java consumer and 2 kwire members share the 6 partitions, 2 each, disjoint ($last_shape)" [ $? = 0 ]
  start_producer "$T" "java$P"
  sleep 2
  for i in 1 2 3; do
    "$kafka_sh" stop-node "$KAFKA_DIR" "$i" >/dev/null 2>&1
    sleep 2
    "$kafka_sh" start-node "$KAFKA_DIR" "$i" >"$tmp/restart$i.out" 2>&1 || cat "$tmp/restart$i.out"
  done
  sleep 3
  stop_producer "java$P"
  check "$P: consumption goes on through the rolling restart (lag 0, every acknowledged record committed)" \
    wait_caught_up "$G" "$(grep -c . "$tmp/java$P.acked")" 120
  kill -TERM "$(eval echo "\$pid_j${P}1")" "$(eval echo "\$pid_j${P}2")"
  stop_pid "$jpid" # the JVM itself (kjava_bg): TERM, then KILL after 5 s
  wait "$(eval echo "\$pid_j${P}1")" "$(eval echo "\$pid_j${P}2")" 2>/dev/null
  local res
  res=$($py - "$tmp" "java$P" "$P" <<'EOF'
import sys
tmp, name, P = sys.argv[1:4]
acked = set(open(f"{tmp}/{name}.acked").read().split())
seen = {}
for who in ("1", "2"):
    for line in open(f"{tmp}/j{P}{who}.out"):
        f = line.split()
        if len(f) == 3:
            seen.setdefault(f[2], []).append("kwire" + who)
java = 0
for line in open(f"{tmp}/j{P}.out"):
    v = line.rstrip("\n").split("\t")[-1]
    if v.startswith(name + "-"):
        seen.setdefault(v, []).append("java")
        java += 1
missing = acked - set(seen)
dups = sum(1 for o in seen.values() if len(o) > 1)
print(f"produced {len(acked)} acked, Java handed out {java}, kwire {sum(len(o) for o in seen.values()) - java}, "
      f"missing {len(missing)}, duplicates {dups}")
sys.exit(0 if not missing and java > 0 else 1)
EOF
  )
  check "$P: every record handed out by the Java consumer or kwire: $res" [ $? = 0 ]
}

# ---- 3. static membership ----
static_test() {
  local P=$1 T G i before after gen0 epoch0 epoch1
  T=$(kafka_topic "static-$P" 6 3)
  G=static-$P-$$
  local ra=()
  [ "$P" = consumer ] && ra=(-X group.remote.assignor=range)
  for i in 1 2 3; do start_consumer "s$P$i" "$P" "$G" "$T" -X group.instance.id="inst-$i" "${ra[@]}"; sleep 0.3; done
  wait_shape "$G" "3 2,2,2 yes 6" 60
  check "$P static: 3 members, 2 partitions each ($last_shape)" [ $? = 0 ]
  sleep 2
  before=$(owned "$tmp/s${P}2.err")
  local n1 n3
  n1=$(grep -c "kwire consume: group" "$tmp/s${P}1.err")
  n3=$(grep -c "kwire consume: group" "$tmp/s${P}3.err")
  gen0=$(grep "kwire consume: group" "$tmp/s${P}2.err" | tail -1 | sed -n 's/.*(generation \([0-9]*\),.*/\1/p')
  epoch0=$("$kwire" -b "$B" --json groups "$G" 2>/dev/null | $py -c 'import json,sys; print(json.load(sys.stdin)["groups"][0].get("group_epoch"))')
  kill -TERM "$(eval echo "\$pid_s${P}2")"
  wait "$(eval echo "\$pid_s${P}2")" 2>/dev/null
  start_consumer "s${P}2b" "$P" "$G" "$T" -X group.instance.id=inst-2 "${ra[@]}" --dump-file "$tmp/s${P}2b.dump" --dump
  for i in $(seq 100); do grep -q "assigned" "$tmp/s${P}2b.err" && break; sleep 0.2; done
  sleep 3
  after=$(owned "$tmp/s${P}2b.err")
  check "$P static: the restarted member has its partitions back ($before -> $after)" [ -n "$before" ] && [ "$before" = "$after" ]
  check "$P static: the other members saw no rebalance" \
    [ "$(grep -c "kwire consume: group" "$tmp/s${P}1.err")" = "$n1" ] && [ "$(grep -c "kwire consume: group" "$tmp/s${P}3.err")" = "$n3" ]
  if [ "$P" = classic ]; then
    local jg
    jg=$(awk '/response  JoinGroup/ {f = 1} f && /generation_id/ {print $NF; exit}' "$tmp/s${P}2b.dump")
    check "$P static: the restart's JoinGroup answered with the generation it had ($gen0, --dump shows $jg)" \
      [ -n "$gen0" ] && [ "$jg" = "$gen0" ]
    check "$P static: the restart's --dump holds one JoinGroup and one SyncGroup" \
      [ "$(grep -c 'request  JoinGroup' "$tmp/s${P}2b.dump")" = 1 ] && [ "$(grep -c 'request  SyncGroup' "$tmp/s${P}2b.dump")" = 1 ]
  else
    epoch1=$("$kwire" -b "$B" --json groups "$G" 2>/dev/null | $py -c 'import json,sys; print(json.load(sys.stdin)["groups"][0].get("group_epoch"))')
    check "$P static: the group epoch stayed ($epoch0 -> $epoch1)" [ "$epoch0" = "$epoch1" ]
    check "$P static: the broker's range assignor (group.remote.assignor) assigned them" \
      grep -q "assignor range" <("$kwire" -b "$B" groups "$G" 2>/dev/null)
  fi
  for i in 1 3 2b; do kill -TERM "$(eval echo "\$pid_s${P}$i")" 2>/dev/null; done
  for i in 1 3 2b; do wait "$(eval echo "\$pid_s${P}$i")" 2>/dev/null; done
}

for P in classic consumer; do
  kill_test "$P"
  java_test "$P"
  static_test "$P"
done

# ---- the labs' M6 ----
T=$(kafka_topic m6 3 3)
G=test-group-$$
seq 1 50 | "$kwire" -q -b "$B" produce -t "$T" || fail "producing for M6"
start_consumer m6a classic "$G" "$T" -X auto.offset.reset=earliest
check "M6: the consumer reads the first 50 (lag 0, 50 committed)" wait_caught_up "$G" 50 60
kill -TERM "$pid_m6a"; wait "$pid_m6a" 2>/dev/null
seq 1 150 | "$kwire" -q -b "$B" produce -t "$T" || fail "producing for M6"
"$kwire" -q -b "$B" lag -g "$G" --watch 1 --threshold 100 >"$tmp/m6.watch" 2>&1 &
wpid=$!
kpids+=($wpid)
for _ in $(seq 60); do grep -q WARNING "$tmp/m6.watch" && break; sleep 0.5; done
kill -INT "$wpid"; wait "$wpid"; wrc=$?
# lag in time: the record at the committed offset is as old as the stop; nobody is in the group
"$kwire" -b "$B" --json lag -g "$G" >"$tmp/m6.json" 2>/dev/null
m6=$($py -c 'import json,sys
g = json.load(open(sys.argv[1]))["groups"][0]
print(g["member_count"], g["lag"], g["lag_seconds_max"])' "$tmp/m6.json" 2>&1)
check "M6: lag 150 with its age in seconds, 0 members (member_count lag lag_seconds_max: $m6)" \
  $py -c 'import sys; m, l, s = sys.argv[1].split(); sys.exit(0 if m == "0" and l == "150" and float(s) > 0 else 1)' "$m6"
check "M6: lag --watch warns at 150 >= 100" grep -Eq "WARNING $G total-lag 150 >= threshold 100" "$tmp/m6.watch"
check "M6: lag --watch interrupted over the threshold exits 3 (got $wrc)" [ "$wrc" = 3 ]
start_consumer m6b classic "$G" "$T"
check "M6: the consumer started again, the lag falls to 0 (200 committed)" wait_caught_up "$G" 200 60
"$kwire" -b "$B" --json lag -g "$G" >"$tmp/m6b.json" 2>/dev/null
m6=$($py -c 'import json,sys
g = json.load(open(sys.argv[1]))["groups"][0]
print(g["member_count"], g["lag"], g["lag_seconds_max"])' "$tmp/m6b.json" 2>&1)
check "M6: caught up: 1 member, lag 0, 0 s (member_count lag lag_seconds_max: $m6)" [ "$m6" = "1 0 0.0" ]
check "M6: it read the 150 records produced while it was stopped" \
  [ "$(grep -c . "$tmp/m6b.out")" = 150 ]
kill -TERM "$pid_m6b"; wait "$pid_m6b" 2>/dev/null

echo "integ_kafka_groups: $fails failure(s)"
[ "$fails" = 0 ]
