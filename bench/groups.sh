#!/usr/bin/env bash
# bench/groups.sh — bench/bench_group (group membership's cost: a member's throughput
# against a self-assigned consumer's, and rebalance times per protocol) on a real Apache
# Kafka 4.4.0 started here (scripts/kafka.sh, 3 nodes, stopped at the end): a topic of
# PARTITIONS (default 6) partitions, replication factor 3, filled with RECORDS (default
# 2,000,000) records of the labs' 92-byte payload. The brokers' consumer-protocol timing
# is what a KIP-848 rebalance waits for, so it is set and printed: heartbeats every HB_MS
# (default 250) ms — the owner of a moving partition revokes it at its next heartbeat, the
# new owner learns at its own, so Kafka's default 5000 makes a rebalance take seconds —
# and group.consumer.assignment.interval.ms=ASSIGN_MS (default 0; Kafka 4.4 batches
# assignment updates every 1000 ms by default); classic members ask heartbeat.interval.ms
# HB_MS too. A figure-printing script, never a timed test.
# Usage (top dir, after make all bench): [RECORDS=N] [HB_MS=M] [ASSIGN_MS=A] bench/groups.sh
set -u
cd "$(dirname "$0")/.."
N=${RECORDS:-2000000}
P=${PARTITIONS:-6}
HB=${HB_MS:-250}
ASSIGN=${ASSIGN_MS:-0}
for f in bin/kwire build/bench/bench_group; do [ -x "$f" ] || make -s "$f" >/dev/null || exit 1; done
tmp=$(mktemp -d /tmp/kwire-bench-groups.XXXXXX)
trap 'scripts/kafka.sh stop "$tmp/k" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
scripts/kafka.sh start "$tmp/k" --brokers 3 --set group.consumer.heartbeat.interval.ms="$HB" \
  --set group.consumer.min.heartbeat.interval.ms="$HB" --set group.consumer.assignment.interval.ms="$ASSIGN" || exit 1
B=$(cat "$tmp/k/bootstrap")
bin/kwire -q -b "$B" topics create bench --partitions "$P" --replication-factor 3 >/dev/null || exit 1
payload='{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
yes "$payload" | head -n "$N" | bin/kwire -q -b "$B" -X linger.ms=5 -X batch.size=262144 \
  -X partitioner=round_robin produce -t bench || exit 1
echo "bench/groups.sh: Kafka 4.4.0, 3 nodes on loopback, topic bench: $P partitions, $N records;" \
  "heartbeat interval $HB ms (brokers for the consumer protocol, heartbeat.interval.ms for classic)," \
  "group.consumer.assignment.interval.ms $ASSIGN"
build/bench/bench_group -b "$B" -t bench -n "$N" -X heartbeat.interval.ms="$HB" -X session.timeout.ms=10000
