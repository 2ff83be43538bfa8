#!/usr/bin/env bash
# tests/integ_bench.sh — `kwire bench lab` runs the labs as LABS.md specifies them: the
# grid, record count, payload and fixed settings asserted from --json; each setting run 3
# times after a warm-up run (the median run and the range); one CSV row per grid point; a
# chart file drawn by gnuplot whose title names the count run; a failed peer is reported,
# not hidden.
# Uses the embedded broker (started and stopped by kwire itself).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-bench.XXXXXX)
integ_name=integ_bench
. tests/lib_integ.sh

# P1 in full: 4 runs of 50,000 records, linger.ms=20, acks=1
timeout 120 "$kwire" -q --json bench lab P1 --csv "$tmp/p1.csv" --chart "$tmp/p1.svg" >"$tmp/p1.json" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "P1 exit $?"; }
python3 - "$tmp/p1.json" <<'PY' || fail "P1 JSON does not match LABS.md"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lab"] == "P1" and d["records"] == 50000, d["records"]
assert d["fixed"] == {"acks": "1", "linger.ms": "20"}, d["fixed"]
assert [r["settings"]["batch.size"] for r in d["runs"]] == ["1024", "2048", "4096", "8192"]
for r in d["runs"]:
    assert r["records"] == 50000 and r["failed"] == 0 and r["records_per_sec"] > 0, r
    # each setting ran 3 times after a warm-up run: the median run, with the range
    assert r["repeats"] == 3, r
    assert r["records_per_sec_min"] <= r["records_per_sec"] <= r["records_per_sec_max"], r
# the byte-level view is real: a bigger batch.size puts more records in each batch
rpb = [r["records_per_batch"] for r in d["runs"]]
assert rpb == sorted(rpb) and rpb[-1] > 4 * rpb[0], rpb
# 92-byte payload plus its record framing: about 100 bytes per record on the wire, uncompressed
assert all(95 < r["wire_bytes_per_record"] < 130 for r in d["runs"]), [r["wire_bytes_per_record"] for r in d["runs"]]
PY
[ "$(wc -l <"$tmp/p1.csv")" -eq 5 ] || fail "P1 CSV should have a header and 4 rows"
[ -s "$tmp/p1.svg" ] && grep -q "<svg" "$tmp/p1.svg" || fail "P1 chart"
grep -q "(50000 records, median of repeated runs)" "$tmp/p1.svg" || fail "P1 chart title should name the count run"

# C1's grid (9 runs) with a small count: one CSV row per point, records read back
timeout 120 "$kwire" -q --json bench lab C1 --records 3000 -t integ-bench-c1 --csv "$tmp/c1.csv" >"$tmp/c1.json" 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "C1 exit $?"; }
python3 - "$tmp/c1.json" <<'PY' || fail "C1 JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fixed"] == {"auto.offset.reset": "earliest", "enable.auto.commit": "false"}, d["fixed"]
pts = [(r["settings"]["fetch.min.bytes"], r["settings"]["max.poll.records"]) for r in d["runs"]]
assert pts == [(a, b) for a in ("1024", "10240", "51200") for b in ("10", "100", "500")], pts
assert all(r["records"] == 3000 and r["failed"] == 0 for r in d["runs"])
PY
[ "$(wc -l <"$tmp/c1.csv")" -eq 10 ] || fail "C1 CSV should have a header and 9 rows"

# issue 14 row 15: --records N is the count the chart's title names
timeout 60 "$kwire" -q bench lab P1 --records 2000 --repeat 1 --chart "$tmp/p1-2000.svg" >/dev/null 2>"$tmp/err" ||
  { cat "$tmp/err" >&2; fail "P1 --records 2000 exit $?"; }
grep -q "(2000 records)" "$tmp/p1-2000.svg" || fail "P1 --records 2000: the chart's title should say 2000 records"

# bad input: unknown lab, bad options, dead broker
"$kwire" bench lab P9 >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown lab should exit 2"
"$kwire" bench lab P1 --repeat 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--repeat 0 should exit 2"
"$kwire" bench lab P1 --live 1000 >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && grep -q "consumer labs" "$tmp/err" ||
  fail "--live on a producer lab should exit 2 naming the consumer labs"
"$kwire" bench lab P1 --quick >/dev/null 2>&1; [ $? -eq 2 ] || fail "--quick on a lab without a quick subset should exit 2"
timeout 60 "$kwire" -q -b 127.0.0.1:1 -X max.block.ms=500 bench lab P1 --records 10 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "an unreachable broker should exit 1"
echo "integ_bench: ok"
