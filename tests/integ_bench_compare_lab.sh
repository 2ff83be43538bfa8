#!/usr/bin/env bash
# tests/integ_bench_compare_lab.sh — `kwire bench compare --lab NAME --mock`: a lab's grid
# through kwire, kwire-cli, kcat and Debian's kafka-python on the embedded broker (every
# client on Apache Kafka: tests/integ_bench_compare_peers.sh). tests/compare_check.py checks
# every run's rows (records == expected, positive figures, no figure for a missing client),
# its ratios and targets, the summary against the runs, and the CSV.
#
#   1. P1 (--json, --csv, -n 2000): the grid is LABS.md's (4 runs, batch.size 1024 2048
#      4096 8192, linger.ms=20 and acks=1 fixed), a fresh topic per run and client.
#   2. C1 (-n 2000): 9 runs of fetch.min.bytes x max.poll.records, consume only, all
#      clients read the one source topic; kcat is told max.poll.records was not passed to
#      it (librdkafka has no such setting), the others take it.
#   3. C2 in text form: fetch.max.bytes 1024 is accepted by librdkafka because it is also
#      given message.max.bytes (the output says so), max.poll.interval.ms named as not passed.
#   4. P1 with no kcat on PATH: kcat "missing" in every run, no figures, no ratio against
#      it (never zeros), the others measured, exit 0.
#   5. usage errors: unknown lab, --csv without --lab: exit 2.
# Every run is bounded by timeout. Run from the top dir after `make all`.
set -u
integ_name=integ_bench_compare_lab
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-compare-lab.XXXXXX)
. tests/lib_integ.sh
[ -x bin/kwire-broker ] || fail "make all first"
command -v kcat >/dev/null || fail "kcat is not installed (this test needs it)"
/usr/bin/python3 -c 'import kafka' 2>/dev/null || fail "python3-kafka is not installed (this test needs it)"
start=$(date +%s)
peers=kwire,kwire-cli,kcat,kafka-python-deb
all_ok="kwire=ok kwire-cli=ok kcat=ok kafka-python-deb=ok"

# 1. P1 with --json and --csv: the grid of LABS.md, written out here independently of bench/lab.c
timeout 180 "$kw" bench compare --mock --peers $peers --lab P1 -n 2000 --json --csv "$tmp/p1.csv" >"$tmp/p1.json" 2>"$tmp/run.err" ||
  fail "P1 exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/p1.json" 2000 $all_ok --lab P1 --csv "$tmp/p1.csv" || fail "P1: $(head -c 3000 "$tmp/p1.json")"
/usr/bin/python3 - "$tmp/p1.json" <<'PYEOF' || fail "P1 grid: $(head -c 2000 "$tmp/p1.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fixed"] == {"linger.ms": "20", "acks": "1"}, d["fixed"]
assert [r["settings"] for r in d["runs"]] == [{"batch.size": v} for v in ("1024", "2048", "4096", "8192")], d["runs"]
assert all(r["direction"] == "produce" for run in d["runs"] for r in run["results"])
PYEOF

# 2. C1: consume-only grid; max.poll.records not passed to kcat only; one source topic
timeout 300 "$kw" bench compare --mock --peers $peers --lab C1 -n 2000 --json >"$tmp/c1.json" 2>"$tmp/run.err" || fail "C1 exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/c1.json" 2000 $all_ok --lab C1 || fail "C1: $(head -c 3000 "$tmp/c1.json")"
/usr/bin/python3 - "$tmp/c1.json" <<'PYEOF' || fail "C1 settings: $(head -c 3000 "$tmp/c1.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["runs"]) == 9
assert len({r["topic"] for run in d["runs"] for r in run["results"]}) == 1
for run in d["runs"]:
    for r in run["results"]:
        assert r["direction"] == "consume", r
        if r["client"] == "kcat":
            assert r.get("settings_not_passed") == "max.poll.records", r
        else:
            assert "settings_not_passed" not in r, r
PYEOF

# 3. C2 in text form: kcat also given message.max.bytes with fetch.max.bytes 1024
timeout 300 "$kw" bench compare --mock --peers $peers --lab C2 -n 2000 >"$tmp/c2.txt" 2>"$tmp/run.err" || fail "C2 exited $?"
grep -q "^not passed to kcat (consume): max.poll.interval.ms — librdkafka applies" "$tmp/c2.txt" ||
  fail "C2: no not-passed line: $(head -8 "$tmp/c2.txt")"
grep -q "^kcat (consume) also given message.max.bytes=1024 (librdkafka requires" "$tmp/c2.txt" || fail "C2: no adjusted line"
[ "$(grep -Ec '^run [0-9]+: Fetch max bytes' "$tmp/c2.txt")" -eq 9 ] || fail "C2: expected 9 runs in the text"
grep -Eq "^  consume kwire-cli/kcat +records_per_sec +[0-9.]+x .* target >= 1.0 met in [0-9] of 9$" "$tmp/c2.txt" ||
  fail "C2: no summary line: $(tail -5 "$tmp/c2.txt")"

# 4. no kcat: missing everywhere, never zeros, exit 0
mkdir "$tmp/nopath"
timeout 180 env PATH="$tmp/nopath" "$kw" bench compare --mock --peers $peers --lab P1 -n 2000 --json >"$tmp/nokcat.json" \
  2>"$tmp/run.err" || fail "P1 without kcat exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/nokcat.json" 2000 kwire=ok kwire-cli=ok "kcat=missing:kcat not found" \
  kafka-python-deb=ok --lab P1 || fail "P1 without kcat: $(head -c 3000 "$tmp/nokcat.json")"

# 5. usage errors
rc=0; "$kw" bench compare --lab Z9 >/dev/null 2>"$tmp/run.err" || rc=$?
[ $rc -eq 2 ] && grep -q "unknown lab 'Z9'" "$tmp/run.err" || fail "--lab Z9: exit $rc"
rc=0; "$kw" bench compare --csv "$tmp/x.csv" >/dev/null 2>"$tmp/run.err" || rc=$?
[ $rc -eq 2 ] && grep -q "with --lab" "$tmp/run.err" || fail "--csv without --lab: exit $rc"

echo "integ_bench_compare_lab: ok ($(( $(date +%s) - start )) s)"
