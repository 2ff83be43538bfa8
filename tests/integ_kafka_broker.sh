#!/usr/bin/env bash
# tests/integ_kafka_broker.sh — the real-broker launcher: `kwire broker --kafka` and
# scripts/kafka.sh, as a user meets them.
#   1. `kwire broker --kafka --set num.partitions=5` prints the start-up time, memory and
#      bootstrap list; the broker answers (`kwire metadata`: 1 broker; a topic created
#      by the broker's auto-creation has 5 partitions: the setting took effect); SIGINT
#      stops it: exit 0, its node process gone, its temporary directory removed.
#   2. kafka.sh start --brokers 3: three nodes, one quorum, each registered; stop-node
#      KILL takes one down and start-node brings it back registered; stop stops every
#      node by PID.
#   3. bad input, each one line naming what is wrong, exit 1, nothing left running:
#      Java missing (JAVA_HOME pointing nowhere and no java on PATH); Kafka's jars not
#      resolvable (a version Maven Central does not have); a broker that never becomes
#      ready (a setting that stops it at start): stopped by PID after the timeout with
#      its log's last lines; a bad --brokers or --set.
# Every wait is bounded; every process started here is stopped by PID.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kbroker.XXXXXX)
integ_name=integ_kafka_broker
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
[ -n "${KW_KAFKA_ERROR:-}" ] && fail "real broker: $KW_KAFKA_ERROR"

# 1. kwire broker --kafka, in the foreground, stopped by SIGINT
TMPDIR=$tmp "$kw" broker --kafka --set num.partitions=5 >"$tmp/kb.out" 2>"$tmp/kb.err" &
kbpid=$!
at_exit "kill -TERM $kbpid 2>/dev/null"
for _ in $(seq 600); do grep -q '^bootstrap: ' "$tmp/kb.out" && break; kill -0 $kbpid 2>/dev/null || break; sleep 0.1; done
grep -q '^bootstrap: ' "$tmp/kb.out" || fail "kwire broker --kafka: no bootstrap line within 60 s: $(cat "$tmp/kb.out" "$tmp/kb.err" | tail -5)"
grep -Eq '^kafka 4\.4\.0: 1 node ready in [0-9.]+ s .*resident memory: node 1 [0-9]+ MB' "$tmp/kb.out" ||
  fail "kwire broker --kafka: no start-up time and memory line: $(head -2 "$tmp/kb.out")"
B=$(sed -n 's/^bootstrap: //p' "$tmp/kb.out")
dir=$(ls -d "$tmp"/kwire-kafka.* 2>/dev/null | head -1)
[ -n "$dir" ] && [ -f "$dir/node1/pid" ] || fail "kwire broker --kafka: no node directory under TMPDIR"
npid=$(cat "$dir/node1/pid")
"$kw" -b "$B" metadata >"$tmp/md.out" 2>"$tmp/md.err" || fail "metadata on $B: $(cat "$tmp/md.err")"
grep -q '^1 broker:' "$tmp/md.out" || fail "metadata: $(head -3 "$tmp/md.out")"
"$kw" -b "$B" metadata --auto-create autotopic >/dev/null 2>&1
for _ in $(seq 50); do
  "$kw" -b "$B" metadata autotopic 2>/dev/null | grep -q 'topic "autotopic" with 5 partitions' && break
  sleep 0.2
done
"$kw" -b "$B" metadata autotopic 2>/dev/null | grep -q 'topic "autotopic" with 5 partitions' ||
  fail "--set num.partitions=5 not in effect: $("$kw" -b "$B" metadata autotopic 2>&1 | grep topic)"
kill -INT $kbpid
rc=0
for _ in $(seq 300); do kill -0 $kbpid 2>/dev/null || break; sleep 0.1; done
kill -0 $kbpid 2>/dev/null && fail "kwire broker --kafka still runs 30 s after SIGINT"
wait $kbpid || rc=$?
[ $rc = 0 ] || fail "kwire broker --kafka: exit $rc after SIGINT, expected 0"
kill -0 "$npid" 2>/dev/null && fail "the Kafka node ($npid) still runs after kwire broker --kafka stopped"
[ -e "$dir" ] && fail "kwire broker --kafka left its directory $dir"
echo "  kwire broker --kafka: started (--set applied), answered, stopped by SIGINT, directory removed"

# 2. a 3-node quorum; a node killed and started again
kafka_own "$tmp/k3" --brokers 3
for k in 1 2 3; do kill -0 "$(cat "$tmp/k3/node$k/pid")" || fail "node $k not running"; done
"$kafka_sh" stop-node "$tmp/k3" 2 KILL
"$kw" -b "$(cat "$tmp/k3/node1/port" | sed 's/^/127.0.0.1:/')" metadata >"$tmp/md3.out" 2>&1 || true
"$kafka_sh" start-node "$tmp/k3" 2 >"$tmp/sn.out" 2>&1 || fail "start-node 2: $(tail -5 "$tmp/sn.out")"
"$kw" -b "$KAFKA" metadata 2>/dev/null | grep -q '^3 brokers:' || fail "node 2 not registered again"
pids=$(cat "$tmp"/k3/node*/pid)
"$kafka_sh" stop "$tmp/k3"
for p in $pids; do kill -0 "$p" 2>/dev/null && fail "kafka.sh stop left node process $p"; done
echo "  kafka.sh: 3-node quorum, a node killed and started again (registered), all stopped by PID"

# 3. bad input
expect_fail() { # NAME WORDS CMD...: exit 1, one stderr line with WORDS (a regex)
  local name=$1 words=$2 rc=0
  shift 2
  timeout 120 "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  [ $rc = 1 ] || fail "$name: exit $rc, expected 1: $(tail -3 "$tmp/bad.err")"
  grep -Eq -e "$words" "$tmp/bad.err" || fail "$name: the message does not say '$words': $(tail -3 "$tmp/bad.err")"
}
nojava=$tmp/nojava
mkdir -p "$nojava"
for t in bash python3 mvn sed awk cat date mkdir rm head tail grep seq sleep paste timeout dirname; do
  p=$(command -v $t) && ln -s "$p" "$nojava/$t"
done
expect_fail "no Java" "Java not found: Kafka needs Java 17" env PATH="$nojava" JAVA_HOME=/nonexistent \
  bash scripts/kafka.sh start "$tmp/nj"
expect_fail "no Java (kwire broker --kafka)" "Java not found" env PATH="$nojava" JAVA_HOME=/nonexistent \
  "$PWD/$kw" broker --kafka
expect_fail "jars not resolvable" "could not resolve org.apache.kafka:kafka_2.13:0.0.1" \
  env KWIRE_CACHE="$tmp/cache" scripts/kafka.sh start "$tmp/nv" --version 0.0.1
expect_fail "never ready" "did not become ready within 8 s" \
  scripts/kafka.sh start "$tmp/nr" --timeout 8 --set "controller.quorum.voters=1@127.0.0.1:1"
grep -q -- "-- node 1" "$tmp/bad.err" || fail "never ready: the node's last log lines are not shown"
[ -f "$tmp/nr/node1/pid" ] && kill -0 "$(cat "$tmp/nr/node1/pid")" 2>/dev/null && fail "never ready: the node still runs"
expect_fail "bad --brokers" "--brokers 12: 1 to 9 nodes" scripts/kafka.sh start "$tmp/bb" --brokers 12
expect_fail "bad --set" "--set num.io.threads: expected name=value" scripts/kafka.sh start "$tmp/bs" --set num.io.threads
echo "  bad input: no Java, jars not resolvable, never ready (stopped, log shown), bad options: one line each, exit 1"
echo "$integ_name: ok"
