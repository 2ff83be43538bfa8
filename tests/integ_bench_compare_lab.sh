#!/usr/bin/env bash
# tests/integ_bench_compare_lab.sh — `kwire bench compare --lab NAME`: a lab's grid through
# kwire, librdkafka (kcat) and kafka-python on one embedded broker.
#
#   1. P1 (--json, --csv, -n 2000): the grid is LABS.md's (4 runs, batch.size 1024 2048
#      4096 8192, linger.ms=20 and acks=1 fixed); every run has the three clients' produce
#      results, each "ok" with records == expected (2000; kafka-python 200) and positive
#      figures, in its own topic; the CSV has one row per run and client; the summary
#      holds the three targets with runs_measured == 4 and a met count that follows from
#      the per-run ratios.
#   2. C1 (-n 2000): 9 runs of fetch.min.bytes x max.poll.records, consume only, all
#      clients read the one source topic; librdkafka is told max.poll.records was not
#      passed to it (it has no such setting), kafka-python takes it.
#   3. C2 with kcat: fetch.max.bytes 1024 is accepted by librdkafka because it is also
#      given message.max.bytes (the run says so).
#   4. P1 with no kcat on PATH: librdkafka "missing" in every run, no figures, no ratio
#      against it (never zeros), kwire and kafka-python still measured, exit 0.
#   5. usage errors: unknown lab, --csv without --lab: exit 2.
# Every run is bounded by timeout. Run from the top dir after `make all`.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kw=${KWIRE:-bin/kwire}
tmp=$(mktemp -d /tmp/kwire-integ-compare-lab.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "integ_bench_compare_lab: FAIL: $*" >&2; [ -s "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err" >&2; exit 1; }
[ -x bin/kwire-broker ] || fail "make all first"
command -v kcat >/dev/null || fail "kcat is not installed (this test needs it)"
/usr/bin/python3 -c 'import kafka' 2>/dev/null || fail "python3-kafka is not installed (this test needs it)"
start=$(date +%s)

# check JSON LAB KCAT_STATUS [CSV]
check() {
  /usr/bin/python3 - "$@" <<'PYEOF'
import csv, itertools, json, sys
path, lab, kcat_status = sys.argv[1], sys.argv[2], sys.argv[3]
csv_path = sys.argv[4] if len(sys.argv) > 4 else None
d = json.load(open(path))
def die(msg):
    print(msg); sys.exit(1)
# the grids of LABS.md, written out here independently of bench/lab.c
grids = {
    "P1": ([("batch.size", ["1024", "2048", "4096", "8192"])], {"linger.ms": "20", "acks": "1"}, ["produce"]),
    "C1": ([("fetch.min.bytes", ["1024", "10240", "51200"]), ("max.poll.records", ["10", "100", "500"])],
           {"auto.offset.reset": "earliest", "enable.auto.commit": "false"}, ["consume"]),
    "C2": ([("fetch.max.bytes", ["1024", "10240", "51200"]), ("max.poll.interval.ms", ["500", "1000", "5000"])],
           {"auto.offset.reset": "earliest", "enable.auto.commit": "false"}, ["consume"]),
}
axes, fixed, dirs = grids[lab]
if d["lab"] != lab or d["records"] != 2000 or d["kafka_python_records"] != 200 or d["payload_bytes"] != 92:
    die("header: %r" % {k: d[k] for k in ("lab", "records", "kafka_python_records", "payload_bytes")})
if d["fixed"] != fixed:
    die("fixed settings %r, expected %r" % (d["fixed"], fixed))
want_points = [dict(zip([a for a, _ in axes], vals)) for vals in itertools.product(*[v for _, v in axes])]
got_points = [r["settings"] for r in d["runs"]]
if sorted(map(lambda p: sorted(p.items()), got_points)) != sorted(map(lambda p: sorted(p.items()), want_points)):
    die("grid %r, expected %r" % (got_points, want_points))
topics = set()
for run in d["runs"]:
    res = {(r["client"], r["direction"]): r for r in run["results"]}
    if sorted(res) != sorted((c, dr) for c in ("kwire", "librdkafka", "kafka-python") for dr in dirs):
        die("run %d: results %r" % (run["run"], sorted(res)))
    for (c, dr), r in res.items():
        status = kcat_status if c == "librdkafka" else "ok"
        if r["status"] != status:
            die("run %d %s %s: status %s (%s), expected %s" % (run["run"], c, dr, r["status"], r.get("error"), status))
        want = 200 if c == "kafka-python" else 2000
        if r["expected"] != want:
            die("run %d %s: expected %r" % (run["run"], c, r["expected"]))
        if status == "ok":
            if r["records"] != want:
                die("run %d %s: records %r" % (run["run"], c, r["records"]))
            for k in ("seconds", "records_per_sec", "cpu_s_per_million", "peak_rss_mb"):
                if not r[k] > 0:
                    die("run %d %s: %s = %r" % (run["run"], c, k, r[k]))
        else:
            for k in ("records", "seconds", "records_per_sec", "cpu_s_per_million", "peak_rss_mb"):
                if k in r:
                    die("run %d %s: %s but has %s" % (run["run"], c, status, k))
        topics.add((r["topic"], dr))
        if lab == "C1" and c == "librdkafka" and r.get("settings_not_passed") != "max.poll.records":
            die("run %d: librdkafka settings_not_passed %r" % (run["run"], r.get("settings_not_passed")))
        if lab == "C1" and c != "librdkafka" and "settings_not_passed" in r:
            die("run %d %s: settings_not_passed %r" % (run["run"], c, r["settings_not_passed"]))
        if lab == "C2" and c == "librdkafka" and status == "ok":
            fmb = run["settings"]["fetch.max.bytes"]
            if not r.get("settings_adjusted", "").startswith("message.max.bytes=%s " % fmb):
                die("run %d: librdkafka settings_adjusted %r" % (run["run"], r.get("settings_adjusted")))
    for q in run["ratios"]:
        if q["direction"] not in dirs:
            die("run %d: ratio for %s" % (run["run"], q["direction"]))
        if q["kwire_over"] == "librdkafka" and kcat_status != "ok":
            if q["value"] is not None:
                die("run %d: ratio against missing librdkafka has a value" % run["run"])
        elif not q["value"] > 0:
            die("run %d: ratio %r" % (run["run"], q))
# producer labs: a fresh topic per run and client; consumer labs: one source topic
if dirs == ["produce"] and len(topics) != 3 * len(d["runs"]):
    die("expected one topic per run and client, got %d" % len(topics))
if dirs == ["consume"] and len({t for t, _ in topics}) != 1:
    die("consumer runs read %d topics" % len({t for t, _ in topics}))
sums = {(s["direction"], s["kwire_over"], s["metric"]): s for s in d["summary"]}
for (dr, other, metric), s in sums.items():
    per_run = [q for run in d["runs"] for q in run["ratios"]
               if (q["direction"], q["kwire_over"], q["metric"]) == (dr, other, metric) and q["value"] is not None]
    if s["runs_measured"] != len(per_run):
        die("summary %r: runs_measured vs %d" % (s, len(per_run)))
    if other == "librdkafka" and kcat_status != "ok":
        if s["runs_measured"] != 0 or "geometric_mean" in s:
            die("summary against missing librdkafka: %r" % s)
        continue
    if s["runs_measured"] != len(d["runs"]):
        die("summary %r measured in fewer runs" % s)
    vals = [q["value"] for q in per_run]
    if not (min(vals) - 1e-3 <= s["geometric_mean"] <= max(vals) + 1e-3):
        die("summary %r: geometric mean outside the range of %r" % (s, vals))
    if "target" in s and s["runs_met"] != sum(1 for q in per_run if q["met"]):
        die("summary %r: runs_met does not follow from the runs" % s)
targets = sorted(k for k, s in sums.items() if "target" in s)
if targets != sorted([(dr, o, m) for dr in dirs for o, m in (("librdkafka", "records_per_sec"),
                     ("librdkafka", "cpu_per_record"), ("kafka-python", "records_per_sec"))] +
                     [("produce", "librdkafka", "peak_rss")] * ("produce" in dirs)):
    die("summary targets %r" % targets)
if csv_path:
    rows = list(csv.DictReader(open(csv_path)))
    if len(rows) != 3 * len(d["runs"]) * len(dirs):
        die("csv: %d rows for %d runs" % (len(rows), len(d["runs"])))
    for row in rows:
        if row["lab"] != lab or row["client"] not in ("kwire", "librdkafka", "kafka-python"):
            die("csv row %r" % row)
        if row["status"] == "ok" and not float(row["records_per_sec"]) > 0:
            die("csv row %r" % row)
        if row["status"] != "ok" and row["records_per_sec"] != "":
            die("csv row not measured but has a figure: %r" % row)
for s in d["summary"]:
    print("  %s %-8s kwire/%-13s %-16s %s" % (lab, s["direction"], s["kwire_over"], s["metric"],
          "%.3fx over %d runs" % (s["geometric_mean"], s["runs_measured"]) if "geometric_mean" in s else "n/a"))
PYEOF
}

# 1. P1 with --json and --csv
timeout 120 "$kw" bench compare --lab P1 -n 2000 --json --csv "$tmp/p1.csv" > "$tmp/p1.json" 2> "$tmp/err"
rc=$?; [ $rc -eq 0 ] || fail "P1 exited $rc"
check "$tmp/p1.json" P1 ok "$tmp/p1.csv" || fail "P1: $(head -c 3000 "$tmp/p1.json")"

# 2. C1: consume-only grid, max.poll.records not passed to librdkafka (and said so in text)
timeout 180 "$kw" bench compare --lab C1 -n 2000 --json > "$tmp/c1.json" 2> "$tmp/err"
rc=$?; [ $rc -eq 0 ] || fail "C1 exited $rc"
check "$tmp/c1.json" C1 ok || fail "C1: $(head -c 3000 "$tmp/c1.json")"

# 3. C2 in text form: librdkafka gets message.max.bytes with fetch.max.bytes 1024
timeout 180 "$kw" bench compare --lab C2 -n 2000 > "$tmp/c2.txt" 2> "$tmp/err"
rc=$?; [ $rc -eq 0 ] || fail "C2 exited $rc"
grep -q "^not passed to librdkafka: max.poll.interval.ms " "$tmp/c2.txt" || fail "C2: no not-passed line: $(head -5 "$tmp/c2.txt")"
grep -q "^  (librdkafka also given message.max.bytes=1024 " "$tmp/c2.txt" || fail "C2: no adjusted line"
[ "$(grep -c '^run [0-9]: .* — consume$' "$tmp/c2.txt")" -eq 9 ] || fail "C2: expected 9 runs in the text"
grep -Eq "^  consume  kwire/librdkafka +records_per_sec +[0-9.]+x .* target >= 1.0 met in [0-9] of 9$" "$tmp/c2.txt" ||
  fail "C2: no summary line: $(tail -5 "$tmp/c2.txt")"

# 4. no kcat: missing everywhere, never zeros, exit 0
mkdir "$tmp/nopath"
timeout 120 env PATH="$tmp/nopath" "$kw" bench compare --lab P1 -n 2000 --json > "$tmp/nokcat.json" 2> "$tmp/err"
rc=$?; [ $rc -eq 0 ] || fail "P1 without kcat exited $rc"
check "$tmp/nokcat.json" P1 missing || fail "P1 without kcat: $(head -c 3000 "$tmp/nokcat.json")"

# 5. usage errors
"$kw" bench compare --lab Z9 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown lab 'Z9'" "$tmp/err" || fail "--lab Z9: exit $rc"
"$kw" bench compare --csv "$tmp/x.csv" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "with --lab" "$tmp/err" || fail "--csv without --lab: exit $rc"

echo "integ_bench_compare_lab: ok ($(( $(date +%s) - start )) s)"
