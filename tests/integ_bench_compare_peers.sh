#!/usr/bin/env bash
# tests/integ_bench_compare_peers.sh — `kwire bench compare` with every client on the shared
# real broker (Apache Kafka 4.4.0, tests/lib_kafka.sh kafka_use), at a small count:
#   1. -n 3000 --partitions 3 --json: kwire, Kafka's Java perf tools, franz-go (built once
#      into the cache folder with the Go module proxy), confluent-kafka and kafka-python
#      3.0.12 (PyPI, a venv in the cache folder), Debian's kafka-python 2.0.2, kwire-cli and
#      kcat each produce into a fresh topic and consume back; tests/compare_check.py holds
#      each row to records == expected (kafka-python 300) with positive figures, latency
#      percentiles for kwire, Java and franz-go, and the ratios to the targets. A client
#      whose prerequisite this machine lacks (no Go 1.26 on PATH; PyPI not reachable) must be
#      "missing" with that reason; every other one must be "ok". Then each produces with
#      compression.type=snappy (the labs' codecs must work in every client).
#   2. the same with none of them to be had (no java, go or kcat on PATH, an empty cache
#      folder, pip's index on a closed port): each is "missing" with its reason and no
#      figures, kwire, kwire-cli and Debian's kafka-python are still measured, exit 0.
# Run from the top dir after `make all`.
set -u
integ_name=integ_bench_compare_peers
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-compare-peers.XXXXXX)
. tests/lib_integ.sh
. tests/lib_kafka.sh
[ -x "$kw" ] || fail "make all first"
command -v kcat >/dev/null || fail "kcat is not installed (this test needs it)"
/usr/bin/python3 -c 'import kafka' 2>/dev/null || fail "python3-kafka is not installed (this test needs it)"
start=$(date +%s)
kafka_use 4.4.0

# 1. every client; what this machine cannot have must say so
franz=ok python=ok
if ! command -v go >/dev/null; then franz="missing:Go not found"
elif ! go env GOVERSION | grep -Eq '^go(1\.(2[6-9]|[3-9][0-9])|[2-9])'; then franz="missing:too old"; fi
timeout 900 "$kw" -b "$KAFKA" bench compare -n 3000 --partitions 3 --json >"$tmp/all.json" 2>"$tmp/run.err" ||
  fail "bench compare exited $?"
# PyPI out of reach shows as a failed pip install (the only way the venv can be missing here)
grep -q '"client": "confluent-kafka", "direction": "produce", "status": "missing", .*pip install failed' "$tmp/all.json" &&
  python="missing:pip install failed"
/usr/bin/python3 tests/compare_check.py "$tmp/all.json" 3000 kwire=ok java=ok "franz-go=$franz" \
  "confluent-kafka=$python" "kafka-python=$python" kafka-python-deb=ok kwire-cli=ok kcat=ok ||
  fail "every client: $(head -c 4000 "$tmp/all.json")"
/usr/bin/python3 - "$tmp/all.json" "$KAFKA" <<'PYEOF' || fail "every client: $(head -c 4000 "$tmp/all.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bootstrap"] == sys.argv[2] and d["partitions"] == 3, (d["bootstrap"], d["partitions"])
runs = {(r["client"], r["direction"]): r for r in d["runs"]}
# the clients say what they are; the settings each was given besides are named
versions = {c: runs[(c, "produce")].get("version") for c in ("confluent-kafka", "kafka-python", "kafka-python-deb")
            if runs[(c, "produce")]["status"] == "ok"}
assert versions.get("kafka-python-deb") == "kafka-python 2.0.2", versions
assert versions.get("kafka-python", "kafka-python 3.0.12") == "kafka-python 3.0.12", versions
assert versions.get("confluent-kafka", "confluent-kafka 2.16.1").startswith("confluent-kafka 2.16.1"), versions
assert "consumer-perf-test's own" in runs[("java", "consume")]["settings_adjusted"], runs[("java", "consume")]
# the Java tools and kwire time themselves too
for c in ("java", "kwire"):
    for dr in ("produce", "consume"):
        assert runs[(c, dr)]["own_records_per_sec"] > 0, runs[(c, dr)]
PYEOF

# every client compresses as the labs ask (P3's snappy here; kafka-python needs its codec modules)
timeout 900 "$kw" -b "$KAFKA" -X compression.type=snappy bench compare -n 1000 --partitions 3 --produce-only --json \
  >"$tmp/snappy.json" 2>"$tmp/run.err" || fail "snappy: bench compare exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/snappy.json" 1000 kwire=ok java=ok "franz-go=$franz" \
  "confluent-kafka=$python" "kafka-python=$python" kafka-python-deb=ok kwire-cli=ok kcat=ok ||
  fail "snappy: $(head -c 4000 "$tmp/snappy.json")"

# 2. none of the downloadable or optional clients to be had
mkdir -p "$tmp/bin" "$tmp/cache"
for t in bash sh env dirname mkdir rm grep tail head tr mv touch cat sed flock readlink; do
  p=$(command -v "$t") && ln -s "$p" "$tmp/bin/$t"
done
timeout 300 env -u JAVA_HOME PATH="$tmp/bin" KWIRE_CACHE="$tmp/cache" GOPROXY=off PIP_INDEX_URL=http://127.0.0.1:1/simple \
  PIP_RETRIES=0 PIP_TIMEOUT=2 "$kw" -b "$KAFKA" bench compare -n 3000 --partitions 3 --json >"$tmp/none.json" \
  2>"$tmp/run.err" || fail "with no peers to be had: exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/none.json" 3000 kwire=ok "java=missing:kafka.sh:" "franz-go=missing:Go not found" \
  "confluent-kafka=missing:pip install failed" "kafka-python=missing:pip install failed" kafka-python-deb=ok kwire-cli=ok \
  "kcat=missing:kcat not found" || fail "with no peers to be had: $(head -c 4000 "$tmp/none.json")"

echo "integ_bench_compare_peers: ok ($(( $(date +%s) - start )) s)"
