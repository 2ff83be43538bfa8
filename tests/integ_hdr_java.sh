#!/usr/bin/env bash
# tests/integ_hdr_java.sh — kwire's HdrHistogram interval logs against HdrHistogram's
# own Java library (org.hdrhistogram:HdrHistogram:2.2.2 from Maven Central, sha256
# pinned, cached under $KWIRE_CACHE, default the tree's .cache/; tests/java/HlogCheck.java
# compiled here with javac):
#   1. logs kwire wrote (`bench produce --throughput --hlog`, `bench e2e --hlog`, against
#      bin/kwire-broker started here and stopped by its PID) read by HistogramLogReader:
#      per tag the same layout, total count, max, mean (to the bit), p50 .. p100 and the
#      count of every recorded value as kwire's reader finds (tests/tool_hdrdump.c), and
#      the figures `kwire bench merge --json` prints;
#   2. HdrHistogram's HistogramLogProcessor reads them: its total count and max are kwire's;
#   3. a log HdrHistogram's HistogramLogWriter wrote (tagged, untagged, another layout)
#      read by kwire to the same counts and figures as Java reads it; `bench merge` reads it.
# Skipped, saying so, only when Maven Central cannot be reached and the jar is not cached.
# Real broker: the logs do not depend on the broker; the mock only supplies latencies.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tools=${KW_TOOLS:-build/tests}
tmp=$(mktemp -d /tmp/kwire-integ-hdrjava.XXXXXX)
integ_name=integ_hdr_java
. tests/lib_integ.sh
[ -x "$kwire" ] && [ -x bin/kwire-broker ] || fail "build bin/kwire and bin/kwire-broker first (make all)"
[ -x "$tools/tool_hdrdump" ] || fail "$tools/tool_hdrdump not built (make integration builds it)"

cache=${KWIRE_CACHE:-$top/.cache}
version=2.2.2
sha256=22d1d4316c4ec13a68b559e98c8256d69071593731da96136640f864fa14fad8
jar=$cache/maven/org/hdrhistogram/HdrHistogram/$version/HdrHistogram-$version.jar
url=https://repo1.maven.org/maven2/org/hdrhistogram/HdrHistogram/$version/HdrHistogram-$version.jar
if ! { [ -s "$jar" ] && echo "$sha256  $jar" | sha256sum -c --quiet >/dev/null 2>&1; }; then
  command -v curl >/dev/null || fail "curl not installed (scripts/deps.sh test)"
  mkdir -p "$(dirname "$jar")" || fail "cannot create $(dirname "$jar")"
  part=$(mktemp "$jar.part.XXXXXX") # beside it: the rename below is atomic
  curl -sSfL --retry 2 --connect-timeout 20 --max-time 180 -o "$part" "$url" 2> "$tmp/curl.err"
  rc=$?
  if [ $rc -ne 0 ]; then
    rm -f "$part"
    case $rc in
      5|6|7|28|35|52|55|56)
        echo "integ_hdr_java: skipped: Maven Central unreachable (curl exit $rc: $(head -1 "$tmp/curl.err")), and HdrHistogram $version is not cached in $cache"
        exit 0 ;;
    esac
    fail "downloading $url: curl exit $rc: $(head -1 "$tmp/curl.err")"
  fi
  echo "$sha256  $part" | sha256sum -c --quiet >/dev/null 2>&1 ||
    { rm -f "$part"; fail "$url does not have the pinned sha256 $sha256"; }
  mv -f "$part" "$jar"
  echo "  fetched HdrHistogram $version into $jar"
fi
command -v javac >/dev/null && command -v java >/dev/null ||
  fail "javac/java not found (scripts/deps.sh test installs openjdk-17-jdk-headless)"
javac -nowarn -d "$tmp/classes" -cp "$jar" tests/java/HlogCheck.java 2> "$tmp/javac.err" || fail "javac HlogCheck.java"
jrun() { java -cp "$jar:$tmp/classes" "$@"; }

start_broker --brokers 3 --topic hj:3 --topic hje:1
BS=$bs
kw() { timeout 120 "$kwire" -b "$BS" "$@"; }

# 1. kwire's logs, read by both
kw bench produce -t hj -n 6000 --throughput 3000 --reporting-interval 400 --hlog "$tmp/p.hlog" \
  > "$tmp/p.out" 2> "$tmp/p.err" || fail "bench produce --hlog"
kw bench e2e -t hje -n 1500 --reporting-interval 100 --hlog "$tmp/e.hlog" > "$tmp/e.out" 2> "$tmp/e.err" ||
  fail "bench e2e --hlog"
jrun HlogCheck dump "$tmp/p.hlog" "$tmp/e.hlog" > "$tmp/java.txt" 2> "$tmp/java.err" || fail "HdrHistogram's reader"
"$tools/tool_hdrdump" "$tmp/p.hlog" "$tmp/e.hlog" > "$tmp/kwire.txt" 2> "$tmp/dump.err" || fail "tool_hdrdump"
diff "$tmp/java.txt" "$tmp/kwire.txt" > "$tmp/diff.txt" ||
  { head -20 "$tmp/diff.txt"; fail "HdrHistogram (<) and kwire (>) read kwire's logs differently"; }
grep '^tag ' "$tmp/java.txt" | sed 's/^/  java: /'
[ "$(grep -c '^tag ' "$tmp/java.txt")" -eq 4 ] || fail "4 tags expected (e2e, response, send-delay, service)"
grep -Eq '^tag service intervals [0-9]+ layout 1 3600000000 3 count 6000 ' "$tmp/java.txt" &&
  grep -Eq '^tag e2e intervals [0-9]+ layout 1 3600000000 3 count 1500 ' "$tmp/java.txt" ||
  fail "Java's counts: service 6000, e2e 1500"
[ "$(grep -vc '^tag ' "$tmp/java.txt")" -gt 100 ] || fail "too few recorded values to compare"
kw --json bench merge "$tmp/p.hlog" "$tmp/e.hlog" > "$tmp/merge.json" 2> "$tmp/merge.err" || fail "bench merge"
python3 - "$tmp/java.txt" "$tmp/merge.json" <<'PY' || fail "bench merge's figures differ from HdrHistogram's"
import json, struct, sys
java = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] != "tag":
        continue
    kv = dict(zip(f[1::2], f[2::2]))
    java[f[1]] = {"count": int(f[f.index("count") + 1]), "max": int(f[f.index("max") + 1]),
                  "mean": struct.unpack(">d", bytes.fromhex(f[f.index("mean") + 1].rjust(16, "0")))[0],
                  **{k: int(f[f.index(k) + 1]) for k in ("p50.0", "p95.0", "p99.0", "p99.9", "p99.99")}}
m = json.load(open(sys.argv[2]))
assert sorted(s["tag"] for s in m["series"]) == sorted(java), (m["series"], java)
for s in m["series"]:
    j, l = java[s["tag"]], s["latency_ms"]
    assert l["count"] == j["count"], (s["tag"], l, j)
    for ours, theirs in (("p50", "p50.0"), ("p95", "p95.0"), ("p99", "p99.0"), ("p999", "p99.9"), ("p9999", "p99.99"),
                         ("max", "max")):
        assert "%.3f" % (j[theirs] / 1000.0) == "%.3f" % l[ours], (s["tag"], ours, l[ours], j[theirs])
    assert "%.3f" % (j["mean"] / 1000.0) == "%.3f" % l["mean"], (s["tag"], l["mean"], j["mean"])
PY

# 2. HdrHistogram's own log processor
jrun org.HdrHistogram.HistogramLogProcessor -i "$tmp/p.hlog" -tag service -outputValueUnitRatio 1000 \
  > "$tmp/proc.txt" 2> "$tmp/proc.err" || fail "HistogramLogProcessor"
jmax=$(grep '^tag service ' "$tmp/java.txt" | sed -E 's/.* max ([0-9]+) .*/\1/')
want=$(awk -v m="$jmax" 'BEGIN { printf "%.3f", m / 1000 }')
grep -Eq "^#\[Max += +$want, Total count += +6000\]$" "$tmp/proc.txt" ||
  { tail -3 "$tmp/proc.txt"; fail "HistogramLogProcessor: want Max = $want, Total count = 6000"; }

# 3. HdrHistogram's log, read by kwire
jrun HlogCheck write "$tmp/j.hlog" 2> "$tmp/java.err" || fail "HdrHistogram's writer"
jrun HlogCheck dump "$tmp/j.hlog" > "$tmp/java2.txt" 2> "$tmp/java.err" || fail "HdrHistogram's reader (its log)"
"$tools/tool_hdrdump" "$tmp/j.hlog" > "$tmp/kwire2.txt" 2> "$tmp/dump.err" || fail "kwire's reader (Java's log)"
diff "$tmp/java2.txt" "$tmp/kwire2.txt" > "$tmp/diff2.txt" ||
  { head -20 "$tmp/diff2.txt"; fail "HdrHistogram (<) and kwire (>) read HdrHistogram's log differently"; }
grep -q '^tag (untagged) intervals 4 layout 1000 3600000000000 2 count 20000 ' "$tmp/kwire2.txt" ||
  fail "the untagged intervals of another layout"
kw bench merge "$tmp/j.hlog" > "$tmp/jm.out" 2> "$tmp/merge.err" || fail "bench merge of HdrHistogram's log"
grep -Eq '^alpha +20000 ' "$tmp/jm.out" && grep -Eq '^\(untagged\) +20000 ' "$tmp/jm.out" || fail "bench merge rows"
echo "integ_hdr_java: ok"
