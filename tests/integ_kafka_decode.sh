#!/usr/bin/env bash
# tests/integ_kafka_decode.sh — `kwire decode` of everything a real Apache Kafka 4.4.0
# cluster says: a 3-node KRaft cluster (combined broker+controller nodes) of its own is
# captured on lo from before its nodes start, so the capture holds the quorum's own
# traffic (Vote, BeginQuorumEpoch, Fetch between controllers, BrokerRegistration,
# ControllerRegistration, BrokerHeartbeat, ...), then Kafka's Java tools run against it:
# the admin client (topics create/describe, configs, consumer-groups, metadata-quorum), an
# idempotent producer, a transactional producer (InitProducerId, AddPartitionsToTxn,
# EndTxn, WriteTxnMarkers), a consumer in a classic group (JoinGroup, SyncGroup,
# Heartbeat, OffsetCommit) and one in a KIP-848 group (ConsumerGroupHeartbeat).
#
#   1. kwire decode of the capture: every frame of every connection described and decoded,
#      no gap, no undescribed body, no decode error, every response paired; the APIs above
#      are among those seen.
#   2. Differential check against tshark 4.0's Kafka dissector (-d tcp.port==P,kafka for
#      every listener), frame by frame for the frames tshark decodes: request api key,
#      api version, correlation id and client id; response correlation id; and, where
#      tshark dissected the body without marking it malformed, the set of topic names
#      (kafka.topic_name) and of error codes (kafka.error).
# Needs root (capture on lo), dumpcap and tshark, Java 17+; skipped without them. The
# cluster and dumpcap are stopped by PID; every wait is bounded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-kdecode.XXXXXX)
integ_name=integ_kafka_decode
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "build $kw first (make all)"
if [ "$(id -u)" -ne 0 ] || ! command -v dumpcap >/dev/null || ! command -v tshark >/dev/null || ! command -v java >/dev/null; then
  echo "integ_kafka_decode: skipped (needs root, dumpcap, tshark and Java)"; exit 0
fi
if [ "${KW_PASS:-plain}" != plain ]; then
  # the cluster is this script's own (captured from its start): a second one beside the
  # plain pass's would add three JVMs to the shared machine; the decoder under the
  # sanitizers is exercised by integ_decode.sh and the fuzzers
  echo "integ_kafka_decode: skipped in the ${KW_PASS} pass (runs in the plain pass)"; exit 0
fi

D=$tmp/kc
cpid=""; spid=""
at_exit '[ -n "$cpid" ] && stop_pid "$cpid"; [ -n "$spid" ] && stop_pid "$spid"; scripts/kafka.sh stop "$D" >/dev/null 2>&1'

# 1. the cluster, captured from its first packet: kafka.sh writes each node's settings
# (its ports) before formatting the storage, so dumpcap starts before any node listens
scripts/kafka.sh start "$D" --brokers 3 --timeout 300 >"$tmp/start.out" 2>&1 &
spid=$!
for _ in $(seq 600); do
  [ -f "$D/node1/server.properties" ] && [ -f "$D/node2/server.properties" ] && [ -f "$D/node3/server.properties" ] && break
  kill -0 "$spid" 2>/dev/null || break
  sleep 0.1
done
sleep 0.2 # the last file complete
ports=$(grep -ho '127\.0\.0\.1:[0-9]*' "$D"/node*/server.properties 2>/dev/null | sed 's/.*://' | sort -un)
[ "$(echo "$ports" | wc -w)" -ge 6 ] || { cat "$tmp/start.out" >&2; fail "no listener ports in $D/node*/server.properties"; }
filter="tcp and ($(echo $ports | sed 's/ / or port /g; s/^/port /'))"
dumpcap -q -i lo -B 64 -P -f "$filter" -w "$tmp/cap.pcap" 2>"$tmp/dumpcap.err" &
cpid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$tmp/dumpcap.err" 2>/dev/null && break; sleep 0.1; done
grep -q "Capturing on" "$tmp/dumpcap.err" || fail "dumpcap did not start: $(cat "$tmp/dumpcap.err")"
wait "$spid" || { cat "$tmp/start.out" >&2; fail "could not start a 3-node Kafka 4.4.0"; }
spid=""
sed 's/^/  /' "$tmp/start.out"
K=$(cat "$D/bootstrap")

# 2. Kafka's Java clients
kt() { timeout 180 scripts/kafka.sh tool "$D" "$@"; }
kt topics --bootstrap-server "$K" --create --topic dec --partitions 3 --replication-factor 3 >"$tmp/j.out" 2>&1 ||
  fail "topics --create: $(tail -3 "$tmp/j.out")"
kt producer-perf-test --topic dec --num-records 2000 --record-size 100 --throughput -1 \
  --producer-props bootstrap.servers="$K" acks=all compression.type=lz4 >"$tmp/j.out" 2>&1 ||
  fail "producer-perf-test: $(tail -3 "$tmp/j.out")"
kt producer-perf-test --topic dec --num-records 500 --record-size 100 --throughput -1 --transactional-id txn-dec \
  --transaction-duration-ms 200 --producer-props bootstrap.servers="$K" >"$tmp/j.out" 2>&1 ||
  fail "transactional producer-perf-test: $(tail -3 "$tmp/j.out")"
# the classic consumer heartbeats every 200 ms and waits up to 15 s for records (the group
# coordinator holds a new group's first rebalance 3 s), so
# Heartbeat frames are seen
kt console-consumer --bootstrap-server "$K" --topic dec --group g-classic --from-beginning --max-messages 2500 \
  --timeout-ms 15000 --consumer-property heartbeat.interval.ms=200 \
  >/dev/null 2>"$tmp/j.out" || fail "console-consumer (classic group): $(tail -3 "$tmp/j.out")"
grep -q "Processed a total of 2500 messages" "$tmp/j.out" || fail "console-consumer (classic group): $(tail -3 "$tmp/j.out")"
kt console-consumer --bootstrap-server "$K" --topic dec --group g-848 --consumer-property group.protocol=consumer \
  --from-beginning --max-messages 300 >/dev/null 2>"$tmp/j.out" || fail "console-consumer (consumer group): $(tail -3 "$tmp/j.out")"
grep -q "Processed a total of 300 messages" "$tmp/j.out" || fail "console-consumer (consumer group): $(tail -3 "$tmp/j.out")"
kt consumer-groups --bootstrap-server "$K" --describe --all-groups >"$tmp/j.out" 2>&1 || fail "consumer-groups: $(tail -3 "$tmp/j.out")"
kt configs --bootstrap-server "$K" --describe --entity-type topics --entity-name dec >"$tmp/j.out" 2>&1 ||
  fail "configs: $(tail -3 "$tmp/j.out")"
kt metadata-quorum --bootstrap-server "$K" describe --status >"$tmp/j.out" 2>&1 || fail "metadata-quorum: $(tail -3 "$tmp/j.out")"
kt topics --bootstrap-server "$K" --describe --topic dec >"$tmp/j.out" 2>&1 || fail "topics --describe: $(tail -3 "$tmp/j.out")"
sleep 2
stop_pid "$cpid"; cpid=""
echo "integ_kafka_decode: capture: $(grep -o "Packets received/dropped.*" "$tmp/dumpcap.err")"
# check DESCRIPTION 'CONDITION': not the library's check, on purpose: the condition is a
# string evaluated here (it reads the files and variables of the runs above)
check() { if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; nfail=$((nfail + 1)); fi; }
nfail=0
echo "integ_kafka_decode:"

# 3. kwire decode: everything described, nothing malformed
timeout 300 "$kw" decode "$tmp/cap.pcap" >"$tmp/dec.txt" 2>"$tmp/dec.err"; rc=$?
sum=$(grep "^kwire decode: $tmp/cap.pcap:" "$tmp/dec.err")
check "decode exit 0 (got $rc: $(grep -v "^kwire decode: $tmp/cap.pcap:" "$tmp/dec.err" | head -3))" '[ $rc -eq 0 ]'
check "summary: no gap, nothing undescribed, no decode error, no unpaired response ($sum)" \
  'grep -q " 0 gaps, 0 bytes skipped, 0 bodies not described, 0 decode errors" <<<"$sum" && grep -q " 0 unpaired)" <<<"$sum"'
check "no error, note or undecoded body in the output" '! grep -q "^!! ERROR\|not decoded\|no description" "$tmp/dec.txt"'
sed -n 's/^== .*  \(request\|response\)  \([A-Za-z]*\) v\([0-9]*\)  correlation_id .*/\2 v\3/p' "$tmp/dec.txt" | sort | uniq -c |
  sort -rn >"$tmp/apis"
echo "  frames by API and version: $(awk '{printf "%s%s %s x%s", (NR > 1 ? ", " : ""), $2, $3, $1}' "$tmp/apis")"
for a in ApiVersions Metadata Vote BeginQuorumEpoch Fetch BrokerRegistration ControllerRegistration BrokerHeartbeat \
         CreateTopics Produce InitProducerId AddPartitionsToTxn EndTxn WriteTxnMarkers FindCoordinator JoinGroup SyncGroup \
         Heartbeat OffsetCommit OffsetFetch ListOffsets ConsumerGroupHeartbeat DescribeGroups ListGroups DescribeConfigs \
         DescribeQuorum; do
  check "the capture has $a frames" 'grep -q " $a v" "$tmp/apis"'
done

# 4. tshark's dissector on the same capture, frame by frame
dargs=()
for p in $ports; do dargs+=(-d "tcp.port==$p,kafka"); done
timeout 300 "$kw" -q decode --json "$tmp/cap.pcap" >"$tmp/dec.json" 2>/dev/null
tshark -r "$tmp/cap.pcap" "${dargs[@]}" -Y kafka -T json -j "tcp kafka _ws.malformed" --no-duplicate-keys \
  >"$tmp/tshark.json" 2>"$tmp/tshark.err" || fail "tshark: $(head -3 "$tmp/tshark.err")"
diffmsg=$(python3 - "$tmp/dec.json" "$tmp/tshark.json" <<'EOF'
import json, sys
kw = [f for f in json.load(open(sys.argv[1]))["frames"] if f.get("kind") == "frame"]
ts = json.load(open(sys.argv[2]))

def aslist(v):
    return v if isinstance(v, list) else [v]

# kwire's frames by (src, dst, correlation id, request/response)
ours = {}
for f in kw:
    src, dst = f["stream"].split(" -> ")
    d = "request" if f["direction"] == "request" else "response"
    hdr, topics, errors = {}, set(), set()
    for x in f["fields"]:
        if x.get("kind") != "field":
            continue
        p, n, v = x["path"], x["name"], x.get("value", "")
        if p.startswith("header."):
            hdr[n] = v
        elif n in ("name", "topic", "topic_name") and "topic" in p and x["type"].endswith("string") and v != "null":
            topics.add(json.loads(v))
        elif n == "error_code":
            errors.add(int(v.split()[0]))
    ours[(src, dst, f.get("correlation_id"), d)] = (f, hdr, topics, errors)

compared = agree = bodies = 0
bad = []
for pkt in ts:
    layers = pkt["_source"]["layers"]
    tcp = layers["tcp"]
    src = "127.0.0.1:" + aslist(tcp["tcp.srcport"])[0]
    dst = "127.0.0.1:" + aslist(tcp["tcp.dstport"])[0]
    malformed = "_ws.malformed" in layers
    for k in aslist(layers.get("kafka", [])):
        if "kafka.correlation_id" not in k:
            continue
        corr = int(aslist(k["kafka.correlation_id"])[0])
        req = "kafka.request_key" in k
        key = (src, dst, corr, "request" if req else "response")
        compared += 1
        if key not in ours:
            bad.append(f"{key}: tshark has a frame kwire does not"); continue
        f, hdr, topics, errors = ours[key]
        diffs = []
        if req:
            if int(aslist(k["kafka.request_key"])[0]) != f.get("api_key"): diffs.append("api_key")
            if int(aslist(k["kafka.api_version"])[0]) != f.get("version"): diffs.append("api_version")
            cid = aslist(k.get("kafka.client_id", [None]))[0]
            if cid is not None and json.dumps(cid) != hdr.get("client_id"): diffs.append(f"client_id {cid!r} {hdr.get('client_id')}")
        if not malformed and "_ws.expert" not in k:
            tt = set(aslist(k.get("kafka.topic_name", [])))
            te = set(int(e) for e in aslist(k.get("kafka.error", [])))
            if tt or te:
                bodies += 1
                if tt and tt != topics: diffs.append(f"topics {sorted(tt)} {sorted(topics)}")
                if te and not te <= errors: diffs.append(f"errors {sorted(te)} {sorted(errors)}")
        if diffs:
            bad.append(f"{f.get('api')} v{f.get('version')} {key}: {', '.join(diffs)}")
        else:
            agree += 1
print(f"{compared} frames tshark decodes compared (request api key, api version, correlation id, client id; "
      f"response correlation id; topic names and error codes of {bodies} bodies): {agree} agree, {len(bad)} differ")
for b in bad[:10]:
    print("   ", b)
sys.exit(1 if bad or compared == 0 else 0)
EOF
); drc=$?
echo "  $diffmsg" | head -12
check "tshark differential: every frame tshark decodes agrees with kwire" '[ $drc -eq 0 ]'

echo "integ_kafka_decode: $nfail failed"
[ "$nfail" -eq 0 ]
