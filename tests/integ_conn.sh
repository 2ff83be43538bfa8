#!/usr/bin/env bash
# tests/integ_conn.sh — the client core against the embedded broker (bin/kwire-broker,
# librdkafka's mock cluster): `kwire api-versions` negotiates (the mock knows ApiVersions
# 0..2, so kwire's v4 request falls back to v0) and lists Metadata 0..2 in use at v2;
# `--all` reaches every broker the metadata lists; `kwire metadata` sees 3 brokers and
# the topic's 6 partitions with leaders and ISR, auto-creates a topic when asked, and
# reports an unknown topic as an error (exit 1); a dead bootstrap entry is skipped for a
# live one; a broker taken down over the control FIFO makes api-versions on it fail
# fast; --dump prints every frame (text and JSON). The broker is stopped by PID; every wait is bounded. Run from the top dir.
# Real broker: version negotiation on Apache Kafka 4.4.0 and 3.9.2, for every command,
# is tests/integ_kafka_versions.sh; this script keeps the mock for its classic-only
# ApiVersions (the v4 -> v0 fallback) and for taking a broker down over its FIFO.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-conn.XXXXXX)

integ_name=integ_conn
. tests/lib_integ.sh

# on failure (the library's fail): the last kwire run's whole output and the broker's stderr
integ_on_fail() {
  [ -s "$tmp/out" ] && sed 's/^/  output: /' "$tmp/out"
  [ -s "$tmp/broker.err" ] && sed 's/^/  broker stderr: /' "$tmp/broker.err"
}

for f in "$kwire" bin/kwire-broker; do
  [ -x "$f" ] || make --no-print-directory "$f" >/dev/null || fail "building $f"
done

start_broker --brokers 3 --topic orders:6 --control "$tmp/ctl"
kw() { timeout 30 "$kwire" -q -b "$1" "${@:2}" >"$tmp/out" 2>&1; }

# 1. api-versions on the first broker: the fallback to v0 and the negotiated versions
kw "$bs" api-versions || fail "api-versions exit $?"
grep -q '^broker 127.0.0.1:[0-9]*: ApiVersions v0$' "$tmp/out" || fail "no ApiVersions v0 line"
grep -Eq '^  Metadata +3  0\.\.2 +0\.\.13 +v2$' "$tmp/out" || fail "Metadata row"
grep -Eq '^  Produce +0  0\.\.7 +3\.\.13 +v7$' "$tmp/out" || fail "Produce row"
# the mock accepts Produce v0-2, which Kafka 4.0 removed (KIP-896): marked under the row
grep -A1 '^  Produce ' "$tmp/out" | grep -Eq '^ +! v0\.\.2 are accepted here, removed in Kafka 4\.0 \(KIP-896\): kwire never sends them$' ||
  fail "no KIP-896 line under Produce"
kw "$bs" --json api-versions || fail "api-versions --json exit $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a={x["key"]:x for x in d[0]["apis"]}; assert d[0]["api_versions_version"]==0 and a[3]["use"]==2 and a[18]["broker_max"]==2 and a[0]["removed_in_4_0"]=={"min":0,"max":2,"kwire_sends":False} and "removed_in_4_0" not in a[3]' "$tmp/out" ||
  fail "api-versions JSON"

# 2. --all: one block per broker of the metadata
kw "$bs" api-versions --all || fail "api-versions --all exit $?"
[ "$(grep -c '^broker .* (node [123]): ApiVersions v0$' "$tmp/out")" -eq 3 ] || fail "--all did not reach 3 brokers"

# 3. metadata: brokers, topic, partitions
kw "$bs" metadata orders || fail "metadata exit $?"
grep -q '^3 brokers:$' "$tmp/out" || fail "3 brokers"
grep -q '^  topic "orders" with 6 partitions$' "$tmp/out" || fail "orders with 6 partitions"
[ "$(grep -c '^    partition [0-5], leader [123], ' "$tmp/out")" -eq 6 ] || fail "6 partition lines with leaders"
kw "$bs" --json metadata || fail "metadata --json exit $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t={x["name"]:x for x in d["topics"]}; assert len(d["brokers"])==3 and len(t["orders"]["partitions"])==6 and all(p["leader"] in (1,2,3) for p in t["orders"]["partitions"])' "$tmp/out" ||
  fail "metadata JSON"

# 3b. the same cluster as kcat (librdkafka) sees it: brokers, leaders, replicas, ISR;
#     then a leader moved by the mock shows up in both after a refresh
same_as_kcat() {
  kw "$bs" --json metadata orders || fail "metadata --json exit $?"
  cp "$tmp/out" "$tmp/kw.json"
  timeout 30 kcat -b "$bs" -L -J -t orders >"$tmp/kcat.json" 2>/dev/null || fail "kcat -L"
  python3 - "$tmp/kw.json" "$tmp/kcat.json" "$1" <<'PY' || fail "kwire metadata and kcat -L disagree ($1)"
import json, sys
kw, kc, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert sorted((b["node_id"], "%s:%d" % (b["host"], b["port"])) for b in kw["brokers"]) == \
       sorted((b["id"], b["name"]) for b in kc["brokers"]), "brokers"
assert kw["controller"] == kc["controllerid"], "controller"
kp = {p["partition"]: p for p in kw["topics"][0]["partitions"]}
cp = {p["partition"]: p for p in kc["topics"][0]["partitions"]}
assert sorted(kp) == sorted(cp) == list(range(6)), "partitions"
for i in kp:
    assert kp[i]["leader"] == cp[i]["leader"], "leader of %d" % i
    assert kp[i]["replicas"] == [r["id"] for r in cp[i]["replicas"]], "replicas of %d" % i
    assert kp[i]["isr"] == [r["id"] for r in cp[i]["isrs"]], "isr of %d" % i
if want != "-":
    assert kp[0]["leader"] == int(want), "partition 0 leader %s, wanted %s" % (kp[0]["leader"], want)
PY
}
same_as_kcat -
old=$(python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["topics"][0]["partitions"] if p["partition"]==0][0]["leader"])' "$tmp/kw.json")
new=$(( old % 3 + 1 ))
timeout 5 sh -c 'printf "leader orders 0 %s\n" "$2" > "$1"' sh "$tmp/ctl" "$new" || fail "control FIFO"
for _ in $(seq 50); do grep -q "ok leader orders 0 $new" "$tmp/broker.err" && break; sleep 0.1; done
same_as_kcat "$new"

# 4. auto-creation on request (the mock gives new topics 4 partitions)
kw "$bs" metadata --auto-create fresh-topic || fail "metadata --auto-create exit $?"
grep -q '^  topic "fresh-topic" with 4 partitions$' "$tmp/out" || fail "auto-created topic"

# 4b. --dump shows every frame of the exchange, text and JSON
kw "$bs" --dump --dump-file "$tmp/dump.txt" metadata orders || fail "metadata --dump exit $?"
grep -q '^== .* kwire -> 127.0.0.1:[0-9]*  request  ApiVersions v5  correlation_id 1  size 33$' "$tmp/dump.txt" || fail "dump: ApiVersions v5 request"
grep -q 'error_code .* 35 (UNSUPPORTED_VERSION)' "$tmp/dump.txt" || fail "dump: the error-35 answer"
grep -q '^== .*  response  Metadata v2 ' "$tmp/dump.txt" || fail "dump: Metadata v2 response"
kw "$bs" --dump=json --dump-file "$tmp/dump.json" metadata orders || fail "metadata --dump=json exit $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=[(x["direction"],x["api"],x["version"]) for x in d["frames"] if x["kind"]=="frame"]; assert f==[("request","ApiVersions",5),("response","ApiVersions",5),("request","ApiVersions",0),("response","ApiVersions",0),("request","Metadata",2),("response","Metadata",2)], f' "$tmp/dump.json" ||
  fail "dump JSON frames"

# 5. a dead first bootstrap entry is skipped
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
kw "127.0.0.1:$dead,$bs" metadata orders || fail "metadata with a dead first entry exit $?"
grep -q "from ${bs%%,*})" "$tmp/out" || fail "the live broker did not answer"

# 6. a broker taken down: api-versions against it alone fails with a clear reason, fast
first=${bs%%,*}
timeout 5 sh -c 'printf "down 1\n" > "$1"' sh "$tmp/ctl" || fail "control FIFO"
for _ in $(seq 50); do grep -q '^ok down 1' "$tmp/broker.err" && break; sleep 0.1; done
grep -q '^ok down 1' "$tmp/broker.err" || fail "no reply to 'down 1'"
start=$(date +%s)
if kw "$first" -X socket.connection.setup.timeout.ms=2000 -X request.timeout.ms=2000 api-versions; then
  fail "api-versions on a downed broker succeeded"
fi
[ $(( $(date +%s) - start )) -le 10 ] || fail "api-versions on a downed broker took too long"
grep -q "kwire api-versions: $first: " "$tmp/out" || fail "no error naming the broker"

kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"; rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "broker exit status $rc"
echo "integ_conn: ok"
