#!/usr/bin/env bash
# tests/integ_bench_compare.sh — `kwire bench compare --mock` (the embedded broker started
# for the run) with the clients that need no download: kwire, kwire-cli, kcat and Debian's
# kafka-python (tests/integ_bench_compare_peers.sh runs every client on Apache Kafka).
#   1. -n 20000 --json: every row "ok" with records == expected (kafka-python 2000, N/10,
#      its times also scaled x10), positive figures, kwire's produce latency percentiles;
#      the ratios against the right kwire row (kcat against kwire-cli) with the targets
#      (tests/compare_check.py).
#   2. the text form: the same rows, verdicts, and kafka-python's scaled line.
#   3. kcat not on PATH: "missing" with the reason, no figures (never zeros), no ratio
#      against it, the others measured, exit 0.
#   4. a kcat that consumes only 10 records: "failed" with that count, not timed.
#   5. --repeat 3 --produce-only (kwire-cli and kcat in turn): 3 runs, each figure's median
#      and range, the ratios summed up, the CSV.
#   6. a kwire-broker that fails at start-up: exit 1 with what it said; bad arguments: exit 2.
# Every run is bounded by timeout. Run from the top dir after `make all`.
set -u
integ_name=integ_bench_compare
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kwire=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-compare.XXXXXX)
. tests/lib_integ.sh
[ -x "$kwire" ] && [ -x bin/kwire-broker ] || fail "make all first"
command -v kcat >/dev/null || fail "kcat is not installed (this test needs it)"
/usr/bin/python3 -c 'import kafka' 2>/dev/null || fail "python3-kafka is not installed (this test needs it)"
start=$(date +%s)
peers=kwire,kwire-cli,kcat,kafka-python-deb

timeout 120 "$kwire" bench compare --mock -n 20000 --peers $peers --json >"$tmp/all.json" 2>"$tmp/run.err" ||
  fail "bench compare exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/all.json" 20000 kwire=ok kwire-cli=ok kcat=ok kafka-python-deb=ok ||
  fail "all clients: $(head -c 3000 "$tmp/all.json")"
/usr/bin/python3 - "$tmp/all.json" <<'PYEOF' || fail "the mock's figures: $(head -c 2000 "$tmp/all.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["broker"].startswith("kwire-broker"), d["broker"]
assert d["partitions"] == 8, d["partitions"]  # N/5000 within 8..400 on the mock
r = [r for r in d["runs"] if r["client"] == "kafka-python-deb" and r["direction"] == "produce"][0]
assert r["scale"] == 10 and abs(r["seconds_scaled_to_records"] - 10 * r["seconds"]) < 1e-3 * r["seconds"] + 1e-5, r
assert r["version"] == "kafka-python 2.0.2", r
PYEOF

# the text form: the rows, the verdicts
timeout 120 "$kwire" bench compare --mock -n 2000 --peers $peers >"$tmp/all.txt" 2>"$tmp/run.err" || fail "text run failed"
grep -Eq "^kafka-python-deb +produce +200 " "$tmp/all.txt" || fail "text: no kafka-python-deb row of 200 records: $(cat "$tmp/all.txt")"
grep -Eq "^kcat +consume +2000 " "$tmp/all.txt" || fail "text: no kcat row"
grep -Eq "^  produce kwire-cli/kcat +records_per_sec +[0-9.]+x +target >= 1.0 +(met|NOT MET)$" "$tmp/all.txt" ||
  fail "text: no verdict for kwire-cli/kcat"
grep -Eq "target >= 30 +(met|NOT MET)" "$tmp/all.txt" || fail "text: no verdict for the kafka-python target"

# kcat not on PATH: missing, the rest still measured, exit 0
mkdir "$tmp/nopath"
timeout 120 env PATH="$tmp/nopath" "$kwire" bench compare --mock -n 20000 --peers $peers --json >"$tmp/nokcat.json" \
  2>"$tmp/run.err" || fail "without kcat: exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/nokcat.json" 20000 kwire=ok kwire-cli=ok "kcat=missing:kcat not found" \
  kafka-python-deb=ok || fail "without kcat: $(head -c 3000 "$tmp/nokcat.json")"
timeout 120 env PATH="$tmp/nopath" "$kwire" bench compare --mock -n 2000 --peers $peers >"$tmp/nokcat.txt" 2>"$tmp/run.err" ||
  fail "text run without kcat failed"
grep -Eq "^kcat +produce +- +missing: kcat not found on PATH" "$tmp/nokcat.txt" || fail "text: kcat not reported missing: $(cat "$tmp/nokcat.txt")"

# a kcat that consumes fewer records than asked: its consume "failed" (with the count it
# moved and no figures), the others measured, exit 0; one whose produce reaches nothing:
# "failed" with what the broker holds
mkdir "$tmp/fake"
cat >"$tmp/fake/kcat" <<'SH'
#!/bin/sh
case " $* " in *" -C "*) i=0; while [ $i -lt 10 ]; do echo x; i=$((i + 1)); done ;; *) exec /usr/bin/kcat "$@" ;; esac
exit 0
SH
chmod +x "$tmp/fake/kcat"
timeout 120 env PATH="$tmp/fake:$PATH" "$kwire" bench compare --mock -n 20000 --peers kcat --json >"$tmp/short.json" \
  2>"$tmp/run.err" || fail "with a short kcat: exited non-zero"
/usr/bin/python3 tests/compare_check.py "$tmp/short.json" 20000 kwire-cli=ok "kcat=ok|failed:moved 10 of 20000" ||
  fail "with a short kcat: $(head -c 3000 "$tmp/short.json")"
/usr/bin/python3 - "$tmp/short.json" <<'PYEOF' || fail "with a short kcat: $(head -c 3000 "$tmp/short.json")"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {(r["client"], r["direction"]): r for r in d["runs"]}
r = runs[("kcat", "consume")]
assert r["status"] == "failed" and r["records"] == 10 and "seconds" not in r, r
assert runs[("kcat", "produce")]["status"] == "ok", runs[("kcat", "produce")]
PYEOF
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake/kcat"
timeout 120 env PATH="$tmp/fake:$PATH" "$kwire" bench compare --mock -n 2000 --peers kcat --json >"$tmp/none.json" \
  2>"$tmp/run.err" || fail "with a kcat that sends nothing: exited non-zero"
/usr/bin/python3 tests/compare_check.py "$tmp/none.json" 2000 kwire-cli=ok kcat=failed &&
  grep -q '"client": "kcat", "direction": "produce", "status": "failed", .*"records": 0, "error": "the broker holds 0 of its 2000 records"' \
    "$tmp/none.json" || fail "with a kcat that sends nothing: $(head -c 3000 "$tmp/none.json")"

# --repeat 3 --produce-only: kwire-cli and kcat in turn, each figure's median and range
timeout 120 "$kwire" bench compare --mock -n 5000 --peers kcat --repeat 3 --produce-only --json --csv "$tmp/rep.csv" \
  >"$tmp/rep.json" 2>"$tmp/run.err" || fail "--repeat 3 exited $?"
/usr/bin/python3 tests/compare_check.py "$tmp/rep.json" 5000 kwire-cli=ok kcat=ok --repeat 3 --csv "$tmp/rep.csv" ||
  fail "--repeat 3: $(head -c 3000 "$tmp/rep.json")"
timeout 120 "$kwire" bench compare --mock -n 5000 --peers kcat --repeat 2 --produce-only >"$tmp/rep.txt" 2>"$tmp/run.err" ||
  fail "--repeat 2 (text) exited $?"
grep -Eq "^  kcat +produce +[0-9]+ \( *[0-9]+\.\. *[0-9]+\) .* n=2$" "$tmp/rep.txt" || fail "--repeat: no spread line: $(cat "$tmp/rep.txt")"
grep -q "kwire-cli/kcat .* met in [0-2] of 2" "$tmp/rep.txt" || fail "--repeat: no summary line"

# a kwire-broker that fails at start-up: exit 1, and the message says what it wrote
# (kwire looks for kwire-broker beside its own executable first)
mkdir "$tmp/selfdir"
cp "$kwire" "$tmp/selfdir/kwire"
printf '#!/bin/sh\necho "kwire-broker: cannot create topic x: no memory today" >&2\nexit 1\n' >"$tmp/selfdir/kwire-broker"
chmod +x "$tmp/selfdir/kwire-broker"
rc=0; timeout 60 "$tmp/selfdir/kwire" bench compare --mock -n 2000 --peers kwire >/dev/null 2>"$tmp/run.err" || rc=$?
[ $rc -eq 1 ] || fail "failing kwire-broker: exited $rc, expected 1"
grep -q "could not start kwire-broker (it printed no bootstrap line: kwire-broker: cannot create topic x: no memory today); give a broker with -b" "$tmp/run.err" ||
  fail "failing kwire-broker: $(cat "$tmp/run.err")"

# bad arguments are usage errors
for bad in "-n 0" "--bogus" "--peers nope" "--peers" "--partitions 0" "--repeat 0" "--repeat 2 --lab P1" \
  "--lab C1 --produce-only" "--mock -b 127.0.0.1:1"; do
  rc=0; "$kwire" bench compare $bad >/dev/null 2>"$tmp/run.err" || rc=$?
  [ $rc -eq 2 ] || fail "bench compare $bad: exited $rc, expected 2"
done
grep -q "leave out -b" "$tmp/run.err" || fail "--mock with -b: $(cat "$tmp/run.err")"

echo "integ_bench_compare: ok ($(( $(date +%s) - start )) s)"
