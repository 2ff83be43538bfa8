#!/usr/bin/env bash
# tests/integ_kafka_versions.sh — version negotiation and every command on real Apache
# Kafka, 4.4.0 (3 nodes) and 3.9.2 (1 node, the last line that accepts the versions 4.0
# removed): the shared clusters of scripts/with-kafka.sh, or clusters of its own.
#
# For each broker version:
#   1. `kwire api-versions --json`: for each API kwire uses, "use" is the highest version
#      both sides support (min of the two maxima, at least the larger minimum); the
#      table names every API the broker lists.
#   2. Every command runs with --stats and sends each API at exactly that version (and
#      nothing else; ApiVersions first at kwire's newest, which an older broker refuses): metadata, topics create, produce (acks=all, idempotent: Metadata,
#      InitProducerId, Produce), consume -g --commit (a group member: Metadata,
#      FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, ListOffsets, Fetch,
#      OffsetCommit, LeaveGroup), groups, lag (ListGroups,
#      DescribeGroups, OffsetFetch, ListOffsets), bench produce, bench consume; each exits
#      0 with what it should print (1000 records sent and read back, the group with lag 0).
#   3. The exporter serves the group's kafka_consumergroup_lag (20000: bench produce's
#      records came after the commit), the topic's kafka_topic_partition_current_offset
#      (21000 over its partitions) and kwire_up 1.
# Everything started here is stopped by PID; every wait is bounded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kversions.XXXXXX)
integ_name=integ_kafka_versions
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
command -v curl >/dev/null || fail "curl not installed"

# versions_check FILE: api-versions --json -> "API use" lines in tmp/use; checks the rule
versions_check() {
  python3 - "$1" >"$tmp/use" <<'EOF' || fail "api-versions: $(cat "$tmp/use")"
import json, sys
doc = json.load(open(sys.argv[1]))
b = doc[0]
bad = []
names = set()
for a in b["apis"]:
    names.add(a["name"])
    if not a["used_by_kwire"] or a.get("broker_max") is None:
        continue
    hi = min(a["broker_max"], a["kwire_max"]); lo = max(a["broker_min"], a["kwire_min"])
    want = hi if hi >= lo else None
    if a["use"] != want:
        bad.append("%s: use %s, expected %s (broker %s..%s, kwire %s..%s)" % (
            a["name"], a["use"], want, a["broker_min"], a["broker_max"], a["kwire_min"], a["kwire_max"]))
    print(a["name"], a["use"])
for must in ("Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch", "FindCoordinator",
             "DescribeGroups", "ListGroups", "ApiVersions", "CreateTopics", "InitProducerId"):
    if must not in names: bad.append("%s not listed" % must)
if bad:
    print("\n".join(bad)); sys.exit(1)
EOF
}

# stats_check NAME FILE: every "  API vN:" line of a --stats output uses tmp/use's version
stats_check() {
  python3 - "$tmp/use" "$2" "$1" <<'EOF' || fail "$1: $(tail -5 "$tmp/stats.out")"
import re, sys
use = dict(l.split() for l in open(sys.argv[1]))
bad = []; seen = set()
for l in open(sys.argv[2]):
    m = re.match(r"  (\w+) v(\d+): (\d+) request", l)
    if not m: continue
    api, v = m.group(1), m.group(2)
    seen.add(api)
    # ApiVersions starts at kwire's newest; an older broker answers with its own range
    if api == "ApiVersions" and int(v) > int(use[api]): continue
    if api in use and use[api] != v:
        bad.append("%s sent at v%s, negotiated v%s" % (api, v, use[api]))
if not seen: bad.append("no --stats lines")
out = open(sys.argv[2].replace(".err", ".stats"), "w"); out.write(" ".join(sorted(seen)))
if bad:
    print(sys.argv[3] + ": " + "; ".join(bad)); sys.exit(1)
EOF
  cp "$2" "$tmp/stats.out"
}

run() { # run NAME CMD...: exit 0 required, stderr in tmp/NAME.err, stdout in tmp/NAME.out
  local name=$1; shift
  timeout 120 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
    fail "$name: exit $? ($*): $(tail -5 "$tmp/$name.err")"
}

for v in 4.4.0 3.9.2; do
  kafka_use "$v"
  echo "== Apache Kafka $v at $KAFKA"
  run apiv "$kw" -b "$KAFKA" --json api-versions
  versions_check "$tmp/apiv.out"
  echo "  negotiated: $(paste -sd' ' "$tmp/use")"

  rf=1; [ "$v" = 4.4.0 ] && rf=3
  T=$(kafka_topic "vers-${KW_PASS:-plain}-${v//./}" 3 "$rf")
  run metadata "$kw" -b "$KAFKA" --stats metadata "$T"
  stats_check metadata "$tmp/metadata.err"
  grep -q "topic \"$T\" with 3 partitions" "$tmp/metadata.out" || fail "metadata: $T not shown with 3 partitions"

  run topics "$kw" -b "$KAFKA" --stats topics create "$T" --if-not-exists
  stats_check topics "$tmp/topics.err"

  seq 1 1000 | sed 's/^/rec-/' >"$tmp/in.txt"
  run produce "$kw" -b "$KAFKA" --stats -X acks=all -X enable.idempotence=true produce -t "$T" "$tmp/in.txt"
  stats_check produce "$tmp/produce.err"
  grep -q "1000 records sent, 0 failed" "$tmp/produce.err" || fail "produce: $(grep records "$tmp/produce.err")"
  for api in Metadata InitProducerId Produce; do
    grep -qw "$api" "$tmp/produce.stats" || fail "produce sent no $api request ($(cat "$tmp/produce.stats"))"
  done

  G=g-$T
  run consume "$kw" -b "$KAFKA" --stats consume -t "$T" -o beginning -e -g "$G" --commit
  stats_check consume "$tmp/consume.err"
  [ "$(sort "$tmp/consume.out" | uniq | wc -l)" = 1000 ] && [ "$(wc -l <"$tmp/consume.out")" = 1000 ] ||
    fail "consume: $(wc -l <"$tmp/consume.out") records, expected the 1000 produced once each"
  for api in Metadata ListOffsets FindCoordinator Fetch OffsetCommit; do
    grep -qw "$api" "$tmp/consume.stats" || fail "consume sent no $api request ($(cat "$tmp/consume.stats"))"
  done

  run groups "$kw" -b "$KAFKA" --stats groups
  stats_check groups "$tmp/groups.err"
  grep -qF "$G" "$tmp/groups.out" || fail "groups: $G not listed: $(cat "$tmp/groups.out")"
  run groupone "$kw" -b "$KAFKA" --stats groups "$G"
  stats_check groupone "$tmp/groupone.err"

  run lag "$kw" -b "$KAFKA" --stats --json lag -g "$G"
  stats_check lag "$tmp/lag.err"
  python3 - "$tmp/lag.out" <<'EOF' || fail "lag: $(cat "$tmp/lag.out")"
import json, sys
d = json.load(open(sys.argv[1]))
tot = d.get("total_lag")
parts = [p for g in d["groups"] for t in g["topics"] for p in t["partitions"]]
committed = sum(p["current_offset"] for p in parts)
assert tot == 0 and committed == 1000, (tot, committed)
EOF

  run bprod "$kw" -b "$KAFKA" --stats bench produce -t "$T" -n 20000
  stats_check "bench produce" "$tmp/bprod.err"
  grep -Eq '^20000 records sent' "$tmp/bprod.out" || fail "bench produce: no final line: $(tail -3 "$tmp/bprod.out")"
  run bcons "$kw" -b "$KAFKA" --stats bench consume -t "$T" -n 21000
  stats_check "bench consume" "$tmp/bcons.err"
  grep -q '21000' "$tmp/bcons.out" || fail "bench consume: 21000 records not reported: $(tail -3 "$tmp/bcons.out")"

  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$kw" -b "$KAFKA" exporter --listen "127.0.0.1:$port" --group "$G" >"$tmp/exp.out" 2>"$tmp/exp.err" &
  epid=$!
  at_exit "kill $epid 2>/dev/null"
  ok=0
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/metrics" 2>/dev/null &&
       grep -q "^kafka_consumergroup_lag{" "$tmp/metrics"; then ok=1; break; fi
    sleep 0.2
  done
  stop_pid "$epid"
  [ $ok = 1 ] || fail "exporter: no kafka_consumergroup_lag within 20 s: $(head -5 "$tmp/metrics" 2>/dev/null)"
  python3 - "$tmp/metrics" "$G" "$T" <<'EOF' || fail "exporter: $(grep -E 'kwire_up|consumergroup_lag' "$tmp/metrics" | head)"
import re, sys
lag = cur = 0; up = None; nlag = 0
for l in open(sys.argv[1]):
    if l.startswith("#"): continue
    name, _, val = l.rpartition(" ")
    if name.startswith("kafka_consumergroup_lag{") and 'consumergroup="%s"' % sys.argv[2] in name:
        lag += float(val); nlag += 1
    if name.startswith("kafka_topic_partition_current_offset{") and 'topic="%s"' % sys.argv[3] in name:
        cur += float(val)
    if name.startswith("kwire_up"): up = float(val)
assert up == 1 and nlag == 3 and lag == 20000, (up, nlag, lag)  # bench produce's 20000 came after the commit
assert cur == 21000, cur
EOF
  echo "  every command ran and sent each API at the negotiated version"
done
echo "$integ_name: ok"
