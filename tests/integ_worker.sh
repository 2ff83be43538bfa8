#!/usr/bin/env bash
# tests/integ_worker.sh — `kwire bench worker` and `kwire bench merge --status` on their
# own (no Trogdor: the start line piped in as an agent writes it) against the embedded
# broker (bin/kwire-broker, 1 broker, topic wt of 3 partitions; it has no CreateTopics, so
# the worker logs that the topics must exist and goes on). Runs in both passes, so the
# worker's run, status and merge code is also checked under the sanitizers
# (tests/integ_trogdor.sh, plain pass only, drives it through Trogdor on real Kafka):
#   1. two producer workers at once (paced, latencyLog files) and a consumer worker:
#      merge --status of the producers = the records read back = what the consumer read;
#      the merged histogram's count = the workers' counts; its p50/p99/p99.9/max = those of
#      the pooled per-record latencies within the histogram's precision.
#   2. bad input rows: bad JSON, no workload object, unknown fields (all named), an
#      unknown setting (with a suggestion), nothing that ends the run, an unreachable
#      bootstrap: an {"error"} line naming it and exit 1; merge --status of an output
#      without a status names it and exits 1.
#   3. SIGTERM mid-run: a final "stopped" status and exit 0 within 5 s (Trogdor's default
#      grace period); merge --status takes that status.
set -u
cd "$(dirname "$0")/.."
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-worker.XXXXXX)
integ_name=integ_worker
. tests/lib_integ.sh
[ -x "$kw" ] && [ -x bin/kwire-broker ] || fail "build bin/kwire and bin/kwire-broker first (make all)"

start_broker --brokers 1 --topic wt:3
B=$bs
echo "integ_worker: embedded broker at $B"

# ---- 1. two producers at once, one consumer
N=5000
pw() { printf '{"id":"%s","workload":{"bootstrapServers":"%s","targetMessagesPerSec":2500,"maxMessages":%s,"activeTopics":{"wt":{}},"valueGenerator":{"type":"constant","size":100},"producerConf":{"linger.ms":"2"},"statusIntervalMs":500,"latencyLog":"%s"}}\n' "$1" "$B" "$N" "$2"; }
pw w1 "$tmp/lat1" | timeout 60 "$kw" bench worker >"$tmp/w1.out" 2>"$tmp/w1.err" &
p1=$!
pw w2 "$tmp/lat2" | timeout 60 "$kw" bench worker >"$tmp/w2.out" 2>"$tmp/w2.err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "both producer workers exit 0" [ $r1 = 0 -a $r2 = 0 ]
check "their last lines are 'done' statuses" bash -c "tail -1 '$tmp/w1.out' | grep -q '\"state\":\"done\"' && tail -1 '$tmp/w2.out' | grep -q '\"state\":\"done\"'"
check "the missing-CreateTopics log line" grep -q '^{"log":"the cluster does not take CreateTopics' "$tmp/w1.out"
printf '{"id":"c1","workload":{"kind":"consume","bootstrapServers":"%s","maxMessages":%s,"activeTopics":["wt"]}}\n' "$B" $((2 * N)) |
  timeout 60 "$kw" bench worker >"$tmp/c1.out" 2>"$tmp/c1.err"
check "the consumer worker exits 0" [ $? = 0 ]
"$kw" --json bench merge --status "$tmp/w1.out" "$tmp/w2.out" >"$tmp/m.json" 2>"$tmp/m.err"
check "merge --status of both exits 0" [ $? = 0 ]
"$kw" bench merge --status "$tmp/w1.out" "$tmp/w2.out" 2>&1 | sed 's/^/    /'
"$kw" -b "$B" consume -t wt -o beginning -e -f '%o\n' >"$tmp/readback" 2>"$tmp/readback.err"
in_topic=$(wc -l <"$tmp/readback")
merged=$(python3 -c "import json; print(json.load(open('$tmp/m.json'))['records'])")
consumed=$("$kw" --json bench merge --status "$tmp/c1.out" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')
check "merged records ($merged) = records in the topic ($in_topic) = consumed ($consumed) = 2 x $N" \
  [ "$merged" = "$in_topic" -a "$merged" = "$consumed" -a "$merged" = $((2 * N)) ]
python3 - "$tmp/m.json" "$tmp/lat1" "$tmp/lat2" >"$tmp/pct.out" 2>&1 <<'EOP'
import json, math, sys
from fractions import Fraction
m = json.load(open(sys.argv[1]))
lat, ws = m["latency_ms"], m["workers"]
vals = sorted(int(l) for f in sys.argv[2:] for l in open(f) if l.strip())
ok = lat["count"] == sum(w["histogramCount"] for w in ws) == sum(w["records"] for w in ws) == len(vals)
print(("ok   " if ok else "FAIL ") + "merged count %d, workers' counts %s, pooled latencies %d"
      % (lat["count"], [w["histogramCount"] for w in ws], len(vals)))
for p, key in ((50, "p50"), (99, "p99"), (99.9, "p999"), (100, "max")):
    exact = vals[max(1, math.ceil(Fraction(str(p)) * len(vals) / 100)) - 1]  # HdrHistogram's rank
    got = round(lat[key] * 1000)
    good = exact <= got <= exact * 1.001 + 1
    ok &= good
    print(("ok   " if good else "FAIL ") + "%s: merged %d us, pooled records %d us" % (key, got, exact))
sys.exit(0 if ok else 1)
EOP
prc=$?
sed 's/^/    /' "$tmp/pct.out"
check "merged percentiles = the pooled per-record latencies' (histogram precision)" [ $prc = 0 ]

# ---- 2. bad input
bad_row() { # NAME EXPECTED-TEXT START-LINE
  local out rc good=0
  out=$(printf '%s\n' "$3" | timeout 60 "$kw" bench worker 2>/dev/null); rc=$?
  printf '%s\n' "$out" >"$tmp/bad.out"
  [ $rc = 1 ] && grep -q "^{\"error\":\".*$2" <<<"$out" && good=1
  check "$1: exit 1 and an error line ($(head -c 110 <<<"$out"))" [ $good = 1 ]
}
dead=127.0.0.1:$(free_port)
bad_row "bad JSON" "not JSON: byte 42" '{"id":"x","workload":{"bootstrapServers":'
bad_row "no workload object" 'no \\"workload\\" object' '{"id":"x","workload":[1]}'
bad_row "unknown fields" "unknown workload fields: throughput, acks" \
  "{\"id\":\"x\",\"workload\":{\"bootstrapServers\":\"$B\",\"maxMessages\":1,\"activeTopics\":{\"wt\":{}},\"throughput\":5,\"acks\":1}}"
bad_row "unknown setting" "producerConf: unknown setting lingerms (did you mean linger.ms?)" \
  "{\"id\":\"x\",\"workload\":{\"bootstrapServers\":\"$B\",\"maxMessages\":1,\"activeTopics\":{\"wt\":{}},\"producerConf\":{\"lingerms\":\"5\"}}}"
bad_row "no end" "neither maxMessages nor durationMs" \
  "{\"id\":\"x\",\"workload\":{\"bootstrapServers\":\"$B\",\"activeTopics\":{\"wt\":{}}}}"
bad_row "unreachable bootstrap" "cannot reach the cluster at $dead" \
  "{\"id\":\"x\",\"workload\":{\"bootstrapServers\":\"$dead\",\"maxMessages\":1,\"activeTopics\":{\"wt\":{}},\"commonClientConf\":{\"request.timeout.ms\":\"3000\"}}}"
"$kw" bench merge --status "$tmp/w1.out" "$tmp/bad.out" >"$tmp/mbad.txt" 2>&1
rc=$?
check "merge --status with an output that has no status: exit 1, named, the rest merged" \
  bash -c "[ $rc = 1 ] && grep -q 'missing $tmp/bad.out: no status line' '$tmp/mbad.txt' && grep -q '^merged: $N records' '$tmp/mbad.txt'"

# ---- 3. SIGTERM: a final status, exit 0, within the grace period
mkfifo "$tmp/term.in"
"$kw" bench worker <"$tmp/term.in" >"$tmp/term.out" 2>"$tmp/term.err" &
wpid=$!
exec 3>"$tmp/term.in" # held open, as Trogdor holds the worker's stdin
at_exit 'kill -KILL $wpid 2>/dev/null'
printf '{"id":"term","workload":{"bootstrapServers":"%s","targetMessagesPerSec":500,"durationMs":60000,"activeTopics":{"wt":{}},"statusIntervalMs":300}}\n' "$B" >&3
for _ in $(seq 100); do grep -q '"state":"running","startMs":[0-9]*,"elapsedMs":[0-9]*,"records":[1-9]' "$tmp/term.out" 2>/dev/null && break; sleep 0.1; done
t0=$(now_ms)
kill -TERM "$wpid"
wait "$wpid"; wrc=$?
t1=$(now_ms)
exec 3>&-
check "SIGTERM: exit 0 in $((t1 - t0)) ms (< 5000) with a final 'stopped' status" \
  bash -c "[ $wrc = 0 ] && [ $((t1 - t0)) -lt 5000 ] && tail -1 '$tmp/term.out' | grep -q '\"state\":\"stopped\"'"
"$kw" --json bench merge --status "$tmp/term.out" >"$tmp/mterm.json" 2>/dev/null
check "merge --status takes the stopped worker's final status" \
  python3 -c "import json,sys; m=json.load(open('$tmp/mterm.json')); w=m['workers'][0]; sys.exit(0 if m['merged']==1 and w['state']=='stopped' and m['records']==w['records']==m['latency_ms']['count']>0 else 1)"

checks_done
