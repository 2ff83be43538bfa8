#!/usr/bin/env bash
# tests/integ_bench_perf.sh — `kwire bench produce` / `kwire bench consume` against
# bin/kwire-broker (3 brokers, started here and stopped by its PID):
#   1. produce 50,000 lab records (no compression): the final line in
#      kafka-producer-perf-test's form (regex), the byte-level view printed
#   2. consume the same 50,000: kafka-consumer-perf-test's header and value line; --json
#      records == 50000, payload bytes == 50000 * 92, per-fetch figures consistent
#   3. --json produce with none and with lz4: records == 50000, records_per_batch *
#      batches == records, seal reasons add up to batches, compression ratio 1 / > 1,
#      wire bytes per record = payload + overhead
#   4. --throughput 5000 for 30,000 records: paced (about 6 s), a 5-second progress line
#   5. bad arguments exit 2
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-bench-perf.XXXXXX)
integ_name=integ_bench_perf
. tests/lib_integ.sh
[ -x "$kwire" ] && [ -x bin/kwire-broker ] || fail "build bin/kwire and bin/kwire-broker first (make all)"

start_broker --brokers 3 --topic bp-none:3 --topic bp-lz4:3 --topic bp-json:3 --topic bp-slow:1
BS=$bs
kw() { timeout 50 "$kwire" -b "$BS" "$@"; }

# 1. produce, text
kw bench produce -t bp-none -n 50000 >"$tmp/p.txt" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "produce exit"; }
final='^50000 records sent, [0-9]+\.[0-9]{6} records/sec \([0-9]+\.[0-9]{2} MB/sec\), [0-9]+\.[0-9]{2} ms avg latency, [0-9]+\.[0-9]{2} ms max latency, [0-9]+ ms 50th, [0-9]+ ms 95th, [0-9]+ ms 99th, [0-9]+ ms 99\.9th\.$'
grep -Eq "$final" "$tmp/p.txt" || { cat "$tmp/p.txt" >&2; fail "final line not in kafka-producer-perf-test's form"; }
for w in "requests " "records per batch avg" "batch fill" "sealed by .*full [0-9]+, linger [0-9]+, flush [0-9]+" \
         "before compression" "payload 92 \+ protocol overhead" "RTT avg"; do
  grep -Eq "$w" "$tmp/p.txt" || { cat "$tmp/p.txt" >&2; fail "byte-level view lacks '$w'"; }
done

# 2. consume the same 50,000
kw bench consume -t bp-none -n 50000 >"$tmp/c.txt" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "consume exit"; }
sed -n 1p "$tmp/c.txt" | grep -qx 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec' ||
  { cat "$tmp/c.txt" >&2; fail "consumer header"; }
vals='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}:[0-9]{3}, [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}:[0-9]{3}, 4\.3869, [0-9.]+, 50000, [0-9.]+, [0-9]+, [0-9]+, [0-9.]+, [0-9.]+$'
sed -n 2p "$tmp/c.txt" | grep -Eq "$vals" || { cat "$tmp/c.txt" >&2; fail "consumer value line"; }
grep -Eq "broker hold time  p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms" "$tmp/c.txt" || fail "per-fetch view"
kw --json bench consume -t bp-none -n 50000 >"$tmp/c.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "consume --json exit"; }
python3 - "$tmp/c.json" <<'PY' || fail "consume --json figures"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["records"] == 50000 and d["payload_bytes"] == 50000 * 92, d
assert abs(d["mb"] - 50000 * 92 / 2**20) < 1e-3, d["mb"]
assert d["fetches"] >= 1 and d["fetches"] - d["empty_fetches"] >= 1
# every record handed out came from a fetch; responses carry at least the payload
assert d["records_fetched"] >= 50000 and d["fetch_response_bytes"] > 50000 * 92, d
assert d["fetch_hold_ms"]["n"] == d["fetches"], d["fetch_hold_ms"]
assert d["fetch_hold_ms"]["p50"] <= d["fetch_hold_ms"]["p99"] <= d["fetch_hold_ms"]["max"] + 1e-9
assert d["poll_records_hist"]["max"] <= 500  # max.poll.records default
PY

# 3. --json produce: none, then lz4
check_produce() { # file codec
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); codec = sys.argv[2]
n = 50000
assert d["records"] == n and d["failed"] == 0, d
assert d["compression_type"] == codec, d["compression_type"]
assert abs(d["records_per_batch"] * d["batches"] - n) < 0.01 * n, (d["records_per_batch"], d["batches"])
assert d["records_per_batch_p50"] <= d["records_per_batch_max"]
assert d["records_per_batch_max"] * d["batches"] >= n
s = d["sealed"]
assert s["full"] + s["linger"] + s["flush"] == d["batches"], (s, d["batches"])
assert d["requests"] >= 1 and d["batches_per_request"] >= 1 and d["batches"] >= d["requests"]
assert 0 < d["batch_fill_pct"] <= 100.5, d["batch_fill_pct"]
r = d["compression_ratio"]
if codec == "none":
    assert r == 1 and d["bytes_before_compression"] == d["bytes_after_compression"], r
else:
    assert r > 1 and d["bytes_after_compression"] < d["bytes_before_compression"], r
assert abs(r - d["bytes_before_compression"] / d["bytes_after_compression"]) < 1e-3
w = d["wire_bytes_per_record"]
assert abs(w - d["request_bytes"] / n) < 1e-2, (w, d["request_bytes"])
assert abs(w - (92 + d["protocol_overhead_per_record"])) < 1e-2
assert abs(w - (92 + d["record_batch_framing_per_record"] + d["request_framing_per_record"]
                - d["compression_saving_per_record"])) < 1e-2, d
assert d["request_framing_per_record"] > 0
assert d["latency_p50_ms"] <= d["latency_p95_ms"] <= d["latency_p99_ms"] <= d["latency_p999_ms"] <= d["latency_max_ms"]
assert d["latency_avg_ms"] <= d["latency_max_ms"] and d["records_per_sec"] > 0 and d["mb_per_sec"] > 0
assert abs(d["mb_per_sec"] - d["records_per_sec"] * 92 / 2**20) < 1e-2 * d["mb_per_sec"] + 1e-3
print("%s: %.0f records/s, %d batches of %.1f records (p50 %d, max %d), fill %.1f%%, ratio %.3f, %.2f wire bytes/record"
      % (codec, d["records_per_sec"], d["batches"], d["records_per_batch"], d["records_per_batch_p50"],
         d["records_per_batch_max"], d["batch_fill_pct"], r, w))
PY
}
kw --json bench produce -t bp-json -n 50000 >"$tmp/none.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "produce none"; }
check_produce "$tmp/none.json" none || fail "produce --json (none)"
kw --json bench produce -t bp-lz4 -n 50000 -X compression.type=lz4 >"$tmp/lz4.json" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "produce lz4"; }
check_produce "$tmp/lz4.json" lz4 || fail "produce --json (lz4)"
kw --json bench consume -t bp-lz4 -n 50000 >"$tmp/c2.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "consume lz4"; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["records"]==50000 and d["compressed_batches"]>0, d' \
  "$tmp/c2.json" || fail "consume of the lz4 topic"

# 4. paced: 30,000 records at 5,000/s, 200-byte records: ~6 s, one progress line or more
kw bench produce -t bp-slow -n 30000 --throughput 5000 --record-size 200 >"$tmp/slow.txt" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "paced produce"; }
grep -Eq '^[0-9]+ records sent, [0-9]+\.[0-9] records/sec \([0-9]+\.[0-9]{2} MB/sec\), [0-9]+\.[0-9] ms avg latency, [0-9]+\.[0-9] ms max latency\.$' \
  "$tmp/slow.txt" || { cat "$tmp/slow.txt" >&2; fail "no 5-second progress line"; }
rate=$(grep -E '^30000 records sent' "$tmp/slow.txt" | sed -E 's/^30000 records sent, ([0-9.]+) records.*/\1/')
[ -n "$rate" ] || fail "paced run's final line"
python3 -c "import sys; r=float(sys.argv[1]); assert 4000 < r <= 5100, r" "$rate" || fail "paced rate $rate is not ~5000/s"
grep -q "payload 200 + protocol overhead" "$tmp/slow.txt" || fail "--record-size 200 not used"

# 5. bad arguments
"$kwire" bench produce --throughput 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--throughput 0 should exit 2"
"$kwire" bench produce -n abc >/dev/null 2>&1; [ $? -eq 2 ] || fail "-n abc should exit 2"
"$kwire" bench consume --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option should exit 2"
echo "integ_bench_perf: ok"
