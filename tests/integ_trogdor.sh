#!/usr/bin/env bash
# tests/integ_trogdor.sh — kwire as a worker of Kafka's distributed test framework,
# Trogdor (docs/TROGDOR.md): Trogdor's coordinator and two agents from the Maven jars
# (scripts/trogdor.sh), each agent in a network namespace of its own with its own address
# (ip netns + a veth pair on a bridge, made here and removed at exit) — two hosts as far
# as the network can tell — and a single-node Apache Kafka 4.4.0 of this script's own
# listening on the bridge's address (kafka.sh --host), which both namespaces reach (the
# shared clusters listen on 127.0.0.1 only). Checks:
#   1. two producer tasks (one per agent, ExternalCommandSpec running `kwire bench
#      worker`) with the same startMs and a consumer task: all DONE; `kwire bench merge
#      --trogdor` of the producers: merged records = the records in the topic (read back
#      with kwire consume) = the sum of the workers'; merged histogram count = the sum of
#      the workers' counts; its p50/p99/p99.9/max equal those of the pooled per-record
#      latencies of the workers' latencyLog files within the histogram's precision
#      (exact <= merged <= exact * 1.001 + 1 us); the consumer task (a group member) read
#      every record.
#      The same merge from the saved task list (a file) gives the same figures.
#   2. a worker SIGKILLed mid-task: Trogdor reports the task's error ("exited with return
#      code"); the merge names that task as missing, merges the other and exits 1. A task
#      Trogdor stops (task durationMs): its worker exits 0 at SIGTERM (no SIGKILL after the
#      grace period) and the merge says it was stopped before its final status.
#   3. bad input through Trogdor: unknown workload fields, named in the task's error.
#      (The worker alone — bad JSON, unreachable bootstrap, SIGTERM, merge --status — is
#      tests/integ_worker.sh, in both passes.)
# Root, ip netns, Java and curl needed (skipped without). Runs in the plain pass only: it
# starts four JVMs of its own (broker, coordinator, two agents); the worker's code under
# the sanitizers is covered by tests/test_worker.c and fuzz/fuzz_json.c.
set -u
cd "$(dirname "$0")/.."
top=$PWD
kw=${KWIRE:-bin/kwire}
case "$kw" in /*) ;; *) kw=$top/$kw ;; esac
tmp=$(mktemp -d /tmp/kwire-integ-trogdor.XXXXXX)
integ_name=integ_trogdor
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v java >/dev/null || ! command -v curl >/dev/null; then
  echo "integ_trogdor: skipped (needs root, ip, Java and curl)"; exit 0
fi
if [ "${KW_PASS:-plain}" != plain ]; then
  echo "integ_trogdor: skipped in the ${KW_PASS} pass (runs in the plain pass)"; exit 0
fi
scripts/trogdor.sh fetch >"$tmp/fetch.err" 2>&1 || fail "Trogdor's jars: $(tail -1 "$tmp/fetch.err")"


# ---- the network: a bridge in this namespace, two namespaces hanging off it
tag=$(( $$ % 100000 ))
br=kwtb$tag
sub=""
for s in $(seq $(( 40 + $$ % 150 )) 250) $(seq 40 250); do
  ip -4 addr | grep -q "inet 10\.213\.$s\." || { sub=$s; break; }
done
[ -n "$sub" ] || fail "no free 10.213.X.0/24 subnet"
net=10.213.$sub
nss=()
netclean() {
  local n
  for n in "${nss[@]}"; do ip netns del "$n" 2>/dev/null; done
  ip link del "$br" 2>/dev/null
}
at_exit netclean
ip link add "$br" type bridge || fail "cannot create bridge $br"
ip addr add "$net.1/24" dev "$br" && ip link set "$br" up || fail "cannot configure $br"
k=1
for n in A B; do
  k=$((k + 1))
  ns=kwt$n$tag; nss+=("$ns")
  ip netns add "$ns" || fail "ip netns add $ns"
  ip link add "kh$n$tag" type veth peer name "kn$n$tag" || fail "veth for $ns"
  ip link set "kn$n$tag" netns "$ns"
  ip link set "kh$n$tag" master "$br" up
  ip -n "$ns" addr add "$net.$k/24" dev "kn$n$tag"
  ip -n "$ns" link set "kn$n$tag" up
  ip -n "$ns" link set lo up
done
echo "integ_trogdor: bridge $br $net.1, namespaces kwtA$tag ($net.2) and kwtB$tag ($net.3)"

# ---- Kafka on the bridge's address
kafka_own "$tmp/k" --brokers 1 --host "$net.1" --heap 384m
B=$KAFKA
for n in A B; do
  ip netns exec "kwt$n$tag" "$kw" -b "$B" metadata >/dev/null 2>"$tmp/meta.err" ||
    fail "the broker at $B is not reachable from namespace kwt$n$tag"
done

# ---- Trogdor: the coordinator here, an agent in each namespace
cport=$(free_port); aport=$(free_port)
topo=$tmp/topology.json
cat >"$topo" <<EOT
{"_comment": "integ_trogdor: the coordinator on the bridge, one agent per namespace",
 "platform": "org.apache.kafka.trogdor.basic.BasicPlatform",
 "nodes": {
   "coordinator": {"hostname": "$net.1", "trogdor.coordinator.port": $cport},
   "nodeA": {"hostname": "$net.2", "trogdor.agent.port": $aport},
   "nodeB": {"hostname": "$net.3", "trogdor.agent.port": $aport}}}
EOT
TROGDOR_LOG_LEVEL=INFO scripts/trogdor.sh coordinator "$topo" coordinator >"$tmp/coordinator.log" 2>&1 &
cpid=$!
ip netns exec "kwtA$tag" scripts/trogdor.sh agent "$topo" nodeA >"$tmp/agentA.log" 2>&1 &
apidA=$!
ip netns exec "kwtB$tag" scripts/trogdor.sh agent "$topo" nodeB >"$tmp/agentB.log" 2>&1 &
apidB=$!
at_exit 'stop_pid $apidA; stop_pid $apidB; stop_pid $cpid'
integ_on_fail() {
  local f
  for f in coordinator agentA agentB; do echo "-- $f.log (last lines)"; grep -v "DEBUG" "$tmp/$f.log" | tail -15; done
}
C=http://$net.1:$cport
up=0
for _ in $(seq 150); do
  if curl -sf "$C/coordinator/status" >/dev/null && curl -sf "http://$net.2:$aport/agent/status" >/dev/null &&
     curl -sf "http://$net.3:$aport/agent/status" >/dev/null; then up=1; break; fi
  for p in $cpid $apidA $apidB; do kill -0 $p 2>/dev/null || fail "a Trogdor process exited during start-up"; done
  sleep 0.2
done
[ $up = 1 ] || fail "Trogdor's coordinator and agents did not answer within 30 s"
echo "integ_trogdor: Trogdor coordinator at $C, agents nodeA and nodeB"

# create_task ID NODE START_MS WORKLOAD_JSON [TASK_DURATION_MS]
create_task() {
  local body
  body="{\"id\":\"$1\",\"spec\":{\"class\":\"org.apache.kafka.trogdor.workload.ExternalCommandSpec\",\"startMs\":$3,\"durationMs\":${5:-120000},\"commandNode\":\"$2\",\"command\":[\"$kw\",\"bench\",\"worker\"],\"workload\":$4}}"
  curl -sf -X POST -H 'Content-Type: application/json' -d "$body" "$C/coordinator/task/create" >/dev/null ||
    fail "creating task $1: $(curl -s -X POST -H 'Content-Type: application/json' -d "$body" "$C/coordinator/task/create")"
}
# task_field ID EXPR: a field of the task as the coordinator reports it (python expression on t)
task_field() {
  curl -sf "$C/coordinator/tasks" | python3 -c "import json,sys; d=json.load(sys.stdin)['tasks']; t=d.get('$1',{}); print($2)"
}
# wait_done ID...: every task DONE (at most 90 s)
wait_done() {
  local id s all
  for _ in $(seq 450); do
    all=1
    for id in "$@"; do s=$(task_field "$id" "t.get('state','')"); [ "$s" = DONE ] || all=0; done
    [ $all = 1 ] && return 0
    sleep 0.2
  done
  fail "tasks $* not DONE within 90 s (states: $(for id in "$@"; do printf '%s=%s ' "$id" "$(task_field "$id" "t.get('state','')")"; done))"
}

# ---- 1. two producers with one startMs, one consumer
T=trogdor-$$
"$kw" -b "$B" topics create "$T" --partitions 4 >/dev/null 2>"$tmp/topic.err" || fail "creating $T"
N=10000
start=$(( $(now_ms) + 4000 ))
pw() { # producer workload: latency log file
  echo "{\"bootstrapServers\":\"$B\",\"targetMessagesPerSec\":2000,\"maxMessages\":$N,\"activeTopics\":{\"$T\":{}},\"valueGenerator\":{\"type\":\"constant\",\"size\":200},\"producerConf\":{\"acks\":\"all\",\"linger.ms\":\"2\"},\"statusIntervalMs\":1000,\"latencyLog\":\"$1\"}"
}
create_task p1-A nodeA "$start" "$(pw "$tmp/lat-A")"
create_task p1-B nodeB "$start" "$(pw "$tmp/lat-B")"
create_task c1-A nodeA "$start" "{\"kind\":\"consume\",\"bootstrapServers\":\"$B\",\"maxMessages\":$((2 * N)),\"activeTopics\":[\"$T\"],\"consumerGroup\":\"trogdor-$$\",\"statusIntervalMs\":1000}"
wait_done p1-A p1-B c1-A
for id in p1-A p1-B c1-A; do
  e=$(task_field "$id" "t.get('error','')")
  check "task $id done without error${e:+ (error: $e)}" [ -z "$e" ]
done
check "both producer tasks started at the same startMs" \
  [ "$(task_field p1-A "t['spec']['startMs']")" = "$(task_field p1-B "t['spec']['startMs']")" ]
"$kw" --json bench merge --trogdor "$C" p1- >"$tmp/merge1.json" 2>"$tmp/merge1.err"
check "bench merge --trogdor exits 0 with every worker merged" [ $? = 0 ]
"$kw" bench merge --trogdor "$C" p1- >"$tmp/merge1.txt" 2>&1
sed 's/^/    /' "$tmp/merge1.txt"
"$kw" -b "$B" consume -t "$T" -o beginning -e -f '%o\n' >"$tmp/readback" 2>"$tmp/readback.err"
in_topic=$(wc -l <"$tmp/readback")
merged=$(python3 -c "import json; print(json.load(open('$tmp/merge1.json'))['records'])")
check "merged records ($merged) = records in the topic ($in_topic) = 2 x $N" [ "$merged" = "$in_topic" -a "$merged" = $((2 * N)) ]
python3 - "$tmp/merge1.json" "$tmp/lat-A" "$tmp/lat-B" >"$tmp/pct.out" 2>&1 <<'EOP'
import json, math, sys
from fractions import Fraction
m = json.load(open(sys.argv[1]))
ws = m["workers"]
hsum = sum(w["histogramCount"] for w in ws)
rsum = sum(w["records"] for w in ws)
lat = m["latency_ms"]
vals = sorted(int(l) for f in sys.argv[2:] for l in open(f) if l.strip())
ok = True
def say(good, text):
    global ok
    ok &= good
    print(("ok   " if good else "FAIL ") + text)
say(lat["count"] == hsum == rsum == len(vals),
    "merged histogram count %d = sum of the workers' counts %d = their records %d = pooled latencies %d"
    % (lat["count"], hsum, rsum, len(vals)))
for p, key in ((50, "p50"), (99, "p99"), (99.9, "p999")):
    rank = max(1, math.ceil(Fraction(str(p)) * len(vals) / 100))  # HdrHistogram's rank, exactly
    exact = vals[rank - 1]
    got = round(lat[key] * 1000)
    say(exact <= got <= exact * 1.001 + 1, "%s: merged %d us, pooled records %d us" % (key, got, exact))
got = round(lat["max"] * 1000)
say(vals[-1] <= got <= vals[-1] * 1.001 + 1, "max: merged %d us, pooled records %d us" % (got, vals[-1]))
sys.exit(0 if ok else 1)
EOP
prc=$?
sed 's/^/    /' "$tmp/pct.out"
check "merged percentiles = the pooled per-record latencies' (histogram precision)" [ $prc = 0 ]
"$kw" --json bench merge --trogdor "$C" c1- >"$tmp/mergec.json" 2>"$tmp/mergec.err"
check "the consumer task read every record ($(python3 -c "import json; print(json.load(open('$tmp/mergec.json'))['records'])" 2>/dev/null))" \
  [ "$(python3 -c "import json; print(json.load(open('$tmp/mergec.json'))['records'])" 2>/dev/null)" = $((2 * N)) ]
curl -sf "$C/coordinator/tasks" >"$tmp/tasks.json"
"$kw" --json bench merge --trogdor "$tmp/tasks.json" p1- >"$tmp/merge1f.json" 2>/dev/null
check "the merge of the saved task list gives the same figures" \
  python3 -c "import json,sys; a=json.load(open('$tmp/merge1.json')); b=json.load(open('$tmp/merge1f.json')); sys.exit(0 if (a['records'],a['latency_ms'])==(b['records'],b['latency_ms']) else 1)"

# ---- 2. a worker killed mid-task
start=$(( $(now_ms) + 1500 ))
kw2() { echo "{\"bootstrapServers\":\"$B\",\"targetMessagesPerSec\":1000,\"maxMessages\":1000000,\"durationMs\":$1,\"activeTopics\":{\"$T\":{}},\"statusIntervalMs\":500}"; }
create_task p2-A nodeA "$start" "$(kw2 7000)"
create_task p2-B nodeB "$start" "$(kw2 60000)"
victim=""
for _ in $(seq 100); do
  # the agent's live kwire child (a finished worker may linger as a zombie)
  victim=$(ps -o pid=,stat=,comm= --ppid "$apidB" | awk '$2 !~ /^Z/ && $3 == "kwire" {print $1}' | head -1)
  [ -n "$victim" ] && [ "$(task_field p2-B "t['status'].get('records',0) if isinstance(t.get('status'),dict) else 0")" -gt 0 ] 2>/dev/null && break
  victim=""; sleep 0.1
done
[ -n "$victim" ] || fail "the worker of task p2-B did not start"
kill -KILL "$victim"
echo "integ_trogdor: task p2-B's worker (PID $victim) killed"
wait_done p2-A p2-B
e=$(task_field p2-B "t.get('error','')")
check "Trogdor reports the killed worker's task as an error ($e)" grep -q "exited with return code" <<<"$e"
"$kw" bench merge --trogdor "$C" p2- >"$tmp/merge2.txt" 2>&1
rc=$?
sed 's/^/    /' "$tmp/merge2.txt"
check "the merge exits 1 with a worker missing" [ $rc = 1 ]
check "the merge names the missing worker (p2-B on nodeB)" grep -q "missing p2-B on nodeB: error: exited with return code" "$tmp/merge2.txt"
a_rec=$(task_field p2-A "t['status']['records']")
check "the rest is merged (p2-A's $a_rec records)" grep -q "^merged: $a_rec records" "$tmp/merge2.txt"

# a task Trogdor stops (its durationMs before the workload's): the worker exits at SIGTERM
# within the grace period, and the merge says why its figures are left out
create_task p3-A nodeA "$(now_ms)" "$(kw2 60000)" 3000
wait_done p3-A
"$kw" bench merge --trogdor "$C" p3- >"$tmp/merge3.txt" 2>&1
check "a task Trogdor stopped: named as stopped before its final status" \
  grep -q "missing p3-A on nodeA: stopped by Trogdor before its final status" "$tmp/merge3.txt"
check "... and its worker exited at SIGTERM, not killed after the grace period" \
  bash -c "grep 'p3-A' '$tmp/agentA.log' | grep -q 'process exited with return code 0' && ! grep 'p3-A' '$tmp/agentA.log' | grep -q 'forcibly'"

# ---- 3. bad input
start=$(now_ms)
create_task bad-A nodeA "$start" "{\"bootstrapServers\":\"$B\",\"maxMessages\":10,\"activeTopics\":{\"$T\":{}},\"producerNode\":\"nodeA\",\"recordsPerBatch\":5}"
wait_done bad-A
e=$(task_field bad-A "t.get('error','')")
check "unknown fields through Trogdor: the task's error names them ($e)" grep -q "unknown workload fields: producerNode, recordsPerBatch" <<<"$e"
[ $fails = 0 ] || fail "$fails check(s) failed"
echo "integ_trogdor: ok"
