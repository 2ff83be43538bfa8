#!/usr/bin/env bash
# tests/integ_groups.sh — `kwire groups` and `kwire groups GROUP` against the scripted
# two-broker cluster of tests/tool_groups_broker.c (librdkafka's embedded broker has no
# ListGroups / DescribeGroups): the group table merged from both brokers (a group both
# list shown once, as node 1 listed it), --json of it parsed by python3; a broker
# answering COORDINATOR_LOAD_IN_PROGRESS: exit 1, the error named, the other broker's
# groups printed; `groups orders`: state, members, and committed / log-end / lag per
# partition (and its --json); `groups ghost`: exit 1 with GROUP_ID_NOT_FOUND's text.
# Then on real Apache Kafka 4.4.0 (tests/lib_kafka.sh): a group whose member is Kafka's
# Java console consumer: listed (protocol type consumer, Stable), described with its one
# member (client id console-consumer) and lag 0 once it has read and committed the 300
# records produced; after the member stops, Empty with no member and the 300 still
# committed. Every broker and consumer started here is stopped by PID.
set -u
cd "$(dirname "$0")/.."
kwire=${KWIRE:-bin/kwire}
tool=${KW_TOOLS:-build/tests}/tool_groups_broker
py=/usr/bin/python3
for f in "$kwire" "$tool"; do
  [ -x "$f" ] || make -s "$f" >/dev/null || { echo "integ_groups: cannot build $f"; exit 1; }
done
tmp=$(mktemp -d /tmp/kwire-integ-groups.XXXXXX)
integ_name=integ_groups
. tests/lib_integ.sh
. tests/lib_kafka.sh
bpids=()
cleanup() {
  for p in "${bpids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${bpids[@]}"; do wait "$p" 2>/dev/null; done
}
at_exit cleanup
# start_broker OUTFILE [--loading]: sets B to its bootstrap address
start_broker() {
  local out=$1; shift
  "$tool" "$@" >"$out" 2>"$out.err" &
  bpids+=($!)
  B=""
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  B=$(head -1 "$out")
  [ -n "$B" ] || { echo "integ_groups: scripted broker did not start"; exit 1; }
}
same() { diff -u "$1" "$2" >&2; }

echo "integ_groups:"
start_broker "$tmp/b1"
K() { timeout 30 "$kwire" -b "$B" "$@"; }

# the group list: every broker's groups, each once, sorted
K groups >"$tmp/list.out" 2>"$tmp/list.err"
rc=$?
check "groups exits 0 (got $rc)" [ "$rc" = 0 ]
{
  # STATE as wide as CompletingRebalance (19)
  printf '%-7s %-15s %-19s %-9s %s\n' GROUP PROTOCOL-TYPE STATE TYPE LISTED-BY
  printf '%-7s %-15s %-19s %-9s %s\n' audit - Empty - 2
  printf '%-7s %-15s %-19s %-9s %s\n' billing consumer Stable - 2
  printf '%-7s %-15s %-19s %-9s %s\n' orders consumer Stable - 1
  printf '%-7s %-15s %-19s %-9s %s\n' shared consumer CompletingRebalance - 1
} >"$tmp/list.want"
check "groups table: 4 groups merged from both brokers" same "$tmp/list.want" "$tmp/list.out"
check "groups: nothing on stderr" [ ! -s "$tmp/list.err" ]

K --json groups >"$tmp/list.json"
got=$($py -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(";".join("%s,%s,%s,%d" % (g["group"], g["protocol_type"], g["state"], g["coordinator"]) for g in d["groups"]))' "$tmp/list.json")
check "groups --json parses with the same 4 groups ($got)" \
  [ "$got" = "audit,,Empty,2;billing,consumer,Stable,2;orders,consumer,Stable,1;shared,consumer,CompletingRebalance,1" ]

# one group: state, members, then the lag table
K groups orders >"$tmp/desc.out" 2>"$tmp/desc.err"
rc=$?
check "groups orders exits 0 (got $rc)" [ "$rc" = 0 ]
{
  # the scripted members carry no assignment yet (empty bytes); the scripted broker
  # answers no Fetch, so the age of the records at the commits is unknown
  echo "Group 'orders': state Stable, 2 member(s), classic protocol, assignor range"
  echo "  member m-1-aaaa client client-one host /10.0.0.1 assigned -"
  echo "  member m-2-bbbb client client-two host /10.0.0.2 assigned -"
  echo
  printf '%-15s %-15s %-10s %-15s %-15s %-15s %s\n' GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG LAG-SECONDS
  printf '%-15s %-15s %-10s %-15s %-15s %-15s %s\n' orders events 0 40 100 60 -
  printf '%-15s %-15s %-10s %-15s %-15s %-15s %s\n' orders events 1 70 90 20 -
} >"$tmp/desc.want"
check "groups orders: state, 2 members, lag 60 and 20" same "$tmp/desc.want" "$tmp/desc.out"

K --json groups orders >"$tmp/desc.json"
got=$($py -c 'import json,sys
d = json.load(open(sys.argv[1]))
g = d["groups"][0]
parts = [(p["partition"], p["current_offset"], p["log_end_offset"], p["lag"]) for t in g["topics"] for p in t["partitions"]]
members = [(x["member_id"], x["client_id"], x["client_host"]) for x in g["members"]]
print(len(d["groups"]), g["group"], g["state"], g["protocol_type"], d["total_lag"], parts, members)' "$tmp/desc.json")
check "groups orders --json parses, with its members ($got)" \
  [ "$got" = "1 orders Stable consumer 80 [(0, 40, 100, 60), (1, 70, 90, 20)] [('m-1-aaaa', 'client-one', '/10.0.0.1'), ('m-2-bbbb', 'client-two', '/10.0.0.2')]" ]

K groups ghost >"$tmp/ghost.out" 2>"$tmp/ghost.err"
rc=$?
check "groups ghost exits 1 (got $rc)" [ "$rc" = 1 ]
check "groups ghost names the error" \
  grep -qx "kwire groups: DescribeGroups ghost: No group with this id." "$tmp/ghost.err"
check "groups ghost prints no table" [ ! -s "$tmp/ghost.out" ]
check "scripted broker met only expected requests" kill -0 "${bpids[0]}"

# node 1 loading: its error reported, node 2's groups still printed
start_broker "$tmp/b2" --loading
K groups >"$tmp/load.out" 2>"$tmp/load.err"
rc=$?
check "groups with a loading broker exits 1 (got $rc)" [ "$rc" = 1 ]
{
  # STATE as wide as PreparingRebalance (18)
  printf '%-7s %-15s %-18s %-9s %s\n' GROUP PROTOCOL-TYPE STATE TYPE LISTED-BY
  printf '%-7s %-15s %-18s %-9s %s\n' audit - Empty - 2
  printf '%-7s %-15s %-18s %-9s %s\n' billing consumer Stable - 2
  printf '%-7s %-15s %-18s %-9s %s\n' shared consumer PreparingRebalance - 2
} >"$tmp/load.want"
check "groups with a loading broker: node 2's 3 groups" same "$tmp/load.want" "$tmp/load.out"
check "groups with a loading broker names node 1 and COORDINATOR_LOAD_IN_PROGRESS" \
  grep -qE "^kwire groups: ListGroups failed on 1 of 2 brokers, the list may be incomplete: node 1 \(127\.0\.0\.1:[0-9]+\): The coordinator is still loading its state\.$" "$tmp/load.err"
check "loading broker met only expected requests" kill -0 "${bpids[1]}"

# real Apache Kafka: a group of the Java console consumer
kafka_use 4.4.0
T=$(kafka_topic "grp-${KW_PASS:-plain}" 3 1)
G=jgroup-$T
seq 1 300 | "$kwire" -b "$KAFKA" produce -t "$T" >/dev/null 2>"$tmp/kp.err" || fail "produce: $(tail -2 "$tmp/kp.err")"
"$kafka_sh" tool "$KAFKA_DIR" console-consumer --bootstrap-server "$KAFKA" --topic "$T" --group "$G" \
  --from-beginning --command-property auto.commit.interval.ms=200 >"$tmp/jc.out" 2>"$tmp/jc.err" &
jcpid=$!
at_exit "kill $jcpid 2>/dev/null"
stable=0
for _ in $(seq 150); do
  if "$kwire" -b "$KAFKA" --json groups "$G" >"$tmp/jg.json" 2>/dev/null &&
     $py -c '
import json, sys
g = json.load(open(sys.argv[1]))["groups"][0]
committed = sum(p["current_offset"] or 0 for t in g["topics"] for p in t["partitions"])
sys.exit(0 if g["state"] == "Stable" and len(g["members"]) == 1 and committed == 300 and g["lag"] == 0 else 1)' "$tmp/jg.json"
  then stable=1; break; fi
  sleep 0.2
done
check "real Kafka: the Java consumer's group Stable, 1 member, 300 committed, lag 0 (got $(head -c 300 "$tmp/jg.json"))" [ $stable = 1 ]
check "real Kafka: its member's client id is console-consumer" grep -q '"client_id":"console-consumer"' "$tmp/jg.json"
"$kwire" -b "$KAFKA" groups >"$tmp/jl.out" 2>"$tmp/jl.err"
check "real Kafka: groups lists $G as consumer, Stable" grep -Eq "^$G +consumer +Stable" "$tmp/jl.out"
stop_pid $jcpid
empty=0
for _ in $(seq 100); do
  "$kwire" -b "$KAFKA" groups "$G" >"$tmp/je.out" 2>/dev/null
  grep -q "state Empty, 0 member(s)" "$tmp/je.out" && empty=1 && break
  sleep 0.2
done
check "real Kafka: after the member stopped, Empty with no member" [ $empty = 1 ]
check "real Kafka: the committed offsets stay (300 over 3 partitions)" \
  [ "$(awk -v g="$G" '$1 == g {s += $4} END {print s}' "$tmp/je.out")" = 300 ]

checks_done
